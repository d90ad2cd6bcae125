# riscv64-linux-gnu.cmake — cross-compile with Debian's gcc-riscv64-linux-gnu for riscv64 Linux.
#   cmake -S OUTDIR -B build -DCMAKE_TOOLCHAIN_FILE=<effcc>/cmake/toolchains/riscv64-linux-gnu.cmake
# Works for effcc's generated folders (and for effcc itself). The programs
# run on the board, or here under qemu-user: qemu-riscv64 -L /usr/riscv64-linux-gnu ./model
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR riscv64)
set(CMAKE_C_COMPILER riscv64-linux-gnu-gcc)
set(CMAKE_ASM_COMPILER riscv64-linux-gnu-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/riscv64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
