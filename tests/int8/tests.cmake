# int8 (docs/int8.md): ir/quant.c's arithmetic against LiteRT's reference
# interpreter (tests/int8/litert_ops.py), op by op on random cases, with 0
# differences allowed; int8.litert-mutants also shows that deliberate errors
# (single rounding, ADD's scale in float, …) are caught. Label e2e; they need
# the venv of tests/int8/venv.sh and skip (77) without it, unless CI=true.
add_executable(quant_cases ${CMAKE_CURRENT_SOURCE_DIR}/int8/quant_cases.c)
target_link_libraries(quant_cases PRIVATE effcc_core)

set(INT8_SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/int8/litert_ops_test.sh)
add_test(NAME int8.litert-ops
         COMMAND ${INT8_SCRIPT} $<TARGET_FILE:quant_cases> ${CMAKE_SOURCE_DIR}
                 ${CMAKE_CURRENT_BINARY_DIR}/int8-litert-ops)
add_test(NAME int8.litert-mutants
         COMMAND ${INT8_SCRIPT} $<TARGET_FILE:quant_cases> ${CMAKE_SOURCE_DIR}
                 ${CMAKE_CURRENT_BINARY_DIR}/int8-litert-mutants --mutants)
set_tests_properties(int8.litert-ops int8.litert-mutants PROPERTIES LABELS e2e
                     SKIP_RETURN_CODE 77 TIMEOUT 600)

# Whole models (tests/int8/model_test.py): effcc run --quantize int8 on
# Lite0 at resolution 64 and B0 at 57 with seeded weights, and on Lite0 with
# its released weights when tools/venv.sh's venv has them, against the same
# model exported by tools/tflite_export.py and run by LiteRT BUILTIN_REF:
# the logits and every intermediate value (int8_values.c) equal, 0
# differences allowed; deliberate changes to the exported model must be seen.
add_executable(int8_values ${CMAKE_CURRENT_SOURCE_DIR}/int8/int8_values.c
                           ${CMAKE_SOURCE_DIR}/driver/int8.c ${CMAKE_SOURCE_DIR}/driver/int8_auto.c)
target_link_libraries(int8_values PRIVATE effcc_core)
add_test(NAME int8.litert-models
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/int8/model_test.sh $<TARGET_FILE:effcc>
                 $<TARGET_FILE:int8_values> ${CMAKE_SOURCE_DIR}
                 ${CMAKE_CURRENT_BINARY_DIR}/int8-litert-models)
set_tests_properties(int8.litert-models PROPERTIES LABELS e2e SKIP_RETURN_CODE 77 TIMEOUT 900)
if(EFFCC_SANITIZE) # effcc under ASan: the seeded models (the released Lite0 runs at 224 px)
  set_tests_properties(int8.litert-models PROPERTIES ENVIRONMENT "INT8_SEEDED_ONLY=1")
endif()

# Generated int8 code (tests/int8/codegen_test.sh) against effcc run
# --quantize int8 on every target: B0 at 57 (swish, SE, residuals, odd
# sizes) and Lite0 at 64 (ReLU6 clamps), seeded weights; the logits must
# be the same bytes. Native targets are label e2e, emulated ones cross; the
# second compiler of a target and Bochs (slow) run B0 only, which has every
# op Lite0 has but the ReLU6 clamp.
set(INT8_CODEGEN ${CMAKE_CURRENT_SOURCE_DIR}/int8/codegen_test.sh)
set(INT8_SPECS "b0|${CMAKE_SOURCE_DIR}/examples/efficientnet.yaml|b0|57"
               "lite0|${CMAKE_SOURCE_DIR}/examples/efficientnet-lite.yaml|lite0|64")
function(effcc_int8_codegen target labels env)
  set(specs ${INT8_SPECS})
  if(ARGN) # the models to run, when not all
    set(specs ${ARGN})
  endif()
  foreach(entry ${specs})
    string(REPLACE "|" ";" f "${entry}")
    list(GET f 0 tag)
    list(GET f 1 spec)
    list(GET f 2 preset)
    list(GET f 3 res)
    add_test(NAME int8.codegen-${tag}-${target}
             COMMAND ${CMAKE_COMMAND} -E env ${env}
                     ${INT8_CODEGEN} $<TARGET_FILE:effcc> ${CMAKE_SOURCE_DIR}
                     ${CMAKE_CURRENT_BINARY_DIR}/int8-codegen-${tag}-${target} ${spec}
                     --preset ${preset} --resolution ${res})
    set_tests_properties(int8.codegen-${tag}-${target} PROPERTIES LABELS "${labels}"
                         SKIP_RETURN_CODE 77 TIMEOUT 900)
  endforeach()
