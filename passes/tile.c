/* tile.c — which kernel runs each node, and its register and cache tiles.
 *
 * Requires: fused graph, g->target (the machine: vector width, registers).
 * Guarantees: every live node has tile.kind set, and nodes that need
 * per-call scratch (a GEMM that scales its weights or input by an SE gate,
 * the ring buffers of a fused expansion, the stem's gathered rows) have
 * node.scratch in bytes (per-thread buffers for g->threads threads, the
 * most the kernel runs on). Decisions only: layout packs weights to match
 * and codegen writes the literals. The numbers follow the target's register
 * file (g->target->regs vector registers) and a cache budget
 * for the input rows a chunk of pixels keeps hot while the weight panels
 * pass over it. */
#include "passes.h"

#include <stdlib.h>

#define CHUNK_BUDGET (192 * 1024) /* bytes of input rows one GEMM chunk keeps in L2 */
#define MAX_MR 12
#define CSPLIT_OUTPUT (2 * 1024 * 1024) /* fused depthwise outputs up to this split channels */
#define DW_CSPLIT_ROWS 16                 /* standalone ones, below this many rows */
#define SPLIT_WEIGHTS (1024 * 1024) /* weights beyond L2: split the reduction, stream them once */

static int round_up(int x, int m)
{
    return (x + m - 1) / m * m;
}

/* Micro-kernel rows for nv vectors: accumulators, nv weight vectors and one
 * broadcast must fit in the register file. */
static int rows_for(int regs, int nv)
{
    int mr = (regs - nv - 1) / nv;
    return mr > MAX_MR ? MAX_MR : mr < 1 ? 1 : mr;
}

/* Cycles per reduction step and output vector of a micro-kernel with mr
 * rows and nv vectors: the most of its FMA issue, its loads (nv weight
 * vectors, mr broadcasts) and the FMA latency every accumulator waits on. */
static double step_cost(int mr, int nv, int vl)
{
    double fma_ports = vl >= 16 ? 1.0 : 2.0, load_ports = 2.0, latency = 4.0;
    double cycles = (double)(mr * nv) / fma_ports;
    if ((double)(nv + mr) / load_ports > cycles)
        cycles = (double)(nv + mr) / load_ports;
    if (latency > cycles)
        cycles = latency;
    /* at equal issue, fewer loads per FMA leave room for the epilogue */
    return (cycles + 0.01 * (double)(nv + mr)) / (double)(mr * nv);
}

/* The panel width (in vectors) whose panels, remainder included, cost the
 * least per output vector; ties go to the narrower panel. */
static int panel_vectors(int nvec, int regs, int vl)
{
    int best = 1;
    double best_cost = 1e30;
    for (int nv = 1; nv <= 4 && nv <= nvec; nv++) {
        int mr = rows_for(regs, nv), rem = nvec % nv;
        double cost = (nvec - rem) * step_cost(mr, nv, vl);
        if (rem)
            cost += rem * step_cost(mr, rem, vl);
        if (cost < best_cost - 1e-9) {
            best = nv;
            best_cost = cost;
        }
    }
    return best;
}

/* The stem's gathered row: the patches of one output row, k·k·ci floats
 * each. Kept in the arena, one per thread, never on the stack: 1 MB at
 * 20000 pixels for B0's 3×3 stride-2 stem, 12 MB for a 7×7 stride-1 one,
 * beyond a default 8 MB stack, let alone an OpenMP worker's or a board's. */
static size_t stem_row_bytes(const Graph *g, const Node *stem)
{
    size_t k = (size_t)stem->conv.kernel;
    return (size_t)stem->shape.w * k * k * (size_t)g->nodes[stem->in[0]].shape.c * sizeof(float);
}

/* GEMM tiles; the stem is a GEMM too, over the patches of one output row
 * with k·k·ci input channels. */
