/* test_spec.c — the YAML spec reader: the shipped example, and one test per
 * kind of mistake, each checking the exact FILE:LINE:COL of the error.
 *
 * Error cases start from a small valid spec (BASE below, lines numbered)
 * and replace one line, so every expected position can be read off BASE. */
#include "unit.h"

#include <unistd.h>

#include <stdlib.h>

#define SRC "t.yaml"

static const char *const BASE[] = {
    /* 1 */ "name: tiny",
    /* 2 */ "input: {channels: 3, resolution: 32}",
    /* 3 */ "classes: 10",
    /* 4 */ "activation: swish",
    /* 5 */ "batchnorm: {eps: 1.0e-3}",
    /* 6 */ "stem: {channels: 8, kernel: 3, stride: 2}",
    /* 7 */ "stages:",
    /* 8 */ "  - {expand: 1, kernel: 3, stride: 1, channels: 8, repeats: 1}",
    /* 9 */ "  - {expand: 6, kernel: 5, stride: 2, channels: 16, repeats: 2}",
    /* 10 */ "  - expand: 6",
    /* 11 */ "    kernel: 3",
    /* 12 */ "    stride: 2",
    /* 13 */ "    channels: 24",
    /* 14 */ "    repeats: 2",
    /* 15 */ "se_ratio: 0.25",
    /* 16 */ "head: {channels: 64}",
    /* 17 */ "scaling: {alpha: 1.2, beta: 1.1, gamma: 1.15, divisor: 8}",
    /* 18 */ "presets:",
    /* 19 */ "  small: {width: 1.0, depth: 1.0, resolution: 32}",
    /* 20 */ "  big: {width: 1.5, depth: 2.0, resolution: 64, batchnorm_eps: 1.0e-2}",
};
#define BASE_LINES ((int)(sizeof BASE / sizeof BASE[0]))

/* BASE with lines first..last (1-based) replaced by `text` (NULL: dropped). */
static char *base_with_lines(int first, int last, const char *text)
{
    Buf b = {0};
    for (int i = 1; i <= BASE_LINES; i++) {
        if (i < first || i > last)
            buf_printf(&b, "%s\n", BASE[i - 1]);
        else if (i == first && text)
            buf_printf(&b, "%s\n", text);
    }
    return b.data;
}

static char *base_with(int line, const char *text)
{
    return base_with_lines(line, line, text);
}

/* Parses text and checks it fails with "t.yaml:LINE:COL: error: " and a
 * message containing `what`. */
static void check_error(const char *text, int line, int col, const char *what)
{
    Arena *a = arena_new();
    bool raised = RAISES(spec_parse(a, SRC, text, strlen(text)));
    CU_ASSERT_TRUE(raised);
    if (raised) {
        char want[128];
        snprintf(want, sizeof want, SRC ":%d:%d: error: ", line, col);
        bool at = strncmp(diag_message(), want, strlen(want)) == 0;
        if (!at)
            fprintf(stderr, "\n  message was: %s\n  expected to start: %s\n", diag_message(), want);
        CU_ASSERT_TRUE(at);
        ASSERT_MESSAGE_HAS(what);
    }
    arena_free(a);
}

/* check_error on BASE with lines first..last replaced. */
static void check_lines(int first, int last, const char *text, int eline, int ecol,
                        const char *what)
{
    char *src = base_with_lines(first, last, text);
    check_error(src, eline, ecol, what);
    free(src);
}

static void check_line(int line, const char *text, int eline, int ecol, const char *what)
{
    check_lines(line, line, text, eline, ecol, what);
}

/* The example's path: from CTest's EFFCC_SOURCE_DIR, else next to this file. */
static const char *example_path(void)
{
    static char path[4096];
    const char *root = getenv("EFFCC_SOURCE_DIR");
    if (root) {
        snprintf(path, sizeof path, "%s/examples/efficientnet.yaml", root);
    } else {
        const char *me = __FILE__, *tail = strstr(me, "tests/unit/test_spec.c");
        int n = tail ? (int)(tail - me) : 0;
        snprintf(path, sizeof path, "%.*sexamples/efficientnet.yaml", n, me);
    }
    return path;
}

/* Loads path, or reports why not and returns NULL. */
static Spec *load_or_report(Arena *a, const char *path)
{
    Spec *volatile s = NULL; /* assigned between setjmp and a possible longjmp */
    if (RAISES(s = spec_load(a, path)))
        fprintf(stderr, "\n  %s\n", diag_message());
    CU_ASSERT_PTR_NOT_NULL(s);
    return s;
}

