# fuzz_harness.c parses with the generated folder's runtime/effcc_harness.h
# (header-only).
set(FUZZ_EXTRA_SOURCES "")
set(FUZZ_EXTRA_INCLUDES ${CMAKE_SOURCE_DIR}/runtime)
