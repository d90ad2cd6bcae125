"""Reference (oracle) run of an EfficientNet spec with torchvision.

Builds the network described by an effcc spec YAML with torchvision's own
EfficientNet classes -- an implementation nobody on the project wrote -- runs
one deterministic image through it, and writes the weights, input and logits
so effcc's generated C can be checked against them (see tools/compare.py).

Usage (use /usr/bin/python3: it has torch 1.13 / torchvision 0.14 / PyYAML):

    /usr/bin/python3 tools/oracle.py --spec examples/efficientnet.yaml \\
        (--preset bN | --phi X) [--width W] [--depth D] [--resolution R] \\
        [--classes K] [--seed N] [--weights FILE.safetensors] \\
        --out DIR [--threads 1] [--params-only]

  --preset bN    width/depth/resolution (and batchnorm_eps) from spec presets
  --phi X        compound scaling: width = beta**X, depth = alpha**X,
                 resolution = round(base_resolution * gamma**X)
                 (neither: width = depth = 1, the base resolution)
  --width/--depth/--resolution/--classes  override after the above
  --seed N       seed for the random weights (default 1); the input image
                 always uses seed N + 1000
  --weights F    load weights from a safetensors file instead of random ones
                 (keys and shapes must match torchvision's state_dict exactly)
  --params-only  print one JSON line (parameter count, per-stage
                 [out_channels, repeats]) and exit without running

Writes into DIR:
  weights.safetensors  the state_dict as float32 (num_batches_tracked skipped),
                       torchvision key names, e.g. features.0.0.weight
  input.f32            raw little-endian float32 NCHW image (1, C, R, R)
  logits.f32           raw little-endian float32, K values
  meta.json            resolution, classes, parameters, width, depth, bn_eps,
                       stages ([expand, kernel, stride, in, out, repeats] after
                       torchvision's rounding), stem_channels, head_channels,
                       max_abs_logit (plus a few informational extras)

Exit status: 0 on success, 1 on any error (unsupported spec, weight mismatch,
logits out of the sanity range for random weights), 2 on bad usage.
"""

import argparse
import functools
import json
import math
import os
import sys
import time

import numpy as np
import torch
import yaml
from torchvision.models import efficientnet as tv_effnet
from torchvision.models._utils import _make_divisible
from torchvision.models.efficientnet import EfficientNet, MBConvConfig

sys.dont_write_bytecode = True  # leave no tools/__pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seeded  # noqa: E402  (tools/seeded.py)
import st  # noqa: E402  (tools/st.py, next to this file)

