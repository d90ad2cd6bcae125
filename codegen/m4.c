/* m4.c — the one place effcc runs m4.
 *
 * `m4 -P` (builtins only as m4_*, so C words are never taken for macros)
 * reads the whole input on stdin and writes outpath. The m4 binary is
 * $EFFCC_M4 when set, else the first m4 on PATH. */
#include "ir.h"

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

static bool write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        len -= (size_t)n;
    }
    return true;
}

void m4_expand(const char *input, size_t len, const char *outpath)
{
    int out_fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out_fd < 0)
        error_in(outpath, "cannot create: %s", strerror(errno));
    int pipefd[2];
    if (pipe(pipefd) < 0) {
        close(out_fd);
        error_msg("pipe: %s", strerror(errno));
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(pipefd[1]);
        child(pipefd[0], out_fd);
    }
    close(pipefd[0]);
    close(out_fd);
    /* m4 writes to the file, not to us, so writing all input first cannot deadlock */
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    bool sent = pid > 0 && write_all(pipefd[1], input, len);
    close(pipefd[1]);
    signal(SIGPIPE, old);
    int status = 0;
    if (pid > 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    if (pid < 0)
        error_msg("cannot start m4: %s", strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !sent)
        error_in(outpath, "m4 failed (exit status %d) while generating this file",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}
