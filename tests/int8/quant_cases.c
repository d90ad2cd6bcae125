/* quant_cases.c — ir/quant.c's answers to the cases litert_ops.py writes.
 *
 * Reads records from stdin and prints one line per record: the int8
 * outputs, in the order LiteRT's tensors hold them (NHWC). litert_ops.py
 * runs the same cases through LiteRT's reference interpreter and compares.
 * Scales come as C hexadecimal floats (exact). A record is an op name, its
 * sizes and quantisation, then its arrays:
 *
 *   conv OH OW H W CIN COUT KH KW STRIDE PADT PADL ACT s_in zp_in s_out zp_out
 *        s_w[COUT] bias[COUT] w[COUT·KH·KW·CIN] x[H·W·CIN]   (CONV_2D, OHWI)
 *   dw   OH OW H W C KH KW STRIDE PADT PADL ACT s_in zp_in s_out zp_out
 *        s_w[C] bias[C] w[KH·KW·C] x[H·W·C]                  (DEPTHWISE_CONV_2D)
 *   fc   CIN COUT s_in zp_in s_out zp_out s_w[COUT] bias[COUT] w[COUT·CIN] x[CIN]
 *   mean N C s_in zp_in s_out zp_out x[N·C]                 (over the N pixels)
 *   add  N ACT s1 zp1 s2 zp2 s_out zp_out a[N] b[N]
 *   mul  N NB ACT s1 zp1 s2 zp2 s_out zp_out a[N] b[NB]     (b[i mod NB])
 *   logistic s_in zp_in                                      (x = −128 … 127)
 *   swish s_in zp_in s_out zp_out                            (x = −128 … 127)
 *   quantize COUT N s_in w[COUT·N] b[COUT]   → scales (hex), weights, biases
 *   act MIN MAX                              → scale (hex), zero point
 *
 * ACT is none or relu6. With --mutant NAME one piece of the arithmetic is
 * deliberately wrong (see mutants below), so that litert_ops.py can show
 * the comparison catches it. */
#include "effcc.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- deliberate errors ---------------------------------------------------- */

typedef enum {
    MUTANT_NONE,
    MUTANT_SINGLE_ROUNDING, /* MBQM rounded once (TFLITE_SINGLE_ROUNDING=1) */
    MUTANT_MEAN_OPTIMIZED,  /* MEAN as LiteRT's optimised kernel (optimized_integer_ops::Mean) */
} Mutant;
/* Multipliers computed in float where TFLite uses double (or the reverse)
 * move an output by under 1/256 of a step: random cases almost never cross
 * a rounding boundary with them, so they are not among the mutants. */
static const char *const mutant_names[] = {
    "none", "single-rounding", "mean-optimized",
};
static Mutant mutant;

/* TFLITE_SINGLE_ROUNDING's MultiplyByQuantizedMultiplier (common.cc). */
static int32_t mbqm(int32_t x, QuantMultiplier m)
{
    if (mutant != MUTANT_SINGLE_ROUNDING)
        return quant_mbqm(x, m);
    int total = 31 - m.shift;
    return (int32_t)(((int64_t)x * m.m + (INT64_C(1) << (total - 1))) >> total);
}

static int8_t requantize(int32_t acc, const QuantRequant *r)
{
    if (mutant != MUTANT_SINGLE_ROUNDING)
        return quant_requantize(acc, r);
    int64_t y = (int64_t)mbqm(acc, r->m) + r->zp_out;
    y = y < r->lo ? r->lo : y;
    return (int8_t)(y > r->hi ? r->hi : y);
}

/* ---- reading -------------------------------------------------------------- */

_Noreturn static void fail(const char *what)
{
    fprintf(stderr, "quant_cases: bad input: %s\n", what);
    exit(2);
}

static int read_int(void)
{
    long v;
    if (scanf("%ld", &v) != 1)
        fail("integer expected");
    return (int)v;
}

static float read_float(void)
{
    char tok[64];
    if (scanf("%63s", tok) != 1)
        fail("float expected");
    char *end;
    double d = strtod(tok, &end);
    if (*end)
        fail(tok);
    return (float)d;
}

static Act read_act(void)
{
    char tok[16];
    if (scanf("%15s", tok) != 1)
        fail("activation expected");
    if (!strcmp(tok, "none"))
        return ACT_NONE;
    if (!strcmp(tok, "relu6"))
        return ACT_RELU6;
    fail(tok);
}

static QuantParams read_params(void)
{
    QuantParams p;
    p.scale = read_float();
    p.zp = read_int();
    return p;
}

static int8_t *read_i8(size_t n)
{
    int8_t *v = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++)
        v[i] = (int8_t)read_int();
    return v;
}

static int32_t *read_i32(size_t n)
{
    int32_t *v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = read_int();
    return v;
}

static float *read_f32(size_t n)
{
    float *v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = read_float();
    return v;
}

static void print_i8(const int8_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf(i ? " %d" : "%d", v[i]);
    printf("\n");
}

