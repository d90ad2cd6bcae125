/* fuzz_labels.c — libFuzzer target: the --labels parser (labels_parse).
 *
 * The input is a labels file, one class name a line, parsed from memory (it
 * is not NUL-terminated) for as many classes as it has lines, one fewer and
 * one more, so that success and both wrong counts are reached from realistic
 * seeds. User errors are the expected outcome, and each must name the file;
 * a success must give back exactly the file's lines (each one's "\n" and a
 * "\r" before it taken off, none empty, no control byte). Anything else
 * aborts; a crash, a sanitizer report, a leak or a hang is a finding. */
#include "effcc.h"

#include <stdlib.h>
#include <string.h>

#define PATH "fuzz.txt"

static int count_lines(const uint8_t *data, size_t size)
{
    int lines = 0;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    return lines + (size > 0 && data[size - 1] != '\n');
}

/* The names must be the file's lines in order (after a UTF-8 byte order
 * mark, if any): text, then "\r\n" or "\n", or at the end of the file "\r"
 * or nothing. */
static void check_names(const char **names, int classes, const uint8_t *data, size_t size)
{
    size_t pos = size >= 3 && !memcmp(data, "\xef\xbb\xbf", 3) ? 3 : 0;
    for (int c = 0; c < classes; c++) {
        size_t n = names[c] ? strlen(names[c]) : 0;
        if (n == 0 || n > size - pos || memcmp(data + pos, names[c], n) != 0)
            abort();
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)names[c][i] < 0x20 || names[c][i] == 0x7f)
                abort();
        pos += n;
        if (pos < size && data[pos] == '\r' && (pos + 1 == size || data[pos + 1] == '\n'))
            pos++;
        if (pos < size && data[pos] == '\n')
            pos++;
        else if (pos != size)
            abort();
    }
    if (pos != size)
        abort();
}

static void parse(const uint8_t *data, size_t size, int classes)
{
    Arena *a = arena_new();
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        const char **names = labels_parse(a, PATH, (const char *)data, size, classes);
        diag_pop(&f);
        check_names(names, classes, data, size);
    } else if (strncmp(diag_message(), PATH ":", strlen(PATH ":")) != 0) {
        abort();
    }
    arena_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int lines = count_lines(data, size);
    parse(data, size, lines > 0 ? lines : 1);
    parse(data, size, lines + 1);
    if (lines > 1)
        parse(data, size, lines - 1);
    return 0;
}
