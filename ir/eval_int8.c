/* eval_int8.c — the int8 semantics: a quantized graph run op by op.
 *
 * Requires: quantize has run (every value has its QuantParams, every conv
 * its int8 weights), nothing fused but ReLU6 clamps, params unpacked.
 * Guarantees: each node computes what TFLite's reference int8 kernel for its
 * op computes (docs/int8.md), through ir/quant.c, one output at a time:
 *
 *   INPUT    QUANTIZE (reference_ops::AffineQuantize)
 *   CONV2D   CONV_2D / DEPTHWISE_CONV_2D per channel, padded taps skipped
 *   LINEAR   FULLY_CONNECTED per channel (one rounding in double, not MBQM)
 *   ACT      swish: LOGISTIC then MUL as one table; sigmoid: LOGISTIC;
 *            ReLU6 (one not fused into a conv): RELU6
 *   AVGPOOL  MEAN over H and W (QuantizedMeanOrSum)
 *   SCALE    MUL, the gate broadcast over H and W
 *   ADD      ADD
 *   output   DEQUANTIZE
 *
 * A node kept in float (qfloat) reads its inputs dequantized, computes as
 * ir_eval does and stores floats; an int8 node reading it quantizes them
 * with that value's params, as a QUANTIZE op would. Values are NCHW, freed
 * after their last reader, as in eval.c. */
#include "ir.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const Graph *g;
    int8_t **q;  /* per node: its int8 value while some reader is still to run */
    float **f;   /* per qfloat node: its float value, the same while */
    int *last;
} Eval8;

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        internal_error("eval_int8: out of memory (%zu bytes)", n);
    return p;
}

/* QUANTIZE: zp + round(x / scale), the division in double, clamped. */
static int8_t quantize_value(QuantParams p, float x)
{
    double t = round((double)x / (double)p.scale);
    double v = t + p.zp;
    return (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v); /* NaN: internal error below */
}

/* DEQUANTIZE: scale·(q − zp), in double, then float. */
static float dequantize_value(QuantParams p, int8_t q)
{
    return (float)((double)p.scale * ((int32_t)q - p.zp));
}

static void quantize_array(QuantParams p, const float *x, int8_t *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i]))
            internal_error("eval_int8: NaN to quantize");
        y[i] = quantize_value(p, x[i]);
    }
}

static void dequantize_array(QuantParams p, const int8_t *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = dequantize_value(p, x[i]);
}

static const Param *param_of(const Graph *g, const Node *n, int p, ParamType type)
{
    if (p < 0 || p >= g->nparams || g->params[p].type != type)
        internal_error("eval_int8: '%s' has no %s param %d", n->label,
                       type == PARAM_I8 ? "int8" : type == PARAM_I32 ? "int32" : "float", p);
    return &g->params[p];
}

/* ---- int8 ops; x, y are NCHW ------------------------------------------- */

/* CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED: y[co, oy, ox] = requantised
 * Σ w·(x − zp_in) + bias over the group's channels and the kernel, taps in
 * the padding left out. The sums
 * are made a tap at a time over a whole output plane (contiguous rows, as
 * the float evaluator does): in int32 they are exact (quant_dot's bound),
 * so the order of the additions changes nothing. LINEAR, a 1×1 map, takes
 * its taps at once: it rounds in double (quant_fc_output). */
