#!/bin/sh
# harness_test.sh — the generated program's command line (main.c) as a user
# meets it: the files it reads, the output it writes, its exit statuses.
#
#   harness_test.sh EFFCC SOURCE_DIR WORK_DIR
#
# A small model (tests/specs/custom.yaml, preset small) is compiled; its
# kernels are built plainly (quick), the harness (main.c, effcc_image.c with
# stb_image) under AddressSanitizer and UBSan. Checked: output that cannot
# be written (> /dev/full) exits 1 with a message, for a run, --info and
# --help; --image and --input refuse a FIFO at once (no writer: opening it
# would wait forever), a folder, a device and an oversized file (a sparse
# one: refused before reading); --image refuses a photo declaring more than
# EFFCC_IMAGE_MAX_PIXELS pixels, and the JPEG of fuzz/regressions/image (on
# which stb_image 2.27 wrote past its Huffman tables) with a message; usage
# errors exit 2 and name the argument.
set -u
effcc=$1 src=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
. "$src/tests/lib.sh"
require make cc mkfifo timeout truncate

# expect STATUS REGEX -- COMMAND…: the exit status (within 20 s), stderr
# matching REGEX (grep -E), no sanitizer report.
expect() {
    want=$1 pattern=$2
    shift 3
    timeout 20 "$@" >stdout.txt 2>stderr.txt
    got=$?
    if [ "$got" -ne "$want" ]; then
        fail "exit $got (wanted $want): $*"
        sed 's/^/    /' stderr.txt
    elif [ -n "$pattern" ] && ! grep -Eq -- "$pattern" stderr.txt; then
        fail "stderr does not match /$pattern/: $*"
        sed 's/^/    /' stderr.txt
    elif grep -Eq "Sanitizer|runtime error:" stderr.txt; then
        fail "sanitizer report: $*"
        sed 's/^/    /' stderr.txt
    fi
}

"$effcc" compile "$src/tests/specs/custom.yaml" --preset small --name model -o gen 2>/dev/null ||
    { echo "compile failed"; exit 1; }
make -s -C gen model.o model_weights.o CFLAGS=-O1 || exit 1
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=all"
make -s -C gen CFLAGS="-O1 -g -Wall -Wextra -Werror $sanitize" LDFLAGS="$sanitize" || exit 1
model=./gen/model
export ASAN_OPTIONS=detect_leaks=1:exitcode=86 UBSAN_OPTIONS=exitcode=87:print_stacktrace=1

# --- a run, and output that cannot be written ---
expect 0 "" -- "$model"
grep -q "^top1 class " stdout.txt || fail "no top-1 line"
for args in "" "--info" "--help"; do
    # shellcheck disable=SC2086 # args is zero or one word
    timeout 20 "$model" $args >/dev/full 2>stderr.txt
    got=$?
    [ "$got" -eq 1 ] || fail "exit $got (wanted 1) with stdout on /dev/full: model $args"
    grep -q "cannot write the standard output: No space left on device" stderr.txt ||
        fail "no message for a full stdout: model $args"
done
expect 1 "/dev/full: cannot write the logits" -- "$model" --output /dev/full

# --- the files --image and --input read ---
mkfifo fifo
expect 1 "fifo: not a regular file \(a pipe\)" -- "$model" --image fifo
expect 1 "fifo: not a regular file \(a pipe\)" -- "$model" --input fifo
expect 1 "gen: not a regular file \(a folder\)" -- "$model" --image gen
expect 1 "/dev/zero: not a regular file \(a character device\)" -- "$model" --input /dev/zero
expect 1 "nosuch.png: cannot open: No such file" -- "$model" --image nosuch.png
truncate -s 268435457 big.png # 256 MiB + 1, sparse
expect 1 "big.png: too large: 268435457 bytes, at most 268435456 accepted" -- "$model" --image big.png
# the model's input is 3 x 65 x 65 float32: 50700 bytes
truncate -s 50701 long.f32
expect 1 "long.f32: too large: 50701 bytes, at most 50700 accepted" -- "$model" --input long.f32
truncate -s 50696 short.f32
expect 1 "short.f32: expected exactly 12675 float32 values \(50700 bytes\)" -- "$model" --input short.f32
truncate -s 50700 zeros.f32
expect 0 "" -- "$model" --input zeros.f32

# --- photos: a good one, and ones refused with a message ---
tail -c +2 "$src/fuzz/corpus/image/png_rgb8_17x11" >good.png
expect 0 "" -- "$model" --image good.png --save-input seen.f32
[ "$(wc -c <seen.f32)" -eq 50700 ] || fail "--save-input of --image: wrong size"
# IHDR declaring WxH, with a 1-pixel image's data behind it
/usr/bin/python3 - <<'PY'
import struct, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
for w, h in ((8193, 4096), (8192, 4096)):
    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    idat = chunk(b"IDAT", zlib.compress(b"\0\1\2\3"))
    with open(f"declared_{w}x{h}.png", "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + ihdr + idat + chunk(b"IEND", b""))
PY
expect 1 "too large: 8193 x 4096 pixels, at most 33554432 accepted" -- "$model" --image declared_8193x4096.png
# at the limit the decoder runs, and finds the data missing
expect 1 "declared_8192x4096.png: cannot decode as PNG or JPEG" -- "$model" --image declared_8192x4096.png
tail -c +2 "$src/fuzz/corpus/image/jpeg_huge_60000x60000" >huge.jpg
expect 1 "too large: 60000 x 60000 pixels" -- "$model" --image huge.jpg
tail -c +2 "$src/fuzz/regressions/image/jpeg-dht-counts-past-256" >dht.jpg
expect 1 "dht.jpg: cannot decode as PNG or JPEG" -- "$model" --image dht.jpg
expect 1 "README.md: cannot decode as PNG or JPEG" -- "$model" --image "$src/README.md"

# --- usage errors: exit 2, the argument named, the usage line ---
expect 2 "unknown argument: --bogus" -- "$model" --bogus
expect 2 "--bench needs a whole number from 1 to 1000000: 0" -- "$model" --bench 0
expect 2 "this option needs a value: --image" -- "$model" --image
expect 2 "--image and --input exclude each other" -- "$model" --image good.png --input zeros.f32
grep -q "^usage: " stderr.txt || fail "no usage line after a usage error"

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "all harness checks passed"
cd / && rm -rf "$work"
