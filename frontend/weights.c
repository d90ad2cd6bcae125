/* weights.c — the graph's external params in and out of safetensors files.
 *
 * A safetensors file is an 8-byte little-endian header length N, N bytes of
 * JSON mapping each tensor name to {"dtype", "shape", "data_offsets"} (plus an
 * optional "__metadata__" mapping strings to strings), then the data block
 * the offsets point into. weights_load checks the whole header before it
 * reads any data: no byte order mark, no string that cJSON would cut short
 * (a NUL), every entry well-formed, its bytes exactly shape × dtype and
 * inside the file, no name twice; against the graph, every external param
 * present, F32, same shape, nothing extra but the num_batches_tracked
 * counters of its batch norms; and, as the format requires, the tensors in
 * offset order tile the data block with no overlap and no gap (the entries'
 * order in the header is free). Then it reads the data and refuses NaN and
 * infinities unless asked not to. It stores nothing unless everything
 * succeeds. Names from the file are made printable before they appear in a
 * message. weights_synthesize fills the same params from a seeded splitmix64
 * stream with scales that keep a deep EfficientNet's activations alive;
 * weights_save writes them out as a file torch's safetensors reads, byte for
 * byte deterministic, replacing only a regular file; safetensors_save, which
 * it calls, writes any list of params (F32, I8 or I32) the same way. */
#include "frontend.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(sizeof(float) == 4 && FLT_MANT_DIG == 24 && FLT_MAX_EXP == 128,
               "params are stored as IEEE binary32");

#define WEIGHTS_MAX_BYTES (UINT64_C(1) << 40) /* a sanity bound: the graph fixes the real size */
#define MAX_HEADER (100ull << 20)            /* real headers are a few hundred KB */
#define MAX_EXACT 9007199254740992.0         /* 2^53: cJSON keeps numbers as doubles */
#define COUNTER_SUFFIX ".num_batches_tracked" /* torchvision's I64 BN counters */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static void *need(void *p) /* cJSON returns NULL only when malloc fails */
{
    if (!p)
        internal_error("out of memory");
    return p;
}

static uint64_t get_le64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

static void put_le64(unsigned char *b, uint64_t v)
{
    for (int i = 0; i < 8; i++, v >>= 8)
        b[i] = (unsigned char)v;
}

/* ----- a string → index table (open addressing, in the arena) ----- */

typedef struct {
    const char **keys;
    int *vals;
    size_t mask;
} Names;

static Names names_new(Arena *a, size_t count)
{
    size_t cap = 16;
    while (cap < 2 * count)
        cap *= 2;
    return (Names){arena_array(a, cap, sizeof(char *)), arena_array(a, cap, sizeof(int)), cap - 1};
}

/* The slot holding name, or the empty slot where it belongs. */
static size_t names_slot(const Names *t, const char *name)
{
    size_t i = (size_t)hash_fnv1a(name, strlen(name)) & t->mask;
    while (t->keys[i] && strcmp(t->keys[i], name) != 0)
        i = (i + 1) & t->mask;
    return i;
}

static int names_find(const Names *t, const char *name)
{
    size_t i = names_slot(t, name);
    return t->keys[i] ? t->vals[i] : -1;
}

/* Adds name → val; false if name was already there. The table must have
 * been sized for every name added. */
static bool names_add(Names *t, const char *name, int val)
{
    size_t i = names_slot(t, name);
    if (t->keys[i])
        return false;
    t->keys[i] = name;
    t->vals[i] = val;
    return true;
}

/* The graph's external params by name. Two with one name is a lowering bug. */
static Names external_names(Graph *g)
{
    Names t = names_new(g->arena, (size_t)g->nparams);
    for (int i = 0; i < g->nparams; i++) {
        if (g->params[i].external && !names_add(&t, g->params[i].name, i))
            internal_error("two params named '%s'", g->params[i].name);
    }
    return t;
}

/* "[1000, 1280]" into buf, truncated to fit. */
static const char *dims_str(char *buf, size_t size, int rank, const uint64_t *dims)
{
    size_t n = (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < rank && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%llu", i ? ", " : "",
                              (unsigned long long)dims[i]);
    if (n < size)
        snprintf(buf + n, size - n, "]");
    return buf;
}

static const char *param_shape_str(char *buf, size_t size, const Param *p)
{
    uint64_t dims[4];
    for (int i = 0; i < p->rank; i++)
        dims[i] = (uint64_t)p->dims[i];
    return dims_str(buf, size, p->rank, dims);
}

/* ===== weights_load ====================================================== */

