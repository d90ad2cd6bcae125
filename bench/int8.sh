#!/bin/sh
# int8.sh — int8 against float latency of the generated code, in one run.
#
#   bench/int8.sh [ROUNDS [RUNS]]     (defaults 5 rounds of --bench 30)
#
# Lite0 and B0 at 224, seeded weights (--seed 5), compiled by $EFFCC
# (default build/effcc) for $TARGET (default x86-64-v3) as float and as
# int8 (calibrated on three seeded noise inputs), built with $CC -O3, on
# each thread count of $THREADS (default "1 2"; 1 builds without OpenMP,
# more with OPENMP=1 and OMP_NUM_THREADS). Every round runs every model
# once, interleaved, so a noisy neighbour slows them alike; each run prints
# the median of RUNS inferences, and the table shows, per model and thread
# count, the median over rounds of those medians and their ratio
# int8/float, the median of the ratios within each round ("paired"), and
# int8's rate: 2 operations a multiply-add (report.txt's count) over its
# latency, and that as a fraction of $PEAK_GOPS when given (bench/peak.c's
# peak_int8_gops). Work files go to $WORK (default a fresh temporary
# folder, removed at the end).
#
# ONNX Runtime's int8 joins the rounds (1 thread) when .venv-bench exists
# and $ORT_INT8/MODEL/ort-int8-minmax-e216-c200.f32.onnx does (default
# ORT_INT8=out/int8: tools/int8_accuracy.py's quantize_static QDQ exports of
# the released Lite0 and the seeded B0, the same architectures at 224 px;
# the latency does not depend on the weights' values), timed by
# bench/ort_latency.py --int8 (integer kernels): the table adds its latency
# and effcc int8's ratio to it, paired within each round.
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-5} runs=${2:-30}
effcc=${EFFCC:-build/effcc} target=${TARGET:-x86-64-v3} threads=${THREADS:-1 2}
python=/usr/bin/python3
ort_dir=${ORT_INT8:-out/int8} ort_py=.venv-bench/bin/python
[ -x "$effcc" ] || { echo "int8.sh: no effcc at $effcc (set EFFCC)" >&2; exit 1; }
work=${WORK:-$(mktemp -d)}
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work/cal"
echo "int8.sh: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), target $target, threads $threads, $rounds rounds of --bench $runs"

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
        cp -r "$work/$m-$kind" "$work/$m-$kind-omp"
        make -s -C "$work/$m-$kind" CC="${CC:-cc}" CFLAGS=-O3 >/dev/null
        make -s -C "$work/$m-$kind-omp" CC="${CC:-cc}" CFLAGS=-O3 OPENMP=1 >/dev/null
    done
    sed -n 's/^multiply-adds *\([0-9,]*\).*/\1/p' "$work/$m-int8/report.txt" | tr -d , >"$work/$m.macs"
done

for r in $(seq "$rounds"); do
    for t in $threads; do
        for m in $models; do
            for kind in float int8; do
                dir=$work/$m-$kind
                [ "$t" = 1 ] || dir=$dir-omp
                ms=$(OMP_NUM_THREADS=$t "$dir/model" --input "$work/x.f32" --bench "$runs" |
                     sed -n 's/.*latency_ms median=\([0-9.]*\).*/\1/p')
                echo "$m $t $kind $r $ms $(cat "$work/$m.macs")" >> "$work/times"
            done
            onnx=$ort_dir/$m/ort-int8-minmax-e216-c200.f32.onnx
            if [ "$t" = 1 ] && [ -f "$onnx" ] && [ -x "$ort_py" ]; then
                ms=$("$ort_py" bench/ort_latency.py "$onnx" --int8 --runs "$runs" |
                     sed -n 's/.*latency_ms median=\([0-9.]*\).*/\1/p')
                echo "$m $t ort-int8 $r $ms $(cat "$work/$m.macs")" >> "$work/times"
            fi
        done
    done
done

"$python" - "$work/times" "${PEAK_GOPS:-}" <<'PY'
import statistics, sys
t, macs = {}, {}
for line in open(sys.argv[1]):
    m, threads, kind, r, ms, n = line.split()
    t.setdefault((m, threads), {}).setdefault(kind, {})[r] = float(ms)
    macs[m] = int(n)
peak = float(sys.argv[2]) if sys.argv[2] else None
print('%-6s %7s %10s %10s %12s %8s %10s %8s %12s %8s' % ('model', 'threads', 'float ms',
      'int8 ms', 'int8/float', 'paired', 'int8 GOP/s', 'of peak', 'ORT int8 ms', 'int8/ORT'))
for (m, threads), k in t.items():
    f, q = statistics.median(k['float'].values()), statistics.median(k['int8'].values())
    paired = statistics.median(k['int8'][r] / k['float'][r] for r in k['float'])
    gops = 2 * macs[m] / (q * 1e-3) / 1e9
    share = '%.0f %%' % (100 * gops / (peak * int(threads))) if peak else '-'
    ort = ratio = '-'
    if 'ort-int8' in k:
        ort = '%.2f' % statistics.median(k['ort-int8'].values())
        ratio = '%.3f' % statistics.median(k['int8'][r] / k['ort-int8'][r] for r in k['ort-int8'])
    print('%-6s %7s %10.2f %10.2f %12.3f %8.3f %10.1f %8s %12s %8s' % (m, threads, f, q, q / f,
          paired, gops, share, ort, ratio))
PY
