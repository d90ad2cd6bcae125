/* graph.c — building and rewriting the Graph.
 *
 * Nodes sit in topological order and node i produces value i, so passes
 * rewrite by marking nodes dead, redirecting uses, and compacting. */
#include "ir.h"

#include <string.h>

const char *const op_names[OP_COUNT] = {
#define OP(e, s, n) [OP_##e] = s,
#include "ops.def"
#undef OP
};

const int op_inputs[OP_COUNT] = {
#define OP(e, s, n) [OP_##e] = n,
#include "ops.def"
#undef OP
};

const char *const act_names[ACT_COUNT] = {
#define X(e, s) [ACT_##e] = s,
    ACT_LIST(X)
#undef X
};

const char *const padding_names[PADDING_COUNT] = {
#define X(e, s) [PADDING_##e] = s,
    PADDING_LIST(X)
#undef X
};

const char *const kernel_names[KERNEL_COUNT] = {
#define X(e, s) [KERNEL_##e] = s,
    KERNEL_LIST(X)
#undef X
};

const char *const conv_role_names[CONV_ROLE_COUNT] = {
#define X(e, s) [CONV_##e] = s,
    CONV_ROLE_LIST(X)
#undef X
};

ConvRole conv_role(const Graph *g, const Node *n)
{
    Shape in = g->nodes[n->in[0]].shape;
    if (n->op == OP_LINEAR)
        return CONV_LINEAR;
    if (n->op != OP_CONV2D)
        internal_error("conv_role: %s %s is not a convolution", op_names[n->op], n->label);
    if (g->nodes[n->in[0]].op == OP_INPUT && n->conv.groups == 1)
        return CONV_STEM;
    if (n->conv.kernel == 1 && n->conv.stride == 1 && n->conv.groups == 1)
        return CONV_POINTWISE;
    if (n->conv.groups == in.c && in.c == n->shape.c)
        return CONV_DEPTHWISE;
    return CONV_OTHER;
}

int island_form(const Graph *g, const Node *n)
{
    const Node *in = &g->nodes[n->in[0]];
    if (n->conv.groups == 1)
        return ISLAND_DENSE;
    return n->conv.groups == in->shape.c && in->shape.c == n->shape.c ? ISLAND_DEPTHWISE
                                                                       : ISLAND_GROUPS;
}

bool island_pointwise(const Node *n)
{
    const int *p = n->conv.pad;
    return n->conv.groups == 1 && n->conv.kernel == 1 && !p[0] && !p[1] && !p[2] && !p[3];
}

const char *kernel_name(const Graph *g, const Node *n)
{
    if (n->tile.kind == KERNEL_EXPDW && g->nodes[n->in[0]].tile.kind == KERNEL_STEM)
        return "stem+dw";
    return kernel_names[n->tile.kind];
}

Graph *graph_new(Arena *a)
{
    Graph *g = arena_alloc(a, sizeof *g);
    g->arena = a;
    g->output = -1;
    return g;
}

/* Grows an arena-backed array by doubling (the old copy stays in the arena). */
static void *grow(Arena *a, void *old, int count, int *cap, size_t elem)
{
    if (count < *cap)
        return old;
    int ncap = *cap ? *cap * 2 : 64;
    void *p = arena_array(a, (size_t)ncap, elem);
    if (old)
        memcpy(p, old, (size_t)count * elem);
    *cap = ncap;
    return p;
}

int graph_add_node(Graph *g, Node n)
{
    g->nodes = grow(g->arena, g->nodes, g->nnodes, &g->node_cap, sizeof(Node));
    for (int k = n.nin; k < 3; k++)
        n.in[k] = -1;
    n.fused_into = -1;
    g->nodes[g->nnodes] = n;
    return g->nnodes++;
}

