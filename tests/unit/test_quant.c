/* test_quant.c — the int8 arithmetic (ir/quant.c) by hand and by invariant.
 *
 * The hand cases are the edges of TFLite's arithmetic: multipliers of 1.0,
 * of 2^−31 and below it (flushed to 0), a rounding to 2^31 that moves the
 * shift; ties at each rounding step, negative ones included (SRDHM rounds
 * half up, RDBPOT half away from zero, TfLiteRound half away from zero);
 * the one saturating product; shifts left and right; the float division of
 * the ReLU6 range and the float product of MUL's scale. The invariants run
 * on pseudo-random values against formulas of another shape (floor
 * division in int64, doubles). tests/int8/ checks the same functions
 * against LiteRT's reference interpreter. */
#include "unit.h"

#include <math.h>

/* A small deterministic generator (64-bit LCG, high bits). */
static uint64_t rng_state = 0x2545F4914F6CDD1DULL;
static uint32_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 32);
}
static int32_t rnd_range(int32_t lo, int32_t hi) /* inclusive */
{
    return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1));
}

#define MULT(m_, s_) ((QuantMultiplier){(m_), (s_)})
#define ASSERT_MULT(got, m_, s_)                                                                   \
    do {                                                                                           \
        QuantMultiplier g_ = (got);                                                                \
        CU_ASSERT_EQUAL(g_.m, (m_));                                                               \
        CU_ASSERT_EQUAL(g_.shift, (s_));                                                           \
    } while (0)

static void test_multiplier_by_hand(void)
{
    ASSERT_MULT(quant_multiplier(1.0), 1 << 30, 1); /* 1.0 = 0.5·2^1 */
    ASSERT_MULT(quant_multiplier(0.5), 1 << 30, 0);
    ASSERT_MULT(quant_multiplier(0.75), 1610612736, 0);
    ASSERT_MULT(quant_multiplier(3.0), 1610612736, 2);
    ASSERT_MULT(quant_multiplier(0.0), 0, 0);
    /* q·2^31 = 2^31 − 1/4 rounds to 2^31: halved, and the shift moves up */
    ASSERT_MULT(quant_multiplier(1.0 - ldexp(1, -33)), 1 << 30, 1);
    /* ties: q·2^31 = 2^30 + 1/2 and 2^30 + 3/2 round away from zero
     * (round-to-even would give 2^30 and 2^30 + 2 … the first differs) */
    ASSERT_MULT(quant_multiplier(0.5 + ldexp(1, -32)), (1 << 30) + 1, 0);
    ASSERT_MULT(quant_multiplier(0.5 + 3 * ldexp(1, -32)), (1 << 30) + 2, 0);
    /* tiny: 2^−32 = 0.5·2^−31 is kept, 2^−33 is flushed to 0 */
    ASSERT_MULT(quant_multiplier(ldexp(1, -32)), 1 << 30, -31);
    ASSERT_MULT(quant_multiplier(ldexp(1, -33)), 0, 0);
    ASSERT_MULT(quant_multiplier(ldexp(1, -300)), 0, 0);
    /* just below 2^−32 the shift is −32, but q·2^31 rounds up to 2^31, and
     * the shift is back at −31 before the flush; a little lower it is not */
    ASSERT_MULT(quant_multiplier(ldexp(1, -32) * (1 - ldexp(1, -40))), 1 << 30, -31);
    ASSERT_MULT(quant_multiplier(ldexp(1, -32) * (1 - ldexp(1, -20))), 0, 0);
}

static void test_multiplier_invariants(void)
{
    for (int i = 0; i < 100000; i++) {
        /* a real multiplier between 2^−30 and 2^20, log-uniform */
        double real = ldexp(1.0 + rnd() / 4294967296.0, rnd_range(-30, 19));
        QuantMultiplier m = quant_multiplier(real);
        CU_ASSERT(m.m >= (1 << 30));
        double back = ldexp((double)m.m, m.shift - 31);
        CU_ASSERT(fabs(back - real) <= real * ldexp(1, -31));
    }
}

