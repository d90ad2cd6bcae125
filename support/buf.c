/* buf.c — growable byte buffers, the format-checked emitter, file reading. */
#include "ir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void buf_reserve(Buf *b, size_t extra)
{
    if (b->cap - b->len > extra)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len <= extra)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        fprintf(stderr, "effcc: out of memory\n");
        abort();
    }
    b->data = p;
    b->cap = cap;
}

void buf_append(Buf *b, const void *data, size_t len)
{
    buf_reserve(b, len);
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void buf_printf(Buf *b, const char *fmt, ...)
{
    va_list ap, aq;
    va_start(ap, fmt);
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, aq);
    va_end(aq);
    b->len += (size_t)n;
}

void buf_free(Buf *b)
{
    free(b->data);
    *b = (Buf){0};
}

Buf read_file(const char *path)
{
    return read_file_max(path, SIZE_MAX);
}

Buf read_file_max(const char *path, size_t max)
{
    Buf b = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        error_in(path, "cannot open: %s", strerror(errno));
    char chunk[65536];
    size_t n;
    while (b.len <= max && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    int failed = ferror(f) ? errno : 0;
    fclose(f);
    if (failed) {
        buf_free(&b);
        error_in(path, "cannot read: %s", strerror(failed));
    }
    if (b.len > max) /* keep max + 1 bytes: the caller sees it is too long */
        b.len = max + 1;
    buf_reserve(&b, 1);
    b.data[b.len] = '\0';
    return b;
}

uint64_t hash_fnv1a(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}
