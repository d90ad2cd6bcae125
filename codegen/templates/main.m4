/* main.c — command-line harness for GEN_NAME.
 *
GEN_PROVENANCE *
 *   ./GEN_NAME [--image FILE | --input FILE] [--output FILE] [--save-input FILE] [--bench N]
 *
 * --image FILE   a PNG or JPEG photo: centre-cropped, resized to GEN_IN_H x GEN_IN_W and
 *                normalised as the model was trained (effcc_image.c)
 * --input FILE   raw little-endian float32 NCHW image, GEN_IN_C x GEN_IN_H x GEN_IN_W
 *                (with neither: a fixed synthetic image)
 * --output FILE  writes the GEN_CLASSES raw float32 logits
 * --save-input FILE  writes the float32 input the model ran on
 * --info         prints the sizes the model needs (arena, weights, input,
 *                output) and exits; report.txt beside this file has the rest
 * --poison       fills the arena with NaN before every run: a test that the
 *                model reads nothing it did not write first
 * --bench N      runs N more times and prints
 *                "latency_ms median=… min=… max=… runs=N"; a profile build
 *                (make PROFILE=1) then prints the time of every kernel call
 * Prints the top-5 classes: "top1 class 281 logit 9.876543 p 0.8123 tabby"
 * (p from a softmax over the logits; the name when labels.c has one).
 * Exit status 0 on success, 1 on an I/O error (a file it cannot read, or
 * output it cannot write, standard output included), 2 on a usage error.
 * The arguments are parsed by effcc_harness.h, which also reads the files:
 * regular files only (--image at most EFFCC_IMAGE_MAX_BYTES, --input exactly
 * the input's size), checked before reading.
 */
#define _POSIX_C_SOURCE 200809L
#include "GEN_NAME.h"
#include "effcc_harness.h"
#include "effcc_image.h"
#include "effcc_timer.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* size_t: C x H x W passes INT_MAX from about 26,800 pixels square */
#define INPUT_FLOATS \
    ((size_t)GEN_NAME«»_INPUT_CHANNELS * GEN_NAME«»_INPUT_HEIGHT * GEN_NAME«»_INPUT_WIDTH)
#define CLASSES GEN_NAME«»_NUM_CLASSES

/* labels.c: a name per class, or NULL where none is known. */
extern const char *const GEN_NAME«»_class_names[CLASSES];

static int print_info(void)
{
    printf("arena_bytes=%lu\nweights_bytes=%lu\ninput=%dx%dx%d\nclasses=%d\n",
           (unsigned long)GEN_NAME«»_ARENA_BYTES, (unsigned long)GEN_NAME«»_WEIGHTS_BYTES,
           GEN_NAME«»_INPUT_CHANNELS, GEN_NAME«»_INPUT_HEIGHT, GEN_NAME«»_INPUT_WIDTH, CLASSES);
    return 0;
}

/* NaN in every float of the arena (all bits set is a quiet NaN). */
static void poison_arena(void *arena, int poison)
{
    if (poison)
        memset(arena, 0xff, GEN_NAME«»_ARENA_BYTES);
}

static int usage(const char *prog, FILE *to, int status)
{
    fprintf(to, "usage: %s [--image FILE | --input FILE] [--output FILE] [--save-input FILE] "
                "[--bench N] [--poison] [--info]\n", prog);
    return status;
}

static int read_image(const char *path, float *x)
{
    static const float mean[] = GEN_NAME«»_INPUT_MEAN, std[] = GEN_NAME«»_INPUT_STD;
    char err[512];
    size_t len;
    if (GEN_NAME«»_INPUT_HEIGHT != GEN_NAME«»_INPUT_WIDTH) {
        fprintf(stderr, "%s: --image needs a square input\n", path);
        return 1;
    }
    unsigned char *data = effcc_read_regular(path, EFFCC_IMAGE_MAX_BYTES, &len, err, sizeof err);
    if (!data) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int status = effcc_image_decode(data, len, EFFCC_IMAGE_MAX_PIXELS, GEN_NAME«»_INPUT_CHANNELS,
                                    GEN_NAME«»_INPUT_HEIGHT, mean, std, x, err, sizeof err);
    free(data);
    if (status != 0) {
        fprintf(stderr, "%s: %s\n", path, err);
        return 1;
    }
    return 0;
}

static int read_input(const char *path, float *x)
{
    char err[512];
    size_t len;
    unsigned char *data = effcc_read_regular(path, sizeof(float) * INPUT_FLOATS, &len, err,
                                             sizeof err);
    if (!data) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    if (len != sizeof(float) * INPUT_FLOATS) {
        fprintf(stderr, "%s: expected exactly %zu float32 values (%zu bytes)\n", path,
                INPUT_FLOATS, INPUT_FLOATS * sizeof(float));
        free(data);
        return 1;
    }
    memcpy(x, data, len);
    free(data);
    return 0;
}