static void tile_gemm(Graph *g, Node *n, bool plain, bool stem)
{
    Shape in = g->nodes[n->in[0]].shape;
    int vl = g->target->vl, regs = g->target->regs, pixels = n->shape.h * n->shape.w;
    int nvec = round_up(n->shape.c, vl) / vl;
    Tile *t = &n->tile;
    t->kind = stem ? KERNEL_STEM : KERNEL_GEMM;
    if (stem) {
        in.c *= n->conv.kernel * n->conv.kernel;
        pixels = n->shape.w;
    } else if (n->fused_into >= 0) {
        pixels = n->shape.w; /* computed one row at a time inside the depthwise kernel */
    }
    if (plain) {
        t->nv = 1;
        t->mr = 1;
    } else if (pixels == 1) { /* matrix × vector: wide panels, many accumulators */
        t->nv = nvec < 6 ? nvec : 6;
        t->mr = 1;
    } else {
        t->nv = panel_vectors(nvec, regs, vl);
        t->mr = rows_for(regs, t->nv);
    }
    t->nvr = nvec % t->nv;
    /* Chunks: with weights that fit the budget, one block of rows at a time
     * passes over all of them (cb 1); with bigger weights, as many rows as
     * the budget holds share each pass over the weights (all rows when
     * they fit twice the budget, so the weights stream once). */
    int ast = stem ? in.c : round_up(in.c, vl), blocks = pixels / t->mr;
    size_t weights = (size_t)in.c * (size_t)nvec * (size_t)vl * sizeof(float);
    size_t block = (size_t)t->mr * (size_t)ast * sizeof(float);
    size_t rows = (size_t)pixels * (size_t)ast * sizeof(float);
    if (plain || weights <= CHUNK_BUDGET)
        t->cb = 1;
    else if (rows <= 2 * CHUNK_BUDGET)
        t->cb = blocks > 0 ? blocks : 1;
    else
        t->cb = (int)(CHUNK_BUDGET / block) > 0 ? (int)(CHUNK_BUDGET / block) : 1;
    /* Weights bigger than L2 would stream from memory once per chunk: split
     * the reduction instead, into the fewest parts whose input slice fits
     * twice the budget, and keep all rows in one chunk. */
    t->ks = 1;
    if (!plain && !stem && weights > SPLIT_WEIGHTS && rows > 2 * CHUNK_BUDGET) {
        int ks = (int)((rows + 2 * CHUNK_BUDGET - 1) / (2 * CHUNK_BUDGET));
        while (in.c % ks != 0)
            ks++;
        t->ks = ks;
        t->cb = blocks > 0 ? blocks : 1;
    }
    /* Chunks of cb blocks, in equal shares: chq blocks each, one more in the
     * first chr (no index is then a product of two block counts). */
    t->nch = blocks > t->cb ? (blocks + t->cb - 1) / t->cb : 1;
    t->chq = blocks / t->nch;
    t->chr = blocks % t->nch;
    /* A stem fused into its depthwise conv gathers into that one's scratch. */
    if (stem && n->fused_into < 0) {
        n->scratch = stem_row_bytes(g, n) * (size_t)g->threads;
    }
    /* An SE gate scales the smaller of the weights and the input. */
    if (n->conv.gate) {
        t->gate = rows < weights ? 2 : 1;
        n->scratch = t->gate == 2 ? rows : weights;
    }
}

/* A depthwise conv whose expansion was fused reads K rows of it from a ring
 * buffer, one per thread, in its scratch; a fused stem's gathered rows, one
 * per thread, follow the rings. */
/* [owl, owh): the output columns all of whose taps read inside the image,
 * from the first multiple of owb at or after the left border, in whole
 * blocks of owb; the columns either side are the clipped border blocks. */
static void interior_columns(const Graph *g, Node *n)
{
    Shape in = g->nodes[n->in[0]].shape;
    int K = n->conv.kernel, S = n->conv.stride, pl = n->conv.pad[1], owb = n->tile.owb;
    int ow = n->shape.w, owl = (pl + S - 1) / S;
    int owh = in.w - K + pl >= 0 ? (in.w - K + pl) / S + 1 : 0; /* one past the last */
    owl = (owl + owb - 1) / owb * owb;
    owl = owl < ow ? owl : ow;
    owh = owh < ow ? owh : ow;
    n->tile.owl = owl;
    n->tile.owh = owh > owl ? owl + (owh - owl) / owb * owb : owl;
}

