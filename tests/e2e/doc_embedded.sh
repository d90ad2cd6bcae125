#!/bin/sh
# doc_embedded.sh — docs/embedded.md works as written: the commands between
# its test markers run, from a copy of the source tree, and the AArch64
# program they build runs under qemu and prints its latency.
#
#   doc_embedded.sh SOURCE_DIR WORK_DIR
set -eu
src=$1 work=$2
. "$(dirname "$0")/../lib.sh"
require aarch64-linux-gnu-gcc qemu-aarch64 file
rm -rf "$work"
mkdir -p "$work"
# a copy of the tracked tree, as a user's checkout
(cd "$src" && git ls-files -z | tar --null -T - -cf -) | (cd "$work" && tar xf -)
sed -n '/<!-- test:begin -->/,/<!-- test:end -->/p' "$src/docs/embedded.md" |
    awk '/^```sh$/ {on = 1; next} /^```$/ {on = 0; next} on' >"$work/steps.sh"
cd "$work"
sh -eux steps.sh >log.txt 2>&1 || { cat log.txt; exit 1; }
grep -q "^latency_ms median=" log.txt || { cat log.txt; exit 1; }
file out/b0-aarch64/efficientnet | grep -q "ARM aarch64"
file out/b0-aarch64/build/efficientnet | grep -q "ARM aarch64"
echo "docs/embedded.md: every step ran"
cd / && rm -rf "$work"
