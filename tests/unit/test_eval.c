/* test_eval.c — the reference executor (ir/eval.c) on graphs small enough
 * to check by hand, and on whole models before and after fuse.
 *
 * Expected values are written out by hand, or computed here by a formula
 * of a different shape from eval.c's (a conv over an explicitly
 * zero-padded copy of the input, no bounds tests). Tolerance: 1e-6 ×
 * max(1, |expected|) for single ops, since eval.c rounds each value once to
 * float (half an ulp, 6e-8 relative) and the hand values are decimal.
 * Before and after fuse the logits must be identical bits (tolerance 0):
 * eval.c computes a fused conv as the very ops it replaced, rounding
 * between them as they stored. */
#include "unit.h"

#include <math.h>

static Arena *arena;

#define TOL 1e-6
#define CLOSE(got, want) (fabs((double)(got) - (double)(want)) <= TOL * fmax(1.0, fabs((double)(want))))

/* ---- building graphs by hand -------------------------------------------- */

static Graph *new_graph(int c, int h, int w)
{
    Graph *g = graph_new(arena);
    graph_add_node(g, (Node){.op = OP_INPUT, .shape = {c, h, w}, .label = "input"});
    return g;
}

static int param(Graph *g, const char *name, int rank, const int *dims, const float *values)
{
    int p = graph_add_param(g, name, rank, dims, false);
    size_t n = param_numel(&g->params[p]);
    g->params[p].data = arena_array(arena, n, sizeof(float));
    memcpy(g->params[p].data, values, n * sizeof(float));
    return p;
}

/* pad: top, left, bottom, right; b may be NULL. */
static int conv(Graph *g, int x, int cout, int k, int stride, int groups, const int pad[4],
                const float *w, const float *b)
{
    Shape in = g->nodes[x].shape;
    int wdims[4] = {cout, in.c / groups, k, k};
    Node n = {.op = OP_CONV2D, .in = {x}, .nin = 1, .label = "conv"};
    n.conv.kernel = k;
    n.conv.stride = stride;
    n.conv.groups = groups;
    memcpy(n.conv.pad, pad, sizeof n.conv.pad);
    n.conv.weight = param(g, "w", 4, wdims, w);
    n.conv.bias = b ? param(g, "b", 1, &cout, b) : -1;
    n.conv.pool = -1;
    n.shape = (Shape){cout, conv_out_size(in.h, k, stride, pad[0], pad[2]),
                      conv_out_size(in.w, k, stride, pad[1], pad[3])};
    return graph_add_node(g, n);
}

static int unary(Graph *g, Op op, int x, Shape s)
{
    Node n = {.op = op, .in = {x}, .nin = 1, .shape = s, .label = op_names[op]};
    n.pool.producer = -1;
    return graph_add_node(g, n);
}

static int act(Graph *g, int x, Act kind)
{
    Node n = {.op = OP_ACT, .in = {x}, .nin = 1, .shape = g->nodes[x].shape, .label = "act"};
    n.act.kind = kind;
    return graph_add_node(g, n);
}

static int binary(Graph *g, Op op, int a, int b)
{
    return graph_add_node(g, (Node){.op = op, .in = {a, b}, .nin = 2, .shape = g->nodes[a].shape,
                                    .label = op_names[op]});
}

static float *eval_out(Graph *g, int out, const float *input)
{
    g->output = out;
    float *y = arena_array(arena, shape_numel(g->nodes[out].shape), sizeof(float));
    ir_eval(g, input, y);
    return y;
}

/* The independent reference: the input copied into a zero-padded buffer,
 * then every window summed with no bounds to test. */
