/* layout.c — padded NHWC activations, weights packed as the kernels read them.
 *
 * Requires: tile has chosen each node's kernel and g->target->vl is set.
 * Guarantees: every value but the NCHW graph input stores its channels
 * padded to whole vectors (node.cpad); every conv, linear weight and bias is
 * replaced by a derived param (NAME~packed) in kernel order, zero in the
 * padded channels, so padded lanes compute to zero:
 *   GEMM  [co][ci]         → panels of tile.nv vectors: [panel][ci][nv·vl],
 *                            then the remainder panel [ci][nvr·vl]
 *   STEM  [co][ci][kh][kw] → a GEMM whose input channels are the patch
 *                            values, tap-major: (kh·k + kw)·ci_count + ci
 *   DW    [c][1][kh][kw]   → [kh][kw][cpad]
 * The original params stay untouched, so --save-weights writes what was
 * loaded. */
#include "passes.h"

#include <string.h>

static int round_up(int x, int m)
{
    return (x + m - 1) / m * m;
}

/* A derived param of count floats (zeroed), or one without data when the
 * source has none (effcc info runs the pipeline without weights). */
static int derived(Graph *g, int from, size_t count)
{
    int dims[1] = {(int)count};
    int p = graph_add_param(g, arena_printf(g->arena, "%s~packed", g->params[from].name), 1, dims,
                            false);
    if (g->params[from].data)
        g->params[p].data = arena_array(g->arena, count, sizeof(float));
    return p;
}

static int pack_bias(Graph *g, const Node *n)
{
    int p = derived(g, n->conv.bias, (size_t)n->cpad);
    if (g->params[p].data)
        memcpy(g->params[p].data, g->params[n->conv.bias].data, (size_t)n->shape.c * sizeof(float));
    return p;
}

/* Where w[co][ci] goes in a GEMM's panels. */
static size_t gemm_index(const Tile *t, int vl, int nvec, int cin, int ci, int co)
{
    int nr = t->nv * vl, nfull = nvec / t->nv, panel = co / nr;
    if (panel < nfull)
        return ((size_t)panel * (size_t)cin + (size_t)ci) * (size_t)nr + (size_t)(co % nr);
    size_t width = (size_t)t->nvr * (size_t)vl;
    return (size_t)nfull * (size_t)cin * (size_t)nr + (size_t)ci * width + (size_t)(co - nfull * nr);
}

static void pack_weight(Graph *g, Node *n, int cin)
{
    const Param *src = &g->params[n->conv.weight];
    int k = n->conv.kernel, kk = k * k, cout = n->shape.c, vl = g->target->vl;
    bool dw = n->tile.kind == KERNEL_DW || n->tile.kind == KERNEL_EXPDW;
    int per_co = dw ? 1 : cin; /* input channels per output channel */
    size_t count = (size_t)kk * (size_t)per_co * (size_t)n->cpad;
    int p = derived(g, n->conv.weight, count);
    float *out = g->params[p].data;
    src = &g->params[n->conv.weight]; /* derived() may have moved the params */
    n->conv.weight = p;
    if (!out)
        return;
    for (int co = 0; co < cout; co++)
        for (int ci = 0; ci < per_co; ci++)
            for (int t = 0; t < kk; t++) {
                float v = src->data[((size_t)co * (size_t)per_co + (size_t)ci) * (size_t)kk + (size_t)t];
                size_t at;
                if (n->tile.kind == KERNEL_GEMM)
                    at = gemm_index(&n->tile, vl, n->cpad / vl, cin, ci, co);
                else if (n->tile.kind == KERNEL_STEM)
                    at = gemm_index(&n->tile, vl, n->cpad / vl, kk * cin, t * cin + ci, co);
                else /* DW: [kh][kw][cpad] */
                    at = (size_t)t * (size_t)n->cpad + (size_t)co;
                out[at] = v;
            }
}

void layout(Graph *g)
{
    for (int i = 0; i < g->nnodes; i++) {
        Node *n = &g->nodes[i];
        n->cpad = i == 0 ? n->shape.c : round_up(n->shape.c, g->target->vl);
    }
    for (int i = 0; i < g->nnodes; i++) {
        Node *n = &g->nodes[i];
        if (n->op != OP_CONV2D && n->op != OP_LINEAR)
            continue;
        pack_weight(g, n, g->nodes[n->in[0]].shape.c);
        n->conv.bias = pack_bias(g, n);
    }
    g->done |= DONE_LAYOUT;
}