/* A loader reads from a file (f) or from memory (mem); the checks are the
 * same for both, and the fuzzer (fuzz/fuzz_safetensors.c) drives them
 * through weights_load_buffer. */
typedef struct {
    Graph *g;
    const char *path; /* names the source in messages */
    bool allow_nonfinite;
    FILE *f;
    const unsigned char *mem;
    uint64_t size; /* of the whole file */
    char *text;    /* the JSON header, NUL-terminated, until parsed */
    cJSON *root;
    uint64_t data_start, data_size;
} Loader;

/* One header entry, checked for JSON types only. */
typedef struct {
    const char *name, *dtype; /* as the file has them */
    const char *shown;        /* the name, safe to print */
    int rank;                 /* shape length; may exceed 4 */
    uint64_t *shape;          /* in the arena */
    uint64_t begin, end;      /* data_offsets, relative to the data block */
} Entry;

/* The dtypes of the safetensors format and their sizes in bytes. */
static const struct {
    const char *name;
    unsigned size;
} dtypes[] = {
    {"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"F8_E5M2", 1}, {"F8_E4M3", 1},
    {"I64", 8}, {"I32", 4}, {"I16", 2}, {"I8", 1},   {"U64", 8},     {"U32", 4},
    {"U16", 2}, {"U8", 1},  {"BOOL", 1},
};

static unsigned dtype_size(const char *name)
{
    for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
        if (strcmp(dtypes[i].name, name) == 0)
            return dtypes[i].size;
    return 0;
}

/* A string from the file, safe in a message: control bytes become '?', and
 * it is cut after SHOW_MAX bytes (on a UTF-8 character boundary). */
#define SHOW_MAX 200
static const char *shown(Arena *a, const char *s)
{
    size_t len = strlen(s), n = len;
    if (n > SHOW_MAX)
        for (n = SHOW_MAX; n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80; n--)
            ;
    char *out = arena_alloc(a, n + 4);
    for (size_t i = 0; i < n; i++)
        out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7F ? '?' : s[i];
    if (n < len)
        memcpy(out + n, "...", 4);
    return out;
}

/* Reads len bytes at offset of the source; false if they are not all there. */
static bool read_at(const Loader *L, uint64_t offset, void *dst, size_t len)
{
    if (offset > L->size || len > L->size - offset)
        return false;
    if (L->mem) {
        memcpy(dst, L->mem + offset, len);
        return true;
    }
    return fseeko(L->f, (off_t)offset, SEEK_SET) == 0 && fread(dst, 1, len, L->f) == len;
}

static bool json_uint(const cJSON *v, uint64_t *out)
{
    if (!cJSON_IsNumber(v))
        return false;
    double d = v->valuedouble;
    if (!(d >= 0 && d <= MAX_EXACT) || d != (double)(uint64_t)d)
        return false;
    *out = (uint64_t)d;
    return true;
}

static const cJSON *entry_key(const Entry *e, const Loader *L, const cJSON *item, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, key);
    if (!v)
        error_in(L->path, "tensor '%s': header entry has no \"%s\"", e->shown, key);
    return v;
}

static Entry entry_parse(const Loader *L, const cJSON *item)
{
    Entry e = {.name = item->string, .shown = shown(L->g->arena, item->string)};
    const char *name = e.shown;
    if (!cJSON_IsObject(item))
        error_in(L->path, "tensor '%s': header entry is not a JSON object", name);
    const cJSON *dtype = entry_key(&e, L, item, "dtype");
    const cJSON *shape = entry_key(&e, L, item, "shape");
    const cJSON *offsets = entry_key(&e, L, item, "data_offsets");
    if (!cJSON_IsString(dtype))
        error_in(L->path, "tensor '%s': \"dtype\" is not a string", name);
    e.dtype = dtype->valuestring;
    if (!cJSON_IsArray(shape))
        error_in(L->path, "tensor '%s': \"shape\" is not an array", name);
    e.rank = cJSON_GetArraySize(shape);
    e.shape = arena_array(L->g->arena, (size_t)e.rank + 1, sizeof(uint64_t));
    int i = 0;
    for (const cJSON *d = shape->child; d; d = d->next, i++)
        if (!json_uint(d, &e.shape[i]))
            error_in(L->path, "tensor '%s': \"shape\" item %d is not a non-negative integer", name,
                     i);
    if (!cJSON_IsArray(offsets) || cJSON_GetArraySize(offsets) != 2)
        error_in(L->path, "tensor '%s': \"data_offsets\" is not an array of two numbers", name);
    if (!json_uint(offsets->child, &e.begin) || !json_uint(offsets->child->next, &e.end))
        error_in(L->path, "tensor '%s': \"data_offsets\" are not non-negative integers", name);
    return e;
}

