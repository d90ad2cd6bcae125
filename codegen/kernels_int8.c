/* kernels_int8.c — the int8 kernel of each node, with its literals, and
 * the call NAME_run makes.
 *
 * layout_int8 fixed the layout and every per-channel constant; this file
 * turns a node into the G_* parameters of templates/kernels_int8.m4: its
 * shapes, zero points and the per-tensor multipliers ir/quant.c computes
 * from the IR's scales (the same functions ir/eval_int8.c calls, so the
 * generated code and the evaluator requantise by the same integers). Each
 * node gets its own instance (q<node>_<op>…): the literals differ per
 * node. */
#include "kernels.h"

#include <stdarg.h>
#include <string.h>

/* A scale as an exact C double literal. */
static void scale_param(Kernel *k, const char *name, float scale)
{
    char text[48];
    snprintf(text, sizeof text, "%a", (double)scale);
    kernel_text_param(k, name, text);
}

static void begin(Kernel *k, CallKind call, const char *fmt, ...) EFFCC_PRINTF(3, 4);
static void begin(Kernel *k, CallKind call, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kernel_vbegin(k, call, fmt, ap);
    va_end(ap);
}

/* A node computed inside another node's kernel: a name, no code, no call. */
static void no_code(Kernel *k)
{
    buf_free(&k->text);
    k->invoke = "";
    k->call = CALL_NONE;
}

static void requant_param(Kernel *k, const char *m, const char *shift, QuantMultiplier q)
{
    kernel_param(k, m, q.m);
    kernel_param(k, shift, q.shift);
}

/* The 1×1 kernel's blocking (a dense conv's too, over its patches of ci
 * input channels), as layout_int8 packed the weights: pixels in
 * blocks of tile.mr (G_NB of them, then G_TR), channels in G_NFULL panels
 * of tile.nv vectors of 8, a remainder panel of tile.nvr, then a tail of
 * G_CT; input channels in pairs (G_CIH, and G_CIODD one more), widened 16
 * at a time (G_CI16). */
static void gemm_params(Kernel *k, const Node *n, int ci)
{
    const Tile *t = &n->tile;
    /* an expansion fused into its depthwise conv runs a row at a time */
    int pixels = n->shape.w * (n->fused_into >= 0 ? 1 : n->shape.h);
    int co = n->shape.c, nr = t->nv * 8;
    int nfull = nr ? co / nr : 0;
    kernel_param(k, "G_P", pixels);
    kernel_param(k, "G_CI", ci);
    kernel_param(k, "G_CIH", ci / 2);
    kernel_param(k, "G_CIODD", ci % 2);
    kernel_param(k, "G_XS", (ci + 1) / 2);
    kernel_param(k, "G_XQ", ci / 4); /* quads of inputs: two pair steps (VNNI) */
    kernel_param(k, "G_NMK", nfull * nr + t->nvr * 8); /* channels of the micro-kernels */
    kernel_param(k, "G_CI16", ci / 16 * 16);
    kernel_param(k, "G_MR", t->mr);
    kernel_param(k, "G_NB", pixels / t->mr);
    kernel_param(k, "G_TR", pixels % t->mr);
    kernel_param(k, "G_NV", t->nv);
    kernel_param(k, "G_NR", nr);
    kernel_param(k, "G_NFULL", nfull);
    kernel_param(k, "G_NVR", t->nvr);
    kernel_param(k, "G_CT0", nfull * nr + t->nvr * 8);
    kernel_param(k, "G_CT", co - nfull * nr - t->nvr * 8);
}

/* A 1×1 conv's kernel name; _row when it runs a row at a time inside a
 * depthwise conv's kernel. */
static void pointwise_name(Kernel *k, int i, const Node *n, const Node *in)
{
    bool row = n->fused_into >= 0;
    begin(k, CALL_GEMM, "q%d_pw_c%dto%d_p%d%s", i, in->shape.c, n->shape.c,
          n->shape.w * (row ? 1 : n->shape.h), row ? "_row" : "");
}

