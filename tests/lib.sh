# lib.sh — helpers the test scripts source.
#
# require TOOL…         each tool must be on PATH
# require_oracle PY      PY must import torch, torchvision, yaml and numpy
# require_lite_oracle PY  PY must import efficientnet_lite_pytorch and skimage;
#                       sets $data to skimage's sample-photo folder
# A missing tool or oracle skips the test (exit 77, CTest's SKIP_RETURN_CODE)
# or, under CI=true, fails it: CI must never pass by skipping.
# require_target        the CPU has $REQUIRE_CPU (else exit 77, even under CI:
#                       the machine cannot run it), and $CC, $RUNNER and
#                       $RUNNER_NEEDS exist
# fail WHAT             counts a failure in $failures and says what failed

missing() {
    echo "$1"
    [ "${CI:-}" = true ] && exit 1
    exit 77
}

require() {
    for tool in "$@"; do
        command -v "$tool" >/dev/null || missing "missing tool: $tool"
    done
}

# require_oracle PY: PY imports torch, torchvision, yaml and numpy (the
# torchvision oracle, tools/oracle.py).
require_oracle() {
    "$1" -c 'import torch, torchvision, yaml, numpy' 2>/dev/null ||
        missing "oracle missing: $1 with torch, torchvision, yaml and numpy"
}

require_lite_oracle() {
    data=$("$1" -c 'import os, skimage.data; print(os.path.dirname(skimage.data.__file__))' \
           2>/dev/null) || data=
    if [ -z "$data" ] || ! "$1" -c 'import efficientnet_lite_pytorch' 2>/dev/null; then
        missing "oracle missing: run tools/venv.sh (and tools/setup.sh for python3-skimage)"
    fi
}

failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# require_target: what a test of generated code for $TARGET needs here
# (tests/e2e/oracle_test.sh, tests/int8/codegen_test.sh,
# tests/kernels/kernels_test.sh).
require_target() {
    if [ -n "${REQUIRE_CPU:-}" ] && ! grep -qw "$REQUIRE_CPU" /proc/cpuinfo; then
        echo "skipped: this CPU lacks $REQUIRE_CPU"
        exit 77
    fi
    for tool in "${CC:-cc}" ${RUNNER:-} ${RUNNER_NEEDS:-}; do
        case "$tool" in -*|/usr/*-linux-gnu*) continue ;; esac
        require "$tool"
    done
}
