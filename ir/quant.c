/* quant.c — int8 arithmetic, exactly as TFLite's reference kernels do it.
 *
 * effcc's int8 semantics are TFLite's (docs/int8.md): LiteRT's reference
 * interpreter must agree with effcc bit for bit. So each function here is a
 * transcription of the TFLite code named above it (LiteRT f674577, gemmlowp
 * fixedpoint.h), kept as plain as that code is, with the same float or
 * double expressions: computing a scale in double where TFLite computes it
 * in float changes outputs. tests/int8/ runs every op here against LiteRT.
 *
 * Where TFLite's int32 arithmetic could overflow (undefined in C++, wrapping
 * in every build of it) effcc wraps too, through wrap32: x·2^shift before a
 * multiplier above 1, and bias + Σ w·x. Conditions only a bug in effcc can
 * cause (a negative scale, a shift TFLite cannot apply) are internal errors. */
#include "ir.h"

#include <inttypes.h>
#include <math.h>

/* The scales and zero points effcc chose: a bug if TFLite would refuse them. */
static void check_params(const char *what, QuantParams p)
{
    if (!(p.scale > 0) || isinf(p.scale) || p.zp < -128 || p.zp > 127)
        internal_error("%s: scale %g, zero point %" PRId32, what, (double)p.scale, p.zp);
}

/* int64 → int32 modulo 2^32, as two's complement int32 arithmetic wraps
 * (the conversion is implementation-defined in C; GCC and Clang wrap). */
static int32_t wrap32(int64_t v)
{
    return (int32_t)(uint32_t)(uint64_t)v;
}

/* std::min(std::max(v, lo), hi), in this order, as every TFLite kernel
 * clamps (with lo > hi it gives hi). */
static int32_t clamp32(int64_t v, int32_t lo, int32_t hi)
{
    if (v < lo)
        v = lo;
    if (v > hi)
        v = hi;
    return (int32_t)v;
}

/* tflite/kernels/internal/quantization_util.cc QuantizeMultiplier (the
 * TFLITE_SINGLE_ROUNDING=0 build): real = q·2^shift with q in [0.5, 1),
 * m = round(q·2^31) half away from zero (TfLiteRound is std::round); m = 2^31
 * becomes 2^30 with shift + 1; below 2^−31 or so the multiplier is flushed
 * to 0. */
QuantMultiplier quant_multiplier(double real)
{
    if (!(real >= 0) || isinf(real))
        internal_error("quant_multiplier: real multiplier %g", real);
    if (real == 0)
        return (QuantMultiplier){0, 0};
    int shift;
    double q = frexp(real, &shift);
    int64_t m = (int64_t)round(q * (double)(INT64_C(1) << 31));
    if (m == INT64_C(1) << 31) {
        m /= 2;
        shift++;
    }
    if (shift < -31) {
        shift = 0;
        m = 0;
    }
    return (QuantMultiplier){(int32_t)m, shift};
}

/* gemmlowp fixedpoint/fixedpoint.h SaturatingRoundingDoublingHighMul<int32_t>:
 * a·b/2^31 rounded half up (the nudge, then '/' truncating toward zero), and
 * INT32_MIN·INT32_MIN, the one product that does not fit, saturated. */
int32_t quant_srdhm(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN)
        return INT32_MAX;
    int64_t ab = (int64_t)a * b;
    int64_t nudge = ab >= 0 ? (1 << 30) : 1 - (1 << 30);
    return (int32_t)((ab + nudge) / (INT64_C(1) << 31));
}

/* gemmlowp fixedpoint/fixedpoint.h RoundingDivideByPOT<int32_t>: x/2^exponent
 * rounded half away from zero. The remainder is compared against half the
 * divisor, and one more when x is negative. (x >> exponent is an arithmetic
 * shift, implementation-defined in C; GCC and Clang shift arithmetically.) */
