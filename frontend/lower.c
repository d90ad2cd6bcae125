/* lower.c — Model → Graph, shaped exactly like torchvision's EfficientNet.
 *
 * Conv, batch norm and activation are separate ops here and every param is
 * named by its torchvision state_dict key, so a torchvision checkpoint loads
 * one to one; the passes fold and fuse afterwards. Module numbering follows
 * torchvision: features.0 is the stem, features.1..N the stages, features.N+1
 * the head; inside a block, layers are numbered in order of presence
 * (expand conv only when it changes the channel count, SE only when
 * se_ratio > 0). Padding is explicit on four sides: symmetric (k−1)/2, or
 * TensorFlow's "SAME", which depends on the input size (see same_pad). */
#include "frontend.h"

typedef struct {
    Graph *g;
    const Model *m;
} Lower;

static int add_param(Lower *L, const char *module, const char *field, int rank, const int *dims,
                     bool buffer)
{
    char *name = arena_printf(L->g->arena, "%s.%s", module, field);
    int p = graph_add_param(L->g, name, rank, dims, buffer);
    L->g->params[p].external = true;
    return p;
}

static Shape shape_of(Lower *L, int v)
{
    return L->g->nodes[v].shape;
}

/* TensorFlow's "SAME" along one axis: the output has ceil(in/stride)
 * pixels and the padding that needs, the odd one at the far side. */
static void same_pad(int in, int kernel, int stride, int *lo, int *hi)
{
    int out = (in + stride - 1) / stride;
    int total = (out - 1) * stride + kernel - in;
    if (total < 0)
        total = 0;
    *lo = total / 2;
    *hi = total - *lo;
}

/* pad: top, left, bottom, right, as Node.conv.pad. */
static void conv_padding(const Lower *L, Shape in, int kernel, int stride, int pad[4])
{
    if (L->m->padding == PADDING_TF_SAME) {
        same_pad(in.h, kernel, stride, &pad[0], &pad[2]);
        same_pad(in.w, kernel, stride, &pad[1], &pad[3]);
    } else {
        pad[0] = pad[1] = pad[2] = pad[3] = (kernel - 1) / 2;
    }
}

static int conv(Lower *L, int x, const char *module, int out, int kernel, int stride, int groups,
                bool bias)
{
    Shape in = shape_of(L, x);
    int wdims[4] = {out, in.c / groups, kernel, kernel};
    Node n = {.op = OP_CONV2D, .in = {x}, .nin = 1, .label = module};
    n.conv.kernel = kernel;
    n.conv.stride = stride;
    n.conv.groups = groups;
    conv_padding(L, in, kernel, stride, n.conv.pad);
    const int *p = n.conv.pad;
    n.conv.weight = add_param(L, module, "weight", 4, wdims, false);
    n.conv.bias = bias ? add_param(L, module, "bias", 1, &out, false) : -1;
    n.conv.pool = -1;
    n.conv.qweight = n.conv.qscale = n.conv.qbias = n.conv.qrequant = n.conv.qtable = -1;
    n.shape = (Shape){out, conv_out_size(in.h, kernel, stride, p[0], p[2]),
                      conv_out_size(in.w, kernel, stride, p[1], p[3])};
    return graph_add_node(L->g, n);
}

static int batchnorm(Lower *L, int x, const char *module)
{
    int c = shape_of(L, x).c;
    Node n = {.op = OP_BATCHNORM, .in = {x}, .nin = 1, .label = module, .shape = shape_of(L, x)};
    n.bn.gamma = add_param(L, module, "weight", 1, &c, false);
    n.bn.beta = add_param(L, module, "bias", 1, &c, false);
    n.bn.mean = add_param(L, module, "running_mean", 1, &c, true);
    n.bn.var = add_param(L, module, "running_var", 1, &c, true);
    n.bn.eps = L->m->bn_eps;
    return graph_add_node(L->g, n);
}

static int act(Lower *L, int x, Act kind)
{
    Node n = {.op = OP_ACT, .in = {x}, .nin = 1, .shape = shape_of(L, x),
              .label = L->g->nodes[x].label};
    n.act.kind = kind;
    n.act.table = -1;
    return graph_add_node(L->g, n);
}

static int binary(Lower *L, Op op, int a, int b, const char *label)
{
    Node n = {.op = op, .in = {a, b}, .nin = 2, .shape = shape_of(L, a), .label = label};
    return graph_add_node(L->g, n);
}

/* Conv2dNormActivation: conv (no bias) + batch norm [+ activation]. */
static int conv_bn(Lower *L, int x, const char *module, int out, int kernel, int stride,
                   int groups, Act a)
{
    Arena *ar = L->g->arena;
    int y = conv(L, x, arena_printf(ar, "%s.0", module), out, kernel, stride, groups, false);
    y = batchnorm(L, y, arena_printf(ar, "%s.1", module));
    return a == ACT_NONE ? y : act(L, y, a);
}

static int avgpool(Lower *L, int x, const char *label)
{
    Shape s = shape_of(L, x);
    Node n = {.op = OP_AVGPOOL, .in = {x}, .nin = 1, .shape = {s.c, 1, 1}, .label = label};
    n.pool.producer = -1;
    return graph_add_node(L->g, n);
}

