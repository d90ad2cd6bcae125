/* target.c — the targets effcc can generate code for.
 *
 * A target fixes the SIMD header the kernels are written against (and so the
 * vector width the tile and layout passes plan for) and the flags the
 * generated Makefile uses by default. `host` stands for what the machine
 * running effcc can execute, decided when effcc runs. */
#include "ir.h"

#include <string.h>

static const Target targets[] = {
    {"generic", "-ffp-contract=fast", "generic", 4},
    {"x86-64-v3", "-march=x86-64-v3", "avx2", 8},
    {"x86-64-v4", "-march=x86-64-v4", "avx512", 16},
    {"host", "", "", 0},
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
#endif
    return target_find("generic");
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
