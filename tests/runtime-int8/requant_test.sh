#!/bin/sh
# requant_test.sh — runtime/effcc_int8.h against ir/quant.c
# (tests/runtime-int8/requant_test.c), built for one target with ir/quant.c
# compiled in, and run once: natively, under qemu-user or under Bochs.
#
#   requant_test.sh SOURCE_DIR WORK_DIR COUNT WIDTH…
#
# COUNT random cases; the WIDTHs the build must have (scalar, avx2, avx512,
# neon). Environment: CC (default cc; may carry flags, e.g.
# "clang --target=aarch64-linux-gnu"), TARGET_FLAGS (the target's flags, as
# ir/target.c gives them), CFLAGS (default -O2), LDFLAGS, RUNNER (runs a
# program built for another CPU: "qemu-aarch64 -L /usr/aarch64-linux-gnu",
# tools/bochs/run-x86-64-v4.sh), RUNNER_NEEDS (more programs the runner
# needs), REQUIRE_CPU (a /proc/cpuinfo flag a native run needs, else exit
# 77 after building). A missing compiler or runner skips (exit 77), or fails under CI=true.
# The header must also compile alone as C99 with -pedantic, the test and it
# without a warning (-Werror).
set -eu
src=$1 work=$2 count=$3
shift 3
. "$src/tests/lib.sh"

for tool in ${CC:-cc} ${RUNNER:-} ${RUNNER_NEEDS:-}; do
    case "$tool" in -*|/usr/*-linux-gnu*) continue ;; esac
    require "$tool"
done

rm -rf "$work"
mkdir -p "$work"
# shellcheck disable=SC2086 # CC, TARGET_FLAGS, CFLAGS and LDFLAGS are lists
compile() {
    ${CC:-cc} ${TARGET_FLAGS:-} ${CFLAGS:--O2} -Wall -Wextra -I"$src/runtime" -I"$src/ir" \
        -I"$src/support" "$@"
}
printf '#include "effcc_int8.h"\n' >"$work/c99.c"
compile -std=c99 -pedantic -Werror -c "$work/c99.c" -o "$work/c99.o"
compile -std=c11 -Werror -c "$src/tests/runtime-int8/requant_test.c" -o "$work/requant_test.o"
compile -std=c11 -Wno-missing-field-initializers -c "$src/ir/quant.c" -o "$work/quant.o"
# shellcheck disable=SC2086
compile "$work/requant_test.o" "$work/quant.o" ${LDFLAGS:-} -lm -o "$work/requant_test"

# Built (so warnings fail) before this CPU can skip the run.
if [ -n "${REQUIRE_CPU:-}" ] && ! grep -qw "$REQUIRE_CPU" /proc/cpuinfo; then
    echo "skipped: built, but this CPU lacks $REQUIRE_CPU"
    rm -rf "$work"
    exit 77
fi
# shellcheck disable=SC2086 # RUNNER is a command with arguments
(cd "$work" && ${RUNNER:-} ./requant_test "$count" "$@")
rm -rf "$work" # kept only when something failed
