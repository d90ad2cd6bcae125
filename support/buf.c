/* buf.c — growable byte buffers, the format-checked emitter, file reading. */
#include "support.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void buf_reserve(Buf *b, size_t extra)
{
    if (b->cap - b->len > extra)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len <= extra)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        internal_error("out of memory");
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

FILE *open_regular(const char *path, uint64_t max, uint64_t *size)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer before we can
     * see what it is. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        error_in(path, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        error_in(path, "cannot read: %s", strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        error_in(path, "not a regular file (%s)", S_ISDIR(st.st_mode)    ? "a folder"
                                                  : S_ISFIFO(st.st_mode) ? "a pipe"
                                                  : S_ISCHR(st.st_mode)  ? "a character device"
                                                  : S_ISBLK(st.st_mode)  ? "a block device"
                                                  : S_ISSOCK(st.st_mode) ? "a socket"
                                                                         : "not a file");
    }
    if ((uint64_t)st.st_size > max) {
        close(fd);
        error_in(path, "too large: %llu bytes, at most %llu expected",
                 (unsigned long long)st.st_size, (unsigned long long)max);
    }
    int flags = fcntl(fd, F_GETFL);
    FILE *f = flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0 ? NULL : fdopen(fd, "rb");
    if (!f) {
        int err = errno;
        close(fd);
        error_in(path, "cannot open: %s", strerror(err));
    }
    if (size)
        *size = (uint64_t)st.st_size;
    return f;
}

Buf read_file_max(const char *path, size_t max)
{
    Buf b = {0};
    FILE *f = open_regular(path, max, NULL);
    char chunk[65536];
    size_t n;
    /* The size was checked, but a file can grow while we read it. */
    while (b.len <= max && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    int failed = ferror(f) ? errno : 0;
    fclose(f);
    if (failed) {
        buf_free(&b);
        error_in(path, "cannot read: %s", strerror(failed));
    }
    if (b.len > max) {
        buf_free(&b);
        error_in(path, "too large: more than %llu bytes", (unsigned long long)max);
    }
    buf_reserve(&b, 1);
    b.data[b.len] = '\0';
    return b;
}

bool write_full(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

bool host_little_endian(void)
{
    const uint32_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}

void swap32(void *data, size_t count)
{
    unsigned char *p = data;
    for (size_t i = 0; i < count; i++, p += 4) {
        unsigned char t = p[0];
        p[0] = p[3];
        p[3] = t;
        t = p[1];
        p[1] = p[2];
        p[2] = t;
    }
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
