/* info.c — `effcc info`: what the scaled model is and what it costs.
 *
 * The rows come from the Model (stages as scaled) and the totals from the
 * graph after the pipeline: parameters as torchvision counts them,
 * multiply-adds, the bytes of the generated weights blob and the planned
 * activation arena. */
#include "ir.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

typedef struct {
    const char *kind; /* "stem", "stage", "head" */
    int index;        /* 1-based stage number */
    int repeats, in_channels, out_channels, expanded, kernel, stride;
    int out_h, out_w;
} Row;

typedef struct {
    Row *rows;
    int nrows;
    GraphStats stats;
    size_t weights_bytes;
} Report;

static Report build_report(const Model *m, const Graph *g)
{
    Report r = {.rows = arena_array(g->arena, (size_t)m->nstages + 2, sizeof(Row))};
    int pad = (m->stem_kernel - 1) / 2;
    int h = conv_out_size(m->resolution, m->stem_kernel, m->stem_stride, pad, pad);
    r.rows[r.nrows++] = (Row){"stem", 0, 1, m->in_channels, m->stem_channels, 0, m->stem_kernel,
                              m->stem_stride, h, h};
    for (int i = 0; i < m->nstages; i++) {
        const ModelStage *s = &m->stages[i];
        pad = (s->kernel - 1) / 2;
        h = conv_out_size(h, s->kernel, s->stride, pad, pad);
        r.rows[r.nrows++] = (Row){"stage", i + 1, s->repeats, s->in_channels, s->out_channels,
                                  expanded_channels(s->in_channels, s->expand, m->divisor),
                                  s->kernel, s->stride, h, h};
    }
    int last = m->nstages ? m->stages[m->nstages - 1].out_channels : m->stem_channels;
    r.rows[r.nrows++] = (Row){"head", 0, 1, last, m->head_channels, 0, 1, 1, h, h};
    r.stats = graph_stats(g);
    size_t *offsets = arena_array(g->arena, (size_t)g->nparams, sizeof(size_t));
    r.weights_bytes = weights_blob_layout(g, offsets);
    return r;
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

void info_print_text(FILE *out, const Model *m, const Graph *g)
{
    Report r = build_report(m, g);
    char b1[40];
    fprintf(out, "%s: input %dx%dx%d, width x%.6g, depth x%.6g, %d classes, bn eps %g\n\n",
            m->name, m->in_channels, m->resolution, m->resolution, m->width, m->depth,
            m->classes, m->bn_eps);
    fprintf(out, "%-8s %7s %16s %8s %6s %6s %9s\n", "stage", "repeats", "channels", "expanded",
            "kernel", "stride", "output");
    for (int i = 0; i < r.nrows; i++) {
        const Row *w = &r.rows[i];
        char ch[32], exp[16] = "-", size[24];
        snprintf(ch, sizeof ch, "%d -> %d", w->in_channels, w->out_channels);
        if (w->expanded)
            snprintf(exp, sizeof exp, "%d", w->expanded);
        snprintf(size, sizeof size, "%dx%d", w->out_h, w->out_w);
        if (w->index)
            fprintf(out, "%-8d", w->index);
        else
            fprintf(out, "%-8s", w->kind);
        fprintf(out, " %7d %16s %8s %6d %6d %9s\n", w->repeats, ch, exp, w->kernel, w->stride,
                size);
    }
    char ch[32];
    snprintf(ch, sizeof ch, "%d -> %d", m->head_channels, m->classes);
    fprintf(out, "%-8s %7d %16s   (average pool, linear)\n\n", "classify", 1, ch);
    fprintf(out, "parameters      %15s\n", grouped(b1, r.stats.parameters));
    fprintf(out, "multiply-adds   %15s  (%.3f G)\n", grouped(b1, r.stats.macs),
            (double)r.stats.macs / 1e9);
    fprintf(out, "weights bytes   %15s\n", grouped(b1, r.weights_bytes));
    fprintf(out, "arena bytes     %15s\n", grouped(b1, g->arena_bytes));
}

static cJSON *row_json(const Row *w)
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
    cJSON_AddNumberToObject(o, "output_height", w->out_h);
    cJSON_AddNumberToObject(o, "output_width", w->out_w);
    return o;
}

void info_print_json(FILE *out, const Model *m, const Graph *g)
{
    Report r = build_report(m, g);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", m->name);
    cJSON_AddNumberToObject(o, "resolution", m->resolution);
    cJSON_AddNumberToObject(o, "classes", m->classes);
    cJSON_AddNumberToObject(o, "width", m->width);
    cJSON_AddNumberToObject(o, "depth", m->depth);
    cJSON_AddNumberToObject(o, "bn_eps", m->bn_eps);
    cJSON_AddNumberToObject(o, "parameters", (double)r.stats.parameters);
    cJSON_AddNumberToObject(o, "macs", (double)r.stats.macs);
    cJSON_AddNumberToObject(o, "weights_bytes", (double)r.weights_bytes);
    cJSON_AddNumberToObject(o, "arena_bytes", (double)g->arena_bytes);
    cJSON *rows = cJSON_AddArrayToObject(o, "layers");
    for (int i = 0; i < r.nrows; i++)
        cJSON_AddItemToArray(rows, row_json(&r.rows[i]));
    char *text = cJSON_PrintUnformatted(o);
    fprintf(out, "%s\n", text);
    free(text);
    cJSON_Delete(o);
}
