/* effcc_int8.h — the requantisation of generated int8 kernels: an int32
 * accumulator to int8 by a multiplier m·2^(shift−31), as TFLite's reference
 * kernels do it (docs/int8.md).
 *
 * ir/quant.c defines the semantics (quant_srdhm, quant_rdbpot, quant_mbqm,
 * quant_requantize); every function here gives the same bits for every
 * input its comment allows, on every target (tests/runtime-int8/):
 *   SRDHM(a, b)    a·b/2^31 rounded half up, INT32_MIN·INT32_MIN saturated;
 *   RDBPOT(x, e)   x/2^e rounded half away from zero, e in [0, 31];
 *   MBQM(x, m, s)  RDBPOT(SRDHM(x·2^max(s,0), m), max(−s,0)), s in [−31, 30],
 *                  m ≥ 0; x·2^max(s,0) wraps as TFLite's int32 product does;
 *   requant        clamp(MBQM + zp_out, lo, hi) (with lo > hi: hi), as int8.
 * The scalar functions serve every target (generic and riscv64 have nothing
 * else). Vectors of int32 lanes come with the instructions the compiler
 * targets (the generated Makefile's -march): effcc_i32x8_* (AVX2),
 * effcc_i32x16_* (AVX-512F; AVX2's too), effcc_i32x4_* (NEON, AArch64 and
 * ARMv7). Each takes its multiplier and shift per lane (per-channel
 * requantisation) or, with the suffix _n, one for all lanes; store_i8 and
 * requant_i8 write exactly one int8 per lane, unaligned. Their zp_out, lo
 * and hi must lie in [−2^30, 2^30] (they are clamped before the zero point
 * is added, so no lane overflows); a lane's int8 is its low byte, as the
 * scalar (int8_t) cast. */
#ifndef EFFCC_INT8_H
#define EFFCC_INT8_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The vector helpers below are called in every kernel's innermost loops:
 * inlined always (GCC 12 made an out-of-line copy of the 16-lane
 * requantisation, a call and its constants through memory for every 16
 * outputs). */
#if defined(__GNUC__)
#define EFFCC_VINLINE static inline __attribute__((always_inline))
#else
#define EFFCC_VINLINE static inline
#endif

/* QUANTIZE of t = x / scale (computed in double): zp + round(t), rounded
 * half away from zero as C's round(), clamped to int8; NaN gives zp. No
 * libm call: t − (int32_t)t is exact while |t| < 1024, and beyond that
 * every result clamps. */
static inline int8_t effcc_quantize_i8(double t, int32_t zp)
{
    if (!(t > -1024.0 && t < 1024.0))
        return (int8_t)(t != t ? zp : t < 0 ? -128 : 127);
    int32_t i = (int32_t)t;
    const double f = t - (double)i;
    i += (f >= 0.5) - (f <= -0.5);
    i += zp;
    return (int8_t)(i < -128 ? -128 : i > 127 ? 127 : i);
}

#if defined(__AVX2__)
#include <immintrin.h>
/* effcc_quantize_i8 of x[0…7] / scale into out[0…7], four doubles at a
 * time: the same division, trunc(t) + 1 for a fraction ≥ 0.5 (− 1 for
 * ≤ −0.5), + zp, clamped, in double (every step exact for the integers
 * involved, and a |t| ≥ 1024 or an infinity clamps as the scalar's does);
 * NaN gives zp. */
