#!/bin/sh
# golden_test.sh — the IR after every pass (effcc compile -d) for B0 and the
# custom spec, against the dumps checked in beside this script: a change in
# a pass shows as a readable diff.
#
#   golden_test.sh EFFCC SOURCE_DIR WORK_DIR            compare
#   golden_test.sh EFFCC SOURCE_DIR WORK_DIR --update   rewrite the dumps
#
# After a deliberate change to a pass: tools/golden.sh (which runs this
# with --update), then read the diff before committing it.
set -u
effcc=$1 src=$2 work=$3 update=${4:-}
golden=$src/tests/golden
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
failures=0
# One target for every machine: the dumps record tiles, which follow it.
for case in "b0:$src/examples/efficientnet.yaml:--preset b0" "custom:$src/tests/specs/custom.yaml:"; do
    name=${case%%:*} rest=${case#*:}
    spec=${rest%%:*} args=${rest#*:}
    cp "$spec" spec.yaml
    # shellcheck disable=SC2086 # args holds words
    if ! "$effcc" compile spec.yaml $args --target x86-64-v3 --threads 4 -o out -d 2>dump.txt; then
        echo "FAIL: effcc compile $name"
        failures=$((failures + 1))
        continue
    fi
    grep -v '^effcc: note:' dump.txt >"$name.ir"
    rm -rf out
    if [ "$update" = --update ]; then
        cp "$name.ir" "$golden/$name.ir"
        echo "golden: wrote tests/golden/$name.ir"
    elif ! diff -u "$golden/$name.ir" "$name.ir" >"$name.diff"; then
        echo "FAIL: the IR of $name differs from tests/golden/$name.ir:"
        head -n 60 "$name.diff"
        failures=$((failures + 1))
    fi
done
[ "$failures" -eq 0 ] || exit 1
[ "$update" = --update ] || echo "golden: the IR after every pass matches for b0 and custom"
cd / && rm -rf "$work"
