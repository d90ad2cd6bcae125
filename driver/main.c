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

#include <ctype.h>
#include <string.h>

#define EXIT_USER 1

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

/* The real figures, after the pipeline: the weights blob and the arena. */
static void check_planned(const Graph *g, uint64_t max_bytes)
{
    size_t *offsets = arena_array(g->arena, (size_t)g->nparams + 1, sizeof(size_t));
    limits_check_planned(g, weights_blob_layout(g, offsets), max_bytes);
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

static void compile(Arena *a, Options *o)
{
    Model *m;
    uint64_t hash;
    const char *name = o->name;
    Graph *g = front(a, o, &m, &hash);
    if (!name)
        name = m->name;
    check_name(name);
    check_outdir_replaceable(o->outdir);
    if (o->weights) {
        weights_load(g, o->weights, o->allow_nonfinite);
    } else {
        uint64_t seed = o->has_seed ? o->seed : 1;
        note("no --weights given: using synthetic weights (seed %llu)", (unsigned long long)seed);
        weights_synthesize(g, seed);
    }
    PipelineOptions po = {.dump = o->dump ? stderr : NULL};
    run_pipeline(g, &po);
    check_planned(g, o->max_bytes);

    CodegenOptions co = {.name = name, .target = target_find(o->target),
                         .command = o->recorded, .spec_hash = hash, .model = m};
    char *staging = staging_dir_create(a, o->outdir);
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        codegen_write(g, &co, staging);
        if (o->save_weights)
            weights_save(g, o->save_weights);
        staging_dir_commit(staging, o->outdir);
        diag_pop(&f);
    } else {
        staging_dir_remove(staging);
        diag_rethrow();
    }
}

static void info(Arena *a, Options *o)
{
    Model *m;
    uint64_t hash;
    Graph *g = front(a, o, &m, &hash);
    run_pipeline(g, NULL);
    check_planned(g, o->max_bytes);
    if (o->json)
        info_print_json(stdout, m, g);
    else
        info_print_text(stdout, m, g);
}

int main(int argc, char **argv)
{
    Options o;
    int status = cli_parse(&o, argc, argv);
    if (status >= 0) {
        cli_free(&o);
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
    cli_free(&o);
    return status;
}