/* Parses text, or reports why not and returns NULL. */
static Spec *parse_or_report(Arena *a, const char *text)
{
    Spec *volatile s = NULL; /* assigned between setjmp and a possible longjmp */
    if (RAISES(s = spec_parse(a, SRC, text, strlen(text))))
        fprintf(stderr, "\n  %s\n", diag_message());
    CU_ASSERT_PTR_NOT_NULL(s);
    return s;
}

/* ---- valid specs ------------------------------------------------------- */

static void check_example_top(const Spec *s)
{
    CU_ASSERT_STRING_EQUAL(s->name, "efficientnet");
    CU_ASSERT_NOT_EQUAL(s->hash, 0);
    CU_ASSERT_EQUAL(s->in_channels, 3);
    CU_ASSERT_EQUAL(s->resolution, 224);
    CU_ASSERT_EQUAL(s->classes, 1000);
    CU_ASSERT_EQUAL(s->activation, ACT_SWISH);
    CU_ASSERT_DOUBLE_EQUAL(s->bn_eps, 1e-5, 1e-12);
    CU_ASSERT_EQUAL(s->stem_channels, 32);
    CU_ASSERT_EQUAL(s->stem_kernel, 3);
    CU_ASSERT_EQUAL(s->stem_stride, 2);
    CU_ASSERT_DOUBLE_EQUAL(s->se_ratio, 0.25, 0);
    CU_ASSERT_EQUAL(s->head_channels, 1280);
    CU_ASSERT_DOUBLE_EQUAL(s->alpha, 1.2, 0);
    CU_ASSERT_DOUBLE_EQUAL(s->beta, 1.1, 0);
    CU_ASSERT_DOUBLE_EQUAL(s->gamma, 1.15, 0);
    CU_ASSERT_EQUAL(s->divisor, 8);
}

/* B0, Table 1 of the paper: kernel, stride, channels, repeats, expand. */
static void check_example_stages(const Spec *s)
{
    static const int b0[7][5] = {{3, 1, 16, 1, 1}, {3, 2, 24, 2, 6},  {5, 2, 40, 2, 6},
                                 {3, 2, 80, 3, 6}, {5, 1, 112, 3, 6}, {5, 2, 192, 4, 6},
                                 {3, 1, 320, 1, 6}};
    CU_ASSERT_EQUAL(s->nstages, 7);
    for (int i = 0; i < 7 && i < s->nstages; i++) {
        CU_ASSERT_EQUAL(s->stages[i].kernel, b0[i][0]);
        CU_ASSERT_EQUAL(s->stages[i].stride, b0[i][1]);
        CU_ASSERT_EQUAL(s->stages[i].channels, b0[i][2]);
        CU_ASSERT_EQUAL(s->stages[i].repeats, b0[i][3]);
        CU_ASSERT_DOUBLE_EQUAL(s->stages[i].expand, b0[i][4], 0);
        CU_ASSERT_EQUAL(s->stages[i].loc.line, s->stages[0].loc.line + i);
        CU_ASSERT_EQUAL(s->stages[i].loc.col, 5);
    }
}

static void check_example_presets(const Spec *s)
{
    CU_ASSERT_EQUAL(s->npresets, 8);
    CU_ASSERT_EQUAL(s->presets_loc.col, 1);
    for (int i = 0; i < 8 && i < s->npresets; i++) {
        char name[] = {'b', (char)('0' + i), '\0'};
        CU_ASSERT_STRING_EQUAL(s->presets[i].name, name);
        CU_ASSERT_EQUAL(s->presets[i].loc.line, s->presets_loc.line + 1 + i);
        CU_ASSERT_EQUAL(s->presets[i].loc.col, 3);
        CU_ASSERT_DOUBLE_EQUAL(s->presets[i].bn_eps, i >= 5 ? 1e-3 : 0, 1e-12);
    }
    if (s->npresets < 8)
        return;
    CU_ASSERT_DOUBLE_EQUAL(s->presets[5].width, 1.6, 0);
    CU_ASSERT_DOUBLE_EQUAL(s->presets[5].depth, 2.2, 0);
    CU_ASSERT_EQUAL(s->presets[5].resolution, 456);
    CU_ASSERT_DOUBLE_EQUAL(s->presets[7].depth, 3.1, 0);
}

static void test_example(void)
{
    Arena *a = arena_new();
    Spec *s = load_or_report(a, example_path());
    if (s) {
        check_example_top(s);
        check_example_stages(s);
        check_example_presets(s);
    }
    arena_free(a);
}