endfunction()
set(INT8_QEMU_AARCH64 "qemu-aarch64 -L /usr/aarch64-linux-gnu")
# In the sanitizer build the generic code is built and run under ASan and
# UBSan too.
set(INT8_GENERIC "TARGET=generic")
if(EFFCC_SANITIZE)
  set(INT8_GENERIC "TARGET=generic;GEN_CFLAGS=-O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=all")
endif()
effcc_int8_codegen(generic e2e "${INT8_GENERIC}")
list(GET INT8_SPECS 0 INT8_B0)
if(NOT EFFCC_SANITIZE) # a variant of generated code, the same effcc
  effcc_int8_codegen(generic-clang e2e "TARGET=generic;CC=clang" ${INT8_B0})
endif()
# In the sanitizer build the AVX2 code runs under ASan and UBSan too (its
# depthwise kernels index rows of tap pairs and rings in the scratch).
set(INT8_X86 "TARGET=x86-64-v3;REQUIRE_CPU=avx2")
if(EFFCC_SANITIZE)
  set(INT8_X86 "${INT8_X86};GEN_CFLAGS=-O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=all")
endif()
effcc_int8_codegen(x86-64-v3 e2e "${INT8_X86}")
# The custom spec's small preset: channel counts that are multiples of 8 but
# not of 16 (the SE gate and a depthwise conv on 24), squeeze layers of 4,
# 6 and 10 channels (the 1x1 kernel's tails), kernels 3, 5 and 7.
effcc_int8_codegen(x86-64-v3 e2e "${INT8_X86}"
                   "custom|${CMAKE_SOURCE_DIR}/tests/specs/custom.yaml|small|65")
# At 224 px the stem and the large expansions (at least 256 KiB) are fused
# into their depthwise kernels, and the SE gate into the projection. Not in
# the sanitizer build: there effcc's own int8 evaluation of a 224 px model
# takes four minutes, and the code it runs is the smaller models' code.
if(NOT EFFCC_SANITIZE)
  set(INT8_FUSED "b0-224|${CMAKE_SOURCE_DIR}/examples/efficientnet.yaml|b0|224"
                 "lite0-224|${CMAKE_SOURCE_DIR}/examples/efficientnet-lite.yaml|lite0|224")
  # B0 on x86-64-v3 on two threads below: the same code with its splits.
  list(GET INT8_FUSED 0 INT8_B0_FUSED)
  list(GET INT8_FUSED 1 INT8_LITE0_FUSED)
  effcc_int8_codegen(x86-64-v3 e2e "TARGET=x86-64-v3;REQUIRE_CPU=avx2" ${INT8_LITE0_FUSED})
  effcc_int8_codegen(generic e2e "${INT8_GENERIC}" ${INT8_FUSED})
  effcc_int8_codegen(aarch64 cross "TARGET=aarch64;CC=aarch64-linux-gnu-gcc;RUNNER=${INT8_QEMU_AARCH64}"
                     ${INT8_B0_FUSED})
  effcc_int8_codegen(x86-64-v3-2threads e2e
                     "TARGET=x86-64-v3;REQUIRE_CPU=avx2;MAKE_FLAGS=OPENMP=1;OMP_NUM_THREADS=2" ${INT8_B0_FUSED})
endif()
# B7, the deepest and widest preset, at 64 px (label slow): its shapes come
# from the same code as B0's; tools/int8_presets.sh runs every preset.
if(NOT EFFCC_SANITIZE)
  effcc_int8_codegen(x86-64-v3 slow "TARGET=x86-64-v3;REQUIRE_CPU=avx2;GEN_CFLAGS=-O1 -Wall -Wextra -Werror"
                     "b7-64|${CMAKE_SOURCE_DIR}/examples/efficientnet.yaml|b7|64")
endif()
# The VNNI path (vpdpbusd, two pair steps at a time) on this AVX2 machine:
# tests/int8/vnni_shim.h computes vpdpbusd in C and declares VNNI, so the
# generated code takes that path with every other instruction native. The
# stem's 27 inputs leave an odd pair step and an odd input after the quads.
# (_POSIX_C_SOURCE on the command line: the shim's headers come first.) A
# variant of generated code: not again in the sanitizer build.
if(NOT EFFCC_SANITIZE)
  effcc_int8_codegen(x86-64-v3-vnni-shim e2e
                     "TARGET=x86-64-v3;REQUIRE_CPU=avx2;GEN_CFLAGS=-O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -include ${CMAKE_CURRENT_SOURCE_DIR}/int8/vnni_shim.h")
