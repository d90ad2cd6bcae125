/* spec.c — the YAML spec, read into a Spec and checked key by key.
 *
 * libyaml does the syntax. A first pass over its events reports syntax
 * errors, aliases and extra documents at their positions; then
 * yaml_parser_load builds the node tree, which we walk with one table of
 * allowed keys per mapping. Every key is checked (type, range, unknown,
 * missing, duplicate) and an error points at the offending key or value as
 * FILE:LINE:COL. Numbers are plain scalars only: a quoted "3" is a string,
 * so it is a type error where a number is expected; strings may be plain or
 * quoted, but a plain null or boolean (`~`, `true`, …) is not a string;
 * a boolean is a plain true or false. Every number is 0 or a normal float
 * (at least FLT_MIN): mean and std reach the generated header as floats and
 * eps the folded weights, where a smaller one would become 0 or lose its
 * precision. Tags (`!!str 10`, `!foo`) and %TAG directives are refused:
 * the loader would type such a value its own way, behind the schema's back.
 * The schema is a contract other tools rely on: keys may be added, never
 * renamed. Everything the Spec holds lives in the arena.
 *
 * Hostile input fails fast: a spec is at most SPEC_MAX_BYTES, and the event
 * pass stops at the first alias (a "billion laughs" file expands
 * exponentially through them) and at nesting deeper than SPEC_MAX_DEPTH
 * (libyaml's scanner takes time quadratic in the depth: 100,000 nested '['
 * took 17 s), before yaml_parser_load builds any tree. */
#include "frontend.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define SPEC_MAX 1000000   /* the largest int or number any key accepts */
#define SPEC_MAX_LIST 1000 /* the most stages or presets: keeps sums of repeats in int */
#define MAX_FIELDS 16      /* the most keys one mapping's table lists */
#define SHOW_MAX 40        /* quoted values are cut to this many bytes */
#define SPEC_MAX_BYTES (1 << 20) /* real specs are about 2 KB */
#define SPEC_MAX_DEPTH 16        /* real specs nest 3 deep */

typedef enum {
    K_INT,      /* int in 1..SPEC_MAX */
    K_KERNEL,   /* odd int in 1..SPEC_MAX */
    K_STRIDE,   /* 1 or 2 */
    K_NUMBER,   /* number in [FLT_MIN, SPEC_MAX] */
    K_EXPAND,   /* number in [1, SPEC_MAX] */
    K_FRACTION, /* 0, or a number in [FLT_MIN, 1] */
    K_IDENT,    /* a C identifier, stored as char * */
    K_ACT,      /* an activation name, stored as Act */
    K_PADDING,  /* a padding name, stored as Padding */
    K_BOOL,     /* true or false, stored as bool */
    K_MEAN,     /* a sequence of 0 or numbers in [FLT_MIN, 255], stored as SpecList */
    K_STD,      /* a sequence of numbers in [FLT_MIN, SPEC_MAX], stored as SpecList */
    K_MAP,      /* a nested mapping, filled into the same struct */
    K_STAGES,   /* the stage list (Spec only) */
    K_PRESETS,  /* the preset mapping (Spec only) */
    KIND_COUNT
} Kind;

/* What each scalar kind expects, for messages; mappings list their keys. */
static const char *const expects[KIND_COUNT] = {
    [K_INT] = "a positive integer",
    [K_KERNEL] = "a positive odd integer",
    [K_STRIDE] = "1 or 2",
    [K_NUMBER] = "a positive number",
    [K_EXPAND] = "a number >= 1",
    [K_FRACTION] = "a number from 0 to 1",
    [K_IDENT] = "a C identifier (letters, digits and _, not starting with a digit)",
    [K_BOOL] = "true or false",
    [K_MEAN] = "a number from 0 to 255",
    [K_STD] = "a positive number",
    [K_STAGES] = "a non-empty sequence of stage mappings",
    [K_PRESETS] = "a mapping from preset names to preset mappings",
};

/* The activations and paddings a spec may name. */
static const int spec_acts[] = {ACT_SWISH, ACT_RELU6};
static const int spec_paddings[] = {PADDING_SYMMETRIC, PADDING_TF_SAME};

typedef struct Table Table;
typedef struct {
    const char *key;
    Kind kind;
    size_t offset;    /* where the value goes in the struct being filled */
    const Table *sub; /* K_MAP: the nested mapping's keys */
    bool optional;
    size_t at; /* where the value's Loc goes, for scale.c's errors; 0: not kept */
} Field;

struct Table {
    const Field *fields;
    int n;
};
#define TABLE(f) {f, (int)(sizeof f / sizeof f[0])}