static void check_base(const Spec *s, const char *src)
{
    CU_ASSERT_STRING_EQUAL(s->path, SRC);
    CU_ASSERT_EQUAL(s->hash, hash_fnv1a(src, strlen(src)));
    CU_ASSERT_EQUAL(s->stages[0].loc.line, 8); /* a flow mapping starts at '{' */
    CU_ASSERT_EQUAL(s->stages[0].loc.col, 5);
    CU_ASSERT_EQUAL(s->stages[2].loc.line, 10); /* a block mapping at its first key */
    CU_ASSERT_EQUAL(s->stages[2].loc.col, 5);
    CU_ASSERT_EQUAL(s->stages[2].channels, 24);
    CU_ASSERT_STRING_EQUAL(s->presets[1].name, "big");
    CU_ASSERT_DOUBLE_EQUAL(s->presets[1].bn_eps, 1e-2, 0);
    CU_ASSERT_EQUAL(s->presets[1].loc.line, 20);
    CU_ASSERT_EQUAL(s->presets[1].loc.col, 3);
}

static void test_base_and_block_style(void)
{
    char *src = base_with(0, NULL);
    Arena *a = arena_new();
    Spec *s = parse_or_report(a, src);
    if (s && s->nstages == 3 && s->npresets == 2)
        check_base(s, src);
    arena_free(a);
    free(src);
}

static void check_variants(const Spec *s)
{
    CU_ASSERT_STRING_EQUAL(s->name, "tiny_2");
    CU_ASSERT_EQUAL(s->activation, ACT_RELU6);
    CU_ASSERT_EQUAL(s->npresets, 0);
    CU_ASSERT_EQUAL(s->presets_loc.line, 1);
    CU_ASSERT_EQUAL(s->presets_loc.col, 1);
    CU_ASSERT_DOUBLE_EQUAL(s->stages[0].expand, 1.5, 0);
    CU_ASSERT_EQUAL(s->stages[0].kernel, 7);
    CU_ASSERT_DOUBLE_EQUAL(s->se_ratio, 0, 0);
    CU_ASSERT_EQUAL(s->divisor, 8);
}

static void test_optional_presets_and_variants(void)
{
    /* no presets, relu6, a quoted name, expand 1.5, se_ratio 0 (no
     * squeeze-and-excitation), keys in another order. */
    const char *src = "scaling: {divisor: 8, gamma: 1.15, beta: 1.1, alpha: 1.2}\n"
                      "name: 'tiny_2'\n"
                      "input: {resolution: 32, channels: 3}\n"
                      "classes: 10\n"
                      "activation: relu6\n"
                      "batchnorm: {eps: 1e-5}\n"
                      "stem: {channels: 8, kernel: 1, stride: 1}\n"
                      "stages: [{expand: 1.5, kernel: 7, stride: 1, channels: 8, repeats: 1}]\n"
                      "se_ratio: 0\n"
                      "head: {channels: 64}\n";
    Arena *a = arena_new();
    Spec *s = parse_or_report(a, src);
    if (s && s->nstages == 1)
        check_variants(s);
    arena_free(a);
}

/* An error from a loaded file names it and frees the file's bytes. */
static void test_load_error(void)
{
    char path[] = "/tmp/effcc_test_spec_XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    char *src = base_with(6, "stem: {channels: 8, kernel: 4, stride: 2}");
    FILE *f = fdopen(fd, "w");
    fputs(src, f);
    fclose(f);
    Arena *a = arena_new();
    CU_ASSERT_TRUE(RAISES(spec_load(a, path)));
    char want[128];
    snprintf(want, sizeof want, "%s:6:29: error: stem: kernel must be", path);
    ASSERT_MESSAGE_HAS(want);
    arena_free(a);
    free(src);
    remove(path);
}

static void test_load_missing_file(void)
{
    Arena *a = arena_new();
    CU_ASSERT_TRUE(RAISES(spec_load(a, "/nonexistent/spec.yaml")));
    ASSERT_MESSAGE_HAS("/nonexistent/spec.yaml: error: cannot open");
    arena_free(a);
}

/* ---- values out of range ----------------------------------------------- */

static void test_stage_kernel(void)
{
    check_line(9, "  - {expand: 6, kernel: 4, stride: 2, channels: 16, repeats: 2}", 9, 25,
               "stage 2: kernel must be a positive odd integer, got 4");
    check_line(11, "    kernel: 0", 11, 13,
               "stage 3: kernel must be a positive odd integer, got 0");
    check_line(6, "stem: {channels: 8, kernel: -3, stride: 2}", 6, 29,
               "stem: kernel must be a positive odd integer, got -3");
}

static void test_stride(void)
{
    check_line(12, "    stride: 3", 12, 13, "stage 3: stride must be 1 or 2, got 3");
    check_line(6, "stem: {channels: 8, kernel: 3, stride: 0}", 6, 40,
               "stem: stride must be 1 or 2, got 0");
}

