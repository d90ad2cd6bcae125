# aarch64-linux-gnu-clang.cmake — cross-compile with clang for aarch64 Linux, using the
# headers and libraries of Debian's gcc-aarch64-linux-gnu (its sysroot /usr/aarch64-linux-gnu).
#   cmake -S OUTDIR -B build -DCMAKE_TOOLCHAIN_FILE=<effcc>/cmake/toolchains/aarch64-linux-gnu-clang.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER clang)
set(CMAKE_C_COMPILER_TARGET aarch64-linux-gnu)
set(CMAKE_ASM_COMPILER clang)
set(CMAKE_ASM_COMPILER_TARGET aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
