# Fuzz targets (fuzz/fuzz_*.c). With EFFCC_FUZZ=ON (clang only) each is a
# libFuzzer binary, fuzz_TARGET; in every build with tests, replay_TARGET
# runs the seed corpus and the crash regressions as a test, so each crash
# ever found stays fixed (under the sanitizers in the sanitizer build).
set(EFFCC_FUZZ_TARGETS spec safetensors cli)
foreach(t IN LISTS EFFCC_FUZZ_TARGETS)
  if(EFFCC_FUZZ)
    add_executable(fuzz_${t} ${CMAKE_SOURCE_DIR}/fuzz/fuzz_${t}.c)
    target_link_libraries(fuzz_${t} PRIVATE effcc_core)
    target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
  endif()
  if(EFFCC_TESTS)
    add_executable(replay_${t} ${CMAKE_SOURCE_DIR}/fuzz/fuzz_${t}.c ${CMAKE_SOURCE_DIR}/fuzz/replay.c)
    target_link_libraries(replay_${t} PRIVATE effcc_core)
    add_test(NAME unit.fuzz-replay-${t}
             COMMAND replay_${t} ${CMAKE_SOURCE_DIR}/fuzz/corpus/${t}
                     ${CMAKE_SOURCE_DIR}/fuzz/regressions/${t})
    set_tests_properties(unit.fuzz-replay-${t} PROPERTIES LABELS unit)
  endif()
endforeach()