static void test_channels_and_repeats(void)
{
    check_line(8, "  - {expand: 1, kernel: 3, stride: 1, channels: 0, repeats: 1}", 8, 49,
               "stage 1: channels must be a positive integer, got 0");
    check_line(14, "    repeats: -1", 14, 14,
               "stage 3: repeats must be a positive integer, got -1");
    check_line(16, "head: {channels: 0}", 16, 18,
               "head: channels must be a positive integer, got 0");
    check_line(3, "classes: 1000001", 3, 10, "classes is too large: got 1000001, at most 1000000");
}

static void test_int_overflow(void)
{
    check_line(3, "classes: 99999999999999999999", 3, 10,
               "classes is too large: got 99999999999999999999");
    check_line(14, "    repeats: -99999999999999999999", 14, 14,
               "stage 3: repeats must be a positive integer, got -99999999999999999999");
    check_line(17, "scaling: {alpha: 1e999, beta: 1.1, gamma: 1.15, divisor: 8}", 17, 18,
               "scaling: alpha is too large: got 1e999");
}

static void test_eps(void)
{
    check_line(5, "batchnorm: {eps: 0}", 5, 18, "batchnorm: eps must be a positive number, got 0");
    check_line(5, "batchnorm: {eps: -1e-5}", 5, 18,
               "batchnorm: eps must be a positive number, got -1e-5");
    check_line(20, "  big: {width: 1.5, depth: 2.0, resolution: 64, batchnorm_eps: 0.0}", 20, 64,
               "preset 'big': batchnorm_eps must be a positive number, got 0.0");
}

static void test_se_ratio(void)
{
    check_line(15, "se_ratio: 1.5", 15, 11, "se_ratio must be a number from 0 to 1, got 1.5");
    check_line(15, "se_ratio: -0.1", 15, 11, "se_ratio must be a number from 0 to 1, got -0.1");
}

static void test_expand(void)
{
    check_line(10, "  - expand: 0.5", 10, 13, "stage 3: expand must be a number >= 1, got 0.5");
}

static void test_scaling(void)
{
    check_line(17, "scaling: {alpha: 1.2, beta: 0, gamma: 1.15, divisor: 8}", 17, 29,
               "scaling: beta must be a positive number, got 0");
    check_line(17, "scaling: {alpha: 1.2, beta: 1.1, gamma: 1.15, divisor: 0}", 17, 56,
               "scaling: divisor must be a positive integer, got 0");
}

/* ---- wrong types ------------------------------------------------------- */

static void test_string_for_int(void)
{
    check_line(3, "classes: abc", 3, 10, "classes must be a positive integer, got abc");
    check_line(3, "classes: \"10\"", 3, 10,
               "classes must be a positive integer, got the string \"10\"");
    check_line(3, "classes: true", 3, 10, "classes must be a positive integer, got true");
    check_line(3, "classes:", 3, 9, "classes must be a positive integer, got an empty value");
    check_line(3, "classes: 0x10", 3, 10, "classes must be a positive integer, got 0x10");
}

static void test_float_for_int(void)
{
    check_line(13, "    channels: 2.5", 13, 15,
               "stage 3: channels must be a positive integer, got 2.5");
    check_line(2, "input: {channels: 3, resolution: 1e2}", 2, 34,
               "input: resolution must be a positive integer, got 1e2");
}

static void test_string_for_number(void)
{
    check_line(15, "se_ratio: nan", 15, 11, "se_ratio must be a number from 0 to 1, got nan");
    check_line(19, "  small: {width: wide, depth: 1.0, resolution: 32}", 19, 18,
               "preset 'small': width must be a positive number, got wide");
}

static void test_mapping_for_sequence(void)
{
    check_lines(7, 14, "stages: {expand: 1}", 7, 9,
                "stages must be a non-empty sequence of stage mappings, got a mapping");
    check_lines(7, 14, "stages: []", 7, 9,
                "stages must be a non-empty sequence of stage mappings, got an empty sequence");
    check_line(
        9, "  - 5", 9, 5,
        "stage 2 must be a mapping with keys expand, kernel, stride, channels, repeats, got 5");
}

static void test_sequence_for_scalar(void)
{
    check_line(3, "classes: [1000]", 3, 10, "classes must be a positive integer, got a sequence");
    check_line(1, "name: {first: tiny}", 1, 7, "name must be a C identifier");
}

static void test_scalar_for_mapping(void)
{
    check_line(6, "stem: 32", 6, 7,
               "stem must be a mapping with keys channels, kernel, stride, got 32");
    check_lines(18, 20, "presets: [b0]", 18, 10,
                "presets must be a mapping from preset names to preset mappings, got a sequence");
    check_error("- name: tiny\n", 1, 1, "the spec must be a mapping with keys name, input,");
}

/* ---- keys -------------------------------------------------------------- */