static void test_srdhm_by_hand(void)
{
    CU_ASSERT_EQUAL(quant_srdhm(INT32_MIN, INT32_MIN), INT32_MAX); /* the one saturation */
    CU_ASSERT_EQUAL(quant_srdhm(INT32_MIN, INT32_MAX), -INT32_MAX);
    CU_ASSERT_EQUAL(quant_srdhm(INT32_MAX, INT32_MAX), INT32_MAX - 1);
    CU_ASSERT_EQUAL(quant_srdhm(INT32_MIN, 1 << 30), -(1 << 30));
    /* a·b/2^31 = ±0.5, ±1.5, ±2.5: half up, toward +∞ */
    CU_ASSERT_EQUAL(quant_srdhm(1 << 30, 1), 1);
    CU_ASSERT_EQUAL(quant_srdhm(-(1 << 30), 1), 0);
    CU_ASSERT_EQUAL(quant_srdhm(3, 1 << 30), 2);
    CU_ASSERT_EQUAL(quant_srdhm(-3, 1 << 30), -1);
    CU_ASSERT_EQUAL(quant_srdhm(5, 1 << 30), 3);
    CU_ASSERT_EQUAL(quant_srdhm(-5, 1 << 30), -2);
    /* either side of a tie */
    CU_ASSERT_EQUAL(quant_srdhm((1 << 30) - 1, 1), 0);
    CU_ASSERT_EQUAL(quant_srdhm((1 << 30) + 1, 1), 1);
    CU_ASSERT_EQUAL(quant_srdhm(-(1 << 30) - 1, 1), -1);
    CU_ASSERT_EQUAL(quant_srdhm(-(1 << 30) + 1, 1), 0);
    CU_ASSERT_EQUAL(quant_srdhm(0, INT32_MIN), 0);
}

/* floor((a·b + 2^30) / 2^31) with a floor division of another shape */
static int32_t srdhm_floor(int32_t a, int32_t b)
{
    int64_t n = (int64_t)a * b + (INT64_C(1) << 30);
    int64_t d = INT64_C(1) << 31;
    int64_t q = n / d;
    if (n % d != 0 && n < 0)
        q--;
    return (int32_t)q;
}

static void test_srdhm_invariants(void)
{
    for (int i = 0; i < 200000; i++) {
        int32_t a = (int32_t)rnd(), b = (int32_t)rnd();
        if (i % 4 == 1)
            a = rnd_range(-70000, 70000);
        if (i % 4 == 2) { /* a·b an exact tie: b = 2^k, a an odd multiple of 2^(30−k) */
            int k = i % 31;
            int32_t j = rnd_range(k > 9 ? -500 : -(1 << k), k > 9 ? 500 : (1 << k) - 1);
            b = 1 << k;
            a = (int32_t)((2 * (int64_t)j + 1) * (INT64_C(1) << (30 - k)));
        }
        if (a == INT32_MIN && b == INT32_MIN)
            continue;
        CU_ASSERT_EQUAL(quant_srdhm(a, b), srdhm_floor(a, b));
        CU_ASSERT_EQUAL(quant_srdhm(a, b), quant_srdhm(b, a));
    }
}

static void test_rdbpot_by_hand(void)
{
    /* x/2 = ±0.5, ±1.5, ±2.5: half away from zero */
    CU_ASSERT_EQUAL(quant_rdbpot(1, 1), 1);
    CU_ASSERT_EQUAL(quant_rdbpot(-1, 1), -1);
    CU_ASSERT_EQUAL(quant_rdbpot(3, 1), 2);
    CU_ASSERT_EQUAL(quant_rdbpot(-3, 1), -2);
    CU_ASSERT_EQUAL(quant_rdbpot(5, 1), 3);
    CU_ASSERT_EQUAL(quant_rdbpot(-5, 1), -3);
    /* x/4 = ±1.25, ±1.5, ±1.75 */
    CU_ASSERT_EQUAL(quant_rdbpot(5, 2), 1);
    CU_ASSERT_EQUAL(quant_rdbpot(-5, 2), -1);
    CU_ASSERT_EQUAL(quant_rdbpot(6, 2), 2);
    CU_ASSERT_EQUAL(quant_rdbpot(-6, 2), -2);
    CU_ASSERT_EQUAL(quant_rdbpot(7, 2), 2);
    CU_ASSERT_EQUAL(quant_rdbpot(-7, 2), -2);
    /* exponent 0 is the identity; 31 is the largest */
    CU_ASSERT_EQUAL(quant_rdbpot(INT32_MIN, 0), INT32_MIN);
    CU_ASSERT_EQUAL(quant_rdbpot(INT32_MAX, 0), INT32_MAX);
    CU_ASSERT_EQUAL(quant_rdbpot(INT32_MIN, 31), -1);
    CU_ASSERT_EQUAL(quant_rdbpot(INT32_MAX, 31), 1);
    CU_ASSERT_EQUAL(quant_rdbpot(1 << 30, 31), 1);
    CU_ASSERT_EQUAL(quant_rdbpot(-(1 << 30), 31), -1);
    CU_ASSERT_EQUAL(quant_rdbpot((1 << 30) - 1, 31), 0);
    CU_ASSERT_EQUAL(quant_rdbpot(-(1 << 30) + 1, 31), 0);
}

