/* cli.c — the effcc command line, parsed into Options.
 *
 * cli_parse never exits: --help and --version print and return 0, a usage
 * error prints its message and the usage on stderr and returns 2, and -1
 * means "run o->command". That keeps the parser a library function the
 * fuzzer (fuzz/fuzz_cli.c) can call as often as it likes. getopt_long's
 * global state is reset on every call (optind = 0, glibc's full
 * reinitialisation), and it permutes a copy of argv, never argv itself. */
#include "driver.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 2
#define MAX_BYTES_LIMIT (UINT64_C(1) << 48) /* 256T: far beyond any machine's memory */

static const char usage_text[] =
    "usage: effcc compile SPEC.yaml -o OUTDIR [--name NAME] [--preset PRESET | --phi X]\n"
    "                     [--width W] [--depth D] [--resolution R] [--classes K]\n"
    "                     [--weights FILE.safetensors | --seed N] [--save-weights FILE]\n"
    "                     [--labels FILE] [--target T] [--threads N] [--max-bytes N]\n"
    "                     [--allow-nonfinite] [--code-size] [--no-fuse] [--no-tile] [-d]\n"
    "                     [--quantize int8 --calibration DIR [--estimator E] [--keep-float L,...]]\n"
    "       effcc info SPEC.yaml [scaling options] [--target T] [--threads N] [--max-bytes N]\n"
    "                  [--json]\n"
    "       effcc run SPEC.yaml [scaling options] [--weights FILE [--allow-nonfinite] | --seed N]\n"
    "                 --input X.f32 --output Y.f32 [--max-bytes N]\n"
    "                 [--quantize int8 --calibration DIR [--estimator E] [--keep-float L,...]\n"
    "                  [--save-quantized FILE]]\n"
    "       effcc scale SPEC.yaml -o OUTDIR [--budget-ms MS] [--budget-arena N]\n"
    "                   [--budget-params N] [--target T] [--threads N] [--runner CMD]\n"
    "                   [--grid-step S] [--band B] [--phi-max X] [--top K] [--bench-runs N]\n"
    "       effcc --help | --version\n";

static const char help_text[] =
    "\n"
    "effcc compiles an EfficientNet, described by a YAML spec and scaled by a\n"
    "preset or a compound coefficient phi, into a self-contained folder of C.\n"
    "effcc run computes the same model's logits with its reference evaluator\n"
    "(plain loops, no compiler needed), to check a build or an input against.\n"
    "\n"
    "  -o, --output DIR        folder to write (replaced atomically)\n"
    "  -o, --output FILE       (run) the logits, raw little-endian float32 (replaced\n"
    "                          atomically)\n"
    "      --input FILE        (run) the model's input: raw little-endian float32,\n"
    "                          channels x resolution x resolution values (NCHW)\n"
    "      --name NAME         C prefix of the generated code (default: the spec's name)\n"
    "      --preset P          a preset of the spec, e.g. b0..b7\n"
    "      --phi X             compound scaling: depth alpha^X, width beta^X, resolution gamma^X\n"
    "      --alpha A, --beta B, --gamma G   with --phi: other coefficients than the spec's\n"
    "      --width W, --depth D, --resolution R   override one dimension\n"
    "      --classes K         number of output classes (default: the spec's)\n"
    "      --weights FILE      safetensors file with torchvision key names\n"
    "      --seed N            deterministic synthetic weights (the default, seed 1)\n"
    "      --save-weights FILE write the weights used as safetensors\n"
    "      --allow-nonfinite   accept NaN and infinite values in --weights\n"
    "      --max-bytes N       largest weights or activation arena the model may need\n"
    "                          (default 4G; K, M, G, T suffixes are powers of 1024)\n"
    "      --labels FILE       class names for the harness, one per line (default:\n"
    "                          ImageNet's for 1000 classes, else none)\n"
    "      --target T          code target (default generic; known: %s)\n"
    "      --threads N         most OpenMP threads a fused kernel uses (default 4): each\n"
    "                          has its own ring buffer in the arena\n"
    "      --code-size         compile the model once with the target's compiler (EFFCC_CC to\n"
    "                          choose) and report .text and .rodata (info does with --target)\n"
    "      --no-fuse, --no-tile  switch a pass off (to measure what it buys)\n"
    "      --quantize int8     (compile, run) int8 weights and activations, TFLite's scheme\n"
    "                          (docs/int8.md), the ranges measured on --calibration\n"
    "      --calibration DIR   PNG and JPEG photos, read as the harness's --image reads them,\n"
    "                          and raw float32 inputs (*.f32); names starting with . skipped\n"
    "      --estimator E       how a range is taken from its histogram: mse (the\n"
    "                          default: least expected error), minmax or percentile\n"
    "      --keep-float L,...  layers left in float, by node label (torchvision's module\n"
    "                          name, e.g. features.1.0.block.0.0); repeatable. auto:DB\n"
    "                          adds the fewest layers, worst own SNR first, for the\n"
    "                          logits to reach DB against float on the calibration inputs\n"
    "      --save-quantized FILE\n"
    "                          (run) write the int8 model to FILE\n"
    "  -d, --dump              print the IR after each pass (stderr)\n"
    "      --json              (info) print one JSON object\n"
    "  -h, --help, --version\n"
    "\n"
    "effcc scale searches alpha, beta, gamma (grid of --grid-step, alpha*beta^2*gamma^2\n"
    "within 2 +- --band) and, for each, the largest phi whose measured latency fits\n"
    "(docs/scale.md). At least one budget:\n"
    "      --budget-ms MS      median latency of the generated harness's --bench; FxP:\n"
    "                          F times preset P's, measured in the same search (2xb0)\n"
    "      --budget-arena N    activation arena bytes (K, M, G suffixes)\n"
    "      --budget-params N   parameters\n"
    "      --runner CMD        builds and times each folder: sh -c CMD with the folder in\n"
    "                          $EFFCC_POINT_DIR and make's arguments in \"$@\" (default:\n"
    "                          make -C the folder, here)\n"
    "      --grid-step S (0.05), --band B (0.1), --phi-max X (4), --phi-tolerance T\n"
    "      (0.01), --top K (6 grid candidates measured), --bench-runs N (30)\n";