EFFCC_VINLINE void effcc_quantize_i8x8(const float *x, double scale, int32_t zp, int8_t *out)
{
    const __m256 f = _mm256_loadu_ps(x);
    const __m256d s = _mm256_set1_pd(scale), half = _mm256_set1_pd(0.5), one = _mm256_set1_pd(1.0);
    __m128i q[2];
    for (int h = 0; h < 2; h++) {
        const __m256d t = _mm256_div_pd(_mm256_cvtps_pd(h ? _mm256_extractf128_ps(f, 1)
                                                            : _mm256_castps256_ps128(f)), s);
        __m256d r = _mm256_round_pd(t, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
        const __m256d fr = _mm256_sub_pd(t, r);
        r = _mm256_add_pd(r, _mm256_and_pd(_mm256_cmp_pd(fr, half, _CMP_GE_OQ), one));
        r = _mm256_sub_pd(r, _mm256_and_pd(_mm256_cmp_pd(fr, _mm256_set1_pd(-0.5), _CMP_LE_OQ), one));
        r = _mm256_add_pd(r, _mm256_set1_pd((double)zp));
        r = _mm256_min_pd(_mm256_max_pd(r, _mm256_set1_pd(-128.0)), _mm256_set1_pd(127.0));
        r = _mm256_blendv_pd(r, _mm256_set1_pd((double)zp), _mm256_cmp_pd(t, t, _CMP_UNORD_Q));
        q[h] = _mm256_cvtpd_epi32(r);
    }
    const __m128i w = _mm_packs_epi32(q[0], q[1]);
    _mm_storel_epi64((__m128i *)(void *)out, _mm_packs_epi16(w, w));
}
#endif

/* gemmlowp's SaturatingRoundingDoublingHighMul: TFLite nudges by 2^30 or
 * 1 − 2^30 by sign and truncates, which is floor((a·b + 2^30)/2^31) for
 * both signs; the vector versions use that form. */
static inline int32_t effcc_srdhm(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN)
        return INT32_MAX;
    int64_t ab = (int64_t)a * b;
    int64_t nudge = ab >= 0 ? (1 << 30) : 1 - (1 << 30);
    return (int32_t)((ab + nudge) / (INT64_C(1) << 31));
}

/* gemmlowp's RoundingDivideByPOT; exponent in [0, 31]. */
static inline int32_t effcc_rdbpot(int32_t x, int exponent)
{
    int32_t mask = (int32_t)((INT64_C(1) << exponent) - 1);
    int32_t threshold = (mask >> 1) + (x < 0);
    return (x >> exponent) + ((x & mask) > threshold);
}

/* TFLite's MultiplyByQuantizedMultiplier, double rounding; shift in
 * [−31, 30]. The left shift wraps modulo 2^32, as ir/quant.c's wrap32. */
static inline int32_t effcc_mbqm(int32_t x, int32_t m, int shift)
{
    int left = shift > 0 ? shift : 0;
    int32_t shifted = (int32_t)((uint32_t)x << left);
    return effcc_rdbpot(effcc_srdhm(shifted, m), left - shift);
}

/* clamp(v + zp_out, lo, hi) in int64, lo first (lo > hi gives hi), as int8;
 * computed as clamp(v, lo − zp_out, hi − zp_out) + zp_out, the same value.
 * The plain form is miscompiled by GCC 12.2 for AArch64 when vectorised
 * (-O2 -ftree-vectorize or -O3) inside the SE gate's MUL kernel: lanes
 * above hi came out as lo (found by tests/int8's generated B0). */
static inline int8_t effcc_clamp_i8(int32_t v, int32_t zp_out, int32_t lo, int32_t hi)
{
    int64_t x = v;
    if (x < (int64_t)lo - zp_out)
        x = (int64_t)lo - zp_out;
    if (x > (int64_t)hi - zp_out)
        x = (int64_t)hi - zp_out;
    return (int8_t)(int32_t)(x + zp_out);
}

static inline int8_t effcc_requant_i8(int32_t acc, int32_t m, int shift, int32_t zp_out,
                                      int32_t lo, int32_t hi)
{
    return effcc_clamp_i8(effcc_mbqm(acc, m, shift), zp_out, lo, hi);
}

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#if defined(__AVX2__)
/* SRDHM: vpmuldq multiplies the even lanes into 64-bit products, then the
 * odd lanes shifted down; + 2^30, and bits 31..62 of each sum go back to
 * their lane. INT32_MIN·INT32_MIN comes out as INT32_MIN, which no other
 * pair gives (the least other result is 1 − 2^31): flipping its bits
 * saturates it. */
