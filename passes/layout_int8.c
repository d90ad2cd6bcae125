/* layout_int8.c — int8 activations NHWC, int8 weights packed as the int8
 * kernels read them, every per-channel constant computed once.
 *
 * Requires: quantize. Guarantees: every value is stored NHWC with its
 * channels unpadded (cpad = c; the graph input stays the caller's NCHW
 * floats); every conv's int8 weights are replaced by a packed param
 *   1×1             panels of tile.nv·8 channels, [ci/2][width][2] each
 *                   (pack_gemm), and the input zero point folded into a
 *                   new bias (fold_zero_point)
 *   other k×k       as a 1×1 conv's over patches [ky][kx][ci] (the same)
 *   linear          [co][ci]          (as quantize left them)
 *   depthwise       the taps in pairs (dw_pairs: on x86, conv.qrows, each
 *                   kernel row's taps two at a time, for kernels that
 *                   read rows of tap pairs; elsewhere ky·k + kx = 2p,
 *                   2p + 1; a missing second tap's weight 0), int32 [p][c]:
 *                   each word the pair as two int16, first in the low half
 *                   (pack_depthwise), as vpmaddwd multiplies them, and the
 *                   input zero point folded into the bias; the rows of
 *                   pairs go in the scratch (pair_rows_scratch)
 * and a conv gets qrequant, int32 [2·co]: each channel's multiplier, then
 * its shift (quant_conv_requant), and on x86 when the sums it can reach
 * allow (quant_fast_ok: B0's and Lite0's convs all do), conv.qfast and 2·co
 * words more for the AVX2 kernels' one-step form (a linear node,
 * FULLY_CONNECTED, rescales by its float weight scales instead:
 * quant_fc_output); every swish and sigmoid gets its 256-entry table
 * (act.table). The float params stay for reports and --save-weights.
 *
 * A node kept in float (--keep-float: qfloat) is a float island: its
 * float weights are packed for its kernel (island_weights), its value is
 * stored as float NHWC, nothing is fused into it or it into anything, and
 * when int8 nodes read it, a QUANTIZE node inserted after it makes the int8
 * copy they read instead (with the value's params: what ir/eval_int8.c's
 * int8 readers of a kept value quantize it with). */
#include "passes.h"

#include <string.h>

/* An MBConv expansion whose int8 output takes at least this many bytes is
 * computed inside its depthwise conv's kernel, a row at a time into a ring
 * of 2·k rows (fuse_expansion); smaller ones stay whole tensors. */
#define EXPAND_FUSE_BYTES_INT8 (256u << 10)

static int typed_param(Graph *g, const char *name, size_t count, ParamType type)
{
    int dims[1] = {(int)count};
    return graph_add_data_param(g, name, 1, dims, type);
}

/* Whether the target is x86 with AVX2 (x86-64-v3 and v4), whose kernels
 * read the layouts and constants only they use. */
static bool x86(const Graph *g)
{
    const char *simd = g->target ? g->target->simd : "";
    return strcmp(simd, "avx2") == 0 || strcmp(simd, "avx512") == 0;
}

/* The int8 1×1 kernel's block (a dense conv's too, over patches): mr
 * pixels × nv vectors of 8 output channels, the sums in registers (AVX2
 * has 16: 6×2 sums, 2 weight vectors, the broadcast input pair; GCC spills
 * one sum, yet 5×2 measured 10% slower on Zen 3); the remainder panel has
 * nvr vectors.
 * The channels past the last whole vector (co % 8) form a tail that the
 * kernel computes one channel at a time. */
static void gemm_tile(Node *n)
{
    int vecs = n->shape.c / 8;
    n->tile.mr = 6;
    n->tile.nv = vecs < 2 ? vecs : 2;
    n->tile.nvr = n->tile.nv ? vecs % n->tile.nv : 0;
}

/* A 1×1 conv's weights [co][ci] as its kernel reads them: panels of nv·8 output
 * channels (then the remainder panel of nvr·8, then the tail of co % 8),
 * each panel [ci/2][width][2] (the two input channels of a pair side by
 * side, as vpmaddwd multiplies them), then, when ci is odd, [width] for
 * the last input channel. */
