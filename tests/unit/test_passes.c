/* test_passes.c — each pass on its own, and the verifier that guards them.
 *
 * A small scaled model (phi -3 of the example, plus the custom spec) is
 * lowered with synthetic weights; each pass is then checked for what its
 * header promises. Folding is checked numerically: conv + batch norm
 * evaluated from the original params must equal the folded conv, to 1e-5
 * relative, at every output channel of a few pixels. */
#include "unit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static Arena *arena;
static Spec *spec;

static Graph *small_graph(double phi)
{
    ScaleRequest r = {.has_phi = true, .phi = phi};
    Graph *g = lower_model(arena, scale_model(arena, spec, &r));
    weights_synthesize(g, 3);
    return g;
}

static int count_op(const Graph *g, Op op)
{
    int n = 0;
    for (int i = 0; i < g->nnodes; i++)
        n += g->nodes[i].op == op;
    return n;
}

static void assert_valid(const Graph *g)
{
    char msg[256];
    bool ok = ir_verify(g, msg, sizeof msg);
    if (!ok)
        fprintf(stderr, "\n  verifier: %s\n", msg);
    CU_ASSERT_TRUE(ok);
}

/* One output value of a conv from torch-layout params, at (co, oy, ox),
 * reading an input given as a function of (c, y, x). */
static double conv_at(const Node *n, const Param *w, const Param *b, Shape in, int co, int oy,
                      int ox, double (*x)(int, int, int))
{
    int k = n->conv.kernel, g = n->conv.groups, cpg = in.c / g;
    int group = co / (n->shape.c / g);
    double acc = b && b->data ? b->data[co] : 0.0;
    for (int ci = 0; ci < cpg; ci++)
        for (int ky = 0; ky < k; ky++)
            for (int kx = 0; kx < k; kx++) {
                int iy = oy * n->conv.stride - n->conv.pad[0] + ky;
                int ix = ox * n->conv.stride - n->conv.pad[1] + kx;
                if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w)
                    continue;
                acc += w->data[((co * cpg + ci) * k + ky) * k + kx] * x(group * cpg + ci, iy, ix);
            }
    return acc;
}

static double pattern(int c, int y, int x)
{
    return sin(0.7 * c + 0.3 * y - 0.2 * x);
}

static void test_fold_bn_is_exact(void)
{
    Graph *g = small_graph(-3);
    /* remember every conv → bn pair before folding */
    int pairs = 0, conv_ids[512], bn_ids[512];
    for (int i = 0; i < g->nnodes && pairs < 512; i++)
        if (g->nodes[i].op == OP_BATCHNORM) {
            conv_ids[pairs] = g->nodes[i].in[0];
            bn_ids[pairs++] = i;
        }
    Node *before = arena_array(arena, (size_t)g->nnodes, sizeof(Node));
    for (int i = 0; i < g->nnodes; i++)
        before[i] = g->nodes[i];
    Shape *in_shapes = arena_array(arena, (size_t)g->nnodes, sizeof(Shape));
    for (int i = 0; i < g->nnodes; i++)
        in_shapes[i] = g->nodes[i].nin ? g->nodes[g->nodes[i].in[0]].shape : g->nodes[i].shape;

    fold_bn(g);
    assert_valid(g);
    CU_ASSERT_EQUAL(count_op(g, OP_BATCHNORM), 0);
    /* folded convs keep their order: match them by label */
    int checked = 0;
    for (int p = 0; p < pairs; p++) {
        const Node *c0 = &before[conv_ids[p]], *bn = &before[bn_ids[p]];
        const Node *c1 = NULL;
        for (int i = 0; i < g->nnodes && !c1; i++)
            if (g->nodes[i].op == OP_CONV2D && g->nodes[i].label == c0->label)
                c1 = &g->nodes[i];
        CU_ASSERT_PTR_NOT_NULL_FATAL(c1);
        Shape in = in_shapes[conv_ids[p]];
        for (int co = 0; co < c0->shape.c; co++) {
            int oy = co % c0->shape.h, ox = (co * 7) % c0->shape.w;
            double raw = conv_at(c0, &g->params[c0->conv.weight], NULL, in, co, oy, ox, pattern);
            double mean = g->params[bn->bn.mean].data[co], var = g->params[bn->bn.var].data[co];
            double want = (raw - mean) / sqrt(var + bn->bn.eps) * g->params[bn->bn.gamma].data[co] +
                          g->params[bn->bn.beta].data[co];
            double got = conv_at(c1, &g->params[c1->conv.weight], &g->params[c1->conv.bias], in,
                                 co, oy, ox, pattern);
            CU_ASSERT(fabs(got - want) <= 1e-5 * fmax(1.0, fabs(want)));
            checked++;
        }
    }
    CU_ASSERT(checked > 100);
}

