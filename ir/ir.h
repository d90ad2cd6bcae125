/* ir.h — the IR: a graph of ops whose every shape is a constant, the
 * machine it is compiled for, and what reads it without changing it
 * (verifier, printer, statistics, limits, the reference evaluator).
 * Passes (passes/) transform it; codegen/ renders it. */
#ifndef EFFCC_IR_H
#define EFFCC_IR_H

#include "support.h"

/* The activations a network may use, and how its convolutions pad. */
#define ACT_LIST(X) X(NONE, "none") X(SWISH, "swish") X(SIGMOID, "sigmoid") X(RELU6, "relu6")
typedef enum {
#define X(e, s) ACT_##e,
    ACT_LIST(X)
#undef X
        ACT_COUNT
} Act;
extern const char *const act_names[ACT_COUNT];

/* How convolutions pad: symmetric (k−1)/2 on every side, as PyTorch models
 * do, or TensorFlow's "SAME" (output ceil(in/stride), the odd pixel of
 * padding at the bottom/right), as checkpoints ported from TensorFlow need. */
#define PADDING_LIST(X) X(SYMMETRIC, "symmetric") X(TF_SAME, "tf_same")
typedef enum {
#define X(e, s) PADDING_##e,
    PADDING_LIST(X)
#undef X
        PADDING_COUNT
} Padding;
extern const char *const padding_names[PADDING_COUNT];

/* ===== ir/graph.c ========================================================
 * A graph of ops in topological order; every shape is a constant.
 * Values are node indices: node i produces value i. */
typedef enum {
#define OP(e, s, n) OP_##e,
#include "ops.def"
#undef OP
    OP_COUNT
} Op;
extern const char *const op_names[OP_COUNT];
extern const int op_inputs[OP_COUNT];

typedef struct {
    int c, h, w; /* batch is always 1 */
} Shape;

/* An int8 value's quantisation (TFLite's scheme, ir/quant.c):
 * real = scale·(q − zp). */
typedef struct {
    float scale;
    int32_t zp; /* zero point, in [−128, 127] */
} QuantParams;

/* What a param's elements are: float32 (every param until quantize), or
 * the int8 weights and int32 biases quantize adds. */
typedef enum { PARAM_F32, PARAM_I8, PARAM_I32 } ParamType;

/* A constant tensor: a weight, bias or batch-norm statistic. */
typedef struct {
    const char *name; /* torchvision state_dict key, or a derived name */
    int rank;
    int dims[4];
    ParamType type;
    float *data;   /* PARAM_F32: NULL until weights are loaded or synthesised */
    int8_t *i8;    /* PARAM_I8 */
    int32_t *i32;  /* PARAM_I32 */
    bool buffer;   /* running statistic: not counted as a parameter */
    bool external; /* one of the tensors a weights file must hold */
    size_t offset; /* byte offset in the weights blob, SIZE_MAX if unused (plan_weights) */
} Param;

/* Kernel choices of the tile pass, read by layout and codegen. */
#define KERNEL_LIST(X)                                                                             \
    X(NONE, "none") X(STEM, "stem") X(GEMM, "gemm") X(DW, "dw") X(EXPDW, "expand+dw")             \
    X(POOL, "pool") X(SCALE, "scale") X(ADD, "add") X(ACT, "act")
typedef enum {
#define X(e, s) KERNEL_##e,
    KERNEL_LIST(X)
#undef X
        KERNEL_COUNT
} KernelKind;
extern const char *const kernel_names[KERNEL_COUNT];

/* What a convolution (or linear layer) is, by its shape and what it reads:
 * the one test every pass and report uses (graph.c, conv_role). */
#define CONV_ROLE_LIST(X)                                                                          \
    X(STEM, "stem") X(POINTWISE, "1x1") X(DEPTHWISE, "dw") X(LINEAR, "linear") X(OTHER, "conv")
typedef enum {
#define X(e, s) CONV_##e,
    CONV_ROLE_LIST(X)
#undef X
        CONV_ROLE_COUNT
} ConvRole;
extern const char *const conv_role_names[CONV_ROLE_COUNT];

