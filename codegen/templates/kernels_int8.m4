m4_divert(-1)
kernels_int8.m4 — the int8 kernel templates (docs/int8.md). Every number in
them is a literal chosen in C (codegen/kernels_int8.c writes the G_*
parameters before each expansion); the macros only substitute. Each kernel
computes what ir/eval_int8.c computes, the same integers: the arithmetic is
TFLite's reference int8 kernels', requantised by effcc_int8.h.

Values are NHWC int8, G_C channels per pixel, unpadded. Per-channel
constants come from the weights blob: int8 weights packed by
passes/layout_int8.c, the int32 bias, then rq: G_CO multipliers followed by
G_CO shifts. Sums are int32; a conv's bias is added in wrapping arithmetic
(uint32), as TFLite's int32 addition wraps in practice. Indices are
ptrdiff_t (effcc_runtime.h says why that is wide enough).

EFFCC_Q_INPUT: QUANTIZE of the NCHW float input into NHWC int8:
zp + round(x / scale), the division in double, clamped (NaN gives zp).
m4_define(«EFFCC_Q_INPUT», «
static void G_NAME«»(const float *restrict in, int8_t *restrict out)
{
    for (ptrdiff_t c = 0; c < G_C; ++c)
        for (ptrdiff_t p = 0; p < G_P; ++p) {
            double t = round((double)in[c * G_P + p] / G_SCALE) + (G_ZP);
            t = t != t ? (G_ZP) : t < -128 ? -128 : t > 127 ? 127 : t;
            out[p * G_C + c] = (int8_t)t;
        }
}
»)

EFFCC_Q_OUTPUT: DEQUANTIZE of the logits: scale · (q − zp) in double.
m4_define(«EFFCC_Q_OUTPUT», «
static void G_NAME«»(const int8_t *restrict in, float *restrict out)
{
    for (ptrdiff_t i = 0; i < G_N; ++i)
        out[i] = (float)(G_SCALE * (double)((int32_t)in[i] - (G_ZP)));
}
»)

EFFCC_Q_PW: a 1×1 convolution (or the classifier) over G_P pixels:
out[p][co] = requant(bias[co] + Σ_ci w[co][ci] · (in[p][ci] − zp_in)).
m4_define(«EFFCC_Q_PW», «
static void G_NAME«»(const int8_t *restrict in, const int8_t *restrict w,
        const int32_t *restrict bias, const int32_t *restrict rq, int8_t *restrict out)
{
    for (ptrdiff_t p = 0; p < G_P; ++p) {
        const int8_t *restrict x = in + p * G_CI;
        for (ptrdiff_t co = 0; co < G_CO; ++co) {
            const int8_t *restrict wc = w + co * G_CI;
            int32_t acc = 0;
            for (ptrdiff_t ci = 0; ci < G_CI; ++ci)
                acc += (int32_t)wc[ci] * ((int32_t)x[ci] - (G_ZPIN));
            acc = (int32_t)((uint32_t)acc + (uint32_t)bias[co]);
            out[p * G_CO + co] = effcc_requant_i8(acc, rq[co], rq[G_CO + co], G_ZPOUT, G_LO, G_HI);
        }
    }
}
»)