int32_t quant_rdbpot(int32_t x, int exponent)
{
    if (exponent < 0 || exponent > 31)
        internal_error("quant_rdbpot: exponent %d", exponent);
    int32_t mask = (int32_t)((INT64_C(1) << exponent) - 1);
    int32_t remainder = x & mask;
    int32_t threshold = (mask >> 1) + (x < 0);
    return (x >> exponent) + (remainder > threshold);
}

/* tflite/kernels/internal/common.cc MultiplyByQuantizedMultiplier(int32_t, …),
 * double rounding (TFLite's default): the left part of the shift before the
 * high multiply, the right part after it, each step rounding. TFLite shifts
 * left with x * (1 << left_shift) in int32, which wraps (wrap32). */
int32_t quant_mbqm(int32_t x, QuantMultiplier m)
{
    if (m.shift > 30 || m.shift < -31 || m.m < 0)
        internal_error("quant_mbqm: multiplier %" PRId32 " shift %d", m.m, m.shift);
    int left = m.shift > 0 ? m.shift : 0;
    int right = m.shift > 0 ? 0 : -m.shift;
    return quant_rdbpot(quant_srdhm(wrap32((int64_t)x * (INT64_C(1) << left)), m.m), right);
}

/* The epilogue every reference integer kernel ends with (conv.h, mul.h,
 * add.h, reduce.h): MBQM, + output zero point, clamp. The addition is done
 * in int64: TFLite's int32 one could overflow only for an accumulator some
 * 2^24 times outside the output's range, where the clamp decides anyway. */
int8_t quant_requantize(int32_t acc, const QuantRequant *r)
{
    return (int8_t)clamp32((int64_t)quant_mbqm(acc, r->m) + r->zp_out, r->lo, r->hi);
}

/* With e = −shift ≥ 1, RDBPOT(v, e) = floor((v + 2^(e−1) − [v < 0]) / 2^e),
 * and v = SRDHM(x, m) = floor((x·m + 2^30) / 2^31) (m ≥ 0, so v < 0 only for
 * x < 0, and x < 0 with v = 0 rounds to 0 either way): hence
 *   MBQM(x) = floor((x·m + 2^30 + 2^(30+e) − [x < 0]·2^31) / 2^(31+e)),
 * one 64-bit sum, the 2^31 step taken as the high bits of the product and
 * the rest as an arithmetic shift of int32 v + 2^(e−1) − [x < 0]; for e = 0,
 * v itself. That int32 must not overflow: v + 2^(e−1) ≤ INT32_MAX for the
 * largest v, which |x| ≤ bound < 2^31 limits. No left shift. */
bool quant_fast_ok(QuantMultiplier m, int64_t bound)
{
    if (m.shift > 0 || m.shift < -31 || m.m < 0 || bound < 0 || bound > INT32_MAX)
        return false;
    int e = -m.shift;
    int64_t vmax = (bound * (int64_t)m.m + (INT64_C(1) << 30)) >> 31;
    return e == 0 || vmax + (INT64_C(1) << (e - 1)) <= INT32_MAX;
}

void quant_fast_table(const QuantMultiplier *m, int n, int32_t *words)
{
    for (int c = 0; c < n; c++) {
        if (m[c].shift > 0 || m[c].shift < -31)
            internal_error("quant_fast_table: shift %d", m[c].shift);
        if (c / 8 * 8 + 8 > n) /* a partial last block: no vector reads it */
            continue;
        /* block c / 8 holds its even channels' offsets at words c / 8·8 …,
         * its odd ones' at n + …: a block's eight words at its own offset */
        int e = -m[c].shift;
        int64_t k = (INT64_C(1) << 30) + (e ? INT64_C(1) << (30 + e) : 0);
        int32_t *at = words + (c % 2 ? n : 0) + c / 8 * 8 + c % 8 / 2 * 2;
        at[0] = (int32_t)(uint32_t)((uint64_t)k & 0xffffffffu);
        at[1] = (int32_t)(uint32_t)((uint64_t)k >> 32);
    }
}