typedef struct {
    KernelKind kind;
    int mr, nv;    /* GEMM: rows × vectors of the micro-kernel */
    int nvr;       /* GEMM: vectors of the remainder panel (0: none) */
    int cb;        /* GEMM: row blocks per chunk (cache blocking) */
    int ks;        /* GEMM: parts the reduction over input channels is split in (1: whole) */
    int gate;      /* GEMM with an SE gate: 1 scales the weights, 2 the input */
    int nch, chq, chr; /* GEMM: chunks of row blocks, chq blocks each (chq + 1 in the first chr) */
    int owb;       /* DW: output pixels per step along a row */
    int owl, owh;  /* DW: interior columns [owl, owh), whole blocks whose taps are all inside */
    int vu;        /* DW: vectors per cache line, the unit of a channel split */
    size_t pool_rows_at; /* EXPDW: where the SE pool's row sums start in the scratch (floats) */
    int csplit;    /* DW: threads split the channels (1) or the output rows (0) */
} Tile;

typedef struct {
    Op op;
    /* Value inputs. in[0] is the main operand; a CONV2D keeps its fused
     * residual in in[1] and its fused SE gate in in[2] (-1 when absent);
     * SCALE and ADD use in[0] and in[1]. nin = last used slot + 1. */
    int in[3];
    int nin;
    Shape shape;
    const char *label; /* provenance, e.g. "features.2.1.block.1" */
    bool dead;         /* removed by a pass; dropped by graph_compact */
    int fused_into;    /* computed inside that node's kernel, never stored whole; or -1 */
    union {
        struct { /* CONV2D, LINEAR (kernel = 1, stride = 1, groups = 1) */
            int kernel, stride, groups;
            int pad[4]; /* top, left, bottom, right */
            int weight, bias; /* param indices; bias -1 when absent */
            Act act;          /* fused epilogue activation */
            bool residual;    /* in[1] is added after the activation */
            bool gate;        /* in[2] scales each input channel (SE) */
            int pool;         /* the fused AVGPOOL node this conv also fills, or -1 */
            /* quantize: int8 weights (same order as weight, until
             * layout_int8 packs them), their scales per output channel
             * (float) and the int32 bias; -1 before */
            int qweight, qscale, qbias;
            int qrequant; /* layout_int8: int32 multipliers, then shifts, per channel;
                           * with qfast then quant_fast_table's words */
            bool qfast;   /* layout_int8, x86 targets: every channel passes
                           * quant_fast_ok for its sums */
            bool qrows;   /* layout_int8: a depthwise conv's taps paired within rows
                           * (dw_pairs), for kernels that read rows of tap pairs */
            size_t qrows_at; /* layout_int8, qrows: where those rows start in the scratch */
            /* layout_int8: the table of the swish or sigmoid this conv's
             * kernel applies to its output (absorbed: q is then the table's
             * output, qpre the conv's own), or -1 */
            int qtable;
            QuantParams qpre;
        } conv;
        struct { /* BATCHNORM */
            int gamma, beta, mean, var;
            double eps;
        } bn;
        struct { /* ACT */
            Act kind;
            int table; /* layout_int8: the int8 lookup table (swish, sigmoid), or -1 */
        } act;
        struct { /* AVGPOOL */
            int producer; /* the conv that computes it in its epilogue, or -1 */
        } pool;
    };
    QuantParams q;       /* quantize: the value's int8 scale and zero point; scale 0 before */
    bool qfloat;         /* quantize: kept in float (--keep-float): computed from dequantized
                          * inputs and stored as float; int8 readers quantize it with q */
    int cpad;            /* channels as stored (padded to whole vectors; layout) */
    Tile tile;           /* tile */
    size_t offset;       /* arena byte offset of the output (plan_memory) */
    size_t scratch;      /* bytes of per-call scratch the kernel needs (tile) */
    size_t scratch_offset; /* its arena offset (plan_memory) */
} Node;

/* One row of a model's stage table as lowering built it (effcc info). */
typedef struct {
    const char *kind; /* "stem", "stage" or "head" */
    int index;        /* 1-based stage number; 0 for the stem and the head */
    int repeats, in_channels, out_channels, expanded, kernel, stride;
    Shape out;        /* the output of its last block */
} GraphStage;

/* What a graph was made from, for reports and the provenance every
 * generated file records (set by lower_model). */
typedef struct {
    const char *name;         /* the spec's name */
    uint64_t spec_hash;       /* FNV-1a of the spec file's bytes */
    double width, depth;      /* the multipliers applied */
    double bn_eps;
    const double *mean, *std; /* per input channel: x = (pixel − mean) / std, pixels 0..255 */
    GraphStage *stages;       /* stem, stages, head */
    int nstages;
} GraphSource;

