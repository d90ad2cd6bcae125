#!/bin/sh
# kill_test.sh — a compile killed with SIGKILL while it writes its files
# leaves no OUTDIR, or the existing OUTDIR exactly as it was. The staging
# folder it could not remove is cleared by the next compile to that OUTDIR
# (codegen/fs.c), which also puts back an OUTDIR moved aside by a compile
# killed while replacing it.
#
#   kill_test.sh EFFCC SOURCE_DIR WORK_DIR
#
# B7 is the victim: it writes 265 MB of weights, about two seconds after its
# staging folder appears, so the kill lands while it writes.
set -u
effcc=$1 src=$2 work=$3
spec=$src/examples/efficientnet.yaml
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
. "$src/tests/lib.sh"

# kill_mid_write OUTDIR: compiles B7 to OUTDIR and kills it once a file is
# in its staging folder.
kill_mid_write() {
    "$effcc" compile "$spec" --preset b7 -o "$1" 2>/dev/null &
    pid=$!
    tries=0
    until [ -n "$(ls "$1".effcc-tmp-"$pid"-*/ 2>/dev/null)" ]; do
        tries=$((tries + 1))
        if [ $tries -gt 12000 ]; then
            fail "no staging folder appeared within two minutes"
            break
        fi
        sleep 0.01
    done
    kill -9 "$pid"
    wait "$pid"
    status=$?
    [ "$status" -eq 137 ] || fail "the compile was not killed mid-way (exit $status)"
}

# small OUTDIR: a quick compile that must succeed, its stderr in small.err.
small() {
    "$effcc" compile "$spec" --phi -2 -o "$1" 2>small.err || fail "compile to $1: $(cat small.err)"
}

# --- no OUTDIR before: none after the kill ---
kill_mid_write out
[ -e out ] && fail "a killed compile left an OUTDIR"
ls -d out.effcc-tmp-* >/dev/null 2>&1 || fail "expected the killed compile's staging folder"
small out
grep -q "note: removed out.effcc-tmp-[0-9]*-0, left by an interrupted compile" small.err ||
    fail "the next compile did not say it removed the stale staging folder"
ls -d out.effcc-* >/dev/null 2>&1 && fail "stale staging folder not removed: $(ls -d out.effcc-*)"
[ -f out/Makefile ] && [ -f out/efficientnet.c ] || fail "the next compile's folder is incomplete"

# --- an existing OUTDIR: untouched by the kill ---
cp -r out before
kill_mid_write out
diff -r before out >/dev/null || fail "a killed compile changed the existing OUTDIR"
small out
ls -d out.effcc-* >/dev/null 2>&1 && fail "stale staging folder not removed: $(ls -d out.effcc-*)"

# --- killed between moving OUTDIR aside and renaming the new one in (the
# fallback where the file system cannot exchange two folders) ---
dead=$(sh -c 'echo $$') # a process that has ended
mv out "out.effcc-old-$dead"
small out
grep -q "note: restored out, left aside by an interrupted compile" small.err ||
    fail "the OUTDIR moved aside was not restored"
ls -d out.effcc-* >/dev/null 2>&1 && fail "left beside out: $(ls -d out.effcc-*)"
diff -r before out >/dev/null || fail "the restored and recompiled OUTDIR differs"

# --- a live process's staging folder is not touched ---
sleep 30 &
live=$!
mkdir "out.effcc-tmp-$live-0"
small out
[ -d "out.effcc-tmp-$live-0" ] || fail "removed the staging folder of a live process"
kill "$live"
# --- nor a symbolic link, nor a name that only looks similar ---
mkdir target
ln -s target "out.effcc-tmp-$dead-0"
mkdir "out.effcc-tmp-$dead-0x" "outx.effcc-tmp-$dead-0"
small out
[ -L "out.effcc-tmp-$dead-0" ] && [ -d target ] || fail "followed or removed a symbolic link"
[ -d "out.effcc-tmp-$dead-0x" ] && [ -d "outx.effcc-tmp-$dead-0" ] || fail "removed a folder not named like effcc's"

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "all kill checks passed"
cd / && rm -rf "$work"