static void test_rdbpot_invariants(void)
{
    for (int i = 0; i < 200000; i++) {
        int32_t x = (int32_t)rnd();
        int e = rnd_range(0, 31);
        if (i % 3 == 1 && e > 0) { /* an exact tie: an odd multiple of 2^(e−1) */
            int32_t most = e > 22 ? 1 << (31 - e) : 500;
            int32_t j = rnd_range(-most, most - 1);
            x = (int32_t)((2 * (int64_t)j + 1) * (INT64_C(1) << (e - 1)));
        }
        double q = ldexp((double)x, -e); /* exact */
        double want = q < 0 ? -floor(-q + 0.5) : floor(q + 0.5);
        CU_ASSERT_EQUAL(quant_rdbpot(x, e), (int32_t)want);
    }
}

static void test_mbqm_by_hand(void)
{
    QuantMultiplier one = quant_multiplier(1.0);
    CU_ASSERT_EQUAL(quant_mbqm(12345, one), 12345);
    CU_ASSERT_EQUAL(quant_mbqm(-12345, one), -12345);
    CU_ASSERT_EQUAL(quant_mbqm((1 << 30) - 1, one), (1 << 30) - 1);
    /* right shifts: 0.25 = 2^30·2^(−1−31) */
    QuantMultiplier quarter = MULT(1 << 30, -1);
    CU_ASSERT_EQUAL(quant_mbqm(6, quarter), 2);   /* 1.5 → 2 */
    CU_ASSERT_EQUAL(quant_mbqm(-6, quarter), -2); /* −3 exact, then −1.5 → −2 */
    CU_ASSERT_EQUAL(quant_mbqm(-7, quarter), -2); /* −3.5 → −3, then −1.5 → −2 */
    /* double rounding: 5/4 = 1.25 is 2 (2.5 → 3, then 1.5 → 2), where one
     * rounding would give 1; −5/4: −2.5 → −2, then −1 */
    CU_ASSERT_EQUAL(quant_mbqm(5, quarter), 2);
    CU_ASSERT_EQUAL(quant_mbqm(-5, quarter), -1);
    /* left shifts: 4 = 2^30·2^(3−31), 0.75·2^5 = 24 */
    CU_ASSERT_EQUAL(quant_mbqm(5, MULT(1 << 30, 3)), 20);
    CU_ASSERT_EQUAL(quant_mbqm(-5, MULT(1 << 30, 3)), -20);
    CU_ASSERT_EQUAL(quant_mbqm(-7, quant_multiplier(24.0)), -168);
    /* x·2^shift wraps in int32 as TFLite's does: 2^29·8 = 2^32 → 0 */
    CU_ASSERT_EQUAL(quant_mbqm(1 << 29, MULT(1 << 30, 3)), 0);
    /* the largest right shift: 2^−32·x. (2^31 − 1)/2^32 = 0.4999… is 1:
     * 2^30 − 1/2 rounds up to 2^30, then 1/2 away from zero */
    CU_ASSERT_EQUAL(quant_mbqm(INT32_MAX, quant_multiplier(ldexp(1, -32))), 1);
    /* −0.5 → −1 */
    CU_ASSERT_EQUAL(quant_mbqm(INT32_MIN, quant_multiplier(ldexp(1, -32))), -1);
    CU_ASSERT_EQUAL(quant_mbqm(INT32_MIN, quant_multiplier(ldexp(1, -33))), 0); /* flushed */
    CU_ASSERT_EQUAL(quant_mbqm(INT32_MIN, MULT(INT32_MAX, 0)), -INT32_MAX);
}

