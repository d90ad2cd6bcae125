/* calibration.c — --calibration DIR: the inputs int8 ranges are measured on.
 *
 * DIR holds PNG or JPEG photos (.png, .jpg, .jpeg) and raw little-endian
 * float32 inputs (.f32), extensions in any case, mixed as the user likes.
 * A photo goes through the generated harness's own reader
 * (runtime/effcc_image.c, compiled into effcc) with the graph's mean and
 * std rounded to float as the harness's header spells them, so the
 * calibration input is bit for bit what `NAME --image` would compute. A
 * .f32 file is taken as it is, and must hold exactly the input's C×H×W
 * values, all finite (a NaN or an infinity would poison every range).
 *
 * Files are read in strcmp order of their names. Names starting with a dot
 * are skipped (.DS_Store, the ._photo.jpg of macOS, editors' files); any
 * other name is an input or an error naming it, so a stray file is never
 * silently left out of the ranges. The folder is listed and every limit
 * checked before any file is read: at most CALIBRATION_MAX_INPUTS inputs
 * and CALIBRATION_MAX_BYTES of floats in all. */
#include "frontend.h"

#include "effcc_image.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CALIBRATION_MAX_INPUTS 10000
#define CALIBRATION_MAX_BYTES LIMIT_DEFAULT_BYTES /* every input's floats together */

typedef enum { ENTRY_HIDDEN, ENTRY_PHOTO, ENTRY_F32, ENTRY_OTHER } EntryKind;

static EntryKind entry_kind(const char *name)
{
    if (name[0] == '.')
        return ENTRY_HIDDEN; /* ".", ".." and hidden files */
    const char *dot = strrchr(name, '.');
    if (!dot)
        return ENTRY_OTHER;
    if (!strcasecmp(dot, ".png") || !strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg"))
        return ENTRY_PHOTO;
    return strcasecmp(dot, ".f32") ? ENTRY_OTHER : ENTRY_F32;
}

static const char *join(Arena *a, const char *dir, const char *name)
{
    size_t n = strlen(dir);
    return arena_printf(a, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

static int compare_names(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The names of DIR's inputs, sorted; *first_other gets the first (in
 * strcmp order) name that is neither an input nor hidden, or NULL. */
static char **list_folder(Arena *a, const char *dir, int *count, const char **first_other)
{
    DIR *d = opendir(dir);
    if (!d && errno == ENOTDIR)
        error_in(dir, "not a folder: --calibration takes a folder of photos or .f32 inputs");
    if (!d)
        error_in(dir, "cannot open the folder: %s", strerror(errno));
    char **names = NULL;
    int n = 0, cap = 0;
    *first_other = NULL;
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e)
            break;
        EntryKind kind = entry_kind(e->d_name);
        if (kind == ENTRY_OTHER && (!*first_other || strcmp(e->d_name, *first_other) < 0))
            *first_other = arena_strdup(a, e->d_name);
        if (kind != ENTRY_PHOTO && kind != ENTRY_F32)
            continue;
        if (n == CALIBRATION_MAX_INPUTS) {
            closedir(d);
            error_in(dir, "more than %d inputs; calibrate on fewer (a few hundred photos are "
                          "plenty)", CALIBRATION_MAX_INPUTS);
        }
        if (n == cap) { /* the arena keeps the old array: at most twice the space */
            cap = cap ? 2 * cap : 64;
            char **bigger = arena_array(a, (size_t)cap, sizeof *bigger);
            if (n)
                memcpy(bigger, names, (size_t)n * sizeof *names);
            names = bigger;
        }
        names[n++] = arena_strdup(a, e->d_name);
    }
    int err = errno;
    closedir(d);
    if (err)
        error_in(dir, "cannot list the folder: %s", strerror(err));
    if (n)
        qsort(names, (size_t)n, sizeof *names, compare_names);
    *count = n;
    return names;
}

/* Photos need what the harness's --image needs: 3 channels, a square input. */
static void check_photo_input(const char *path, Shape s)
{
    if (s.c != 3)
        error_in(path, "photos need a model with 3 input channels, this one has %d; give its "
                       "inputs as .f32 files", s.c);
    if (s.h != s.w)
        error_in(path, "photos need a square input, this model's is %d x %d; give its inputs "
                       "as .f32 files", s.h, s.w);
}

static void read_photo(const char *path, const Graph *g, float *out)
{
    Shape s = g->nodes[0].shape;
    check_photo_input(path, s);
    /* The harness's header has each as a float literal that round-trips
     * (codegen.c float_literal): the same floats, so the same pixels. */
    float mean[3], std[3];
    for (int c = 0; c < 3; c++) {
        mean[c] = (float)g->source.mean[c];
        std[c] = (float)g->source.std[c];
    }
    Buf b = read_file_max(path, EFFCC_IMAGE_MAX_BYTES);
    char err[512];
    int status = effcc_image_decode(b.data, b.len, EFFCC_IMAGE_MAX_PIXELS, s.c, s.h, mean, std,
                                    out, err, sizeof err);
    buf_free(&b);
    if (status != 0)
        error_in(path, "%s", err);
}

/* Exactly C×H×W little-endian float32 values, every one finite. */
static void read_f32(const char *path, Shape s, float *out)
{
    uint64_t want = shape_bytes(s), size;
    FILE *f = open_regular(path, UINT64_MAX, &size);
    if (size != want) {
        fclose(f);
        error_in(path, "expected %llu bytes (the input [%d, %d, %d] as float32), found %llu",
                 (unsigned long long)want, s.c, s.h, s.w, (unsigned long long)size);
    }
    size_t got = fread(out, 1, (size_t)want, f);
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (got != want)
        error_in(path, "cannot read: %s", err ? strerror(err) : "the file shrank while read");
    size_t n = shape_numel(s);
    if (!host_little_endian())
        swap32(out, n);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(out[i]))
            error_in(path, "value %zu (channel %zu, row %zu, column %zu) is %s; calibration "
                           "inputs must be finite", i, i / ((size_t)s.h * (size_t)s.w),
                     i / (size_t)s.w % (size_t)s.h, i % (size_t)s.w,
                     isnan(out[i]) ? "NaN" : "infinite");
}

