#!/bin/sh
# simd_cross.sh — the vector exp, sigmoid and swish of a cross target's SIMD
# header meet the bounds of tests/unit/simd_accuracy.c, run under qemu-user.
#
#   simd_cross.sh SOURCE_DIR WORK_DIR HEADER CC QEMU [CFLAGS…]
set -eu
src=$1 work=$2 header=$3 cc=$4 qemu=$5
shift 5
. "$(dirname "$0")/../lib.sh"
require "$cc" "$qemu"
mkdir -p "$work"
exe="$work/simd_${header%.h}"
"$cc" -O2 -static "$@" -I"$src/runtime" -DEFFCC_SIMD_HEADER="\"$header\"" \
    "$src/tests/unit/simd_accuracy.c" -lm -o "$exe"
"$qemu" "$exe"
