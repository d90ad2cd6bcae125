/* int8.c — the int8 model of a lowered graph, for run (and compile).
 *
 * fold_bn → fuse_clamps → calibrate on --calibration's inputs (with
 * --estimator) → quantize (with --keep-float; auto:DB adds layers,
 * driver/int8_auto.c), the verifier after each, as docs/int8.md describes;
 * then --save-quantized writes the result. */
#include "driver.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void verified(const Graph *g, const char *after)
{
    char msg[512];
    if (!ir_verify(g, msg, sizeof msg))
        internal_error("IR invalid after %s: %s", after, msg);
}

/* ---- report.txt's quantization table ----------------------------------- */

#define REPORT_INPUTS 8                   /* calibration inputs the SNR is measured on */
#define REPORT_MAX_BYTES ((size_t)1 << 30) /* float values of one input kept at once */

typedef struct {
    double *signal, *noise, *own; /* per node: Σ ref², Σ (ref − int8)², Σ (ref − own)² */
} Snr;

static void add_errors(void *ctx, const Graph *g, int i, const float *ref, const float *model,
                       const float *own)
{
    Snr *s = ctx;
    size_t n = shape_numel(g->nodes[i].shape);
    for (size_t k = 0; k < n; k++) {
        double r = ref[k], d = r - model[k], e = r - own[k];
        s->signal[i] += r * r;
        s->noise[i] += d * d;
        s->own[i] += e * e;
    }
}

static void snr_text(char *out, size_t size, double signal, double noise)
{
    if (noise == 0)
        snprintf(out, size, "exact");
    else if (signal > 0)
        snprintf(out, size, "%.1f", 10 * log10(signal / noise));
    else
        snprintf(out, size, "-");
}

/* Each value's int8 params and how far its int8 value (dequantized) is from
 * the float one, SNR = 10·log10(Σ float² / Σ (float − int8)²) over the
 * first REPORT_INPUTS calibration inputs: in the model (the error of every
 * layer up to it) and of its own op (its inputs exact: the error it adds);
 * the float graph is the same one, node for node (quantize keeps the float
 * params). */
static void quant_table(Arena *a, const Options *o, const Graph *g, const float *inputs, int count,
                        Buf *b)
{
    size_t all = 0, in = shape_numel(g->nodes[0].shape);
    for (int i = 0; i < g->nnodes; i++)
        all += g->nodes[i].dead ? 0 : shape_numel(g->nodes[i].shape) * sizeof(float);
    int k = count < REPORT_INPUTS ? count : REPORT_INPUTS;
    if (all > REPORT_MAX_BYTES)
        k = 0;
    Snr s = {arena_array(a, (size_t)g->nnodes, sizeof(double)),
             arena_array(a, (size_t)g->nnodes, sizeof(double)),
             arena_array(a, (size_t)g->nnodes, sizeof(double))};
    for (int t = 0; t < k; t++)
        ir_eval_int8_compare(g, inputs + (size_t)t * in, add_errors, &s);
    buf_printf(b, "\nint8: ranges from %d calibration input%s (%s), estimator %s; SNR of each value "
                  "against float on the first %d,\nin the model and of the layer's own op (its "
                  "inputs exact)\n", count, count == 1 ? "" : "s",
               o->calibration, estimator_names[o->estimator], k);
    buf_printf(b, "%-5s %-26s %-10s %14s %5s %8s %8s\n", "value", "layer", "op", "scale", "zp",
               "SNR dB", "own dB");
    for (int i = 0; i < g->nnodes; i++) {
        const Node *n = &g->nodes[i];
        if (n->dead)
            continue;
        char snr[32] = "-", own[32] = "-";
        if (k) {
            snr_text(snr, sizeof snr, s.signal[i], s.noise[i]);
            snr_text(own, sizeof own, s.signal[i], s.own[i]);
        }
        const char *op = n->op == OP_ACT ? act_names[n->act.kind] : op_names[n->op];
        buf_printf(b, "%%%-4d %-26s %-10s %14.8g %5d %8s %8s%s\n", i, n->label ? n->label : "-", op,
                   (double)n->q.scale, (int)n->q.zp, snr, own, n->qfloat ? "  (kept in float)" : "");
    }
}

void int8_prepare(Arena *a, const Options *o, Graph *g, Buf *report)
{
    fold_bn(g);
    verified(g, "fold_bn");
    fuse_clamps(g);
    verified(g, "fuse_clamps");
    int count;
    float *inputs = calibration_load(a, o->calibration, g, &count);
    note("calibrating on %d input%s (estimator %s)", count, count == 1 ? "" : "s",
         estimator_names[o->estimator]);
    ValueRange *ranges = calibrate(a, g, inputs, count, o->estimator);
    QuantizeOptions qo = {.keep_float = o->keep_float, .nkeep = o->nkeep};
    quantize(g, ranges, &qo);
    verified(g, "quantize");
    if (o->keep_auto_db > 0)
        int8_keep_auto(a, o, g, inputs, count, report);
    if (report)
        quant_table(a, o, g, inputs, count, report);
    if (o->save_quantized)
        quant_export(g, o->save_quantized);
}