EFFCC_VINLINE __m256i effcc_i32x8_srdhm(__m256i a, __m256i b)
{
    const __m256i half = _mm256_set1_epi64x(1 << 30);
    __m256i even = _mm256_add_epi64(_mm256_mul_epi32(a, b), half);
    __m256i odd = _mm256_mul_epi32(_mm256_srli_epi64(a, 32), _mm256_srli_epi64(b, 32));
    odd = _mm256_add_epi64(odd, half);
    __m256i r = _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
    return _mm256_xor_si256(r, _mm256_cmpeq_epi32(r, _mm256_set1_epi32(INT32_MIN)));
}

/* effcc_i32x8_srdhm for b ≠ INT32_MIN (MBQM's m ≥ 0): the one saturating
 * pair cannot occur, so no fix-up. */
EFFCC_VINLINE __m256i effcc_i32x8_srdhm_nosat(__m256i a, __m256i b)
{
    const __m256i half = _mm256_set1_epi64x(1 << 30);
    __m256i even = _mm256_add_epi64(_mm256_mul_epi32(a, b), half);
    __m256i odd = _mm256_mul_epi32(_mm256_srli_epi64(a, 32), _mm256_srli_epi64(b, 32));
    odd = _mm256_add_epi64(odd, half);
    return _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
}

/* RDBPOT as gemmlowp writes it: the remainder against half the divisor, one
 * more for negative x (compares give −1 for true, hence the subtractions). */
EFFCC_VINLINE __m256i effcc_i32x8_rdbpot(__m256i x, __m256i exponent)
{
    const __m256i one = _mm256_set1_epi32(1);
    __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, exponent), one);
    __m256i negative = _mm256_cmpgt_epi32(_mm256_setzero_si256(), x);
    __m256i threshold = _mm256_sub_epi32(_mm256_srli_epi32(mask, 1), negative);
    __m256i up = _mm256_cmpgt_epi32(_mm256_and_si256(x, mask), threshold);
    return _mm256_sub_epi32(_mm256_srav_epi32(x, exponent), up);
}

EFFCC_VINLINE __m256i effcc_i32x8_rdbpot_n(__m256i x, int exponent)
{
    __m256i mask = _mm256_set1_epi32((int32_t)((INT64_C(1) << exponent) - 1));
    __m256i negative = _mm256_cmpgt_epi32(_mm256_setzero_si256(), x);
    __m256i threshold = _mm256_sub_epi32(_mm256_srli_epi32(mask, 1), negative);
    __m256i up = _mm256_cmpgt_epi32(_mm256_and_si256(x, mask), threshold);
    return _mm256_sub_epi32(_mm256_sra_epi32(x, _mm_cvtsi32_si128(exponent)), up);
}

EFFCC_VINLINE __m256i effcc_i32x8_mbqm(__m256i x, __m256i m, __m256i shift)
{
    __m256i left = _mm256_max_epi32(shift, _mm256_setzero_si256());
    __m256i right = _mm256_sub_epi32(left, shift);
    return effcc_i32x8_rdbpot(effcc_i32x8_srdhm_nosat(_mm256_sllv_epi32(x, left), m), right);
}

EFFCC_VINLINE __m256i effcc_i32x8_mbqm_n(__m256i x, int32_t m, int shift)
{
    int left = shift > 0 ? shift : 0;
    x = _mm256_sll_epi32(x, _mm_cvtsi32_si128(left));
    return effcc_i32x8_rdbpot_n(effcc_i32x8_srdhm_nosat(x, _mm256_set1_epi32(m)), left - shift);
}

/* clamp(v + zp_out, lo, hi) as clamp(v, lo − zp_out, hi − zp_out) + zp_out,
 * then each lane's low byte (vpshufb within the halves, then side by side). */
