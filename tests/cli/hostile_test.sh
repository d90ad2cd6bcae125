#!/bin/sh
# hostile_test.sh — user text is data. Every macro name m4 knows (its
# builtins and every macro effcc's templates and kernel code define), with
# shell and make metacharacters, in every piece of user text that reaches a
# generated file — the output folder, the spec, weights and labels file
# names, the model name, class names — comes out verbatim, runs nothing, and
# the folder builds with make and with CMake. Write errors on stdout fail.
#
#   hostile_test.sh EFFCC SOURCE_DIR WORK_DIR
#
# HOSTILE_BUILD=0 checks the files only, builds nothing: the sanitizer
# build's run, whose generated folders are the main build's.
set -u
effcc=$1 src=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
. "$src/tests/lib.sh"
require m4 make cmake cc

# A spec that compiles and builds in a second: three classes, 32 pixels.
sed 's/^input: {channels: 3, resolution: 224}/input: {channels: 3, resolution: 32}/' \
    "$src/examples/efficientnet.yaml" >tiny.yaml
grep -q 'resolution: 32}' tiny.yaml || fail "tiny.yaml: no resolution to change"
printf 'one\ntwo\nthree\n' >names.txt

# Every macro name m4 knows; the templates' and codegen's own macros.
{
    echo 'm4_dumpdef' | m4 -P 2>&1 | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\):.*/\1/p'
    grep -ho 'm4_\(define\|pushdef\)(«[A-Za-z_0-9]*' "$src"/codegen/templates/*.m4 \
        "$src"/codegen/*.c | sed 's/.*«//'
    grep -ho '"G_[A-Z0-9_]*"' "$src"/codegen/*.c | tr -d '"'
    grep -ho 'GEN_[A-Z0-9_]*' "$src"/codegen/templates/*.m4 "$src"/codegen/*.c
} | sort -u >macros.txt
[ "$(grep -c '^m4_' macros.txt)" -ge 40 ] || fail "m4 -P listed too few builtins"
[ "$(wc -l <macros.txt)" -ge 150 ] || fail "too few macro names found"

# check_folder DIR TEXT [nobuild]: TEXT in the provenance of the Makefile,
# CMakeLists.txt and NAME.h (where bytes outside printable ASCII read ?);
# unless nobuild, the folder builds with make and its harness runs.
check_folder() {
    dir=$1 text=$(printf '%s' "$2" | LC_ALL=C tr '\200-\377' '?')
    grep -qF -- "$text" "$dir/Makefile" || fail "the Makefile does not record: $text"
    grep -qF -- "$text" "$dir/CMakeLists.txt" || fail "CMakeLists.txt does not record: $text"
    name=$(sed -n 's/^PROGRAM = //p' "$dir/Makefile")
    grep -qF -- "$text" "$dir/$name.h" || fail "$name.h does not record: $text"
    [ "${3:-}" = nobuild ] || [ "${HOSTILE_BUILD:-1}" = 0 ] && return
    if ! make -s -C "$dir" >make.log 2>&1; then
        fail "make failed in '$dir'"
        sed 's/^/    /' make.log | head -20
    elif ! "$dir/$name" >run.log 2>&1; then
        fail "the harness of '$dir' failed"
    fi
}

# next_chunk: the next macros of macros.txt, up to 6 and as many as keep
# the name within 150 bytes of calls (a file name, with the suffix of the
# temporary folder effcc writes beside it, must stay under NAME_MAX), each
# written as a call that would create a file, and shell, make and m4
# quoting around them (in $chunk).
next_chunk() {
    k=$((k + 1))
    chunk="" n=0
    while [ "$n" -lt 6 ] && [ -s macros.txt ]; do
        call="$(head -n 1 macros.txt)(touch PWNED)"
        [ "$n" -gt 0 ] && [ $((${#chunk} + ${#call})) -gt 150 ] && break
        chunk="$chunk$call " n=$((n + 1))
        sed -i '1d' macros.txt
    done
    chunk="h$k $chunk"'$1 $@ «q» `touch PWNED` $(shell touch PWNED)'" 'q' \"q\" #"
}

# Four chunks a compile: the output folder's name, the spec's, the labels
# file's and the saved weights'.
i=0 k=0
while [ -s macros.txt ]; do
    i=$((i + 1))
    next_chunk; out=$chunk
    next_chunk; spec=$chunk
    next_chunk; labels=$chunk
    next_chunk; saved=$chunk
    cp tiny.yaml "$spec.yaml"
    cp names.txt "$labels.txt"
    if ! "$effcc" compile "$spec.yaml" -o "$out" --classes 3 --labels "$labels.txt" \
        --save-weights "$saved.st" 2>err.log; then
        fail "compile $i failed"
        sed 's/^/    /' err.log
        continue
    fi
    # every folder is checked; two are built (the first, and the one with
    # m4_esyscmd): the Makefile names no path, whatever the folder
    build=nobuild
    case "$i $out $spec $labels $saved" in 1\ * | *m4_esyscmd*) build="" ;; esac
    for text in "$out" "$spec.yaml" "$labels.txt" "$saved.st"; do
        check_folder "$out" "$text" nobuild
    done
    [ -n "$build" ] || check_folder "$out" "$out"
    [ -f "$saved.st" ] || fail "--save-weights '$saved.st' wrote nothing"
    grep -qF -- "$(printf '%s' "$labels" | LC_ALL=C tr '\200-\377' '?').txt, given with --labels" \
        "$out/labels.c" ||
        fail "labels.c does not record its labels file"
done
[ "$k" -ge 25 ] || fail "only $k chunks of macro names"

# Model names that are the templates' own macros (a valid C identifier the
# folder does not use), from --name and from the spec.
for name in G_ROW G_NAME G_ACTFN __gnu__ __unix__ ev_swish; do
    "$effcc" compile tiny.yaml -o "name-$name" --name "$name" 2>err.log ||
        { fail "--name $name refused"; sed 's/^/    /' err.log; continue; }
    build=nobuild
    case $name in G_ROW | __unix__) build="" ;; esac # two are built
    check_folder "name-$name" "--name $name" $build
    grep -q "^void ${name}_run(" "name-$name/$name.h" || fail "$name.h does not declare ${name}_run"
done
sed 's/^name: .*/name: G_PHI/' tiny.yaml >spec-name.yaml
"$effcc" compile spec-name.yaml -o spec-name 2>/dev/null || fail "spec name G_PHI refused"
check_folder spec-name "spec-name.yaml"
[ "${HOSTILE_BUILD:-1}" = 0 ] || [ -x spec-name/G_PHI ] || fail "spec name G_PHI: no program G_PHI"

