/* GEN_NAME«»_weights.S — the folded, packed weights of GEN_NAME (GEN_WEIGHTS_BYTES bytes).
 *
GEN_PROVENANCE *
 * The bytes live in GEN_NAME«»_weights.bin and are pulled in with .incbin, so
 * the C compiler never parses millions of constants. The assembler finds it
 * in the folder it runs in (the Makefile's) or on its include path (CMake's
 * -I of this folder); -DEFFCC_WEIGHTS_FILE='"PATH"' names another file.
 */
#ifndef EFFCC_WEIGHTS_FILE
#define EFFCC_WEIGHTS_FILE "GEN_NAME«»_weights.bin"
#endif

    .section .rodata
    .balign 64
    .globl GEN_NAME«»_weights
#if defined(__ELF__)
    .type GEN_NAME«»_weights, %object
    .size GEN_NAME«»_weights, GEN_WEIGHTS_BYTES
#endif
GEN_NAME«»_weights:
    .incbin EFFCC_WEIGHTS_FILE

#if defined(__ELF__)
    .section .note.GNU-stack, "", %progbits
#endif