/* tflite/kernels/kernel_util.cc Quantize (static, used for the activation
 * range): zp + TfLiteRound(f / scale), the division in float. */
static int64_t quantize_float(QuantParams p, float f)
{
    float t = roundf(f / p.scale);
    if (!(t > -2147483648.0f && t < 2147483648.0f))
        internal_error("quant_act_range: %g / scale %g is out of int32", (double)f,
                       (double)p.scale);
    return (int64_t)p.zp + (int32_t)t;
}

/* tflite/kernels/kernel_util.cc CalculateActivationRangeQuantized(Impl) for
 * int8: [−128, 127], narrowed by ReLU6 to [zp + round(0/s), zp + round(6/s)]. */
void quant_act_range(Act act, QuantParams out, int32_t *lo, int32_t *hi)
{
    *lo = -128;
    *hi = 127;
    if (act == ACT_NONE)
        return;
    if (act != ACT_RELU6)
        internal_error("quant_act_range: %s is not a fused clamp", act_names[act]);
    int64_t q0 = quantize_float(out, 0.0f), q6 = quantize_float(out, 6.0f);
    *lo = (int32_t)(q0 > -128 ? q0 : -128);
    *hi = (int32_t)(q6 < 127 ? q6 : 127);
}

/* tflite/kernels/kernel_util.cc PopulateConvolutionQuantizationParams, per
 * channel: (double)s_in·(double)s_w/(double)s_out, all in double. */
QuantRequant quant_conv_requant(QuantParams in, float s_w, QuantParams out, Act act)
{
    check_params("quant_conv_requant: input", in);
    check_params("quant_conv_requant: output", out);
    if (!(s_w >= 0) || isinf(s_w))
        internal_error("quant_conv_requant: weight scale %g", (double)s_w);
    QuantRequant r = {
        .m = quant_multiplier((double)in.scale * (double)s_w / (double)out.scale),
        .zp_out = out.zp,
    };
    quant_act_range(act, out, &r.lo, &r.hi);
    return r;
}

/* reference/integer_ops/conv.h ConvPerChannel, the inner loops:
 * Σ w·(x − zp_in). With |w| ≤ 128 and |x − zp_in| ≤ 255, 2^16 taps cannot
 * overflow int32 (the bound TFLite's comment there states too). */
int32_t quant_dot(const int8_t *x, const int8_t *w, int n, int32_t zp_in)
{
    if (n < 0 || n > 65536)
        internal_error("quant_dot: %d taps", n);
    int32_t acc = 0;
    for (int i = 0; i < n; i++)
        acc += (int32_t)w[i] * ((int32_t)x[i] - zp_in);
    return acc;
}

/* reference/integer_ops/conv.h ConvPerChannel, depthwise_conv.h
 * DepthwiseConvPerChannel, fully_connected.h FullyConnectedPerChannel: one
 * output is its taps' sum, + bias (in int32, wrapping), requantised. */
int8_t quant_conv_output(const int8_t *x, const int8_t *w, int n, int32_t zp_in, int32_t bias,
                         const QuantRequant *r)
{
    return quant_sum_output(quant_dot(x, w, n, zp_in), bias, r);
}

/* The same from the taps' sum Σ w·(x − zp_in), however it was added up
 * (in int32 it cannot overflow: quant_dot). */
int8_t quant_sum_output(int32_t sum, int32_t bias, const QuantRequant *r)
{
    return quant_requantize(wrap32((int64_t)sum + bias), r);
}

/* reference_integer_ops/fully_connected.h FullyConnected(PerChannel) with
 * float scales, the kernel LiteRT's reference resolver runs for int8
 * FULLY_CONNECTED: not MBQM but one rounding, in double, of the sum times
 * s_in·s_w/s_out (TfLiteRound: half away from zero), + zp_out, clamped.
 * The two differ at ties (1 output in ~1000 on B0's classifier). */
