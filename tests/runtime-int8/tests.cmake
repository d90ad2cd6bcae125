# runtime/effcc_int8.h, the requantisation generated int8 kernels use,
# against ir/quant.c bit for bit (tests/runtime-int8/requant_test.c): the
# scalar functions and each vector width of every target, built with the
# target's flags (ir/target.c) by gcc and clang, run natively (label e2e),
# under qemu-user or under Bochs (label cross). 10^6 random cases natively,
# 2·10^5 under qemu and 2·10^4 under Bochs (some 400 times slower), besides
# the edge cases, which every run has.
set(REQUANT_SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/runtime-int8/requant_test.sh)
function(effcc_requant name labels env count)
  add_test(NAME requant.${name}
           COMMAND ${CMAKE_COMMAND} -E env ${env}
                   ${REQUANT_SCRIPT} ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/requant-${name}
                   ${count} ${ARGN})
  set_tests_properties(requant.${name} PROPERTIES LABELS "${labels}" SKIP_RETURN_CODE 77
                       TIMEOUT 900)
endfunction()

# Native: generic (scalar) and x86-64-v3 (AVX2), also under AddressSanitizer
# and UBSan; in the sanitizer build (EFFCC_SANITIZE) only so. Without AVX2 or
# AVX-512 a test is built (warnings fail it) and skipped: x86-64-v4-bochs
# runs AVX-512 anywhere.
set(REQUANT_SANITIZED "CFLAGS=-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all")
set(REQUANT_V3 "TARGET_FLAGS=-march=x86-64-v3;REQUIRE_CPU=avx2")
set(REQUANT_V4 "TARGET_FLAGS=-march=x86-64-v4;REQUIRE_CPU=avx512f")
set(REQUANT_X86 OFF)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  set(REQUANT_X86 ON)
endif()
effcc_requant(generic-sanitized e2e "${REQUANT_SANITIZED}" 1000000 scalar)
if(REQUANT_X86)
  effcc_requant(x86-64-v3-sanitized e2e "${REQUANT_V3};${REQUANT_SANITIZED}" 1000000 scalar avx2)
endif()
if(NOT EFFCC_SANITIZE)
  effcc_requant(generic e2e "" 1000000 scalar)
  effcc_requant(generic-clang e2e "CC=clang" 1000000 scalar)
endif()
if(REQUANT_X86 AND NOT EFFCC_SANITIZE)
  effcc_requant(x86-64-v3 e2e "${REQUANT_V3}" 1000000 scalar avx2)
  effcc_requant(x86-64-v3-clang e2e "${REQUANT_V3};CC=clang" 1000000 scalar avx2)
  effcc_requant(x86-64-v4 e2e "${REQUANT_V4}" 1000000 scalar avx2 avx512)
  effcc_requant(x86-64-v4-clang e2e "${REQUANT_V4};CC=clang" 1000000 scalar avx2 avx512)
endif()

# Cross: NEON on AArch64 and ARMv7, scalar on riscv64, gcc and clang, under
# qemu-user; AArch64 once more with UBSan trapping (no runtime library
# needed); AVX-512 on an emulated Skylake-X (tools/bochs/run-x86-64-v4.sh).
set(REQUANT_AARCH64
    "TARGET_FLAGS=-march=armv8-a;RUNNER=qemu-aarch64 -L /usr/aarch64-linux-gnu")
set(REQUANT_ARMV7
    "TARGET_FLAGS=-march=armv7-a -mfpu=neon-vfpv4 -mfloat-abi=hard;RUNNER=qemu-arm -L /usr/arm-linux-gnueabihf")
set(REQUANT_RISCV64 "RUNNER=qemu-riscv64 -L /usr/riscv64-linux-gnu")
effcc_requant(aarch64 cross "${REQUANT_AARCH64};CC=aarch64-linux-gnu-gcc" 200000 scalar neon)
effcc_requant(aarch64-clang cross "${REQUANT_AARCH64};CC=clang --target=aarch64-linux-gnu" 200000
              scalar neon)
effcc_requant(aarch64-ubsan cross
              "${REQUANT_AARCH64};CC=aarch64-linux-gnu-gcc;CFLAGS=-O1 -fsanitize=undefined -fsanitize-undefined-trap-on-error"
              200000 scalar neon)
effcc_requant(armv7 cross "${REQUANT_ARMV7};CC=arm-linux-gnueabihf-gcc" 200000 scalar neon)
effcc_requant(armv7-clang cross "${REQUANT_ARMV7};CC=clang --target=arm-linux-gnueabihf" 200000
              scalar neon)
effcc_requant(riscv64 cross "${REQUANT_RISCV64};CC=riscv64-linux-gnu-gcc" 200000 scalar)
effcc_requant(riscv64-clang cross "${REQUANT_RISCV64};CC=clang --target=riscv64-linux-gnu" 200000
              scalar)
effcc_requant(x86-64-v4-bochs cross
              "TARGET_FLAGS=-march=x86-64-v4;LDFLAGS=-static;RUNNER=${CMAKE_SOURCE_DIR}/tools/bochs/run-x86-64-v4.sh;RUNNER_NEEDS=bochs"
              20000 scalar avx2 avx512)
