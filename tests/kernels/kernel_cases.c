/* kernel_cases.c — every kind of generated kernel against the reference
 * evaluator (ir/eval.c), on awkward shapes, for any target.
 *
 * Each case is a small graph built by hand with seeded weights, whose
 * output is the tensor the kernel under test writes (or one that depends
 * on all it writes: a depthwise conv's SE pool is checked through the
 * scale of its output by it). The evaluator computes the reference before
 * layout packs the params; the pipeline then plans the graph for the
 * target and codegen writes its folder. One program (written here, built
 * and run by kernels_test.sh) calls every case's NAME_run on seeded inputs,
 * so one qemu or Bochs run covers every case of a target.
 *
 *   kernel_cases coverage          every target: the cases reach every
 *                                  kernel variant listed in FEATURES
 *   kernel_cases list TARGET       the IR of each case after the pipeline
 *   kernel_cases write DIR TARGET [--threads N]
 *                                  DIR/NAME/ per case, kernels_main.c (the
 *                                  program), Makefile, ref.f32, cases.txt
 *   kernel_cases check DIR REPORT  the program's measures (kernels ref.f32
 *                                  REPORT, kernel_driver.h) against RTOL
 *
 * Tolerance: max |out − ref| ≤ 1e-5 · max |ref| over each case's output.
 * The kernels sum in float in another order than the evaluator (double,
 * rounded once) and use vector exp approximations (5e-7 relative, see
 * tests/unit/simd_accuracy.c); sums here have at most a few thousand terms
 * of inputs in [−1, 1) and weights scaled by 1/√fan-in. Measured: at most
 * 9.1e-7 on every target (gemm_split's 576-term sums), most cases 1e-7 to
 * 5e-7; a broken kernel misses by 1e-2 or more, or leaves NaN (the arena
 * starts as NaN). */
#include "effcc.h"
#include "kernel_driver.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RTOL 1e-5

/* ---- building the graphs ------------------------------------------------ */

typedef struct {
    Graph *g;
    uint64_t rng;
    int adapter; /* the node that copies the input to NHWC (node 1), or -1 */
} Build;

/* A param of seeded values in [−scale, scale). */
static int param(Build *b, int rank, const int *dims, float scale)
{
    const char *name = arena_printf(b->g->arena, "p%d", b->g->nparams);
    int p = graph_add_param(b->g, name, rank, dims, false);
    Param *pr = &b->g->params[p];
    size_t n = param_numel(pr);
    pr->data = arena_array(b->g->arena, n, sizeof(float));
    for (size_t i = 0; i < n; i++)
        pr->data[i] = kernel_rng(&b->rng) * scale;
    return p;
}

static const char *label(Build *b)
{
    return arena_printf(b->g->arena, "n%d", b->g->nnodes);
}

/* TensorFlow's "SAME" along one axis (as frontend/lower.c): the odd pixel
 * of padding at the far side. */
static void same_pad(int in, int k, int s, int *lo, int *hi)
{
    int out = (in + s - 1) / s, total = (out - 1) * s + k - in;
    total = total < 0 ? 0 : total;
    *lo = total / 2;
    *hi = total - *lo;
}

static int unary(Build *b, Op op, int x, Shape s)
{
    Node n = {.op = op, .in = {x}, .nin = 1, .shape = s, .label = label(b)};
    n.pool.producer = -1;
    return graph_add_node(b->g, n);
}

static int activation(Build *b, int x, Act kind)
{
    Node n = {.op = OP_ACT, .in = {x}, .nin = 1, .shape = b->g->nodes[x].shape,
              .label = label(b)};
    n.act.kind = kind;
    return graph_add_node(b->g, n);
}

static int binary(Build *b, Op op, int x, int y)
{
    Node n = {.op = op, .in = {x, y}, .nin = 2, .shape = b->g->nodes[x].shape, .label = label(b)};
    return graph_add_node(b->g, n);
}

static int pool(Build *b, int x)
{
    Shape s = b->g->nodes[x].shape;
    return unary(b, OP_AVGPOOL, x, (Shape){s.c, 1, 1});
}

/* A conv with bias, then its activation as its own node (fuse moves it
 * into the conv, as it does for lowered models). */
static int conv(Build *b, int x, int cout, int k, int s, int groups, bool tf_same, Act act)
{
    Shape in = b->g->nodes[x].shape;
    Node n = {.op = OP_CONV2D, .in = {x}, .nin = 1, .label = label(b)};
    n.conv.kernel = k;
    n.conv.stride = s;
    n.conv.groups = groups;
    n.conv.pool = -1;
    int *p = n.conv.pad;
    if (tf_same) {
        same_pad(in.h, k, s, &p[0], &p[2]);
        same_pad(in.w, k, s, &p[1], &p[3]);
    } else {
        p[0] = p[1] = p[2] = p[3] = (k - 1) / 2;
    }
    int fan_in = in.c / groups * k * k, wdims[4] = {cout, in.c / groups, k, k};
    n.conv.weight = param(b, 4, wdims, sqrtf(3.0f / (float)fan_in));
    n.conv.bias = param(b, 1, &cout, 0.5f);
    n.shape = (Shape){cout, conv_out_size(in.h, k, s, p[0], p[2]),
                      conv_out_size(in.w, k, s, p[1], p[3])};
    int y = graph_add_node(b->g, n);
    return act == ACT_NONE ? y : activation(b, y, act);
}

