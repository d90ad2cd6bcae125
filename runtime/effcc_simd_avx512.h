/* effcc_simd_avx512.h — vectors of 16 floats for x86-64-v4 (AVX-512F).
 *
 * Same operations as effcc_simd_avx2.h; scalef builds 2^n·y in one step and
 * rcp14 + one Newton step gives 1/d to about 28 bits. */
#ifndef EFFCC_SIMD_H
#define EFFCC_SIMD_H

#include "effcc_exp.h"

#include <immintrin.h>

#define EV_LANES 16
typedef __m512 ev;

static inline ev ev_load(const float *p) { return _mm512_loadu_ps(p); }
static inline void ev_store(float *p, ev v) { _mm512_storeu_ps(p, v); }
static inline ev ev_set1(float x) { return _mm512_set1_ps(x); }
static inline ev ev_zero(void) { return _mm512_setzero_ps(); }
static inline ev ev_fma(ev a, ev b, ev c) { return _mm512_fmadd_ps(a, b, c); }
static inline ev ev_add(ev a, ev b) { return _mm512_add_ps(a, b); }
static inline ev ev_mul(ev a, ev b) { return _mm512_mul_ps(a, b); }
static inline ev ev_max(ev a, ev b) { return _mm512_max_ps(a, b); }
static inline ev ev_min(ev a, ev b) { return _mm512_min_ps(a, b); }

/* e^−x as q · s (s = 2^n), the primitive: sigmoid and swish need no
 * negation, and fold the final product into their 1 + e^−x */
static inline ev ev_exp_neg_parts(ev x, ev *s_out)
{
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-EFFCC_EXP_HI)), _mm512_set1_ps(-EFFCC_EXP_LO));
    ev n = _mm512_fmadd_ps(x, _mm512_set1_ps(-EFFCC_LOG2E), _mm512_set1_ps(EFFCC_EXP_MAGIC));
    ev s = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_castps_si512(n), 23));
    n = _mm512_sub_ps(n, _mm512_set1_ps(EFFCC_EXP_MAGIC));
    ev u = _mm512_fmadd_ps(n, _mm512_set1_ps(EFFCC_LN2_HI), x); /* u = −r */
    u = _mm512_fmadd_ps(n, _mm512_set1_ps(EFFCC_LN2_LO), u);
    ev p = _mm512_fnmadd_ps(_mm512_set1_ps(EFFCC_EXP_C5), u, _mm512_set1_ps(EFFCC_EXP_C4));
    p = _mm512_fnmadd_ps(p, u, _mm512_set1_ps(EFFCC_EXP_C3));
    p = _mm512_fnmadd_ps(p, u, _mm512_set1_ps(EFFCC_EXP_C2));
    p = _mm512_fnmadd_ps(p, u, _mm512_set1_ps(EFFCC_EXP_C1));
    *s_out = s;
    return _mm512_fnmadd_ps(u, p, _mm512_set1_ps(1.0f));
}

static inline ev ev_exp(ev x)
{
    ev s, q = ev_exp_neg_parts(_mm512_sub_ps(_mm512_setzero_ps(), x), &s);
    return _mm512_mul_ps(q, s);
}

/* 1 + e^−x, the denominator of sigmoid and swish: one FMA */
static inline ev ev_one_plus_exp_neg(ev x)
{
    ev s, q = ev_exp_neg_parts(x, &s);
    return _mm512_fmadd_ps(q, s, _mm512_set1_ps(1.0f));
}

static inline ev ev_sigmoid(ev x) { return _mm512_div_ps(_mm512_set1_ps(1.0f), ev_one_plus_exp_neg(x)); }
static inline ev ev_swish(ev x) { return _mm512_div_ps(x, ev_one_plus_exp_neg(x)); }

static inline ev ev_none(ev x) { return x; }
static inline ev ev_relu6(ev x)
{
    return _mm512_min_ps(_mm512_max_ps(x, _mm512_setzero_ps()), _mm512_set1_ps(6.0f));
}

#endif
