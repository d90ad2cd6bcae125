/* fuse.c — elementwise work moves into the convolution kernels.
 *
 * Requires: batch norm folded. Guarantees, each only where legal (the
 * producer has no other reader), so the pass never changes results:
 *   1. an ACT after a conv or linear becomes that op's epilogue activation;
 *   2. an ADD of a conv and an earlier value becomes the conv's residual
 *      (in[1], added after the activation);
 *   3. squeeze-and-excitation: the global average pool of a depthwise conv
 *      is accumulated in that conv's epilogue (conv.pool ↔ pool.producer),
 *      and the SCALE by the gate is applied by the 1×1 conv that reads it
 *      (in[2], conv.gate), so neither makes a pass over a full tensor;
 *   4. an MBConv expansion (a 1×1 conv read only by a depthwise conv), or
 *      the stem read only by a depthwise conv (B0's first block), whose
 *      output would take at least EXPAND_FUSE_BYTES is computed inside the
 *      depthwise kernel, a few rows at a time into a ring buffer
 *      (fused_into), so the largest tensors of the network never exist
 *      whole. Smaller ones stay separate: the fused kernel streams the
 *      expansion weights once per row, which costs time when rows are
 *      short and weights wide (measured on B0's 14x14 and 7x7 blocks). */
#include "passes.h"

#define EXPAND_FUSE_BYTES (1u << 20)

static bool is_conv(const Node *n)
{
    return n->op == OP_CONV2D || n->op == OP_LINEAR;
}

static bool sole_reader(const Graph *g, int v)
{
    return graph_count_uses(g, v) == 1;
}

static void fuse_act(Graph *g, int i)
{
    Node *a = &g->nodes[i];
    if (a->op != OP_ACT)
        return;
    int src = a->in[0];
    Node *c = &g->nodes[src];
    if (!is_conv(c) || c->conv.residual || c->conv.act != ACT_NONE || !sole_reader(g, src))
        return;
    c->conv.act = a->act.kind;
    a->dead = true;
    graph_replace_uses(g, i, src);
}

static void fuse_add(Graph *g, int i)
{
    Node *add = &g->nodes[i];
    for (int k = 0; k < 2; k++) {
        int conv = add->in[k], other = add->in[1 - k];
        Node *c = &g->nodes[conv];
        /* the other operand must already exist when the conv runs */
        if (c->op != OP_CONV2D || c->conv.residual || c->conv.gate || !sole_reader(g, conv) ||
            other >= conv)
            continue;
        c->conv.residual = true;
        c->in[1] = other;
        c->nin = 2;
        add->dead = true;
        graph_replace_uses(g, i, conv);
        return;
    }
}

static void fuse_pool(Graph *g, int i)
{
    Node *p = &g->nodes[i];
    Node *d = &g->nodes[p->in[0]];
    bool depthwise = d->op == OP_CONV2D && conv_role(g, d) == CONV_DEPTHWISE;
    if (!depthwise || d->conv.residual || d->conv.pool >= 0)
        return;
    d->conv.pool = i;
    p->pool.producer = p->in[0];
}

static void fuse_gate(Graph *g, int i)
{
    Node *s = &g->nodes[i];
    for (int j = i + 1; j < g->nnodes; j++) {
        Node *c = &g->nodes[j];
        if (c->dead || c->op != OP_CONV2D || c->in[0] != i)
            continue;
        if (conv_role(g, c) != CONV_POINTWISE || c->conv.gate ||
            !sole_reader(g, i))
            return;
        c->in[0] = s->in[0];
        c->in[2] = s->in[1];
        c->nin = 3;
        c->conv.gate = true;
        s->dead = true;
        return;
    }
}

static void fuse_expand(Graph *g, int i)
{
    Node *d = &g->nodes[i];
    int e = d->in[0];
    Node *x = &g->nodes[e];
    ConvRole producer = x->op == OP_CONV2D ? conv_role(g, x) : CONV_OTHER;
    bool depthwise = conv_role(g, d) == CONV_DEPTHWISE;
    if (!depthwise || !(producer == CONV_POINTWISE || producer == CONV_STEM) || x->conv.residual || x->conv.gate || x->conv.pool >= 0 ||
        !sole_reader(g, e) || shape_numel(x->shape) * sizeof(float) < EXPAND_FUSE_BYTES)
        return;
    x->fused_into = i;
}

/* int8's one fusion: the ReLU6 after a conv is its output clamp, so the
 * conv's int8 output is the ReLU6's (TFLite fuses it the same way). */
void fuse_clamps(Graph *g)
{
    for (int i = 0; i < g->nnodes; i++)
        if (g->nodes[i].op == OP_ACT && g->nodes[i].act.kind == ACT_RELU6)
            fuse_act(g, i);
    graph_compact(g);
}

void fuse(Graph *g)
{
    for (int i = 0; i < g->nnodes; i++) {
        if (g->nodes[i].op == OP_ACT)
            fuse_act(g, i);
        else if (g->nodes[i].op == OP_ADD)
            fuse_add(g, i);
    }
    for (int i = 0; i < g->nnodes; i++) {
        if (g->nodes[i].op == OP_AVGPOOL)
            fuse_pool(g, i);
        else if (g->nodes[i].op == OP_SCALE)
            fuse_gate(g, i);
    }
    for (int i = 0; i < g->nnodes; i++)
        if (g->nodes[i].op == OP_CONV2D && conv_role(g, &g->nodes[i]) == CONV_DEPTHWISE)
            fuse_expand(g, i);
    graph_compact(g);
    g->done |= DONE_FUSE;
}
