/* plan_weights.c — every param a kernel reads gets an offset in one blob.
 *
 * Requires: layout or layout_int8 (the params kernels read are the packed
 * ones). Guarantees: every param a kernel reads (node_params: a conv's
 * weight and bias; in int8, its packed weights, bias, requantisation and
 * the activation tables) has Param.offset, in the order the kernels first read them, each 64-byte
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
        int ps[NODE_PARAMS_MAX];
        int count = node_params(g, &g->nodes[i], ps);
        for (int k = 0; k < count; k++) {
            if (g->params[ps[k]].offset != SIZE_MAX)
                continue;
            g->params[ps[k]].offset = size;
            size += (size_t)((param_bytes(&g->params[ps[k]]) + BLOB_ALIGN - 1) / BLOB_ALIGN *
                             BLOB_ALIGN);
        }
    }
    g->weights_bytes = size;
    g->done |= DONE_PLAN_WEIGHTS;
}
