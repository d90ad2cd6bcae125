/* labels.c — class names for the generated harness's top-5.
 *
 * A labels file is text, one name per line, in class order; the last line
 * may or may not end with a newline, "\r\n" line ends are accepted, and so
 * is a UTF-8 byte order mark before the first name. Every
 * class needs a non-empty name without control characters; anything else is
 * an error at its line and column. Without a file, a model with 1,000
 * classes gets ImageNet's names (codegen/labels/imagenet.txt, embedded: the
 * list torchvision gives as torchvision.models._meta._IMAGENET_CATEGORIES,
 * the class order of every ImageNet-1k checkpoint effcc reads). */
#include "frontend.h"

#include <stdlib.h>
#include <string.h>

#define IMAGENET_CLASSES 1000
#define IMAGENET_PATH "codegen/labels/imagenet.txt"
#define LABELS_MAX_BYTES (16u << 20) /* 100000 classes of 160-byte names */

const char **labels_parse(Arena *a, const char *path, const char *text, size_t len, int classes)
{
    const char **names = arena_array(a, (size_t)classes, sizeof *names);
    int line = 0;
    size_t pos = 0;
    /* an editor's UTF-8 byte order mark is not part of the first name */
    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
        pos = 3;
    while (pos < len) {
        const char *start = text + pos, *nl = memchr(start, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - start) : len - pos;
        pos += n + (nl != NULL);
        line++;
        if (n > 0 && start[n - 1] == '\r')
            n--;
        if (n == 0)
            error_at(path, line, 1, "class %d: empty name", line - 1);
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)start[i] < 0x20 || start[i] == 0x7f)
                error_at(path, line, (int)i + 1, "class %d: control character 0x%02X in the name",
                         line - 1, (unsigned)(unsigned char)start[i]);
        if (line > classes)
            error_at(path, line, 1, "more names than the model's %d classes", classes);
        char *name = arena_alloc(a, n + 1);
        memcpy(name, start, n);
        names[line - 1] = name;
    }
    if (line != classes)
        error_in(path, "%d class name%s for a model with %d classes", line, line == 1 ? "" : "s",
                 classes);
    return names;
}

const char **labels_load(Arena *a, const char *path, int classes)
{
    Buf b = read_file_max(path, LABELS_MAX_BYTES);
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) != 0) {
        buf_free(&b);
        diag_rethrow();
    }
    const char **names = labels_parse(a, path, b.data, b.len, classes);
    diag_pop(&f);
    buf_free(&b);
    return names;
}

const char **labels_default(Arena *a, int classes)
{
    if (classes != IMAGENET_CLASSES)
        return NULL;
    const EmbeddedFile *f = embedded_find(IMAGENET_PATH);
    if (!f)
        internal_error("%s is not embedded", IMAGENET_PATH);
    return labels_parse(a, IMAGENET_PATH, (const char *)f->data, f->size, classes);
}
