# CMakeLists.txt for GEN_NAME.
#
GEN_PROVENANCE_HASH#
# cmake -S . -B build && cmake --build build    builds build/GEN_NAME
# Cross builds: -DCMAKE_TOOLCHAIN_FILE=…, or CC=… with CMAKE_C_FLAGS.
cmake_minimum_required(VERSION 3.13)
project(GEN_NAME C ASM)

set(CMAKE_C_STANDARD 11)
set(CMAKE_C_STANDARD_REQUIRED ON)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release)
endif()
set(GEN_NAME«»_TARGET_CFLAGS "GEN_TARGET_CFLAGS" CACHE STRING "Flags of the effcc target (GEN_TARGET)")
separate_arguments(target_flags UNIX_COMMAND "${GEN_NAME«»_TARGET_CFLAGS}")
option(GEN_NAME«»_OPENMP "Run the kernels on OpenMP threads" OFF)

add_library(GEN_NAME«»_model STATIC GEN_NAME.c GEN_NAME«»_weights.S)
target_include_directories(GEN_NAME«»_model PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_compile_options(GEN_NAME«»_model PRIVATE ${target_flags} -Wall -Wextra)
target_link_libraries(GEN_NAME«»_model PUBLIC m)
if(GEN_NAME«»_OPENMP)
  find_package(OpenMP REQUIRED)
  target_link_libraries(GEN_NAME«»_model PUBLIC OpenMP::OpenMP_C)
endif()
# The assembler finds GEN_NAME«»_weights.bin through the include path above
# (gcc and clang hand -I to it), so no path is spelled in a definition.
set_source_files_properties(GEN_NAME«»_weights.S PROPERTIES
  OBJECT_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/GEN_NAME«»_weights.bin")

add_executable(GEN_NAME main.c labels.c effcc_image.c)
target_compile_options(GEN_NAME PRIVATE ${target_flags} -Wall -Wextra)
target_link_libraries(GEN_NAME PRIVATE GEN_NAME«»_model)