static void test_mbqm_invariants(void)
{
    for (int i = 0; i < 100000; i++) {
        double real = ldexp(1.0 + rnd() / 4294967296.0, rnd_range(-25, 3));
        QuantMultiplier m = quant_multiplier(real);
        int32_t x = rnd_range(-(1 << 26), 1 << 26);
        /* within 1 of the exact product (two roundings, each ≤ 1/2) */
        CU_ASSERT(fabs(quant_mbqm(x, m) - x * real) <= 1.0 + fabs(x * real) * 1e-9);
        /* monotone in x */
        CU_ASSERT(quant_mbqm(x, m) <= quant_mbqm(x + 1, m));
        /* odd symmetry up to the tie direction of SRDHM: |f(−x) + f(x)| ≤ 1 */
        CU_ASSERT(abs(quant_mbqm(-x, m) + quant_mbqm(x, m)) <= 1);
    }
}

static void test_act_range(void)
{
    int32_t lo, hi;
    quant_act_range(ACT_NONE, (QuantParams){0.1f, 5}, &lo, &hi);
    CU_ASSERT(lo == -128 && hi == 127);
    quant_act_range(ACT_RELU6, (QuantParams){6.0f / 255, -128}, &lo, &hi);
    CU_ASSERT(lo == -128 && hi == 127);
    quant_act_range(ACT_RELU6, (QuantParams){0.05f, -3}, &lo, &hi);
    CU_ASSERT(lo == -3 && hi == 117);
    quant_act_range(ACT_RELU6, (QuantParams){0.01f, 10}, &lo, &hi); /* 6.0 is above 127 */
    CU_ASSERT(lo == 10 && hi == 127);
    /* 6/12 = 0.5 rounds away from zero */
    quant_act_range(ACT_RELU6, (QuantParams){12.0f, -10}, &lo, &hi);
    CU_ASSERT(lo == -10 && hi == -9);
    /* the division is in float: 6.0f/2.4f = 2.5f exactly, → 3; in double
     * 6/2.4000000954 = 2.4999999 would give 2 */
    quant_act_range(ACT_RELU6, (QuantParams){2.4f, 0}, &lo, &hi);
    CU_ASSERT(lo == 0 && hi == 3);
}

static void test_conv_by_hand(void)
{
    const int8_t x[] = {1, 2, 3, -128, 127}, w[] = {1, -1, 2, 127, -127};
    CU_ASSERT_EQUAL(quant_dot(x, w, 3, 1), 0 - 1 + 4);
    CU_ASSERT_EQUAL(quant_dot(x, w, 5, -128), 129 - 130 + 262 + 0 - 127 * 255);
    QuantRequant r = {.m = quant_multiplier(1.0), .zp_out = -2, .lo = -128, .hi = 127};
    CU_ASSERT_EQUAL(quant_conv_output(x, w, 3, 1, 5, &r), 3 + 5 - 2);
    r.hi = 4; /* a ReLU6 clamp */
    CU_ASSERT_EQUAL(quant_conv_output(x, w, 3, 1, 5, &r), 4);
    r.lo = 7; /* lo above hi: TFLite's max then min gives hi */
    CU_ASSERT_EQUAL(quant_conv_output(x, w, 3, 1, -500, &r), 4);
    r = (QuantRequant){.m = MULT(1 << 30, -1), .zp_out = 0, .lo = -128, .hi = 127};
    CU_ASSERT_EQUAL(quant_conv_output(x, w, 3, 1, 2, &r), 2);   /* 5/4 → 2 (double rounding) */
    CU_ASSERT_EQUAL(quant_conv_output(x, w, 3, 1, -8, &r), -1); /* −5/4 → −1 */
    /* the bias is added in int32, wrapping: INT32_MAX + 3 */
    r = (QuantRequant){.m = quant_multiplier(ldexp(1, -24)), .zp_out = 0, .lo = -128, .hi = 127};
    CU_ASSERT_EQUAL(quant_conv_output(x, w, 3, 1, INT32_MAX, &r), -128);
    /* per-channel multiplier in double: 0.5·0.25/0.125 = 1 */
    r = quant_conv_requant((QuantParams){0.5f, 0}, 0.25f, (QuantParams){0.125f, 3}, ACT_RELU6);
    CU_ASSERT(r.m.m == 1 << 30 && r.m.shift == 1 && r.zp_out == 3 && r.lo == 3 && r.hi == 51);
}