static const Field input_fields[] = {
    {"channels", K_INT, offsetof(Spec, in_channels)},
    {"resolution", K_INT, offsetof(Spec, resolution), .at = offsetof(Spec, at.resolution)},
    {"mean", K_MEAN, offsetof(Spec, mean), NULL, true},
    {"std", K_STD, offsetof(Spec, std), NULL, true},
};
static const Field batchnorm_fields[] = {
    {"eps", K_NUMBER, offsetof(Spec, bn_eps)},
};
static const Field stem_fields[] = {
    {"channels", K_INT, offsetof(Spec, stem_channels), .at = offsetof(Spec, at.stem_channels)},
    {"kernel", K_KERNEL, offsetof(Spec, stem_kernel)},
    {"stride", K_STRIDE, offsetof(Spec, stem_stride)},
};
static const Field head_fields[] = {
    {"channels", K_INT, offsetof(Spec, head_channels), .at = offsetof(Spec, at.head_channels)},
};
static const Field scaling_fields[] = {
    {"alpha", K_NUMBER, offsetof(Spec, alpha)},
    {"beta", K_NUMBER, offsetof(Spec, beta)},
    {"gamma", K_NUMBER, offsetof(Spec, gamma)},
    {"divisor", K_INT, offsetof(Spec, divisor), .at = offsetof(Spec, at.divisor)},
    {"fix_head_stem", K_BOOL, offsetof(Spec, fix_head_stem), NULL, true},
};
static const Field stage_fields[] = {
    {"expand", K_EXPAND, offsetof(SpecStage, expand)},
    {"kernel", K_KERNEL, offsetof(SpecStage, kernel)},
    {"stride", K_STRIDE, offsetof(SpecStage, stride)},
    {"channels", K_INT, offsetof(SpecStage, channels)},
    {"repeats", K_INT, offsetof(SpecStage, repeats)},
};
static const Field preset_fields[] = {
    {"width", K_NUMBER, offsetof(SpecPreset, width), .at = offsetof(SpecPreset, at.width)},
    {"depth", K_NUMBER, offsetof(SpecPreset, depth), .at = offsetof(SpecPreset, at.depth)},
    {"resolution", K_INT, offsetof(SpecPreset, resolution),
     .at = offsetof(SpecPreset, at.resolution)},
    {"batchnorm_eps", K_NUMBER, offsetof(SpecPreset, bn_eps), NULL, true},
};
static const Table input_table = TABLE(input_fields);
static const Table batchnorm_table = TABLE(batchnorm_fields);
static const Table stem_table = TABLE(stem_fields);
static const Table head_table = TABLE(head_fields);
static const Table scaling_table = TABLE(scaling_fields);
static const Table stage_table = TABLE(stage_fields);
static const Table preset_table = TABLE(preset_fields);

static const Field spec_fields[] = {
    {"name", K_IDENT, offsetof(Spec, name)},
    {"input", K_MAP, 0, &input_table},
    {"classes", K_INT, offsetof(Spec, classes)},
    {"activation", K_ACT, offsetof(Spec, activation)},
    {"batchnorm", K_MAP, 0, &batchnorm_table},
    {"stem", K_MAP, 0, &stem_table},
    {"stages", K_STAGES, .at = offsetof(Spec, at.stages)},
    {"se_ratio", K_FRACTION, offsetof(Spec, se_ratio)},
    {"head", K_MAP, 0, &head_table},
    {"scaling", K_MAP, 0, &scaling_table},
    {"padding", K_PADDING, offsetof(Spec, padding), NULL, true},
    {"presets", K_PRESETS, 0, NULL, true},
};
static const Table spec_table = TABLE(spec_fields);
_Static_assert(sizeof spec_fields / sizeof spec_fields[0] <= MAX_FIELDS,
               "the largest table must fit fill's seen[]");

/* ---- errors ------------------------------------------------------------ */

typedef struct {
    Arena *a;
    const char *path;
    yaml_document_t *doc;
} Walk;

static Loc loc_of(const yaml_node_t *n)
{
    return (Loc){(int)n->start_mark.line + 1, (int)n->start_mark.column + 1};
}

static _Noreturn EFFCC_PRINTF(3, 4) void fail_at(Walk *w, Loc l, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    error_at(w->path, l.line, l.col, "%s", msg);
}

/* "stage 3: " before a message about a key of that mapping; "" at the top. */
static const char *prefix(Walk *w, const char *where)
{
    return where ? arena_printf(w->a, "%s: ", where) : "";
}

