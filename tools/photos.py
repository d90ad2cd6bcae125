"""Writes the calibration and evaluation photo sets for int8 work on
EfficientNet-Lite: natural photos from Debian packages, cropped, mirrored and
scaled into PNGs that the generated harness reads with --image.

    /usr/bin/python3 tools/photos.py OUTDIR

writes OUTDIR/calibration/*.png and OUTDIR/evaluation/*.png (8-bit RGB; the
two grey photos have their grey replicated), the lists
OUTDIR/calibration.txt and OUTDIR/evaluation.txt (one path a line) and
OUTDIR/manifest.tsv (a row per PNG: set, file, photo, variant, package,
source file, licence, author, crop box in source pixels, mirror, size and
the SHA-256 of the source file and of the RGB pixels written).

PHOTOS below is the whole selection: each photo belongs to one set only, so
the two sets share no source photo; every photo gives the same VARIANTS.
The packages are those of tools/photos-packages.txt (Debian 12); each source
file is checked against the SHA-256 prefix recorded here, so a different
package version stops the run instead of silently changing the sets.  The
output is a function of the sources and of Pillow's decoder and Lanczos
filter: same packages, same pixels.  About 30 s and 125 MB.  See
docs/photos.md.
"""

import bz2
import hashlib
import os
import sys

import numpy as np
from PIL import Image, ImageOps

SKIMAGE = "/usr/lib/python3/dist-packages/skimage/data/"
SKLEARN = "/usr/lib/python3/dist-packages/sklearn/datasets/images/"
MATPLOTLIB = "/usr/share/matplotlib/mpl-data/sample_data/"
SCIPY_FACE = "/usr/lib/python3/dist-packages/scipy/misc/face.dat"
PALAPELI = "/usr/share/palapeli/collection/"
LOMIRI = "/usr/share/backgrounds/"
LXQT = "/usr/share/lxqt/wallpapers/"
MATE = "/usr/share/backgrounds/mate/nature/"

CAL, EVAL = "calibration", "evaluation"