/* Checks an entry against the param it names: dtype and shape. */
static void entry_check_param(const Loader *L, const Entry *e, const Param *p)
{
    if (strcmp(e->dtype, "F32") != 0)
        error_in(L->path, "tensor '%s': dtype %s, expected F32", e->shown,
                 shown(L->g->arena, e->dtype));
    bool same = e->rank == p->rank;
    for (int i = 0; same && i < p->rank; i++)
        same = e->shape[i] == (uint64_t)p->dims[i];
    if (!same) {
        char want[128], got[128];
        error_in(L->path, "tensor '%s': shape %s expected, found %s", e->shown,
                 param_shape_str(want, sizeof want, p),
                 dims_str(got, sizeof got, e->rank, e->shape));
    }
}

/* Checks that an entry's bytes are shape × dtype and inside the data block. */
static void entry_check_data(const Loader *L, const Entry *e)
{
    unsigned long long b = e->begin, en = e->end;
    if (en < b)
        error_in(L->path, "tensor '%s': data_offsets [%llu, %llu] end before they begin",
                 e->shown, b, en);
    unsigned size = dtype_size(e->dtype);
    if (!size)
        error_in(L->path, "tensor '%s': unknown dtype '%s'", e->shown,
                 shown(L->g->arena, e->dtype));
    uint64_t numel = 1;
    for (int i = 0; i < e->rank; i++)
        numel = size_mul(numel, e->shape[i]);
    uint64_t bytes = size_mul(numel, size);
    char dims[128];
    if (bytes == UINT64_MAX)
        error_in(L->path, "tensor '%s': shape %s is absurd (its size overflows 64 bits)",
                 e->shown, dims_str(dims, sizeof dims, e->rank, e->shape));
    if (en - b != bytes)
        error_in(L->path,
                 "tensor '%s': data_offsets [%llu, %llu] hold %llu bytes, but %llu %s values "
                 "need %llu",
                 e->shown, b, en, en - b, (unsigned long long)numel, shown(L->g->arena, e->dtype),
                 (unsigned long long)bytes);
    if (en > L->data_size)
        error_in(L->path,
                 "tensor '%s': data [%llu, %llu) extends past the end of the file (data block is "
                 "%llu bytes)",
                 e->shown, b, en, (unsigned long long)L->data_size);
}

/* The key text as the file spells it (escapes and all), safe to print. */
static const char *raw_shown(Arena *a, const char *s, size_t len)
{
    char *copy = arena_alloc(a, len + 1);
    for (size_t i = 0; i < len; i++)
        copy[i] = s[i] ? s[i] : '?';
    return shown(a, copy);
}

/* cJSON decodes "\u0000" to a NUL that silently ends its C string, and keeps
 * raw control bytes that JSON forbids inside strings: a key
 * "features.0.0.weight\u0000x" would pass for features.0.0.weight. The header
 * parsed as JSON before this runs, so a small scan finds every string; a bad
 * one is refused, naming the top-level key (the tensor) it belongs to. */
static void check_strings(const Loader *L, const char *s, size_t n)
{
    int depth = 0;
    const char *key = "";
    size_t keylen = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '{' || s[i] == '[')
            depth++;
        else if (s[i] == '}' || s[i] == ']')
            depth--;
        if (s[i] != '"')
            continue;
        size_t start = ++i;
        const char *bad = NULL;
        for (; i < n && s[i] != '"'; i++) {
            if (s[i] == '\\' && n - i > 5 && memcmp(s + i + 1, "u0000", 5) == 0)
                bad = "a NUL character (\\u0000)";
            else if ((unsigned char)s[i] < 0x20 && !bad)
                bad = arena_printf(L->g->arena, "a raw control byte 0x%02X (JSON needs it escaped)",
                                   (unsigned)(unsigned char)s[i]);
            if (s[i] == '\\')
                i++;
        }
        size_t after = i + 1;
        while (after < n && (unsigned char)s[after] <= ' ') /* cJSON's whitespace */
            after++;
        bool is_key = depth == 1 && after < n && s[after] == ':';
        if (is_key) {
            key = s + start;
            keylen = i - start;
        }
        if (bad)
            error_in(L->path, "tensor '%s': %s %s", raw_shown(L->g->arena, key, keylen),
                     is_key ? "the name has" : "a string in its header entry has", bad);
    }
}