# Class names are printed as given.
printf 'm4_esyscmd(touch PWNED)\nGEN_NAME $1 «x»\n`touch PWNED` "q" \\n ??/\n' >hostile-names.txt
"$effcc" compile tiny.yaml -o labelled --classes 3 --labels hostile-names.txt 2>/dev/null ||
    fail "compile with hostile class names"
check_folder labelled "hostile-names.txt"
if [ "${HOSTILE_BUILD:-1}" != 0 ]; then
    labelled/efficientnet | sed -n 's/^top[0-9] class [0-9] logit [^ ]* p [^ ]* //p' | sort >printed.txt
    sort hostile-names.txt | diff - printed.txt >/dev/null || fail "class names not printed verbatim"
fi

# CMake builds a folder whose name holds m4 calls, dollars, backquotes and
# spaces (not ; # " or $(…), which CMake's own generated Makefiles cannot
# take in a source folder's path; make builds those above).
cm='cm m4_esyscmd(touch PWNED) `touch PWNED` $1 ${HOME} @x@ & y'
"$effcc" compile tiny.yaml -o "$cm" 2>/dev/null || fail "compile '$cm'"
if [ "${HOSTILE_BUILD:-1}" = 0 ]; then
    check_folder "$cm" "$cm" nobuild
elif cmake -S "$cm" -B cmake-build >cmake.log 2>&1 && cmake --build cmake-build >>cmake.log 2>&1; then
    cmake-build/efficientnet >/dev/null || fail "the CMake-built harness failed"
else
    fail "CMake build of '$cm'"
    tail -20 cmake.log
fi

find . -name 'PWNED*' | grep -q . && fail "a PWNED file was created: user text ran as a command"

# A full stdout is an error (exit 1), not a silent success.
if [ -w /dev/full ]; then
    "$effcc" info tiny.yaml --json >/dev/full 2>err.log && fail "effcc info >/dev/full exited 0"
    grep -q "cannot write the output" err.log || fail "effcc info >/dev/full: no message"
    "$effcc" --help >/dev/full 2>/dev/null && fail "effcc --help >/dev/full exited 0"
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "hostile user text stayed data in $i compiles ($k chunks of macro names)"
cd / && rm -rf "$work"
