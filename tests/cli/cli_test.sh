#!/bin/sh
# cli_test.sh — the command line as a user meets it: exit codes, located
# messages on stderr, no output folder after an error, byte-identical output
# for the same command, and an existing folder left intact by a failure.
#
#   cli_test.sh EFFCC SOURCE_DIR WORK_DIR
set -u
effcc=$1 src=$2 work=$3
spec=$src/examples/efficientnet.yaml
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
failures=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

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

# A spec: the example with one line replaced (sed expression).
bad_spec() {
    sed "$1" "$spec" >"$2"
}

# --- usage errors: exit 2 ---
expect 2 "usage" -- "$effcc"
expect 2 "unknown command" -- "$effcc" frobnicate
expect 2 "missing -o" -- "$effcc" compile "$spec"
expect 2 "missing SPEC" -- "$effcc" compile -o out
expect 2 "exclude each other" -- "$effcc" compile "$spec" -o out --preset b0 --phi 1
expect 2 "exclude each other" -- "$effcc" compile "$spec" -o out --weights w --seed 3
expect 2 "--phi expects a real number" -- "$effcc" compile "$spec" -o out --phi abc
expect 2 "unknown target 'z80'; known targets: generic" -- "$effcc" compile "$spec" -o out --target z80
expect 2 "usage" -- "$effcc" compile "$spec" -o out --no-such-option
expect 2 "--resolution and --classes expect" -- "$effcc" info "$spec" --resolution 0
expect 2 "belong to compile" -- "$effcc" info "$spec" -o out
expect 2 "unexpected argument" -- "$effcc" info "$spec" extra
expect 2 "belong to compile" -- "$effcc" info "$spec" --labels names.txt
"$effcc" --help >/dev/null || fail "--help"
"$effcc" --version | grep -q "^effcc [0-9]" || fail "--version"

# --- bad specs: exit 1, FILE:LINE:COL ---
bad_spec 's/kernel: 5, stride: 2, channels: 40/kernel: 4, stride: 2, channels: 40/' even.yaml
expect 1 "^even.yaml:12:[0-9]+: error: stage 3: kernel must be a positive odd integer, got 4" -- "$effcc" compile even.yaml -o out
bad_spec 's/stride: 2, channels: 24/stride: 3, channels: 24/' stride.yaml
expect 1 "^stride.yaml:11:[0-9]+: error: .*stride" -- "$effcc" compile stride.yaml -o out
bad_spec 's/^classes: 1000/classes: many/' type.yaml
expect 1 "^type.yaml:5:10: error: .*classes" -- "$effcc" compile type.yaml -o out
bad_spec 's/^se_ratio: 0.25/se_ratio: 0.25\nsqueeze: 4/' unknown.yaml
expect 1 "^unknown.yaml:18:1: error: unknown key 'squeeze'" -- "$effcc" compile unknown.yaml -o out
bad_spec '/^head:/d' missing.yaml
expect 1 "^missing.yaml:[0-9]+:[0-9]+: error: missing key 'head'" -- "$effcc" info missing.yaml
bad_spec 's/channels: 320, repeats: 1/channels: 320, repeats: 0/' repeats.yaml
expect 1 "^repeats.yaml:16:[0-9]+: error: stage 7: repeats" -- "$effcc" compile repeats.yaml -o out
printf 'name: [unclosed\n' >syntax.yaml
expect 1 "^syntax.yaml:[0-9]+:[0-9]+: error: YAML syntax" -- "$effcc" compile syntax.yaml -o out
: >empty.yaml
expect 1 "^empty.yaml:1:1: error: empty spec" -- "$effcc" compile empty.yaml -o out
expect 1 "^nosuch.yaml: error: cannot open" -- "$effcc" compile nosuch.yaml -o out
expect 1 "efficientnet.yaml:[0-9]+:[0-9]+: error: unknown preset 'b9'; expected one of: b0, b1" -- "$effcc" compile "$spec" -o out --preset b9
expect 1 "error: phi 40 gives resolution" -- "$effcc" compile "$spec" -o out --phi 40
expect 1 "name 'bad-name' is not a C identifier" -- "$effcc" compile "$spec" -o out --name bad-name

# --- bad weights: exit 1, the tensor named ---
"$effcc" compile "$spec" --preset b0 -o ref --save-weights b0.safetensors 2>/dev/null || fail "save b0 weights"
"$effcc" compile "$spec" --phi -1 -o ref1 --save-weights small.safetensors 2>/dev/null || fail "save phi -1 weights"
head -c 1000000 b0.safetensors >truncated.safetensors
expect 1 "truncated.safetensors: error: tensor '[^']+': data .* extends past the end of the file" -- "$effcc" compile "$spec" --preset b0 -o out --weights truncated.safetensors
expect 1 "small.safetensors: error: tensor 'features.4.0.block.3.0.weight': shape \[80, 240, 1, 1\] expected, found \[72, 240, 1, 1\]" -- "$effcc" compile "$spec" --preset b0 -o out --weights small.safetensors
head -c 4 b0.safetensors >tiny.safetensors
expect 1 "tiny.safetensors: error:" -- "$effcc" compile "$spec" --preset b0 -o out --weights tiny.safetensors
expect 1 "b0.safetensors: error: tensor 'classifier.1.weight': shape \[10, 1280\] expected, found \[1000, 1280\]" -- "$effcc" compile "$spec" --preset b0 --classes 10 -o out --weights b0.safetensors
expect 1 "nosuch.safetensors: error: cannot open" -- "$effcc" compile "$spec" -o out --weights nosuch.safetensors

# --- class names: FILE:LINE:COL, or the count ---
printf 'cat\n\ndog\n' >gap.txt
expect 1 "^gap.txt:2:1: error: class 1: empty name" -- "$effcc" compile "$spec" --phi -2 --classes 3 -o out --labels gap.txt
printf 'cat\ndog\nemu\n' >names.txt
expect 1 "^names.txt: error: 3 class names for a model with 10 classes" -- "$effcc" compile "$spec" --phi -2 --classes 10 -o out --labels names.txt
expect 1 "^nosuch.txt: error: cannot open" -- "$effcc" compile "$spec" --phi -2 --classes 3 -o out --labels nosuch.txt
expect 0 "" -- "$effcc" compile "$spec" --phi -2 --classes 3 -o named --labels "$work/names.txt"
grep -q '"emu",' named/labels.c || fail "labels.c lacks the names"
grep -q "names.txt, given with --labels" named/labels.c || fail "labels.c does not name its source"

# --- success: the note about synthetic weights, a complete folder ---
expect 0 "note: no --weights given: using synthetic weights" -- "$effcc" compile "$spec" --phi -2 -o good
[ -f good/Makefile ] && [ -f good/efficientnet.h ] && [ -f good/efficientnet.c ] || fail "folder incomplete"
ls | grep -q "effcc-tmp" && fail "staging folder left behind"

# --- the same command twice gives byte-identical output ---
"$effcc" compile "$spec" --phi -2 -o again 2>/dev/null || fail "compile again"
mv again again.1
"$effcc" compile "$spec" --phi -2 -o again 2>/dev/null || fail "compile again"
diff -r again again.1 >/dev/null || fail "two runs differ"
"$effcc" compile "$spec" --preset b0 -o ref --save-weights b0.2.safetensors 2>/dev/null
cmp -s b0.safetensors b0.2.safetensors || fail "saved weights differ between runs"
grep -rq "$work" again && fail "generated files contain the build machine's path"

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
