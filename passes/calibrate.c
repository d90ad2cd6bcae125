/* calibrate.c — the range of every activation, from the float graph run on
 * calibration inputs (docs/int8.md, 6).
 *
 * Requires: a float graph the reference evaluator runs (after fold_bn and
 * fuse_clamps; params not packed). Guarantees: one ValueRange per node,
 * min ≤ max, inside the exact [min, max] of the values the node took (dead
 * nodes {0, 0}); a NaN or infinite value is a user error naming the node
 * and the input. quantize widens each range to hold 0 and fixes what has a
 * fixed range (sigmoid outputs); nothing here knows about either, except
 * that MSE's error model widens to 0 as quantize will.
 *
 * 1. Histograms. Each input runs through ir_eval_visit and each node's
 *    values go into its Histogram (passes.h). The evaluator takes about a
 *    second per B0 image, so a histogram is built in one pass: its bins are
 *    power-of-two wide on a grid anchored at 0, the first batch choosing
 *    the width; a later value outside the grid makes the width grow by
 *    2^k, and each old bin then lies whole inside one new bin, so merging
 *    loses no count and no accuracy. 2048 bins, as TensorRT's entropy
 *    calibrator and ONNX Runtime's percentile calibrator use; the width
 *    being a power of two, the bins actually used span the data with
 *    between 1024 and 2048 of them.
 * 2. Estimators, per node, from its histogram:
 *    MINMAX      the exact min and max over all inputs. TFLite's calibrator
 *                (tools/optimize/calibration, MinMax::Update) keeps the
 *                absolute min and max the same way, not a moving average.
 *    PERCENTILE  PERCENTILE_TAIL of the values cut off each side, linear
 *                within a bin, never beyond min and max.
 *    MSE         the [lo, hi] of least expected squared error when values
 *                are quantised to 256 levels over it: rounding noise s²/12
 *                inside (s = (hi − lo)/255, the range widened to 0), the
 *                squared distance to the clip outside, both from the bins.
 *                Every pair of clip points on bin edges is tried: O(bins²),
 *                about a millisecond a node. */
#include "passes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const estimator_names[ESTIMATOR_COUNT] = {
#define X(e, s) s,
    ESTIMATOR_LIST(X)
#undef X
};

/* The fraction of values PERCENTILE cuts off each side: the 0.01th and
 * 99.99th percentiles. Each side on its own, as the activations have a zero
 * point. (ONNX Runtime's percentile calibrator by default takes the
 * 99.999th percentile of |x| and makes the range symmetric about 0.) A few
 * hundred calibration images of EfficientNet hold some 10^8 values per
 * layer, so 10^−4 still leaves 10^4 values to each tail. */
#define PERCENTILE_TAIL 1e-4

#define BINS HISTOGRAM_BINS
/* The narrowest bin, 2^EXP_MIN (below the smallest float), and the width
 * below which bins stop paying (2^−40 of the largest magnitude, far below a
 * float's resolution); the latter keeps every index x/2^e below 2^42, exact
 * in a double and an int64_t. */
#define EXP_MIN (-160)
#define EXP_BELOW_MAG 40

/* ---- 1. histograms ------------------------------------------------------ */

/* The absolute index of x's bin at width 2^e: floor(x / 2^e), exact. */
static int64_t cell(double x, int e)
{
    return (int64_t)floor(ldexp(x, -e));
}

/* floor(a / 2^k) for k ≥ 0, also for negative a and large k. */
static int64_t floor_shift(int64_t a, int k)
{
    if (k >= 62)
        return a < 0 ? -1 : 0;
    return a >= 0 ? a >> k : -((-a - 1) >> k) - 1;
}

/* The narrowest width 2^e, at least 2^from, whose grid holds [min, max] in
 * BINS bins. */
static int fit_exponent(float min, float max, int from)
{
    double mag = fmax(fabs((double)min), fabs((double)max));
    int e = from > EXP_MIN ? from : EXP_MIN;
    if (mag > 0 && ilogb(mag) - EXP_BELOW_MAG > e)
        e = ilogb(mag) - EXP_BELOW_MAG;
    double span = (double)max - (double)min;
    if (span > 0 && ilogb(span / (BINS - 1)) > e)
        e = ilogb(span / (BINS - 1)); /* at most one doubling short */
    while (cell(max, e) - cell(min, e) >= BINS)
        e++;
    return e;
}

/* The grid moved to width 2^e starting at absolute bin off: every counted
 * old bin lies whole inside one new bin (e ≥ h->e, both powers of two). */
