/* effcc_runtime.h — what every generated model shares, whatever the target.
 *
 * Copied by effcc into every generated folder, next to one
 * effcc_simd_<target>.h. Scalar activations match PyTorch's definitions:
 * SiLU(x) = x·σ(x), σ(x) = 1/(1+e^−x), ReLU6(x) = min(max(x, 0), 6).
 * EFFCC_OMP(...) places an OpenMP pragma only when the build enables OpenMP
 * (make OPENMP=1), so plain builds see no unknown-pragma warning.
 *
 * The kernels compute every index and offset in ptrdiff_t, counted in
 * floats: int overflows in a large image (at a 20000-pixel input, B0's
 * first activation has 3.2e9 floats). Each index is the offset of an
 * element inside one tensor a kernel reads or writes (the input, an
 * activation or scratch in the arena, a weight tensor), or a partial sum on
 * the way to it; no kernel multiplies two counts into a number that
 * addresses nothing (the GEMM's chunk bounds, EFFCC_CHUNK in kernels.m4,
 * avoid chunk × blocks), except the threads' shares: a count of rows,
 * panels or vectors times the thread count. So every index is below the
 * size in floats of a tensor in memory. On a 64-bit target that is far
 * within range. A 32-bit target (ARMv7, or the generic target built for
 * one) has a 32-bit ptrdiff_t, but there a tensor is below 2^32 bytes, 2^30
 * floats, half of ptrdiff_t's range: a model with larger tensors cannot run
 * on such a target at all (its arena or weights do not fit the address
 * space), whatever the index type. */
#ifndef EFFCC_RUNTIME_H
#define EFFCC_RUNTIME_H

#include <math.h>
#include <stddef.h>

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
