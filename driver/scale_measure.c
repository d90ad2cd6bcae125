/* scale_measure.c — effcc scale's measurements. A point's folder is
 * compiled into OUTDIR/build/KEY, built and timed by `make bench` (or the
 * user's --runner), and what that printed is kept as OUTDIR/runs/KEY.txt
 * (KEY-profile.txt for a PROFILE=1 build). A rerun with the same OUTDIR
 * reads those files instead of building again: the key names the
 * architecture, and OUTDIR/scale.conf pins what else decides the code.
 *
 * Paired timing. A shared machine's speed drifts by tens of percent within
 * minutes, and a search that keeps the largest φ that "fits" keeps the
 * luckiest measurements. So every timing of a point is paired with one of
 * the reference model (the --budget-ms FxPRESET preset, else the spec at
 * φ = 0) right before it, BENCH_REPEATS pairs in all; the point's latency is
 * the median of its ratios to the reference times the reference's latency,
 * measured alone once at the start (runs/reference-KEY.txt). A drift
 * between the two halves of a pair is what is left; the spread of the
 * ratios says how large it was (the search's noise).
 *
 * Neither the runner nor make ever sees a path inside its command text: the
 * local build is execvp("make", …) with the folder as an argument, and the
 * runner is `sh -c CMD effcc-runner ARGS…` with the folder in the
 * environment ($EFFCC_POINT_DIR) and make's arguments, effcc's own words,
 * in "$@". */
#include "scale.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUN_OUTPUT_MAX (1u << 20) /* a bench's output: a few KiB, the profile table included */
#define BENCH_REPEATS 3    /* pairs (reference, point) per point */
#define REFERENCE_REPEATS 5 /* timings of the reference alone */
#define MARK_REFERENCE "# effcc scale: reference\n"
#define MARK_POINT "# effcc scale: point\n"

static char *run_path(const Search *s, const char *prefix, const Point *p, bool profile,
                      const char *ext)
{
    return arena_printf(s->arena, "%s/runs/%s%s%s.%s", s->out, prefix, p->key,
                        profile ? "-profile" : "", ext);
}

/* The harness's latency line at or after text: its figures and the text
 * after it; NULL when there is none. */
static const char *latency_line(const char *text, double *median, double *min, double *max)
{
    const char *l = text ? strstr(text, "latency_ms median=") : NULL;
    int runs;
    if (!l || sscanf(l, "latency_ms median=%lf min=%lf max=%lf runs=%d", median, min, max,
                     &runs) != 4 || !(*median > 0) || runs <= 0)
        return NULL;
    return l + 1;
}

