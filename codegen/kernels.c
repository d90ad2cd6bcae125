/* kernels.c — which kernel template each node uses, with which literals.
 *
 * The decision is made here, in C, so unit tests can reach it; the m4
 * templates (codegen/templates/kernels.m4) only substitute. A kernel
 * instance is named by its parameters, so identical layers share one
 * function: dwconv_k5s2p2_c240_h28w28_swish. */
#include "codegen.h"

#include <stdlib.h>
#include <string.h>

static const char *pad_text(const Node *n, char *buf, size_t size)
{
    const int *p = n->conv.pad;
    if (p[0] == p[1] && p[1] == p[2] && p[2] == p[3])
        snprintf(buf, size, "p%d", p[0]);
    else
        snprintf(buf, size, "p%d_%d_%d_%d", p[0], p[1], p[2], p[3]);
    return buf;
}

static void conv_kernel(const Graph *g, const Node *n, Kernel *k)
{
    Shape in = g->nodes[n->in[0]].shape, out = n->shape;
    const char *act = act_names[n->conv.act], *res = n->conv.residual ? "res" : "nores";
    char pad[32];
    k->call = CALL_CONV;
    if (n->op == OP_LINEAR || (n->conv.kernel == 1 && n->conv.stride == 1 && n->conv.groups == 1 &&
                               n->in[0] != 0)) {
        int pixels = out.h * out.w;
        snprintf(k->name, sizeof k->name, "conv1x1_p%d_c%dto%d_%s%s", pixels, in.c, out.c, act,
                 n->conv.residual ? "_res" : "");
        snprintf(k->invoke, sizeof k->invoke, "EFFCC_CONV1X1(%s, %d, %d, %d, %s, %s)", k->name,
                 pixels, in.c, out.c, act, res);
        return;
    }
    if (n->conv.residual) {
        fprintf(stderr, "effcc: internal error: codegen: residual on a k×k conv (%s)\n", n->label);
        abort();
    }
    pad_text(n, pad, sizeof pad);
    if (n->conv.groups == 1 && n->in[0] == 0) {
        snprintf(k->name, sizeof k->name, "conv_k%ds%d%s_c%dto%d_h%dw%d_%s", n->conv.kernel,
                 n->conv.stride, pad, in.c, out.c, in.h, in.w, act);
        snprintf(k->invoke, sizeof k->invoke,
                 "EFFCC_CONV_NCHW(%s, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %s)", k->name, in.c,
                 in.h, in.w, out.c, out.h, out.w, n->conv.kernel, n->conv.stride, n->conv.pad[0],
                 n->conv.pad[1], act);
        return;
    }
    if (n->conv.groups == in.c && in.c == out.c) {
        snprintf(k->name, sizeof k->name, "dwconv_k%ds%d%s_c%d_h%dw%d_%s", n->conv.kernel,
                 n->conv.stride, pad, in.c, in.h, in.w, act);
        snprintf(k->invoke, sizeof k->invoke,
                 "EFFCC_DWCONV(%s, %d, %d, %d, %d, %d, %d, %d, %d, %d, %s)", k->name, in.c, in.h,
                 in.w, out.h, out.w, n->conv.kernel, n->conv.stride, n->conv.pad[0],
                 n->conv.pad[1], act);
        return;
    }
    fprintf(stderr, "effcc: internal error: codegen: no kernel for conv %s\n", n->label);
    abort();
}

void kernel_for_node(const Graph *g, int i, Kernel *k)
{
    const Node *n = &g->nodes[i];
    Shape in = n->nin ? g->nodes[n->in[0]].shape : n->shape;
    int pixels = in.h * in.w;
    memset(k, 0, sizeof *k);
    switch (n->op) {
    case OP_INPUT:
        k->call = CALL_NONE;
        return;
    case OP_CONV2D:
    case OP_LINEAR:
        conv_kernel(g, n, k);
        return;
    case OP_AVGPOOL:
        k->call = CALL_UNARY;
        snprintf(k->name, sizeof k->name, "avgpool_p%d_c%d", pixels, in.c);
        snprintf(k->invoke, sizeof k->invoke, "EFFCC_AVGPOOL(%s, %d, %d)", k->name, pixels, in.c);
        return;
    case OP_SCALE:
        k->call = CALL_BINARY;
        snprintf(k->name, sizeof k->name, "scale_p%d_c%d", pixels, in.c);
        snprintf(k->invoke, sizeof k->invoke, "EFFCC_SCALE(%s, %d, %d)", k->name, pixels, in.c);
        return;
    case OP_ADD:
        k->call = CALL_BINARY;
        snprintf(k->name, sizeof k->name, "add_n%zu", shape_numel(in));
        snprintf(k->invoke, sizeof k->invoke, "EFFCC_ADD(%s, %zu)", k->name, shape_numel(in));
        return;
    case OP_ACT:
        k->call = CALL_UNARY;
        snprintf(k->name, sizeof k->name, "%s_n%zu", act_names[n->act.kind], shape_numel(in));
        snprintf(k->invoke, sizeof k->invoke, "EFFCC_ACT(%s, %zu, %s)", k->name, shape_numel(in),
                 act_names[n->act.kind]);
        return;
    case OP_BATCHNORM:
    case OP_COUNT:
        break;
    }
    fprintf(stderr, "effcc: internal error: codegen: no kernel for %s (%s)\n", op_names[n->op],
            n->label);
    abort();
}