static double ref_conv(const float *x, Shape in, const float *w, const float *b, int cout, int k,
                       int s, int groups, const int pad[4], int co, int oy, int ox)
{
    int ph = in.h + pad[0] + pad[2], pw = in.w + pad[1] + pad[3];
    double *p = calloc((size_t)in.c * ph * pw, sizeof(double));
    for (int c = 0; c < in.c; c++)
        for (int y = 0; y < in.h; y++)
            for (int xx = 0; xx < in.w; xx++)
                p[((size_t)c * ph + y + pad[0]) * pw + xx + pad[1]] = x[((size_t)c * in.h + y) * in.w + xx];
    int cin = in.c / groups, g = co / (cout / groups);
    double sum = b ? b[co] : 0;
    for (int ci = 0; ci < cin; ci++)
        for (int ky = 0; ky < k; ky++)
            for (int kx = 0; kx < k; kx++)
                sum += (double)w[((co * cin + ci) * k + ky) * k + kx] *
                       p[((size_t)(g * cin + ci) * ph + oy * s + ky) * pw + ox * s + kx];
    free(p);
    return sum;
}

/* Every output of a conv node against ref_conv; returns the values checked. */
static int check_conv(Graph *g, int node, const float *x, const float *w, const float *b)
{
    const Node *n = &g->nodes[node];
    Shape in = g->nodes[n->in[0]].shape, out = n->shape;
    const float *y = eval_out(g, node, x);
    int checked = 0;
    for (int co = 0; co < out.c; co++)
        for (int oy = 0; oy < out.h; oy++)
            for (int ox = 0; ox < out.w; ox++) {
                double want = ref_conv(x, in, w, b, out.c, n->conv.kernel, n->conv.stride,
                                       n->conv.groups, n->conv.pad, co, oy, ox);
                double got = y[((size_t)co * out.h + oy) * out.w + ox];
                if (!CLOSE(got, want))
                    fprintf(stderr, "\n  conv [%d,%d,%d]: got %.9g, want %.9g", co, oy, ox, got, want);
                CU_ASSERT(CLOSE(got, want));
                checked++;
            }
    return checked;
}

/* ---- single ops ---------------------------------------------------------- */

static void test_conv_1x1(void)
{
    static const float x[] = {1, 2, 3, 4, /* channel 1 */ -1, 0.5f, 2, -3};
    static const float w[] = {1, 2, 0.5f, -1, 0, 3}; /* [3, 2, 1, 1] */
    static const float b[] = {0.1f, -0.2f, 0};
    static const double want[] = {-0.9, 3.1, 7.1, -1.9, 1.3, 0.3, -0.7, 4.8, -3, 1.5, 6, -9};
    static const int nopad[4] = {0};
    Graph *g = new_graph(2, 2, 2);
    int c = conv(g, 0, 3, 1, 1, 1, nopad, w, b);
    const float *y = eval_out(g, c, x);
    for (int i = 0; i < 12; i++)
        CU_ASSERT(CLOSE(y[i], want[i]));
}

/* Depthwise 3×3, stride 2, padding 1 on a 5×5 image whose pixel (y, x) of
 * channel c is 100c + 10y + x: channel 0 sums its window (all-ones kernel),
 * channel 1 picks the centre. */
static void test_depthwise_3x3_stride2_pad(void)
{
    float x[2 * 25], w[2 * 9] = {0};
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < 25; i++)
            x[c * 25 + i] = (float)(100 * c + 10 * (i / 5) + i % 5);
    for (int i = 0; i < 9; i++)
        w[i] = 1;
    w[9 + 4] = 1;
    static const int pad[4] = {1, 1, 1, 1};
    Graph *g = new_graph(2, 5, 5);
    int d = conv(g, 0, 2, 3, 2, 2, pad, w, NULL);
    CU_ASSERT_EQUAL(g->nodes[d].shape.h, 3);
    CU_ASSERT_EQUAL(g->nodes[d].shape.w, 3);
    const float *y = eval_out(g, d, x);
    CU_ASSERT(CLOSE(y[0], 0 + 1 + 10 + 11));        /* (0,0): the corner, half padding */
    CU_ASSERT(CLOSE(y[4], 3 * 10 * 6 + 3 * 6));      /* (1,1): rows and columns 1..3 */
    CU_ASSERT(CLOSE(y[8], 33 + 34 + 43 + 44));       /* (2,2): rows and columns 3, 4 */
    CU_ASSERT(CLOSE(y[2], 3 + 4 + 13 + 14));         /* (0,2) */
    for (int oy = 0; oy < 3; oy++)
        for (int ox = 0; ox < 3; ox++)
            CU_ASSERT(CLOSE(y[9 + oy * 3 + ox], 100 + 20 * oy + 2 * ox));
}

