#!/bin/sh
# codegen_test.sh — generated int8 code against effcc's int8 semantics.
#
#   codegen_test.sh EFFCC SOURCE_DIR WORK_DIR SPEC [scaling options…]
#
# effcc compile --quantize int8 generates the model (seeded weights,
# calibrated on three random inputs the test writes); the folder is built
# (warnings are errors) and run on two inputs; effcc run --quantize int8,
# the reference (ir/eval_int8.c, bit for bit LiteRT's reference kernels:
# int8.litert-models), computes the same inputs. The logits must be the
# same bytes: 0 differences allowed, on every target.
# Environment, as tests/e2e/oracle_test.sh: CC, GEN_CFLAGS, TARGET,
# MAKE_FLAGS, REQUIRE_CPU, RUNNER, RUNNER_FILES, RUNNER_NEEDS; KEEP_FLOAT, the
# --keep-float labels (comma-separated) of both commands.
set -eu
effcc=$1 src=$2 work=$3 spec=$4
shift 4
python=/usr/bin/python3

. "$src/tests/lib.sh"
require_target
"$python" -c 'import numpy' 2>/dev/null || missing "numpy missing for $python"

rm -rf "$work"
mkdir -p "$work/cal"
# The input's shape, from effcc itself; calibration and test inputs: normal
# noise (seeded), the test inputs a little wider than the calibration ones,
# so that clamping at the ranges' ends is exercised too.
shape=$("$effcc" info "$spec" "$@" --json | "$python" -c 'import json, sys; i = json.load(sys.stdin); print(i["stages"][0]["in_channels"], i["resolution"], i["resolution"])')
"$python" - "$work" $shape <<'PY'
import sys
import numpy as np
work, c, h, w = sys.argv[1], *map(int, sys.argv[2:])
rng = np.random.default_rng(8)
for i in range(3):
    rng.normal(0, 1, (c, h, w)).astype('<f4').tofile('%s/cal/%d.f32' % (work, i))
for i in range(2):
    rng.normal(0, 1.3, (c, h, w)).astype('<f4').tofile('%s/x%d.f32' % (work, i))
PY
cat "$work/x0.f32" "$work/x1.f32" > "$work/both.f32"
q="--seed 5 --quantize int8 --calibration $work/cal${KEEP_FLOAT:+ --keep-float $KEEP_FLOAT}"
# shellcheck disable=SC2086 # q is a list of options
"$effcc" compile "$spec" "$@" $q --target "${TARGET:-generic}" --name model -o "$work/gen"
# shellcheck disable=SC2086
"$effcc" run "$spec" "$@" $q --input "$work/both.f32" --output "$work/ref.f32"
# shellcheck disable=SC2086 # MAKE_FLAGS is a list
make -s -C "$work/gen" CC="${CC:-cc}" CFLAGS="${GEN_CFLAGS:--O2 -Wall -Wextra -Werror}" ${MAKE_FLAGS:-}
for i in 0 1; do
    # shellcheck disable=SC2086 # RUNNER is a command with arguments
    if [ "${RUNNER_FILES:-}" = 1 ]; then
        (cd "$work" && $RUNNER --file x$i.f32 -- gen/model --poison --input x$i.f32 --output logits$i.f32)
    else
        ${RUNNER:-} "$work/gen/model" --poison --input "$work/x$i.f32" --output "$work/logits$i.f32"
    fi
done
cat "$work/logits0.f32" "$work/logits1.f32" > "$work/logits.f32"
if ! cmp -s "$work/ref.f32" "$work/logits.f32"; then
    "$python" - "$work" <<'PY'
import sys
import numpy as np
work = sys.argv[1]
r = np.fromfile(work + '/ref.f32', '<f4'); g = np.fromfile(work + '/logits.f32', '<f4')
d = np.flatnonzero(r != g) if r.size == g.size else []
print('codegen_test: %d of %d logits differ from effcc run --quantize int8%s' %
      (len(d), r.size, ', first [%d]: %r vs %r' % (d[0], g[d[0]], r[d[0]]) if len(d) else ''))
PY
    exit 1
fi
# Equal logits prove little when they hardly vary: ask for at least 16
# distinct values per input (every class distinct when there are fewer).
"$python" - "$work/ref.f32" <<'PY'
import sys
import numpy as np
r = np.fromfile(sys.argv[1], '<f4').reshape(2, -1)
distinct = [len(np.unique(x)) for x in r]
print('codegen_test: distinct logits per input:', distinct)
sys.exit(0 if min(distinct) >= min(16, r.shape[1]) else 1)
PY
echo "codegen_test: ${TARGET:-generic}: $(wc -c < "$work/ref.f32") bytes of logits identical to effcc run --quantize int8"
rm -rf "$work" # kept only when something failed
