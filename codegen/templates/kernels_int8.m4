m4_divert(-1)
kernels_int8.m4 — the int8 kernel templates (docs/int8.md). Every number in
them is a literal chosen in C (codegen/kernels_int8.c writes the G_*
parameters before each expansion); the macros only substitute. Each kernel
computes what ir/eval_int8.c computes, the same integers: the arithmetic is
TFLite's reference int8 kernels', requantised by effcc_int8.h.

Values are NHWC int8, G_C channels per pixel, unpadded. Per-channel
constants come from the weights blob: int8 weights packed by
passes/layout_int8.c, the int32 bias, then rq: G_CO multipliers followed by
G_CO shifts (with G_QFAST, then ir/quant.c's quant_fast_table words, which
the AVX2 kernels requantise by: effcc_i32x8_mbqm_fast). Sums are int32; a conv's bias is added in wrapping arithmetic
(uint32), as TFLite's int32 addition wraps in practice. Indices are
ptrdiff_t (effcc_runtime.h says why that is wide enough).

EFFCC_Q_INPUT: QUANTIZE of the NCHW float input into NHWC int8:
zp + round(x / scale), the division in double, clamped (NaN gives zp);
with AVX2 eight at a time (effcc_quantize_i8x8, the same values).
m4_define(«EFFCC_Q_INPUT», «
static void G_NAME«»(const float *restrict in, int8_t *restrict out)
{
    for (ptrdiff_t c = 0; c < G_C; ++c) {
        ptrdiff_t p = 0;
#if defined(__AVX2__)
        for (; p + 8 <= G_P; p += 8) { /* eight at a time, then to their pixels */
            int8_t q[8];
            effcc_quantize_i8x8(in + c * G_P + p, G_SCALE, G_ZP, q);
            for (ptrdiff_t i = 0; i < 8; ++i)
                out[(p + i) * G_C + c] = q[i];
        }
#endif
        for (; p < G_P; ++p)
            out[p * G_C + c] = effcc_quantize_i8((double)in[c * G_P + p] / G_SCALE, G_ZP);
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

EFFCC_QFOR(var, from, to, body): body once for var = from … to − 1.
m4_define(«EFFCC_QFOR», «m4_ifelse(m4_eval(«$2 < $3»), 1,
«m4_pushdef(«$1», «$2»)$4«»m4_popdef(«$1»)EFFCC_QFOR(«$1», m4_incr($2), «$3», «$4»)»)»)

EFFCC_Q_TABLE_ARG: the parameter of a conv that applies its activation's
table (G_QTABLE: layout_int8 absorbed a swish or sigmoid), else nothing.
m4_define(«EFFCC_Q_TABLE_ARG», «m4_ifelse(G_QTABLE, 1, «const int8_t *restrict table, »)»)

EFFCC_Q_LOOKUP(at, count): with G_QTABLE, count bytes at at, just
written, through the table (lut, from EFFCC_Q_LUT), in place.
m4_define(«EFFCC_Q_LOOKUP», «m4_ifelse(G_QTABLE, 1, «    effcc_lookup_run(&lut, $1, $1, $2);
»)»)
m4_define(«EFFCC_Q_LUT», «m4_ifelse(G_QTABLE, 1, «    EffccLookup lut;
    effcc_lookup_init(&lut, table);
»)»)

EFFCC_Q_PW: a 1×1 convolution over G_P pixels, the input zero point
folded into the bias by layout_int8:
out[p][co] = requant(bias'[co] + Σ_ci w[co][ci] · in[p][ci]).
Weights come in panels of G_NR channels (G_NFULL of them), a remainder
panel of G_NVR·8 and a tail of G_CT (from channel G_CT0), each
[ci/2][width][2] and, for an odd G_CI, [width] for the last channel.
With AVX2, blocks of G_MR pixels (then the G_TR left over) are widened to
int16 pairs of input channels (xs, G_XS pairs a pixel) and each panel's
micro-kernel keeps rows × vectors sums in registers: vpmaddwd of a pixel's
pair (broadcast) by the panel's eight channel pairs. On AArch64 the same
blocks, as int8, go to NEON micro-kernels («EFFCC_Q_PW_NK»: smull/smlal).
Elsewhere (and for the tail) one pixel at a time («EFFCC_Q_PW_SC»), which
compilers vectorise over the panel's channels.
EFFCC_Q_NEON: the AArch64 NEON micro-kernels' condition (ARMv7's NEON lacks
the _high forms they use).
m4_define(«EFFCC_Q_NEON», «defined(__ARM_NEON) && defined(__aarch64__)»)
m4_define(«EFFCC_Q_PW», «EFFCC_Q_GEMM_FNS()m4_dnl
m4_ifelse(G_GATED, 1, «EFFCC_Q_GATE_FN(G_NAME«»_gate, G_CI, G_GZP1, G_GM, G_GSHIFT, G_GZPOUT, G_GFAST)»)m4_dnl
static void G_NAME«»(const int8_t *restrict in, m4_ifelse(G_GATED, 1, «const int8_t *restrict gate, »)m4_dnl
const int8_t *restrict w,
        const int32_t *restrict bias, const int32_t *restrict rq, EFFCC_Q_TABLE_ARG()int8_t *restrict out)
{
EFFCC_Q_LUT()m4_dnl
m4_ifelse(G_GATED, 1, «EFFCC_Q_GATE_Z(G_CI, G_GZP2)»)m4_dnl
#if defined(__AVX2__)
EFFCC_Q_MB()m4_dnl
m4_ifelse(G_NB, 0, «», «EFFCC_Q_FOR()m4_dnl
    for (ptrdiff_t blk = 0; blk < G_NB; ++blk) {
        int32_t xs[G_MR * G_XS];
EFFCC_Q_GATED(«xb», «in + blk * G_MR * G_CI», «G_MR»)
EFFCC_Q_PW_BLOCK(«», G_MR, «blk * G_MR», mk)    }
»)m4_ifelse(G_TR, 0, «», «    {
        int32_t xs[G_MR * G_XS];
EFFCC_Q_GATED(«xb», «in + (ptrdiff_t)G_NB * G_MR * G_CI», «G_TR»)
EFFCC_Q_PW_BLOCK(«t», G_TR, «(ptrdiff_t)G_NB * G_MR», mk)    }
»)#elif EFFCC_Q_NEON
m4_ifelse(G_NB, 0, «», «EFFCC_Q_FOR()m4_dnl
    for (ptrdiff_t blk = 0; blk < G_NB; ++blk) {
EFFCC_Q_GATED(«xb», «in + blk * G_MR * G_CI», «G_MR»)
EFFCC_Q_PW_BLOCK(«», G_MR, «blk * G_MR», nk)    }
»)m4_ifelse(G_TR, 0, «», «    {
EFFCC_Q_GATED(«xb», «in + (ptrdiff_t)G_NB * G_MR * G_CI», «G_TR»)
EFFCC_Q_PW_BLOCK(«t», G_TR, «(ptrdiff_t)G_NB * G_MR», nk)    }
»)#else
EFFCC_Q_FOR()m4_dnl
    for (ptrdiff_t p = 0; p < G_P; ++p) {
EFFCC_Q_GATED(«x», «in + p * G_CI», 1)EFFCC_Q_PW_PIXEL()    }
#endif
}
»)

EFFCC_Q_FOR: a 1×1 conv's (or the stem's) loop over pixel blocks is its
own parallel region, but with G_ROWCALL (a row of a fused depthwise
kernel, whose threads take bands of rows) serial.
m4_define(«EFFCC_Q_FOR», «m4_ifelse(G_ROWCALL, 1, «», «    EFFCC_OMP("omp parallel for schedule(static)")
»)»)

EFFCC_Q_GATED(name, at, pixels): name, the input of pixels pixels from at;
with G_GATED multiplied by the SE gate first, into a block on the stack.
m4_define(«EFFCC_Q_GATED», «m4_ifelse(G_GATED, 1, «m4_dnl
        int8_t gated[G_MR * G_CI];
        G_NAME«»_gate($2, gz, gated, $3);
        const int8_t *restrict $1 = gated;
», «        const int8_t *restrict $1 = $2;
»)»)

EFFCC_Q_GEMM_FNS: the functions an instance of «EFFCC_Q_PW» or «EFFCC_Q_CONV»
calls, and only those (clang warns of unused ones): with AVX2 (and NEON on
AArch64) the micro-kernels of its full and leftover pixel blocks on its
full and remainder panels, elsewhere the per-pixel panels; the tail's,
everywhere.
m4_define(«EFFCC_Q_GEMM_FNS», «m4_dnl
#if defined(__AVX2__)
m4_ifelse(G_NB, 0, «», «m4_ifelse(G_NFULL, 0, «», «EFFCC_Q_PW_MK(G_NAME«»_mk, G_MR, G_NV)»)m4_dnl
m4_ifelse(G_NVR, 0, «», «EFFCC_Q_PW_MK(G_NAME«»_mkr, G_MR, G_NVR)»)»)m4_dnl
m4_ifelse(G_TR, 0, «», «m4_ifelse(G_NFULL, 0, «», «EFFCC_Q_PW_MK(G_NAME«»_mkt, G_TR, G_NV)»)m4_dnl
m4_ifelse(G_NVR, 0, «», «EFFCC_Q_PW_MK(G_NAME«»_mktr, G_TR, G_NVR)»)»)m4_dnl
#elif EFFCC_Q_NEON
m4_ifelse(G_NB, 0, «», «m4_ifelse(G_NFULL, 0, «», «EFFCC_Q_PW_NK(G_NAME«»_nk, G_MR, G_NV)»)m4_dnl
m4_ifelse(G_NVR, 0, «», «EFFCC_Q_PW_NK(G_NAME«»_nkr, G_MR, G_NVR)»)»)m4_dnl
m4_ifelse(G_TR, 0, «», «m4_ifelse(G_NFULL, 0, «», «EFFCC_Q_PW_NK(G_NAME«»_nkt, G_TR, G_NV)»)m4_dnl
m4_ifelse(G_NVR, 0, «», «EFFCC_Q_PW_NK(G_NAME«»_nktr, G_TR, G_NVR)»)»)m4_dnl
#else
m4_ifelse(G_NFULL, 0, «», «EFFCC_Q_PW_SC(G_NR)»)m4_dnl
m4_ifelse(G_NVR, 0, «», «EFFCC_Q_PW_SC(m4_eval(G_NVR * 8))»)m4_dnl
#endif
m4_ifelse(G_CT, 0, «», «EFFCC_Q_PW_SC(G_CT)»)
»)

EFFCC_Q_PW_PIXEL: pixel p (at x) by every panel, plain C.
m4_define(«EFFCC_Q_PW_PIXEL», «m4_ifelse(G_NFULL, 0, «», «        for (ptrdiff_t n = 0; n < G_NFULL; ++n)
            G_NAME«»_sc«»G_NR«»(x, w + n * G_NR * G_CI, bias + n * G_NR, rq + n * G_NR,
                    out + p * G_CO + n * G_NR);
»)m4_ifelse(G_NVR, 0, «», «        G_NAME«»_sc«»m4_eval(G_NVR * 8)«»(x, w + G_NFULL * G_NR * G_CI, bias + G_NFULL * G_NR,
                rq + G_NFULL * G_NR, out + p * G_CO + G_NFULL * G_NR);
»)m4_ifelse(G_CT, 0, «», «        G_NAME«»_sc«»G_CT«»(x, w + G_CT0 * G_CI, bias + G_CT0, rq + G_CT0, out + p * G_CO + G_CT0);
»)EFFCC_Q_LOOKUP(«out + p * G_CO», «G_CO»)»)

EFFCC_Q_PW_BLOCK(suffix, rows, p0, kind): rows pixels from p0 (at xb), then
every panel's micro-kernel (suffix t: the leftover rows') and the tail's
channels; kind mk (AVX2) widens the pixels into xs first, nk (NEON) reads
them as they are.
m4_define(«EFFCC_Q_PW_BLOCK», «m4_ifelse($4, mk, «EFFCC_Q_PW_WIDEN($2)»)m4_dnl
m4_ifelse(G_NFULL, 0, «», «        for (ptrdiff_t n = 0; n < G_NFULL; ++n)
            G_NAME«»_$4$1«»(m4_ifelse($4, mk, «xs, xq», xb), w + n * G_NR * G_CI, m4_ifelse($4, mk, mb, bias) + n * G_NR, rq + n * G_NR,
                    out + ($3) * G_CO + n * G_NR);
»)m4_ifelse(G_NVR, 0, «», «        G_NAME«»_$4$1«»r(m4_ifelse($4, mk, «xs, xq», xb), w + G_NFULL * G_NR * G_CI, m4_ifelse($4, mk, mb, bias) + G_NFULL * G_NR,
                rq + G_NFULL * G_NR, out + ($3) * G_CO + G_NFULL * G_NR);
»)m4_ifelse(G_CT, 0, «», «        for (ptrdiff_t r = 0; r < $2; ++r)
            G_NAME«»_sc«»G_CT«»(xb + r * G_CI, w + G_CT0 * G_CI, bias + G_CT0, rq + G_CT0,
                    out + (($3) + r) * G_CO + G_CT0);
»)EFFCC_Q_LOOKUP(«out + ($3) * G_CO», «$2 * G_CO»)»)

EFFCC_Q_PW_QUADS(rows): with «EFFCC_Q_VNNI», rows pixels at xb as quads of
inputs offset by 128 in xq, G_XQ words a pixel (else no quads).
m4_define(«EFFCC_Q_PW_QUADS», «m4_dnl
#if EFFCC_Q_VNNI
        uint32_t xq[G_MR * G_XQ];
        for (ptrdiff_t r = 0; r < $1; ++r)
            for (ptrdiff_t q = 0; q < G_XQ; ++q) {
                uint32_t v;
                memcpy(&v, xb + r * G_CI + 4 * q, 4);
                xq[r * G_XQ + q] = v ^ 0x80808080u;
            }
#else
        const uint32_t *xq = NULL;
#endif
»)

EFFCC_Q_PW_WIDEN(rows): rows pixels at xb as int16 pairs of input channels
in xs, G_XS words a pixel, and their quads («EFFCC_Q_PW_QUADS») when a
micro-kernel reads them.
m4_define(«EFFCC_Q_PW_WIDEN», «m4_ifelse(G_NMK, 0, «», «EFFCC_Q_PW_QUADS($1)»)m4_dnl
        for (ptrdiff_t r = 0; r < $1; ++r) {
m4_ifelse(G_CI16, 0, «», «            for (ptrdiff_t c = 0; c < G_CI16; c += 16)
                _mm256_storeu_si256((__m256i *)(xs + r * G_XS + c / 2),
                        _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(xb + r * G_CI + c))));
»)m4_ifelse(G_CI16, G_CI, «», «            for (ptrdiff_t c = G_CI16; c < G_CI; ++c)
                xs[r * G_XS + c / 2] = c % 2 ? (int32_t)((uint32_t)xs[r * G_XS + c / 2] |
                                               (uint32_t)(uint16_t)xb[r * G_CI + c] << 16)
                                             : (int32_t)(uint16_t)xb[r * G_CI + c];
»)        }
»)

