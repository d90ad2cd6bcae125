/* int8.c — the int8 model of a lowered graph, for run (and compile).
 *
 * fold_bn → fuse_clamps → calibrate on --calibration's inputs (with
 * --estimator) → quantize (with --keep-float), the verifier after each, as
 * docs/int8.md describes; then --save-quantized writes the result. */
#include "driver.h"

static void verified(const Graph *g, const char *after)
{
    char msg[512];
    if (!ir_verify(g, msg, sizeof msg))
        internal_error("IR invalid after %s: %s", after, msg);
}

void int8_prepare(Arena *a, const Options *o, Graph *g)
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
    if (o->save_quantized)
        quant_export(g, o->save_quantized);
}
