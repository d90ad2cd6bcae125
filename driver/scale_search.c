/* scale_search.c — effcc scale: the paper's two steps with latency measured
 * on the target instead of FLOPS (docs/scale.md).
 *
 * 1. Profile: five PROFILE=1 builds (the spec's α, β, γ at φ = 0 and 1,
 *    and the depth, width and resolution corners of α·β²·γ² = 2 at φ = 1)
 *    give per-call times; the cost model (scale_cost.c) is fitted on them.
 * 2. Predict: for every (α, β, γ) of the grid (step --grid-step, α·β²·γ²
 *    within 2 ± --band) and the spec's own, the largest φ predicted to fit,
 *    by bisection on planned points (milliseconds each, nothing built).
 * 3. Measure: the spec's α, β, γ and the --top candidates with the most
 *    multiply-adds at their predicted φ: the largest φ whose measured
 *    median fits, by bisection that starts at the prediction; then the
 *    spec's α, β, γ at every half φ predicted within 1.5× the budget, and
 *    the presets predicted so.
 * 4. Report (scale_report.c): the chosen point is profiled for its
 *    per-layer chart.
 *
 * Every prediction printed is made before its point is measured: the
 * correction (median of measured over modelled) uses earlier points only. */
#include "scale.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PHI_STEP 0.1 /* the measured bisection's first bracket around the prediction */
#define PRESET_REACH 1.5 /* presets predicted within this × the budget are measured */
#define MAX_CALLS 4096

typedef struct {
    double alpha, beta, gamma;
    bool own; /* the spec's coefficients */
    Point pred; /* at the largest φ predicted to fit (phi −1: none fits) */
} Candidate;

/* p plans within the limits and fits the budgets known without measuring. */
static bool fits_exact(const Search *s, const Point *p)
{
    const SearchOptions *o = &s->o->search;
    return p->valid && !(o->budget_arena && p->arena_bytes > o->budget_arena) &&
           !(o->budget_params && p->params > o->budget_params);
}

bool point_fits(const Search *s, const Point *p)
{
    if (!fits_exact(s, p))
        return false;
    double ms = p->measured ? p->median_ms : p->predicted_ms;
    return !(s->budget_ms > 0) || ms <= s->budget_ms;
}

void search_record(Search *s, const Point *p)
{
    if (s->npoints == s->cap) {
        int cap = s->cap ? 2 * s->cap : 64;
        Point *grown = arena_array(s->arena, (size_t)cap, sizeof *grown);
        if (s->npoints)
            memcpy(grown, s->points, (size_t)s->npoints * sizeof *grown);
        s->points = grown;
        s->cap = cap;
    }
    s->points[s->npoints++] = *p;
}

static const Point *measured_key(const Search *s, const char *key)
{
    for (int i = 0; i < s->npoints; i++)
        if (!strcmp(s->points[i].key, key))
            return &s->points[i];
    return NULL;
}

/* measured / modelled, median over the measured points (1 before any). */
static void update_correction(Search *s)
{
    double *r = arena_array(s->arena, (size_t)s->npoints + 1, sizeof *r);
    int n = 0;
    for (int i = 0; i < s->npoints; i++)
        if (s->points[i].raw_ms > 0)
            r[n++] = s->points[i].median_ms / s->points[i].raw_ms;
    if (n)
        s->correction = scale_median(r, n);
}

static Point at_phi(Search *s, const Candidate *c, double phi)
{
    Point p = {.alpha = c->alpha, .beta = c->beta, .gamma = c->gamma, .phi = phi};
    point_plan(s, &p);
    return p;
}

/* ---- progress on stderr ---- */

static void progress(Search *s, const Point *p, int left)
{
    char what[96];
    if (p->preset)
        snprintf(what, sizeof what, "preset %s", p->preset);
    else
        snprintf(what, sizeof what, "alpha %.2f beta %.2f gamma %.2f phi %.3f", p->alpha, p->beta,
                 p->gamma, p->phi);
    double each = s->built ? s->build_seconds / s->built : 10;
    fprintf(stderr, "effcc: scale: [%d built, %d reused] %s: %.2f ms, %.3f x the reference "
            "(predicted %.2f, %+.1f %%)%s; about %.0f min left\n", s->built, s->reused, what,
            p->median_ms, p->ratio, p->predicted_ms,
            p->predicted_ms > 0 ? 100 * (p->predicted_ms / p->median_ms - 1) : 0,
            point_fits(s, p) ? ", fits" : "", ceil(left * each / 60));
}