EFFCC_Q_CONV: a dense k×k convolution (the stem): G_K×G_K taps of G_CI
channels, stride G_S, padding G_PT/G_PL; taps outside the input are left
out (TFLite's reference: the same as padding with zp_in).
m4_define(«EFFCC_Q_CONV», «
static void G_NAME«»(const int8_t *restrict in, const int8_t *restrict w,
        const int32_t *restrict bias, const int32_t *restrict rq, int8_t *restrict out)
{
    for (ptrdiff_t oh = 0; oh < G_OH; ++oh)
        for (ptrdiff_t ow = 0; ow < G_OW; ++ow)
            for (ptrdiff_t co = 0; co < G_CO; ++co) {
                int32_t acc = 0;
                for (ptrdiff_t kh = 0; kh < G_K; ++kh) {
                    const ptrdiff_t ih = oh * G_S - G_PT + kh;
                    if (ih < 0 || ih >= G_H)
                        continue;
                    for (ptrdiff_t kw = 0; kw < G_K; ++kw) {
                        const ptrdiff_t iw = ow * G_S - G_PL + kw;
                        if (iw < 0 || iw >= G_W)
                            continue;
                        const int8_t *restrict x = in + (ih * G_W + iw) * G_CI;
                        const int8_t *restrict wt = w + (co * G_K * G_K + kh * G_K + kw) * G_CI;
                        for (ptrdiff_t ci = 0; ci < G_CI; ++ci)
                            acc += (int32_t)wt[ci] * ((int32_t)x[ci] - (G_ZPIN));
                    }
                }
                acc = (int32_t)((uint32_t)acc + (uint32_t)bias[co]);
                out[(oh * G_OW + ow) * G_CO + co] =
                    effcc_requant_i8(acc, rq[co], rq[G_CO + co], G_ZPOUT, G_LO, G_HI);
            }
}
»)

EFFCC_Q_DW: a depthwise convolution, weights [kh][kw][c]; each output
pixel's G_C sums in acc (the kernel's stack, G_C int32).
m4_define(«EFFCC_Q_DW», «
static void G_NAME«»(const int8_t *restrict in, const int8_t *restrict w,
        const int32_t *restrict bias, const int32_t *restrict rq, int8_t *restrict out)
{
    int32_t acc[G_C];
    for (ptrdiff_t oh = 0; oh < G_OH; ++oh)
        for (ptrdiff_t ow = 0; ow < G_OW; ++ow) {
            for (ptrdiff_t c = 0; c < G_C; ++c)
                acc[c] = 0;
            for (ptrdiff_t kh = 0; kh < G_K; ++kh) {
                const ptrdiff_t ih = oh * G_S - G_PT + kh;
                if (ih < 0 || ih >= G_H)
                    continue;
                for (ptrdiff_t kw = 0; kw < G_K; ++kw) {
                    const ptrdiff_t iw = ow * G_S - G_PL + kw;
                    if (iw < 0 || iw >= G_W)
                        continue;
                    const int8_t *restrict x = in + (ih * G_W + iw) * G_C;
                    const int8_t *restrict wt = w + (kh * G_K + kw) * G_C;
                    for (ptrdiff_t c = 0; c < G_C; ++c)
                        acc[c] += (int32_t)wt[c] * ((int32_t)x[c] - (G_ZPIN));
                }
            }
            int8_t *restrict y = out + (oh * G_OW + ow) * G_C;
            for (ptrdiff_t c = 0; c < G_C; ++c)
                y[c] = effcc_requant_i8((int32_t)((uint32_t)acc[c] + (uint32_t)bias[c]), rq[c],
                                        rq[G_C + c], G_ZPOUT, G_LO, G_HI);
        }
}
»)

EFFCC_Q_TABLE: swish or sigmoid, a 256-entry table indexed by (uint8_t)x.
m4_define(«EFFCC_Q_TABLE», «
static void G_NAME«»(const int8_t *restrict in, const int8_t *restrict table,
        int8_t *restrict out)
{
    for (ptrdiff_t i = 0; i < G_N; ++i)
        out[i] = table[(uint8_t)in[i]];
}
»)

EFFCC_Q_MEAN: MEAN over G_P pixels per channel (QuantizedMeanOrSum; the
multiplier G_M already holds 1/n).
m4_define(«EFFCC_Q_MEAN», «
static void G_NAME«»(const int8_t *restrict in, int8_t *restrict out)
{
    for (ptrdiff_t c = 0; c < G_C; ++c) {
        int32_t sum = 0;
        for (ptrdiff_t p = 0; p < G_P; ++p)
            sum += in[p * G_C + c];
        out[c] = effcc_requant_i8(sum - (G_ZPIN) * G_P, G_M, G_SHIFT, G_ZPOUT, -128, 127);
    }
}
»)

EFFCC_Q_MUL: the SE gate, MUL with the gate broadcast over the pixels.
m4_define(«EFFCC_Q_MUL», «
static void G_NAME«»(const int8_t *restrict in, const int8_t *restrict gate,
        int8_t *restrict out)
{
    for (ptrdiff_t p = 0; p < G_P; ++p)
        for (ptrdiff_t c = 0; c < G_C; ++c)
            out[p * G_C + c] = effcc_requant_i8(((int32_t)in[p * G_C + c] - (G_ZP1)) *
                                                ((int32_t)gate[c] - (G_ZP2)), G_M, G_SHIFT,
                                                G_ZPOUT, -128, 127);
}
»)

EFFCC_Q_ADD: ADD: each input offset, shifted left by 20 and requantised to
the common scale; their sum to the output's.
m4_define(«EFFCC_Q_ADD», «
static void G_NAME«»(const int8_t *restrict a, const int8_t *restrict b, int8_t *restrict out)
{
    for (ptrdiff_t i = 0; i < G_N; ++i) {
        const int32_t x = effcc_mbqm(((int32_t)a[i] - (G_ZP1)) * (1 << 20), G_M1, G_SHIFT1);
        const int32_t y = effcc_mbqm(((int32_t)b[i] - (G_ZP2)) * (1 << 20), G_M2, G_SHIFT2);
        out[i] = effcc_requant_i8(x + y, G_M, G_SHIFT, G_ZPOUT, -128, 127);
    }
}
»)

EFFCC_Q_RELU6: a ReLU6 no conv could absorb: rescaled, then clamped.
m4_define(«EFFCC_Q_RELU6», «
static void G_NAME«»(const int8_t *restrict in, int8_t *restrict out)
{
    for (ptrdiff_t i = 0; i < G_N; ++i)
        out[i] = effcc_requant_i8((int32_t)in[i] - (G_ZPIN), G_M, G_SHIFT, G_ZPOUT, G_LO, G_HI);
}
»)
m4_divert(0)m4_dnl
