/* requant_test.c — runtime/effcc_int8.h against ir/quant.c, bit for bit.
 *
 * Every function of the header, scalar and at each vector width the build
 * targets, runs on edge cases (0, ±1, INT32_MIN, INT32_MAX, powers of two
 * and their neighbours, ties at each rounding step of both signs,
 * multipliers 0, 2^30 and 2^31 − 1, every shift in [−31, 30]) and on
 * seeded random ones, lanes of one vector taking different multipliers and
 * shifts. Each lane must equal both ir/quant.c's function, compiled into
 * this program so that cross builds run it on the target's CPU too, and the
 * header's scalar function: 0 differences allowed.
 *
 *   requant_test COUNT WIDTH…
 *
 * COUNT random cases; the WIDTHs (scalar, avx2, avx512, neon) are the ones
 * the build must have, so a build that lost its -march flags fails rather
 * than testing the scalar code alone. */
#include "effcc_int8.h"
#include "ir.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

/* What ir/quant.c needs of the rest of effcc. */
const char *const act_names[ACT_COUNT] = {
#define X(e, s) s,
    ACT_LIST(X)
#undef X
};

_Noreturn void internal_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("requant_test: internal error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

/* One lane's inputs. Each operation reads some fields: srdhm x, b;
 * rdbpot x, e; mbqm x, m, shift; requant these and zp, lo, hi; store x,
 * zp, lo, hi. The _n variants and zp, lo, hi take lane 0's values for
 * every lane of a vector. */
typedef struct {
    int32_t x, b, m;
    int e, shift;
    int32_t zp, lo, hi;
} Case;

typedef struct {
    int32_t zp, lo, hi;
} Clamp;

#define FNS(X)                                                                                     \
    X(SRDHM, "srdhm") X(RDBPOT, "rdbpot") X(RDBPOT_N, "rdbpot_n") X(MBQM, "mbqm")                  \
        X(MBQM_N, "mbqm_n") X(REQUANT, "requant_i8") X(REQUANT_N, "requant_i8_n")                  \
            X(STORE, "store_i8")
typedef enum {
#define X(e, s) FN_##e,
    FNS(X)
#undef X
        FN_COUNT
} Fn;
static const char *const fn_names[] = {
#define X(e, s) s,
    FNS(X)
#undef X
};

/* One vector width, through arrays of lanes. */
typedef struct {
    const char *name;
    int lanes;
    void (*srdhm)(const int32_t *a, const int32_t *b, int32_t *r);
    void (*rdbpot)(const int32_t *x, const int32_t *e, int32_t *r);
    void (*rdbpot_n)(const int32_t *x, int e, int32_t *r);
    void (*mbqm)(const int32_t *x, const int32_t *m, const int32_t *s, int32_t *r);
    void (*mbqm_n)(const int32_t *x, int32_t m, int s, int32_t *r);
    void (*requant)(const int32_t *x, const int32_t *m, const int32_t *s, Clamp c, int8_t *r);
    void (*requant_n)(const int32_t *x, int32_t m, int s, Clamp c, int8_t *r);
    void (*store)(const int32_t *x, Clamp c, int8_t *r);
} Width;

static void scalar_srdhm(const int32_t *a, const int32_t *b, int32_t *r)
{
    r[0] = effcc_srdhm(a[0], b[0]);
}
static void scalar_rdbpot(const int32_t *x, const int32_t *e, int32_t *r)
{
    r[0] = effcc_rdbpot(x[0], e[0]);
}
static void scalar_rdbpot_n(const int32_t *x, int e, int32_t *r)
{
    r[0] = effcc_rdbpot(x[0], e);
}
static void scalar_mbqm(const int32_t *x, const int32_t *m, const int32_t *s, int32_t *r)
{
    r[0] = effcc_mbqm(x[0], m[0], s[0]);
}
static void scalar_mbqm_n(const int32_t *x, int32_t m, int s, int32_t *r)
{
    r[0] = effcc_mbqm(x[0], m, s);
}
static void scalar_requant(const int32_t *x, const int32_t *m, const int32_t *s, Clamp c, int8_t *r)
{
    r[0] = effcc_requant_i8(x[0], m[0], s[0], c.zp, c.lo, c.hi);
}
static void scalar_requant_n(const int32_t *x, int32_t m, int s, Clamp c, int8_t *r)
{
    r[0] = effcc_requant_i8(x[0], m, s, c.zp, c.lo, c.hi);
}
static void scalar_store(const int32_t *x, Clamp c, int8_t *r)
{
    r[0] = effcc_clamp_i8(x[0], c.zp, c.lo, c.hi);
}

/* The adapters of one vector width P (effcc_i32xN) of type T. */
#define VECTOR_WIDTH(P, T, LOAD, STORE)                                                            \
    static void P##_t_srdhm(const int32_t *a, const int32_t *b, int32_t *r)                        \
    {                                                                                              \
        STORE(r, P##_srdhm(LOAD(a), LOAD(b)));                                                     \
    }                                                                                              \
    static void P##_t_rdbpot(const int32_t *x, const int32_t *e, int32_t *r)                       \
    {                                                                                              \
        STORE(r, P##_rdbpot(LOAD(x), LOAD(e)));                                                    \
    }                                                                                              \
    static void P##_t_rdbpot_n(const int32_t *x, int e, int32_t *r)                                \
    {                                                                                              \
        STORE(r, P##_rdbpot_n(LOAD(x), e));                                                        \
    }                                                                                              \
    static void P##_t_mbqm(const int32_t *x, const int32_t *m, const int32_t *s, int32_t *r)       \
    {                                                                                              \
        STORE(r, P##_mbqm(LOAD(x), LOAD(m), LOAD(s)));                                             \
    }                                                                                              \
    static void P##_t_mbqm_n(const int32_t *x, int32_t m, int s, int32_t *r)                       \
    {                                                                                              \
        STORE(r, P##_mbqm_n(LOAD(x), m, s));                                                       \
    }                                                                                              \
    static void P##_t_requant(const int32_t *x, const int32_t *m, const int32_t *s, Clamp c,       \
                              int8_t *r)                                                           \
    {                                                                                              \
        P##_requant_i8(r, LOAD(x), LOAD(m), LOAD(s), c.zp, c.lo, c.hi);                            \
    }                                                                                              \
    static void P##_t_requant_n(const int32_t *x, int32_t m, int s, Clamp c, int8_t *r)            \
    {                                                                                              \
        P##_requant_i8_n(r, LOAD(x), m, s, c.zp, c.lo, c.hi);                                      \
    }                                                                                              \
    static void P##_t_store(const int32_t *x, Clamp c, int8_t *r)                                  \
    {                                                                                              \
        P##_store_i8(r, LOAD(x), c.zp, c.lo, c.hi);                                                \
    }
#define WIDTH_ENTRY(name, P, lanes)                                                                \
    {name,         lanes,       P##_t_srdhm,   P##_t_rdbpot,    P##_t_rdbpot_n,                    \
     P##_t_mbqm,   P##_t_mbqm_n, P##_t_requant, P##_t_requant_n, P##_t_store}

#if defined(__AVX2__)
#define AVX2_LOAD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define AVX2_STORE(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), v)
VECTOR_WIDTH(effcc_i32x8, __m256i, AVX2_LOAD, AVX2_STORE)
#endif
#if defined(__AVX512F__)
VECTOR_WIDTH(effcc_i32x16, __m512i, _mm512_loadu_si512, _mm512_storeu_si512)
#endif
#if defined(__ARM_NEON)
VECTOR_WIDTH(effcc_i32x4, int32x4_t, vld1q_s32, vst1q_s32)
#endif

static const Width widths[] = {
    {"scalar", 1, scalar_srdhm, scalar_rdbpot, scalar_rdbpot_n, scalar_mbqm, scalar_mbqm_n,
     scalar_requant, scalar_requant_n, scalar_store},
#if defined(__AVX2__)
    WIDTH_ENTRY("avx2", effcc_i32x8, 8),
#endif
#if defined(__AVX512F__)
    WIDTH_ENTRY("avx512", effcc_i32x16, 16),
#endif
#if defined(__ARM_NEON)
    WIDTH_ENTRY("neon", effcc_i32x4, 4),
#endif
};
#define WIDTH_COUNT (int)(sizeof widths / sizeof widths[0])
#define MAX_LANES 16
#define GUARD 8 /* bytes after a store's lanes that must stay untouched */

/* ---- The expected values: ir/quant.c, and the header's scalar function. */

/* What quant_requantize does after its MBQM: clamp32 ((int64_t)v + zp). */
static int32_t quant_clamp(int32_t v, Clamp c)
{
    int64_t sum = (int64_t)v + c.zp;
    if (sum < c.lo)
        sum = c.lo;
    if (sum > c.hi)
        sum = c.hi;
    return (int32_t)sum;
}

/* Lane j's expected value of fn (case k, with lane 0's case k0 for what
 * all lanes share), from ir/quant.c and from the scalar header. */
static void expect(Fn fn, const Case *k, const Case *k0, int32_t *quant, int32_t *scalar)
{
    Clamp c = {k0->zp, k0->lo, k0->hi};
    const Case *shared = fn == FN_RDBPOT_N || fn == FN_MBQM_N || fn == FN_REQUANT_N ? k0 : k;
    QuantRequant r = {{shared->m, shared->shift}, c.zp, c.lo, c.hi};
    switch (fn) {
    case FN_SRDHM:
        *quant = quant_srdhm(k->x, k->b);
        *scalar = effcc_srdhm(k->x, k->b);
        break;
    case FN_RDBPOT:
    case FN_RDBPOT_N:
        *quant = quant_rdbpot(k->x, shared->e);
        *scalar = effcc_rdbpot(k->x, shared->e);
        break;
    case FN_MBQM:
    case FN_MBQM_N:
        *quant = quant_mbqm(k->x, r.m);
        *scalar = effcc_mbqm(k->x, r.m.m, r.m.shift);
        break;
    case FN_REQUANT:
    case FN_REQUANT_N:
        *quant = quant_requantize(k->x, &r);
        *scalar = effcc_requant_i8(k->x, r.m.m, r.m.shift, c.zp, c.lo, c.hi);
        break;
    case FN_STORE:
        *quant = (int8_t)quant_clamp(k->x, c);
        *scalar = effcc_clamp_i8(k->x, c.zp, c.lo, c.hi);
        break;
    default:
        abort();
    }
}

/* ---- Running the cases. */

static long long differences, lanes_checked;

static void report(const Width *w, Fn fn, int lane, const Case *k, const Case *k0, int32_t got,
                   int32_t quant, int32_t scalar)
{
    if (++differences > 20)
        return;
    printf("DIFF %s %s lane %d: x %" PRId32 " b %" PRId32 " m %" PRId32 " e %d shift %d"
           " (lane 0: m %" PRId32 " e %d shift %d zp %" PRId32 " lo %" PRId32 " hi %" PRId32
           "): got %" PRId32 ", ir/quant.c %" PRId32 ", scalar %" PRId32 "\n",
           w->name, fn_names[fn], lane, k->x, k->b, k->m, k->e, k->shift, k0->m, k0->e,
           k0->shift, k0->zp, k0->lo, k0->hi, got, quant, scalar);
}

/* One vector of w: lane j holds case *k[j]. */
static void run_vector(const Width *w, Fn fn, const Case *const *k)
{
    int32_t x[MAX_LANES], b[MAX_LANES], m[MAX_LANES], e[MAX_LANES], s[MAX_LANES];
    int32_t r[MAX_LANES];
    int8_t q[MAX_LANES + GUARD];
    for (int j = 0; j < w->lanes; j++) {
        x[j] = k[j]->x, b[j] = k[j]->b, m[j] = k[j]->m, e[j] = k[j]->e, s[j] = k[j]->shift;
    }
    memset(q, 0x5a, sizeof q);
    Clamp c = {k[0]->zp, k[0]->lo, k[0]->hi};
    switch (fn) {
    case FN_SRDHM: w->srdhm(x, b, r); break;
    case FN_RDBPOT: w->rdbpot(x, e, r); break;
    case FN_RDBPOT_N: w->rdbpot_n(x, k[0]->e, r); break;
    case FN_MBQM: w->mbqm(x, m, s, r); break;
    case FN_MBQM_N: w->mbqm_n(x, k[0]->m, k[0]->shift, r); break;
    case FN_REQUANT: w->requant(x, m, s, c, q); break;
    case FN_REQUANT_N: w->requant_n(x, k[0]->m, k[0]->shift, c, q); break;
    case FN_STORE: w->store(x, c, q); break;
    default: abort();
    }
    bool bytes = fn == FN_REQUANT || fn == FN_REQUANT_N || fn == FN_STORE;
    for (int j = 0; j < w->lanes; j++) {
        int32_t quant, scalar, got = bytes ? q[j] : r[j];
        expect(fn, k[j], k[0], &quant, &scalar);
        if (got != quant || got != scalar)
            report(w, fn, j, k[j], k[0], got, quant, scalar);
    }
    for (int j = w->lanes; bytes && j < w->lanes + GUARD; j++)
        if (q[j] != 0x5a && ++differences <= 20)
            printf("DIFF %s %s wrote byte %d, past its %d lanes\n", w->name, fn_names[fn], j,
                   w->lanes);
    lanes_checked += w->lanes;
}

/* Cases n in lanes of w, in order from `first` (cyclically), so that a
 * second run from 1 puts each case in another lane. */
static void run_cases(const Width *w, Fn fn, const Case *cases, size_t n, size_t first)
{
    const Case *k[MAX_LANES];
    for (size_t i = 0; i < n; i += (size_t)w->lanes) {
        for (int j = 0; j < w->lanes; j++)
            k[j] = &cases[(first + i + (size_t)j) % n];
        run_vector(w, fn, k);
    }
}

/* ---- The cases. */

typedef struct {
    Case *data;
    size_t len, cap;
} Cases;

static void add(Cases *cs, Case k)
{
    if (cs->len == cs->cap) {
        cs->cap = cs->cap ? 2 * cs->cap : 1024;
        cs->data = realloc(cs->data, cs->cap * sizeof *cs->data);
        if (!cs->data)
            abort();
    }
    cs->data[cs->len++] = k;
}

static uint64_t rng_state = 0x243f6a8885a308d3; /* splitmix64 */
static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
}
static int32_t rng_i32(void) { return (int32_t)(uint32_t)rng(); }
static int32_t rng_in(int32_t lo, int32_t hi) /* [lo, hi] */
{
    return (int32_t)(lo + (int64_t)(rng() % (uint64_t)((int64_t)hi - lo + 1)));
}

/* The int32 edges: 0, ±1, ±2^k and their neighbours, the extremes. */
static int32_t edges[256];
static int edge_count;
static void make_edges(void)
{
    int64_t v[200];
    int n = 0;
    v[n++] = 0, v[n++] = 3, v[n++] = 5, v[n++] = 3 << 29, v[n++] = INT32_MAX;
    for (int k = 0; k <= 30; k++) {
        v[n++] = INT64_C(1) << k;
        v[n++] = (INT64_C(1) << k) + 1;
        v[n++] = (INT64_C(1) << k) - 1;
    }
    for (int i = 0; i < n; i++) {
        if (v[i] <= INT32_MAX) /* 2^31 − 1 and 2^30 + 1 … come twice: harmless */
            edges[edge_count++] = (int32_t)v[i];
        edges[edge_count++] = (int32_t)-v[i];
    }
    edges[edge_count++] = INT32_MIN;
}

/* x = ±(q·2^e + 2^(e−1)): a tie of RDBPOT by e, for either sign; and
 * its neighbours ±1. */
static int32_t rdbpot_tie(int e, int sign, int delta)
{
    int64_t q = (int64_t)(rng() % ((uint64_t)1 << (31 - e)));
    if (rng() % 4 == 0)
        q = rng() % 2 ? 0 : (INT64_C(1) << (31 - e)) - 1;
    int64_t v = sign * (q * (INT64_C(1) << e) + (INT64_C(1) << (e - 1))) + delta;
    return v > INT32_MAX ? INT32_MAX : (int32_t)v;
}

/* a, b with a·b ≡ 2^30 (mod 2^31): a tie of SRDHM. */
static void srdhm_tie(int32_t *a, int32_t *b)
{
    int i = (int)(rng() % 31);
    int64_t odd_a = (int64_t)(rng() % ((uint64_t)1 << (31 - i))) | 1;
    int64_t odd_b = (int64_t)(rng() % ((uint64_t)1 << (i + 1))) | 1;
    *a = (int32_t)((rng() % 2 ? -odd_a : odd_a) * (INT64_C(1) << i));
    *b = (int32_t)((rng() % 2 ? -odd_b : odd_b) * (INT64_C(1) << (30 - i)));
}

/* A clamp as the kernels have them: the int8 range, a ReLU6 range, any
 * int8 pair (sometimes lo > hi), and for store alone wide ones. */
static void random_clamp(Case *k, bool wide)
{
    k->zp = rng_in(-128, 127);
    switch (rng() % 4) {
    case 0: k->lo = -128, k->hi = 127; break;
    case 1: k->lo = k->zp, k->hi = rng_in(k->zp, 127); break;
    case 2: k->lo = rng_in(-128, 127), k->hi = rng_in(-128, 127); break;
    default:
        if (wide) {
            k->zp = rng_in(-(1 << 30), 1 << 30);
            k->lo = rng_in(-(1 << 30), 1 << 30), k->hi = rng_in(-(1 << 30), 1 << 30);
        } else {
            k->lo = rng_in(-128, 0), k->hi = rng_in(0, 127);
        }
    }
}

static const int32_t edge_multipliers[] = {0,          1,          2,         1 << 29,
                                           1 << 30,    (1 << 30) + 1, 3 << 29, INT32_MAX - 1,
                                           INT32_MAX};
#define EDGE_MULTIPLIER_COUNT (int)(sizeof edge_multipliers / sizeof edge_multipliers[0])

static int32_t random_x(void)
{
    switch (rng() % 6) {
    case 0: return rng_i32();
    case 1: return rng_in(-65536, 65536);
    case 2: return edges[rng() % (unsigned)edge_count];
    case 3: {
        int e = 1 + (int)(rng() % 31);
        return rdbpot_tie(e, rng() % 2 ? 1 : -1, (int)(rng() % 3) - 1);
    }
    default: return (int32_t)((int64_t)rng_i32() >> (rng() % 32)); /* any magnitude */
    }
}

static int32_t random_multiplier(void)
{
    switch (rng() % 5) {
    case 0: return edge_multipliers[rng() % EDGE_MULTIPLIER_COUNT];
    case 1: return rng_in(0, INT32_MAX);
    default: return rng_in(1 << 30, INT32_MAX); /* what quant_multiplier makes */
    }
}

/* The edge cases of fn, each case's x varying fastest (the _n variants
 * share lane 0's multiplier and shift, so most vectors see one pair). */
static Cases edge_cases(Fn fn)
{
    Cases cs = {0};
    Case k = {.zp = 0, .lo = -128, .hi = 127, .m = 1 << 30};
    switch (fn) {
    case FN_SRDHM:
        for (int i = 0; i < edge_count; i++)
            for (int j = 0; j < edge_count; j++)
                k.x = edges[j], k.b = edges[i], add(&cs, k);
        for (int i = 0; i < 20000; i++)
            srdhm_tie(&k.x, &k.b), add(&cs, k);
        break;
    case FN_RDBPOT:
    case FN_RDBPOT_N:
        for (k.e = 0; k.e <= 31; k.e++) {
            for (int i = 0; i < edge_count; i++)
                k.x = edges[i], add(&cs, k);
            for (int i = 0; k.e > 0 && i < 64; i++)
                k.x = rdbpot_tie(k.e, i % 2 ? -1 : 1, i / 2 % 3 - 1), add(&cs, k);
        }
        break;
    case FN_MBQM:
    case FN_MBQM_N:
    case FN_REQUANT:
    case FN_REQUANT_N:
        for (k.shift = -31; k.shift <= 30; k.shift++)
            for (int mi = 0; mi < EDGE_MULTIPLIER_COUNT; mi++) {
                k.m = edge_multipliers[mi];
                if (fn == FN_REQUANT || fn == FN_REQUANT_N)
                    random_clamp(&k, false);
                for (int i = 0; i < edge_count; i++)
                    k.x = edges[i], add(&cs, k);
                /* SRDHM by 2^30 halves 2y exactly: RDBPOT then sees a tie */
                for (int i = 0; k.m == 1 << 30 && k.shift < 0 && i < 64; i++) {
                    int32_t y = rdbpot_tie(-k.shift, i % 2 ? -1 : 1, 0);
                    if (y >= -(1 << 30) && y < 1 << 30)
                        k.x = 2 * y, add(&cs, k);
                }
            }
        break;
    case FN_STORE:
        for (int c = 0; c < 200; c++) {
            random_clamp(&k, true);
            for (int i = 0; i < edge_count; i++)
                k.x = edges[i], add(&cs, k);
            for (int32_t v = -300; v <= 300; v++)
                k.x = k.zp / 2 + v, add(&cs, k);
        }
        break;
    default:
        abort();
    }
    return cs;
}

static Cases random_cases(size_t n)
{
    Cases cs = {0};
    for (size_t i = 0; i < n; i++) {
        Case k;
        k.x = random_x();
        k.b = rng() % 2 ? random_x() : random_multiplier();
        if (rng() % 8 == 0)
            srdhm_tie(&k.x, &k.b);
        k.m = random_multiplier();
        k.e = (int)(rng() % 32);
        k.shift = rng_in(-31, 30);
        if (rng() % 4 == 0) /* the shifts real scales give */
            k.shift = rng_in(-12, 1);
        random_clamp(&k, false);
        add(&cs, k);
    }
    return cs;
}

/* The random cases for store: x near the clamp's range, and wide clamps. */
static Cases random_store_cases(const Cases *r)
{
    Cases cs = {0};
    for (size_t i = 0; i < r->len; i++) {
        Case k = r->data[i];
        random_clamp(&k, true);
        if (rng() % 2) {
            int64_t v = (int64_t)k.lo - k.zp + rng_in(-200, 200);
            k.x = v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : (int32_t)v;
        }
        add(&cs, k);
    }
    return cs;
}

/* effcc_i32x8_mbqm_fast against quant_mbqm, for the sums quant_fast_ok
 * admits: every shift in [−31, 0] with the edge multipliers and random
 * ones, the largest admitted bound B (found by bisection) and random
 * smaller ones; x at ±B, ±(B − 1), the int32 edges within B, RDBPOT's ties
 * after SRDHM by 2^30, and random x within B. Eight lanes of one vector
 * take different multipliers and shifts (each lane's case is checked with
 * its own bound); the table comes from quant_fast_table, read at channel 8
 * of 16 as well as at 0. Also: what quant_fast_ok must refuse. */
#if defined(__AVX2__)
static int64_t largest_bound(QuantMultiplier m)
{
    if (!quant_fast_ok(m, 0))
        return -1;
    int64_t lo = 0, hi = INT32_MAX; /* ok(lo); find the largest */
    if (quant_fast_ok(m, hi))
        return hi;
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        *(quant_fast_ok(m, mid) ? &lo : &hi) = mid;
    }
    return lo;
}

static int32_t fast_x(int64_t bound, int32_t m, int e)
{
    switch (rng() % 6) {
    case 0: return (int32_t)(rng() % 2 ? bound : -bound);
    case 1: return (int32_t)(rng() % 2 ? bound - 1 : 1 - bound);
    case 2: {
        int32_t x = edges[rng() % (unsigned)edge_count];
        return (int64_t)x >= -bound && x <= bound ? x : 0;
    }
    case 3:
        if (m == 1 << 30 && e > 0) { /* SRDHM halves 2y: a tie of RDBPOT */
            int32_t y = rdbpot_tie(e, rng() % 2 ? 1 : -1, (int)(rng() % 3) - 1);
            if (2 * (int64_t)y >= -bound && 2 * (int64_t)y <= bound)
                return 2 * y;
        }
        return (int32_t)((int64_t)(rng() % (2 * (uint64_t)bound + 1)) - bound);
    default: return (int32_t)((int64_t)(rng() % (2 * (uint64_t)bound + 1)) - bound);
    }
}

static long long fast_differences(long long *lanes)
{
    long long diffs = 0;
    for (int round = 0; round < 4000; round++) {
        QuantMultiplier ms[16];
        int64_t bounds[16];
        for (int c = 0; c < 16; c++) {
            do {
                ms[c].m = rng() % 3 ? random_multiplier() : edge_multipliers[rng() % EDGE_MULTIPLIER_COUNT];
                ms[c].shift = rng() % 4 ? -(int)(rng() % 32) : -(int)(rng() % 13);
                if (round < 32 * EDGE_MULTIPLIER_COUNT && c == 0) /* every pair once in lane 0 */
                    ms[c].shift = -(round % 32), ms[c].m = edge_multipliers[round / 32];
                bounds[c] = largest_bound(ms[c]);
            } while (bounds[c] < 0);
            if (rng() % 2)
                bounds[c] = (int64_t)(rng() % (uint64_t)(bounds[c] + 1));
        }
        int32_t table[4 * 16];
        for (int c = 0; c < 16; c++)
            table[c] = ms[c].m, table[16 + c] = ms[c].shift;
        quant_fast_table(ms, 16, table + 32);
        for (int half = 0; half < 2; half++) {
            EffccRqFast8 r = effcc_rq_fast8(table, 16, 8 * half);
            for (int rep = 0; rep < 16; rep++) {
                int32_t x[8], got[8];
                for (int j = 0; j < 8; j++) {
                    const int c = 8 * half + j;
                    x[j] = fast_x(bounds[c], ms[c].m, -ms[c].shift);
                }
                _mm256_storeu_si256((__m256i *)got,
                                    effcc_i32x8_mbqm_fast(_mm256_loadu_si256((const __m256i *)x), &r));
                for (int j = 0; j < 8; j++) {
                    const int c = 8 * half + j;
                    int32_t want = quant_mbqm(x[j], ms[c]);
                    if (got[j] != want && ++diffs <= 20)
                        printf("DIFF avx2 mbqm_fast lane %d: x %" PRId32 " m %" PRId32
                               " shift %d (bound %" PRId64 "): got %" PRId32 ", ir/quant.c %" PRId32 "\n",
                               j, x[j], ms[c].m, ms[c].shift, bounds[c], got[j], want);
                }
                *lanes += 8;
            }
        }
    }
    /* refused: a left shift, a bound beyond int32, and the one that would
     * overflow v + 2^(e−1): m = 2^31 − 1, e = 31 at bound 2^31 − 1 */
    QuantMultiplier left = {1 << 30, 1}, big = {INT32_MAX, -31}, zero = {INT32_MAX, 0};
    diffs += quant_fast_ok(left, 0) || quant_fast_ok(zero, INT64_C(1) << 31) ||
             quant_fast_ok(big, INT32_MAX) || !quant_fast_ok(zero, INT32_MAX) ||
             !quant_fast_ok(big, (INT64_C(1) << 30) - 2);
    return diffs;
}
#endif

/* effcc_quantize_i8x8 against effcc_quantize_i8 (which the generic
 * targets use, and ir/eval_int8.c's QUANTIZE defines): floats around every
 * tie (k + 0.5 and its neighbours, both signs) for scales that make them
 * exact, the int8 range's ends and the ±1024 bounds, huge values,
 * infinities, NaN, signed zeros, subnormals and random floats; every zero
 * point in steps. */
#if defined(__AVX2__)
static long long quantize_differences(long long *lanes)
{
    float xs[4096];
    int n = 0;
    const double scales[] = {1.0, 0.5, 0.25, 1.0 / 3, 0.0078125, 0.018658, 3.5};
    for (int k = -140; k <= 140; k++)
        for (int d = -1; d <= 1; d++) {
            float tie = (float)k + 0.5f;
            xs[n++] = d == 0 ? tie : nextafterf(tie, d < 0 ? -INFINITY : INFINITY);
        }
    const float specials[] = {0.0f, -0.0f, 1e-40f, -1e-40f, 1023.5f, -1023.5f, 1024.0f, -1024.0f,
                              1024.5f, 1e30f, -1e30f, INFINITY, -INFINITY, NAN, 127.5f, -128.5f};
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++)
        xs[n++] = specials[i];
    while (n < 4096) {
        uint32_t bits = (uint32_t)rng();
        float f;
        memcpy(&f, &bits, sizeof f);
        xs[n++] = rng() % 2 ? f : (float)rng_in(-300000, 300000) / 1000.0f;
    }
    long long diffs = 0;
    for (size_t si = 0; si < sizeof scales / sizeof scales[0]; si++)
        for (int32_t zp = -128; zp <= 127; zp += 17)
            for (int i = 0; i + 8 <= n; i += 8) {
                int8_t got[8];
                effcc_quantize_i8x8(xs + i, scales[si], zp, got);
                for (int j = 0; j < 8; j++) {
                    int8_t want = effcc_quantize_i8((double)xs[i + j] / scales[si], zp);
                    if (got[j] != want && ++diffs <= 20)
                        printf("DIFF avx2 quantize_i8x8: x %a scale %a zp %" PRId32 ": got %d, want %d\n",
                               (double)xs[i + j], scales[si], zp, got[j], want);
                }
                *lanes += 8;
            }
    return diffs;
}
#endif

/* effcc_lookup_i8 against the plain look-up: random tables, every byte
 * value, every length up to 100 from every offset up to 31 (the vector
 * loop's tails), and a long run. */
static long long lookup_differences(void)
{
    static int8_t table[256], in[1200], out[1200];
    long long diffs = 0;
    for (int round = 0; round < 8; round++) {
        for (int i = 0; i < 256; i++)
            table[i] = (int8_t)(round == 0 ? i ^ 0x5a : (int)(rng() % 256) - 128);
        for (int i = 0; i < 1200; i++)
            in[i] = (int8_t)(i < 256 ? i - 128 : (int)(rng() % 256) - 128);
        for (int off = 0; off < 32; off++)
            for (int n = 0; n <= 100; n += off % 2 ? 7 : 1) {
                memset(out, 0x11, sizeof out);
                effcc_lookup_i8(out + off, in + off, table, n);
                for (int i = 0; i < 1200; i++) {
                    int8_t want = i >= off && i < off + n ? table[(uint8_t)in[i]] : 0x11;
                    diffs += out[i] != want;
                }
            }
        effcc_lookup_i8(out, in, table, 1200);
        for (int i = 0; i < 1200; i++)
            diffs += out[i] != table[(uint8_t)in[i]];
    }
    return diffs;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: requant_test COUNT WIDTH...\n");
        return 2;
    }
    int ok = 1;
    for (int i = 0; i < WIDTH_COUNT; i++) {
        bool expected = false;
        for (int a = 2; a < argc; a++)
            expected |= strcmp(argv[a], widths[i].name) == 0;
        if (!expected)
            printf("FAIL: this build has width %s, not asked for\n", widths[i].name), ok = 0;
    }
    for (int a = 2; a < argc; a++) {
        bool built = false;
        for (int i = 0; i < WIDTH_COUNT; i++)
            built |= strcmp(argv[a], widths[i].name) == 0;
        if (!built)
            printf("FAIL: this build lacks width %s (its compiler flags?)\n", argv[a]), ok = 0;
    }
    make_edges();
    Cases randoms = random_cases(strtoul(argv[1], NULL, 10));
    Cases store_randoms = random_store_cases(&randoms);
    for (Fn fn = 0; fn < FN_COUNT; fn++) {
        Cases edge = edge_cases(fn);
        const Cases *rand = fn == FN_STORE ? &store_randoms : &randoms;
        for (int i = 0; i < WIDTH_COUNT; i++) {
            const Width *w = &widths[i];
            long long before = differences, lanes = lanes_checked;
            run_cases(w, fn, edge.data, edge.len, 0);
            if (w->lanes > 1)
                run_cases(w, fn, edge.data, edge.len, 1);
            run_cases(w, fn, rand->data, rand->len, 0);
            printf("%-6s %-12s %10lld lanes, %lld differences\n", w->name, fn_names[fn],
                   lanes_checked - lanes, differences - before);
        }
        free(edge.data);
    }
    free(randoms.data);
    free(store_randoms.data);
#if defined(__AVX2__)
    long long fast_lanes = 0, fast = fast_differences(&fast_lanes);
    printf("avx2   mbqm_fast    %10lld lanes, %lld differences\n", fast_lanes, fast);
    differences += fast;
    long long quantize_lanes = 0, quantized = quantize_differences(&quantize_lanes);
    printf("avx2   quantize_i8x8 %9lld lanes, %lld differences\n", quantize_lanes, quantized);
    differences += quantized;
#endif
    long long lookups = lookup_differences();
    printf("lookup %lld differences\n", lookups);
    differences += lookups;
    if (differences)
        printf("FAIL: %lld differences\n", differences), ok = 0;
    return ok ? 0 : 1;
}
