/* plan_weights.c — every param a kernel reads gets an offset in one blob.
 *
 * Requires: layout (the params kernels read are the packed ones).
 * Guarantees: the weight and bias of every conv and linear node have
 * Param.offset, in the order the kernels first read them, each 64-byte
 * aligned and padded to a multiple of 64 bytes; every other param has
 * offset SIZE_MAX; g->weights_bytes is the blob's size. The blob is this
 * layout of the params' data, written by codegen as NAME_weights.bin. */
#include "passes.h"

#define BLOB_ALIGN 64 /* bytes; every tensor in the weights blob starts aligned */

void plan_weights(Graph *g)
{
    size_t size = 0;
    for (int i = 0; i < g->nparams; i++)
        g->params[i].offset = SIZE_MAX;
    for (int i = 0; i < g->nnodes; i++) {
        const Node *n = &g->nodes[i];
        if (n->op != OP_CONV2D && n->op != OP_LINEAR)
            continue;
        int ps[2] = {n->conv.weight, n->conv.bias};
        for (int k = 0; k < 2; k++) {
            if (ps[k] < 0 || g->params[ps[k]].offset != SIZE_MAX)
                continue;
            g->params[ps[k]].offset = size;
            size += (param_numel(&g->params[ps[k]]) * sizeof(float) + BLOB_ALIGN - 1) /
                    BLOB_ALIGN * BLOB_ALIGN;
        }
    }
    g->weights_bytes = size;
    g->done |= DONE_PLAN_WEIGHTS;
}
