/* test_scale.c — compound scaling against torchvision's numbers.
 *
 * The table below was read from torchvision 0.14's efficientnet_b0..b7
 * modules (stem out_channels, len() and out_channels of each stage,
 * head out_channels); it is torchvision's output, not ours. Parameter counts
 * are torchvision's sum(p.numel() for p in model.parameters()). The Lite
 * table was read the same way from efficientnet-lite-pytorch 0.1.0's
 * EfficientNet.from_name('efficientnet-liteN') (examples/efficientnet-lite.yaml,
 * whose scaling keeps the stem, the head and the end stages' repeats). */
#include "unit.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
    int stem;
    int stages[7][2]; /* repeats, channels */
    int head;
} Expected;

static const Expected torchvision_b[8] = {
    {32, {{1, 16}, {2, 24}, {2, 40}, {3, 80}, {3, 112}, {4, 192}, {1, 320}}, 1280}, /* b0 */
    {32, {{2, 16}, {3, 24}, {3, 40}, {4, 80}, {4, 112}, {5, 192}, {2, 320}}, 1280}, /* b1 */
    {32, {{2, 16}, {3, 24}, {3, 48}, {4, 88}, {4, 120}, {5, 208}, {2, 352}}, 1408}, /* b2 */
    {40, {{2, 24}, {3, 32}, {3, 48}, {5, 96}, {5, 136}, {6, 232}, {2, 384}}, 1536}, /* b3 */
    {48, {{2, 24}, {4, 32}, {4, 56}, {6, 112}, {6, 160}, {8, 272}, {2, 448}}, 1792}, /* b4 */
    {48, {{3, 24}, {5, 40}, {5, 64}, {7, 128}, {7, 176}, {9, 304}, {3, 512}}, 2048}, /* b5 */
    {56, {{3, 32}, {6, 40}, {6, 72}, {8, 144}, {8, 200}, {11, 344}, {3, 576}}, 2304}, /* b6 */
    {64, {{4, 32}, {7, 48}, {7, 80}, {10, 160}, {10, 224}, {13, 384}, {4, 640}}, 2560}, /* b7 */
};

static const unsigned long long torchvision_params[8] = {
    5288548, 7794184, 9109994, 12233232, 19341616, 30389784, 43040704, 66347960,
};

static const int resolutions[8] = {224, 240, 260, 300, 380, 456, 528, 600};

static const Expected package_lite[5] = {
    {32, {{1, 16}, {2, 24}, {2, 40}, {3, 80}, {3, 112}, {4, 192}, {1, 320}}, 1280}, /* lite0 */
    {32, {{1, 16}, {3, 24}, {3, 40}, {4, 80}, {4, 112}, {5, 192}, {1, 320}}, 1280}, /* lite1 */
    {32, {{1, 16}, {3, 24}, {3, 48}, {4, 88}, {4, 120}, {5, 208}, {1, 352}}, 1280}, /* lite2 */
    {32, {{1, 24}, {3, 32}, {3, 48}, {5, 96}, {5, 136}, {6, 232}, {1, 384}}, 1280}, /* lite3 */
    {32, {{1, 24}, {4, 32}, {4, 56}, {6, 112}, {6, 160}, {8, 272}, {1, 448}}, 1280}, /* lite4 */
};

static const unsigned long long package_lite_params[5] = {
    4652008, 5416680, 6092072, 8197096, 13006568,
};

static const int lite_resolutions[5] = {224, 240, 260, 280, 300};

static Arena *arena;
static Spec *spec;

static Model *scale(const char *preset, bool has_phi, double phi)
{
    ScaleRequest r = {.preset = preset, .has_phi = has_phi, .phi = phi};
    return scale_model(arena, spec, &r);
}