static void test_unknown_key_top(void)
{
    check_line(15, "se_ration: 0.25", 15, 1,
               "unknown key 'se_ration' at top level; expected one of: name, input, classes, "
               "activation, batchnorm, stem, stages, se_ratio, head, scaling, padding, presets");
}

static void test_unknown_key_nested(void)
{
    check_line(6, "stem: {channels: 8, kernal: 3, stride: 2}", 6, 21,
               "unknown key 'kernal' in stem; expected one of: channels, kernel, stride");
    check_line(
        11, "    kernal: 3", 11, 5,
        "unknown key 'kernal' in stage 3; expected one of: expand, kernel, stride, channels, "
        "repeats");
}

static void test_unknown_key_preset(void)
{
    check_line(19, "  small: {width: 1.0, depth: 1.0, resolution: 32, eps: 1e-3}", 19, 51,
               "unknown key 'eps' in preset 'small'; expected one of: width, depth, resolution, "
               "batchnorm_eps");
}

static void test_missing_key_stage(void)
{
    check_line(14, NULL, 10, 5, "stage 3: missing key 'repeats'");
    check_line(8, "  - {expand: 1, kernel: 3, stride: 1, channels: 8}", 8, 5,
               "stage 1: missing key 'repeats'");
}

static void test_missing_key_top(void)
{
    check_line(3, NULL, 1, 1, "missing key 'classes'");
    check_line(16, "head: {}", 16, 7, "head: missing key 'channels'");
}

static void test_missing_preset_width(void)
{
    check_line(19, "  small: {depth: 1.0, resolution: 32}", 19, 10,
               "preset 'small': missing key 'width'");
}

static void test_duplicate_key(void)
{
    check_line(15, "classes: 12", 15, 1, "duplicate key 'classes' (first at line 3)");
    check_line(6, "stem: {channels: 8, kernel: 3, stride: 2, kernel: 5}", 6, 43,
               "stem: duplicate key 'kernel' (first at line 6, column 21)");
    check_line(20, "  small: {width: 1.0, depth: 1.0, resolution: 32}", 20, 3,
               "presets: duplicate key 'small' (first at line 19)");
}

static void test_bad_preset_name(void)
{
    check_line(19, "  \"\": {width: 1.0, depth: 1.0, resolution: 32}", 19, 3,
               "preset names must be non-empty printable strings, got the string \"\"");
    check_line(19, "  ~: {width: 1.0, depth: 1.0, resolution: 32}", 19, 3,
               "preset names must be non-empty printable strings, got ~");
}

/* ---- strings ----------------------------------------------------------- */

static void test_bad_name(void)
{
    check_line(1, "name: 2fast", 1, 7,
               "name must be a C identifier (letters, digits and _, "
               "not starting with a digit), got 2fast");
    check_line(1, "name: efficient-net", 1, 7, "name must be a C identifier");
    check_line(1, "name: \"\"", 1, 7, "name must be a C identifier");
    check_line(1, "name: null", 1, 7, "name must be a C identifier");
}

static void test_unknown_activation(void)
{
    check_line(4, "activation: gelu", 4, 13, "activation must be one of: swish, relu6, got gelu");
    check_line(4, "activation: sigmoid", 4, 13, "activation must be one of: swish, relu6");
}

/* ---- EfficientNet-Lite keys ------------------------------------------- */

/* padding, scaling.fix_head_stem, input.mean and input.std: optional, with
 * defaults symmetric, false and absent (the Model fills ImageNet's in). */
static void test_lite_keys(void)
{
    Arena *a = arena_new();
    char *src = base_with(0, NULL);
    Spec *s = parse_or_report(a, src);
    if (s) {
        CU_ASSERT_EQUAL(s->padding, PADDING_SYMMETRIC);
        CU_ASSERT_FALSE(s->fix_head_stem);
        CU_ASSERT_PTR_NULL(s->mean.v);
        CU_ASSERT_PTR_NULL(s->std.v);
    }
    free(src);
    src = base_with(2, "input: {channels: 3, resolution: 32, mean: [127, 0, 255], "
                       "std: [128, 0.5, 1e3]}\n"
                       "padding: tf_same");
    s = parse_or_report(a, src);
    if (s) {
        CU_ASSERT_EQUAL(s->padding, PADDING_TF_SAME);
        CU_ASSERT_EQUAL_FATAL(s->mean.n, 3);
        CU_ASSERT_EQUAL_FATAL(s->std.n, 3);
        CU_ASSERT_DOUBLE_EQUAL(s->mean.v[2], 255, 0);
        CU_ASSERT_DOUBLE_EQUAL(s->std.v[1], 0.5, 0);
        CU_ASSERT_DOUBLE_EQUAL(s->std.v[2], 1000, 0);
        CU_ASSERT_EQUAL(s->mean.loc.line, 2);
        CU_ASSERT_EQUAL(s->mean.loc.col, 44);
    }
    free(src);
    src = base_with(17, "scaling: {alpha: 1.2, beta: 1.1, gamma: 1.15, divisor: 8, "
                        "fix_head_stem: true}");
    s = parse_or_report(a, src);
    if (s)
        CU_ASSERT_TRUE(s->fix_head_stem);
    free(src);
    arena_free(a);
}

