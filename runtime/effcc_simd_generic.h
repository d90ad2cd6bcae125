/* effcc_simd_generic.h — vectors of 4 floats in portable GNU C.
 *
 * GCC and clang lower these vector types to whatever the target has (SSE,
 * NEON, RVV, or scalar code), so the generic target builds everywhere. Same
 * operations as effcc_simd_avx2.h. Multiply-adds fuse with
 * -ffp-contract=fast, which the generated Makefile passes. */
#ifndef EFFCC_SIMD_H
#define EFFCC_SIMD_H

#include "effcc_exp.h"

#include <stdint.h>
#include <string.h>

#define EV_LANES 4
typedef float ev __attribute__((vector_size(16)));
typedef int32_t ev_int __attribute__((vector_size(16)));

static inline ev ev_load(const float *p)
{
    ev v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void ev_store(float *p, ev v) { memcpy(p, &v, sizeof v); }
static inline ev ev_set1(float x) { return (ev){x, x, x, x}; }
static inline ev ev_zero(void) { return (ev){0.0f, 0.0f, 0.0f, 0.0f}; }
static inline ev ev_fma(ev a, ev b, ev c) { return a * b + c; }
static inline ev ev_add(ev a, ev b) { return a + b; }
static inline ev ev_mul(ev a, ev b) { return a * b; }
/* Lanewise select: where mask is all ones take a, else b. */
static inline ev ev_select(ev_int mask, ev a, ev b)
{
    return (ev)((mask & (ev_int)a) | (~mask & (ev_int)b));
}

static inline ev ev_max(ev a, ev b) { return ev_select(a > b, a, b); }
static inline ev ev_min(ev a, ev b) { return ev_select(a < b, a, b); }

/* e^−x as q · s (s = 2^n), the primitive: sigmoid and swish need no
 * negation, and fold the final product into their 1 + e^−x */
static inline ev ev_exp_neg_parts(ev x, ev *s_out)
{
    x = ev_min(ev_max(x, ev_set1(-EFFCC_EXP_HI)), ev_set1(-EFFCC_EXP_LO));
    ev n = x * -EFFCC_LOG2E + EFFCC_EXP_MAGIC;
    ev s = (ev)((ev_int)n << 23);
    n = n - EFFCC_EXP_MAGIC;
    ev u = n * EFFCC_LN2_HI + x; /* u = −r */
    u = n * EFFCC_LN2_LO + u;
    ev p = EFFCC_EXP_C4 - EFFCC_EXP_C5 * u;
    p = EFFCC_EXP_C3 - p * u;
    p = EFFCC_EXP_C2 - p * u;
    p = EFFCC_EXP_C1 - p * u;
    *s_out = s;
    return 1.0f - u * p;
}

static inline ev ev_exp(ev x)
{
    ev s, q = ev_exp_neg_parts(-x, &s);
    return q * s;
}

/* 1 + e^−x, the denominator of sigmoid and swish: one multiply-add */
static inline ev ev_one_plus_exp_neg(ev x)
{
    ev s, q = ev_exp_neg_parts(x, &s);
    return q * s + 1.0f;
}

static inline ev ev_sigmoid(ev x) { return 1.0f / ev_one_plus_exp_neg(x); }
static inline ev ev_swish(ev x) { return x / ev_one_plus_exp_neg(x); }
static inline ev ev_none(ev x) { return x; }
static inline ev ev_relu6(ev x) { return ev_min(ev_max(x, ev_zero()), ev_set1(6.0f)); }

#endif