/* Awkward kernels, every output against the zero-padded formula: uneven
 * weights (a transposed kernel would show), the four pads all different
 * (TensorFlow "SAME" pads only bottom and right), groups that are neither 1
 * nor depthwise, a stride that does not divide the size. */
static void test_conv_awkward_shapes(void)
{
    static const struct {
        int cin, h, w, cout, k, s, groups, pad[4];
    } cases[] = {
        {3, 7, 6, 5, 3, 2, 1, {0, 0, 1, 1}},
        {4, 6, 9, 4, 5, 2, 4, {1, 2, 3, 0}},
        {6, 5, 5, 4, 3, 1, 2, {2, 0, 1, 1}},
        {2, 4, 4, 3, 1, 3, 1, {0, 0, 0, 0}},
        {1, 1, 1, 2, 3, 1, 1, {1, 1, 1, 1}},
    };
    int checked = 0;
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
        Shape in = {cases[t].cin, cases[t].h, cases[t].w};
        int k = cases[t].k, cout = cases[t].cout, groups = cases[t].groups;
        size_t nx = shape_numel(in), nw = (size_t)cout * (in.c / groups) * k * k;
        float *x = arena_array(arena, nx, sizeof(float));
        float *w = arena_array(arena, nw, sizeof(float));
        float *b = arena_array(arena, (size_t)cout, sizeof(float));
        for (size_t i = 0; i < nx; i++)
            x[i] = (float)sin(0.37 * (double)i + t);
        for (size_t i = 0; i < nw; i++)
            w[i] = (float)cos(1.3 * (double)i - t);
        for (int i = 0; i < cout; i++)
            b[i] = 0.25f * (float)i - 0.5f;
        Graph *g = new_graph(in.c, in.h, in.w);
        int c = conv(g, 0, cout, k, cases[t].s, groups, cases[t].pad, w, b);
        checked += check_conv(g, c, x, w, b);
    }
    CU_ASSERT(checked > 100);
}

static void test_activations(void)
{
    static const float x[] = {-8, -1, 0, 0.5f, 3, 7};
    static const double relu6[] = {0, 0, 0, 0.5, 3, 6};
    Graph *g = new_graph(1, 1, 6);
    int sw = act(g, 0, ACT_SWISH), sg = act(g, 0, ACT_SIGMOID), r6 = act(g, 0, ACT_RELU6);
    const float *ysw = eval_out(g, sw, x), *ysg = eval_out(g, sg, x), *yr6 = eval_out(g, r6, x);
    for (int i = 0; i < 6; i++) {
        double sig = 1 / (1 + exp(-(double)x[i]));
        CU_ASSERT(CLOSE(ysg[i], sig));
        CU_ASSERT(CLOSE(ysw[i], x[i] * sig));
        CU_ASSERT(CLOSE(yr6[i], relu6[i]));
    }
    CU_ASSERT(CLOSE(ysg[2], 0.5));
    CU_ASSERT(CLOSE(ysw[2], 0));
    CU_ASSERT(CLOSE(ysw[4], 3 / (1 + exp(-3.0)))); /* 2.857722… */
}

static void test_se_scale_add_pool(void)
{
    static const float x[] = {1, 2, 3, 4, -2, 0, 2, 8}; /* 2 × 2 × 2 */
    Graph *g = new_graph(2, 2, 2);
    int p = unary(g, OP_AVGPOOL, 0, (Shape){2, 1, 1});
    int s = binary(g, OP_SCALE, 0, p);
    int a = binary(g, OP_ADD, s, 0);
    const float *yp = eval_out(g, p, x);
    CU_ASSERT(CLOSE(yp[0], 2.5));
    CU_ASSERT(CLOSE(yp[1], 2));
    static const double scaled[] = {2.5, 5, 7.5, 10, -4, 0, 4, 16};
    const float *ys = eval_out(g, s, x), *ya = eval_out(g, a, x);
    for (int i = 0; i < 8; i++) {
        CU_ASSERT(CLOSE(ys[i], scaled[i]));
        CU_ASSERT(CLOSE(ya[i], scaled[i] + x[i]));
    }
}

