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

foreach(b 0 1 2 3)
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

# The same generated code built with clang, and with the sanitizers.
add_test(NAME e2e.b0-clang COMMAND ${CMAKE_COMMAND} -E env CC=clang
         ${E2E_SCRIPT} $<TARGET_FILE:effcc> ${CMAKE_SOURCE_DIR}
         ${CMAKE_CURRENT_BINARY_DIR}/e2e-b0-clang ${E2E_SPEC} --preset b0)
add_test(NAME e2e.phi-1-sanitized COMMAND ${CMAKE_COMMAND} -E env
         "GEN_CFLAGS=${E2E_SANITIZED_CFLAGS}"
         ${E2E_SCRIPT} $<TARGET_FILE:effcc> ${CMAKE_SOURCE_DIR}
         ${CMAKE_CURRENT_BINARY_DIR}/e2e-phi-1-sanitized ${E2E_SPEC} --phi -1)
add_test(NAME e2e.b0-sanitized COMMAND ${CMAKE_COMMAND} -E env
         "GEN_CFLAGS=${E2E_SANITIZED_CFLAGS}"
         ${E2E_SCRIPT} $<TARGET_FILE:effcc> ${CMAKE_SOURCE_DIR}
         ${CMAKE_CURRENT_BINARY_DIR}/e2e-b0-sanitized ${E2E_SPEC} --preset b0)
# effcc's synthetic weights, saved and loaded by torchvision.
add_test(NAME e2e.b1-synthetic-weights COMMAND ${CMAKE_COMMAND} -E env WEIGHTS_FROM=effcc
         ${E2E_SCRIPT} $<TARGET_FILE:effcc> ${CMAKE_SOURCE_DIR}
         ${CMAKE_CURRENT_BINARY_DIR}/e2e-b1-synthetic ${E2E_SPEC} --preset b1)
set_tests_properties(e2e.b0-clang e2e.phi-1-sanitized e2e.b0-sanitized e2e.b1-synthetic-weights
                     PROPERTIES LABELS e2e SKIP_RETURN_CODE 77 TIMEOUT 1200)
set_tests_properties(e2e.b1-synthetic-weights PROPERTIES ENVIRONMENT "${E2E_ENV}")