/* Reads the length prefix and the header into L->root. */
static void load_header(Loader *L)
{
    unsigned char len8[8];
    if (L->size < 8)
        error_in(L->path, "file is %llu bytes, too short for a safetensors header",
                 (unsigned long long)L->size);
    if (!read_at(L, 0, len8, 8))
        error_in(L->path, "read error");
    uint64_t n = get_le64(len8);
    if (n > MAX_HEADER)
        error_in(L->path, "header length %llu is absurd (over 100 MB): not a safetensors file?",
                 (unsigned long long)n);
    if (n > L->size - 8)
        error_in(L->path, "header length %llu extends past the end of the file (%llu bytes)",
                 (unsigned long long)n, (unsigned long long)L->size);
    L->data_start = 8 + n;
    L->data_size = L->size - L->data_start;
    L->text = need(malloc(n + 1));
    if (!read_at(L, 8, L->text, n))
        error_in(L->path, "read error in the header");
    L->text[n] = '\0';
    /* cJSON would skip it; the format's reference refuses it */
    if (n >= 3 && memcmp(L->text, "\xEF\xBB\xBF", 3) == 0)
        error_in(L->path, "header starts with a UTF-8 byte order mark (bytes EF BB BF); a "
                 "safetensors header starts with '{'");
    const char *end = NULL;
    L->root = cJSON_ParseWithLengthOpts(L->text, n, &end, false);
    if (!L->root) {
        const char *at = cJSON_GetErrorPtr();
        size_t pos = at && at >= L->text && at <= L->text + n ? (size_t)(at - L->text) : n;
        error_in(L->path, "header is not valid JSON (at byte %zu of %llu)", pos,
                 (unsigned long long)n);
    }
    /* the format pads the header with spaces; anything else is not ours */
    size_t pos = end && end >= L->text && end <= L->text + n ? (size_t)(end - L->text) : n;
    size_t rest = pos + strspn(L->text + pos, " \t\r\n");
    if (rest < n)
        error_in(L->path, "header has bytes after its JSON object (at byte %zu of %llu)", rest,
                 (unsigned long long)n);
    if (!cJSON_IsObject(L->root))
        error_in(L->path, "header is not a JSON object");
    check_strings(L, L->text, n);
    free(L->text);
    L->text = NULL;
}

/* The first tensor the model does not expect, why, and how many there are. */
typedef struct {
    const char *shown, *why;
    int count;
} Extra;

/* Every external param present, nothing unexpected (torchvision's
 * num_batches_tracked counters of the model's batch norms aside). */
static void check_coverage(const Loader *L, const bool *found, const Extra *x)
{
    const char *extra = x->shown;
    int nextra = x->count;
    const Graph *g = L->g;
    for (int i = 0; i < g->nparams; i++) {
        if (g->params[i].external && !found[i]) {
            if (extra)
                error_in(L->path,
                         "tensor '%s': missing (the file has %d tensor%s the model does not "
                         "expect, such as '%s')",
                         g->params[i].name, nextra, nextra == 1 ? "" : "s", extra);
            error_in(L->path, "tensor '%s': missing", g->params[i].name);
        }
    }
    if (extra)
        error_in(L->path, "tensor '%s': unexpected, %s (%d unexpected tensor%s in all)", extra,
                 x->why, nextra, nextra == 1 ? "" : "s");
}

