# arm-linux-gnueabihf-clang.cmake — cross-compile with clang for armv7 Linux, using the
# headers and libraries of Debian's gcc-arm-linux-gnueabihf (its sysroot /usr/arm-linux-gnueabihf).
#   cmake -S OUTDIR -B build -DCMAKE_TOOLCHAIN_FILE=<effcc>/cmake/toolchains/arm-linux-gnueabihf-clang.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER clang)
set(CMAKE_C_COMPILER_TARGET arm-linux-gnueabihf)
set(CMAKE_ASM_COMPILER clang)
set(CMAKE_ASM_COMPILER_TARGET arm-linux-gnueabihf)
set(CMAKE_FIND_ROOT_PATH /usr/arm-linux-gnueabihf)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
