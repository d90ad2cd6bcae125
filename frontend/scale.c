/* scale.c — compound scaling: Spec + request → Model.
 *
 * A preset or φ picks width, depth and resolution multipliers; explicit
 * --width/--depth/--resolution override single dimensions. Channels follow
 * the official rounding (torchvision's _make_divisible), repeats round up.
 * With scaling.fix_head_stem (EfficientNet-Lite) the stem and head channels
 * and the repeats of the first and last stage keep their base values.
 * The float arithmetic mirrors Python's so every count equals torchvision's.
 * An error a spec's value causes points at that value (Spec.at, SpecPreset.at);
 * one the command line causes (--phi, --width, …) names the option. */
#include "frontend.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

/* Channel counts, resolutions and depths beyond these are refused before
 * any allocation: they can only come from an absurd request. The largest
 * EfficientNet (L2) has 4.3 times B0's width, 5.3 times its depth (~90
 * blocks) and 800 pixels. MAX_BLOCKS also bounds the graph's size, which the
 * passes handle in quadratic time: 2000 blocks take about a second. */
#define MAX_CHANNELS 100000
#define MAX_RESOLUTION 20000
#define MAX_REPEATS 10000
#define MAX_BLOCKS 2000
#define MAX_MULTIPLIER 1000

int round_channels(double channels, double mult, int divisor)
{
    double v = channels * mult;
    if (!(v < MAX_CHANNELS)) /* also catches NaN and inf */
        return -1;
    /* int(v + divisor / 2) // divisor * divisor, at least divisor */
    long r = (long)(v + divisor / 2.0) / divisor * divisor;
    if (r < divisor)
        r = divisor;
    if ((double)r < 0.9 * v) /* rounding down lost more than 10% */
        r += divisor;
    return r <= MAX_CHANNELS ? (int)r : -1; /* a large divisor can go past the limit */
}

int round_repeats(int repeats, double mult)
{
    double v = ceil(repeats * mult);
    return v < MAX_REPEATS ? (int)v : -1;
}

int expanded_channels(int in_channels, double expand, int divisor)
{
    return round_channels(in_channels, expand, divisor);
}

int squeeze_channels(int in_channels, double se_ratio)
{
    int s = (int)floor(in_channels * se_ratio);
    return s < 1 ? 1 : s;
}

static const SpecPreset *find_preset(const Spec *s, const char *name)
{
    for (int i = 0; i < s->npresets; i++)
        if (strcmp(s->presets[i].name, name) == 0)
            return &s->presets[i];
    return NULL;
}

static _Noreturn void unknown_preset(const Spec *s, const char *name)
{
    char known[512] = "";
    size_t used = 0;
    for (int i = 0; i < s->npresets && used < sizeof known - 64; i++)
        used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "",
                                 s->presets[i].name);
    if (s->npresets == 0)
        error_at(s->path, s->presets_loc.line, s->presets_loc.col,
                 "unknown preset '%s': this spec defines no presets", name);
    error_at(s->path, s->presets_loc.line, s->presets_loc.col,
             "unknown preset '%s'; expected one of: %s", name, known);
}

/* Where a multiplier or the resolution came from: says is "preset 'b3'
 * gives", "phi 40 gives", "--width gives"; at is the spec's value that gave
 * it, {0, 0} when the command line did. */
typedef struct {
    char says[128];
    Loc at;
} Origin;

/* An error at the spec value origin points to, else a command-line error. */
static _Noreturn EFFCC_PRINTF(3, 4) void fail(const Spec *s, Loc at, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (at.line > 0)
        error_at(s->path, at.line, at.col, "%s", msg);
    error_msg("%s", msg);
}

static void check_multiplier(const Spec *s, const Origin *o, const char *what, double v)
{
    if (!(v > 0) || !isfinite(v) || v > MAX_MULTIPLIER)
        fail(s, o->at, "%s %s multiplier %g, out of range (expected a number in (0, %d])",
             o->says, what, v, MAX_MULTIPLIER);
}

/* torchvision's ImageNet normalisation in pixel units (0..255), the default
 * for 3-channel specs; other channel counts default to mean 0, std 1. */