EFFCC_VINLINE void effcc_i32x8_store_i8(int8_t *dst, __m256i v, int32_t zp_out, int32_t lo,
                                        int32_t hi)
{
    const __m256i low_bytes = _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                               -1, -1, 0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1,
                                               -1, -1, -1, -1);
    v = _mm256_max_epi32(v, _mm256_set1_epi32(lo - zp_out));
    v = _mm256_min_epi32(v, _mm256_set1_epi32(hi - zp_out));
    v = _mm256_shuffle_epi8(_mm256_add_epi32(v, _mm256_set1_epi32(zp_out)), low_bytes);
    __m128i b = _mm_unpacklo_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    int64_t bytes = _mm_cvtsi128_si64(b);
    memcpy(dst, &bytes, 8);
}

EFFCC_VINLINE void effcc_i32x8_requant_i8(int8_t *dst, __m256i acc, __m256i m, __m256i shift,
                                          int32_t zp_out, int32_t lo, int32_t hi)
{
    effcc_i32x8_store_i8(dst, effcc_i32x8_mbqm(acc, m, shift), zp_out, lo, hi);
}

/* Two vectors' lanes to 16 int8s (a's, then b's) with saturating packs:
 * zp_out, lo and hi in [−128, 127]. Exact: clamp(x, lo, hi) is unchanged by
 * saturating x to a range holding [lo, hi] first, and a lane beyond the
 * int16 range plus zp_out stays beyond [lo, hi] on the same side. */
EFFCC_VINLINE void effcc_i32x8x2_store_i8(int8_t *dst, __m256i a, __m256i b, int32_t zp_out,
                                          int32_t lo, int32_t hi)
{
    __m256i h = _mm256_permute4x64_epi64(_mm256_packs_epi32(a, b), 0xD8);
    h = _mm256_adds_epi16(h, _mm256_set1_epi16((int16_t)zp_out));
    __m128i q = _mm_packs_epi16(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
    q = _mm_min_epi8(_mm_max_epi8(q, _mm_set1_epi8((int8_t)lo)), _mm_set1_epi8((int8_t)hi));
    _mm_storeu_si128((__m128i *)dst, q);
}

EFFCC_VINLINE void effcc_i32x8x2_requant_i8(int8_t *dst, __m256i a, __m256i b, __m256i ma,
                                            __m256i sa, __m256i mb, __m256i sb, int32_t zp_out,
                                            int32_t lo, int32_t hi)
{
    effcc_i32x8x2_store_i8(dst, effcc_i32x8_mbqm(a, ma, sa), effcc_i32x8_mbqm(b, mb, sb), zp_out,
                           lo, hi);
}

/* MBQM in one step (ir/quant.c's quant_fast_ok says when, and why it is
 * exact): the even and the odd lanes' 64-bit x·m + 2^30 + 2^(30+e), bits
 * 31–62 of each back in its lane, − 1 for x < 0 where e ≥ 1, then an
 * arithmetic shift by e. Its constants for eight channels come from a
 * conv's requantisation table rq of co channels (multipliers, shifts, then
 * quant_fast_table's words); c, and rq's offset from the table's start,
 * multiples of 8. */
typedef struct {
    __m256i m, e, emask, k_even, k_odd;
} EffccRqFast8;

EFFCC_VINLINE EffccRqFast8 effcc_rq_fast8(const int32_t *rq, ptrdiff_t co, ptrdiff_t c)
{
    EffccRqFast8 r;
    r.m = _mm256_loadu_si256((const __m256i *)(rq + c));
    r.e = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_loadu_si256((const __m256i *)(rq + co + c)));
    r.emask = _mm256_cmpgt_epi32(r.e, _mm256_setzero_si256());
    r.k_even = _mm256_loadu_si256((const __m256i *)(rq + 2 * co + c));
    r.k_odd = _mm256_loadu_si256((const __m256i *)(rq + 3 * co + c));
    return r;
}

