#!/bin/sh
# run.sh — the benchmark in one command (see bench/bench.py for the options):
# sets up what it needs (Debian packages, the Python venv with ONNX Runtime,
# a release build of effcc), then runs bench/bench.py.
set -eu
cd "$(dirname "$0")/.."
tools/setup.sh
bench/venv.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" --target effcc >/dev/null
exec .venv-bench/bin/python bench/bench.py "$@"