static void test_presets_match_torchvision(void)
{
    for (int b = 0; b < 8; b++) {
        char name[8];
        snprintf(name, sizeof name, "b%d", b);
        Model *m = scale(name, false, 0);
        const Expected *e = &torchvision_b[b];
        CU_ASSERT_EQUAL(m->stem_channels, e->stem);
        CU_ASSERT_EQUAL(m->head_channels, e->head);
        CU_ASSERT_EQUAL(m->resolution, resolutions[b]);
        CU_ASSERT_EQUAL_FATAL(m->nstages, 7);
        for (int s = 0; s < 7; s++) {
            CU_ASSERT_EQUAL(m->stages[s].repeats, e->stages[s][0]);
            CU_ASSERT_EQUAL(m->stages[s].out_channels, e->stages[s][1]);
        }
        CU_ASSERT_DOUBLE_EQUAL(m->bn_eps, b >= 5 ? 1e-3 : 1e-5, 1e-12);
    }
}

static void test_lite_presets_match_package(void)
{
    Spec *lite = unit_spec(arena, "examples/efficientnet-lite.yaml");
    CU_ASSERT_TRUE(lite->fix_head_stem);
    for (int l = 0; l < 5; l++) {
        char name[8];
        snprintf(name, sizeof name, "lite%d", l);
        ScaleRequest r = {.preset = name};
        Model *m = scale_model(arena, lite, &r);
        const Expected *e = &package_lite[l];
        CU_ASSERT_EQUAL(m->stem_channels, e->stem);
        CU_ASSERT_EQUAL(m->head_channels, e->head);
        CU_ASSERT_EQUAL(m->resolution, lite_resolutions[l]);
        CU_ASSERT_EQUAL(m->activation, ACT_RELU6);
        CU_ASSERT_EQUAL(m->padding, PADDING_TF_SAME);
        CU_ASSERT_DOUBLE_EQUAL(m->bn_eps, 1e-3, 0);
        CU_ASSERT_EQUAL_FATAL(m->nstages, 7);
        for (int s = 0; s < 7; s++) {
            CU_ASSERT_EQUAL(m->stages[s].repeats, e->stages[s][0]);
            CU_ASSERT_EQUAL(m->stages[s].out_channels, e->stages[s][1]);
        }
        CU_ASSERT_EQUAL(graph_stats(lower_model(arena, m)).parameters, package_lite_params[l]);
    }
}

/* fix_head_stem under phi: only the stem, head and end repeats stay. */
static void test_fix_head_stem_under_phi(void)
{
    Spec *lite = unit_spec(arena, "examples/efficientnet-lite.yaml");
    ScaleRequest r = {.has_phi = true, .phi = 3};
    Model *m = scale_model(arena, lite, &r);
    CU_ASSERT_EQUAL(m->stem_channels, 32);
    CU_ASSERT_EQUAL(m->head_channels, 1280);
    CU_ASSERT_EQUAL(m->stages[0].repeats, 1);
    CU_ASSERT_EQUAL(m->stages[6].repeats, 1);
    CU_ASSERT_EQUAL(m->stages[1].repeats, round_repeats(2, pow(1.2, 3)));
    CU_ASSERT_EQUAL(m->stages[0].out_channels, round_channels(16, pow(1.1, 3), 8));
    CU_ASSERT_EQUAL(m->stages[1].in_channels, m->stages[0].out_channels);
    Model *b = scale(NULL, true, 3); /* the B spec scales them all */
    CU_ASSERT_EQUAL(b->stem_channels, round_channels(32, pow(1.1, 3), 8));
    CU_ASSERT(b->stages[0].repeats > 1);
}