/* Text from the file for a message, into out: control bytes as '?', cut
 * at SHOW_MAX bytes on a UTF-8 character boundary. */
static void show_into(char out[SHOW_MAX + 4], const unsigned char *s, size_t len)
{
    size_t n = len;
    if (n > SHOW_MAX)
        for (n = SHOW_MAX; n > 0 && (s[n] & 0xC0) == 0x80; n--)
            ;
    for (size_t i = 0; i < n; i++)
        out[i] = s[i] < 0x20 || s[i] == 0x7F ? '?' : (char)s[i];
    out[n] = '\0';
    if (n < len)
        memcpy(out + n, "...", 4);
}

static const char *show(Walk *w, const unsigned char *s, size_t len)
{
    char *out = arena_alloc(w->a, SHOW_MAX + 4);
    show_into(out, s, len);
    return out;
}

/* What a node is, for the "got …" half of a message. */
static const char *describe(Walk *w, const yaml_node_t *n)
{
    if (n->type == YAML_MAPPING_NODE) {
        bool empty = n->data.mapping.pairs.top == n->data.mapping.pairs.start;
        return empty ? "an empty mapping" : "a mapping";
    }
    if (n->type == YAML_SEQUENCE_NODE) {
        bool empty = n->data.sequence.items.top == n->data.sequence.items.start;
        return empty ? "an empty sequence" : "a sequence";
    }
    const char *text = show(w, n->data.scalar.value, n->data.scalar.length);
    switch (n->data.scalar.style) {
    case YAML_PLAIN_SCALAR_STYLE:
        return n->data.scalar.length ? text : "an empty value";
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
        return arena_printf(w->a, "the string \"%s\"", text);
    default:
        return "a block string";
    }
}

/* "WHERE: KEY must be EXPECT, got FOUND" at the value. */
static _Noreturn void bad(Walk *w, const yaml_node_t *v, const char *where, const char *key,
                          const char *expect)
{
    fail_at(w, loc_of(v), "%s%s must be %s, got %s", prefix(w, where), key, expect, describe(w, v));
}

static const char *key_list(Walk *w, const Table *t)
{
    const char *s = t->fields[0].key;
    for (int i = 1; i < t->n; i++)
        s = arena_printf(w->a, "%s, %s", s, t->fields[i].key);
    return s;
}

static const char *map_expect(Walk *w, const Table *t)
{
    return arena_printf(w->a, "a mapping with keys %s", key_list(w, t));
}

/* ---- scalars ----------------------------------------------------------- */

