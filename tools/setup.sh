#!/bin/sh
# setup.sh — installs what effcc needs from Debian's packages, if missing.
# (python3-venv, -pil and -skimage serve the EfficientNet-Lite tools and tests:
# tools/venv.sh builds on them; skimage ships the photos. bochs … cpio serve
# tools/bochs/run-x86-64-v4.sh, which runs the AVX-512 tests on an emulated CPU.)
#
# Idempotent: checks each package with dpkg-query and calls apt-get only for
# those absent. Runs apt-get through sudo when not root.
set -eu
packages="gcc clang make cmake pkg-config m4 libyaml-dev libcjson-dev libcunit1-dev
python3-torch python3-torchvision python3-numpy python3-yaml python3-venv
python3-pil python3-skimage libopenblas0-openmp gcc-aarch64-linux-gnu
gcc-arm-linux-gnueabihf gcc-riscv64-linux-gnu libc6-dev-arm64-cross
libc6-dev-armhf-cross libc6-dev-riscv64-cross qemu-user binutils-aarch64-linux-gnu
libclang-rt-14-dev
bochs bochs-sdl bochsbios vgabios syslinux syslinux-common mtools dosfstools cpio"

missing=""
for p in $packages; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0

echo "setup: installing$missing"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