double quant_fc_scale(QuantParams in, float s_w, QuantParams out)
{
    check_params("quant_fc_scale: input", in);
    check_params("quant_fc_scale: output", out);
    return (double)in.scale * (double)s_w / (double)out.scale;
}

int8_t quant_fc_output(const int8_t *x, const int8_t *w, int n, int32_t zp_in, int32_t bias,
                       double scale, int32_t zp_out, int32_t lo, int32_t hi)
{
    int32_t acc = wrap32((int64_t)quant_dot(x, w, n, zp_in) + bias);
    double r = round((double)acc * scale);
    if (!(r > -2147483648.0 && r < 2147483648.0))
        internal_error("quant_fc_output: %g is out of int32", r);
    return (int8_t)clamp32((int64_t)(int32_t)r + zp_out, lo, hi);
}

/* tflite/kernels/reduce.cc PrepareMeanOrSum (m from s_in/s_out in double)
 * and reference/reduce.h QuantizedMeanOrSum, which folds 1/n into m: with
 * k = min(floor(log2 n), 32, 31 + shift), m' = (m·2^k)/n truncated and
 * shift' = shift − k. The sum is an int32: n ≤ 2^23 keeps it from overflowing.
 * This is the algorithm LiteRT's reference resolver runs for every MEAN (its
 * optimised one runs another, up to 1 apart, for keep_dims over H and W). */
QuantMean quant_mean_params(QuantParams in, QuantParams out, int32_t n)
{
    check_params("quant_mean_params: input", in);
    check_params("quant_mean_params: output", out);
    if (n < 1 || n > (1 << 23))
        internal_error("quant_mean_params: mean of %" PRId32 " values", n);
    QuantMultiplier m = quant_multiplier((double)in.scale / (double)out.scale);
    int k = 0;
    while ((INT64_C(2) << k) <= n)
        k++;
    if (k > 32)
        k = 32;
    if (k > 31 + m.shift)
        k = 31 + m.shift;
    m.m = (int32_t)(((int64_t)m.m << k) / n);
    m.shift -= k;
    QuantRequant r = {.m = m, .zp_out = out.zp, .lo = -128, .hi = 127};
    return (QuantMean){.n = n, .zp_in = in.zp, .out = r};
}

int8_t quant_mean_sum(const QuantMean *p, int32_t sum)
{
    return quant_requantize(sum - p->zp_in * p->n, &p->out);
}

int8_t quant_mean(const QuantMean *p, const int8_t *x, ptrdiff_t stride)
{
    int32_t sum = 0;
    for (int32_t i = 0; i < p->n; i++)
        sum += x[i * stride];
    return quant_mean_sum(p, sum);
}

/* tflite/kernels/add.cc Prepare, int8: left shift 20; the common scale
 * 2·max(s1, s2) is a float, each input's multiplier s/(2·max) and the
 * output's 2·max/(2^20·s_out) are doubles, the 2^20·s_out product a float
 * (int times float in C++). All three must be below 1
 * (QuantizeMultiplierSmallerThanOneExp checks it). */
QuantAdd quant_add_params(QuantParams a, QuantParams b, QuantParams out, Act act)
{
    check_params("quant_add_params: input 1", a);
    check_params("quant_add_params: input 2", b);
    check_params("quant_add_params: output", out);
    const int left_shift = 20;
    float twice_max = 2 * (a.scale > b.scale ? a.scale : b.scale);
    float out_scaled = (float)(1 << left_shift) * out.scale;
    double real_out = (double)twice_max / (double)out_scaled;
    if (!(real_out < 1))
        internal_error("quant_add_params: output multiplier %g is not below 1", real_out);
    QuantAdd p = {
        .zp1 = a.zp,
        .zp2 = b.zp,
        .left_shift = left_shift,
        .m1 = quant_multiplier((double)a.scale / (double)twice_max),
        .m2 = quant_multiplier((double)b.scale / (double)twice_max),
        .out = {.m = quant_multiplier(real_out), .zp_out = out.zp},
    };
    quant_act_range(act, out, &p.out.lo, &p.out.hi);
    return p;
}

