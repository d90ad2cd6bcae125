/* kernels.c — which kernel template each node uses, with which literals.
 *
 * The tile pass chose the kernel and its tiles; this file turns that choice
 * into the G_* parameters of codegen/templates/kernels.m4 and a name. A
 * kernel instance is named by its parameters, so identical layers share one
 * function: dw_k5s2p2_c240_h28w28_swish. */
#include "kernels.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void kernel_param(Kernel *k, const char *name, long long value)
{
    m4_define_int(&k->text, name, value);
}

void kernel_text_param(Kernel *k, const char *name, const char *value)
{
    m4_define_text(&k->text, name, value);
}

/* The call of the template that reads the parameters: the end of the
 * instance's text, which moves into the arena. */
void kernel_expand(Kernel *k, const char *template)
{
    buf_printf(&k->text, "%s()", template);
    k->invoke = arena_strdup(k->arena, k->text.data);
    buf_free(&k->text);
}

void kernel_vbegin(Kernel *k, CallKind call, const char *fmt, va_list ap)
{
    vsnprintf(k->name, sizeof k->name, fmt, ap);
    k->call = call;
    kernel_text_param(k, "G_NAME", k->name);
}

static void begin(Kernel *k, CallKind call, int vl, const char *fmt, ...) EFFCC_PRINTF(4, 5);
static void begin(Kernel *k, CallKind call, int vl, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kernel_vbegin(k, call, fmt, ap);
    va_end(ap);
    kernel_param(k, "G_VL", vl);
}

/* G_ACTFN(x): the activation of a vector (the runtime's ev_<name>). */
static void act_param(Kernel *k, Act act)
{
    char call[32];
    snprintf(call, sizeof call, "ev_%s($1)", act_names[act]);
    kernel_text_param(k, "G_ACTFN", call);
}

static const char *pad_text(const Node *n, char *buf, size_t size)
{
    const int *p = n->conv.pad;
    if (p[0] == p[1] && p[1] == p[2] && p[2] == p[3])
        snprintf(buf, size, "p%d", p[0]);
    else
        snprintf(buf, size, "p%d_%d_%d_%d", p[0], p[1], p[2], p[3]);
    return buf;
}

/* The micro-kernel parameters shared by GEMM and stem: ci input channels
 * (row stride ast), rows pixels in blocks of the tile's mr. A standalone
 * GEMM always names its full-block micro-kernels; a row kernel (the stem,
 * a fused expansion) only when a row holds a full block (G_MKFULL), or
 * they would be defined unused (an error under clang -Werror). */
static void gemm_params(const Graph *g, const Node *n, Kernel *k, int ci, int ast, int rows,
                        bool by_row)
{
    kernel_param(k, "G_MKFULL", !by_row || rows >= n->tile.mr);
    const Tile *t = &n->tile;
    int vl = g->target->vl, nfull = n->cpad / vl / t->nv;
    kernel_param(k, "G_CI", ci);
    kernel_param(k, "G_KS", t->ks);
    kernel_param(k, "G_KC", ci / t->ks);
    kernel_param(k, "G_AST", ast);
    kernel_param(k, "G_COP", n->cpad);
    kernel_param(k, "G_MR", t->mr);
    kernel_param(k, "G_NV", t->nv);
    kernel_param(k, "G_NR", t->nv * vl);
    kernel_param(k, "G_NVR", t->nvr);
    kernel_param(k, "G_NFULL", nfull);
    kernel_param(k, "G_NPANELS", nfull + (t->nvr > 0));
    kernel_param(k, "G_TR", rows % t->mr);
    kernel_param(k, "G_NB", rows / t->mr);
    act_param(k, n->conv.act);
}

static void stem_params(const Graph *g, const Node *n, Kernel *k);

