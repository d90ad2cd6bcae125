/* diag.c — user errors as catchable exceptions.
 *
 * An error formats its message once, pops the innermost frame and longjmps
 * there; the driver turns it into "effcc: …" on stderr and exit status 1.
 * With no frame pushed, an error is a bug in the caller: print and abort. */
#include "support.h"

#include <stdlib.h>

static DiagFrame *top;
static char *message; /* the last error's text, reallocated by each error */
static size_t message_cap;

void diag_push(DiagFrame *f)
{
    f->prev = top;
    top = f;
}

void diag_pop(DiagFrame *f)
{
    if (top != f)
        internal_error("diagnostic frames popped out of order");
    top = f->prev;
}

const char *diag_message(void)
{
    return message ? message : "";
}

_Noreturn void diag_rethrow(void)
{
    DiagFrame *f = top;
    if (!f)
        internal_error("uncaught error: %s", diag_message());
    top = f->prev;
    longjmp(f->env, 1);
}

/* "FILE:LINE:COL: error: ", "FILE: error: " (line 0) or "error: " (no file). */
static int prefix(char *out, size_t size, const char *file, int line, int col)
{
    if (!file)
        return snprintf(out, size, "error: ");
    if (line > 0)
        return snprintf(out, size, "%s:%d:%d: error: ", file, line, col);
    return snprintf(out, size, "%s: error: ", file);
}

/* Formats prefix and message whole, however long the paths in them. */
static _Noreturn void throw_v(const char *file, int line, int col, const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int np = prefix(NULL, 0, file, line, col);
    int nm = vsnprintf(NULL, 0, fmt, ap);
    if (np < 0 || nm < 0)
        internal_error("diag.c: cannot format a message");
    size_t need = (size_t)np + (size_t)nm + 1;
    if (need > message_cap) {
        char *p = realloc(message, need);
        if (!p)
            internal_error("out of memory for an error message");
        message = p;
        message_cap = need;
    }
    prefix(message, (size_t)np + 1, file, line, col);
    vsnprintf(message + np, (size_t)nm + 1, fmt, aq);
    va_end(aq);
    diag_rethrow();
}

void error_at(const char *file, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    throw_v(file, line, col, fmt, ap);
}

void error_in(const char *file, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    throw_v(file, 0, 0, fmt, ap);
}

void error_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    throw_v(NULL, 0, 0, fmt, ap);
}

void internal_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("effcc: internal error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

void note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("effcc: note: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