/* The same constants for one multiplier m and shift (≤ 0) in every lane. */
EFFCC_VINLINE EffccRqFast8 effcc_rq_fast8_n(int32_t m, int shift)
{
    EffccRqFast8 r;
    const int e = -shift;
    const int64_t k = (INT64_C(1) << 30) + (e ? INT64_C(1) << (30 + e) : 0);
    r.m = _mm256_set1_epi32(m);
    r.e = _mm256_set1_epi32(e);
    r.emask = _mm256_set1_epi32(e ? -1 : 0);
    r.k_even = r.k_odd = _mm256_set1_epi64x(k);
    return r;
}

EFFCC_VINLINE __m256i effcc_i32x8_mbqm_fast(__m256i x, const EffccRqFast8 *r)
{
    __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, r->m), r->k_even);
    __m256i odd = _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(r->m, 32));
    odd = _mm256_add_epi64(odd, r->k_odd);
    __m256i v = _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
    v = _mm256_add_epi32(v, _mm256_and_si256(_mm256_srai_epi32(x, 31), r->emask));
    return _mm256_srav_epi32(v, r->e);
}

EFFCC_VINLINE void effcc_i32x8_requant_fast_i8(int8_t *dst, __m256i acc, const EffccRqFast8 *r,
                                               int32_t zp_out, int32_t lo, int32_t hi)
{
    effcc_i32x8_store_i8(dst, effcc_i32x8_mbqm_fast(acc, r), zp_out, lo, hi);
}

EFFCC_VINLINE void effcc_i32x8x2_requant_fast_i8(int8_t *dst, __m256i a, __m256i b,
                                                 const EffccRqFast8 *ra, const EffccRqFast8 *rb,
                                                 int32_t zp_out, int32_t lo, int32_t hi)
{
    effcc_i32x8x2_store_i8(dst, effcc_i32x8_mbqm_fast(a, ra), effcc_i32x8_mbqm_fast(b, rb),
                           zp_out, lo, hi);
}

EFFCC_VINLINE void effcc_i32x8_requant_i8_n(int8_t *dst, __m256i acc, int32_t m, int shift,
                                            int32_t zp_out, int32_t lo, int32_t hi)
{
    effcc_i32x8_store_i8(dst, effcc_i32x8_mbqm_n(acc, m, shift), zp_out, lo, hi);
}
#endif /* __AVX2__ */

#if defined(__AVX512F__)
/* As effcc_i32x8_srdhm, with mask registers for the blend and the fix. */
EFFCC_VINLINE __m512i effcc_i32x16_srdhm(__m512i a, __m512i b)
{
    const __m512i half = _mm512_set1_epi64(1 << 30);
    __m512i even = _mm512_add_epi64(_mm512_mul_epi32(a, b), half);
    __m512i odd = _mm512_mul_epi32(_mm512_srli_epi64(a, 32), _mm512_srli_epi64(b, 32));
    odd = _mm512_add_epi64(odd, half);
    __m512i r = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 31),
                                        _mm512_slli_epi64(odd, 1));
    __mmask16 saturated = _mm512_cmpeq_epi32_mask(r, _mm512_set1_epi32(INT32_MIN));
    return _mm512_mask_mov_epi32(r, saturated, _mm512_set1_epi32(INT32_MAX));
}

EFFCC_VINLINE __m512i effcc_i32x16_rdbpot(__m512i x, __m512i exponent)
{
    const __m512i one = _mm512_set1_epi32(1);
    __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, exponent), one);
    __m512i half = _mm512_srli_epi32(mask, 1);
    __m512i threshold =
        _mm512_mask_add_epi32(half, _mm512_cmplt_epi32_mask(x, _mm512_setzero_si512()), half, one);
    __mmask16 up = _mm512_cmpgt_epi32_mask(_mm512_and_si512(x, mask), threshold);
    __m512i q = _mm512_srav_epi32(x, exponent);
    return _mm512_mask_add_epi32(q, up, q, one);
}

