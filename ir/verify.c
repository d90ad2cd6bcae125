/* verify.c — the IR's invariants, checked after lowering and after every pass:
 * the structure of every node always, and what each pass guarantees once it
 * has run (Graph.done).
 *
 * A violation is a bug in effcc (a pass broke the graph), never a user error:
 * the pipeline prints the message and the IR and aborts. */
#include "ir.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

typedef struct {
    const Graph *g;
    char *msg;
    size_t size;
    bool ok;
} Check;

EFFCC_PRINTF(3, 4)
static bool fail(Check *c, int node, const char *fmt, ...)
{
    if (!c->ok)
        return false;
    c->ok = false;
    int n = snprintf(c->msg, c->size, "node %%%d: ", node);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < c->size)
        vsnprintf(c->msg + n, c->size - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

static bool same_shape(Shape a, Shape b)
{
    return a.c == b.c && a.h == b.h && a.w == b.w;
}

static bool param_ok(Check *c, int node, int p, size_t numel, const char *what)
{
    if (p < 0 || p >= c->g->nparams)
        return fail(c, node, "%s param %d out of range", what, p);
    if (param_numel(&c->g->params[p]) != numel)
        return fail(c, node, "%s '%s' has %zu elements, expected %zu", what,
                    c->g->params[p].name, param_numel(&c->g->params[p]), numel);
    return true;
}

static bool check_conv(Check *c, int i, const Node *n, Shape in)
{
    int k = n->conv.kernel, s = n->conv.stride, g = n->conv.groups;
    if (k < 1 || s < 1 || g < 1 || in.c % g || n->shape.c % g)
        return fail(c, i, "bad kernel %d, stride %d or groups %d", k, s, g);
    if (n->op == OP_LINEAR && (in.h != 1 || in.w != 1 || k != 1))
        return fail(c, i, "linear needs a 1x1 input");
    int oh = conv_out_size(in.h, k, s, n->conv.pad[0], n->conv.pad[2]);
    int ow = conv_out_size(in.w, k, s, n->conv.pad[1], n->conv.pad[3]);
    if (n->shape.h != oh || n->shape.w != ow)
        return fail(c, i, "output %dx%d, expected %dx%d", n->shape.h, n->shape.w, oh, ow);
    /* packed weights cover the padded output channels (layout.c) */
    size_t cout = c->g->done & DONE_LAYOUT ? (size_t)n->cpad : (size_t)n->shape.c;
    size_t wn = cout * (size_t)(in.c / g) * (size_t)k * (size_t)k;
    if (!param_ok(c, i, n->conv.weight, wn, "weight"))
        return false;
    if (n->conv.bias >= 0 && !param_ok(c, i, n->conv.bias, cout, "bias"))
        return false;
    if (n->conv.residual != (n->in[1] >= 0) || n->conv.gate != (n->in[2] >= 0))
        return fail(c, i, "residual or gate flag disagrees with the inputs");
    if (n->conv.residual && !same_shape(c->g->nodes[n->in[1]].shape, n->shape))
        return fail(c, i, "residual shape differs from output");
    if (n->conv.gate) {
        Shape gs = c->g->nodes[n->in[2]].shape;
        if (gs.c != in.c || gs.h != 1 || gs.w != 1 || g != 1 || k != 1)
            return fail(c, i, "a gate needs a 1x1 conv and %d x 1 x 1 values", in.c);
    }
    if (n->conv.pool >= 0) {
        const Node *p = n->conv.pool < c->g->nnodes ? &c->g->nodes[n->conv.pool] : NULL;
        if (!p || p->op != OP_AVGPOOL || p->pool.producer != i || p->in[0] != i)
            return fail(c, i, "fused pool %%%d is not an avgpool of this conv", n->conv.pool);
    }
    if (n->conv.act < 0 || n->conv.act >= ACT_COUNT)
        return fail(c, i, "bad activation");
    return true;
}

static bool check_node(Check *c, int i)
{
    const Node *n = &c->g->nodes[i];
    if (n->dead)
        return fail(c, i, "dead node left in the graph");
    if (n->op < 0 || n->op >= OP_COUNT)
        return fail(c, i, "bad op %d", n->op);
    int want = op_inputs[n->op];
    if (n->op == OP_CONV2D)
        want = n->conv.gate ? 3 : n->conv.residual ? 2 : 1;
    if (n->nin != want)
        return fail(c, i, "%s has %d inputs, expected %d", op_names[n->op], n->nin, want);
    for (int k = 0; k < n->nin; k++) {
        bool optional = n->op == OP_CONV2D && k > 0; /* residual or gate slot */
        if ((n->in[k] < 0 && !optional) || n->in[k] >= i)
            return fail(c, i, "input %d refers to %%%d (not an earlier node)", k, n->in[k]);
    }
    if (n->shape.c < 1 || n->shape.h < 1 || n->shape.w < 1)
        return fail(c, i, "non-positive shape");
    if ((n->op == OP_INPUT) != (i == 0))
        return fail(c, i, "the input must be node 0 and only node 0");
    if (n->fused_into >= 0) {
        /* a conv (an expansion, the stem) or (int8) the SE gate's MUL */
        const Node *d = n->fused_into < c->g->nnodes ? &c->g->nodes[n->fused_into] : NULL;
        if (!d || d->op != OP_CONV2D || d->in[0] != i || !(n->op == OP_CONV2D || n->op == OP_SCALE))
            return fail(c, i, "fused into %%%d, which does not read it as a conv", n->fused_into);
    }
    Shape in = n->nin ? c->g->nodes[n->in[0]].shape : n->shape;
    switch (n->op) {
    case OP_INPUT:
        return true;
    case OP_CONV2D:
    case OP_LINEAR:
        return check_conv(c, i, n, in);
    case OP_BATCHNORM:
        if (!same_shape(in, n->shape) || !(n->bn.eps > 0))
            return fail(c, i, "batchnorm shape or eps");
        return param_ok(c, i, n->bn.gamma, (size_t)in.c, "gamma") &&
               param_ok(c, i, n->bn.beta, (size_t)in.c, "beta") &&
               param_ok(c, i, n->bn.mean, (size_t)in.c, "mean") &&
               param_ok(c, i, n->bn.var, (size_t)in.c, "var");
    case OP_ACT:
        if (!same_shape(in, n->shape) || n->act.kind <= ACT_NONE || n->act.kind >= ACT_COUNT)
            return fail(c, i, "activation shape or kind");
        return true;
    case OP_AVGPOOL:
        if (n->shape.c != in.c || n->shape.h != 1 || n->shape.w != 1)
            return fail(c, i, "avgpool must give C x 1 x 1");
        if (n->pool.producer >= 0 && c->g->nodes[n->pool.producer].conv.pool != i)
            return fail(c, i, "avgpool fused into %%%d, which does not fill it", n->pool.producer);
        return true;
    case OP_SCALE: {
        Shape s = c->g->nodes[n->in[1]].shape;
        if (!same_shape(in, n->shape) || s.c != in.c || s.h != 1 || s.w != 1)
            return fail(c, i, "scale shapes");
        return true;
    }
    case OP_ADD:
        if (!same_shape(in, n->shape) || !same_shape(c->g->nodes[n->in[1]].shape, n->shape))
            return fail(c, i, "add shapes differ");
        return true;
    case OP_QUANTIZE:
        if (!same_shape(in, n->shape) || !c->g->nodes[n->in[0]].qfloat || n->qfloat)
            return fail(c, i, "quantize: not the int8 copy of a value kept in float");
        return true;
    case OP_COUNT:
        break;
    }
    return fail(c, i, "unknown op");
}

/* ---- what each pass guarantees, checked once it has run ---------------- */

static void check_folded(Check *c)
{
    for (int i = 0; i < c->g->nnodes && c->ok; i++)
        if (c->g->nodes[i].op == OP_BATCHNORM)
            fail(c, i, "a batch norm is left after fold_bn");
}

static bool typed_param_ok(Check *c, int node, int p, size_t numel, ParamType type,
                           const char *what)
{
    if (!param_ok(c, node, p, numel, what))
        return false;
    const Param *prm = &c->g->params[p];
    bool data = type == PARAM_I8 ? prm->i8 != NULL : type == PARAM_I32 ? prm->i32 != NULL
                                                                    : prm->data != NULL;
    if (prm->type != type || !data)
        return fail(c, node, "%s '%s' is not of its type or has no data", what, prm->name);
    return true;
}

/* Every value has int8 params TFLite accepts; every conv its int8 weights,
 * their scales and an int32 bias; a sigmoid LOGISTIC's fixed output. */
static void check_quantized(Check *c)
{
    const Graph *g = c->g;
    for (int i = 0; i < g->nnodes && c->ok; i++) {
        const Node *n = &g->nodes[i];
        if (n->dead)
            continue;
        if (!(n->q.scale > 0) || !isfinite(n->q.scale) || n->q.zp < -128 || n->q.zp > 127) {
            fail(c, i, "int8 params %g, %d", (double)n->q.scale, (int)n->q.zp);
            return;
        }
        if (n->op == OP_ACT && n->act.kind == ACT_SIGMOID &&
            (n->q.scale != QUANT_LOGISTIC_SCALE || n->q.zp != QUANT_LOGISTIC_ZP))
            fail(c, i, "a sigmoid's output is not at 1/256, -128");
        if (n->op != OP_CONV2D && n->op != OP_LINEAR)
            continue;
        size_t out = (size_t)n->shape.c;
        /* layout_int8 pairs a depthwise conv's taps: int16 pairs in int32 words */
        /* a conv kept in float keeps its int8 weights unpacked (reports use them) */
        bool paired = g->done & DONE_LAYOUT && !n->qfloat && conv_role(g, n) == CONV_DEPTHWISE;
        if ((paired ? typed_param_ok(c, i, n->conv.qweight, (size_t)dw_pairs(n) * out, PARAM_I32,
                                     "weight pair")
                    : typed_param_ok(c, i, n->conv.qweight, param_numel(&g->params[n->conv.weight]),
                                     PARAM_I8, "int8 weight")) &&
            typed_param_ok(c, i, n->conv.qscale, out, PARAM_F32, "weight scale"))
            typed_param_ok(c, i, n->conv.qbias, out, PARAM_I32, "int32 bias");
    }
}

/* The chunks of a GEMM cover its row blocks exactly. */
static void check_chunks(Check *c, int i)
{
    const Node *n = &c->g->nodes[i];
    const Tile *t = &n->tile;
    bool by_row = t->kind == KERNEL_STEM || n->fused_into >= 0; /* one row of pixels a call */
    int blocks = (by_row ? n->shape.w : n->shape.h * n->shape.w) / t->mr;
    if (t->nch < 1 || t->chq < 0 || t->chr < 0 || t->chr >= t->nch ||
        t->nch * t->chq + t->chr != blocks)
        fail(c, i, "%d chunks of %d blocks (+1 in %d) for %d blocks", t->nch, t->chq, t->chr,
             blocks);
}

/* A depthwise conv's interior columns are whole blocks whose taps all read
 * inside the image. */
static void check_interior(Check *c, int i)
{
    const Node *n = &c->g->nodes[i];
    const Tile *t = &n->tile;
    int w = c->g->nodes[n->in[0]].shape.w, S = n->conv.stride, pl = n->conv.pad[1];
    if (t->owb < 1 || t->vu < 1 || t->owl < 0 || t->owl > t->owh || t->owh > n->shape.w ||
        (t->owh - t->owl) % t->owb)
        fail(c, i, "interior columns [%d, %d) in blocks of %d of a %d-pixel row", t->owl, t->owh,
             t->owb, n->shape.w);
    else if (t->owh > t->owl &&
             (t->owl * S - pl < 0 || (t->owh - 1) * S - pl + n->conv.kernel > w))
        fail(c, i, "interior columns [%d, %d) read outside the %d-pixel input row", t->owl,
             t->owh, w);
}

static void check_tiled(Check *c)
{
    for (int i = 1; i < c->g->nnodes && c->ok; i++) {
        const Node *n = &c->g->nodes[i];
        const Tile *t = &n->tile;
        bool filled = n->op == OP_AVGPOOL && n->pool.producer >= 0;
        if ((t->kind == KERNEL_NONE) != filled)
            fail(c, i, "%s after tile", filled ? "a kernel for a pool its producer fills"
                                               : "no kernel");
        else if ((t->kind == KERNEL_GEMM || t->kind == KERNEL_STEM) &&
                 (t->mr < 1 || t->nv < 1 || t->nvr < 0 || t->nvr >= t->nv || t->cb < 1 ||
                  t->ks < 1 || c->g->nodes[n->in[0]].shape.c % t->ks))
            fail(c, i, "GEMM tiles out of range: mr %d nv %d nvr %d cb %d ks %d", t->mr, t->nv,
                 t->nvr, t->cb, t->ks);
        else if (t->kind == KERNEL_GEMM || t->kind == KERNEL_STEM)
            check_chunks(c, i);
        else if (t->kind == KERNEL_DW || t->kind == KERNEL_EXPDW)
            check_interior(c, i);
    }
}

static void check_laid_out(Check *c)
{
    for (int i = 0; i < c->g->nnodes && c->ok; i++) {
        const Node *n = &c->g->nodes[i];
        if (c->g->done & DONE_QUANTIZE ? n->cpad != n->shape.c
                                       : n->cpad < n->shape.c || (i > 0 && n->cpad % c->g->target->vl))
            fail(c, i, "%d channels stored as %d, not whole vectors of %d", n->shape.c, n->cpad,
                 c->g->target->vl);
    }
}

typedef struct {
    size_t offset, bytes;
    int param;
} Extent;

static int by_offset(const void *a, const void *b)
{
    const Extent *x = a, *y = b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Every param a kernel reads is in the blob; in offset order, each starts
 * aligned where the one before ends or within its alignment padding, and
 * the last ends within the blob. */
static void check_weights(Check *c)
{
    const Graph *g = c->g;
    for (int i = 0; i < g->nnodes && c->ok; i++) {
        int ps[NODE_PARAMS_MAX];
        int count = node_params(g, &g->nodes[i], ps);
        for (int k = 0; k < count && c->ok; k++)
            if (g->params[ps[k]].offset == SIZE_MAX)
                fail(c, i, "param '%s' it reads has no place in the weights blob",
                     g->params[ps[k]].name);
    }
    Extent *e = arena_array(g->arena, (size_t)g->nparams + 1, sizeof *e);
    int n = 0;
    for (int p = 0; p < g->nparams; p++)
        if (g->params[p].offset != SIZE_MAX)
            e[n++] = (Extent){g->params[p].offset, (size_t)param_bytes(&g->params[p]), p};
    qsort(e, (size_t)n, sizeof *e, by_offset);
    size_t end = 0;
    for (int k = 0; k < n && c->ok; k++) {
        if (e[k].offset % 64 || e[k].offset < end || e[k].offset >= end + 64)
            fail(c, 0, "weights blob: '%s' at %zu, the one before ends at %zu",
                 g->params[e[k].param].name, e[k].offset, end);
        end = e[k].offset + e[k].bytes;
    }
    if (c->ok && (end > g->weights_bytes || g->weights_bytes - end >= 64))
        fail(c, 0, "weights blob of %zu bytes, its last param ends at %zu", g->weights_bytes, end);
}

typedef struct {
    int node, first, last; /* alive while nodes first..last run */
    size_t offset, bytes;
} Span;

/* The buffers of the memory plan and when each is alive, worked out here
 * from the graph alone: an output from its producer (a pool filled by a
 * conv: from that conv) to its last reader (a reader fused into another
 * node reads when that one runs; the logits until after the last node), a
 * scratch while its node runs. A node fused into another has no buffer. */
static int collect_spans(const Graph *g, Span *s)
{
    int *last = arena_array(g->arena, (size_t)g->nnodes, sizeof(int)), n = 0;
    for (int i = 0; i < g->nnodes; i++)
        last[i] = i;
    for (int j = 1; j < g->nnodes; j++) {
        int when = g->nodes[j].fused_into >= 0 ? g->nodes[j].fused_into : j;
        for (int k = 0; k < g->nodes[j].nin; k++)
            if (g->nodes[j].in[k] >= 0 && when > last[g->nodes[j].in[k]])
                last[g->nodes[j].in[k]] = when;
    }
    last[g->output] = g->nnodes;
    for (int i = first_arena_value(g); i < g->nnodes; i++) {
        const Node *nd = &g->nodes[i];
        if (nd->scratch)
            s[n++] = (Span){i, i, i, nd->scratch_offset, nd->scratch};
        if (nd->fused_into >= 0)
            continue;
        int first = nd->op == OP_AVGPOOL && nd->pool.producer >= 0 ? nd->pool.producer : i;
        s[n++] = (Span){i, first, last[i], nd->offset,
                        (size_t)nd->cpad * (size_t)nd->shape.h * (size_t)nd->shape.w *
                            value_elem_bytes(g, nd)};
    }
    return n;
}

static void check_memory(Check *c)
{
    const Graph *g = c->g;
    Span *s = arena_array(g->arena, 2 * (size_t)g->nnodes, sizeof *s);
    int n = collect_spans(g, s);
    for (int a = 0; a < n && c->ok; a++) {
        if (s[a].offset % 64 || s[a].offset + s[a].bytes > g->arena_bytes)
            fail(c, s[a].node, "buffer at %zu of %zu bytes, outside the %zu-byte arena or unaligned",
                 s[a].offset, s[a].bytes, g->arena_bytes);
        for (int b = a + 1; b < n && c->ok; b++)
            if (s[a].first <= s[b].last && s[b].first <= s[a].last &&
                s[a].offset < s[b].offset + s[b].bytes && s[b].offset < s[a].offset + s[a].bytes)
                fail(c, s[a].node, "its buffer at %zu shares bytes with %%%d's at %zu while both "
                     "are alive", s[a].offset, s[b].node, s[b].offset);
    }
}

bool ir_verify(const Graph *g, char *msg, size_t msgsize)
{
    Check c = {g, msg, msgsize, true};
    if (g->nnodes < 2)
        return fail(&c, 0, "graph has no ops");
    for (int i = 0; i < g->nnodes && c.ok; i++)
        check_node(&c, i);
    if (c.ok && (g->output <= 0 || g->output >= g->nnodes))
        fail(&c, g->output, "graph output is not a node");
    if (c.ok && g->done & DONE_FOLD_BN)
        check_folded(&c);
    if (c.ok && g->done & DONE_QUANTIZE)
        check_quantized(&c);
    if (c.ok && g->done & DONE_TILE)
        check_tiled(&c);
    if (c.ok && g->done & DONE_LAYOUT)
        check_laid_out(&c);
    if (c.ok && g->done & DONE_PLAN_WEIGHTS)
        check_weights(&c);
    if (c.ok && g->done & DONE_PLAN_MEMORY)
        check_memory(&c);
    return c.ok;
}
