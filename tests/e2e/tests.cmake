# End-to-end tests against torchvision (tests/e2e/oracle_test.sh).
# Label "e2e" runs by default; "slow" (b4..b7, phi 2.5) only when asked:
#   ctest --test-dir build -L slow
set(E2E_SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/e2e/oracle_test.sh)
set(E2E_SPEC ${CMAKE_SOURCE_DIR}/examples/efficientnet.yaml)
set(E2E_SANITIZED_CFLAGS
    "-O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=all")
# In the sanitizer build the generated code of the e2e label is built and
# run under the sanitizers too (an explicit GEN_CFLAGS in a test's command
# still wins). Not for the slow label, nor for clang: B7's code alone takes
# about 5 minutes under ASan, B0's built by clang with ASan 7 minutes.
set(E2E_ENV "")
if(EFFCC_SANITIZE)
  set(E2E_ENV "GEN_CFLAGS=${E2E_SANITIZED_CFLAGS}")
endif()

function(effcc_e2e name labels spec)
  add_test(NAME e2e.${name}
           COMMAND ${E2E_SCRIPT} $<TARGET_FILE:effcc> ${CMAKE_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/e2e-${name} ${spec} ${ARGN})
  set(env "")
  if(labels STREQUAL "e2e")
    set(env "${E2E_ENV}")
  endif()
  set_tests_properties(e2e.${name} PROPERTIES LABELS "${labels}" SKIP_RETURN_CODE 77
                       TIMEOUT 1200 ENVIRONMENT "${env}")
endfunction()

# B0–B3; in the sanitizer build B0 only: B1–B3 run the same effcc code on
# bigger models, and their generated code is checked in the main build.
set(E2E_PRESETS 0 1 2 3)
if(EFFCC_SANITIZE)
  set(E2E_PRESETS 0)
endif()
foreach(b ${E2E_PRESETS})
  effcc_e2e(b${b} e2e ${E2E_SPEC} --preset b${b})
endforeach()
effcc_e2e(phi-1 e2e ${E2E_SPEC} --phi -1)
effcc_e2e(phi0.5 e2e ${E2E_SPEC} --phi 0.5)
effcc_e2e(custom e2e ${CMAKE_CURRENT_SOURCE_DIR}/specs/custom.yaml)
effcc_e2e(custom-small e2e ${CMAKE_CURRENT_SOURCE_DIR}/specs/custom.yaml --preset small)
effcc_e2e(b0-classes10-res128 e2e ${E2E_SPEC} --preset b0 --classes 10 --resolution 128)
foreach(b 4 5 6 7)
  effcc_e2e(b${b} slow ${E2E_SPEC} --preset b${b})
endforeach()
effcc_e2e(phi2.5 slow ${E2E_SPEC} --phi 2.5)

# A test with environment settings for oracle_test.sh (TARGET, MAKE_FLAGS …).
function(effcc_e2e_env name labels env)
  add_test(NAME e2e.${name}
           COMMAND ${CMAKE_COMMAND} -E env ${env}
                   ${E2E_SCRIPT} $<TARGET_FILE:effcc> ${CMAKE_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/e2e-${name} ${ARGN})
  set_tests_properties(e2e.${name} PROPERTIES LABELS "${labels}" SKIP_RETURN_CODE 77
                       TIMEOUT 1200)
endfunction()

# Every target, and threads (the x86 targets skip on a CPU that lacks them).
set(AVX2 "TARGET=x86-64-v3;REQUIRE_CPU=avx2")
set(AVX512 "TARGET=x86-64-v4;REQUIRE_CPU=avx512f")
foreach(b ${E2E_PRESETS})
  effcc_e2e_env(b${b}-avx2 e2e "${AVX2}" ${E2E_SPEC} --preset b${b})
  effcc_e2e_env(b${b}-avx512 e2e "${AVX512}" ${E2E_SPEC} --preset b${b})
endforeach()
effcc_e2e_env(phi-1-avx2 e2e "${AVX2}" ${E2E_SPEC} --phi -1)
effcc_e2e_env(custom-avx2 e2e "${AVX2}" ${CMAKE_CURRENT_SOURCE_DIR}/specs/custom.yaml)
effcc_e2e_env(custom-avx512 e2e "${AVX512}" ${CMAKE_CURRENT_SOURCE_DIR}/specs/custom.yaml)
effcc_e2e_env(b0-avx2-2threads e2e "${AVX2};MAKE_FLAGS=OPENMP=1;OMP_NUM_THREADS=2" ${E2E_SPEC} --preset b0)
effcc_e2e_env(b0-generic-2threads e2e "MAKE_FLAGS=OPENMP=1;OMP_NUM_THREADS=2" ${E2E_SPEC} --preset b0)
effcc_e2e_env(b3-avx2-2threads e2e "${AVX2};MAKE_FLAGS=OPENMP=1;OMP_NUM_THREADS=2" ${E2E_SPEC} --preset b3)
effcc_e2e_env(custom-avx2-2threads e2e "${AVX2};MAKE_FLAGS=OPENMP=1;OMP_NUM_THREADS=2"
              ${CMAKE_CURRENT_SOURCE_DIR}/specs/custom.yaml)
effcc_e2e_env(b0-avx2-nofuse-notile e2e "${AVX2};EFFCC_FLAGS=--no-fuse --no-tile" ${E2E_SPEC} --preset b0)
effcc_e2e_env(phi-1-nofuse e2e "EFFCC_FLAGS=--no-fuse" ${E2E_SPEC} --phi -1)

# The same generated code built with clang, and with the sanitizers.
# (clang: a variant of generated code, whose effcc is the same: main build only)
if(NOT EFFCC_SANITIZE)
  add_test(NAME e2e.b0-clang COMMAND ${CMAKE_COMMAND} -E env CC=clang
           ${E2E_SCRIPT} $<TARGET_FILE:effcc> ${CMAKE_SOURCE_DIR}
           ${CMAKE_CURRENT_BINARY_DIR}/e2e-b0-clang ${E2E_SPEC} --preset b0)
  set_tests_properties(e2e.b0-clang PROPERTIES LABELS e2e SKIP_RETURN_CODE 77 TIMEOUT 1200)
endif()
# The sanitizer build's e2e.b0 and e2e.phi-1 already build their code so.
if(NOT EFFCC_SANITIZE)
  add_test(NAME e2e.phi-1-sanitized COMMAND ${CMAKE_COMMAND} -E env
           "GEN_CFLAGS=${E2E_SANITIZED_CFLAGS}"
           ${E2E_SCRIPT} $<TARGET_FILE:effcc> ${CMAKE_SOURCE_DIR}
           ${CMAKE_CURRENT_BINARY_DIR}/e2e-phi-1-sanitized ${E2E_SPEC} --phi -1)
  add_test(NAME e2e.b0-sanitized COMMAND ${CMAKE_COMMAND} -E env
           "GEN_CFLAGS=${E2E_SANITIZED_CFLAGS}"
           ${E2E_SCRIPT} $<TARGET_FILE:effcc> ${CMAKE_SOURCE_DIR}
           ${CMAKE_CURRENT_BINARY_DIR}/e2e-b0-sanitized ${E2E_SPEC} --preset b0)
  set_tests_properties(e2e.phi-1-sanitized e2e.b0-sanitized
                       PROPERTIES LABELS e2e SKIP_RETURN_CODE 77 TIMEOUT 1200)
endif()
# effcc's synthetic weights, saved and loaded by torchvision.
add_test(NAME e2e.b1-synthetic-weights COMMAND ${CMAKE_COMMAND} -E env WEIGHTS_FROM=effcc
         ${E2E_SCRIPT} $<TARGET_FILE:effcc> ${CMAKE_SOURCE_DIR}
         ${CMAKE_CURRENT_BINARY_DIR}/e2e-b1-synthetic ${E2E_SPEC} --preset b1)
set_tests_properties(e2e.b1-synthetic-weights
                     PROPERTIES LABELS e2e SKIP_RETURN_CODE 77 TIMEOUT 1200)
set_tests_properties(e2e.b1-synthetic-weights PROPERTIES ENVIRONMENT "${E2E_ENV}")

# Index arithmetic in a large image (tests/specs/large.yaml: 1×1 convs over
# 640,000 pixels, where an int index would overflow): under the sanitizers,
# which stop at a signed overflow, and with -fwrapv, where a wrapped index
# would crash the model.
set(LARGE_SPEC ${CMAKE_CURRENT_SOURCE_DIR}/specs/large.yaml)
if(NOT EFFCC_SANITIZE) # the same test, built the same way, in both builds
  effcc_e2e_env(large-sanitized e2e "GEN_CFLAGS=${E2E_SANITIZED_CFLAGS}" ${LARGE_SPEC})
  effcc_e2e_env(large-avx2-sanitized e2e "${AVX2};GEN_CFLAGS=${E2E_SANITIZED_CFLAGS}" ${LARGE_SPEC})
endif()
effcc_e2e_env(large-avx2-2threads-wrapv e2e
              "${AVX2};MAKE_FLAGS=OPENMP=1;OMP_NUM_THREADS=2;GEN_CFLAGS=-O2 -Wall -Wextra -Werror -fwrapv"
              ${LARGE_SPEC})
# At 3000 pixels, on a 128 KiB stack (tests/e2e/small_stack.sh; OpenMP's
# worker threads get as much): the stem's gathered row (162 KB) must live in
# the arena, one per thread, never more threads than it has buffers for
# (the 2-thread run of a model compiled for 1), whether the stem has its own
# kernel (large.yaml) or runs inside the first depthwise one
# (large-stemdw.yaml); and the global average pools, over 2.25 million
# pixels, must keep the tolerance (a float sum pixel by pixel missed it by
# 1.1e-3). About 11 s each on 2 cores.
set(SMALL_STACK "RUNNER=${CMAKE_CURRENT_SOURCE_DIR}/e2e/small_stack.sh")
effcc_e2e_env(large3000-small-stack e2e "${SMALL_STACK}" ${LARGE_SPEC} --resolution 3000)
effcc_e2e_env(large3000-avx2-2threads-small-stack e2e
              "${AVX2};${SMALL_STACK};MAKE_FLAGS=OPENMP=1;OMP_NUM_THREADS=2;EFFCC_FLAGS=--threads 1"
              ${LARGE_SPEC} --resolution 3000)
effcc_e2e_env(large-stemdw3000-avx2-2threads-small-stack e2e
              "${AVX2};${SMALL_STACK};MAKE_FLAGS=OPENMP=1;OMP_NUM_THREADS=2"
              ${CMAKE_CURRENT_SOURCE_DIR}/specs/large-stemdw.yaml --resolution 3000)

# Warning-free generated code for every target and both compilers; built
# only (an AVX-512 build cannot run on a machine without AVX-512).
foreach(target generic x86-64-v3 x86-64-v4)
  foreach(cc gcc clang)
    add_test(NAME build.b0-${target}-${cc}
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/strict_build.sh $<TARGET_FILE:effcc>
                     ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/build-${target}-${cc}
                     ${target} ${cc} --preset b0)
    set_tests_properties(build.b0-${target}-${cc} PROPERTIES LABELS e2e TIMEOUT 600)
  endforeach()
endforeach()
add_test(NAME build.custom-x86-64-v4-nofuse
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/strict_build.sh $<TARGET_FILE:effcc>
                 ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/build-custom-v4 x86-64-v4 gcc
                 --phi -2 --no-fuse --no-tile)
set_tests_properties(build.custom-x86-64-v4-nofuse PROPERTIES LABELS e2e TIMEOUT 600)

# Cross targets, run under qemu-user against the oracle (label cross).
set(QEMU_AARCH64 "qemu-aarch64 -L /usr/aarch64-linux-gnu")
set(QEMU_ARM "qemu-arm -L /usr/arm-linux-gnueabihf")
set(QEMU_RISCV64 "qemu-riscv64 -L /usr/riscv64-linux-gnu")
foreach(model "b0;--preset;b0" "phi-3;--phi;-3")
  list(GET model 0 tag)
  list(SUBLIST model 1 2 scaling)
  effcc_e2e_env(${tag}-aarch64 cross "TARGET=aarch64;CC=aarch64-linux-gnu-gcc;RUNNER=${QEMU_AARCH64}"
                ${E2E_SPEC} ${scaling})
  effcc_e2e_env(${tag}-armv7 cross "TARGET=armv7;CC=arm-linux-gnueabihf-gcc;RUNNER=${QEMU_ARM}"
                ${E2E_SPEC} ${scaling})
  effcc_e2e_env(${tag}-riscv64 cross "TARGET=riscv64;CC=riscv64-linux-gnu-gcc;RUNNER=${QEMU_RISCV64}"
                ${E2E_SPEC} ${scaling})
endforeach()
effcc_e2e_env(b0-aarch64-clang cross
              "TARGET=aarch64;CC=clang;GEN_CFLAGS=--target=aarch64-linux-gnu -O2 -Wall -Wextra -Werror;RUNNER=${QEMU_AARCH64}"
              ${E2E_SPEC} --preset b0)
effcc_e2e_env(phi-3-aarch64-2threads cross
              "TARGET=aarch64;CC=aarch64-linux-gnu-gcc;MAKE_FLAGS=OPENMP=1;OMP_NUM_THREADS=2;RUNNER=${QEMU_AARCH64}"
              ${E2E_SPEC} --phi -3)
foreach(cc gcc clang)
  if(cc STREQUAL gcc)
    set(neon_cc aarch64-linux-gnu-gcc)
    set(neon_flags "-O2")
  else()
    set(neon_cc clang)
    set(neon_flags "--target=aarch64-linux-gnu -O2")
  endif()
  add_test(NAME cross.neon-fmla-${cc}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/neon_disasm.sh $<TARGET_FILE:effcc>
                   ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/neon-${cc} ${neon_cc} ${neon_flags})
  set_tests_properties(cross.neon-fmla-${cc} PROPERTIES LABELS cross SKIP_RETURN_CODE 77)
endforeach()

# The reported arena is the arena used: b0 and b7 under AddressSanitizer
# with an arena of exactly NAME_ARENA_BYTES (b7 in the slow label). The plan
# is the same code for every preset; b1-b6 (about 300 s of the suite) add
# sizes between those, and unit.kernel-coverage already asks the kernel
# tests to reach every tile variant. Main build only: the generated code is
# built with the sanitizers in either build, and the sanitizer build's e2e.b0
# runs the same effcc.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  set(ASAN_TARGET x86-64-v3)
else()
  set(ASAN_TARGET generic)
endif()
foreach(b 0 7)
  if(EFFCC_SANITIZE)
    break()
  endif()
  if(b LESS 4)
    set(label e2e)
  else()
    set(label slow)
  endif()
  add_test(NAME arena.b${b}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/asan_arena.sh $<TARGET_FILE:effcc>
                   ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/arena-b${b} --preset b${b}
                   --target ${ASAN_TARGET})
  set_tests_properties(arena.b${b} PROPERTIES LABELS ${label} TIMEOUT 1200)
endforeach()
if(NOT EFFCC_SANITIZE)
  add_test(NAME arena.b0-threads1
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/asan_arena.sh $<TARGET_FILE:effcc>
                   ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/arena-b0-t1 --preset b0
                   --threads 1 --target ${ASAN_TARGET})
  set_tests_properties(arena.b0-threads1 PROPERTIES LABELS e2e TIMEOUT 1200)
endif()

# AVX-512 on an emulated Skylake-X: neither this CPU nor qemu-user has it,
# so tools/bochs/run-x86-64-v4.sh boots Linux under Bochs to run static
# x86-64-v4 programs (about 10 s of boot per run; RUNNER_NEEDS makes a
# machine without bochs skip, or fail under CI=true, like a missing qemu).
set(BOCHS ${CMAKE_SOURCE_DIR}/tools/bochs/run-x86-64-v4.sh)
set(BOCHS_RUN "TARGET=x86-64-v4;RUNNER=${BOCHS};RUNNER_FILES=1;RUNNER_NEEDS=bochs")
set(BOCHS_ENV "${BOCHS_RUN};MAKE_FLAGS=LDFLAGS=-static")
# B0 on one CPU; the custom spec (k3, k5 and k7, odd sizes) on two emulated
# CPUs with two OpenMP threads, which split reductions and channels
# (kernels.x86-64-v4-bochs reaches every AVX-512 tile; B3 on two CPUs took
# 160 s of emulation; e2e.b3-avx2-2threads splits it natively on AVX2).
effcc_e2e_env(b0-avx512-bochs cross "${BOCHS_ENV}" ${E2E_SPEC} --preset b0)
effcc_e2e_env(custom-avx512-bochs-2threads cross
              "${BOCHS_RUN};MAKE_FLAGS=LDFLAGS=-static OPENMP=1;EFFCC_BOCHS_CPUS=2"
              ${CMAKE_CURRENT_SOURCE_DIR}/specs/custom.yaml)

# The SIMD math of each cross target, under qemu (ARMv7 NEON flushes
# subnormals to zero, which the x86 unit tests cannot show) or Bochs.
foreach(spec "aarch64|effcc_simd_neon.h|aarch64-linux-gnu-gcc|qemu-aarch64|-O2"
             "armv7|effcc_simd_neon.h|arm-linux-gnueabihf-gcc|qemu-arm|-mfpu=neon-vfpv4,-mfloat-abi=hard"
             "riscv64|effcc_simd_generic.h|riscv64-linux-gnu-gcc|qemu-riscv64|-O2"
             "x86-64-v4|effcc_simd_avx512.h|gcc|${BOCHS}|-O2,-march=x86-64-v4")
  string(REPLACE "|" ";" parts "${spec}")
  list(GET parts 0 target)
  list(GET parts 1 header)
  list(GET parts 2 cc)
  list(GET parts 3 qemu)
  list(GET parts 4 flags)
  string(REPLACE "," ";" flags "${flags}")
  add_test(NAME cross.simd-${target}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/simd_cross.sh ${CMAKE_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/simd-${target} ${header} ${cc} ${qemu} ${flags})
  set(needs "")
  if(target STREQUAL x86-64-v4)
    set(needs bochs)
  endif()
  set_tests_properties(cross.simd-${target} PROPERTIES LABELS cross SKIP_RETURN_CODE 77
                       ENVIRONMENT "RUNNER_NEEDS=${needs}")
endforeach()

# docs/embedded.md, followed as written.
add_test(NAME cross.doc-embedded
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/doc_embedded.sh ${CMAKE_SOURCE_DIR}
                 ${CMAKE_CURRENT_BINARY_DIR}/doc-embedded)
set_tests_properties(cross.doc-embedded PROPERTIES LABELS cross SKIP_RETURN_CODE 77 TIMEOUT 1800)

# effcc info --target T measures the code with the target's compiler.
foreach(target aarch64 armv7 riscv64)
  add_test(NAME cross.code-size-${target}
           COMMAND sh -c "$0 info $1 --preset b0 --target ${target} --json | grep -Eq '\"text_bytes\":[1-9][0-9]{4,}'"
                   $<TARGET_FILE:effcc> ${E2E_SPEC})
  set_tests_properties(cross.code-size-${target} PROPERTIES LABELS cross)
endforeach()

# effcc run, the reference evaluator (ir/eval.c), against torchvision with
# the same tolerance (tests/e2e/run_oracle_test.sh). Measured on 2 cores:
# effcc run takes 0.9 s (B0) to 3.8 s (B3), each test under 10 s in all.
set(RUN_SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/e2e/run_oracle_test.sh)
function(effcc_run_e2e name env)
  add_test(NAME e2e.run-${name}
           COMMAND ${CMAKE_COMMAND} -E env ${env}
                   ${RUN_SCRIPT} $<TARGET_FILE:effcc> ${CMAKE_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/e2e-run-${name} ${ARGN})
  set_tests_properties(e2e.run-${name} PROPERTIES LABELS e2e SKIP_RETURN_CODE 77 TIMEOUT 600)
endfunction()
foreach(b ${E2E_PRESETS})
  effcc_run_e2e(b${b} "" ${E2E_SPEC} --preset b${b})
endforeach()
effcc_run_e2e(custom "" ${CMAKE_CURRENT_SOURCE_DIR}/specs/custom.yaml)
# effcc's synthetic weights: run makes from --seed what compile saved.
effcc_run_e2e(b1-synthetic-weights "WEIGHTS_FROM=effcc" ${E2E_SPEC} --preset b1)

# The same logits, bit for bit, on 1, 2, 3 and 4 OpenMP threads and from run
# to run: B0 for AVX2 (rows and channels split, the fused stem), B3 (split
# reductions), the custom spec for generic (odd shapes, standalone kernels).
foreach(case "b0-avx2;${E2E_SPEC};x86-64-v3;--preset;b0" "b3-avx2;${E2E_SPEC};x86-64-v3;--preset;b3"
             "custom-generic;${CMAKE_CURRENT_SOURCE_DIR}/specs/custom.yaml;generic"
             "custom-nofuse-generic;${CMAKE_CURRENT_SOURCE_DIR}/specs/custom.yaml;generic;--no-fuse")
  list(GET case 0 name)
  list(GET case 1 spec)
  list(GET case 2 target)
  list(LENGTH case length)
  set(options "")
  if(length GREATER 3)
    list(SUBLIST case 3 -1 options)
  endif()
  add_test(NAME e2e.threads-${name}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/threads_test.sh $<TARGET_FILE:effcc> ${spec}
                   ${target} ${CMAKE_CURRENT_BINARY_DIR}/threads-${name} ${options})
  set_tests_properties(e2e.threads-${name} PROPERTIES LABELS e2e TIMEOUT 600)
endforeach()