EFFCC_VINLINE __m512i effcc_i32x16_rdbpot_n(__m512i x, int exponent)
{
    const __m512i one = _mm512_set1_epi32(1);
    __m512i mask = _mm512_set1_epi32((int32_t)((INT64_C(1) << exponent) - 1));
    __m512i half = _mm512_srli_epi32(mask, 1);
    __m512i threshold =
        _mm512_mask_add_epi32(half, _mm512_cmplt_epi32_mask(x, _mm512_setzero_si512()), half, one);
    __mmask16 up = _mm512_cmpgt_epi32_mask(_mm512_and_si512(x, mask), threshold);
    __m512i q = _mm512_sra_epi32(x, _mm_cvtsi32_si128(exponent));
    return _mm512_mask_add_epi32(q, up, q, one);
}

EFFCC_VINLINE __m512i effcc_i32x16_mbqm(__m512i x, __m512i m, __m512i shift)
{
    __m512i left = _mm512_max_epi32(shift, _mm512_setzero_si512());
    __m512i right = _mm512_sub_epi32(left, shift);
    return effcc_i32x16_rdbpot(effcc_i32x16_srdhm(_mm512_sllv_epi32(x, left), m), right);
}

EFFCC_VINLINE __m512i effcc_i32x16_mbqm_n(__m512i x, int32_t m, int shift)
{
    int left = shift > 0 ? shift : 0;
    x = _mm512_sll_epi32(x, _mm_cvtsi32_si128(left));
    return effcc_i32x16_rdbpot_n(effcc_i32x16_srdhm(x, _mm512_set1_epi32(m)), left - shift);
}

/* As effcc_i32x8_store_i8; vpmovdb keeps the low bytes. */
EFFCC_VINLINE void effcc_i32x16_store_i8(int8_t *dst, __m512i v, int32_t zp_out, int32_t lo,
                                         int32_t hi)
{
    v = _mm512_max_epi32(v, _mm512_set1_epi32(lo - zp_out));
    v = _mm512_min_epi32(v, _mm512_set1_epi32(hi - zp_out));
    _mm512_mask_cvtepi32_storeu_epi8(dst, 0xFFFF, _mm512_add_epi32(v, _mm512_set1_epi32(zp_out)));
}

EFFCC_VINLINE void effcc_i32x16_requant_i8(int8_t *dst, __m512i acc, __m512i m, __m512i shift,
                                           int32_t zp_out, int32_t lo, int32_t hi)
{
    effcc_i32x16_store_i8(dst, effcc_i32x16_mbqm(acc, m, shift), zp_out, lo, hi);
}

EFFCC_VINLINE void effcc_i32x16_requant_i8_n(int8_t *dst, __m512i acc, int32_t m, int shift,
                                             int32_t zp_out, int32_t lo, int32_t hi)
{
    effcc_i32x16_store_i8(dst, effcc_i32x16_mbqm_n(acc, m, shift), zp_out, lo, hi);
}
#endif /* __AVX512F__ */

#if defined(__ARM_NEON)
#include <arm_neon.h>

/* vqrdmulh is SRDHM exactly: (2·a·b + 2^31) >> 32, saturated. */
EFFCC_VINLINE int32x4_t effcc_i32x4_srdhm(int32x4_t a, int32x4_t b)
{
    return vqrdmulhq_s32(a, b);
}

/* RDBPOT by neg = −exponent: vrshl by a negative count rounds half up,
 * without overflow; taking 1 from negative x first (gemmlowp's fix-up: the
 * sign bit of x & neg, which is 0 for exponent 0) turns that into half away
 * from zero. The saturating add keeps INT32_MIN, which divides exactly. */
EFFCC_VINLINE int32x4_t effcc_i32x4_rdbpot_neg(int32x4_t x, int32x4_t neg)
{
    int32x4_t fixup = vshrq_n_s32(vandq_s32(x, neg), 31);
    return vrshlq_s32(vqaddq_s32(x, fixup), neg);
}

EFFCC_VINLINE int32x4_t effcc_i32x4_rdbpot(int32x4_t x, int32x4_t exponent)
{
    return effcc_i32x4_rdbpot_neg(x, vnegq_s32(exponent));
}