/* The G_* of a depthwise conv that computes its input's rows itself
 * (layout_int8's fuse_expansion): the expansion's kernel (its name, as its
 * own instance gets it), whether it is the stem, its input channels, and
 * whether it applies a table. */
static void expansion_params(const Graph *g, int i, Kernel *k)
{
    int e = graph_fused_expansion(g, i);
    kernel_param(k, "G_FUSED", e >= 0);
    if (e < 0)
        return;
    Kernel ek;
    kernel_for_node_int8(g, e, &ek);
    kernel_text_param(k, "G_ENAME", ek.name);
    kernel_param(k, "G_ESTEM", conv_role(g, &g->nodes[e]) == CONV_STEM);
    kernel_param(k, "G_RING_ROWS", fused_ring_rows(&g->nodes[i]));
    kernel_param(k, "G_CIN", g->nodes[g->nodes[e].in[0]].shape.c);
    kernel_param(k, "G_ETABLE", g->nodes[e].conv.qtable >= 0);
}

/* The G_* of a 1×1 conv that applies the SE gate MUL it reads (layout_int8
 * fused the MUL into it): the MUL's zero points and multiplier. */
static void gate_params(int i, const Node *m, const Graph *g, Kernel *k)
{
    bool gated = m->op == OP_SCALE && m->fused_into == i;
    kernel_param(k, "G_GATED", gated);
    if (!gated)
        return;
    QuantMul p = quant_mul_params(g->nodes[m->in[0]].q, g->nodes[m->in[1]].q, m->q, ACT_NONE);
    requant_param(k, "G_GM", "G_GSHIFT", p.out.m);
    kernel_param(k, "G_GZP1", p.zp1);
    kernel_param(k, "G_GZP2", p.zp2);
    kernel_param(k, "G_GZPOUT", m->q.zp);
    kernel_param(k, "G_GFAST", quant_fast_ok(p.out.m, QUANT_MUL_BOUND));
}

void kernel_conv_geometry(Kernel *k, const Node *n, const Node *in)
{
    kernel_param(k, "G_K", n->conv.kernel);
    kernel_param(k, "G_S", n->conv.stride);
    kernel_param(k, "G_PT", n->conv.pad[0]);
    kernel_param(k, "G_PL", n->conv.pad[1]);
    kernel_param(k, "G_H", in->shape.h);
    kernel_param(k, "G_W", in->shape.w);
    kernel_param(k, "G_OH", n->shape.h);
    kernel_param(k, "G_OW", n->shape.w);
}

