#!/bin/sh
# simd_cross.sh — the vector exp, sigmoid and swish of a cross target's SIMD
# header meet the bounds of tests/unit/simd_accuracy.c, run under qemu-user
# (or, for AVX-512, tools/bochs/run-x86-64-v4.sh: QEMU is the runner).
#
#   simd_cross.sh SOURCE_DIR WORK_DIR HEADER CC QEMU [CFLAGS…]
# RUNNER_NEEDS: more programs QEMU needs (bochs for the Bochs script).
set -eu
src=$1 work=$2 header=$3 cc=$4 qemu=$5
shift 5
. "$(dirname "$0")/../lib.sh"
# shellcheck disable=SC2086 # RUNNER_NEEDS is a list
require "$cc" "$qemu" ${RUNNER_NEEDS:-}
mkdir -p "$work"
exe="$work/simd_${header%.h}"
"$cc" -O2 -static "$@" -I"$src/runtime" -DEFFCC_SIMD_HEADER="\"$header\"" \
    "$src/tests/unit/simd_accuracy.c" -lm -o "$exe"
"$qemu" "$exe"
