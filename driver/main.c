/* main.c — effcc's main: runs the command cli_parse (driver/cli.c) gives.
 *
 *   effcc compile SPEC.yaml -o OUTDIR [options]   generate a C folder
 *   effcc info SPEC.yaml [options] [--json]        describe the scaled model
 *   effcc run SPEC.yaml --input X --output Y       the logits, by ir/eval.c
 *                                                  (ir/eval_int8.c with --quantize)
 *   effcc scale SPEC.yaml -o OUTDIR --budget-ms MS the alpha/beta/gamma/phi search
 *                                                  (driver/scale_search.c)
 *
 * Exit status: 0 success, 1 user error (spec, weights, files), 2 usage
 * error. Messages go to stderr. The work is a short list of library calls;
 * errors from them unwind here (support/diag.c). Sizes are checked against
 * --max-bytes on the lowered graph, before any weight is made, and again
 * after the pipeline. */
#include "driver.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_USER 1
#define REPORT_MAX_BYTES (64u << 20) /* report.txt is effcc's own: a few KiB per layer */

/* "a/b/names.txt" is recorded as "names.txt" (see record_command in cli.c). */
static const char *last_component(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

/* The real figures, after the pipeline: the weights blob and the arena. */
static void check_planned(const Graph *g, uint64_t max_bytes)
{
    limits_check_planned(g, max_bytes);
}

/* Spec → scaled model → graph, its sizes checked before any weight exists. */
static Graph *front(Arena *a, const Options *o, Model **model)
{
    Spec *spec = spec_load(a, o->spec);
    *model = scale_model(a, spec, &o->scale);
    Graph *g = lower_model(a, *model);
    limits_check_lowered(g, o->max_bytes);
    return g;
}

/* --weights, else synthetic weights (--seed, default 1), on the lowered graph. */
static void load_weights(Graph *g, const Options *o)
{
    if (o->weights) {
        weights_load(g, o->weights, o->allow_nonfinite);
    } else {
        uint64_t seed = o->has_seed ? o->seed : 1;
        note("no --weights given: using synthetic weights (seed %llu)", (unsigned long long)seed);
        weights_synthesize(g, seed);
    }
}

static PipelineOptions pipeline_options(const Options *o)
{
    return (PipelineOptions){.target = o->target, .dump = o->dump ? stderr : NULL,
                             .no_fuse = o->no_fuse, .no_tile = o->no_tile,
                             .threads = o->threads};
}

/* The generated folder's report gets the measured code size. */
static void append_code_size(Arena *a, const char *dir, const char *name, const Graph *g)
{
    CodeSize cs = code_size(dir, name, g->target, g->weights_bytes);
    Buf b = read_file_max(arena_printf(a, "%s/report.txt", dir), REPORT_MAX_BYTES);
    info_code_size_text(&b, &cs);
    write_file(arena_printf(a, "%s/report.txt", dir), b.data, b.len);
    buf_free(&b);
}

static void compile(Arena *a, Options *o)
{
    Model *m;
    Graph *g = front(a, o, &m);
    if (!o->target_name)
        note("no --target given: generating portable C (%s); --target host gives this "
             "machine's SIMD (%s)", o->target->name, target_host()->name);
    const char *const name = o->name ? o->name : m->name; /* const: survives longjmp */
    codegen_check_name(name, o->name ? "--name" : "the spec's name (--name sets another)");
    check_outdir_replaceable(o->outdir);
    const char *inputs[] = {o->spec, o->weights, o->labels, o->save_weights};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        if (inputs[i])
            check_outside_outdir(a, inputs[i], o->outdir);
    const char *labels_source = "ImageNet-1k (torchvision's list)";
    const char **labels = labels_default(a, m->classes);
    if (o->labels) {
        labels = labels_load(a, o->labels, m->classes);
        labels_source = arena_printf(a, "%s, given with --labels", last_component(o->labels));
    }
    load_weights(g, o);
    PipelineOptions po = pipeline_options(o);
    const char *int8_report = "";
    if (o->quantize_int8) {
        Buf table = {0};
        int8_prepare(a, o, g, &table);
        int8_report = arena_strdup(a, table.data ? table.data : "");
        buf_free(&table);
        run_pipeline_int8(g, &po);
    } else {
        run_pipeline(g, &po);
    }
    check_planned(g, o->max_bytes);

    Buf report = {0};
    info_report_text(&report, g);
    buf_printf(&report, "%s", int8_report);
    CodegenOptions co = {.name = name, .command = o->recorded,
                         .labels = labels, .labels_source = labels_source,
                         .report = arena_strdup(a, report.data)};
    buf_free(&report);
    Staging staging = staging_dir_create(a, o->outdir);
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        codegen_write(g, &co, staging.dir);
        if (o->code_size)
            append_code_size(a, staging.dir, name, g);
        if (o->save_weights)
            weights_save(g, o->save_weights);
        staging_dir_commit(staging.dir, o->outdir);
        diag_pop(&f);
    } else {
        staging_dir_abandon(&staging);
        diag_rethrow();
    }
}

