#!/bin/sh
# golden.sh — rewrites the golden IR dumps (tests/golden/*.ir) with build/'s
# effcc, after a deliberate change to a pass; git diff shows what changed.
set -eu
cd "$(dirname "$0")/.."
cmake -S . -B build >/dev/null
cmake --build build -j "$(nproc)" --target effcc >/dev/null
tests/golden/golden_test.sh "$PWD/build/effcc" "$PWD" "$PWD/build/golden-work" --update