static int by_offsets(const void *a, const void *b)
{
    const Entry *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* The format (and its reference implementation) wants the tensors, in
 * offset order, to tile the data block: no overlap, no gap, nothing after
 * the last. The order of the header's entries is free. */
static void check_tiling(const Loader *L, Entry *e, int n)
{
    qsort(e, (size_t)n, sizeof *e, by_offsets);
    unsigned long long at = 0;
    for (int i = 0; i < n; i++) {
        unsigned long long b = e[i].begin, en = e[i].end;
        if (b < at)
            error_in(L->path, "tensor '%s': data [%llu, %llu) overlaps tensor '%s' [%llu, %llu)",
                     e[i].shown, b, en, e[i - 1].shown, (unsigned long long)e[i - 1].begin,
                     (unsigned long long)e[i - 1].end);
        if (b > at && i == 0)
            error_in(L->path, "tensor '%s': data begins at %llu, leaving bytes [0, %llu) of the "
                     "data block unused", e[i].shown, b, b);
        if (b > at)
            error_in(L->path, "tensor '%s': data begins at %llu, leaving bytes [%llu, %llu) "
                     "unused after tensor '%s'", e[i].shown, b, at, b, e[i - 1].shown);
        at = en;
    }
    if (at != L->data_size)
        error_in(L->path, "the data block has %llu bytes after the last tensor's data, which "
                 "belong to no tensor", (unsigned long long)L->data_size - at);
}

static const char *json_kind(const cJSON *v)
{
    return cJSON_IsObject(v)   ? "an object"
           : cJSON_IsArray(v)  ? "an array"
           : cJSON_IsString(v) ? "a string"
           : cJSON_IsNumber(v) ? "a number"
           : cJSON_IsBool(v)   ? "a boolean"
                               : "null";
}

/* The format's "__metadata__" maps strings to strings; anything else is
 * not a file its reference reads. */
static void check_metadata(const Loader *L, const cJSON *meta)
{
    if (!cJSON_IsObject(meta))
        error_in(L->path, "tensor '__metadata__': %s, expected a JSON object mapping strings to "
                 "strings", json_kind(meta));
    for (const cJSON *v = meta->child; v; v = v->next)
        if (!cJSON_IsString(v))
            error_in(L->path, "tensor '__metadata__': key '%s' maps to %s, expected a string",
                     shown(L->g->arena, v->string), json_kind(v));
}

/* Whether name is the num_batches_tracked counter of one of the model's
 * batch norms (its running_mean is a param); *why says what is wrong if not. */
static bool is_counter(const Loader *L, const Names *params, const char *name, const char **why)
{
    size_t n = strlen(name), m = strlen(COUNTER_SUFFIX);
    if (!ends_with(name, COUNTER_SUFFIX))
        return false;
    Arena *a = L->g->arena;
    char *layer = arena_printf(a, "%.*s", (int)(n - m), name);
    if (names_find(params, arena_printf(a, "%s.running_mean", layer)) >= 0)
        return true;
    *why = arena_printf(a, "the model has no batch norm '%s' for this counter", shown(a, layer));
    return false;
}

/* Checks every header entry; fills begin[] for the params found. */
static void load_check(Loader *L, uint64_t *begin, bool *found)
{
    Graph *g = L->g;
    Names params = external_names(g);
    int count = cJSON_GetArraySize(L->root);
    Names seen = names_new(g->arena, (size_t)count);
    Entry *spans = arena_array(g->arena, (size_t)count + 1, sizeof(Entry));
    int nspans = 0;
    Extra x = {0};
    for (const cJSON *item = L->root->child; item; item = item->next) {
        if (!names_add(&seen, item->string, 0))
            error_in(L->path, "tensor '%s': listed twice in the header",
                     shown(g->arena, item->string));
        if (strcmp(item->string, "__metadata__") == 0) {
            check_metadata(L, item);
            continue;
        }
        Entry e = entry_parse(L, item);
        const char *why = "the model has no such parameter";
        int i = is_counter(L, &params, e.name, &why) ? -2 : names_find(&params, e.name);
        if (i >= 0)
            entry_check_param(L, &e, &g->params[i]);
        entry_check_data(L, &e);
        spans[nspans++] = e;
        if (i == -1) {
            if (x.count++ == 0)
                x.shown = e.shown, x.why = why;
        } else if (i >= 0) {
            begin[i] = e.begin;
            found[i] = true;
        }
    }
    check_coverage(L, found, &x);
    check_tiling(L, spans, nspans);
}

/* "[3, 0, 1, 2]": the index in each dimension of flat index k. */
static const char *index_str(char *buf, size_t size, const Param *p, size_t k)
{
    uint64_t idx[4];
    for (int i = p->rank - 1; i >= 0; i--) {
        idx[i] = k % (size_t)p->dims[i];
        k /= (size_t)p->dims[i];
    }
    return dims_str(buf, size, p->rank, idx);
}

static void check_finite(const Loader *L, const Param *p, const float *d, size_t numel)
{
    for (size_t k = 0; k < numel; k++) {
        if (isfinite(d[k]))
            continue;
        char idx[128];
        error_in(L->path,
                 "tensor '%s': value %s at index %s (element %zu); refusing non-finite "
                 "weights (--allow-nonfinite accepts them)",
                 p->name, isnan(d[k]) ? "NaN" : d[k] > 0 ? "+inf" : "-inf",
                 index_str(idx, sizeof idx, p, k), k);
    }
}

static void load(Loader *L)
{
    Graph *g = L->g;
    load_header(L);
    uint64_t *begin = arena_array(g->arena, (size_t)g->nparams + 1, sizeof(uint64_t));
    bool *found = arena_array(g->arena, (size_t)g->nparams + 1, sizeof(bool));
    load_check(L, begin, found);
    cJSON_Delete(L->root);
    L->root = NULL;

    float **data = arena_array(g->arena, (size_t)g->nparams + 1, sizeof(float *));
    for (int i = 0; i < g->nparams; i++) {
        const Param *p = &g->params[i];
        if (!p->external)
            continue;
        size_t numel = param_numel(p);
        data[i] = arena_array(g->arena, numel, sizeof(float));
        if (!read_at(L, L->data_start + begin[i], data[i], numel * sizeof(float)))
            error_in(L->path, "tensor '%s': read error (was the file changed while reading?)",
                     p->name);
        if (!host_little_endian())
            swap32(data[i], numel);
        if (!L->allow_nonfinite)
            check_finite(L, p, data[i], numel);
    }
    for (int i = 0; i < g->nparams; i++)
        if (g->params[i].external)
            g->params[i].data = data[i];
}

static void load_cleanup(Loader *L)
{
    if (L->f)
        fclose(L->f);
    free(L->text);
    cJSON_Delete(L->root);
    *L = (Loader){0};
}

/* Runs load with cleanup on success and on error alike. */
static void load_guarded(Loader *L, void (*open)(Loader *))
{
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        if (open)
            open(L);
        load(L);
        diag_pop(&f);
        load_cleanup(L);
    } else {
        load_cleanup(L);
        diag_rethrow();
    }
}