EFFCC_Q_PW_MK(name, rows, nv): the AVX2 micro-kernel: rows pixels (int16
pairs in x, G_XS a row) × nv vectors of 8 channels of one panel (weights
[ci/2][nv·8][2]); the sums start from the bias, wrap as int32 adds do,
and are requantised per channel, 16 at a time (two vectors packed with
saturation) when nv is 2, else 8. For GCC each step is one asm statement,
the same instructions as the intrinsics, in 16 registers: GCC 12 spilled
two sums of the intrinsics' loop (and copied the rest about), which cost
a third of the kernel's speed on Zen 3.
m4_define(«EFFCC_Q_PW_MK», «
static inline void $1(const int32_t *restrict x, const uint32_t *restrict xq, const int8_t *restrict w,
        const int32_t *restrict bias, const int32_t *restrict rq, int8_t *restrict out)
{
EFFCC_QFOR(«EFV», 0, $3, «    const __m256i bias«»EFV = _mm256_loadu_si256((const __m256i *)(bias + EFV * 8));
»)EFFCC_QFOR(«EFR», 0, $2, «EFFCC_QFOR(«EFV», 0, $3, «    __m256i acc«»EFR«»_«»EFV = bias«»EFV;
»)»)#if EFFCC_Q_VNNI
EFFCC_Q_MK_VNNI($2, $3)m4_dnl
#else
    (void)xq;
    for (ptrdiff_t k = 0; k < G_CIH; ++k) {
#if defined(__GNUC__) && !defined(__clang__)
        __m256i EFFCC_QFOR(«EFV», 0, $3, «w«»EFV, »)xp, pr;
        __asm__(EFFCC_QFOR(«EFV», 0, $3, «"vpmovsxbw\t{m4_eval(EFV * 16)(%[wk]), %[w«»EFV]|%[w«»EFV], XMMWORD PTR [%[wk]+m4_eval(EFV * 16)]}\n\t"
                »)EFFCC_QFOR(«EFR», 0, $2, «"vpbroadcastd\t{m4_eval(EFR * G_XS * 4)(%[xk]), %[xp]|%[xp], DWORD PTR [%[xk]+m4_eval(EFR * G_XS * 4)]}\n\t"
                EFFCC_QFOR(«EFV», 0, $3, «"vpmaddwd\t{%[w«»EFV], %[xp], %[pr]|%[pr], %[xp], %[w«»EFV]}\n\t"
                "vpaddd\t{%[pr], %[a«»EFR«»_«»EFV], %[a«»EFR«»_«»EFV]|%[a«»EFR«»_«»EFV], %[a«»EFR«»_«»EFV], %[pr]}\n\t"
                »)»)
                : EFFCC_QFOR(«EFR», 0, $2, «EFFCC_QFOR(«EFV», 0, $3, «[a«»EFR«»_«»EFV] "+x"(acc«»EFR«»_«»EFV), »)»)m4_dnl
EFFCC_QFOR(«EFV», 0, $3, «[w«»EFV] "=&x"(w«»EFV), »)[xp] "=&x"(xp), [pr] "=&x"(pr)
                : [wk] "r"(w + k * m4_eval($3 * 16)), [xk] "r"(x + k)
                : "memory");
#else
EFFCC_Q_MK_STEP($2, $3)m4_dnl
#endif
    }
#endif
m4_ifelse(G_CIODD, 1, «    {
EFFCC_QFOR(«EFV», 0, $3, «        const __m256i w«»EFV = _mm256_cvtepi8_epi32(
                _mm_loadl_epi64((const __m128i *)(w + G_CIH * m4_eval($3 * 16) + EFV * 8)));
»)EFFCC_QFOR(«EFR», 0, $2, «        {
            const __m256i xp = _mm256_set1_epi32(x[EFR * G_XS + G_CIH]);
EFFCC_QFOR(«EFV», 0, $3, «            acc«»EFR«»_«»EFV = _mm256_add_epi32(acc«»EFR«»_«»EFV, _mm256_madd_epi16(xp, w«»EFV));
»)        }
»)    }
»)m4_ifelse(G_QFAST, 1, «EFFCC_Q_MK_FAST($2, $3)», $3, 2, «    {
        const __m256i m0 = _mm256_loadu_si256((const __m256i *)rq);
        const __m256i m1 = _mm256_loadu_si256((const __m256i *)(rq + 8));
        const __m256i s0 = _mm256_loadu_si256((const __m256i *)(rq + G_CO));
        const __m256i s1 = _mm256_loadu_si256((const __m256i *)(rq + G_CO + 8));
EFFCC_QFOR(«EFR», 0, $2, «        effcc_i32x8x2_requant_i8(out + EFR * G_CO, acc«»EFR«»_0, acc«»EFR«»_1, m0, s0, m1, s1,
                                 G_ZPOUT, G_LO, G_HI);
»)    }
», «EFFCC_QFOR(«EFV», 0, $3, «    {
        const __m256i m = _mm256_loadu_si256((const __m256i *)(rq + EFV * 8));
        const __m256i s = _mm256_loadu_si256((const __m256i *)(rq + G_CO + EFV * 8));
EFFCC_QFOR(«EFR», 0, $2, «        effcc_i32x8_requant_i8(out + EFR * G_CO + EFV * 8, acc«»EFR«»_«»EFV, m, s, G_ZPOUT, G_LO, G_HI);
»)    }
»)»)}
»)

