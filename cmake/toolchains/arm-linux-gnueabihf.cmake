# arm-linux-gnueabihf.cmake — cross-compile with Debian's gcc-arm-linux-gnueabihf for armv7 Linux.
#   cmake -S OUTDIR -B build -DCMAKE_TOOLCHAIN_FILE=<effcc>/cmake/toolchains/arm-linux-gnueabihf.cmake
# Works for effcc's generated folders (and for effcc itself). The programs
# run on the board, or here under qemu-user: qemu-arm -L /usr/arm-linux-gnueabihf ./model
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-linux-gnueabihf-gcc)
set(CMAKE_ASM_COMPILER arm-linux-gnueabihf-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/arm-linux-gnueabihf)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