static void test_fuse_leaves_no_elementwise_op(void)
{
    Graph *g = small_graph(-2);
    int adds = count_op(g, OP_ADD), scales = count_op(g, OP_SCALE);
    CU_ASSERT(adds > 0);
    CU_ASSERT(scales > 0);
    fold_bn(g);
    fuse(g);
    assert_valid(g);
    CU_ASSERT_EQUAL(count_op(g, OP_ACT), 0);
    CU_ASSERT_EQUAL(count_op(g, OP_ADD), 0);
    CU_ASSERT_EQUAL(count_op(g, OP_SCALE), 0);
    int residuals = 0, sigmoids = 0, gates = 0, pools = 0;
    for (int i = 0; i < g->nnodes; i++) {
        const Node *n = &g->nodes[i];
        if (n->op == OP_CONV2D || n->op == OP_LINEAR) {
            residuals += n->conv.residual;
            sigmoids += n->conv.act == ACT_SIGMOID;
            gates += n->conv.gate;
            pools += n->conv.pool >= 0;
        }
    }
    CU_ASSERT_EQUAL(residuals, adds);
    CU_ASSERT_EQUAL(gates, scales);    /* every SE gate applied by the conv reading it */
    CU_ASSERT_EQUAL(sigmoids, scales); /* one SE gate per block */
    CU_ASSERT_EQUAL(pools, scales);    /* every SE pool filled by its depthwise conv */
}

static void test_layout_keeps_originals(void)
{
    Graph *g = small_graph(-3);
    const Param *w = &g->params[g->nodes[g->output].conv.weight];
    float first = w->data[1]; /* classifier.1.weight[0][1] */
    PipelineOptions o = {.target = target_find("x86-64-v3")};
    run_pipeline(g, &o);
    const Node *out = &g->nodes[g->output];
    const Param *packed = &g->params[out->conv.weight];
    CU_ASSERT_PTR_NOT_NULL(strstr(packed->name, "classifier.1.weight~packed"));
    CU_ASSERT_EQUAL(out->cpad % 8, 0);
    CU_ASSERT_EQUAL(param_numel(packed), (size_t)out->cpad * g->nodes[out->in[0]].shape.c);
    /* the external original is unchanged, so --save-weights writes what was loaded */
    for (int i = 0; i < g->nparams; i++)
        if (!strcmp(g->params[i].name, "classifier.1.weight"))
            CU_ASSERT_EQUAL(g->params[i].data[1], first);
}

/* No two buffers alive at the same time may share a byte of the arena.
 * Lifetimes are recomputed here from the graph: an output lives from its
 * producer (for a fused pool, the conv that fills it) to its last reader
 * (the logits to the end); a scratch buffer during its node. */
typedef struct {
    int first, last;
    size_t offset, size;
} Span;

static int collect_spans(const Graph *g, Span *spans)
{
    int n = 0;
    for (int i = 1; i < g->nnodes; i++) {
        const Node *nd = &g->nodes[i];
        if (nd->scratch)
            spans[n++] = (Span){i, i, nd->scratch_offset, nd->scratch};
        if (nd->fused_into >= 0)
            continue; /* computed inside another kernel: no buffer */
        Span s = {i, i, nd->offset, (size_t)nd->cpad * nd->shape.h * nd->shape.w * sizeof(float)};
        if (nd->op == OP_AVGPOOL && nd->pool.producer >= 0)
            s.first = nd->pool.producer;
        for (int j = i + 1; j < g->nnodes; j++)
            for (int k = 0; k < g->nodes[j].nin; k++) {
                /* a fused reader reads when the node it is fused into runs */
                int when = g->nodes[j].fused_into >= 0 ? g->nodes[j].fused_into : j;
                if (g->nodes[j].in[k] == i && when > s.last)
                    s.last = when;
            }
        if (i == g->output)
            s.last = g->nnodes;
        spans[n++] = s;
    }
    return n;
}

static void test_memory_plan_has_no_overlap(void)
{
    const double phis[] = {-1, 0}; /* 0: B0, where the big expansions are fused */
    for (int t = 0; t < 2; t++) {
        Graph *g = small_graph(phis[t]);
        PipelineOptions o = {.target = target_find(t ? "x86-64-v3" : "x86-64-v4")};
        run_pipeline(g, &o);
        Span *spans = calloc(2 * (size_t)g->nnodes, sizeof(Span));
        int n = collect_spans(g, spans), violations = 0;
        for (int a = 0; a < n; a++) {
            CU_ASSERT(spans[a].offset % 64 == 0);
            CU_ASSERT(spans[a].offset + spans[a].size <= g->arena_bytes);
            for (int b = a + 1; b < n; b++) {
                bool together = spans[a].first <= spans[b].last && spans[b].first <= spans[a].last;
                bool share = spans[a].offset < spans[b].offset + spans[b].size &&
                             spans[b].offset < spans[a].offset + spans[a].size;
                violations += together && share;
            }
        }
        CU_ASSERT_EQUAL(violations, 0);
        free(spans);
    }
}

