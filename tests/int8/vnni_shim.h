/* vnni_shim.h — AVX-512 VNNI's vpdpbusd in plain C, for testing on a CPU
 * without it: built with -include vnni_shim.h on an AVX2 machine, generated
 * int8 code takes its VNNI path (codegen/templates/kernels_int8.m4,
 * EFFCC_Q_VNNI) with every other instruction native. The emulation is the
 * instruction's definition: each 32-bit lane of acc plus the four products
 * of unsigned bytes of a by signed bytes of b, wrapping. */
#if !defined(EFFCC_VNNI_SHIM_H) && !defined(__ASSEMBLER__) /* -include reaches the .S file too */
#define EFFCC_VNNI_SHIM_H
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

static inline __m256i effcc_shim_dpbusd(__m256i acc, __m256i a, __m256i b)
{
    uint8_t ua[32];
    int8_t sb[32];
    uint32_t r[8];
    memcpy(ua, &a, 32);
    memcpy(sb, &b, 32);
    memcpy(r, &acc, 32);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 4; j++)
            r[i] += (uint32_t)((int32_t)ua[4 * i + j] * (int32_t)sb[4 * i + j]);
    memcpy(&acc, r, 32);
    return acc;
}

#undef _mm256_dpbusd_epi32 /* GCC defines it as a macro */
#define _mm256_dpbusd_epi32 effcc_shim_dpbusd
#define __AVX512VNNI__ 1
#define __AVX512VL__ 1
#endif
