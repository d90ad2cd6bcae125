/* eval.c — the reference executor: a Graph run with plain loops.
 *
 * Requires: params in torchvision layout (before layout packs them), every
 * one a node reads holding data. Any stage from lowering to fuse will do.
 * Guarantees: each op computed as its definition says, one output value at
 * a time, products summed in double and the sum rounded once to float, as
 * the node stores it. No tiling, no vectors, no reordering beyond that: the
 * code should be obviously right, since the generated kernels are checked
 * against it.
 *
 * What fuse moves into a conv is computed exactly as the separate ops
 * computed it, rounding to float in between as they stored: the SE gate
 * scales a copy of the input (the SCALE's output), then the conv, then the
 * epilogue activation (the ACT's), then the residual add (the ADD's). An
 * expansion fused into a depthwise conv, and a pool its producer fills, are
 * evaluated as the nodes they still are. So a graph gives the same bits
 * before and after fuse, and every node's value can be watched.
 *
 * Memory: each node's output is a malloc'd buffer, freed as soon as the
 * last node reading it has run (ggml's graph allocator, at run time). Nodes
 * marked dead are skipped. */
#include "ir.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const Graph *g;
    float **value; /* per node: its output while some reader is still to run */
    int *last;     /* per node: the last node reading it (itself when none) */
    float *gated;  /* a gated conv's scaled input, while the conv runs */
    double *acc;   /* a conv's sums for one output channel */
} Eval;

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        internal_error("eval: out of memory (%zu bytes)", n);
    return p;
}

static const Node *input_node(const Graph *g, const Node *n, int k)
{
    int v = n->in[k];
    if (v < 0 || v >= g->nnodes || g->nodes[v].dead)
        internal_error("eval: %s '%s' reads %%%d, not a live node", op_names[n->op],
                       n->label ? n->label : "?", v);
    return &g->nodes[v];
}

/* A param the node reads: its data, checked to hold numel floats. */
static const float *param_data(const Graph *g, const Node *n, int p, size_t numel)
{
    if (p < 0 || p >= g->nparams)
        internal_error("eval: '%s' reads param %d, out of range", n->label, p);
    const Param *prm = &g->params[p];
    if (!prm->data || param_numel(prm) != numel)
        internal_error("eval: param '%s' of '%s' %s", prm->name, n->label,
                       prm->data ? "has the wrong size" : "has no data");
    return prm->data;
}

/* ---- one function per op; x, y are NCHW (batch 1) ---------------------- */

static double activate(Act kind, double x)
{
    switch (kind) {
    case ACT_NONE: return x;
    case ACT_SWISH: return x / (1.0 + exp(-x));
    case ACT_SIGMOID: return 1.0 / (1.0 + exp(-x));
    case ACT_RELU6: return x < 0 ? 0 : x > 6 ? 6 : x; /* NaN stays NaN, as in torch */
    case ACT_COUNT: break;
    }
    internal_error("eval: activation %d", (int)kind);
}

static void act_op(Act kind, const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = (float)activate(kind, x[i]);
}

static void add_op(const float *a, const float *b, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = (float)((double)a[i] + b[i]);
}

/* y[c,h,w] = x[c,h,w] · s[c] */
static void scale_op(const float *x, const float *s, Shape sh, float *y)
{
    size_t plane = (size_t)sh.h * (size_t)sh.w;
    for (int c = 0; c < sh.c; c++)
        for (size_t i = 0; i < plane; i++)
            y[(size_t)c * plane + i] = (float)((double)x[(size_t)c * plane + i] * s[c]);
}

static void avgpool_op(const float *x, Shape in, float *y)
{
    size_t plane = (size_t)in.h * (size_t)in.w;
    for (int c = 0; c < in.c; c++) {
        double sum = 0;
        for (size_t i = 0; i < plane; i++)
            sum += x[(size_t)c * plane + i];
        y[c] = (float)(sum / (double)plane);
    }
}

