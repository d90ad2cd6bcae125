/* int8_values.c — every value of effcc's int8 evaluation, for model_test.py
 * to hold against LiteRT's intermediate tensors.
 *
 *   int8_values VALUES.f32 run SPEC.yaml [the options of effcc run]
 *
 * The options go through effcc's own parser (cli_parse) and the graph
 * through int8_prepare (driver/int8.c), as `effcc run --quantize int8` does;
 * --save-quantized writes the same model, which model_test.py checks byte
 * for byte. Then, for each input of
 * --input in turn, ir_eval_int8 runs and every live node's value, as its
 * visitor sees it (dequantized, NCHW float32), is appended to VALUES.f32 in
 * node order; --output gets the logits as effcc run writes them. */
#include "effcc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    FILE *f;
    const char *path;
} Values;

static void visit(void *ctx, const Graph *g, int node, const float *value)
{
    Values *v = ctx;
    size_t n = shape_numel(g->nodes[node].shape);
    if (fwrite(value, sizeof(float), n, v->f) != n)
        error_in(v->path, "write error: %s", strerror(errno));
}

static float *read_floats(Arena *a, const char *path, size_t *count)
{
    Buf b = read_file_max(path, (size_t)1 << 31);
    *count = b.len / sizeof(float);
    float *x = arena_array(a, *count ? *count : 1, sizeof(float));
    memcpy(x, b.data, *count * sizeof(float));
    buf_free(&b);
    return x;
}

static void work(Arena *a, const Options *o, const char *values)
{
    Spec *spec = spec_load(a, o->spec);
    Model *m = scale_model(a, spec, &o->scale);
    Graph *g = lower_model(a, m);
    if (o->weights)
        weights_load(g, o->weights, o->allow_nonfinite);
    else
        weights_synthesize(g, o->has_seed ? o->seed : 1);
    int8_prepare(a, o, g, NULL);

    size_t in = shape_numel(g->nodes[0].shape), out = shape_numel(g->nodes[g->output].shape);
    size_t total;
    float *x = read_floats(a, o->input, &total);
    if (total == 0 || total % in)
        error_in(o->input, "not a whole number of %zu-float inputs", in);
    size_t count = total / in;
    float *logits = arena_array(a, count * out, sizeof(float));
    Values v = {fopen(values, "wb"), values};
    if (!v.f)
        error_in(values, "cannot create: %s", strerror(errno));
    for (size_t i = 0; i < count; i++)
        ir_eval_int8(g, x + i * in, logits + i * out, visit, &v);
    if (fclose(v.f) != 0)
        error_in(values, "write error: %s", strerror(errno));
    write_file(o->output, logits, count * out * sizeof(float));
}

int main(int argc, char **argv)
{
    if (argc < 3 || strcmp(argv[2], "run") != 0) {
        fprintf(stderr, "usage: int8_values VALUES.f32 run SPEC.yaml [effcc run options]\n");
        return 2;
    }
    if (!host_little_endian()) {
        fprintf(stderr, "int8_values: writes host floats; this host is big-endian\n");
        return 2;
    }
    const char *values = argv[1];
    argv[1] = argv[0]; /* effcc's own command line: argv[0] run SPEC ... */
    Options o;
    int status = cli_parse(&o, argc - 1, argv + 1);
    if (status >= 0)
        return status;
    if (!o.quantize_int8) {
        fprintf(stderr, "int8_values: needs --quantize int8\n");
        return 2;
    }
    Arena *a = arena_new();
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        work(a, &o, values);
        diag_pop(&f);
        status = 0;
    } else {
        fprintf(stderr, "int8_values: %s\n", diag_message());
        status = 1;
    }
    arena_free(a);
    cli_free(&o);
    return status;
}
