/* limits.c — size arithmetic that cannot overflow, and the byte limit.
 *
 * An absurd request (φ = 40, a 20000-pixel input, a kernel of a million)
 * must fail with a message, not with an allocation of petabytes or a size
 * that wrapped around. Sizes here are computed in uint64_t with saturation:
 * a product or sum that overflows becomes UINT64_MAX, which is above any
 * limit, so overflow needs no path of its own.
 *
 * limits_check_lowered runs on the graph as lowered, before any weight is
 * allocated: every tensor's bytes, the weights in all, and a lower bound of
 * the activation arena (a node's output and its inputs are alive together).
 * It also bounds the sum of every activation's bytes, so that plan_memory's
 * offsets, which never exceed that sum, cannot overflow either.
 * limits_check_planned checks the real figures after the pipeline. */
#include "ir.h"

#include <inttypes.h>

uint64_t size_mul(uint64_t a, uint64_t b)
{
    uint64_t r;
    return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

uint64_t size_add(uint64_t a, uint64_t b)
{
    uint64_t r;
    return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

uint64_t param_bytes(const Param *p)
{
    uint64_t n = p->type == PARAM_I8 ? 1 : 4; /* float32, int32 */
    for (int i = 0; i < p->rank; i++)
        n = size_mul(n, (uint64_t)(p->dims[i] > 0 ? p->dims[i] : 0));
    return n;
}

uint64_t shape_bytes(Shape s)
{
    return size_mul(size_mul(size_mul(sizeof(float), (uint64_t)s.c), (uint64_t)s.h),
                    (uint64_t)s.w);
}

/* "5300000000 bytes (4.9 GiB)", or a word for a size that overflowed. */
static const char *show_bytes(char *buf, size_t size, uint64_t bytes)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes == UINT64_MAX)
        return "more than 2^64 bytes (the size overflows)";
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024 && u < 6) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, size, "%" PRIu64 " bytes", bytes);
    else
        snprintf(buf, size, "%" PRIu64 " bytes (%.1f %s)", bytes, v, units[u]);
    return buf;
}

static _Noreturn void over(const char *what, uint64_t bytes, uint64_t max)
{
    char need[64], lim[64];
    error_msg("%s %s, above the limit of %s; raise it with --max-bytes", what,
              show_bytes(need, sizeof need, bytes), show_bytes(lim, sizeof lim, max));
}

static void check_weights(const Graph *g, uint64_t max)
{
    uint64_t total = 0;
    for (int i = 0; i < g->nparams; i++) {
        const Param *p = &g->params[i];
        uint64_t bytes = param_bytes(p);
        if (bytes > max) {
            char what[512];
            snprintf(what, sizeof what, "tensor '%s' [%d, %d, %d, %d] alone needs", p->name,
                     p->dims[0], p->dims[1], p->dims[2], p->dims[3]);
            over(what, bytes, max);
        }
        if (p->external)
            total = size_add(total, bytes);
    }
    if (total > max)
        over("the model's weights need", total, max);
}

/* Bytes of value v inside the arena: the graph input and the logits are the
 * caller's buffers (see plan_memory). */
static uint64_t arena_part(const Graph *g, int v)
{
    return v <= 0 || v == g->output ? 0 : shape_bytes(g->nodes[v].shape);
}

static void check_activations(const Graph *g, uint64_t max)
{
    uint64_t all = 0;
    for (int i = 0; i < g->nnodes; i++) {
        const Node *n = &g->nodes[i];
        char what[512];
        uint64_t bytes = shape_bytes(n->shape);
        if (n->op == OP_INPUT)
            snprintf(what, sizeof what, "the input image [%d, %d, %d] alone needs", n->shape.c,
                     n->shape.h, n->shape.w);
        else
            snprintf(what, sizeof what, "the output of %s '%s' [%d, %d, %d] alone needs",
                     op_names[n->op], n->label ? n->label : "?", n->shape.c, n->shape.h,
                     n->shape.w);
        if (bytes > max)
            over(what, bytes, max);
        uint64_t live = arena_part(g, i);
        for (int k = 0; k < n->nin; k++)
            if (n->in[k] != i) /* an input that is not the output itself */
                live = size_add(live, arena_part(g, n->in[k]));
        snprintf(what, sizeof what, "the activations alive at %s '%s' need at least",
                 op_names[n->op], n->label ? n->label : "?");
        if (live > max)
            over(what, live, max);
        all = size_add(all, size_add(bytes, 64)); /* plan_memory aligns to 64 */
    }
    if (all == UINT64_MAX) /* plan_memory's offsets are bounded by this sum */
        over("the activations need", all, max);
}

void limits_check_lowered(const Graph *g, uint64_t max_bytes)
{
    check_weights(g, max_bytes);
    check_activations(g, max_bytes);
}

/* On a 32-bit machine the generated code indexes the weights and the arena
 * with 32-bit ptrdiff_t, and neither could be allocated beyond 2 GiB. */
static void check_address_space(const Graph *g, const char *what, uint64_t bytes)
{
    char need[64];
    if (g->target && g->target->pointer_bytes == 4 && bytes > INT32_MAX)
        error_msg("%s %s, more than the 2 GiB one array may take on %s (a 32-bit machine)", what,
                  show_bytes(need, sizeof need, bytes), g->target->name);
}

void limits_check_planned(const Graph *g, uint64_t max_bytes)
{
    if (g->weights_bytes > max_bytes)
        over("the generated weights need", g->weights_bytes, max_bytes);
    if (g->arena_bytes > max_bytes)
        over("the planned activation arena needs", g->arena_bytes, max_bytes);
    check_address_space(g, "the generated weights need", g->weights_bytes);
    check_address_space(g, "the planned activation arena needs", g->arena_bytes);
}
