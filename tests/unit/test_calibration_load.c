/* test_calibration_load.c — frontend/calibration.c: the --calibration folder.
 *
 * The oracle is Pillow: calibration_oracle.py (beside this file, run with
 * /usr/bin/python3) writes a folder of PNGs, JPEGs, a .f32 tensor and hidden
 * files, and for each input the tensor TensorFlow's evaluation preprocessing
 * gives in Pillow, for the Lite spec (mean 127, std 128) and the B0 spec
 * (torchvision's ImageNet mean and std). Tolerances, in pixel levels (the
 * difference times the channel's std): 0 for PNGs and the .f32 (the bits
 * are equal), 3 for JPEGs (stb_image and libjpeg-turbo decode a few values
 * differently). Every photo must also be, bit for bit, what the generated
 * harness computes: effcc_image_decode with the mean and std as the
 * harness's header spells them (codegen.c's float literals).
 *
 * The errors: each names the file (or the folder) and says what is wrong;
 * every limit is checked before a file is read. Fixtures live in a mkdtemp
 * folder removed at the end. */
#define _DEFAULT_SOURCE /* mkdtemp, symlink */
#include "unit.h"

#include "effcc_image.h"

#include <fcntl.h>
#include <math.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define RES 45 /* odd, and small: the crop is larger, equal and smaller than it */
#define JPEG_LEVELS 3.0

static char root[64];

static const char *fixture(const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    if (snprintf(p, sizeof paths[0], "%s/%s", root, name) >= (int)sizeof paths[0])
        CU_FAIL_FATAL("fixture path too long");
    return p;
}

/* A fresh empty folder root/name. */
static const char *folder(const char *name)
{
    const char *dir = fixture(name);
    CU_ASSERT_FATAL(mkdir(dir, 0777) == 0);
    return dir;
}

static void write_bytes(const char *dir, const char *name, const void *data, size_t len)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT(fwrite(data, 1, len, f) == len);
    fclose(f);
}

/* n floats, value + i / 1024, little-endian. */
static void write_f32(const char *dir, const char *name, size_t n, float value)
{
    float *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = value + (float)(i % 1024) / 1024;
    if (!host_little_endian())
        swap32(v, n);
    write_bytes(dir, name, v, n * sizeof *v);
    free(v);
}

static Graph *lowered(Arena *a, const char *spec, const char *preset)
{
    ScaleRequest req = {.preset = preset, .resolution = RES};
    return lower_model(a, scale_model(a, unit_spec(a, spec), &req));
}

static Graph *lite(Arena *a)
{
    return lowered(a, "examples/efficientnet-lite.yaml", "lite0");
}

/* A graph of its input node alone, for shapes no spec gives. */
static Graph *input_only(Arena *a, Shape s)
{
    static const double mean[3] = {127, 127, 127}, std[3] = {128, 128, 128};
    Graph *g = graph_new(a);
    graph_add_node(g, (Node){.op = OP_INPUT, .shape = s, .label = "input", .fused_into = -1});
    g->source.mean = mean;
    g->source.std = std;
    return g;
}

/* calibration_load must refuse dir, with a message containing want. */
static void expect_error(const Graph *g, const char *dir, const char *want)
{
    Arena *a = arena_new();
    int count = -1;
    CU_ASSERT(RAISES(calibration_load(a, dir, g, &count)));
    ASSERT_MESSAGE_HAS(want);
    arena_free(a);
}

/* ---- what it returns ------------------------------------------------- */

/* .f32 inputs in byte order of their names (upper case first), values as
 * written; hidden files skipped; a trailing slash changes nothing. */
