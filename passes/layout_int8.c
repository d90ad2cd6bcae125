/* layout_int8.c — int8 activations NHWC, int8 weights packed as the int8
 * kernels read them, every per-channel constant computed once.
 *
 * Requires: quantize (nothing kept in float: the generated int8 code has
 * no float kernels yet). Guarantees: every value is stored NHWC with its
 * channels unpadded (cpad = c; the graph input stays the caller's NCHW
 * floats); every conv's int8 weights are replaced by a packed param
 *   1×1 and linear  [co][ci]          (as quantize left them)
 *   depthwise       [ky][kx][c]       (channels innermost, as the pixels)
 *   other k×k       [co][ky][kx][ci]  (a patch in NHWC order)
 * and it gets qrequant, int32 [2·co]: each channel's multiplier, then its
 * shift (quant_conv_requant); every swish and sigmoid gets its 256-entry
 * table (act.table). The float params stay for reports and --save-weights. */
#include "passes.h"

#include <string.h>

static int typed_param(Graph *g, const char *name, size_t count, ParamType type)
{
    int dims[1] = {(int)count};
    int p = graph_add_param(g, name, 1, dims, false);
    Param *prm = &g->params[p];
    prm->type = type;
    prm->offset = SIZE_MAX;
    if (type == PARAM_I8)
        prm->i8 = arena_array(g->arena, count, 1);
    else
        prm->i32 = arena_array(g->arena, count, sizeof(int32_t));
    return p;
}

static void pack_weights(Graph *g, Node *n)
{
    const Param *src = &g->params[n->conv.qweight];
    int k = n->conv.kernel, cout = n->shape.c;
    size_t count = param_numel(src);
    int per = (int)(count / (size_t)cout / (size_t)(k * k)); /* input channels per output */
    int p = typed_param(g, arena_printf(g->arena, "%s~packed", src->name), count, PARAM_I8);
    const int8_t *w = g->params[n->conv.qweight].i8;
    int8_t *out = g->params[p].i8;
    ConvRole role = conv_role(g, n);
    for (int co = 0; co < cout; co++)
        for (int ci = 0; ci < per; ci++)
            for (int t = 0; t < k * k; t++) {
                size_t from = ((size_t)co * (size_t)per + (size_t)ci) * (size_t)(k * k) + (size_t)t;
                size_t to = role == CONV_DEPTHWISE
                                ? (size_t)t * (size_t)cout + (size_t)co
                                : ((size_t)co * (size_t)(k * k) + (size_t)t) * (size_t)per + (size_t)ci;
                out[to] = w[from];
            }
    n->conv.qweight = p;
}

static void requant_params(Graph *g, Node *n)
{
    int cout = n->shape.c;
    const Node *src = &g->nodes[n->in[0]];
    const float *sw = g->params[n->conv.qscale].data;
    int p = typed_param(g, arena_printf(g->arena, "%s~requant", g->params[n->conv.weight].name),
                        2 * (size_t)cout, PARAM_I32);
    int32_t *r = g->params[p].i32;
    for (int c = 0; c < cout; c++) {
        QuantRequant q = quant_conv_requant(src->q, sw[c], n->q, n->conv.act);
        r[c] = q.m.m;
        r[cout + c] = q.m.shift;
    }
    n->conv.qrequant = p;
}

static void table(Graph *g, Node *n)
{
    const Node *src = &g->nodes[n->in[0]];
    const char *name = arena_printf(g->arena, "%s.%s~table", n->label, act_names[n->act.kind]);
    int p = typed_param(g, name, 256, PARAM_I8);
    if (n->act.kind == ACT_SWISH)
        quant_swish_table(src->q, n->q, g->params[p].i8);
    else
        quant_logistic_table(src->q, g->params[p].i8);
    n->act.table = p;
}

void layout_int8(Graph *g)
{
    if (!(g->done & DONE_QUANTIZE) || g->done & (DONE_FUSE | DONE_LAYOUT))
        internal_error("layout_int8: runs after quantize, instead of fuse and layout");
    for (int i = 0; i < g->nnodes; i++) {
        Node *n = &g->nodes[i];
        if (n->dead)
            continue;
        if (n->qfloat)
            error_msg("--keep-float: '%s' would need a float kernel inside the int8 code, which "
                      "effcc does not generate yet (effcc run computes such models)", n->label);
        n->cpad = n->shape.c;
        if (n->op == OP_CONV2D || n->op == OP_LINEAR) {
            pack_weights(g, n);
            requant_params(g, n);
        } else if (n->op == OP_ACT && n->act.kind != ACT_RELU6) {
            table(g, n);
        }
    }
    g->done |= DONE_LAYOUT;
}
