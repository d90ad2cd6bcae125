/* effcc_runtime.h — math the generated kernels share (portable scalar C).
 *
 * Copied by effcc into every generated folder. The activations match
 * PyTorch's definitions: SiLU(x) = x·σ(x), σ(x) = 1/(1+e^−x),
 * ReLU6(x) = min(max(x, 0), 6). */
#ifndef EFFCC_RUNTIME_H
#define EFFCC_RUNTIME_H

#include <math.h>

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