/* A padded tap is skipped, which is the same as a tap holding zp_in. */
static void test_conv_padding_invariant(void)
{
    for (int i = 0; i < 2000; i++) {
        int8_t x[40], w[40];
        int n = rnd_range(1, 20), zp = rnd_range(-128, 127);
        for (int k = 0; k < 2 * n; k++) {
            x[k] = (int8_t)(k < n ? rnd_range(-128, 127) : zp);
            w[k] = (int8_t)rnd_range(-127, 127);
        }
        QuantRequant r = quant_conv_requant((QuantParams){0.02f, zp}, 0.003f * (1 + i % 7),
                                            (QuantParams){0.05f, rnd_range(-128, 127)}, ACT_NONE);
        int32_t bias = rnd_range(-50000, 50000);
        CU_ASSERT_EQUAL(quant_conv_output(x, w, n, zp, bias, &r),
                        quant_conv_output(x, w, 2 * n, zp, bias, &r));
    }
}

static void test_mean(void)
{
    QuantParams same = {0.1f, 0};
    QuantMean p = quant_mean_params(same, same, 4);
    CU_ASSERT(p.out.m.m == 1 << 30 && p.out.m.shift == -1); /* 1.0/4: k = 2 */
    const int8_t up[] = {1, 2, 3, 4}, down[] = {-1, -2, -3, -4};
    CU_ASSERT_EQUAL(quant_mean(&p, up, 1), 3);     /* 2.5 → 3 */
    CU_ASSERT_EQUAL(quant_mean(&p, down, 1), -3);  /* −2.5: −5 exact, then −2.5 → −3 */
    CU_ASSERT_EQUAL(quant_mean_sum(&p, -10), -3);
    /* every other value: {1, 3} of {1, 2, 3, 4, …} with n = 2 */
    QuantMean p2 = quant_mean_params(same, same, 2);
    CU_ASSERT_EQUAL(quant_mean(&p2, up, 2), 2);
    /* n = 3: m·2^1/3 truncated */
    QuantMean p3 = quant_mean_params(same, same, 3);
    CU_ASSERT(p3.out.m.m == (int32_t)((INT64_C(1) << 31) / 3) && p3.out.m.shift == 0);
    const int8_t t[] = {1, 1, 2};
    CU_ASSERT_EQUAL(quant_mean(&p3, t, 1), 1);
    /* the input zero point comes off n times, the output's goes on */
    QuantMean pz = quant_mean_params((QuantParams){0.1f, -5}, (QuantParams){0.1f, 7}, 4);
    const int8_t z[] = {-5, -5, -5, -1};
    CU_ASSERT_EQUAL(quant_mean(&pz, z, 1), 8); /* (0+0+0+4)/4 + 7 */
    /* k is capped at 31 + shift: s_in/s_out = 2^−30 is 2^30·2^(−29−31) */
    QuantParams tiny = {ldexpf(1, -30), 0};
    QuantMean pk = quant_mean_params(tiny, (QuantParams){1, 0}, 1 << 20);
    CU_ASSERT(pk.out.m.m == 1 << 12 && pk.out.m.shift == -31);
    /* otherwise k = floor(log2 n) (the cap at 32 needs n ≥ 2^32, above 2^23) */
    QuantMean pn = quant_mean_params(same, same, (1 << 23) - 1);
    CU_ASSERT_EQUAL(pn.out.m.shift, 1 - 22);
}

static void test_mean_invariants(void)
{
    for (int i = 0; i < 3000; i++) {
        int32_t n = rnd_range(1, 3000), zp = rnd_range(-128, 127);
        int8_t v = (int8_t)rnd_range(-128, 127);
        QuantParams q = {0.01f + rnd() / 4294967296.0f, zp};
        QuantMean p = quant_mean_params(q, q, n);
        /* the mean of n copies of v is v */
        CU_ASSERT_EQUAL(quant_mean_sum(&p, v * n), v);
    }
}

