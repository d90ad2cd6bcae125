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

EFFCC_F_CONV: a convolution (LINEAR: k = 1 over a 1×1 map), taps in the
padding left out, the bias added to the sum, then the activation (ReLU6,
folded in by quantize). Each output's sum runs over ci, then ky, then kx,
as ir/eval.c's; the kernels differ in what they do side by side, which
changes no sum (G_FORM, with the weights as layout_int8 packed them):
dense (1): [ci][ky][kx][co], a pixel's G_CO sums side by side, each tap's
input read once; depthwise (2): [ky][kx][c], a pixel's channels side by
side; other groups (0): [co][ci/groups][ky][kx], one output at a time,
G_CIG input and G_COG output channels a group.
m4_define(«EFFCC_F_CONV», «
static void G_NAME«»(const void *in0, const float *restrict w, m4_ifelse(G_BIAS, 1, «const float *restrict b, »)m4_dnl
void *scratch, void *out)
{
    const G_X0T *restrict x0 = in0;
    float *restrict y = out;
m4_ifelse(G_FORM, 0, «EFFCC_F_CONV_GROUPS», G_PWB, 1, «EFFCC_F_CONV_PW», «EFFCC_F_CONV_SIDE»)()m4_dnl
}
»)

EFFCC_F_BIASED(co, sum): output channel co's sum plus its bias, rounded to
float.
m4_define(«EFFCC_F_BIASED», «(float)(($2) + m4_ifelse(G_BIAS, 1, «(double)b[$1]», «0.0»))»)

EFFCC_F_TAPS(body): body for each tap (ky, kx) of output (oy, ox) inside
the input, at input pixel (iy, ix).
m4_define(«EFFCC_F_TAPS», «m4_dnl
                for (ptrdiff_t ky = 0; ky < G_K; ++ky) {
                    const ptrdiff_t iy = oy * G_S - G_PT + ky;
                    if (iy < 0 || iy >= G_H)
                        continue;
                    for (ptrdiff_t kx = 0; kx < G_K; ++kx) {
                        const ptrdiff_t ix = ox * G_S - G_PL + kx;
                        if (ix < 0 || ix >= G_W)
                            continue;
$1                    }
                }
»)

m4_define(«EFFCC_F_CONV_SIDE», «m4_dnl
    double *restrict acc = scratch;
    for (ptrdiff_t oy = 0; oy < G_OH; ++oy)
        for (ptrdiff_t ox = 0; ox < G_OW; ++ox) {
            for (ptrdiff_t co = 0; co < G_CO; ++co)
                acc[co] = 0.0;
m4_ifelse(G_FORM, 1, «m4_dnl
            for (ptrdiff_t ci = 0; ci < G_CI; ++ci) {
EFFCC_F_TAPS(«                        const double xv = (double)G_X0(«(iy * G_W + ix) * G_CI + ci»);
                        const float *restrict wt = w + ((ci * G_K + ky) * G_K + kx) * G_CO;
                        for (ptrdiff_t co = 0; co < G_CO; ++co)
                            acc[co] += (double)wt[co] * xv;
»)            }
», «m4_dnl
            {
EFFCC_F_TAPS(«                        const float *restrict wt = w + (ky * G_K + kx) * G_CO;
                        for (ptrdiff_t c = 0; c < G_CO; ++c)
                            acc[c] += (double)wt[c] * (double)G_X0(«(iy * G_W + ix) * G_CI + c»);
»)            }
»)m4_dnl
            for (ptrdiff_t co = 0; co < G_CO; ++co) {
                const float v = EFFCC_F_BIASED(«co», «acc[co]»);
                y[(oy * G_OW + ox) * G_CO + co] = EFFCC_F_ACTIVATE(«v»);
            }
        }
»)

m4_define(«EFFCC_F_CONV_GROUPS», «m4_dnl
    (void)scratch;
    for (ptrdiff_t oy = 0; oy < G_OH; ++oy)
        for (ptrdiff_t ox = 0; ox < G_OW; ++ox)
            for (ptrdiff_t co = 0; co < G_CO; ++co) {
                const ptrdiff_t first = co / G_COG * G_CIG;
                double acc = 0.0;
                for (ptrdiff_t ci = 0; ci < G_CIG; ++ci) {
EFFCC_F_TAPS(«                        acc += (double)w[((co * G_CIG + ci) * G_K + ky) * G_K + kx] *
                               (double)G_X0(«(iy * G_W + ix) * G_CI + first + ci»);
»)                }
                const float v = EFFCC_F_BIASED(«co», «acc»);
                y[(oy * G_OW + ox) * G_CO + co] = EFFCC_F_ACTIVATE(«v»);
            }
»)