/* plan_live_bytes, computed in one sweep, against the spans summed per node:
 * the same buffers (up to each one's 64-byte alignment), and never more than
 * the arena, since buffers alive together do not share bytes. */
static void test_live_bytes_match_spans(void)
{
    Graph *g = small_graph(0);
    PipelineOptions o = {.target = target_find("x86-64-v3")};
    run_pipeline(g, &o);
    Span *spans = calloc(2 * (size_t)g->nnodes, sizeof(Span));
    int n = collect_spans(g, spans), mismatches = 0;
    const size_t *live = plan_live_bytes(g);
    for (int t = 1; t < g->nnodes; t++) {
        size_t sum = 0, alive = 0;
        for (int a = 0; a < n; a++)
            if (spans[a].first <= t && t <= spans[a].last) {
                sum += spans[a].size;
                alive++;
            }
        mismatches += live[t] < sum || live[t] > sum + 63 * alive || live[t] > g->arena_bytes;
    }
    CU_ASSERT_EQUAL(mismatches, 0);
    free(spans);
}

static void test_verifier_catches_broken_graphs(void)
{
    char msg[256];
    Graph *g = small_graph(-3);
    assert_valid(g);
    g->nodes[3].shape.c += 1;
    CU_ASSERT_FALSE(ir_verify(g, msg, sizeof msg));
    g->nodes[3].shape.c -= 1;
    int saved = g->nodes[5].in[0];
    g->nodes[5].in[0] = 7; /* a use before its definition */
    CU_ASSERT_FALSE(ir_verify(g, msg, sizeof msg));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "not an earlier node"));
    g->nodes[5].in[0] = saved;
    assert_valid(g);
}

/* Each pass's guarantee, checked once Graph.done says it ran: a batch norm
 * after fold_bn, a weight moved over its neighbour, a buffer moved onto
 * another that is alive at the same time. */
static void test_verifier_checks_each_pass(void)
{
    char msg[256];
    Graph *g = small_graph(-3);
    int bn = 2;
    CU_ASSERT_EQUAL_FATAL(g->nodes[bn].op, OP_BATCHNORM);
    g->done |= DONE_FOLD_BN;
    CU_ASSERT_FALSE(ir_verify(g, msg, sizeof msg));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "batch norm is left"));
    g->done = 0;
    PipelineOptions o = {.target = target_find("x86-64-v3")};
    run_pipeline(g, &o);
    assert_valid(g);
    CU_ASSERT_EQUAL(g->done & (DONE_FOLD_BN | DONE_PLAN_WEIGHTS | DONE_PLAN_MEMORY),
                    DONE_FOLD_BN | DONE_PLAN_WEIGHTS | DONE_PLAN_MEMORY);

    Param *w = &g->params[g->nodes[1].conv.weight];
    size_t saved = w->offset;
    w->offset += 64; /* onto the bias after it */
    CU_ASSERT_FALSE(ir_verify(g, msg, sizeof msg));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "weights blob"));
    w->offset = saved;
    assert_valid(g);

    int a = 1, b = 2; /* the stem's output and the depthwise conv reading it */
    CU_ASSERT_FATAL(g->nodes[a].fused_into < 0 && g->nodes[b].in[0] == a);
    saved = g->nodes[b].offset;
    g->nodes[b].offset = g->nodes[a].offset;
    CU_ASSERT_FALSE(ir_verify(g, msg, sizeof msg));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "shares bytes"));
    g->nodes[b].offset = saved;
    assert_valid(g);
}

/* graph_insert_node: the nodes from there on move up one, and every
 * reference to them (inputs, the output) follows. */