/* The passes a graph has been through: each pass sets its bit when done,
 * and the verifier then checks what that pass guarantees (verify.c). */
typedef enum {
    DONE_FOLD_BN = 1 << 0,      /* no batch norm left */
    DONE_FUSE = 1 << 1,         /* (its fusions are optional: nothing more to check) */
    DONE_TILE = 1 << 2,         /* every node that runs has a kernel and sane tiles */
    DONE_LAYOUT = 1 << 3,       /* channels stored padded to whole vectors, params packed */
    DONE_PLAN_WEIGHTS = 1 << 4, /* the weight offsets tile the blob */
    DONE_PLAN_MEMORY = 1 << 5,  /* no two buffers alive together share a byte */
    DONE_QUANTIZE = 1 << 6,     /* every value has int8 params, every conv int8 weights */
} PassesDone;

typedef struct Target Target; /* ir/target.c, below */

typedef struct {
    Arena *arena;
    GraphSource source;
    unsigned done;  /* PassesDone bits */
    const Target *target; /* the machine the passes plan for (set by run_pipeline) */
    int threads;          /* most threads a kernel may use: --threads, else the target's */
    Node *nodes;
    int nnodes, node_cap;
    Param *params;
    int nparams, param_cap;
    int output;         /* the node holding the logits */
    size_t arena_bytes; /* set by plan_memory */
    size_t weights_bytes; /* the weights blob's size, set by plan_weights */
} Graph;

Graph *graph_new(Arena *a);
int graph_add_node(Graph *g, Node n); /* returns the new value's index */
int graph_add_param(Graph *g, const char *name, int rank, const int *dims, bool buffer);
/* A derived param of that type, its data allocated (zeroed) in the graph's
 * arena, not yet in the weights blob. */
int graph_add_data_param(Graph *g, const char *name, int rank, const int *dims, ParamType type);
size_t param_numel(const Param *p);
size_t shape_numel(Shape s);
int graph_count_uses(const Graph *g, int value);
/* The conv computed inside node i's kernel (fused_into i, its in[0]); or −1. */
int graph_fused_expansion(const Graph *g, int i);
/* The int8 parameters an int8 conv requantises to: its own, or before the
 * table it applies (conv.qtable, layout_int8), conv.qpre. */
QuantParams conv_output_q(const Node *n);
/* The tap pairs of an int8 depthwise conv's packed weights: the k² taps in
 * row-major order two at a time, or with conv.qrows each row's k taps two
 * at a time (k·⌈k/2⌉); a pair past the last tap has weight 0. */
int dw_pairs(const Node *n);
/* Pair p's two taps (ky·k + kx), the second −1 when past the row's or the
 * kernel's last tap. */
void dw_pair_taps(const Node *n, int p, int *t0, int *t1);
/* The rows a thread's ring holds of an expansion fused into depthwise conv
 * dw: 2·k (each row twice, so that the k rows an output row reads are
 * adjacent), or 1 when the kernel makes each row into its row of tap pairs
 * at once and reads only those (conv.qrows, every channel in a block of 8). */
int fused_ring_rows(const Node *dw);
/* A row of tap pairs for an AVX2 depthwise kernel (conv.qrows): columns
 * −pad_left … of one input row, each with the next; every step-th column
 * (2 for an even stride: pairs then start at even columns only). When an
 * expansion is fused into the kernel, the channels in whole vectors of 8
 * as int8 pairs (dw_pair_rows_int8), else a block of 16 as int16 pairs.
 * Its columns, its elements (two a channel a column) and its bytes. */
int dw_pair_row_step(const Node *n);
int dw_pair_row_columns(const Node *n);
bool dw_pair_rows_int8(const Graph *g, const Node *n);
size_t dw_pair_row_elements(const Graph *g, const Node *n);
size_t dw_pair_row_bytes(const Graph *g, const Node *n);
void graph_replace_uses(Graph *g, int from, int to);
void graph_compact(Graph *g); /* drops dead nodes and renumbers values */
/* Inserts n as node at (its inputs numbered as before), renumbering the
 * nodes from at on; returns at. */