static void test_f32_order_and_values(void)
{
    Arena *a = arena_new();
    Graph *g = lite(a);
    size_t n = shape_numel(g->nodes[0].shape);
    const char *dir = folder("order");
    write_f32(dir, "b.f32", n, 2.0f);
    write_f32(dir, "a.f32", n, 1.0f);
    write_f32(dir, "C.F32", n, -3.0f);
    write_bytes(dir, ".hidden", "x", 1);
    write_bytes(dir, "._a.f32", "x", 1); /* macOS's AppleDouble companion of a.f32 */
    CU_ASSERT(symlink("a.f32", fixture("order/d.f32")) == 0);
    char slash[600];
    snprintf(slash, sizeof slash, "%s/", dir);
    int count = 0;
    float *x = calibration_load(a, slash, g, &count);
    CU_ASSERT_EQUAL_FATAL(count, 4);
    const float first[] = {-3.0f, 1.0f, 2.0f, 1.0f}; /* C.F32, a.f32, b.f32, d.f32 -> a.f32 */
    for (int k = 0; k < 4; k++)
        for (size_t i = 0; i < n; i++)
            if (x[(size_t)k * n + i] != first[k] + (float)(i % 1024) / 1024) {
                CU_FAIL("an input's values differ from its file's");
                break;
            }
    arena_free(a);
}

/* The mean and std as the harness has them: codegen.c writes each as
 * "%.9g" of the float, which the C compiler reads back. */
static float harness_float(double x)
{
    char text[64];
    snprintf(text, sizeof text, "%.9g", (double)(float)x);
    return strtof(text, NULL);
}

static bool is_jpeg(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (!strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg"));
}

/* Input i (the file photos/name) against what the harness decodes from
 * the same file: the same bits. */
static void check_harness(const Graph *g, const char *photos, const char *name, const float *x)
{
    Shape s = g->nodes[0].shape;
    float mean[3], std[3], *want = malloc(shape_bytes(s));
    for (int c = 0; c < 3; c++) {
        mean[c] = harness_float(g->source.mean[c]);
        std[c] = harness_float(g->source.std[c]);
    }
    char path[600], err[512];
    snprintf(path, sizeof path, "%s/%s", photos, name);
    Buf b = read_file(path);
    CU_ASSERT_EQUAL(effcc_image_decode(b.data, b.len, EFFCC_IMAGE_MAX_PIXELS, 3, s.h, mean, std,
                                       want, err, sizeof err), 0);
    if (memcmp(want, x, shape_bytes(s)) != 0) {
        fprintf(stderr, "\n  %s: not the harness's input\n", name);
        CU_FAIL("a photo differs from the harness's input");
    }
    buf_free(&b);
    free(want);
}

/* Input i against Pillow's tensor refs/norm/name.f32: equal bits for a PNG
 * or the .f32, within JPEG_LEVELS pixel levels for a JPEG. */
static void check_oracle(const Graph *g, const char *refs, const char *norm, const char *name,
                         const float *x)
{
    Shape s = g->nodes[0].shape;
    size_t plane = (size_t)s.h * (size_t)s.w;
    char path[600];
    snprintf(path, sizeof path, "%s/%s/%s.f32", refs, norm, name);
    Buf ref = read_file(path);
    CU_ASSERT_EQUAL_FATAL(ref.len, shape_bytes(s));
    float *want = (float *)ref.data;
    if (!host_little_endian())
        swap32(want, shape_numel(s));
    double worst = 0;
    for (size_t i = 0; i < shape_numel(s); i++) {
        double levels = fabs((double)x[i] - want[i]) * g->source.std[i / plane];
        worst = levels > worst ? levels : worst;
    }
    bool ok = is_jpeg(name) ? worst <= JPEG_LEVELS : memcmp(want, x, ref.len) == 0;
    if (!ok) {
        fprintf(stderr, "\n  %s (%s): differs from Pillow's by %g pixel levels\n", name, norm,
                worst);
        CU_FAIL("an input differs from Pillow's preprocessing");
    }
    buf_free(&ref);
}

static void check_folder(const Graph *g, const char *photos, const char *refs, const char *norm)
{
    Arena *a = arena_new();
    int count = 0;
    float *x = calibration_load(a, photos, g, &count);
    char path[600];
    snprintf(path, sizeof path, "%s/order.txt", refs);
    Buf order = read_file(path);
    size_t n = shape_numel(g->nodes[0].shape);
    int i = 0;
    for (char *name = strtok(order.data, "\n"); name; name = strtok(NULL, "\n"), i++) {
        CU_ASSERT_FATAL(i < count);
        check_oracle(g, refs, norm, name, x + (size_t)i * n);
        if (!strstr(name, ".f32"))
            check_harness(g, photos, name, x + (size_t)i * n);
    }
    CU_ASSERT_EQUAL(i, count);
    buf_free(&order);
    arena_free(a);
}

static void test_photos_against_pillow(void)
{
    const char *src = getenv("EFFCC_SOURCE_DIR");
    const char *photos = folder("photos"), *refs = folder("refs");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/tests/unit/calibration_oracle.py' '%s' '%s' %d",
             src ? src : ".", photos, refs, RES);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    Arena *a = arena_new();
    check_folder(lite(a), photos, refs, "lite");
    check_folder(lowered(a, "examples/efficientnet.yaml", "b0"), photos, refs, "imagenet");
    arena_free(a);
}

