/* plan_memory.c — every intermediate tensor gets an offset in one arena.
 *
 * Requires: the final schedule (node order is execution order) and the
 * stored channel counts of layout. Guarantees: two buffers whose lifetimes
 * [producer, last reader] intersect never share bytes. Buffers are the
 * outputs of all nodes but the graph input (the caller's), including the
 * logits, which are copied to the caller's array after the last node, and
 * the per-call scratch of kernels that need it (alive during their node).
 * A pool filled by a conv's epilogue is alive from that conv on; a node
 * fused into another has no buffer and reads its inputs when that one
 * runs. Placement
 * is greedy: buffers in some order, each at the lowest offset that fits
 * beside the buffers already placed. Four orders are tried — biggest
 * first (the TFLite planner's rule), longest-lived first, by size ×
 * lifetime, and by time of birth — and the smallest arena wins; offsets are
 * 64-byte aligned. */
#include "passes.h"

#include <stdlib.h>

#define PLAN_ALIGN 64

typedef struct {
    int node;
    bool scratch;    /* the node's scratch rather than its output */
    int first, last; /* lifetime, in node indices, inclusive */
    size_t size, offset;
    bool placed;
} Item;

static int tie_break(const Item *x, const Item *y)
{
    if (x->node != y->node)
        return x->node - y->node; /* deterministic order for equal keys */
    return x->scratch - y->scratch;
}

static int by_size_desc(const void *a, const void *b)
{
    const Item *x = a, *y = b;
    if (x->size != y->size)
        return x->size < y->size ? 1 : -1;
    return tie_break(x, y);
}

static int by_lifetime_desc(const void *a, const void *b)
{
    const Item *x = a, *y = b;
    int lx = x->last - x->first, ly = y->last - y->first;
    if (lx != ly)
        return ly - lx;
    return by_size_desc(a, b);
}

static int by_first(const void *a, const void *b)
{
    const Item *x = a, *y = b;
    if (x->first != y->first)
        return x->first - y->first;
    return by_size_desc(a, b);
}

static int by_area_desc(const void *a, const void *b)
{
    const Item *x = a, *y = b;
    double ax = (double)x->size * (x->last - x->first + 1);
    double ay = (double)y->size * (y->last - y->first + 1);
    if (ax != ay)
        return ax < ay ? 1 : -1;
    return tie_break(x, y);
}

