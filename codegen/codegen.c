/* codegen.c — writes the self-contained folder for one compiled graph.
 *
 * Files: NAME.h, NAME.c (kernels from templates/kernels.m4 plus NAME_run),
 * NAME_weights.bin and NAME_weights.S, main.c (the harness) with labels.c
 * (class names) and the image reader (effcc_image.c, stb_image.h), Makefile,
 * CMakeLists.txt, and the runtime headers. Every C and build file comes out
 * of m4 (codegen/m4.c); the glue code of NAME_run is written with
 * buf_printf. Requires: the pipeline has run (packed weights, memory plan). */
#include "codegen.h"
#include "kernels.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* User text (names, paths, the command line, class names) never reaches m4:
 * m4 rescans whatever a macro expands to, so text like m4_esyscmd(…) would
 * run however it was quoted. m4 sees a mark instead, USER_MARK, the text's
 * index and USER_END (bytes no template holds), and the marks are replaced
 * in m4's output, which is never scanned again. */
#define USER_MARK '\x01'
#define USER_END '\x02'

typedef struct {
    const Graph *g;
    const CodegenOptions *o;
    const char *dir;
    Buf defines;     /* m4_define lines shared by every template */
    Buf blob;        /* the weights */
    Buf user;        /* const char * per user text, the index its mark holds */
    const char *name; /* the mark of o->name */
    Buf m4_in, m4_out, text; /* expand's buffers, kept for the next file */
    Buf src, run;            /* the text a file's template is given */
} Gen;

/* The mark standing for s in m4's input. */
static const char *user_text(Gen *G, const char *s)
{
    size_t index = G->user.len / sizeof s;
    buf_append(&G->user, &s, sizeof s);
    return arena_printf(G->g->arena, "%c%zu%c", USER_MARK, index, USER_END);
}

/* m4's output with every mark replaced by its text. */
static void fill_user_text(const Gen *G, const Buf *m4_out, Buf *out)
{
    const char *const *texts = (const char *const *)G->user.data;
    size_t count = G->user.len / sizeof *texts, pos = 0;
    while (pos < m4_out->len) {
        const char *p = m4_out->data + pos, *mark = memchr(p, USER_MARK, m4_out->len - pos);
        size_t plain = mark ? (size_t)(mark - p) : m4_out->len - pos;
        buf_append(out, p, plain);
        pos += plain;
        if (!mark)
            break;
        char *end;
        size_t index = strtoul(mark + 1, &end, 10);
        if (end == mark + 1 || *end != USER_END || index >= count)
            internal_error("codegen.c: a malformed user-text mark in m4's output");
        buf_append(out, texts[index], strlen(texts[index]));
        pos = (size_t)(end + 1 - m4_out->data);
    }
}

static void append_embedded(Buf *b, const char *path)
{
    const EmbeddedFile *f = embedded_find(path);
    if (!f)
        internal_error("%s is not embedded", path);
    buf_append(b, f->data, f->size);
}

/* Names the folder already uses: the files effcc writes beside NAME.c, and
 * the targets of its Makefile and CMakeLists.txt (CMake reserves some, and
 * links the math library as m). A model named like one of them would
 * overwrite a file or clash with a target, so the name is refused. */
static const char *const taken_names[] = {
    "main", "labels", "report", "Makefile", "CMakeLists", "all", "clean", "help", "install",
    "test", "package", "package_source", "edit_cache", "rebuild_cache", "depend", "preinstall",
    "list_install_components", "ALL_BUILD", "ZERO_CHECK", "RUN_TESTS", "m",
};

/* Compares case-insensitively: main.c and Main.c are one file on some disks. */
static bool same_name(const char *a, const char *b, size_t n)
{
    return strlen(a) == n && strncasecmp(a, b, n) == 0;
}

