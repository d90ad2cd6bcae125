/* driver.h — the command line: options and the report of effcc info. */
#ifndef EFFCC_DRIVER_H
#define EFFCC_DRIVER_H

#include "codegen.h"
#include "frontend.h"
#include "passes.h"

/* ===== driver/cli.c ======================================================
 * The command line parsed into Options. cli_parse never exits: it returns -1
 * when o->command should run, otherwise the exit status (0 after --help or
 * --version, printed on stdout; 2 after a usage error, printed on stderr).
 * Strings point into argv; cli_free releases what cli_parse allocated. */
/* effcc scale: the budgets a point must fit (0: none) and how the search
 * runs (driver/scale_search.c). */
typedef struct {
    double budget_ms;                      /* --budget-ms: measured median latency */
    const char *budget_preset;             /* --budget-ms FxPRESET: F × that preset's, */
                                           /* measured in the same search (budget_ms = F) */
    uint64_t budget_arena, budget_params;  /* --budget-arena BYTES, --budget-params N */
    const char *runner;                    /* --runner CMD, NULL: make in place */
    double grid_step;                      /* --grid-step (0.05, the paper's) */
    double band;                           /* --band: alpha*beta^2*gamma^2 within 2 +- band */
    double phi_max;                        /* --phi-max: largest phi tried */
    double phi_tolerance;                  /* --phi-tolerance: the bisection's last step */
    int top;                               /* --top: grid candidates measured */
    int bench_runs;                        /* --bench-runs: runs per measurement */
} SearchOptions;

typedef struct {
    const char *command; /* "compile", "info", "run" or "scale" */
    const char *spec, *outdir, *name, *weights, *save_weights;
    const char *target_name; /* --target as given, NULL when not */
    const Target *target;    /* what it names (host resolved), or the default target */
    const char *input, *output; /* run: --input FILE, --output FILE */
    ScaleRequest scale;
    uint64_t seed;
    const char *labels; /* --labels FILE */
    uint64_t max_bytes; /* --max-bytes, LIMIT_DEFAULT_BYTES when not given */
    bool has_seed, json, dump, allow_nonfinite;
    bool no_fuse, no_tile, code_size;
    int threads;        /* most threads the fused kernels' scratch is sized for */
    /* int8 (docs/int8.md), compile and run: --quantize int8 needs
     * --calibration; the others need --quantize. */
    bool quantize_int8;        /* --quantize int8 */
    const char *calibration;   /* --calibration DIR (calibration_load) */
    Estimator estimator;       /* --estimator, ESTIMATOR_MSE when not given */
    bool has_estimator;
    const char **keep_float;   /* --keep-float L1,L2 (repeatable): node labels, copies */
    int nkeep;
    double keep_auto_db;       /* --keep-float auto:DB: the logits' SNR to reach (0: off) */
    const char *save_quantized; /* run: --save-quantized FILE */
    SearchOptions search;       /* scale */
    char *recorded; /* the command line as recorded in generated files */
} Options;
int cli_parse(Options *o, int argc, char **argv);
void cli_free(Options *o);

/* ===== driver/info.c =====================================================
 * The report of `effcc info`: per-stage table and totals, text or JSON.
 * g is the graph after the pipeline (its external params still count). */
void info_report_text(Buf *b, const Graph *g);
void info_code_size_text(Buf *b, const CodeSize *cs);
void info_print_text(FILE *out, const Graph *g, const CodeSize *cs);
void info_print_json(FILE *out, const Graph *g, const CodeSize *cs);

/* ===== driver/scale_search.c =============================================
 * effcc scale (driver/scale.h): the search, its measurements in o->outdir. */
void scale_search(Arena *a, const Options *o);

/* ===== driver/int8.c =====================================================
 * o->quantize_int8: g (lowered, weights loaded) becomes its int8 model:
 * fold_bn, fuse_clamps, calibrate on o->calibration, quantize; written to
 * o->save_quantized when given. With report, appends the quantization
 * table: each value's scale, zero point and SNR against float. */
void int8_prepare(Arena *a, const Options *o, Graph *g, Buf *report);
/* driver/int8_auto.c, --keep-float auto:DB: marks the fewest more layers
 * qfloat (worst own SNR first) for the logits to reach o->keep_auto_db
 * against float on the first calibration inputs; says which in a note and,
 * with report, a line of it. A target that every layer in float misses is
 * a user error. */
void int8_keep_auto(Arena *a, const Options *o, Graph *g, const float *inputs, int count,
                    Buf *report);

/* ===== driver/quant_export.c =============================================
 * --save-quantized FILE: a quantized graph (fold_bn, fuse_clamps, quantize;
 * nothing kept in float) as safetensors: every conv's int8 weights, scales
 * and int32 bias under their param names, and the graph's IR text in the
 * metadata ("format": "effcc-int8", "ir"), from which
 * tools/tflite_export.py writes the same model as a full-integer .tflite. */
void quant_export(const Graph *g, const char *path);

#endif