static void batchnorm_op(const Graph *g, const Node *n, const float *x, float *y)
{
    size_t c = (size_t)n->shape.c, plane = (size_t)n->shape.h * (size_t)n->shape.w;
    const float *gamma = param_data(g, n, n->bn.gamma, c), *beta = param_data(g, n, n->bn.beta, c);
    const float *mean = param_data(g, n, n->bn.mean, c), *var = param_data(g, n, n->bn.var, c);
    for (size_t k = 0; k < c; k++) {
        double inv = 1.0 / sqrt((double)var[k] + n->bn.eps);
        for (size_t i = 0; i < plane; i++)
            y[k * plane + i] = (float)((x[k * plane + i] - (double)mean[k]) * inv * gamma[k] + beta[k]);
    }
}

/* The output columns [ox0, ox1) of a row whose tap, at input column
 * ix = ox·s − left, lies inside the input row [0, in_w). */
void ir_tap_columns(long left, int s, int in_w, int out_w, long *ox0, long *ox1)
{
    long last = in_w - 1 + left; /* the largest ox·s allowed */
    *ox0 = left > 0 ? (left + s - 1) / s : 0;
    *ox1 = last < 0 ? 0 : last / s + 1;
    if (*ox1 > out_w)
        *ox1 = out_w;
}

/* Convolution (and LINEAR: a 1×1 conv of a 1×1 map, weight [out, in]):
 * y[co,oy,ox] = b[co] + Σ w[co,ci,ky,kx] · x[g·cin/G + ci, oy·s − top + ky,
 * ox·s − left + kx] over the group's input channels and the kernel, taps in
 * the padding left out. */
static void conv_op(Eval *E, const Node *n, const float *x, Shape in, float *y)
{
    int k = n->conv.kernel, s = n->conv.stride, groups = n->conv.groups;
    Shape out = n->shape;
    if (k < 1 || s < 1 || groups < 1 || in.c % groups || out.c % groups)
        internal_error("eval: conv '%s': kernel %d, stride %d, groups %d", n->label, k, s, groups);
    int cin = in.c / groups, cout = out.c / groups;
    const float *w = param_data(E->g, n, n->conv.weight, (size_t)out.c * (size_t)cin * (size_t)k * (size_t)k);
    const float *b = n->conv.bias >= 0 ? param_data(E->g, n, n->conv.bias, (size_t)out.c) : NULL;
    size_t iplane = (size_t)in.h * (size_t)in.w, oplane = (size_t)out.h * (size_t)out.w;
    for (int co = 0; co < out.c; co++) {
        int first = co / cout * cin; /* the group's first input channel */
        memset(E->acc, 0, oplane * sizeof(double));
        for (int ci = 0; ci < cin; ci++)
            for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++) {
                    double wv = w[(((size_t)co * (size_t)cin + (size_t)ci) * (size_t)k + (size_t)ky) * (size_t)k + (size_t)kx];
                    const float *xc = x + (size_t)(first + ci) * iplane;
                    long left = n->conv.pad[1] - kx, ox0, ox1;
                    ir_tap_columns(left, s, in.w, out.w, &ox0, &ox1);
                    for (int oy = 0; oy < out.h; oy++) {
                        long iy = (long)oy * s - n->conv.pad[0] + ky;
                        if (iy < 0 || iy >= in.h)
                            continue;
                        const float *xr = xc + (size_t)iy * (size_t)in.w;
                        double *ar = E->acc + (size_t)oy * (size_t)out.w;
                        for (long ox = ox0; ox < ox1; ox++)
                            ar[ox] += wv * xr[ox * s - left];
                    }
                }
        for (size_t i = 0; i < oplane; i++)
            y[(size_t)co * oplane + i] = (float)(E->acc[i] + (b ? b[co] : 0.0));
    }
}

/* A conv with what fuse gave it, in the order of the ops it replaced:
 * gate (SCALE), conv, activation (ACT), residual (ADD). */