static const char *scalar_text(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static bool is_plain(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* A scalar that YAML does not read as null or a boolean. */
static bool is_string(const yaml_node_t *n)
{
    static const char *const special[] = {"",     "~",    "null",  "Null",  "NULL", "true",
                                          "True", "TRUE", "false", "False", "FALSE"};
    if (n->type != YAML_SCALAR_NODE)
        return false;
    if (!is_plain(n))
        return true;
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        if (strcmp(scalar_text(n), special[i]) == 0)
            return false;
    return true;
}

/* A plain decimal integer; out of long's range saturates (errno ERANGE). */
static bool scalar_int(const yaml_node_t *n, long *out)
{
    if (!is_plain(n))
        return false;
    const char *s = scalar_text(n);
    const char *digits = s + (*s == '+' || *s == '-');
    if (!*digits || strspn(digits, "0123456789") != strlen(digits))
        return false;
    errno = 0;
    *out = strtol(s, NULL, 10);
    return true;
}

/* A plain decimal number (no hex, inf or nan); overflow becomes ±inf. */
static bool scalar_number(const yaml_node_t *n, double *out)
{
    if (!is_plain(n))
        return false;
    const char *s = scalar_text(n);
    size_t len = strlen(s);
    if (!len || strspn(s, "0123456789.eE+-") != len || strcspn(s, "0123456789") == len)
        return false;
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (*end)
        return false;
    if (errno == ERANGE && fabs(x) > 1)
        x = copysign(INFINITY, x);
    *out = x + 0.0; /* -0 becomes 0 */
    return true;
}

static _Noreturn void too_large(Walk *w, const yaml_node_t *v, const char *where, const char *key)
{
    fail_at(w, loc_of(v), "%s%s is too large: got %s, at most %d", prefix(w, where), key,
            describe(w, v), SPEC_MAX);
}

/* Whether x is in the range of a number kind (see Kind). */
static bool number_ok(Kind kind, double x)
{
    if (x != 0 && fabs(x) < FLT_MIN) /* 0.0f or a subnormal once a float */
        return false;
    switch (kind) {
    case K_FRACTION:
        return x >= 0 && x <= 1;
    case K_EXPAND:
        return x >= 1 && x <= SPEC_MAX;
    case K_MEAN:
        return x >= 0 && x <= 255;
    default: /* K_NUMBER, K_STD */
        return x > 0 && x <= SPEC_MAX;
    }
}

/* Why a number v (read as x) is out of its kind's range; key names it. */
static _Noreturn void bad_number(Walk *w, Kind kind, const yaml_node_t *v, double x,
                                 const char *where, const char *key)
{
    if (x > SPEC_MAX && kind != K_FRACTION && kind != K_MEAN)
        too_large(w, v, where, key);
    if (x > 0 && x < FLT_MIN && kind != K_EXPAND)
        fail_at(w, loc_of(v), "%s%s is too small: got %s, below the smallest normal float (%.9g)",
                prefix(w, where), key, describe(w, v), (double)FLT_MIN);
    bad(w, v, where, key, expects[kind]);
}

static int read_int(Walk *w, const Field *f, const yaml_node_t *v, const char *where)
{
    long x;
    if (!scalar_int(v, &x))
        bad(w, v, where, f->key, expects[f->kind]);
    bool ok = f->kind == K_STRIDE   ? x == 1 || x == 2
              : f->kind == K_KERNEL ? x > 0 && x % 2 == 1 && x <= SPEC_MAX
                                    : x > 0 && x <= SPEC_MAX;
    if (ok)
        return (int)x;
    if (x > SPEC_MAX && f->kind != K_STRIDE)
        too_large(w, v, where, f->key);
    bad(w, v, where, f->key, expects[f->kind]);
}

static double read_number(Walk *w, const Field *f, const yaml_node_t *v, const char *where)
{
    double x;
    if (!scalar_number(v, &x))
        bad(w, v, where, f->key, expects[f->kind]);
    if (!number_ok(f->kind, x))
        bad_number(w, f->kind, v, x, where, f->key);
    return x;
}

static bool is_ident(const char *s, size_t len)
{
    if (len == 0 || (*s >= '0' && *s <= '9'))
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9')))
            return false;
    }
    return true;
}

static char *read_ident(Walk *w, const Field *f, const yaml_node_t *v, const char *where)
{
    if (!is_string(v) || !is_ident(scalar_text(v), v->data.scalar.length))
        bad(w, v, where, f->key, expects[K_IDENT]);
    return arena_strdup(w->a, scalar_text(v));
}

/* One of n named values: values[i] is called names[values[i]]. */
static int read_enum(Walk *w, const Field *f, const yaml_node_t *v, const char *where,
                     const int *values, size_t n, const char *const *names)
{
    for (size_t i = 0; i < n; i++)
        if (is_string(v) && strcmp(scalar_text(v), names[values[i]]) == 0)
            return values[i];
    const char *list = names[values[0]];
    for (size_t i = 1; i < n; i++)
        list = arena_printf(w->a, "%s, %s", list, names[values[i]]);
    bad(w, v, where, f->key, arena_printf(w->a, "one of: %s", list));
}

static bool read_bool(Walk *w, const Field *f, const yaml_node_t *v, const char *where)
{
    static const char *const yes[] = {"true", "True", "TRUE"};
    static const char *const no[] = {"false", "False", "FALSE"};
    for (int i = 0; is_plain(v) && i < 3; i++) {
        if (strcmp(scalar_text(v), yes[i]) == 0)
            return true;
        if (strcmp(scalar_text(v), no[i]) == 0)
            return false;
    }
    bad(w, v, where, f->key, expects[K_BOOL]);
}

static yaml_node_t *node(Walk *w, int id);

/* A non-empty sequence of numbers, each checked like a scalar of f's kind;
 * its length is checked against the channels once the whole spec is read. */
static SpecList read_list(Walk *w, const Field *f, const yaml_node_t *seq, const char *where)
{
    if (seq->type != YAML_SEQUENCE_NODE ||
        seq->data.sequence.items.top == seq->data.sequence.items.start)
        bad(w, seq, where, f->key,
            arena_printf(w->a, "a sequence of numbers (%s each), one per input channel",
                         expects[f->kind] + 2));
    ptrdiff_t n = seq->data.sequence.items.top - seq->data.sequence.items.start;
    if (n > SPEC_MAX_LIST)
        fail_at(w, loc_of(seq), "%s%s: too many numbers: %td", prefix(w, where), f->key, n);
    SpecList l = {arena_array(w->a, (size_t)n, sizeof(double)), (int)n, loc_of(seq)};
    for (int i = 0; i < l.n; i++) {
        const yaml_node_t *item = node(w, seq->data.sequence.items.start[i]);
        const char *key = arena_printf(w->a, "%s[%d]", f->key, i);
        double x;
        if (!scalar_number(item, &x))
            bad(w, item, where, key, expects[f->kind]);
        if (!number_ok(f->kind, x))
            bad_number(w, f->kind, item, x, where, key);
        l.v[i] = x;
    }
    return l;
}

/* ---- mappings and lists ------------------------------------------------ */

/* Internal errors stay on in release builds: they are bugs, not user errors. */
static _Noreturn void internal(const char *what)
{
    internal_error("spec.c: %s", what);
}

static yaml_node_t *node(Walk *w, int id)
{
    yaml_node_t *n = yaml_document_get_node(w->doc, id);
    if (!n)
        internal("libyaml node id out of range");
    return n;
}

/* Where a duplicate key first appeared: "line 4", or with the column when
 * both sit on one line of a flow mapping. */
static const char *first_at(Walk *w, Loc first, Loc dup)
{
    if (first.line != dup.line)
        return arena_printf(w->a, "line %d", first.line);
    return arena_printf(w->a, "line %d, column %d", first.line, first.col);
}

/* The table index of a key; an unknown or non-string key is an error. */
static int field_index(Walk *w, const Table *t, const yaml_node_t *key, const char *where)
{
    if (!is_string(key))
        fail_at(w, loc_of(key), "%skeys must be strings, got %s", prefix(w, where),
                describe(w, key));
    for (int i = 0; i < t->n; i++)
        if (strcmp(scalar_text(key), t->fields[i].key) == 0)
            return i;
    fail_at(w, loc_of(key), "unknown key '%s' %s%s; expected one of: %s",
            show(w, key->data.scalar.value, key->data.scalar.length),
            where ? "in " : "at top level", where ? where : "", key_list(w, t));
}

static void read_value(Walk *w, const Field *f, yaml_node_t *key, yaml_node_t *v, void *base,
                       const char *where);

/* Fills base from a mapping by the table's keys; where names the mapping in
 * messages ("stem", "stage 3"), NULL at the top level. */
static void fill(Walk *w, yaml_node_t *map, const Table *t, void *base, const char *where)
{
    yaml_node_t *seen[MAX_FIELDS] = {0};
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *key = node(w, p->key);
        int i = field_index(w, t, key, where);
        if (seen[i])
            fail_at(w, loc_of(key), "%sduplicate key '%s' (first at %s)", prefix(w, where),
                    t->fields[i].key, first_at(w, loc_of(seen[i]), loc_of(key)));
        seen[i] = key;
        yaml_node_t *v = node(w, p->value);
        read_value(w, &t->fields[i], key, v, base, where);
        if (t->fields[i].at)
            *(Loc *)((char *)base + t->fields[i].at) = loc_of(v);
    }
    for (int i = 0; i < t->n; i++)
        if (!seen[i] && !t->fields[i].optional)
            fail_at(w, loc_of(map), "%smissing key '%s'", prefix(w, where), t->fields[i].key);
}

