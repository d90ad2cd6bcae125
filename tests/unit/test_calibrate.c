/* test_calibrate.c — activation ranges (passes/calibrate.c): the histogram
 * and the three estimators, against computations of another shape on the
 * raw values.
 *
 * The histogram is checked exactly: after every growth of its range, each
 * bin holds exactly the values a fresh bucketing of everything added so far
 * puts there (so merging lost and moved nothing), and the counts sum to the
 * values added. MINMAX is exact (tolerance 0). PERCENTILE is compared with
 * the order statistic of the sorted values, within one bin width, bounded
 * here without reading the histogram as 2·(max − min)/2047 (the width is
 * the narrowest power of two that fits the data in 2048 bins). MSE is
 * compared with the quantisation error actually measured on the values
 * (quant_activation_params, round, clamp, back to float) over a grid of
 * candidate ranges: its range must do within 2 % as well as the grid's best
 * (its own search is on the histogram and finer than that grid). */
#include "unit.h"

#include <math.h>

static Arena *arena;

/* A small deterministic generator (64-bit LCG, high bits): u in (0, 1]. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static double uniform(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(rng_state >> 11) + 1) / 9007199254740992.0;
}

static float *values(size_t n)
{
    return arena_array(arena, n, sizeof(float));
}

/* ---- graphs -------------------------------------------------------------- */

static Graph *input_graph(int c, int h, int w)
{
    Graph *g = graph_new(arena);
    g->output = graph_add_node(g, (Node){.op = OP_INPUT, .shape = {c, h, w}, .label = "input"});
    return g;
}

static int act(Graph *g, int x, Act kind, const char *label)
{
    Node n = {.op = OP_ACT, .in = {x}, .nin = 1, .shape = g->nodes[x].shape, .label = label};
    n.act.kind = kind;
    return g->output = graph_add_node(g, n);
}

/* A 1×1 conv from one channel to one, y = wx. */
static int scale_conv(Graph *g, int x, float w, const char *label)
{
    static const int dims[4] = {1, 1, 1, 1};
    Node n = {.op = OP_CONV2D, .in = {x}, .nin = 1, .shape = g->nodes[x].shape, .label = label};
    n.conv.kernel = n.conv.stride = n.conv.groups = 1;
    n.conv.weight = graph_add_param(g, "w", 4, dims, false);
    g->params[n.conv.weight].data = values(1);
    g->params[n.conv.weight].data[0] = w;
    n.conv.bias = n.conv.pool = -1;
    return g->output = graph_add_node(g, n);
}

/* ---- independent computations on the raw values --------------------------- */

