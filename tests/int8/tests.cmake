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
                           ${CMAKE_SOURCE_DIR}/driver/int8.c)
target_link_libraries(int8_values PRIVATE effcc_core)
add_test(NAME int8.litert-models
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/int8/model_test.sh $<TARGET_FILE:effcc>
                 $<TARGET_FILE:int8_values> ${CMAKE_SOURCE_DIR}
                 ${CMAKE_CURRENT_BINARY_DIR}/int8-litert-models)
set_tests_properties(int8.litert-models PROPERTIES LABELS e2e SKIP_RETURN_CODE 77 TIMEOUT 900)
