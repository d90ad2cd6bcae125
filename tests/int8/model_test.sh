#!/bin/sh
# model_test.sh — whole int8 models, effcc against LiteRT's reference interpreter.
#
#   model_test.sh EFFCC INT8_VALUES SOURCE_DIR WORK_DIR
#
# tests/int8/model_test.py quantizes seeded Lite0 and B0 models with effcc
# run --quantize int8, exports them with tools/tflite_export.py and compares
# the logits and every intermediate value with LiteRT BUILTIN_REF's: any
# difference fails. When tools/venv.sh's venv (torch, the Lite0 checkpoint,
# Pillow) and skimage's photos are there, Lite0 with its released weights
# too, calibrated on three skimage photos (the calibration ones of
# tools/photos.py) and run on two others. Exit 77 (skip) when the venv of
# tests/int8/venv.sh is missing; under CI=true a missing venv fails instead.
# INT8_SEEDED_ONLY=1 (the sanitizer build) leaves the released weights out:
# a 224 px model under ASan takes minutes and runs no other code.
set -eu
effcc=$1 values=$2 src=$3 work=$4
python=$src/.venv-int8/bin/python
lite=$src/.venv/bin/python

. "$(dirname "$0")/../lib.sh"
"$python" -c 'import numpy, flatbuffers, ai_edge_litert.interpreter' 2>/dev/null ||
    missing "LiteRT missing: run tests/int8/venv.sh (.venv-int8 with ai-edge-litert)"

rm -rf "$work"
mkdir -p "$work"
released= data=
if [ "${INT8_SEEDED_ONLY:-}" != 1 ]; then
    data=$("$lite" -c 'import os, skimage.data, PIL, efficientnet_lite_pytorch
print(os.path.dirname(skimage.data.__file__))' 2>/dev/null) || data=
fi
if [ "${INT8_SEEDED_ONLY:-}" = 1 ]; then
    echo "model_test: seeded models only (INT8_SEEDED_ONLY=1)"
elif [ -n "$data" ]; then
    mkdir "$work/photos"
    for p in camera.png coins.png rocket.jpg; do
        ln -s "$data/$p" "$work/photos/$p"
    done
    "$lite" "$src/tools/lite_weights.py" --model lite0 --out "$work/lite0.safetensors" >/dev/null
    # inputs as the spec preprocesses (mean 127, std 128); the exact resize
    # does not matter, both engines read the same floats
    "$lite" - "$data/chelsea.png" "$data/motorcycle_left.png" >"$work/photos.f32" <<'EOF'
import sys
import numpy as np
from PIL import Image
for path in sys.argv[1:]:
    im = Image.open(path).convert('RGB').resize((224, 224), Image.BICUBIC)
    x = (np.asarray(im, np.float32) - 127) / 128
    sys.stdout.buffer.write(x.transpose(2, 0, 1).astype('<f4').tobytes())
EOF
    released="--released $work/lite0.safetensors $work/photos $work/photos.f32"
elif [ "${CI:-}" = true ]; then
    echo "model_test: Lite0's released weights missing: run tools/venv.sh (and tools/setup.sh)"
    exit 1
else
    echo "model_test: skipping Lite0 with released weights (no tools/venv.sh venv or skimage)"
fi
# shellcheck disable=SC2086 # $released is several words or none
"$python" "$src/tests/int8/model_test.py" --effcc "$effcc" --values "$values" --src "$src" \
    --work "$work" $released
rm -rf "$work" # kept only when something failed
