#!/bin/sh
# setup.sh — installs what effcc needs from Debian's packages, if missing.
#
# Idempotent: checks each package with dpkg-query and calls apt-get only for
# those absent. Runs apt-get through sudo when not root.
set -eu
packages="gcc clang make cmake pkg-config m4 libyaml-dev libcjson-dev libcunit1-dev
python3-torch python3-torchvision python3-numpy python3-yaml libclang-rt-14-dev"

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
