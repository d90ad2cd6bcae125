/* GEN_NAME«»_weights.S — the folded, packed weights of GEN_NAME (GEN_WEIGHTS_BYTES bytes).
 *
GEN_PROVENANCE *
 * The bytes live in GEN_NAME«»_weights.bin and are pulled in with .incbin, so
 * the C compiler never parses millions of constants. The build passes
 * EFFCC_WEIGHTS_FILE, a path the assembler can open; the default works when
 * assembling from this folder.
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