static int write_floats(const char *path, const float *x, size_t n, const char *what)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(x, sizeof(float), n, f) == n;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok) {
        fprintf(stderr, "%s: cannot write the %s\n", path, what);
        return 1;
    }
    return 0;
}

/* A fixed image in [-1, 1]: a reproducible input when none is given. */
static void synthetic_input(float *x)
{
    unsigned s = 12345u;
    for (size_t i = 0; i < INPUT_FLOATS; i++) {
        s = s * 1103515245u + 12345u;
        x[i] = (float)((s >> 8) & 0xffff) / 32767.5f - 1.0f;
    }
}

static void print_top5(const float *logits)
{
    int best[5];
    int k = CLASSES < 5 ? CLASSES : 5;
    double top = logits[0], sum = 0.0;
    for (int c = 1; c < CLASSES; c++)
        top = logits[c] > top ? logits[c] : top;
    for (int c = 0; c < CLASSES; c++)
        sum += exp(logits[c] - top);
    for (int i = 0; i < k; i++) {
        best[i] = -1;
        for (int c = 0; c < CLASSES; c++) {
            int taken = 0;
            for (int j = 0; j < i; j++)
                taken |= best[j] == c;
            if (!taken && (best[i] < 0 || logits[c] > logits[best[i]]))
                best[i] = c;
        }
        const char *name = GEN_NAME«»_class_names[best[i]];
        printf("top%d class %d logit %.6f p %.4f%s%s\n", i + 1, best[i], logits[best[i]],
               exp(logits[best[i]] - top) / sum, name ? " " : "", name ? name : "");
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

static int bench(const float *input, float *logits, void *arena, int runs, int poison)
{
    double *t = malloc(sizeof(double) * (size_t)runs);
    if (!t) {
        fprintf(stderr, "out of memory for %d timings\n", runs);
        return 1;
    }
#ifdef EFFCC_PROFILE
    for (int i = 0; i < GEN_NAME«»_PROFILE_CALLS; i++)
        GEN_NAME«»_profile_ms[i] = GEN_NAME«»_profile_min_ms[i] = 0;
#endif
    for (int i = 0; i < runs; i++) {
        double t0 = effcc_now_ms();
        GEN_NAME«»_run(input, logits, arena);
        t[i] = effcc_now_ms() - t0;
        poison_arena(arena, poison); /* outside the timed part */
    }
    qsort(t, (size_t)runs, sizeof(double), compare_double);
    double median = runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
    printf("latency_ms median=%.3f min=%.3f max=%.3f runs=%d\n", median, t[0], t[runs - 1],
           runs);
#ifdef EFFCC_PROFILE
    print_profile(runs);
#endif
    free(t);
    return 0;
}

/* The run the arguments ask for; returns the exit status. */
static int run(const EffccArgs *args)
{
    static float input[INPUT_FLOATS], logits[CLASSES];
    size_t arena_size = (GEN_NAME«»_ARENA_BYTES + 63) / 64 * 64;
    void *arena = aligned_alloc(64, arena_size);
    if (!arena) {
        fprintf(stderr, "cannot allocate the %zu-byte arena\n", arena_size);
        return 1;
    }
    int status = 0;
    if (args->input)
        status = read_input(args->input, input);
    else if (args->image)
        status = read_image(args->image, input);
    else
        synthetic_input(input);
    if (status == 0 && args->save_input)
        status = write_floats(args->save_input, input, INPUT_FLOATS, "input");
    if (status == 0) {
        poison_arena(arena, args->poison);
        GEN_NAME«»_run(input, logits, arena);
        print_top5(logits);
        if (args->output)
            status = write_floats(args->output, logits, CLASSES, "logits");
        if (status == 0 && args->runs > 0)
            status = bench(input, logits, arena, args->runs, args->poison);
    }
    free(arena);
    return status;
}

/* Output that never arrived is a failure (a full disk, > /dev/full): the
 * buffered rest is written and stdout closed, and an error exits 1. */
static int close_stdout(const char *prog, int status)
{
    int err = fflush(stdout) != 0 ? errno : 0;
    int failed = err != 0 || ferror(stdout);
    if (fclose(stdout) != 0 && !failed) {
        err = errno;
        failed = 1;
    }
    if (!failed)
        return status;
    fprintf(stderr, "%s: cannot write the standard output%s%s\n", prog, err ? ": " : "",
            err ? strerror(err) : "");
    return 1;
}

int main(int argc, char **argv)
{
    const char *prog = argc > 0 && argv[0] ? argv[0] : "GEN_NAME";
    EffccArgs args;
    int status;
    switch (effcc_harness_parse(&args, argc, argv)) {
    case EFFCC_HELP:
        status = usage(prog, stdout, 0);
        break;
    case EFFCC_INFO:
        status = print_info();
        break;
    case EFFCC_USAGE_ERROR:
        fprintf(stderr, "%s: %s%s%s\n", prog, args.error, args.arg ? ": " : "",
                args.arg ? args.arg : "");
        status = usage(prog, stderr, 2);
        break;
    default:
        status = run(&args);
        break;
    }
    return close_stdout(prog, status);
}
