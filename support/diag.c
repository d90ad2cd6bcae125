/* diag.c — user errors as catchable exceptions.
 *
 * An error formats its message once, pops the innermost frame and longjmps
 * there; the driver turns it into "effcc: …" on stderr and exit status 1.
 * With no frame pushed, an error is a bug in the caller: print and abort. */
#include "ir.h"

#include <stdlib.h>

static DiagFrame *top;
static char message[2048];

void diag_push(DiagFrame *f)
{
    f->prev = top;
    top = f;
}

void diag_pop(DiagFrame *f)
{
    if (top != f) {
        fprintf(stderr, "effcc: internal error: diagnostic frames popped out of order\n");
        abort();
    }
    top = f->prev;
}

const char *diag_message(void)
{
    return message;
}

_Noreturn void diag_rethrow(void)
{
    DiagFrame *f = top;
    if (!f) {
        fprintf(stderr, "effcc: uncaught error: %s\n", message);
        abort();
    }
    top = f->prev;
    longjmp(f->env, 1);
}

static _Noreturn void throw_v(const char *prefix, const char *fmt, va_list ap)
{
    int n = snprintf(message, sizeof message, "%s", prefix);
    if (n < 0 || (size_t)n >= sizeof message)
        n = 0;
    vsnprintf(message + n, sizeof message - (size_t)n, fmt, ap);
    diag_rethrow();
}

void error_at(const char *file, int line, int col, const char *fmt, ...)
{
    char prefix[512];
    if (line > 0)
        snprintf(prefix, sizeof prefix, "%s:%d:%d: error: ", file, line, col);
    else
        snprintf(prefix, sizeof prefix, "%s: error: ", file);
    va_list ap;
    va_start(ap, fmt);
    throw_v(prefix, fmt, ap);
}

void error_in(const char *file, const char *fmt, ...)
{
    char prefix[512];
    snprintf(prefix, sizeof prefix, "%s: error: ", file);
    va_list ap;
    va_start(ap, fmt);
    throw_v(prefix, fmt, ap);
}

void error_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    throw_v("error: ", fmt, ap);
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
