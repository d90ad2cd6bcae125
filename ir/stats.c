/* stats.c — parameter and multiply-add counts of a graph.
 *
 * Parameters are counted as torchvision counts model.parameters(): every
 * external tensor except batch-norm running statistics. Multiply-adds count
 * convolutions and linear layers (elementwise ops are not MACs), which is how
 * the paper's Table 2 and torchvision's model cards count "FLOPS". Counts
 * saturate at UINT64_MAX (ir/limits.c) rather than wrap. */
#include "ir.h"

uint64_t node_macs(const Graph *g, const Node *n)
{
    if (n->op != OP_CONV2D && n->op != OP_LINEAR)
        return 0;
    Shape in = g->nodes[n->in[0]].shape;
    uint64_t per_output = size_mul(size_mul((uint64_t)(in.c / n->conv.groups),
                                            (uint64_t)n->conv.kernel),
                                   (uint64_t)n->conv.kernel);
    return size_mul(shape_numel(n->shape), per_output);
}

/* Multiply-adds of one kernel call: a fused expansion (or stem) + depthwise
 * kernel computes its producer's too. */
uint64_t call_macs(const Graph *g, const Node *n)
{
    uint64_t macs = node_macs(g, n);
    int e = graph_fused_expansion(g, (int)(n - g->nodes));
    if (n->tile.kind == KERNEL_EXPDW || e >= 0)
        macs = size_add(macs, node_macs(g, &g->nodes[e >= 0 ? e : n->in[0]]));
    return macs;
}

GraphStats graph_stats(const Graph *g)
{
    GraphStats s = {0};
    for (int i = 0; i < g->nparams; i++)
        if (g->params[i].external && !g->params[i].buffer)
            s.parameters = size_add(s.parameters, param_numel(&g->params[i]));
    for (int i = 0; i < g->nnodes; i++)
        s.macs = size_add(s.macs, node_macs(g, &g->nodes[i]));
    return s;
}
