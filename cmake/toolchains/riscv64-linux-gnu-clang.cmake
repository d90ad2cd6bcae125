# riscv64-linux-gnu-clang.cmake — cross-compile with clang for riscv64 Linux, using the
# headers and libraries of Debian's gcc-riscv64-linux-gnu (its sysroot /usr/riscv64-linux-gnu).
#   cmake -S OUTDIR -B build -DCMAKE_TOOLCHAIN_FILE=<effcc>/cmake/toolchains/riscv64-linux-gnu-clang.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR riscv64)
set(CMAKE_C_COMPILER clang)
set(CMAKE_C_COMPILER_TARGET riscv64-linux-gnu)
set(CMAKE_ASM_COMPILER clang)
set(CMAKE_ASM_COMPILER_TARGET riscv64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH /usr/riscv64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
