/* int8_auto.c — --keep-float auto:DB: the fewest layers kept in float for
 * the logits to reach DB of SNR against float on the calibration inputs.
 *
 * Each layer (a node label: a conv with its activation, an SE's pool and
 * scale share one) is ranked by the SNR of its own int8 op — its inputs
 * exact, so only its own rounding counts (ir_eval_int8_compare) — worst
 * first. Keeping the k worst in float is then measured end to end for a k
 * growing by doubling until the target is reached, and the smallest such k
 * is found by bisection: about 2·log2(k) evaluations of the int8 model. A
 * layer the user kept stays kept. Exact search over subsets would cost an
 * evaluation per subset; the ranking is the usual layer-sensitivity
 * heuristic, and the note says what it reached. */
#include "driver.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define AUTO_INPUTS 4 /* calibration inputs each evaluation runs */
#define NOTE_LAYERS 8 /* layers the note names when report.txt has them all */

typedef struct {
    const char *label;
    double snr;  /* the worst own SNR of its nodes */
    int first;   /* its first node: ties in order */
} Layer;

typedef struct {
    double *signal, *own; /* per node */
    float *logits;        /* per input: the float logits */
    size_t nlogits;
    int input;            /* the input being compared */
} Own;

static void add_own(void *ctx, const Graph *g, int i, const float *ref, const float *model,
                    const float *own)
{
    (void)model;
    Own *s = ctx;
    size_t n = shape_numel(g->nodes[i].shape);
    for (size_t k = 0; k < n; k++) {
        double e = (double)ref[k] - own[k];
        s->signal[i] += (double)ref[k] * ref[k];
        s->own[i] += e * e;
    }
    if (i == g->output)
        memcpy(s->logits + (size_t)s->input * s->nlogits, ref, n * sizeof(float));
}

static int by_snr(const void *a, const void *b)
{
    const Layer *x = a, *y = b;
    if (x->snr != y->snr)
        return x->snr < y->snr ? -1 : 1;
    return x->first - y->first;
}

/* The layers not kept yet, worst own SNR first; *count of them. */
static Layer *rank_layers(Arena *a, const Graph *g, const Own *s, int *count)
{
    Layer *l = arena_array(a, (size_t)g->nnodes, sizeof *l);
    int n = 0;
    for (int i = 1; i < g->nnodes; i++) {
        const Node *node = &g->nodes[i];
        if (node->dead || node->qfloat || !node->label)
            continue;
        double snr = s->own[i] == 0 ? INFINITY : 10 * log10(s->signal[i] / s->own[i]);
        int k = 0;
        while (k < n && strcmp(l[k].label, node->label))
            k++;
        if (k == n)
            l[n++] = (Layer){.label = node->label, .snr = snr, .first = i};
        else if (snr < l[k].snr)
            l[k].snr = snr;
    }
    qsort(l, (size_t)n, sizeof *l, by_snr);
    *count = n;
    return l;
}

/* Keeps the first k ranked layers in float (and the user's), no others. */
static void keep_first(Graph *g, const bool *user, const Layer *l, int k)
{
    for (int i = 1; i < g->nnodes; i++) {
        Node *n = &g->nodes[i];
        n->qfloat = user[i];
        for (int j = 0; j < k && !n->qfloat; j++)
            n->qfloat = n->label && !strcmp(n->label, l[j].label);
    }
}

/* The logits' SNR against float over the inputs, as the graph is kept. */
static double logits_snr(const Graph *g, const float *inputs, int count, const Own *s,
                         float *logits)
{
    size_t in = shape_numel(g->nodes[0].shape);
    double signal = 0, noise = 0;
    for (int t = 0; t < count; t++) {
        ir_eval_int8(g, inputs + (size_t)t * in, logits, NULL, NULL);
        const float *ref = s->logits + (size_t)t * s->nlogits;
        for (size_t k = 0; k < s->nlogits; k++) {
            double d = (double)ref[k] - logits[k];
            signal += (double)ref[k] * ref[k];
            noise += d * d;
        }
    }
    return noise == 0 ? INFINITY : 10 * log10(signal / noise);
}

