#!/bin/sh
# strict_build.sh — the generated folder compiles without a single warning.
#
#   strict_build.sh EFFCC SOURCE_DIR WORK_DIR TARGET CC [effcc options…]
#
# Builds (does not run: the machine may lack the target's instructions)
# with -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wvla -Werror, and
# checks that the model code has no variable-length array and calls no
# allocator.
set -eu
effcc=$1 src=$2 work=$3 target=$4 cc=$5
shift 5
rm -rf "$work"
mkdir -p "$work"
"$effcc" compile "$src/examples/efficientnet.yaml" --target "$target" --name model "$@" \
    -o "$work/gen" 2>/dev/null
make -s -C "$work/gen" CC="$cc" \
    CFLAGS="-O2 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wvla -Werror"
if grep -Eq '\b(malloc|calloc|realloc|free|alloca)\s*\(' "$work/gen/model.c"; then
    echo "model.c allocates memory"
    exit 1
fi
rm -rf "$work"