static void test_padding_and_flag_errors(void)
{
    check_line(4, "padding: same", 4, 10, "padding must be one of: symmetric, tf_same, got same");
    check_line(4, "padding: 1", 4, 10, "padding must be one of: symmetric, tf_same, got 1");
    check_line(17, "scaling: {alpha: 1.2, beta: 1.1, gamma: 1.15, divisor: 8, fix_head_stem: yes}",
               17, 74, "scaling: fix_head_stem must be true or false, got yes");
    check_line(17, "scaling: {alpha: 1.2, beta: 1.1, gamma: 1.15, divisor: 8, fix_head_stem: 'true'}",
               17, 74, "scaling: fix_head_stem must be true or false, got the string \"true\"");
}

static void test_mean_std_errors(void)
{
    check_line(2, "input: {channels: 3, resolution: 32, mean: [1, 2]}", 2, 44,
               "input: mean has 2 numbers; expected one per input channel (3)");
    check_line(2, "input: {channels: 3, resolution: 32, std: [1, 0, 1]}", 2, 47,
               "input: std[1] must be a positive number, got 0");
    check_line(2, "input: {channels: 3, resolution: 32, mean: [1, 256, 1]}", 2, 48,
               "input: mean[1] must be a number from 0 to 255, got 256");
    check_line(2, "input: {channels: 3, resolution: 32, mean: [1, '2', 1]}", 2, 48,
               "input: mean[1] must be a number from 0 to 255, got the string \"2\"");
    check_line(2, "input: {channels: 3, resolution: 32, mean: 127}", 2, 44,
               "input: mean must be a sequence of numbers (number from 0 to 255 each), one per "
               "input channel, got 127");
    check_line(2, "input: {channels: 3, resolution: 32, std: []}", 2, 43,
               "input: std must be a sequence of numbers");
    check_line(2, "input: {channels: 1, resolution: 32, std: [1, 1, 1]}", 2, 43,
               "input: std has 3 numbers; expected one per input channel (1)");
}

/* Every number is 0 or a normal float: a smaller std or mean became 0.0f
 * in the generated header (and NaN logits), a smaller eps vanished from
 * the folded weights. */
static void test_tiny_numbers(void)
{
    check_line(2, "input: {channels: 3, resolution: 32, std: [1, 1e-300, 1]}", 2, 47,
               "input: std[1] is too small: got 1e-300, below the smallest normal float "
               "(1.17549435e-38)");
    check_line(2, "input: {channels: 3, resolution: 32, std: [1, 1.1e-38, 1]}", 2, 47,
               "input: std[1] is too small: got 1.1e-38");
    check_line(2, "input: {channels: 3, resolution: 32, mean: [0, 1e-39, 1]}", 2, 48,
               "input: mean[1] is too small: got 1e-39");
    check_line(2, "input: {channels: 3, resolution: 32, std: [1, 1e7, 1]}", 2, 47,
               "input: std[1] is too large: got 1e7, at most 1000000");
    check_line(5, "batchnorm: {eps: 1e-300}", 5, 18, "batchnorm: eps is too small: got 1e-300");
    check_line(20, "  big: {width: 1.5, depth: 2.0, resolution: 64, batchnorm_eps: 1e-40}", 20, 64,
               "preset 'big': batchnorm_eps is too small: got 1e-40");
    check_line(19, "  small: {width: 1e-45, depth: 1.0, resolution: 32}", 19, 18,
               "preset 'small': width is too small: got 1e-45");
    check_line(15, "se_ratio: 1e-300", 15, 11, "se_ratio is too small: got 1e-300");
    check_line(10, "  - expand: 1e-300", 10, 13, "stage 3: expand must be a number >= 1, got 1e-300");
    check_line(5, "batchnorm: {eps: -1e-300}", 5, 18,
               "batchnorm: eps must be a positive number, got -1e-300");
}

/* The smallest normal float is a valid std, mean or eps. */
static void test_smallest_float(void)
{
    Arena *a = arena_new();
    char *src = base_with_lines(2, 5, "input: {channels: 1, resolution: 32, mean: [1.2e-38], "
                                      "std: [1.2e-38]}\n"
                                      "classes: 10\nactivation: swish\n"
                                      "batchnorm: {eps: 1.2e-38}");
    Spec *s = parse_or_report(a, src);
    if (s) {
        CU_ASSERT_DOUBLE_EQUAL(s->std.v[0], 1.2e-38, 0);
        CU_ASSERT_DOUBLE_EQUAL(s->mean.v[0], 1.2e-38, 0);
        CU_ASSERT_DOUBLE_EQUAL(s->bn_eps, 1.2e-38, 0);
    }
    free(src);
    arena_free(a);
}

