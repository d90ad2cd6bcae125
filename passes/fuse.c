/* fuse.c — activations and residual adds move into convolution epilogues.
 *
 * Requires: batch norm folded. Guarantees: an ACT whose input is a conv or
 * linear op used only by it becomes that op's epilogue activation; an ADD one
 * of whose operands is a conv used only by the ADD becomes that conv's
 * residual (in[1], added after the activation). Everything else is left as
 * it was, so the pass is always legal. */
#include "ir.h"

static bool fusable(const Graph *g, int v)
{
    const Node *n = &g->nodes[v];
    return (n->op == OP_CONV2D || n->op == OP_LINEAR) && !n->conv.residual &&
           graph_count_uses(g, v) == 1;
}

static void fuse_act(Graph *g, int i)
{
    Node *a = &g->nodes[i];
    int src = a->in[0];
    if (!fusable(g, src) || g->nodes[src].conv.act != ACT_NONE)
        return;
    g->nodes[src].conv.act = a->act.kind;
    a->dead = true;
    graph_replace_uses(g, i, src);
}

static void fuse_add(Graph *g, int i)
{
    Node *add = &g->nodes[i];
    for (int k = 0; k < 2; k++) {
        int conv = add->in[k], other = add->in[1 - k];
        /* the other operand must already exist when the conv runs */
        if (!fusable(g, conv) || g->nodes[conv].op != OP_CONV2D || other >= conv)
            continue;
        Node *c = &g->nodes[conv];
        c->conv.residual = true;
        c->in[1] = other;
        c->nin = 2;
        add->dead = true;
        graph_replace_uses(g, i, conv);
        return;
    }
}

void fuse(Graph *g)
{
    for (int i = 0; i < g->nnodes; i++) {
        if (g->nodes[i].op == OP_ACT)
            fuse_act(g, i);
        else if (g->nodes[i].op == OP_ADD)
            fuse_add(g, i);
    }
    graph_compact(g);
}
