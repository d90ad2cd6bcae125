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
