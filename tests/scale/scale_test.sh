#!/bin/sh
# scale_test.sh EFFCC SRC WORK — effcc scale end to end on the tiny custom
# spec (tests/specs/custom.yaml), a coarse grid and a budget of six times its
# preset's latency measured in the same search (about twice the spec's own):
#   1. through --runner (a local shell command that logs each call), into a
#      folder whose name holds shell syntax: nothing of it is run;
#   2. again with the same folder: every measurement reused, nothing built,
#      the same candidates.csv; with other threads: refused;
#   3. the default runner (make in place) with --budget-params and
#      --budget-arena (exact, combined, no latency budget);
# and checks what it writes: every row's fits against the budgets, the
# frontier non-dominated, the rebuild command giving the row's figures, the
# preset among the measured points, the cost model's error printed, the
# pictures drawn; then the usage and folder errors.
set -u
effcc=$1 src=$2 work=$3
. "$src/tests/lib.sh"
require make cc gnuplot python3
spec=$src/tests/specs/custom.yaml
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
export PATH="$(dirname "$effcc"):$PATH" # the rebuild commands name effcc

# The budget: six times the preset 'small' (about twice the spec's own
# model), measured in the same search (--budget-ms FxPRESET).
grid="--target host --threads 1 --grid-step 0.5 --band 0.15 --top 1 --bench-runs 5 --phi-max 1.2 \
--phi-tolerance 0.3"
# The search's logic, not the model's speed, is under test: every build at
# -O1 (the generated Makefile's CFLAGS ?= takes it from the environment),
# twice as fast to compile.
export CFLAGS=-O1
search="--budget-ms 6xsmall $grid"