static void pack_gemm(const int8_t *w, int cout, int cin, const Tile *t, int8_t *out)
{
    int nr = t->nv * 8, nfull = t->nv ? cout / nr : 0;
    for (int co = 0; co < cout; co++) {
        int panel = co / (nr ? nr : 1), width = nr, co0 = panel * nr;
        if (!nr || panel >= nfull) { /* the remainder panel, or the tail after it */
            int rem0 = nfull * nr, vec_end = rem0 + t->nvr * 8;
            co0 = co < vec_end ? rem0 : vec_end;
            width = co < vec_end ? t->nvr * 8 : cout - vec_end;
        }
        int8_t *p = out + (size_t)co0 * (size_t)cin;
        int j = co - co0;
        for (int ci = 0; ci < cin; ci++) {
            size_t to = ci / 2 < cin / 2 ? ((size_t)(ci / 2) * (size_t)width + (size_t)j) * 2 + (size_t)(ci % 2)
                                         : (size_t)(cin / 2) * 2 * (size_t)width + (size_t)j;
            p[to] = w[(size_t)co * (size_t)cin + (size_t)ci];
        }
    }
}

/* The input zero point folded into the bias of a conv that sums over
 * per_out weights an output channel, so that its kernel sums w·x, not
 * w·(x − zp): bias − zp·Σ w. TFLite's sum is bias + Σ w·(x − zp) in int32;
 * the two differ by the order of additions only, which modulo 2^32 (the
 * kernels add in uint32) changes nothing. Taps outside the input (a k×k
 * conv's padding), which TFLite leaves out, must then read zp_in. */
static void fold_zero_point(Graph *g, Node *n, int per_out)
{
    int cout = n->shape.c;
    int32_t zp = g->nodes[n->in[0]].q.zp;
    const int8_t *w = g->params[n->conv.qweight].i8; /* [co][…], not packed yet */
    const int32_t *b = g->params[n->conv.qbias].i32;
    int p = typed_param(g, arena_printf(g->arena, "%s~folded", g->params[n->conv.qbias].name),
                        (size_t)cout, PARAM_I32);
    for (int co = 0; co < cout; co++) {
        int64_t sum = 0;
        for (int i = 0; i < per_out; i++)
            sum += w[(size_t)co * (size_t)per_out + (size_t)i];
        g->params[p].i32[co] = (int32_t)((uint32_t)b[co] - (uint32_t)(int64_t)(zp * sum));
    }
    n->conv.qbias = p;
}

/* A depthwise conv's weights [c][ky][kx] as int32 words [pair][c], each
 * word taps 2·pair and 2·pair + 1 of channel c as int16s, the first in the
 * low half; a missing last tap weighs 0. */
static void pack_depthwise(Graph *g, Node *n)
{
    const Param *src = &g->params[n->conv.qweight];
    int taps = n->conv.kernel * n->conv.kernel, c = n->shape.c, pairs = dw_pairs(n);
    int p = typed_param(g, arena_printf(g->arena, "%s~paired", src->name),
                        (size_t)pairs * (size_t)c, PARAM_I32);
    const int8_t *w = g->params[n->conv.qweight].i8;
    for (int pr = 0; pr < pairs; pr++) {
        int t0, t1;
        dw_pair_taps(n, pr, &t0, &t1);
        for (int ch = 0; ch < c; ch++) {
            size_t at = (size_t)ch * (size_t)taps;
            int32_t w1 = t1 >= 0 ? w[at + (size_t)t1] : 0;
            g->params[p].i32[(size_t)pr * (size_t)c + (size_t)ch] =
                (int32_t)((uint32_t)(uint16_t)w[at + (size_t)t0] | (uint32_t)w1 << 16);
        }
    }
    fold_zero_point(g, n, taps);
    n->conv.qweight = p;
}

/* Weights [co][ci][ky][kx] as their kernel reads them (the header says
 * how); a dense conv's become [co][ky][kx][ci] patches first, which its
 * kernel then multiplies as a 1×1 conv's. */