static int by_offset(const void *a, const void *b)
{
    const Item *x = *(Item *const *)a, *y = *(Item *const *)b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Lowest offset where it fits among the placed items that overlap in time. */
static size_t place(Item *items, int n, const Item *it, Item **scratch)
{
    int k = 0;
    for (int j = 0; j < n; j++)
        if (items[j].placed && items[j].first <= it->last && it->first <= items[j].last)
            scratch[k++] = &items[j];
    qsort(scratch, (size_t)k, sizeof *scratch, by_offset);
    size_t offset = 0;
    for (int j = 0; j < k; j++) {
        if (scratch[j]->offset >= offset + it->size)
            break; /* the gap before this one is big enough */
        size_t end = scratch[j]->offset + scratch[j]->size;
        if (end > offset)
            offset = end;
    }
    return offset;
}

static size_t aligned(size_t bytes)
{
    return (bytes + PLAN_ALIGN - 1) / PLAN_ALIGN * PLAN_ALIGN;
}

/* When node j runs: a node fused into another runs inside that one. */
static int runs_at(const Graph *g, int j)
{
    return g->nodes[j].fused_into >= 0 ? g->nodes[j].fused_into : j;
}

/* For every node, the time its output is last read (its own index when
 * nothing reads it), in one pass over the edges so that every caller stays
 * linear in the graph's size. With `fused_time` a reader fused into another
 * node reads when that one runs. */
static int *last_reads(const Graph *g, bool fused_time)
{
    int *last = arena_array(g->arena, (size_t)g->nnodes, sizeof(int));
    for (int i = 0; i < g->nnodes; i++)
        last[i] = i;
    for (int j = 1; j < g->nnodes; j++) {
        int t = fused_time ? runs_at(g, j) : j;
        for (int k = 0; k < g->nodes[j].nin; k++) {
            int src = g->nodes[j].in[k];
            if (src >= 0 && src < j && t > last[src])
                last[src] = t;
        }
    }
    if (g->output >= 0 && g->output < g->nnodes)
        last[g->output] = g->nnodes; /* read by the final copy */
    return last;
}

static Item output_item(const Graph *g, int i, const int *last)
{
    const Node *n = &g->nodes[i];
    int channels = n->cpad ? n->cpad : n->shape.c;
    Item it = {.node = i, .first = i, .last = last[i]};
    if (n->op == OP_AVGPOOL && n->pool.producer >= 0)
        it.first = n->pool.producer;
    it.size = aligned((size_t)channels * (size_t)n->shape.h * (size_t)n->shape.w *
                      value_elem_bytes(g, n));
    return it;
}

/* live[t] += size for every t in [first, last], as a difference array
 * (`delta` has nnodes + 2 entries) summed by live_sweep. */
static void live_add(size_t *delta, int first, int last, size_t size)
{
    delta[first] += size;
    delta[last + 1] -= size;
}

static size_t *live_sweep(const Graph *g, size_t *delta)
{
    for (int t = 1; t <= g->nnodes + 1; t++)
        delta[t] += delta[t - 1];
    return delta;
}

/* Bytes of planned buffers alive while each node runs, indexed by node. */
size_t *plan_live_bytes(const Graph *g)
{
    const int *last = last_reads(g, true);
    size_t *live = arena_array(g->arena, (size_t)g->nnodes + 2, sizeof(size_t));
    for (int i = first_arena_value(g); i < g->nnodes; i++) {
        if (g->nodes[i].scratch)
            live_add(live, i, i, aligned(g->nodes[i].scratch));
        if (g->nodes[i].fused_into < 0) {
            Item it = output_item(g, i, last);
            live_add(live, it.first, it.last, it.size);
        }
    }
    return live_sweep(g, live);
}

/* The most bytes that tensors alive at one time take if every tensor exists
 * whole (no fused producers, no scratch): what any planner that keeps whole
 * tensors needs at least. */
size_t plan_whole_tensor_bound(const Graph *g)
{
    const int *last = last_reads(g, false);
    size_t *live = arena_array(g->arena, (size_t)g->nnodes + 2, sizeof(size_t)), peak = 0;
    for (int i = first_arena_value(g); i < g->nnodes; i++) {
        const Node *n = &g->nodes[i];
        int channels = n->cpad ? n->cpad : n->shape.c;
        size_t size = (size_t)channels * (size_t)n->shape.h * (size_t)n->shape.w *
                      value_elem_bytes(g, n);
        int first = n->op == OP_AVGPOOL && n->pool.producer >= 0 ? n->pool.producer : i;
        live_add(live, first, last[i], size);
    }
    live_sweep(g, live);
    for (int t = 0; t <= g->nnodes; t++)
        if (live[t] > peak)
            peak = live[t];
    return peak;
}

/* Places every item in the given order; returns the arena size. */
static size_t place_all(Item *items, int n, int (*order)(const void *, const void *),
                        Item **scratch)
{
    qsort(items, (size_t)n, sizeof *items, order);
    for (int j = 0; j < n; j++)
        items[j].placed = false;
    size_t peak = PLAN_ALIGN; /* never zero: zero marks "not planned" */
    for (int j = 0; j < n; j++) {
        items[j].offset = place(items, n, &items[j], scratch);
        items[j].placed = true;
        if (items[j].offset + items[j].size > peak)
            peak = items[j].offset + items[j].size;
    }
    return peak;
}

void plan_memory(Graph *g)
{
    const int *last = last_reads(g, true);
    Item *items = arena_array(g->arena, 2 * (size_t)g->nnodes, sizeof(Item));
    Item **scratch = arena_array(g->arena, 2 * (size_t)g->nnodes, sizeof(Item *));
    int n = 0;
    for (int i = first_arena_value(g); i < g->nnodes; i++) { /* the caller's input is not */
        if (g->nodes[i].fused_into < 0) /* a fused node's output is never stored whole */
            items[n++] = output_item(g, i, last);
        if (g->nodes[i].scratch)
            items[n++] = (Item){.node = i, .scratch = true, .first = i, .last = i,
                                .size = aligned(g->nodes[i].scratch)};
    }
    int (*const orders[])(const void *, const void *) = {by_size_desc, by_lifetime_desc,
                                                          by_area_desc, by_first};
    size_t best = SIZE_MAX;
    int best_order = 0;
    for (int o = 0; o < 4; o++) {
        size_t peak = place_all(items, n, orders[o], scratch);
        if (peak < best) {
            best = peak;
            best_order = o;
        }
    }
    place_all(items, n, orders[best_order], scratch);
    for (int j = 0; j < n; j++) {
        Node *node = &g->nodes[items[j].node];
        *(items[j].scratch ? &node->scratch_offset : &node->offset) = items[j].offset;
    }
    g->arena_bytes = best;
    g->done |= DONE_PLAN_MEMORY;
}