static void read_stages(Walk *w, const yaml_node_t *seq, Spec *s)
{
    if (seq->type != YAML_SEQUENCE_NODE ||
        seq->data.sequence.items.top == seq->data.sequence.items.start)
        bad(w, seq, NULL, "stages", expects[K_STAGES]);
    ptrdiff_t n = seq->data.sequence.items.top - seq->data.sequence.items.start;
    if (n > SPEC_MAX_LIST)
        fail_at(w, loc_of(seq), "too many stages: %td, at most %d", n, SPEC_MAX_LIST);
    s->nstages = (int)n;
    s->stages = arena_array(w->a, (size_t)n, sizeof *s->stages);
    for (int i = 0; i < s->nstages; i++) {
        yaml_node_t *item = node(w, seq->data.sequence.items.start[i]);
        const char *where = arena_printf(w->a, "stage %d", i + 1);
        if (item->type != YAML_MAPPING_NODE)
            bad(w, item, NULL, where, map_expect(w, &stage_table));
        fill(w, item, &stage_table, &s->stages[i], where);
        s->stages[i].loc = loc_of(item);
    }
}

static bool is_printable(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] < 0x20 || s[i] == 0x7F)
            return false;
    return len > 0;
}

/* One preset: its name is the key, non-empty and printable, not seen before. */
static void read_preset(Walk *w, const yaml_node_pair_t *pair, int i, Spec *s)
{
    yaml_node_t *key = node(w, pair->key), *v = node(w, pair->value);
    if (!is_string(key) || !is_printable(key->data.scalar.value, key->data.scalar.length))
        fail_at(w, loc_of(key), "presets: preset names must be non-empty printable strings, got %s",
                describe(w, key));
    const char *name = scalar_text(key);
    const char *shown = show(w, key->data.scalar.value, key->data.scalar.length);
    for (int j = 0; j < i; j++)
        if (strcmp(s->presets[j].name, name) == 0)
            fail_at(w, loc_of(key), "presets: duplicate key '%s' (first at %s)", shown,
                    first_at(w, s->presets[j].loc, loc_of(key)));
    const char *where = arena_printf(w->a, "preset '%s'", shown);
    if (v->type != YAML_MAPPING_NODE)
        bad(w, v, NULL, where, map_expect(w, &preset_table));
    SpecPreset *p = &s->presets[i];
    p->name = arena_strdup(w->a, name);
    p->loc = loc_of(key);
    fill(w, v, &preset_table, p, where);
}