static void pack_weights(Graph *g, Node *n)
{
    ConvRole role = conv_role(g, n);
    if (role == CONV_DEPTHWISE) {
        pack_depthwise(g, n);
        return;
    }
    const Param *src = &g->params[n->conv.qweight];
    int k = n->conv.kernel, cout = n->shape.c;
    size_t count = param_numel(src);
    int per = (int)(count / (size_t)cout / (size_t)(k * k)); /* input channels per output */
    int p = typed_param(g, arena_printf(g->arena, "%s~packed", src->name), count, PARAM_I8);
    const int8_t *w = g->params[n->conv.qweight].i8;
    int8_t *out = g->params[p].i8;
    bool gemm = role != CONV_LINEAR && n->conv.groups == 1;
    int8_t *patches = gemm ? arena_array(g->arena, count, 1) : out;
    for (int co = 0; co < cout; co++)
        for (int ci = 0; ci < per; ci++)
            for (int t = 0; t < k * k; t++) {
                size_t from = ((size_t)co * (size_t)per + (size_t)ci) * (size_t)(k * k) + (size_t)t;
                size_t to = ((size_t)co * (size_t)(k * k) + (size_t)t) * (size_t)per + (size_t)ci;
                patches[to] = w[from];
            }
    if (gemm) {
        gemm_tile(n);
        fold_zero_point(g, n, per * k * k);
        pack_gemm(patches, cout, per * k * k, &n->tile, out);
    }
    n->conv.qweight = p;
}

/* The largest |sum| conv n's kernel can reach in channel c: its bias (the
 * input zero point folded in) and at most 128·128 a product. */
static int64_t sum_bound(const Graph *g, const Node *n, int c)
{
    const Node *src = &g->nodes[n->in[0]];
    int64_t taps = (int64_t)(src->shape.c / n->conv.groups) * n->conv.kernel * n->conv.kernel;
    int64_t bias = g->params[n->conv.qbias].i32[c];
    return (bias < 0 ? -bias : bias) + taps * 128 * 128;
}

/* Each channel's multiplier and shift; when every channel's sums allow it
 * (quant_fast_ok), conv.qfast and the fast form's words after them. */
static void requant_params(Graph *g, Node *n)
{
    int cout = n->shape.c;
    const Node *src = &g->nodes[n->in[0]];
    const float *sw = g->params[n->conv.qscale].data;
    QuantMultiplier *ms = arena_array(g->arena, (size_t)cout, sizeof *ms);
    bool fast = x86(g); /* only the AVX2 kernels read the one-step form */
    for (int c = 0; c < cout; c++) {
        ms[c] = quant_conv_requant(src->q, sw[c], conv_output_q(n), n->conv.act).m;
        fast = fast && quant_fast_ok(ms[c], sum_bound(g, n, c));
    }
    int p = typed_param(g, arena_printf(g->arena, "%s~requant", g->params[n->conv.weight].name),
                        (fast ? 4 : 2) * (size_t)cout, PARAM_I32);
    int32_t *r = g->params[p].i32;
    for (int c = 0; c < cout; c++) {
        r[c] = ms[c].m;
        r[cout + c] = ms[c].shift;
    }
    if (fast)
        quant_fast_table(ms, cout, r + 2 * cout);
    n->conv.qrequant = p;
    n->conv.qfast = fast;
}

/* The 256-entry table of activation node a (swish or sigmoid) from input
 * parameters in; a param of its own. */
static int table(Graph *g, const Node *a, QuantParams in)
{
    const char *name = arena_printf(g->arena, "%s.%s~table", a->label, act_names[a->act.kind]);
    int p = typed_param(g, name, 256, PARAM_I8);
    if (a->act.kind == ACT_SWISH)
        quant_swish_table(in, a->q, g->params[p].i8);
    else
        quant_logistic_table(in, g->params[p].i8);
    return p;
}

/* Depthwise conv d reads an expansion (a 1×1 conv, or the stem) that no one else reads
 * and that would take at least EXPAND_FUSE_BYTES_INT8: it is fused into d
 * (fused_into), and d gets the ring as scratch (fused_ring_rows rows of
 * w·c bytes a thread). The expansion then
 * never exists whole. */
static void fuse_expansion(Graph *g, int d)
{
    Node *dw = &g->nodes[d];
    if (dw->op != OP_CONV2D || dw->qfloat || conv_role(g, dw) != CONV_DEPTHWISE)
        return;
    Node *en = &g->nodes[dw->in[0]];
    ConvRole role = en->op == OP_CONV2D ? conv_role(g, en) : CONV_OTHER;
    if (!(role == CONV_POINTWISE || role == CONV_STEM) ||
        graph_count_uses(g, dw->in[0]) != 1 || shape_numel(en->shape) < EXPAND_FUSE_BYTES_INT8)
        return;
    en->fused_into = d;
    dw->scratch = (size_t)fused_ring_rows(dw) * (size_t)en->shape.w * (size_t)en->shape.c *
                  (size_t)g->threads; /* a ring per thread */
}