static void conv_op(const Graph *g, const Node *n, const int8_t *x, const Node *src, int8_t *y)
{
    int k = n->conv.kernel, s = n->conv.stride, groups = n->conv.groups;
    Shape in = src->shape, out = n->shape;
    int cin = in.c / groups, cout = out.c / groups;
    const int8_t *w = param_of(g, n, n->conv.qweight, PARAM_I8)->i8;
    const float *sw = param_of(g, n, n->conv.qscale, PARAM_F32)->data;
    const int32_t *bias = param_of(g, n, n->conv.qbias, PARAM_I32)->i32;
    size_t taps = (size_t)cin * (size_t)k * (size_t)k;
    if (taps > 65536)
        internal_error("eval_int8: conv '%s': %zu taps", n->label, taps);
    size_t iplane = (size_t)in.h * (size_t)in.w, oplane = (size_t)out.h * (size_t)out.w;
    int32_t lo, hi, zp = src->q.zp;
    quant_act_range(n->conv.act, n->q, &lo, &hi);
    if (n->op == OP_LINEAR) {
        int8_t *tx = xmalloc(taps);
        for (int co = 0; co < out.c; co++) {
            double fc_scale = quant_fc_scale(src->q, sw[co], n->q);
            int first = co / cout * cin;
            memcpy(tx, x + first, taps);
            y[co] = quant_fc_output(tx, w + (size_t)co * taps, (int)taps, zp, bias[co], fc_scale,
                                    n->q.zp, lo, hi);
        }
        free(tx);
        return;
    }
    int32_t *acc = xmalloc(oplane * sizeof *acc);
    for (int co = 0; co < out.c; co++) {
        QuantRequant r = quant_conv_requant(src->q, sw[co], n->q, n->conv.act);
        const int8_t *wc = w + (size_t)co * taps;
        int first = co / cout * cin;
        memset(acc, 0, oplane * sizeof *acc);
        for (int ci = 0; ci < cin; ci++)
            for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++) {
                    int32_t wv = wc[((size_t)ci * (size_t)k + (size_t)ky) * (size_t)k + (size_t)kx];
                    const int8_t *xc = x + (size_t)(first + ci) * iplane;
                    long left = n->conv.pad[1] - kx, ox0, ox1;
                    ir_tap_columns(left, s, in.w, out.w, &ox0, &ox1);
                    for (int oy = 0; oy < out.h; oy++) {
                        long iy = (long)oy * s - n->conv.pad[0] + ky;
                        if (iy < 0 || iy >= in.h)
                            continue;
                        const int8_t *xr = xc + (size_t)iy * (size_t)in.w;
                        int32_t *ar = acc + (size_t)oy * (size_t)out.w;
                        for (long ox = ox0; ox < ox1; ox++)
                            ar[ox] += wv * ((int32_t)xr[ox * s - left] - zp);
                    }
                }
        for (size_t i = 0; i < oplane; i++)
            y[(size_t)co * oplane + i] = quant_sum_output(acc[i], bias[co], &r);
    }
    free(acc);
}

/* RELU6 on its own (activations.cc ReluPrepare, reference ReluX): the input
 * rescaled by s_in/s_out (the division in float), then clamped. */
static void relu6_op(QuantParams in, QuantParams out, const int8_t *x, int8_t *y, size_t n)
{
    QuantRequant r = {.m = quant_multiplier((double)(in.scale / out.scale)), .zp_out = out.zp};
    quant_act_range(ACT_RELU6, out, &r.lo, &r.hi);
    for (size_t i = 0; i < n; i++)
        y[i] = quant_requantize((int32_t)x[i] - in.zp, &r);
}

static void act_op(const Node *n, const Node *src, const int8_t *x, int8_t *y)
{
    size_t numel = shape_numel(n->shape);
    int8_t table[256];
    switch (n->act.kind) {
    case ACT_SWISH: quant_swish_table(src->q, n->q, table); break;
    case ACT_SIGMOID: quant_logistic_table(src->q, table); break;
    case ACT_RELU6: relu6_op(src->q, n->q, x, y, numel); return;
    case ACT_NONE:
    case ACT_COUNT: internal_error("eval_int8: activation %d", (int)n->act.kind);
    }
    for (size_t i = 0; i < numel; i++)
        y[i] = table[(uint8_t)x[i]];
}

static void mean_op(const Node *n, const Node *src, const int8_t *x, int8_t *y)
{
    size_t plane = (size_t)src->shape.h * (size_t)src->shape.w;
    if (plane > (size_t)1 << 23)
        internal_error("eval_int8: a mean over %zu values", plane);
    QuantMean p = quant_mean_params(src->q, n->q, (int32_t)plane);
    for (int c = 0; c < src->shape.c; c++)
        y[c] = quant_mean(&p, x + (size_t)c * plane, 1);
}

static void scale_op(const Node *n, const Node *a, const Node *b, const int8_t *x,
                     const int8_t *gate, int8_t *y)
{
    QuantMul p = quant_mul_params(a->q, b->q, n->q, ACT_NONE);
    size_t plane = (size_t)n->shape.h * (size_t)n->shape.w;
    for (int c = 0; c < n->shape.c; c++)
        for (size_t i = 0; i < plane; i++)
            y[(size_t)c * plane + i] = quant_mul(&p, x[(size_t)c * plane + i], gate[c]);
}

