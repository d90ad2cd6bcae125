#!/bin/sh
# venv.sh — the benchmark's Python environment: .venv-bench/ beside the repo's
# sources, on Debian's /usr/bin/python3 with its system packages visible
# (torch, torchvision, numpy from Debian), plus ONNX Runtime from PyPI.
# Idempotent: does nothing when the environment already imports onnxruntime.
set -eu
cd "$(dirname "$0")/.."
venv=.venv-bench
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import onnxruntime' 2>/dev/null; then
    exit 0
fi
/usr/bin/python3 -m venv --system-site-packages "$venv"
# numpy stays below 2: Debian's torch 1.13 was built against numpy 1.x
"$venv/bin/pip" install -q --disable-pip-version-check onnxruntime "numpy<2"
