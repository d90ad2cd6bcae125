# Per-kernel tests (tests/kernels/kernel_cases.c): every kernel kind the
# generator emits, on awkward shapes, against the reference evaluator, for
# every target. unit.kernel-coverage checks that on every target's tiles
# the cases reach every variant (remainder panels, leftover rows, thread
# splits, fused pools …); kernels.TARGET builds and runs them all in one
# program: natively (label e2e), under qemu-user or Bochs (label cross).
add_executable(kernel_cases ${CMAKE_CURRENT_SOURCE_DIR}/kernels/kernel_cases.c)
target_link_libraries(kernel_cases PRIVATE effcc_core)

add_test(NAME unit.kernel-coverage COMMAND kernel_cases coverage)
set_tests_properties(unit.kernel-coverage PROPERTIES LABELS unit)

set(KERNELS_SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/kernels/kernels_test.sh)
function(effcc_kernels name labels target env)
  add_test(NAME kernels.${name}
           COMMAND ${CMAKE_COMMAND} -E env ${env}
                   ${KERNELS_SCRIPT} $<TARGET_FILE:kernel_cases> ${CMAKE_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/kernels-${name} ${target} ${ARGN})
  set_tests_properties(kernels.${name} PROPERTIES LABELS "${labels}" SKIP_RETURN_CODE 77
                       TIMEOUT 900)
endfunction()

# Native targets; x86-64-v3 on OpenMP threads, 1 and 2, from one build:
# the splits among threads (rows, channels, panels) must give the same
# results as one thread does.
# The generic target in the sanitizer build (EFFCC_SANITIZE) under
# AddressSanitizer (a read past the input, the output or the arena) and UBSan
# (an index that overflows) too; tools/test.sh runs both builds.
set(KERNELS_SANITIZED
    "GEN_CFLAGS=-O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=all")
if(EFFCC_SANITIZE)
  effcc_kernels(generic e2e generic "${KERNELS_SANITIZED}")
else()
  effcc_kernels(generic e2e generic "")
endif()
effcc_kernels(x86-64-v3 e2e x86-64-v3 "REQUIRE_CPU=avx2;MAKE_FLAGS=OPENMP=1;OMP_THREADS=1 2")
effcc_kernels(x86-64-v4 e2e x86-64-v4 "REQUIRE_CPU=avx512f")
# clang too: it warns of what gcc lets pass (a micro-kernel defined unused).
# A variant of generated code from the same kernel_cases: main build only.
if(NOT EFFCC_SANITIZE)
  effcc_kernels(generic-clang e2e generic "CC=clang")
  effcc_kernels(x86-64-v3-clang e2e x86-64-v3 "REQUIRE_CPU=avx2;CC=clang")
endif()

effcc_kernels(aarch64 cross aarch64
              "CC=aarch64-linux-gnu-gcc;RUNNER=qemu-aarch64 -L /usr/aarch64-linux-gnu;MAKE_FLAGS=OPENMP=1;OMP_THREADS=2")
effcc_kernels(armv7 cross armv7
              "CC=arm-linux-gnueabihf-gcc;RUNNER=qemu-arm -L /usr/arm-linux-gnueabihf")
effcc_kernels(riscv64 cross riscv64
              "CC=riscv64-linux-gnu-gcc;RUNNER=qemu-riscv64 -L /usr/riscv64-linux-gnu")
# AVX-512 on an emulated Skylake-X (tools/bochs/run-x86-64-v4.sh boots Linux
# under Bochs, about 10 s, and runs static programs).
effcc_kernels(x86-64-v4-bochs cross x86-64-v4
              "RUNNER=${CMAKE_SOURCE_DIR}/tools/bochs/run-x86-64-v4.sh;RUNNER_FILES=1;RUNNER_NEEDS=bochs;MAKE_FLAGS=LDFLAGS=-static")