static bool same_request(const Point *a, const Point *b)
{
    return a->preset || b->preset ? a->preset && b->preset && !strcmp(a->preset, b->preset)
                                  : a->alpha == b->alpha && a->beta == b->beta &&
                                        a->gamma == b->gamma && a->phi == b->phi;
}

/* Measures p (or takes an earlier measurement of its architecture) and
 * records it, once per request; left: measurements still expected, for the
 * estimate. */
static void measure(Search *s, Point *p, int left)
{
    const Point *known = measured_key(s, p->key);
    if (known && same_request(known, p)) {
        *p = *known;
        return;
    }
    if (known) {
        p->measured = p->reused = true;
        p->median_ms = known->median_ms;
        p->ratio = known->ratio;
        p->spread = known->spread;
        p->min_ms = known->min_ms;
        p->max_ms = known->max_ms;
    } else {
        measure_point(s, p, false);
        progress(s, p, left);
    }
    search_record(s, p);
    update_correction(s);
}

/* ---- OUTDIR ---- */

/* What decides the measurements besides the architecture: a rerun reuses
 * OUTDIR's only when this text is the same. */
static char *configuration(const Search *s)
{
    const Options *o = s->o;
    const char *r = o->search.runner;
    return arena_printf(s->arena,
                        "effcc scale %s\nspec fnv1a64 %016llx\ntarget %s\nthreads %d\nclasses %d\n"
                        "bench-runs %d\nrunner %s%016llx\n",
                        EFFCC_VERSION, (unsigned long long)s->spec->hash, o->target->name,
                        o->threads, o->scale.classes, o->search.bench_runs,
                        r ? "fnv1a64 " : "make in place ",
                        r ? (unsigned long long)hash_fnv1a(r, strlen(r)) : 0ull);
}

static void make_dir(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        error_in(path, "cannot create the folder: %s", strerror(errno));
}

/* Creates OUTDIR (and the folders that hold it), or checks that it is one
 * effcc scale made with the same configuration. */