/* SqueezeExcitation: avgpool, fc1 + act, fc2 + sigmoid, scale. */
static int squeeze_excite(Lower *L, int x, const char *module, int squeeze)
{
    Arena *ar = L->g->arena;
    int c = shape_of(L, x).c;
    int s = avgpool(L, x, module);
    s = conv(L, s, arena_printf(ar, "%s.fc1", module), squeeze, 1, 1, 1, true);
    s = act(L, s, L->m->activation);
    s = conv(L, s, arena_printf(ar, "%s.fc2", module), c, 1, 1, 1, true);
    s = act(L, s, ACT_SIGMOID);
    return binary(L, OP_SCALE, x, s, module);
}

static int mbconv(Lower *L, int x, const char *prefix, const ModelStage *st, int in, int stride)
{
    Arena *ar = L->g->arena;
    const Model *m = L->m;
    int exp = expanded_channels(in, st->expand, m->divisor);
    int layer = 0, y = x;
    if (exp != in)
        y = conv_bn(L, y, arena_printf(ar, "%s.%d", prefix, layer++), exp, 1, 1, 1, m->activation);
    y = conv_bn(L, y, arena_printf(ar, "%s.%d", prefix, layer++), exp, st->kernel, stride, exp,
                m->activation);
    if (m->se_ratio > 0)
        y = squeeze_excite(L, y, arena_printf(ar, "%s.%d", prefix, layer++),
                           squeeze_channels(in, m->se_ratio));
    y = conv_bn(L, y, arena_printf(ar, "%s.%d", prefix, layer++), st->out_channels, 1, 1, 1,
                ACT_NONE);
    if (stride == 1 && in == st->out_channels)
        y = binary(L, OP_ADD, y, x, prefix);
    return y;
}

static int classifier(Lower *L, int x)
{
    int c = shape_of(L, x).c, k = L->m->classes;
    int wdims[2] = {k, c};
    Node n = {.op = OP_LINEAR, .in = {x}, .nin = 1, .shape = {k, 1, 1}, .label = "classifier.1"};
    n.conv.kernel = n.conv.stride = n.conv.groups = 1;
    n.conv.weight = add_param(L, "classifier.1", "weight", 2, wdims, false);
    n.conv.bias = add_param(L, "classifier.1", "bias", 1, &k, false);
    n.conv.pool = -1;
    n.conv.qweight = n.conv.qscale = n.conv.qbias = n.conv.qrequant = n.conv.qtable = -1;
    return graph_add_node(L->g, n);
}

/* What the graph is made from, and its stage table: one row for the stem,
 * each stage and the head, with the shape its last block gives. */
static void describe(Lower *L)
{
    const Model *m = L->m;
    GraphSource *src = &L->g->source;
    *src = (GraphSource){.name = m->name, .spec_hash = m->spec_hash, .width = m->width,
                         .depth = m->depth, .bn_eps = m->bn_eps, .mean = m->mean, .std = m->std};
    src->stages = arena_array(L->g->arena, (size_t)m->nstages + 2, sizeof *src->stages);
}

static void stage_row(Lower *L, GraphStage row, int x)
{
    GraphSource *src = &L->g->source;
    row.out = shape_of(L, x);
    src->stages[src->nstages++] = row;
}

Graph *lower_model(Arena *a, const Model *m)
{
    Lower L = {graph_new(a), m};
    describe(&L);
    Node in = {.op = OP_INPUT, .shape = {m->in_channels, m->resolution, m->resolution},
               .label = "input"};
    int x = graph_add_node(L.g, in);
    x = conv_bn(&L, x, "features.0", m->stem_channels, m->stem_kernel, m->stem_stride, 1,
                m->activation);
    stage_row(&L, (GraphStage){"stem", 0, 1, m->in_channels, m->stem_channels, 0, m->stem_kernel,
                               m->stem_stride}, x);
    for (int s = 0; s < m->nstages; s++) {
        const ModelStage *st = &m->stages[s];
        for (int b = 0; b < st->repeats; b++) {
            const char *prefix = arena_printf(a, "features.%d.%d.block", s + 1, b);
            int in = b == 0 ? st->in_channels : st->out_channels;
            x = mbconv(&L, x, prefix, st, in, b == 0 ? st->stride : 1);
        }
        stage_row(&L, (GraphStage){"stage", s + 1, st->repeats, st->in_channels, st->out_channels,
                                   expanded_channels(st->in_channels, st->expand, m->divisor),
                                   st->kernel, st->stride}, x);
    }
    int last = shape_of(&L, x).c;
    x = conv_bn(&L, x, arena_printf(a, "features.%d", m->nstages + 1), m->head_channels, 1, 1, 1,
                m->activation);
    stage_row(&L, (GraphStage){"head", 0, 1, last, m->head_channels, 0, 1, 1}, x);
    x = avgpool(&L, x, "avgpool");
    L.g->output = classifier(&L, x);
    return L.g;
}
