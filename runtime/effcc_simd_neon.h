/* effcc_simd_neon.h — vectors of 4 floats for Arm NEON: AArch64, and ARMv7
 * with VFPv4 (-mfpu=neon-vfpv4 -mfloat-abi=hard).
 *
 * Same operations as effcc_simd_avx2.h. Multiply-adds are vfmaq_f32 (fused)
 * on both. AArch64 rounds with vrndnq_f32 and divides exactly; ARMv7 has
 * neither, so it rounds by adding ±0.5 before truncating and refines the
 * reciprocal estimate with two Newton steps (about 23 bits). */
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

/* round to nearest, as an integer vector */
static inline int32x4_t ev_round_int(ev t)
{
#if defined(__aarch64__)
    return vcvtq_s32_f32(vrndnq_f32(t));
#else
    uint32x4_t negative = vcltq_f32(t, vdupq_n_f32(0.0f));
    ev half = vbslq_f32(negative, vdupq_n_f32(-0.5f), vdupq_n_f32(0.5f));
    return vcvtq_s32_f32(vaddq_f32(t, half));
#endif
}

static inline ev ev_exp(ev x)
{
    x = vminq_f32(vmaxq_f32(x, vdupq_n_f32(EFFCC_EXP_LO)), vdupq_n_f32(EFFCC_EXP_HI));
    int32x4_t ni = ev_round_int(vmulq_f32(x, vdupq_n_f32(EFFCC_LOG2E)));
    ev n = vcvtq_f32_s32(ni);
    ev r = vfmsq_f32(x, n, vdupq_n_f32(EFFCC_LN2_HI));
    r = vfmsq_f32(r, n, vdupq_n_f32(EFFCC_LN2_LO));
    ev p = vdupq_n_f32(EFFCC_EXP_P0);
    p = vfmaq_f32(vdupq_n_f32(EFFCC_EXP_P1), p, r);
    p = vfmaq_f32(vdupq_n_f32(EFFCC_EXP_P2), p, r);
    p = vfmaq_f32(vdupq_n_f32(EFFCC_EXP_P3), p, r);
    p = vfmaq_f32(vdupq_n_f32(EFFCC_EXP_P4), p, r);
    p = vfmaq_f32(vdupq_n_f32(EFFCC_EXP_P5), p, r);
    ev y = vfmaq_f32(vaddq_f32(r, vdupq_n_f32(1.0f)), vmulq_f32(p, r), r);
    int32x4_t bits = vshlq_n_s32(vaddq_s32(ni, vdupq_n_s32(127)), 23);
    return vmulq_f32(y, vreinterpretq_f32_s32(bits));
}

static inline ev ev_recip(ev d)
{
#if defined(__aarch64__)
    return vdivq_f32(vdupq_n_f32(1.0f), d);
#else
    ev r = vrecpeq_f32(d);
    r = vmulq_f32(r, vrecpsq_f32(d, r));
    return vmulq_f32(r, vrecpsq_f32(d, r));
#endif
}

static inline ev ev_sigmoid(ev x)
{
    return ev_recip(vaddq_f32(vdupq_n_f32(1.0f), ev_exp(vnegq_f32(x))));
}

static inline ev ev_swish(ev x) { return vmulq_f32(x, ev_sigmoid(x)); }
static inline ev ev_none(ev x) { return x; }
static inline ev ev_relu6(ev x)
{
    return vminq_f32(vmaxq_f32(x, vdupq_n_f32(0.0f)), vdupq_n_f32(6.0f));
}

#endif