int graph_add_param(Graph *g, const char *name, int rank, const int *dims, bool buffer)
{
    g->params = grow(g->arena, g->params, g->nparams, &g->param_cap, sizeof(Param));
    Param *p = &g->params[g->nparams];
    *p = (Param){.name = arena_strdup(g->arena, name), .rank = rank, .buffer = buffer};
    for (int i = 0; i < 4; i++)
        p->dims[i] = i < rank ? dims[i] : 1;
    return g->nparams++;
}

int graph_add_data_param(Graph *g, const char *name, int rank, const int *dims, ParamType type)
{
    int p = graph_add_param(g, name, rank, dims, false);
    Param *prm = &g->params[p];
    size_t n = param_numel(prm);
    prm->type = type;
    prm->offset = SIZE_MAX;
    if (type == PARAM_I8)
        prm->i8 = arena_array(g->arena, n, 1);
    else if (type == PARAM_I32)
        prm->i32 = arena_array(g->arena, n, sizeof(int32_t));
    else
        prm->data = arena_array(g->arena, n, sizeof(float));
    return p;
}

size_t param_numel(const Param *p)
{
    size_t n = 1;
    for (int i = 0; i < p->rank; i++)
        n *= (size_t)p->dims[i];
    return n;
}

size_t shape_numel(Shape s)
{
    return (size_t)s.c * (size_t)s.h * (size_t)s.w;
}

QuantParams conv_output_q(const Node *n)
{
    return n->conv.qtable >= 0 ? n->conv.qpre : n->q;
}

int dw_pairs(const Node *n)
{
    int k = n->conv.kernel;
    return n->conv.qrows ? k * ((k + 1) / 2) : (k * k + 1) / 2;
}

void dw_pair_taps(const Node *n, int p, int *t0, int *t1)
{
    int k = n->conv.kernel;
    if (n->conv.qrows) {
        int per_row = (k + 1) / 2, ky = p / per_row, j = p % per_row;
        *t0 = ky * k + 2 * j;
        *t1 = 2 * j + 1 < k ? *t0 + 1 : -1;
    } else {
        *t0 = 2 * p;
        *t1 = 2 * p + 1 < k * k ? 2 * p + 1 : -1;
    }
}

int fused_ring_rows(const Node *dw)
{
    return dw->conv.qrows && dw->shape.c % 8 == 0 ? 1 : 2 * dw->conv.kernel;
}

int dw_pair_row_step(const Node *n)
{
    return n->conv.stride % 2 == 0 ? 2 : 1;
}

int dw_pair_row_columns(const Node *n)
{
    int step = dw_pair_row_step(n);
    return ((n->shape.w - 1) * n->conv.stride + n->conv.kernel + 1 + step - 1) / step;
}

bool dw_pair_rows_int8(const Graph *g, const Node *n)
{
    return graph_fused_expansion(g, (int)(n - g->nodes)) >= 0;
}

size_t dw_pair_row_elements(const Graph *g, const Node *n)
{
    int channels = dw_pair_rows_int8(g, n) ? n->shape.c / 8 * 8 : 16;
    return (size_t)dw_pair_row_columns(n) * (size_t)channels * 2;
}

size_t dw_pair_row_bytes(const Graph *g, const Node *n)
{
    return dw_pair_row_elements(g, n) * (dw_pair_rows_int8(g, n) ? sizeof(int8_t) : sizeof(int16_t));
}

int graph_fused_expansion(const Graph *g, int i)
{
    const Node *n = &g->nodes[i];
    if (n->op != OP_CONV2D || n->nin < 1 || n->in[0] < 0 || g->nodes[n->in[0]].fused_into != i)
        return -1;
    return g->nodes[n->in[0]].op == OP_CONV2D ? n->in[0] : -1;
}

int graph_count_uses(const Graph *g, int value)
{
    int uses = value == g->output;
    for (int i = 0; i < g->nnodes; i++) {
        const Node *n = &g->nodes[i];
        if (n->dead)
            continue;
        for (int k = 0; k < n->nin; k++)
            uses += n->in[k] == value && value >= 0;
    }
    return uses;
}

