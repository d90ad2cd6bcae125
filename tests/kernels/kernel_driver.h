/* kernel_driver.h — what kernel_cases.c (on the host) shares with the
 * program it writes (kernels_main.c, built for the target and run there,
 * maybe under an emulator): the seeded numbers, the error measure and,
 * with KERNEL_DRIVER defined, the program's main loop.
 *
 * The program runs every case once on its seeded input and measures its
 * output against the reference in place, so only a line per case leaves
 * an emulated machine (Bochs returns files over a serial port: the whole
 * outputs, 8 MB, would take two minutes). kernel_cases check judges the
 * lines. */
#ifndef KERNEL_DRIVER_H
#define KERNEL_DRIVER_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* xorshift64* (Vigna). A draw keeps 24 bits and scales them by a power of
 * two, exact in float: a value in [−1, 1), the same bits on every machine. */
static inline float kernel_rng(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    int32_t bits = (int32_t)((x * UINT64_C(0x2545F4914F6CDD1D)) >> 40);
    return (float)(bits - (1 << 23)) * (1.0f / (float)(1 << 23));
}

static inline uint64_t kernel_rng_seed(uint64_t seed)
{
    return seed * UINT64_C(0x9E3779B97F4A7C15) + 1;
}

/* The largest |out − ref| (infinite at a NaN) and the largest |ref|. */
static inline void kernel_error(const float *ref, const float *out, size_t n, double *diff,
                                double *scale)
{
    *diff = *scale = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)out[i] - (double)ref[i]), r = fabs((double)ref[i]);
        *diff = d != d ? INFINITY : d > *diff ? d : *diff;
        *scale = r > *scale ? r : *scale;
    }
}

#ifdef KERNEL_DRIVER
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;
    void (*run)(const float *input, float *output, void *arena); /* NAME_run */
    size_t in, out, arena; /* floats in and out, NAME_ARENA_BYTES */
    uint64_t seed;
} KernelCase;

#define KERNEL_GUARD 256 /* bytes past the arena and the output that must stay as they were */

static int kernel_untouched(const unsigned char *p)
{
    for (int i = 0; i < KERNEL_GUARD; i++)
        if (p[i] != 0xff)
            return 0;
    return 1;
}

/* One case: arena and output start as NaN (0xff bytes), so a value read
 * before any kernel wrote it shows in the output. Writes "NAME FLOATS
 * DIFF SCALE GUARD" (GUARD: ok, or what was written past its end). */
static int kernel_run_case(const KernelCase *c, const float *ref, FILE *report)
{
    size_t arena_bytes = (c->arena + KERNEL_GUARD + 63) / 64 * 64;
    float *in = malloc(c->in * sizeof(float));
    unsigned char *out = malloc(c->out * sizeof(float) + KERNEL_GUARD);
    unsigned char *arena = aligned_alloc(64, arena_bytes);
    if (!in || !out || !arena) {
        fprintf(stderr, "%s: out of memory\n", c->name);
        return 1;
    }
    uint64_t state = kernel_rng_seed(c->seed);
    for (size_t j = 0; j < c->in; j++)
        in[j] = kernel_rng(&state);
    memset(out, 0xff, c->out * sizeof(float) + KERNEL_GUARD);
    memset(arena, 0xff, arena_bytes);
    c->run(in, (float *)out, arena);
    float *got = malloc(c->out * sizeof(float));
    if (!got) {
        fprintf(stderr, "%s: out of memory\n", c->name);
        return 1;
    }
    memcpy(got, out, c->out * sizeof(float)); /* aligned for float reads */
    double diff, scale;
    kernel_error(ref, got, c->out, &diff, &scale);
    const char *guard = !kernel_untouched(arena + c->arena)                  ? "arena"
                        : !kernel_untouched(out + c->out * sizeof(float)) ? "output"
                                                                            : "ok";
    fprintf(report, "%s %zu %.9g %.9g %s\n", c->name, c->out, diff, scale, guard);
    free(got);
    free(in);
    free(out);
    free(arena);
    return 0;
}

/* kernels REF.f32 REPORT: every case against its reference (ref.f32 holds
 * them all, in order). */
static int kernel_driver(const KernelCase *cases, size_t count, int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s REF.f32 REPORT\n", argv[0]);
        return 2;
    }
    size_t total = 0;
    for (size_t i = 0; i < count; i++)
        total += cases[i].out;
    float *ref = malloc(total * sizeof(float) + 1);
    FILE *f = fopen(argv[1], "rb");
    if (!ref || !f || fread(ref, sizeof(float), total, f) != total || fgetc(f) != EOF) {
        fprintf(stderr, "%s: cannot read %zu floats from %s\n", argv[0], total, argv[1]);
        return 1;
    }
    fclose(f);
    FILE *report = fopen(argv[2], "w");
    if (!report) {
        fprintf(stderr, "%s: cannot write %s\n", argv[0], argv[2]);
        return 1;
    }
    int status = 0;
    for (size_t i = 0, at = 0; i < count && !status; at += cases[i++].out)
        status = kernel_run_case(&cases[i], ref + at, report);
    free(ref);
    return fclose(report) != 0 || status;
}
#endif

#endif
