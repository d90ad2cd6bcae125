/* scale_point.c — one point of effcc scale: its request run through the
 * frontend and the pipeline (figures, architecture key, predicted time),
 * the command that rebuilds it, and its compiled folder.
 *
 * Planning runs the pipeline without weights (as effcc info does): the
 * figures and the kernels do not depend on the values, and a plan takes a
 * few milliseconds, so the predicted bisections plan hundreds of points. */
#include "scale.h"

#include <setjmp.h>
#include <string.h>

static ScaleRequest request(const Search *s, const Point *p)
{
    ScaleRequest r = {.classes = s->o->scale.classes};
    if (p->preset) {
        r.preset = p->preset;
    } else {
        r.has_phi = true;
        r.phi = p->phi;
        r.alpha = p->alpha;
        r.beta = p->beta;
        r.gamma = p->gamma;
    }
    return r;
}

static PipelineOptions pipeline_options(const Search *s)
{
    return (PipelineOptions){.target = s->o->target, .threads = s->o->threads};
}

/* The lowered, planned graph of p, within --max-bytes; m gets its model. */
static Graph *plan_graph(Arena *a, const Search *s, const Point *p, bool weights, Model **m)
{
    ScaleRequest r = request(s, p);
    *m = scale_model(a, s->spec, &r);
    Graph *g = lower_model(a, *m);
    limits_check_lowered(g, s->o->max_bytes);
    if (weights)
        weights_synthesize(g, 1); /* the code does not depend on the values */
    PipelineOptions po = pipeline_options(s);
    run_pipeline(g, &po);
    limits_check_planned(g, s->o->max_bytes);
    return g;
}

/* The architecture as text: resolution, stem, stages, head, classes. Equal
 * text, equal graph; the key is its resolution and hash. */
static void architecture_key(const Model *m, char *key)
{
    Buf b = {0};
    buf_printf(&b, "r%d s%d h%d k%d", m->resolution, m->stem_channels, m->head_channels,
               m->classes);
    for (int i = 0; i < m->nstages; i++)
        buf_printf(&b, " %dx%d", m->stages[i].out_channels, m->stages[i].repeats);
    snprintf(key, SCALE_KEY_BYTES, "r%d-%016llx", m->resolution,
             (unsigned long long)hash_fnv1a(b.data, b.len));
    buf_free(&b);
}

void point_plan(Search *s, Point *p)
{
    Arena *a = arena_new();
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        Model *m;
        Graph *g = plan_graph(a, s, p, false, &m);
        GraphStats st = graph_stats(g);
        architecture_key(m, p->key);
        p->resolution = m->resolution;
        p->width = m->width;
        p->depth = m->depth;
        p->macs = st.macs;
        p->params = st.parameters;
        p->weights_bytes = g->weights_bytes;
        p->arena_bytes = g->arena_bytes;
        p->raw_ms = s->cost.fitted ? cost_predict(&s->cost, g) : 0;
        p->predicted_ms = p->raw_ms * s->correction;
        p->valid = true;
        diag_pop(&f);
    } else {
        p->valid = false;
        snprintf(p->why, sizeof p->why, "%s", diag_message());
    }
    arena_free(a);
}

void point_with_graph(Search *s, const Point *p, void (*fn)(const Graph *, void *), void *ctx)
{
    Arena *a = arena_new();
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        Model *m;
        fn(plan_graph(a, s, p, false, &m), ctx);
        diag_pop(&f);
    } else {
        arena_free(a);
        diag_rethrow();
    }
    arena_free(a);
}

/* A word for sh: as it is when it holds only safe characters, else in
 * single quotes (each ' as '\''). */
static void shell_word(Buf *b, const char *w)
{
    if (*w && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-+=:,") ==
                  strlen(w)) {
        buf_printf(b, " %s", w);
        return;
    }
    buf_printf(b, " '");
    for (const char *c = w; *c; c++)
        buf_printf(b, *c == '\'' ? "'\\''" : "%c", *c);
    buf_printf(b, "'");
}

char *point_command(Arena *a, const Search *s, const Point *p, const char *dir)
{
    Buf b = {0};
    buf_printf(&b, "effcc compile");
    shell_word(&b, s->o->spec);
    if (p->preset) {
        buf_printf(&b, " --preset");
        shell_word(&b, p->preset);
    } else {
        buf_printf(&b, " --alpha %.4g --beta %.4g --gamma %.4g --phi %.4f", p->alpha, p->beta,
                   p->gamma, p->phi);
    }
    if (s->o->scale.classes)
        buf_printf(&b, " --classes %d", s->o->scale.classes);
    buf_printf(&b, " --target %s --threads %d -o", s->o->target->name, s->o->threads);
    shell_word(&b, dir);
    char *text = arena_strdup(a, b.data);
    buf_free(&b);
    return text;
}

void point_compile(Search *s, const Point *p, const char *dir)
{
    Arena *a = arena_new();
    Staging *volatile staged = NULL; /* read after longjmp */
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        Model *m;
        Graph *g = plan_graph(a, s, p, true, &m);
        CodegenOptions co = {.name = m->name, .command = point_command(a, s, p, "DIR")};
        codegen_check_name(m->name, "the spec's name");
        Staging *st = arena_alloc(a, sizeof *st);
        *st = staging_dir_create(a, dir);
        staged = st;
        codegen_write(g, &co, st->dir);
        staging_dir_commit(st->dir, dir);
        staged = NULL;
        diag_pop(&f);
    } else {
        if (staged)
            staging_dir_abandon(staged);
        arena_free(a);
        diag_rethrow();
    }
    arena_free(a);
}