enum { OPT_NAME = 256, OPT_PRESET, OPT_PHI, OPT_WIDTH, OPT_DEPTH, OPT_RESOLUTION, OPT_CLASSES,
       OPT_WEIGHTS, OPT_SEED, OPT_SAVE, OPT_TARGET, OPT_JSON, OPT_VERSION, OPT_MAX_BYTES,
       OPT_NONFINITE, OPT_LABELS, OPT_THREADS, OPT_CODE_SIZE, OPT_NO_FUSE, OPT_NO_TILE,
       OPT_INPUT, OPT_QUANTIZE, OPT_CALIBRATION, OPT_ESTIMATOR, OPT_KEEP_FLOAT,
       OPT_SAVE_QUANTIZED, OPT_ALPHA, OPT_BETA, OPT_GAMMA, OPT_BUDGET_MS, OPT_BUDGET_ARENA,
       OPT_BUDGET_PARAMS, OPT_RUNNER, OPT_GRID_STEP, OPT_BAND, OPT_PHI_MAX, OPT_TOP,
       OPT_BENCH_RUNS, OPT_PHI_TOLERANCE };

static const struct option long_options[] = {
    {"output", required_argument, NULL, 'o'},     {"name", required_argument, NULL, OPT_NAME},
    {"preset", required_argument, NULL, OPT_PRESET}, {"phi", required_argument, NULL, OPT_PHI},
    {"width", required_argument, NULL, OPT_WIDTH}, {"depth", required_argument, NULL, OPT_DEPTH},
    {"resolution", required_argument, NULL, OPT_RESOLUTION},
    {"classes", required_argument, NULL, OPT_CLASSES},
    {"weights", required_argument, NULL, OPT_WEIGHTS}, {"seed", required_argument, NULL, OPT_SEED},
    {"save-weights", required_argument, NULL, OPT_SAVE},
    {"target", required_argument, NULL, OPT_TARGET}, {"json", no_argument, NULL, OPT_JSON},
    {"dump", no_argument, NULL, 'd'},              {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},   {"max-bytes", required_argument, NULL, OPT_MAX_BYTES},
    {"allow-nonfinite", no_argument, NULL, OPT_NONFINITE},
    {"labels", required_argument, NULL, OPT_LABELS}, {"threads", required_argument, NULL, OPT_THREADS},
    {"code-size", no_argument, NULL, OPT_CODE_SIZE}, {"no-fuse", no_argument, NULL, OPT_NO_FUSE},
    {"no-tile", no_argument, NULL, OPT_NO_TILE},   {"input", required_argument, NULL, OPT_INPUT},
    {"quantize", required_argument, NULL, OPT_QUANTIZE},
    {"calibration", required_argument, NULL, OPT_CALIBRATION},
    {"estimator", required_argument, NULL, OPT_ESTIMATOR},
    {"keep-float", required_argument, NULL, OPT_KEEP_FLOAT},
    {"save-quantized", required_argument, NULL, OPT_SAVE_QUANTIZED},
    {"alpha", required_argument, NULL, OPT_ALPHA}, {"beta", required_argument, NULL, OPT_BETA},
    {"gamma", required_argument, NULL, OPT_GAMMA},
    {"budget-ms", required_argument, NULL, OPT_BUDGET_MS},
    {"budget-arena", required_argument, NULL, OPT_BUDGET_ARENA},
    {"budget-params", required_argument, NULL, OPT_BUDGET_PARAMS},
    {"runner", required_argument, NULL, OPT_RUNNER},
    {"grid-step", required_argument, NULL, OPT_GRID_STEP}, {"band", required_argument, NULL, OPT_BAND},
    {"phi-max", required_argument, NULL, OPT_PHI_MAX}, {"top", required_argument, NULL, OPT_TOP},
    {"bench-runs", required_argument, NULL, OPT_BENCH_RUNS},
    {"phi-tolerance", required_argument, NULL, OPT_PHI_TOLERANCE},
    {NULL, 0, NULL, 0},
};

