/* GEN_NAME.h — GEN_DESCRIPTION
 *
GEN_PROVENANCE *
 * Usage:
 *     static float logits[GEN_NAME«»_NUM_CLASSES];
 *     void *arena = aligned_alloc(64, GEN_NAME«»_ARENA_BYTES);   (or a static buffer)
 *     GEN_NAME«»_run(input, logits, arena);
 *
 * input:  GEN_IN_C x GEN_IN_H x GEN_IN_W floats, NCHW (as PyTorch), normalised as the
 *         model was trained: (pixel − mean[c]) / std[c] with pixels 0..255 and
 *         GEN_NAME«»_INPUT_MEAN, GEN_NAME«»_INPUT_STD (initialisers, one per channel).
 * logits: GEN_CLASSES raw scores (no softmax).
 * arena:  GEN_NAME«»_ARENA_BYTES bytes of scratch, 64-byte aligned; it need not be
 *         initialised and holds garbage afterwards. One arena per concurrent call.
 * The function allocates nothing, keeps no state between calls and touches
 * nothing but input, logits, arena and its constant weights.
 */
#ifndef GEN_GUARD
#define GEN_GUARD

#ifdef __cplusplus
extern "C" {
#endif

#define GEN_NAME«»_INPUT_CHANNELS GEN_IN_C
#define GEN_NAME«»_INPUT_HEIGHT GEN_IN_H
#define GEN_NAME«»_INPUT_WIDTH GEN_IN_W
#define GEN_NAME«»_INPUT_MEAN {GEN_IN_MEAN}
#define GEN_NAME«»_INPUT_STD {GEN_IN_STD}
#define GEN_NAME«»_NUM_CLASSES GEN_CLASSES
#define GEN_NAME«»_ARENA_BYTES GEN_ARENA_BYTES
#define GEN_NAME«»_WEIGHTS_BYTES GEN_WEIGHTS_BYTES
#define GEN_NAME«»_MAX_THREADS GEN_THREADS /* fused kernels use at most this many OpenMP threads */

void GEN_NAME«»_run(const float *input, float *logits, void *arena);
m4_ifelse(GEN_INT8, 1, «
/* int8 model (effcc compile --quantize int8): GEN_NAME«»_run quantizes its input
 * as q = zero_point + round(x / scale), clamped to [-128, 127], then calls
 * GEN_NAME«»_run_q, which takes that int8 input directly (NHWC: channels
 * innermost; it may point into the arena, where GEN_NAME«»_run puts it). */
#include <stdint.h>
#define GEN_NAME«»_INPUT_SCALE GEN_IN_SCALE
#define GEN_NAME«»_INPUT_ZERO_POINT GEN_IN_ZP
void GEN_NAME«»_run_q(const int8_t *input, float *logits, void *arena);
»)
#ifdef EFFCC_PROFILE
/* Profile builds (make PROFILE=1) add up the milliseconds of each kernel
 * call of GEN_NAME«»_run; a label and the multiply-adds describe each call. */
#define GEN_NAME«»_PROFILE_CALLS GEN_PROFILE_CALLS
extern double GEN_NAME«»_profile_ms[GEN_PROFILE_CALLS];     /* sum over runs */
extern double GEN_NAME«»_profile_min_ms[GEN_PROFILE_CALLS]; /* fastest run */
extern const char *const GEN_NAME«»_profile_labels[GEN_PROFILE_CALLS];
extern const double GEN_NAME«»_profile_macs[GEN_PROFILE_CALLS];
#endif

#ifdef __cplusplus
}
#endif

#endif
