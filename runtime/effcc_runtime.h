/* effcc_runtime.h — what every generated model shares, whatever the target.
 *
 * Copied by effcc into every generated folder, next to one
 * effcc_simd_<target>.h. Scalar activations match PyTorch's definitions:
 * SiLU(x) = x·σ(x), σ(x) = 1/(1+e^−x), ReLU6(x) = min(max(x, 0), 6).
 * EFFCC_OMP(...) places an OpenMP pragma only when the build enables OpenMP
 * (make OPENMP=1), so plain builds see no unknown-pragma warning. */
#ifndef EFFCC_RUNTIME_H
#define EFFCC_RUNTIME_H

#include <math.h>

#ifdef _OPENMP
#include <omp.h>
#define EFFCC_OMP(directive) _Pragma(directive)
/* Threads for a region whose kernel has per-thread scratch for cap threads. */
static inline int effcc_threads(int cap)
{
    int n = omp_get_max_threads();
    return n < cap ? n : cap;
}
static inline int effcc_thread_count(void) { return omp_get_num_threads(); }
static inline int effcc_thread_id(void) { return omp_get_thread_num(); }
#else
#define EFFCC_OMP(directive)
static inline int effcc_thread_count(void) { return 1; }
static inline int effcc_thread_id(void) { return 0; }
#endif

static inline float effcc_sigmoid(float x)
{
    return 1.0f / (1.0f + expf(-x));
}

static inline float effcc_swish(float x)
{
    return x * effcc_sigmoid(x);
}

static inline float effcc_relu6(float x)
{
    return x < 0.0f ? 0.0f : x > 6.0f ? 6.0f : x;
}

#endif
