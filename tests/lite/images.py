"""Writes awkward test images for the preprocessing test (tests/lite/prep_test.sh).

    python images.py DIR

Deterministic PNGs, each a smooth gradient plus strong noise (so the bicubic
filter overshoots and its clipping to 0..255 is exercised): tiny (1x1, 2x3),
very thin (5x300, 300x5), odd and square sizes that make the centre crop
smaller than, equal to or larger than the output, and every PNG colour type
stb_image and Pillow both read: RGB, RGBA, grey, grey + alpha, palette,
1-bit.  Prints the file names.
"""

import os
import sys

import numpy as np
from PIL import Image


def pixels(w, h, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 255.0 / max(w - 1, 1), y * 255.0 / max(h - 1, 1),
                     (x + y) * 127.0 / max(w + h - 2, 1)], axis=-1)
    noise = rng.integers(-90, 91, size=(h, w, 3))
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    shapes = [(1, 1), (2, 3), (5, 300), (300, 5), (37, 37), (69, 69), (100, 37), (451, 300),
              (640, 480)]
    files = []
    for i, (w, h) in enumerate(shapes):
        files.append((f"rgb_{w}x{h}.png", Image.fromarray(pixels(w, h, i), "RGB")))
    rgba = np.dstack([pixels(50, 40, 20), np.arange(50 * 40, dtype=np.uint8).reshape(40, 50)])
    files.append(("rgba_50x40.png", Image.fromarray(rgba, "RGBA")))
    files.append(("grey_64x48.png", Image.fromarray(pixels(64, 48, 21)[..., 0], "L")))
    files.append(("greyalpha_33x44.png", Image.fromarray(pixels(33, 44, 22)[..., :2], "LA")))
    files.append(("palette_70x50.png",
                  Image.fromarray(pixels(70, 50, 23), "RGB").quantize(colors=37)))
    files.append(("bilevel_45x61.png", Image.fromarray(pixels(45, 61, 24)[..., 0], "L")
                  .convert("1")))
    for name, im in files:
        im.save(os.path.join(out, name))
        print(os.path.join(out, name))


if __name__ == "__main__":
    main()