/* ---- ops ------------------------------------------------------------------ */

static int8_t conv_output(const int8_t *x, const int8_t *w, int n, int32_t zp_in, int32_t bias,
                          const QuantRequant *r)
{
    if (mutant == MUTANT_NONE)
        return quant_conv_output(x, w, n, zp_in, bias, r);
    return requantize(quant_dot(x, w, n, zp_in) + bias, r);
}

/* CONV_2D (groups = 1) or DEPTHWISE_CONV_2D (multiplier 1), NHWC, the
 * in-bounds taps of each output gathered for conv_output. */
static void conv(bool depthwise)
{
    int oh = read_int(), ow = read_int(), h = read_int(), w = read_int();
    int cin = read_int(), cout = depthwise ? cin : read_int();
    int kh = read_int(), kw = read_int(), stride = read_int(), pt = read_int(), pl = read_int();
    Act act = read_act();
    QuantParams in = read_params(), out = read_params();
    float *s_w = read_f32((size_t)cout);
    int32_t *bias = read_i32((size_t)cout);
    int8_t *wt = read_i8((size_t)(depthwise ? kh * kw * cout : cout * kh * kw * cin));
    int8_t *x = read_i8((size_t)h * w * cin);
    int8_t *y = malloc((size_t)oh * ow * cout);
    int taps = kh * kw * (depthwise ? 1 : cin);
    int8_t *tx = malloc((size_t)taps), *tw = malloc((size_t)taps);
    for (int o = 0; o < cout; o++) {
        QuantRequant r = quant_conv_requant(in, s_w[o], out, act);
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++) {
                int n = 0;
                for (int ky = 0; ky < kh; ky++)
                    for (int kx = 0; kx < kw; kx++) {
                        int iy = oy * stride - pt + ky, ix = ox * stride - pl + kx;
                        if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                            continue;
                        const int8_t *px = x + ((size_t)iy * w + ix) * cin;
                        if (depthwise) {
                            tx[n] = px[o];
                            tw[n++] = wt[(ky * kw + kx) * cout + o];
                        } else
                            for (int c = 0; c < cin; c++) {
                                tx[n] = px[c];
                                tw[n++] = wt[((o * kh + ky) * kw + kx) * cin + c];
                            }
                    }
                y[((size_t)oy * ow + ox) * cout + o] = conv_output(tx, tw, n, in.zp, bias[o], &r);
            }
    }
    print_i8(y, (size_t)oh * ow * cout);
    free(s_w), free(bias), free(wt), free(x), free(y), free(tx), free(tw);
}

static void fully_connected(void)
{
    int cin = read_int(), cout = read_int();
    QuantParams in = read_params(), out = read_params();
    float *s_w = read_f32((size_t)cout);
    int32_t *bias = read_i32((size_t)cout);
    int8_t *w = read_i8((size_t)cout * cin), *x = read_i8((size_t)cin), *y = malloc((size_t)cout);
    for (int o = 0; o < cout; o++)
        y[o] = quant_fc_output(x, w + (size_t)o * cin, cin, in.zp, bias[o],
                               quant_fc_scale(in, s_w[o], out), out.zp, -128, 127);
    print_i8(y, (size_t)cout);
    free(s_w), free(bias), free(w), free(x), free(y);
}

/* optimized_integer_ops::Mean (optimized/integer_ops/mean.h), the kernel
 * LiteRT's default resolver runs for keep_dims over H and W: the multiplier
 * from s_in/(n·s_out) in float, the input zero point folded into a bias
 * rounded in float. */
static int8_t mean_optimized(QuantParams in, QuantParams out, int32_t n, int32_t sum)
{
    QuantMultiplier m = quant_multiplier((float)(in.scale / ((float)n * out.scale)));
    float t = (float)in.zp * in.scale / out.scale;
    t = t > 0 ? t + 0.5f : t - 0.5f;
    int64_t y = (int64_t)quant_mbqm(sum, m) + (out.zp - (int32_t)t);
    return (int8_t)(y < -128 ? -128 : y > 127 ? 127 : y);
}

static void mean(void)
{
    int n = read_int(), c = read_int();
    QuantParams in = read_params(), out = read_params();
    int8_t *x = read_i8((size_t)n * c), *y = malloc((size_t)c);
    QuantMean p = quant_mean_params(in, out, n);
    for (int k = 0; k < c; k++) {
        int32_t sum = 0;
        for (int i = 0; i < n; i++)
            sum += x[(size_t)i * c + k];
        if (mutant == MUTANT_MEAN_OPTIMIZED)
            y[k] = mean_optimized(in, out, n, sum);
        else if (mutant == MUTANT_NONE)
            y[k] = quant_mean(&p, x + k, c);
        else
            y[k] = requantize(sum - p.zp_in * p.n, &p.out);
    }
    print_i8(y, (size_t)c);
    free(x), free(y);
}