/* The estimators of passes.h's ESTIMATOR_LIST, by name. */
static const char *const estimators[ESTIMATOR_COUNT] = {
#define X(e, s) s,
    ESTIMATOR_LIST(X)
#undef X
};

static EFFCC_PRINTF(1, 2) int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("effcc: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n", stderr);
    fputs(usage_text, stderr);
    return EXIT_USAGE;
}

static int help(void)
{
    fputs(usage_text, stdout);
    printf(help_text, target_list());
    return 0;
}

static bool parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return *s && !*end && errno == 0 && isfinite(*out);
}

static bool parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    *out = strtol(s, &end, 10);
    return *s && !*end && errno == 0 && *out >= lo && *out <= hi;
}

/* A byte count: digits and an optional K, M, G or T (powers of 1024), from
 * 1 byte to MAX_BYTES_LIMIT. */
static bool parse_bytes(const char *s, uint64_t *out)
{
    static const char units[] = "KMGT";
    if (*s < '0' || *s > '9') /* strtoull would take a sign or spaces */
        return false;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    int shift = 0;
    if (*end) {
        const char *unit = strchr(units, *end);
        if (!unit || end[1])
            return false;
        shift = 10 * (int)(unit - units + 1);
    }
    if (errno || n < 1 || n > MAX_BYTES_LIMIT >> shift)
        return false;
    *out = (uint64_t)n << shift;
    return true;
}

/* Argument paths are recorded by their last component only, so generated
 * files never carry a path of the machine that made them. */
static char *record_command(int argc, char **argv)
{
    Buf b = {0};
    buf_printf(&b, "effcc");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq = strchr(a, '=');
        int keep = a[0] == '-' && eq ? (int)(eq - a + 1) : 0; /* "--weights=" */
        size_t end = strlen(a);
        while (end > (size_t)keep + 1 && a[end - 1] == '/')
            end--;
        size_t start = end;
        while (start > (size_t)keep && a[start - 1] != '/')
            start--;
        buf_printf(&b, " %.*s%.*s", keep, a, (int)(end - start), a + start);
    }
    return b.data;
}

/* "out/" names the folder out: the staging folder goes beside it, not in it. */
static const char *strip_slashes(char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        path[--n] = '\0';
    return path;
}

static int parse_estimator(Options *o, const char *arg)
{
    for (int e = 0; e < ESTIMATOR_COUNT; e++)
        if (!strcmp(arg, estimators[e])) {
            o->estimator = (Estimator)e;
            o->has_estimator = true;
            return -1;
        }
    Buf known = {0};
    for (int e = 0; e < ESTIMATOR_COUNT; e++)
        buf_printf(&known, "%s%s", e ? ", " : "", estimators[e]);
    int status = usage_error("--estimator expects one of %s, got '%s'", known.data, arg);
    buf_free(&known);
    return status;
}

