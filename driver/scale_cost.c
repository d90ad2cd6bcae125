/* scale_cost.c — effcc scale's cost model: a kernel call's time from its
 * class and three features, fitted on the per-call times of profile builds.
 *
 *   time = a · (multiply-adds, millions) + b · (megabytes touched) + c
 *
 * per class of kernel (stem, 1×1 over pixels, 1×1 on a vector, depthwise
 * and expansion+depthwise by kernel size, each elementwise kind), with
 * a, b, c ≥ 0 (least squares over the non-negative subsets). A class no
 * profiled call had falls back to the fit over all calls. The sum over a
 * graph's calls is the model's latency before the search's correction
 * (measured over predicted, scale_search.c). */
#include "scale.h"

#include <math.h>
#include <string.h>

enum { C_STEM, C_GEMM, C_GEMV, C_DW3, C_DW5, C_EXPDW3, C_EXPDW5, C_POOL, C_SCALE, C_ADD, C_ACT };

static int call_class(const Graph *g, const Node *n)
{
    switch (n->tile.kind) {
    case KERNEL_STEM: return C_STEM;
    case KERNEL_GEMM: return n->shape.h * n->shape.w > 1 ? C_GEMM : C_GEMV;
    case KERNEL_DW: return n->conv.kernel <= 3 ? C_DW3 : C_DW5;
    case KERNEL_EXPDW: return n->conv.kernel <= 3 ? C_EXPDW3 : C_EXPDW5;
    case KERNEL_POOL: return C_POOL;
    case KERNEL_SCALE: return C_SCALE;
    case KERNEL_ADD: return C_ADD;
    default: break;
    }
    (void)g;
    return C_ACT;
}

static double weight_bytes(const Graph *g, const Node *n)
{
    if (n->op != OP_CONV2D && n->op != OP_LINEAR)
        return 0;
    return 4.0 * (double)param_numel(&g->params[n->conv.weight]);
}

static void features(const Graph *g, const Node *n, double f[COST_FEATURES])
{
    const Node *in = &g->nodes[n->in[0]];
    double bytes = (double)shape_bytes(n->shape) + weight_bytes(g, n);
    int e = graph_fused_expansion(g, (int)(n - g->nodes));
    if (n->tile.kind == KERNEL_EXPDW || e >= 0) { /* reads the expansion's input */
        const Node *x = &g->nodes[e >= 0 ? e : n->in[0]];
        bytes += weight_bytes(g, x);
        in = &g->nodes[x->in[0]];
    }
    bytes += (double)shape_bytes(in->shape);
    f[0] = (double)call_macs(g, n) / 1e6;
    f[1] = bytes / 1e6;
    f[2] = 1;
}

void cost_samples(const Graph *g, CostSample *out, int *n, const char **labels)
{
    int k = 0;
    for (int i = 0; i < g->nnodes; i++) {
        const Node *node = &g->nodes[i];
        if (node->fused_into >= 0 || node->tile.kind == KERNEL_NONE)
            continue; /* no call of its own (codegen.c: kernel_for_node) */
        if (out) {
            out[k].cls = call_class(g, node);
            features(g, node, out[k].f);
            out[k].ms = 0;
        }
        if (labels)
            labels[k] = node->label;
        k++;
    }
    *n = k;
}

/* Least squares over the features in mask (normal equations, Gaussian
 * elimination); false when singular. */
static bool solve(const CostSample *s, int n, int cls, unsigned mask, double coef[COST_FEATURES])
{
    double A[COST_FEATURES][COST_FEATURES + 1] = {{0}};
    int idx[COST_FEATURES], m = 0;
    for (int j = 0; j < COST_FEATURES; j++)
        if (mask >> j & 1)
            idx[m++] = j;
    for (int k = 0; k < n; k++) {
        if (cls >= 0 && s[k].cls != cls)
            continue;
        for (int r = 0; r < m; r++) {
            for (int c = 0; c < m; c++)
                A[r][c] += s[k].f[idx[r]] * s[k].f[idx[c]];
            A[r][m] += s[k].f[idx[r]] * s[k].ms;
        }
    }
    for (int c = 0; c < m; c++) {
        int piv = c;
        for (int r = c + 1; r < m; r++)
            if (fabs(A[r][c]) > fabs(A[piv][c]))
                piv = r;
        if (fabs(A[piv][c]) < 1e-12)
            return false;
        for (int j = 0; j <= m; j++) {
            double t = A[c][j];
            A[c][j] = A[piv][j];
            A[piv][j] = t;
        }
        for (int r = 0; r < m; r++) {
            if (r == c)
                continue;
            double q = A[r][c] / A[c][c];
            for (int j = c; j <= m; j++)
                A[r][j] -= q * A[c][j];
        }
    }
    memset(coef, 0, COST_FEATURES * sizeof *coef);
    for (int r = 0; r < m; r++)
        coef[idx[r]] = A[r][m] / A[r][r];
    return true;
}

static double residual(const CostSample *s, int n, int cls, const double coef[COST_FEATURES])
{
    double sse = 0;
    for (int k = 0; k < n; k++) {
        if (cls >= 0 && s[k].cls != cls)
            continue;
        double p = 0;
        for (int j = 0; j < COST_FEATURES; j++)
            p += coef[j] * s[k].f[j];
        sse += (p - s[k].ms) * (p - s[k].ms);
    }
    return sse;
}

/* The non-negative fit of least residual over the feature subsets
 * (cls -1: all samples); false when no sample or no subset fits. */
static bool fit_class(const CostSample *s, int n, int cls, double coef[COST_FEATURES])
{
    bool found = false;
    double best = INFINITY;
    for (unsigned mask = 1; mask < 1u << COST_FEATURES; mask++) {
        double c[COST_FEATURES];
        if (!solve(s, n, cls, mask, c))
            continue;
        bool nonneg = true;
        for (int j = 0; j < COST_FEATURES; j++)
            nonneg = nonneg && c[j] >= 0;
        double r = nonneg ? residual(s, n, cls, c) : INFINITY;
        if (r < best) {
            best = r;
            memcpy(coef, c, sizeof c);
            found = true;
        }
    }
    return found;
}

void cost_fit(CostModel *m, const CostSample *s, int n)
{
    double all[COST_FEATURES] = {0};
    bool any = fit_class(s, n, -1, all);
    for (int c = 0; c < COST_CLASSES; c++)
        if (!fit_class(s, n, c, m->coef[c]))
            memcpy(m->coef[c], all, sizeof all);
    m->fitted = any;
    m->samples = n;
}

double cost_predict(const CostModel *m, const Graph *g)
{
    double ms = 0;
    for (int i = 0; i < g->nnodes; i++) {
        const Node *node = &g->nodes[i];
        if (node->fused_into >= 0 || node->tile.kind == KERNEL_NONE)
            continue;
        double f[COST_FEATURES];
        features(g, node, f);
        const double *c = m->coef[call_class(g, node)];
        for (int j = 0; j < COST_FEATURES; j++)
            ms += c[j] * f[j];
    }
    return ms;
}
