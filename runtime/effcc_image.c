/* effcc_image.c — a photo to a model's input: decode, centre crop, resize,
 * normalise, on the bytes of a file in memory. Used by the harness (main.c),
 * which reads the file, and fuzzed by fuzz/fuzz_image.c.
 *
 * Decoding is stb_image (stb_image.h beside this file: v2.30, the newest
 * release, from github.com/nothings/stb, last changed in commit 013ac3b of
 * 2024-05-31, git blob 9eedabed; unchanged; public domain or MIT, its
 * licence at its end; 2.28 fixed out-of-bounds writes on corrupt JPEG
 * Huffman tables, fuzz/regressions/image/), built for PNG and JPEG only.
 * One header and no library to link, so the folder
 * still builds with nothing but a C compiler, for any target. PNG pixels are
 * exactly what libpng gives; JPEG pixels may differ from libjpeg-turbo's by a
 * few levels, since stb_image has its own IDCT and chroma upsampling.
 *
 * Crop and resize reproduce the reference preprocessing exactly: the centre
 * crop of TensorFlow's EfficientNet evaluation, then Pillow's
 * Image.resize(BICUBIC). That resize is a separable convolution whose
 * support widens with the downscaling factor (it antialiases); for each axis
 * the weights are normalised, rounded to 22-bit fixed point, and every pass
 * (horizontal, then vertical) rounds its result to 8 bits. The arithmetic
 * below is the same, so the pixels are the same, not merely close. The
 * weights are computed in double in the same order of operations; clang may
 * not contract them into fused multiply-adds (the pragma), and gcc does not
 * in its ISO C modes, which the Makefile uses (-std=c11). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
/* stb_image is vendored unchanged; its implicit integer conversions are not
 * ours to fix, so the strict conversion warnings stay off for it alone. */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#endif
#include "stb_image.h"
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include "effcc_image.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CROP_PADDING 32 /* TensorFlow's preprocessing.py: crop = size/(size+32) */
#define FIX_BITS 22     /* Pillow's fixed point for 8-bit images: 32 - 8 - 2 bits */

/* Keys' cubic convolution kernel, a = -0.5, support 2 (Pillow's BICUBIC). */
static double cubic(double x)
{
    const double a = -0.5;
    if (x < 0.0)
        x = -x;
    if (x < 1.0)
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0)
        return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}

/* The filter of one axis: output pixel o reads count[o] input pixels from
 * first[o] on, with the fixed-point weights weight[o * taps ...]. */
typedef struct {
    int taps;
    int *first, *count;
    int32_t *weight;
} Axis;

static void axis_free(Axis *ax)
{
    free(ax->first);
    free(ax->count);
    free(ax->weight);
}

static void axis_weights(Axis *ax, int o, int in, double scale, double *k)
{
    double filterscale = scale < 1.0 ? 1.0 : scale;
    double support = 2.0 * filterscale, inv = 1.0 / filterscale;
    double center = (o + 0.5) * scale, sum = 0.0;
    int lo = (int)(center - support + 0.5), hi = (int)(center + support + 0.5);
    if (lo < 0)
        lo = 0;
    if (hi > in)
        hi = in;
    ax->first[o] = lo;
    ax->count[o] = hi - lo;
    for (int i = 0; i < hi - lo; i++) {
        k[i] = cubic((i + lo - center + 0.5) * inv);
        sum += k[i];
    }
    int32_t *w = ax->weight + (size_t)o * (size_t)ax->taps;
    for (int i = 0; i < hi - lo; i++) {
        double x = sum != 0.0 ? k[i] / sum : k[i];
        w[i] = x < 0 ? (int32_t)(-0.5 + x * (1 << FIX_BITS)) : (int32_t)(0.5 + x * (1 << FIX_BITS));
    }
}

static int axis_make(Axis *ax, int in, int out)
{
    double scale = (double)in / out;
    double support = 2.0 * (scale < 1.0 ? 1.0 : scale);
    ax->taps = (int)ceil(support) * 2 + 1;
    ax->first = malloc(sizeof(int) * (size_t)out);
    ax->count = malloc(sizeof(int) * (size_t)out);
    ax->weight = calloc((size_t)out * (size_t)ax->taps, sizeof(int32_t));
    double *k = malloc(sizeof(double) * (size_t)ax->taps);
    if (!ax->first || !ax->count || !ax->weight || !k) {
        free(k);
        axis_free(ax);
        return -1;
    }
    for (int o = 0; o < out; o++)
        axis_weights(ax, o, in, scale, k);
    free(k);
    return 0;
}

/* A weighted sum with the rounding bias, back to 8 bits. */
static unsigned char clip8(int64_t acc)
{
    if (acc < 0)
        return 0;
    acc >>= FIX_BITS;
    return acc > 255 ? 255 : (unsigned char)acc;
}

/* One pass along rows (step = 3 bytes) or columns (step = a row). */
static void resample(const unsigned char *src, size_t src_line, size_t src_step, unsigned char *dst,
                     size_t dst_line, size_t dst_step, int lines, int out, const Axis *ax)
{
    for (int l = 0; l < lines; l++) {
        for (int o = 0; o < out; o++) {
            const int32_t *w = ax->weight + (size_t)o * (size_t)ax->taps;
            const unsigned char *s = src + (size_t)l * src_line + (size_t)ax->first[o] * src_step;
            for (int c = 0; c < 3; c++) {
                int64_t acc = 1 << (FIX_BITS - 1);
                for (int i = 0; i < ax->count[o]; i++)
                    acc += (int64_t)s[(size_t)i * src_step + (size_t)c] * w[i];
                dst[(size_t)l * dst_line + (size_t)o * dst_step + (size_t)c] = clip8(acc);
            }
        }
    }
}