static void test_add(void)
{
    QuantParams s = {0.1f, 0};
    QuantAdd p = quant_add_params(s, s, s, ACT_NONE);
    CU_ASSERT(p.left_shift == 20);
    CU_ASSERT(p.m1.m == 1 << 30 && p.m1.shift == 0 && p.m2.m == 1 << 30 && p.m2.shift == 0);
    CU_ASSERT(p.out.m.m == 1 << 30 && p.out.m.shift == -18);
    CU_ASSERT_EQUAL(quant_add(&p, 3, 4), 7);
    CU_ASSERT_EQUAL(quant_add(&p, -3, -4), -7);
    CU_ASSERT_EQUAL(quant_add(&p, 100, 100), 127);
    CU_ASSERT_EQUAL(quant_add(&p, -100, -100), -128);
    /* half the output scale … a + b halved: 3.5 → 4, −3.5 → −4 (away) */
    QuantAdd h = quant_add_params(s, s, (QuantParams){0.2f, 0}, ACT_NONE);
    CU_ASSERT_EQUAL(quant_add(&h, 3, 4), 4);
    CU_ASSERT_EQUAL(quant_add(&h, -3, -4), -4);
    /* zero points: (a − 10) + (b + 20) + 1 */
    QuantAdd z = quant_add_params((QuantParams){0.1f, 10}, (QuantParams){0.1f, -20},
                                  (QuantParams){0.1f, 1}, ACT_NONE);
    CU_ASSERT_EQUAL(quant_add(&z, 15, -25), 5 - 5 + 1);
    /* ReLU6 clamps the sum */
    QuantAdd r = quant_add_params(s, s, s, ACT_RELU6);
    CU_ASSERT_EQUAL(quant_add(&r, 50, 20), 60);
    CU_ASSERT_EQUAL(quant_add(&r, -50, 20), 0);
    /* input 2 at half the scale of input 1: m2 = 0.25 */
    QuantAdd d = quant_add_params(s, (QuantParams){0.05f, 0}, s, ACT_NONE);
    CU_ASSERT(d.m2.m == 1 << 30 && d.m2.shift == -1);
    CU_ASSERT_EQUAL(quant_add(&d, 10, 7), 14); /* 10 + 3.5 → 13.5 → 14 */
}

static void test_add_invariants(void)
{
    /* equal scales, zero points 0: the sum itself, clamped */
    for (int i = 0; i < 5000; i++) {
        QuantParams s = {0.001f + rnd() / 4294967296.0f, 0};
        QuantAdd p = quant_add_params(s, s, s, ACT_NONE);
        int a = rnd_range(-128, 127), b = rnd_range(-128, 127);
        int sum = a + b < -128 ? -128 : a + b > 127 ? 127 : a + b;
        CU_ASSERT_EQUAL(quant_add(&p, (int8_t)a, (int8_t)b), sum);
    }
}

static void test_mul(void)
{
    QuantParams one = {1.0f, 0};
    QuantMul p = quant_mul_params(one, one, one, ACT_NONE);
    CU_ASSERT_EQUAL(quant_mul(&p, 3, -4), -12);
    CU_ASSERT_EQUAL(quant_mul(&p, 12, 11), 127);
    CU_ASSERT_EQUAL(quant_mul(&p, -12, 11), -128);
    /* real 0.5, shift 0: only SRDHM rounds, half up: 1.5 → 2, −1.5 → −1 */
    QuantMul h = quant_mul_params(one, one, (QuantParams){2.0f, 0}, ACT_NONE);
    CU_ASSERT(h.out.m.m == 1 << 30 && h.out.m.shift == 0);
    CU_ASSERT_EQUAL(quant_mul(&h, 3, 1), 2);
    CU_ASSERT_EQUAL(quant_mul(&h, -3, 1), -1);
    /* real 0.25: RDBPOT rounds too, −0.75 → (−1.5 → −1) → −0.5 → −1 */
    QuantMul q = quant_mul_params(one, one, (QuantParams){4.0f, 0}, ACT_NONE);
    CU_ASSERT_EQUAL(quant_mul(&q, -3, 1), -1);
    CU_ASSERT_EQUAL(quant_mul(&q, -1, 1), 0); /* −0.25: −0.5 → 0, then 0 */
    CU_ASSERT_EQUAL(quant_mul(&q, 1, 1), 1);  /* 0.25: 0.5 → 1, then 0.5 → 1 */
    /* zero points */
    QuantParams z1 = {1.0f, 3}, z2 = {1.0f, -2}, z_out = {1.0f, 5};
    QuantMul z = quant_mul_params(z1, z2, z_out, ACT_NONE);
    CU_ASSERT_EQUAL(quant_mul(&z, 5, 1), 2 * 3 + 5);
    /* the scale is s1·s2/s_out in float: 24 bits, not the double's 53 */
    QuantMul f = quant_mul_params((QuantParams){0x1.e6ab0cp-10f, 0}, (QuantParams){0x1p-8f, -128},
                                  (QuantParams){0x1.b976dap-9f, 0}, ACT_NONE);
    CU_ASSERT(f.out.m.m == 1183687936 && f.out.m.shift == -8);
    QuantMultiplier d = quant_multiplier((double)0x1.e6ab0cp-10f * 0x1p-8 / (double)0x1.b976dap-9f);
    CU_ASSERT(d.m == 1183687994 && d.shift == -8);
}

