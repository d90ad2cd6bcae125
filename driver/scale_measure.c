/* scale_measure.c — effcc scale's measurements: a point's folder compiled
 * into OUTDIR/build/KEY, built and timed by `make bench` (or the user's
 * --runner), its output kept as OUTDIR/runs/KEY.txt (KEY-profile.txt for a
 * PROFILE=1 build). A rerun with the same OUTDIR reads those files instead of
 * building again: the key names the architecture, and OUTDIR/scale.conf
 * pins what else decides the code (scale_search.c).
 *
 * Neither the runner nor make ever sees a path inside its command text: the
 * local build is execvp("make", …) with the folder as an argument, and the
 * runner is `sh -c CMD effcc-runner ARGS…` with the folder in the
 * environment ($EFFCC_POINT_DIR) and make's arguments, effcc's own words,
 * in "$@". */
#include "scale.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUN_OUTPUT_MAX (1u << 20) /* a bench's output: a few KiB, the profile table included */

static char *run_path(const Search *s, const Point *p, bool profile, const char *ext)
{
    return arena_printf(s->arena, "%s/runs/%s%s.%s", s->out, p->key, profile ? "-profile" : "",
                        ext);
}

/* The latency line of the harness's --bench: false when absent. */
static bool parse_latency(const char *text, double *median, double *min, double *max)
{
    const char *l = strstr(text, "latency_ms median=");
    int runs;
    return l && sscanf(l, "latency_ms median=%lf min=%lf max=%lf runs=%d", median, min, max,
                       &runs) == 4 && *median > 0 && runs > 0;
}

/* The child: stdin from /dev/null, stdout to out, stderr to log; the make
 * arguments after argv's command. Never returns. */
static _Noreturn void child(char **argv, const char *out, const char *log, const char *dir,
                            int threads)
{
    int in = open("/dev/null", O_RDONLY);
    int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
        _exit(126);
    char n[16];
    snprintf(n, sizeof n, "%d", threads);
    if (setenv("EFFCC_POINT_DIR", dir, 1) || setenv("OMP_NUM_THREADS", n, 1))
        _exit(126);
    execvp(argv[0], argv);
    fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* The last lines of the log, for the error message. */
static const char *log_tail(Arena *a, const char *log)
{
    Buf b = read_file_max(log, RUN_OUTPUT_MAX);
    const char *start = b.data ? b.data : "", *c = start + b.len;
    int lines = 0;
    while (c > start && lines < 13)
        lines += *--c == '\n';
    if (lines == 13)
        c++;
    char *tail = arena_strdup(a, c);
    buf_free(&b);
    return tail;
}

/* Builds and times dir; its stdout goes to out, its stderr to log. */
static void run_folder(Search *s, const char *dir, bool profile, const char *out, const char *log)
{
    const SearchOptions *so = &s->o->search;
    char runs[32];
    snprintf(runs, sizeof runs, "BENCH_RUNS=%d", so->bench_runs);
    char *make_args[] = {"bench", runs, s->o->threads > 1 ? "OPENMP=1" : NULL,
                         profile ? "PROFILE=1" : NULL};
    char *argv[16];
    int n = 0;
    if (so->runner) {
        argv[n++] = "/bin/sh";
        argv[n++] = "-c";
        argv[n++] = (char *)so->runner;
        argv[n++] = "effcc-runner";
    } else {
        argv[n++] = "make";
        argv[n++] = "-s";
        argv[n++] = "-j2";
        argv[n++] = "-C";
        argv[n++] = (char *)dir;
    }
    for (size_t i = 0; i < sizeof make_args / sizeof *make_args; i++)
        if (make_args[i])
            argv[n++] = make_args[i];
    argv[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        error_msg("cannot start a process to build %s: %s", dir, strerror(errno));
    if (pid == 0)
        child(argv, out, log, dir, s->o->threads);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        error_msg("%s failed on %s (%s %d); the end of its log, %s:\n%s",
                  so->runner ? "--runner" : "make bench", dir,
                  WIFEXITED(status) ? "exit status" : "signal",
                  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), log,
                  log_tail(s->arena, log));
}

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* p's figures from a kept output; false when there is none (or unreadable). */
static bool read_kept(Search *s, Point *p, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > RUN_OUTPUT_MAX)
        return false;
    Buf b = read_file_max(path, RUN_OUTPUT_MAX);
    bool ok = b.data && parse_latency(b.data, &p->median_ms, &p->min_ms, &p->max_ms);
    buf_free(&b);
    (void)s;
    return ok;
}

bool measure_point(Search *s, Point *p, bool profile)
{
    const char *kept = run_path(s, p, profile, "txt");
    if (read_kept(s, p, kept)) {
        p->measured = p->reused = true;
        s->reused++;
        return false;
    }
    const char *dir = arena_printf(s->arena, "%s/build/%s", s->out, p->key);
    const char *tmp = run_path(s, p, profile, "tmp"), *log = run_path(s, p, profile, "log");
    double t0 = seconds_now();
    point_compile(s, p, dir);
    run_folder(s, dir, profile, tmp, log);
    Buf b = read_file_max(tmp, RUN_OUTPUT_MAX);
    bool ok = b.data && parse_latency(b.data, &p->median_ms, &p->min_ms, &p->max_ms);
    buf_free(&b);
    if (!ok)
        error_in(tmp, "no line 'latency_ms median=… min=… max=… runs=…' in what %s printed: "
                 "the runner must build the folder and print `make bench`'s output",
                 s->o->search.runner ? "--runner" : "make bench");
    if (rename(tmp, kept) != 0)
        error_in(kept, "cannot rename %s to it: %s", tmp, strerror(errno));
    remove_folder(dir); /* the measurement is kept; a folder is megabytes of weights */
    s->build_seconds += seconds_now() - t0;
    s->built++;
    p->measured = true;
    p->reused = false;
    return true;
}

int profile_calls(Search *s, const Point *p, char (*labels)[128], double *ms, int max,
                  double *median_ms)
{
    const char *path = run_path(s, p, true, "txt");
    Buf b = read_file_max(path, RUN_OUTPUT_MAX);
    double min, maxl;
    if (!parse_latency(b.data, median_ms, &min, &maxl)) {
        buf_free(&b);
        error_in(path, "no latency line: not a profile build's output");
    }
    const char *l = strstr(b.data, "\ncall ");
    int n = 0;
    while (l && (l = strchr(l + 1, '\n')) && n < max) {
        int call;
        double mean, fastest, share, rate;
        char label[128], kernel[128];
        if (sscanf(l + 1, "%d %lf %lf %lf%% %lf %127s %127s", &call, &mean, &fastest, &share,
                   &rate, label, kernel) != 7 || call != n)
            break;
        memcpy(labels[n], label, sizeof label);
        ms[n++] = mean;
    }
    buf_free(&b);
    return n;
}