/* reference/integer_ops/add.h AddFunc: each input, offset and shifted left
 * by 20, is requantised to the common scale; their sum to the output's. */
int8_t quant_add(const QuantAdd *p, int8_t a, int8_t b)
{
    int32_t a_shifted = ((int32_t)a - p->zp1) * (1 << p->left_shift);
    int32_t b_shifted = ((int32_t)b - p->zp2) * (1 << p->left_shift);
    return quant_requantize(quant_mbqm(a_shifted, p->m1) + quant_mbqm(b_shifted, p->m2), &p->out);
}

/* tflite/kernels/mul.cc Prepare: s1·s2/s_out computed in float (all three
 * are floats in C++), then QuantizeMultiplier of that float. */
QuantMul quant_mul_params(QuantParams a, QuantParams b, QuantParams out, Act act)
{
    check_params("quant_mul_params: input 1", a);
    check_params("quant_mul_params: input 2", b);
    check_params("quant_mul_params: output", out);
    float product = a.scale * b.scale;
    float real = product / out.scale;
    QuantMul p = {.zp1 = a.zp, .zp2 = b.zp, .out = {.m = quant_multiplier(real), .zp_out = out.zp}};
    quant_act_range(act, out, &p.out.lo, &p.out.hi);
    return p;
}

/* reference/integer_ops/mul.h MulElementwise (and the broadcast variants,
 * which apply the same per-element formula). */
int8_t quant_mul(const QuantMul *p, int8_t a, int8_t b)
{
    return quant_requantize(((int32_t)a - p->zp1) * ((int32_t)b - p->zp2), &p->out);
}

/* tflite/kernels/activations.cc SigmoidPrepare → internal/common.h
 * LUTPopulateInt8, all in float32: f = s_in·(v − zp_in),
 * t = 1/(1 + expf(−f)), q = (int)(TfLiteRound(t·(1/s_out)) + zp_out),
 * clamped; the entry for v is at (uint8_t)v. expf is the host's: glibc's,
 * as LiteRT's on the same machine. */
void quant_logistic_table(QuantParams in, int8_t table[256])
{
    check_params("quant_logistic_table: input", in);
    const float inverse_scale = 1 / QUANT_LOGISTIC_SCALE;
    for (int32_t v = -128; v <= 127; v++) {
        float dequantized = in.scale * (float)(v - in.zp);
        float transformed = 1.0f / (1.0f + expf(-dequantized));
        float rescaled = roundf(transformed * inverse_scale);
        float shifted = rescaled + (float)QUANT_LOGISTIC_ZP;
        table[(uint8_t)v] = (int8_t)clamp32((int32_t)shifted, -128, 127);
    }
}

/* swish as a TFLite model computes it: LOGISTIC then MUL(x, σ(x)). Both
 * inputs of the MUL are functions of the same int8 x, so one table holds
 * the pair: T[x] = MUL(x, L[x]), L the LOGISTIC table. */
void quant_swish_table(QuantParams in, QuantParams out, int8_t table[256])
{
    int8_t sigmoid[256];
    quant_logistic_table(in, sigmoid);
    QuantParams logistic = {QUANT_LOGISTIC_SCALE, QUANT_LOGISTIC_ZP};
    QuantMul mul = quant_mul_params(in, logistic, out, ACT_NONE);
    for (int v = -128; v <= 127; v++)
        table[(uint8_t)v] = quant_mul(&mul, (int8_t)v, sigmoid[(uint8_t)v]);
}

/* tflite/tools/optimize/quantization_utils.cc, the calibrating quantizer's
 * (QuantizeModelAllOperators) per-channel weights: FillPerChannelMinMax,
 * then SymmetricPerChannelQuantization and SymmetricPerChannelQuantizeValues,
 * in float: scale = max(|min|, |max|)/127, q = TfLiteRound(w·(127/max(…)))
 * clamped to [−127, 127]; an all-zero channel gets scale 0 and zeros. */
