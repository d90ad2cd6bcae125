/* passes.h — the passes over the IR, one file and one verb each, and the
 * pipeline that runs them in order with the verifier between them. */
#ifndef EFFCC_PASSES_H
#define EFFCC_PASSES_H

#include "ir.h"

/* ===== passes/ =========================================================== */
void fold_bn(Graph *g);     /* fold_bn.c: BATCHNORM folded into the conv before it */
void fuse(Graph *g);        /* fuse.c: activations, residual adds, SE into conv kernels */
void tile(Graph *g);        /* tile.c: kernel, register and cache tiles per node */
void tile_plain(Graph *g);  /* tile.c: the same without register or cache blocking */
void layout(Graph *g);      /* layout.c: padded NHWC, weights packed as kernels read them */
void plan_weights(Graph *g); /* plan_weights.c: weights blob offsets */
void plan_memory(Graph *g); /* plan_memory.c: arena offsets from liveness */
size_t *plan_live_bytes(const Graph *g);           /* plan_memory.c: planned bytes alive per node */
size_t plan_whole_tensor_bound(const Graph *g);    /* plan_memory.c: peak if tensors were whole */

/* ===== passes/pipeline.c ================================================= */
typedef struct {
    const Target *target; /* NULL: target_default(); never host (resolve it first) */
    FILE *dump;   /* when set, the IR is printed after each pass */
    bool no_fuse; /* skip fuse (comparison builds) */
    bool no_tile; /* plain kernels: no register or cache blocking */
    int threads;  /* most threads a kernel may use; 0: the target's */
} PipelineOptions;
void run_pipeline(Graph *g, const PipelineOptions *o);

#endif
