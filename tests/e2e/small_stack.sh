#!/bin/sh
# small_stack.sh — runs a program with a small stack, as a microcontroller
# or a thread often gets: the RUNNER of oracle_test.sh for models that must
# keep their big buffers in the arena, never on the stack.
#
#   STACK_KB=128 small_stack.sh PROGRAM [ARGS…]
#
# The limit (default 128 KiB) holds for the main thread and, since glibc
# sizes new threads' stacks from it, for OpenMP's worker threads too.
set -eu
ulimit -s "${STACK_KB:-128}"
exec "$@"