static void test_logistic_table(void)
{
    int8_t t[256];
    quant_logistic_table((QuantParams){0.1f, -3}, t);
    CU_ASSERT_EQUAL(t[(uint8_t)-3], 0);   /* σ(0)·256 − 128 */
    CU_ASSERT_EQUAL(t[(uint8_t)127], 127); /* σ(13) rounds to 256: clamped */
    CU_ASSERT_EQUAL(t[(uint8_t)-128], -128);
    CU_ASSERT_EQUAL(t[(uint8_t)-2], 6); /* σ(0.1) = 0.52498 → 134.39 → 134 − 128 */
    CU_ASSERT_EQUAL(t[(uint8_t)-4], -6);
    for (int v = -128; v < 127; v++)
        CU_ASSERT(t[(uint8_t)v] <= t[(uint8_t)(v + 1)]);
    /* σ(−x) = 1 − σ(x): entries symmetric about zp within 1 */
    for (int d = 1; d <= 124; d++)
        CU_ASSERT(abs(t[(uint8_t)(-3 + d)] + t[(uint8_t)(-3 - d)]) <= 1);
}

static void test_swish_table(void)
{
    int8_t s[256], l[256];
    QuantParams in = {0.05f, 10}, out = {0.04f, -20};
    quant_swish_table(in, out, s);
    quant_logistic_table(in, l);
    QuantMul m = quant_mul_params(in, (QuantParams){QUANT_LOGISTIC_SCALE, QUANT_LOGISTIC_ZP}, out,
                                  ACT_NONE);
    for (int v = -128; v <= 127; v++) {
        CU_ASSERT_EQUAL(s[(uint8_t)v], quant_mul(&m, (int8_t)v, l[(uint8_t)v]));
        /* within 1.5 output steps of the float swish (two roundings) */
        double x = 0.05 * (v - 10), want = x / (1 + exp(-x)) / 0.04 - 20;
        if (want > -128 && want < 127)
            CU_ASSERT(fabs(s[(uint8_t)v] - want) <= 1.5);
    }
    CU_ASSERT_EQUAL(s[10], -20); /* swish(0) = 0 */
}

static void test_weights(void)
{
    const float w[] = {0.5f, -1.0f, 0.25f, -0.5f, 0, 0, 0, 0, 1e-3f, -2e-3f, 4e-3f, 0};
    int8_t q[12];
    float s[4];
    quant_weights(w, 3, 4, q, s);
    CU_ASSERT(s[0] == 1.0f / 127 && s[1] == 0 && s[2] == 4e-3f / 127);
    /* 0.5·127 = 63.5 and −63.5 round away from zero */
    CU_ASSERT(q[0] == 64 && q[1] == -127 && q[2] == 32 && q[3] == -64);
    CU_ASSERT(q[4] == 0 && q[5] == 0 && q[6] == 0 && q[7] == 0); /* an all-zero channel */
    /* 127/4e−3 is 31749.998f: 1e−3f and −2e−3f land on 31.75 and −63.5 */
    CU_ASSERT(q[8] == 32 && q[9] == -64 && q[10] == 127 && q[11] == 0);
    /* invariants: the largest |q| of a channel is 127, each q within half a step */
    float r[64];
    int8_t rq[64];
    for (int i = 0; i < 1000; i++) {
        for (int k = 0; k < 64; k++)
            r[k] = ((float)rnd() / 4294967296.0f - 0.5f) * (float)(1 + i);
        quant_weights(r, 4, 16, rq, s);
        for (int c = 0; c < 4; c++) {
            int most = 0;
            for (int k = 0; k < 16; k++) {
                most = abs(rq[c * 16 + k]) > most ? abs(rq[c * 16 + k]) : most;
                CU_ASSERT(fabs(rq[c * 16 + k] - r[c * 16 + k] / (double)s[c]) <= 0.5 + 1e-4);
            }
            CU_ASSERT_EQUAL(most, 127);
        }
    }
}

