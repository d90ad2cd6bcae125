"""peer.py — time a peer runtime on one EfficientNet, in its own process.

    PY bench/peer.py ort|torch|torch-xnnpack|litert|tvm|onnx \
        --weights W.safetensors --spec SPEC --preset bN --threads T --runs N \
        [--onnx FILE] [--check REF_DIR]

Builds torchvision's model with tools/oracle.py's rules and the given
weights (so every runtime computes the same function), then times N
batch-1 inferences after two warm-up runs and prints the same line the
generated harness prints:  latency_ms median=… min=… max=… runs=N
PY is .venv-bench/bin/python, except for litert and tvm (see below).
ort: ONNX Runtime, CPU provider, graph optimisation "all", intra-op threads T,
     model exported with torch.onnx (opset 13) and cached in --onnx.
torch: eager PyTorch under torch.no_grad, T threads.
torch-xnnpack: BN folded by hand, then torch.utils.mobile_optimizer (XNNPACK).
onnx: only exports --onnx, for litert and tvm, whose venvs have no torch.
litert: LiteRT (ai-edge-litert, in .venv-litert) with its default XNNPACK
     delegate and T threads, on FILE.tflite beside --onnx, written from the
     ONNX export by bench/onnx2tflite.py when missing.
tvm: Apache TVM (apache-tvm, in .venv-tvm): Relax's ONNX frontend, target
     llvm with the host's -mcpu, opt_level 3, untuned (no MetaSchedule: the
     default CPU pipeline), TVM_NUM_THREADS=T; the compiled library is cached
     as FILE.tvm-MCPU.so beside --onnx.
--check REF_DIR runs tools/oracle.py's input.f32 once first and compares
with its logits.f32 the way tools/compare.py does (rtol 1e-3): exits 1 on
a mismatch, so a peer is never timed computing something else; with
--runs 0 that check is all it does (bench.py's first run of each peer).
"""
import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
CHECK_RTOL = 1e-3


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


def export_onnx(model, res, path):
    """Writes the model as ONNX (opset 13); torch.onnx folds batch norm into the convolutions."""
    import torch

    torch.onnx.export(model, torch.zeros((1, 3, res, res)), path, opset_version=13,
                      input_names=["input"], output_names=["logits"])


def torch_runtime(args):
    """ort, torch and torch-xnnpack: (NCHW input shape, bind) where bind(x)
    returns a function running one inference on x and returning the logits."""
    import torch

    torch.set_num_threads(args.threads)
    model, res = build_model(args)
    shape = (1, 3, res, res)
    if args.runtime == "ort":
        import onnxruntime as ort

        if not os.path.exists(args.onnx):
            export_onnx(model, res, args.onnx)
        so = ort.SessionOptions()
        so.intra_op_num_threads = args.threads
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        sess = ort.InferenceSession(args.onnx, so, providers=["CPUExecutionProvider"])
        return shape, lambda x: lambda: sess.run(None, {"input": x})[0]
    if args.runtime == "torch-xnnpack":
        from torch.nn.utils.fusion import fuse_conv_bn_eval
        from torch.utils.mobile_optimizer import optimize_for_mobile

        fold_batchnorm(model, fuse_conv_bn_eval)
        model = optimize_for_mobile(torch.jit.script(model))

    def bind(x):
        t = torch.from_numpy(x)

        def fn():
            with torch.no_grad():
                return model(t).numpy()
        return fn
    return shape, bind


def litert_runtime(args):
    """litert, as torch_runtime; the interpreter takes NHWC, so bind transposes once."""
    import numpy as np
    from ai_edge_litert.interpreter import Interpreter

    import onnx2tflite

    path = os.path.splitext(args.onnx)[0] + ".tflite"
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(onnx2tflite.convert(args.onnx))
    interp = Interpreter(model_path=path, num_threads=args.threads)
    interp.allocate_tensors()
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    n, h, w, c = inp["shape"]

    def bind(x):
        x = np.ascontiguousarray(x.transpose(0, 2, 3, 1))

        def fn():
            interp.set_tensor(inp["index"], x)
            interp.invoke()
            return interp.get_tensor(out["index"])
        return fn
    return (n, c, h, w), bind


def tvm_runtime(args):
    """tvm, as torch_runtime."""
    os.environ["TVM_NUM_THREADS"] = str(args.threads)
    import onnx
    import tvm
    from tvm import relax
    from tvm.relax.frontend.onnx import from_onnx
    from tvm.target import codegen

    graph = onnx.load(args.onnx, load_external_data=False).graph
    shape = tuple(d.dim_value for d in graph.input[0].type.tensor_type.shape.dim)
    mcpu = codegen.llvm_get_system_cpu()
    path = f"{os.path.splitext(args.onnx)[0]}.tvm-{mcpu}.so"
    if not os.path.exists(path):
        mod = from_onnx(onnx.load(args.onnx), keep_params_in_input=False)
        with tvm.transform.PassContext(opt_level=3):
            lib = tvm.compile(mod, target=tvm.target.Target({"kind": "llvm", "mcpu": mcpu}))
        lib.export_library(path)
    run = relax.VirtualMachine(tvm.runtime.load_module(path), tvm.cpu())["main"]

    def bind(x):
        t = tvm.runtime.tensor(x)
        return lambda: run(t).numpy()
    return shape, bind


def check(bind, ref_dir):
    """Runs the oracle's image and compares with its logits like tools/compare.py."""
    import numpy as np

    with open(os.path.join(ref_dir, "meta.json")) as f:
        shape = json.load(f)["input_shape"]
    x = np.fromfile(os.path.join(ref_dir, "input.f32"), "<f4").reshape(shape)
    ref = np.fromfile(os.path.join(ref_dir, "logits.f32"), "<f4").astype(np.float64)
    got = np.asarray(bind(x)(), np.float64).reshape(-1)
    diff = float(np.max(np.abs(got - ref)))
    tol = CHECK_RTOL * max(1.0, float(np.max(np.abs(ref))))
    ok = got.shape == ref.shape and diff <= tol and int(np.argmax(got)) == int(np.argmax(ref))
    print(f"check max_abs_diff={diff:.3e} tol={tol:.3e} max_abs_logit={np.max(np.abs(ref)):.3g} "
          f"argmax ref={np.argmax(ref)} got={np.argmax(got)} -> {'PASS' if ok else 'FAIL'}")
    if not ok:
        sys.exit(1)


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
    ap.add_argument("runtime", choices=["ort", "torch", "torch-xnnpack", "litert", "tvm", "onnx"])
    ap.add_argument("--weights")
    ap.add_argument("--spec")
    ap.add_argument("--preset")
    ap.add_argument("--phi", type=float)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--onnx", default="/tmp/effcc-bench-model.onnx")
    ap.add_argument("--check")
    args = ap.parse_args()

    if args.runtime in ("litert", "tvm"):
        if not os.path.exists(args.onnx):
            sys.exit(f"peer.py: {args.onnx} missing: export it first (peer.py onnx)")
        shape, bind = (litert_runtime if args.runtime == "litert" else tvm_runtime)(args)
    elif not args.weights or not args.spec:
        ap.error(f"{args.runtime} needs --weights and --spec")
    elif args.runtime == "onnx":
        export_onnx(*build_model(args), args.onnx)
        return
    else:
        shape, bind = torch_runtime(args)
    if args.check:
        check(bind, args.check)
    if args.runs > 0:
        import numpy as np

        times = time_runs(bind(np.random.default_rng(0).standard_normal(shape, dtype=np.float32)),
                          args.runs)
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
