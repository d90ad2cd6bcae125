/* fuzz_harness.c — libFuzzer target: the generated harness's argument
 * parser (runtime/effcc_harness.h, which main.c uses).
 *
 * The input is the argument list, arguments separated by NUL bytes (at most
 * MAX_ARGS); argv[0] is "model". effcc_harness_parse must return one of its
 * actions, and have no effect but its result: the arguments are unchanged, a
 * second parse gives the same result, and every file name and the argument
 * an error names are arguments from argv[1] on. A run never has both
 * --image and --input, and --bench is within 0..EFFCC_MAX_RUNS. (The build
 * defines _POSIX_C_SOURCE, which effcc_harness.h needs.) */
#include "effcc_harness.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 64

/* p is NULL or one of the arguments (the very pointer, not a copy). */
static int from_argv(const char *p, int argc, char *const *argv)
{
    for (int i = 1; p && i < argc; i++)
        if (p == argv[i])
            return 1;
    return p == NULL;
}

static void check(const EffccArgs *a, EffccAction action, int argc, char *const *argv)
{
    const char *paths[] = {a->input, a->image, a->output, a->save_input, a->arg};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (!from_argv(paths[i], argc, argv))
            abort();
    switch (action) {
    case EFFCC_RUN:
        if ((a->input && a->image) || a->runs < 0 || a->runs > EFFCC_MAX_RUNS || a->error)
            abort();
        break;
    case EFFCC_USAGE_ERROR:
        if (!a->error || !a->error[0])
            abort();
        break;
    case EFFCC_HELP:
    case EFFCC_INFO:
        break;
    default:
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *copy = malloc(size + 1);
    char *argv[MAX_ARGS + 2] = {"model"};
    if (!text || !copy)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    memcpy(copy, text, size + 1);
    int argc = 1;
    for (size_t i = 0; size > 0 && i <= size && argc <= MAX_ARGS;) {
        argv[argc++] = text + i;
        i += strlen(text + i) + 1;
    }
    argv[argc] = NULL;
    EffccArgs a, b;
    EffccAction action = effcc_harness_parse(&a, argc, argv);
    check(&a, action, argc, argv);
    if (effcc_harness_parse(&b, argc, argv) != action || memcmp(&a, &b, sizeof a) != 0 ||
        memcmp(text, copy, size + 1) != 0 || argv[0][0] != 'm')
        abort();
    free(text);
    free(copy);
    return 0;
}