EFFCC_VINLINE int32x4_t effcc_i32x4_rdbpot_n(int32x4_t x, int exponent)
{
    return effcc_i32x4_rdbpot_neg(x, vdupq_n_s32(-exponent));
}

/* vshl by a register count wraps (vqshl would saturate). */
EFFCC_VINLINE int32x4_t effcc_i32x4_mbqm(int32x4_t x, int32x4_t m, int32x4_t shift)
{
    int32x4_t left = vmaxq_s32(shift, vdupq_n_s32(0));
    int32x4_t neg_right = vminq_s32(shift, vdupq_n_s32(0));
    return effcc_i32x4_rdbpot_neg(vqrdmulhq_s32(vshlq_s32(x, left), m), neg_right);
}

EFFCC_VINLINE int32x4_t effcc_i32x4_mbqm_n(int32x4_t x, int32_t m, int shift)
{
    int left = shift > 0 ? shift : 0;
    x = vqrdmulhq_n_s32(vshlq_s32(x, vdupq_n_s32(left)), m);
    return effcc_i32x4_rdbpot_neg(x, vdupq_n_s32(shift - left));
}

/* As effcc_i32x8_store_i8; vmovn keeps the low halves, twice. */
EFFCC_VINLINE void effcc_i32x4_store_i8(int8_t *dst, int32x4_t v, int32_t zp_out, int32_t lo,
                                        int32_t hi)
{
    v = vmaxq_s32(v, vdupq_n_s32(lo - zp_out));
    v = vminq_s32(v, vdupq_n_s32(hi - zp_out));
    int16x4_t h = vmovn_s32(vaddq_s32(v, vdupq_n_s32(zp_out)));
    int32_t bytes = vget_lane_s32(vreinterpret_s32_s8(vmovn_s16(vcombine_s16(h, h))), 0);
    memcpy(dst, &bytes, 4);
}

EFFCC_VINLINE void effcc_i32x4_requant_i8(int8_t *dst, int32x4_t acc, int32x4_t m,
                                          int32x4_t shift, int32_t zp_out, int32_t lo, int32_t hi)
{
    effcc_i32x4_store_i8(dst, effcc_i32x4_mbqm(acc, m, shift), zp_out, lo, hi);
}

EFFCC_VINLINE void effcc_i32x4_requant_i8_n(int8_t *dst, int32x4_t acc, int32_t m, int shift,
                                            int32_t zp_out, int32_t lo, int32_t hi)
{
    effcc_i32x4_store_i8(dst, effcc_i32x4_mbqm_n(acc, m, shift), zp_out, lo, hi);
}
#endif /* __ARM_NEON */

/* out[i] = table[(uint8_t)in[i]] for i < n: a swish's or a sigmoid's
 * 256-entry table, prepared once (effcc_lookup_init) for many runs. With
 * AVX2, 32 bytes at a time from 16-entry slices of the table with vpshufb,
 * which gives 0 for an index with its top bit set: of u − 16h, the steps
 * h ≤ u/16 (for u < 128; of u ^ 128 for u ≥ 128) read the slice
 * differences d[h] = t[h] ^ t[h − 1] at u % 16, whose xor is
 * t[u / 16][u % 16]; the sign of x then picks the half. On AArch64, TBL
 * and TBX over four 64-byte quarters. The remainder one byte at a time.
 * in may be out (in place). */
typedef struct {
    const int8_t *table;
#if defined(__AVX2__)
    __m256i d[16];
#elif defined(__ARM_NEON) && defined(__aarch64__)
    int8x16x4_t q[4];
#endif
} EffccLookup;

static inline void effcc_lookup_init(EffccLookup *l, const int8_t *table)
{
    l->table = table;
#if defined(__AVX2__)
    for (int h = 0; h < 16; h++) {
        __m128i t = _mm_loadu_si128((const __m128i *)(table + 16 * h));
        if (h % 8)
            t = _mm_xor_si128(t, _mm_loadu_si128((const __m128i *)(table + 16 * (h - 1))));
        l->d[h] = _mm256_broadcastsi128_si256(t);
    }
#elif defined(__ARM_NEON) && defined(__aarch64__)
    for (int k = 0; k < 4; k++)
        l->q[k] = vld1q_s8_x4(table + 64 * k);
#endif
}

