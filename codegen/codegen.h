/* codegen.h — what the code generator's files share among themselves. */
#ifndef EFFCC_CODEGEN_H
#define EFFCC_CODEGEN_H

#include "ir.h"

/* How NAME_run calls a kernel instance. */
typedef enum {
    CALL_NONE,   /* no code (the graph input) */
    CALL_CONV,   /* name(in, weight, bias, out[, residual]) */
    CALL_UNARY,  /* name(in, out) */
    CALL_BINARY, /* name(a, b, out) */
} CallKind;

typedef struct {
    CallKind call;
    char name[160];   /* the function's name, unique per parameter set */
    char invoke[320]; /* the m4 invocation that defines it */
} Kernel;

/* kernels.c */
void kernel_for_node(const Graph *g, int i, Kernel *k);

#endif