static void open_file(Loader *L)
{
    L->f = open_regular(L->path, WEIGHTS_MAX_BYTES, &L->size);
}

void weights_load(Graph *g, const char *path, bool allow_nonfinite)
{
    Loader L = {.g = g, .path = path, .allow_nonfinite = allow_nonfinite};
    load_guarded(&L, open_file);
}

void weights_load_buffer(Graph *g, const char *name, const void *data, size_t len,
                         bool allow_nonfinite)
{
    static const unsigned char empty[1];
    Loader L = {.g = g, .path = name, .allow_nonfinite = allow_nonfinite,
                .mem = data ? data : empty, .size = data ? len : 0};
    load_guarded(&L, NULL);
}

/* ===== weights_synthesize ================================================ */

/* splitmix64 (Steele, Lea and Flood): one 64-bit state, full period. */
static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

typedef struct {
    double lo, hi;
} Range;

/* Gains (variance ratios) of the conv weights. He's 2 keeps a ReLU network's
 * scale, but swish passes less than ReLU, so plain convs get a little more.
 * The last conv of a residual branch gets much less: with running statistics
 * fixed, batch norm does not renormalise, and B7's ~50 residual blocks would
 * compound. Checked against torchvision, seeds 1 and 2, random inputs: He
 * everywhere gives B7 logits of ~1e6; gain 1 everywhere keeps logits O(1)
 * but the input moves them by < 1e-6; these gains give max|logit| 1.3–55 for
 * B0–B7, moving by 0.02–2 from one input to another. */
#define CONV_GAIN 2.5
#define RESIDUAL_GAIN 0.1

/* The weight of the conv ending each residual branch: an ADD's later input
 * (the branch is computed after the skip value it starts from), followed back
 * through batch norm and activations. */
static bool *residual_tails(Graph *g)
{
    bool *tail = arena_array(g->arena, (size_t)g->nparams + 1, sizeof(bool));
    for (int i = 0; i < g->nnodes; i++) {
        const Node *n = &g->nodes[i];
        if (n->op != OP_ADD || n->dead || n->nin != 2)
            continue;
        int v = n->in[0] > n->in[1] ? n->in[0] : n->in[1];
        while (v >= 0 && (g->nodes[v].op == OP_BATCHNORM || g->nodes[v].op == OP_ACT))
            v = g->nodes[v].in[0];
        if (v >= 0 && g->nodes[v].op == OP_CONV2D && g->nodes[v].conv.weight >= 0)
            tail[g->nodes[v].conv.weight] = true;
    }
    return tail;
}

/* uniform(-a, a) with the given variance: its std is a/√3. */
static Range centered(double variance)
{
    double a = sqrt(3.0 * variance);
    return (Range){-a, a};
}

