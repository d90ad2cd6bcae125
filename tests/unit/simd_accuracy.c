/* simd_accuracy.c — the vector exp, sigmoid and swish of one SIMD header
 * against double-precision libm, over the whole useful range.
 *
 * Built once per target header (tests/CMakeLists.txt sets EFFCC_SIMD_HEADER
 * and the ISA flags). Asserted bounds, as stated in runtime/effcc_exp.h:
 *   exp:      relative error ≤ 2.5e-7 on [−87, 88]
 *   sigmoid:  absolute error ≤ 2e-7, relative ≤ 5e-7 where σ(x) ≥ 1e-30
 *   swish:    |error| ≤ 5e-7 · max(1, |x|)
 * Exits 77 (skipped) when this CPU lacks the instructions. */
#include EFFCC_SIMD_HEADER

#include <math.h>
#include <stdio.h>

#define CHECK(ok, ...)                                                                             \
    do {                                                                                           \
        if (!(ok)) {                                                                               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

static int cpu_ok(void)
{
#if defined(__x86_64__) && defined(__AVX512F__)
    return __builtin_cpu_supports("avx512f");
#elif defined(__x86_64__) && defined(__AVX2__)
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 1;
#endif
}

typedef struct {
    double exp_rel, sig_abs, sig_rel, swish;
} Errors;

static void measure(float x0, Errors *e)
{
    float in[EV_LANES], ex[EV_LANES], sg[EV_LANES], sw[EV_LANES];
    for (int i = 0; i < EV_LANES; i++)
        in[i] = x0 + (float)i * 1e-3f;
    ev v = ev_load(in);
    ev_store(ex, ev_exp(v));
    ev_store(sg, ev_sigmoid(v));
    ev_store(sw, ev_swish(v));
    for (int i = 0; i < EV_LANES; i++) {
        double x = in[i], te = exp(x), ts = 1.0 / (1.0 + exp(-x));
        if (x >= -87.0 && x <= 88.0 && fabs(ex[i] - te) / te > e->exp_rel)
            e->exp_rel = fabs(ex[i] - te) / te;
        if (fabs(sg[i] - ts) > e->sig_abs)
            e->sig_abs = fabs(sg[i] - ts);
        if (ts >= 1e-30 && fabs(sg[i] - ts) / ts > e->sig_rel)
            e->sig_rel = fabs(sg[i] - ts) / ts;
        double sws = fabs(sw[i] - x * ts) / fmax(1.0, fabs(x));
        if (sws > e->swish)
            e->swish = sws;
    }
}

int main(void)
{
    if (!cpu_ok()) {
        printf("skipped: this CPU lacks the instructions of %s\n", EFFCC_SIMD_HEADER);
        return 77;
    }
    Errors e = {0};
    for (double x = -100.0; x <= 100.0; x += 0.0137)
        measure((float)x, &e);
    for (double x = -1.0; x <= 1.0; x += 1e-4) /* dense where activations live */
        measure((float)x, &e);
    printf("%s: exp rel %.3g, sigmoid abs %.3g rel %.3g, swish %.3g\n", EFFCC_SIMD_HEADER,
           e.exp_rel, e.sig_abs, e.sig_rel, e.swish);
    CHECK(e.exp_rel <= 2.5e-7, "exp relative error %.3g > 2.5e-7\n", e.exp_rel);
    CHECK(e.sig_abs <= 2e-7, "sigmoid absolute error %.3g > 2e-7\n", e.sig_abs);
    CHECK(e.sig_rel <= 5e-7, "sigmoid relative error %.3g > 5e-7\n", e.sig_rel);
    CHECK(e.swish <= 5e-7, "swish error %.3g > 5e-7\n", e.swish);
    return 0;
}
