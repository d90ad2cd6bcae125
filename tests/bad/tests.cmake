# Bad inputs (tests/bad/): specs, command lines and weights effcc must refuse
# with the right exit status and the expected message, leaving nothing behind.
add_test(NAME cli.bad-inputs
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/bad/run.sh $<TARGET_FILE:effcc>
                 ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/bad-work)
# Sanitizer findings must not pass for an expected exit status 1.
set_tests_properties(cli.bad-inputs PROPERTIES LABELS cli TIMEOUT 600
                     ENVIRONMENT "ASAN_OPTIONS=exitcode=86;UBSAN_OPTIONS=exitcode=87:print_stacktrace=1")