static void add_op(const Node *n, const Node *a, const Node *b, const int8_t *x, const int8_t *z,
                   int8_t *y)
{
    QuantAdd p = quant_add_params(a->q, b->q, n->q, ACT_NONE);
    size_t numel = shape_numel(n->shape);
    for (size_t i = 0; i < numel; i++)
        y[i] = quant_add(&p, x[i], z[i]);
}

/* ---- the walk ---------------------------------------------------------- */

/* Value v as int8: its own, or its floats quantized into a new buffer
 * (*tmp, freed by the caller). */
static const int8_t *int8_input(Eval8 *E, int v, int8_t **tmp)
{
    if (E->q[v])
        return E->q[v];
    const Node *n = &E->g->nodes[v];
    size_t numel = shape_numel(n->shape);
    *tmp = xmalloc(numel);
    quantize_array(n->q, E->f[v], *tmp, numel);
    return *tmp;
}

static void int8_node(Eval8 *E, int i, const float *input, int8_t *y)
{
    const Graph *g = E->g;
    const Node *n = &g->nodes[i];
    int8_t *tmp[3] = {NULL, NULL, NULL};
    const int8_t *x[3] = {NULL, NULL, NULL};
    const Node *src[3] = {NULL, NULL, NULL};
    for (int k = 0; k < n->nin; k++)
        if (n->in[k] >= 0) {
            x[k] = int8_input(E, n->in[k], &tmp[k]);
            src[k] = &g->nodes[n->in[k]];
        }
    switch (n->op) {
    case OP_INPUT: quantize_array(n->q, input, y, shape_numel(n->shape)); break;
    case OP_CONV2D:
    case OP_LINEAR: conv_op(g, n, x[0], src[0], y); break;
    case OP_ACT: act_op(n, src[0], x[0], y); break;
    case OP_AVGPOOL: mean_op(n, src[0], x[0], y); break;
    case OP_SCALE: scale_op(n, src[0], src[1], x[0], x[1], y); break;
    case OP_ADD: add_op(n, src[0], src[1], x[0], x[1], y); break;
    case OP_BATCHNORM:
    case OP_QUANTIZE: /* layout_int8's: after evaluation */
    case OP_COUNT: internal_error("eval_int8: op %s", op_names[n->op]);
    }
    for (int k = 0; k < 3; k++)
        free(tmp[k]);
}

/* A node kept in float: its inputs dequantized, then ir_eval's arithmetic. */
static void float_node(Eval8 *E, int i, const float *input, float *y)
{
    const Graph *g = E->g;
    const Node *n = &g->nodes[i];
    if (n->op == OP_INPUT) {
        memcpy(y, input, shape_numel(n->shape) * sizeof(float));
        return;
    }
    float *tmp[3] = {NULL, NULL, NULL};
    const float *in[3] = {NULL, NULL, NULL};
    for (int k = 0; k < n->nin; k++) {
        int v = n->in[k];
        if (v < 0)
            continue;
        if (E->f[v]) {
            in[k] = E->f[v];
            continue;
        }
        size_t numel = shape_numel(g->nodes[v].shape);
        tmp[k] = xmalloc(numel * sizeof(float));
        dequantize_array(g->nodes[v].q, E->q[v], tmp[k], numel);
        in[k] = tmp[k];
    }
    ir_eval_node(g, i, in, y);
    for (int k = 0; k < 3; k++)
        free(tmp[k]);
}

static void drop(Eval8 *E, int v)
{
    free(E->q[v]);
    free(E->f[v]);
    E->q[v] = NULL;
    E->f[v] = NULL;
}

static void check_graph(const Graph *g)
{
    if (!(g->done & DONE_QUANTIZE) || g->done & (DONE_FUSE | DONE_LAYOUT))
        internal_error("eval_int8: needs a quantized graph, unfused and unpacked");
    if (g->output < 0 || g->output >= g->nnodes || g->nodes[g->output].dead)
        internal_error("eval_int8: the graph has no output node");
}

