#!/bin/sh
# run.sh — every bad input in tests/bad/ must be refused: the right exit
# status, the expected message at its place, no sanitizer report, and no
# output folder (or staging folder) left behind.
#
#   run.sh EFFCC SOURCE_DIR WORK_DIR
#
# Cases: tests/bad/spec/*.yaml (a spec each; its first line "# expect: …"
# is the beginning of the message), tests/bad/cases.txt (command lines and
# weights files, made by make_weights.py), and the few inputs below that
# cannot be files in the repository (empty, over 1 MiB, 100,000 levels deep).
set -u
effcc=$1 src=$2 work=$3
bad=$src/tests/bad
rm -rf "$work"
mkdir -p "$work/bin"
cd "$work" || exit 1
ln -s "$effcc" bin/effcc # so messages begin "effcc:", as for an installed effcc
PATH=$work/bin:$PATH
failures=0 cases=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# check STATUS EXPECTED ARGS…: runs effcc ARGS.
check() {
    want=$1 expected=$2
    shift 2
    cases=$((cases + 1))
    timeout 60 effcc "$@" </dev/null >stdout.txt 2>stderr.txt # a hang is a failure too
    got=$?
    if [ "$got" -ne "$want" ]; then
        fail "exit $got (wanted $want): effcc $*"
        sed 's/^/    /' stderr.txt
    elif ! awk -v p="$expected" 'index($0, p) == 1 { found = 1 } END { exit !found }' stderr.txt; then
        fail "no line of stderr begins with: $expected"
        echo "    effcc $*"
        sed 's/^/    /' stderr.txt
    fi
    if grep -Eq "Sanitizer|runtime error:" stderr.txt; then
        fail "sanitizer report: effcc $*"
        sed 's/^/    /' stderr.txt
    fi
    if [ -e out ] || ls -d ./*.effcc-tmp-* ./*.effcc-old-* >/dev/null 2>&1; then
        fail "output left behind: effcc $*"
        rm -rf out ./*.effcc-tmp-* ./*.effcc-old-*
    fi
}

# --- fixtures ---
cp "$src/examples/efficientnet.yaml" .
effcc compile efficientnet.yaml --phi -2 -o ref --save-weights good.safetensors 2>/dev/null ||
    fail "cannot save the good weights"
rm -rf ref
python3 "$bad/make_weights.py" good.safetensors . || fail "make_weights.py"
mkdir foreign && echo precious >foreign/file.txt
# calibration folders: none, a wrong-sized input, a stray file, one good input
mkdir cal-empty cal-short cal-stray cal-good
head -c 100 /dev/zero >cal-short/a.f32
echo notes >cal-stray/notes.txt
head -c 342732 /dev/zero >cal-good/a.f32

# --- bad specs, one file each ---
for f in "$bad"/spec/*.yaml; do
    name=${f##*/}
    cp "$f" "$name"
    expected=$(sed -n '1s/^# expect: //p' "$name")
    [ -n "$expected" ] || fail "$name: no '# expect: ' first line"
    check 1 "$expected" compile "$name" -o out
done

# --- bad specs that cannot be files in the repository ---
: >empty.yaml
check 1 "empty.yaml:1:1: error: empty spec: expected a mapping with keys name, input" compile empty.yaml -o out
head -c 1048577 /dev/zero | tr '\0' '#' >big.yaml
check 1 "big.yaml: error: too large: 1048577 bytes, at most 1048576 expected" compile big.yaml -o out
awk 'BEGIN { printf "name: "; for (i = 0; i < 100000; i++) printf "["; for (i = 0; i < 100000; i++) printf "]"; print "" }' >deep.yaml
check 1 "deep.yaml:1:22: error: sequences and mappings nest too deep (more than 16 levels)" compile deep.yaml -o out

# --- files that are not files: refused before reading, never waited on ---
mkfifo fifo
check 1 "fifo: error: not a regular file (a pipe)" compile fifo -o out
check 1 "fifo: error: not a regular file (a pipe)" compile efficientnet.yaml -o out --weights fifo
check 1 "fifo: error: not a regular file (a pipe)" compile efficientnet.yaml -o out --labels fifo
check 1 "/dev/zero: error: not a regular file (a character device)" compile efficientnet.yaml -o out --labels /dev/zero