/* The uniform range of a param, from its name, rank and role. */
static Range synth_range(Arena *arena, const Names *all, const Param *p, bool residual_tail)
{
    const char *n = p->name;
    if (ends_with(n, ".running_mean"))
        return (Range){-0.2, 0.2};
    if (ends_with(n, ".running_var"))
        return (Range){0.5, 2.0};
    if (p->rank == 4) /* conv [out, in/groups, kh, kw] */
        return centered((residual_tail ? RESIDUAL_GAIN : CONV_GAIN) /
                        ((double)p->dims[1] * p->dims[2] * p->dims[3]));
    if (p->rank == 2) /* linear [out, in]: no activation follows */
        return centered(1.0 / p->dims[1]);
    if (p->rank == 1 && ends_with(n, ".weight")) /* batch-norm gamma */
        return (Range){0.5, 1.5};
    if (p->rank == 1 && ends_with(n, ".bias")) { /* batch-norm beta, or a conv/linear bias */
        char *sibling = arena_printf(arena, "%.*s.running_mean", (int)(strlen(n) - 5), n);
        return names_find(all, sibling) >= 0 ? (Range){-0.2, 0.2} : (Range){-0.1, 0.1};
    }
    return (Range){-0.1, 0.1};
}

void weights_synthesize(Graph *g, uint64_t seed)
{
    Names all = names_new(g->arena, (size_t)g->nparams);
    for (int i = 0; i < g->nparams; i++)
        names_add(&all, g->params[i].name, i);
    bool *tail = residual_tails(g);
    for (int i = 0; i < g->nparams; i++) {
        Param *p = &g->params[i];
        if (!p->external)
            continue;
        Range r = synth_range(g->arena, &all, p, tail[i]);
        /* Each param has its own stream, so its values depend on the seed,
         * its name and its role only, not on the other params. */
        uint64_t s = seed ^ hash_fnv1a(p->name, strlen(p->name));
        size_t numel = param_numel(p);
        float *d = arena_array(g->arena, numel, sizeof(float));
        /* 24 random bits give u in [0, 1) exactly; with FLT_EVAL_METHOD 0
         * (every 64-bit target) the result is the same bits everywhere. */
        for (size_t k = 0; k < numel; k++) {
            double u = (double)(splitmix64(&s) >> 40) * 0x1p-24;
            d[k] = (float)(r.lo + (r.hi - r.lo) * u);
        }
        p->data = d;
    }
}

/* ===== weights_save ====================================================== */

/* The temporary file's name in the folder of the file saved. */
#define SAVE_TEMP ".effcc-weights-XXXXXX"

typedef struct {
    const char *path;
    const Param *const *params; /* written in this order */
    int n;
    const char *const *meta; /* key, value, key, value, … */
    int nmeta;
    char *tmp;    /* a new file beside path, renamed over it at the end */
    bool created; /* tmp is ours to remove on failure */
    FILE *f;
    cJSON *root;
    char *json;
} Saver;

static const char *file_kind(mode_t m)
{
    if (S_ISDIR(m))
        return "a folder";
    if (S_ISLNK(m))
        return "a symbolic link";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m) || S_ISBLK(m))
        return "a device";
    return "a socket or other special file";
}

/* rename() would put a regular file in place of a device, a FIFO or a
 * symbolic link (not through it): refuse to replace anything but a regular
 * file. Any other reason path cannot be written shows when creating. */
static void save_check_target(const Saver *S)
{
    struct stat st;
    if (lstat(S->path, &st) == 0 && !S_ISREG(st.st_mode))
        error_in(S->path, "exists and is %s, not a regular file; refusing to replace it",
                 file_kind(st.st_mode));
}

/* Creates the temporary file in path's folder with mkstemp: a fresh name,
 * O_EXCL, so never through a link planted in its place. mkstemp makes it
 * 0600; it gets the mode fopen would give a new file, 0666 less the umask
 * (read by setting it back at once: the compiler runs on one thread). */
static void save_open(Saver *S)
{
    const char *slash = strrchr(S->path, '/');
    size_t dirlen = slash ? (size_t)(slash - S->path) + 1 : 0;
    S->tmp = need(malloc(dirlen + sizeof SAVE_TEMP));
    memcpy(S->tmp, S->path, dirlen);
    memcpy(S->tmp + dirlen, SAVE_TEMP, sizeof SAVE_TEMP);
    int fd = mkstemp(S->tmp);
    if (fd < 0)
        error_in(S->path, "cannot create a temporary file in its folder: %s", strerror(errno));
    S->created = true;
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || !(S->f = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        error_in(S->path, "cannot set up %s: %s", S->tmp, strerror(e));
    }
}

static void save_write(Saver *S, const void *data, size_t size)
{
    if (fwrite(data, 1, size, S->f) != size)
        error_in(S->path, "write error: %s", strerror(errno));
}

static const char *dtype_name(ParamType t)
{
    return t == PARAM_I8 ? "I8" : t == PARAM_I32 ? "I32" : "F32";
}

