# Fuzz targets (fuzz/fuzz_*.c). With EFFCC_FUZZ=ON (clang only) each is a
# libFuzzer binary, fuzz_TARGET; in every build with tests, replay_TARGET
# runs the seed corpus and the crash regressions as a test, so each crash
# ever found stays fixed (under the sanitizers in the sanitizer build).
#
# Every fuzz/fuzz_TARGET.c is a target. It links effcc_core, plus the
# sources a fuzz/fuzz_TARGET.cmake beside it lists in FUZZ_EXTRA_SOURCES
# (for targets over generated-folder code, such as the harness's image
# reader). Its seeds are fuzz/corpus/TARGET, its regressions
# fuzz/regressions/TARGET, its dictionary fuzz/TARGET.dict (optional).
file(GLOB EFFCC_FUZZ_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/fuzz/fuzz_*.c)
set(EFFCC_FUZZ_TARGETS "")
foreach(src IN LISTS EFFCC_FUZZ_SOURCES)
  get_filename_component(stem ${src} NAME_WE)
  string(REGEX REPLACE "^fuzz_" "" t ${stem})
  list(APPEND EFFCC_FUZZ_TARGETS ${t})
  set(FUZZ_EXTRA_SOURCES "")
  set(FUZZ_EXTRA_INCLUDES "")
  include(${CMAKE_SOURCE_DIR}/fuzz/fuzz_${t}.cmake OPTIONAL)
  if(EFFCC_FUZZ)
    add_executable(fuzz_${t} ${src} ${FUZZ_EXTRA_SOURCES})
    target_include_directories(fuzz_${t} PRIVATE ${FUZZ_EXTRA_INCLUDES})
    target_link_libraries(fuzz_${t} PRIVATE effcc_core)
    target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
  endif()
  if(EFFCC_TESTS)
    add_executable(replay_${t} ${src} ${FUZZ_EXTRA_SOURCES} ${CMAKE_SOURCE_DIR}/fuzz/replay.c)
    target_include_directories(replay_${t} PRIVATE ${FUZZ_EXTRA_INCLUDES})
    target_link_libraries(replay_${t} PRIVATE effcc_core)
    file(MAKE_DIRECTORY ${CMAKE_SOURCE_DIR}/fuzz/regressions/${t})
    add_test(NAME unit.fuzz-replay-${t}
             COMMAND replay_${t} ${CMAKE_SOURCE_DIR}/fuzz/corpus/${t}
                     ${CMAKE_SOURCE_DIR}/fuzz/regressions/${t})
    set_tests_properties(unit.fuzz-replay-${t} PROPERTIES LABELS unit)
  endif()
endforeach()
