/* effcc_image.h — a photo (PNG or JPEG) to a model's input tensor.
 *
 * Copied by effcc into every generated folder for the harness's --image; the
 * model itself (NAME.c) never reads files. effcc_image.c holds the code. */
#ifndef EFFCC_IMAGE_H
#define EFFCC_IMAGE_H

#include <stddef.h>

/* Decodes path (PNG or JPEG, any channel count; alpha is dropped, grey is
 * replicated) to RGB, takes TensorFlow's evaluation centre crop (a square of
 * size/(size+32) of the shorter side), resizes it to size x size with PIL's
 * antialiased bicubic filter (the same 8-bit arithmetic, so the pixels equal
 * PIL's), and writes (pixel − mean[c]) / std[c] as float32 NCHW into out
 * (3 x size x size floats). channels must be 3. Returns 0, or -1 with a
 * message in err. */
int effcc_image_load(const char *path, int channels, int size, const float *mean,
                     const float *std, float *out, char *err, size_t errsize);

#endif