static int parse_in(const char *option, const char *arg, double lo, double hi, double *out);

/* --keep-float auto:DB, one of --keep-float's items (text, n bytes). */
static int parse_keep_auto(Options *o, const char *text, size_t n)
{
    if (o->keep_auto_db > 0)
        return usage_error("--keep-float auto:DB given twice");
    char *db = malloc(n + 1);
    if (!db)
        internal_error("out of memory");
    memcpy(db, text, n);
    db[n] = '\0';
    int status = parse_in("--keep-float auto:DB (the logits' SNR against float, in dB)", db, 1,
                          100, &o->keep_auto_db);
    free(db);
    return status;
}

/* --keep-float L1,L2: each label is copied (argv is not ours to cut) and
 * added to those of earlier --keep-float options; auto:DB asks effcc to
 * choose more (driver/int8_auto.c). */
static int parse_keep_float(Options *o, const char *arg)
{
    size_t len = strlen(arg);
    if (!len || arg[0] == ',' || arg[len - 1] == ',' || strstr(arg, ",,"))
        return usage_error("--keep-float expects node labels separated by commas, none empty, "
                           "got '%s'", arg);
    for (const char *p = arg; p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n >= 5 && !strncmp(p, "auto:", 5)) {
            int status = parse_keep_auto(o, p + 5, n - 5);
            if (status >= 0)
                return status;
            p = comma ? comma + 1 : NULL;
            continue;
        }
        const char **grown = realloc(o->keep_float, (size_t)(o->nkeep + 1) * sizeof *grown);
        if (!grown)
            internal_error("out of memory");
        o->keep_float = grown;
        char *label = malloc(n + 1);
        if (!label)
            internal_error("out of memory");
        memcpy(label, p, n);
        label[n] = '\0';
        o->keep_float[o->nkeep++] = label;
        p = comma ? comma + 1 : NULL;
    }
    return -1;
}

/* A number in [lo, hi] for option, else a usage error. */
static int parse_in(const char *option, const char *arg, double lo, double hi, double *out)
{
    if (!parse_double(arg, out) || *out < lo || *out > hi)
        return usage_error("%s expects a number in [%g, %g], got '%s'", option, lo, hi, arg);
    return -1;
}

/* The options of effcc scale (SearchOptions); 0 when c is not one. */
static int parse_search_option(Options *o, int c, char *arg)
{
    SearchOptions *s = &o->search;
    long n;
    switch (c) {
    case OPT_BUDGET_MS: {
        const char *x = strchr(arg, 'x'); /* "2xb0": twice the preset b0's latency */
        if (x && x > arg && x[1]) {
            char factor[32];
            snprintf(factor, sizeof factor, "%.*s", (int)(x - arg), arg);
            s->budget_preset = x + 1;
            if (!parse_double(factor, &s->budget_ms) || s->budget_ms < 0.01 || s->budget_ms > 1000)
                return usage_error("--budget-ms expects milliseconds or FACTORxPRESET with a "
                                   "factor in [0.01, 1000] (like 2xb0), got '%s'", arg);
            return -1;
        }
        return parse_in("--budget-ms", arg, 0.001, 1e7, &s->budget_ms);
    }
    case OPT_GRID_STEP: return parse_in("--grid-step", arg, 0.01, 1, &s->grid_step);
    case OPT_BAND: return parse_in("--band", arg, 0.001, 1, &s->band);
    case OPT_PHI_MAX: return parse_in("--phi-max", arg, 0.1, 20, &s->phi_max);
    case OPT_PHI_TOLERANCE: return parse_in("--phi-tolerance", arg, 0.001, 1, &s->phi_tolerance);
    case OPT_RUNNER:
        if (!*arg)
            return usage_error("--runner expects a command, got an empty one");
        s->runner = arg;
        return -1;
    case OPT_BUDGET_ARENA:
        if (!parse_bytes(arg, &s->budget_arena))
            return usage_error("--budget-arena expects a byte count like 1048576 or 512K, got '%s'",
                               arg);
        return -1;
    case OPT_BUDGET_PARAMS:
        if (!parse_int(arg, 1, 1000000000000L, &n))
            return usage_error("--budget-params expects an integer in 1..10^12, got '%s'", arg);
        s->budget_params = (uint64_t)n;
        return -1;
    case OPT_TOP:
    case OPT_BENCH_RUNS:
        if (!parse_int(arg, 1, 1000, &n))
            return usage_error("--top and --bench-runs expect an integer in 1..1000, got '%s'", arg);
        *(c == OPT_TOP ? &s->top : &s->bench_runs) = (int)n;
        return -1;
    default:
        return 0;
    }
}

