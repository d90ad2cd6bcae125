/* quantize.c — int8 params for every value, int8 weights for every conv.
 *
 * Requires: batch norm folded, ReLU6 folded into its conv (fuse_clamps) and
 * nothing else fused: each node is then one TFLite int8 op (docs/int8.md),
 * and ranges[i] is what calibrate measured at node i. Guarantees (checked by
 * the verifier under DONE_QUANTIZE):
 *   - every live value has a scale > 0 and a zero point in [−128, 127], from
 *     its range as TFLite's calibrating quantizer computes them
 *     (quant_activation_params); a sigmoid's is LOGISTIC's fixed 1/256, −128;
 *   - every conv and linear node has int8 weights (symmetric, per output
 *     channel), their float scales and an int32 bias of scale s_in·s_w[c],
 *     as new params beside the float ones, which stay: the same graph runs
 *     in float (ir_eval) and in int8 (ir_eval_int8), node for node;
 *   - the nodes labelled in o->keep_float are marked qfloat.
 * The float params and the graph's structure are left as they were. */
#include "passes.h"

#include <string.h>

/* A range holding no value but 0 gets a scale all the same: any scale
 * represents 0 exactly, and TFLite refuses a scale of 0. */
static QuantParams value_params(ValueRange r)
{
    if (!(r.max - r.min > 0) && r.min == 0)
        r.max = 1;
    QuantParams q = quant_activation_params(r.min, r.max);
    if (!(q.scale > 0))
        q = quant_activation_params(r.min - 1, r.max + 1);
    return q;
}

static int add_typed_param(Graph *g, const char *name, const char *suffix, int rank,
                           const int *dims, ParamType type)
{
    return graph_add_data_param(g, arena_printf(g->arena, "%s~%s", name, suffix), rank, dims, type);
}

/* Weights per output channel, and the bias at the input's scale (a conv
 * without bias gets zeros, as TFLite's converter gives it). */
static void quantize_weights(Graph *g, Node *n)
{
    Param w = g->params[n->conv.weight];
    if (w.type != PARAM_F32 || !w.data)
        internal_error("quantize: '%s' has no float weights", n->label);
    int out = w.dims[0];
    size_t per = param_numel(&w) / (size_t)out;
    n->conv.qweight = add_typed_param(g, w.name, "int8", w.rank, w.dims, PARAM_I8);
    n->conv.qscale = add_typed_param(g, w.name, "scale", 1, &out, PARAM_F32);
    const char *bname = n->conv.bias >= 0 ? g->params[n->conv.bias].name : w.name;
    n->conv.qbias = add_typed_param(g, bname, n->conv.bias >= 0 ? "int32" : "bias~int32", 1,
                                    &out, PARAM_I32);
    Param *qw = &g->params[n->conv.qweight], *qs = &g->params[n->conv.qscale];
    quant_weights(w.data, out, per, qw->i8, qs->data);
    float *zeros = NULL;
    const float *b = n->conv.bias >= 0 ? g->params[n->conv.bias].data : NULL;
    if (!b)
        b = zeros = arena_array(g->arena, (size_t)out, sizeof(float));
    float s_in = g->nodes[n->in[0]].q.scale;
    quant_bias(b, out, s_in, qs->data, g->params[n->conv.qbias].i32);
}

static bool kept_float(const Node *n, const QuantizeOptions *o)
{
    for (int k = 0; o && k < o->nkeep; k++)
        if (n->label && !strcmp(n->label, o->keep_float[k]))
            return true;
    return false;
}

/* Every --keep-float name must be some node's label. */
static void check_keep_float(const Graph *g, const QuantizeOptions *o)
{
    for (int k = 0; o && k < o->nkeep; k++) {
        bool found = false;
        for (int i = 0; i < g->nnodes && !found; i++)
            found = !g->nodes[i].dead && g->nodes[i].label &&
                    !strcmp(g->nodes[i].label, o->keep_float[k]);
        if (!found)
            error_msg("--keep-float: no layer is labelled '%s' (the labels are the report's "
                      "and `effcc compile -d`'s, e.g. features.1.0.block.0)",
                      o->keep_float[k]);
        if (g->nodes[0].label && !strcmp(g->nodes[0].label, o->keep_float[k]))
            error_msg("--keep-float: '%s' is the caller's float input, which int8 layers read "
                      "quantized; keep the layers that read it instead (e.g. features.0.0)",
                      o->keep_float[k]);
    }
}

void quantize(Graph *g, const ValueRange *ranges, const QuantizeOptions *o)
{
    if (!(g->done & DONE_FOLD_BN) || g->done & (DONE_FUSE | DONE_LAYOUT | DONE_QUANTIZE))
        internal_error("quantize: runs after fold_bn and fuse_clamps, before fuse and layout");
    check_keep_float(g, o);
    for (int i = 0; i < g->nnodes; i++) {
        Node *n = &g->nodes[i];
        if (n->dead)
            continue;
        bool conv = n->op == OP_CONV2D || n->op == OP_LINEAR;
        if (conv && (n->conv.residual || n->conv.gate || n->conv.pool >= 0 ||
                     (n->conv.act != ACT_NONE && n->conv.act != ACT_RELU6)))
            internal_error("quantize: '%s' carries a fusion int8 does not define", n->label);
        if (n->op == OP_BATCHNORM)
            internal_error("quantize: batch norm '%s' is not folded", n->label);
        if (n->op == OP_ACT && n->act.kind == ACT_SIGMOID)
            n->q = (QuantParams){QUANT_LOGISTIC_SCALE, QUANT_LOGISTIC_ZP};
        else
            n->q = value_params(ranges[i]);
        n->qfloat = kept_float(n, o);
        if (conv)
            quantize_weights(g, n);
    }
    g->done |= DONE_QUANTIZE;
}
