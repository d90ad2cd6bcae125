/* kernels.h — the kernel instances codegen.c asks kernels.c for. */
#ifndef EFFCC_KERNELS_H
#define EFFCC_KERNELS_H

#include "ir.h"

/* How NAME_run calls a kernel instance. */
typedef enum {
    CALL_NONE,   /* no code (the graph input, a pool filled by its producer) */
    CALL_GEMM,   /* name(in, weight, bias, out, residual, gate, scratch) */
    CALL_DW,     /* name(in, weight, bias, out[, pool]) */
    CALL_EXPDW,  /* name(in, expand weight, expand bias, weight, bias, out[, pool], rings) */
    CALL_STEM,   /* name(in, weight, bias, out, patches) */
    CALL_UNARY,  /* name(in, out) */
    CALL_BINARY, /* name(a, b, out) */
} CallKind;

typedef struct {
    CallKind call;
    char name[160];    /* the function's name, unique per parameter set */
    char invoke[6144]; /* the m4 parameter definitions and the template call */
    size_t used;
} Kernel;

/* kernels.c */
void kernel_for_node(const Graph *g, int i, Kernel *k);
void kernel_copy(int count, Kernel *k); /* logits: arena → caller's array */

#endif
