#!/bin/sh
# cli_test.sh — the command line as a user meets it: a complete folder and
# a note on success, byte-identical output for the same inputs (whatever the
# working folder or the paths), an existing folder left intact by a failure
# and never replaced unless effcc wrote it. Bad inputs: tests/bad/run.sh.
#
#   cli_test.sh EFFCC SOURCE_DIR WORK_DIR
set -u
effcc=$1 src=$2 work=$3
spec=$src/examples/efficientnet.yaml
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
. "$src/tests/lib.sh"

# expect STATUS REGEX -- COMMAND…: the exit status, stderr matching REGEX
# (grep -E), and no folder named out left behind.
expect() {
    want=$1 pattern=$2
    shift 3
    "$@" >stdout.txt 2>stderr.txt
    got=$?
    if [ "$got" -ne "$want" ]; then
        fail "exit $got (wanted $want): $*"
        sed 's/^/    /' stderr.txt
    elif ! grep -Eq -- "$pattern" stderr.txt; then
        fail "stderr does not match /$pattern/: $*"
        sed 's/^/    /' stderr.txt
    fi
    if grep -Eq "Sanitizer|runtime error:" stderr.txt; then
        fail "sanitizer report: $*"
        sed 's/^/    /' stderr.txt
    fi
    if [ "$want" -ne 0 ] && [ -e out ]; then
        fail "output folder left behind: $*"
        rm -rf out
    fi
    rm -f stdout.txt stderr.txt
}

# Bad inputs (exit codes and located messages) are tests/bad/run.sh's.
"$effcc" --help >/dev/null || fail "--help"
"$effcc" --version | grep -q "^effcc [0-9]" || fail "--version"

# Options that belong to compile only.
expect 2 "belong to compile" -- "$effcc" info "$spec" --labels names.txt
expect 2 "belong to compile" -- "$effcc" info "$spec" --no-fuse
expect 2 "--threads expects an integer" -- "$effcc" compile "$spec" -o out --threads 0

# --- success: the note about synthetic weights, a complete folder ---
expect 0 "note: no --weights given: using synthetic weights" -- "$effcc" compile "$spec" --phi -2 -o good
[ -f good/Makefile ] && [ -f good/efficientnet.h ] && [ -f good/efficientnet.c ] || fail "folder incomplete"
ls | grep -q "effcc-tmp" && fail "staging folder left behind"

# --- the same command twice gives byte-identical output ---
"$effcc" compile "$spec" --phi -2 -o again 2>/dev/null || fail "compile again"
mv again again.1
"$effcc" compile "$spec" --phi -2 -o again 2>/dev/null || fail "compile again"
diff -r again again.1 >/dev/null || fail "two runs differ"
"$effcc" compile "$spec" --preset b0 -o ref --save-weights b0.safetensors 2>/dev/null
"$effcc" compile "$spec" --preset b0 -o ref --save-weights b0.2.safetensors 2>/dev/null
cmp -s b0.safetensors b0.2.safetensors || fail "saved weights differ between runs"
grep -rq "$work" again && fail "generated files contain the build machine's path"

# --- and from another working folder, through other paths to the spec and
# to OUTDIR (same last component: the command line records only that) ---
mkdir -p elsewhere/deeper specs/copy other/place
cp "$spec" specs/copy/
(cd elsewhere/deeper && "$effcc" compile ../../specs/copy/efficientnet.yaml --phi -2 \
    -o "$work/other/place/again/" 2>/dev/null) || fail "compile from elsewhere"
diff -r again.1 other/place/again >/dev/null || fail "another working folder or OUTDIR path changes the output"
for path in "$work" "$src" "$(dirname "$effcc")" "${HOME:-}"; do
    [ ${#path} -gt 1 ] && grep -rqF "$path" again other/place/again &&
        fail "generated files contain the path $path"
done

# --- a failed compile leaves an existing folder untouched ---
cp -r good keep
expect 1 "unknown preset" -- "$effcc" compile "$spec" -o keep --preset b99
diff -r good keep >/dev/null || fail "failed compile changed an existing folder"
mkdir notours && echo precious >notours/file.txt
"$effcc" compile "$spec" --phi -2 -o notours 2>err.txt && fail "replaced a folder effcc did not write"
grep -q "was not written by effcc" err.txt || fail "no message for a foreign folder"
[ -f notours/file.txt ] || fail "foreign folder damaged"
# regenerating over effcc's own output works
"$effcc" compile "$spec" --phi -2 -o keep 2>/dev/null || fail "regenerate over own output"

# a trailing slash names the same folder
"$effcc" compile "$spec" --phi -2 -o keep/ 2>/dev/null && [ -f keep/Makefile ] || fail "-o with a trailing slash"
ls | grep -q "effcc-tmp" && fail "staging folder left behind"

# --- info ---
"$effcc" info "$spec" --preset b0 | grep -Eq "parameters +5,288,548" || fail "info b0 parameters"
"$effcc" info "$spec" --preset b0 --json >info.json || fail "info --json"
for key in parameters macs weights_bytes arena_bytes resolution; do
    grep -q "\"$key\":" info.json || fail "info --json lacks $key"
done

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "all command-line checks passed"
cd / && rm -rf "$work"
