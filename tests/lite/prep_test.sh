#!/bin/sh
# prep_test.sh — the generated program's --image preprocessing against
# Pillow's, on awkward images and sizes.
#
#   prep_test.sh EFFCC SOURCE_DIR WORK_DIR
#
# tests/lite/images.py writes PNGs of every colour type at awkward sizes
# (1x1, 5x300, crops smaller than, equal to and larger than the output);
# the skimage photos are added. For output sizes 37, 224 and 300 a Lite
# model (small, synthetic weights: only the input matters) is compiled, run with
# --image … --save-input, and tests/lite/check.py --prep-only compares its
# tensor with tools/lite_oracle.py --prep-only (Pillow): at most 1e-5 for
# PNG (they are in fact identical), 3/128 for JPEG (stb_image and
# libjpeg-turbo decode a few values differently). The folder is built with
# AddressSanitizer and UndefinedBehaviorSanitizer, so the decoder and the
# resampler run under both. Exit 77 (skip) as lite_test.sh.
set -eu
effcc=$1 src=$2 work=$3
python=$src/.venv/bin/python

. "$(dirname "$0")/../lib.sh"
require_lite_oracle "$python"

rm -rf "$work"
mkdir -p "$work"
images=$("$python" "$src/tests/lite/images.py" "$work/images")
images="$images $data/chelsea.png $data/horse.png $data/camera.png $data/rocket.jpg
        $data/retina.jpg"
for res in 37 224 300; do
    "$effcc" compile "$src/examples/efficientnet-lite.yaml" --preset lite0 --resolution $res \
        --classes 10 --width 0.25 --depth 0.25 --name model -o "$work/gen$res" 2>/dev/null
    make -s -C "$work/gen$res" CFLAGS="-O0 -g -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=all" \
        LDFLAGS="-fsanitize=address,undefined"
    stems=
    mkdir -p "$work/got$res"
    for p in $images; do
        s=$(basename "$p" | tr . _)
        stems="$stems $s"
        "$work/gen$res/model" --image "$p" --save-input "$work/got$res/$s.input.f32" >/dev/null
    done
    "$python" "$src/tools/lite_oracle.py" --model lite0 --prep-only --resolution $res \
        --out "$work/ref$res" $images
    echo "resolution $res:"
    "$python" "$src/tests/lite/check.py" --prep-only "$work/ref$res" "$work/got$res" $stems
done

# the harness's own errors: exit 1 with the file named, 2 for usage
gen=$work/gen37/model
if "$gen" --image "$work/nosuch.png" >/dev/null 2>"$work/err.txt" || [ $? -ne 1 ] ||
    ! grep -q "nosuch.png: cannot open" "$work/err.txt"; then
    echo "FAIL: --image of a missing file"; exit 1
fi
if "$gen" --image "$src/README.md" >/dev/null 2>"$work/err.txt" || [ $? -ne 1 ] ||
    ! grep -q "README.md: cannot decode as PNG or JPEG" "$work/err.txt"; then
    echo "FAIL: --image of a text file"; exit 1
fi
if "$gen" --image "$data/chelsea.png" --input "$work/x.f32" >/dev/null 2>&1 || [ $? -ne 2 ]; then
    echo "FAIL: --image with --input"; exit 1
fi
rm -rf "$work"