/* The header JSON: metadata first, then every param in order. */
static char *save_header(Saver *S)
{
    S->root = need(cJSON_CreateObject());
    cJSON *meta = need(cJSON_AddObjectToObject(S->root, "__metadata__"));
    for (int i = 0; i < S->nmeta; i++)
        need(cJSON_AddStringToObject(meta, S->meta[2 * i], S->meta[2 * i + 1]));
    uint64_t offset = 0;
    for (int i = 0; i < S->n; i++) {
        const Param *p = S->params[i];
        uint64_t bytes = param_bytes(p);
        cJSON *t = need(cJSON_AddObjectToObject(S->root, p->name));
        need(cJSON_AddStringToObject(t, "dtype", dtype_name(p->type)));
        cJSON *shape = need(cJSON_AddArrayToObject(t, "shape"));
        for (int k = 0; k < p->rank; k++)
            cJSON_AddItemToArray(shape, need(cJSON_CreateNumber(p->dims[k])));
        cJSON *offsets = need(cJSON_AddArrayToObject(t, "data_offsets"));
        cJSON_AddItemToArray(offsets, need(cJSON_CreateNumber((double)offset)));
        cJSON_AddItemToArray(offsets, need(cJSON_CreateNumber((double)(offset + bytes))));
        offset += bytes;
    }
    return need(cJSON_PrintUnformatted(S->root));
}

/* int8 bytes as they are; 4-byte values little-endian, swapped on a
 * big-endian host a chunk at a time. */
static void save_data(Saver *S, const Param *p)
{
    size_t numel = param_numel(p);
    if (p->type == PARAM_I8) {
        save_write(S, p->i8, numel);
        return;
    }
    const void *data = p->type == PARAM_I32 ? (const void *)p->i32 : (const void *)p->data;
    if (host_little_endian()) {
        save_write(S, data, numel * 4);
        return;
    }
    uint32_t chunk[4096];
    for (size_t k = 0; k < numel; k += 4096) {
        size_t n = numel - k < 4096 ? numel - k : 4096;
        memcpy(chunk, (const uint32_t *)data + k, n * 4);
        swap32(chunk, n);
        save_write(S, chunk, n * 4);
    }
}

static bool has_data(const Param *p)
{
    return p->type == PARAM_I8 ? p->i8 != NULL : p->type == PARAM_I32 ? p->i32 != NULL
                                                                      : p->data != NULL;
}

static void save(Saver *S)
{
    for (int i = 0; i < S->n; i++)
        if (!has_data(S->params[i]))
            error_in(S->path, "tensor '%s': no data to save", S->params[i]->name);
    S->json = save_header(S);
    size_t len = strlen(S->json);
    size_t pad = (8 - len % 8) % 8; /* the data block starts 8-byte aligned */

    save_check_target(S);
    save_open(S);
    unsigned char len8[8];
    put_le64(len8, (uint64_t)(len + pad));
    save_write(S, len8, 8);
    save_write(S, S->json, len);
    save_write(S, "        ", pad);
    for (int i = 0; i < S->n; i++)
        save_data(S, S->params[i]);
    FILE *f = S->f;
    S->f = NULL;
    if (fclose(f) != 0)
        error_in(S->path, "write error: %s", strerror(errno));
    if (rename(S->tmp, S->path) != 0)
        error_in(S->path, "cannot rename %s to it: %s", S->tmp, strerror(errno));
    S->created = false; /* committed: nothing to remove */
}

static void save_cleanup(Saver *S)
{
    if (S->f)
        fclose(S->f);
    if (S->created)
        unlink(S->tmp);
    free(S->tmp);
    cJSON_Delete(S->root);
    cJSON_free(S->json);
    *S = (Saver){0};
}

void safetensors_save(const char *path, const Param *const *params, int n,
                      const char *const *meta, int nmeta)
{
    Saver S = {.path = path, .params = params, .n = n, .meta = meta, .nmeta = nmeta};
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        save(&S);
        diag_pop(&f);
        save_cleanup(&S);
    } else {
        save_cleanup(&S);
        diag_rethrow();
    }
}

void weights_save(const Graph *g, const char *path)
{
    static const char *const meta[] = {"format", "pt", "generator", "effcc"};
    const Param **list = arena_array(g->arena, (size_t)g->nparams + 1, sizeof *list);
    int n = 0;
    for (int i = 0; i < g->nparams; i++)
        if (g->params[i].external)
            list[n++] = &g->params[i];
    safetensors_save(path, list, n, meta, 2);
}