static void gemm(const Graph *g, const Node *n, Kernel *k)
{
    const Node *in = &g->nodes[n->in[0]];
    const Tile *t = &n->tile;
    int pixels = n->shape.h * n->shape.w, nb = pixels / t->mr;
    char ks[16] = "";
    if (t->ks > 1)
        snprintf(ks, sizeof ks, "ks%d", t->ks);
    begin(k, CALL_GEMM, g->target->vl, "gemm_p%d_c%dto%d_mr%dnv%dcb%d%s_%s%s%s", pixels, in->shape.c,
          n->shape.c, t->mr, t->nv, t->cb, ks, act_names[n->conv.act],
          n->conv.residual ? "_res" : "", n->conv.gate ? t->gate == 1 ? "_wgate" : "_xgate" : "");
    gemm_params(g, n, k, in->shape.c, in->cpad, pixels, false);
    kernel_param(k, "G_P", pixels);
    kernel_param(k, "G_NBLK", nb + (pixels % t->mr > 0)); /* blocks, the leftover rows' included */
    kernel_param(k, "G_NCH", t->nch);
    kernel_param(k, "G_CHQ", t->chq);
    kernel_param(k, "G_CHR", t->chr);
    kernel_param(k, "G_RES", n->conv.residual);
    kernel_param(k, "G_GATE", n->conv.gate ? t->gate : 0);
    kernel_expand(k, "EFFCC_GEMM");
}

/* The clipped blocks of owb columns (the last one narrower) covering
 * [from, to), as EFFCC_DW_CBLOCK(ow0, n, taps): for each tap column with
 * some pixel of the block reading inside the image, EFFCC_DW_TAP(kw, fmas),
 * one EFFCC_DW_FMA(pixel, input column) per pixel that does. */
static void clipped_blocks(const Graph *g, const Node *n, Kernel *k, const char *name, int from,
                           int to)
{
    int K = n->conv.kernel, S = n->conv.stride, pl = n->conv.pad[1], owb = n->tile.owb;
    int w = g->nodes[n->in[0]].shape.w;
    Buf b = {0};
    buf_printf(&b, "%s", ""); /* an empty list is still a string */
    for (int ow0 = from; ow0 < to; ow0 += owb) {
        int pixels = to - ow0 < owb ? to - ow0 : owb;
        buf_printf(&b, "EFFCC_DW_CBLOCK(%d, %d, «", ow0, pixels);
        for (int kw = 0; kw < K; kw++) {
            bool any = false;
            for (int j = 0; j < pixels; j++) {
                int iw = (ow0 + j) * S - pl + kw;
                if (iw < 0 || iw >= w)
                    continue;
                if (!any)
                    buf_printf(&b, "EFFCC_DW_TAP(%d, «", kw);
                any = true;
                buf_printf(&b, "EFFCC_DW_FMA(%d, %d)", j, iw);
            }
            if (any)
                buf_printf(&b, "»)");
        }
        buf_printf(&b, "»)");
    }
    kernel_text_param(k, name, b.data);
    buf_free(&b);
}

/* The depthwise parameters, shared by DW and EXPDW. */
static void dw_params(const Graph *g, const Node *n, Kernel *k)
{
    Shape in = g->nodes[n->in[0]].shape;
    int K = n->conv.kernel, S = n->conv.stride, pl = n->conv.pad[1], owb = n->tile.owb;
    kernel_param(k, "G_CP", n->cpad);
    kernel_param(k, "G_NVEC", n->cpad / g->target->vl);
    kernel_param(k, "G_H", in.h);
    kernel_param(k, "G_W", in.w);
    kernel_param(k, "G_OH", n->shape.h);
    kernel_param(k, "G_OW", n->shape.w);
    kernel_param(k, "G_K", K);
    kernel_param(k, "G_S", S);
    kernel_param(k, "G_PT", n->conv.pad[0]);
    kernel_param(k, "G_PL", pl);
    kernel_param(k, "G_OWB", owb);
    kernel_param(k, "G_OWL", n->tile.owl);
    kernel_param(k, "G_OWH", n->tile.owh);
    clipped_blocks(g, n, k, "G_DW_LEFT", 0, n->tile.owl);
    clipped_blocks(g, n, k, "G_DW_RIGHT", n->tile.owh, n->shape.w);
    kernel_param(k, "G_POOL", n->conv.pool >= 0);
    char call[32];
    snprintf(call, sizeof call, "ev_%s($1)", act_names[n->conv.act]);
    kernel_text_param(k, "G_DWACT", call);
}

