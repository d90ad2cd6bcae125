#!/bin/sh
# int8_presets.sh — every preset of both example specs through the int8
# pipeline on one target: effcc compile --quantize int8, the generated folder
# built (warnings are errors) and run, its logits the same bytes as effcc
# run --quantize int8 (tests/int8/codegen_test.sh, seeded weights, noise
# calibration). The suite runs B0 and Lite0 on every target; this covers the
# other presets when a change touches their shapes.
#
#   tools/int8_presets.sh [RESOLUTION]      (default: each preset's own)
#
# Environment as codegen_test.sh: TARGET (default x86-64-v3), CC, RUNNER,
# GEN_CFLAGS, MAKE_FLAGS …; EFFCC (default build/effcc); PRESETS (default
# "b0 … b7 lite0 … lite4"). Prints one line per preset with its time; exits
# 1 if any differs.
set -u
cd "$(dirname "$0")/.." || exit 1
res=${1:-}
effcc=$(pwd)/${EFFCC:-build/effcc}
[ -x "$effcc" ] || { echo "int8_presets.sh: no effcc at $effcc (set EFFCC)" >&2; exit 1; }
export TARGET="${TARGET:-x86-64-v3}"
presets=${PRESETS:-b0 b1 b2 b3 b4 b5 b6 b7 lite0 lite1 lite2 lite3 lite4}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
for p in $presets; do
    case $p in
    lite*) spec=examples/efficientnet-lite.yaml ;;
    *) spec=examples/efficientnet.yaml ;;
    esac
    start=$(date +%s)
    set -- --preset "$p"
    [ -z "$res" ] || set -- "$@" --resolution "$res"
    if tests/int8/codegen_test.sh "$effcc" "$(pwd)" "$work/$p" "$spec" "$@" >"$work/$p.log" 2>&1; then
        echo "$p: $TARGET: $(tail -n 1 "$work/$p.log") ($(($(date +%s) - start)) s)"
    else
        echo "$p: $TARGET: FAILED ($(($(date +%s) - start)) s):"
        sed 's/^/    /' "$work/$p.log" | tail -n 20
        failed=1
    fi
done
exit $failed
