/* plan_memory.c — every intermediate tensor gets an offset in one arena.
 *
 * Requires: the final schedule (node order is execution order). Guarantees:
 * two tensors whose lifetimes [producer, last reader] intersect never share
 * bytes; the graph input and the logits live outside the arena (the caller's
 * buffers). Placement is greedy by size, biggest first, each at the lowest
 * offset that fits between the tensors already placed (the TFLite planner's
 * rule); offsets are 64-byte aligned. */
#include "ir.h"

#include <stdlib.h>

#define PLAN_ALIGN 64

typedef struct {
    int node;
    int first, last; /* lifetime, in node indices, inclusive */
    size_t size, offset;
    bool placed;
} Item;

static int by_size_desc(const void *a, const void *b)
{
    const Item *x = a, *y = b;
    if (x->size != y->size)
        return x->size < y->size ? 1 : -1;
    return x->node - y->node; /* deterministic order for equal sizes */
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

void plan_memory(Graph *g)
{
    Item *items = arena_array(g->arena, (size_t)g->nnodes, sizeof(Item));
    Item **scratch = arena_array(g->arena, (size_t)g->nnodes, sizeof(Item *));
    int n = 0;
    for (int i = 1; i < g->nnodes; i++) { /* node 0 is the input */
        if (i == g->output)
            continue;
        Item it = {.node = i, .first = i, .last = i};
        it.size = (shape_numel(g->nodes[i].shape) * sizeof(float) + PLAN_ALIGN - 1) /
                  PLAN_ALIGN * PLAN_ALIGN;
        for (int j = i + 1; j < g->nnodes; j++)
            for (int k = 0; k < g->nodes[j].nin; k++)
                if (g->nodes[j].in[k] == i)
                    it.last = j;
        items[n++] = it;
    }
    qsort(items, (size_t)n, sizeof *items, by_size_desc);
    size_t peak = PLAN_ALIGN; /* never zero: zero marks "not planned" */
    for (int j = 0; j < n; j++) {
        items[j].offset = place(items, n, &items[j], scratch);
        items[j].placed = true;
        g->nodes[items[j].node].offset = items[j].offset;
        if (items[j].offset + items[j].size > peak)
            peak = items[j].offset + items[j].size;
    }
    g->arena_bytes = peak;
}
