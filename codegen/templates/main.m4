/* main.c — command-line harness for GEN_NAME.
 *
GEN_PROVENANCE *
 *   ./GEN_NAME [--input FILE] [--output FILE] [--bench N]
 *
 * --input FILE   raw little-endian float32 NCHW image, GEN_IN_C x GEN_IN_H x GEN_IN_W
 *                (without it: a fixed synthetic image)
 * --output FILE  writes the GEN_CLASSES raw float32 logits
 * --bench N      runs N more times and prints
 *                "latency_ms median=… min=… max=… runs=N"; a profile build
 *                (make PROFILE=1) then prints the time of every kernel call
 * Prints the top-5 classes. Exit status 0 on success, 1 on an I/O error,
 * 2 on a usage error.
 */
#define _POSIX_C_SOURCE 200809L
#include "GEN_NAME.h"
#include "effcc_timer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INPUT_FLOATS (GEN_NAME«»_INPUT_CHANNELS * GEN_NAME«»_INPUT_HEIGHT * GEN_NAME«»_INPUT_WIDTH)
#define CLASSES GEN_NAME«»_NUM_CLASSES

static int usage(const char *argv0, FILE *to, int status)
{
    fprintf(to, "usage: %s [--input FILE] [--output FILE] [--bench N]\n", argv0);
    return status;
}

static int read_input(const char *path, float *x)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
        return 1;
    }
    size_t n = fread(x, sizeof(float), INPUT_FLOATS, f);
    int extra = fgetc(f) != EOF;
    fclose(f);
    if (n != INPUT_FLOATS || extra) {
        fprintf(stderr, "%s: expected exactly %d float32 values (%d bytes)\n", path,
                INPUT_FLOATS, INPUT_FLOATS * 4);
        return 1;
    }
    return 0;
}

static int write_output(const char *path, const float *logits)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(logits, sizeof(float), CLASSES, f) != CLASSES || fclose(f) != 0) {
        fprintf(stderr, "%s: cannot write the logits\n", path);
        return 1;
    }
    return 0;
}

/* A fixed image in [-1, 1]: a reproducible input when none is given. */
static void synthetic_input(float *x)
{
    unsigned s = 12345u;
    for (int i = 0; i < INPUT_FLOATS; i++) {
        s = s * 1103515245u + 12345u;
        x[i] = (float)((s >> 8) & 0xffff) / 32767.5f - 1.0f;
    }
}

static void print_top5(const float *logits)
{
    int best[5];
    int k = CLASSES < 5 ? CLASSES : 5;
    for (int i = 0; i < k; i++) {
        best[i] = -1;
        for (int c = 0; c < CLASSES; c++) {
            int taken = 0;
            for (int j = 0; j < i; j++)
                taken |= best[j] == c;
            if (!taken && (best[i] < 0 || logits[c] > logits[best[i]]))
                best[i] = c;
        }
        printf("top%d class %d logit %.6f\n", i + 1, best[i], logits[best[i]]);
    }
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#ifdef EFFCC_PROFILE
/* Per call: mean and fastest milliseconds, share of the total, GFLOP/s of
 * the fastest run (the steadiest figure on a busy machine). */
static void print_profile(int runs)
{
    double total = 0, total_min = 0;
    for (int i = 0; i < GEN_NAME«»_PROFILE_CALLS; i++) {
        total += GEN_NAME«»_profile_ms[i];
        total_min += GEN_NAME«»_profile_min_ms[i];
    }
    printf("%4s %9s %9s %6s %8s  %s\n", "call", "mean_ms", "min_ms", "share", "GFLOP/s",
           "layer kernel");
    for (int i = 0; i < GEN_NAME«»_PROFILE_CALLS; i++) {
        double best = GEN_NAME«»_profile_min_ms[i];
        double gflops = best > 0 ? 2 * GEN_NAME«»_profile_macs[i] / (best * 1e6) : 0;
        printf("%4d %9.4f %9.4f %5.1f%% %8.2f  %s\n", i, GEN_NAME«»_profile_ms[i] / runs, best,
               100 * GEN_NAME«»_profile_ms[i] / total, gflops, GEN_NAME«»_profile_labels[i]);
    }
    printf("total %.3f ms per run (mean), %.3f ms (sum of fastest calls)\n", total / runs,
           total_min);
}
#endif

static void bench(const float *input, float *logits, void *arena, int runs)
{
    double *t = malloc(sizeof(double) * (size_t)runs);
    if (!t) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
#ifdef EFFCC_PROFILE
    for (int i = 0; i < GEN_NAME«»_PROFILE_CALLS; i++)
        GEN_NAME«»_profile_ms[i] = GEN_NAME«»_profile_min_ms[i] = 0;
#endif
    for (int i = 0; i < runs; i++) {
        double t0 = effcc_now_ms();
        GEN_NAME«»_run(input, logits, arena);
        t[i] = effcc_now_ms() - t0;
    }
    qsort(t, (size_t)runs, sizeof(double), compare_double);
    double median = runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
    printf("latency_ms median=%.3f min=%.3f max=%.3f runs=%d\n", median, t[0], t[runs - 1],
           runs);
#ifdef EFFCC_PROFILE
    print_profile(runs);
#endif
    free(t);
}

int main(int argc, char **argv)
{
    const char *input_path = NULL, *output_path = NULL;
    int runs = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return usage(argv[0], stdout, 0);
        if (i + 1 >= argc)
            return usage(argv[0], stderr, 2);
        if (!strcmp(argv[i], "--input"))
            input_path = argv[++i];
        else if (!strcmp(argv[i], "--output"))
            output_path = argv[++i];
        else if (!strcmp(argv[i], "--bench")) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end || n < 1 || n > 1000000)
                return usage(argv[0], stderr, 2);
            runs = (int)n;
        } else
            return usage(argv[0], stderr, 2);
    }

    static float input[INPUT_FLOATS], logits[CLASSES];
    size_t arena_size = (GEN_NAME«»_ARENA_BYTES + 63) / 64 * 64;
    void *arena = aligned_alloc(64, arena_size);
    if (!arena) {
        fprintf(stderr, "cannot allocate the %zu-byte arena\n", arena_size);
        return 1;
    }
    int status = 0;
    if (input_path)
        status = read_input(input_path, input);
    else
        synthetic_input(input);
    if (status == 0) {
        GEN_NAME«»_run(input, logits, arena);
        print_top5(logits);
        if (output_path)
            status = write_output(output_path, logits);
        if (status == 0 && runs > 0)
            bench(input, logits, arena, runs);
    }
    free(arena);
    return status;
}
