/* main.c — the effcc command line.
 *
 *   effcc compile SPEC.yaml -o OUTDIR [options]   generate a C folder
 *   effcc info SPEC.yaml [options] [--json]        describe the scaled model
 *
 * Exit status: 0 success, 1 user error (spec, weights, files), 2 usage
 * error. Messages go to stderr. The work itself is a short list of library
 * calls; errors from them unwind here (support/diag.c). */
#include "ir.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USER 1
#define EXIT_USAGE 2
#define DEFAULT_MAX_BYTES (4ull << 30)

typedef struct {
    const char *command; /* "compile" or "info" */
    const char *spec, *outdir, *name, *weights, *save_weights, *target, *labels;
    ScaleRequest scale;
    uint64_t seed;
    bool has_seed, json, dump, no_fuse, no_tile, code_size, target_given;
    int threads; /* most threads the fused kernels' scratch is sized for */
    char *recorded; /* the command line as recorded in generated files */
} Options;

static const char usage_text[] =
    "usage: effcc compile SPEC.yaml -o OUTDIR [--name NAME] [--preset PRESET | --phi X]\n"
    "                     [--width W] [--depth D] [--resolution R] [--classes K]\n"
    "                     [--weights FILE.safetensors | --seed N] [--save-weights FILE]\n"
    "                     [--labels FILE] [--target T] [--threads N] [--no-fuse] [--no-tile]\n"
    "                     [--code-size] [-d]\n"
    "       effcc info SPEC.yaml [scaling options] [--target T] [--threads N] [--json]\n"
    "       effcc --help | --version\n";

static const char help_text[] =
    "\n"
    "effcc compiles an EfficientNet, described by a YAML spec and scaled by a\n"
    "preset or a compound coefficient phi, into a self-contained folder of C.\n"
    "\n"
    "  -o, --output DIR        folder to write (replaced atomically)\n"
    "      --name NAME         C prefix of the generated code (default: the spec's name)\n"
    "      --preset P          a preset of the spec, e.g. b0..b7\n"
    "      --phi X             compound scaling: depth alpha^X, width beta^X, resolution gamma^X\n"
    "      --width W, --depth D, --resolution R   override one dimension\n"
    "      --classes K         number of output classes (default: the spec's)\n"
    "      --weights FILE      safetensors file with torchvision key names\n"
    "      --seed N            deterministic synthetic weights (the default, seed 1)\n"
    "      --save-weights FILE write the weights used as safetensors\n"
    "      --labels FILE       class names for the harness, one per line (default:\n"
    "                          ImageNet's for 1000 classes, else none)\n"
    "      --target T          code target (default generic; known: %s)\n"
    "      --threads N         most OpenMP threads a fused kernel uses (default 4): each\n"
    "                          has its own ring buffer in the arena\n"
    "      --no-fuse, --no-tile  switch a pass off (to measure what it buys)\n"
    "      --code-size         compile the model once with the target's compiler (EFFCC_CC to\n"
    "                          choose) and report .text and .rodata (info does with --target)\n"
    "  -d, --dump              print the IR after each pass (stderr)\n"
    "      --json              (info) print one JSON object\n"
    "  -h, --help, --version\n";

enum { OPT_NAME = 256, OPT_PRESET, OPT_PHI, OPT_WIDTH, OPT_DEPTH, OPT_RESOLUTION, OPT_CLASSES,
       OPT_WEIGHTS, OPT_SEED, OPT_SAVE, OPT_TARGET, OPT_JSON, OPT_VERSION, OPT_NO_FUSE,
       OPT_NO_TILE, OPT_LABELS, OPT_THREADS, OPT_CODE_SIZE };