static void dw(const Graph *g, const Node *n, Kernel *k)
{
    Shape in = g->nodes[n->in[0]].shape;
    char pad[32];
    begin(k, CALL_DW, g->target->vl, "dw_k%ds%d%s_c%d_h%dw%d_%s%s", n->conv.kernel, n->conv.stride,
          pad_text(n, pad, sizeof pad), n->shape.c, in.h, in.w, act_names[n->conv.act],
          n->conv.pool >= 0 ? "_pool" : "");
    dw_params(g, n, k);
    kernel_param(k, "G_CSPLIT", n->tile.csplit);
    kernel_param(k, "G_VU", n->tile.vu);
    /* the channel vectors it computes: a thread's share when they split them */
    kernel_text_param(k, "G_VLO", n->tile.csplit ? "vlo" : "0");
    kernel_text_param(k, "G_VHI", n->tile.csplit ? "vhi" : "G_NVEC");
    kernel_text_param(k, "G_ROW", "(in + ($1) * G_W * G_CP)");
    kernel_expand(k, "EFFCC_DW");
}

/* The conv that produces a depthwise conv's input, fused into it (an
 * expansion, or the stem): its GEMM parameters (one row of pixels at a
 * time) next to the depthwise ones. */
static void expdw(const Graph *g, const Node *n, Kernel *k)
{
    const Node *e = &g->nodes[n->in[0]], *x = &g->nodes[e->in[0]];
    bool stem = e->tile.kind == KERNEL_STEM;
    char pad[32];
    begin(k, CALL_EXPDW, g->target->vl, "%s_c%dto%d_k%ds%d%s_h%dw%d_mr%dnv%d_%s_%s%s",
          stem ? "stemdw" : "expdw", x->shape.c, e->shape.c, n->conv.kernel, n->conv.stride,
          pad_text(n, pad, sizeof pad), x->shape.h, x->shape.w, e->tile.mr, e->tile.nv,
          act_names[e->conv.act], act_names[n->conv.act], n->conv.pool >= 0 ? "_pool" : "");
    if (stem) {
        stem_params(g, e, k);
        kernel_text_param(k, "G_PRODUCE", "EFFCC_STEM_ROW(«x», «$1», «$2», «we», «be»)");
    } else {
        gemm_params(g, e, k, x->shape.c, x->cpad, e->shape.w, true);
        kernel_param(k, "G_RES", 0);
        kernel_text_param(k, "G_PRODUCE", "EFFCC_EXPAND_ROW(«$1», «$2»)");
    }
    kernel_param(k, "G_STEM", stem);
    kernel_param(k, "G_PROWS", (long long)n->tile.pool_rows_at);
    kernel_param(k, "G_THREADS", g->threads);
    kernel_param(k, "G_CSPLIT", n->tile.csplit);
    /* the panels of the producer and the channel vectors it computes: a
     * thread's share when they split the channels */
    kernel_text_param(k, "G_PLO", n->tile.csplit ? "plo" : "0");
    kernel_text_param(k, "G_PHI", n->tile.csplit ? "phi" : "G_NPANELS");
    kernel_text_param(k, "G_VLO", n->tile.csplit ? "vlo" : "0");
    kernel_text_param(k, "G_VHI", n->tile.csplit ? "vhi" : "G_NVEC");
    dw_params(g, n, k);
    kernel_text_param(k, "G_ROW", "(ring + (($1) % G_K) * G_W * G_CP)");
    kernel_expand(k, "EFFCC_EXPDW");
}

/* The stem's GEMM and gather parameters (G_S* names: a fused kernel also
 * holds the depthwise conv's). */
static void stem_params(const Graph *g, const Node *n, Kernel *k)
{
    Shape in = g->nodes[n->in[0]].shape;
    int kk = n->conv.kernel * n->conv.kernel * in.c;
    gemm_params(g, n, k, kk, kk, n->shape.w, true);
    kernel_param(k, "G_RES", 0);
    kernel_param(k, "G_GATE", 0);
    kernel_param(k, "G_IC", in.c);
    kernel_param(k, "G_SH", in.h);
    kernel_param(k, "G_SW", in.w);
    kernel_param(k, "G_SOH", n->shape.h);
    kernel_param(k, "G_SOW", n->shape.w);
    kernel_param(k, "G_SK", n->conv.kernel);
    kernel_param(k, "G_KK", kk);
    kernel_param(k, "G_SS", n->conv.stride);
    kernel_param(k, "G_SPT", n->conv.pad[0]);
    kernel_param(k, "G_SPL", n->conv.pad[1]);
}