static int linear(Build *b, int x, int cout)
{
    int cin = b->g->nodes[x].shape.c, wdims[2] = {cout, cin};
    Node n = {.op = OP_LINEAR, .in = {x}, .nin = 1, .shape = {cout, 1, 1}, .label = label(b)};
    n.conv.kernel = n.conv.stride = n.conv.groups = 1;
    n.conv.pool = -1;
    n.conv.weight = param(b, 2, wdims, sqrtf(3.0f / (float)cin));
    n.conv.bias = param(b, 1, &cout, 0.5f);
    return graph_add_node(b->g, n);
}

/* The graph input (NCHW) stored as every other value is (padded NHWC),
 * unchanged: a 1×1 stem with identity weights and zero bias, exact in
 * float (each output is x·1 plus zeros). Every case but the stem's reads
 * its input through it, since only the stem kernel reads NCHW. */
static int adapter(Build *b)
{
    int c = b->g->nodes[0].shape.c;
    int y = conv(b, 0, c, 1, 1, 1, false, ACT_NONE);
    const Node *n = &b->g->nodes[y];
    float *w = b->g->params[n->conv.weight].data, *bias = b->g->params[n->conv.bias].data;
    for (int co = 0; co < c; co++) {
        bias[co] = 0.0f;
        for (int ci = 0; ci < c; ci++)
            w[co * c + ci] = co == ci ? 1.0f : 0.0f;
    }
    b->adapter = y;
    return y;
}

/* ---- the cases ---------------------------------------------------------- */

enum {
    TF_SAME = 1 << 0,  /* TensorFlow padding (asymmetric where the total is odd) */
    RESIDUAL = 1 << 1, /* the conv's output plus its input */
    SE_POOL = 1 << 2,  /* a depthwise conv's output scaled by its own average pool */
    NO_FUSE = 1 << 3,  /* the pipeline without fuse: standalone act, pool, scale, add */
    NO_TILE = 1 << 4,  /* plain tiles (tile_plain) */
};

typedef struct Case Case;
struct Case {
    const char *name;
    int (*build)(Build *b, const Case *c); /* returns the output node */
    Shape in;                              /* the graph input */
    int co;    /* channels the conv under test gives (the expansion's, in fused kernels) */
    int k, s;  /* its kernel and stride (the depthwise one, in fused kernels) */
    Act act;
    int co2;   /* classes (head), squeezed channels (SE) */
    unsigned opt;
};

static int depthwise(Build *b, int x, const Case *c)
{
    int d = conv(b, x, b->g->nodes[x].shape.c, c->k, c->s, b->g->nodes[x].shape.c,
                 c->opt & TF_SAME, c->act);
    return c->opt & SE_POOL ? binary(b, OP_SCALE, d, pool(b, d)) : d;
}

/* The stem: a dense k×k conv of the NCHW input. */
static int stem_case(Build *b, const Case *c)
{
    return conv(b, 0, c->co, c->k, c->s, 1, c->opt & TF_SAME, c->act);
}

/* A 1×1 conv (a GEMM over pixels), optionally with the residual add. */
static int gemm_case(Build *b, const Case *c)
{
    int a = adapter(b), y = conv(b, a, c->co, 1, 1, 1, false, c->act);
    return c->opt & RESIDUAL ? binary(b, OP_ADD, y, a) : y;
}

/* A 1×1 conv whose input is scaled per channel by a gate (a sigmoid of
 * the pooled input): the SE gate fuse moves into the GEMM. */
static int gate_case(Build *b, const Case *c)
{
    int a = adapter(b);
    int gate = conv(b, pool(b, a), c->in.c, 1, 1, 1, false, ACT_SIGMOID);
    int y = conv(b, binary(b, OP_SCALE, a, gate), c->co, 1, 1, 1, false, c->act);
    return c->opt & RESIDUAL ? binary(b, OP_ADD, y, a) : y;
}

/* The head and the classifier: 1×1 conv, global pool, linear. */
static int head_case(Build *b, const Case *c)
{
    int h = conv(b, adapter(b), c->co, 1, 1, 1, false, c->act);
    return linear(b, pool(b, h), c->co2);
}

static int dw_case(Build *b, const Case *c)
{
    return depthwise(b, adapter(b), c);
}

/* An expansion big enough (1 MiB) for fuse to compute it inside the
 * depthwise kernel. */
static int expdw_case(Build *b, const Case *c)
{
    int e = conv(b, adapter(b), c->co, 1, 1, 1, false, ACT_SWISH);
    return depthwise(b, e, c);
}

/* A stem big enough to be computed inside the depthwise kernel (B0's
 * first block): 3×3, stride in co2. */
static int stemdw_case(Build *b, const Case *c)
{
    int e = conv(b, 0, c->co, 3, c->co2, 1, c->opt & TF_SAME, ACT_SWISH);
    return depthwise(b, e, c);
}

/* An MBConv block as lowering builds it: expansion, depthwise, SE
 * (pool, fc1, fc2 + sigmoid, scale), projection, residual at stride 1. */
