/* quant_export.c — the quantized graph written out for other engines to run.
 *
 * One safetensors file: each conv's and linear layer's int8 weights (I8,
 * torchvision order), their per-output-channel scales (F32) and int32 bias
 * (I32), each under its param's name, and in the metadata the graph itself
 * as ir_print_buf prints it ("format": "effcc-int8", "ir": the text), which
 * names those params and gives every value's scale and zero point exactly
 * (hexadecimal floats). tools/tflite_export.py turns the file into a
 * full-integer .tflite that LiteRT's reference kernels run, the independent
 * check of ir_eval_int8 (tests/int8/). Only a graph wholly in int8 can be
 * written: a value kept in float has no TFLite counterpart here. */
#include "driver.h"

#include <string.h>

#define EXPORT_FORMAT "effcc-int8"

static bool has_qweights(const Node *n)
{
    return (n->op == OP_CONV2D || n->op == OP_LINEAR) && n->conv.qweight >= 0;
}

/* What the file cannot express is the user's doing (--keep-float); a graph
 * that quantize has not run on, or that a later pass has changed, is a bug. */
static void check_graph(const Graph *g, const char *path)
{
    if (!(g->done & DONE_QUANTIZE))
        internal_error("quant_export: the graph is not quantized");
    if (g->done & ~(unsigned)(DONE_FOLD_BN | DONE_FUSE | DONE_QUANTIZE))
        internal_error("quant_export: passes after quantize have run (done %#x)", g->done);
    for (int i = 0; i < g->nnodes; i++) {
        const Node *n = &g->nodes[i];
        if (n->dead)
            internal_error("quant_export: node %%%d is dead: compact the graph first", i);
        if (n->qfloat)
            error_in(path, "node %%%d (%s) is kept in float: the int8 export holds only a "
                           "graph that is int8 throughout (drop --keep-float)",
                     i, n->label ? n->label : op_names[n->op]);
        if ((n->op == OP_CONV2D || n->op == OP_LINEAR) && !has_qweights(n))
            internal_error("quant_export: node %%%d has no int8 weights", i);
    }
}

void quant_export(const Graph *g, const char *path)
{
    check_graph(g, path);
    const Param **list = arena_array(g->arena, 3 * (size_t)g->nnodes + 1, sizeof *list);
    int n = 0;
    for (int i = 0; i < g->nnodes; i++) {
        const Node *node = &g->nodes[i];
        if (!has_qweights(node))
            continue;
        list[n++] = &g->params[node->conv.qweight];
        list[n++] = &g->params[node->conv.qscale];
        list[n++] = &g->params[node->conv.qbias];
    }
    Buf ir = {0};
    ir_print_buf(&ir, g);
    const char *meta[] = {"format", EXPORT_FORMAT, "ir", arena_strdup(g->arena, ir.data)};
    buf_free(&ir);
    safetensors_save(path, list, n, meta, 2);
}
