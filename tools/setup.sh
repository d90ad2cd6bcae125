#!/bin/sh
# setup.sh — installs what effcc needs from Debian's packages, if missing.
# (python3-venv, -pil and -skimage serve the EfficientNet-Lite tools and tests:
# tools/venv.sh builds on them; skimage ships the photos. bochs … cpio serve
# tools/bochs/run-x86-64-v4.sh, which runs the AVX-512 tests on an emulated CPU;
# file checks the architecture of cross-built programs.)
#
# Idempotent: checks each package with dpkg-query and calls apt-get only for
# those absent. Runs apt-get through sudo when not root. Then proves the
# toolchains work: every compiler (gcc and clang, native and per cross
# target) compiles and links a program using <math.h>, which runs (cross
# targets under qemu-user); a failure names the package that is missing.
set -eu
packages="gcc clang make cmake pkg-config m4 libyaml-dev libcjson-dev libcunit1-dev
python3-torch python3-torchvision python3-numpy python3-yaml python3-venv
python3-pil python3-skimage libopenblas0-openmp gcc-aarch64-linux-gnu
gcc-arm-linux-gnueabihf gcc-riscv64-linux-gnu libc6-dev-arm64-cross
libc6-dev-armhf-cross libc6-dev-riscv64-cross qemu-user binutils-aarch64-linux-gnu
libclang-rt-14-dev
bochs bochs-sdl bochsbios vgabios syslinux syslinux-common mtools dosfstools cpio file
gnuplot-nox"

missing=""
for p in $packages; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
    esac
done
if [ -n "$missing" ]; then
    echo "setup: installing$missing"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    # shellcheck disable=SC2086 # one word per package
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi

# check_toolchain NAME PACKAGES CC… -- RUNNER…: CC builds probe.c, RUNNER runs it.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/probe.c" <<'PROBE'
#include <math.h>
#include <stdio.h>
int main(int argc, char **argv)
{
    (void)argv;
    printf("%.3f\n", sqrt(2.0 * argc));
    return 0;
}
PROBE
failed=""
check_toolchain() {
    name=$1 packages=$2
    shift 2
    cc=""
    while [ "$1" != -- ]; do cc="$cc $1"; shift; done
    shift
    # shellcheck disable=SC2086 # cc holds the compiler and its flags
    if ! $cc -O1 -o "$tmp/probe" "$tmp/probe.c" -lm >"$tmp/log" 2>&1; then
        echo "setup: $name cannot build a program using <math.h> (needs: $packages):" >&2
        sed 's/^/    /' "$tmp/log" >&2
        failed="$failed $name"
    elif [ "$("$@" "$tmp/probe" 2>&1)" != 1.414 ]; then
        echo "setup: a $name program does not run${1:+ under $1} (needs: $packages)" >&2
        failed="$failed $name"
    fi
    rm -f "$tmp/probe"
}
check_toolchain gcc "gcc libc6-dev" gcc -- env
check_toolchain clang "clang libc6-dev" clang -- env
for t in aarch64-linux-gnu:arm64:aarch64 arm-linux-gnueabihf:armhf:arm riscv64-linux-gnu:riscv64:riscv64; do
    triple=${t%%:*} rest=${t#*:}
    arch=${rest%%:*} qemu=qemu-${rest#*:}
    libc=libc6-dev-$arch-cross
    check_toolchain "$triple-gcc" "gcc-$triple $libc qemu-user" \
        "$triple-gcc" -- "$qemu" -L "/usr/$triple"
    check_toolchain "clang --target=$triple" "clang gcc-$triple $libc qemu-user" \
        clang --target="$triple" -- "$qemu" -L "/usr/$triple"
done
if [ -n "$failed" ]; then
    echo "setup: broken toolchains:$failed" >&2
    exit 1
fi
