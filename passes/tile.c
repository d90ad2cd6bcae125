/* tile.c — which kernel runs each node, and its register and cache tiles.
 *
 * Requires: fused graph, g->vl set (floats per vector of the target).
 * Guarantees: every live node has tile.kind set, and nodes that need
 * per-call scratch (a GEMM that scales its weights by an SE gate) have
 * node.scratch in bytes. Decisions only: layout packs weights to match and
 * codegen writes the literals. The numbers follow the register file (16
 * vector registers below 512-bit vectors, 32 with them) and a cache budget
 * for the input rows a chunk of pixels keeps hot while the weight panels
 * pass over it. */
#include "ir.h"

#include <stdlib.h>

#define CHUNK_BUDGET (192 * 1024) /* bytes of input rows one GEMM chunk keeps in L2 */
#define MAX_MR 12

static int round_up(int x, int m)
{
    return (x + m - 1) / m * m;
}

static int vector_registers(int vl)
{
    return vl >= 16 ? 32 : 16;
}

/* Micro-kernel rows for nv vectors: accumulators, nv weight vectors and one
 * broadcast must fit in the register file. */
static int rows_for(int regs, int nv)
{
    int mr = (regs - nv - 1) / nv;
    return mr > MAX_MR ? MAX_MR : mr < 1 ? 1 : mr;
}

/* Prefers a panel width that divides the output vectors (no remainder
 * panel), then the one with the most accumulators. */
static int panel_vectors(int nvec, int regs)
{
    int best = 1, best_score = -1;
    for (int nv = 1; nv <= 4 && nv <= nvec; nv++) {
        int score = rows_for(regs, nv) * nv * 2 + (nvec % nv == 0);
        if (score > best_score) {
            best = nv;
            best_score = score;
        }
    }
    return best;
}

static void tile_gemm(Graph *g, Node *n, bool plain)
{
    Shape in = g->nodes[n->in[0]].shape;
    int vl = g->vl, regs = vector_registers(vl), pixels = n->shape.h * n->shape.w;
    int nvec = round_up(n->shape.c, vl) / vl;
    Tile *t = &n->tile;
    t->kind = KERNEL_GEMM;
    if (plain) {
        t->nv = 1;
        t->mr = 1;
    } else if (pixels == 1) { /* matrix × vector: wide panels, many accumulators */
        t->nv = nvec < 6 ? nvec : 6;
        t->mr = 1;
    } else {
        t->nv = panel_vectors(nvec, regs);
        t->mr = rows_for(regs, t->nv);
    }
    t->nvr = nvec % t->nv;
    size_t weights = (size_t)in.c * (size_t)nvec * (size_t)vl * sizeof(float);
    size_t block = (size_t)t->mr * (size_t)round_up(in.c, in.c == 3 ? 1 : vl) * sizeof(float);
    t->cb = plain || weights <= CHUNK_BUDGET ? 1 : (int)(CHUNK_BUDGET / block);
    if (t->cb < 1)
        t->cb = 1;
    if (n->conv.gate)
        n->scratch = weights;
}

static void tile_dw(Graph *g, Node *n, bool plain)
{
    n->tile.kind = KERNEL_DW;
    n->tile.owb = plain ? 1 : g->vl >= 16 ? 8 : 4;
}

static void tile_node(Graph *g, int i, bool plain)
{
    Node *n = &g->nodes[i];
    Shape in = n->nin ? g->nodes[n->in[0]].shape : n->shape;
    n->scratch = 0;
    switch (n->op) {
    case OP_INPUT:
        n->tile.kind = KERNEL_NONE;
        return;
    case OP_LINEAR:
        tile_gemm(g, n, plain);
        return;
    case OP_CONV2D:
        if (n->in[0] == 0 && n->conv.groups == 1)
            n->tile.kind = KERNEL_STEM;
        else if (n->conv.kernel == 1 && n->conv.stride == 1 && n->conv.groups == 1)
            tile_gemm(g, n, plain);
        else if (n->conv.groups == in.c && in.c == n->shape.c)
            tile_dw(g, n, plain);
        else
            break;
        return;
    case OP_AVGPOOL:
        n->tile.kind = n->pool.producer >= 0 ? KERNEL_NONE : KERNEL_POOL;
        return;
    case OP_SCALE:
        n->tile.kind = KERNEL_SCALE;
        return;
    case OP_ADD:
        n->tile.kind = KERNEL_ADD;
        return;
    case OP_ACT:
        n->tile.kind = KERNEL_ACT;
        return;
    case OP_BATCHNORM:
    case OP_COUNT:
        break;
    }
    fprintf(stderr, "effcc: internal error: tile: no kernel for %s %s\n", op_names[n->op],
            n->label);
    abort();
}

void tile(Graph *g)
{
    for (int i = 0; i < g->nnodes; i++)
        tile_node(g, i, false);
}

void tile_plain(Graph *g)
{
    for (int i = 0; i < g->nnodes; i++)
        tile_node(g, i, true);
}