# --- files inside OUTDIR, which a compile replaces whole: refused, kept ---
effcc compile efficientnet.yaml --phi -3 -o prev 2>/dev/null || fail "compile prev"
cp efficientnet.yaml prev/spec.yaml
cp good.safetensors prev/w.safetensors
printf 'a\nb\n' >prev/names.txt
check 1 "prev/spec.yaml: error: is inside the output folder prev" compile prev/spec.yaml -o prev
check 1 "prev/w.safetensors: error: is inside the output folder prev" compile efficientnet.yaml -o prev --phi -2 --weights prev/w.safetensors
check 1 "prev/names.txt: error: is inside the output folder prev" compile efficientnet.yaml -o prev --classes 2 --labels prev/names.txt
check 1 "./prev/new.safetensors: error: is inside the output folder prev," compile efficientnet.yaml -o prev/ --save-weights ./prev/new.safetensors
[ -f prev/spec.yaml ] && [ -f prev/w.safetensors ] && [ -f prev/names.txt ] || fail "files inside OUTDIR were lost"
rm -rf prev

# --- long paths: whole messages; a failed compile leaves no folder it made ---
long=$(printf '%0200d' 0 | tr 0 d)
mkdir -p "$long/$long/$long"
cp "$bad/spec/even_kernel.yaml" "$long/$long/$long/"
expected=$(sed -n '1s/^# expect: //p' "$long/$long/$long/even_kernel.yaml")
check 1 "$long/$long/$long/$expected" compile "$long/$long/$long/even_kernel.yaml" -o out
rm -rf "$long"
check 1 "nofolder/w.safetensors: error: cannot create" compile efficientnet.yaml --phi -3 -o made/by/effcc/out --save-weights nofolder/w.safetensors
[ -e made ] && fail "a failed compile left the folders it made (made/…)" && rm -rf made

# --- effcc run: files that need a good input first (more in cases.txt) ---
head -c 342732 /dev/zero >input.f32 # [3, 169, 169] float32: the example spec at --phi -2
check_run() { check "$@" --input input.f32; }
check_run 1 "fifo: error: exists and is a FIFO, not a regular file; refusing to replace it" run efficientnet.yaml --phi -2 --output fifo
check_run 1 "foreign: error: exists and is a folder, not a regular file; refusing to replace it" run efficientnet.yaml --phi -2 --output foreign
check_run 1 "nofolder/logits.f32: error: cannot create a temporary file in its folder: No such file or directory" run efficientnet.yaml --phi -2 --output nofolder/logits.f32
check_run 1 "good.safetensors: error: tensor 'classifier.1.weight': shape [10, 1056] expected, found [1000, 1056]" run efficientnet.yaml --phi -2 --classes 10 --output out --weights good.safetensors
ln -s input.f32 link.f32
check_run 1 "link.f32: error: exists and is a symbolic link, not a regular file; refusing to replace it" run efficientnet.yaml --phi -2 --output link.f32
[ -L link.f32 ] || fail "run replaced a symbolic link"
ls -a | grep -q '^\.effcc-logits-' && fail "run left a temporary file behind"
rm -f input.f32 link.f32

# --- command lines and weights: tests/bad/cases.txt ---
set -f # arguments are split on spaces, never globbed
while IFS= read -r line; do
    case $line in '' | '#'*) continue ;; esac
    status=$(printf '%s\n' "$line" | cut -d'|' -f1 | tr -d ' ')
    expected=$(printf '%s\n' "$line" | cut -d'|' -f2 | sed 's/^ //; s/ $//')
    args=$(printf '%s\n' "$line" | cut -d'|' -f3-)
    # shellcheck disable=SC2086 # split on purpose
    check "$status" "$expected" $args
done <"$bad/cases.txt"
set +f

[ -f foreign/file.txt ] || fail "the foreign folder was damaged"
if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s) in $cases bad inputs"
    exit 1
fi
echo "all $cases bad inputs refused with their messages"
cd / && rm -rf "$work"