void codegen_check_name(const char *name, const char *origin)
{
    bool ok = name[0] == '_' || isalpha((unsigned char)name[0]);
    for (const char *p = name; *p; p++)
        ok = ok && (*p == '_' || isalnum((unsigned char)*p));
    if (!ok || strlen(name) > 64)
        error_msg("%s '%s' is not a C identifier of at most 64 characters", origin, name);
    /* effcc's runtime files and macros start with these */
    static const char *const prefixes[] = {"effcc", "stb", "m4_", "GEN_"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (!strncasecmp(name, prefixes[i], strlen(prefixes[i])))
            error_msg("%s '%s': names starting with %s (in any case) are reserved for effcc's "
                      "own files and macros", origin, name, prefixes[i]);
    for (size_t i = 0; i < sizeof taken_names / sizeof taken_names[0]; i++)
        if (same_name(name, taken_names[i], strlen(taken_names[i])))
            error_msg("%s '%s': the generated folder has a file or build target of that name",
                      origin, name);
    for (size_t i = 0; i < embedded_file_count; i++) {
        const char *path = embedded_files[i].path, *stem = strrchr(path, '/') + 1;
        if (!strncmp(path, "runtime/", 8) && same_name(name, stem, strcspn(stem, ".")))
            error_msg("%s '%s': the generated folder has a runtime file of that name", origin,
                      name);
    }
}

/* One m4 run: prelude, the shared defines, the templates, then the text. */
static void expand(Gen *G, const char *outfile, const char *template, const Buf *tail)
{
    G->m4_in.len = G->m4_out.len = G->text.len = 0;
    append_embedded(&G->m4_in, "codegen/templates/prelude.m4");
    buf_append(&G->m4_in, G->defines.data, G->defines.len);
    append_embedded(&G->m4_in, arena_printf(G->g->arena, "codegen/templates/%s", template));
    if (tail)
        buf_append(&G->m4_in, tail->data, tail->len);
    m4_expand(outfile, G->m4_in.data, G->m4_in.len, &G->m4_out);
    fill_user_text(G, &G->m4_out, &G->text);
    write_file(arena_printf(G->g->arena, "%s/%s", G->dir, outfile), G->text.data, G->text.len);
}

static void define(Gen *G, const char *name, const char *value)
{
    m4_define_text(&G->defines, name, value);
}

static void define_int(Gen *G, const char *name, long long value)
{
    m4_define_int(&G->defines, name, value);
}

/* Text that lands in comments (C, and # in Makefile and CMakeLists.txt):
 * printable ASCII, no early end of a C comment, and no backslash ending
 * the line, which would continue a make comment onto the next line. */
char *codegen_comment_text(Arena *a, const char *s)
{
    char *out = arena_strdup(a, s);
    for (char *p = out; *p; p++) {
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            *p = '?';
        if (p[0] == '*' && p[1] == '/')
            p[1] = '|';
    }
    size_t n = strlen(out);
    if (n && out[n - 1] == '\\')
        out[n - 1] = '?';
    return out;
}

/* The same facts at the top of every file, as C and as # comments. */
static void define_provenance(Gen *G)
{
    const GraphSource *src = &G->g->source;
    Shape in = G->g->nodes[0].shape;
    GraphStats st = graph_stats(G->g);
    Arena *a = G->g->arena;
    const char *lines[] = {
        arena_printf(a, "Generated by effcc %s; do not edit.", EFFCC_VERSION),
        arena_printf(a, "Command: %s", user_text(G, codegen_comment_text(a, G->o->command))),
        arena_printf(a, "Spec: fnv1a64 %016llx", (unsigned long long)src->spec_hash),
        arena_printf(a, "Model: %s, input %dx%dx%d, width %.6g, depth %.6g, %d classes, bn eps %g",
                     user_text(G, src->name), in.c, in.h, in.w, src->width, src->depth,
                     G->g->nodes[G->g->output].shape.c, src->bn_eps),
        arena_printf(a, "Size: %llu parameters, %llu multiply-adds, %zu weight bytes, %zu arena bytes",
                     (unsigned long long)st.parameters, (unsigned long long)st.macs, G->blob.len,
                     G->g->arena_bytes),
        arena_printf(a, "Target: %s", G->g->target->name),
    };
    Buf c = {0}, hash = {0};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        buf_printf(&c, " * %s\n", lines[i]);
        buf_printf(&hash, "# %s\n", lines[i]);
    }
    define(G, "GEN_PROVENANCE", c.data);
    define(G, "GEN_PROVENANCE_HASH", hash.data);
    buf_free(&c);
    buf_free(&hash);
}

/* A float literal that round-trips: 127.0f, 123.675003f. */
static void float_literal(Buf *b, double x)
{
    char text[64];
    snprintf(text, sizeof text, "%.9g", (double)(float)x);
    buf_printf(b, "%s%sf", text, strpbrk(text, ".e") ? "" : ".0");
}

