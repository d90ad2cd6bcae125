/* effcc_exp.h — the constants of the vector exp every SIMD header uses.
 *
 * exp(x) = 2^n · e^r with n = round(x·log2 e) and r = x − n·ln 2 (ln 2 split
 * in two so r is exact). Adding EFFCC_EXP_MAGIC (1.5·2^23 + 127) to x·log2 e
 * rounds it to an integer held in the low mantissa bits, already biased, so
 * shifting those bits left by 23 gives the float 2^n with no round or
 * convert instruction. e^r = 1 + r·p(r), p of degree 4 (a minimax fit on
 * [−ln2/2, ln2/2], the one XNNPACK uses), times s = 2^n last (never r·s,
 * which is subnormal near the lower bound, and ARMv7 NEON flushes
 * subnormals to zero). x is clamped to
 * [EFFCC_EXP_LO, EFFCC_EXP_HI] so 2^n stays a normal float. Measured maximum
 * relative error over the clamped range: below 2.5e-7
 * (tests/unit/simd_accuracy.c asserts it for every target).
 *
 * Each header's primitive is ev_exp_neg_parts(x, &s), e^−x = q · s (AVX2 uses
 * the table variant below, the others the degree-5 polynomial), written
 * with the signs folded into the constants (u = −r, p evaluated at −u), so
 * sigmoid and swish spend no instruction on negating x, and form their
 * 1 + e^−x as one multiply-add q · s + 1; ev_exp(x) = q · s at −x.
 *
 * sigmoid(x) = 1 / (1 + e^−x) and swish(x) = x / (1 + e^−x) divide once
 * where the target has a vector divide: on Zen 3 one vdivps costs less than a
 * reciprocal estimate plus a Newton step, and leaves the FMA pipes to the
 * polynomial. */
#ifndef EFFCC_EXP_H
#define EFFCC_EXP_H

#define EFFCC_EXP_LO (-87.0f)
#define EFFCC_EXP_HI 88.0f
#define EFFCC_LOG2E 1.44269504088896341f
#define EFFCC_EXP_MAGIC 12583039.0f
#define EFFCC_LN2_HI 0.693359375f
#define EFFCC_LN2_LO (-2.12194440e-4f)
#define EFFCC_EXP_C1 0x1.FFFFF6p-1f
#define EFFCC_EXP_C2 0x1.FFFDC6p-2f
#define EFFCC_EXP_C3 0x1.555A80p-3f
#define EFFCC_EXP_C4 0x1.573A1Ap-5f
#define EFFCC_EXP_C5 0x1.0F9F9Cp-7f

/* The table variant (AVX2, whose vpermps looks up 8 floats in a register):
 * n = round(x·8·log2 e) = 8k + j, so 2^(n/8) = 2^k · 2^(j/8) and
 * r = x − n·ln2/8 lies in [−ln2/16, ln2/16], where a degree-3 polynomial
 * (minimax on that interval, refit for effcc; its linear coefficient rounds
 * to exactly 1) is within 2.5e-8 of e^r — two multiply-adds fewer than
 * the degree 5 above, on the FMA pipes that bound swish. Adding
 * EFFCC_EXP8_MAGIC (1.5·2^23) leaves n in the low mantissa bits: vpermps
 * reads j from the low 3, and n << 20 = (k << 23) + (j << 20) adds k to the
 * exponent of the table entry, which stores 2^(j/8) minus j << 20. The
 * ln2/8 split keeps 13 significant bits in the high part, so n·hi is exact
 * for every n of the clamped range (|n| ≤ 1016). */
#define EFFCC_EXP8_LOG2E 0x1.715476p+3f /* 8·log2 e */
#define EFFCC_EXP8_MAGIC 12582912.0f
#define EFFCC_EXP8_LN2_HI 0x1.62Ep-4f
#define EFFCC_EXP8_LN2_LO 0x1.0BFBE8p-18f
#define EFFCC_EXP8_C2 0x1.00087Ep-1f
#define EFFCC_EXP8_C3 (-0x1.5548EAp-3f)
/* bits of 2^(j/8) − (j << 20), j = 0..7 */
#define EFFCC_EXP8_TABLE                                                                           \
    0x3F800000, 0x3F7B95C2, 0x3F7837F0, 0x3F75FED7, 0x3F7504F3, 0x3F75672A, 0x3F7744FD, 0x3F7AC0C7

#endif