static void test_long_value_is_cut(void)
{
    check_line(1, "name: a-very-long-name-that-goes-on-and-on-and-on-forever", 1, 7,
               "got a-very-long-name-that-goes-on-and-on-and...");
}

/* ---- YAML itself ------------------------------------------------------- */

static void test_anchor(void)
{
    char *src = base_with(2, "input: &in {channels: 3, resolution: 32}");
    Arena *a = arena_new();
    Spec *volatile s = NULL; /* assigned between setjmp and a possible longjmp */
    if (RAISES(s = spec_parse(a, SRC, src, strlen(src))))
        fprintf(stderr, "\n  %s\n", diag_message());
    CU_ASSERT_PTR_NOT_NULL(s);
    arena_free(a);
    free(src);
}

static void test_alias_rejected(void)
{
    check_line(16, "head: *ch", 16, 7, "aliases are not supported");
    const char *laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                         "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n";
    check_error(laughs, 2, 8, "aliases are not supported");
}

/* A tag would make libyaml's loader type a value its own way (!!str 10 is
 * the string "10", !!python/... asks for code to run): refused, named as
 * written and placed at the tag itself, not at an anchor before it. */
static void test_tags_rejected(void)
{
    check_line(11, "    kernel: !!python/object/apply:os.system 1000", 11, 13,
               "YAML tags are not allowed, found '!!python/object/apply:os.system'");
    check_line(3, "classes: !foo 1000", 3, 10, "YAML tags are not allowed, found '!foo'");
    check_line(3, "classes: !!str 10", 3, 10, "found '!!str'");
    check_line(3, "classes: ! 10", 3, 10, "found '!'");
    check_line(3, "classes: !<tag:yaml.org,2002:int> 10", 3, 10,
               "found '!<tag:yaml.org,2002:int>'");
    check_line(3, "classes: &c !!int 10", 3, 13, "found '!!int'");
    check_line(3, "!!str classes: 10", 3, 1, "found '!!str'");
    check_line(6, "stem: !!map {channels: 8, kernel: 3, stride: 2}", 6, 7, "found '!!map'");
    check_line(2, "input: {channels: 3, resolution: 32, mean: !!seq [1, 2, 3]}", 2, 44,
               "found '!!seq'");
    check_lines(10, 10, "  - !!map\n    expand: 6", 10, 5, "found '!!map'");
    check_line(3, "classes: !a%01b 10", 3, 10, "found '!a?b'"); /* %01 is byte 1 */
    check_line(3, "classes: !!aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 10", 3, 10,
               "found '!!aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'");
}

static void test_tag_directive_rejected(void)
{
    char *src = base_with(0, NULL);
    Buf b = {0};
    buf_printf(&b, "%%TAG !e! tag:example.com,2000:\n---\n%s", src);
    check_error(b.data, 1, 1,
                "YAML %TAG directives are not allowed, found '%TAG !e! tag:example.com,2000:'");
    buf_free(&b);
    free(src);
    check_error("%YAML 1.1\n---\nname: 1x\n", 3, 7, "name must be a C identifier");
}

static void test_syntax_error(void)
{
    check_line(3, "classes 10\nfoo", 4, 1, "YAML syntax: could not find expected ':'");
    check_line(
        2, "input: {channels: 3, resolution: 32", 3, 8,
        "YAML syntax: did not find expected ',' or '}' (while parsing a flow mapping at 2:8)");
    check_line(3, "\tclasses: 10", 3, 1, "YAML syntax: ");
    ASSERT_MESSAGE_HAS("; a tab here: YAML indents with spaces only");
}

/* 100,000 nested brackets took libyaml 17 s; the event pass stops at 17. */
static void test_deep_nesting(void)
{
    size_t n = 100000;
    char *deep = malloc(2 * n + 16);
    memcpy(deep, "name: ", 6);
    memset(deep + 6, '[', n);
    memset(deep + 6 + n, ']', n);
    strcpy(deep + 6 + 2 * n, "\n");
    check_error(deep, 1, 22, "sequences and mappings nest too deep (more than 16 levels)");
    /* block style: each line one level deeper */
    Buf b = {0};
    for (int i = 0; i < 40; i++)
        buf_printf(&b, "%*sk:\n", i, "");
    check_error(b.data, 17, 17, "nest too deep");
    buf_free(&b);
    free(deep);
}

