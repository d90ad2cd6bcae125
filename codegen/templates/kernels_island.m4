m4_divert(-1)
kernels_island.m4 — the kernels of float islands in int8 code: nodes kept
in float (--keep-float), computed as ir/eval.c computes them (each output
a double sum in ir/eval.c's order, rounded once to float), their inputs
dequantized as ir/eval_int8.c does (codegen/kernels_island.c says why
this is bit-exact). Values are NHWC; G_X0(i), G_X1(i) read element i of
input 0 or 1 as a float, of C type G_X0T, G_X1T; a conv's float weights
are [co][ci/groups][k][k], as the model's.

EFFCC_F_ACTIVATE(v): v through the activation G_ACT (none when empty).
m4_define(«EFFCC_F_ACTIVATE», «m4_ifelse(G_ACT, «», «$1», «effcc_f_«»G_ACT«»($1)»)»)

EFFCC_F_CONV: a convolution (LINEAR: k = 1 over a 1×1 map), groups of
G_CIG input and G_COG output channels, taps in the padding left out, the
bias added to the sum, then the activation (ReLU6, folded in by quantize).
m4_define(«EFFCC_F_CONV», «
static void G_NAME«»(const void *in0, const float *restrict w, m4_ifelse(G_BIAS, 1, «const float *restrict b, »)void *out)
{
    const G_X0T *restrict x0 = in0;
    float *restrict y = out;
    for (ptrdiff_t oy = 0; oy < G_OH; ++oy)
        for (ptrdiff_t ox = 0; ox < G_OW; ++ox)
            for (ptrdiff_t co = 0; co < G_CO; ++co) {
                const ptrdiff_t first = co / G_COG * G_CIG;
                double acc = 0.0;
                for (ptrdiff_t ci = 0; ci < G_CIG; ++ci)
                    for (ptrdiff_t ky = 0; ky < G_K; ++ky) {
                        const ptrdiff_t iy = oy * G_S - G_PT + ky;
                        if (iy < 0 || iy >= G_H)
                            continue;
                        for (ptrdiff_t kx = 0; kx < G_K; ++kx) {
                            const ptrdiff_t ix = ox * G_S - G_PL + kx;
                            if (ix < 0 || ix >= G_W)
                                continue;
                            acc += (double)w[((co * G_CIG + ci) * G_K + ky) * G_K + kx] *
                                   (double)G_X0(«(iy * G_W + ix) * G_CI + first + ci»);
                        }
                    }
                const float v = (float)(acc + m4_ifelse(G_BIAS, 1, «(double)b[co]», «0.0»));
                y[(oy * G_OW + ox) * G_CO + co] = EFFCC_F_ACTIVATE(«v»);
            }
}
»)

EFFCC_F_ACT: an activation, element by element.
m4_define(«EFFCC_F_ACT», «
static void G_NAME«»(const void *in0, void *out)
{
    const G_X0T *restrict x0 = in0;
    float *restrict y = out;
    for (ptrdiff_t i = 0; i < G_N; ++i)
        y[i] = EFFCC_F_ACTIVATE(«G_X0(«i»)»);
}
»)

EFFCC_F_MEAN: the mean of each channel over G_P pixels, summed in pixel
order.
m4_define(«EFFCC_F_MEAN», «
static void G_NAME«»(const void *in0, void *out)
{
    const G_X0T *restrict x0 = in0;
    float *restrict y = out;
    for (ptrdiff_t c = 0; c < G_C; ++c) {
        double sum = 0.0;
        for (ptrdiff_t p = 0; p < G_P; ++p)
            sum += (double)G_X0(«p * G_C + c»);
        y[c] = (float)(sum / (double)G_P);
    }
}
»)

EFFCC_F_MUL: the SE gate, y[p][c] = x[p][c] · s[c].
m4_define(«EFFCC_F_MUL», «
static void G_NAME«»(const void *in0, const void *in1, void *out)
{
    const G_X0T *restrict x0 = in0;
    const G_X1T *restrict x1 = in1;
    float *restrict y = out;
    for (ptrdiff_t p = 0; p < G_P; ++p)
        for (ptrdiff_t c = 0; c < G_C; ++c)
            y[p * G_C + c] = (float)((double)G_X0(«p * G_C + c») * (double)G_X1(«c»));
}
»)

EFFCC_F_ADD: the residual sum.
m4_define(«EFFCC_F_ADD», «
static void G_NAME«»(const void *in0, const void *in1, void *out)
{
    const G_X0T *restrict x0 = in0;
    const G_X1T *restrict x1 = in1;
    float *restrict y = out;
    for (ptrdiff_t i = 0; i < G_N; ++i)
        y[i] = (float)((double)G_X0(«i») + (double)G_X1(«i»));
}
»)

EFFCC_F_OUTPUT: logits kept in float, copied to the caller's array.
m4_define(«EFFCC_F_OUTPUT», «
static void G_NAME«»(const void *in, float *restrict out)
{
    memcpy(out, in, G_N * sizeof(float));
}
»)
m4_divert(0)m4_dnl