static int mbconv_case(Build *b, const Case *c)
{
    int a = adapter(b);
    int e = conv(b, a, c->co, 1, 1, 1, false, c->act);
    int d = conv(b, e, c->co, c->k, c->s, c->co, c->opt & TF_SAME, c->act);
    int s = conv(b, pool(b, d), c->co2, 1, 1, 1, false, c->act);
    s = conv(b, s, c->co, 1, 1, 1, false, ACT_SIGMOID);
    int y = conv(b, binary(b, OP_SCALE, d, s), c->in.c, 1, 1, 1, false, ACT_NONE);
    return c->s == 1 ? binary(b, OP_ADD, y, a) : y;
}

#define NONE ACT_NONE
#define SWISH ACT_SWISH
#define SIGMOID ACT_SIGMOID
#define RELU6 ACT_RELU6

/* Channel counts are chosen off every vector width (4, 8, 16): 101 leaves
 * a remainder panel on every target, 35 pixels leftover rows for every
 * micro-kernel height (4, 6, 9, 12). */
static const Case cases[] = {
    /* stem */
    {"stem_k3s2_c3to13_h17w17", stem_case, {3, 17, 17}, 13, 3, 2, SWISH},
    {"stem_k3s2_same_c3to101_h16w18", stem_case, {3, 16, 18}, 101, 3, 2, RELU6, 0, TF_SAME},
    {"stem_k5s1_c2to8_h2w2", stem_case, {2, 2, 2}, 8, 5, 1, SIGMOID},
    {"stem_k7s2_same_c3to21_h9w11", stem_case, {3, 9, 11}, 21, 7, 2, NONE, 0, TF_SAME},
    {"stem_k3s1_c3to24_h1w1", stem_case, {3, 1, 1}, 24, 3, 1, SWISH},
    {"stem_k3s2_plain_c3to13_h9w9", stem_case, {3, 9, 9}, 13, 3, 2, SWISH, 0, NO_TILE},
    /* 1×1 GEMM: activations, remainders, residual */
    {"gemm_none_c13to21_h5w7", gemm_case, {13, 5, 7}, 21, 1, 1, NONE},
    {"gemm_swish_c13to101_h5w7", gemm_case, {13, 5, 7}, 101, 1, 1, SWISH},
    {"gemm_sigmoid_c21to37_h2w2", gemm_case, {21, 2, 2}, 37, 1, 1, SIGMOID},
    {"gemm_relu6_c5to3_h3w3", gemm_case, {5, 3, 3}, 3, 1, 1, RELU6},
    {"gemm_res_c21to21_h5w7", gemm_case, {21, 5, 7}, 21, 1, 1, SWISH, 0, RESIDUAL},
    {"gemm_res_c101to101_h7w5", gemm_case, {101, 7, 5}, 101, 1, 1, NONE, 0, RESIDUAL},
    {"gemm_c37to101_h1w1", gemm_case, {37, 1, 1}, 101, 1, 1, SWISH},
    {"gemm_plain_c13to21_h5w7", gemm_case, {13, 5, 7}, 21, 1, 1, SWISH, 0, NO_TILE},
    /* cache blocking: one chunk of many blocks, several chunks, split reduction */
    {"gemm_onechunk_c200to301_h5w7", gemm_case, {200, 5, 7}, 301, 1, 1, SWISH},
    {"gemm_chunks_c200to301_h22w25", gemm_case, {200, 22, 25}, 301, 1, 1, SWISH},
    {"gemm_split_c576to517_h13w14", gemm_case, {576, 13, 14}, 517, 1, 1, NONE},
    {"gemm_split_res_c576to576_h14w13", gemm_case, {576, 14, 13}, 576, 1, 1, SWISH, 0, RESIDUAL},
    /* SE gate: on the weights (big image), on the input (small image) */
    {"gate_weights_c13to21_h9w11", gate_case, {13, 9, 11}, 21, 1, 1, NONE},
    {"gate_weights_res_c21to21_h9w11", gate_case, {21, 9, 11}, 21, 1, 1, NONE, 0, RESIDUAL},
    {"gate_input_c21to101_h3w3", gate_case, {21, 3, 3}, 101, 1, 1, SWISH},
    {"gate_input_res_c37to37_h2w2", gate_case, {37, 2, 2}, 37, 1, 1, NONE, 0, RESIDUAL},
    /* head and classifier */
    {"head_c37to101_h5w5_classes11", head_case, {37, 5, 5}, 101, 1, 1, SWISH, 11},
    {"head_c13to24_h1w1_classes3", head_case, {13, 1, 1}, 24, 1, 1, SWISH, 3},
    /* depthwise: rows (16 output rows or more) or channels, with and without SE pool */
    {"dw_k3s1_c13_h17w19", dw_case, {13, 17, 19}, 0, 3, 1, SWISH},
    {"dw_k3s1_pool_c13_h17w19", dw_case, {13, 17, 19}, 0, 3, 1, SWISH, 0, SE_POOL},
    {"dw_k3s2_c13_h9w9", dw_case, {13, 9, 9}, 0, 3, 2, SWISH},
    {"dw_k3s2_pool_c13_h9w9", dw_case, {13, 9, 9}, 0, 3, 2, RELU6, 0, SE_POOL},
    {"dw_k5s1_c21_h6w7", dw_case, {21, 6, 7}, 0, 5, 1, NONE},
    {"dw_k5s2_same_c21_h32w34", dw_case, {21, 32, 34}, 0, 5, 2, SWISH, 0, TF_SAME},
    {"dw_k5s2_same_pool_c21_h32w34", dw_case, {21, 32, 34}, 0, 5, 2, SWISH, 0, TF_SAME | SE_POOL},
    {"dw_k5s2_same_pool_c37_h8w10", dw_case, {37, 8, 10}, 0, 5, 2, SWISH, 0, TF_SAME | SE_POOL},
    {"dw_k7s1_c5_h2w2", dw_case, {5, 2, 2}, 0, 7, 1, SWISH},
    {"dw_k7s1_pool_c35_h21w23", dw_case, {35, 21, 23}, 0, 7, 1, SWISH, 0, SE_POOL},
    {"dw_k7s2_c37_h1w1", dw_case, {37, 1, 1}, 0, 7, 2, SIGMOID},
    {"dw_k7s2_pool_c8_h33w35", dw_case, {8, 33, 35}, 0, 7, 2, SWISH, 0, SE_POOL},
    {"dw_k3s2_c3_h2w2", dw_case, {3, 2, 2}, 0, 3, 2, NONE},
    {"dw_k3s2_plain_pool_c13_h9w9", dw_case, {13, 9, 9}, 0, 3, 2, SWISH, 0, NO_TILE | SE_POOL},
    /* expansion inside the depthwise kernel: channel split (small output), row split */
    {"expdw_k3s2_c8to75_h60w60", expdw_case, {8, 60, 60}, 75, 3, 2, SWISH},
    {"expdw_k7s2_same_pool_c6to63_h64w66", expdw_case, {6, 64, 66}, 63, 7, 2, SWISH, 0, TF_SAME | SE_POOL},
    {"expdw_k5s1_pool_c5to101_h73w73", expdw_case, {5, 73, 73}, 101, 5, 1, SWISH, 0, SE_POOL},
    {"expdw_k3s1_c13to101_h71w75", expdw_case, {13, 71, 75}, 101, 3, 1, RELU6},
    /* the stem inside the depthwise kernel */
    {"stemdw_k3s1_pool_c3to23_h107w107", stemdw_case, {3, 107, 107}, 23, 3, 1, SWISH, 1, SE_POOL},
    {"stemdw_s2_k5s2_same_c3to24_h211w209", stemdw_case, {3, 211, 209}, 24, 5, 2, SWISH, 2, TF_SAME},
    /* MBConv blocks with SE, fused and (standalone act, pool, scale, add) not */
    {"mbconv_k3s1_c13to53_h9w9", mbconv_case, {13, 9, 9}, 53, 3, 1, SWISH, 5},
    {"mbconv_k3s1_nofuse_c13to53_h9w9", mbconv_case, {13, 9, 9}, 53, 3, 1, SWISH, 5, NO_FUSE},
    {"mbconv_k5s2_nofuse_c10to21_h7w8", mbconv_case, {10, 7, 8}, 21, 5, 2, RELU6, 3, NO_FUSE | TF_SAME},
    {"mbconv_k5s1_nofuse_sigmoid_c6to9_h2w2", mbconv_case, {6, 2, 2}, 9, 5, 1, SIGMOID, 2, NO_FUSE},
    {"mbconv_k3s1_plain_c13to53_h9w9", mbconv_case, {13, 9, 9}, 53, 3, 1, SWISH, 5, NO_TILE},
};

