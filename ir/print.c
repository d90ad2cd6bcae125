/* print.c — the one stable text form of the IR, for -d dumps and golden tests.
 *
 *   %3 = conv2d %2 k3 s2 pad=1,1,1,1 g32 act=swish w=features.1.0.block.0.0.weight : 32x112x112 @0
 *
 * Attributes appear only for the ops that use them; "@N" after a param is
 * its offset in the weights blob once plan_weights has run, after the
 * shape the arena offset once plan_memory has run. Once quantize has run,
 * each value's int8 params follow its shape, the scale as a C hexadecimal
 * float (exact): "q=0x1.5p-6,-128", or "float" for a value kept in float
 * (its params still given: int8 readers quantize it with them); a conv
 * names its int8 weights, their scales and its int32 bias. */
#include "ir.h"

#include <stdlib.h>

static void print_conv(Buf *b, const Graph *g, const Node *n)
{
    if (n->op == OP_CONV2D)
        buf_printf(b, " k%d s%d pad=%d,%d,%d,%d g%d", n->conv.kernel, n->conv.stride,
                   n->conv.pad[0], n->conv.pad[1], n->conv.pad[2], n->conv.pad[3],
                   n->conv.groups);
    if (n->conv.act != ACT_NONE)
        buf_printf(b, " act=%s", act_names[n->conv.act]);
    if (n->conv.residual)
        buf_printf(b, " +residual");
    if (n->conv.gate)
        buf_printf(b, " *gate");
    if (n->conv.pool >= 0)
        buf_printf(b, " pool->%%%d", n->conv.pool);
    buf_printf(b, " w=%s", g->params[n->conv.weight].name);
    if (g->done & DONE_PLAN_WEIGHTS)
        buf_printf(b, "@%zu", g->params[n->conv.weight].offset);
    if (n->conv.bias >= 0)
        buf_printf(b, " b=%s", g->params[n->conv.bias].name);
    if (n->conv.bias >= 0 && g->done & DONE_PLAN_WEIGHTS)
        buf_printf(b, "@%zu", g->params[n->conv.bias].offset);
    if (n->conv.qweight >= 0)
        buf_printf(b, " qw=%s qs=%s qb=%s", g->params[n->conv.qweight].name,
                   g->params[n->conv.qscale].name, g->params[n->conv.qbias].name);
}


static void print_tile(Buf *b, const Graph *g, const Node *n)
{
    const Tile *t = &n->tile;
    if (t->kind == KERNEL_NONE)
        return;
    buf_printf(b, " [%s", kernel_name(g, n));
    if (t->kind == KERNEL_GEMM || t->kind == KERNEL_STEM)
        buf_printf(b, " mr=%d nv=%d nvr=%d cb=%d%s", t->mr, t->nv, t->nvr, t->cb,
                   t->gate == 1 ? " gate=weights" : t->gate == 2 ? " gate=input" : "");
    if ((t->kind == KERNEL_GEMM || t->kind == KERNEL_STEM) && t->ks > 1)
        buf_printf(b, " ks=%d", t->ks);
    if (t->kind == KERNEL_GEMM || t->kind == KERNEL_STEM)
        buf_printf(b, " chunks=%d", t->nch);
    if (t->kind == KERNEL_DW || t->kind == KERNEL_EXPDW)
        buf_printf(b, " owb=%d interior=%d..%d", t->owb, t->owl, t->owh);
    if (t->kind == KERNEL_EXPDW)
        buf_printf(b, " threads=%d", g->threads);
    if (t->kind == KERNEL_DW || t->kind == KERNEL_EXPDW)
        buf_printf(b, " split=%s", t->csplit ? "channels" : "rows");
    buf_printf(b, "]");
}

static void print_node(Buf *b, const Graph *g, int i)
{
    const Node *n = &g->nodes[i];
    buf_printf(b, "%%%d = %s", i, op_names[n->op]);
    if (n->op == OP_ACT)
        buf_printf(b, ".%s", act_names[n->act.kind]);
    for (int k = 0, first = 1; k < n->nin; k++)
        if (n->in[k] >= 0) {
            buf_printf(b, "%s %%%d", first ? "" : ",", n->in[k]);
            first = 0;
        }
    switch (n->op) {
    case OP_CONV2D:
    case OP_LINEAR:
        print_conv(b, g, n);
        break;
    case OP_BATCHNORM:
        buf_printf(b, " eps=%g w=%s", n->bn.eps, g->params[n->bn.gamma].name);
        break;
    case OP_AVGPOOL:
        if (n->pool.producer >= 0)
            buf_printf(b, " (filled by %%%d)", n->pool.producer);
        break;
    default:
        break;
    }
    buf_printf(b, " : %dx%dx%d", n->shape.c, n->shape.h, n->shape.w);
    if (g->done & DONE_QUANTIZE)
        buf_printf(b, " %sq=%a,%d", n->qfloat ? "float " : "", (double)n->q.scale, (int)n->q.zp);
    if (n->fused_into >= 0)
        buf_printf(b, " (rows computed inside %%%d)", n->fused_into);
    if (n->cpad && n->cpad != n->shape.c)
        buf_printf(b, " (stored %d)", n->cpad);
    print_tile(b, g, n);
    if (g->arena_bytes && i != 0)
        buf_printf(b, " @%zu", n->offset);
    if (n->scratch)
        buf_printf(b, " scratch=%zu@%zu", n->scratch, n->scratch_offset);
    buf_printf(b, "\n");
}

void ir_print_buf(Buf *b, const Graph *g)
{
    for (int i = 0; i < g->nnodes; i++)
        print_node(b, g, i);
    buf_printf(b, "output %%%d", g->output);
    if (g->arena_bytes)
        buf_printf(b, " arena=%zu", g->arena_bytes);
    buf_printf(b, "\n");
}

void ir_print(FILE *out, const Graph *g)
{
    Buf b = {0};
    ir_print_buf(&b, g);
    if (b.len)
        fwrite(b.data, 1, b.len, out);
    buf_free(&b);
}
