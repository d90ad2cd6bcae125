/* test_lower.c — lowering of the spec features EfficientNet-Lite needs:
 * TensorFlow "same" padding (explicit, asymmetric for stride 2 on even
 * sizes), no squeeze-and-excitation, ReLU6 everywhere, and the key names of
 * blocks without SE (tools/lite_weights.py writes the same).
 *
 * Expected paddings are worked by hand from TensorFlow's rule: output
 * ceil(in/s), total padding max((out−1)·s + k − in, 0), the smaller half at
 * the top/left. */
#include "unit.h"

#include <string.h>

static Arena *arena;

static Graph *lowered(const char *spec, const char *preset)
{
    ScaleRequest r = {.preset = preset};
    return lower_model(arena, scale_model(arena, unit_spec(arena, spec), &r));
}

static const Node *conv_of(const Graph *g, const char *label)
{
    for (int i = 0; i < g->nnodes; i++)
        if (g->nodes[i].op == OP_CONV2D && !strcmp(g->nodes[i].label, label))
            return &g->nodes[i];
    CU_FAIL(label);
    return NULL;
}

static void check_pad(const Graph *g, const char *label, int t, int l, int b, int r, int out)
{
    const Node *n = conv_of(g, label);
    if (!n)
        return;
    const int *p = n->conv.pad;
    if (p[0] != t || p[1] != l || p[2] != b || p[3] != r || n->shape.h != out)
        fprintf(stderr, "\n  %s: pad %d,%d,%d,%d out %d; expected %d,%d,%d,%d out %d\n", label,
                p[0], p[1], p[2], p[3], n->shape.h, t, l, b, r, out);
    CU_ASSERT(p[0] == t && p[1] == l && p[2] == b && p[3] == r);
    CU_ASSERT_EQUAL(n->shape.h, out);
    CU_ASSERT_EQUAL(n->shape.w, out);
}

static void test_tf_same_padding(void)
{
    Graph *g = lowered("examples/efficientnet-lite.yaml", "lite0");
    check_pad(g, "features.0.0", 0, 0, 1, 1, 112);           /* 224, k3 s2: total 1 */
    check_pad(g, "features.1.0.block.0.0", 1, 1, 1, 1, 112); /* stride 1: k−1 split */
    check_pad(g, "features.2.0.block.1.0", 0, 0, 1, 1, 56);  /* 112, k3 s2 */
    check_pad(g, "features.3.0.block.1.0", 1, 1, 2, 2, 28);  /* 56, k5 s2: total 3 */
    check_pad(g, "features.5.0.block.1.0", 2, 2, 2, 2, 14);  /* 14, k5 s1 */
    check_pad(g, "features.2.0.block.2.0", 0, 0, 0, 0, 56);  /* 1x1 */
    g = lowered("examples/efficientnet-lite.yaml", "lite2");
    check_pad(g, "features.0.0", 0, 0, 1, 1, 130);           /* 260: total 1 */
    check_pad(g, "features.2.0.block.1.0", 0, 0, 1, 1, 65);  /* 130, k3 s2 */
    check_pad(g, "features.3.0.block.1.0", 2, 2, 2, 2, 33);  /* 65 (odd), k5 s2: total 4 */
    check_pad(g, "features.4.0.block.1.0", 1, 1, 1, 1, 17);  /* 33, k3 s2: total 2 */
    check_pad(g, "features.6.0.block.1.0", 2, 2, 2, 2, 9);   /* 17, k5 s2: total 4 */
    g = lowered("examples/efficientnet-lite.yaml", "lite3");
    check_pad(g, "features.4.0.block.1.0", 1, 1, 1, 1, 18);  /* 35, k3 s2: total 2 */
    check_pad(g, "features.6.0.block.1.0", 1, 1, 2, 2, 9);   /* 18, k5 s2: total 3 */
    char msg[256];
    CU_ASSERT_TRUE(ir_verify(g, msg, sizeof msg));
}

static void test_symmetric_padding(void)
{
    Graph *g = lowered("examples/efficientnet.yaml", "b0");
    check_pad(g, "features.0.0", 1, 1, 1, 1, 112);
    check_pad(g, "features.3.0.block.1.0", 2, 2, 2, 2, 28);
}

/* No SE: the projection is layer 2 (1 without expansion), ReLU6 throughout,
 * and no SCALE or sigmoid anywhere. */
static void test_lite_blocks(void)
{
    Graph *g = lowered("examples/efficientnet-lite.yaml", "lite0");
    CU_ASSERT_PTR_NOT_NULL(conv_of(g, "features.1.0.block.1.0")); /* stage 1 projection */
    CU_ASSERT_PTR_NOT_NULL(conv_of(g, "features.2.0.block.2.0")); /* projection */
    CU_ASSERT_PTR_NOT_NULL(conv_of(g, "features.8.0"));           /* head */
    int acts = 0;
    for (int i = 0; i < g->nnodes; i++) {
        const Node *n = &g->nodes[i];
        CU_ASSERT(n->op != OP_SCALE);
        if (n->op == OP_ACT) {
            CU_ASSERT_EQUAL(n->act.kind, ACT_RELU6);
            acts++;
        }
    }
    CU_ASSERT_EQUAL(acts, 2 + 1 + 2 * 15); /* stem, head, stage 1 dw, then expand + dw */
}

int main(void)
{
    arena = arena_new();
    static const UnitTest tests[] = {
        {"tf_same padding: explicit, asymmetric where TensorFlow is", test_tf_same_padding},
        {"symmetric padding stays (k-1)/2", test_symmetric_padding},
        {"Lite blocks: no SE, ReLU6, projection names", test_lite_blocks},
    };
    int status = UNIT_MAIN("lower", tests);
    arena_free(arena);
    return status;
}