#define NCASES ((int)(sizeof cases / sizeof cases[0]))

/* The graph of a case, weights drawn from seed; *adapter: its input
 * adapter, or -1. */
static Graph *build_case(Arena *a, const Case *c, uint64_t seed, int *adapter)
{
    Build b = {.g = graph_new(a), .rng = kernel_rng_seed(~seed), .adapter = -1}; /* not the input's */
    Graph *g = b.g;
    double *mean = arena_array(a, (size_t)c->in.c, sizeof(double));
    double *std = arena_array(a, (size_t)c->in.c, sizeof(double));
    for (int i = 0; i < c->in.c; i++)
        std[i] = 1.0;
    g->source = (GraphSource){.name = c->name, .width = 1, .depth = 1, .bn_eps = 1e-5,
                              .mean = mean, .std = std};
    graph_add_node(g, (Node){.op = OP_INPUT, .shape = c->in, .label = "input"});
    g->output = c->build(&b, c);
    *adapter = b.adapter;
    return g;
}

static uint64_t case_seed(const Case *c)
{
    return hash_fnv1a(c->name, strlen(c->name));
}

static void plan(Graph *g, const Case *c, const Target *t, int threads)
{
    PipelineOptions o = {.target = t, .no_fuse = c->opt & NO_FUSE, .no_tile = c->opt & NO_TILE,
                         .threads = threads};
    run_pipeline(g, &o);
}

/* ---- what the cases must reach ------------------------------------------
 * FEATURES(X): X(tag, description, condition on node n of a planned graph),
 * with t its tile, k its kernel, px its pixels, e its producer (a fused
 * kernel's expansion or stem), asym its padding uneven. A target whose
 * tiles leave one unreached fails `coverage` and `write`: change a case. */