static void test_linear_and_batchnorm(void)
{
    static const float x[] = {1, -2, 0.5f};
    static const float w[] = {1, 1, 1, 2, 0, -4}; /* [2, 3] */
    static const float b[] = {0.5f, -1};
    Graph *g = new_graph(3, 1, 1);
    int wd[2] = {2, 3}, k = 2;
    Node l = {.op = OP_LINEAR, .in = {0}, .nin = 1, .shape = {2, 1, 1}, .label = "linear"};
    l.conv.kernel = l.conv.stride = l.conv.groups = 1;
    l.conv.weight = param(g, "lw", 2, wd, w);
    l.conv.bias = param(g, "lb", 1, &k, b);
    l.conv.pool = -1;
    int lin = graph_add_node(g, l);
    const float *y = eval_out(g, lin, x);
    CU_ASSERT(CLOSE(y[0], 1 - 2 + 0.5 + 0.5));
    CU_ASSERT(CLOSE(y[1], 2 - 2 - 1));

    /* γ 2, β 1, μ 3, σ² 3, ε 1: (x − 3) / 2 · 2 + 1 = x − 2 */
    static const float two[] = {2, 2, 2}, one[] = {1, 1, 1}, three[] = {3, 3, 3};
    int c = 3;
    Node n = {.op = OP_BATCHNORM, .in = {0}, .nin = 1, .shape = {3, 1, 1}, .label = "bn"};
    n.bn.gamma = param(g, "g", 1, &c, two);
    n.bn.beta = param(g, "be", 1, &c, one);
    n.bn.mean = param(g, "m", 1, &c, three);
    n.bn.var = param(g, "v", 1, &c, three);
    n.bn.eps = 1;
    int bn = graph_add_node(g, n);
    y = eval_out(g, bn, x);
    for (int i = 0; i < 3; i++)
        CU_ASSERT(CLOSE(y[i], x[i] - 2.0));
}

/* ---- what fuse records --------------------------------------------------- */

/* SE gate, 1×1 conv, swish, residual: as separate ops, and as one conv
 * carrying them (built by hand, and by the fuse pass): the same bits. */
static Graph *se_block(int *out, bool fused, const float *w)
{
    static const int nopad[4] = {0};
    Graph *g = new_graph(3, 2, 3);
    int p = unary(g, OP_AVGPOOL, 0, (Shape){3, 1, 1});
    int s = act(g, p, ACT_SIGMOID);
    if (fused) {
        int c = conv(g, 0, 3, 1, 1, 1, nopad, w, NULL);
        Node *n = &g->nodes[c];
        n->in[1] = 0;
        n->in[2] = s;
        n->nin = 3;
        n->conv.gate = n->conv.residual = true;
        n->conv.act = ACT_SWISH;
        *out = c;
    } else {
        int sc = binary(g, OP_SCALE, 0, s);
        int c = act(g, conv(g, sc, 3, 1, 1, 1, nopad, w, NULL), ACT_SWISH);
        *out = binary(g, OP_ADD, c, 0);
    }
    g->output = *out;
    return g;
}

