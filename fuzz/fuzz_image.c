/* fuzz_image.c — libFuzzer target: the harness's photo reader.
 *
 * The input's first byte chooses the output size, 1 + byte % 64 (the
 * resize's paths depend on how the crop compares with the output, not on
 * the output's size; larger outputs only slow the fuzzer); the rest is the
 * file, as the harness's --image reads it, given to
 * effcc_image_decode: stb_image's PNG and JPEG decoders, the centre crop,
 * the bicubic resize and the normalisation. It must return 0 with finite
 * values or -1 with a message, and never crash, read or write out of bounds
 * or leak. Images beyond 2^20 pixels are refused here (the harness allows
 * EFFCC_IMAGE_MAX_PIXELS, 2^25): the same check, and a decoded image stays
 * small enough for thousands of runs a second. */
#include "effcc_image.h"

#include <stdint.h>
#include <stdlib.h>

#define FUZZ_MAX_PIXELS (1L << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const float mean[3] = {123.675f, 116.28f, 103.53f}, std[3] = {58.395f, 57.12f, 57.375f};
    if (size < 1)
        return 0;
    int side = 1 + data[0] % 64;
    size_t n = (size_t)3 * (size_t)side * (size_t)side;
    float *out = malloc(n * sizeof(float));
    char err[256] = "";
    if (!out)
        abort();
    int status = effcc_image_decode(data + 1, size - 1, FUZZ_MAX_PIXELS, 3, side, mean, std, out,
                                    err, sizeof err);
    if (status == 0) {
        for (size_t i = 0; i < n; i++) /* every value written, each a pixel 0..255 normalised */
            if (!(out[i] >= -3.0f && out[i] <= 3.0f))
                abort();
    } else if (status != -1 || !err[0]) {
        abort();
    }
    free(out);
    return 0;
}
