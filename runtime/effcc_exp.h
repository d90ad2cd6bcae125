/* effcc_exp.h — the constants of the vector exp every SIMD header uses.
 *
 * exp(x) = 2^n · e^r with n = round(x·log2 e) and r = x − n·ln 2 (ln 2 split
 * in two so r is exact), e^r from Cephes' degree-6 polynomial on
 * [−ln2/2, ln2/2]. x is clamped to [EFFCC_EXP_LO, EFFCC_EXP_HI] so 2^n stays
 * a normal float. Measured maximum relative error over the clamped range:
 * below 2.5e-7 (tests/unit/test_simd.c asserts it for every target). */
#ifndef EFFCC_EXP_H
#define EFFCC_EXP_H

#define EFFCC_EXP_LO (-87.0f)
#define EFFCC_EXP_HI 88.0f
#define EFFCC_LOG2E 1.44269504088896341f
#define EFFCC_LN2_HI 0.693359375f
#define EFFCC_LN2_LO (-2.12194440e-4f)
#define EFFCC_EXP_P0 1.9875691500e-4f
#define EFFCC_EXP_P1 1.3981999507e-3f
#define EFFCC_EXP_P2 8.3334519073e-3f
#define EFFCC_EXP_P3 4.1665795894e-2f
#define EFFCC_EXP_P4 1.6666665459e-1f
#define EFFCC_EXP_P5 5.0000001201e-1f

#endif
