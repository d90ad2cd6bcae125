/* info.c — `effcc info`: what the scaled model is and what it costs.
 *
 * Everything comes from the graph after the pipeline: the stage table
 * lowering recorded, and the totals: parameters as torchvision counts them,
 * multiply-adds, the bytes of the generated weights blob and the planned
 * activation arena. */
#include "driver.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

typedef struct {
    GraphStats stats;
    size_t weights_bytes;
} Report;

static Report build_report(const Graph *g)
{
    return (Report){.stats = graph_stats(g), .weights_bytes = g->weights_bytes};
}

/* 1234567 → "1,234,567" */
static const char *grouped(char *buf, unsigned long long v)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%llu", v), o = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

/* The kind of layer a kernel call computes: the convolution's role, or
 * the kernel's name for a fused depthwise kernel and the rest; NULL when
 * the node makes no call of its own. */
static const char *kernel_kind(const Graph *g, const Node *n)
{
    if (g->done & DONE_QUANTIZE) { /* int8: one kernel per node (kernels_int8.m4) */
        switch (n->op) {
        case OP_CONV2D:
            if (graph_fused_expansion(g, (int)(n - g->nodes)) >= 0)
                return conv_role(g, &g->nodes[graph_fused_expansion(g, (int)(n - g->nodes))]) ==
                               CONV_STEM
                           ? "stem+dw"
                           : "expand+dw";
            return conv_role_names[conv_role(g, n)];
        case OP_LINEAR: return conv_role_names[conv_role(g, n)];
        case OP_ACT: return act_names[n->act.kind];
        case OP_AVGPOOL: return "mean";
        case OP_SCALE: return "mul";
        case OP_ADD: return "add";
        default: return NULL;
        }
    }
    if (n->tile.kind == KERNEL_NONE)
        return NULL;
    if ((n->op == OP_CONV2D || n->op == OP_LINEAR) && n->tile.kind != KERNEL_EXPDW)
        return conv_role_names[conv_role(g, n)];
    return kernel_name(g, n);
}

static void stage_table(Buf *b, const Graph *g)
{
    buf_printf(b, "%-8s %7s %16s %8s %6s %6s %9s\n", "stage", "repeats", "channels", "expanded",
               "kernel", "stride", "output");
    for (int i = 0; i < g->source.nstages; i++) {
        const GraphStage *w = &g->source.stages[i];
        char ch[32], exp[16] = "-", size[24], name[16];
        snprintf(ch, sizeof ch, "%d -> %d", w->in_channels, w->out_channels);
        if (w->expanded)
            snprintf(exp, sizeof exp, "%d", w->expanded);
        snprintf(size, sizeof size, "%dx%d", w->out.h, w->out.w);
        if (w->index)
            snprintf(name, sizeof name, "%d", w->index);
        else
            snprintf(name, sizeof name, "%s", w->kind);
        buf_printf(b, "%-8s %7d %16s %8s %6d %6d %9s\n", name, w->repeats, ch, exp, w->kernel,
                   w->stride, size);
    }
    char ch[32];
    const Node *out = &g->nodes[g->output];
    snprintf(ch, sizeof ch, "%d -> %d", g->nodes[out->in[0]].shape.c, out->shape.c);
    buf_printf(b, "%-8s %7d %16s   (average pool, linear)\n", "classify", 1, ch);
}

/* One row per kernel call: what it computes and what the arena holds then. */
static void layer_table(Buf *b, const Graph *g)
{
    char macs[40], live[40];
    const size_t *live_bytes = plan_live_bytes(g);
    buf_printf(b, "%-26s %-10s %16s %14s %12s\n", "layer", "kernel", "output (CxHxW)",
               "multiply-adds", "live KiB");
    for (int i = 1; i < g->nnodes; i++) {
        const Node *n = &g->nodes[i];
        const char *kind = n->fused_into < 0 ? kernel_kind(g, n) : NULL;
        if (!kind)
            continue;
        char shape[48];
        snprintf(shape, sizeof shape, "%dx%dx%d", n->shape.c, n->shape.h, n->shape.w);
        buf_printf(b, "%-26s %-10s %16s %14s %12s\n", n->label, kind, shape,
                   grouped(macs, call_macs(g, n)),
                   grouped(live, (live_bytes[i] + 1023) / 1024));
    }
}