static void test_insert_renumbers(void)
{
    Graph *g = small_graph(-3);
    int count = g->nnodes, out = g->output, at = 3;
    int *in0 = malloc((size_t)count * sizeof *in0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(in0);
    for (int i = 0; i < count; i++)
        in0[i] = g->nodes[i].in[0];
    Node a = {.op = OP_ACT, .in = {at - 1}, .nin = 1, .shape = g->nodes[at - 1].shape,
              .label = "inserted"};
    a.act.kind = ACT_SWISH;
    a.act.table = -1;
    CU_ASSERT_EQUAL(graph_insert_node(g, at, a), at);
    CU_ASSERT_EQUAL(g->nnodes, count + 1);
    CU_ASSERT_EQUAL(g->output, out + 1);
    CU_ASSERT_EQUAL(g->nodes[at].in[0], at - 1);
    CU_ASSERT_STRING_EQUAL(g->nodes[at].label, "inserted");
    for (int i = 1; i < count; i++) {
        int moved = i < at ? i : i + 1, want = in0[i] < at ? in0[i] : in0[i] + 1;
        CU_ASSERT_EQUAL(g->nodes[moved].in[0], want);
    }
    assert_valid(g);
    free(in0);
}

/* layout_int8's conv.qfast: set exactly when every channel passes
 * quant_fast_ok for its bound (|bias with the zero point folded in| +
 * 128·128 a product), with 2·co more words of quant_fast_table; one
 * channel's bias near INT32_MAX turns it off for that conv alone. */
static void test_layout_int8_fast_requant(void)
{
    Graph *g = small_graph(-3);
    g->target = target_find("x86-64-v3"); /* the AVX2 kernels read the one-step form */
    fold_bn(g);
    fuse_clamps(g);
    size_t numel = shape_numel(g->nodes[0].shape);
    float *x = arena_array(arena, numel, sizeof(float));
    for (size_t i = 0; i < numel; i++)
        x[i] = (float)((i * 2654435761u) % 1000) / 250.0f - 2.0f;
    quantize(g, calibrate(arena, g, x, 1, ESTIMATOR_MINMAX), &(QuantizeOptions){0});
    const char *victim = NULL;
    for (int i = 0; i < g->nnodes && !victim; i++)
        if (g->nodes[i].op == OP_CONV2D && conv_role(g, &g->nodes[i]) == CONV_POINTWISE) {
            victim = g->nodes[i].label;
            g->params[g->nodes[i].conv.qbias].i32[1] = INT32_MAX - 100;
        }
    CU_ASSERT_PTR_NOT_NULL_FATAL(victim);
    layout_int8(g);
    int fast = 0, slow = 0;
    for (int i = 0; i < g->nnodes; i++) {
        const Node *n = &g->nodes[i];
        if (n->op != OP_CONV2D || n->dead)
            continue;
        const Param *rq = &g->params[n->conv.qrequant];
        const int32_t *bias = g->params[n->conv.qbias].i32;
        const Node *src = &g->nodes[n->in[0]];
        int64_t taps = (int64_t)(src->shape.c / n->conv.groups) * n->conv.kernel * n->conv.kernel;
        bool want = true;
        for (int c = 0; c < n->shape.c; c++) {
            QuantMultiplier m = {rq->i32[c], rq->i32[n->shape.c + c]};
            want = want && quant_fast_ok(m, llabs((long long)bias[c]) + taps * 128 * 128);
        }
        CU_ASSERT_EQUAL(n->conv.qfast, want);
        CU_ASSERT_EQUAL(param_numel(rq), (size_t)((n->conv.qfast ? 4 : 2) * n->shape.c));
        CU_ASSERT_EQUAL(strcmp(n->label, victim) != 0, n->conv.qfast);
        fast += n->conv.qfast, slow += !n->conv.qfast;
    }
    CU_ASSERT_EQUAL(slow, 1);
    CU_ASSERT(fast > 3);
}

static void test_printer_names_every_node(void)
{
    Graph *g = small_graph(-3);
    PipelineOptions o = {.target = target_find("x86-64-v3")};
    run_pipeline(g, &o);
    Buf b = {0};
    ir_print_buf(&b, g);
    int lines = 0;
    for (size_t i = 0; i < b.len; i++)
        lines += b.data[i] == '\n';
    CU_ASSERT_EQUAL(lines, g->nnodes + 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "%1 = conv2d %0 k3 s2 pad=1,1,1,1 g1 act=swish"));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "arena="));
    buf_free(&b);
}

int main(void)
{
    arena = arena_new();
    spec = unit_example_spec(arena);
    static const UnitTest tests[] = {
        {"fold_bn equals conv followed by batch norm", test_fold_bn_is_exact},
        {"fuse leaves no elementwise op", test_fuse_leaves_no_elementwise_op},
        {"layout packs copies and keeps the originals", test_layout_keeps_originals},
        {"plan_memory never overlaps live tensors", test_memory_plan_has_no_overlap},
        {"live bytes per node match the buffers' lifetimes", test_live_bytes_match_spans},
        {"the verifier catches broken graphs", test_verifier_catches_broken_graphs},
        {"the verifier checks what each pass guarantees", test_verifier_checks_each_pass},
        {"graph_insert_node renumbers every reference", test_insert_renumbers},
        {"layout_int8 takes the one-step requantisation where sums allow", test_layout_int8_fast_requant},
        {"the printer writes one line per node", test_printer_names_every_node},
    };
    int status = UNIT_MAIN("passes", tests);
    arena_free(arena);
    return status;
}
