#!/bin/sh
# threads_test.sh — the logits are the same bits whatever the number of
# OpenMP threads (1 to 4) and from one run to the next (three runs on 3).
#
#   threads_test.sh EFFCC SPEC TARGET WORK_DIR [effcc compile options]
set -u
effcc=$1 spec=$2 target=$3 work=$4
shift 4
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1
"$effcc" compile "$spec" --target "$target" "$@" -o model 2>effcc.log ||
    { cat effcc.log; exit 1; }
make -s -C model OPENMP=1 >make.log 2>&1 || { cat make.log; exit 1; }
program=$(sed -n 's/^PROGRAM = //p' model/Makefile)
status=0
for run in 1:1 2:1 3:1 4:1 3:2 3:3; do
    threads=${run%%:*}
    OMP_NUM_THREADS=$threads "model/$program" --output "logits-$run.f32" >/dev/null ||
        { echo "FAIL: the model failed on $threads threads"; exit 1; }
    if ! cmp -s logits-1:1.f32 "logits-$run.f32"; then
        echo "FAIL: logits on $threads threads (run ${run#*:}) differ from those on 1 thread"
        status=1
    fi
done
[ $status -eq 0 ] && echo "same logits on 1, 2, 3 and 4 threads, and in three runs on 3"
cd / && rm -rf "$work"
exit $status
