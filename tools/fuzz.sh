#!/bin/sh
# fuzz.sh — runs one libFuzzer target for a while, on one process.
#
#   tools/fuzz.sh TARGET SECONDS        TARGET: a fuzz/fuzz_TARGET.c (spec,
#                                       safetensors, cli, …; tools/fuzz.sh --list)
#
# Builds build-fuzz/ (clang, -DEFFCC_FUZZ=ON: ASan + UBSan + libFuzzer) when
# needed, then runs build-fuzz/fuzz_TARGET with the seed corpus
# fuzz/corpus/TARGET (read only) and a working corpus build-fuzz/corpus/TARGET
# that keeps what earlier runs found. A crash, a leak, a hang (an input over
# 10 s) or an input using more than 2 GB is a finding: its input goes to
# build-fuzz/crashes/TARGET/ and the script fails. Fix it, then keep the
# input in fuzz/regressions/TARGET/ so the test suite replays it. The log is
# build-fuzz/fuzz-TARGET.log; its last lines give the executions.
set -eu
cd "$(dirname "$0")/.."
targets=$(cd fuzz && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//' | tr '\n' ' ')
if [ "${1:-}" = --list ]; then
    echo "$targets"
    exit 0
fi
[ $# -eq 2 ] || { echo "usage: tools/fuzz.sh TARGET SECONDS (TARGET: $targets)" >&2; exit 2; }
target=$1 seconds=$2
case " $targets " in
*" $target "*) ;;
*) echo "fuzz.sh: unknown target '$target' (known: $targets)" >&2; exit 2 ;;
esac
extra=""
[ "$target" = spec ] && extra="examples tests/specs tests/bad/spec"
dict=""
[ -f "fuzz/$target.dict" ] && dict="-dict=fuzz/$target.dict"

cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DEFFCC_FUZZ=ON -DEFFCC_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j 2 --target "fuzz_$target" >/dev/null
mkdir -p "build-fuzz/corpus/$target" "build-fuzz/crashes/$target"
log=build-fuzz/fuzz-$target.log
echo "fuzz.sh: fuzz_$target for $seconds s, log in $log"
# shellcheck disable=SC2086 # extra and dict hold words without spaces
if build-fuzz/"fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -close_fd_mask=3 -print_final_stats=1 $dict \
    -artifact_prefix="build-fuzz/crashes/$target/" \
    "build-fuzz/corpus/$target" "fuzz/corpus/$target" "fuzz/regressions/$target" $extra \
    >"$log" 2>&1; then
    status=0
else
    status=$?
fi
grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb)|^Done [0-9]+ runs" "$log" || true
if [ "$status" -ne 0 ]; then
    tail -n 60 "$log"
    echo "fuzz.sh: fuzz_$target found a problem; its input is in build-fuzz/crashes/$target/"
    exit 1
fi
echo "fuzz.sh: fuzz_$target ran $seconds s without a finding"