/* A model whose input is not square or not RGB takes .f32 inputs only. */
static void test_shapes_photos_cannot_fill(void)
{
    Arena *a = arena_new();
    const char *dir = folder("shapes");
    Graph *wide = input_only(a, (Shape){3, 8, 10}), *grey = input_only(a, (Shape){1, 8, 8});
    write_f32(dir, "x.f32", 3 * 8 * 10, 0.5f);
    int count = 0;
    calibration_load(a, dir, wide, &count);
    CU_ASSERT_EQUAL(count, 1);
    write_bytes(dir, "y.png", "not read", 8);
    expect_error(wide, dir, "/y.png: error: photos need a square input, this model's is 8 x 10");
    expect_error(grey, dir, "/x.f32: error: expected 256 bytes (the input [1, 8, 8] as float32)");
    arena_free(a);
}

/* ---- what it refuses --------------------------------------------------- */

static void test_not_a_folder(void)
{
    Arena *a = arena_new();
    Graph *g = lite(a);
    const char *dir = folder("file");
    write_bytes(dir, "photo.png", "x", 1);
    expect_error(g, fixture("file/photo.png"), "/file/photo.png: error: not a folder");
    expect_error(g, fixture("nosuch"), "/nosuch: error: cannot open the folder: No such file");
    arena_free(a);
}

static void test_no_inputs(void)
{
    Arena *a = arena_new();
    Graph *g = lite(a);
    const char *dir = folder("empty");
    expect_error(g, dir, "/empty: error: no calibration inputs");
    write_bytes(dir, ".DS_Store", "x", 1);
    expect_error(g, dir, "/empty: error: no calibration inputs");
    arena_free(a);
}

/* A stray file is named, the first in byte order, before anything is read. */
static void test_unknown_file(void)
{
    Arena *a = arena_new();
    Graph *g = lite(a);
    const char *dir = folder("stray");
    write_f32(dir, "a.f32", shape_numel(g->nodes[0].shape), 0);
    write_bytes(dir, "notes.txt", "x", 1);
    write_bytes(dir, "README", "x", 1);
    write_bytes(dir, "z.f32", "too short, but never read", 25);
    expect_error(g, dir, "/stray/README: error: not a calibration input: expected a PNG or JPEG "
                         "photo (.png, .jpg, .jpeg) or raw float32 values (.f32)");
    arena_free(a);
}

/* Files that are not files: refused by open_regular, never waited on. */
static void test_not_regular(void)
{
    Arena *a = arena_new();
    Graph *g = lite(a);
    const char *dir = folder("fifo");
    CU_ASSERT_FATAL(mkfifo(fixture("fifo/a.png"), 0600) == 0);
    expect_error(g, dir, "/fifo/a.png: error: not a regular file (a pipe)");
    dir = folder("sub");
    CU_ASSERT_FATAL(mkdir(fixture("sub/b.jpg"), 0777) == 0);
    expect_error(g, dir, "/sub/b.jpg: error: not a regular file (a folder)");
    dir = folder("dangling");
    CU_ASSERT_FATAL(symlink("nosuch.png", fixture("dangling/c.png")) == 0);
    expect_error(g, dir, "/dangling/c.png: error: cannot open: No such file or directory");
    arena_free(a);
}

