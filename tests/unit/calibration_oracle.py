"""Writes a calibration folder and what each of its inputs must become, by
Pillow: the oracle of tests/unit/test_calibration_load.c.

    /usr/bin/python3 calibration_oracle.py PHOTOS REFS RES

PHOTOS gets PNGs of several colour types and awkward sizes (a smooth
gradient plus strong noise, so the bicubic filter overshoots and clips),
JPEGs (4:2:0, 4:4:4, grey), extensions in upper and lower case, a raw
float32 tensor (.f32) and two hidden files the loader must skip; with
skimage installed, two of its photos too.  REFS gets order.txt (the input
names in the order calibration_load must return them: byte order) and, for
each input and each normalisation below, REFS/NORM/NAME.f32: the (3, RES,
RES) float32 tensor.  Preprocessing is TensorFlow's EfficientNet evaluation
as tools/lite_oracle.py does it with Pillow: the centre square of side
int(RES / (RES + 32) * min(w, h)), Image.BICUBIC to RES x RES, then
(pixel - mean) / std in float32.  The constants are written here, not read
from effcc's specs, so the comparison checks the specs' values too:
  lite      EfficientNet-Lite (examples/efficientnet-lite.yaml): 127, 128
  imagenet  torchvision's ImageNet mean and std times 255
            (examples/efficientnet.yaml)
"""

import os
import shutil
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lite"))
from images import pixels  # noqa: E402  (the preprocessing test's noisy gradients)

CROP_PADDING = 32
NORMS = {
    "lite": ([127.0] * 3, [128.0] * 3),
    "imagenet": ([0.485 * 255, 0.456 * 255, 0.406 * 255], [0.229 * 255, 0.224 * 255, 0.225 * 255]),
}


def photos(res):
    """(file name, PIL image, save options); sizes around the crop of res."""
    crop = res + CROP_PADDING  # a shorter side whose crop is exactly res
    yield "rgb_1x1.png", Image.fromarray(pixels(1, 1, 1), "RGB"), {}
    yield "rgb_5x300.png", Image.fromarray(pixels(5, 300, 2), "RGB"), {}
    yield "RGB_300x5.PNG", Image.fromarray(pixels(300, 5, 3), "RGB"), {}
    yield f"rgb_{crop}x{crop}.png", Image.fromarray(pixels(crop, crop, 4), "RGB"), {}
    yield "rgb_451x300.png", Image.fromarray(pixels(451, 300, 5), "RGB"), {}
    rgba = np.dstack([pixels(50, 40, 6), np.arange(2000, dtype=np.uint8).reshape(40, 50)])
    yield "rgba_50x40.png", Image.fromarray(rgba, "RGBA"), {}
    yield "grey_64x48.png", Image.fromarray(pixels(64, 48, 7)[..., 0], "L"), {}
    yield "palette_70x50.png", Image.fromarray(pixels(70, 50, 8), "RGB").quantize(colors=37), {}
    # JPEG: smoother, as a photo is (stb_image and libjpeg-turbo differ most on noise)
    smooth = Image.fromarray(pixels(40, 30, 9), "RGB").resize((160, 120), Image.BICUBIC)
    yield "photo_420.jpg", smooth, {"quality": 90, "subsampling": 2}
    yield "photo_444.JPG", smooth.rotate(90, expand=True), {"quality": 95, "subsampling": 0}
    yield "grey.jpeg", smooth.convert("L"), {"quality": 85}


def preprocess(im, res, mean, std):
    im = im.convert("RGB")
    w, h = im.size
    crop = max(1, int(res / (res + CROP_PADDING) * min(w, h)))
    left, top = (w - crop + 1) // 2, (h - crop + 1) // 2
    im = im.crop((left, top, left + crop, top + crop)).resize((res, res), Image.BICUBIC)
    x = (np.asarray(im, dtype=np.float32) - np.float32(mean)) / np.float32(std)
    return np.ascontiguousarray(x.transpose(2, 0, 1)).astype("<f4")


def main():
    out, refs, res = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(out, exist_ok=True)
    names = []
    for name, im, options in photos(res):
        im.save(os.path.join(out, name), **options)
        names.append(name)
    try:
        import skimage.data
        data = os.path.dirname(skimage.data.__file__)
        for name in ("chelsea.png", "rocket.jpg"):
            shutil.copy(os.path.join(data, name), os.path.join(out, "skimage_" + name))
            names.append("skimage_" + name)
    except ImportError:
        pass
    tensor = np.random.default_rng(10).normal(size=(3, res, res)).astype("<f4")
    tensor.tofile(os.path.join(out, "tensor.f32"))
    names.append("tensor.f32")
    with open(os.path.join(out, ".DS_Store"), "wb") as f:
        f.write(b"\0\0\0\1Bud1")
    with open(os.path.join(out, "._photo_420.jpg"), "wb") as f:  # macOS AppleDouble
        f.write(b"\0\5\26\7")

    names.sort(key=lambda n: n.encode())
    with open(os.path.join(refs, "order.txt"), "w") as f:
        f.write("".join(n + "\n" for n in names))
    for norm, (mean, std) in NORMS.items():
        os.makedirs(os.path.join(refs, norm), exist_ok=True)
        for name in names:
            path = os.path.join(out, name)
            if name.endswith(".f32"):
                x = tensor
            else:
                with Image.open(path) as im:
                    x = preprocess(im, res, mean, std)
            x.tofile(os.path.join(refs, norm, name + ".f32"))


if __name__ == "__main__":
    main()
