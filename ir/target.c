/* target.c — the targets effcc can generate code for.
 *
 * A target fixes the SIMD header the kernels are written against (and so the
 * vector width and register count the tile and layout passes plan for), the
 * flags the generated Makefile uses by default, and the compiler features
 * the generated code insists on (a clear #error instead of a wall of
 * intrinsic errors when it is built for the wrong machine). `host` stands
 * for what the machine running effcc can execute, decided when effcc runs. */
#include "ir.h"

#include <string.h>

/* threads: the fused kernels give each of at most this many OpenMP
 * threads its own buffers in the arena; 4 covers the boards and laptops
 * effcc is for, and --threads changes it. generic comes first: the default. */
static const Target targets[] = {
    {"generic", "-ffp-contract=fast", "generic", 4, 16, 4, 8, "1", ""},
    {"x86-64-v3", "-march=x86-64-v3", "avx2", 8, 16, 4, 8, "defined(__AVX2__) && defined(__FMA__)",
     "an x86-64 compiler with -march=x86-64-v3 (AVX2 and FMA)"},
    {"x86-64-v4", "-march=x86-64-v4", "avx512", 16, 32, 4, 8, "defined(__AVX512F__)",
     "an x86-64 compiler with -march=x86-64-v4 (AVX-512)"},
    {"aarch64", "-march=armv8-a", "neon", 4, 32, 4, 8, "defined(__aarch64__)",
     "an AArch64 compiler (make CC=aarch64-linux-gnu-gcc)"},
    {"armv7", "-march=armv7-a -mfpu=neon-vfpv4 -mfloat-abi=hard", "neon", 4, 16, 4, 4,
     "defined(__ARM_NEON) && defined(__ARM_FEATURE_FMA)",
     "an ARMv7 hard-float compiler with NEON and VFPv4 (make CC=arm-linux-gnueabihf-gcc)"},
    {"riscv64", "-ffp-contract=fast", "generic", 4, 16, 4, 8,
     "defined(__riscv) && __riscv_xlen == 64", "a RISC-V 64 compiler (make CC=riscv64-linux-gnu-gcc)"},
    {"host", "", "", 0, 0, 0, 0, "", ""},
};

#define TARGET_COUNT (sizeof targets / sizeof targets[0])

const Target *target_find(const char *name)
{
    for (size_t i = 0; i < TARGET_COUNT; i++)
        if (strcmp(targets[i].name, name) == 0)
            return &targets[i];
    return NULL;
}

const Target *target_resolve(const Target *t)
{
    if (strcmp(t->name, "host") != 0)
        return t;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return target_find("x86-64-v4");
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return target_find("x86-64-v3");
#elif defined(__aarch64__)
    return target_find("aarch64");
#elif defined(__ARM_NEON) && defined(__ARM_FEATURE_FMA)
    return target_find("armv7");
#elif defined(__riscv) && __riscv_xlen == 64
    return target_find("riscv64");
#endif
    return target_find("generic");
}

const Target *target_default(void)
{
    return &targets[0];
}

const Target *target_host(void)
{
    return target_resolve(target_find("host"));
}

const char *target_list(void)
{
    static char list[256];
    if (!list[0])
        for (size_t i = 0; i < TARGET_COUNT; i++) {
            if (i)
                strcat(list, ", ");
            strcat(list, targets[i].name);
        }
    return list;
}