EFFCC_Q_MK_FAST(rows, nv): «EFFCC_Q_PW_MK»'s requantisation in the one-step
form (G_QFAST: layout_int8 found every channel's sums allow it); rq
starts at the panel's first channel.
m4_define(«EFFCC_Q_MK_FAST», «m4_ifelse($2, 2, «    {
        const EffccRqFast8 r0 = effcc_rq_fast8(rq, G_CO, 0), r1 = effcc_rq_fast8(rq, G_CO, 8);
EFFCC_QFOR(«EFR», 0, $1, «        effcc_i32x8x2_requant_fast_i8(out + EFR * G_CO, acc«»EFR«»_0, acc«»EFR«»_1, &r0, &r1,
                                      G_ZPOUT, G_LO, G_HI);
»)    }
», «EFFCC_QFOR(«EFV», 0, $2, «    {
        const EffccRqFast8 r = effcc_rq_fast8(rq, G_CO, EFV * 8);
EFFCC_QFOR(«EFR», 0, $1, «        effcc_i32x8_requant_fast_i8(out + EFR * G_CO + EFV * 8, acc«»EFR«»_«»EFV, &r, G_ZPOUT, G_LO, G_HI);
»)    }
»)»)»)

EFFCC_Q_MK_STEP(rows, nv): pair step k of «EFFCC_Q_PW_MK» with intrinsics:
the step's weights widened, each row's input pair broadcast, vpmaddwd.
m4_define(«EFFCC_Q_MK_STEP», «m4_dnl
EFFCC_QFOR(«EFV», 0, $2, «        const __m256i w«»EFV = _mm256_cvtepi8_epi16(
                _mm_loadu_si128((const __m128i *)(w + k * m4_eval($2 * 16) + EFV * 16)));
»)EFFCC_QFOR(«EFR», 0, $1, «        {
            const __m256i xp = _mm256_set1_epi32(x[EFR * G_XS + k]);
EFFCC_QFOR(«EFV», 0, $2, «            acc«»EFR«»_«»EFV = _mm256_add_epi32(acc«»EFR«»_«»EFV, _mm256_madd_epi16(xp, w«»EFV));
»)        }
»)»)

EFFCC_Q_VNNI: with AVX-512 VNNI (and VL, for 256-bit vpdpbusd), when the
kernel has a quad of inputs at all (G_XQ), the 1×1 micro-kernels take two
pair steps at a time with vpdpbusd, which multiplies unsigned bytes by
signed ones: the inputs offset by 128 (xor 0x80, in xq) against the
weights as they are, the sums starting from bias − 128·Σw («EFFCC_Q_MB»).
m4_define(«EFFCC_Q_VNNI», «m4_ifelse(G_XQ, 0, 0, «defined(__AVX512VNNI__) && defined(__AVX512VL__)»)»)

EFFCC_Q_MK_VNNI(rows, nv): the quads. Unpacking two steps' 16-bit pairs
gives each channel's four weights side by side, per 128-bit lane: for nv 2
channels 0–3 and 8–11 in one vector, 4–7 and 12–15 in the other, so the
sums are kept in that order (vperm2i128 in and out); an odd last pair
step by «EFFCC_Q_MK_STEP».
m4_define(«EFFCC_Q_MK_VNNI», «m4_ifelse($2, 2, «EFFCC_Q_MK_SWAP($1)»)m4_dnl
    (void)x; /* the pairs: only an odd last step and an odd last input read them */
    for (ptrdiff_t k = 0; k < 2 * G_XQ; k += 2) {
m4_ifelse($2, 2, «        const __m256i a = _mm256_loadu_si256((const __m256i *)(w + k * 32));
        const __m256i b = _mm256_loadu_si256((const __m256i *)(w + (k + 1) * 32));
        const __m256i q0 = _mm256_unpacklo_epi16(a, b), q1 = _mm256_unpackhi_epi16(a, b);
», «        const __m128i a = _mm_loadu_si128((const __m128i *)(w + k * 16));
        const __m128i b = _mm_loadu_si128((const __m128i *)(w + (k + 1) * 16));
        const __m256i q0 = _mm256_set_m128i(_mm_unpackhi_epi16(a, b), _mm_unpacklo_epi16(a, b));
»)EFFCC_QFOR(«EFR», 0, $1, «        {
            const __m256i xp = _mm256_set1_epi32((int32_t)xq[EFR * G_XQ + k / 2]);
EFFCC_QFOR(«EFV», 0, $2, «            acc«»EFR«»_«»EFV = _mm256_dpbusd_epi32(acc«»EFR«»_«»EFV, xp, q«»EFV);
»)        }
»)    }
m4_ifelse($2, 2, «EFFCC_Q_MK_SWAP($1)»)m4_ifelse(m4_eval(G_CIH % 2), 1, «    {
        const ptrdiff_t k = G_CIH - 1;
EFFCC_Q_MK_STEP($1, $2)    }
»)»)

EFFCC_Q_MK_SWAP(rows): each row's two sums between channel order (0–7,
8–15) and the quads' (0–3 8–11, 4–7 12–15); the same exchange both ways.
m4_define(«EFFCC_Q_MK_SWAP», «EFFCC_QFOR(«EFR», 0, $1, «    {
        const __m256i t = _mm256_permute2x128_si256(acc«»EFR«»_0, acc«»EFR«»_1, 0x20);
        acc«»EFR«»_1 = _mm256_permute2x128_si256(acc«»EFR«»_0, acc«»EFR«»_1, 0x31);
        acc«»EFR«»_0 = t;
    }
»)»)

EFFCC_Q_MB: the sums' starting values for «EFFCC_Q_PW_MK», mb: with
«EFFCC_Q_VNNI» each channel's bias − 128·(its weights of the quads), since
vpdpbusd sums (x + 128)·w (in uint32, wrapping as the sums do); else the
bias. Once a call, outside the parallel loop: G_CO·G_CI additions against
the call's G_P·G_CO·G_CI multiply-adds.
m4_define(«EFFCC_Q_MB», «m4_ifelse(G_NMK, 0, «», «#if EFFCC_Q_VNNI
    int32_t mb[G_NMK];
    for (ptrdiff_t c = 0; c < G_NMK; ++c) {
        const int full = c < m4_eval(G_NFULL * G_NR);
        const ptrdiff_t width = full ? G_NR : m4_eval(G_NVR * 8), j = full ? c % m4_eval(G_NR + (G_NR == 0)) : c - m4_eval(G_NFULL * G_NR);
        const int8_t *restrict wc = w + (c - j) * G_CI;
        uint32_t sum = 0;
        for (ptrdiff_t k = 0; k < 2 * G_XQ; ++k)
            sum += (uint32_t)(int32_t)wc[(k * width + j) * 2] + (uint32_t)(int32_t)wc[(k * width + j) * 2 + 1];
        mb[c] = (int32_t)((uint32_t)bias[c] - 128u * sum);
    }
#else
    const int32_t *restrict mb = bias;
#endif
»)»)

