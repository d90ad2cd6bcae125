#!/bin/sh
# fresh-machine.sh — the README's two commands on a clean Debian 12 root
# file system, as a new user meets them: whatever this machine has
# installed by hand cannot hide a missing install step.
#
#   sudo tools/fresh-machine.sh [--keep] [--quick] [ROOT]
#
# 1. mmdebstrap (installed from Debian's packages if missing) makes a
#    bookworm root with nothing but apt, git, ca-certificates and sudo, from
#    the same Debian mirror as this machine (default ROOT:
#    /var/tmp/effcc-fresh, removed first).
# 2. The committed HEAD of this checkout is cloned into ROOT/root/effcc
#    (uncommitted changes are not part of what a user gets).
# 3. In a chroot with /proc, /dev and /sys mounted: tools/demo.sh, then
#    CI=true tools/test.sh (--quick: tools/test.sh --quick), each timed; the
#    logs go to ROOT/../effcc-fresh-demo.log and …-test.log.
# 4. Unmounts everything and removes ROOT (unless --keep).
#
# The root gets this machine's network settings, not project dependencies:
# extra CA certificates (/usr/local/share/ca-certificates) and pip's
# configuration (/etc/pip.conf), where a proxy between this machine and the
# package registries needs them. Needs root (chroot, mount); about 30 to 45
# minutes on 2 cores, most of it the test suite.
set -eu
cd "$(dirname "$0")/.."
keep=false quick=false root=/var/tmp/effcc-fresh
for arg in "$@"; do
    case $arg in
    --keep) keep=true ;;
    --quick) quick=true ;;
    -*) echo "usage: tools/fresh-machine.sh [--keep] [--quick] [ROOT]" >&2; exit 2 ;;
    *) root=$arg ;;
    esac
done
[ "$(id -u)" -eq 0 ] || { echo "fresh-machine.sh: needs root (chroot, mount)" >&2; exit 2; }
case $root in
/*) ;;
*) echo "fresh-machine.sh: ROOT must be an absolute path" >&2; exit 2 ;;
esac
logs=$(dirname "$root")/$(basename "$root")

unmount() {
    for m in sys dev proc; do
        mountpoint -q "$root/$m" 2>/dev/null && umount -R "$root/$m"
    done
    return 0
}
remove_root() {
    unmount
    # never delete through a mount: --one-file-system, and only once unmounted
    if [ -d "$root" ] && ! grep -q " $root/" /proc/mounts; then
        rm -rf --one-file-system "$root"
    fi
}
trap 'unmount; $keep || remove_root' EXIT
trap 'exit 130' INT TERM HUP # through the EXIT trap: never leave /dev mounted

command -v mmdebstrap >/dev/null || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap
}
remove_root
sources=/etc/apt/sources.list.d/debian.sources
[ -f "$sources" ] || sources=/etc/apt/sources.list
start=$(date +%s)
mmdebstrap --quiet --variant=apt --include=git,ca-certificates,sudo bookworm "$root" "$sources"
echo "fresh-machine: root file system in $(($(date +%s) - start)) s: $root"

# This machine's network settings (see the top), when it has them.
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
    mkdir -p "$root/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    chroot "$root" update-ca-certificates >/dev/null
fi
[ -f /etc/pip.conf ] && cp /etc/pip.conf "$root/etc/pip.conf"

git clone --quiet --no-hardlinks . "$root/root/effcc"
echo "fresh-machine: cloned $(git rev-parse --short HEAD) into $root/root/effcc"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --rbind /sys "$root/sys"

# run NAME COMMAND: COMMAND in the chroot's checkout, timed, logged.
run() {
    name=$1 command=$2
    log=$logs-$name.log
    echo "fresh-machine: $command (log: $log)"
    t0=$(date +%s)
    if chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
        LANG=C.UTF-8 CI=true sh -c "cd /root/effcc && $command" >"$log" 2>&1; then
        echo "fresh-machine: $command passed in $(($(date +%s) - t0)) s"
        return 0
    fi
    echo "fresh-machine: $command FAILED after $(($(date +%s) - t0)) s; its last lines:"
    tail -n 40 "$log"
    return 1
}
status=0
run demo tools/demo.sh || status=1
if $quick; then
    run test "tools/test.sh --quick" || status=1
else
    run test tools/test.sh || status=1
fi
exit $status