# torchvision's hard-coded B0 table, (expand, kernel, stride, channels, repeats),
# stem and head channels, and its per-variant (width, depth) multipliers.
STOCK_STAGES = [
    (1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
    (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1),
]
STOCK_STEM, STOCK_HEAD = 32, 1280
STOCK_MULT = {
    "b0": (1.0, 1.0), "b1": (1.0, 1.1), "b2": (1.1, 1.2), "b3": (1.2, 1.4),
    "b4": (1.4, 1.8), "b5": (1.6, 2.2), "b6": (1.8, 2.6), "b7": (2.0, 3.1),
}

# Bounds for max|logit| with random weights: below, activations have vanished
# and any comparison passes trivially; above, they have blown up.
LOGIT_MIN, LOGIT_MAX = 0.1, 1e4


def fail(msg):
    print(f"oracle: error: {msg}", file=sys.stderr)
    sys.exit(1)


def load_spec(path):
    """Read the spec YAML and reject what torchvision's EfficientNet cannot build."""
    try:
        with open(path) as f:
            spec = yaml.safe_load(f)
        inp, stem = spec["input"], spec["stem"]
        int(spec["head"]["channels"]), int(inp["resolution"]), int(spec["classes"])
        stages = spec["stages"]
        scaling = spec["scaling"]
        checks = [
            # (what, value, what torchvision hard-codes)
            ("input.channels", inp["channels"], 3),
            ("stem.kernel", stem["kernel"], 3),
            ("stem.stride", stem["stride"], 2),
            ("se_ratio", float(spec["se_ratio"]), 0.25),       # squeeze = in // 4
            ("scaling.divisor", scaling["divisor"], 8),         # adjust_channels uses 8
        ]
        act = str(spec["activation"]).lower()
        eps = float(spec["batchnorm"]["eps"])
        for s in stages:
            for key in ("expand", "kernel", "stride", "channels", "repeats"):
                s[key]
    except OSError as e:
        fail(f"cannot read spec: {e}")
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as e:
        fail(f"{path}: malformed spec ({type(e).__name__}: {e})")
    for what, value, want in checks:
        if value != want:
            fail(f"oracle does not support {what} = {value} (torchvision hard-codes {want})")
    if act not in ("swish", "silu"):
        fail(f"oracle does not support activation = {spec['activation']} (torchvision uses swish/SiLU)")
    if not stages:
        fail(f"{path}: no stages")
    for i, s in enumerate(stages):
        if s["stride"] not in (1, 2):
            fail(f"oracle does not support stage {i} stride = {s['stride']} (MBConv allows 1 or 2)")
    spec["_eps"] = eps
    return spec


def resolve_scaling(spec, args):
    """Return (width, depth, resolution, classes, bn_eps) for the command line."""
    base_res = int(spec["input"]["resolution"])
    eps = spec["_eps"]
    if args.preset is not None:
        presets = spec.get("presets") or {}
        if args.preset not in presets:
            fail(f"preset {args.preset!r} not in spec (have: {', '.join(presets) or 'none'})")
        p = presets[args.preset]
        width, depth = float(p["width"]), float(p["depth"])
        res = int(p.get("resolution", base_res))
        eps = float(p.get("batchnorm_eps", eps))
    elif args.phi is not None:
        sc = spec["scaling"]
        width = float(sc["beta"]) ** args.phi
        depth = float(sc["alpha"]) ** args.phi
        res = int(round(base_res * float(sc["gamma"]) ** args.phi))
    else:
        width, depth, res = 1.0, 1.0, base_res
    if args.width is not None:
        width = args.width
    if args.depth is not None:
        depth = args.depth
    if args.resolution is not None:
        res = args.resolution
    classes = args.classes if args.classes is not None else int(spec["classes"])
    if width <= 0 or depth <= 0 or res <= 0 or classes <= 0:
        fail(f"bad scaling: width={width} depth={depth} resolution={res} classes={classes}")
    return width, depth, res, classes, eps


def build(spec, width, depth, classes, eps):
    """Build torchvision's EfficientNet for the spec's table at (width, depth)."""
    settings = []
    in_ch = spec["stem"]["channels"]
    for s in spec["stages"]:
        # Base (unscaled) channel counts: MBConvConfig applies torchvision's
        # width rounding (_make_divisible(c * width, 8)) and ceil(depth * n).
        settings.append(MBConvConfig(s["expand"], s["kernel"], s["stride"], in_ch,
                                     s["channels"], s["repeats"],
                                     width_mult=width, depth_mult=depth))
        in_ch = s["channels"]
    head = _make_divisible(spec["head"]["channels"] * width, spec["scaling"]["divisor"])
    model = EfficientNet(settings, dropout=0.2, num_classes=classes,
                         norm_layer=functools.partial(torch.nn.BatchNorm2d, eps=eps),
                         last_channel=head)
    return model, settings, head


def check_against_stock(spec, args, model, width, depth, classes):
    """For --preset bN on the stock table, compare with torchvision.models.efficientnet_bN."""
    if args.preset not in STOCK_MULT:
        return
    table = [(s["expand"], s["kernel"], s["stride"], s["channels"], s["repeats"])
             for s in spec["stages"]]
    if (table != STOCK_STAGES or spec["stem"]["channels"] != STOCK_STEM
            or spec["head"]["channels"] != STOCK_HEAD):
        print(f"oracle: spec table differs from torchvision's B0 table; "
              f"no efficientnet_{args.preset} cross-check")
        return
    if (width, depth) != STOCK_MULT[args.preset]:
        print(f"oracle: width/depth {width}/{depth} differ from torchvision's "
              f"efficientnet_{args.preset} {STOCK_MULT[args.preset]}; no cross-check")
        return
    stock = getattr(tv_effnet, f"efficientnet_{args.preset}")(num_classes=classes)
    ours = [(k, tuple(v.shape)) for k, v in model.state_dict().items()]
    theirs = [(k, tuple(v.shape)) for k, v in stock.state_dict().items()]
    if ours != theirs:
        diff = [f"  ours {a} vs stock {b}" for a, b in zip(ours, theirs) if a != b][:10]
        fail(f"generic build differs from torchvision.models.efficientnet_{args.preset} "
             f"({len(ours)} vs {len(theirs)} entries)\n" + "\n".join(diff))
    print(f"oracle: state_dict matches torchvision.models.efficientnet_{args.preset} "
          f"({len(ours)} keys, identical names and shapes)")


@torch.no_grad()
def init_random(model, seed):
    """Fill every parameter and BN buffer with non-trivial values.

    torchvision's default init (BN weight 1, bias 0, running stats 0/1, fan-out
    Kaiming convs) gives vanishing activations (~1e-14 logits) at eval time,
    so every comparison would pass trivially.  Here convs use fan-in He
    scaling and the BN affine/statistics are random so each channel gets its
    own scale and shift; residual branches are then damped (see below).
    """
    torch.manual_seed(seed)
    seeded.init_layers(model)

    # Residual damping.  Eval-mode BN does not renormalise (its running stats
    # are random, not measured), so every skip connection adds a branch of
    # about the input's own size: variance roughly doubles per residual block
    # and B7 (55 blocks) overflows to ~1e6 logits.  Scaling the branch output
    # (the projection BN's affine) by 1/sqrt(R), R = residual blocks in the
    # stage, bounds the growth per stage by about e**0.5 at any depth (the
    # Fixup / "small last-BN gamma" idea).  In-place, so no extra RNG draws.
    for stage in model.features:
        blocks = [b for b in stage.modules() if isinstance(b, tv_effnet.MBConv)]
        residual = [b for b in blocks if b.use_res_connect]
        for b in residual:
            bn = b.block[-1][1]              # Conv2dNormActivation(conv, bn) of project
            bn.weight.mul_(1.0 / math.sqrt(len(residual)))
            bn.bias.mul_(1.0 / math.sqrt(len(residual)))


def load_weights(model, path):
    """Load a safetensors file; fail on missing/unexpected keys or shape mismatch."""
    try:
        tensors = st.load(path)
    except (OSError, ValueError) as e:
        fail(f"cannot load weights: {e}")
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()
                if not k.endswith("num_batches_tracked")}
    missing = [k for k in expected if k not in tensors]
    unexpected = [k for k in tensors if k not in expected
                  and not k.endswith("num_batches_tracked")]
    shapes = [f"{k}: file {tuple(tensors[k].shape)} vs model {expected[k]}"
              for k in expected if k in tensors and tuple(tensors[k].shape) != expected[k]]
    problems = ([f"missing: {k}" for k in missing] + [f"unexpected: {k}" for k in unexpected]
                + [f"shape {s}" for s in shapes])
    if problems:
        fail(f"{path} does not fit the model ({len(missing)} missing, {len(unexpected)} "
             f"unexpected, {len(shapes)} shape mismatches):\n  " + "\n  ".join(problems))
    state = {k: torch.from_numpy(np.asarray(v, dtype=np.float32)) for k, v in tensors.items()
             if k in expected}
    result = model.load_state_dict(state, strict=False)
    # Belt and braces: torch's own view of what was not loaded.
    left = [k for k in result.missing_keys + result.unexpected_keys
            if not k.endswith("num_batches_tracked")]
    if left:
        fail(f"{path}: load_state_dict left keys unmatched: {', '.join(left)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spec", required=True)
    scale = ap.add_mutually_exclusive_group()
    scale.add_argument("--preset")
    scale.add_argument("--phi", type=float)
    ap.add_argument("--width", type=float)
    ap.add_argument("--depth", type=float)
    ap.add_argument("--resolution", type=int)
    ap.add_argument("--classes", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--weights")
    ap.add_argument("--out")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--params-only", action="store_true")
    args = ap.parse_args()
    if not args.params_only and not args.out:
        ap.error("--out is required (unless --params-only)")

    t0 = time.time()
    torch.set_num_threads(args.threads)
    spec = load_spec(args.spec)
    width, depth, res, classes, eps = resolve_scaling(spec, args)
    model, settings, head = build(spec, width, depth, classes, eps)
    check_against_stock(spec, args, model, width, depth, classes)

    params = sum(p.numel() for p in model.parameters())
    stages = [[c.expand_ratio, c.kernel, c.stride, c.input_channels, c.out_channels,
               c.num_layers] for c in settings]
    if args.params_only:
        print(json.dumps({"parameters": params, "width": width, "depth": depth,
                          "resolution": res, "stem_channels": settings[0].input_channels,
                          "head_channels": head,
                          "stages": [[s[4], s[5]] for s in stages]}))
        return

    if args.weights:
        load_weights(model, args.weights)
    else:
        init_random(model, args.seed)
    model.eval()

    chans = int(spec["input"]["channels"])
    gen = torch.Generator().manual_seed(args.seed + 1000)
    image = torch.randn((1, chans, res, res), generator=gen, dtype=torch.float32)
    with torch.no_grad():
        logits = model(image).reshape(-1)

    if not torch.isfinite(logits).all():
        fail("logits contain NaN/Inf")
    max_abs = float(logits.abs().max())
    print(f"oracle: max|logit| = {max_abs:.6g}")
    if not LOGIT_MIN <= max_abs <= LOGIT_MAX:
        msg = f"max|logit| = {max_abs:.6g} outside [{LOGIT_MIN}, {LOGIT_MAX:g}]"
        if not args.weights:
            fail(msg + ": random weights give a degenerate reference")
        print(f"oracle: warning: {msg}", file=sys.stderr)

    os.makedirs(args.out, exist_ok=True)
    state = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()
             if not k.endswith("num_batches_tracked")}
    st.save(os.path.join(args.out, "weights.safetensors"), state,
            {"format": "pt", "generator": "effcc tools/oracle.py"})
    image.numpy().astype("<f4").tofile(os.path.join(args.out, "input.f32"))
    logits.numpy().astype("<f4").tofile(os.path.join(args.out, "logits.f32"))
    meta = {
        "resolution": res, "classes": classes, "parameters": params,
        "width": width, "depth": depth, "bn_eps": eps, "stages": stages,
        "stem_channels": settings[0].input_channels, "head_channels": head,
        "max_abs_logit": max_abs,
        # informational
        "input_shape": [1, chans, res, res], "argmax": int(logits.argmax()),
        "seed": args.seed, "weights": args.weights or "random",
        "preset": args.preset, "phi": args.phi, "spec": args.spec,
    }
    with open(os.path.join(args.out, "meta.json"), "w") as f:
        # One key per line with compact values, so each stage row stays on a line.
        f.write("{\n" + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}"
                                    for k, v in meta.items()) + "\n}\n")
    print(f"oracle: resolution={res} classes={classes} parameters={params} "
          f"width={width:g} depth={depth:g} bn_eps={eps:g} -> {args.out} "
          f"({time.time() - t0:.1f}s)")


if __name__ == "__main__":
    main()