static void test_bias(void)
{
    const float s_w[] = {0.25f, 0.25f, 0.25f, 0.25f, 0, 0x1.0fdeccp-9f};
    const float b[] = {1.0625f, -1.0625f, 1e30f, -1e30f, 5.0f, -0x1.85e262p+0f};
    int32_t q[6];
    quant_bias(b, 6, 0.5f, s_w, q);
    CU_ASSERT_EQUAL(q[0], 9);  /* 1.0625/0.125 = 8.5 → 9 */
    CU_ASSERT_EQUAL(q[1], -9); /* −8.5 → −9 */
    CU_ASSERT_EQUAL(q[2], INT32_MAX);
    CU_ASSERT_EQUAL(q[3], -INT32_MAX); /* clamped to −INT32_MAX, not INT32_MIN */
    CU_ASSERT_EQUAL(q[4], 0);          /* a weight scale of 0 */
    /* the inverse of the scale is a float and so is the product: b·inverse
     * is −1468.5f, → −1469; b/scale in double is −1468.49998, → −1468 */
    CU_ASSERT_EQUAL(q[5], -1469);
}

static void test_activation_params(void)
{
    QuantParams p = quant_activation_params(-1.28f, 1.27f);
    CU_ASSERT(p.scale == 0x1.47ae14p-7f && p.zp == 0); /* 0.01f */
    p = quant_activation_params(1.0f, 2.0f); /* widened to hold 0 */
    CU_ASSERT(p.scale == 0x1.010102p-7f && p.zp == -128);
    p = quant_activation_params(-2.0f, -1.0f); /* −128 + 254.99998 = 126.99998 */
    CU_ASSERT(p.scale == 0x1.010102p-7f && p.zp == 127);
    p = quant_activation_params(0, 0);
    CU_ASSERT(p.scale == 0 && p.zp == -128);
    p = quant_activation_params(-1.0f, 1.0f); /* −128 + 127.49999: −0.50000763 → −1 */
    CU_ASSERT(p.scale == 0x1.010102p-7f && p.zp == -1);
    p = quant_activation_params(-0.3f, 5.1f); /* −113.833336 → −114 */
    CU_ASSERT(p.scale == 0x1.5af48ep-6f && p.zp == -114);
}

int main(void)
{
    static const UnitTest tests[] = {
        {"QuantizeMultiplier by hand", test_multiplier_by_hand},
        {"QuantizeMultiplier: range and precision", test_multiplier_invariants},
        {"SRDHM by hand: ties half up, saturation", test_srdhm_by_hand},
        {"SRDHM = floor((ab + 2^30)/2^31)", test_srdhm_invariants},
        {"RDBPOT by hand: ties away from zero", test_rdbpot_by_hand},
        {"RDBPOT = round half away of x/2^e", test_rdbpot_invariants},
        {"MBQM by hand: double rounding, shifts both ways", test_mbqm_by_hand},
        {"MBQM: within 1, monotone", test_mbqm_invariants},
        {"fused ReLU6 range, float division", test_act_range},
        {"conv output by hand", test_conv_by_hand},
        {"conv: a padded tap is a tap of zp_in", test_conv_padding_invariant},
        {"MEAN by hand", test_mean},
        {"MEAN of n copies", test_mean_invariants},
        {"ADD by hand", test_add},
        {"ADD of equal scales is the sum", test_add_invariants},
        {"MUL by hand, scale in float", test_mul},
        {"LOGISTIC table", test_logistic_table},
        {"swish table", test_swish_table},
        {"weights per channel", test_weights},
        {"bias", test_bias},
        {"activation scale and zero point", test_activation_params},
    };
    return UNIT_MAIN("quant", tests);
}