void quant_weights(const float *w, int channels, size_t n, int8_t *q, float *scales)
{
    if (channels < 1 || n < 1)
        internal_error("quant_weights: %d channels of %zu weights", channels, n);
    for (int c = 0; c < channels; c++) {
        const float *wc = w + (size_t)c * n;
        float lo = wc[0], hi = wc[0];
        for (size_t i = 0; i < n; i++) {
            if (!isfinite(wc[i]))
                internal_error("quant_weights: weight %g", (double)wc[i]);
            lo = wc[i] < lo ? wc[i] : lo;
            hi = wc[i] > hi ? wc[i] : hi;
        }
        const float half_scale = 127;
        float half_range = fabsf(lo) > fabsf(hi) ? fabsf(lo) : fabsf(hi);
        scales[c] = half_range / half_scale;
        float scale_inv = half_range == 0 ? 0 : half_scale / half_range;
        for (size_t i = 0; i < n; i++)
            q[(size_t)c * n + i] = (int8_t)clamp32((int32_t)roundf(wc[i] * scale_inv), -127, 127);
    }
}

/* tflite/kernels/internal/quantization_util.h SafeCast<int32_t>(float):
 * saturating, NaN to 0. */
static int32_t safe_cast32(float x)
{
    if (isnan(x))
        return 0;
    if (x < -2147483648.0f)
        return INT32_MIN;
    if (x >= 2147483648.0f)
        return INT32_MAX;
    return (int32_t)x;
}

/* tflite/tools/optimize/quantization_utils.cc SymmetricPerChannelBiasQuantize
 * and SymmetricBiasQuantize<int32_t>: the scale s_in·s_w[c] is a float, its
 * inverse 1.0/scale a double stored in a float, q = TfLiteRound(b·inverse)
 * in float, saturated, then clamped to [−INT32_MAX, INT32_MAX]. */
void quant_bias(const float *b, int channels, float s_in, const float *s_w, int32_t *q)
{
    if (!(s_in > 0) || isinf(s_in))
        internal_error("quant_bias: input scale %g", (double)s_in);
    for (int c = 0; c < channels; c++) {
        if (!isfinite(b[c]) || !(s_w[c] >= 0) || isinf(s_w[c]))
            internal_error("quant_bias: bias %g, weight scale %g", (double)b[c], (double)s_w[c]);
        float scale = s_in * s_w[c];
        float scale_inv = scale == 0 ? 0 : (float)(1.0 / scale);
        q[c] = clamp32(safe_cast32(roundf(b[c] * scale_inv)), -INT32_MAX, INT32_MAX);
    }
}

/* tflite/tools/optimize/quantization_utils.cc GetAsymmetricQuantizationParams
 * for int8, in float: the range is widened to hold 0, scale = (max − min)/255,
 * zp = round(−128 − min/scale), within [−128, 127]. */
QuantParams quant_activation_params(float min, float max)
{
    if (!isfinite(min) || !isfinite(max) || min > max)
        internal_error("quant_activation_params: range [%g, %g]", (double)min, (double)max);
    const float quant_min = -128, quant_max = 127;
    min = min < 0.0f ? min : 0.0f;
    max = max > 0.0f ? max : 0.0f;
    float scale = (max - min) / (quant_max - quant_min);
    float zero_point_from_min = quant_min;
    if (scale != 0)
        zero_point_from_min = quant_min - min / scale;
    int32_t zp;
    if (zero_point_from_min < quant_min)
        zp = (int32_t)quant_min;
    else if (zero_point_from_min > quant_max)
        zp = (int32_t)quant_max;
    else
        zp = (int32_t)roundf(zero_point_from_min);
    return (QuantParams){scale, zp};
}