float *calibration_load(Arena *a, const char *dir, const Graph *g, int *count)
{
    if (g->nnodes < 1 || g->nodes[0].op != OP_INPUT || !g->source.mean || !g->source.std)
        internal_error("calibration_load: a lowered graph is needed (input node, mean, std)");
    Shape s = g->nodes[0].shape;
    const char *other;
    int n;
    char **names = list_folder(a, dir, &n, &other);
    if (other)
        error_in(join(a, dir, other), "not a calibration input: expected a PNG or JPEG photo "
                 "(.png, .jpg, .jpeg) or raw float32 values (.f32); names starting with a dot "
                 "are skipped");
    if (n == 0)
        error_in(dir, "no calibration inputs: expected PNG or JPEG photos (.png, .jpg, .jpeg) "
                      "or raw float32 inputs (.f32)");
    size_t numel = shape_numel(s);
    uint64_t bytes = size_mul(size_mul((uint64_t)n, numel), sizeof(float));
    if (bytes > CALIBRATION_MAX_BYTES)
        error_in(dir, "%d inputs of [%d, %d, %d] floats need %llu bytes together, above the "
                      "limit of %llu bytes; calibrate on fewer", n, s.c, s.h, s.w,
                 (unsigned long long)bytes, (unsigned long long)CALIBRATION_MAX_BYTES);
    float *inputs = arena_array(a, (size_t)n * numel, sizeof(float));
    for (int i = 0; i < n; i++) {
        const char *path = join(a, dir, names[i]);
        float *out = inputs + (size_t)i * numel;
        if (entry_kind(names[i]) == ENTRY_F32)
            read_f32(path, s, out);
        else
            read_photo(path, g, out);
    }
    *count = n;
    return inputs;
}