double scale_median(double *v, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The reference's runs: the median of their medians (0 when none). */
static double reference_latency(const char *text)
{
    double m[REFERENCE_REPEATS], lo, hi;
    int n = 0;
    for (const char *l = text; n < REFERENCE_REPEATS && (l = latency_line(l, &m[n], &lo, &hi));)
        n++;
    return n == REFERENCE_REPEATS ? scale_median(m, n) : 0;
}

/* The pairs of a point's runs: its ratio to the reference (median), the
 * ratios' spread, its fastest and slowest run; false unless all pairs are
 * there. */
static bool parse_pairs(const char *text, Point *p)
{
    double ratio[BENCH_REPEATS], ref, pt, lo, hi;
    int n = 0;
    const char *l = text;
    p->min_ms = INFINITY;
    p->max_ms = 0;
    while (n < BENCH_REPEATS && l && (l = strstr(l, MARK_REFERENCE)) &&
           (l = latency_line(l, &ref, &lo, &hi)) && (l = strstr(l, MARK_POINT)) &&
           (l = latency_line(l, &pt, &lo, &hi))) {
        ratio[n++] = pt / ref;
        p->min_ms = lo < p->min_ms ? lo : p->min_ms;
        p->max_ms = hi > p->max_ms ? hi : p->max_ms;
    }
    if (n < BENCH_REPEATS)
        return false;
    p->ratio = scale_median(ratio, n);
    p->spread = (ratio[n - 1] - ratio[0]) / 2 / p->ratio; /* ± about the median */
    return true;
}

static void append(const char *path, const char *text, bool replace)
{
    int fd = open(path, O_WRONLY | O_CREAT | (replace ? O_TRUNC : O_APPEND), 0644);
    if (fd < 0 || !write_full(fd, text, strlen(text)) || close(fd) != 0)
        error_in(path, "cannot write: %s", strerror(errno));
}

/* The child: stdin from /dev/null, stdout to out, stderr to log; the make
 * arguments after argv's command. Never returns. */
static _Noreturn void child(char **argv, const char *out, const char *log, const char *dir,
                            int threads)
{
    int in = open("/dev/null", O_RDONLY);
    int o = open(out, O_WRONLY | O_CREAT | O_APPEND, 0644);
    int e = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
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

/* Builds and times dir; its stdout is appended to out, its stderr to log. */
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

/* A kept output whole; an empty Buf when absent, not a regular file or
 * too large (then measured again). */
static Buf read_kept(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > RUN_OUTPUT_MAX)
        return (Buf){0};
    return read_file_max(path, RUN_OUTPUT_MAX);
}

/* Runs dir's bench (profile: a PROFILE=1 build, once; reference: the
 * reference alone, REFERENCE_REPEATS times; else paired with the reference)
 * into tmp, then renames it to kept. */
static void run_into(Search *s, const char *dir, bool profile, bool reference, const char *tmp,
                     const char *log, const char *kept)
{
    append(tmp, "", true);
    append(log, "", true);
    int repeats = profile ? 1 : reference ? REFERENCE_REPEATS : BENCH_REPEATS;
    for (int i = 0; i < repeats; i++) {
        if (!profile && !reference) {
            append(tmp, MARK_REFERENCE, false);
            run_folder(s, s->reference_dir, false, tmp, log);
            append(tmp, MARK_POINT, false);
        }
        run_folder(s, dir, profile, tmp, log);
    }
    if (rename(tmp, kept) != 0)
        error_in(kept, "cannot rename %s to it: %s", tmp, strerror(errno));
}

static _Noreturn void no_latency(const Search *s, const char *path)
{
    error_in(path, "not the expected 'latency_ms median=… min=… max=… runs=…' lines from %s: "
             "the runner must build the folder it is given and print `make bench`'s output",
             s->o->search.runner ? "--runner" : "make bench");
}

void reference_measure(Search *s, const Point *ref)
{
    const char *kept = run_path(s, "reference-", ref, false, "txt");
    s->reference_dir = arena_printf(s->arena, "%s/build/reference", s->out);
    point_compile(s, ref, s->reference_dir); /* make builds it at its first pair */
    Buf b = read_kept(kept);
    if (!b.data) {
        run_into(s, s->reference_dir, false, true, run_path(s, "reference-", ref, false, "tmp"),
                 run_path(s, "reference-", ref, false, "log"), kept);
        b = read_file_max(kept, RUN_OUTPUT_MAX);
    }
    s->reference_ms = reference_latency(b.data);
    buf_free(&b);
    if (!(s->reference_ms > 0))
        no_latency(s, kept);
}

bool measure_point(Search *s, Point *p, bool profile)
{
    const char *kept = run_path(s, "", p, profile, "txt");
    Buf b = read_kept(kept);
    bool ok = b.data && (profile ? strstr(b.data, "latency_ms") != NULL : parse_pairs(b.data, p));
    buf_free(&b);
    bool built = !ok;
    double t0 = seconds_now();
    if (built) {
        const char *dir = arena_printf(s->arena, "%s/build/%s", s->out, p->key);
        point_compile(s, p, dir);
        run_into(s, dir, profile, false, run_path(s, "", p, profile, "tmp"),
                 run_path(s, "", p, profile, "log"), kept);
        remove_folder(dir); /* the measurement is kept; a folder is megabytes of weights */
        b = read_file_max(kept, RUN_OUTPUT_MAX);
        ok = profile ? strstr(b.data, "latency_ms") != NULL : parse_pairs(b.data, p);
        buf_free(&b);
        if (!ok)
            no_latency(s, kept);
        s->build_seconds += seconds_now() - t0;
        s->built++;
    } else {
        s->reused++;
    }
    if (!profile)
        p->median_ms = p->ratio * s->reference_ms;
    p->measured = true;
    p->reused = !built;
    return built;
}

int profile_calls(Search *s, const Point *p, char (*labels)[128], double *ms, int max,
                  double *median_ms)
{
    const char *path = run_path(s, "", p, true, "txt");
    Buf b = read_file_max(path, RUN_OUTPUT_MAX);
    double min, maxl;
    if (!latency_line(b.data, median_ms, &min, &maxl)) {
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