static void regrid(Histogram *h, int e, int64_t off)
{
    uint64_t old[BINS];
    memcpy(old, h->bins, sizeof old);
    memset(h->bins, 0, sizeof h->bins);
    for (int j = 0; j < BINS; j++) {
        if (!old[j])
            continue;
        int64_t k = floor_shift(h->off + j, e - h->e) - off;
        if (k < 0 || k >= BINS)
            internal_error("calibrate: bin %d falls outside the new grid (%lld)", j, (long long)k);
        h->bins[k] += old[j];
    }
    h->e = e;
    h->off = off;
}

/* Invariant once n > 0: off = cell(min, e) and cell(max, e) < off + BINS,
 * so every value in [min, max] has a bin. */
bool histogram_add(Histogram *h, const float *x, size_t n)
{
    if (n == 0)
        return true;
    float lo = x[0], hi = x[0];
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            return false;
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
    }
    if (h->n == 0) {
        h->min = lo;
        h->max = hi;
        h->e = fit_exponent(lo, hi, EXP_MIN);
        h->off = cell(lo, h->e);
    } else if (lo < h->min || hi > h->max) {
        h->min = lo < h->min ? lo : h->min;
        h->max = hi > h->max ? hi : h->max;
        int e = fit_exponent(h->min, h->max, h->e);
        regrid(h, e, cell(h->min, e));
    }
    /* x·2^−e and its difference from off are exact (|x·2^−e| < 2^42), and
     * not negative, so truncation is floor. */
    double inv = ldexp(1.0, -h->e), base = (double)h->off;
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)((double)x[i] * inv - base);
        if (k >= BINS)
            internal_error("calibrate: %g falls outside its histogram", (double)x[i]);
        h->bins[k]++;
    }
    h->n += n;
    return true;
}

/* ---- 2. estimators ------------------------------------------------------ */

/* Where bin j starts (j = BINS: where the last one ends). */
static double edge(const Histogram *h, int j)
{
    return ldexp((double)(h->off + j), h->e);
}

static float clamp_range(const Histogram *h, double v)
{
    float f = (float)v;
    return f < h->min ? h->min : f > h->max ? h->max : f;
}

/* The value of rank r in [0, n] (r values lie below it), the values taken
 * as spread evenly over each bin: within one bin width of the exact order
 * statistic. */
static double rank_value(const Histogram *h, double r)
{
    double before = 0;
    for (int j = 0; j < BINS; j++) {
        double c = (double)h->bins[j];
        if (c > 0 && before + c >= r)
            return edge(h, j) + ldexp((r - before) / c, h->e);
        before += c;
    }
    return h->max;
}

static ValueRange percentile_range(const Histogram *h)
{
    double n = (double)h->n;
    return (ValueRange){clamp_range(h, rank_value(h, PERCENTILE_TAIL * n)),
                        clamp_range(h, rank_value(h, (1 - PERCENTILE_TAIL) * n))};
}

/* MSE, all distances in bin widths, the values of a bin at its centre j + ½
 * plus a spread of variance 1/12. Clipping above at edge kh (kh = last + 1:
 * nothing clipped, hi = max) costs above[kh] = Σ_{j ≥ kh} c_j((j + ½ − kh)²
 * + 1/12), over nabove[kh] values; below at edge kl likewise. The sums are
 * built edge by edge from the far end, adding only positive terms. top[kh]
 * and bottom[kl] are the range quantize will use, widened to 0. */
typedef struct {
    int first, last; /* the bins holding values */
    int zero;        /* bins ≥ zero lie at or above 0 (clamped to first..last + 1) */
    double above[BINS + 1], nabove[BINS + 1], top[BINS + 1];
    double below[BINS + 1], nbelow[BINS + 1], bottom[BINS + 1];
} ClipCosts;

static void clip_costs(const Histogram *h, ClipCosts *k)
{
    k->first = 0;
    while (!h->bins[k->first])
        k->first++;
    k->last = BINS - 1;
    while (!h->bins[k->last])
        k->last--;
    int64_t z = -h->off;
    k->zero = z < k->first ? k->first : z > k->last + 1 ? k->last + 1 : (int)z;
    /* moment: Σ c_j·(distance) over the clipped bins, to move the edge */
    double cost = 0, count = 0, moment = 0;
    k->above[k->last + 1] = k->nabove[k->last + 1] = 0;
    k->top[k->last + 1] = fmax(h->max, 0);
    for (int e = k->last; e >= k->zero; e--) {
        double c = (double)h->bins[e];
        cost += 2 * moment + count + c * (0.25 + 1.0 / 12);
        moment += count + 0.5 * c;
        count += c;
        k->above[e] = cost;
        k->nabove[e] = count;
        k->top[e] = fmax(edge(h, e), 0);
    }
    cost = count = moment = 0;
    k->below[k->first] = k->nbelow[k->first] = 0;
    k->bottom[k->first] = fmin(h->min, 0);
    for (int e = k->first + 1; e <= k->zero; e++) {
        double c = (double)h->bins[e - 1];
        cost += 2 * moment + count + c * (0.25 + 1.0 / 12);
        moment += count + 0.5 * c;
        count += c;
        k->below[e] = cost;
        k->nbelow[e] = count;
        k->bottom[e] = fmin(edge(h, e), 0);
    }
}