# (set, photo id, Debian package, source file, licence, author, SHA-256 prefix
# of the file).  Licences as the package states them: its debian/copyright,
# or where that says nothing per file, the upstream note it ships (skimage's
# and scipy's docstrings, sklearn's images/README.txt, palapeli's .desktop
# files, lxqt's wallpapers/License).
PHOTOS = [
    (CAL, "skimage-camera", "python3-skimage", SKIMAGE + "camera.png",
     "CC0-1.0", "Lav Varshney", "b0793d2adda0fa6a"),
    (CAL, "skimage-coins", "python3-skimage", SKIMAGE + "coins.png",
     "no known copyright restrictions", "Brooklyn Museum", "f8d773fc9cfa6f4d"),
    (CAL, "skimage-rocket", "python3-skimage", SKIMAGE + "rocket.jpg",
     "public domain", "SpaceX", "c2dd0de7c538df8d"),
    (CAL, "scipy-face", "python3-scipy", SCIPY_FACE,
     "public domain", "public-domain-image.com", "9d8b0b4d081313e2"),
    (CAL, "sklearn-china", "python3-sklearn", SKLEARN + "china.jpg",
     "CC-BY-2.0", "danielbuechele", "8378025ad2519d64"),
    (CAL, "palapeli-citrus-fruits", "palapeli-data", PALAPELI + "citrus-fruits.jpg",
     "public domain", "US Department of Agriculture", "0cbd7154a1478980"),
    (CAL, "palapeli-cincinnati-bridge", "palapeli-data", PALAPELI + "cincinnati-bridge.jpg",
     "public domain", "Derek Jensen", "09772d09318b34a5"),
    (CAL, "lomiri-dragonfly", "lomiri-wallpapers-16.04", LOMIRI + "Dragonfly_by_Bolly.jpg",
     "CC-BY-SA-4.0", "Bolly", "af5af17841009732"),
    (CAL, "lomiri-aitzgorri", "lomiri-wallpapers-16.04",
     LOMIRI + "aitzgorri_by_Aitzol_Berasategi.jpg",
     "CC-BY-4.0", "Aitzol Berasategi", "66268e7b48f8854d"),
    (CAL, "lomiri-free", "lomiri-wallpapers-16.04", LOMIRI + "free_by_Peter_Nerlich.jpg",
     "CC-BY-SA-4.0", "Peter Nerlich", "85a5453c2fed514c"),
    (CAL, "lomiri-seeding", "lomiri-wallpapers-16.04",
     LOMIRI + "seeding_by_Clements_Engelhardt.jpg",
     "CC0-1.0", "Clemens Engelhardt", "a5634d1ab5e41a35"),
    (CAL, "lomiri-life", "lomiri-wallpapers-16.04", LOMIRI + "life_by_Aitzol_Berasategi.jpg",
     "CC-BY-4.0", "Aitzol Berasategi", "4c119350ead80201"),
    (CAL, "lomiri-picture-1a", "lomiri-wallpapers-16.04",
     LOMIRI + "Picture_1A_by_freespace.jpg",
     "CC-BY-4.0", "Trevor \"Freespace\"", "89e86af38d04daae"),
    (CAL, "lxqt-butterfly-kenneth-wimer", "lxqt-themes", LXQT + "Butterfly-Kenneth-Wimer.jpg",
     "CC-BY-SA-3.0", "Kenneth Wimer", "c237c26f6f0b18db"),
    (CAL, "lxqt-valendas", "lxqt-themes", LXQT + "Valendas.png",
     "CC-BY-SA-3.0", "LXQt Project Team", "f2d275c51d116942"),
    (CAL, "lxqt-drop", "lxqt-themes", LXQT + "drop.png",
     "CC-BY-SA-3.0", "stefonarch", "3b726aea9a6f8af3"),
    (CAL, "lxqt-fog", "lxqt-themes", LXQT + "fog.jpg",
     "CC-BY-SA-3.0", "stefonarch", "a8235344ee6b5ab1"),
    (CAL, "lxqt-cloud", "lxqt-themes", LXQT + "cloud.png",
     "CC-BY-SA-3.0", "LXQt Project Team", "522dbf79dfaff751"),
    (CAL, "mate-blinds", "mate-backgrounds", MATE + "Blinds.jpg",
     "GPL-2+", "Lennart Poettering", "f7aac0dcc2e06d04"),
    (CAL, "mate-greenmeadow", "mate-backgrounds", MATE + "GreenMeadow.jpg",
     "GPL-2+", "Timothy Schellhase", "8fa0de0aa4089f73"),
    (CAL, "mate-garden", "mate-backgrounds", MATE + "Garden.jpg",
     "GPL-2+", "Charles Barbin", "d3095ee09d425ef2"),
    (CAL, "mate-storm", "mate-backgrounds", MATE + "Storm.jpg",
     "GPL-2+", "Sergey Nazarov", "77ca53077831d323"),
    (CAL, "mate-aqua", "mate-backgrounds", MATE + "Aqua.jpg",
     "GPL-2+", "Charles Barbin", "5c30118205982da4"),
    (CAL, "mate-raindrops", "mate-backgrounds", MATE + "RainDrops.jpg",
     "GPL-2+", "blackcombwhistler07", "3e4ea9671c28c90a"),
    (CAL, "mate-wood", "mate-backgrounds", MATE + "Wood.jpg",
     "GPL-2+", "Jean-Francois Fortin Tam", "19c78500ac00a622"),

    (EVAL, "skimage-astronaut", "python3-skimage", SKIMAGE + "astronaut.png",
     "public domain", "NASA", "88431cd9653ccd53"),
    (EVAL, "skimage-chelsea", "python3-skimage", SKIMAGE + "chelsea.png",
     "CC0-1.0", "Stefan van der Walt", "596aa1e7cb875eb7"),
    (EVAL, "skimage-coffee", "python3-skimage", SKIMAGE + "coffee.png",
     "CC0-1.0", "Rachel Michetti", "cc02f8ca188b167c"),
    (EVAL, "skimage-motorcycle-left", "python3-skimage", SKIMAGE + "motorcycle_left.png",
     "BSD-3-Clause (package); Middlebury 2014 stereo data",
     "D. Scharstein et al.", "db18e9c415761740"),
    (EVAL, "matplotlib-grace-hopper", "python-matplotlib-data", MATPLOTLIB + "grace_hopper.jpg",
     "public domain", "U.S. Navy", "a8ca6d734765703b"),
    (EVAL, "sklearn-flower", "python3-sklearn", SKLEARN + "flower.jpg",
     "CC-BY-2.0", "vultilion", "a77f6ec41e353afd"),
    (EVAL, "palapeli-castle-maintenon", "palapeli-data", PALAPELI + "castle-maintenon.jpg",
     "GFDL", "Eric Pouhier", "f4a6bf48b97d9771"),
    (EVAL, "palapeli-european-honey-bee", "palapeli-data", PALAPELI + "european-honey-bee.jpg",
     "public domain", "John Severns", "9d54ae706bddd899"),
    (EVAL, "palapeli-panther-chameleon-female", "palapeli-data",
     PALAPELI + "panther-chameleon-female.jpg",
     "GFDL", "B. Navez and others", "adb9e2834a8a3db4"),
    (EVAL, "lomiri-bridge", "lomiri-wallpapers-16.04", LOMIRI + "Bridge_by_Sander_Klootwijk.jpg",
     "CC-BY-SA-4.0", "Sander Klootwijk", "bd86b081f9975e2b"),
    (EVAL, "lomiri-picture-0b", "lomiri-wallpapers-16.04",
     LOMIRI + "Picture_0B_by_freespace.jpg",
     "CC-BY-4.0", "Trevor \"Freespace\"", "c8c0ab18e48d9e04"),
    (EVAL, "lomiri-wine", "lomiri-wallpapers-16.04", LOMIRI + "Wine_by_Jakkub_Mede.jpg",
     "CC-BY-4.0", "Jakub Mede", "d2e96e6d4da40dd8"),
    (EVAL, "lomiri-friends", "lomiri-wallpapers-16.04",
     LOMIRI + "friends_by_Aitzol_Berasategi.jpg",
     "CC-BY-4.0", "Aitzol Berasategi", "cc40e313c74e421e"),
    (EVAL, "lomiri-greentock", "lomiri-wallpapers-16.04",
     LOMIRI + "greentock_by_Peter_Nerlich.jpg",
     "CC-BY-SA-4.0", "Peter Nerlich", "e7b20e2db9dcd6e2"),
    (EVAL, "lomiri-picosdeeuropa", "lomiri-wallpapers-16.04",
     LOMIRI + "picosdeeuropa_by_Aitzol_Berasategi.jpg",
     "CC-BY-4.0", "Aitzol Berasategi", "414d0072b2f6f2c5"),
    (EVAL, "lomiri-sunset", "lomiri-wallpapers-16.04",
     LOMIRI + "sunset_by_Aitzol_Berasategi.jpg",
     "CC-BY-4.0", "Aitzol Berasategi", "474dab6a4b9f94dc"),
    (EVAL, "lxqt-after-the-rain", "lxqt-themes", LXQT + "after-the-rain.jpg",
     "CC-BY-SA-3.0", "stefonarch", "e6cb8b3e09b904cc"),
    (EVAL, "lxqt-appleflower", "lxqt-themes", LXQT + "appleflower.png",
     "CC-BY-SA-3.0", "stefonarch", "bae8a8eb8274b295"),
    (EVAL, "lxqt-beam", "lxqt-themes", LXQT + "beam.png",
     "CC-BY-SA-3.0", "stefonarch", "3d199194b048cb79"),
    (EVAL, "lxqt-butterfly", "lxqt-themes", LXQT + "butterfly.png",
     "CC-BY-SA-3.0", "stefonarch", "13175434d99075e0"),
    (EVAL, "lxqt-flowers", "lxqt-themes", LXQT + "flowers.png",
     "CC-BY-SA-3.0", "stefonarch", "3a935d8be4d6c978"),
    (EVAL, "lxqt-this-is-not-windows", "lxqt-themes", LXQT + "this-is-not-windows.jpg",
     "CC-BY-SA-3.0", "stefonarch", "2d885e0438c0ab24"),
    (EVAL, "mate-dune", "mate-backgrounds", MATE + "Dune.jpg",
     "GPL-2+", "Marco Cogoni", "8a67c2cb0be8c46b"),
    (EVAL, "mate-freshflower", "mate-backgrounds", MATE + "FreshFlower.jpg",
     "GPL-2+", "Jens Ansorg", "972b0a0c4e5e3fa9"),
    (EVAL, "mate-ladybird", "mate-backgrounds", MATE + "LadyBird.jpg",
     "GPL-2+", "Charles Barbin", "e35a9a4126ef969c"),
    (EVAL, "mate-twowings", "mate-backgrounds", MATE + "TwoWings.jpg",
     "GPL-2+", "Charles Barbin, Hylke Bons", "665e5abf8a539907"),
    (EVAL, "mate-yellowflower", "mate-backgrounds", MATE + "YellowFlower.jpg",
     "GPL-2+", "Charles Barbin", "254da96256acb7ad"),
]

