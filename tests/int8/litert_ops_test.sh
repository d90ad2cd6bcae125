#!/bin/sh
# litert_ops_test.sh — ir/quant.c against LiteRT's reference interpreter.
#
#   litert_ops_test.sh QUANT_CASES SOURCE_DIR WORK_DIR [--mutants]
#
# tests/int8/litert_ops.py writes single-op int8 models, runs them with
# LiteRT's BUILTIN_REF resolver and compares every output with what
# QUANT_CASES (quant_cases.c, ir/quant.c's functions) computes: any
# difference fails. With --mutants it also shows that deliberate errors in
# the arithmetic are caught. Exit 77 (skip) when the venv of
# tests/int8/venv.sh is missing, unless CI=true, where that is a failure.
set -eu
cases=$1 src=$2 work=$3
shift 3
python=$src/.venv-int8/bin/python

. "$(dirname "$0")/../lib.sh"
"$python" -c 'import numpy, flatbuffers, ai_edge_litert.interpreter' 2>/dev/null ||
    missing "LiteRT missing: run tests/int8/venv.sh (.venv-int8 with ai-edge-litert)"

rm -rf "$work"
mkdir -p "$work"
"$python" "$src/tests/int8/litert_ops.py" --cases "$cases" --work "$work" "$@"
rm -rf "$work" # kept only when something failed
