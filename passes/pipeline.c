/* pipeline.c — the passes, in order, with the verifier between them.
 *
 * lower → fold_bn → fuse → layout → plan_memory. After each pass the IR is
 * verified (a failure is an effcc bug: print and abort) and, with -d,
 * printed. */
#include "ir.h"

#include <stdlib.h>

typedef struct {
    const char *name;
    void (*run)(Graph *);
} Pass;

static const Pass passes[] = {
    {"fold_bn", fold_bn},
    {"fuse", fuse},
    {"layout", layout},
    {"plan_memory", plan_memory},
};

static void checkpoint(const Graph *g, const char *after, const PipelineOptions *o)
{
    char msg[512];
    if (!ir_verify(g, msg, sizeof msg)) {
        fprintf(stderr, "effcc: internal error: IR invalid after %s: %s\n", after, msg);
        ir_print(stderr, g);
        abort();
    }
    if (o && o->dump) {
        fprintf(o->dump, "# IR after %s\n", after);
        ir_print(o->dump, g);
    }
}

void run_pipeline(Graph *g, const PipelineOptions *o)
{
    checkpoint(g, "lower", o);
    for (size_t i = 0; i < sizeof passes / sizeof passes[0]; i++) {
        passes[i].run(g);
        checkpoint(g, passes[i].name, o);
    }
}