static void walk(Eval8 *E, const float *input, float *output, EvalVisit *visit, void *ctx)
{
    const Graph *g = E->g;
    for (int i = 0; i < g->nnodes; i++) {
        const Node *n = &g->nodes[i];
        if (n->dead)
            continue;
        size_t numel = shape_numel(n->shape);
        float *seen = NULL;
        if (n->qfloat) {
            E->f[i] = xmalloc(numel * sizeof(float));
            float_node(E, i, input, E->f[i]);
        } else {
            E->q[i] = xmalloc(numel);
            int8_node(E, i, input, E->q[i]);
        }
        if (visit || i == g->output) {
            seen = E->f[i];
            if (!seen) {
                seen = xmalloc(numel * sizeof(float));
                dequantize_array(n->q, E->q[i], seen, numel);
            }
            if (visit)
                visit(ctx, g, i, seen);
            if (i == g->output && output)
                memcpy(output, seen, numel * sizeof(float));
            if (seen != E->f[i])
                free(seen);
        }
        for (int k = 0; k < n->nin; k++) {
            int v = n->in[k];
            if (v >= 0 && E->last[v] == i)
                drop(E, v);
        }
        if (E->last[i] == i)
            drop(E, i);
    }
}

static void release(Eval8 *E)
{
    for (int i = 0; i < E->g->nnodes; i++) {
        if (E->q)
            free(E->q[i]);
        if (E->f)
            free(E->f[i]);
    }
    free(E->q);
    free(E->f);
    free(E->last);
    free(E);
}

static Eval8 *new_eval(const Graph *g)
{
    Eval8 *E = xmalloc(sizeof *E);
    *E = (Eval8){.g = g, .last = ir_last_uses(g)};
    E->q = calloc((size_t)g->nnodes, sizeof *E->q);
    E->f = calloc((size_t)g->nnodes, sizeof *E->f);
    if (!E->q || !E->f)
        internal_error("eval_int8: out of memory");
    return E;
}

void ir_eval_int8(const Graph *g, const float *input, float *output, EvalVisit *visit, void *ctx)
{
    check_graph(g);
    Eval8 *E = new_eval(g);
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

/* ---- the three values of each node, for the report -------------------- */

/* Node i's value in float (ir_eval's), in int8 as the model computes it
 * (C: as walk does) and its own int8 op's (O, whose f holds every live
 * node's float value: the op reads those quantized, so only its own
 * rounding shows; a node kept in float has none). */
static void compare_node(Eval8 *C, Eval8 *O, int i, const float *input, EvalCompare *visit,
                         void *ctx)
{
    const Graph *g = C->g;
    const Node *n = &g->nodes[i];
    size_t numel = shape_numel(n->shape);
    float *ref = xmalloc(numel * sizeof(float)), *own = xmalloc(numel * sizeof(float));
    float *model = xmalloc(numel * sizeof(float));
    if (n->op == OP_INPUT) {
        memcpy(ref, input, numel * sizeof(float));
    } else {
        const float *in[3] = {NULL, NULL, NULL};
        for (int k = 0; k < n->nin; k++)
            in[k] = n->in[k] >= 0 ? O->f[n->in[k]] : NULL;
        ir_eval_node(g, i, in, ref);
    }
    O->f[i] = ref;
    if (n->qfloat) {
        memcpy(own, ref, numel * sizeof(float));
        C->f[i] = xmalloc(numel * sizeof(float));
        float_node(C, i, input, C->f[i]);
        memcpy(model, C->f[i], numel * sizeof(float));
    } else {
        int8_t *q = xmalloc(numel);
        int8_node(O, i, input, q);
        dequantize_array(n->q, q, own, numel);
        free(q);
        C->q[i] = xmalloc(numel);
        int8_node(C, i, input, C->q[i]);
        dequantize_array(n->q, C->q[i], model, numel);
    }
    visit(ctx, g, i, ref, model, own);
    free(own);
    free(model);
}

static void walk_compare(Eval8 *C, Eval8 *O, const float *input, EvalCompare *visit, void *ctx)
{
    const Graph *g = C->g;
    for (int i = 0; i < g->nnodes; i++) {
        const Node *n = &g->nodes[i];
        if (n->dead)
            continue;
        compare_node(C, O, i, input, visit, ctx);
        for (int k = 0; k < n->nin; k++) {
            int v = n->in[k];
            if (v >= 0 && C->last[v] == i) {
                drop(C, v);
                drop(O, v);
            }
        }
        if (C->last[i] == i) {
            drop(C, i);
            drop(O, i);
        }
    }
}

void ir_eval_int8_compare(const Graph *g, const float *input, EvalCompare *visit, void *ctx)
{
    check_graph(g);
    Eval8 *C = new_eval(g), *O = new_eval(g);
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        walk_compare(C, O, input, visit, ctx);
        diag_pop(&f);
        release(C);
        release(O);
    } else {
        release(C);
        release(O);
        diag_rethrow();
    }
}
