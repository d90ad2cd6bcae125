#!/usr/bin/env bash
# run-x86-64-v4.sh - run a static x86-64 Linux program on an emulated CPU with
# AVX-512 (x86-64-v4), using Bochs, so AVX-512 code can be tested on hosts
# without AVX-512 (qemu-user cannot emulate it).
#
# Usage:
#   tools/bochs/run-x86-64-v4.sh [--timeout SECONDS] [--file PATH]... [--] PROGRAM [ARGS...]
#
#   PROGRAM   statically linked x86-64 Linux executable (gcc -static ...).
#   --file P  copy P into the guest working directory (same basename); repeatable.
#   --timeout wall-clock limit in seconds for the whole run, boot included
#             (default 900).  On expiry Bochs is killed and the script exits 124.
#
# The program runs in /work inside the guest (stdin is /dev/null).  Its stdout
# and stderr are streamed to the host's stdout and stderr.  Every regular file
# of /work that the program created or modified (top level only) is copied
# back, byte-exact, into the host's current directory (overwriting).  The
# script exits with the program's exit status (128+N if killed by signal N).
# Exit 124: timeout; exit 125: the emulator/guest failed (message on stderr).
#
# How: Bochs 2.7 (Debian package, display "sdl2" with SDL's dummy video driver,
# so no window and no network port) emulates a PC with CPU model
# corei7_skylake_x (AVX-512 F/CD/BW/DQ/VL = x86-64-v4).  A FAT disk image made
# bootable with syslinux holds a Debian cloud kernel and a per-run initramfs
# whose /init (guest-init.c) runs the program and reports back over the serial
# ports: COM1 = control (exit status, output files in base64), COM2 = stdout,
# COM3 = stderr, COM4 = kernel console (shown on failure).
#
# Bochs 2.7 quirks worked around on the kernel command line:
#   clearcpuid=xsaves,xsavec  Bochs reports a wrong compacted XSAVE size
#                             (CPUID 0xD.1 EBX), which makes Linux disable
#                             XSAVE and with it AVX/AVX-512 entirely.
#   (the tigerlake / icelake presets also advertise PKRU with an empty CPUID
#    0xD.9 leaf, which hangs Linux 6.1 at boot, hence corei7_skylake_x.)
#   acpi=off (with one CPU) pci=off cryptomgr.notests initcall_blacklist=...  boot speed.
#
# Environment:
#   EFFCC_APT=1              if packages are missing and we are root: apt-get install them.
#   EFFCC_BOCHS_CACHE=DIR    cache for kernel + guest init (default <repo>/build-bochs).
#   EFFCC_BOCHS_MEGS=N       guest RAM in MB (default 1024).
#   EFFCC_BOCHS_CPUS=N       guest CPUs (default 1; Bochs emulates them all on
#                            one host thread, so N CPUs run about N times slower).
#   EFFCC_BOCHS_KERNEL_PKG=P kernel package to fetch (default: what
#                            linux-image-cloud-amd64 depends on).
#   EFFCC_BOCHS_VERBOSE=1    show the kernel console and the Bochs log tail.
#   EFFCC_BOCHS_KEEP=1       keep the per-run temporary directory (printed).

set -euo pipefail

# Debian packages this script needs (apt-get install ...).  The kernel itself
# is fetched with `apt-get download` into the cache, not installed.
EFFCC_BOCHS_PACKAGES="bochs bochs-sdl bochsbios vgabios syslinux syslinux-common mtools dosfstools cpio gcc libc6-dev"

me=run-x86-64-v4
die() { echo "$me: error: $*" >&2; exit 125; }
note() { echo "$me: $*" >&2; }

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/../.." && pwd)
cache=${EFFCC_BOCHS_CACHE:-$repo_root/build-bochs}
megs=${EFFCC_BOCHS_MEGS:-1024}
cpus=${EFFCC_BOCHS_CPUS:-1}
# acpi=off saves boot time, but without ACPI Linux finds only the first CPU
firmware_flags="acpi=off pci=off"
((cpus == 1)) || firmware_flags="pci=off"

# ---------------------------------------------------------------- arguments
timeout=900
files=()
while (($#)); do
    case $1 in
    --timeout) (($# >= 2)) || die "--timeout needs a value"; timeout=$2; shift 2 ;;
    --timeout=*) timeout=${1#*=}; shift ;;
    --file) (($# >= 2)) || die "--file needs a value"; files+=("$2"); shift 2 ;;
    --file=*) files+=("${1#*=}"); shift ;;
    --) shift; break ;;
    -h | --help) sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unexpected option '$1' (usage: $0 [--timeout S] [--file P]... [--] PROGRAM [ARGS...])" ;;
    *) break ;; # PROGRAM: the -- is optional, so the script can stand where qemu-user would
    esac