/* With an explicit --target, info also measures the code: the model is
 * generated (synthetic weights) into a temporary folder and compiled. */
static CodeSize measure_code(Arena *a, Graph *g, const char *name)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = arena_printf(a, "%s/effcc-size-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        error_msg("cannot create a temporary folder in %s", tmp && *tmp ? tmp : "/tmp");
    CodegenOptions co = {.name = name, .command = "effcc info"};
    CodeSize cs = {0};
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        codegen_write(g, &co, dir);
        cs = code_size(dir, name, g->target, g->weights_bytes);
        diag_pop(&f);
    } else {
        remove_folder(dir);
        diag_rethrow();
    }
    remove_folder(dir);
    return cs;
}

static void info(Arena *a, Options *o)
{
    Model *m;
    Graph *g = front(a, o, &m);
    bool measure = o->target_name || o->code_size;
    if (measure)
        weights_synthesize(g, 1); /* the code does not depend on the values */
    PipelineOptions po = pipeline_options(o);
    po.dump = NULL;
    run_pipeline(g, &po);
    check_planned(g, o->max_bytes);
    CodeSize cs = measure ? measure_code(a, g, m->name) : (CodeSize){0};
    if (o->json)
        info_print_json(stdout, g, measure ? &cs : NULL);
    else
        info_print_text(stdout, g, measure ? &cs : NULL);
}

/* ---- effcc run --------------------------------------------------------- */

#define RUN_TEMP ".effcc-logits-XXXXXX" /* beside the output, renamed over it */

/* The model's inputs: raw float32, C×H×W values each, one or more back to
 * back (*count of them). */
static float *read_input(Arena *a, const char *path, Shape s, uint64_t max_bytes, size_t *count)
{
    uint64_t one = shape_bytes(s), size;
    FILE *f = open_regular(path, max_bytes, &size);
    if (size == 0 || size % one) {
        fclose(f);
        error_in(path, "expected a multiple of %llu bytes (inputs [%d, %d, %d] as float32, "
                 "back to back), found %llu", (unsigned long long)one, s.c, s.h, s.w,
                 (unsigned long long)size);
    }
    *count = (size_t)(size / one);
    float *v = arena_array(a, *count * shape_numel(s), sizeof(float));
    size_t got = fread(v, 1, (size_t)size, f);
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (got != size)
        error_in(path, "cannot read: %s", err ? strerror(err) : "the file shrank while read");
    if (!host_little_endian())
        swap32(v, *count * shape_numel(s));
    return v;
}

static const char *file_kind(mode_t m)
{
    return S_ISDIR(m)                 ? "a folder"
           : S_ISLNK(m)               ? "a symbolic link"
           : S_ISFIFO(m)              ? "a FIFO"
           : S_ISCHR(m) || S_ISBLK(m) ? "a device"
                                      : "a socket or other special file";
}

/* rename() would put the logits in place of a folder, a device, a FIFO or
 * a symbolic link (not through it): only a regular file is replaced. */
static void check_output(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
        error_in(path, "exists and is %s, not a regular file; refusing to replace it",
                 file_kind(st.st_mode));
}

/* The logits as raw little-endian float32, written to a fresh file beside
 * path (mkstemp: O_EXCL, so never through a planted link) and renamed over
 * it once complete: a failed run leaves path as it was. The file gets the
 * mode a new file would, 0666 less the umask. */