static inline void effcc_lookup_run(const EffccLookup *l, int8_t *out, const int8_t *in, ptrdiff_t n)
{
    ptrdiff_t i = 0;
#if defined(__AVX2__)
    for (; i + 32 <= n; i += 32) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(in + i));
        __m256i lo = _mm256_shuffle_epi8(l->d[0], x);
        __m256i up = _mm256_xor_si256(x, _mm256_set1_epi8(-128));
        __m256i hi = _mm256_shuffle_epi8(l->d[8], up);
        __m256i xl = x, xh = up;
        for (int h = 1; h < 8; h++) {
            xl = _mm256_sub_epi8(xl, _mm256_set1_epi8(16));
            xh = _mm256_sub_epi8(xh, _mm256_set1_epi8(16));
            lo = _mm256_xor_si256(lo, _mm256_shuffle_epi8(l->d[h], xl));
            hi = _mm256_xor_si256(hi, _mm256_shuffle_epi8(l->d[8 + h], xh));
        }
        _mm256_storeu_si256((__m256i *)(out + i), _mm256_blendv_epi8(lo, hi, x));
    }
#elif defined(__ARM_NEON) && defined(__aarch64__)
    for (; i + 16 <= n; i += 16) {
        uint8x16_t u = vreinterpretq_u8_s8(vld1q_s8(in + i));
        int8x16_t r = vqtbl4q_s8(l->q[0], u);
        r = vqtbx4q_s8(r, l->q[1], vsubq_u8(u, vdupq_n_u8(64)));
        r = vqtbx4q_s8(r, l->q[2], vsubq_u8(u, vdupq_n_u8(128)));
        r = vqtbx4q_s8(r, l->q[3], vsubq_u8(u, vdupq_n_u8(192)));
        vst1q_s8(out + i, r);
    }
#endif
    for (; i < n; ++i)
        out[i] = l->table[(uint8_t)in[i]];
}

static inline void effcc_lookup_i8(int8_t *out, const int8_t *in, const int8_t *table, ptrdiff_t n)
{
    EffccLookup l;
    effcc_lookup_init(&l, table);
    effcc_lookup_run(&l, out, in, n);
}

/* Float islands (layers kept in float, codegen/templates/kernels_island.m4):
 * DEQUANTIZE of one int8 value, scale·(q − zp) in double rounded to float,
 * and the activations as the reference evaluator (ir/eval.c) computes
 * them, in double from a float, rounded once. */
static inline float effcc_dequantize(int8_t q, double scale, int32_t zp)
{
    return (float)(scale * (double)((int32_t)q - zp));
}

/* Four doubles, a vector where the target has one (GCC and clang vector
 * extensions; each lane's arithmetic is the scalar's), and four floats at
 * p widened into *v (through a pointer: returning a 32-byte vector by
 * value has an ABI of its own without AVX). */
typedef double effcc_f64x4 __attribute__((vector_size(32)));
typedef float effcc_f32x4 __attribute__((vector_size(16)));

static inline void effcc_f64x4_widen(effcc_f64x4 *v, const float *p)
{
    effcc_f32x4 f;
    memcpy(&f, p, sizeof f);
    *v = __builtin_convertvector(f, effcc_f64x4);
}

static inline float effcc_f_swish(float x)
{
    double d = x;
    return (float)(d / (1.0 + exp(-d)));
}

static inline float effcc_f_sigmoid(float x)
{
    return (float)(1.0 / (1.0 + exp(-(double)x)));
}

static inline float effcc_f_relu6(float x)
{
    double d = x;
    return (float)(d < 0 ? 0 : d > 6 ? 6 : d);
}

#endif
