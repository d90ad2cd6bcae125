#!/bin/sh
# run_oracle_test.sh — `effcc run` (the reference evaluator, ir/eval.c)
# against torchvision.
#
#   run_oracle_test.sh EFFCC SOURCE_DIR WORK_DIR SPEC [scaling options…]
#
# tools/oracle.py builds torchvision's EfficientNet for the spec and scaling,
# seeds non-trivial weights, and writes weights, an input and the reference
# logits; effcc run computes the logits from the same weights and input;
# tools/compare.py asserts max|effcc - torch| <= 1e-4 * max(1, max|torch|)
# and the same argmax, the tolerance of oracle_test.sh. With
# WEIGHTS_FROM=effcc, effcc compile makes its synthetic weights (--seed 7,
# --save-weights; the folder is not built), the oracle loads that file, and
# effcc run synthesises them again from --seed 7: run uses the weights
# compile does. Prints how long effcc run took.
# Exit 77 (skip) when the oracle is missing, unless CI=true, where that is a
# failure.
set -eu
effcc=$1 src=$2 work=$3 spec=$4
shift 4
python=/usr/bin/python3

. "$src/tests/lib.sh"
require_oracle "$python"

rm -rf "$work"
mkdir -p "$work"
if [ "${WEIGHTS_FROM:-oracle}" = effcc ]; then
    "$effcc" compile "$spec" "$@" --name model --seed 7 --save-weights "$work/effcc.safetensors" -o "$work/gen"
    "$python" "$src/tools/oracle.py" --spec "$spec" "$@" --weights "$work/effcc.safetensors" --threads 1 --out "$work/ref"
    set -- "$@" --seed 7
else
    "$python" "$src/tools/oracle.py" --spec "$spec" "$@" --seed 7 --threads 1 --out "$work/ref"
    set -- "$@" --weights "$work/ref/weights.safetensors"
fi
echo "an older file, replaced whole" >"$work/logits.f32"
start=$(date +%s%N)
"$effcc" run "$spec" "$@" --input "$work/ref/input.f32" --output "$work/logits.f32"
end=$(date +%s%N)
echo "effcc run: $(( (end - start) / 1000000 )) ms"
if ls -a "$work" | grep -q '^\.effcc-logits-'; then
    echo "effcc run left its temporary file in $work"
    exit 1
fi
"$python" "$src/tools/compare.py" "$work/ref/logits.f32" "$work/logits.f32" --rtol 1e-4
rm -rf "$work" # keep the folder only when something failed