EFFCC_F_CONV_PW: a pointwise conv (1×1, no padding: no tap skipped;
weights in panels of 8 channels [co/8][ci][8], then [ci][G_CO − G_CO8]),
G_PB output pixels at a time, their inputs dequantized once into the
scratch (xd, as floats); 8 output channels of the G_PB pixels summed side
by side in registers (vectors of 4 doubles: the same additions lane by
lane), each over ci in order; the channels past the last 8
(from G_CO8),
and a last block of fewer pixels, one output at a time.
m4_define(«EFFCC_F_CONV_PW», «m4_dnl
    float *restrict xd = (float *)scratch + 2 * G_CO; /* after the G_CO doubles */
    for (ptrdiff_t p0 = 0; p0 < G_OH * G_OW; p0 += G_PB) {
        const ptrdiff_t np = G_OH * G_OW - p0 < G_PB ? G_OH * G_OW - p0 : G_PB;
        for (ptrdiff_t j = 0; j < np; ++j) {
            const ptrdiff_t oy = (p0 + j) / G_OW, ox = (p0 + j) % G_OW;
            const ptrdiff_t base = (oy * G_S * G_W + ox * G_S) * G_CI;
            for (ptrdiff_t ci = 0; ci < G_CI; ++ci)
                xd[j * G_CI + ci] = G_X0(«base + ci»);
        }
        if (np == G_PB)
            for (ptrdiff_t c0 = 0; c0 < G_CO8; c0 += 8) {
EFFCC_QFOR(«EFJ», 0, G_PB, «                effcc_f64x4 a«»EFJ«»l = {0.0, 0.0, 0.0, 0.0}, a«»EFJ«»h = a«»EFJ«»l;
»)m4_dnl
                const float *restrict wt = w + c0 * G_CI;
                for (ptrdiff_t ci = 0; ci < G_CI; ++ci, wt += 8) {
                    effcc_f64x4 wl, wh;
                    effcc_f64x4_widen(&wl, wt);
                    effcc_f64x4_widen(&wh, wt + 4);
EFFCC_QFOR(«EFJ», 0, G_PB, «                    {
                        const double xv = xd[EFJ * G_CI + ci];
                        a«»EFJ«»l += wl * xv;
                        a«»EFJ«»h += wh * xv;
                    }
»)m4_dnl
                }
EFFCC_QFOR(«EFJ», 0, G_PB, «                for (ptrdiff_t t = 0; t < 4; ++t) {
                    const float vl = EFFCC_F_BIASED(«c0 + t», «a«»EFJ«»l[t]»);
                    const float vh = EFFCC_F_BIASED(«c0 + 4 + t», «a«»EFJ«»h[t]»);
                    y[(p0 + EFJ) * G_CO + c0 + t] = EFFCC_F_ACTIVATE(«vl»);
                    y[(p0 + EFJ) * G_CO + c0 + 4 + t] = EFFCC_F_ACTIVATE(«vh»);
                }
»)m4_dnl
            }
        for (ptrdiff_t j = 0; j < np; ++j)
            for (ptrdiff_t co = np == G_PB ? G_CO8 : 0; co < G_CO; ++co) {
                double sum = 0.0;
                for (ptrdiff_t ci = 0; ci < G_CI; ++ci)
                    sum += (double)w[co < G_CO8 ? (co / 8 * G_CI + ci) * 8 + co % 8
                                               : G_CO8 * G_CI + ci * (G_CO - G_CO8) + (co - G_CO8)] *
                           (double)xd[j * G_CI + ci];
                const float v = EFFCC_F_BIASED(«co», «sum»);
                y[(p0 + j) * G_CO + co] = EFFCC_F_ACTIVATE(«v»);
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
order (the channels side by side).
m4_define(«EFFCC_F_MEAN», «
static void G_NAME«»(const void *in0, void *scratch, void *out)
{
    const G_X0T *restrict x0 = in0;
    float *restrict y = out;
    double *restrict sum = scratch;
    for (ptrdiff_t c = 0; c < G_C; ++c)
        sum[c] = 0.0;
    for (ptrdiff_t p = 0; p < G_P; ++p)
        for (ptrdiff_t c = 0; c < G_C; ++c)
            sum[c] += (double)G_X0(«p * G_C + c»);
    for (ptrdiff_t c = 0; c < G_C; ++c)
        y[c] = (float)(sum[c] / (double)G_P);
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
