#!/bin/sh
# neon_disasm.sh — the AArch64 1×1 convolution kernels are NEON code.
#
#   neon_disasm.sh EFFCC SOURCE_DIR WORK_DIR CC CFLAGS
#
# Builds B0 for --target aarch64 and disassembles every gemm_* function
# (the 1×1 convolutions; the micro-kernels are inlined into them): each must
# contain fused multiply-adds on vector registers (fmla vN.4s), and the
# scalar form (fmadd sN) must not carry their arithmetic.
set -eu
effcc=$1 src=$2 work=$3 cc=$4 cflags=$5
objdump=aarch64-linux-gnu-objdump
. "$(dirname "$0")/../lib.sh"
require "$cc" "$objdump"
rm -rf "$work"
"$effcc" compile "$src/examples/efficientnet.yaml" --preset b0 --target aarch64 --name model \
    -o "$work" 2>/dev/null
make -s -C "$work" CC="$cc" CFLAGS="$cflags" model.o
"$objdump" -d --no-show-raw-insn "$work/model.o" >"$work/model.dis"
awk '
    /^[0-9a-f]+ <gemm_[^>]*>:$/ { name = $2; gemm[name] = 1; next }
    /^[0-9a-f]+ <[^>]*>:$/     { name = ""; next }
    name != "" && /fmla\tv[0-9]+\.4s/ { vector[name]++ }
    name != "" && /fmadd\ts[0-9]+/   { scalar[name]++ }
    END {
        bad = 0
        for (f in gemm) {
            if (vector[f] < 4 || scalar[f] > vector[f]) {
                printf "%s: %d vector fmla, %d scalar fmadd\n", f, vector[f], scalar[f]
                bad = 1
            }
            n++
        }
        if (n == 0) { print "no gemm_ functions found"; bad = 1 }
        if (!bad) printf "%d gemm functions, all NEON fmla\n", n
        exit bad
    }' "$work/model.dis"
rm -rf "$work"