static void conv_node(Eval *E, int i, float *y)
{
    const Node *n = &E->g->nodes[i];
    const Node *src = input_node(E->g, n, 0);
    const float *x = E->value[n->in[0]];
    size_t numel = shape_numel(n->shape);
    E->acc = xmalloc((size_t)n->shape.h * (size_t)n->shape.w * sizeof(double));
    if (n->conv.gate) {
        const Node *gate = input_node(E->g, n, 2);
        if (gate->shape.c != src->shape.c || gate->shape.h * gate->shape.w != 1)
            internal_error("eval: the gate of '%s' is not one value per input channel", n->label);
        E->gated = xmalloc(shape_numel(src->shape) * sizeof(float));
        scale_op(x, E->value[n->in[2]], src->shape, E->gated);
        x = E->gated;
    }
    conv_op(E, n, x, src->shape, y);
    if (n->conv.act != ACT_NONE)
        act_op(n->conv.act, y, y, numel);
    if (n->conv.residual) {
        if (shape_numel(input_node(E->g, n, 1)->shape) != numel)
            internal_error("eval: the residual of '%s' differs in size", n->label);
        add_op(y, E->value[n->in[1]], y, numel);
    }
    free(E->gated);
    free(E->acc);
    E->gated = NULL;
    E->acc = NULL;
}

static void node_op(Eval *E, int i, const float *input, float *y)
{
    const Node *n = &E->g->nodes[i];
    size_t numel = shape_numel(n->shape);
    switch (n->op) {
    case OP_INPUT: memcpy(y, input, numel * sizeof(float)); return;
    case OP_CONV2D:
    case OP_LINEAR: conv_node(E, i, y); return;
    case OP_BATCHNORM: batchnorm_op(E->g, n, E->value[n->in[0]], y); return;
    case OP_ACT: act_op(n->act.kind, E->value[n->in[0]], y, numel); return;
    case OP_AVGPOOL: avgpool_op(E->value[n->in[0]], input_node(E->g, n, 0)->shape, y); return;
    case OP_SCALE: scale_op(E->value[n->in[0]], E->value[n->in[1]], n->shape, y); return;
    case OP_ADD: add_op(E->value[n->in[0]], E->value[n->in[1]], y, numel); return;
    case OP_QUANTIZE: /* layout_int8's, after which the graph is not evaluated */
    case OP_COUNT: break;
    }
    internal_error("eval: op %d", (int)n->op);
}

/* ---- the walk ---------------------------------------------------------- */

/* last[v]: the last live node reading v, or v itself when none does. */
int *ir_last_uses(const Graph *g)
{
    int *last = xmalloc((size_t)g->nnodes * sizeof(int));
    for (int i = 0; i < g->nnodes; i++) {
        last[i] = i;
        if (g->nodes[i].dead)
            continue;
        for (int k = 0; k < g->nodes[i].nin; k++) {
            int v = g->nodes[i].in[k];
            if (v >= 0) {
                input_node(g, &g->nodes[i], k);
                if (v >= i)
                    internal_error("eval: node %%%d reads %%%d, not an earlier node", i, v);
                last[v] = i;
            }
        }
    }
    return last;
}

/* Values whose last reader is node i, and i itself when nothing reads it. */
static bool freed_after(const Graph *g, const int *last, int v, int i)
{
    return v != g->output && last[v] == i;
}

/* What the op functions take for granted. A conv's fused pool needs no
 * work of its own: the AVGPOOL is still a node reading the conv. */
static void check_graph(const Graph *g)
{
    if (g->done & DONE_LAYOUT)
        internal_error("eval: params are packed (run before layout)");
    if (g->output < 0 || g->output >= g->nnodes || g->nodes[g->output].dead)
        internal_error("eval: the graph has no output node");
    for (int i = 0; i < g->nnodes; i++) {
        const Node *n = &g->nodes[i];
        if (n->dead || n->op != OP_CONV2D || n->conv.pool < 0)
            continue;
        const Node *p = n->conv.pool < g->nnodes ? &g->nodes[n->conv.pool] : NULL;
        if (!p || p->dead || p->op != OP_AVGPOOL || p->in[0] != i)
            internal_error("eval: the pool conv '%s' fills is not an avgpool of it", n->label);
    }
}

