#!/bin/sh
# oracle_test.sh — one end-to-end check against torchvision.
#
#   oracle_test.sh EFFCC SOURCE_DIR WORK_DIR SPEC [scaling options…]
#
# tools/oracle.py builds torchvision's EfficientNet for the spec and scaling,
# seeds non-trivial weights, and writes weights, an input and the reference
# logits; effcc compiles the same spec with those weights; the generated
# folder is built (warnings are errors) and run; tools/compare.py asserts
# max|effcc - torch| <= 1e-4 * max(1, max|torch|) and the same argmax.
# With WEIGHTS_FROM=effcc the roles of the weights swap: effcc makes its
# synthetic weights (--seed, --save-weights) and the oracle loads that file,
# which checks the saved format and that the synthetic weights are a
# meaningful test in torchvision too.
# Environment: CC (compiler for the generated code, default cc), GEN_CFLAGS
# (its flags, default -O2 -Wall -Wextra -Werror), TARGET (effcc --target,
# default generic), EFFCC_FLAGS (more effcc options, e.g. --no-fuse),
# MAKE_FLAGS (e.g. OPENMP=1), REQUIRE_CPU (a /proc/cpuinfo
# flag such as avx512f: without it the machine cannot run the code, exit 77),
# RUNNER (runs a program built for another CPU, e.g. "qemu-aarch64 -L
# /usr/aarch64-linux-gnu"; its program and CC must exist, like the oracle),
# RUNNER_FILES=1 (the runner is an emulated machine that takes the input as
# --file and returns the files the program writes to the current folder,
# like tools/bochs/run-x86-64-v4.sh: the program gets bare file names),
# RUNNER_NEEDS (programs the runner needs, checked like CC).
# Exit 77 (skip) when the oracle is missing, unless CI=true, where that is a
# failure.
set -eu
effcc=$1 src=$2 work=$3 spec=$4
shift 4
python=/usr/bin/python3

. "$src/tests/lib.sh"
require_target
require_oracle "$python"

rm -rf "$work"
mkdir -p "$work"
if [ "${WEIGHTS_FROM:-oracle}" = effcc ]; then
    "$effcc" compile "$spec" "$@" --target "${TARGET:-generic}" ${EFFCC_FLAGS:-} --name model --seed 7 --save-weights "$work/effcc.safetensors" -o "$work/gen"
    "$python" "$src/tools/oracle.py" --spec "$spec" "$@" --weights "$work/effcc.safetensors" --threads 1 --out "$work/ref"
else
    "$python" "$src/tools/oracle.py" --spec "$spec" "$@" --seed 7 --threads 1 --out "$work/ref"
    "$effcc" compile "$spec" "$@" --target "${TARGET:-generic}" ${EFFCC_FLAGS:-} --name model --weights "$work/ref/weights.safetensors" -o "$work/gen"
fi
# shellcheck disable=SC2086 # EFFCC_FLAGS and MAKE_FLAGS are lists
make -s -C "$work/gen" CC="${CC:-cc}" CFLAGS="${GEN_CFLAGS:--O2 -Wall -Wextra -Werror}" ${MAKE_FLAGS:-}
# shellcheck disable=SC2086 # RUNNER is a command with arguments
# --poison: the arena is all NaN before the run, so a read of anything the
# model did not write first shows in the logits
if [ "${RUNNER_FILES:-}" = 1 ]; then
    (cd "$work" && $RUNNER --file ref/input.f32 -- gen/model --poison --input input.f32 --output logits.f32)
else
    ${RUNNER:-} "$work/gen/model" --poison --input "$work/ref/input.f32" --output "$work/logits.f32"
fi
"$python" "$src/tools/compare.py" "$work/ref/logits.f32" "$work/logits.f32" --rtol 1e-4
rm -rf "$work" # keep the folder only when something failed