/* Photos that do not decode: stb_image's reason, the file named. */
static void test_bad_photos(void)
{
    Arena *a = arena_new();
    Graph *g = lite(a);
    const char *dir = folder("text");
    write_bytes(dir, "text.png", "this is not a photo\n", 20);
    expect_error(g, dir, "/text/text.png: error: cannot decode as PNG or JPEG (");
    /* a real PNG (a fuzz seed: its first byte is the fuzzer's, not the file's) cut short */
    const char *src = getenv("EFFCC_SOURCE_DIR");
    char seed[600];
    snprintf(seed, sizeof seed, "%s/fuzz/corpus/image/png_rgb16_6x5", src ? src : ".");
    Buf png = read_file(seed);
    CU_ASSERT_FATAL(png.len > 40);
    dir = folder("truncated");
    write_bytes(dir, "cut.png", png.data + 1, png.len / 2);
    expect_error(g, dir, "/truncated/cut.png: error: cannot decode as PNG or JPEG (");
    dir = folder("whole"); /* the same file whole decodes: the cut is what fails */
    write_bytes(dir, "whole.png", png.data + 1, png.len - 1);
    int count = 0;
    calibration_load(a, dir, g, &count);
    CU_ASSERT_EQUAL(count, 1);
    buf_free(&png);
    dir = folder("empty-png");
    write_bytes(dir, "empty.jpg", "", 0);
    expect_error(g, dir, "/empty-png/empty.jpg: error: cannot decode as PNG or JPEG (");
    arena_free(a);
}

static void test_bad_f32(void)
{
    Arena *a = arena_new();
    Graph *g = lite(a);
    size_t n = shape_numel(g->nodes[0].shape);
    const char *dir = folder("size");
    write_f32(dir, "short.f32", n - 1, 0);
    expect_error(g, dir, "/size/short.f32: error: expected 24300 bytes (the input [3, 45, 45] as "
                         "float32), found 24296");
    dir = folder("nan");
    float *v = calloc(n, sizeof *v);
    v[2 * 45 * 45 + 45 + 7] = NAN;
    write_bytes(dir, "nan.f32", v, n * sizeof *v);
    expect_error(g, dir, "/nan/nan.f32: error: value 4102 (channel 2, row 1, column 7) is NaN");
    v[2 * 45 * 45 + 45 + 7] = 0;
    v[0] = -INFINITY;
    write_bytes(dir, "nan.f32", v, n * sizeof *v);
    expect_error(g, dir, "/nan/nan.f32: error: value 0 (channel 0, row 0, column 0) is infinite");
    free(v);
    arena_free(a);
}

/* The limits hold before a file is read: these files are empty. */
static void test_limits(void)
{
    Arena *a = arena_new();
    const char *dir = folder("many");
    char name[32];
    for (int i = 0; i <= 10000; i++) {
        snprintf(name, sizeof name, "%05d.png", i);
        write_bytes(dir, name, "", 0);
    }
    expect_error(lite(a), dir, "/many: error: more than 10000 inputs");
    dir = folder("big");
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "%d.f32", i);
        write_bytes(dir, name, "", 0);
    }
    expect_error(input_only(a, (Shape){3, 8192, 8192}), dir,
                 "/big: error: 6 inputs of [3, 8192, 8192] floats need 4831838208 bytes "
                 "together, above the limit of 4294967296 bytes");
    arena_free(a);
}

int main(void)
{
    snprintf(root, sizeof root, "%s", "/tmp/effcc-calibration-XXXXXX");
    if (!mkdtemp(root))
        return 2;
    static const UnitTest tests[] = {
        {"f32 inputs in byte order of their names", test_f32_order_and_values},
        {"photos as Pillow and the harness compute them", test_photos_against_pillow},
        {"inputs photos cannot fill", test_shapes_photos_cannot_fill},
        {"not a folder", test_not_a_folder},
        {"no inputs", test_no_inputs},
        {"a file that is no input", test_unknown_file},
        {"files that are not regular files", test_not_regular},
        {"photos that do not decode", test_bad_photos},
        {"bad .f32 files", test_bad_f32},
        {"limits", test_limits},
    };
    int status = UNIT_MAIN("calibration_load", tests);
    remove_folder(root);
    return status;
}