static void prepare_out(Search *s)
{
    const char *conf_path = arena_printf(s->arena, "%s/scale.conf", s->out);
    char *conf = configuration(s);
    struct stat st;
    if (lstat(s->out, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            error_in(s->out, "exists and is not a folder");
        if (lstat(conf_path, &st) != 0)
            error_in(s->out, "exists and holds no scale.conf: not a folder effcc scale made; "
                     "refusing to write into it (name a new folder)");
        Buf old = read_file_max(conf_path, 4096);
        bool same = old.data && !strcmp(old.data, conf);
        if (!same) {
            const char *a = old.data ? old.data : "", *b = conf;
            while (*a && *a == *b)
                a++, b++;
            while (a > old.data && a[-1] != '\n')
                a--, b--;
            char was[128], now[128];
            snprintf(was, sizeof was, "%.*s", (int)strcspn(a, "\n"), a);
            snprintf(now, sizeof now, "%.*s", (int)strcspn(b, "\n"), b);
            buf_free(&old);
            error_in(conf_path, "its measurements were made with '%s', this search asks for "
                     "'%s': they would not compare; name another -o folder", was, now);
        }
        buf_free(&old);
    } else {
        char *path = arena_strdup(s->arena, s->out);
        for (char *c = path + 1; *c; c++)
            if (*c == '/') {
                *c = '\0';
                make_dir(path);
                *c = '/';
            }
        make_dir(path);
        write_file(conf_path, conf, strlen(conf));
    }
    make_dir(arena_printf(s->arena, "%s/runs", s->out));
    const char *build = arena_printf(s->arena, "%s/build", s->out);
    if (lstat(build, &st) == 0)
        remove_folder(build); /* the folders of a killed run */
    make_dir(build);
}

/* ---- step 1: profile and fit ---- */

typedef struct {
    CostSample *samples;
    int n, cap;
    const char **labels; /* the last graph's call labels, copied into arena */
    Arena *arena;
} Fit;

static void collect_calls(const Graph *g, void *ctx)
{
    Fit *f = ctx;
    int n;
    cost_samples(g, NULL, &n, NULL);
    if (n > f->cap - f->n)
        internal_error("scale: more kernel calls than %d", MAX_CALLS);
    cost_samples(g, f->samples + f->n, &n, f->labels);
    for (int i = 0; i < n; i++) /* the graph's arena goes when this returns */
        f->labels[i] = arena_strdup(f->arena, f->labels[i]);
    f->n += n;
}

static void profile_and_fit(Search *s, const Candidate *own)
{
    const double r2 = sqrt(2.0);
    const Candidate corners[] = {
        {own->alpha, own->beta, own->gamma, true, {0}}, {own->alpha, own->beta, own->gamma, true, {0}},
        {2, 1, 1, false, {0}}, {1, r2, 1, false, {0}}, {1, 1, r2, false, {0}}};
    const double phis[] = {0, 1, 1, 1, 1};
    int ncorners = (int)(sizeof phis / sizeof *phis);
    Fit fit = {arena_array(s->arena, MAX_CALLS * 5, sizeof(CostSample)), 0, MAX_CALLS * 5, NULL,
               s->arena};
    char(*labels)[128] = arena_array(s->arena, MAX_CALLS, sizeof *labels);
    double *ms = arena_array(s->arena, MAX_CALLS, sizeof *ms);
    const char **names = arena_array(s->arena, MAX_CALLS, sizeof *names);
    double *ratio = arena_array(s->arena, 8, sizeof *ratio);
    int nratio = 0;
    for (int i = 0; i < ncorners; i++) {
        Point p = at_phi(s, &corners[i], phis[i]);
        if (!p.valid)
            continue;
        bool built = measure_point(s, &p, true);
        fprintf(stderr, "effcc: scale: profile %d of %d (alpha %.2f beta %.2f gamma %.2f phi %g)"
                "%s\n", i + 1, ncorners, p.alpha, p.beta, p.gamma, p.phi,
                built ? "" : ", reused");
        double latency;
        int calls = profile_calls(s, &p, labels, ms, MAX_CALLS, &latency);
        int start = fit.n;
        fit.labels = names;
        point_with_graph(s, &p, collect_calls, &fit);
        if (fit.n - start != calls)
            error_msg("the profile of %s has %d calls, its graph %d: not this effcc's output",
                      p.key, calls, fit.n - start);
        double sum = 0;
        for (int k = 0; k < calls; k++) {
            if (strcmp(labels[k], names[k]))
                error_msg("the profile of %s times '%s' where its graph calls '%s'", p.key,
                          labels[k], names[k]);
            fit.samples[start + k].ms = ms[k];
            sum += ms[k];
        }
        if (sum > 0)
            ratio[nratio++] = latency / sum;
    }
    if (!fit.n)
        error_msg("scale: no profile point could be built within the limits");
    cost_fit(&s->cost, fit.samples, fit.n);
    /* the calls' means sum to a little less than the median run */
    s->correction = nratio ? scale_median(ratio, nratio) : 1;
}

/* ---- step 2: predict ---- */

/* The largest φ in [0, phi_max] predicted to fit (point_fits reads the
 * prediction of a point not measured): phi −1 when none does. */
static Point predict(Search *s, const Candidate *c)
{
    double lo = 0, hi = s->o->search.phi_max;
    Point best = at_phi(s, c, 0);
    if (!point_fits(s, &best)) {
        best.phi = -1;
        return best;
    }
    Point top = at_phi(s, c, hi);
    if (point_fits(s, &top))
        return top;
    while (hi - lo > 1e-3) {
        double mid = (lo + hi) / 2;
        Point p = at_phi(s, c, mid);
        if (point_fits(s, &p)) {
            lo = mid;
            best = p;
        } else {
            hi = mid;
        }
    }
    return best;
}

static int grid(const Search *s, Candidate *out, int max)
{
    const SearchOptions *o = &s->o->search;
    int n = 0, steps = (int)floor(1.0 / o->grid_step + 1e-9);
    for (int i = 0; i <= steps; i++)
        for (int j = 0; j <= steps; j++)
            for (int k = 0; k <= steps; k++) {
                double a = 1 + i * o->grid_step, b = 1 + j * o->grid_step, g = 1 + k * o->grid_step;
                if (fabs(a * b * b * g * g - 2) <= o->band && n < max)
                    out[n++] = (Candidate){round(a * 1e4) / 1e4, round(b * 1e4) / 1e4,
                                           round(g * 1e4) / 1e4, false, {0}};
            }
    return n;
}

static int by_predicted_macs(const void *x, const void *y)
{
    const Candidate *a = x, *b = y;
    uint64_t ma = a->pred.phi >= 0 ? a->pred.macs : 0, mb = b->pred.phi >= 0 ? b->pred.macs : 0;
    if (ma != mb)
        return ma > mb ? -1 : 1;
    if (a->alpha != b->alpha) /* a fixed order for equal figures */
        return a->alpha < b->alpha ? -1 : 1;
    if (a->beta != b->beta)
        return a->beta < b->beta ? -1 : 1;
    return (a->gamma > b->gamma) - (a->gamma < b->gamma);
}

/* ---- step 3: measure ---- */

/* Measures c at φ when it fits the exact budgets; true when it fits all. */
static bool fits_measured(Search *s, const Candidate *c, double phi, Point *out, int left)
{
    *out = at_phi(s, c, phi);
    if (!fits_exact(s, out))
        return false;
    measure(s, out, left);
    return point_fits(s, out);
}

/* The largest φ whose measured median fits, from c's prediction: a first
 * bracket PHI_STEP wide, widened until it holds the boundary, then
 * bisection to --phi-tolerance. A φ whose architecture is a bracket end's is
 * that end's, without a build. Its point has phi −1 when even φ = 0 fails. */
static Point search_phi(Search *s, const Candidate *c, int left)
{
    double phi_max = s->o->search.phi_max;
    double phi = c->pred.phi >= 0 ? c->pred.phi : 0;
    Point p, lo = {.phi = -1}, hi = {.phi = -1};
    Point none = {.phi = -1, .alpha = c->alpha, .beta = c->beta, .gamma = c->gamma};
    if (fits_measured(s, c, phi, &p, left))
        lo = p;
    else
        hi = p;
    while (lo.phi < 0 || hi.phi < 0) { /* widen the bracket by PHI_STEP */
        double next = lo.phi < 0 ? hi.phi - PHI_STEP : lo.phi + PHI_STEP;
        if (hi.phi == 0)
            return none;
        if (next > phi_max)
            return lo;
        if (fits_measured(s, c, next < 0 ? 0 : next, &p, left))
            lo = p;
        else
            hi = p;
    }
    while (hi.phi - lo.phi > s->o->search.phi_tolerance) {
        double mid = (lo.phi + hi.phi) / 2;
        Point m = at_phi(s, c, mid);
        if (m.valid && !strcmp(m.key, lo.key)) {
            lo.phi = mid;
        } else if (m.valid && !strcmp(m.key, hi.key)) {
            hi.phi = mid;
        } else if (fits_measured(s, c, mid, &m, left)) {
            lo = m;
        } else {
            hi = m;
        }
    }
    return lo;
}

static void measure_presets(Search *s)
{
    s->npresets = s->spec->npresets;
    s->presets = arena_array(s->arena, (size_t)s->npresets + 1, sizeof *s->presets);
    for (int i = 0; i < s->npresets; i++) {
        Point *p = &s->presets[i];
        p->preset = s->spec->presets[i].name;
        point_plan(s, p);
        bool near = !(s->budget_ms > 0) || p->predicted_ms <= PRESET_REACH * s->budget_ms;
        if (near && fits_exact(s, p))
            measure(s, p, s->npresets - i);
    }
}

/* The spec's α, β, γ at φ = 0, 0.5, 1, … while predicted within reach of
 * the budget: the measured points of the latency-against-φ picture. */
static void measure_spec_curve(Search *s, const Candidate *own)
{
    const SearchOptions *o = &s->o->search;
    for (double phi = 0; phi <= o->phi_max + 1e-9; phi += 0.5) {
        Point p = at_phi(s, own, phi);
        if (!fits_exact(s, &p) || (s->budget_ms > 0 && p.predicted_ms > PRESET_REACH * s->budget_ms))
            break;
        measure(s, &p, 1);
    }
}

/* The candidates measured, ranked by multiply-adds at the budget (the
 * paper's proxy for accuracy): chosen is the first that fits. */
static int by_macs(const void *x, const void *y)
{
    const Point *a = x, *b = y;
    bool fa = a->phi >= 0, fb = b->phi >= 0;
    if (fa != fb)
        return fa ? -1 : 1;
    return (a->macs < b->macs) - (a->macs > b->macs);
}

static void estimate_noise(Search *s)
{
    double *r = arena_array(s->arena, (size_t)s->npoints + 1, sizeof *r);
    int n = 0;
    for (int i = 0; i < s->npoints; i++)
        r[n++] = s->points[i].spread;
    s->noise = n ? scale_median(r, n) : 0;
    if (s->noise < 0.01)
        s->noise = 0.01;
}

void scale_search(Arena *a, const Options *o)
{
    Search *s = arena_alloc(a, sizeof *s);
    s->arena = a;
    s->o = o;
    s->out = o->outdir;
    s->correction = 1;
    s->chosen = -1;
    s->spec = spec_load(a, o->spec);
    Candidate own = {s->spec->alpha, s->spec->beta, s->spec->gamma, true, {0}};
    Point base = at_phi(s, &own, 0);
    if (!base.valid)
        error_msg("scale: the spec's own model (phi 0) cannot be planned: %s", base.why);
    Point budget = {.preset = o->search.budget_preset};
    s->budget_ms = budget.preset ? 0 : o->search.budget_ms;
    if (budget.preset) {
        point_plan(s, &budget);
        if (!budget.valid)
            error_msg("--budget-ms %gx%s: %s", o->search.budget_ms, budget.preset, budget.why);
    }
    prepare_out(s);

    reference_measure(s, budget.preset ? &budget : &base);
    fprintf(stderr, "effcc: scale: reference %s: %.3f ms\n",
            budget.preset ? budget.preset : "the spec at phi 0", s->reference_ms);
    if (budget.preset) { /* --budget-ms FxPRESET */
        s->budget_ms = o->search.budget_ms * s->reference_ms;
        fprintf(stderr, "effcc: scale: budget %.3f ms: %g x preset %s's\n", s->budget_ms,
                o->search.budget_ms, budget.preset);
    }
    if (s->budget_ms > 0) /* exact budgets need no prediction */
        profile_and_fit(s, &own);
    int max = 4096;
    Candidate *cands = arena_array(a, (size_t)max + 1, sizeof *cands);
    int n = grid(s, cands, max);
    bool own_in_grid = false;
    for (int i = 0; i < n; i++)
        if (fabs(cands[i].alpha - own.alpha) < 1e-9 && fabs(cands[i].beta - own.beta) < 1e-9 &&
            fabs(cands[i].gamma - own.gamma) < 1e-9)
            cands[i].own = own_in_grid = true;
    if (!own_in_grid)
        cands[n++] = own;
    for (int i = 0; i < n; i++)
        cands[i].pred = predict(s, &cands[i]);
    qsort(cands, (size_t)n, sizeof *cands, by_predicted_macs);
    s->grid = arena_array(a, (size_t)n, sizeof *s->grid);
    for (int i = 0; i < n; i++) {
        s->grid[i] = cands[i].pred;
        s->grid[i].alpha = cands[i].alpha, s->grid[i].beta = cands[i].beta;
        s->grid[i].gamma = cands[i].gamma;
    }
    s->ngrid = n;
    fprintf(stderr, "effcc: scale: %d candidates predicted (cost model on %d profiled calls); "
            "measuring the spec's and the top %d\n", n, s->cost.samples, o->search.top);

    /* the spec's and the top candidates, one per predicted architecture */
    bool *chosen = arena_array(a, (size_t)n, sizeof *chosen);
    int picked = 0, nchosen = 0;
    for (int i = 0; i < n; i++) {
        bool dup = false;
        for (int j = 0; j < i && !dup; j++)
            dup = chosen[j] && cands[j].pred.phi >= 0 && !strcmp(cands[j].pred.key, cands[i].pred.key);
        chosen[i] = cands[i].own || (!dup && picked < o->search.top);
        picked += chosen[i] && !cands[i].own;
        nchosen += chosen[i];
    }
    s->best = arena_array(a, (size_t)nchosen + 1, sizeof *s->best);
    for (int i = 0; i < n; i++) {
        if (!chosen[i])
            continue;
        int left = 5 * (nchosen - s->nbest) + 8; /* bisections, then the curve and presets */
        Point b = search_phi(s, &cands[i], left);
        b.alpha = cands[i].alpha, b.beta = cands[i].beta, b.gamma = cands[i].gamma;
        s->best[s->nbest++] = b;
    }
    measure_spec_curve(s, &own);
    measure_presets(s);

    estimate_noise(s);
    qsort(s->best, (size_t)s->nbest, sizeof *s->best, by_macs);
    if (s->nbest && s->best[0].phi >= 0) {
        s->chosen = 0;
        Point profiled = s->best[0]; /* its per-layer times, for the chart */
        measure_point(s, &profiled, true);
    }
    report_write(s);
}