static const struct option long_options[] = {
    {"output", required_argument, NULL, 'o'},     {"name", required_argument, NULL, OPT_NAME},
    {"preset", required_argument, NULL, OPT_PRESET}, {"phi", required_argument, NULL, OPT_PHI},
    {"width", required_argument, NULL, OPT_WIDTH}, {"depth", required_argument, NULL, OPT_DEPTH},
    {"resolution", required_argument, NULL, OPT_RESOLUTION},
    {"classes", required_argument, NULL, OPT_CLASSES},
    {"weights", required_argument, NULL, OPT_WEIGHTS}, {"seed", required_argument, NULL, OPT_SEED},
    {"save-weights", required_argument, NULL, OPT_SAVE},
    {"target", required_argument, NULL, OPT_TARGET}, {"json", no_argument, NULL, OPT_JSON},
    {"labels", required_argument, NULL, OPT_LABELS},
    {"dump", no_argument, NULL, 'd'},              {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},   {"no-fuse", no_argument, NULL, OPT_NO_FUSE},
    {"no-tile", no_argument, NULL, OPT_NO_TILE},   {"threads", required_argument, NULL, OPT_THREADS},
    {"code-size", no_argument, NULL, OPT_CODE_SIZE},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *fmt, const char *arg)
{
    fputs("effcc: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n", stderr);
    fputs(usage_text, stderr);
    return EXIT_USAGE;
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

/* "a/b/names.txt" is recorded as "names.txt" (see record_command). */
static const char *last_component(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

/* "out/" names the folder out: the staging folder goes beside it, not in it. */
static const char *strip_slashes(char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        path[--n] = '\0';
    return path;
}

/* Returns -1 when parsing succeeded, else the exit status. */
static int parse_option(Options *o, int c, char *arg)
{
    double d;
    long n;
    switch (c) {
    case 'o': o->outdir = strip_slashes(arg); return -1;
    case 'd': o->dump = true; return -1;
    case OPT_NAME: o->name = arg; return -1;
    case OPT_PRESET: o->scale.preset = arg; return -1;
    case OPT_WEIGHTS: o->weights = arg; return -1;
    case OPT_SAVE: o->save_weights = arg; return -1;
    case OPT_TARGET: o->target = arg; o->target_given = true; return -1;
    case OPT_CODE_SIZE: o->code_size = true; return -1;
    case OPT_LABELS: o->labels = arg; return -1;
    case OPT_JSON: o->json = true; return -1;
    case OPT_NO_FUSE: o->no_fuse = true; return -1;
    case OPT_NO_TILE: o->no_tile = true; return -1;
    case OPT_PHI:
        if (!parse_double(arg, &o->scale.phi))
            return usage_error("--phi expects a real number, got '%s'", arg);
        o->scale.has_phi = true;
        return -1;
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
    case OPT_THREADS:
        if (!parse_int(arg, 1, 256, &n))
            return usage_error("--threads expects an integer in 1..256, got '%s'", arg);
        o->threads = (int)n;
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

static int check_options(Options *o)
{
    bool compile = !strcmp(o->command, "compile");
    if (!o->spec)
        return usage_error("%s: missing SPEC.yaml", o->command);
    if (compile && !o->outdir)
        return usage_error("%s: missing -o OUTDIR", o->command);
    if (!compile && (o->outdir || o->weights || o->save_weights || o->name || o->dump || o->labels))
        return usage_error("%s: -o, --name, --weights, --save-weights, --labels and -d belong to compile", o->command);
    if (compile && o->json)
        return usage_error("%s: --json belongs to info", o->command);
    if (o->scale.preset && o->scale.has_phi)
        return usage_error("%s: --preset and --phi exclude each other", o->command);
    if (o->weights && o->has_seed)
        return usage_error("%s: --weights and --seed exclude each other", o->command);
    if (o->target && !target_find(o->target)) {
        fprintf(stderr, "effcc: error: unknown target '%s'; known targets: %s\n", o->target,
                target_list());
        return EXIT_USAGE;
    }
    return -1;
}

static int parse_args(Options *o, int argc, char **argv)
{
    if (argc < 2)
        return usage_error("%s", "missing command");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_text, stdout);
        printf(help_text, target_list());
        exit(0);
    }
    if (!strcmp(argv[1], "--version")) {
        printf("effcc %s\n", EFFCC_VERSION);
        exit(0);
    }
    o->command = argv[1];
    o->recorded = record_command(argc, argv); /* before getopt permutes argv */
    if (strcmp(o->command, "compile") && strcmp(o->command, "info"))
        return usage_error("unknown command '%s' (expected compile or info)", o->command);
    optind = 2;
    int c, status;
    while ((c = getopt_long(argc, argv, "o:dh", long_options, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage_text, stdout);
            printf(help_text, target_list());
            exit(0);
        }
        if ((status = parse_option(o, c, optarg)) >= 0)
            return status;
    }
    if (optind < argc)
        o->spec = argv[optind++];
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (!o->target)
        o->target = "generic";
    return check_options(o);
}

static void check_name(const char *name)
{
    bool ok = name[0] == '_' || isalpha((unsigned char)name[0]);
    for (const char *p = name; *p; p++)
        ok = ok && (*p == '_' || isalnum((unsigned char)*p));
    if (!ok || strlen(name) > 64)
        error_msg("--name '%s' is not a C identifier of at most 64 characters", name);
    if (!strncmp(name, "m4_", 3) || !strncmp(name, "GEN_", 4) || !strncmp(name, "EFFCC_", 6))
        error_msg("--name '%s': the prefixes m4_, GEN_ and EFFCC_ are reserved", name);
}

static void check_limits(const Graph *g)
{
    size_t *offsets = arena_array(g->arena, (size_t)g->nparams, sizeof(size_t));
    size_t weights = weights_blob_layout(g, offsets);
    if (g->arena_bytes > DEFAULT_MAX_BYTES || weights > DEFAULT_MAX_BYTES)
        error_msg("the model needs %zu arena bytes and %zu weight bytes, above the limit of "
                  "%llu bytes (4 GiB)", g->arena_bytes, weights, DEFAULT_MAX_BYTES);
}

/* Spec → scaled model → graph, with weights when compiling. */
static Graph *front(Arena *a, const Options *o, Model **model, uint64_t *spec_hash)
{
    Spec *spec = spec_load(a, o->spec);
    *spec_hash = spec->hash;
    *model = scale_model(a, spec, &o->scale);
    Graph *g = lower_model(a, *model);
    /* every tensor is checked against the limit before any weight is made */
    GraphStats st = graph_stats(g);
    if (st.parameters * sizeof(float) > DEFAULT_MAX_BYTES)
        error_msg("the model has %llu parameters, above the 4 GiB limit",
                  (unsigned long long)st.parameters);
    return g;
}

/* The generated folder's report gets the measured code size. */
static void append_code_size(Arena *a, const char *dir, const char *name, const Target *t,
                             const Graph *g)
{
    size_t *offsets = arena_array(a, (size_t)g->nparams, sizeof(size_t));
    CodeSize cs = code_size(dir, name, t, weights_blob_layout(g, offsets));
    Buf b = read_file(arena_printf(a, "%s/report.txt", dir));
    info_code_size_text(&b, &cs);
    write_file(arena_printf(a, "%s/report.txt", dir), b.data, b.len);
    buf_free(&b);
}

static void compile(Arena *a, Options *o)
{
    Model *m;
    uint64_t hash;
    Graph *g = front(a, o, &m, &hash);
    const char *const name = o->name ? o->name : m->name; /* const: survives longjmp */
    check_name(name);
    check_outdir_replaceable(o->outdir);
    const char *labels_source = "ImageNet-1k (torchvision's list)";
    const char **labels = labels_default(a, m->classes);
    if (o->labels) {
        labels = labels_load(a, o->labels, m->classes);
        labels_source = arena_printf(a, "%s, given with --labels", last_component(o->labels));
    }
    if (o->weights) {
        weights_load(g, o->weights);
    } else {
        uint64_t seed = o->has_seed ? o->seed : 1;
        note("no --weights given: using synthetic weights (seed %llu)", (unsigned long long)seed);
        weights_synthesize(g, seed);
    }
    const Target *target = target_resolve(target_find(o->target));
    PipelineOptions po = {.dump = o->dump ? stderr : NULL, .vl = target->vl, .regs = target->regs,
                          .no_fuse = o->no_fuse, .no_tile = o->no_tile, .threads = o->threads};
    run_pipeline(g, &po);
    check_limits(g);

    Buf report = {0};
    info_report_text(&report, m, g, target->name);
    CodegenOptions co = {.name = name, .target = target,
                         .command = o->recorded, .spec_hash = hash, .model = m,
                         .labels = labels, .labels_source = labels_source,
                         .report = arena_strdup(a, report.data)};
    buf_free(&report);
    char *staging = staging_dir_create(a, o->outdir);
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        codegen_write(g, &co, staging);
        if (o->code_size)
            append_code_size(a, staging, name, target, g);
        if (o->save_weights)
            weights_save(g, o->save_weights);
        staging_dir_commit(staging, o->outdir);
        diag_pop(&f);
    } else {
        staging_dir_remove(staging);
        diag_rethrow();
    }
}

/* With an explicit --target, info also measures the code: the model is
 * generated (synthetic weights) into a temporary folder and compiled. */
static CodeSize measure_code(Arena *a, Graph *g, const Model *m, const Target *t)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = arena_printf(a, "%s/effcc-size-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        error_msg("cannot create a temporary folder in %s", tmp && *tmp ? tmp : "/tmp");
    CodegenOptions co = {.name = m->name, .target = t, .command = "effcc info", .model = m};
    CodeSize cs = {0};
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        codegen_write(g, &co, dir);
        size_t *offsets = arena_array(a, (size_t)g->nparams, sizeof(size_t));
        cs = code_size(dir, m->name, t, weights_blob_layout(g, offsets));
        diag_pop(&f);
    } else {
        staging_dir_remove(dir);
        diag_rethrow();
    }
    staging_dir_remove(dir);
    return cs;
}