/* The pair (kl, kh) of least rounding (s²/12 per value inside, s = (top −
 * bottom)/255) plus clipping error. */
static ValueRange mse_range(const Histogram *h, ClipCosts *k)
{
    clip_costs(h, k);
    double w2 = ldexp(1.0, 2 * h->e), n = (double)h->n;
    double best = INFINITY;
    int best_kl = k->first, best_kh = k->last + 1;
    for (int kl = k->first; kl <= k->zero; kl++) {
        double lo_in = n - k->nbelow[kl], lo_cost = w2 * k->below[kl];
        for (int kh = k->zero; kh <= k->last + 1; kh++) {
            double s = (k->top[kh] - k->bottom[kl]) / 255;
            double err = (lo_in - k->nabove[kh]) * s * s / 12 + lo_cost + w2 * k->above[kh];
            if (err < best) {
                best = err;
                best_kl = kl;
                best_kh = kh;
            }
        }
    }
    double lo = best_kl == k->first ? h->min : edge(h, best_kl);
    double hi = best_kh == k->last + 1 ? h->max : edge(h, best_kh);
    return (ValueRange){clamp_range(h, lo), clamp_range(h, hi)};
}

ValueRange histogram_range(const Histogram *h, Estimator e)
{
    if (h->n == 0)
        return (ValueRange){0, 0};
    switch (e) {
    case ESTIMATOR_MINMAX: return (ValueRange){h->min, h->max};
    case ESTIMATOR_PERCENTILE: return percentile_range(h);
    case ESTIMATOR_MSE: {
        ClipCosts *k = malloc(sizeof *k); /* 96 KiB */
        if (!k)
            internal_error("calibrate: out of memory");
        ValueRange r = mse_range(h, k);
        free(k);
        return r;
    }
    case ESTIMATOR_COUNT: break;
    }
    internal_error("calibrate: estimator %d", (int)e);
}

/* ---- 3. the walk -------------------------------------------------------- */

typedef struct {
    Histogram *hist; /* per node */
    int input, count;
} Calibration;

static _Noreturn void not_finite(const Calibration *c, const Graph *g, int node, const float *x,
                                 size_t n)
{
    size_t i = 0;
    while (i < n - 1 && isfinite(x[i]))
        i++;
    const Node *nd = &g->nodes[node];
    error_msg("calibration input %d of %d: %s '%s' has the value %g at [%zu]; the float model "
              "must give finite values on every calibration input",
              c->input + 1, c->count, op_names[nd->op], nd->label ? nd->label : "?",
              (double)x[i], i);
}

static void visit(void *ctx, const Graph *g, int node, const float *value)
{
    Calibration *c = ctx;
    size_t n = shape_numel(g->nodes[node].shape);
    if (!histogram_add(&c->hist[node], value, n))
        not_finite(c, g, node, value, n);
}

static size_t input_numel(const Graph *g)
{
    for (int i = 0; i < g->nnodes; i++)
        if (!g->nodes[i].dead && g->nodes[i].op == OP_INPUT)
            return shape_numel(g->nodes[i].shape);
    internal_error("calibrate: the graph has no input node");
}

/* The histograms live in an arena of their own, freed also when a user
 * error unwinds through here. */
ValueRange *calibrate(Arena *a, const Graph *g, const float *inputs, int count, Estimator e)
{
    if ((unsigned)e >= ESTIMATOR_COUNT)
        internal_error("calibrate: estimator %d", (int)e);
    if (count < 1)
        error_msg("calibration needs at least one input");
    size_t numel = input_numel(g);
    ValueRange *r = arena_array(a, (size_t)g->nnodes, sizeof *r);
    Arena *tmp = arena_new();
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) != 0) {
        arena_free(tmp);
        diag_rethrow();
    }
    Calibration c = {.hist = arena_array(tmp, (size_t)g->nnodes, sizeof(Histogram)), .count = count};
    for (c.input = 0; c.input < count; c.input++)
        ir_eval_visit(g, inputs + (size_t)c.input * numel, NULL, visit, &c);
    for (int i = 0; i < g->nnodes; i++)
        r[i] = g->nodes[i].dead ? (ValueRange){0, 0} : histogram_range(&c.hist[i], e);
    diag_pop(&f);
    arena_free(tmp);
    return r;
}