/* Normalisation: the Lite spec's, and torchvision's ImageNet default. */
static void test_input_normalisation(void)
{
    Spec *lite = unit_spec(arena, "examples/efficientnet-lite.yaml");
    ScaleRequest r = {.preset = "lite1"};
    Model *m = scale_model(arena, lite, &r);
    for (int c = 0; c < 3; c++) {
        CU_ASSERT_DOUBLE_EQUAL(m->mean[c], 127, 0);
        CU_ASSERT_DOUBLE_EQUAL(m->std[c], 128, 0);
    }
    m = scale("b0", false, 0);
    CU_ASSERT_DOUBLE_EQUAL(m->mean[0], 123.675, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(m->std[2], 57.375, 1e-9);
}

static void test_parameter_counts_match_torchvision(void)
{
    for (int b = 0; b < 8; b++) {
        char name[8];
        snprintf(name, sizeof name, "b%d", b);
        Graph *g = lower_model(arena, scale(name, false, 0));
        CU_ASSERT_EQUAL(graph_stats(g).parameters, torchvision_params[b]);
    }
}

/* torchvision's _make_divisible, worked by hand for a few values. */
static void test_round_channels_rule(void)
{
    CU_ASSERT_EQUAL(round_channels(32, 1.0, 8), 32);
    CU_ASSERT_EQUAL(round_channels(32, 1.1, 8), 32);  /* 35.2 → int(39.2)//8*8 = 32 */
    CU_ASSERT_EQUAL(round_channels(112, 1.1, 8), 120); /* 123.2 → 120 */
    CU_ASSERT_EQUAL(round_channels(16, 0.5, 8), 8);   /* at least the divisor */
    CU_ASSERT_EQUAL(round_channels(10, 0.1, 8), 8);
    CU_ASSERT_EQUAL(round_channels(76, 1.0, 16), 80); /* 76 → 80 (nearest) */
    CU_ASSERT_EQUAL(round_channels(71, 1.0, 16), 64); /* 64 ≥ 0.9·71: stays */
    CU_ASSERT_EQUAL(round_channels(75, 1.0, 32), 96); /* 64 < 0.9·75: one step up */
    CU_ASSERT_EQUAL(round_repeats(2, 1.1), 3);
    CU_ASSERT_EQUAL(round_repeats(1, 1.0), 1);
    CU_ASSERT_EQUAL(round_repeats(4, 0.5), 2);
    CU_ASSERT_EQUAL(squeeze_channels(16, 0.25), 4);
    CU_ASSERT_EQUAL(squeeze_channels(3, 0.25), 1);
}

static void test_phi_scaling(void)
{
    Model *m = scale(NULL, true, 0);
    CU_ASSERT_EQUAL(m->resolution, 224);
    CU_ASSERT_DOUBLE_EQUAL(m->width, 1.0, 1e-15);
    m = scale(NULL, true, -1);
    CU_ASSERT_EQUAL(m->resolution, 195); /* round(224 / 1.15) = round(194.78) */
    CU_ASSERT_DOUBLE_EQUAL(m->width, 1 / 1.1, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(m->depth, 1 / 1.2, 1e-12);
    CU_ASSERT_EQUAL(m->stages[0].repeats, 1); /* ceil(1 / 1.2) */
    CU_ASSERT_EQUAL(m->stages[5].repeats, 4); /* ceil(4 / 1.2) = ceil(3.33) */
    m = scale(NULL, true, 2.5);
    CU_ASSERT_EQUAL(m->resolution, (int)round(224 * pow(1.15, 2.5)));
}

static void test_overrides(void)
{
    ScaleRequest r = {.preset = "b3", .resolution = 123, .classes = 10, .width = 1.0};
    Model *m = scale_model(arena, spec, &r);
    CU_ASSERT_EQUAL(m->resolution, 123);
    CU_ASSERT_EQUAL(m->classes, 10);
    CU_ASSERT_EQUAL(m->stem_channels, 32);     /* width overridden back to 1 */
    CU_ASSERT_EQUAL(m->stages[0].repeats, 2); /* depth still b3's 1.4 */
}

static void test_bad_requests(void)
{
    CU_ASSERT_TRUE(RAISES(scale("b9", false, 0)));
    ASSERT_MESSAGE_HAS("unknown preset 'b9'; expected one of: b0, b1");
    ASSERT_MESSAGE_HAS("efficientnet.yaml:");
    CU_ASSERT_TRUE(RAISES(scale(NULL, true, 40)));
    ASSERT_MESSAGE_HAS("above the limit");
    CU_ASSERT_TRUE(RAISES(scale(NULL, true, NAN)));
    ScaleRequest r = {.width = 5000};
    CU_ASSERT_TRUE(RAISES(scale_model(arena, spec, &r)));
    ASSERT_MESSAGE_HAS("--width gives width multiplier 5000, out of range");
}

/* Absurd requests fail in scale_model, before a graph or weight exists. */
static void test_absurd_requests(void)
{
    /* φ = 40 with the resolution held: the depth multiplier is 1.2^40 */
    ScaleRequest r = {.has_phi = true, .phi = 40, .resolution = 224};
    CU_ASSERT_TRUE(RAISES(scale_model(arena, spec, &r)));
    ASSERT_MESSAGE_HAS("phi 40 gives depth multiplier 1469.77, out of range");
    r.phi = 30; /* depth 237: under the multiplier limit, but 3802 blocks */
    CU_ASSERT_TRUE(RAISES(scale_model(arena, spec, &r)));
    ASSERT_MESSAGE_HAS("phi 30 gives depth multiplier 237.376: 3802 blocks in all, above the limit of 2000");
    r = (ScaleRequest){.depth = 200};
    CU_ASSERT_TRUE(RAISES(scale_model(arena, spec, &r)));
    ASSERT_MESSAGE_HAS("--depth gives depth multiplier 200: 3200 blocks");
    /* width: 320 × 6 × 60 expanded channels */
    r = (ScaleRequest){.width = 60};
    CU_ASSERT_TRUE(RAISES(scale_model(arena, spec, &r)));
    ASSERT_MESSAGE_HAS("× expand 6 is absurd: more than 100000 channels");
    /* a divisor above the channel limit rounds every count up to itself */
    Spec big = *spec;
    big.divisor = 200000;
    r = (ScaleRequest){0};
    CU_ASSERT_TRUE(RAISES(scale_model(arena, &big, &r)));
    ASSERT_MESSAGE_HAS("efficientnet.yaml:19:56: error: scaling: divisor 200000 is above the limit");
    CU_ASSERT_EQUAL(round_channels(32, 1, 200000), -1);
}

/* The spec examples/NAME with its first `from` replaced by `to`, read as
 * "e.yaml"; NULL (and a failed assertion) if it does not parse. */
static Spec *spec_with(const char *name, const char *from, const char *to)
{
    const char *root = getenv("EFFCC_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/%s", root ? root : ".", name);
    Buf text = read_file(path);
    const char *at = strstr(text.data, from);
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    Buf b = {0};
    buf_printf(&b, "%.*s%s%s", (int)(at - text.data), text.data, to, at + strlen(from));
    Spec *volatile s = NULL; /* assigned between setjmp and a possible longjmp */
    if (RAISES(s = spec_parse(arena, "e.yaml", b.data, b.len)))
        fprintf(stderr, "\n  %s\n", diag_message());
    CU_ASSERT_PTR_NOT_NULL(s);
    buf_free(&b);
    buf_free(&text);
    return s;
}

/* scale_model on spec_with(name, from, to) fails at e.yaml:LINE:COL with
 * a message containing what. */
static void check_at(const char *name, const char *from, const char *to, ScaleRequest r,
                     int line, int col, const char *what)
{
    Spec *s = spec_with(name, from, to);
    if (!s)
        return;
    CU_ASSERT_TRUE_FATAL(RAISES(scale_model(arena, s, &r)));
    char want[64];
    snprintf(want, sizeof want, "e.yaml:%d:%d: error: ", line, col);
    ASSERT_MESSAGE_HAS(want);
    ASSERT_MESSAGE_HAS(what);
}

#define B "efficientnet.yaml"
#define LITE "efficientnet-lite.yaml"
#define B0 "b0: {width: 1.0, depth: 1.0, resolution: 224}"

/* An error a spec's value causes points at that value. */
static void test_errors_at_spec_values(void)
{
    ScaleRequest none = {0}, b0 = {.preset = "b0"};
    check_at(B, "divisor: 8", "divisor: 1000000", none, 19, 56,
             "scaling: divisor 1000000 is above the limit of 100000 channels (every channel "
             "count is a multiple of it)");
    check_at(B, "stem: {channels: 32", "stem: {channels: 200000", none, 8, 18,
             "stem: 200000 channels × width 1 (divisor 8) is absurd: more than 100000 channels");
    check_at(B, "head: {channels: 1280", "head: {channels: 200000", none, 18, 18,
             "head: 200000 channels × width 1 (divisor 8) is absurd");
    check_at(B, "resolution: 224", "resolution: 30000", none, 4, 34,
             "input: resolution 30000 is above the limit of 20000");
    check_at(B, B0, "b0: {width: 1.0, depth: 1.0, resolution: 30000}", b0, 21, 44,
             "preset 'b0' gives resolution 30000, above the limit of 20000");
    check_at(B, B0, "b0: {width: 5000, depth: 1.0, resolution: 224}", b0, 21, 15,
             "preset 'b0' gives width multiplier 5000, out of range");
    check_at(B, B0, "b0: {width: 1.0, depth: 500, resolution: 224}", b0, 21, 27,
             "preset 'b0' gives depth multiplier 500: 8000 blocks in all, above the limit");
    check_at(B, "repeats: 1}", "repeats: 5000}", none, 10, 3,
             "the stages have 5015 blocks in all, above the limit of 2000");
}

/* fix_head_stem keeps the stem's and head's counts: still under the limit. */
static void test_fixed_head_stem_limit(void)
{
    ScaleRequest none = {0};
    check_at(LITE, "stem: {channels: 32", "stem: {channels: 200000", none, 13, 18,
             "stem: 200000 channels is absurd: more than 100000");
    check_at(LITE, "head: {channels: 1280", "head: {channels: 200000", none, 23, 18,
             "head: 200000 channels is absurd: more than 100000");
}

/* An option that replaces a preset's value takes its errors too. */
static void test_errors_from_options(void)
{
    Spec *s = spec_with(B, B0, "b0: {width: 5000, depth: 1.0, resolution: 30000}");
    if (!s)
        return;
    ScaleRequest r = {.preset = "b0", .width = 1, .resolution = 224};
    CU_ASSERT_FALSE(RAISES(scale_model(arena, s, &r)));
    r = (ScaleRequest){.preset = "b0", .resolution = 30000, .width = 1};
    CU_ASSERT_TRUE(RAISES(scale_model(arena, s, &r)));
    ASSERT_MESSAGE_HAS("error: --resolution gives resolution 30000, above the limit of 20000");
    CU_ASSERT_PTR_NULL(strstr(diag_message(), "e.yaml"));
}

int main(void)
{
    arena = arena_new();
    spec = unit_example_spec(arena);
    static const UnitTest tests[] = {
        {"presets b0..b7 match torchvision's channels and repeats", test_presets_match_torchvision},
        {"parameter counts match torchvision's", test_parameter_counts_match_torchvision},
        {"presets lite0..lite4 match efficientnet-lite-pytorch", test_lite_presets_match_package},
        {"fix_head_stem under phi", test_fix_head_stem_under_phi},
        {"input normalisation", test_input_normalisation},
        {"channel rounding follows _make_divisible", test_round_channels_rule},
        {"phi scaling", test_phi_scaling},
        {"single-dimension overrides", test_overrides},
        {"bad scaling requests", test_bad_requests},
        {"absurd requests fail before lowering", test_absurd_requests},
        {"errors at the spec value responsible", test_errors_at_spec_values},
        {"fix_head_stem's counts under the channel limit", test_fixed_head_stem_limit},
        {"errors from options that override the spec", test_errors_from_options},
    };
    int status = UNIT_MAIN("scale", tests);
    arena_free(arena);
    return status;
}