# (name, crop box, mirror, shorter side).  A box is (x0, y0, x1, y1) in
# percent of the photo; "start"/"end" boxes run along the photo's longer side
# (left/right of a landscape photo, top/bottom of a portrait one) and are
# written for a landscape photo.  The shorter side is the target: a crop
# smaller than that is kept at its own size, but never below MIN_SIDE, so the
# harness's centre crop (side R/(R+32) of the shorter side) reaches the
# Lite0-2 resolutions (224-260) with little or no upscaling.
VARIANTS = [
    ("full", (0, 0, 100, 100), False, 384),
    ("full-m", (0, 0, 100, 100), True, 512),
    ("centre80", (10, 10, 90, 90), False, 320),
    ("centre60-m", (20, 20, 80, 80), True, 288),
    ("start75", (0, 0, 75, 100), False, 448),
    ("end75-m", (25, 0, 100, 100), True, 352),
    ("tl70", (0, 0, 70, 70), False, 416),
    ("br70-m", (30, 30, 100, 100), True, 480),
]
MIN_SIDE = 288

MANIFEST_COLUMNS = ["set", "file", "photo", "variant", "package", "source", "licence",
                    "author", "crop_x0", "crop_y0", "crop_x1", "crop_y1", "mirror",
                    "width", "height", "source_sha256", "pixels_sha256"]