static void conv(const Graph *g, int i, const Node *n, Kernel *k)
{
    const Node *in = &g->nodes[n->in[0]];
    ConvRole role = conv_role(g, n);
    int32_t lo, hi;
    quant_act_range(n->conv.act, conv_output_q(n), &lo, &hi);
    if (role == CONV_LINEAR) {
        begin(k, CALL_GEMM, "q%d_fc_c%dto%d", i, in->shape.c, n->shape.c);
        kernel_param(k, "G_CI", in->shape.c);
        scale_param(k, "G_SIN", in->q.scale);
        scale_param(k, "G_SOUT", n->q.scale);
    } else if (role == CONV_POINTWISE) {
        pointwise_name(k, i, n, in);
        gemm_params(k, n, in->shape.c);
        gate_params(i, in, g, k);
    } else {
        bool dw = role == CONV_DEPTHWISE;
        begin(k, CALL_GEMM, "q%d_%s_k%ds%d_c%dto%d_h%dw%d%s", i, dw ? "dw" : "conv",
              n->conv.kernel, n->conv.stride, in->shape.c, n->shape.c, in->shape.h, in->shape.w,
              n->fused_into >= 0 ? "_row" : "");
        kernel_conv_geometry(k, n, in);
        if (dw) {
            kernel_param(k, "G_CI", in->shape.c);
            kernel_param(k, "G_C", n->shape.c);
            kernel_param(k, "G_NP", dw_pairs(n));
            kernel_param(k, "G_NJ", (n->conv.kernel + 1) / 2);
            kernel_param(k, "G_QROWS", n->conv.qrows);
            kernel_param(k, "G_H8", dw_pair_rows_int8(g, n));
            kernel_param(k, "G_THREADS", g->threads);
            if (n->conv.qrows) { /* its rows of tap pairs */
                kernel_param(k, "G_HW", dw_pair_row_columns(n));
                kernel_param(k, "G_HSTEP", dw_pair_row_step(n));
                kernel_param(k, "G_HROW", (long long)dw_pair_row_elements(g, n));
                kernel_param(k, "G_ROWS_AT", (long long)n->conv.qrows_at);
            }
            expansion_params(g, i, k);
        } else { /* a 1×1 conv over patches of k·k·c_in */
            gemm_params(k, n, n->conv.kernel * n->conv.kernel * in->shape.c);
            kernel_param(k, "G_C", in->shape.c);
        }
    }
    kernel_param(k, "G_CO", n->shape.c);
    kernel_param(k, "G_ROWCALL", n->fused_into >= 0); /* a row a call, inside a depthwise kernel */
    kernel_param(k, "G_ZPIN", in->q.zp);
    kernel_param(k, "G_ZPOUT", conv_output_q(n).zp);
    kernel_param(k, "G_QTABLE", n->conv.qtable >= 0);
    kernel_param(k, "G_QFAST", n->conv.qfast); /* rq holds the one-step form's words */
    kernel_param(k, "G_LO", lo);
    kernel_param(k, "G_HI", hi);
    kernel_expand(k, role == CONV_LINEAR      ? "EFFCC_Q_FC"
              : role == CONV_POINTWISE ? "EFFCC_Q_PW"
              : role == CONV_DEPTHWISE ? "EFFCC_Q_DW"
                                       : "EFFCC_Q_CONV");
}

static void act(int i, const Node *n, const Node *in, Kernel *k)
{
    size_t count = shape_numel(n->shape);
    if (n->act.kind == ACT_RELU6) {
        begin(k, CALL_UNARY, "q%d_relu6_n%zu", i, count);
        QuantRequant r = {.m = quant_multiplier((double)(in->q.scale / n->q.scale))};
        quant_act_range(ACT_RELU6, n->q, &r.lo, &r.hi);
        requant_param(k, "G_M", "G_SHIFT", r.m);
        kernel_param(k, "G_ZPIN", in->q.zp);
        kernel_param(k, "G_ZPOUT", n->q.zp);
        kernel_param(k, "G_LO", r.lo);
        kernel_param(k, "G_HI", r.hi);
        kernel_param(k, "G_N", (long long)count);
        kernel_expand(k, "EFFCC_Q_RELU6");
        return;
    }
    begin(k, CALL_BINARY, "q%d_%s_n%zu", i, act_names[n->act.kind], count);
    kernel_param(k, "G_N", (long long)count);
    kernel_expand(k, "EFFCC_Q_TABLE");
}

static void mean(int i, const Node *n, const Node *in, Kernel *k)
{
    int pixels = in->shape.h * in->shape.w;
    begin(k, CALL_UNARY, "q%d_mean_p%d_c%d", i, pixels, in->shape.c);
    QuantMean p = quant_mean_params(in->q, n->q, pixels);
    requant_param(k, "G_M", "G_SHIFT", p.out.m);
    kernel_param(k, "G_ZPIN", in->q.zp);
    kernel_param(k, "G_ZPOUT", n->q.zp);
    kernel_param(k, "G_P", pixels);
    kernel_param(k, "G_C", in->shape.c);
    kernel_expand(k, "EFFCC_Q_MEAN");
}