static void write_output(Arena *a, const char *path, const float *v, size_t n)
{
    check_output(path);
    const char *slash = strrchr(path, '/');
    char *tmp = arena_printf(a, "%.*s%s", slash ? (int)(slash - path + 1) : 0, path, RUN_TEMP);
    float *le = arena_array(a, n, sizeof(float));
    memcpy(le, v, n * sizeof(float));
    if (!host_little_endian())
        swap32(le, n);
    int fd = mkstemp(tmp);
    if (fd < 0)
        error_in(path, "cannot create a temporary file in its folder: %s", strerror(errno));
    mode_t mask = umask(0);
    umask(mask);
    bool ok = fchmod(fd, 0666 & ~mask) == 0 && write_full(fd, le, n * sizeof(float));
    int err = ok ? 0 : errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        unlink(tmp);
        error_in(path, "write error: %s", strerror(err));
    }
    if (rename(tmp, path) != 0) {
        int err = errno;
        unlink(tmp);
        error_in(path, "cannot rename %s to it: %s", tmp, strerror(err));
    }
}

/* The graph ir_eval runs: fold_bn and fuse, in run_pipeline's order, and no
 * further. fold_bn, because the generated code multiplies by the folded
 * weights, rounded to float as fold_bn rounds them: run's logits are then a
 * compiled model's up to the order of summation. fuse, because it changes
 * no value (eval.c computes a fused conv as the ops it replaced) and leaves
 * one node per kernel the generated code calls, so each node's value is a
 * kernel's output. Not tile (it only chooses kernels), not layout (it packs
 * the params into kernel order, which the evaluator does not read), not
 * plan_memory (the generated code's arena). */
static void reference_passes(Graph *g)
{
    static const struct { const char *name; void (*pass)(Graph *); } passes[] = {
        {"fold_bn", fold_bn}, {"fuse", fuse}};
    char msg[512];
    for (size_t i = 0; i < sizeof passes / sizeof passes[0]; i++) {
        passes[i].pass(g);
        if (!ir_verify(g, msg, sizeof msg))
            internal_error("IR invalid after %s: %s", passes[i].name, msg);
    }
}

static void run(Arena *a, Options *o)
{
    Model *m;
    Graph *g = front(a, o, &m);
    size_t count;
    float *input = read_input(a, o->input, g->nodes[0].shape, o->max_bytes, &count);
    check_output(o->output); /* before the work; again before writing */
    load_weights(g, o);
    if (o->quantize_int8)
        int8_prepare(a, o, g, NULL);
    else
        reference_passes(g);
    uint64_t peak = ir_eval_peak_bytes(g);
    if (peak > o->max_bytes)
        error_msg("the reference evaluation needs %llu bytes at once, above the limit of %llu "
                  "bytes; raise it with --max-bytes", (unsigned long long)peak,
                  (unsigned long long)o->max_bytes);
    size_t in = shape_numel(g->nodes[0].shape), n = shape_numel(g->nodes[g->output].shape);
    float *logits = arena_array(a, count * n, sizeof(float));
    for (size_t i = 0; i < count; i++) {
        if (o->quantize_int8)
            ir_eval_int8(g, input + i * in, logits + i * n, NULL, NULL);
        else
            ir_eval(g, input + i * in, logits + i * n);
    }
    write_output(a, o->output, logits, count * n);
}

/* Output that did not reach stdout (a full disk, a closed pipe) is an error. */
static int finish_stdout(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
        fprintf(stderr, "effcc: error: cannot write the output: %s\n", strerror(errno));
        return status ? status : EXIT_USER;
    }
    return status;
}

int main(int argc, char **argv)
{
    Options o;
    int status = cli_parse(&o, argc, argv);
    if (status >= 0) {
        cli_free(&o);
        return finish_stdout(status);
    }
    Arena *a = arena_new();
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        if (!strcmp(o.command, "compile"))
            compile(a, &o);
        else if (!strcmp(o.command, "run"))
            run(a, &o);
        else if (!strcmp(o.command, "scale"))
            scale_search(a, &o);
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
    cli_free(&o);
    return finish_stdout(status);
}
