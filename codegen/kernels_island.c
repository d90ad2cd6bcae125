/* kernels_island.c — the kernels of an int8 graph's float islands: the
 * nodes kept in float (--keep-float) and the QUANTIZE copies int8 nodes
 * read of them (passes/layout_int8.c).
 *
 * An island kernel computes what ir/eval_int8.c computes for a kept node:
 * its int8 inputs dequantized to float, then ir/eval.c's arithmetic in
 * ir/eval.c's order (each output a sum in double over ci, ky, kx, rounded
 * once to float; several outputs side by side, which changes no sum), so
 * the generated code is bit-exact to `effcc run` here too. Each product is
 * of two floats, exact in double, so whether a compiler fuses a multiply
 * and an add changes nothing. Doubles cost speed: islands are the few
 * layers a user keeps for accuracy. */
#include "kernels.h"

#include <stdarg.h>

static void begin(Kernel *k, const char *fmt, ...) EFFCC_PRINTF(2, 3);
static void begin(Kernel *k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kernel_vbegin(k, CALL_UNARY, fmt, ap);
    va_end(ap);
}

/* G_X<slot>T, the C type of input slot's value, and G_X<slot>(i), its
 * element i as a float: an int8 value's dequantized (scale and zero
 * point as literals), a float value's as stored. */
static void input_params(const Graph *g, const Node *n, int slot, Kernel *k)
{
    const Node *v = &g->nodes[n->in[slot]];
    char name[8], text[96];
    snprintf(name, sizeof name, "G_X%dT", slot);
    kernel_text_param(k, name, v->qfloat ? "float" : "int8_t");
    snprintf(name, sizeof name, "G_X%d", slot);
    if (v->qfloat)
        snprintf(text, sizeof text, "x%d[$1]", slot);
    else
        snprintf(text, sizeof text, "effcc_dequantize(x%d[$1], %a, %d)", slot, (double)v->q.scale,
                 (int)v->q.zp);
    kernel_text_param(k, name, text);
}

static void conv(const Graph *g, int i, const Node *n, Kernel *k)
{
    const Node *in = &g->nodes[n->in[0]];
    int groups = n->conv.groups;
    begin(k, "f%d_%s_k%ds%d_c%dto%d", i, n->op == OP_LINEAR ? "fc" : "conv", n->conv.kernel,
          n->conv.stride, in->shape.c, n->shape.c);
    kernel_conv_geometry(k, n, in);
    kernel_param(k, "G_CI", in->shape.c);
    kernel_param(k, "G_CIG", in->shape.c / groups);  /* input channels a group */
    kernel_param(k, "G_COG", n->shape.c / groups);   /* output channels a group */
    kernel_param(k, "G_CO", n->shape.c);
    kernel_param(k, "G_BIAS", n->conv.bias >= 0);
    kernel_param(k, "G_FORM", island_form(g, n));
    kernel_param(k, "G_PWB", island_pointwise(n));
    kernel_param(k, "G_PB", ISLAND_PIXELS);
    kernel_param(k, "G_CO8", n->shape.c / 8 * 8);
    kernel_text_param(k, "G_ACT", n->conv.act == ACT_NONE ? "" : act_names[n->conv.act]);
    kernel_expand(k, "EFFCC_F_CONV");
}

void kernel_for_island(const Graph *g, int i, Kernel *k)
{
    const Node *n = &g->nodes[i];
    *k = (Kernel){.arena = g->arena};
    if (n->op == OP_QUANTIZE) { /* the int8 copy: the graph input's QUANTIZE, one channel */
        begin(k, "q%d_quantize_n%zu", i, shape_numel(n->shape));
        char scale[48];
        snprintf(scale, sizeof scale, "%a", (double)n->q.scale);
        kernel_text_param(k, "G_SCALE", scale);
        kernel_param(k, "G_ZP", n->q.zp);
        kernel_param(k, "G_C", 1);
        kernel_param(k, "G_P", (long long)shape_numel(n->shape));
        kernel_expand(k, "EFFCC_Q_INPUT");
        return;
    }
    for (int slot = 0; slot < n->nin; slot++)
        input_params(g, n, slot, k);
    const Node *a = &g->nodes[n->in[0]];
    switch (n->op) {
    case OP_CONV2D:
    case OP_LINEAR: conv(g, i, n, k); return;
    case OP_ACT:
        begin(k, "f%d_%s_n%zu", i, act_names[n->act.kind], shape_numel(n->shape));
        kernel_text_param(k, "G_ACT", act_names[n->act.kind]);
        kernel_param(k, "G_N", (long long)shape_numel(n->shape));
        kernel_expand(k, "EFFCC_F_ACT");
        return;
    case OP_AVGPOOL:
        begin(k, "f%d_mean_p%d_c%d", i, a->shape.h * a->shape.w, a->shape.c);
        kernel_param(k, "G_P", (long long)a->shape.h * a->shape.w);
        kernel_param(k, "G_C", a->shape.c);
        kernel_expand(k, "EFFCC_F_MEAN");
        return;
    case OP_SCALE:
        begin(k, "f%d_mul_p%d_c%d", i, n->shape.h * n->shape.w, n->shape.c);
        kernel_param(k, "G_P", (long long)n->shape.h * n->shape.w);
        kernel_param(k, "G_C", n->shape.c);
        kernel_expand(k, "EFFCC_F_MUL");
        return;
    case OP_ADD:
        begin(k, "f%d_add_n%zu", i, shape_numel(n->shape));
        kernel_param(k, "G_N", (long long)shape_numel(n->shape));
        kernel_expand(k, "EFFCC_F_ADD");
        return;
    case OP_INPUT: /* quantize refuses to keep it */
    case OP_BATCHNORM:
    case OP_QUANTIZE:
    case OP_COUNT: break;
    }
    internal_error("kernels_island: op %s kept in float", op_names[n->op]);
}

/* The call of island node i's kernel: its values (void *: float or int8),
 * a conv's float weight and bias. */
void kernel_call_island(const Graph *g, int i, const Kernel *k, int call, Buf *b)
{
    const Node *n = &g->nodes[i];
    buf_printf(b, "    EFFCC_PROF(%d, %s(", call, k->name);
    for (int slot = 0; slot < n->nin; slot++)
        buf_printf(b, "(const void *)(A + %zu), ", g->nodes[n->in[slot]].offset);
    if ((n->op == OP_CONV2D || n->op == OP_LINEAR) && n->qfloat) {
        const Param *ps = g->params;
        buf_printf(b, "(const float *)(const void *)(W + %zu), ", ps[n->conv.weight].offset / 4);
        if (n->conv.bias >= 0)
            buf_printf(b, "(const float *)(const void *)(W + %zu), ", ps[n->conv.bias].offset / 4);
    }
    if (n->scratch)
        buf_printf(b, "A + %zu, ", n->scratch_offset);
    buf_printf(b, "A + %zu));\n", n->offset);
}

/* The logits of a graph whose output is kept in float: copied. */
void kernel_output_island(const Graph *g, Kernel *k)
{
    *k = (Kernel){.arena = g->arena};
    size_t count = shape_numel(g->nodes[g->output].shape);
    begin(k, "f_output_n%zu", count);
    kernel_param(k, "G_N", (long long)count);
    kernel_expand(k, "EFFCC_F_OUTPUT");
}
