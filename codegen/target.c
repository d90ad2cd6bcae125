/* target.c — the targets effcc can generate code for.
 *
 * A target names the instruction set the generated Makefile builds for by
 * default. `generic` is portable C for any compiler and CPU; `host` is the
 * machine running the build (-march=native). */
#include "ir.h"

#include <string.h>

static const Target targets[] = {
    {"generic", ""},
    {"host", "-march=native"},
};

#define TARGET_COUNT (sizeof targets / sizeof targets[0])

const Target *target_find(const char *name)
{
    for (size_t i = 0; i < TARGET_COUNT; i++)
        if (strcmp(targets[i].name, name) == 0)
            return &targets[i];
    return NULL;
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
