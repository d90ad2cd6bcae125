/* scale_report.c — what effcc scale leaves in OUTDIR:
 *
 *   candidates.csv   every measured point, predicted and measured, with the
 *                    effcc command that rebuilds it
 *   grid.csv         every (α, β, γ) candidate at its predicted φ
 *   frontier.csv     the Pareto front: no measured point is faster with as
 *                    many multiply-adds
 *   ranking.txt      the candidates by multiply-adds at the budget, ties
 *                    within the noise marked; the presets; the cost model's
 *                    error (also printed on stdout)
 *   plot/            gnuplot's data and script; the PNGs beside this list:
 *                    latency-vs-macs.png, latency-vs-phi.png, layers.png
 *
 * The script and data hold effcc's own text only (numbers, fixed names,
 * preset names reduced to [A-Za-z0-9_.-]); gnuplot runs in OUTDIR/plot by
 * execvp, so no path reaches it as code. */
#include "scale.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHART_CALLS 4096

static void csv_field(Buf *b, const char *text)
{
    buf_printf(b, ",\"");
    for (const char *c = text; *c; c++)
        buf_printf(b, *c == '"' ? "\"\"" : "%c", *c);
    buf_printf(b, "\"");
}

/* A preset's name as a gnuplot data word. */
static const char *plain_word(Arena *a, const char *name)
{
    char *w = arena_strdup(a, name);
    for (char *c = w; *c; c++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-", *c))
            *c = '_';
    return *w ? w : "preset";
}

static double error_pct(const Point *p)
{
    return p->predicted_ms > 0 ? 100 * (p->predicted_ms / p->median_ms - 1) : NAN;
}

static void point_columns(Buf *b, const Point *p)
{
    if (p->preset)
        buf_printf(b, ",,,");
    else
        buf_printf(b, "%.4g,%.4g,%.4g,%.4f", p->alpha, p->beta, p->gamma, p->phi);
}

static void write_candidates(Search *s)
{
    Buf b = {0};
    buf_printf(&b, "alpha,beta,gamma,phi,preset,resolution,width,depth,multiply_adds,parameters,"
                   "weights_bytes,arena_bytes,predicted_ms,measured_ms,ratio_to_reference,spread,"
                   "min_ms,max_ms,error_pct,fits,command\n");
    for (int i = 0; i < s->npoints; i++) {
        const Point *p = &s->points[i];
        point_columns(&b, p);
        if (p->preset)
            csv_field(&b, p->preset);
        else
            buf_printf(&b, ",");
        buf_printf(&b, ",%d,%.6g,%.6g,%llu,%llu,%llu,%llu,%.3f,%.3f,%.4f,%.4f,%.3f,%.3f,%.1f,%s",
                   p->resolution, p->width, p->depth, (unsigned long long)p->macs,
                   (unsigned long long)p->params, (unsigned long long)p->weights_bytes,
                   (unsigned long long)p->arena_bytes, p->predicted_ms, p->median_ms, p->ratio,
                   p->spread, p->min_ms, p->max_ms, error_pct(p), point_fits(s, p) ? "yes" : "no");
        csv_field(&b, point_command(s->arena, s, p, p->key));
        buf_printf(&b, "\n");
    }
    write_file(arena_printf(s->arena, "%s/candidates.csv", s->out), b.data, b.len);
    buf_free(&b);
}

/* grid.csv: every candidate at the largest φ predicted to fit, by
 * predicted multiply-adds; measured says whether the search built it. */
static void write_grid(Search *s)
{
    Buf b = {0};
    buf_printf(&b, "alpha,beta,gamma,predicted_phi,resolution,multiply_adds,parameters,"
                   "weights_bytes,arena_bytes,predicted_ms,measured\n");
    for (int i = 0; i < s->ngrid; i++) {
        const Point *p = &s->grid[i];
        bool measured = false;
        for (int j = 0; j < s->nbest && !measured; j++)
            measured = s->best[j].alpha == p->alpha && s->best[j].beta == p->beta &&
                       s->best[j].gamma == p->gamma;
        buf_printf(&b, "%.4g,%.4g,%.4g,", p->alpha, p->beta, p->gamma);
        if (p->phi < 0)
            buf_printf(&b, "none,,,,,,,%s\n", measured ? "yes" : "no");
        else
            buf_printf(&b, "%.4f,%d,%llu,%llu,%llu,%llu,%.3f,%s\n", p->phi, p->resolution,
                       (unsigned long long)p->macs, (unsigned long long)p->params,
                       (unsigned long long)p->weights_bytes, (unsigned long long)p->arena_bytes,
                       p->predicted_ms, measured ? "yes" : "no");
    }
    write_file(arena_printf(s->arena, "%s/grid.csv", s->out), b.data, b.len);
    buf_free(&b);
}

/* The measured architectures on the front: sorted by latency, each with
 * more multiply-adds than every faster one. front gets their indices. */
static int frontier(const Search *s, int *front)
{
    int n = 0;
    for (int i = 0; i < s->npoints; i++) {
        bool first = true; /* of its architecture */
        for (int j = 0; j < i && first; j++)
            first = strcmp(s->points[j].key, s->points[i].key) != 0;
        if (first)
            front[n++] = i;
    }
    for (int i = 1; i < n; i++) /* by latency, then multiply-adds */
        for (int j = i; j > 0; j--) {
            const Point *a = &s->points[front[j - 1]], *b = &s->points[front[j]];
            if (a->median_ms < b->median_ms || (a->median_ms == b->median_ms && a->macs >= b->macs))
                break;
            int t = front[j];
            front[j] = front[j - 1];
            front[j - 1] = t;
        }
    int kept = 0;
    uint64_t most = 0;
    for (int i = 0; i < n; i++)
        if (s->points[front[i]].macs > most) {
            most = s->points[front[i]].macs;
            front[kept++] = front[i];
        }
    return kept;
}

static void write_frontier(Search *s, const int *front, int n)
{
    Buf b = {0};
    buf_printf(&b, "multiply_adds,measured_ms,alpha,beta,gamma,phi,preset,resolution,fits\n");
    for (int i = 0; i < n; i++) {
        const Point *p = &s->points[front[i]];
        buf_printf(&b, "%llu,%.3f,", (unsigned long long)p->macs, p->median_ms);
        point_columns(&b, p);
        if (p->preset)
            csv_field(&b, p->preset);
        else
            buf_printf(&b, ",");
        buf_printf(&b, ",%d,%s\n", p->resolution, point_fits(s, p) ? "yes" : "no");
    }
    write_file(arena_printf(s->arena, "%s/frontier.csv", s->out), b.data, b.len);
    buf_free(&b);
}

static double median_abs_error(const Search *s, int *n)
{
    double *e = arena_array(s->arena, (size_t)s->npoints + 1, sizeof *e);
    int k = 0;
    for (int i = 0; i < s->npoints; i++) {
        const Point *p = &s->points[i];
        bool first = true; /* each architecture once */
        for (int j = 0; j < i && first; j++)
            first = strcmp(s->points[j].key, p->key) != 0;
        if (first && p->predicted_ms > 0)
            e[k++] = fabs(error_pct(p));
    }
    *n = k;
    return k == 0 ? NAN : scale_median(e, k);
}

static void budget_text(const Search *s, Buf *b)
{
    const SearchOptions *o = &s->o->search;
    const char *sep = "";
    if (s->budget_ms > 0)
        buf_printf(b, "median latency <= %.3f ms", s->budget_ms), sep = ", ";
    if (o->budget_preset)
        buf_printf(b, " (%g x preset %s's %.3f ms, measured here)", o->budget_ms,
                   plain_word(s->arena, o->budget_preset), s->budget_ms / o->budget_ms);
    if (o->budget_arena)
        buf_printf(b, "%sarena <= %llu bytes", sep, (unsigned long long)o->budget_arena), sep = ", ";
    if (o->budget_params)
        buf_printf(b, "%sparameters <= %llu", sep, (unsigned long long)o->budget_params);
}

static void ranking_row(Buf *b, const Search *s, const Point *p, const char *rank)
{
    buf_printf(b, "%-5s %5.2f %5.2f %5.2f ", rank, p->alpha, p->beta, p->gamma);
    if (p->phi < 0) {
        buf_printf(b, "  none fits, even phi 0\n");
        return;
    }
    buf_printf(b, "%6.3f %5d %14llu %11llu %10.2f %10.2f%s\n", p->phi, p->resolution,
               (unsigned long long)p->macs, (unsigned long long)p->params, p->median_ms,
               p->predicted_ms, p->alpha == s->spec->alpha && p->beta == s->spec->beta &&
               p->gamma == s->spec->gamma ? "  (the spec's)" : "");
}

/* The largest measured preset that fits, or NULL. */
static const Point *best_preset(const Search *s)
{
    const Point *best = NULL;
    for (int i = 0; i < s->npresets; i++) {
        const Point *p = &s->presets[i];
        if (p->measured && point_fits(s, p) && (!best || p->macs > best->macs))
            best = p;
    }
    return best;
}

static void write_ranking(Search *s)
{
    Buf b = {0};
    const Options *o = s->o;
    buf_printf(&b, "effcc scale: target %s, %d thread%s; budget: ", o->target->name, o->threads,
               o->threads > 1 ? "s" : "");
    budget_text(s, &b);
    buf_printf(&b, "\nlatency: each point's median time over the reference's, timed in pairs, "
                   "times the\nreference's %.3f ms (docs/scale.md)", s->reference_ms);
    buf_printf(&b, "\n\nAccuracy needs training, which effcc does not do: the candidates are ranked "
                   "by\nmultiply-adds at the budget, the paper's proxy for accuracy. '=' marks a "
                   "rank whose\nmultiply-adds are within the measurement noise (%.1f %%) of the "
                   "rank above.\n\n", 100 * s->noise);
    buf_printf(&b, "%-5s %5s %5s %5s %6s %5s %14s %11s %10s %10s\n", "rank", "alpha", "beta",
               "gamma", "phi", "res", "multiply-adds", "parameters", "latency_ms", "predicted");
    for (int i = 0; i < s->nbest; i++) {
        const Point *p = &s->best[i], *prev = i ? &s->best[i - 1] : NULL;
        char rank[16];
        bool tie = prev && p->phi >= 0 && prev->phi >= 0 &&
                   (double)(prev->macs - p->macs) < s->noise * (double)prev->macs;
        snprintf(rank, sizeof rank, "%s%d%s", p->phi < 0 ? "-" : "", i + 1, tie ? "=" : "");
        ranking_row(&b, s, p, p->phi < 0 ? "-" : rank);
    }
    buf_printf(&b, "\npresets:\n");
    for (int i = 0; i < s->npresets; i++) {
        const Point *p = &s->presets[i];
        if (!p->valid) {
            buf_printf(&b, "  %-8s beyond the limits: %s\n", plain_word(s->arena, p->preset), p->why);
            continue;
        }
        buf_printf(&b, "  %-8s res %4d %14llu multiply-adds  ", plain_word(s->arena, p->preset),
                   p->resolution, (unsigned long long)p->macs);
        if (p->measured)
            buf_printf(&b, "%9.2f ms measured (predicted %.2f)%s\n", p->median_ms, p->predicted_ms,
                       point_fits(s, p) ? ", fits" : "");
        else
            buf_printf(&b, "%9.2f ms predicted, not built\n", p->predicted_ms);
    }
    const Point *pre = best_preset(s);
    if (pre && s->chosen >= 0) {
        const Point *c = &s->best[s->chosen];
        buf_printf(&b, "\nlargest preset that fits: %s, %llu multiply-adds, %.2f ms.\n"
                       "top candidate: alpha %.2f beta %.2f gamma %.2f phi %.3f, %llu multiply-adds, "
                       "%.2f ms: %+.1f %% multiply-adds.\n",
                   plain_word(s->arena, pre->preset), (unsigned long long)pre->macs, pre->median_ms,
                   c->alpha, c->beta, c->gamma, c->phi, (unsigned long long)c->macs, c->median_ms,
                   100.0 * ((double)c->macs / (double)pre->macs - 1));
    }
    int n;
    double err = median_abs_error(s, &n);
    if (s->cost.fitted)
        buf_printf(&b, "\ncost model: median |predicted - measured| %.1f %% over %d measured "
                       "architectures,\neach predicted before it was measured (%d profiled "
                       "kernel calls).\n", err, n, s->cost.samples);
    else
        buf_printf(&b, "\ncost model: none (no --budget-ms: the exact budgets need no "
                       "prediction).\n");
    buf_printf(&b, "measurements: %d built now (%.1f min), %d reused from %s/runs.\n", s->built,
               s->build_seconds / 60, s->reused, s->out);
    write_file(arena_printf(s->arena, "%s/ranking.txt", s->out), b.data, b.len);
    fwrite(b.data, 1, b.len, stdout);
    buf_free(&b);
}

/* ---- plots ---- */

static bool own_coefficients(const Search *s, const Point *p)
{
    return !p->preset && p->alpha == s->spec->alpha && p->beta == s->spec->beta &&
           p->gamma == s->spec->gamma;
}

typedef struct {
    CostSample *calls;
    int n;
} Calls;

static void chart_calls(const Graph *g, void *ctx)
{
    Calls *c = ctx;
    cost_samples(g, NULL, &c->n, NULL);
    if (c->n > CHART_CALLS)
        c->n = 0;
    else
        cost_samples(g, c->calls, &c->n, NULL);
}

/* The chosen point's profile, per block (the label up to ".block"), in
 * five kinds of kernel: expand+depthwise, depthwise, 1×1, SE (1×1 on a
 * vector), the rest. */
static void layers_data(Search *s, Buf *b)
{
    const Point *p = &s->best[s->chosen];
    char(*labels)[128] = arena_array(s->arena, CHART_CALLS, sizeof *labels);
    double *ms = arena_array(s->arena, CHART_CALLS, sizeof *ms), latency;
    int n = profile_calls(s, p, labels, ms, CHART_CALLS, &latency);
    Calls c = {arena_array(s->arena, CHART_CALLS, sizeof(CostSample)), 0};
    point_with_graph(s, p, chart_calls, &c);
    if (c.n != n)
        return;
    buf_printf(b, "# block expand+dw dw 1x1 se other (ms per run)\n");
    char block[128] = "";
    double sum[5] = {0};
    for (int i = 0; i <= n; i++) {
        char here[128] = "";
        if (i < n) {
            snprintf(here, sizeof here, "%s", labels[i]);
            char *cut = strstr(here, ".block");
            if (cut)
                *cut = '\0';
        }
        if (i == n || (block[0] && strcmp(here, block))) {
            buf_printf(b, "%s %.4f %.4f %.4f %.4f %.4f\n", plain_word(s->arena, block), sum[0],
                       sum[1], sum[2], sum[3], sum[4]);
            memset(sum, 0, sizeof sum);
        }
        if (i == n)
            break;
        snprintf(block, sizeof block, "%s", here);
        int cls = c.calls[i].cls, kind = cls == 5 || cls == 6 ? 0 : cls == 3 || cls == 4 ? 1
                                         : cls == 1 ? 2 : cls == 2 ? 3 : 4;
        sum[kind] += ms[i];
    }
}

static void plot_data(Search *s, const char *dir, const int *front, int nfront)
{
    Buf pts = {0}, fr = {0}, pre = {0}, prep = {0}, phi = {0}, model = {0}, lay = {0};
    double limit = s->budget_ms > 0 ? 2 * s->budget_ms : INFINITY; /* the pictures' range */
    for (int i = 0; i < s->npoints; i++) {
        const Point *p = &s->points[i];
        buf_printf(&pts, "%.6f %.4f\n", (double)p->macs / 1e9, p->median_ms);
        if (own_coefficients(s, p))
            buf_printf(&phi, "%.4f %.4f\n", p->phi, p->median_ms);
    }
    for (int i = 0; i < nfront; i++)
        buf_printf(&fr, "%.6f %.4f\n", (double)s->points[front[i]].macs / 1e9,
                   s->points[front[i]].median_ms);
    for (int i = 0; i < s->npresets; i++) {
        const Point *p = &s->presets[i];
        if (p->valid && (p->measured || p->predicted_ms <= limit))
            buf_printf(p->measured ? &pre : &prep, "%.6f %.4f %s\n", (double)p->macs / 1e9,
                       p->measured ? p->median_ms : p->predicted_ms,
                       plain_word(s->arena, p->preset));
    }
    for (double f = 0; s->cost.fitted && f <= s->o->search.phi_max + 1e-9; f += 0.01) {
        Point p = {.alpha = s->spec->alpha, .beta = s->spec->beta, .gamma = s->spec->gamma, .phi = f};
        point_plan(s, &p);
        if (!p.valid || p.predicted_ms > limit)
            break;
        buf_printf(&model, "%.4f %.4f\n", f, p.predicted_ms);
    }
    if (s->chosen >= 0)
        layers_data(s, &lay);
    const char *names[] = {"points.dat", "frontier.dat", "presets.dat", "presets-predicted.dat",
                           "phi.dat", "phi-model.dat", "layers.dat"};
    Buf *bufs[] = {&pts, &fr, &pre, &prep, &phi, &model, &lay};
    for (int i = 0; i < 7; i++) {
        write_file(arena_printf(s->arena, "%s/%s", dir, names[i]), bufs[i]->data ? bufs[i]->data : "",
                   bufs[i]->len);
        buf_free(bufs[i]);
    }
}

/* One plot clause per file that has data: gnuplot refuses empty files. */
static void clause(Buf *b, const char *dir, Arena *a, const char *file, const char *how, bool *first)
{
    Buf d = read_file_max(arena_printf(a, "%s/%s", dir, file), 64u << 20);
    bool has = false; /* a line that is not a comment */
    for (const char *l = d.data; l && *l && !has; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
        has = *l != '#' && *l != '\n';
    buf_free(&d);
    if (!has)
        return;
    buf_printf(b, "%s'%s' %s", *first ? "plot " : ", \\\n     ", file, how);
    *first = false;
}

static void plot_script(Search *s, const char *dir)
{
    Arena *a = s->arena;
    Buf b = {0};
    bool first = true;
    buf_printf(&b, "# plots.gp — effcc scale's pictures: run `gnuplot plots.gp` in this folder.\n"
                   "set terminal pngcairo size 1100,720 font ',11'\nset grid\n");
    buf_printf(&b, "set output '../latency-vs-macs.png'\n"
                   "set title 'Measured latency against multiply-adds (%s, %d thread%s)'\n"
                   "set xlabel 'multiply-adds (G)'\nset ylabel 'median latency (ms)'\n"
                   "set key top left\n", s->o->target->name, s->o->threads,
               s->o->threads > 1 ? "s" : "");
    if (s->budget_ms > 0)
        buf_printf(&b, "set yrange [0:%.4f]\nset arrow 1 from graph 0, first %.4f to graph 1, "
                       "first %.4f nohead dt 2 lc rgb '#444444'\nset label 1 'budget %.2f ms' "
                       "at graph 0.99, first %.4f right offset 0,0.6\n",
                   2 * s->budget_ms, s->budget_ms, s->budget_ms, s->budget_ms, s->budget_ms);
    clause(&b, dir, a, "points.dat", "using 1:2 with points pt 7 ps 0.7 lc rgb '#9a9a9a' "
           "title 'measured points'", &first);
    clause(&b, dir, a, "frontier.dat", "using 1:2 with linespoints lw 2 pt 7 lc rgb '#1f77b4' "
           "title 'Pareto front'", &first);
    clause(&b, dir, a, "presets.dat", "using 1:2 with points pt 5 ps 1.3 lc rgb '#d62728' "
           "title 'presets, measured'", &first);
    clause(&b, dir, a, "presets.dat", "using 1:2:3 with labels offset 1.5,0.7 notitle", &first);
    clause(&b, dir, a, "presets-predicted.dat", "using 1:2 with points pt 4 ps 1.3 "
           "lc rgb '#d62728' title 'presets, predicted (not built)'", &first);
    clause(&b, dir, a, "presets-predicted.dat", "using 1:2:3 with labels offset 1.5,0.7 notitle",
           &first);
    buf_printf(&b, "\n\nunset arrow 1\nunset label 1\nset autoscale y\nset output '../latency-vs-phi.png'\n"
                   "set title \"Latency against phi, the spec's alpha %.3g, beta %.3g, gamma %.3g\"\n"
                   "set xlabel 'phi'\n", s->spec->alpha, s->spec->beta, s->spec->gamma);
    if (s->budget_ms > 0)
        buf_printf(&b, "set arrow 1 from graph 0, first %.4f to graph 1, first %.4f nohead dt 2 "
                       "lc rgb '#444444'\nset label 1 'budget' at graph 0.99, first %.4f right "
                       "offset 0,0.6\n", s->budget_ms, s->budget_ms, s->budget_ms);
    first = true;
    clause(&b, dir, a, "phi-model.dat", "using 1:2 with steps lw 2 lc rgb '#1f77b4' "
           "title 'cost model (after the search)'", &first);
    clause(&b, dir, a, "phi.dat", "using 1:2 with points pt 7 ps 1.1 lc rgb '#d62728' "
           "title 'measured'", &first);
    buf_printf(&b, "\n\nunset arrow 1\nunset label 1\nset autoscale y\nset output '../layers.png'\n"
                   "set title 'Where the time goes: the top candidate, per block (profile build)'\n"
                   "set xlabel ''\nset ylabel 'ms per run'\nset style data histograms\n"
                   "set style histogram rowstacked\nset style fill solid 0.85 border -1\n"
                   "set boxwidth 0.8\nset xtics rotate by -60 font ',9'\nset key top right\n");
    first = true;
    clause(&b, dir, a, "layers.dat", "using 2:xtic(1) title 'expand + depthwise', "
           "'' using 3 title 'depthwise', '' using 4 title '1x1', '' using 5 title "
           "'squeeze-excitation', '' using 6 title 'other'", &first);
    buf_printf(&b, "\n");
    write_file(arena_printf(a, "%s/plots.gp", dir), b.data, b.len);
    buf_free(&b);
}

/* gnuplot plots.gp in dir; a missing gnuplot is a note, not an error. */
static void run_gnuplot(Search *s, const char *dir)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(126);
        execlp("gnuplot", "gnuplot", "plots.gp", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid > 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) == 127)
        note("gnuplot did not run: the pictures are not drawn (Debian: apt-get install "
             "gnuplot-nox, then `gnuplot plots.gp` in %s)", dir);
    else if (WEXITSTATUS(status) != 0)
        error_in(arena_printf(s->arena, "%s/plots.gp", dir), "gnuplot failed (exit status %d)",
                 WEXITSTATUS(status));
}

void report_write(Search *s)
{
    int *front = arena_array(s->arena, (size_t)s->npoints + 1, sizeof *front);
    int nfront = frontier(s, front);
    write_candidates(s);
    write_grid(s);
    write_frontier(s, front, nfront);
    const char *dir = arena_printf(s->arena, "%s/plot", s->out);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        error_in(dir, "cannot create the folder: %s", strerror(errno));
    plot_data(s, dir, front, nfront);
    plot_script(s, dir);
    run_gnuplot(s, dir);
    write_ranking(s);
}
