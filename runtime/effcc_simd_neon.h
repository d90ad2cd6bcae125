/* effcc_simd_neon.h — vectors of 4 floats for Arm NEON: AArch64, and ARMv7
 * with VFPv4 (-mfpu=neon-vfpv4 -mfloat-abi=hard).
 *
 * Same operations as effcc_simd_avx2.h. Multiply-adds are vfmaq_f32 (fused)
 * on both. AArch64 divides exactly; ARMv7 has no vector divide, so it
 * refines the reciprocal estimate with two Newton steps (about 23 bits). */
#ifndef EFFCC_SIMD_H
#define EFFCC_SIMD_H

#include "effcc_exp.h"

#include <arm_neon.h>

#define EV_LANES 4
typedef float32x4_t ev;

static inline ev ev_load(const float *p) { return vld1q_f32(p); }
static inline void ev_store(float *p, ev v) { vst1q_f32(p, v); }
static inline ev ev_set1(float x) { return vdupq_n_f32(x); }
static inline ev ev_zero(void) { return vdupq_n_f32(0.0f); }
static inline ev ev_fma(ev a, ev b, ev c) { return vfmaq_f32(c, a, b); }
static inline ev ev_add(ev a, ev b) { return vaddq_f32(a, b); }
static inline ev ev_mul(ev a, ev b) { return vmulq_f32(a, b); }
static inline ev ev_max(ev a, ev b) { return vmaxq_f32(a, b); }
static inline ev ev_min(ev a, ev b) { return vminq_f32(a, b); }

/* e^−x as q · s (s = 2^n), the primitive: sigmoid and swish need no
 * negation, and fold the final product into their 1 + e^−x */
static inline ev ev_exp_neg_parts(ev x, ev *s_out)
{
    x = vminq_f32(vmaxq_f32(x, vdupq_n_f32(-EFFCC_EXP_HI)), vdupq_n_f32(-EFFCC_EXP_LO));
    ev n = vfmaq_f32(vdupq_n_f32(EFFCC_EXP_MAGIC), x, vdupq_n_f32(-EFFCC_LOG2E));
    ev s = vreinterpretq_f32_s32(vshlq_n_s32(vreinterpretq_s32_f32(n), 23));
    n = vsubq_f32(n, vdupq_n_f32(EFFCC_EXP_MAGIC));
    ev u = vfmaq_f32(x, n, vdupq_n_f32(EFFCC_LN2_HI)); /* u = −r */
    u = vfmaq_f32(u, n, vdupq_n_f32(EFFCC_LN2_LO));
    ev p = vfmsq_f32(vdupq_n_f32(EFFCC_EXP_C4), vdupq_n_f32(EFFCC_EXP_C5), u);
    p = vfmsq_f32(vdupq_n_f32(EFFCC_EXP_C3), p, u);
    p = vfmsq_f32(vdupq_n_f32(EFFCC_EXP_C2), p, u);
    p = vfmsq_f32(vdupq_n_f32(EFFCC_EXP_C1), p, u);
    *s_out = s;
    return vfmsq_f32(vdupq_n_f32(1.0f), u, p);
}

static inline ev ev_exp(ev x)
{
    ev s, q = ev_exp_neg_parts(vnegq_f32(x), &s);
    return vmulq_f32(q, s);
}

/* 1 + e^−x, the denominator of sigmoid and swish: one multiply-add */
static inline ev ev_one_plus_exp_neg(ev x)
{
    ev s, q = ev_exp_neg_parts(x, &s);
    return vfmaq_f32(vdupq_n_f32(1.0f), q, s);
}

#if defined(__aarch64__)
static inline ev ev_sigmoid(ev x) { return vdivq_f32(vdupq_n_f32(1.0f), ev_one_plus_exp_neg(x)); }
static inline ev ev_swish(ev x) { return vdivq_f32(x, ev_one_plus_exp_neg(x)); }
#else
static inline ev ev_sigmoid(ev x)
{
    ev d = ev_one_plus_exp_neg(x);
    ev r = vrecpeq_f32(d);
    r = vmulq_f32(r, vrecpsq_f32(d, r));
    return vmulq_f32(r, vrecpsq_f32(d, r));
}
static inline ev ev_swish(ev x) { return vmulq_f32(x, ev_sigmoid(x)); }
#endif
static inline ev ev_none(ev x) { return x; }
static inline ev ev_relu6(ev x)
{
    return vminq_f32(vmaxq_f32(x, vdupq_n_f32(0.0f)), vdupq_n_f32(6.0f));
}

#endif