static void stem(const Graph *g, const Node *n, Kernel *k)
{
    Shape in = g->nodes[n->in[0]].shape;
    int K = n->conv.kernel;
    char pad[32];
    begin(k, CALL_STEM, g->target->vl, "stem_k%ds%d%s_c%dto%d_h%dw%d_%s", K, n->conv.stride,
          pad_text(n, pad, sizeof pad), in.c, n->shape.c, in.h, in.w, act_names[n->conv.act]);
    stem_params(g, n, k);
    kernel_param(k, "G_THREADS", g->threads);
    kernel_text_param(k, "G_PLO", "0");
    kernel_text_param(k, "G_PHI", "G_NPANELS");
    kernel_expand(k, "EFFCC_STEM");
}

/* Pool, scale, add and act: the standalone kernels of unfused graphs. */
static void elementwise(const Graph *g, const Node *n, Kernel *k)
{
    const Node *in = &g->nodes[n->in[0]];
    int pixels = in->shape.h * in->shape.w, vl = g->target->vl;
    long long count = (long long)pixels * in->cpad;
    const char *template;
    switch (n->tile.kind) {
    case KERNEL_POOL:
        begin(k, CALL_UNARY, vl, "avgpool_h%dw%d_c%d", in->shape.h, in->shape.w, in->shape.c);
        kernel_param(k, "G_H", in->shape.h);
        kernel_param(k, "G_W", in->shape.w);
        template = "EFFCC_AVGPOOL";
        break;
    case KERNEL_SCALE:
        begin(k, CALL_BINARY, vl, "scale_p%d_c%d", pixels, in->shape.c);
        template = "EFFCC_SCALE";
        break;
    case KERNEL_ADD:
        begin(k, CALL_BINARY, vl, "add_n%lld", count);
        template = "EFFCC_ADD";
        break;
    default: /* KERNEL_ACT */
        begin(k, CALL_UNARY, vl, "%s_n%lld", act_names[n->act.kind], count);
        act_param(k, n->act.kind);
        template = "EFFCC_ACT";
        break;
    }
    kernel_param(k, "G_P", pixels);
    kernel_param(k, "G_CP", in->cpad);
    kernel_param(k, "G_NVEC", in->cpad / vl);
    kernel_param(k, "G_N", count);
    kernel_expand(k, template);
}

void kernel_for_node(const Graph *g, int i, Kernel *k)
{
    const Node *n = &g->nodes[i];
    *k = (Kernel){.arena = g->arena};
    if (n->fused_into >= 0) { /* emitted inside the kernel of the node it is fused into */
        k->call = CALL_NONE;
        return;
    }
    switch (n->tile.kind) {
    case KERNEL_NONE:
        k->call = CALL_NONE;
        return;
    case KERNEL_GEMM:
        gemm(g, n, k);
        return;
    case KERNEL_DW:
        dw(g, n, k);
        return;
    case KERNEL_EXPDW:
        expdw(g, n, k);
        return;
    case KERNEL_STEM:
        stem(g, n, k);
        return;
    case KERNEL_POOL:
    case KERNEL_SCALE:
    case KERNEL_ADD:
    case KERNEL_ACT:
        elementwise(g, n, k);
        return;
    case KERNEL_COUNT:
        break;
    }
    internal_error("codegen: no kernel for %s", n->label);
}

/* The graph's output, from the arena to the caller's array: logits (C×1×1)
 * as they are; any other tensor (a kernel test's) unpadded to NCHW. */
void kernel_copy(const Graph *g, Kernel *k)
{
    const Node *n = &g->nodes[g->output];
    int pixels = n->shape.h * n->shape.w;
    *k = (Kernel){.arena = g->arena};
    if (pixels == 1) {
        begin(k, CALL_UNARY, 1, "copy_n%d", n->shape.c);
        kernel_param(k, "G_N", n->shape.c);
        kernel_expand(k, "EFFCC_COPY");
        return;
    }
    begin(k, CALL_UNARY, 1, "nchw_c%d_h%dw%d_cp%d", n->shape.c, n->shape.h, n->shape.w, n->cpad);
    kernel_param(k, "G_C", n->shape.c);
    kernel_param(k, "G_P", pixels);
    kernel_param(k, "G_CP", n->cpad);
    kernel_expand(k, "EFFCC_NCHW");
}