static void read_presets(Walk *w, const yaml_node_t *key, const yaml_node_t *map, Spec *s)
{
    s->presets_loc = loc_of(key);
    if (map->type != YAML_MAPPING_NODE)
        bad(w, map, NULL, "presets", expects[K_PRESETS]);
    ptrdiff_t n = map->data.mapping.pairs.top - map->data.mapping.pairs.start;
    if (n > SPEC_MAX_LIST)
        fail_at(w, loc_of(map), "too many presets: %td, at most %d", n, SPEC_MAX_LIST);
    s->npresets = (int)n;
    s->presets = arena_array(w->a, (size_t)n, sizeof *s->presets);
    for (int i = 0; i < s->npresets; i++)
        read_preset(w, map->data.mapping.pairs.start + i, i, s);
}

static void read_value(Walk *w, const Field *f, yaml_node_t *key, yaml_node_t *v, void *base,
                       const char *where)
{
    char *dst = (char *)base + f->offset;
    switch (f->kind) {
    case K_INT:
    case K_KERNEL:
    case K_STRIDE:
        *(int *)dst = read_int(w, f, v, where);
        break;
    case K_NUMBER:
    case K_EXPAND:
    case K_FRACTION:
        *(double *)dst = read_number(w, f, v, where);
        break;
    case K_IDENT:
        *(char **)dst = read_ident(w, f, v, where);
        break;
    case K_ACT:
        *(Act *)dst = (Act)read_enum(w, f, v, where, spec_acts,
                                     sizeof spec_acts / sizeof spec_acts[0], act_names);
        break;
    case K_PADDING:
        *(Padding *)dst = (Padding)read_enum(w, f, v, where, spec_paddings,
                                             sizeof spec_paddings / sizeof spec_paddings[0],
                                             padding_names);
        break;
    case K_BOOL:
        *(bool *)dst = read_bool(w, f, v, where);
        break;
    case K_MEAN:
    case K_STD:
        *(SpecList *)dst = read_list(w, f, v, where);
        break;
    case K_MAP: {
        const char *sub = where ? arena_printf(w->a, "%s.%s", where, f->key) : f->key;
        if (v->type != YAML_MAPPING_NODE)
            bad(w, v, where, f->key, map_expect(w, f->sub));
        fill(w, v, f->sub, base, sub);
        break;
    }
    case K_STAGES:
        read_stages(w, v, base);
        break;
    case K_PRESETS:
        read_presets(w, key, v, base);
        break;
    case KIND_COUNT:
        internal("bad field kind");
    }
}

static void check_per_channel(Walk *w, const SpecList *l, const char *key, int channels)
{
    if (l->v && l->n != channels)
        fail_at(w, l->loc, "input: %s has %d number%s; expected one per input channel (%d)", key,
                l->n, l->n == 1 ? "" : "s", channels);
}

static void read_spec(Walk *w, Spec *s)
{
    yaml_node_t *root = yaml_document_get_root_node(w->doc);
    if (!root || (is_plain(root) && root->data.scalar.length == 0))
        fail_at(w, (Loc){1, 1}, "empty spec: expected a mapping with keys %s",
                key_list(w, &spec_table));
    if (root->type != YAML_MAPPING_NODE)
        bad(w, root, NULL, "the spec", map_expect(w, &spec_table));
    s->presets_loc = (Loc){1, 1};
    fill(w, root, &spec_table, s, NULL);
    check_per_channel(w, &s->mean, "mean", s->in_channels);
    check_per_channel(w, &s->std, "std", s->in_channels);
}