# check_out DIR [PARAMS ARENA]: the files and their consistency (DIR out:
# a latency budget of 6 x small).
check_out() {
    d=$1
    budget=inf
    if [ "$d" = "$out" ]; then
        budget=$(sed -n 's/.*budget: median latency <= \([0-9.]*\) ms (6 x preset small.*/\1/p' "$d/ranking.txt")
        [ -n "$budget" ] || fail "$d: ranking.txt states no budget of 6 x small"
    fi
    for f in candidates.csv grid.csv frontier.csv ranking.txt scale.conf latency-vs-macs.png \
             layers.png plot/plots.gp; do
        [ -s "$d/$f" ] || fail "$d: no $f"
    done
    [ "$budget" = inf ] || [ -s "$d/latency-vs-phi.png" ] || fail "$d: no latency-vs-phi.png"
    for f in "$d"/*.png; do
        head -c 8 "$f" | od -An -c | grep -q 'P   N   G' || fail "$f is not a PNG"
    done
    [ "$budget" = inf ] || grep -q 'cost model: median |predicted - measured| [0-9.]* %' "$d/ranking.txt" ||
        fail "$d: the cost model's error is not reported"
    grep -q 'Accuracy needs training' "$d/ranking.txt" || fail "$d: the accuracy caveat is missing"
    python3 - "$d" "${budget:-0}" "${2:-0}" "${3:-0}" <<'EOF' || fail "$d: csv checks"
import csv, sys
d, budget, params, arena = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rows = list(csv.DictReader(open(d + "/candidates.csv")))
bad = 0
def fits(r):
    return (float(r["measured_ms"]) <= budget and (not params or int(r["parameters"]) <= params)
            and (not arena or int(r["arena_bytes"]) <= arena))
for r in rows:
    if abs(float(r["measured_ms"]) - budget) < 0.002:
        continue  # both printed to 3 decimals: too close to call from the text
    if (r["fits"] == "yes") != fits(r):
        print("fits wrong:", r); bad += 1
if not any(r["preset"] == "small" for r in rows):
    print("the preset is not among the measured points"); bad += 1
if not any(r["alpha"] == "1.2" and r["beta"] == "1.1" and r["gamma"] == "1.15" for r in rows):
    print("the spec's alpha, beta, gamma were not measured"); bad += 1
if not any(r["fits"] == "yes" and not r["preset"] for r in rows):
    print("no searched point fits"); bad += 1
front = [(int(r["multiply_adds"]), float(r["measured_ms"])) for r in csv.DictReader(open(d + "/frontier.csv"))]
pts = {(int(r["multiply_adds"]), float(r["measured_ms"])) for r in rows}
for m, t in front:
    if any(t2 < t and m2 >= m for m2, t2 in pts):
        print("dominated on the frontier:", m, t); bad += 1
if not front or len(front) > len(pts):
    print("frontier size", len(front)); bad += 1
open(d + "/rebuild.txt", "w").write(rows[-1]["command"] + "\n" + rows[-1]["multiply_adds"] + "\n")
sys.exit(1 if bad else 0)
EOF
}

# 1. --runner, into a folder named with shell syntax.
out='out $(touch pwned) `touch pwned2`;x'
export RUNNER_LOG="$work/runner-calls"
runner='echo "$EFFCC_POINT_DIR" >>"$RUNNER_LOG" && make -s -C "$EFFCC_POINT_DIR" "$@"'
# shellcheck disable=SC2086
"$effcc" scale "$spec" -o "$out" $search --runner "$runner" >first.txt 2>first.err ||
    { cat first.err; echo "FAIL: the --runner search"; exit 1; }
[ -e pwned ] || [ -e pwned2 ] && fail "the folder's name ran as shell code"
calls=$(wc -l <"$RUNNER_LOG")
[ "$calls" -ge 5 ] || fail "the runner ran $calls times"
grep -q "profile 5 of 5" first.err || fail "no profile progress on stderr"
grep -q "min left" first.err || fail "no estimate of the time left"
check_out "$out"
cmd=$(sed -n 1p "$out/rebuild.txt") macs=$(sed -n 2p "$out/rebuild.txt")
(cd "$work" && sh -c "$cmd" 2>/dev/null) || fail "the rebuild command failed: $cmd"
dir=$(printf '%s' "$cmd" | sed 's/.* -o //')
grep -q " $macs multiply-adds" "$dir/Makefile" || fail "the rebuilt folder has not $macs multiply-adds"

# 2. The same search again: resumed, nothing built; other threads: refused.
cp "$out/candidates.csv" first.csv
# shellcheck disable=SC2086
"$effcc" scale "$spec" -o "$out" $search --runner "$runner" >second.txt 2>second.err ||
    fail "the resumed search failed"
[ "$(wc -l <"$RUNNER_LOG")" -eq "$calls" ] || fail "the resumed search ran the runner again"
grep -q "measurements: 0 built now" second.txt || fail "the resumed search built points"
cmp -s first.csv "$out/candidates.csv" || fail "the resumed search wrote another candidates.csv"
# shellcheck disable=SC2086
"$effcc" scale "$spec" -o "$out" $search --runner "$runner" --threads 2 >/dev/null 2>threads.err
[ $? -eq 1 ] && grep -q "scale.conf.*threads" threads.err || fail "other threads were not refused"

# 3. The default runner, with the exact budgets only (no cost model needed).
params=700000 arena=2M
# shellcheck disable=SC2086
"$effcc" scale "$spec" -o local $grid --budget-params $params --budget-arena $arena \
    >local.txt 2>local.err || { cat local.err; fail "the local search"; }
check_out local "$params" $((2 << 20))
grep -q "parameters <= $params" local/ranking.txt || fail "the parameter budget is not reported"

# Errors: usage (2), a folder effcc scale did not make (1, untouched).
"$effcc" scale "$spec" -o x --target host >/dev/null 2>&1; [ $? -eq 2 ] || fail "no budget accepted"
"$effcc" scale "$spec" -o x --budget-ms 5 --phi 1 >/dev/null 2>&1; [ $? -eq 2 ] || fail "--phi accepted"
"$effcc" compile "$spec" --budget-ms 5 -o y >/dev/null 2>&1; [ $? -eq 2 ] || fail "compile took --budget-ms"
mkdir mine && echo keep >mine/file
"$effcc" scale "$spec" -o mine --budget-ms 5 >/dev/null 2>mine.err
[ $? -eq 1 ] && grep -q "not a folder effcc scale made" mine.err || fail "a foreign folder was not refused"
[ "$(ls mine)" = file ] || fail "the foreign folder was written into"

[ "$failures" -eq 0 ] && echo "scale: all checks passed" || exit 1
