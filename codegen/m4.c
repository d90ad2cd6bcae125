/* m4.c — the one place effcc runs m4.
 *
 * `m4 -P` (builtins only as m4_*, so C words are never taken for macros)
 * reads the whole input on stdin and writes to an anonymous temporary
 * file, which is read back into the caller's buffer. The m4 binary is
 * $EFFCC_M4 when set, else the first m4 on PATH. */
#include "codegen.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *m4_program(void)
{
    const char *m4 = getenv("EFFCC_M4");
    return m4 && *m4 ? m4 : "m4";
}

static void child(int in_fd, int out_fd)
{
    if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0)
        _exit(126);
    close(in_fd);
    close(out_fd);
    execlp(m4_program(), m4_program(), "-P", "--fatal-warnings", (char *)NULL);
    fprintf(stderr, "effcc: error: cannot run %s: %s (install GNU m4)\n", m4_program(),
            strerror(errno));
    _exit(127);
}

void m4_define_text(Buf *b, const char *name, const char *value)
{
    buf_printf(b, "m4_define(«%s», «%s»)m4_dnl\n", name, value);
}

void m4_define_int(Buf *b, const char *name, long long value)
{
    buf_printf(b, "m4_define(«%s», «%lld»)m4_dnl\n", name, value);
}

#define M4_OUTPUT_MAX (UINT64_C(1) << 32) /* far beyond any model's source */

void m4_expand(const char *name, const char *input, size_t len, Buf *out)
{
    FILE *tmp = tmpfile();
    if (!tmp)
        error_msg("cannot create a temporary file for m4's output: %s", strerror(errno));
    int out_fd = fileno(tmp);
    int pipefd[2];
    if (pipe(pipefd) < 0) {
        fclose(tmp);
        error_msg("pipe: %s", strerror(errno));
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(pipefd[1]);
        child(pipefd[0], out_fd);
    }
    close(pipefd[0]);
    /* m4 writes to the file, not to us, so writing all input first cannot deadlock */
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    bool sent = pid > 0 && write_full(pipefd[1], input, len);
    close(pipefd[1]);
    signal(SIGPIPE, old);
    int status = 0;
    if (pid > 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    if (pid < 0) {
        fclose(tmp);
        error_msg("cannot start m4: %s", strerror(errno));
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !sent) {
        fclose(tmp);
        error_msg("m4 failed (exit status %d) while generating %s",
                  WIFEXITED(status) ? WEXITSTATUS(status) : -1, name);
    }
    rewind(tmp);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, tmp)) > 0 && out->len <= M4_OUTPUT_MAX)
        buf_append(out, chunk, n);
    bool failed = ferror(tmp) || out->len > M4_OUTPUT_MAX;
    fclose(tmp);
    if (failed)
        error_msg("cannot read m4's output for %s back", name);
}
