# Makefile for GEN_NAME.
#
GEN_PROVENANCE_HASH#
# make                       builds ./GEN_NAME with $(CC) (default cc)
# make CC=clang              another compiler; CFLAGS and LDFLAGS are honoured
# make CC=aarch64-linux-gnu-gcc   cross-compiles
# make OPENMP=1              runs the kernels on OpenMP threads (OMP_NUM_THREADS)
# make PROFILE=1             times every kernel call: ./GEN_NAME --bench N prints them
# make bench                 builds, then prints the latency of BENCH_RUNS runs (30)
# make bench BENCH_WRAPPER='qemu-aarch64 -L /usr/aarch64-linux-gnu'   the same, emulated
# TARGET_CFLAGS holds the flags of the target effcc generated for (GEN_TARGET).

CFLAGS ?= -O3 -Wall -Wextra
TARGET_CFLAGS = GEN_TARGET_CFLAGS
ifeq ($(OPENMP),1)
OPENMP_FLAGS = -fopenmp
endif
ifeq ($(PROFILE),1)
PROFILE_FLAGS = -DEFFCC_PROFILE
endif
ALL_CFLAGS = -std=c11 $(TARGET_CFLAGS) $(CFLAGS) $(OPENMP_FLAGS) $(PROFILE_FLAGS)
LDLIBS += -lm

PROGRAM = GEN_NAME
BENCH_RUNS = 30
OBJECTS = GEN_NAME.o GEN_NAME«»_weights.o main.o labels.o effcc_image.o

all: $(PROGRAM)

$(PROGRAM): $(OBJECTS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJECTS) $(LDLIBS)

# Objects remember nothing of OPENMP or PROFILE: `make clean` before switching.

GEN_NAME.o: GEN_NAME.c GEN_NAME.h effcc_runtime.h
	$(CC) $(ALL_CFLAGS) -c -o $@ GEN_NAME.c

main.o: main.c GEN_NAME.h effcc_harness.h effcc_image.h effcc_timer.h
	$(CC) $(ALL_CFLAGS) -c -o $@ main.c

labels.o: labels.c GEN_NAME.h
	$(CC) $(ALL_CFLAGS) -c -o $@ labels.c

# The harness's image decoding (stb_image, vendored: no library to link), at
# -O1: it decodes one image, outside the timed runs, and compiles in a
# quarter of -O2's time (-O3: 8 s, -O2: 2 s, -O1: 1 s with gcc 12), while a
# 1400-pixel JPEG still decodes in a few hundredths of a second.
effcc_image.o: effcc_image.c effcc_image.h stb_image.h
	$(CC) $(ALL_CFLAGS) -O1 -c -o $@ effcc_image.c

# Recipes run in this folder, where the assembler finds the weights blob by
# its plain name: no path of this folder (which may hold any character)
# ever reaches the shell.
GEN_NAME«»_weights.o: GEN_NAME«»_weights.S GEN_NAME«»_weights.bin
	$(CC) $(ALL_CFLAGS) -c -o $@ GEN_NAME«»_weights.S

bench: $(PROGRAM)
	$(BENCH_WRAPPER) ./$(PROGRAM) --bench $(BENCH_RUNS)

clean:
	rm -f $(PROGRAM) $(OBJECTS)

.PHONY: all bench clean
