"""peer.py — time a peer runtime on one EfficientNet, in its own process.

    .venv-bench/bin/python bench/peer.py ort|torch|torch-xnnpack \
        --weights W.safetensors --spec SPEC --preset bN --threads T --runs N [--onnx FILE]

Builds torchvision's model with tools/oracle.py's rules and the given
weights (so every runtime computes the same function), then times N
batch-1 inferences after two warm-up runs and prints the same line the
generated harness prints:  latency_ms median=… min=… max=… runs=N
ort: ONNX Runtime, CPU provider, graph optimisation "all", intra-op threads T,
     model exported with torch.onnx (opset 13) and cached in --onnx.
torch: eager PyTorch under torch.no_grad, T threads.
torch-xnnpack: BN folded by hand, then torch.utils.mobile_optimizer (XNNPACK).
"""
import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))


def build_model(args):
    import torch
    import oracle
    import st

    spec = oracle.load_spec(args.spec)
    scale = argparse.Namespace(preset=args.preset, phi=args.phi, width=None, depth=None,
                               resolution=None, classes=None)
    width, depth, resolution, classes, eps = oracle.resolve_scaling(spec, scale)
    model, _, _ = oracle.build(spec, width, depth, classes, eps)
    state = {k: torch.from_numpy(v) for k, v in st.load(args.weights).items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        sys.exit(f"peer.py: weights do not fit: missing {missing[:3]}, unexpected {unexpected[:3]}")
    model.eval()
    return model, resolution


def time_runs(fn, runs):
    fn()
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runtime", choices=["ort", "torch", "torch-xnnpack"])
    ap.add_argument("--weights", required=True)
    ap.add_argument("--spec", required=True)
    ap.add_argument("--preset")
    ap.add_argument("--phi", type=float)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--onnx")
    args = ap.parse_args()

    import numpy as np
    import torch

    torch.set_num_threads(args.threads)
    model, res = build_model(args)
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((1, 3, res, res), dtype=np.float32))

    if args.runtime == "ort":
        import onnxruntime as ort

        path = args.onnx
        if not path or not os.path.exists(path):
            path = path or "/tmp/effcc-bench-model.onnx"
            torch.onnx.export(model, x, path, opset_version=13, input_names=["input"],
                              output_names=["logits"])
        so = ort.SessionOptions()
        so.intra_op_num_threads = args.threads
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
        feed = {"input": x.numpy()}
        fn = lambda: sess.run(None, feed)
    elif args.runtime == "torch":
        def fn():
            with torch.no_grad():
                model(x)
    else:
        from torch.nn.utils.fusion import fuse_conv_bn_eval
        from torch.utils.mobile_optimizer import optimize_for_mobile

        fold_batchnorm(model, fuse_conv_bn_eval)
        scripted = optimize_for_mobile(torch.jit.script(model))

        def fn():
            with torch.no_grad():
                scripted(x)

    times = time_runs(fn, args.runs)
    print(f"latency_ms median={statistics.median(times):.3f} min={min(times):.3f} "
          f"max={max(times):.3f} runs={args.runs}")


def fold_batchnorm(module, fuse):
    """Folds every Conv2d followed by BatchNorm2d in a Sequential (pitfall 4:
    optimize_for_mobile folds batch norm wrongly in this torch)."""
    import torch

    for name, child in module.named_children():
        if isinstance(child, torch.nn.Sequential):
            items = list(child)
            for i in range(len(items) - 1):
                if isinstance(items[i], torch.nn.Conv2d) and isinstance(items[i + 1], torch.nn.BatchNorm2d):
                    child[i] = fuse(items[i], items[i + 1])
                    child[i + 1] = torch.nn.Identity()
        fold_batchnorm(child, fuse)


if __name__ == "__main__":
    main()