/* GEN_IN_MEAN, GEN_IN_STD: float initialisers, one number per channel. */
static void define_normalisation(Gen *G)
{
    const GraphSource *src = &G->g->source;
    Buf mean = {0}, std = {0};
    for (int c = 0; c < G->g->nodes[0].shape.c; c++) {
        buf_printf(&mean, "%s", c ? ", " : "");
        float_literal(&mean, src->mean[c]);
        buf_printf(&std, "%s", c ? ", " : "");
        float_literal(&std, src->std[c]);
    }
    define(G, "GEN_IN_MEAN", mean.data);
    define(G, "GEN_IN_STD", std.data);
    buf_free(&mean);
    buf_free(&std);
}

static void define_model(Gen *G)
{
    const Node *in = &G->g->nodes[0];
    Arena *a = G->g->arena;
    char *guard = arena_printf(a, "%s_H", G->o->name);
    for (char *p = guard; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    define(G, "GEN_NAME", G->name);
    define(G, "GEN_GUARD", user_text(G, guard));
    define(G, "GEN_DESCRIPTION",
           arena_printf(a, "%s compiled by effcc: %dx%d input, %d classes.",
                        user_text(G, G->g->source.name), in->shape.h, in->shape.w,
                        G->g->nodes[G->g->output].shape.c));
    define_int(G, "GEN_IN_C", (long long)in->shape.c);
    define_int(G, "GEN_IN_H", (long long)in->shape.h);
    define_int(G, "GEN_IN_W", (long long)in->shape.w);
    define_int(G, "GEN_CLASSES", (long long)G->g->nodes[G->g->output].shape.c);
    define_normalisation(G);
    define_int(G, "GEN_ARENA_BYTES", (long long)G->g->arena_bytes);
    define_int(G, "GEN_WEIGHTS_BYTES", (long long)G->blob.len);
    define_int(G, "GEN_THREADS", (long long)G->g->threads);
    bool int8 = G->g->done & DONE_QUANTIZE;
    define_int(G, "GEN_INT8", int8);
    if (int8) {
        char scale[48];
        snprintf(scale, sizeof scale, "%a", (double)in->q.scale);
        define(G, "GEN_IN_SCALE", scale);
        define_int(G, "GEN_IN_ZP", in->q.zp);
    }
    define(G, "GEN_TARGET", G->g->target->name);
    define(G, "GEN_TARGET_CFLAGS", G->g->target->cflags);
    define_provenance(G);
}

/* The blob: every param a kernel reads, at the offset plan_weights gave it. */
static void build_blob(Gen *G)
{
    const Graph *g = G->g;
    G->blob.data = calloc(1, g->weights_bytes + 1);
    if (!G->blob.data)
        internal_error("out of memory for a %zu-byte weights blob", g->weights_bytes);
    G->blob.len = G->blob.cap = g->weights_bytes;
    for (int i = 0; i < g->nparams; i++) {
        const Param *p = &g->params[i];
        if (p->offset == SIZE_MAX)
            continue;
        const void *data = p->type == PARAM_I8 ? (const void *)p->i8
                           : p->type == PARAM_I32 ? (const void *)p->i32
                                                  : (const void *)p->data;
        if (!data)
            internal_error("%s has no data", p->name);
        memcpy(G->blob.data + p->offset, data, (size_t)param_bytes(p));
    }
}

static const char *value_ptr(const Gen *G, int v)
{
    if (v == 0)
        return "input";
    return arena_printf(G->g->arena, "A + %zu", G->g->nodes[v].offset / sizeof(float));
}

static const char *weight_args(Gen *G, const Node *n)
{
    if (n->conv.bias < 0)
        internal_error("conv %s has no bias", n->label);
    const Param *ps = G->g->params;
    return arena_printf(G->g->arena, "W + %zu, W + %zu", ps[n->conv.weight].offset / sizeof(float),
                        ps[n->conv.bias].offset / sizeof(float));
}

/* One line of NAME_run: EFFCC_PROF(call, kernel(args…)); the macro times
 * the call in profile builds and is the bare call otherwise. */
static void emit_call(Gen *G, Buf *b, int i, int call, const Kernel *k)
{
    const Node *n = &G->g->nodes[i];
    const char *out = value_ptr(G, i), *in = value_ptr(G, n->in[0]);
    buf_printf(b, "    /* %%%d %s %s: %dx%dx%d */\n    EFFCC_PROF(%d, ", i, op_names[n->op], n->label,
               n->shape.c, n->shape.h, n->shape.w, call);
    switch (k->call) {
    case CALL_GEMM:
        buf_printf(b, "%s(%s, %s, %s", k->name, in, weight_args(G, n), out);
        if (n->conv.residual)
            buf_printf(b, ", %s", value_ptr(G, n->in[1]));
        if (n->conv.gate)
            buf_printf(b, ", %s, A + %zu", value_ptr(G, n->in[2]), n->scratch_offset / sizeof(float));
        break;
    case CALL_DW:
        buf_printf(b, "%s(%s, %s, %s", k->name, in, weight_args(G, n), out);
        if (n->conv.pool >= 0)
            buf_printf(b, ", %s, A + %zu", value_ptr(G, n->conv.pool),
                       n->scratch_offset / sizeof(float));
        break;
    case CALL_EXPDW: {
        const Node *e = &G->g->nodes[n->in[0]];
        buf_printf(b, "%s(%s, %s, %s, %s", k->name, value_ptr(G, e->in[0]), weight_args(G, e),
                   weight_args(G, n), out);
        if (n->conv.pool >= 0)
            buf_printf(b, ", %s", value_ptr(G, n->conv.pool));
        buf_printf(b, ", A + %zu", n->scratch_offset / sizeof(float));
        break;
    }
    case CALL_STEM:
        buf_printf(b, "%s(%s, %s, %s, A + %zu", k->name, in, weight_args(G, n), out,
                   n->scratch_offset / sizeof(float));
        break;
    case CALL_UNARY:
        buf_printf(b, "%s(%s, %s", k->name, in, out);
        break;
    case CALL_BINARY:
        buf_printf(b, "%s(%s, %s, %s", k->name, in, value_ptr(G, n->in[1]), out);
        break;
    case CALL_NONE:
        break;
    }
    buf_printf(b, "));\n");
}

/* Profile builds (-DEFFCC_PROFILE) time every call: a table of labels,
 * kernel names and multiply-adds per call, and the accumulated times. */
static void emit_profile(Gen *G, Buf *b, const Kernel *ks, int calls)
{
    const Graph *g = G->g;
    const char *name = G->name;
    buf_printf(b, "\n#ifdef EFFCC_PROFILE\n#include \"effcc_timer.h\"\n");
    buf_printf(b, "double %s_profile_ms[%d], %s_profile_min_ms[%d];\n", name, calls, name, calls);
    buf_printf(b, "const char *const %s_profile_labels[%d] = {\n", name, calls);
    for (int i = 0; i < g->nnodes; i++)
        if (ks[i].call != CALL_NONE)
            buf_printf(b, "    \"%s %s\",\n", g->nodes[i].label, ks[i].name);
    buf_printf(b, "};\nconst double %s_profile_macs[%d] = {\n", name, calls);
    for (int i = 0; i < g->nnodes; i++)
        if (ks[i].call != CALL_NONE)
            buf_printf(b, "    %.0f,\n", (double)call_macs(g, &g->nodes[i]));
    buf_printf(b, "};\n#define EFFCC_PROF(i, ...) do { double t0_ = effcc_now_ms(); __VA_ARGS__; "
                  "t0_ = effcc_now_ms() - t0_; %s_profile_ms[i] += t0_; if (t0_ < %s_profile_min_ms[i] "
                  "|| %s_profile_min_ms[i] == 0) %s_profile_min_ms[i] = t0_; } while (0)\n",
               name, name, name, name);
    buf_printf(b, "#else\n#define EFFCC_PROF(i, ...) __VA_ARGS__\n#endif\n");
}

/* The top of NAME.c, float or int8. */
static void model_c_head(Gen *G, Buf *text)
{
    const char *name = G->name;
    buf_printf(text, "/* %s.c - the model: %s\n *\nGEN_PROVENANCE */\n", name,
               "its kernels, each specialised to its shapes, and the schedule.");
    buf_printf(text, "#if defined(EFFCC_PROFILE) && !defined(_POSIX_C_SOURCE)\n"
                      "#define _POSIX_C_SOURCE 200809L /* clock_gettime */\n#endif\n");
    buf_printf(text, "#include \"%s.h\"\n#include \"effcc_runtime.h\"\n", name);
}

/* NAME.c of an int8 graph: QUANTIZE, one kernel per node, DEQUANTIZE
 * (templates/kernels_int8.m4); NAME_run_q starts from int8 input. The
 * weights are read as int8 or int32 (64-byte aligned offsets). */
static void write_model_c_int8(Gen *G)
{
    const Graph *g = G->g;
    const char *name = G->name;
    Buf *text = &G->src, *run = &G->run;
    text->len = run->len = 0;
    model_c_head(G, text);
    buf_printf(text, "#include \"effcc_int8.h\"\n#include <math.h>\n#include <stdint.h>\n\n");
    buf_printf(text, "extern const int32_t %s_weights[]; /* %s_weights.S */\n", name, name);
    Kernel *ks = arena_array(g->arena, (size_t)g->nnodes, sizeof(Kernel));
    Buf calls = {0};
    int ncalls = 0;
    for (int i = 0; i < g->nnodes; i++) {
        kernel_for_node_int8(g, i, &ks[i]);
        buf_printf(text, "%s\n", ks[i].invoke);
        if (g->nodes[i].fused_into >= 0) {
            ks[i].call = CALL_NONE; /* called by the kernel it is fused into */
        } else if (i > 0) {
            kernel_call_int8(g, i, &ks[i], ncalls++, &calls);
        } else {
            buf_printf(run, "\nvoid %s_run(const float *input, float *logits, void *arena)\n{\n"
                            "    %s(input, (int8_t *)arena + %zu);\n"
                            "    %s_run_q((const int8_t *)arena + %zu, logits, arena);\n}\n",
                       name, ks[i].name, g->nodes[0].offset, name, g->nodes[0].offset);
            ks[i].call = CALL_NONE; /* NAME_run's, outside the profile of NAME_run_q */
        }
    }
    emit_profile(G, text, ks, ncalls);
    Kernel k;
    kernel_output_int8(g, &k);
    buf_printf(text, "%s\n", k.invoke);
    buf_printf(text, "\nvoid %s_run_q(const int8_t *input, float *logits, void *arena)\n{\n", name);
    buf_printf(text, "    int8_t *const A = (int8_t *)arena;\n");
    buf_printf(text, "    const int32_t *const W = %s_weights;\n", name);
    buf_printf(text, "    if (input != A + %zu)\n", g->nodes[0].offset);
    buf_printf(text, "        for (ptrdiff_t i = 0; i < %zu; ++i)\n            A[%zu + i] = input[i];\n",
               shape_numel(g->nodes[0].shape), g->nodes[0].offset);
    buf_append(text, calls.data, calls.len);
    buf_printf(text, "    %s(A + %zu, logits);\n}\n", k.name, g->nodes[g->output].offset);
    buf_free(&calls);
    buf_append(text, run->data, run->len);
    define_int(G, "GEN_PROFILE_CALLS", ncalls);
    Buf island = {0}; /* the float islands' templates, then the model */
    append_embedded(&island, "codegen/templates/kernels_island.m4");
    buf_append(&island, text->data, text->len);
    expand(G, arena_printf(g->arena, "%s.c", G->o->name), "kernels_int8.m4", &island);
    buf_free(&island);
}

/* NAME.c: the kernel instances, each defined once, then NAME_run. */
static void write_model_c(Gen *G)
{
    if (G->g->done & DONE_QUANTIZE) {
        write_model_c_int8(G);
        return;
    }
    const Graph *g = G->g;
    const char *name = G->name;
    Kernel *ks = arena_array(g->arena, (size_t)g->nnodes, sizeof(Kernel));
    Buf *text = &G->src, *run = &G->run;
    text->len = run->len = 0;
    model_c_head(G, text);
    buf_printf(text, "#include \"effcc_simd_%s.h\"\n\n", G->g->target->simd);
    if (strcmp(G->g->target->requires, "1") != 0)
        buf_printf(text, "#if !(%s)\n#error \"generated for --target %s: build it with %s\"\n#endif\n\n",
                   G->g->target->requires, G->g->target->name, G->g->target->hint);
    buf_printf(text, "extern const float %s_weights[]; /* %s_weights.S */\n", name, name);
    buf_printf(run, "\nvoid %s_run(const float *input, float *logits, void *arena)\n{\n", name);
    buf_printf(run, "    float *const A = (float *)arena;\n");
    buf_printf(run, "    const float *const W = %s_weights;\n", name);
    int calls = 0;
    for (int i = 0; i < g->nnodes; i++) {
        kernel_for_node(g, i, &ks[i]);
        if (ks[i].call == CALL_NONE)
            continue;
        bool seen = false;
        for (int j = 0; j < i && !seen; j++)
            seen = strcmp(ks[j].name, ks[i].name) == 0;
        if (!seen)
            buf_printf(text, "%s\n", ks[i].invoke);
        emit_call(G, run, i, calls++, &ks[i]);
    }
    Kernel copy;
    kernel_copy(g, &copy);
    buf_printf(text, "%s\n", copy.invoke);
    buf_printf(run, "    %s(%s, logits);\n}\n", copy.name, value_ptr(G, g->output));
    emit_profile(G, text, ks, calls);
    buf_append(text, run->data, run->len);
    define_int(G, "GEN_PROFILE_CALLS", calls);
    expand(G, arena_printf(g->arena, "%s.c", G->o->name), "kernels.m4", text);
}

/* A name as a C string literal: quotes, backslashes and question marks
 * (trigraphs) escaped, bytes outside printable ASCII in octal, so the text
 * holds no m4 quote and compiles under any source character set. */
static void c_string(Buf *b, const char *s)
{
    buf_printf(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\' || *p == '?')
            buf_printf(b, "\\%c", *p);
        else if (*p < 0x20 || *p > 0x7e)
            buf_printf(b, "\\%03o", *p);
        else
            buf_printf(b, "%c", *p);
    }
    buf_printf(b, "\"");
}

/* labels.c: NAME_class_names, one string per class or all NULL. */
static void write_labels(Gen *G)
{
    const char **names = G->o->labels;
    int classes = G->g->nodes[G->g->output].shape.c;
    define(G, "GEN_LABELS_SOURCE",
           names ? user_text(G, codegen_comment_text(G->g->arena, G->o->labels_source))
                 : "none (the harness prints numbers)");
    Buf *lines = &G->run, *text = &G->src;
    lines->len = text->len = 0;
    for (int c = 0; names && c < classes; c++) {
        buf_printf(lines, "    ");
        c_string(lines, names[c]);
        buf_printf(lines, ",\n");
    }
    buf_printf(lines, "%s};\n", names ? "" : "    NULL,\n");
    buf_printf(text, "%s", user_text(G, arena_strdup(G->g->arena, lines->data)));
    expand(G, "labels.c", "labels.m4", text);
}

/* runtime/PATH, written into the folder by its last component: effcc's own
 * files and the vendored ones (runtime/vendor/) sit side by side there. */
static void copy_runtime(Gen *G, const char *path)
{
    const EmbeddedFile *f = embedded_find(arena_printf(G->g->arena, "runtime/%s", path));
    if (!f)
        internal_error("runtime/%s is not embedded", path);
    const char *slash = strrchr(path, '/');
    write_file(arena_printf(G->g->arena, "%s/%s", G->dir, slash ? slash + 1 : path), f->data,
               f->size);
}

static void write_folder(Gen *G)
{
    const CodegenOptions *o = G->o;
    Arena *a = G->g->arena;
    G->name = user_text(G, o->name);
    build_blob(G);
    define_model(G);
    write_file(arena_printf(a, "%s/%s_weights.bin", G->dir, o->name), G->blob.data, G->blob.len);
    expand(G, arena_printf(a, "%s_weights.S", o->name), "weights_s.m4", NULL);
    write_model_c(G); /* first: it defines GEN_PROFILE_CALLS for the header */
    expand(G, arena_printf(a, "%s.h", o->name), "header.m4", NULL);
    expand(G, "main.c", "main.m4", NULL);
    write_labels(G);
    expand(G, "Makefile", "makefile.m4", NULL);
    if (o->report)
        write_file(arena_printf(a, "%s/report.txt", G->dir), o->report, strlen(o->report));
    expand(G, "CMakeLists.txt", "cmake.m4", NULL);
    copy_runtime(G, "effcc_runtime.h");
    copy_runtime(G, "effcc_timer.h");
    copy_runtime(G, "effcc_harness.h");
    copy_runtime(G, "effcc_exp.h");
    copy_runtime(G, arena_printf(a, "effcc_simd_%s.h", G->g->target->simd));
    if (G->g->done & DONE_QUANTIZE)
        copy_runtime(G, "effcc_int8.h");
    copy_runtime(G, "effcc_image.h");
    copy_runtime(G, "effcc_image.c");
    copy_runtime(G, "vendor/stb_image.h");
}

static void free_gen(Gen *G)
{
    Buf *bufs[] = {&G->defines, &G->blob, &G->user, &G->m4_in, &G->m4_out, &G->text, &G->src,
                   &G->run};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        buf_free(bufs[i]);
}

void codegen_write(const Graph *g, const CodegenOptions *o, const char *dir)
{
    Gen *G = arena_alloc(g->arena, sizeof *G); /* not a local: it changes after setjmp */
    *G = (Gen){.g = g, .o = o, .dir = dir};
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        write_folder(G);
        diag_pop(&f);
        free_gen(G);
    } else {
        free_gen(G);
        diag_rethrow();
    }
}