class PhotoError(Exception):
    """A source photo is missing or not the expected file."""


def packages_listed():
    """The package names of tools/photos-packages.txt (beside this file)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "photos-packages.txt")
    with open(path, encoding="utf-8") as f:
        return {line.split("#")[0].strip() for line in f} - {""}


def check_table():
    """PHOTOS names each photo once, and exactly the listed packages."""
    ids = [p[1] for p in PHOTOS]
    assert len(ids) == len(set(ids)), "a photo id is used twice"
    paths = [p[3] for p in PHOTOS]
    assert len(paths) == len(set(paths)), "a source file is used twice"
    used, listed = {p[2] for p in PHOTOS}, packages_listed()
    assert used <= listed, f"not in photos-packages.txt: {sorted(used - listed)}"
    assert listed <= used | {"python3-pil", "python3-numpy"}, \
        f"listed but unused: {sorted(listed - used)}"


def file_sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def load(package, path, want):
    """The photo at path as an RGB image, after checking its hash prefix."""
    if not os.path.isfile(path):
        raise PhotoError(f"{path}: missing; install Debian package {package} "
                         "(tools/photos-packages.txt)")
    digest = file_sha256(path)
    if not digest.startswith(want):
        raise PhotoError(f"{path}: SHA-256 {digest[:16]}, expected {want}: "
                         f"not the file of {package} in Debian 12")
    if path == SCIPY_FACE:  # bz2 of 768 x 1024 x 3 raw bytes (scipy.misc.face)
        with open(path, "rb") as f:
            raw = bz2.decompress(f.read())
        im = Image.fromarray(np.frombuffer(raw, np.uint8).reshape(768, 1024, 3), "RGB")
    else:
        with Image.open(path) as f:
            im = ImageOps.exif_transpose(f).convert("RGB")
    return im, digest


def crop_box(size, box):
    """A VARIANTS box in source pixels, turned for a portrait photo."""
    w, h = size
    x0, y0, x1, y1 = box
    if h > w:
        x0, y0, x1, y1 = y0, x0, y1, x1
    return (w * x0 // 100, h * y0 // 100, w * x1 // 100, h * y1 // 100)


def out_size(w, h, side):
    """(w, h) scaled so that the shorter side is side, or kept, never < MIN_SIDE."""
    short = min(w, h)
    target = max(MIN_SIDE, min(side, short))
    return ((w * target + short // 2) // short, (h * target + short // 2) // short)


def variant(im, box, mirror, side):
    """The crop box of im, resized (Lanczos) and mirrored as asked."""
    part = im.crop(box)
    size = out_size(part.width, part.height, side)
    if size != part.size:
        part = part.resize(size, Image.Resampling.LANCZOS)
    return ImageOps.mirror(part) if mirror else part


def write_photo(outdir, photo, rows):
    """Writes the VARIANTS of one photo, appending a manifest row for each."""
    which, pid, package, path, licence, author, want = photo
    im, digest = load(package, path, want)
    for name, box, mirror, side in VARIANTS:
        pixels_box = crop_box(im.size, box)
        out = variant(im, pixels_box, mirror, side)
        file = os.path.join(which, f"{pid}__{name}.png")
        out.save(os.path.join(outdir, file), compress_level=3)  # 6 is 3x slower, 5% smaller
        pixels = hashlib.sha256(out.tobytes()).hexdigest()
        rows.append([which, file, pid, name, package, path, licence, author,
                     *map(str, pixels_box), str(int(mirror)), str(out.width),
                     str(out.height), digest, pixels])


def prepare(outdir):
    """Creates the set folders, removing PNGs a previous run left there."""
    for which in (CAL, EVAL):
        folder = os.path.join(outdir, which)
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            if name.endswith(".png"):
                os.remove(os.path.join(folder, name))


def write_lists(outdir, rows):
    with open(os.path.join(outdir, "manifest.tsv"), "w", encoding="utf-8") as f:
        f.write("\t".join(MANIFEST_COLUMNS) + "\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    for which in (CAL, EVAL):
        with open(os.path.join(outdir, which + ".txt"), "w", encoding="utf-8") as f:
            for row in rows:
                if row[0] == which:
                    f.write(os.path.join(outdir, row[1]) + "\n")


def main(argv):
    if len(argv) != 2 or argv[1].startswith("-"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    outdir = argv[1]
    check_table()
    prepare(outdir)
    rows = []
    try:
        for photo in PHOTOS:
            write_photo(outdir, photo, rows)
    except PhotoError as e:
        print(f"photos.py: {e}", file=sys.stderr)
        return 1
    write_lists(outdir, rows)
    for which in (CAL, EVAL):
        n = sum(p[0] == which for p in PHOTOS)
        print(f"{which}: {n} photos, {n * len(VARIANTS)} PNGs in {os.path.join(outdir, which)}")
    print(f"manifest: {os.path.join(outdir, 'manifest.tsv')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