static int by_value(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* The value of rank r (r of the n sorted values lie below it): the
 * ceil(r)-th smallest. */
static double order_statistic(const float *sorted, size_t n, double r)
{
    size_t k = r <= 1 ? 0 : (size_t)ceil(r) - 1;
    return sorted[k < n ? k : n - 1];
}

/* Σ (x − dequantize(quantize(x)))² with the int8 params of [lo, hi], as
 * TFLite's QUANTIZE rounds (half away from zero) and clamps. */
static double quant_error(const float *x, size_t n, float lo, float hi)
{
    QuantParams q = quant_activation_params(lo, hi);
    double err = 0;
    for (size_t i = 0; i < n; i++) {
        long v = lroundf(x[i] / q.scale) + q.zp;
        v = v < -128 ? -128 : v > 127 ? 127 : v;
        double d = (double)q.scale * (double)(v - q.zp) - x[i];
        err += d * d;
    }
    return err;
}

static void min_max(const float *x, size_t n, float *lo, float *hi)
{
    *lo = *hi = x[0];
    for (size_t i = 1; i < n; i++) {
        *lo = fminf(*lo, x[i]);
        *hi = fmaxf(*hi, x[i]);
    }
}

/* ---- the histogram --------------------------------------------------------- */

/* h against a fresh bucketing of all n values at its present grid, bin by
 * bin; and min, max, n. */
static void check_histogram(const Histogram *h, const float *x, size_t n)
{
    uint64_t *want = arena_array(arena, HISTOGRAM_BINS, sizeof(uint64_t));
    float lo, hi;
    min_max(x, n, &lo, &hi);
    CU_ASSERT_EQUAL(h->n, n);
    CU_ASSERT_EQUAL(h->min, lo);
    CU_ASSERT_EQUAL(h->max, hi);
    bool inside = true;
    for (size_t i = 0; i < n; i++) {
        long double k = floorl(ldexpl(x[i], -h->e)) - (long double)h->off;
        inside &= k >= 0 && k < HISTOGRAM_BINS;
        if (k >= 0 && k < HISTOGRAM_BINS)
            want[(size_t)k]++;
    }
    CU_ASSERT_TRUE(inside);
    uint64_t sum = 0;
    int wrong = 0;
    for (int j = 0; j < HISTOGRAM_BINS; j++) {
        sum += h->bins[j];
        wrong += h->bins[j] != want[j];
    }
    CU_ASSERT_EQUAL(sum, n);
    CU_ASSERT_EQUAL(wrong, 0);
}

/* Batches that grow the range upward, downward, by one far value, from an
 * all-zero start and across 0; one that fits adds without moving the grid. */
static void test_histogram_growth(void)
{
    static const struct {
        double lo, hi; /* uniform in [lo, hi) */
        size_t n;
        float extra; /* one more value, unless 0 */
    } batches[] = {
        {0, 0, 50, 0},              /* all zero: the narrowest grid */
        {0.001, 0.002, 1000, 0},    /* up, by many doublings */
        {-3, 2, 5000, 0},           /* down and up */
        {-1e-7, 1e-7, 300, 0},      /* inside */
        {0.5, 0.6, 100, 1e6f},      /* one far value up */
        {-1, 1, 100, -7e7f},        /* and down */
        {1e-30, 2e-30, 10, 3e38f},  /* near FLT_MAX */
    };
    Histogram *h = arena_alloc(arena, sizeof *h);
    float *all = values(10000);
    size_t n = 0;
    for (size_t b = 0; b < sizeof batches / sizeof batches[0]; b++) {
        float *x = all + n;
        size_t m = batches[b].n;
        for (size_t i = 0; i < m; i++)
            x[i] = (float)(batches[b].lo + (batches[b].hi - batches[b].lo) * uniform());
        if (batches[b].extra != 0)
            x[m++] = batches[b].extra;
        int e = h->e;
        int64_t off = h->off;
        CU_ASSERT_TRUE(histogram_add(h, x, m));
        n += m;
        check_histogram(h, all, n);
        if (b == 3) { /* inside: the grid stays */
            CU_ASSERT_EQUAL(h->e, e);
            CU_ASSERT_EQUAL(h->off, off);
        }
    }
}

/* The grid is the narrowest that fits: the values span more than 1024 of
 * its bins (else half the width would do), so a bin is at most
 * 2·(max − min)/2047 wide. */
static void test_histogram_width(void)
{
    static const double spans[][2] = {{0, 1}, {-1, 1}, {100, 100.5}, {-1e-3, 7e-4}, {-5, -4}};
    for (size_t t = 0; t < sizeof spans / sizeof spans[0]; t++) {
        Histogram *h = arena_alloc(arena, sizeof *h);
        float x[2] = {(float)spans[t][0], (float)spans[t][1]};
        CU_ASSERT_TRUE(histogram_add(h, x, 2));
        double w = ldexp(1, h->e), span = (double)h->max - h->min;
        CU_ASSERT(w <= 2 * span / (HISTOGRAM_BINS - 1));
        CU_ASSERT(floor(h->max / w) - floor(h->min / w) < HISTOGRAM_BINS);
        CU_ASSERT(floor(h->max / (w / 2)) - floor(h->min / (w / 2)) >= HISTOGRAM_BINS);
    }
}

static void test_histogram_rejects_nonfinite(void)
{
    Histogram *h = arena_alloc(arena, sizeof *h);
    float x[3] = {1, 2, 3};
    CU_ASSERT_TRUE(histogram_add(h, x, 3));
    x[1] = NAN;
    CU_ASSERT_FALSE(histogram_add(h, x, 3));
    x[1] = -INFINITY;
    CU_ASSERT_FALSE(histogram_add(h, x, 3));
    CU_ASSERT_EQUAL(h->n, 3);
    CU_ASSERT_EQUAL(h->max, 3);
    ValueRange r = histogram_range(arena_alloc(arena, sizeof *h), ESTIMATOR_MSE);
    CU_ASSERT(r.min == 0 && r.max == 0); /* empty */
}

/* ---- estimators through calibrate ----------------------------------------- */

/* MINMAX is the exact min and max over all inputs, at every node; ReLU6's
 * output is its input's range clamped; a dead node gets {0, 0}. */
static void test_minmax_exact(void)
{
    enum { N = 60, COUNT = 3 };
    Graph *g = input_graph(3, 4, 5);
    int dead = act(g, 0, ACT_SWISH, "dead");
    g->nodes[dead].dead = true;
    int r6 = act(g, 0, ACT_RELU6, "relu6");
    float *x = values(N * COUNT);
    for (int i = 0; i < N * COUNT; i++)
        x[i] = (float)(20 * uniform() - 9);
    x[N + 7] = -11.5f; /* the extremes in the second and third inputs */
    x[2 * N + 59] = 14.25f;
    for (int e = 0; e < ESTIMATOR_COUNT; e++) {
        ValueRange *r = calibrate(arena, g, x, COUNT, (Estimator)e);
        CU_ASSERT(r[dead].min == 0 && r[dead].max == 0);
        CU_ASSERT(r[0].min >= -11.5f && r[0].max <= 14.25f);
        if (e == ESTIMATOR_MINMAX) {
            CU_ASSERT_EQUAL(r[0].min, -11.5f);
            CU_ASSERT_EQUAL(r[0].max, 14.25f);
            CU_ASSERT_EQUAL(r[r6].min, 0.0f);
            CU_ASSERT_EQUAL(r[r6].max, 6.0f);
        }
    }
}

/* Uniform on (0, 1] and one outlier at 1000: PERCENTILE (0.01 % each side)
 * cuts the outlier off and agrees with the order statistics within a bin. */
static void test_percentile_clips_outlier(void)
{
    enum { N = 100000 };
    Graph *g = input_graph(1, 1, N + 1);
    float *x = values(N + 1);
    for (int i = 0; i < N; i++)
        x[i] = (float)uniform();
    x[N / 2] = 1000;
    ValueRange r = calibrate(arena, g, x, 1, ESTIMATOR_PERCENTILE)[0];
    float lo, hi;
    min_max(x, N + 1, &lo, &hi);
    double bin = 2 * ((double)hi - lo) / (HISTOGRAM_BINS - 1);
    qsort(x, N + 1, sizeof *x, by_value);
    double want_lo = order_statistic(x, N + 1, 1e-4 * (N + 1));
    double want_hi = order_statistic(x, N + 1, (1 - 1e-4) * (N + 1));
    CU_ASSERT(fabs(r.min - want_lo) <= bin);
    CU_ASSERT(fabs(r.max - want_hi) <= bin);
    CU_ASSERT(r.max < 2);
    CU_ASSERT(r.min >= lo);
}

/* A distribution of several shapes, asymmetric and across 0, against the
 * sorted values: 0.01 % and 99.99 % within one bin width. */
static void test_percentile_brute_force(void)
{
    enum { H = 200, W = 300, COUNT = 2 };
    size_t n = (size_t)H * W * COUNT;
    Graph *g = input_graph(1, H, W);
    float *x = values(n);
    for (size_t i = 0; i < n; i++) {
        double u = uniform();
        x[i] = (float)(i % 3 == 0 ? -0.5 * log(u) : i % 3 == 1 ? 3 * log(u) : 2 * u - 1);
    }
    ValueRange r = calibrate(arena, g, x, COUNT, ESTIMATOR_PERCENTILE)[0];
    float lo, hi;
    min_max(x, n, &lo, &hi);
    double bin = 2 * ((double)hi - lo) / (HISTOGRAM_BINS - 1);
    qsort(x, n, sizeof *x, by_value);
    CU_ASSERT(fabs(r.min - order_statistic(x, n, 1e-4 * (double)n)) <= bin);
    CU_ASSERT(fabs(r.max - order_statistic(x, n, (1 - 1e-4) * (double)n)) <= bin);
}

/* Uniform on (0, 1]: clipping would cost more than it saves, so MSE keeps
 * nearly all the range. (The model's optimum is 1 − h·√(3/(12·255²)), h ≈
 * 0.998: 0.99 allows for that and a few bins.) */
static void test_mse_uniform(void)
{
    enum { N = 100000 };
    Graph *g = input_graph(1, 1, N);
    float *x = values(N);
    for (int i = 0; i < N; i++)
        x[i] = (float)uniform();
    ValueRange r = calibrate(arena, g, x, 1, ESTIMATOR_MSE)[0];
    float lo, hi;
    min_max(x, N, &lo, &hi);
    CU_ASSERT_EQUAL(r.min, lo);
    CU_ASSERT(r.max >= 0.99f * hi && r.max <= hi);
}

/* 2^21 values over two inputs: N − 1 uniform on (0, 1], one outlier at
 * R. A range [0, h] with 1 ≤ h ≤ R costs (N − 1)·h²/(12·255²) of rounding
 * plus (R − h)² of clipping the outlier, least at h* = R/(1 + (N − 1)/(12·
 * 255²)) = R/3.69: the bulk kept whole, the outlier clipped. MSE must land
 * within two bins (2·R/2047 at most) of h*.
 * At R = 10 (h* ≈ 2.7, 94 levels over the bulk) the error measured on the
 * values agrees: well below the full range's. At R = 1000 (h* ≈ 271) the
 * step exceeds the bulk's spread and the s²/12 model no longer holds: the
 * bulk rounds to 0 or one step, and the measured error is about the full
 * range's, whose step rounds the whole bulk to 0. The model's choice is
 * checked there, not the measurement. */
static void test_mse_far_outlier(void)
{
    enum { H = 1024, W = 1024, COUNT = 2 };
    size_t n = (size_t)H * W * COUNT;
    Graph *g = input_graph(1, H, W);
    float *x = values(n);
    for (size_t i = 0; i < n; i++)
        x[i] = (float)uniform();
    static const float outliers[] = {10, 1000};
    for (int t = 0; t < 2; t++) {
        float R = outliers[t];
        x[n - 5] = R;
        ValueRange r = calibrate(arena, g, x, COUNT, ESTIMATOR_MSE)[0];
        double best = R / (1 + (double)(n - 1) / (12 * 255.0 * 255.0));
        double bin = 2 * (double)R / (HISTOGRAM_BINS - 1);
        if (fabs(r.max - best) > 2 * bin)
            fprintf(stderr, "\n  outlier %g: mse max %g, the model's optimum %g", (double)R,
                    (double)r.max, best);
        CU_ASSERT(fabs(r.max - best) <= 2 * bin);
        CU_ASSERT(r.min < 1e-3f);
        if (t == 0)
            CU_ASSERT(quant_error(x, n, r.min, r.max) < quant_error(x, n, 0, R) / 2);
    }
}

/* Asymmetric Laplace-like values across 0 (scale 1 below, 3 above): the
 * error measured with MSE's range is within 2 % of the best over a 40×40
 * grid of [lo, hi] between the extremes and 0. */
static void test_mse_brute_force(void)
{
    enum { N = 20000, GRID = 40 };
    Graph *g = input_graph(1, 1, N);
    float *x = values(N);
    for (int i = 0; i < N; i++)
        x[i] = (float)(i % 2 ? log(uniform()) : -3 * log(uniform()));
    ValueRange r = calibrate(arena, g, x, 1, ESTIMATOR_MSE)[0];
    float lo, hi;
    min_max(x, N, &lo, &hi);
    double best = INFINITY;
    for (int a = 1; a <= GRID; a++)
        for (int b = 1; b <= GRID; b++)
            best = fmin(best, quant_error(x, N, lo * a / GRID, hi * b / GRID));
    double got = quant_error(x, N, r.min, r.max);
    if (got > 1.02 * best)
        fprintf(stderr, "\n  mse range [%g, %g]: error %g, the grid's best %g", (double)r.min,
                (double)r.max, got, best);
    CU_ASSERT(got <= 1.02 * best);
    CU_ASSERT(r.min > lo && r.max < hi); /* both tails clipped */
}

/* ---- errors ----------------------------------------------------------------- */

/* A NaN in the second input, and an overflow to infinity inside the graph:
 * user errors naming the input and the node (the sanitizer build checks
 * that nothing leaks as they unwind). */
static void test_nonfinite_is_a_user_error(void)
{
    Graph *g = input_graph(1, 2, 2);
    scale_conv(g, 0, 1e30f, "features.3.conv");
    float x[8] = {1, 2, 3, 4, 5, NAN, 7, 8};
    CU_ASSERT_TRUE(RAISES(calibrate(arena, g, x, 2, ESTIMATOR_MINMAX)));
    ASSERT_MESSAGE_HAS("calibration input 2 of 2: input 'input' has the value nan at [1]");
    x[5] = 1e10f; /* 1e40: beyond float */
    CU_ASSERT_TRUE(RAISES(calibrate(arena, g, x, 2, ESTIMATOR_MSE)));
    ASSERT_MESSAGE_HAS("calibration input 2 of 2: conv2d 'features.3.conv' has the value inf at [1]");
    CU_ASSERT_TRUE(RAISES(calibrate(arena, g, x, 0, ESTIMATOR_MSE)));
    ASSERT_MESSAGE_HAS("at least one input");
}

static void test_estimator_names(void)
{
    CU_ASSERT_STRING_EQUAL(estimator_names[ESTIMATOR_MINMAX], "minmax");
    CU_ASSERT_STRING_EQUAL(estimator_names[ESTIMATOR_PERCENTILE], "percentile");
    CU_ASSERT_STRING_EQUAL(estimator_names[ESTIMATOR_MSE], "mse");
}

/* ---- a whole model ----------------------------------------------------------- */

/* EfficientNet-Lite0 at 64×64, synthesised weights, two inputs: at every
 * live node each estimator's range lies inside MINMAX's, which is exactly
 * the values' min and max (watched here through a visitor of our own). */
typedef struct {
    float *lo, *hi;
    bool seen;
} Watch;

static void watch(void *ctx, const Graph *g, int node, const float *v)
{
    Watch *w = ctx;
    float lo, hi;
    min_max(v, shape_numel(g->nodes[node].shape), &lo, &hi);
    w->lo[node] = w->seen ? fminf(w->lo[node], lo) : lo;
    w->hi[node] = w->seen ? fmaxf(w->hi[node], hi) : hi;
}

static void test_model(void)
{
    Spec *spec = unit_spec(arena, "examples/efficientnet-lite.yaml");
    Graph *g = lower_model(arena, scale_model(arena, spec, &(ScaleRequest){.preset = "lite0",
                                                                            .resolution = 64}));
    weights_synthesize(g, 7);
    fold_bn(g);
    size_t numel = shape_numel(g->nodes[0].shape);
    float *x = values(2 * numel);
    for (size_t i = 0; i < 2 * numel; i++)
        x[i] = (float)(4 * uniform() - 2);
    Watch w = {values((size_t)g->nnodes), values((size_t)g->nnodes), false};
    ir_eval_visit(g, x, NULL, watch, &w);
    w.seen = true;
    ir_eval_visit(g, x + numel, NULL, watch, &w);
    ValueRange *mm = calibrate(arena, g, x, 2, ESTIMATOR_MINMAX);
    ValueRange *pc = calibrate(arena, g, x, 2, ESTIMATOR_PERCENTILE);
    ValueRange *ms = calibrate(arena, g, x, 2, ESTIMATOR_MSE);
    int bad = 0;
    for (int i = 0; i < g->nnodes; i++) {
        bad += mm[i].min != w.lo[i] || mm[i].max != w.hi[i];
        bad += !(mm[i].min <= pc[i].min && pc[i].min <= pc[i].max && pc[i].max <= mm[i].max);
        bad += !(mm[i].min <= ms[i].min && ms[i].min <= ms[i].max && ms[i].max <= mm[i].max);
    }
    CU_ASSERT_EQUAL(bad, 0);
}

int main(void)
{
    arena = arena_new();
    static const UnitTest tests[] = {
        {"estimator names", test_estimator_names},
        {"histogram: growth merges exactly, every value counted", test_histogram_growth},
        {"histogram: the narrowest grid that fits", test_histogram_width},
        {"histogram: NaN and infinity refused", test_histogram_rejects_nonfinite},
        {"minmax: exact over all inputs; dead nodes {0, 0}", test_minmax_exact},
        {"percentile: an outlier cut off", test_percentile_clips_outlier},
        {"percentile: against sorted values", test_percentile_brute_force},
        {"mse: uniform keeps the range", test_mse_uniform},
        {"mse: a far outlier clipped", test_mse_far_outlier},
        {"mse: against measured error on a grid", test_mse_brute_force},
        {"NaN, infinity, no input: user errors", test_nonfinite_is_a_user_error},
        {"lite0: every node, every estimator", test_model},
    };
    int status = UNIT_MAIN("calibrate", tests);
    arena_free(arena);
    return status;
}
