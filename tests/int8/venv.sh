#!/bin/sh
# venv.sh — the Python environment of the int8 tests (tests/int8/), in
# .venv-int8/.
#
# Made with /usr/bin/python3 without Debian's packages (their numpy 1 is not
# the numpy LiteRT's wheel is built for); pip adds only the pinned,
# hash-checked wheels of tests/int8/requirements.txt: ai-edge-litert,
# flatbuffers and numpy. Idempotent: does nothing when .venv-int8 already
# imports them. Nothing is cached outside the repository except pip's own
# download cache.
#
#   tests/int8/venv.sh      prints the venv's python on success
set -eu
cd "$(dirname "$0")/../.."
venv=.venv-int8
check='import numpy, flatbuffers, ai_edge_litert.interpreter, ai_edge_litert.schema_py_generated'

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "$check" 2>/dev/null; then
    echo "$venv/bin/python"
    exit 0
fi
echo "venv: creating $venv (pip: tests/int8/requirements.txt)" >&2
rm -rf "$venv"
/usr/bin/python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    --only-binary :all: --require-hashes -r tests/int8/requirements.txt >&2
"$venv/bin/python" -c "$check"
echo "$venv/bin/python"