int graph_insert_node(Graph *g, int at, Node n);
int conv_out_size(int in, int kernel, int stride, int pad_lo, int pad_hi);
/* The params n's kernel reads, into ps; returns how many: a conv's weight
 * and bias, or once quantized its int8 weights, int32 bias and (after
 * layout_int8) requantisation, or for a linear node its weight scales;
 * an activation's int8 table. */
#define NODE_PARAMS_MAX 4
int node_params(const Graph *g, const Node *n, int ps[NODE_PARAMS_MAX]);
/* Bytes per element of n's value as stored: 1 for an int8 value, else 4. */
size_t value_elem_bytes(const Graph *g, const Node *n);
/* The first node whose value lives in the arena: 1, as the input is the
 * caller's floats; 0 in an int8 graph, whose input node is the quantized
 * copy of them. */
int first_arena_value(const Graph *g);
/* STEM: a dense conv of the graph input; POINTWISE: 1×1, stride 1, dense;
 * DEPTHWISE: one group per channel, as many out as in; n is a CONV2D or a
 * LINEAR node. */
ConvRole conv_role(const Graph *g, const Node *n);
/* How a conv kept in float in an int8 graph (an island) stores its float
 * weights and computes (passes/layout_int8.c, codegen/kernels_island.c):
 * dense (groups 1) [ci][ky][kx][co], depthwise [ky][kx][c], other groups
 * [co][ci/groups][ky][kx] as lowered. */
typedef enum { ISLAND_GROUPS, ISLAND_DENSE, ISLAND_DEPTHWISE } IslandForm;
int island_form(const Graph *g, const Node *n);
/* A dense 1×1 island with no padding (every tap inside): its kernel takes
 * ISLAND_PIXELS output pixels at a time. */
#define ISLAND_PIXELS 4
bool island_pointwise(const Node *n);
/* The kernel tile chose for n, by name: kernel_names, but "stem+dw" for a
 * depthwise conv computing the stem inside it. */
const char *kernel_name(const Graph *g, const Node *n);

/* ===== ir/verify.c ======================================================= */
/* Checks every invariant of the IR; on failure writes why into msg and
 * returns false. A failure is a bug in effcc, never the user's. */
bool ir_verify(const Graph *g, char *msg, size_t msgsize);

/* ===== ir/print.c ======================================================== */
void ir_print(FILE *out, const Graph *g); /* one stable text line per node */
void ir_print_buf(Buf *b, const Graph *g);

/* ===== ir/stats.c ======================================================== */
typedef struct {
    uint64_t parameters; /* learnable scalars, as torchvision counts them */
    uint64_t macs;       /* multiply-adds of convolutions and linear layers */
} GraphStats;
GraphStats graph_stats(const Graph *g);
uint64_t node_macs(const Graph *g, const Node *n);
uint64_t call_macs(const Graph *g, const Node *n); /* a kernel call's, fused producer included */

/* ===== ir/limits.c =======================================================
 * Sizes in uint64_t that saturate at UINT64_MAX instead of wrapping, and the
 * byte limit (--max-bytes, default LIMIT_DEFAULT_BYTES) on weights and
 * activations. The lowered check runs before any weight is allocated. */
#define LIMIT_DEFAULT_BYTES (UINT64_C(4) << 30)
uint64_t size_mul(uint64_t a, uint64_t b);
uint64_t size_add(uint64_t a, uint64_t b);
uint64_t param_bytes(const Param *p);
uint64_t shape_bytes(Shape s);
void limits_check_lowered(const Graph *g, uint64_t max_bytes);
void limits_check_planned(const Graph *g, uint64_t max_bytes);

/* ===== ir/eval.c =========================================================
 * The reference executor: the graph run with plain loops, sums in double,
 * values stored as float. Params in torchvision layout (any stage before
 * layout); a conv carrying what fuse moved into it computes exactly what
 * the ops it replaced did, so a graph gives the same bits before and after
 * fuse. input: the input node's C×H×W floats (NCHW); output: the output
 * node's. A bug (packed params, missing data) is an internal error. */
typedef void EvalVisit(void *ctx, const Graph *g, int node, const float *value);
void ir_eval(const Graph *g, const float *input, float *output);
/* The same, calling visit after each live node with its value (shape.c ×
 * shape.h × shape.w floats, NCHW, valid during the call); output may be
 * NULL. A user error raised by visit unwinds through it, freeing all. */