/* ---- libyaml ----------------------------------------------------------- */

/* A libyaml failure, kept until the parser is deleted and we can throw. */
typedef struct {
    Loc loc;
    char what[512];
    bool tag; /* the event pass stopped at a tag: tag_problem names it */
} Problem;

/* Reader errors carry a byte offset rather than a mark. */
static Loc offset_loc(const char *text, size_t len, size_t offset)
{
    Loc l = {1, 1};
    for (size_t i = 0; i < offset && i < len; i++) {
        if (text[i] == '\n')
            l = (Loc){l.line + 1, 1};
        else if (((unsigned char)text[i] & 0xC0) != 0x80)
            l.col++;
    }
    return l;
}

/* The byte at a mark's line and column (columns count UTF-8 characters), or
 * 0 past the end. */
static char char_at(const char *text, size_t len, yaml_mark_t m)
{
    size_t i = 0;
    for (size_t line = 0; line < m.line && i < len; i++)
        line += text[i] == '\n';
    for (size_t col = 0; i < len && text[i] != '\n'; i++) {
        if (((unsigned char)text[i] & 0xC0) == 0x80)
            continue;
        if (col++ == m.column)
            return text[i];
    }
    return 0;
}

static void syntax_problem(const yaml_parser_t *ps, const char *text, size_t len, Problem *pb)
{
    const char *problem = ps->problem ? ps->problem : "unknown error";
    if (ps->error == YAML_MEMORY_ERROR) {
        *pb = (Problem){{0, 0}, "YAML: out of memory"};
    } else if (ps->error == YAML_READER_ERROR) {
        pb->loc = offset_loc(text, len, ps->problem_offset);
        snprintf(pb->what, sizeof pb->what, "YAML syntax: %s (byte 0x%02X)%s", problem,
                 (unsigned)ps->problem_value & 0xFFu,
                 strstr(problem, "UTF-8") ? ": a spec must be UTF-8 text" : "");
    } else {
        pb->loc = (Loc){(int)ps->problem_mark.line + 1, (int)ps->problem_mark.column + 1};
        int n = snprintf(pb->what, sizeof pb->what, "YAML syntax: %s", problem);
        if (ps->context && n > 0 && (size_t)n < sizeof pb->what)
            n += snprintf(pb->what + n, sizeof pb->what - (size_t)n, " (%s at %d:%d)",
                          ps->context, (int)ps->context_mark.line + 1,
                          (int)ps->context_mark.column + 1);
        if (char_at(text, len, ps->problem_mark) == '\t' && n > 0 && (size_t)n < sizeof pb->what)
            snprintf(pb->what + n, sizeof pb->what - (size_t)n,
                     "; a tab here: YAML indents with spaces only");
    }
}

/* The tag written on a node (an event's tag is NULL unless one was), or
 * a document's %TAG directives: either makes the event tagged. */
static bool is_tagged(const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        return ev->data.scalar.tag;
    case YAML_SEQUENCE_START_EVENT:
        return ev->data.sequence_start.tag;
    case YAML_MAPPING_START_EVENT:
        return ev->data.mapping_start.tag;
    case YAML_DOCUMENT_START_EVENT:
        return ev->data.document_start.tag_directives.start !=
               ev->data.document_start.tag_directives.end;
    default:
        return false;
    }
}

/* Aliases would share nodes in the tree and let a small file expand
 * exponentially ("billion laughs"); a second document would be ignored;
 * a tag would make the loader type a value its own way. */