/* Returns -1 when parsing succeeded, else the exit status. */
static int parse_option(Options *o, int c, char *arg)
{
    int status = parse_search_option(o, c, arg);
    if (status)
        return status;
    double d;
    long n;
    switch (c) {
    case 'o': /* run writes a file: its name is taken as given */
        if (!strcmp(o->command, "run"))
            o->output = arg;
        else
            o->outdir = strip_slashes(arg);
        return -1;
    case OPT_INPUT: o->input = arg; return -1;
    case 'd': o->dump = true; return -1;
    case OPT_NAME: o->name = arg; return -1;
    case OPT_PRESET: o->scale.preset = arg; return -1;
    case OPT_WEIGHTS: o->weights = arg; return -1;
    case OPT_SAVE: o->save_weights = arg; return -1;
    case OPT_TARGET: o->target_name = arg; return -1;
    case OPT_JSON: o->json = true; return -1;
    case OPT_LABELS: o->labels = arg; return -1;
    case OPT_CODE_SIZE: o->code_size = true; return -1;
    case OPT_NO_FUSE: o->no_fuse = true; return -1;
    case OPT_NO_TILE: o->no_tile = true; return -1;
    case OPT_THREADS:
        if (!parse_int(arg, 1, 256, &n))
            return usage_error("--threads expects an integer in 1..256, got '%s'", arg);
        o->threads = (int)n;
        return -1;
    case OPT_NONFINITE: o->allow_nonfinite = true; return -1;
    case OPT_QUANTIZE:
        if (strcmp(arg, "int8"))
            return usage_error("--quantize expects int8, got '%s'", arg);
        o->quantize_int8 = true;
        return -1;
    case OPT_CALIBRATION: o->calibration = arg; return -1;
    case OPT_ESTIMATOR: return parse_estimator(o, arg);
    case OPT_KEEP_FLOAT: return parse_keep_float(o, arg);
    case OPT_SAVE_QUANTIZED: o->save_quantized = arg; return -1;
    case OPT_MAX_BYTES:
        if (!parse_bytes(arg, &o->max_bytes))
            return usage_error("--max-bytes expects a byte count from 1 to 256T, like 4294967296, "
                               "512M or 8G (K, M, G, T are powers of 1024), got '%s'", arg);
        return -1;
    case OPT_PHI:
        if (!parse_double(arg, &o->scale.phi))
            return usage_error("--phi expects a real number, got '%s'", arg);
        o->scale.has_phi = true;
        return -1;
    case OPT_ALPHA: return parse_in("--alpha", arg, 1e-3, 100, &o->scale.alpha);
    case OPT_BETA: return parse_in("--beta", arg, 1e-3, 100, &o->scale.beta);
    case OPT_GAMMA: return parse_in("--gamma", arg, 1e-3, 100, &o->scale.gamma);
    case OPT_WIDTH:
    case OPT_DEPTH:
        if (!parse_double(arg, &d) || d <= 0)
            return usage_error("--width and --depth expect a positive number, got '%s'", arg);
        *(c == OPT_WIDTH ? &o->scale.width : &o->scale.depth) = d;
        return -1;
    case OPT_RESOLUTION:
    case OPT_CLASSES:
        if (!parse_int(arg, 1, 100000, &n))
            return usage_error("--resolution and --classes expect an integer in 1..100000, got '%s'", arg);
        *(c == OPT_RESOLUTION ? &o->scale.resolution : &o->scale.classes) = (int)n;
        return -1;
    case OPT_SEED:
        if (!parse_int(arg, 0, 2147483647, &n))
            return usage_error("--seed expects an integer in 0..2147483647, got '%s'", arg);
        o->seed = (uint64_t)n;
        o->has_seed = true;
        return -1;
    default:
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
}

/* OUTDIR is renamed into place, so it needs a last component of its own. */
static bool nameable(const char *dir)
{
    const char *slash = strrchr(dir, '/'), *base = slash ? slash + 1 : dir;
    return *base && strcmp(base, ".") != 0 && strcmp(base, "..") != 0;
}

/* run takes the scaling, the weights, --input, --output and --max-bytes. */
static int check_run(Options *o)
{
    if (!o->input)
        return usage_error("%s: missing --input FILE", o->command);
    if (!o->output)
        return usage_error("%s: missing --output FILE", o->command);
    if (o->name || o->save_weights || o->labels || o->target_name || o->threads ||
        o->code_size || o->no_fuse || o->no_tile || o->dump || o->json)
        return usage_error("%s: --name, --save-weights, --labels, --target, --threads, "
                           "--code-size, --no-fuse, --no-tile, -d and --json do not apply to run",
                           o->command);
    return -1;
}

/* --quantize int8 needs --calibration and the other int8 options need
 * --quantize; all belong to compile and run, --save-quantized to run. */
static int check_quantize(Options *o, bool compile, bool run)
{
    const char *given = o->calibration      ? "--calibration"
                        : o->has_estimator  ? "--estimator"
                        : o->nkeep || o->keep_auto_db > 0 ? "--keep-float"
                        : o->save_quantized ? "--save-quantized"
                                            : NULL;
    if (!compile && !run && (o->quantize_int8 || given))
        return usage_error("%s: --quantize, --calibration, --estimator, --keep-float and "
                           "--save-quantized belong to compile and run", o->command);
    if (compile && o->save_quantized)
        return usage_error("%s: --save-quantized belongs to run", o->command);
    if (!o->quantize_int8 && given)
        return usage_error("%s: %s needs --quantize int8", o->command, given);
    if (o->quantize_int8 && !o->calibration)
        return usage_error("%s: --quantize int8 needs --calibration DIR (photos or .f32 inputs "
                           "to measure the ranges on)", o->command);
    return -1;
}

/* scale searches the scaling itself and times code, whatever the weights'
 * values: it takes the budgets, the search's options, the target, threads
 * and the limits. The other commands take none of the search's options. */
static int check_scale(Options *o, bool scale)
{
    const SearchOptions *s = &o->search;
    bool budget = s->budget_ms > 0 || s->budget_arena || s->budget_params;
    bool searching = budget || s->runner || s->grid_step || s->band || s->phi_max ||
                     s->phi_tolerance || s->top ||
                     s->bench_runs;
    if (!scale)
        return searching ? usage_error("%s: --budget-*, --runner, --grid-step, --band, "
                                       "--phi-*, --top and --bench-runs belong to scale",
                                       o->command)
                         : -1;
    if (!o->outdir)
        return usage_error("scale: missing -o OUTDIR (where the measurements and plots go)");
    if (!budget)
        return usage_error("scale: give at least one budget: --budget-ms, --budget-arena or "
                           "--budget-params");
    if (o->scale.preset || o->scale.has_phi || o->scale.alpha || o->scale.beta || o->scale.gamma ||
        o->scale.width || o->scale.depth || o->scale.resolution)
        return usage_error("scale: it chooses the scaling itself; --preset, --phi, --alpha, "
                           "--beta, --gamma, --width, --depth and --resolution do not apply");
    if (o->name || o->weights || o->has_seed || o->save_weights || o->labels || o->json ||
        o->dump || o->code_size || o->no_fuse || o->no_tile || o->allow_nonfinite ||
        o->quantize_int8 || o->calibration || o->has_estimator || o->nkeep || o->keep_auto_db > 0 ||
        o->save_quantized)
        return usage_error("scale: it times float code on synthetic weights and takes only -o, "
                           "the budgets, --target, --threads, --classes, --max-bytes and the "
                           "search's options");
    SearchOptions *w = &o->search;
    w->grid_step = w->grid_step ? w->grid_step : 0.05;
    w->band = w->band ? w->band : 0.1;
    w->phi_max = w->phi_max ? w->phi_max : 4;
    w->phi_tolerance = w->phi_tolerance ? w->phi_tolerance : 0.01;
    w->top = w->top ? w->top : 6;
    w->bench_runs = w->bench_runs ? w->bench_runs : 30;
    if (!o->threads)
        o->threads = 1;
    return -1;
}

static int check_options(Options *o)
{
    bool compile = !strcmp(o->command, "compile"), run = !strcmp(o->command, "run");
    bool scale = !strcmp(o->command, "scale");
    if (!o->spec)
        return usage_error("%s: missing SPEC.yaml", o->command);
    if ((o->scale.alpha || o->scale.beta || o->scale.gamma) && !o->scale.has_phi && !scale)
        return usage_error("%s: --alpha, --beta and --gamma need --phi", o->command);
    int status = run ? check_run(o) : check_scale(o, scale);
    if (status >= 0)
        return status;
    if (!run && o->input)
        return usage_error("%s: --input belongs to run", o->command);
    if (compile && !o->outdir)
        return usage_error("%s: missing -o OUTDIR", o->command);
    if ((compile || scale) && !nameable(o->outdir))
        return usage_error("-o '%s': name the folder to write (its last component cannot be "
                           "empty, . or ..)", o->outdir);
    if (!compile && !run && ((o->outdir && !scale) || o->weights || o->save_weights || o->name || o->dump ||
                     o->allow_nonfinite || o->labels || o->no_fuse || o->no_tile))
        return usage_error("%s: -o, --name, --weights, --save-weights, --allow-nonfinite, --labels, "
                           "--no-fuse, --no-tile and -d belong to compile", o->command);
    if (o->allow_nonfinite && !o->weights)
        return usage_error("%s: --allow-nonfinite needs --weights", o->command);
    if (compile && o->json)
        return usage_error("%s: --json belongs to info", o->command);
    if (o->scale.preset && o->scale.has_phi)
        return usage_error("%s: --preset and --phi exclude each other", o->command);
    if (o->weights && o->has_seed)
        return usage_error("%s: --weights and --seed exclude each other", o->command);
    if ((status = check_quantize(o, compile, run)) >= 0)
        return status;
    /* the one lookup of --target: the rest of effcc reads o->target */
    const Target *t = o->target_name ? target_find(o->target_name) : target_default();
    if (!t) {
        fprintf(stderr, "effcc: error: unknown target '%s'; known targets: %s\n", o->target_name,
                target_list());
        return EXIT_USAGE;
    }
    o->target = target_resolve(t);
    return -1;
}

/* The options after the command. getopt_long sees a copy of argv with the
 * command left out, so its messages still start with argv[0]. */
static int parse_options(Options *o, int argc, char **argv)
{
    char **args = malloc((size_t)argc * sizeof *args);
    if (!args)
        internal_error("out of memory");
    args[0] = argv[0];
    memcpy(args + 1, argv + 2, (size_t)(argc - 2) * sizeof *args);
    int nargs = argc - 1, c, status = -1;
    optind = 0; /* glibc: start afresh, forgetting any earlier parse */
    while (status < 0 && (c = getopt_long(nargs, args, "o:dh", long_options, NULL)) != -1)
        status = c == 'h' ? help() : parse_option(o, c, optarg);
    if (status < 0 && optind < nargs)
        o->spec = args[optind++];
    if (status < 0 && optind < nargs)
        status = usage_error("unexpected argument '%s'", args[optind]);
    free(args);
    return status;
}

int cli_parse(Options *o, int argc, char **argv)
{
    *o = (Options){0};
    if (argc < 2)
        return usage_error("%s", "missing command");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return help();
    if (!strcmp(argv[1], "--version")) {
        printf("effcc %s\n", EFFCC_VERSION);
        return 0;
    }
    o->command = argv[1];
    o->recorded = record_command(argc, argv); /* before getopt permutes anything */
    if (strcmp(o->command, "compile") && strcmp(o->command, "info") && strcmp(o->command, "run") &&
        strcmp(o->command, "scale"))
        return usage_error("unknown command '%s' (expected compile, info, run or scale)",
                           o->command);
    int status = parse_options(o, argc, argv);
    if (status >= 0)
        return status;
    if (!o->max_bytes)
        o->max_bytes = LIMIT_DEFAULT_BYTES;
    /* mse by default: measured best or level on Lite0 and B0
     * (docs/int8-accuracy.md); minmax is TFLite's */
    if (!o->has_estimator)
        o->estimator = ESTIMATOR_MSE;
    return check_options(o);
}

void cli_free(Options *o)
{
    free(o->recorded);
    o->recorded = NULL;
    for (int i = 0; i < o->nkeep; i++)
        free((char *)o->keep_float[i]);
    free(o->keep_float);
    o->keep_float = NULL;
    o->nkeep = 0;
}
