#!/bin/sh
# demo.sh — the main job on a fresh machine: install, build effcc, compile
# EfficientNet-B0 to C, build the generated folder, run it, and print the
# top-5 classes and the latency.
#
#   tools/demo.sh [--preset bN] [other effcc compile options]
# Output folder: out/efficientnet-b0 (or as many options as given change).
set -eu
cd "$(dirname "$0")/.."
tools/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)"

[ $# -eq 0 ] && set -- --preset b0
out=out/efficientnet
mkdir -p out
build/effcc compile examples/efficientnet.yaml "$@" -o "$out"
make -s -C "$out"
"$out/efficientnet" --bench 10
