/* layout.c — activations in NHWC, weights re-packed in kernel read order.
 *
 * Requires: batch norm folded. Guarantees: every conv and linear weight is
 * stored as the kernels in codegen/templates read it, with the output channel
 * innermost so the channel loop is contiguous:
 *   dense conv   [co][ci][kh][kw] → [kh][kw][ci][co]
 *   depthwise    [c][1][kh][kw]   → [kh][kw][c]
 *   linear       [k][c]           → [c][k]
 * (a 1×1 conv is the dense case with kh = kw = 1). Activations are NHWC
 * except the graph input, which stays NCHW as PyTorch hands it over. */
#include "ir.h"

#include <stdlib.h>
#include <string.h>

/* A new param (NAME~packed) holding w re-packed; the original stays as it
 * was, so the weights a user loaded can still be saved unchanged. */
static int repack(Graph *g, int w, int co, int ci, int kk)
{
    const Param *src = &g->params[w];
    int p = graph_add_param(g, arena_printf(g->arena, "%s~packed", src->name), src->rank,
                            src->dims, false);
    src = &g->params[w]; /* graph_add_param may have moved the array */
    if (!src->data)
        return p;
    float *out = arena_array(g->arena, param_numel(src), sizeof(float));
    for (int o = 0; o < co; o++)
        for (int i = 0; i < ci; i++)
            for (int k = 0; k < kk; k++)
                out[((size_t)k * (size_t)ci + (size_t)i) * (size_t)co + (size_t)o] =
                    src->data[((size_t)o * (size_t)ci + (size_t)i) * (size_t)kk + (size_t)k];
    g->params[p].data = out;
    return p;
}

void layout(Graph *g)
{
    for (int i = 0; i < g->nnodes; i++) {
        Node *n = &g->nodes[i];
        if (n->op != OP_CONV2D && n->op != OP_LINEAR)
            continue;
        int w = n->conv.weight;
        int cin = g->nodes[n->in[0]].shape.c, kk = n->conv.kernel * n->conv.kernel;
        if (n->conv.groups == 1)
            n->conv.weight = repack(g, w, n->shape.c, cin, kk);
        else if (n->conv.groups == cin && cin == n->shape.c)
            n->conv.weight = repack(g, w, n->shape.c, 1, kk); /* depthwise: ci = 1 */
        else {
            fprintf(stderr, "effcc: internal error: layout: grouped conv %s\n", n->label);
            abort();
        }
    }
    g->packed = true;
}
