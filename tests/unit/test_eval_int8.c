/* test_eval_int8.c — ir_eval_int8_compare, which report.txt's table and
 * --keep-float auto measure with: its reference and model values must be
 * the same bits ir_eval and ir_eval_int8 give, node by node; its own value
 * is the model's where the inputs are the same (the input, the stem reading
 * it) and the reference's for a node kept in float. B0 at 57 px with
 * synthetic weights, one layer kept in float. */
#include "unit.h"

static Arena *arena;

typedef struct {
    float **v; /* per node: a copy of the value seen */
} Seen;

static void remember(void *ctx, const Graph *g, int i, const float *value)
{
    Seen *s = ctx;
    size_t n = shape_numel(g->nodes[i].shape) * sizeof(float);
    s->v[i] = arena_alloc(arena, n);
    memcpy(s->v[i], value, n);
}

typedef struct {
    Seen ref, model;
    int kept;
    int bad_ref, bad_model, bad_own, own_differs;
} Check;

static bool same(const float *a, const float *b, size_t n)
{
    return !memcmp(a, b, n * sizeof(float));
}

static void check(void *ctx, const Graph *g, int i, const float *ref, const float *model,
                  const float *own)
{
    Check *c = ctx;
    size_t n = shape_numel(g->nodes[i].shape);
    c->bad_ref += !same(ref, c->ref.v[i], n);
    c->bad_model += !same(model, c->model.v[i], n);
    if (i <= 1) /* the input, and the stem reading it: the same int8 input both ways */
        c->bad_own += !same(own, model, n);
    else if (i == c->kept)
        c->bad_own += !same(own, ref, n);
    else
        c->own_differs += !same(own, model, n);
}

static void test_compare(void)
{
    Spec *spec = unit_example_spec(arena);
    Graph *g = lower_model(arena, scale_model(arena, spec, &(ScaleRequest){.preset = "b0",
                                                                            .resolution = 57}));
    weights_synthesize(g, 4);
    fold_bn(g);
    fuse_clamps(g);
    size_t numel = shape_numel(g->nodes[0].shape);
    float *x = arena_array(arena, 2 * numel, sizeof(float));
    for (size_t i = 0; i < 2 * numel; i++)
        x[i] = (float)((i * 2654435761u) % 1000) / 250.0f - 2.0f;
    ValueRange *r = calibrate(arena, g, x, 2, ESTIMATOR_MINMAX);
    const char *keep[] = {"features.2.0.block.1.0"}; /* a depthwise conv */
    quantize(g, r, &(QuantizeOptions){.keep_float = keep, .nkeep = 1});
    Check c = {.kept = -1};
    for (int i = 0; i < g->nnodes; i++)
        if (g->nodes[i].qfloat)
            c.kept = i;
    CU_ASSERT_FATAL(c.kept > 1);
    c.ref.v = arena_array(arena, (size_t)g->nnodes, sizeof(float *));
    c.model.v = arena_array(arena, (size_t)g->nnodes, sizeof(float *));
    ir_eval_visit(g, x + numel, NULL, remember, &c.ref);
    ir_eval_int8(g, x + numel, NULL, remember, &c.model);
    ir_eval_int8_compare(g, x + numel, check, &c);
    CU_ASSERT_EQUAL(c.bad_ref, 0);
    CU_ASSERT_EQUAL(c.bad_model, 0);
    CU_ASSERT_EQUAL(c.bad_own, 0);
    /* deeper nodes read their inputs exact, not as the model computed them */
    CU_ASSERT(c.own_differs > g->nnodes / 2);
}

int main(void)
{
    arena = arena_new();
    static const UnitTest tests[] = {
        {"compare: reference, model and own values of every node", test_compare},
    };
    int status = UNIT_MAIN("eval_int8", tests);
    arena_free(arena);
    return status;
}
