#!/bin/sh
# int8.sh — int8 against float latency of the generated code, in one run.
#
#   bench/int8.sh [ROUNDS [RUNS]]     (defaults 5 rounds of --bench 30)
#
# Lite0 and B0 at 224, seeded weights (--seed 5), compiled by $EFFCC
# (default build/effcc) for $TARGET (default x86-64-v3) as float and as
# int8 (calibrated on three seeded noise inputs), built with $CC -O3, one
# thread. Every round runs the four models once, interleaved, so a noisy
# neighbour slows them alike; each run prints the median of RUNS
# inferences, and the table shows, per model, the median over rounds of
# those medians and their ratio int8/float, and the median of the ratios
# within each round ("paired"). Work files go to $WORK (default a fresh
# temporary folder, removed at the end).
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-5} runs=${2:-30}
effcc=${EFFCC:-build/effcc} target=${TARGET:-x86-64-v3}
python=/usr/bin/python3
[ -x "$effcc" ] || { echo "int8.sh: no effcc at $effcc (set EFFCC)" >&2; exit 1; }
work=${WORK:-$(mktemp -d)}
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work/cal"
echo "int8.sh: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), target $target, $rounds rounds of --bench $runs"

# Calibration and timing inputs: seeded normal noise, 3x224x224 float32.
"$python" - "$work" <<'PY'
import random, struct, sys
work = sys.argv[1]
rng = random.Random(8)
def write(path):
    with open(path, 'wb') as f:
        f.write(struct.pack('<%df' % (3 * 224 * 224), *(rng.gauss(0, 1) for _ in range(3 * 224 * 224))))
for i in range(3):
    write('%s/cal/%d.f32' % (work, i))
write(work + '/x.f32')
PY

models="lite0 b0"
for m in $models; do
    case $m in
    lite0) spec=examples/efficientnet-lite.yaml ;;
    *) spec=examples/efficientnet.yaml ;;
    esac
    for kind in float int8; do
        q=""
        [ "$kind" = int8 ] && q="--quantize int8 --calibration $work/cal"
        # shellcheck disable=SC2086 # q is a list of options
        "$effcc" compile "$spec" --preset "$m" --resolution 224 --seed 5 $q --target "$target" \
            --name model -o "$work/$m-$kind" 2>/dev/null
        make -s -C "$work/$m-$kind" CC="${CC:-cc}" CFLAGS=-O3 >/dev/null
    done
done

for r in $(seq "$rounds"); do
    for m in $models; do
        for kind in float int8; do
            ms=$("$work/$m-$kind/model" --input "$work/x.f32" --bench "$runs" |
                 sed -n 's/.*latency_ms median=\([0-9.]*\).*/\1/p')
            echo "$m $kind $r $ms" >> "$work/times"
        done
    done
done

"$python" - "$work/times" <<'PY'
import statistics, sys
t = {}
for line in open(sys.argv[1]):
    m, kind, r, ms = line.split()
    t.setdefault(m, {}).setdefault(kind, {})[r] = float(ms)
print('%-6s %10s %10s %12s %8s' % ('model', 'float ms', 'int8 ms', 'int8/float', 'paired'))
for m, k in t.items():
    f, q = statistics.median(k['float'].values()), statistics.median(k['int8'].values())
    paired = statistics.median(k['int8'][r] / k['float'][r] for r in k['float'])
    print('%-6s %10.2f %10.2f %12.3f %8.3f' % (m, f, q, q / f, paired))
PY
