# effcc scale end to end on the tiny custom spec: the --runner path, resume,
# the default runner with every budget, the files it writes, its errors.
add_test(NAME scale.search
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/scale/scale_test.sh $<TARGET_FILE:effcc>
                 ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/scale-work)
set_tests_properties(scale.search PROPERTIES LABELS scale TIMEOUT 900 SKIP_RETURN_CODE 77)
