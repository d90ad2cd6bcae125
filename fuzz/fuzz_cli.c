/* fuzz_cli.c — libFuzzer target: the command-line parser.
 *
 * The input is the argument list, arguments separated by NUL bytes (at most
 * MAX_ARGS); argv[0] is "effcc". cli_parse must return an exit status or -1
 * and never crash, read out of bounds or leak. Messages it prints go to the
 * fuzzer's stdout and stderr (tools/fuzz.sh closes them). */
#include "effcc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    char *argv[MAX_ARGS + 2] = {"effcc"};
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    int argc = 1;
    for (size_t i = 0; i <= size && argc <= MAX_ARGS;) {
        argv[argc++] = text + i;
        i += strlen(text + i) + 1;
    }
    if (size == 0)
        argc = 1;
    argv[argc] = NULL;
    Options o;
    int status = cli_parse(&o, argc, argv);
    if (status < -1 || status > 2)
        abort();
    if (status == -1 && (!o.command || !o.spec || !o.target || !o.max_bytes))
        abort(); /* a command to run has what it needs */
    cli_free(&o);
    free(text);
    return 0;
}