/* On x86 (AVX2 and AVX-512 targets) an int8 depthwise conv's kernel
 * multiplies rows of tap pairs that it builds once per input row: each
 * column with the next (dw_pair_row_bytes), so that each pair of taps is
 * one vpmaddwd with no shuffle; its weights pair taps within rows to
 * match. Elsewhere the taps pair in row-major order, the fewest pairs. */
static bool rows_of_pairs(const Graph *g, const Node *n)
{
    return n->op == OP_CONV2D && conv_role(g, n) == CONV_DEPTHWISE && !n->qfloat &&
           n->shape.c >= 8 && x86(g);
}

/* The rows of tap pairs live in the scratch, after an expansion's ring: k
 * rows a thread and one of the input zero point (rows above and below), of
 * every channel when an expansion fused into the kernel hands it rows one
 * at a time, else of one block of 16 channels (the kernel goes through the
 * whole input once per block). */
static void pair_rows_scratch(Graph *g, Node *n)
{
    if (!(n->op == OP_CONV2D && n->conv.qrows))
        return;
    n->conv.qrows_at = (n->scratch + 63) / 64 * 64;
    n->scratch = n->conv.qrows_at;
    n->scratch += (size_t)(n->conv.kernel + 1) * dw_pair_row_bytes(g, n) * (size_t)g->threads;
}

/* The SE gate's MUL read only by a 1×1 conv is applied by that conv to
 * each block of pixels it reads (fused_into), so the gated tensor never
 * exists; the MUL's inputs live until the conv. */
static void fuse_gate(Graph *g, int c)
{
    Node *conv = &g->nodes[c];
    if (conv->op != OP_CONV2D || conv->qfloat || conv_role(g, conv) != CONV_POINTWISE ||
        conv->fused_into >= 0)
        return;
    Node *m = &g->nodes[conv->in[0]];
    if (m->op == OP_SCALE && !m->qfloat && graph_count_uses(g, conv->in[0]) == 1)
        m->fused_into = c;
}

/* A swish or sigmoid that is a conv's only reader becomes that conv's
 * epilogue: the conv requantises to the activation's input parameters
 * (kept in conv.qpre), then looks its output up in the table (conv.qtable),
 * and takes the activation's parameters and readers; the activation's
 * tensor and its pass over it are gone. The integers are the same. */
static void absorb_table(Graph *g, int t)
{
    Node *a = &g->nodes[t];
    if (a->op != OP_ACT || a->act.kind == ACT_RELU6 || a->qfloat)
        return;
    int p = a->in[0];
    Node *c = &g->nodes[p];
    if (c->op != OP_CONV2D || c->qfloat || c->conv.residual || c->conv.gate || c->conv.act != ACT_NONE ||
        graph_count_uses(g, p) != 1)
        return;
    c->conv.qpre = c->q;
    c->q = a->q;
    c->conv.qtable = table(g, a, c->conv.qpre);
    for (int j = t + 1; j < g->nnodes; j++)
        for (int k = 0; k < g->nodes[j].nin; k++)
            if (g->nodes[j].in[k] == t)
                g->nodes[j].in[k] = p;
    if (g->output == t)
        g->output = p;
    a->dead = true;
}

/* A conv kept in float: its float weights as its island kernel reads them
 * (templates/kernels_island.m4): dense [ci][ky][kx][co], depthwise
 * [ky][kx][c], other groups as they are; a pointwise one (island_pointwise)
 * in panels of 8 output channels [co/8][ci][8], then the channels past the
 * last panel [ci][co % 8]. */
