/* fold_bn.c — batch norm folded into the convolution that feeds it.
 *
 * Requires: every BATCHNORM reads a CONV2D that has no other user and no
 * fused epilogue yet (lowering builds exactly that). Guarantees: no
 * BATCHNORM is left; each folded conv gets new derived params (weight~bn,
 * bias~bn) holding w·γ/√(σ²+ε) and β − μ·γ/√(σ²+ε) (+ the conv's own bias,
 * scaled). Arithmetic is in double, rounded once to float. When weights are
 * not loaded (effcc info) only the structure changes. */
#include "passes.h"

#include <math.h>
#include <stdlib.h>

static int derived_param(Graph *g, int from, const char *suffix, int rank, const int *dims)
{
    const char *name = arena_printf(g->arena, "%s~%s", g->params[from].name, suffix);
    int p = graph_add_param(g, name, rank, dims, false);
    if (g->params[from].data)
        g->params[p].data = arena_array(g->arena, param_numel(&g->params[p]), sizeof(float));
    return p;
}

static void fold_values(Graph *g, Node *conv, const Node *bn, int w, int b)
{
    const Param *gamma = &g->params[bn->bn.gamma], *beta = &g->params[bn->bn.beta];
    const Param *mean = &g->params[bn->bn.mean], *var = &g->params[bn->bn.var];
    const Param *w0 = &g->params[conv->conv.weight];
    const float *b0 = conv->conv.bias >= 0 ? g->params[conv->conv.bias].data : NULL;
    if (!w0->data || !gamma->data || !beta->data || !mean->data || !var->data) {
        g->params[w].data = NULL;
        g->params[b].data = NULL;
        return;
    }
    int cout = conv->shape.c;
    size_t per = param_numel(w0) / (size_t)cout;
    for (int c = 0; c < cout; c++) {
        double scale = gamma->data[c] / sqrt((double)var->data[c] + bn->bn.eps);
        for (size_t k = 0; k < per; k++)
            g->params[w].data[(size_t)c * per + k] = (float)(w0->data[(size_t)c * per + k] * scale);
        double bias = b0 ? b0[c] : 0.0;
        g->params[b].data[c] = (float)((bias - mean->data[c]) * scale + beta->data[c]);
    }
}

void fold_bn(Graph *g)
{
    for (int i = 0; i < g->nnodes; i++) {
        Node *bn = &g->nodes[i];
        if (bn->op != OP_BATCHNORM)
            continue;
        Node *conv = &g->nodes[bn->in[0]];
        if (conv->op != OP_CONV2D || conv->conv.act != ACT_NONE || conv->conv.residual ||
            graph_count_uses(g, bn->in[0]) != 1)
            internal_error("fold_bn: %s does not follow a plain conv", bn->label);
        const Param *w0 = &g->params[conv->conv.weight];
        int w = derived_param(g, conv->conv.weight, "bn", w0->rank, w0->dims);
        int b = derived_param(g, bn->bn.beta, "bn", 1, &conv->shape.c);
        fold_values(g, conv, bn, w, b);
        conv->conv.weight = w;
        conv->conv.bias = b;
        bn->dead = true;
        graph_replace_uses(g, i, bn->in[0]);
    }
    graph_compact(g);
    g->done |= DONE_FOLD_BN;
}
