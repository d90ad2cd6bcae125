#!/bin/sh
# venv.sh — the benchmark's Python environments, beside the repo's sources:
#   .venv-bench/   on Debian's /usr/bin/python3 with its system packages visible
#                  (torch, torchvision, numpy from Debian), plus ONNX Runtime and
#                  onnx (its quantize_static imports it: tools/int8_accuracy.py);
#   .venv-litert/  LiteRT (ai-edge-litert) and onnx, for bench/peer.py litert;
#   .venv-tvm/     Apache TVM (apache-tvm) and onnx, for bench/peer.py tvm.
# The last two see no system packages: they bring numpy 2, which Debian's
# torch 1.13 cannot load, and need no torch (they run the ONNX export).
# They are optional: one that does not install is reported and skipped, and
# bench/bench.py then leaves that peer out. Idempotent: an environment that
# already imports what it is for is left alone.
set -eu
cd "$(dirname "$0")/.."

# ready VENV MODULES: whether VENV's python imports MODULES (comma-separated)
ready() {
    [ -x "$1/bin/python" ] && "$1/bin/python" -c "import $2" 2>/dev/null
}

# peer VENV MODULES PACKAGES...: creates VENV with PACKAGES unless it is ready
peer() {
    venv=$1 modules=$2
    shift 2
    ready "$venv" "$modules" && return 0
    /usr/bin/python3 -m venv "$venv" &&
        "$venv/bin/pip" install -q --disable-pip-version-check "$@" &&
        ready "$venv" "$modules"
}

if ! ready .venv-bench onnxruntime,onnx; then
    /usr/bin/python3 -m venv --system-site-packages .venv-bench
    # numpy stays below 2: Debian's torch 1.13 was built against numpy 1.x
    .venv-bench/bin/pip install -q --disable-pip-version-check onnxruntime onnx "numpy<2"
fi
peer .venv-litert ai_edge_litert.interpreter,onnx ai-edge-litert onnx ||
    echo "venv.sh: ai-edge-litert did not install in .venv-litert (see pip above); no litert peer" >&2
# TVM's Python API changes with every release (0.27 takes targets as dicts only)
peer .venv-tvm tvm.relax.frontend.onnx "apache-tvm==0.27.*" onnx ||
    echo "venv.sh: apache-tvm did not install in .venv-tvm (see pip above); no tvm peer" >&2