static void mul(int i, const Node *n, const Node *a, const Node *b, Kernel *k)
{
    begin(k, CALL_BINARY, "q%d_mul_p%d_c%d", i, n->shape.h * n->shape.w, n->shape.c);
    if (n->fused_into >= 0) { /* applied by the 1×1 conv that reads it */
        no_code(k);
        return;
    }
    QuantMul p = quant_mul_params(a->q, b->q, n->q, ACT_NONE);
    requant_param(k, "G_M", "G_SHIFT", p.out.m);
    kernel_param(k, "G_ZP1", p.zp1);
    kernel_param(k, "G_ZP2", p.zp2);
    kernel_param(k, "G_ZPOUT", n->q.zp);
    kernel_param(k, "G_FAST", quant_fast_ok(p.out.m, QUANT_MUL_BOUND));
    kernel_param(k, "G_P", (long long)n->shape.h * n->shape.w);
    kernel_param(k, "G_C", n->shape.c);
    kernel_expand(k, "EFFCC_Q_MUL");
}

static void add(int i, const Node *n, const Node *a, const Node *b, Kernel *k)
{
    size_t count = shape_numel(n->shape);
    begin(k, CALL_BINARY, "q%d_add_n%zu", i, count);
    QuantAdd p = quant_add_params(a->q, b->q, n->q, ACT_NONE);
    if (p.left_shift != 20)
        internal_error("kernels_int8: ADD's left shift %d", p.left_shift);
    requant_param(k, "G_M1", "G_SHIFT1", p.m1);
    requant_param(k, "G_M2", "G_SHIFT2", p.m2);
    requant_param(k, "G_M", "G_SHIFT", p.out.m);
    kernel_param(k, "G_ZP1", p.zp1);
    kernel_param(k, "G_ZP2", p.zp2);
    kernel_param(k, "G_ZPOUT", n->q.zp);
    kernel_param(k, "G_N", (long long)count);
    kernel_expand(k, "EFFCC_Q_ADD");
}

void kernel_for_node_int8(const Graph *g, int i, Kernel *k)
{
    const Node *n = &g->nodes[i];
    if (n->qfloat || n->op == OP_QUANTIZE) {
        kernel_for_island(g, i, k);
        return;
    }
    *k = (Kernel){.arena = g->arena};
    const Node *a = n->nin > 0 && n->in[0] >= 0 ? &g->nodes[n->in[0]] : NULL;
    const Node *b = n->nin > 1 && n->in[1] >= 0 ? &g->nodes[n->in[1]] : NULL;
    switch (n->op) {
    case OP_INPUT:
        begin(k, CALL_UNARY, "q%d_quantize_c%d_p%d", i, n->shape.c, n->shape.h * n->shape.w);
        scale_param(k, "G_SCALE", n->q.scale);
        kernel_param(k, "G_ZP", n->q.zp);
        kernel_param(k, "G_C", n->shape.c);
        kernel_param(k, "G_P", (long long)n->shape.h * n->shape.w);
        kernel_expand(k, "EFFCC_Q_INPUT");
        return;
    case OP_CONV2D:
    case OP_LINEAR: conv(g, i, n, k); return;
    case OP_ACT: act(i, n, a, k); return;
    case OP_AVGPOOL: mean(i, n, a, k); return;
    case OP_SCALE: mul(i, n, a, b, k); return;
    case OP_ADD: add(i, n, a, b, k); return;
    case OP_BATCHNORM:
    case OP_QUANTIZE:
    case OP_COUNT: break;
    }
    internal_error("kernels_int8: op %s", op_names[n->op]);
}

void kernel_output_int8(const Graph *g, Kernel *k)
{
    const Node *n = &g->nodes[g->output];
    if (n->qfloat) {
        kernel_output_island(g, k);
        return;
    }
    *k = (Kernel){.arena = g->arena};
    begin(k, CALL_UNARY, "q_dequantize_n%zu", shape_numel(n->shape));
    scale_param(k, "G_SCALE", n->q.scale);
    kernel_param(k, "G_ZP", n->q.zp);
    kernel_param(k, "G_N", (long long)shape_numel(n->shape));
    kernel_expand(k, "EFFCC_Q_OUTPUT");
}