EFFCC_Q_PW_NK(name, rows, nv): the AArch64 NEON micro-kernel: rows pixels
(int8, G_CI a pixel) × nv vectors of 8 channels of one panel (weights
[ci/2][nv·8][2]), int32 sums four channels a register, starting from the
bias and wrapping as int32 adds do; requantised four at a time. With the
dot-product extension (__ARM_FEATURE_DOTPROD: built with
-march=armv8.2-a+dotprod, Cortex-A55/A76 and later) two pair steps at a
time: zipping their 16-bit pairs gives each channel's four weights side by
side, and sdot adds four products into each sum («EFFCC_Q_NK_QUAD»); an odd
last pair step, and every step without the extension, by smull/smlal
(«EFFCC_Q_NK_PAIR»).
m4_define(«EFFCC_Q_PW_NK», «
static inline void $1(const int8_t *restrict x, const int8_t *restrict w,
        const int32_t *restrict bias, const int32_t *restrict rq, int8_t *restrict out)
{
EFFCC_QFOR(«EFR», 0, $2, «EFFCC_QFOR(«EFV», 0, m4_eval($3 * 2), «    int32x4_t acc«»EFR«»_«»EFV = vld1q_s32(bias + EFV * 4);
»)»)#if defined(__ARM_FEATURE_DOTPROD)
m4_ifelse(m4_eval(G_CIH >= 2), 1, «    for (ptrdiff_t k = 0; k + 1 < G_CIH; k += 2) {
EFFCC_Q_NK_QUAD($2, $3)    }
»)m4_ifelse(m4_eval(G_CIH % 2), 1, «    {
        const ptrdiff_t k = G_CIH - 1;
EFFCC_Q_NK_PAIR($2, $3)    }
»)#else
    for (ptrdiff_t k = 0; k < G_CIH; ++k) {
EFFCC_Q_NK_PAIR($2, $3)    }
#endif
m4_ifelse(G_CIODD, 1, «    {
m4_ifelse($3, 2, «        const int8x16_t wl = vld1q_s8(w + G_CIH * 32);
EFFCC_QFOR(«EFR», 0, $2, «        {
            const int8x16_t xl = vdupq_n_s8(x[EFR * G_CI + G_CI - 1]);
            const int16x8_t lo = vmull_s8(vget_low_s8(wl), vget_low_s8(xl)), hi = vmull_high_s8(wl, xl);
EFFCC_Q_NK_ADD()        }
»)», «        const int8x8_t wl = vld1_s8(w + G_CIH * 16);
EFFCC_QFOR(«EFR», 0, $2, «        {
            const int16x8_t lo = vmull_s8(wl, vdup_n_s8(x[EFR * G_CI + G_CI - 1]));
EFFCC_Q_NK_ADD(1)        }
»)»)    }
»)EFFCC_QFOR(«EFV», 0, m4_eval($3 * 2), «    {
        const int32x4_t m = vld1q_s32(rq + EFV * 4), s = vld1q_s32(rq + G_CO + EFV * 4);
EFFCC_QFOR(«EFR», 0, $2, «        effcc_i32x4_requant_i8(out + EFR * G_CO + EFV * 4, acc«»EFR«»_«»EFV, m, s, G_ZPOUT, G_LO, G_HI);
»)    }
»)}
»)

EFFCC_Q_NK_PAIR(rows, nv): pair step k (inputs 2k, 2k + 1): vld2 splits the
step's weights into the two inputs', smull + smlal make the two products'
sum in int16 (|x·w| ≤ 128·127: two fit), saddw adds it to the sums.
m4_define(«EFFCC_Q_NK_PAIR», «m4_ifelse($2, 2, «        const int8x16x2_t wk = vld2q_s8(w + k * 32);
EFFCC_QFOR(«EFR», 0, $1, «        {
            const int8x16_t x0 = vdupq_n_s8(x[EFR * G_CI + 2 * k]), x1 = vdupq_n_s8(x[EFR * G_CI + 2 * k + 1]);
            const int16x8_t lo = vmlal_s8(vmull_s8(vget_low_s8(wk.val[0]), vget_low_s8(x0)),
                                          vget_low_s8(wk.val[1]), vget_low_s8(x1));
            const int16x8_t hi = vmlal_high_s8(vmull_high_s8(wk.val[0], x0), wk.val[1], x1);
EFFCC_Q_NK_ADD()        }
»)», «        const int8x8x2_t wk = vld2_s8(w + k * 16);
EFFCC_QFOR(«EFR», 0, $1, «        {
            const int16x8_t lo = vmlal_s8(vmull_s8(wk.val[0], vdup_n_s8(x[EFR * G_CI + 2 * k])), wk.val[1],
                                          vdup_n_s8(x[EFR * G_CI + 2 * k + 1]));
EFFCC_Q_NK_ADD(1)        }
»)»)»)

EFFCC_Q_NK_ADD(half): int16 products lo (channels 0–7) and hi (8–15; not
with half) into row EFR's sums.
m4_define(«EFFCC_Q_NK_ADD», «m4_dnl
            acc«»EFR«»_0 = vaddw_s16(acc«»EFR«»_0, vget_low_s16(lo));
            acc«»EFR«»_1 = vaddw_high_s16(acc«»EFR«»_1, lo);
m4_ifelse($1, 1, «», «            acc«»EFR«»_2 = vaddw_s16(acc«»EFR«»_2, vget_low_s16(hi));
            acc«»EFR«»_3 = vaddw_high_s16(acc«»EFR«»_3, hi);
»)»)

EFFCC_Q_NK_QUAD(rows, nv): pair steps k and k + 1 with sdot. As int16
lanes a step holds one channel's pair each; zip1/zip2 of the two steps'
lanes give, per channel, its weights for inputs 2k … 2k + 3, four channels
a vector, which sdot multiplies by the pixel's four inputs (one 32-bit
word, broadcast).
m4_define(«EFFCC_Q_NK_QUAD», «m4_dnl
EFFCC_QFOR(«EFH», 0, $2, «        const int16x8_t a«»EFH = vreinterpretq_s16_s8(vld1q_s8(w + k * m4_eval($2 * 16) + EFH * 16));
        const int16x8_t b«»EFH = vreinterpretq_s16_s8(vld1q_s8(w + (k + 1) * m4_eval($2 * 16) + EFH * 16));
        const int8x16_t q«»m4_eval(EFH * 2) = vreinterpretq_s8_s16(vzip1q_s16(a«»EFH, b«»EFH));
        const int8x16_t q«»m4_eval(EFH * 2 + 1) = vreinterpretq_s8_s16(vzip2q_s16(a«»EFH, b«»EFH));
»)EFFCC_QFOR(«EFR», 0, $1, «        {
            int32_t xq;
            memcpy(&xq, x + EFR * G_CI + 2 * k, 4);
            const int8x16_t xd = vreinterpretq_s8_s32(vdupq_n_s32(xq));
EFFCC_QFOR(«EFV», 0, m4_eval($2 * 2), «            acc«»EFR«»_«»EFV = vdotq_s32(acc«»EFR«»_«»EFV, q«»EFV, xd);
»)        }
»)»)

EFFCC_Q_PW_SC(width): one pixel × one panel of width channels, plain C.
m4_define(«EFFCC_Q_PW_SC», «
static inline void G_NAME«»_sc$1(const int8_t *restrict x, const int8_t *restrict w,
        const int32_t *restrict bias, const int32_t *restrict rq, int8_t *restrict out)
{
    int32_t acc[$1];
    for (ptrdiff_t j = 0; j < $1; ++j)
        acc[j] = 0;
    for (ptrdiff_t k = 0; k < G_CIH; ++k)
        for (ptrdiff_t j = 0; j < $1; ++j)
            acc[j] += (int32_t)w[(k * $1 + j) * 2] * x[2 * k] +
                      (int32_t)w[(k * $1 + j) * 2 + 1] * x[2 * k + 1];
m4_ifelse(G_CIODD, 1, «    for (ptrdiff_t j = 0; j < $1; ++j)
        acc[j] += (int32_t)w[G_CIH * 2 * $1 + j] * x[G_CI - 1];
»)    for (ptrdiff_t j = 0; j < $1; ++j)
        out[j] = effcc_requant_i8((int32_t)((uint32_t)acc[j] + (uint32_t)bias[j]), rq[j], rq[G_CO + j],
                                  G_ZPOUT, G_LO, G_HI);
}
»)

EFFCC_Q_FC: FULLY_CONNECTED (the classifier), as LiteRT's reference kernel:
out[co] = clamp(zp_out + round(acc · (s_in · s_w[co] / s_out))), one
rounding in double, half away from zero; s_w[co] are the weight scales
(float bits in the int32 blob, read with memcpy).
m4_define(«EFFCC_Q_FC», «
static void G_NAME«»(const int8_t *restrict in, const int8_t *restrict w,
        const int32_t *restrict bias, const int32_t *restrict sw, int8_t *restrict out)
{
    for (ptrdiff_t co = 0; co < G_CO; ++co) {
        const int8_t *restrict wc = w + co * G_CI;
        int32_t acc = 0;
        for (ptrdiff_t ci = 0; ci < G_CI; ++ci)
            acc += (int32_t)wc[ci] * ((int32_t)in[ci] - (G_ZPIN));
        acc = (int32_t)((uint32_t)acc + (uint32_t)bias[co]);
        float s;
        memcpy(&s, &sw[co], sizeof s);
        double r = round((double)acc * ((double)G_SIN * (double)s / (double)G_SOUT));
        r = r < -512 ? -512 : r > 512 ? 512 : r; /* beyond, the clamp decides alike */
        const int32_t q = (int32_t)r + (G_ZPOUT);
        out[co] = (int8_t)(q < G_LO ? G_LO : q > G_HI ? G_HI : q);
    }
}
»)

