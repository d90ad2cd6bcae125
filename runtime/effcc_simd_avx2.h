/* effcc_simd_avx2.h — vectors of 8 floats for x86-64-v3 (AVX2 + FMA).
 *
 * The operations every kernel template uses (ev_load, ev_fma, ev_swish …);
 * the other effcc_simd_*.h files offer the same names for other targets. */
#ifndef EFFCC_SIMD_H
#define EFFCC_SIMD_H

#include "effcc_exp.h"

#include <immintrin.h>

#define EV_LANES 8
typedef __m256 ev;

static inline ev ev_load(const float *p) { return _mm256_loadu_ps(p); }
static inline void ev_store(float *p, ev v) { _mm256_storeu_ps(p, v); }
static inline ev ev_set1(float x) { return _mm256_set1_ps(x); }
static inline ev ev_zero(void) { return _mm256_setzero_ps(); }
static inline ev ev_fma(ev a, ev b, ev c) { return _mm256_fmadd_ps(a, b, c); }
static inline ev ev_add(ev a, ev b) { return _mm256_add_ps(a, b); }
static inline ev ev_mul(ev a, ev b) { return _mm256_mul_ps(a, b); }
static inline ev ev_max(ev a, ev b) { return _mm256_max_ps(a, b); }
static inline ev ev_min(ev a, ev b) { return _mm256_min_ps(a, b); }

/* e^−x as q · s (s = 2^(n/8), from the table), the primitive: sigmoid and
 * swish need no negation, and fold the final product into their 1 + e^−x.
 * The signs are folded into the constants: u = −r, q = e^−u. */
static inline ev ev_exp_neg_parts(ev x, ev *s_out)
{
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-EFFCC_EXP_HI)), _mm256_set1_ps(-EFFCC_EXP_LO));
    ev n = _mm256_fmadd_ps(x, _mm256_set1_ps(-EFFCC_EXP8_LOG2E), _mm256_set1_ps(EFFCC_EXP8_MAGIC));
    __m256i bits = _mm256_castps_si256(n);
    __m256i entry = _mm256_castps_si256(_mm256_permutevar8x32_ps(
        _mm256_castsi256_ps(_mm256_setr_epi32(EFFCC_EXP8_TABLE)), bits));
    *s_out = _mm256_castsi256_ps(_mm256_add_epi32(entry, _mm256_slli_epi32(bits, 20)));
    n = _mm256_sub_ps(n, _mm256_set1_ps(EFFCC_EXP8_MAGIC));
    ev u = _mm256_fmadd_ps(n, _mm256_set1_ps(EFFCC_EXP8_LN2_HI), x);
    u = _mm256_fmadd_ps(n, _mm256_set1_ps(EFFCC_EXP8_LN2_LO), u);
    ev p = _mm256_fmadd_ps(_mm256_set1_ps(EFFCC_EXP8_C3), u, _mm256_set1_ps(EFFCC_EXP8_C2));
    p = _mm256_fmsub_ps(p, u, _mm256_set1_ps(1.0f));
    return _mm256_fmadd_ps(u, p, _mm256_set1_ps(1.0f));
}

static inline ev ev_exp(ev x)
{
    ev s, q = ev_exp_neg_parts(_mm256_sub_ps(_mm256_setzero_ps(), x), &s);
    return _mm256_mul_ps(q, s);
}

/* 1 + e^−x, the denominator of sigmoid and swish: one FMA */
static inline ev ev_one_plus_exp_neg(ev x)
{
    ev s, q = ev_exp_neg_parts(x, &s);
    return _mm256_fmadd_ps(q, s, _mm256_set1_ps(1.0f));
}

static inline ev ev_sigmoid(ev x) { return _mm256_div_ps(_mm256_set1_ps(1.0f), ev_one_plus_exp_neg(x)); }
static inline ev ev_swish(ev x) { return _mm256_div_ps(x, ev_one_plus_exp_neg(x)); }

static inline ev ev_none(ev x) { return x; }
static inline ev ev_relu6(ev x)
{
    return _mm256_min_ps(_mm256_max_ps(x, _mm256_setzero_ps()), _mm256_set1_ps(6.0f));
}

#endif
