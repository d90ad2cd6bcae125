# fuzz_image.c runs the generated folder's photo reader (runtime/effcc_image.c
# with the vendored stb_image.h), compiled with the fuzzer's instrumentation.
set(FUZZ_EXTRA_SOURCES ${CMAKE_SOURCE_DIR}/runtime/effcc_image.c)
set(FUZZ_EXTRA_INCLUDES ${CMAKE_SOURCE_DIR}/runtime ${CMAKE_SOURCE_DIR}/runtime/vendor)