EFFCC_Q_CONV: a dense k×k convolution (the stem) as a 1×1 one
(«EFFCC_Q_PW») over patches: each output pixel's G_K×G_K taps of G_C
channels, stride G_S, padding G_PT/G_PL, gathered into G_CI int8s (taps
outside the input hold zp_in: with the zero point folded into the bias
they add w·zp_in − w·zp_in = 0, as TFLite's reference leaves them out).
With G_ROWCALL (the stem fused into a depthwise kernel) a call computes the
G_P pixels from pixel p0 (EFFCC_Q_P0) into out.
m4_define(«EFFCC_Q_P0», «m4_ifelse(G_ROWCALL, 1, «p0 + »)»)
m4_define(«EFFCC_Q_CONV», «EFFCC_Q_GEMM_FNS()
static inline void G_NAME«»_patch(const int8_t *restrict in, ptrdiff_t p, int8_t *restrict x)
{
    const ptrdiff_t oh = p / G_OW, ow = p % G_OW;
    for (ptrdiff_t kh = 0; kh < G_K; ++kh) {
        const ptrdiff_t ih = oh * G_S - G_PT + kh;
        for (ptrdiff_t kw = 0; kw < G_K; ++kw) {
            const ptrdiff_t iw = ow * G_S - G_PL + kw;
            const int inside = ih >= 0 && ih < G_H && iw >= 0 && iw < G_W;
            for (ptrdiff_t c = 0; c < G_C; ++c)
                x[(kh * G_K + kw) * G_C + c] = inside ? in[(ih * G_W + iw) * G_C + c] : (int8_t)(G_ZPIN);
        }
    }
}

static void G_NAME«»(const int8_t *restrict in, m4_ifelse(G_ROWCALL, 1, «ptrdiff_t p0, »)m4_dnl
const int8_t *restrict w,
        const int32_t *restrict bias, const int32_t *restrict rq, EFFCC_Q_TABLE_ARG()int8_t *restrict out)
{
EFFCC_Q_LUT()m4_dnl
#if defined(__AVX2__)
EFFCC_Q_MB()m4_dnl
m4_ifelse(G_NB, 0, «», «EFFCC_Q_FOR()m4_dnl
    for (ptrdiff_t blk = 0; blk < G_NB; ++blk) {
        int32_t xs[G_MR * G_XS];
        int8_t patch[G_MR * G_CI];
        for (ptrdiff_t r = 0; r < G_MR; ++r)
            G_NAME«»_patch(in, EFFCC_Q_P0()blk * G_MR + r, patch + r * G_CI);
        const int8_t *restrict xb = patch;
EFFCC_Q_PW_BLOCK(«», G_MR, «blk * G_MR», mk)    }
»)m4_ifelse(G_TR, 0, «», «    {
        int32_t xs[G_MR * G_XS];
        int8_t patch[G_MR * G_CI];
        for (ptrdiff_t r = 0; r < G_TR; ++r)
            G_NAME«»_patch(in, EFFCC_Q_P0()(ptrdiff_t)G_NB * G_MR + r, patch + r * G_CI);
        const int8_t *restrict xb = patch;
EFFCC_Q_PW_BLOCK(«t», G_TR, «(ptrdiff_t)G_NB * G_MR», mk)    }
»)#elif EFFCC_Q_NEON
m4_ifelse(G_NB, 0, «», «EFFCC_Q_FOR()m4_dnl
    for (ptrdiff_t blk = 0; blk < G_NB; ++blk) {
        int8_t patch[G_MR * G_CI];
        for (ptrdiff_t r = 0; r < G_MR; ++r)
            G_NAME«»_patch(in, EFFCC_Q_P0()blk * G_MR + r, patch + r * G_CI);
        const int8_t *restrict xb = patch;
EFFCC_Q_PW_BLOCK(«», G_MR, «blk * G_MR», nk)    }
»)m4_ifelse(G_TR, 0, «», «    {
        int8_t patch[G_MR * G_CI];
        for (ptrdiff_t r = 0; r < G_TR; ++r)
            G_NAME«»_patch(in, EFFCC_Q_P0()(ptrdiff_t)G_NB * G_MR + r, patch + r * G_CI);
        const int8_t *restrict xb = patch;
EFFCC_Q_PW_BLOCK(«t», G_TR, «(ptrdiff_t)G_NB * G_MR», nk)    }
»)#else
EFFCC_Q_FOR()m4_dnl
    for (ptrdiff_t p = 0; p < G_P; ++p) {
        int8_t x[G_CI];
        G_NAME«»_patch(in, EFFCC_Q_P0()p, x);
EFFCC_Q_PW_PIXEL()    }
#endif
}
»)

EFFCC_Q_DW: a depthwise convolution; weights in G_NP tap pairs, int32 words
[G_NP][c], each two int16 (the first in the low half; layout_int8.c): with
G_QROWS the taps of each kernel row two at a time (G_NJ pairs a row, the
last one's second weight 0 when k is odd), else the k² taps in row-major
order. Sums are int32 from the bias (the input zero point folded in, so a
tap outside the input reads zp_in).
With AVX2 (G_QROWS) each input row becomes a row of tap pairs once, in the
thread's part of the scratch (G_ROWS_AT; «G_NAME»_pairs16, _pairs8):
column x·G_HSTEP − G_PL with the next, as int16 pairs (int8 with G_H8:
G_HT; G_HSTEP 2 for an even stride, whose pairs start at even columns
only), for the channels in blocks of 16 ([block][G_HW columns][16
pairs]) then one of 8; G_HROW elements a row; k such rows a thread in
slots ih mod k, then one of the zero point for the rows above and below
the input. A pair of taps of an output pixel is then one vpmaddwd of a
column's pairs by the pair's weights, with no shuffle («EFFCC_Q_DW_QUAD»:
4 pixels at a time, each pair's weights loaded once for them). A kernel
that reads a whole input goes through it once per block
(«EFFCC_Q_DW_BANDS»: rows of one block, int16); a fused kernel
(G_FUSED, «EFFCC_Q_EXPDW») hands «G_NAME»_row its rows one at a time
(rows of every channel, int8 pairs). The channels past the last block of
8, and every channel elsewhere, pixel by pixel («G_NAME»_px, given each
tap's address), which compilers vectorise; with G_QTABLE the outputs go
through the table. With OpenMP each thread takes a band of output rows.
m4_define(«EFFCC_Q_DW», «
static inline void G_NAME«»_px(const int8_t *const *restrict xs, const int32_t *restrict w,
        const int32_t *restrict bias, const int32_t *restrict rq, int8_t *restrict y,
        ptrdiff_t c0)
{
    int32_t acc[G_C];
    for (ptrdiff_t j = c0; j < G_C; ++j)
        acc[j] = 0;
    for (ptrdiff_t p = 0; p < G_NP; ++p) {
        const int8_t *restrict a = xs[2 * p], *restrict b = xs[2 * p + 1];
        const int32_t *restrict wp = w + p * G_C;
        for (ptrdiff_t j = c0; j < G_C; ++j) {
            const int32_t lo = wp[j] & 0xffff; /* the int16s' bits; decoded with no shift of a sign */
            acc[j] += ((lo ^ 0x8000) - 0x8000) * a[j] + (wp[j] - lo) / 65536 * b[j];
        }
    }
    for (ptrdiff_t j = c0; j < G_C; ++j)
        y[j] = effcc_requant_i8((int32_t)((uint32_t)acc[j] + (uint32_t)bias[j]), rq[j], rq[G_C + j],
                                G_ZPOUT, G_LO, G_HI);
}

/* The address of each tap's pixel of output (oh, ow) for pair by pair,
 * zrow outside the input and for a pair's missing second tap (weight 0). */
static inline void G_NAME«»_taps(const int8_t *in, ptrdiff_t rowoff, const int8_t *zrow,
        ptrdiff_t oh, ptrdiff_t ow, const int8_t **xs)
{
    for (ptrdiff_t p = 0; p < G_NP; ++p)
        for (ptrdiff_t e = 0; e < 2; ++e) {
m4_ifelse(G_QROWS, 1, «            const ptrdiff_t kx = p % G_NJ * 2 + e, t = p / G_NJ * G_K + kx;
            const int present = kx < G_K;
», «            const ptrdiff_t t = 2 * p + e;
            const int present = t < G_K * G_K;
»)            const ptrdiff_t ih = oh * G_S - G_PT + t / G_K, iw = ow * G_S - G_PL + t % G_K;
            xs[2 * p + e] = present && ih >= 0 && ih < G_H && iw >= 0 && iw < G_W
                                ? in + (rowoff + (ih * G_W + iw) * G_C) : zrow;
        }
}
m4_ifelse(G_QROWS, 1, «EFFCC_Q_DW_PAIRS()»)
m4_ifelse(G_QROWS«»G_FUSED, 10, «», «EFFCC_Q_DW_ROW()»)m4_dnl
m4_ifelse(G_FUSED, 1, «EFFCC_Q_EXPDW()», G_QROWS, 1, «EFFCC_Q_DW_BANDS()», «EFFCC_Q_DW_PLAIN()»)»)

EFFCC_Q_DW_ROW: «G_NAME»_row, output row oh from input rows at
in + rowoff + ih·G_W·G_C (a fused kernel's ring, or the whole input).
m4_define(«EFFCC_Q_DW_ROW», «
static inline void G_NAME«»_row(const int8_t *restrict in, ptrdiff_t rowoff, ptrdiff_t oh,
        const int8_t *restrict zrow, const int32_t *restrict w, const int32_t *restrict bias,
        const int32_t *restrict rq, EFFCC_Q_TABLE_ARG()EFFCC_Q_ROWS_ARG()int8_t *restrict out)
{
EFFCC_Q_LUT()m4_dnl
    ptrdiff_t c = 0;
m4_ifelse(G_QROWS, 1, «#if defined(__AVX2__)
    const G_HT *h[G_K]; /* each kernel row's row of pairs */
    for (ptrdiff_t kh = 0; kh < G_K; ++kh) {
        const ptrdiff_t ih = oh * G_S - G_PT + kh;
        if (ih < 0 || ih >= G_H) {
            h[kh] = pr + G_K * G_HROW; /* the zero point's */
            continue;
        }
        G_HT *slot = pr + ih % G_K * G_HROW;
        if (held[ih % G_K] != ih) {
            G_NAME«»_pairs(in + rowoff + ih * (G_W * G_C), slot);
            held[ih % G_K] = ih;
        }
        h[kh] = slot;
    }
    for (; c < G_C / 16 * 16; c += 16) {
        const G_HT *hb[G_K];
        for (ptrdiff_t kh = 0; kh < G_K; ++kh)
            hb[kh] = h[kh] + c / 16 * (G_HW * 32);
EFFCC_Q_DW_PIXELS(16)    }
m4_ifelse(m4_eval(G_C % 16 >= 8), 1, «    {
        const G_HT *hb[G_K];
        for (ptrdiff_t kh = 0; kh < G_K; ++kh)
            hb[kh] = h[kh] + c / 16 * (G_HW * 32);
EFFCC_Q_DW_PIXELS(8)        c += 8;
    }
»)#else
    (void)pr, (void)held;
#endif
»)    for (ptrdiff_t ow = 0; ow < G_OW && c < G_C; ++ow) {
        const int8_t *xs[2 * G_NP];
        G_NAME«»_taps(in, rowoff, zrow, oh, ow, xs);
        G_NAME«»_px(xs, w, bias, rq, out + (oh * G_OW + ow) * G_C, c);
    }
EFFCC_Q_LOOKUP(«out + oh * G_OW * G_C», «G_OW * G_C»)}
»)

EFFCC_Q_DW_PLAIN: a depthwise conv without rows of tap pairs, each thread
a band of output rows.
m4_define(«EFFCC_Q_DW_PLAIN», «
static void G_NAME«»(const int8_t *restrict in, const int32_t *restrict w,
        const int32_t *restrict bias, const int32_t *restrict rq, EFFCC_Q_TABLE_ARG()int8_t *restrict out)
{
    int8_t zrow[G_C];
    for (ptrdiff_t c = 0; c < G_C; ++c)
        zrow[c] = G_ZPIN;
    EFFCC_OMP("omp parallel num_threads(effcc_threads(G_THREADS))")
    {
        const ptrdiff_t threads = effcc_thread_count(), t = effcc_thread_id();
        const ptrdiff_t oh0 = G_OH * t / threads, oh1 = G_OH * (t + 1) / threads;
        for (ptrdiff_t oh = oh0; oh < oh1; ++oh)
            G_NAME«»_row(in, 0, oh, zrow, w, bias, rq, m4_ifelse(G_QTABLE, 1, «table, »)out);
    }
}
»)

EFFCC_Q_DW_BANDS: a depthwise conv with G_QROWS that reads a whole input
tensor: each thread takes a band of output rows and goes through it once
per block of channels («G_NAME»_band16, _band8), so that its rows of tap
pairs hold one block (G_HROW elements a row: k rows and the zero point's, a
few KiB, where rows of every channel took up to 1.3 MiB a layer of B0
with four threads' scratch); then the channels past the last block of 8,
then the table over the band.
m4_define(«EFFCC_Q_DW_BANDS», «
#if defined(__AVX2__)
m4_ifelse(m4_eval(G_C >= 16), 1, «EFFCC_Q_DW_BAND(16)»)m4_dnl
m4_ifelse(m4_eval(G_C % 16 >= 8), 1, «EFFCC_Q_DW_BAND(8)»)m4_dnl
#endif
static void G_NAME«»(const int8_t *restrict in, const int32_t *restrict w,
        const int32_t *restrict bias, const int32_t *restrict rq, EFFCC_Q_TABLE_ARG()m4_dnl
int8_t *restrict scratch, int8_t *restrict out)
{
    int8_t zrow[G_C];
    for (ptrdiff_t c = 0; c < G_C; ++c)
        zrow[c] = G_ZPIN;
    EFFCC_OMP("omp parallel num_threads(effcc_threads(G_THREADS))")
    {
        const ptrdiff_t threads = effcc_thread_count(), t = effcc_thread_id();
        const ptrdiff_t oh0 = G_OH * t / threads, oh1 = G_OH * (t + 1) / threads;
        G_HT *pr = (G_HT *)(void *)(scratch + G_ROWS_AT) + t * ((G_K + 1) * G_HROW);
        ptrdiff_t c = 0;
#if defined(__AVX2__)
        for (; c < G_C / 16 * 16; c += 16)
            G_NAME«»_band16(in, c, oh0, oh1, pr, w, bias, rq, out);
m4_ifelse(m4_eval(G_C % 16 >= 8), 1, «        G_NAME«»_band8(in, c, oh0, oh1, pr, w, bias, rq, out);
        c += 8;
»)#else
        (void)pr;
#endif
        for (ptrdiff_t oh = oh0; oh < oh1; ++oh)
            for (ptrdiff_t ow = 0; ow < G_OW && c < G_C; ++ow) {
                const int8_t *xs[2 * G_NP];
                G_NAME«»_taps(in, 0, zrow, oh, ow, xs);
                G_NAME«»_px(xs, w, bias, rq, out + (oh * G_OW + ow) * G_C, c);
            }
m4_ifelse(G_QTABLE, 1, «EFFCC_Q_LUT()m4_dnl
        for (ptrdiff_t oh = oh0; oh < oh1; ++oh)
    EFFCC_Q_LOOKUP(«out + oh * G_OW * G_C», «G_OW * G_C»)»)m4_dnl
    }
}
»)

EFFCC_Q_DW_BAND(width): «G_NAME»_band<width>(in, c, oh0, oh1, pr, …): output
rows [oh0, oh1) of the width channels from c, from rows of tap pairs of
those channels alone (slots ih mod k of pr, then the zero point's).
m4_define(«EFFCC_Q_DW_BAND», «
static void G_NAME«»_band$1(const int8_t *restrict in, ptrdiff_t c, ptrdiff_t oh0, ptrdiff_t oh1,
        G_HT *restrict pr, const int32_t *restrict w, const int32_t *restrict bias,
        const int32_t *restrict rq, int8_t *restrict out)
{
    ptrdiff_t held[G_K];
    for (ptrdiff_t s = 0; s < G_K; ++s)
        held[s] = -1;
    G_HT *zr = pr + G_K * G_HROW;
    G_NAME«»_pairs$1(NULL, c, zr);
    for (ptrdiff_t oh = oh0; oh < oh1; ++oh) {
        const G_HT *hb[G_K];
        for (ptrdiff_t kh = 0; kh < G_K; ++kh) {
            const ptrdiff_t ih = oh * G_S - G_PT + kh;
            if (ih < 0 || ih >= G_H) {
                hb[kh] = zr;
                continue;
            }
            G_HT *slot = pr + ih % G_K * G_HROW;
            if (held[ih % G_K] != ih) {
                G_NAME«»_pairs$1(in + ih * (G_W * G_C), c, slot);
                held[ih % G_K] = ih;
            }
            hb[kh] = slot;
        }
EFFCC_Q_DW_PIXELS($1)    }
}
»)

EFFCC_Q_DW_PIXELS(width): output row oh's pixels for the width channels
from c, from hb: four at a time, then one.
m4_define(«EFFCC_Q_DW_PIXELS», «m4_dnl
        int8_t *restrict y = out + oh * G_OW * G_C + c;
        ptrdiff_t ow = 0;
        for (; ow + 4 <= G_OW; ow += 4)
            G_NAME«»_q$1x4(hb, ow, w + c, bias + c, rq + c, y + ow * G_C);
        for (; ow < G_OW; ++ow)
            G_NAME«»_q$1x1(hb, ow, w + c, bias + c, rq + c, y + ow * G_C);
»)

EFFCC_Q_ROWS_ARG, EFFCC_Q_ROWS_PASS: with G_QROWS the row function's
thread's rows of pairs (pr) and which input row each slot holds (held).
EFFCC_Q_ROWS_INIT(scratch): a thread's pr (its part of the scratch, from
G_ROWS_AT), held (none yet) and the zero point's row, built once.
m4_define(«EFFCC_Q_ROWS_ARG», «m4_ifelse(G_QROWS, 1, «G_HT *restrict pr, ptrdiff_t *restrict held,
        »)»)
m4_define(«EFFCC_Q_ROWS_PASS», «m4_ifelse(G_QROWS, 1, «pr, held, »)»)
m4_define(«EFFCC_Q_ROWS_INIT», «m4_ifelse(G_QROWS, 1, «m4_dnl
        G_HT *pr = (G_HT *)(void *)($1 + G_ROWS_AT) + t * ((G_K + 1) * G_HROW);
        ptrdiff_t held[G_K];
        for (ptrdiff_t s = 0; s < G_K; ++s)
            held[s] = -1;
#if defined(__AVX2__)
        G_NAME«»_pairs(NULL, pr + G_K * G_HROW);
#endif
»)»)

EFFCC_Q_DW_PAIRS: the AVX2 functions of G_QROWS: «G_NAME»_pairs16 and
_pairs8(row, c, h), a block's row of pairs of an input row (NULL: the zero
point's), with G_FUSED «G_NAME»_pairs(row, h) for all the blocks, and the
micro-kernels «EFFCC_Q_DW_QUAD» for 16 and 8 channels, 4 pixels and 1.
EFFCC_Q_DW_PAIRS_BLOCK(width, load): the builder of one block.
m4_define(«EFFCC_Q_DW_PAIRS_BLOCK», «
static inline void G_NAME«»_pairs$1(const int8_t *restrict row, ptrdiff_t c, G_HT *restrict h)
{
    const __m128i zp = _mm_set1_epi8(G_ZPIN);
    for (ptrdiff_t x = 0; x < G_HW; ++x) {
        const ptrdiff_t ix = x * G_HSTEP - G_PL; /* the pair's first column */
        const __m128i a = row && ix >= 0 && ix < G_W ? $2((const __m128i *)(row + ix * G_C + c)) : zp;
        const __m128i b = row && ix + 1 >= 0 && ix + 1 < G_W
                              ? $2((const __m128i *)(row + (ix + 1) * G_C + c)) : zp;
        EFFCC_Q_HSTORE(h + x * m4_eval($1 * 2), _mm_unpacklo_epi8(a, b));
m4_ifelse($1, 16, «        EFFCC_Q_HSTORE(h + x * 32 + 16, _mm_unpackhi_epi8(a, b));
»)    }
}
»)
m4_define(«EFFCC_Q_DW_PAIRS», «#if defined(__AVX2__)
m4_ifelse(m4_eval(G_C >= 16), 1, «EFFCC_Q_DW_PAIRS_BLOCK(16, «_mm_loadu_si128»)»)m4_dnl
m4_ifelse(m4_eval(G_C % 16 >= 8), 1, «EFFCC_Q_DW_PAIRS_BLOCK(8, «_mm_loadl_epi64»)»)m4_dnl
m4_ifelse(G_FUSED, 1, «
static inline void G_NAME«»_pairs(const int8_t *restrict row, G_HT *restrict h)
{
    ptrdiff_t c = 0;
    for (; c < G_C / 16 * 16; c += 16)
        G_NAME«»_pairs16(row, c, h + c / 16 * (G_HW * 32));
m4_ifelse(m4_eval(G_C % 16 >= 8), 1, «    G_NAME«»_pairs8(row, c, h + c / 16 * (G_HW * 32));
»)}
»)m4_ifelse(m4_eval(G_C >= 16), 1, «EFFCC_Q_DW_QUAD(16, 4)EFFCC_Q_DW_QUAD(16, 1)»)m4_dnl
m4_ifelse(m4_eval(G_C % 16 >= 8), 1, «EFFCC_Q_DW_QUAD(8, 4)EFFCC_Q_DW_QUAD(8, 1)»)m4_dnl
#endif
»)

EFFCC_Q_DW_QUAD(width, pixels): «G_NAME»_q<width>x<pixels>(hb, ow, w, bias,
rq, y): pixels output pixels from ow of width channels (16: two vectors a
pixel), hb each kernel row's row of pairs at the block; each pair's
weights loaded once for the pixels; requantised as the 1×1 kernels do.
Kept out of line, and the sums passed through an empty asm after each
pair: inlined into the row's loop, GCC 12 kept columns loaded for the
next block alive across iterations (predictive commoning) and summed the
products at the end (reassociation), spilling most of them to the stack.
m4_define(«EFFCC_Q_NOINLINE», «__attribute__((noinline))»)

G_HT, EFFCC_Q_HLOAD(at), EFFCC_Q_HSTORE(at, bytes): the rows of tap pairs'
element and how 8 pairs are read as 16 int16 and written from 16
interleaved bytes: int16 (read as they are), or with G_H8 (a fused
kernel's rows of every channel) the bytes themselves, half the scratch,
widened as they are read (one vpmovsxbw a vpmaddwd).
m4_define(«G_HT», «m4_ifelse(G_H8, 1, int8_t, int16_t)»)
m4_define(«EFFCC_Q_HLOAD», «m4_ifelse(G_H8, 1, «_mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)($1)))»,
«_mm256_loadu_si256((const __m256i *)($1))»)»)
m4_define(«EFFCC_Q_HSTORE», «m4_ifelse(G_H8, 1, «_mm_storeu_si128((__m128i *)($1), $2)»,
«_mm256_storeu_si256((__m256i *)($1), _mm256_cvtepi8_epi16($2))»)»)
m4_define(«EFFCC_Q_DW_QUAD», «
static EFFCC_Q_NOINLINE void G_NAME«»_q$1x$2(const G_HT *const *restrict hb, ptrdiff_t ow,
        const int32_t *restrict w, const int32_t *restrict bias, const int32_t *restrict rq,
        int8_t *restrict y)
{
EFFCC_QFOR(«EFX», 0, $2, «    __m256i acc«»EFX«»_0 = _mm256_loadu_si256((const __m256i *)bias);
m4_ifelse($1, 16, «    __m256i acc«»EFX«»_1 = _mm256_loadu_si256((const __m256i *)(bias + 8));
»)»)EFFCC_QFOR(«EFK», 0, G_K, «EFFCC_QFOR(«EFJ», 0, G_NJ, «    {
        const int32_t *wp = w + m4_eval((EFK * G_NJ + EFJ) * G_C);
        const G_HT *hk = hb[EFK];
        const __m256i w0 = _mm256_loadu_si256((const __m256i *)wp);
m4_ifelse($1, 16, «        const __m256i w1 = _mm256_loadu_si256((const __m256i *)(wp + 8));
»)EFFCC_QFOR(«EFX», 0, $2, «        {
            const G_HT *hx = hk + ((ow + EFX) * G_S + m4_eval(2 * EFJ)) / G_HSTEP * $1 * 2;
            acc«»EFX«»_0 = _mm256_add_epi32(acc«»EFX«»_0, _mm256_madd_epi16(EFFCC_Q_HLOAD(hx), w0));
m4_ifelse($1, 16, «            acc«»EFX«»_1 = _mm256_add_epi32(acc«»EFX«»_1, _mm256_madd_epi16(EFFCC_Q_HLOAD(hx + 16), w1));
»)        }
»)        __asm__("" : EFFCC_QFOR(«EFX», 0, $2, «m4_ifelse(EFX, 0, «», «, »)"+x"(acc«»EFX«»_0)m4_ifelse($1, 16, «, "+x"(acc«»EFX«»_1)»)»));
    }
»)»)m4_ifelse(G_QFAST, 1, «m4_ifelse($1, 16, «    const EffccRqFast8 r0 = effcc_rq_fast8(rq, G_C, 0), r1 = effcc_rq_fast8(rq, G_C, 8);
EFFCC_QFOR(«EFX», 0, $2, «    effcc_i32x8x2_requant_fast_i8(y + EFX * G_C, acc«»EFX«»_0, acc«»EFX«»_1, &r0, &r1, G_ZPOUT, G_LO, G_HI);
»)», «    const EffccRqFast8 r0 = effcc_rq_fast8(rq, G_C, 0);
EFFCC_QFOR(«EFX», 0, $2, «    effcc_i32x8_requant_fast_i8(y + EFX * G_C, acc«»EFX«»_0, &r0, G_ZPOUT, G_LO, G_HI);
»)»)», «    const __m256i m0 = _mm256_loadu_si256((const __m256i *)rq);
    const __m256i s0 = _mm256_loadu_si256((const __m256i *)(rq + G_C));
m4_ifelse($1, 16, «    const __m256i m1 = _mm256_loadu_si256((const __m256i *)(rq + 8));
    const __m256i s1 = _mm256_loadu_si256((const __m256i *)(rq + G_C + 8));
EFFCC_QFOR(«EFX», 0, $2, «    effcc_i32x8x2_requant_i8(y + EFX * G_C, acc«»EFX«»_0, acc«»EFX«»_1, m0, s0, m1, s1, G_ZPOUT, G_LO, G_HI);
»)», «EFFCC_QFOR(«EFX», 0, $2, «    effcc_i32x8_requant_i8(y + EFX * G_C, acc«»EFX«»_0, m0, s0, G_ZPOUT, G_LO, G_HI);
»)»)»)}
»)

EFFCC_Q_EXPDW: the depthwise conv of an expansion fused into it
(layout_int8's fuse_expansion): before each output row, the input rows it
needs and no earlier row computed are: the expansion's 1×1 kernel
(G_ENAME, made for one row of pixels) on that row of x, then (G_TABLE)
its swish or sigmoid table, into ring slot row % k and a copy in slot
row % k + k, so that the k rows from ih0 sit side by side from slot
ih0 mod k (G_RING_ROWS 2k). With G_QROWS and every channel in a block of
8 the ring is one row (G_RING_ROWS 1), made into its row of pairs as
soon as it is computed; nothing reads it after. With OpenMP each thread takes a band of output rows with its own
ring (G_THREADS rings in the scratch), computing the k − 1 input rows at
its band's top edge again: no thread waits for another.
m4_define(«EFFCC_Q_EXPDW», «
static void G_NAME«»(const int8_t *restrict x, const int8_t *restrict ew, const int32_t *restrict eb,
        const int32_t *restrict erq, m4_ifelse(G_ETABLE, 1, «const int8_t *restrict etable, »)m4_dnl
const int32_t *restrict w,
        const int32_t *restrict bias, const int32_t *restrict rq, EFFCC_Q_TABLE_ARG()m4_dnl
int8_t *restrict ring, int8_t *restrict out)
{
    int8_t zrow[G_C];
    for (ptrdiff_t c = 0; c < G_C; ++c)
        zrow[c] = G_ZPIN;
    EFFCC_OMP("omp parallel num_threads(effcc_threads(G_THREADS))")
    {
        const ptrdiff_t threads = effcc_thread_count(), t = effcc_thread_id();
        const ptrdiff_t oh0 = G_OH * t / threads, oh1 = G_OH * (t + 1) / threads;
        int8_t *tring = ring + t * (G_RING_ROWS * G_W * G_C);
EFFCC_Q_ROWS_INIT(«ring»)m4_dnl
        ptrdiff_t next = oh0 * G_S - G_PT; /* the first input row not computed yet */
        if (next < 0)
            next = 0;
        for (ptrdiff_t oh = oh0; oh < oh1; ++oh) {
            const ptrdiff_t ih0 = oh * G_S - G_PT;
            const ptrdiff_t end = ih0 + G_K < G_H ? ih0 + G_K : G_H;
            for (; next < end; ++next) {
m4_ifelse(G_RING_ROWS, 1, «m4_dnl one row, made into its row of pairs at once
                G_ENAME«»(m4_ifelse(G_ESTEM, 1, «x, next * G_W», «x + next * (G_W * G_CIN)»), ew, eb,
                        erq, m4_ifelse(G_ETABLE, 1, «etable, »)tring);
#if defined(__AVX2__)
                G_NAME«»_pairs(tring, pr + next % G_K * G_HROW);
                held[next % G_K] = next;
#endif
», «                int8_t *slot = tring + next % G_K * (G_W * G_C);
                G_ENAME«»(m4_ifelse(G_ESTEM, 1, «x, next * G_W», «x + next * (G_W * G_CIN)»), ew, eb,
                        erq, m4_ifelse(G_ETABLE, 1, «etable, »)slot);
                memcpy(slot + G_K * (G_W * G_C), slot, G_W * G_C);
»)            }
            const ptrdiff_t first = (ih0 % G_K + G_K) % G_K; /* the slot of row ih0 */
            G_NAME«»_row(tring, (first - ih0) * (G_W * G_C), oh, zrow, w, bias, rq,
                    m4_ifelse(G_QTABLE, 1, «table, »)EFFCC_Q_ROWS_PASS()out);
        }
    }
}
»)

EFFCC_Q_TABLE: swish or sigmoid, a 256-entry table indexed by (uint8_t)x.
m4_define(«EFFCC_Q_TABLE», «
static void G_NAME«»(const int8_t *restrict in, const int8_t *restrict table,
        int8_t *restrict out)
{
    EFFCC_OMP("omp parallel for schedule(static)")
    for (ptrdiff_t i = 0; i < G_N; i += 4096) /* whole vectors a chunk, but the last */
        effcc_lookup_i8(out + i, in + i, table, G_N - i < 4096 ? G_N - i : 4096);
}
»)

EFFCC_Q_MEAN: MEAN over G_P pixels per channel (QuantizedMeanOrSum; the
multiplier G_M already holds 1/n). The sums go pixel by pixel over all the
channels (sum, the kernel's stack), which compilers vectorise.
m4_define(«EFFCC_Q_MEAN», «
static void G_NAME«»(const int8_t *restrict in, int8_t *restrict out)
{
    int32_t sum[G_C];
    for (ptrdiff_t c = 0; c < G_C; ++c)
        sum[c] = 0;
    for (ptrdiff_t p = 0; p < G_P; ++p)
        for (ptrdiff_t c = 0; c < G_C; ++c)
            sum[c] += in[p * G_C + c];
    for (ptrdiff_t c = 0; c < G_C; ++c)
        out[c] = effcc_requant_i8(sum[c] - (G_ZPIN) * G_P, G_M, G_SHIFT, G_ZPOUT, -128, 127);
}
»)

EFFCC_Q_MUL: the SE gate, MUL with the gate broadcast over the pixels
(EFFCC_Q_GATE_FN, pixel by pixel).
m4_define(«EFFCC_Q_MUL», «EFFCC_Q_GATE_FN(G_NAME«»_px, G_C, G_ZP1, G_M, G_SHIFT, G_ZPOUT, G_FAST)
static void G_NAME«»(const int8_t *restrict in, const int8_t *restrict gate,
        int8_t *restrict out)
{
EFFCC_Q_GATE_Z(G_C, G_ZP2)m4_dnl
    EFFCC_OMP("omp parallel for schedule(static)")
    for (ptrdiff_t p = 0; p < G_P; ++p)
        G_NAME«»_px(in + p * G_C, gz, out + p * G_C, 1);
}
»)

EFFCC_Q_GATE_Z(c, zp2): gz, the c gate values less their zero point, once
a call (the gate is the same for every pixel).
m4_define(«EFFCC_Q_GATE_Z», «    int32_t gz[$1];
    for (ptrdiff_t c = 0; c < $1; ++c)
        gz[c] = (int32_t)gate[c] - ($2);
»)

EFFCC_Q_GATE_FN(name, c, zp1, m, shift, zp_out, fast): name(in, gz, out,
pixels), MUL of pixels pixels of c channels by the gate (gz, from
«EFFCC_Q_GATE_Z»): (x − zp1)·gz in int32, requantised by the one
multiplier; with AVX2 16 channels at a time, then 8, in the one-step form
when fast (quant_fast_ok for |product| ≤ 255²); the channels past the last
8 (and every target without AVX2) one at a time. A 1×1 conv that reads
the MUL (G_GATED) calls it on each block of pixels it reads, so the gated
tensor never exists.
m4_define(«EFFCC_Q_GATE_FN», «
static inline void $1(const int8_t *restrict in, const int32_t *restrict gz,
        int8_t *restrict out, ptrdiff_t pixels)
{
#if defined(__AVX2__)
m4_ifelse($7, 1, «    const EffccRqFast8 r = effcc_rq_fast8_n($4, $5);
»)#endif
    for (ptrdiff_t p = 0; p < pixels; ++p) {
        const int8_t *restrict x = in + p * $2;
        int8_t *restrict y = out + p * $2;
        ptrdiff_t c = 0;
#if defined(__AVX2__)
        for (; c + 16 <= $2; c += 16) {
            const __m256i zp = _mm256_set1_epi32($3);
            const __m256i a = _mm256_mullo_epi32(_mm256_sub_epi32(_mm256_cvtepi8_epi32(
                    _mm_loadl_epi64((const __m128i *)(x + c))), zp), _mm256_loadu_si256((const __m256i *)(gz + c)));
            const __m256i b = _mm256_mullo_epi32(_mm256_sub_epi32(_mm256_cvtepi8_epi32(
                    _mm_loadl_epi64((const __m128i *)(x + c + 8))), zp), _mm256_loadu_si256((const __m256i *)(gz + c + 8)));
m4_ifelse($7, 1, «            effcc_i32x8x2_store_i8(y + c, effcc_i32x8_mbqm_fast(a, &r), effcc_i32x8_mbqm_fast(b, &r), $6, -128, 127);
», «            effcc_i32x8x2_store_i8(y + c, effcc_i32x8_mbqm_n(a, $4, $5), effcc_i32x8_mbqm_n(b, $4, $5), $6, -128, 127);
»)        }
        for (; c + 8 <= $2; c += 8) {
            const __m256i a = _mm256_mullo_epi32(_mm256_sub_epi32(_mm256_cvtepi8_epi32(
                    _mm_loadl_epi64((const __m128i *)(x + c))), _mm256_set1_epi32($3)), _mm256_loadu_si256((const __m256i *)(gz + c)));
            effcc_i32x8_store_i8(y + c, m4_ifelse($7, 1, «effcc_i32x8_mbqm_fast(a, &r)», «effcc_i32x8_mbqm_n(a, $4, $5)»), $6, -128, 127);
        }
#endif
        for (; c < $2; ++c)
            y[c] = effcc_requant_i8(((int32_t)x[c] - ($3)) * gz[c], $4, $5, $6, -128, 127);
    }
}
»)
EFFCC_Q_ADD: ADD: each input offset, shifted left by 20 and requantised to
the common scale; their sum to the output's (8 at a time with AVX2).
m4_define(«EFFCC_Q_ADD», «
static void G_NAME«»(const int8_t *restrict a, const int8_t *restrict b, int8_t *restrict out)
{
    ptrdiff_t i = 0;
#if defined(__AVX2__)
    EFFCC_OMP("omp parallel for schedule(static)")
    for (ptrdiff_t v = 0; v < G_N / 8; ++v) {
        const ptrdiff_t i = v * 8;
        const __m256i x = _mm256_slli_epi32(_mm256_sub_epi32(
                _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(a + i))), _mm256_set1_epi32(G_ZP1)), 20);
        const __m256i y = _mm256_slli_epi32(_mm256_sub_epi32(
                _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(b + i))), _mm256_set1_epi32(G_ZP2)), 20);
        effcc_i32x8_requant_i8_n(out + i, _mm256_add_epi32(effcc_i32x8_mbqm_n(x, G_M1, G_SHIFT1),
                                                           effcc_i32x8_mbqm_n(y, G_M2, G_SHIFT2)),
                                 G_M, G_SHIFT, G_ZPOUT, -128, 127);
    }
    i = G_N / 8 * 8;
#endif
    for (; i < G_N; ++i) {
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