static void test_fused_conv_is_its_ops(void)
{
    float x[18], w[9];
    for (int i = 0; i < 18; i++)
        x[i] = (float)sin(1.1 * i) * 3;
    for (int i = 0; i < 9; i++)
        w[i] = (float)cos(0.7 * i);
    int a, b;
    Graph *plain = se_block(&a, false, w), *fused = se_block(&b, true, w);
    float ya[18], yb[18], yc[18];
    ir_eval(plain, x, ya);
    ir_eval(fused, x, yb);
    CU_ASSERT_EQUAL(memcmp(ya, yb, sizeof ya), 0);
    /* hand value at channel 0, pixel 0: swish(Σ w[0,ci] x[ci,0] σ(mean x[ci])) + x[0,0] */
    double sum = 0;
    for (int ci = 0; ci < 3; ci++) {
        double mean = 0;
        for (int i = 0; i < 6; i++)
            mean += x[ci * 6 + i] / 6.0;
        sum += w[ci] * (double)(float)(x[ci * 6] / (1 + exp(-mean)));
    }
    CU_ASSERT(CLOSE(ya[0], sum / (1 + exp(-sum)) + x[0]));
    fuse(plain);
    const Node *out = &plain->nodes[plain->output];
    CU_ASSERT(out->op == OP_CONV2D && out->conv.gate && out->conv.residual &&
              out->conv.act == ACT_SWISH);
    ir_eval(plain, x, yc);
    CU_ASSERT_EQUAL(memcmp(ya, yc, sizeof ya), 0);
}

/* Dead nodes are skipped; the visitor sees every live node once, in order. */
typedef struct {
    int calls, last;
    bool in_order, input_ok;
    const float *input;
} Seen;

static void see(void *ctx, const Graph *g, int node, const float *value)
{
    Seen *s = ctx;
    s->in_order &= node > s->last && !g->nodes[node].dead;
    if (node == 0)
        s->input_ok = !memcmp(value, s->input, shape_numel(g->nodes[0].shape) * sizeof(float));
    s->last = node;
    s->calls++;
}

static void test_dead_nodes_and_visitor(void)
{
    static const float x[] = {1, -2, 3, -4};
    Graph *g = new_graph(1, 2, 2);
    int dead = act(g, 0, ACT_RELU6);
    g->nodes[dead].dead = true;
    g->nodes[dead].act.kind = ACT_COUNT; /* would be an internal error if evaluated */
    int s = act(g, 0, ACT_SIGMOID);
    int a = binary(g, OP_ADD, s, 0);
    g->output = a;
    Seen seen = {.last = -1, .in_order = true, .input = x};
    float y[4];
    ir_eval_visit(g, x, y, see, &seen);
    CU_ASSERT_EQUAL(seen.calls, 3);
    CU_ASSERT_TRUE(seen.in_order);
    CU_ASSERT_TRUE(seen.input_ok);
    CU_ASSERT(CLOSE(y[1], -2 + 1 / (1 + exp(2.0))));
}

static void raise_at_second(void *ctx, const Graph *g, int node, const float *value)
{
    (void)g;
    (void)value;
    if (++*(int *)ctx == 2)
        error_msg("stop at node %d", node);
}

/* A user error from a visitor unwinds through ir_eval_visit, freeing its
 * buffers (the sanitizer build checks for leaks). */
static void test_visitor_error_unwinds(void)
{
    static const float x[] = {1, 2, 3, 4};
    Graph *g = new_graph(1, 2, 2);
    g->output = act(g, act(g, 0, ACT_SWISH), ACT_SIGMOID);
    int calls = 0;
    CU_ASSERT_TRUE(RAISES(ir_eval_visit(g, x, NULL, raise_at_second, &calls)));
    ASSERT_MESSAGE_HAS("stop at node 1");
}

/* ---- whole models -------------------------------------------------------- */

static Graph *model_graph(const char *spec_path, ScaleRequest r)
{
    Spec *spec = unit_spec(arena, spec_path);
    Graph *g = lower_model(arena, scale_model(arena, spec, &r));
    weights_synthesize(g, 5);
    return g;
}

static float *model_input(const Graph *g)
{
    size_t n = shape_numel(g->nodes[0].shape);
    float *x = arena_array(arena, n, sizeof(float));
    for (size_t i = 0; i < n; i++)
        x[i] = (float)sin(0.001 * (double)i * (double)(i % 97));
    return x;
}