endif()
# clang builds the AVX2 1x1 step from intrinsics (GCC from asm); OpenMP
# splits every kernel's rows or pixels between threads. Generated-code
# variants: not again in the sanitizer build, whose effcc is the same.
if(NOT EFFCC_SANITIZE)
  effcc_int8_codegen(x86-64-v3-clang e2e "TARGET=x86-64-v3;REQUIRE_CPU=avx2;CC=clang" ${INT8_B0})
  effcc_int8_codegen(x86-64-v3-2threads e2e
                     "TARGET=x86-64-v3;REQUIRE_CPU=avx2;MAKE_FLAGS=OPENMP=1;OMP_NUM_THREADS=2" ${INT8_B0})
endif()
effcc_int8_codegen(aarch64 cross "TARGET=aarch64;CC=aarch64-linux-gnu-gcc;RUNNER=${INT8_QEMU_AARCH64}")
effcc_int8_codegen(aarch64-clang cross
                   "TARGET=aarch64;CC=clang;GEN_CFLAGS=--target=aarch64-linux-gnu -O3 -Wall -Wextra -Werror;RUNNER=${INT8_QEMU_AARCH64}"
                   ${INT8_B0})
# The dot-product extension (sdot), built as a user with a Cortex-A55/A76
# would build it; qemu's max CPU (QEMU_CPU) has it. The stem's 27 inputs leave an odd
# last pair step after the quads.
effcc_int8_codegen(aarch64-dotprod cross
                   "TARGET=aarch64;CC=aarch64-linux-gnu-gcc;MAKE_FLAGS=TARGET_CFLAGS=-march=armv8.2-a+dotprod;QEMU_CPU=max;RUNNER=${INT8_QEMU_AARCH64}")
effcc_int8_codegen(armv7 cross "TARGET=armv7;CC=arm-linux-gnueabihf-gcc;RUNNER=qemu-arm -L /usr/arm-linux-gnueabihf")
effcc_int8_codegen(riscv64 cross "TARGET=riscv64;CC=riscv64-linux-gnu-gcc;RUNNER=qemu-riscv64 -L /usr/riscv64-linux-gnu")
# --keep-float: float islands (codegen/kernels_island.c) inside the int8
# code, the same bytes as effcc run. B0 keeps a depthwise conv (int8 in,
# float out, an int8 reader), the SE of a block (mean and scale, and fc1
# with its swish: float reading float), a residual add that a kept
# expansion (float) and the next add (int8) both read, and the head's swish,
# pool and classifier (float logits); Lite0 a conv with its ReLU6 and an add.
# The generic code runs under the sanitizers in the sanitizer build.
set(INT8_B0_KEEP "b0-keepfloat|${CMAKE_SOURCE_DIR}/examples/efficientnet.yaml|b0|57")
set(INT8_B0_KEEP_ENV "KEEP_FLOAT=features.1.0.block.0.0,features.2.0.block.2,features.2.0.block.2.fc1,features.4.1.block,features.4.2.block.0.0,features.8.1,avgpool,classifier.1")
# The generic run adds --keep-float auto:28 (driver/int8_auto.c), which keeps
# 49 more layers (the logits from 24.5 dB against float to 28.7). Under the
# sanitizers, whose evaluator is slow (its search took 124 s there), auto:20,
# which the named layers already reach: ranked, measured once, none added.
set(INT8_B0_AUTO "auto:28")
if(EFFCC_SANITIZE)
  set(INT8_B0_AUTO "auto:20")
endif()
effcc_int8_codegen(generic e2e "${INT8_GENERIC};${INT8_B0_KEEP_ENV},${INT8_B0_AUTO}" ${INT8_B0_KEEP})
if(NOT EFFCC_SANITIZE) # the same effcc: its output on the SIMD and cross targets once
  effcc_int8_codegen(x86-64-v3 e2e "TARGET=x86-64-v3;REQUIRE_CPU=avx2;${INT8_B0_KEEP_ENV}" ${INT8_B0_KEEP})
  effcc_int8_codegen(aarch64 cross "TARGET=aarch64;CC=aarch64-linux-gnu-gcc;RUNNER=${INT8_QEMU_AARCH64};${INT8_B0_KEEP_ENV}"
                     ${INT8_B0_KEEP})
  effcc_int8_codegen(x86-64-v3 e2e "TARGET=x86-64-v3;REQUIRE_CPU=avx2;KEEP_FLOAT=features.1.0.block.0.0,features.3.1.block"
                     "lite0-keepfloat|${CMAKE_SOURCE_DIR}/examples/efficientnet-lite.yaml|lite0|64")
endif()
effcc_int8_codegen(x86-64-v4-bochs cross
                   "TARGET=x86-64-v4;RUNNER=${CMAKE_SOURCE_DIR}/tools/bochs/run-x86-64-v4.sh;RUNNER_FILES=1;RUNNER_NEEDS=bochs;MAKE_FLAGS=LDFLAGS=-static"
                   ${INT8_B0})