void ir_eval_visit(const Graph *g, const float *input, float *output, EvalVisit *visit, void *ctx);
/* The most bytes ir_eval holds at once (values and its scratch). */
uint64_t ir_eval_peak_bytes(const Graph *g);
/* Node i alone, from its inputs' values (in[k] for n->in[k]), as ir_eval
 * computes it (not the input node). */
void ir_eval_node(const Graph *g, int i, const float *const in[3], float *y);
/* The output columns [ox0, ox1) whose tap at input column ox·s − left lies
 * in [0, in_w): both evaluators' convolutions, a row at a time. */
void ir_tap_columns(long left, int s, int in_w, int out_w, long *ox0, long *ox1);
/* Per value v (malloc'd, g->nnodes): the last live node reading it, or v
 * itself when none does; checks every node reads earlier live nodes. */
int *ir_last_uses(const Graph *g);

/* ===== ir/eval_int8.c ====================================================
 * The int8 semantics (docs/int8.md): a quantized graph (DONE_QUANTIZE) run
 * op by op as TFLite's reference int8 kernels run it (ir/quant.c). input:
 * C×H×W floats, quantized as TFLite's QUANTIZE does; output: the logits
 * dequantized as DEQUANTIZE does. visit, when given, sees each live node's
 * value dequantized to floats (NCHW). Every generated int8 kernel must give
 * the same integers. */
void ir_eval_int8(const Graph *g, const float *input, float *output, EvalVisit *visit, void *ctx);
/* Each live node's value three ways, for the report and --keep-float auto:
 * reference (ir_eval's float), model (ir_eval_int8's, dequantized) and own
 * (the node's int8 op on its inputs' float values quantized: the error it
 * adds itself; a node kept in float adds none), all NCHW, valid during the
 * call. */
typedef void EvalCompare(void *ctx, const Graph *g, int node, const float *reference,
                         const float *model, const float *own);
void ir_eval_int8_compare(const Graph *g, const float *input, EvalCompare *visit, void *ctx);

/* ===== ir/target.c ======================================================
 * The one description of each machine effcc generates code for: what the
 * passes plan for and what the generated folder is built with. */
struct Target {
    const char *name;
    const char *cflags;   /* the generated Makefile's default target flags */
    const char *simd;     /* runtime header: effcc_simd_<simd>.h */
    int vl;               /* floats per vector */
    int regs;             /* vector registers the tiles may fill */
    int threads;          /* most threads a kernel's scratch is sized for (--threads) */
    int pointer_bytes;    /* 4 on 32-bit machines: the arena and weights must fit */
    const char *requires; /* preprocessor condition the compiler must meet */
    const char *hint;     /* how to meet it, for the #error when it does not */
};
const Target *target_find(const char *name); /* NULL when unknown; "host" too */
const Target *target_resolve(const Target *t); /* host → what this machine runs */
const Target *target_default(void);          /* generic: portable C */
const Target *target_host(void);             /* what host resolves to here */
const char *target_list(void);               /* "generic, host, …" */

/* ===== ir/quant.c =======================================================
 * int8 arithmetic exactly as TFLite's reference kernels do it (docs/int8.md):
 * real = scale·(q − zero_point); an int32 accumulator becomes int8 through
 * a multiplier m·2^(shift−31) applied with TFLite's double rounding. Each
 * function names the TFLite code it reproduces; LiteRT's reference
 * interpreter agrees with them bit for bit (tests/int8/). */

typedef struct {
    int32_t m; /* in [2^30, 2^31), or 0 for a real multiplier of 0 (or below ~2^−32) */
    int shift; /* real ≈ m·2^(shift−31); positive shifts left */
} QuantMultiplier;

/* An int32 accumulator to int8: MBQM by m, plus the output zero point,
 * clamped to [lo, hi] ([−128, 127] narrowed by a fused ReLU6). */
typedef struct {
    QuantMultiplier m;
    int32_t zp_out;
    int32_t lo, hi;
} QuantRequant;

/* The fixed output of LOGISTIC (activations.cc SigmoidPrepare). */
#define QUANT_LOGISTIC_SCALE (1.0f / 256)
#define QUANT_LOGISTIC_ZP (-128)

