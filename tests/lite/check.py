"""Checks effcc's runs on photos against the oracle's (tests/lite/lite_test.sh).

    python check.py REF_DIR GOT_DIR [--prep-only] [--cat STEM] [--jpeg-ref DIR] STEM...

For each STEM, REF_DIR holds the oracle's STEM.input.f32 and STEM.logits.f32
(tools/lite_oracle.py) and GOT_DIR effcc's (the generated program's
--save-input and --output).  Checked, each with its stated tolerance:

  * the preprocessed tensor: max|effcc - oracle| <= 1e-5 for PNG photos (the
    pixels are exact, so the difference is in fact 0); for JPEG photos
    (STEM ending in _jpg) <= 3/128 + 1e-6: stb_image and libjpeg-turbo
    decode a few pixel values differently by up to about 2 levels, which the
    normalisation divides by 128;
  * the logits: max|effcc - oracle| <= 1e-4 * max(1, max|oracle|), and the
    top-5 classes identical and in the same order.  For a JPEG photo the
    oracle's logits come from --jpeg-ref DIR, where the oracle ran effcc's
    own tensor, so the model is compared on the same input; the end-to-end
    top-1 (oracle on its own decode) must still agree;
  * --cat STEM: the top-1 class of that photo is a domestic cat (ImageNet
    281 tabby .. 285 Egyptian cat).

Prints a line per photo; exit 0 when every check passes, 1 otherwise.
"""

import argparse
import os
import sys

import numpy as np

CATS = range(281, 286)


def load(d, stem, what):
    return np.fromfile(os.path.join(d, f"{stem}.{what}.f32"), dtype="<f4").astype(np.float64)


def top5(x):
    return [int(i) for i in np.argsort(-x, kind="stable")[:5]]


def check(args, stem):
    problems = []
    jpeg = stem.endswith("_jpg")
    ref_in, got_in = load(args.ref, stem, "input"), load(args.got, stem, "input")
    in_tol = 3 / 128 + 1e-6 if jpeg else 1e-5
    in_diff = float(np.max(np.abs(ref_in - got_in))) if ref_in.size == got_in.size else np.inf
    if not in_diff <= in_tol:
        problems.append(f"input differs by {in_diff:.3g} > {in_tol:.3g}")
    line = f"{stem}: input max|diff| {in_diff:.3g} ({np.mean(ref_in != got_in):.2%} differ)"
    if args.prep_only:
        return line, problems
    got = load(args.got, stem, "logits")
    ref = load(args.jpeg_ref if jpeg else args.ref, stem, "logits")
    tol = 1e-4 * max(1.0, float(np.max(np.abs(ref))))
    diff = float(np.max(np.abs(ref - got))) if ref.size == got.size else np.inf
    if not diff <= tol:
        problems.append(f"logits differ by {diff:.3g} > {tol:.3g}")
    if top5(ref) != top5(got):
        problems.append(f"top-5 {top5(got)} != oracle's {top5(ref)}")
    line += f"; logits max|diff| {diff:.3g} (tol {tol:.3g}); top-5 {top5(got)}"
    if jpeg:
        end_to_end = load(args.ref, stem, "logits")
        if top5(end_to_end)[0] != top5(got)[0]:
            problems.append(f"top-1 {top5(got)[0]} != oracle's {top5(end_to_end)[0]} "
                            "on its own decode")
        line += f"; oracle on its own decode: top-5 {top5(end_to_end)}"
    if stem == args.cat and top5(got)[0] not in CATS:
        problems.append(f"top-1 {top5(got)[0]} is not a cat (281..285)")
    return line, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ref")
    ap.add_argument("got")
    ap.add_argument("--prep-only", action="store_true")
    ap.add_argument("--cat")
    ap.add_argument("--jpeg-ref")
    ap.add_argument("stems", nargs="+")
    args = ap.parse_args()
    failed = 0
    for stem in args.stems:
        line, problems = check(args, stem)
        print(("FAIL " if problems else "ok   ") + line)
        for p in problems:
            print(f"     {p}")
        failed += bool(problems)
    print(f"check: {len(args.stems) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