/* An SNR as the note prints it: "31.2 dB", or "exact" (no difference). */
static const char *db_text(char *out, size_t size, double snr)
{
    if (isinf(snr))
        snprintf(out, size, "exact");
    else
        snprintf(out, size, "%.1f dB", snr);
    return out;
}

void int8_keep_auto(Arena *a, const Options *o, Graph *g, const float *inputs, int count,
                    Buf *report)
{
    int k = count < AUTO_INPUTS ? count : AUTO_INPUTS;
    Own s = {arena_array(a, (size_t)g->nnodes, sizeof(double)),
             arena_array(a, (size_t)g->nnodes, sizeof(double)), NULL,
             shape_numel(g->nodes[g->output].shape), 0};
    s.logits = arena_array(a, (size_t)k * s.nlogits, sizeof(float));
    float *logits = arena_array(a, s.nlogits, sizeof(float));
    size_t in = shape_numel(g->nodes[0].shape);
    for (s.input = 0; s.input < k; s.input++)
        ir_eval_int8_compare(g, inputs + (size_t)s.input * in, add_own, &s);
    bool *user = arena_array(a, (size_t)g->nnodes, sizeof(bool));
    bool named = false; /* layers the user kept */
    for (int i = 0; i < g->nnodes; i++) {
        user[i] = g->nodes[i].qfloat;
        named = named || user[i];
    }
    const char *base = named ? "with only the named layers kept" : "with none kept";
    int n;
    Layer *l = rank_layers(a, g, &s, &n);
    double target = o->keep_auto_db, none = logits_snr(g, inputs, k, &s, logits), got = none;
    int lo = 0, hi = 0; /* lo misses the target, hi reaches it */
    if (none < target) {
        hi = 1;
        for (;;) {
            hi = hi < n ? hi : n;
            keep_first(g, user, l, hi);
            got = logits_snr(g, inputs, k, &s, logits);
            if (got >= target || hi == n)
                break;
            lo = hi;
            hi *= 2;
        }
        if (got < target)
            error_msg("--keep-float auto:%g: with all %d layers in float the logits reach only "
                      "%.1f dB against float on %d calibration input%s (%.1f dB %s)", target, n,
                      got, k, k == 1 ? "" : "s", none, base);
        while (hi - lo > 1) {
            int mid = lo + (hi - lo) / 2;
            keep_first(g, user, l, mid);
            double at = logits_snr(g, inputs, k, &s, logits);
            if (at >= target) {
                hi = mid;
                got = at;
            } else {
                lo = mid;
            }
        }
    }
    keep_first(g, user, l, hi);
    Buf names = {0}, shown = {0}; /* all of them; the note's first few */
    for (int j = 0; j < hi; j++) {
        buf_printf(&names, "%s%s", j ? "," : "", l[j].label);
        if (j < NOTE_LAYERS || !report)
            buf_printf(&shown, "%s%s", j ? "," : "", l[j].label);
    }
    if (hi > NOTE_LAYERS && report)
        buf_printf(&shown, " and %d more (report.txt lists them)", hi - NOTE_LAYERS);
    char got_text[32], none_text[32];
    db_text(got_text, sizeof got_text, got);
    db_text(none_text, sizeof none_text, none);
    note("--keep-float auto:%g: %d layer%s kept in float%s%s; logits %s against float on %d "
         "calibration input%s (%s %s)", target, hi, hi == 1 ? "" : "s",
         hi ? ": " : "", hi ? shown.data : "", got_text, k, k == 1 ? "" : "s", none_text, base);
    buf_free(&shown);
    if (report)
        buf_printf(report, "\nint8: --keep-float auto:%g kept %d layer%s in float%s%s (worst own SNR "
                           "first); logits %s against float on %d calibration input%s, %s "
                           "%s\n", target, hi, hi == 1 ? "" : "s", hi ? ": " : "",
                   hi ? names.data : "", got_text, k, k == 1 ? "" : "s", none_text, base);
    buf_free(&names);
}