/* The primitives. */
QuantMultiplier quant_multiplier(double real); /* real ≥ 0, finite */
int32_t quant_srdhm(int32_t a, int32_t b);
int32_t quant_rdbpot(int32_t x, int exponent); /* exponent in [0, 31] */
int32_t quant_mbqm(int32_t x, QuantMultiplier m);
int8_t quant_requantize(int32_t acc, const QuantRequant *r);
/* The one-step form of MBQM that runtime/effcc_int8.h's AVX2 kernels use
 * (effcc_i32x8_mbqm_fast): whether it equals quant_mbqm by m for every sum
 * |x| ≤ bound, and its constants for n channels (2·n words: 64-bit
 * offsets as pairs of words, of each whole block of eight channels its
 * even ones at the block's eight words, its odd ones n words further; the
 * kernels take the multipliers and shifts from the words before). */
bool quant_fast_ok(QuantMultiplier m, int64_t bound);
void quant_fast_table(const QuantMultiplier *m, int n, int32_t *words);
/* The clamp of a fused activation: ACT_NONE or ACT_RELU6. */
void quant_act_range(Act act, QuantParams out, int32_t *lo, int32_t *hi);

/* CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED, per output channel: the
 * requantisation of channel c (weight scale s_w), and one output from its n
 * in-bounds taps (a padded tap is skipped, which equals padding with zp_in). */
QuantRequant quant_conv_requant(QuantParams in, float s_w, QuantParams out, Act act);
int32_t quant_dot(const int8_t *x, const int8_t *w, int n, int32_t zp_in);
int8_t quant_conv_output(const int8_t *x, const int8_t *w, int n, int32_t zp_in, int32_t bias,
                         const QuantRequant *r);
int8_t quant_sum_output(int32_t sum, int32_t bias, const QuantRequant *r);

/* FULLY_CONNECTED per channel, as LiteRT's reference kernel computes it:
 * one rounding of acc·scale (scale = s_in·s_w/s_out in double), not MBQM;
 * lo, hi from quant_act_range. */
double quant_fc_scale(QuantParams in, float s_w, QuantParams out);
int8_t quant_fc_output(const int8_t *x, const int8_t *w, int n, int32_t zp_in, int32_t bias,
                       double scale, int32_t zp_out, int32_t lo, int32_t hi);

/* MEAN over n values (QuantizedMeanOrSum): from their raw sum Σq, or from
 * n values read every stride int8s. */
typedef struct {
    int32_t n, zp_in;
    QuantRequant out; /* m already divided by n */
} QuantMean;
QuantMean quant_mean_params(QuantParams in, QuantParams out, int32_t n);
int8_t quant_mean_sum(const QuantMean *p, int32_t sum);
int8_t quant_mean(const QuantMean *p, const int8_t *x, ptrdiff_t stride);

/* ADD of two int8 tensors of different scales. */
typedef struct {
    int32_t zp1, zp2;
    int left_shift;            /* 20 */
    QuantMultiplier m1, m2;    /* each input to the common scale 2·max(s1, s2)/2^20 */
    QuantRequant out;          /* from that scale to the output's */
} QuantAdd;
QuantAdd quant_add_params(QuantParams a, QuantParams b, QuantParams out, Act act);
int8_t quant_add(const QuantAdd *p, int8_t a, int8_t b);

/* MUL of two int8 tensors (the SE gate; swish's second half). */
typedef struct {
    int32_t zp1, zp2;
    QuantRequant out;
} QuantMul;
QuantMul quant_mul_params(QuantParams a, QuantParams b, QuantParams out, Act act);
#define QUANT_MUL_BOUND (255 * 255) /* |(a − zp1)·(b − zp2)|: the most MBQM sees */
int8_t quant_mul(const QuantMul *p, int8_t a, int8_t b);

/* 256-entry tables indexed by (uint8_t)x: LOGISTIC (output QUANT_LOGISTIC_*)
 * and swish, LOGISTIC then MUL(x, σ), reproducing that pair exactly. */
void quant_logistic_table(QuantParams in, int8_t table[256]);
void quant_swish_table(QuantParams in, QuantParams out, int8_t table[256]);

/* What TFLite's calibrating quantizer (tools/optimize) makes of floats:
 * weights symmetric per output channel (channel c: n floats from w + c·n)
 * into [−127, 127] with their scales; int32 biases of scale s_in·s_w[c];
 * an activation's scale and zero point from its calibrated range. */
void quant_weights(const float *w, int channels, size_t n, int8_t *q, float *scales);
void quant_bias(const float *b, int channels, float s_in, const float *s_w, int32_t *q);
QuantParams quant_activation_params(float min, float max);

#endif