static const double imagenet_mean[3] = {0.485 * 255, 0.456 * 255, 0.406 * 255};
static const double imagenet_std[3] = {0.229 * 255, 0.224 * 255, 0.225 * 255};

static const double *per_channel(Arena *a, const SpecList *l, int channels, double fill,
                                 const double *imagenet)
{
    if (l->v)
        return l->v;
    if (channels == 3)
        return imagenet;
    double *v = arena_array(a, (size_t)channels, sizeof *v);
    for (int i = 0; i < channels; i++)
        v[i] = fill;
    return v;
}

/* A stem, stage or head channel count, at the spec's value when absurd; with
 * fix_head_stem the spec's count is kept as it is. */
static int scaled_channels(const Spec *s, int base, double width, bool fixed, const char *what,
                           Loc at)
{
    if (fixed && base > MAX_CHANNELS)
        error_at(s->path, at.line, at.col, "%s: %d channels is absurd: more than %d", what, base,
                 MAX_CHANNELS);
    int c = fixed ? base : round_channels(base, width, s->divisor);
    if (c < 0)
        error_at(s->path, at.line, at.col,
                 "%s: %d channels × width %g (divisor %d) is absurd: more than %d channels", what,
                 base, width, s->divisor, MAX_CHANNELS);
    return c;
}

/* Every channel count rounds to a multiple of the divisor, at least itself. */
static void check_divisor(const Spec *s)
{
    if (s->divisor > MAX_CHANNELS)
        error_at(s->path, s->at.divisor.line, s->at.divisor.col,
                 "scaling: divisor %d is above the limit of %d channels (every channel count "
                 "is a multiple of it)",
                 s->divisor, MAX_CHANNELS);
}

/* Where one of width, depth and resolution came from: the command line's
 * option, else the preset (at its value in the spec), φ, or the spec. */
static Origin origin_of(const ScaleRequest *r, const SpecPreset *p, const Loc *in_preset,
                        const char *option, bool overridden)
{
    Origin o = {"", {0, 0}};
    if (overridden) {
        snprintf(o.says, sizeof o.says, "%s gives", option);
    } else if (p) {
        snprintf(o.says, sizeof o.says, "preset '%s' gives", p->name);
        o.at = *in_preset;
    } else if (r->has_phi) {
        snprintf(o.says, sizeof o.says, "phi %g gives", r->phi);
    } else {
        snprintf(o.says, sizeof o.says, "the spec gives");
    }
    return o;
}

/* Picks the multipliers of the request: preset, φ, then single overrides;
 * o gets where width, depth and resolution came from. */
static void pick_multipliers(const Spec *s, const ScaleRequest *r, Model *m, Origin o[3])
{
    const SpecPreset *p = NULL;
    m->width = m->depth = 1.0;
    m->spec_hash = s->hash;
    m->resolution = s->resolution;
    m->bn_eps = s->bn_eps;
    if (r->preset) {
        p = find_preset(s, r->preset);
        if (!p)
            unknown_preset(s, r->preset);
        m->width = p->width;
        m->depth = p->depth;
        m->resolution = p->resolution;
        if (p->bn_eps > 0)
            m->bn_eps = p->bn_eps;
    } else if (r->has_phi) {
        if (!isfinite(r->phi))
            error_msg("--phi must be a finite number");
        double alpha = r->alpha > 0 ? r->alpha : s->alpha, beta = r->beta > 0 ? r->beta : s->beta,
               gamma = r->gamma > 0 ? r->gamma : s->gamma;
        m->width = pow(beta, r->phi);
        m->depth = pow(alpha, r->phi);
        double res = round(s->resolution * pow(gamma, r->phi));
        if (!(res <= MAX_RESOLUTION) && r->resolution == 0)
            error_msg("phi %g gives resolution %.0f, above the limit of %d", r->phi, res,
                      MAX_RESOLUTION);
        m->resolution = res < 1 ? 1 : res > MAX_RESOLUTION ? MAX_RESOLUTION : (int)res;
    }
    o[0] = origin_of(r, p, p ? &p->at.width : NULL, "--width", r->width > 0);
    o[1] = origin_of(r, p, p ? &p->at.depth : NULL, "--depth", r->depth > 0);
    o[2] = origin_of(r, p, p ? &p->at.resolution : NULL, "--resolution", r->resolution > 0);
    if (r->width > 0)
        m->width = r->width;
    if (r->depth > 0)
        m->depth = r->depth;
    if (r->resolution > 0)
        m->resolution = r->resolution;
    check_multiplier(s, &o[0], "width", m->width);
    check_multiplier(s, &o[1], "depth", m->depth);
    if (m->resolution <= MAX_RESOLUTION)
        return;
    if (!r->resolution && !p && !r->has_phi)
        error_at(s->path, s->at.resolution.line, s->at.resolution.col,
                 "input: resolution %d is above the limit of %d", m->resolution, MAX_RESOLUTION);
    fail(s, o[2].at, "%s resolution %d, above the limit of %d", o[2].says, m->resolution,
         MAX_RESOLUTION);
}

