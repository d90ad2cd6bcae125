/* kernels.h — the kernel instances codegen.c asks kernels.c for. */
#ifndef EFFCC_KERNELS_H
#define EFFCC_KERNELS_H

#include "codegen.h"

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
void kernel_copy(const Graph *g, Kernel *k); /* the output: arena → caller's array */

#endif