/* NAME_run's call of node i's kernel, profile slot CALL: values at A +
 * offset (int8_t *), params at their byte offset in W (the blob, read as
 * int8 or int32). */
void kernel_call_int8(const Graph *g, int i, const Kernel *k, int call, Buf *b)
{
    const Node *n = &g->nodes[i];
    if (n->qfloat || n->op == OP_QUANTIZE) {
        kernel_call_island(g, i, k, call, b);
        return;
    }
    Arena *a = g->arena;
    const char *out = arena_printf(a, "A + %zu", n->offset);
    const char *in[2] = {NULL, NULL};
    for (int j = 0; j < 2 && j < n->nin; j++)
        if (n->in[j] >= 0)
            in[j] = arena_printf(a, "A + %zu", g->nodes[n->in[j]].offset);
    const Node *m = n->nin > 0 && n->in[0] >= 0 ? &g->nodes[n->in[0]] : NULL;
    if (m && m->op == OP_SCALE && m->fused_into == i) /* the gated input: x and the gate */
        in[0] = arena_printf(a, "A + %zu, A + %zu", g->nodes[m->in[0]].offset,
                             g->nodes[m->in[1]].offset);
    buf_printf(b, "    EFFCC_PROF(%d, %s(", call, k->name);
    if (n->op == OP_INPUT) {
        buf_printf(b, "input, %s));\n", out);
    } else if (graph_fused_expansion(g, i) >= 0) {
        const Param *ps = g->params;
        const Node *en = &g->nodes[graph_fused_expansion(g, i)];
        buf_printf(b, "A + %zu, (const int8_t *)W + %zu, W + %zu, W + %zu, ",
                   g->nodes[en->in[0]].offset, ps[en->conv.qweight].offset,
                   ps[en->conv.qbias].offset / 4, ps[en->conv.qrequant].offset / 4);
        if (en->conv.qtable >= 0)
            buf_printf(b, "(const int8_t *)W + %zu, ", ps[en->conv.qtable].offset);
        buf_printf(b, "W + %zu, W + %zu, W + %zu, ", ps[n->conv.qweight].offset / 4,
                   ps[n->conv.qbias].offset / 4, ps[n->conv.qrequant].offset / 4);
        if (n->conv.qtable >= 0)
            buf_printf(b, "(const int8_t *)W + %zu, ", ps[n->conv.qtable].offset);
        buf_printf(b, "A + %zu, %s));\n", n->scratch_offset, out);
    } else if (n->op == OP_CONV2D || n->op == OP_LINEAR) {
        const Param *ps = g->params;
        int last = n->op == OP_LINEAR ? n->conv.qscale : n->conv.qrequant;
        bool paired = conv_role(g, n) == CONV_DEPTHWISE; /* int32 words, not int8 */
        buf_printf(b, "%s, %sW + %zu, W + %zu, W + %zu, ", in[0], paired ? "" : "(const int8_t *)",
                   paired ? ps[n->conv.qweight].offset / 4 : ps[n->conv.qweight].offset,
                   ps[n->conv.qbias].offset / 4, ps[last].offset / 4);
        if (n->op == OP_CONV2D && n->conv.qtable >= 0) /* its activation's table */
            buf_printf(b, "(const int8_t *)W + %zu, ", ps[n->conv.qtable].offset);
        if (n->op == OP_CONV2D && n->conv.qrows) /* its rows of tap pairs */
            buf_printf(b, "A + %zu, ", n->scratch_offset);
        buf_printf(b, "%s));\n", out);
    } else if (n->op == OP_ACT && n->act.kind != ACT_RELU6) {
        buf_printf(b, "%s, (const int8_t *)W + %zu, %s));\n", in[0], g->params[n->act.table].offset,
                   out);
    } else if (k->call == CALL_BINARY) {
        buf_printf(b, "%s, %s, %s));\n", in[0], in[1], out);
    } else {
        buf_printf(b, "%s, %s));\n", in[0], out);
    }
}