/* The crop (crop x crop RGB pixels, rows `stride` bytes apart) resized to
 * size x size: horizontal pass, then vertical, each only when its size
 * changes (Pillow skips it too, and the bicubic at scale 1 is the identity). */
static unsigned char *resize(const unsigned char *crop, size_t stride, int n, int size)
{
    Axis ax = {0};
    unsigned char *tmp = NULL, *out = malloc((size_t)size * (size_t)size * 3);
    if (!out || n == size) {
        for (int y = 0; out && y < size; y++)
            memcpy(out + (size_t)y * (size_t)size * 3, crop + (size_t)y * stride, (size_t)size * 3);
        return out;
    }
    tmp = malloc((size_t)n * (size_t)size * 3);
    if (!tmp || axis_make(&ax, n, size) != 0) {
        free(tmp);
        free(out);
        return NULL;
    }
    size_t row = (size_t)size * 3;
    resample(crop, stride, 3, tmp, row, 3, n, size, &ax);   /* rows: n -> size wide */
    resample(tmp, 3, row, out, 3, row, size, size, &ax);    /* columns: n -> size tall */
    axis_free(&ax);
    free(tmp);
    return out;
}

/* Whether data is a PNG whose first IDAT chunk is empty. stb_image 2.30
 * then adds 0 to a null pointer (its idata buffer, not yet allocated), which
 * C leaves undefined and the sanitizers stop on; no encoder writes such a
 * file, so it is refused. The chunks are walked as stb_image walks them. */
static int png_empty_first_idat(const unsigned char *p, size_t len)
{
    if (len < 8 || memcmp(p, "\x89PNG\r\n\x1a\n", 8) != 0)
        return 0;
    for (size_t at = 8; len - at >= 8;) {
        uint32_t n = (uint32_t)p[at] << 24 | (uint32_t)p[at + 1] << 16 |
                     (uint32_t)p[at + 2] << 8 | p[at + 3];
        if (memcmp(p + at + 4, "IDAT", 4) == 0)
            return n == 0;
        if (n > len - at - 8 || len - at - 8 - n < 4)
            return 0; /* truncated: stb_image says so */
        at += 12 + (size_t)n;
    }
    return 0;
}

/* The decoded RGB pixels (w x h, 3 bytes each), or NULL with a message in
 * err: too many pixels, or not a PNG or JPEG stb_image can decode. The size
 * is checked on the header alone, before any pixel is allocated. */
static unsigned char *decode_rgb(const void *data, size_t len, long max_pixels, int *w, int *h,
                                 char *err, size_t errsize)
{
    int n;
    if (len > EFFCC_IMAGE_MAX_BYTES) {
        snprintf(err, errsize, "too large: %zu bytes, at most %zu accepted", len,
                 EFFCC_IMAGE_MAX_BYTES);
        return NULL;
    }
    if (png_empty_first_idat(data, len)) {
        snprintf(err, errsize, "cannot decode as PNG or JPEG (empty first IDAT chunk)");
        return NULL;
    }
    if (!stbi_info_from_memory(data, (int)len, w, h, &n)) {
        snprintf(err, errsize, "cannot decode as PNG or JPEG (%s)", stbi_failure_reason());
        return NULL;
    }
    if ((long long)*w * *h > max_pixels) {
        snprintf(err, errsize, "too large: %d x %d pixels, at most %ld accepted", *w, *h,
                 max_pixels);
        return NULL;
    }
    int dw, dh;
    unsigned char *pixels = stbi_load_from_memory(data, (int)len, &dw, &dh, &n, 3);
    if (!pixels) {
        snprintf(err, errsize, "cannot decode as PNG or JPEG (%s)", stbi_failure_reason());
        return NULL;
    }
    if (dw != *w || dh != *h) { /* the header said otherwise: never trust either */
        stbi_image_free(pixels);
        snprintf(err, errsize, "cannot decode as PNG or JPEG (inconsistent size)");
        return NULL;
    }
    return pixels;
}

int effcc_image_decode(const void *data, size_t len, long max_pixels, int channels, int size,
                       const float *mean, const float *std, float *out, char *err,
                       size_t errsize)
{
    if (channels != 3) {
        snprintf(err, errsize, "--image needs a model with 3 input channels, this one has %d",
                 channels);
        return -1;
    }
    if (size < 1) {
        snprintf(err, errsize, "bad output size %d", size);
        return -1;
    }
    int w, h;
    unsigned char *pixels = decode_rgb(data, len, max_pixels, &w, &h, err, errsize);
    if (!pixels)
        return -1;
    int m = w < h ? w : h;
    int crop = (int)((double)size / (size + CROP_PADDING) * m);
    if (crop < 1)
        crop = 1;
    size_t stride = (size_t)w * 3;
    const unsigned char *origin =
        pixels + (size_t)((h - crop + 1) / 2) * stride + (size_t)((w - crop + 1) / 2) * 3;
    unsigned char *rgb = resize(origin, stride, crop, size);
    stbi_image_free(pixels);
    if (!rgb) {
        snprintf(err, errsize, "out of memory");
        return -1;
    }
    size_t plane = (size_t)size * (size_t)size;
    for (size_t p = 0; p < plane; p++)
        for (int c = 0; c < 3; c++)
            out[(size_t)c * plane + p] = ((float)rgb[p * 3 + (size_t)c] - mean[c]) / std[c];
    free(rgb);
    return 0;
}
