#!/bin/sh
# same-output.sh — are the generated folders of this checkout byte-identical
# to those another commit generates? The check for refactors, which must not
# change what effcc writes.
#
#   tools/same-output.sh BASE [EFFCC]
#
# Builds BASE's effcc (a commit, in a git worktree under build-base/) and
# compiles, with it and with EFFCC (default build/effcc, built first),
# b0, b1, b2, b3, --phi -1 and tests/specs/custom.yaml (also with --no-fuse,
# --no-tile and --threads 1) for every target, then
# compares the two folders of each, every file (report.txt, the weights
# blob, the runtime files). Prints one line per difference and exits 1 if
# there is any.
set -eu
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: tools/same-output.sh BASE [EFFCC]" >&2; exit 2; }
base=$1
effcc=${2:-build/effcc}
root=$(pwd)
work=build-base
mkdir -p "$work"
if [ "$effcc" = build/effcc ]; then
    cmake -S . -B build >/dev/null
    cmake --build build -j "$(nproc)" --target effcc >/dev/null
fi
commit=$(git rev-parse --verify "$base^{commit}")
tree=$work/src-$commit
if [ ! -x "$work/effcc-$commit" ]; then
    rm -rf "$tree"
    git worktree prune
    git worktree add --detach --force "$tree" "$commit" >/dev/null 2>&1
    cmake -S "$tree" -B "$tree/build" -DEFFCC_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$tree/build" -j "$(nproc)" --target effcc >/dev/null
    cp "$tree/build/effcc" "$work/effcc-$commit"
    git worktree remove --force "$tree"
fi

spec=$root/examples/efficientnet.yaml custom=$root/tests/specs/custom.yaml
rm -rf "$work/a" "$work/b"
mkdir -p "$work/a" "$work/b"
differ=0 count=0
for target in generic x86-64-v3 x86-64-v4 aarch64 armv7 riscv64; do
    for model in "b0:--preset b0" "b1:--preset b1" "b2:--preset b2" "b3:--preset b3" \
        "phi-1:--phi -1" "custom:" "custom-nofuse:--no-fuse" "phi-2-notile:--phi -2 --no-tile" \
        "custom-1thread:--threads 1"; do
        name=${model%%:*} args=${model#*:}
        file=$spec
        case $name in custom*) file=$custom ;; esac
        for side in a b; do
            bin=$root/$work/effcc-$commit
            [ $side = b ] && bin=$(cd "$root" && realpath "$effcc")
            # the same command line on both sides: same relative paths
            # shellcheck disable=SC2086 # args holds words
            (cd "$work/$side" && cp "$file" spec.yaml && "$bin" compile spec.yaml $args \
                --target "$target" -o "$name-$target" 2>/dev/null)
        done
        count=$((count + 1))
        if ! diff -r "$work/a/$name-$target" "$work/b/$name-$target" >"$work/diff.txt"; then
            differ=$((differ + 1))
            echo "differs: $name $target"
            head -n 20 "$work/diff.txt"
        fi
        rm -rf "$work/a/$name-$target" "$work/b/$name-$target"
    done
done
if [ "$differ" -ne 0 ]; then
    echo "same-output: $differ of $count folders differ from $(git rev-parse --short "$commit")'s"
    exit 1
fi
echo "same-output: all $count folders byte-identical to $(git rev-parse --short "$commit")'s"
