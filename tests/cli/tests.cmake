# Command-line behaviour: exit codes, located errors, atomic and reproducible output.
add_test(NAME cli.errors-and-output
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/cli_test.sh $<TARGET_FILE:effcc>
                 ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/cli-work)
# Sanitizer findings must not pass for an expected exit status 1.
set_tests_properties(cli.errors-and-output PROPERTIES LABELS cli TIMEOUT 600
                     ENVIRONMENT "ASAN_OPTIONS=exitcode=86;UBSAN_OPTIONS=exitcode=87:print_stacktrace=1")
# A compile killed with SIGKILL while writing B7: no OUTDIR, or the old one intact.
add_test(NAME cli.killed-compile
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/kill_test.sh $<TARGET_FILE:effcc>
                 ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/kill-work)
set_tests_properties(cli.killed-compile PROPERTIES LABELS cli TIMEOUT 600)
# User text (paths, names, class names) with every macro name m4 knows stays
# data: verbatim in the files, nothing run, the folder builds.
add_test(NAME cli.hostile-user-text
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/hostile_test.sh $<TARGET_FILE:effcc>
                 ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/hostile-work)
set_tests_properties(cli.hostile-user-text PROPERTIES LABELS cli TIMEOUT 900)
if(EFFCC_SANITIZE) # effcc under the sanitizers; the folders build in the main build
  set_tests_properties(cli.hostile-user-text PROPERTIES ENVIRONMENT HOSTILE_BUILD=0)
endif()
# The generated program's command line: unwritable output, the files it
# reads (FIFOs, sizes, pixel limit), usage errors (tests/cli/harness_test.sh).
add_test(NAME cli.harness
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/harness_test.sh $<TARGET_FILE:effcc>
                 ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/harness-work)
set_tests_properties(cli.harness PROPERTIES LABELS cli TIMEOUT 600 SKIP_RETURN_CODE 77)
