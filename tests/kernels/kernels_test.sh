#!/bin/sh
# kernels_test.sh — the kernel cases of one target (tests/kernels/kernel_cases.c)
# built into one program, run once (natively, under qemu-user or under
# Bochs) and compared with the reference evaluator.
#
#   kernels_test.sh KERNEL_CASES SOURCE_DIR WORK_DIR TARGET [--threads N]
#
# Environment: CC (compiler for the generated code, default cc), GEN_CFLAGS
# (default -O2 -Wall -Wextra -Werror), MAKE_FLAGS (e.g. OPENMP=1,
# LDFLAGS=-static), RUNNER (runs a program built for another CPU, e.g.
# "qemu-aarch64 -L /usr/aarch64-linux-gnu"), RUNNER_FILES=1 (the runner is
# an emulated machine that takes input files as --file and returns the
# files the program writes, like tools/bochs/run-x86-64-v4.sh),
# RUNNER_NEEDS (more programs the runner needs), REQUIRE_CPU (a
# /proc/cpuinfo flag the native run needs, else exit 77), OMP_THREADS (a
# list: the program runs once with each as OMP_NUM_THREADS; with
# MAKE_FLAGS=OPENMP=1).
# A missing compiler or runner skips (exit 77), or fails under CI=true.
set -eu
cases=$1 src=$2 work=$3 target=$4
shift 4
. "$src/tests/lib.sh"
require_target

rm -rf "$work"
"$cases" write "$work" "$target" "$@"
# shellcheck disable=SC2086 # MAKE_FLAGS is a list
make -s -j2 -C "$work" CC="${CC:-cc}" CFLAGS="${GEN_CFLAGS:--O2 -Wall -Wextra -Werror}" \
    KERNEL_DRIVER_DIR="$src/tests/kernels" ${MAKE_FLAGS:-}
# The program measures each output against ref.f32 where it runs.
run() {
    # shellcheck disable=SC2086 # RUNNER is a command with arguments
    if [ "${RUNNER_FILES:-}" = 1 ]; then
        (cd "$work" && $RUNNER --file ref.f32 -- ./kernels ref.f32 "$1")
    else
        (cd "$work" && ${RUNNER:-} ./kernels ref.f32 "$1")
    fi
    "$cases" check "$work" "$work/$1"
}
if [ -z "${OMP_THREADS:-}" ]; then
    run report.txt
else
    for n in $OMP_THREADS; do
        echo "OMP_NUM_THREADS=$n"
        OMP_NUM_THREADS=$n run "report-$n.txt"
    done
fi
rm -rf "$work" # kept only when something failed
