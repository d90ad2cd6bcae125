"""ort_latency.py — ONNX Runtime's latency on an ONNX model, one thread.

    .venv-bench/bin/python bench/ort_latency.py MODEL.onnx [--int8] [--runs N]

Times N batch-1 inferences of a 1x3xRxR float input (R from the model) after
two warm-up runs, with ONNX Runtime's CPU provider, graph optimisation
"all", one intra-op and one inter-op thread, and prints the line the
generated harness prints: latency_ms median=… min=… max=… runs=N. --int8
sets session.qdqisint8allowed=1, so that a QDQ model (quantize_static's
output, e.g. tools/int8_accuracy.py's ort-int8-*.onnx) runs ONNX Runtime's
integer kernels; without it x86 runs an int8-activation QDQ conv in float.
"""
import argparse
import statistics
import time

import numpy as np
import onnxruntime as ort


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--int8", action="store_true")
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    so = ort.SessionOptions()
    so.intra_op_num_threads = so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if args.int8:
        so.add_session_config_entry("session.qdqisint8allowed", "1")
    s = ort.InferenceSession(args.model, so, providers=["CPUExecutionProvider"])
    inp = s.get_inputs()[0]
    shape = [d if isinstance(d, int) else 1 for d in inp.shape]
    x = np.random.default_rng(1).normal(0, 1, shape).astype(np.float32)
    for _ in range(2):
        s.run(None, {inp.name: x})
    times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        s.run(None, {inp.name: x})
        times.append((time.perf_counter() - t) * 1e3)
    print("latency_ms median=%.3f min=%.3f max=%.3f runs=%d" %
          (statistics.median(times), min(times), max(times), args.runs))


if __name__ == "__main__":
    main()