static void tile_dw(Graph *g, Node *n, bool plain)
{
    const Node *e = &g->nodes[n->in[0]];
    n->tile.kind = e->fused_into >= 0 ? KERNEL_EXPDW : KERNEL_DW;
    n->tile.owb = plain ? 1 : g->target->vl >= 16 ? 8 : 4;
    interior_columns(g, n);
    /* an SE pool keeps each output row's sum (EFFCC_POOL_* in kernels.m4) */
    size_t pool_rows = n->conv.pool >= 0 ? (size_t)n->shape.h *
                                               (size_t)round_up(n->shape.c, g->target->vl) *
                                               sizeof(float)
                                         : 0;
    n->scratch = pool_rows;
    /* a channel split hands out whole cache lines of 64 bytes */
    n->tile.vu = g->target->vl >= 16 ? 1 : 64 / (g->target->vl * (int)sizeof(float));
    /* A standalone depthwise conv splits rows among threads unless the
     * image has so few that the shares differ (a 9-row image: 5 and 4),
     * and then channels, with the same cache argument as below. */
    size_t out = (size_t)n->shape.h * (size_t)n->shape.w *
                 (size_t)round_up(n->shape.c, g->target->vl) * sizeof(float);
    n->tile.csplit = n->tile.kind == KERNEL_DW && n->shape.h < DW_CSPLIT_ROWS && out <= CSPLIT_OUTPUT;
    if (n->tile.kind == KERNEL_EXPDW) {
        size_t ring = (size_t)n->conv.kernel * (size_t)e->shape.w *
                      (size_t)round_up(e->shape.c, g->target->vl) * sizeof(float);
        /* Splitting an expansion's panels among threads produces no row
         * twice (row bands share K − 1 rows at each edge, a large share
         * when the image is small) but leaves each pixel's channels
         * written by several cores, which the next 1×1 conv, split by
         * pixels, then fetches from the other core: only worth it for an
         * output small enough to be shared through L3. The stem's gather
         * is per row, so it splits rows. */
        bool stem = e->tile.kind == KERNEL_STEM;
        n->tile.csplit = !stem && out <= CSPLIT_OUTPUT;
        n->scratch = ring * (size_t)g->threads;
        if (stem)
            n->scratch += stem_row_bytes(g, e) * (size_t)g->threads;
        n->tile.pool_rows_at = n->scratch / sizeof(float);
        n->scratch += pool_rows;
    }
}

static void tile_node(Graph *g, int i, bool plain)
{
    Node *n = &g->nodes[i];
    n->scratch = 0;
    switch (n->op) {
    case OP_INPUT:
        n->tile.kind = KERNEL_NONE;
        return;
    case OP_LINEAR:
        tile_gemm(g, n, plain, false);
        return;
    case OP_CONV2D:
        switch (conv_role(g, n)) {
        case CONV_STEM: tile_gemm(g, n, plain, true); return;
        case CONV_POINTWISE: tile_gemm(g, n, plain, false); return;
        case CONV_DEPTHWISE: tile_dw(g, n, plain); return;
        default: break;
        }
        break;
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
    case OP_QUANTIZE: /* int8 graphs are not tiled */
    case OP_COUNT:
        break;
    }
    internal_error("tile: no kernel for %s %s", op_names[n->op], n->label);
}

void tile(Graph *g)
{
    for (int i = 0; i < g->nnodes; i++)
        tile_node(g, i, false);
    g->done |= DONE_TILE;
}

void tile_plain(Graph *g)
{
    for (int i = 0; i < g->nnodes; i++)
        tile_node(g, i, true);
    g->done |= DONE_TILE;
}