static void walk(Eval *E, const float *input, float *output, EvalVisit *visit, void *ctx)
{
    const Graph *g = E->g;
    for (int i = 0; i < g->nnodes; i++) {
        const Node *n = &g->nodes[i];
        if (n->dead)
            continue;
        E->value[i] = xmalloc(shape_numel(n->shape) * sizeof(float));
        node_op(E, i, input, E->value[i]);
        if (visit)
            visit(ctx, g, i, E->value[i]);
        for (int k = 0; k < n->nin; k++) {
            int v = n->in[k];
            if (v >= 0 && freed_after(g, E->last, v, i)) {
                free(E->value[v]);
                E->value[v] = NULL;
            }
        }
        if (freed_after(g, E->last, i, i)) {
            free(E->value[i]);
            E->value[i] = NULL;
        }
    }
    if (output)
        memcpy(output, E->value[g->output], shape_numel(g->nodes[g->output].shape) * sizeof(float));
}

static void release(Eval *E)
{
    for (int i = 0; E->value && i < E->g->nnodes; i++)
        free(E->value[i]);
    free(E->value);
    free(E->last);
    free(E->gated);
    free(E->acc);
    free(E);
}

void ir_eval_visit(const Graph *g, const float *input, float *output, EvalVisit *visit, void *ctx)
{
    check_graph(g);
    /* On the heap: what walk changes must survive a longjmp. */
    Eval *E = xmalloc(sizeof *E);
    *E = (Eval){.g = g, .last = ir_last_uses(g)};
    E->value = calloc((size_t)g->nnodes, sizeof *E->value);
    if (!E->value)
        internal_error("eval: out of memory");
    /* A visitor may raise a user error: the buffers go with it. */
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        walk(E, input, output, visit, ctx);
        diag_pop(&f);
        release(E);
    } else {
        release(E);
        diag_rethrow();
    }
}

void ir_eval_node(const Graph *g, int i, const float *const in[3], float *y)
{
    const Node *n = &g->nodes[i];
    if (n->op == OP_INPUT)
        internal_error("eval: ir_eval_node on the input");
    Eval E = {.g = g};
    E.value = calloc((size_t)g->nnodes, sizeof *E.value);
    if (!E.value)
        internal_error("eval: out of memory");
    for (int k = 0; k < n->nin; k++)
        if (n->in[k] >= 0)
            E.value[n->in[k]] = (float *)in[k];
    node_op(&E, i, NULL, y);
    free(E.value);
}

void ir_eval(const Graph *g, const float *input, float *output)
{
    ir_eval_visit(g, input, output, NULL, NULL);
}

/* The same walk, counting instead of computing. */
uint64_t ir_eval_peak_bytes(const Graph *g)
{
    check_graph(g);
    int *last = ir_last_uses(g);
    bool *held = calloc((size_t)g->nnodes, sizeof *held);
    if (!held)
        internal_error("eval: out of memory");
    uint64_t live = 0, peak = 0;
    for (int i = 0; i < g->nnodes; i++) {
        const Node *n = &g->nodes[i];
        if (n->dead)
            continue;
        uint64_t scratch = 0;
        if (n->op == OP_CONV2D || n->op == OP_LINEAR) {
            scratch = size_mul(size_mul((uint64_t)n->shape.h, (uint64_t)n->shape.w), sizeof(double));
            if (n->conv.gate)
                scratch = size_add(scratch, shape_bytes(g->nodes[n->in[0]].shape));
        }
        live = size_add(live, shape_bytes(n->shape));
        held[i] = true;
        if (size_add(live, scratch) > peak)
            peak = size_add(live, scratch);
        for (int k = 0; k <= n->nin; k++) {
            int v = k < n->nin ? n->in[k] : i;
            if (v >= 0 && held[v] && freed_after(g, last, v, i)) {
                live -= live == UINT64_MAX ? 0 : shape_bytes(g->nodes[v].shape);
                held[v] = false;
            }
        }
    }
    free(held);
    free(last);
    return peak;
}