#define FEATURES(X)                                                                                \
    X(STEM, "stem", k == KERNEL_STEM && n->fused_into < 0)                                         \
    X(STEM_ASYM, "stem, asymmetric padding", k == KERNEL_STEM && asym)                             \
    X(STEM_SHORT, "stem, a row shorter than one block", k == KERNEL_STEM && n->shape.w < t->mr)   \
    X(STEM_NVR_TR, "stem, remainder panel and leftover pixels",                                   \
      k == KERNEL_STEM && t->nvr && n->shape.w % t->mr)                                            \
    X(GEMM_NONE, "gemm, no activation", k == KERNEL_GEMM && n->conv.act == ACT_NONE)              \
    X(GEMM_SWISH, "gemm, swish", k == KERNEL_GEMM && n->conv.act == ACT_SWISH)                    \
    X(GEMM_SIGMOID, "gemm, sigmoid", k == KERNEL_GEMM && n->conv.act == ACT_SIGMOID)              \
    X(GEMM_RELU6, "gemm, relu6", k == KERNEL_GEMM && n->conv.act == ACT_RELU6)                    \
    X(GEMM_RES, "gemm, residual", k == KERNEL_GEMM && n->conv.residual)                           \
    X(GATE_W, "gemm, SE gate on the weights", k == KERNEL_GEMM && t->gate == 1)                   \
    X(GATE_X, "gemm, SE gate on the input", k == KERNEL_GEMM && t->gate == 2)                     \
    X(GATE_RES, "gemm, SE gate and residual", k == KERNEL_GEMM && t->gate && n->conv.residual)    \
    X(GEMM_KS, "gemm, split reduction", k == KERNEL_GEMM && t->ks > 1)                            \
    X(GEMM_KS_RES, "gemm, split reduction and residual",                                           \
      k == KERNEL_GEMM && t->ks > 1 && n->conv.residual)                                           \
    X(GEMM_CB, "gemm, one chunk of several blocks", k == KERNEL_GEMM && t->nch == 1 && t->cb > 1) \
    X(GEMM_NCH, "gemm, several chunks", k == KERNEL_GEMM && t->nch > 1)                           \
    X(GEMM_CHR, "gemm, chunks of unequal size", k == KERNEL_GEMM && t->chr > 0)                   \
    X(GEMM_NCH_TR, "gemm, several chunks and leftover pixels",                                    \
      k == KERNEL_GEMM && t->nch > 1 && px % t->mr)                                                \
    X(GEMM_NVR, "gemm, remainder panel", k == KERNEL_GEMM && t->nvr > 0)                          \
    X(GEMM_TR, "gemm, leftover pixels", k == KERNEL_GEMM && px % t->mr)                           \
    X(GEMM_NVR_TR, "gemm, remainder panel and leftover pixels",                                   \
      k == KERNEL_GEMM && t->nvr > 0 && px % t->mr)                                                \
    X(GEMM_FEW, "gemm, fewer pixels than one block", k == KERNEL_GEMM && px > 1 && px < t->mr)    \
    X(GEMM_MV, "gemm, one pixel (matrix x vector)", k == KERNEL_GEMM && n->op == OP_CONV2D && px == 1) \
    X(LINEAR, "linear", k == KERNEL_GEMM && n->op == OP_LINEAR)                                   \
    X(DW_K3S1, "dw k3 s1", dw && n->conv.kernel == 3 && n->conv.stride == 1)                      \
    X(DW_K3S2, "dw k3 s2", dw && n->conv.kernel == 3 && n->conv.stride == 2)                      \
    X(DW_K5S1, "dw k5 s1", dw && n->conv.kernel == 5 && n->conv.stride == 1)                      \
    X(DW_K5S2, "dw k5 s2", dw && n->conv.kernel == 5 && n->conv.stride == 2)                      \
    X(DW_K7S1, "dw k7 s1", dw && n->conv.kernel == 7 && n->conv.stride == 1)                      \
    X(DW_K7S2, "dw k7 s2", dw && n->conv.kernel == 7 && n->conv.stride == 2)                      \
    X(DW_ROWS, "dw, row split", dw && !t->csplit && n->conv.pool < 0)                             \
    X(DW_ROWS_POOL, "dw, row split, SE pool", dw && !t->csplit && n->conv.pool >= 0)              \
    X(DW_CH, "dw, channel split", dw && t->csplit && n->conv.pool < 0)                            \
    X(DW_CH_POOL, "dw, channel split, SE pool", dw && t->csplit && n->conv.pool >= 0)             \
    X(DW_CH_SHARES, "dw, channels enough for two threads' shares",                                \
      dw && t->csplit && n->cpad / g->target->vl / t->vu >= 2)                                     \
    X(DW_ASYM, "dw, asymmetric padding", dw && asym)                                              \
    X(DW_INTERIOR, "dw, interior blocks", dw && t->owh > t->owl)                                  \
    X(DW_NO_INTERIOR, "dw, no interior block", dw && t->owh == t->owl)                            \
    X(DW_NARROW, "dw, a border block narrower than owb", dw && (n->shape.w - t->owh) % t->owb)    \
    X(DW_1X1, "dw, 1x1 output", dw && px == 1)                                                    \
    X(EXPDW_ROWS, "expand+dw, row split", exp && !t->csplit)                                      \
    X(EXPDW_CH, "expand+dw, channel split", exp && t->csplit)                                     \
    X(EXPDW_CH_SHARES, "expand+dw, panels enough for two threads' shares",                        \
      exp && t->csplit && e->cpad / g->target->vl / e->tile.nv + (e->tile.nvr > 0) >= 2)          \
    X(EXPDW_POOL, "expand+dw, SE pool", exp && n->conv.pool >= 0)                                 \
    X(EXPDW_S2, "expand+dw, stride 2", exp && n->conv.stride == 2)                                \
    X(EXPDW_NVR, "expand+dw, expansion remainder panel", exp && e->tile.nvr > 0)                  \
    X(EXPDW_TR, "expand+dw, expansion leftover pixels", exp && e->shape.w % e->tile.mr)          \
    X(STEMDW, "stem+dw", stemdw)                                                                   \
    X(STEMDW_POOL, "stem+dw, SE pool", stemdw && n->conv.pool >= 0)                               \
    X(STEMDW_S2, "stem+dw, stride-2 stem", stemdw && e->conv.stride == 2)                         \
    X(POOL, "avgpool", k == KERNEL_POOL)                                                           \
    X(SCALE, "scale", k == KERNEL_SCALE)                                                           \
    X(ADD, "add", k == KERNEL_ADD)                                                                 \
    X(ACT_SWISH, "act swish", k == KERNEL_ACT && n->act.kind == ACT_SWISH)                        \
    X(ACT_SIGMOID, "act sigmoid", k == KERNEL_ACT && n->act.kind == ACT_SIGMOID)                  \
    X(ACT_RELU6, "act relu6", k == KERNEL_ACT && n->act.kind == ACT_RELU6)                        \
    X(PLAIN_GEMM, "gemm, plain tiles", k == KERNEL_GEMM && t->mr == 1 && t->nv == 1 && px > 1)    \
    X(PLAIN_DW, "dw, plain tiles", dw && t->owb == 1)                                              \
    X(OUT_NCHW, "output, NCHW tensor", i == g->output && px > 1)                                   \
    X(OUT_VECTOR, "output, vector", i == g->output && px == 1)

