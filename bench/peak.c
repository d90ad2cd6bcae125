/* peak.c — this machine's single-core multiply-add peak, in GFLOP/s, and
 * with AVX2 its int8 peak through vpmaddwd, in GOP/s.
 *
 *   cc -O2 -march=native bench/peak.c -o peak && ./peak
 *
 * Runs 12 independent chains of vector FMAs (enough to hide the FMA latency
 * on every x86 and Arm core we target) for about 0.2 s, five times, and
 * prints the best rate: the ceiling the benchmark's "% of peak" refers to.
 * The vector width is the widest the compiler targets (AVX-512, AVX2 or
 * 128-bit), through GNU C vector types. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>

#if defined(__AVX512F__)
#define LANES 16
#elif defined(__AVX__)
#define LANES 8
#else
#define LANES 4
#endif
typedef float vec __attribute__((vector_size(LANES * 4)));

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(void)
{
    vec acc[12], a, b;
    for (int i = 0; i < LANES; i++) {
        a[i] = 0.999999f;
        b[i] = 1e-7f;
    }
    for (int j = 0; j < 12; j++)
        acc[j] = b * (float)j;
    const long iterations = 20000000;
    double best = 0;
    for (int round = 0; round < 5; round++) {
        double t0 = now();
        for (long i = 0; i < iterations; i++) {
#pragma GCC unroll 12
            for (int j = 0; j < 12; j++)
                acc[j] = acc[j] * a + b;
        }
        double rate = 2.0 * LANES * 12 * (double)iterations / (now() - t0) / 1e9;
        if (rate > best)
            best = rate;
    }
    float sink = 0;
    for (int j = 0; j < 12; j++)
        sink += acc[j][0];
    printf("peak_gflops=%.1f lanes=%d (checksum %g)\n", best, LANES, (double)sink);
#if defined(__AVX2__) && defined(__GNUC__)
    /* The int8 kernels' step: vpmaddwd (16 int16 products summed in pairs)
     * then vpaddd, 8 independent of each other, in asm so the compiler
     * cannot merge the identical products; 2 operations a multiply-add. */
    double best8 = 0;
    for (int round = 0; round < 5; round++) {
        double t0 = now();
        for (long i = 0; i < iterations; i++)
            __asm__ volatile(
                "vpmaddwd %%ymm14, %%ymm15, %%ymm0\n\tvpmaddwd %%ymm14, %%ymm15, %%ymm1\n\t"
                "vpmaddwd %%ymm14, %%ymm15, %%ymm2\n\tvpmaddwd %%ymm14, %%ymm15, %%ymm3\n\t"
                "vpmaddwd %%ymm14, %%ymm15, %%ymm4\n\tvpmaddwd %%ymm14, %%ymm15, %%ymm5\n\t"
                "vpmaddwd %%ymm14, %%ymm15, %%ymm6\n\tvpmaddwd %%ymm14, %%ymm15, %%ymm7\n\t"
                "vpaddd %%ymm0, %%ymm8, %%ymm8\n\tvpaddd %%ymm1, %%ymm9, %%ymm9\n\t"
                "vpaddd %%ymm2, %%ymm10, %%ymm10\n\tvpaddd %%ymm3, %%ymm11, %%ymm11\n\t"
                "vpaddd %%ymm4, %%ymm8, %%ymm8\n\tvpaddd %%ymm5, %%ymm9, %%ymm9\n\t"
                "vpaddd %%ymm6, %%ymm10, %%ymm10\n\tvpaddd %%ymm7, %%ymm11, %%ymm11"
                ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
                    "xmm9", "xmm10", "xmm11");
        double rate = 2.0 * 16 * 8 * (double)iterations / (now() - t0) / 1e9;
        if (rate > best8)
            best8 = rate;
    }
    printf("peak_int8_gops=%.1f (AVX2 vpmaddwd + vpaddd)\n", best8);
#endif
    return 0;
}