static int8_t add_one(const QuantAdd *p, int8_t a, int8_t b)
{
    if (mutant != MUTANT_SINGLE_ROUNDING)
        return quant_add(p, a, b);
    int32_t sa = mbqm((a - p->zp1) * (1 << p->left_shift), p->m1);
    int32_t sb = mbqm((b - p->zp2) * (1 << p->left_shift), p->m2);
    return requantize(sa + sb, &p->out);
}

static void add(void)
{
    int n = read_int();
    Act act = read_act();
    QuantParams s1 = read_params(), s2 = read_params(), out = read_params();
    int8_t *a = read_i8((size_t)n), *b = read_i8((size_t)n), *y = malloc((size_t)n);
    QuantAdd p = quant_add_params(s1, s2, out, act);
    for (int i = 0; i < n; i++)
        y[i] = add_one(&p, a[i], b[i]);
    print_i8(y, (size_t)n);
    free(a), free(b), free(y);
}

static int8_t mul_one(const QuantMul *p, int8_t a, int8_t b)
{
    if (mutant != MUTANT_SINGLE_ROUNDING)
        return quant_mul(p, a, b);
    return requantize((a - p->zp1) * (b - p->zp2), &p->out);
}

static void mul(void)
{
    int n = read_int(), nb = read_int();
    Act act = read_act();
    QuantParams s1 = read_params(), s2 = read_params(), out = read_params();
    int8_t *a = read_i8((size_t)n), *b = read_i8((size_t)nb), *y = malloc((size_t)n);
    QuantMul p = quant_mul_params(s1, s2, out, act);
    for (int i = 0; i < n; i++)
        y[i] = mul_one(&p, a[i], b[i % nb]);
    print_i8(y, (size_t)n);
    free(a), free(b), free(y);
}

/* Tables are printed for x = −128 … 127, the order of LiteRT's input. */
static void print_table(const int8_t t[256])
{
    int8_t y[256];
    for (int v = -128; v <= 127; v++)
        y[v + 128] = t[(uint8_t)v];
    print_i8(y, 256);
}

static void logistic(void)
{
    int8_t t[256];
    quant_logistic_table(read_params(), t);
    print_table(t);
}

static void swish(void)
{
    QuantParams in = read_params(), out = read_params();
    int8_t t[256], l[256];
    if (mutant == MUTANT_NONE) {
        quant_swish_table(in, out, t);
    } else {
        quant_logistic_table(in, l);
        QuantParams lp = {QUANT_LOGISTIC_SCALE, QUANT_LOGISTIC_ZP};
        QuantMul p = quant_mul_params(in, lp, out, ACT_NONE);
        for (int v = -128; v <= 127; v++)
            t[(uint8_t)v] = mul_one(&p, (int8_t)v, l[(uint8_t)v]);
    }
    print_table(t);
}

static void quantize_case(void)
{
    int cout = read_int(), n = read_int();
    float s_in = read_float();
    float *w = read_f32((size_t)cout * n), *b = read_f32((size_t)cout);
    float *s = malloc((size_t)cout * sizeof *s);
    int8_t *q = malloc((size_t)cout * n);
    int32_t *qb = malloc((size_t)cout * sizeof *qb);
    quant_weights(w, cout, (size_t)n, q, s);
    quant_bias(b, cout, s_in, s, qb);
    for (int c = 0; c < cout; c++)
        printf(c ? " %a" : "%a", (double)s[c]);
    printf("\n");
    print_i8(q, (size_t)cout * n);
    for (int c = 0; c < cout; c++)
        printf(c ? " %" PRId32 : "%" PRId32, qb[c]);
    printf("\n");
    free(w), free(b), free(s), free(q), free(qb);
}

static void act(void)
{
    float lo = read_float(), hi = read_float();
    QuantParams p = quant_activation_params(lo, hi);
    printf("%a %" PRId32 "\n", (double)p.scale, p.zp);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--mutant")) {
        for (size_t i = 0; i < sizeof mutant_names / sizeof *mutant_names; i++)
            if (!strcmp(argv[2], mutant_names[i]))
                mutant = (Mutant)i;
        if (strcmp(argv[2], mutant_names[mutant]))
            fail(argv[2]);
    } else if (argc != 1) {
        fprintf(stderr, "usage: quant_cases [--mutant NAME] <cases\n");
        return 2;
    }
    char op[32];
    while (scanf("%31s", op) == 1) {
        if (!strcmp(op, "conv"))
            conv(false);
        else if (!strcmp(op, "dw"))
            conv(true);
        else if (!strcmp(op, "fc"))
            fully_connected();
        else if (!strcmp(op, "mean"))
            mean();
        else if (!strcmp(op, "add"))
            add();
        else if (!strcmp(op, "mul"))
            mul();
        else if (!strcmp(op, "logistic"))
            logistic();
        else if (!strcmp(op, "swish"))
            swish();
        else if (!strcmp(op, "quantize"))
            quantize_case();
        else if (!strcmp(op, "act"))
            act();
        else
            fail(op);
    }
    return 0;
}