/* Over 1 MiB is not a spec; spec_load does not read a device to its end. */
static void test_too_large(void)
{
    size_t n = (1u << 20) + 1;
    char *big = malloc(n + 1);
    memset(big, '#', n);
    big[n] = '\0';
    Arena *a = arena_new();
    CU_ASSERT_TRUE(RAISES(spec_parse(a, SRC, big, n)));
    ASSERT_MESSAGE_HAS(SRC ": error: larger than 1048576 bytes (1 MiB), the most a spec may be");
    CU_ASSERT_TRUE(RAISES(spec_parse(a, SRC, big, n - 1))); /* exactly 1 MiB: read */
    ASSERT_MESSAGE_HAS("empty spec");
    CU_ASSERT_TRUE(RAISES(spec_load(a, "/dev/zero")));
    ASSERT_MESSAGE_HAS("/dev/zero: error: not a regular file (a character device)");
    char path[] = "/tmp/effcc-test-spec-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, big, n), (ssize_t)n);
    close(fd);
    CU_ASSERT_TRUE(RAISES(spec_load(a, path)));
    ASSERT_MESSAGE_HAS("error: too large: 1048577 bytes, at most 1048576 expected");
    unlink(path);
    arena_free(a);
    free(big);
}

static void test_control_bytes(void)
{
    check_error("name: a\x01b\n", 1, 8, "YAML syntax: control characters are not allowed");
    check_error("name: a\x7f\n", 1, 8, "YAML syntax: control characters are not allowed");
}

static void test_empty_document(void)
{
    check_error("", 1, 1, "empty spec: expected a mapping with keys name, input, classes");
    check_error("# only a comment\n\n", 1, 1, "empty spec");
    check_error("---\n", 1, 1, "empty spec");
}

static void test_second_document(void)
{
    char *src = base_with(0, NULL);
    Buf b = {0};
    buf_printf(&b, "%s---\n%s", src, src);
    check_error(b.data, 21, 1, "a spec is a single YAML document");
    buf_free(&b);
    free(src);
}

static void test_invalid_utf8(void)
{
    check_line(1, "name: tiny\xff", 1, 11, "YAML syntax: ");
}

static const UnitTest tests[] = {
    {"example spec", test_example},
    {"base spec, block-style stage", test_base_and_block_style},
    {"optional presets, relu6, other key order", test_optional_presets_and_variants},
    {"spec_load: error in the file", test_load_error},
    {"spec_load: missing file", test_load_missing_file},
    {"stage kernel even, zero, negative", test_stage_kernel},
    {"stride 3 and 0", test_stride},
    {"channels 0, repeats -1, too large", test_channels_and_repeats},
    {"int and number overflow", test_int_overflow},
    {"batchnorm eps 0 or negative", test_eps},
    {"se_ratio out of range", test_se_ratio},
    {"expand below 1", test_expand},
    {"scaling values", test_scaling},
    {"string for int", test_string_for_int},
    {"float for int", test_float_for_int},
    {"string for number", test_string_for_number},
    {"mapping or scalar for sequence", test_mapping_for_sequence},
    {"sequence for scalar", test_sequence_for_scalar},
    {"scalar for mapping", test_scalar_for_mapping},
    {"unknown key at top level", test_unknown_key_top},
    {"unknown key in stem and stage", test_unknown_key_nested},
    {"unknown key in preset", test_unknown_key_preset},
    {"missing key in a stage", test_missing_key_stage},
    {"missing top-level key", test_missing_key_top},
    {"preset missing width", test_missing_preset_width},
    {"duplicate keys", test_duplicate_key},
    {"bad preset names", test_bad_preset_name},
    {"bad name identifier", test_bad_name},
    {"unknown activation", test_unknown_activation},
    {"long values are cut in messages", test_long_value_is_cut},
    {"Lite keys: padding, fix_head_stem, mean, std", test_lite_keys},
    {"padding and fix_head_stem errors", test_padding_and_flag_errors},
    {"mean and std errors", test_mean_std_errors},
    {"numbers below the smallest normal float", test_tiny_numbers},
    {"the smallest normal float", test_smallest_float},
    {"anchors without aliases", test_anchor},
    {"aliases rejected", test_alias_rejected},
    {"tags rejected", test_tags_rejected},
    {"%TAG directives rejected", test_tag_directive_rejected},
    {"YAML syntax errors", test_syntax_error},
    {"empty document", test_empty_document},
    {"second document", test_second_document},
    {"invalid UTF-8", test_invalid_utf8},
    {"deep nesting fails fast", test_deep_nesting},
    {"a spec over 1 MiB", test_too_large},
    {"control bytes", test_control_bytes},
};

int main(void)
{
    return UNIT_MAIN("spec", tests);
}
