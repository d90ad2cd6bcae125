m4_divert(-1)
kernels.m4 — the scalar kernels, one macro each. Every argument is a literal
chosen in codegen/kernels.c; the macros only substitute. Activations are
NHWC: a pixel's channels are contiguous, so the innermost loops run over
channels with unit stride.

Epilogues: what a kernel does to an output row once it is accumulated.

EFFCC_ACT_<kind>(row, n): applies the activation to n floats at row.
EFFCC_RES_<res>(row, src, n): adds the residual (res) or nothing (nores).
EFFCC_RESPARAM_<res>: the residual's parameter in a kernel's signature.
The kind and res words are chosen in codegen/kernels.c.

m4_define(«EFFCC_ACT_none», «»)
m4_define(«EFFCC_ACT_swish», «for (int i_ = 0; i_ < $2; ++i_)
            $1[i_] = effcc_swish($1[i_]);»)
m4_define(«EFFCC_ACT_sigmoid», «for (int i_ = 0; i_ < $2; ++i_)
            $1[i_] = effcc_sigmoid($1[i_]);»)
m4_define(«EFFCC_ACT_relu6», «for (int i_ = 0; i_ < $2; ++i_)
            $1[i_] = effcc_relu6($1[i_]);»)
m4_define(«EFFCC_RES_nores», «»)
m4_define(«EFFCC_RES_res», «for (int i_ = 0; i_ < $3; ++i_)
            $1[i_] += $2[i_];»)
m4_define(«EFFCC_RESPARAM_nores», «»)
m4_define(«EFFCC_RESPARAM_res», «, const float *restrict res»)

EFFCC_CONV_NCHW(name, CI, H, W, CO, OH, OW, K, S, PT, PL, act)
  k×k dense convolution reading the NCHW graph input (the stem).
  Weights [kh][kw][ci][co], output NHWC.
m4_define(«EFFCC_CONV_NCHW», «
static void $1(const float *restrict in, const float *restrict w,
        const float *restrict bias, float *restrict out)
{
    for (int oh = 0; oh < $6; ++oh) {
        for (int ow = 0; ow < $7; ++ow) {
            float *o = out + (oh * $7 + ow) * $5;
            for (int co = 0; co < $5; ++co)
                o[co] = bias[co];
            for (int kh = 0; kh < $8; ++kh) {
                const int ih = oh * $9 - $10 + kh;
                if (ih < 0 || ih >= $3)
                    continue;
                for (int kw = 0; kw < $8; ++kw) {
                    const int iw = ow * $9 - $11 + kw;
                    if (iw < 0 || iw >= $4)
                        continue;
                    for (int ci = 0; ci < $2; ++ci) {
                        const float x = in[(ci * $3 + ih) * $4 + iw];
                        const float *wr = w + ((kh * $8 + kw) * $2 + ci) * $5;
                        for (int co = 0; co < $5; ++co)
                            o[co] += x * wr[co];
                    }
                }
            }
            EFFCC_ACT_$12(o, $5)
        }
    }
}
»)

EFFCC_CONV1X1(name, P, CI, CO, act, res)
  Pointwise convolution over P pixels: out[p][co] = bias[co] + Σ in[p][ci] w[ci][co],
  then the activation, then the residual. Also the SE and classifier layers (P = 1).
m4_define(«EFFCC_CONV1X1», «
static void $1(const float *restrict in, const float *restrict w,
        const float *restrict bias, float *restrict out EFFCC_RESPARAM_$6)
{
    for (int p = 0; p < $2; ++p) {
        const float *x = in + p * $3;
        float *o = out + p * $4;
        for (int co = 0; co < $4; ++co)
            o[co] = bias[co];
        for (int ci = 0; ci < $3; ++ci) {
            const float xv = x[ci];
            const float *wr = w + ci * $4;
            for (int co = 0; co < $4; ++co)
                o[co] += xv * wr[co];
        }
        EFFCC_ACT_$5(o, $4)
        EFFCC_RES_$6(o, (res + p * $4), $4)
    }
}
»)

EFFCC_DWCONV(name, C, H, W, OH, OW, K, S, PT, PL, act)
  Depthwise k×k convolution, NHWC, weights [kh][kw][c].
m4_define(«EFFCC_DWCONV», «
static void $1(const float *restrict in, const float *restrict w,
        const float *restrict bias, float *restrict out)
{
    for (int oh = 0; oh < $5; ++oh) {
        for (int ow = 0; ow < $6; ++ow) {
            float *o = out + (oh * $6 + ow) * $2;
            for (int c = 0; c < $2; ++c)
                o[c] = bias[c];
            for (int kh = 0; kh < $7; ++kh) {
                const int ih = oh * $8 - $9 + kh;
                if (ih < 0 || ih >= $3)
                    continue;
                for (int kw = 0; kw < $7; ++kw) {
                    const int iw = ow * $8 - $10 + kw;
                    if (iw < 0 || iw >= $4)
                        continue;
                    const float *x = in + (ih * $4 + iw) * $2;
                    const float *wr = w + (kh * $7 + kw) * $2;
                    for (int c = 0; c < $2; ++c)
                        o[c] += x[c] * wr[c];
                }
            }
            EFFCC_ACT_$11(o, $2)
        }
    }
}
»)

EFFCC_AVGPOOL(name, P, C): global average over P pixels of C channels.
m4_define(«EFFCC_AVGPOOL», «
static void $1(const float *restrict in, float *restrict out)
{
    for (int c = 0; c < $3; ++c)
        out[c] = 0.0f;
    for (int p = 0; p < $2; ++p)
        for (int c = 0; c < $3; ++c)
            out[c] += in[p * $3 + c];
    for (int c = 0; c < $3; ++c)
        out[c] /= (float)$2;
}
»)

EFFCC_SCALE(name, P, C): out[p][c] = in[p][c] * s[c] (squeeze-and-excitation).
m4_define(«EFFCC_SCALE», «
static void $1(const float *restrict in, const float *restrict s, float *restrict out)
{
    for (int p = 0; p < $2; ++p)
        for (int c = 0; c < $3; ++c)
            out[p * $3 + c] = in[p * $3 + c] * s[c];
}
»)

EFFCC_ADD(name, N): out = a + b, for an add no conv could absorb.
m4_define(«EFFCC_ADD», «
static void $1(const float *restrict a, const float *restrict b, float *restrict out)
{
    for (int i = 0; i < $2; ++i)
        out[i] = a[i] + b[i];
}
»)

EFFCC_ACT(name, N, act): a standalone activation, for one no conv could absorb.
m4_define(«EFFCC_ACT», «
static void $1(const float *restrict in, float *restrict out)
{
    for (int i = 0; i < $2; ++i)
        out[i] = in[i];
    EFFCC_ACT_$3(out, $2)
}
»)
m4_divert(0)m4_dnl