typedef enum {
#define X(tag, text, cond) F_##tag,
    FEATURES(X)
#undef X
        F_COUNT
} Feature;

static const char *const feature_text[F_COUNT] = {
#define X(tag, text, cond) [F_##tag] = text,
    FEATURES(X)
#undef X
};

static bool uneven(const Node *n)
{
    const int *p = n->conv.pad;
    return (n->op == OP_CONV2D) && (p[0] != p[2] || p[1] != p[3]);
}

/* Marks what node i (not the input adapter) of a planned graph reaches. */
static void mark_node(const Graph *g, int i, bool *hit)
{
    const Node *n = &g->nodes[i];
    const Tile *t = &n->tile;
    KernelKind k = n->fused_into >= 0 && t->kind == KERNEL_GEMM ? KERNEL_NONE : t->kind;
    int px = n->shape.h * n->shape.w;
    bool asym = uneven(n);
    const Node *e = k == KERNEL_EXPDW ? &g->nodes[n->in[0]] : NULL;
    bool dw = k == KERNEL_DW;
    bool stemdw = e && e->tile.kind == KERNEL_STEM, exp = e && !stemdw;
#define X(tag, text, cond)                                                                         \
    if (cond)                                                                                      \
        hit[F_##tag] = true;
    FEATURES(X)
#undef X
}

/* Every node but the input adapter (which keeps its index: nothing before
 * it but the input). */
static void mark(const Graph *g, int adapter, bool *hit)
{
    for (int i = 1; i < g->nnodes; i++)
        if (i != adapter)
            mark_node(g, i, hit);
}

static int report_missing(const Target *t, const bool *hit)
{
    int missing = 0;
    for (int f = 0; f < F_COUNT; f++)
        if (!hit[f]) {
            fprintf(stderr, "kernel_cases: %s: no case reaches '%s'\n", t->name, feature_text[f]);
            missing++;
        }
    return missing;
}

/* ---- coverage, list ----------------------------------------------------- */

static int cover_target(const Target *t, int threads)
{
    bool hit[F_COUNT] = {0};
    for (int i = 0; i < NCASES; i++) {
        Arena *a = arena_new();
        int adapter;
        Graph *g = build_case(a, &cases[i], case_seed(&cases[i]), &adapter);
        plan(g, &cases[i], t, threads);
        mark(g, adapter, hit);
        arena_free(a);
    }
    return report_missing(t, hit);
}

/* Every target but host, from target_list(). */
static int coverage(void)
{
    char names[256];
    snprintf(names, sizeof names, "%s", target_list());
    int missing = 0, targets = 0;
    for (char *name = strtok(names, ", "); name; name = strtok(NULL, ", ")) {
        if (strcmp(name, "host") == 0)
            continue;
        missing += cover_target(target_find(name), 0);
        targets++;
    }
    if (missing)
        printf("kernel_cases: %d features unreached\n", missing);
    else
        printf("kernel_cases: %d cases reach all %d features on %d targets\n", NCASES, F_COUNT,
               targets);
    return missing ? 1 : 0;
}

static int list(const Target *t, int threads)
{
    for (int i = 0; i < NCASES; i++) {
        Arena *a = arena_new();
        int adapter;
        Graph *g = build_case(a, &cases[i], case_seed(&cases[i]), &adapter);
        plan(g, &cases[i], t, threads);
        printf("# %s\n", cases[i].name);
        ir_print(stdout, g);
        arena_free(a);
    }
    return 0;
}

/* ---- write -------------------------------------------------------------- */

static void make_dir(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "kernel_cases: cannot create %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "kernel_cases: cannot write %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return f;
}

static void write_text(const char *dir, const char *name, const Buf *b)
{
    FILE *f = open_out(dir, name);
    fwrite(b->data, 1, b->len, f);
    if (fclose(f) != 0) {
        fprintf(stderr, "kernel_cases: cannot write %s/%s\n", dir, name);
        exit(1);
    }
}

/* kernels_main.c: the cases' headers and table, and kernel_driver.h's
 * main loop. */
static void driver_text(Buf *b, const Target *t, const Buf *includes, const Buf *table)
{
    buf_printf(b, "/* kernels_main.c - the kernel cases of tests/kernels/kernel_cases.c for %s.\n"
                  " * Written by kernel_cases; do not edit. */\n#define KERNEL_DRIVER\n"
                  "#include \"kernel_driver.h\"\n",
               t->name);
    buf_append(b, includes->data, includes->len);
    buf_printf(b, "\nstatic const KernelCase cases[] = {\n");
    buf_append(b, table->data, table->len);
    buf_printf(b, "};\n\nint main(int argc, char **argv)\n{\n"
                  "    return kernel_driver(cases, sizeof cases / sizeof cases[0], argc, argv);\n}\n");
}

static void makefile_head(Buf *b, const Target *t)
{
    buf_printf(b, "# Makefile - the kernel cases for %s in one program, kernels.\n"
                  "# Written by tests/kernels/kernel_cases; do not edit.\n"
                  "# make CC=... KERNEL_DRIVER_DIR=<tests/kernels> [OPENMP=1] [LDFLAGS=-static]\n\n",
               t->name);
    buf_printf(b, "CFLAGS ?= -O2 -Wall -Wextra -Werror\nTARGET_CFLAGS = %s\n", t->cflags);
    buf_printf(b, "ifeq ($(OPENMP),1)\nOPENMP_FLAGS = -fopenmp\nendif\n"
                  "ALL_CFLAGS = -std=c11 $(TARGET_CFLAGS) $(CFLAGS) $(OPENMP_FLAGS)\n\n"
                  "kernels: $(OBJECTS)\n"
                  "\t$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJECTS) -lm\n\n"
                  "kernels_main.o: kernels_main.c\n"
                  "\t$(CC) $(ALL_CFLAGS) -I$(KERNEL_DRIVER_DIR) -I. -c -o $@ kernels_main.c\n");
}

/* One case's rules: its model and its weights, built in its folder (where
 * the assembler finds NAME_weights.bin). */
static void makefile_case(Buf *b, Buf *objects, const char *name)
{
    buf_printf(objects, " \\\n    %s/%s.o %s/%s_weights.o", name, name, name, name);
    buf_printf(b, "\n%s/%s.o: %s/%s.c\n\tcd %s && $(CC) $(ALL_CFLAGS) -c -o %s.o %s.c\n", name,
               name, name, name, name, name, name);
    buf_printf(b, "%s/%s_weights.o: %s/%s_weights.S\n"
                  "\tcd %s && $(CC) $(ALL_CFLAGS) -c -o %s_weights.o %s_weights.S\n",
               name, name, name, name, name, name, name);
}

typedef struct {
    const char *dir;
    const Target *target;
    int threads;
    Buf includes, table, makefile, objects, index;
    FILE *ref;
    bool hit[F_COUNT];
} Writer;

static void write_case(Writer *W, const Case *c)
{
    Arena *a = arena_new();
    uint64_t seed = case_seed(c);
    int adapter;
    Graph *g = build_case(a, c, seed, &adapter);
    Shape is = g->nodes[0].shape, os = g->nodes[g->output].shape;
    size_t nin = shape_numel(is), nout = shape_numel(os);
    float *in = arena_array(a, nin, sizeof(float)), *ref = arena_array(a, nout, sizeof(float));
    uint64_t state = kernel_rng_seed(seed);
    for (size_t j = 0; j < nin; j++)
        in[j] = kernel_rng(&state);
    ir_eval(g, in, ref);
    plan(g, c, W->target, W->threads);
    mark(g, adapter, W->hit);
    codegen_check_name(c->name, "a kernel case");
    const char *dir = arena_printf(a, "%s/%s", W->dir, c->name);
    make_dir(dir);
    CodegenOptions o = {.name = c->name, .command = "kernel_cases write"};
    codegen_write(g, &o, dir);
    if (fwrite(ref, sizeof(float), nout, W->ref) != nout) {
        fprintf(stderr, "kernel_cases: cannot write ref.f32\n");
        exit(1);
    }
    buf_printf(&W->index, "%s %zu\n", c->name, nout);
    buf_printf(&W->includes, "#include \"%s/%s.h\"\n", c->name, c->name);
    buf_printf(&W->table, "    {\"%s\", %s_run, %zu, %zu, %s_ARENA_BYTES, UINT64_C(%llu)},\n",
               c->name, c->name, nin, nout, c->name, (unsigned long long)seed);
    makefile_case(&W->makefile, &W->objects, c->name);
    arena_free(a);
}

static int write_all(const char *dir, const Target *t, int threads)
{
    Writer W = {.dir = dir, .target = t, .threads = threads};
    make_dir(dir);
    W.ref = open_out(dir, "ref.f32");
    buf_printf(&W.index, "target %s\n", t->name);
    buf_printf(&W.objects, "OBJECTS = kernels_main.o");
    for (int i = 0; i < NCASES; i++)
        write_case(&W, &cases[i]);
    if (fclose(W.ref) != 0) {
        fprintf(stderr, "kernel_cases: cannot write %s/ref.f32\n", dir);
        return 1;
    }
    Buf driver = {0}, mk = {0};
    driver_text(&driver, t, &W.includes, &W.table);
    write_text(dir, "kernels_main.c", &driver);
    buf_printf(&mk, "%s\n\n", W.objects.data);
    makefile_head(&mk, t);
    buf_append(&mk, W.makefile.data, W.makefile.len);
    write_text(dir, "Makefile", &mk);
    write_text(dir, "cases.txt", &W.index);
    Buf *bufs[] = {&W.includes, &W.table, &W.makefile, &W.objects, &W.index, &driver, &mk};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        buf_free(bufs[i]);
    int missing = report_missing(t, W.hit);
    printf("kernel_cases: wrote %d cases for %s into %s\n", NCASES, t->name, dir);
    return missing ? 1 : 0;
}

/* ---- check -------------------------------------------------------------- */

/* The program's report against cases.txt: one line per case, in order,
 * each within RTOL of its scale and nothing written past an end. */
static int check(const char *dir, const char *report_path)
{
    char path[4096], target[64] = "?", name[128], got[128], guard[16];
    snprintf(path, sizeof path, "%s/cases.txt", dir);
    FILE *index = fopen(path, "r"), *report = fopen(report_path, "r");
    if (!index || !report || fscanf(index, "target %63s", target) != 1) {
        fprintf(stderr, "kernel_cases: cannot read %s or %s\n", path, report_path);
        return 1;
    }
    int failed = 0, count = 0;
    double worst = 0;
    char worst_name[128] = "";
    size_t n, m;
    while (fscanf(index, "%127s %zu", name, &n) == 2) {
        double diff, scale;
        count++;
        if (fscanf(report, "%127s %zu %lf %lf %15s", got, &m, &diff, &scale, guard) != 5 ||
            strcmp(got, name) != 0 || m != n) {
            printf("%-40s FAIL: no measure (the program stopped?)\n", name);
            failed++;
            break;
        }
        double err = scale > 0 ? diff / scale : diff;
        bool ok = err <= RTOL && strcmp(guard, "ok") == 0;
        printf("%-40s %7zu floats  scale %8.3g  max|diff|/scale %9.3g  %s%s%s\n", name, n, scale,
               err, ok ? "ok" : "FAIL", strcmp(guard, "ok") ? ": wrote past its " : "",
               strcmp(guard, "ok") ? guard : "");
        failed += !ok;
        if (err >= worst) {
            worst = err;
            snprintf(worst_name, sizeof worst_name, "%s", name);
        }
    }
    fclose(index);
    fclose(report);
    printf("kernels %s: %d of %d cases within %g of their scale; largest %.3g (%s)\n", target,
           count - failed, count, RTOL, worst, worst_name);
    return failed || count != NCASES ? 1 : 0;
}

/* ---- main ---------------------------------------------------------------- */

static const Target *target_arg(const char *name)
{
    const Target *t = target_find(name);
    if (!t) {
        fprintf(stderr, "kernel_cases: unknown target '%s' (%s)\n", name, target_list());
        exit(2);
    }
    return target_resolve(t);
}

static int threads_arg(int argc, char **argv, int at)
{
    if (argc == at)
        return 0;
    if (argc == at + 2 && strcmp(argv[at], "--threads") == 0 && atoi(argv[at + 1]) > 0)
        return atoi(argv[at + 1]);
    fprintf(stderr, "kernel_cases: expected --threads N\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    if (strcmp(cmd, "coverage") == 0 && argc == 2)
        return coverage();
    if (strcmp(cmd, "list") == 0 && argc >= 3)
        return list(target_arg(argv[2]), threads_arg(argc, argv, 3));
    if (strcmp(cmd, "write") == 0 && argc >= 4)
        return write_all(argv[2], target_arg(argv[3]), threads_arg(argc, argv, 4));
    if (strcmp(cmd, "check") == 0 && argc == 4)
        return check(argv[2], argv[3]);
    fprintf(stderr, "usage: kernel_cases coverage | list TARGET [--threads N]\n"
                    "       | write DIR TARGET [--threads N] | check DIR REPORT\n");
    return 2;
}
