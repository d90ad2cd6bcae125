/* main.c — effcc's main: runs the command cli_parse (driver/cli.c) gives.
 *
 *   effcc compile SPEC.yaml -o OUTDIR [options]   generate a C folder
 *   effcc info SPEC.yaml [options] [--json]        describe the scaled model
 *
 * Exit status: 0 success, 1 user error (spec, weights, files), 2 usage
 * error. Messages go to stderr. The work is a short list of library calls;
 * errors from them unwind here (support/diag.c). Sizes are checked against
 * --max-bytes on the lowered graph, before any weight is made, and again
 * after the pipeline. */
#include "ir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
    limits_check_planned(g, g->weights_bytes, max_bytes);
}

/* Spec → scaled model → graph, its sizes checked before any weight exists. */
static Graph *front(Arena *a, const Options *o, Model **model, uint64_t *spec_hash)
{
    Spec *spec = spec_load(a, o->spec);
    *spec_hash = spec->hash;
    *model = scale_model(a, spec, &o->scale);
    Graph *g = lower_model(a, *model);
    limits_check_lowered(g, o->max_bytes);
    return g;
}

static PipelineOptions pipeline_options(const Options *o, const Target *t)
{
    return (PipelineOptions){.dump = o->dump ? stderr : NULL, .vl = t->vl, .regs = t->regs,
                             .no_fuse = o->no_fuse, .no_tile = o->no_tile,
                             .threads = o->threads};
}

/* The generated folder's report gets the measured code size. */
static void append_code_size(Arena *a, const char *dir, const char *name, const Target *t,
                             const Graph *g)
{
    CodeSize cs = code_size(dir, name, t, g->weights_bytes);
    Buf b = read_file_max(arena_printf(a, "%s/report.txt", dir), REPORT_MAX_BYTES);
    info_code_size_text(&b, &cs);
    write_file(arena_printf(a, "%s/report.txt", dir), b.data, b.len);
    buf_free(&b);
}

static void compile(Arena *a, Options *o)
{
    Model *m;
    uint64_t hash;
    Graph *g = front(a, o, &m, &hash);
    if (!o->target_given)
        note("no --target given: generating portable C (generic); --target host gives this "
             "machine's SIMD (%s)", target_resolve(target_find("host"))->name);
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
    if (o->weights) {
        weights_load(g, o->weights, o->allow_nonfinite);
    } else {
        uint64_t seed = o->has_seed ? o->seed : 1;
        note("no --weights given: using synthetic weights (seed %llu)", (unsigned long long)seed);
        weights_synthesize(g, seed);
    }
    const Target *target = target_resolve(target_find(o->target));
    PipelineOptions po = pipeline_options(o, target);
    run_pipeline(g, &po);
    check_planned(g, o->max_bytes);

    Buf report = {0};
    info_report_text(&report, m, g, target->name);
    CodegenOptions co = {.name = name, .target = target,
                         .command = o->recorded, .spec_hash = hash, .model = m,
                         .labels = labels, .labels_source = labels_source,
                         .report = arena_strdup(a, report.data)};
    buf_free(&report);
    Staging staging = staging_dir_create(a, o->outdir);
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        codegen_write(g, &co, staging.dir);
        if (o->code_size)
            append_code_size(a, staging.dir, name, target, g);
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
        cs = code_size(dir, m->name, t, g->weights_bytes);
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
    uint64_t hash;
    Graph *g = front(a, o, &m, &hash);
    const Target *target = target_resolve(target_find(o->target));
    bool measure = o->target_given || o->code_size;
    if (measure)
        weights_synthesize(g, 1); /* the code does not depend on the values */
    PipelineOptions po = pipeline_options(o, target);
    po.dump = NULL;
    run_pipeline(g, &po);
    check_planned(g, o->max_bytes);
    CodeSize cs = measure ? measure_code(a, g, m, target) : (CodeSize){0};
    if (o->json)
        info_print_json(stdout, m, g, target->name, measure ? &cs : NULL);
    else
        info_print_text(stdout, m, g, target->name, measure ? &cs : NULL);
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
