/* pipeline.c — the passes, in order, with the verifier between them.
 *
 * lower → fold_bn → fuse → tile → layout → plan_weights → plan_memory. After each pass
 * the IR is verified (a failure is an effcc bug: print and abort) and, with
 * -d, printed. Comparison builds may skip fuse or replace tile by
 * tile_plain. */
#include "passes.h"

#include <stdlib.h>

static void checkpoint(const Graph *g, const char *after, const PipelineOptions *o)
{
    char msg[512];
    if (!ir_verify(g, msg, sizeof msg)) {
        ir_print(stderr, g);
        internal_error("IR invalid after %s: %s", after, msg);
    }
    if (o && o->dump) {
        fprintf(o->dump, "# IR after %s\n", after);
        ir_print(o->dump, g);
    }
}

static void run(Graph *g, const char *name, void (*pass)(Graph *), const PipelineOptions *o)
{
    pass(g);
    checkpoint(g, name, o);
}

void run_pipeline(Graph *g, const PipelineOptions *o)
{
    g->target = o && o->target ? o->target : target_default();
    g->threads = o && o->threads > 0 ? o->threads : g->target->threads;
    if (g->target->vl < 1)
        internal_error("pipeline: target %s has no vector width (resolve host first)",
                       g->target->name);
    checkpoint(g, "lower", o);
    run(g, "fold_bn", fold_bn, o);
    if (!(o && o->no_fuse))
        run(g, "fuse", fuse, o);
    run(g, "tile", o && o->no_tile ? tile_plain : tile, o);
    run(g, "layout", layout, o);
    run(g, "plan_weights", plan_weights, o);
    run(g, "plan_memory", plan_memory, o);
}

void run_pipeline_int8(Graph *g, const PipelineOptions *o)
{
    g->target = o && o->target ? o->target : target_default();
    g->threads = o && o->threads > 0 ? o->threads : g->target->threads;
    checkpoint(g, "quantize", o);
    run(g, "layout_int8", layout_int8, o);
    run(g, "plan_weights", plan_weights, o);
    run(g, "plan_memory", plan_memory, o);
}