static float *logits(const Graph *g, const float *x)
{
    float *y = arena_array(arena, shape_numel(g->nodes[g->output].shape), sizeof(float));
    ir_eval(g, x, y);
    return y;
}

/* The same model lowered, after fold_bn, after fuse: the folded weights are
 * rounded to float, so lowered vs folded agree to 1e-4 of the largest logit
 * (the e2e tolerance against torchvision); folded vs fused bit for bit. The
 * fused graph must hold each thing fuse does, or the test would prove little. */
static void check_model(const char *spec_path, ScaleRequest r)
{
    Graph *g = model_graph(spec_path, r);
    const float *x = model_input(g);
    size_t k = shape_numel(g->nodes[g->output].shape);
    const float *lowered = logits(g, x);
    fold_bn(g);
    const float *folded = logits(g, x);
    fuse(g);
    const float *fused = logits(g, x);
    double big = 0, diff = 0;
    for (size_t i = 0; i < k; i++) {
        big = fmax(big, fabs(lowered[i]));
        diff = fmax(diff, fabs((double)folded[i] - lowered[i]));
    }
    CU_ASSERT(big > 0.01); /* the input still matters at the logits */
    CU_ASSERT(diff <= 1e-4 * fmax(1.0, big));
    CU_ASSERT_EQUAL(memcmp(folded, fused, k * sizeof(float)), 0);
    int gates = 0, residuals = 0, acts = 0, pools = 0, expansions = 0;
    for (int i = 0; i < g->nnodes; i++) {
        const Node *n = &g->nodes[i];
        if (n->op != OP_CONV2D)
            continue;
        gates += n->conv.gate;
        residuals += n->conv.residual;
        acts += n->conv.act != ACT_NONE;
        pools += n->conv.pool >= 0;
        expansions += n->fused_into >= 0;
    }
    CU_ASSERT(gates > 0 && residuals > 0 && acts > 0 && pools > 0 && expansions > 0);
    uint64_t peak = ir_eval_peak_bytes(g);
    CU_ASSERT(peak >= shape_bytes(g->nodes[0].shape) && peak < (UINT64_C(1) << 30));
}

static void test_model_before_and_after_fuse(void)
{
    check_model("examples/efficientnet.yaml", (ScaleRequest){.has_phi = true, .phi = -3,
                                                               .resolution = 160});
    check_model("tests/specs/custom.yaml", (ScaleRequest){.resolution = 131});
}

static void test_relu6_model(void)
{
    /* EfficientNet-Lite: relu6 everywhere, no SE */
    Graph *g = model_graph("examples/efficientnet-lite.yaml",
                           (ScaleRequest){.preset = "lite0", .resolution = 96});
    const float *x = model_input(g);
    fold_bn(g);
    const float *folded = logits(g, x);
    fuse(g);
    const float *fused = logits(g, x);
    CU_ASSERT_EQUAL(memcmp(folded, fused, shape_numel(g->nodes[g->output].shape) * sizeof(float)), 0);
}

int main(void)
{
    arena = arena_new();
    static const UnitTest tests[] = {
        {"1x1 conv, by hand", test_conv_1x1},
        {"depthwise 3x3, stride 2, padding 1, by hand", test_depthwise_3x3_stride2_pad},
        {"convs of awkward shapes against a zero-padded formula", test_conv_awkward_shapes},
        {"swish, sigmoid, relu6", test_activations},
        {"SE scale, residual add, average pool", test_se_scale_add_pool},
        {"linear and batch norm", test_linear_and_batchnorm},
        {"a fused conv computes the ops it replaced", test_fused_conv_is_its_ops},
        {"dead nodes skipped, every live node visited", test_dead_nodes_and_visitor},
        {"an error in a visitor unwinds", test_visitor_error_unwinds},
        {"models: lowered ~ folded == fused", test_model_before_and_after_fuse},
        {"Lite (relu6) folded == fused", test_relu6_model},
    };
    int status = UNIT_MAIN("eval", tests);
    arena_free(arena);
    return status;
}
