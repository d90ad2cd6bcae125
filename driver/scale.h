/* scale.h — effcc scale: the paper's α/β/γ grid search, with φ chosen by
 * measured latency on the target (docs/scale.md). Shared by scale_*.c:
 *
 *   scale_point.c    a point (α, β, γ, φ or a preset) planned: its graph's
 *                    figures and architecture key; compiled into a folder
 *   scale_cost.c     the cost model: per-kernel times from profile builds
 *   scale_measure.c  building and timing a folder (make or --runner) and
 *                    the measurements kept in OUTDIR/runs for resuming
 *   scale_report.c   candidates.csv, frontier.csv, ranking.txt, the plots
 *   scale_search.c   the search: profile, predict, measure, report */
#ifndef EFFCC_SCALE_H
#define EFFCC_SCALE_H

#include "driver.h"

#define SCALE_KEY_BYTES 48

/* One point of the search. A preset's point has preset set; the others
 * are α, β, γ and φ. */
typedef struct {
    const char *preset;
    double alpha, beta, gamma, phi;
    /* point_plan: the pipeline's figures; valid is false when the
     * request is beyond effcc's limits (why holds the message) */
    bool valid;
    char why[256];
    char key[SCALE_KEY_BYTES]; /* names the architecture: equal keys, equal code */
    int resolution;
    double width, depth;
    uint64_t macs, params, weights_bytes, arena_bytes;
    double raw_ms;       /* the cost model's sum over the kernel calls */
    double predicted_ms; /* raw_ms × the correction known before measuring */
    /* measure_point */
    bool measured, reused;
    double median_ms;        /* ratio × the reference's latency */
    double ratio, spread;    /* to the reference: median, and half the range over the pairs
                              * relative to it */
    double min_ms, max_ms;   /* the point's fastest and slowest run */
} Point;

/* ---- scale_cost.c ---- */
enum { COST_FEATURES = 3, COST_CLASSES = 11 };
typedef struct {
    double coef[COST_CLASSES][COST_FEATURES]; /* ms per M multiply-adds, per MB, per call */
    bool fitted;
    int samples;
} CostModel;
/* One profiled kernel call: its class, features and mean time. */
typedef struct {
    int cls;
    double f[COST_FEATURES];
    double ms;
} CostSample;
/* The kernel calls of a planned float graph, in the order the generated
 * code makes them (and its profile prints them); n gets their count. */
void cost_samples(const Graph *g, CostSample *out, int *n, const char **labels);
void cost_fit(CostModel *m, const CostSample *s, int n);
double cost_predict(const CostModel *m, const Graph *g); /* ms, uncorrected */

/* ---- scale_point.c ---- */
typedef struct Search Search;
/* Plans p (its figures, key, raw_ms when the model is fitted); an error of
 * the request (a limit) leaves p->valid false. */
void point_plan(Search *s, Point *p);
/* The effcc command that compiles p (dir: its folder), shell-quoted. */
char *point_command(Arena *a, const Search *s, const Point *p, const char *dir);
/* Compiles p into dir (synthetic weights; replaced atomically). */
void point_compile(Search *s, const Point *p, const char *dir);
/* Runs f(g, ctx) on p's planned graph (the profile fit reads its calls). */
void point_with_graph(Search *s, const Point *p, void (*f)(const Graph *, void *), void *ctx);

/* ---- scale_measure.c ---- */
/* The reference model's latency (s->reference_ms), measured alone or read
 * from OUTDIR/runs; its folder stays built for the pairs. */
void reference_measure(Search *s, const Point *ref);
double scale_median(double *v, int n); /* sorts v */
/* Measures p (profile: a PROFILE=1 build, whose per-call table goes to
 * samples): from OUTDIR/runs when measured before, else compiled, built and
 * timed. Returns false when it was reused, true when built now. */
bool measure_point(Search *s, Point *p, bool profile);
/* The per-call times of p's profile run: count and label, mean ms each. */
int profile_calls(Search *s, const Point *p, char (*labels)[128], double *ms, int max,
                  double *median_ms);

/* ---- scale_report.c ---- */
void report_write(Search *s);

/* ---- the search's state (scale_search.c) ---- */
struct Search {
    Arena *arena;
    const Options *o;
    const Spec *spec;
    const char *out;     /* OUTDIR */
    double budget_ms;    /* the latency budget (0: none), in ms once measured */
    const char *reference_dir; /* the reference model's folder, built */
    double reference_ms;       /* its latency, measured alone */
    CostModel cost;
    double correction;   /* measured / raw, median over the measured points */
    Point *points;       /* every point measured, in order */
    int npoints, cap;
    Point *grid;         /* every candidate at its predicted φ (phi −1: none fits) */
    int ngrid;
    Point *best;         /* per candidate: the largest fitting φ found */
    int nbest;
    Point *presets;      /* the spec's presets, planned (some measured) */
    int npresets;
    int chosen;          /* index into best: the top-ranked, or -1 */
    double noise;        /* relative: ties in multiply-adds within it */
    int built, reused;   /* measurements made now, and found in OUTDIR/runs */
    double build_seconds;
};
/* The rows of candidates.csv: p is recorded as measured. */
void search_record(Search *s, const Point *p);
/* p fits every budget: the exact ones, and its measured median (its
 * prediction when not measured) within --budget-ms. */
bool point_fits(const Search *s, const Point *p);

#endif