/* The blocks of all stages: each is a dozen nodes of the graph. */
static void check_blocks(const Spec *s, const Model *m, const ScaleRequest *r,
                         const Origin *depth)
{
    long blocks = 0;
    for (int i = 0; i < m->nstages; i++)
        blocks += m->stages[i].repeats;
    if (blocks <= MAX_BLOCKS)
        return;
    if (!r->preset && !r->has_phi && !r->depth)
        error_at(s->path, s->at.stages.line, s->at.stages.col,
                 "the stages have %ld blocks in all, above the limit of %d", blocks, MAX_BLOCKS);
    fail(s, depth->at, "%s depth multiplier %g: %ld blocks in all, above the limit of %d",
         depth->says, m->depth, blocks, MAX_BLOCKS);
}

Model *scale_model(Arena *a, const Spec *s, const ScaleRequest *r)
{
    Model *m = arena_alloc(a, sizeof *m);
    m->name = s->name;
    m->in_channels = s->in_channels;
    m->classes = r->classes > 0 ? r->classes : s->classes;
    m->mean = per_channel(a, &s->mean, s->in_channels, 0.0, imagenet_mean);
    m->std = per_channel(a, &s->std, s->in_channels, 1.0, imagenet_std);
    m->activation = s->activation;
    m->padding = s->padding;
    m->se_ratio = s->se_ratio;
    m->divisor = s->divisor;
    m->stem_kernel = s->stem_kernel;
    m->stem_stride = s->stem_stride;
    Origin origin[3]; /* of width, depth, resolution */
    pick_multipliers(s, r, m, origin);
    check_divisor(s);

    bool fixed = s->fix_head_stem;
    m->stem_channels =
        scaled_channels(s, s->stem_channels, m->width, fixed, "stem", s->at.stem_channels);
    m->nstages = s->nstages;
    m->stages = arena_array(a, (size_t)s->nstages, sizeof *m->stages);
    int in = m->stem_channels;
    for (int i = 0; i < s->nstages; i++) {
        const SpecStage *st = &s->stages[i];
        ModelStage *ms = &m->stages[i];
        ms->expand = st->expand;
        ms->kernel = st->kernel;
        ms->stride = st->stride;
        ms->in_channels = in;
        char what[32];
        snprintf(what, sizeof what, "stage %d", i + 1);
        ms->out_channels = scaled_channels(s, st->channels, m->width, false, what, st->loc);
        bool ends = i == 0 || i == s->nstages - 1;
        ms->repeats = fixed && ends ? st->repeats : round_repeats(st->repeats, m->depth);
        if (ms->repeats < 0)
            error_at(s->path, st->loc.line, st->loc.col,
                     "stage %d: %d repeats × depth %g is absurd: %d or more", i + 1, st->repeats,
                     m->depth, MAX_REPEATS);
        for (int k = 0; k < 2; k++) /* the first block's input, then the others' */
            if (expanded_channels(k ? ms->out_channels : in, st->expand, s->divisor) < 0)
                error_at(s->path, st->loc.line, st->loc.col,
                         "stage %d: %d channels × expand %g is absurd: more than %d channels",
                         i + 1, k ? ms->out_channels : in, st->expand, MAX_CHANNELS);
        in = ms->out_channels;
    }
    check_blocks(s, m, r, &origin[1]);
    m->head_channels =
        scaled_channels(s, s->head_channels, m->width, fixed, "head", s->at.head_channels);
    return m;
}