void graph_replace_uses(Graph *g, int from, int to)
{
    for (int i = 0; i < g->nnodes; i++)
        for (int k = 0; k < g->nodes[i].nin; k++)
            if (g->nodes[i].in[k] == from)
                g->nodes[i].in[k] = to;
    if (g->output == from)
        g->output = to;
}

/* Every reference to a node (inputs, fusions, the output) through map:
 * old index → new; the first count nodes are renumbered. */
static void renumber(Graph *g, const int *map, int count)
{
    for (int i = 0; i < count; i++) {
        Node *n = &g->nodes[i];
        for (int k = 0; k < n->nin; k++)
            if (n->in[k] >= 0)
                n->in[k] = map[n->in[k]];
        if ((n->op == OP_CONV2D || n->op == OP_LINEAR) && n->conv.pool >= 0)
            n->conv.pool = map[n->conv.pool];
        if (n->op == OP_AVGPOOL && n->pool.producer >= 0)
            n->pool.producer = map[n->pool.producer];
        if (n->fused_into >= 0)
            n->fused_into = map[n->fused_into];
    }
    g->output = map[g->output];
}

void graph_compact(Graph *g)
{
    int *map = arena_array(g->arena, (size_t)g->nnodes, sizeof(int));
    int live = 0;
    for (int i = 0; i < g->nnodes; i++) {
        map[i] = g->nodes[i].dead ? -1 : live;
        if (!g->nodes[i].dead)
            g->nodes[live++] = g->nodes[i];
    }
    renumber(g, map, live);
    g->nnodes = live;
}

int graph_insert_node(Graph *g, int at, Node n)
{
    int count = g->nnodes;
    if (at < 1 || at > count)
        internal_error("graph_insert_node: at %d of %d nodes", at, count);
    int *map = arena_array(g->arena, (size_t)count, sizeof(int));
    for (int i = 0; i < count; i++)
        map[i] = i < at ? i : i + 1;
    renumber(g, map, count);
    for (int k = 0; k < n.nin; k++) /* n's inputs are old indices too */
        if (n.in[k] >= 0)
            n.in[k] = map[n.in[k]];
    int last = graph_add_node(g, n); /* appended, then moved down to at */
    Node added = g->nodes[last];
    memmove(&g->nodes[at + 1], &g->nodes[at], (size_t)(last - at) * sizeof(Node));
    g->nodes[at] = added;
    return at;
}

int node_params(const Graph *g, const Node *n, int ps[NODE_PARAMS_MAX])
{
    int count = 0;
    bool int8 = g->done & DONE_QUANTIZE && !n->qfloat;
    if (n->dead)
        return 0;
    if ((n->op == OP_CONV2D || n->op == OP_LINEAR) && int8) {
        ps[count++] = n->conv.qweight;
        ps[count++] = n->conv.qbias;
        if (n->op == OP_LINEAR) /* FULLY_CONNECTED rescales by s_w in double */
            ps[count++] = n->conv.qscale;
        else if (n->conv.qrequant >= 0)
            ps[count++] = n->conv.qrequant;
        if (n->conv.qtable >= 0)
            ps[count++] = n->conv.qtable;
    } else if (n->op == OP_CONV2D || n->op == OP_LINEAR) {
        ps[count++] = n->conv.weight;
        if (n->conv.bias >= 0)
            ps[count++] = n->conv.bias;
    } else if (n->op == OP_ACT && int8 && n->act.table >= 0) {
        ps[count++] = n->act.table;
    }
    return count;
}

size_t value_elem_bytes(const Graph *g, const Node *n)
{
    return g->done & DONE_QUANTIZE && !n->qfloat ? 1 : sizeof(float);
}

int first_arena_value(const Graph *g)
{
    return g->done & DONE_QUANTIZE ? 0 : 1;
}

int conv_out_size(int in, int kernel, int stride, int pad_lo, int pad_hi)
{
    return (in + pad_lo + pad_hi - kernel) / stride + 1;
}
