/* effcc_image.h — a photo (PNG or JPEG) to a model's input tensor.
 *
 * Copied by effcc into every generated folder for the harness's --image; the
 * model itself (NAME.c) never reads files. effcc_image.c holds the code. It
 * works on bytes in memory: the harness reads the file (a regular file of at
 * most EFFCC_IMAGE_MAX_BYTES) and fuzz/fuzz_image.c calls it directly. */
#ifndef EFFCC_IMAGE_H
#define EFFCC_IMAGE_H

#include <stddef.h>

/* The largest photo accepted: 2^25 pixels (33.5 million: 8192 x 4096, or a
 * 33-megapixel camera's 7008 x 4672). At 8192 x 4096 the harness peaks at
 * 530 MB (16-bit RGBA PNG), 660 MB (the same interlaced), 400 MB
 * (progressive JPEG). The limit is checked on the size the header declares,
 * before stb_image allocates anything for the pixels. */
#define EFFCC_IMAGE_MAX_PIXELS (1L << 25)
/* The largest file accepted: 256 MiB, beyond any PNG or JPEG of that size. */
#define EFFCC_IMAGE_MAX_BYTES ((size_t)1 << 28)

/* Decodes data (len bytes of a PNG or JPEG, any channel count; alpha is
 * dropped, grey is replicated) to RGB, takes TensorFlow's evaluation centre
 * crop (a square of size/(size+32) of the shorter side), resizes it to
 * size x size with PIL's antialiased bicubic filter (the same 8-bit
 * arithmetic, so the pixels equal PIL's), and writes (pixel − mean[c]) /
 * std[c] as float32 NCHW into out (3 x size x size floats). channels must be
 * 3. An image of more than max_pixels pixels (the harness passes
 * EFFCC_IMAGE_MAX_PIXELS) or more than EFFCC_IMAGE_MAX_BYTES bytes is
 * refused. Returns 0, or -1 with a message in err. */
int effcc_image_decode(const void *data, size_t len, long max_pixels, int channels, int size,
                       const float *mean, const float *std, float *out, char *err,
                       size_t errsize);

#endif