done
(($# >= 1)) || die "no PROGRAM given (usage: $0 [--timeout S] [--file P]... [--] PROGRAM [ARGS...])"
[[ $timeout =~ ^[0-9]+$ && $timeout -gt 0 ]] || die "bad --timeout '$timeout'"
[[ $megs =~ ^[0-9]+$ && $megs -ge 64 ]] || die "bad EFFCC_BOCHS_MEGS '$megs'"
[[ $cpus =~ ^[0-9]+$ && $cpus -ge 1 && $cpus -le 8 ]] || die "bad EFFCC_BOCHS_CPUS '$cpus' (1 to 8)"
prog=$1; shift
[[ -f $prog && -r $prog ]] || die "PROGRAM '$prog' not found"
prog_base=$(basename -- "$prog")
if command -v readelf >/dev/null && readelf -l "$prog" 2>/dev/null | grep -q 'program interpreter'; then
    die "PROGRAM '$prog' is dynamically linked; the guest has no shared libraries (build it with gcc -static)"
fi
for f in "${files[@]+"${files[@]}"}"; do
    [[ -f $f && -r $f ]] || die "--file '$f' is not a readable file"
    [[ $(basename -- "$f") != "$prog_base" ]] || die "--file '$f' has the same basename as PROGRAM"
done

# ---------------------------------------------------------------- packages
missing=()
for p in $EFFCC_BOCHS_PACKAGES; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    if [[ ${EFFCC_APT:-0} == 1 && $(id -u) == 0 ]]; then
        note "installing missing packages: ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
            die "apt-get install ${missing[*]} failed"
    else
        die "missing Debian packages: ${missing[*]} (apt-get install ${missing[*]}; or run as root with EFFCC_APT=1)"
    fi
fi
bios=/usr/share/bochs/BIOS-bochs-latest
vgabios=/usr/share/vgabios/vgabios.bin
for f in "$bios" "$vgabios"; do [[ -f $f ]] || die "$f missing (packages bochsbios, vgabios)"; done
for c in bochs-bin syslinux mcopy mkfs.fat cpio gcc; do
    command -v "$c" >/dev/null || die "command '$c' not found (packages: $EFFCC_BOCHS_PACKAGES)"
done
export PATH="$PATH:/usr/sbin:/sbin" # mkfs.fat lives in /sbin

# ---------------------------------------------------------------- cache: kernel + guest init
mkdir -p "$cache" || die "cannot create cache directory $cache"
kernel=$cache/vmlinuz
if [[ ! -s $kernel ]]; then
    kpkg=${EFFCC_BOCHS_KERNEL_PKG:-}
    if [[ -z $kpkg ]]; then
        kpkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
            awk '/Depends: linux-image-[0-9]/ {print $2; exit}') || true
        [[ -n $kpkg ]] || die "cannot resolve the kernel package (apt-cache depends linux-image-cloud-amd64 gave nothing; run apt-get update, or set EFFCC_BOCHS_KERNEL_PKG)"
    fi
    note "fetching kernel package $kpkg (once; cached in $cache)"
    kdir=$(mktemp -d "$cache/kernel.XXXXXX")
    (cd "$kdir" && apt-get download "$kpkg" >&2) || { rm -rf "$kdir"; die "apt-get download $kpkg failed"; }
    dpkg-deb --fsys-tarfile "$kdir"/*.deb | (cd "$kdir" && tar -x --wildcards './boot/vmlinuz-*') ||
        { rm -rf "$kdir"; die "cannot extract vmlinuz from $kpkg"; }
    mv "$kdir"/boot/vmlinuz-* "$kernel.tmp.$$" && mv "$kernel.tmp.$$" "$kernel"
    echo "$kpkg" >"$cache/vmlinuz.package"
    rm -rf "$kdir"
fi
init_src=$script_dir/guest-init.c
init_bin=$cache/guest-init
if [[ ! -x $init_bin || $init_src -nt $init_bin ]]; then
    gcc -static -O2 -march=x86-64 -o "$init_bin.tmp.$$" "$init_src" ||
        die "cannot build $init_src (needs gcc and libc6-dev static libc)"
    mv "$init_bin.tmp.$$" "$init_bin"
fi

# ---------------------------------------------------------------- per-run files
tmp=$(mktemp -d "${TMPDIR:-/tmp}/effcc-bochs.XXXXXX")
bx_pid=
cleanup() {
    if [[ -n $bx_pid ]] && kill -0 "$bx_pid" 2>/dev/null; then
        kill "$bx_pid" 2>/dev/null || true
        sleep 0.5
        kill -9 "$bx_pid" 2>/dev/null || true
    fi
    if [[ ${EFFCC_BOCHS_KEEP:-0} == 1 ]]; then note "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

root=$tmp/root
mkdir -p "$root"/{dev,proc,work,effcc}
cp "$init_bin" "$root/init"
cp -- "$prog" "$root/work/$prog_base"
chmod 755 "$root/work/$prog_base"
for f in "${files[@]+"${files[@]}"}"; do cp -- "$f" "$root/work/$(basename -- "$f")"; done
{
    printf '%s\0' "./$prog_base"
    for a in "$@"; do printf '%s\0' "$a"; done
} >"$root/effcc/argv"
# Uncompressed: decompressing inside the emulator would cost more than loading.
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$tmp/initrd" ||
    die "cpio failed"

cat >"$tmp/syslinux.cfg" <<EOF
SERIAL 0x2e8 115200
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL vmlinuz
  INITRD initrd
  APPEND console=ttyS3,115200 quiet loglevel=3 clearcpuid=xsaves,xsavec mitigations=off nokaslr tsc=reliable no_timer_check $firmware_flags cryptomgr.notests initcall_blacklist=trace_eval_init,dev_map_init reboot=t panic=-1 rdinit=/init
EOF

# Disk: partitionless FAT ("superfloppy") with syslinux, geometry 16 heads x 63 sectors.
cyl_bytes=$((16 * 63 * 512))
need=$(($(stat -c %s "$kernel") + $(stat -c %s "$tmp/initrd") + 4 * 1024 * 1024))
cyls=$(((need + need / 20 + cyl_bytes - 1) / cyl_bytes))
((cyls >= 40)) || cyls=40
img=$tmp/disk.img
truncate -s $((cyls * cyl_bytes)) "$img"
mkfs.fat -n EFFCC -h 0 "$img" >/dev/null || die "mkfs.fat failed"
syslinux --install "$img" || die "syslinux --install failed"
MTOOLS_SKIP_CHECK=1 mcopy -i "$img" "$kernel" ::vmlinuz || die "mcopy failed"
MTOOLS_SKIP_CHECK=1 mcopy -i "$img" "$tmp/initrd" ::initrd || die "mcopy failed (disk too small?)"
MTOOLS_SKIP_CHECK=1 mcopy -i "$img" "$tmp/syslinux.cfg" ::syslinux.cfg || die "mcopy failed"
rm -rf "$root" "$tmp/initrd"

cat >"$tmp/bochsrc" <<EOF
display_library: sdl2
megs: $megs
romimage: file=$bios
vgaromimage: file=$vgabios
cpu: model=corei7_skylake_x, count=$cpus, ips=100000000, reset_on_triple_fault=0
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=disk, path=disk.img, mode=flat, cylinders=$cyls, heads=16, spt=63, translation=lba
ata1: enabled=0
ata2: enabled=0
ata3: enabled=0
boot: disk
floppy_bootsig_check: disabled=1
com1: enabled=1, mode=file, dev=ctl.out
com2: enabled=1, mode=file, dev=stdout.out
com3: enabled=1, mode=file, dev=stderr.out
com4: enabled=1, mode=file, dev=console.out
clock: sync=none, time0=utc
speaker: enabled=0
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
mouse: enabled=0
log: bochs.log
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
EOF
# Debian's bochs is built with the internal debugger, which stops at the first
# instruction: tell it to continue.  Its prompt reads /dev/null, so it can never wait.
printf 'continue\nquit\n' >"$tmp/bochs.rc"

# ---------------------------------------------------------------- run
: >"$tmp/stdout.out"
: >"$tmp/stderr.out"
start=$SECONDS
(cd "$tmp" && SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy exec bochs-bin -q -f bochsrc -rc bochs.rc) \
    </dev/null >"$tmp/bochs.out" 2>&1 &
bx_pid=$!

# shellcheck disable=SC2034 # pump reads and writes these through their names
off_out=0
# shellcheck disable=SC2034
off_err=0
pump() { # FILE OFFSET_VAR FD: copy bytes appended to FILE since last time
    local f=$1 var=$2 fd=$3 size
    size=$(stat -c %s "$f" 2>/dev/null) || return 0
    if ((size > ${!var})); then
        tail -c +$((${!var} + 1)) "$f" | head -c $((size - ${!var})) >&"$fd" || true
        printf -v "$var" %d "$size"
    fi
}
timed_out=0
while kill -0 "$bx_pid" 2>/dev/null; do
    pump "$tmp/stdout.out" off_out 1
    pump "$tmp/stderr.out" off_err 2
    if ((SECONDS - start >= timeout)); then
        timed_out=1
        kill "$bx_pid" 2>/dev/null || true
        sleep 1
        kill -9 "$bx_pid" 2>/dev/null || true
        break
    fi
    sleep 0.3
done
wait "$bx_pid" 2>/dev/null || true
bx_pid=
pump "$tmp/stdout.out" off_out 1
pump "$tmp/stderr.out" off_err 2
elapsed=$((SECONDS - start))

show_diag() {
    echo "---- guest kernel console (last 40 lines) ----" >&2
    tr -d '\r' <"$tmp/console.out" 2>/dev/null | tail -n 40 >&2 || true
    echo "---- guest control channel (last 10 lines) ----" >&2
    tr -d '\r' <"$tmp/ctl.out" 2>/dev/null | grep -v '^[A-Za-z0-9+/=]*$' | tail -n 10 >&2 || true
    echo "---- bochs log (last 20 lines) ----" >&2
    tail -n 20 "$tmp/bochs.log" >&2 2>/dev/null || true
    grep -v 'lt_dlhandle\|loaded plugin\|LTDL_LIBRARY_PATH\|BXSHARE' "$tmp/bochs.out" | tail -n 10 >&2 || true
    echo "----" >&2
}
[[ ${EFFCC_BOCHS_VERBOSE:-0} == 1 ]] && show_diag

if ((timed_out)); then
    show_diag
    note "TIMEOUT: killed the emulator after ${timeout}s (program did not finish; raise --timeout?)"
    exit 124
fi

ctlfile=$tmp/ctl.txt
tr -d '\r' <"$tmp/ctl.out" >"$ctlfile" 2>/dev/null || : >"$ctlfile"
grep '^EFFCC-NOTE ' "$ctlfile" | sed "s/^EFFCC-NOTE /$me: guest: /" >&2 || true
status=$(sed -n 's/^EFFCC-EXIT-STATUS=\([0-9][0-9]*\)$/\1/p' "$ctlfile" | head -n 1)
if [[ -z $status ]]; then
    show_diag
    die "the guest did not report an exit status (emulator or kernel failure after ${elapsed}s)"
fi
grep -qx 'EFFCC-DONE' "$ctlfile" || { show_diag; die "output file transfer from the guest was incomplete"; }

# Output files: split the base64 blocks, decode, check sizes, move into $PWD.
mkdir "$tmp/files"
awk -v dir="$tmp/files" '
    /^EFFCC-FILE-BEGIN / { n++; cur = dir "/" n ".b64"; printf "" > cur
                           print n, $2, $3 > (dir "/manifest"); next }
    /^EFFCC-FILE-END$/   { if (cur != "") close(cur); cur = ""; next }
    cur != "" && /^[A-Za-z0-9+\/=]+$/ { print >> cur }
' "$ctlfile"
if [[ -f $tmp/files/manifest ]]; then
    while read -r n size hexname; do
        name=$(printf '%b' "$(sed 's/../\\x&/g' <<<"$hexname")")
        if [[ -z $name || $name == . || $name == .. || $name == */* ]]; then
            note "skipping output file with unsafe name '$name'"
            continue
        fi
        base64 -d <"$tmp/files/$n.b64" >"$tmp/files/$n.bin" || die "corrupt base64 for output file '$name'"
        got=$(stat -c %s "$tmp/files/$n.bin")
        ((got == size)) || die "output file '$name': got $got bytes, expected $size"
        cp -- "$tmp/files/$n.bin" "./$name" || die "cannot write ./$name"
        note "output file: $name ($size bytes)"
    done <"$tmp/files/manifest"
fi
[[ ${EFFCC_BOCHS_VERBOSE:-0} == 1 ]] && note "guest exit status $status after ${elapsed}s"
exit "$status"