static void info(Arena *a, Options *o)
{
    Model *m;
    uint64_t hash;
    Graph *g = front(a, o, &m, &hash);
    const Target *target = target_resolve(target_find(o->target));
    bool measure = o->target_given || o->code_size;
    if (measure)
        weights_synthesize(g, 1); /* the code does not depend on the values */
    PipelineOptions po = {.vl = target->vl, .regs = target->regs, .threads = o->threads};
    run_pipeline(g, &po);
    CodeSize cs = measure ? measure_code(a, g, m, target) : (CodeSize){0};
    if (o->json)
        info_print_json(stdout, m, g, target->name, measure ? &cs : NULL);
    else
        info_print_text(stdout, m, g, target->name, measure ? &cs : NULL);
}

int main(int argc, char **argv)
{
    Options o = {0};
    int status = parse_args(&o, argc, argv);
    if (status >= 0) {
        free(o.recorded);
        return status;
    }
    Arena *a = arena_new();
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        if (!strcmp(o.command, "compile"))
            compile(a, &o);
        else
            info(a, &o);
        diag_pop(&f);
        status = 0;
    } else {
        /* located messages start with the file, as compilers print them */
        const char *msg = diag_message();
        fprintf(stderr, "%s%s\n", strncmp(msg, "error:", 6) ? "" : "effcc: ", msg);
        status = EXIT_USER;
    }
    arena_free(a);
    free(o.recorded);
    return status;
}