static bool check_event(const yaml_event_t *ev, int *docs, int *depth, Problem *pb)
{
    const char *what = NULL;
    bool opens = ev->type == YAML_SEQUENCE_START_EVENT || ev->type == YAML_MAPPING_START_EVENT;
    if (ev->type == YAML_SEQUENCE_END_EVENT || ev->type == YAML_MAPPING_END_EVENT)
        --*depth;
    if (ev->type == YAML_ALIAS_EVENT)
        what = "aliases are not supported";
    else if (ev->type == YAML_DOCUMENT_START_EVENT && ++*docs > 1)
        what = "a spec is a single YAML document; found a second one";
    else if (opens && ++*depth > SPEC_MAX_DEPTH)
        what = "sequences and mappings nest too deep";
    else if ((pb->tag = is_tagged(ev)))
        what = "YAML tags are not allowed";
    if (!what)
        return true;
    pb->loc = (Loc){(int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1};
    if (opens)
        snprintf(pb->what, sizeof pb->what, "%s (more than %d levels)", what, SPEC_MAX_DEPTH);
    else
        snprintf(pb->what, sizeof pb->what, "%s", what);
    return false;
}

static void parser_init(yaml_parser_t *ps, const char *text, size_t len)
{
    if (!yaml_parser_initialize(ps))
        internal_error("out of memory");
    yaml_parser_set_input_string(ps, (const unsigned char *)text, len);
}

/* A tag as written: "!!str", "!foo", "!" or "!<tag:yaml.org,2002:str>". */
static void tag_text(const yaml_token_t *t, char *out, size_t size)
{
    const char *handle = (const char *)t->data.tag.handle;
    const char *suffix = (const char *)t->data.tag.suffix;
    if (*handle)
        snprintf(out, size, "%s%s", handle, suffix);
    else if (strcmp(suffix, "!") == 0)
        snprintf(out, size, "!");
    else
        snprintf(out, size, "!<%s>", suffix);
}

/* The event pass found a tag; the first tag or %TAG token in the file is
 * that one. Tokens give its text as written and its own position (an
 * event has the tag resolved, and starts at an anchor written before it).
 * The scan ends there, no further than the event pass got. */
static void tag_problem(const char *text, size_t len, Problem *pb)
{
    yaml_parser_t ps;
    parser_init(&ps, text, len);
    yaml_token_t t;
    while (yaml_parser_scan(&ps, &t) && t.type != YAML_STREAM_END_TOKEN) {
        char raw[512], shown[SHOW_MAX + 4];
        const char *what = "YAML tags";
        if (t.type == YAML_TAG_TOKEN) {
            tag_text(&t, raw, sizeof raw);
        } else if (t.type == YAML_TAG_DIRECTIVE_TOKEN) {
            snprintf(raw, sizeof raw, "%%TAG %s %s", (const char *)t.data.tag_directive.handle,
                     (const char *)t.data.tag_directive.prefix);
            what = "YAML %TAG directives";
        } else {
            yaml_token_delete(&t);
            continue;
        }
        show_into(shown, (const unsigned char *)raw, strlen(raw));
        pb->loc = (Loc){(int)t.start_mark.line + 1, (int)t.start_mark.column + 1};
        snprintf(pb->what, sizeof pb->what, "%s are not allowed, found '%s'", what, shown);
        break;
    }
    yaml_token_delete(&t);
    yaml_parser_delete(&ps);
}

/* The event pass: finds syntax errors, aliases, extra documents and tags. */
static bool prescan(const char *text, size_t len, Problem *pb)
{
    yaml_parser_t ps;
    parser_init(&ps, text, len);
    int docs = 0, depth = 0;
    bool ok = true, done = false;
    while (ok && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&ps, &ev)) {
            syntax_problem(&ps, text, len, pb);
            ok = false;
            break;
        }
        ok = check_event(&ev, &docs, &depth, pb);
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&ps);
    if (pb->tag)
        tag_problem(text, len, pb);
    return ok;
}

/* yaml_parser_load deletes the document itself when it fails. */
static bool load(const char *text, size_t len, yaml_document_t *doc, Problem *pb)
{
    yaml_parser_t ps;
    parser_init(&ps, text, len);
    bool ok = yaml_parser_load(&ps, doc);
    if (!ok)
        syntax_problem(&ps, text, len, pb);
    yaml_parser_delete(&ps);
    return ok;
}

Spec *spec_parse(Arena *a, const char *path, const char *text, size_t len)
{
    if (len > SPEC_MAX_BYTES)
        error_in(path, "larger than %d bytes (1 MiB), the most a spec may be: is it a spec?",
                 SPEC_MAX_BYTES);
    Problem pb = {{0, 0}, "", false};
    yaml_document_t doc;
    if (!prescan(text, len, &pb) || !load(text, len, &doc, &pb))
        error_at(path, pb.loc.line, pb.loc.col, "%s", pb.what);
    Spec *s = arena_alloc(a, sizeof *s);
    s->path = arena_strdup(a, path);
    s->hash = hash_fnv1a(text, len);
    Walk w = {a, path, &doc};
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) != 0) { /* the walk failed: free the tree, pass the error on */
        yaml_document_delete(&doc);
        diag_rethrow();
    }
    read_spec(&w, s);
    diag_pop(&f);
    yaml_document_delete(&doc);
    return s;
}

Spec *spec_load(Arena *a, const char *path)
{
    Buf b = read_file_max(path, SPEC_MAX_BYTES);
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) != 0) {
        buf_free(&b);
        diag_rethrow();
    }
    Spec *s = spec_parse(a, path, b.data, b.len);
    diag_pop(&f);
    buf_free(&b);
    return s;
}
