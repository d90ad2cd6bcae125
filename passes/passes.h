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

/* ===== int8 (docs/int8.md) ================================================
 * The float graph after fold_bn → fuse_clamps → calibrate → quantize is the
 * int8 model ir_eval_int8 runs: the same nodes as the float graph (each
 * float op is one TFLite int8 op), every value with its scale and zero
 * point, every conv with int8 weights beside its float ones. */

/* fuse.c: a ReLU6 after a conv becomes that conv's epilogue (TFLite's fused
 * activation: the int8 output clamp), the one fusion int8 ranges need. */
void fuse_clamps(Graph *g);

/* calibrate.c: activation ranges. Each of count inputs (C×H×W floats each,
 * back to back) runs through the float graph (ir_eval_visit); each node's
 * values go into a histogram; the estimator picks each node's range from
 * it. Returns one range per node (g->nnodes; dead nodes {0, 0}). */
#define ESTIMATOR_LIST(X) X(MINMAX, "minmax") X(PERCENTILE, "percentile") X(MSE, "mse")
typedef enum {
#define X(e, s) ESTIMATOR_##e,
    ESTIMATOR_LIST(X)
#undef X
        ESTIMATOR_COUNT
} Estimator;
extern const char *const estimator_names[ESTIMATOR_COUNT];
typedef struct {
    float min, max; /* min ≤ 0 ≤ max is not required: quantize widens to hold 0 */
} ValueRange;
ValueRange *calibrate(Arena *a, const Graph *g, const float *inputs, int count, Estimator e);
/* The histogram calibrate keeps per value (its tests use it directly):
 * HISTOGRAM_BINS bins of width 2^e on a grid anchored at 0, bin j holding
 * [(off + j)·2^e, (off + j + 1)·2^e). A value outside makes the width grow
 * by powers of two, each old bin falling whole into a new one, so one pass
 * over the inputs suffices and no count is lost. Zeroed: empty. */
#define HISTOGRAM_BINS 2048
typedef struct {
    uint64_t bins[HISTOGRAM_BINS];
    int64_t off;
    int e;
    float min, max; /* exact */
    uint64_t n;     /* values added: the sum of bins */
} Histogram;
/* false, adding nothing, when a value is NaN or infinite */
bool histogram_add(Histogram *h, const float *x, size_t n);
ValueRange histogram_range(const Histogram *h, Estimator e); /* empty: {0, 0} */

/* quantize.c: int8 params for every value (QuantParams from its range;
 * sigmoid outputs fixed at 1/256, −128 as TFLite's LOGISTIC has them),
 * int8 weights per output channel and int32 biases for every conv and
 * linear node; the nodes whose label is in keep_float stay float. */
typedef struct {
    const char *const *keep_float; /* node labels */
    int nkeep;
} QuantizeOptions;
void quantize(Graph *g, const ValueRange *ranges, const QuantizeOptions *o);

/* layout_int8.c: the int8 model's layout (instead of fuse, tile and
 * layout): NHWC int8 values, packed int8 weights, per-channel
 * requantisation and activation tables as params. */
void layout_int8(Graph *g);

/* ===== passes/pipeline.c ================================================= */
typedef struct {
    const Target *target; /* NULL: target_default(); never host (resolve it first) */
    FILE *dump;   /* when set, the IR is printed after each pass */
    bool no_fuse; /* skip fuse (comparison builds) */
    bool no_tile; /* plain kernels: no register or cache blocking */
    int threads;  /* most threads a kernel may use; 0: the target's */
} PipelineOptions;
void run_pipeline(Graph *g, const PipelineOptions *o);
/* The int8 model (quantize has run): layout_int8 → plan_weights →
 * plan_memory, verified and dumped the same way. */
void run_pipeline_int8(Graph *g, const PipelineOptions *o);

#endif
