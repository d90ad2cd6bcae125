/* test_limits.c — saturating size arithmetic and the byte limit.
 *
 * Sizes that overflow 64 bits must saturate (and so exceed any limit), and
 * limits_check_lowered must refuse, on the graph as lowered and before any
 * weight exists, each way a model can be too big: one tensor, the weights
 * in all, the input image, the activations alive at one node. B0's real
 * figures (README: 21,070,720 weight bytes, 6,021,120 arena bytes) bracket
 * the limits used here. */
#include "unit.h"

static Arena *arena;
static Spec *spec;

static Graph *lowered(ScaleRequest r)
{
    return lower_model(arena, scale_model(arena, spec, &r));
}

static void test_saturation(void)
{
    CU_ASSERT_EQUAL(size_mul(1u << 20, 1u << 20), UINT64_C(1) << 40);
    CU_ASSERT_EQUAL(size_mul(UINT64_C(1) << 32, UINT64_C(1) << 32), UINT64_MAX);
    CU_ASSERT_EQUAL(size_mul(0, UINT64_MAX), 0);
    CU_ASSERT_EQUAL(size_add(UINT64_MAX - 1, 1), UINT64_MAX);
    CU_ASSERT_EQUAL(size_add(UINT64_MAX, 1), UINT64_MAX);
    /* a conv weight [100000, 100000, 999999, 999999]: 4e22 bytes */
    Param p = {.name = "w", .rank = 4, .dims = {100000, 100000, 999999, 999999}};
    CU_ASSERT_EQUAL(param_bytes(&p), UINT64_MAX);
    Param q = {.name = "b", .rank = 1, .dims = {1000, 1, 1, 1}};
    CU_ASSERT_EQUAL(param_bytes(&q), 4000);
    CU_ASSERT_EQUAL(shape_bytes((Shape){3, 224, 224}), 3 * 224 * 224 * 4);
    CU_ASSERT_EQUAL(shape_bytes((Shape){100000, 20000, 20000}), UINT64_C(160000000000000));
}

static void test_b0_within_limits(void)
{
    Graph *g = lowered((ScaleRequest){.preset = "b0"});
    CU_ASSERT_FALSE(RAISES(limits_check_lowered(g, LIMIT_DEFAULT_BYTES)));
    CU_ASSERT_FALSE(RAISES(limits_check_lowered(g, 22u << 20))); /* 21.3 MB with BN stats */
}

static void test_each_limit(void)
{
    Graph *g = lowered((ScaleRequest){.preset = "b0"});
    CU_ASSERT_TRUE(RAISES(limits_check_lowered(g, 1u << 20)));
    ASSERT_MESSAGE_HAS("tensor 'features.7.0.block.3.0.weight' [320, 1152, 1, 1] alone needs "
                       "1474560 bytes (1.4 MiB), above the limit of 1048576 bytes (1.0 MiB); "
                       "raise it with --max-bytes");
    CU_ASSERT_TRUE(RAISES(limits_check_lowered(g, 20u << 20)));
    ASSERT_MESSAGE_HAS("the model's weights need 21322256 bytes (20.3 MiB)");

    g = lowered((ScaleRequest){.preset = "b0", .resolution = 20000});
    CU_ASSERT_TRUE(RAISES(limits_check_lowered(g, LIMIT_DEFAULT_BYTES)));
    ASSERT_MESSAGE_HAS("the input image [3, 20000, 20000] alone needs 4800000000 bytes (4.5 GiB), "
                       "above the limit of 4294967296 bytes (4.0 GiB)");
    /* At 12 GiB the stem conv's output (32 × 10000², 11.9 GiB) passes, but
     * the batch norm after it needs its input and output together; the
     * image is the caller's buffer, outside the arena, so the conv is fine. */
    CU_ASSERT_TRUE(RAISES(limits_check_lowered(g, UINT64_C(12) << 30)));
    ASSERT_MESSAGE_HAS("the activations alive at batchnorm 'features.0.1' need at least "
                       "25600000000 bytes (23.8 GiB)");
    CU_ASSERT_TRUE(RAISES(limits_check_lowered(g, UINT64_C(30) << 30)));
    ASSERT_MESSAGE_HAS("the output of conv2d 'features.2.0.block.0.0' [96, 10000, 10000] alone "
                       "needs 38400000000 bytes (35.8 GiB)");
}

/* A kernel of 999,999 (the largest odd value the spec reader takes): the
 * stem weight is 32 × 3 × 999999² floats, 384 TB. */
static void test_huge_kernel(void)
{
    Spec big = *spec;
    big.stem_kernel = 999999;
    ScaleRequest r = {0};
    Graph *g = lower_model(arena, scale_model(arena, &big, &r));
    CU_ASSERT_TRUE(RAISES(limits_check_lowered(g, LIMIT_DEFAULT_BYTES)));
    ASSERT_MESSAGE_HAS("tensor 'features.0.0.weight' [32, 3, 999999, 999999] alone needs "
                       "383999232000384 bytes (349.2 TiB)");
}

int main(void)
{
    arena = arena_new();
    spec = unit_example_spec(arena);
    static const UnitTest tests[] = {
        {"sizes saturate instead of wrapping", test_saturation},
        {"b0 is within the default limit", test_b0_within_limits},
        {"each limit is checked, with its numbers", test_each_limit},
        {"a huge kernel is refused before allocation", test_huge_kernel},
    };
    int status = UNIT_MAIN("limits", tests);
    arena_free(arena);
    return status;
}