void info_report_text(Buf *b, const Graph *g)
{
    Report r = build_report(g);
    const GraphSource *src = &g->source;
    Shape in = g->nodes[0].shape;
    char b1[40];
    size_t bound = plan_whole_tensor_bound(g);
    buf_printf(b, "%s: input %dx%dx%d, width x%.6g, depth x%.6g, %d classes, bn eps %g, target %s\n\n",
               src->name, in.c, in.h, in.w, src->width, src->depth,
               g->nodes[g->output].shape.c, src->bn_eps, g->target->name);
    stage_table(b, g);
    buf_printf(b, "\n");
    layer_table(b, g);
    buf_printf(b, "\nparameters        %15s\n", grouped(b1, r.stats.parameters));
    buf_printf(b, "multiply-adds     %15s  (%.3f G)\n", grouped(b1, r.stats.macs),
               (double)r.stats.macs / 1e9);
    buf_printf(b, "weights bytes     %15s\n", grouped(b1, r.weights_bytes));
    buf_printf(b, "arena bytes       %15s  (%.2f of the whole-tensor bound)\n",
               grouped(b1, g->arena_bytes), bound ? (double)g->arena_bytes / (double)bound : 0.0);
    buf_printf(b, "whole-tensor bound%15s  (the peak if every tensor existed whole)\n",
               grouped(b1, bound));
}

void info_code_size_text(Buf *b, const CodeSize *cs)
{
    char b1[40];
    if (!cs->measured) {
        buf_printf(b, "code size         %s\n", cs->note);
        return;
    }
    buf_printf(b, "code .text        %15s  (%s)\n", grouped(b1, cs->text), cs->note);
    buf_printf(b, "code .rodata      %15s  (weights included)\n", grouped(b1, cs->rodata));
}

void info_print_text(FILE *out, const Graph *g, const CodeSize *cs)
{
    Buf b = {0};
    info_report_text(&b, g);
    if (cs)
        info_code_size_text(&b, cs);
    fwrite(b.data, 1, b.len, out);
    buf_free(&b);
}

static cJSON *row_json(const GraphStage *w)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", w->kind);
    if (w->index)
        cJSON_AddNumberToObject(o, "stage", w->index);
    cJSON_AddNumberToObject(o, "repeats", w->repeats);
    cJSON_AddNumberToObject(o, "in_channels", w->in_channels);
    cJSON_AddNumberToObject(o, "out_channels", w->out_channels);
    if (w->expanded)
        cJSON_AddNumberToObject(o, "expanded_channels", w->expanded);
    cJSON_AddNumberToObject(o, "kernel", w->kernel);
    cJSON_AddNumberToObject(o, "stride", w->stride);
    cJSON_AddNumberToObject(o, "output_height", w->out.h);
    cJSON_AddNumberToObject(o, "output_width", w->out.w);
    return o;
}

static cJSON *layer_json(const Graph *g, int i, const size_t *live_bytes)
{
    const Node *n = &g->nodes[i];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "label", n->label);
    cJSON_AddStringToObject(o, "kernel", kernel_kind(g, n));
    int shape[3] = {n->shape.c, n->shape.h, n->shape.w};
    cJSON_AddItemToObject(o, "output", cJSON_CreateIntArray(shape, 3));
    cJSON_AddNumberToObject(o, "macs", (double)call_macs(g, n));
    cJSON_AddNumberToObject(o, "live_bytes", (double)live_bytes[i]);
    return o;
}

void info_print_json(FILE *out, const Graph *g, const CodeSize *cs)
{
    Report r = build_report(g);
    const GraphSource *src = &g->source;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", src->name);
    cJSON_AddStringToObject(o, "target", g->target->name);
    cJSON_AddNumberToObject(o, "resolution", g->nodes[0].shape.h);
    cJSON_AddNumberToObject(o, "classes", g->nodes[g->output].shape.c);
    cJSON_AddNumberToObject(o, "width", src->width);
    cJSON_AddNumberToObject(o, "depth", src->depth);
    cJSON_AddNumberToObject(o, "bn_eps", src->bn_eps);
    cJSON_AddNumberToObject(o, "parameters", (double)r.stats.parameters);
    cJSON_AddNumberToObject(o, "macs", (double)r.stats.macs);
    cJSON_AddNumberToObject(o, "weights_bytes", (double)r.weights_bytes);
    cJSON_AddNumberToObject(o, "arena_bytes", (double)g->arena_bytes);
    cJSON_AddNumberToObject(o, "whole_tensor_bound_bytes", (double)plan_whole_tensor_bound(g));
    if (cs && cs->measured) {
        cJSON_AddNumberToObject(o, "text_bytes", (double)cs->text);
        cJSON_AddNumberToObject(o, "rodata_bytes", (double)cs->rodata);
    }
    cJSON *rows = cJSON_AddArrayToObject(o, "stages");
    for (int i = 0; i < src->nstages; i++)
        cJSON_AddItemToArray(rows, row_json(&src->stages[i]));
    cJSON *layers = cJSON_AddArrayToObject(o, "layers");
    const size_t *live_bytes = plan_live_bytes(g);
    for (int i = 1; i < g->nnodes; i++)
        if (g->nodes[i].fused_into < 0 && kernel_kind(g, &g->nodes[i]))
            cJSON_AddItemToArray(layers, layer_json(g, i, live_bytes));
    char *text = cJSON_PrintUnformatted(o);
    fprintf(out, "%s\n", text);
    free(text);
    cJSON_Delete(o);
}
