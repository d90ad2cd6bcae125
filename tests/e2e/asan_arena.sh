#!/bin/sh
# asan_arena.sh — the arena effcc reports is the arena the model uses.
#
#   asan_arena.sh EFFCC SOURCE_DIR WORK_DIR [effcc options…]
#
# Builds the generated folder with AddressSanitizer and UBSan and runs it
# once: the harness takes exactly NAME_ARENA_BYTES from aligned_alloc (a
# multiple of 64), so any byte read or written outside the planned arena is
# a heap overflow ASan reports; --poison makes the arena NaN first, so a read
# of a byte never written shows as NaN logits, which fails the run too.
set -eu
effcc=$1 src=$2 work=$3
shift 3
rm -rf "$work"
mkdir -p "$work"
"$effcc" compile "$src/examples/efficientnet.yaml" --name model "$@" -o "$work/gen" 2>/dev/null
make -s -C "$work/gen" CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all"
arena=$(sed -n 's/^#define model_ARENA_BYTES \([0-9]*\).*/\1/p' "$work/gen/model.h")
"$work/gen/model" --info | grep -qx "arena_bytes=$arena"
ASAN_OPTIONS=detect_leaks=1 "$work/gen/model" --poison --output "$work/logits.f32" >"$work/out.txt"
/usr/bin/python3 - "$work/logits.f32" <<'PY'
import sys, array
a = array.array("f")
a.frombytes(open(sys.argv[1], "rb").read())
bad = [x for x in a if x != x or x in (float("inf"), float("-inf"))]
sys.exit(f"{len(bad)} non-finite logits" if bad else 0)
PY
echo "arena of $arena bytes: no access outside it, every logit finite"
rm -rf "$work"
