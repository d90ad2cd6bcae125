/* kernels.h — the kernel instances codegen.c asks kernels.c for. */
#ifndef EFFCC_KERNELS_H
#define EFFCC_KERNELS_H

#include "codegen.h"

#include <stdarg.h>

/* How NAME_run calls a kernel instance. */
typedef enum {
    CALL_NONE,   /* no code (the graph input, a pool filled by its producer) */
    CALL_GEMM,   /* name(in, weight, bias, out, residual, gate, scratch) */
    CALL_DW,     /* name(in, weight, bias, out[, pool, pool rows]) */
    CALL_EXPDW,  /* name(in, expand weight, expand bias, weight, bias, out[, pool], scratch) */
    CALL_STEM,   /* name(in, weight, bias, out, patches) */
    CALL_UNARY,  /* name(in, out) */
    CALL_BINARY, /* name(a, b, out) */
} CallKind;

typedef struct {
    CallKind call;
    char name[160];     /* the function's name, unique per parameter set */
    const char *invoke; /* the m4 parameter definitions and the template call */
    Arena *arena;       /* where invoke lives */
    Buf text;           /* invoke while it is written */
} Kernel;

/* kernels.c */
void kernel_for_node(const Graph *g, int i, Kernel *k);
/* An instance's text: its name (printf-style, also G_NAME) and how it is
 * called, G_* parameters, then the template's call (the last step: the
 * text moves into k->arena as k->invoke). */
void kernel_vbegin(Kernel *k, CallKind call, const char *fmt, va_list ap);
void kernel_param(Kernel *k, const char *name, long long value);
void kernel_text_param(Kernel *k, const char *name, const char *value);
void kernel_expand(Kernel *k, const char *template);
void kernel_copy(const Graph *g, Kernel *k); /* the output: arena → caller's array */

/* kernels_int8.c: an int8 graph's kernels (templates/kernels_int8.m4), the
 * call NAME_run makes of node i's, and the final DEQUANTIZE. */
void kernel_for_node_int8(const Graph *g, int i, Kernel *k);
void kernel_call_int8(const Graph *g, int i, const Kernel *k, int call, Buf *b);
void kernel_output_int8(const Graph *g, Kernel *k);
/* A convolution's G_K, G_S, G_PT, G_PL (kernel, stride, top and left
 * padding), G_H, G_W (input) and G_OH, G_OW (output). */
void kernel_conv_geometry(Kernel *k, const Node *n, const Node *in);

/* kernels_island.c: the float islands of an int8 graph (nodes kept in
 * float, their QUANTIZE copies; templates/kernels_island.m4), their calls,
 * and the copy of logits kept in float. kernels_int8.c hands them over. */
void kernel_for_island(const Graph *g, int i, Kernel *k);
void kernel_call_island(const Graph *g, int i, const Kernel *k, int call, Buf *b);
void kernel_output_island(const Graph *g, Kernel *k);

#endif