static void island_weights(Graph *g, Node *n)
{
    int form = island_form(g, n);
    if (form == ISLAND_GROUPS)
        return;
    const Param *src = &g->params[n->conv.weight];
    size_t count = param_numel(src), co_n = (size_t)n->shape.c;
    size_t taps = (size_t)n->conv.kernel * (size_t)n->conv.kernel;
    size_t ci_n = count / co_n / taps; /* input channels an output reads: 1 for depthwise */
    int p = typed_param(g, arena_printf(g->arena, "%s~island", src->name), count, PARAM_F32);
    const float *w = g->params[n->conv.weight].data;
    float *out = g->params[p].data;
    size_t co8 = co_n / 8 * 8; /* a pointwise conv's panels of 8 channels end there */
    for (size_t co = 0; co < co_n; co++)
        for (size_t ci = 0; ci < ci_n; ci++)
            for (size_t t = 0; t < taps; t++) {
                size_t to = (ci * taps + t) * co_n + co;
                if (island_pointwise(n))
                    to = co < co8 ? (co / 8 * ci_n + ci) * 8 + co % 8
                                  : co8 * ci_n + ci * (co_n - co8) + (co - co8);
                out[to] = w[(co * ci_n + ci) * taps + t];
            }
    n->conv.weight = p;
}

/* The scratch of an island kernel (its sums, in the arena rather than on
 * the stack): a conv's G_CO doubles, and a pointwise one's inputs of
 * ISLAND_PIXELS pixels as floats; a mean's G_C doubles. */
static size_t island_scratch(const Graph *g, const Node *n)
{
    if (n->op == OP_AVGPOOL)
        return (size_t)n->shape.c * sizeof(double);
    if (n->op != OP_CONV2D && n->op != OP_LINEAR)
        return 0;
    size_t bytes = (size_t)n->shape.c * sizeof(double);
    if (island_pointwise(n))
        bytes += ISLAND_PIXELS * (size_t)g->nodes[n->in[0]].shape.c * sizeof(float);
    return bytes;
}

static bool read_by_int8(const Graph *g, int v)
{
    for (int j = v + 1; j < g->nnodes; j++)
        for (int k = 0; k < g->nodes[j].nin; k++)
            if (g->nodes[j].in[k] == v && !g->nodes[j].qfloat)
                return true;
    return false;
}

/* After each value kept in float that an int8 node reads, its QUANTIZE
 * copy, which those readers then read. */
static void quantize_copies(Graph *g)
{
    for (int v = 1; v < g->nnodes; v++) {
        const Node *f = &g->nodes[v];
        if (!f->qfloat || !read_by_int8(g, v))
            continue;
        Node copy = {.op = OP_QUANTIZE, .in = {v}, .nin = 1, .shape = f->shape, .label = f->label,
                     .q = f->q};
        int c = graph_insert_node(g, v + 1, copy);
        for (int j = c + 1; j < g->nnodes; j++)
            for (int k = 0; k < g->nodes[j].nin; k++)
                if (g->nodes[j].in[k] == v && !g->nodes[j].qfloat)
                    g->nodes[j].in[k] = c;
        v = c;
    }
}

void layout_int8(Graph *g)
{
    if (!(g->done & DONE_QUANTIZE) || g->done & (DONE_FUSE | DONE_LAYOUT))
        internal_error("layout_int8: runs after quantize, instead of fuse and layout");
    for (int i = 0; i < g->nnodes; i++)
        if (g->nodes[i].op == OP_CONV2D || g->nodes[i].op == OP_LINEAR)
            g->nodes[i].conv.qtable = -1;
    for (int i = 0; i < g->nnodes; i++)
        absorb_table(g, i);
    graph_compact(g);
    quantize_copies(g);
    for (int i = 0; i < g->nnodes; i++) {
        Node *n = &g->nodes[i];
        n->cpad = n->shape.c;
        if (n->qfloat) {
            if (n->op == OP_CONV2D || n->op == OP_LINEAR)
                island_weights(g, n);
            n->scratch = island_scratch(g, n);
            continue;
        }
        if (n->op == OP_CONV2D || n->op == OP_LINEAR) {
            n->conv.qrows = rows_of_pairs(g, n);
            pack_weights(g, n);
            if (n->op == OP_CONV2D) /* FULLY_CONNECTED reads the weight scales instead */
                requant_params(g, n);
        } else if (n->op == OP_ACT && n->act.kind != ACT_RELU6) {
            n->act.table = table(g, n, g->nodes[n->in[0]].q);
        }
    }
    for (int i = 0; i < g->nnodes; i++)
        if (!g->nodes[i].dead) {
            fuse_expansion(g, i);
            fuse_gate(g, i);
            pair_rows_scratch(g, &g->nodes[i]);
        }
    g->done |= DONE_LAYOUT;
}
