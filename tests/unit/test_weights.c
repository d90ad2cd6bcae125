/* test_weights.c — safetensors loading, saving and synthetic weights.
 *
 * A small graph named like torchvision's EfficientNet (stem conv + BN, a
 * depthwise conv, a squeeze-excitation conv with bias, the classifier) is
 * synthesised, saved, and read back; bad files are made by editing a good
 * file's header with cJSON or cutting its bytes, and each must fail with a
 * message naming the tensor and the problem. Fixtures live in a mkdtemp
 * folder removed at the end. */
#define _DEFAULT_SOURCE /* mknod */
#include "unit.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/sysmacros.h> /* makedev */
#endif

static char dir[64];

static const char *fixture(const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    if (snprintf(p, sizeof paths[0], "%s/%s", dir, name) >= (int)sizeof paths[0])
        CU_FAIL_FATAL("fixture path too long");
    return p;
}

static Graph *small_graph(Arena *a)
{
    Graph *g = graph_new(a);
    struct {
        const char *name;
        int rank, dims[4];
        bool buffer, external;
    } ps[] = {
        {"features.0.0.weight", 4, {32, 3, 3, 3}, false, true},
        {"features.0.1.weight", 1, {32}, false, true},
        {"features.0.1.bias", 1, {32}, false, true},
        {"features.0.1.running_mean", 1, {32}, true, true},
        {"features.0.1.running_var", 1, {32}, true, true},
        {"features.1.0.block.0.0.weight", 4, {32, 1, 3, 3}, false, true},
        {"features.1.0.block.1.fc1.weight", 4, {8, 32, 1, 1}, false, true},
        {"features.1.0.block.1.fc1.bias", 1, {8}, false, true},
        {"folded.0.bias", 1, {32}, false, false}, /* derived by a pass: never in a file */
        {"classifier.1.weight", 2, {10, 32}, false, true},
        {"classifier.1.bias", 1, {10}, false, true},
    };
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        int k = graph_add_param(g, ps[i].name, ps[i].rank, ps[i].dims, ps[i].buffer);
        g->params[k].external = ps[i].external;
    }
    return g;
}

static const Param *find(const Graph *g, const char *name)
{
    for (int i = 0; i < g->nparams; i++)
        if (strcmp(g->params[i].name, name) == 0)
            return &g->params[i];
    CU_FAIL_FATAL("no such param");
    return NULL;
}

static bool raises_load(Graph *g, const char *path)
{
    return RAISES(weights_load(g, path, false));
}

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT(fwrite(data, 1, len, f) == len);
    fclose(f);
}

/* A file with the given header text (its length prefix honest) and data. */
static void write_st(const char *path, const char *header, const void *data, size_t len)
{
    size_t n = strlen(header);
    unsigned char *b = malloc(8 + n + len + 1);
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(b + 8, header, n);
    if (len)
        memcpy(b + 8 + n, data, len);
    write_bytes(path, b, 8 + n + len);
    free(b);
}

/* A good file: the small graph synthesised from seed 1, saved. */
static const char *good_file(void)
{
    const char *path = fixture("good.safetensors");
    Arena *a = arena_new();
    Graph *g = small_graph(a);
    weights_synthesize(g, 1);
    weights_save(g, path);
    arena_free(a);
    return path;
}

static uint64_t header_len(const Buf *b)
{
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = n << 8 | (unsigned char)b->data[i];
    return n;
}

/* Copies the good file to dst with its header edited by edit(). */
/* Copies the good file to dst with its header edited by edit() and, when
 * tail is not 0, that many zero bytes appended to the data block. */
static const char *edited_tail(const char *dst, void (*edit)(cJSON *root), size_t tail)
{
    Buf b = read_file(good_file());
    uint64_t n = header_len(&b);
    cJSON *root = cJSON_ParseWithLength(b.data + 8, n);
    CU_ASSERT_FATAL(root != NULL);
    edit(root);
    char *text = cJSON_PrintUnformatted(root);
    const char *path = fixture(dst);
    char *zeros = calloc(1, tail + 1);
    buf_append(&b, zeros, tail);
    write_st(path, text, b.data + 8 + n, b.len - 8 - n);
    free(zeros);
    cJSON_free(text);
    cJSON_Delete(root);
    buf_free(&b);
    return path;
}

static const char *edited(const char *dst, void (*edit)(cJSON *root))
{
    return edited_tail(dst, edit, 0);
}

/* The end of the data block: the largest end offset in the header. */
static int data_end(const cJSON *root)
{
    int end = 0;
    for (const cJSON *t = root->child; t; t = t->next) {
        const cJSON *off = cJSON_GetObjectItem(t, "data_offsets");
        if (off && cJSON_GetArrayItem(off, 1)->valueint > end)
            end = cJSON_GetArrayItem(off, 1)->valueint;
    }
    return end;
}

static void set_offsets(cJSON *root, const char *name, int begin, int end)
{
    cJSON *t = cJSON_GetObjectItem(root, name);
    cJSON_ReplaceItemInObject(t, "data_offsets", cJSON_CreateIntArray((int[]){begin, end}, 2));
}

/* Copies the good file to dst with value v at flat index k of a tensor. */
static const char *patched(const char *dst, const char *tensor, int k, float v)
{
    Buf b = read_file(good_file());
    uint64_t n = header_len(&b);
    cJSON *root = cJSON_ParseWithLength(b.data + 8, n);
    CU_ASSERT_FATAL(root != NULL);
    const cJSON *off = cJSON_GetObjectItem(cJSON_GetObjectItem(root, tensor), "data_offsets");
    CU_ASSERT_FATAL(off != NULL);
    size_t at = (size_t)(8 + n) + (size_t)cJSON_GetArrayItem(off, 0)->valueint + 4 * (size_t)k;
    memcpy(b.data + at, &v, 4); /* tests run on little-endian hosts */
    const char *path = fixture(dst);
    write_bytes(path, b.data, b.len);
    cJSON_Delete(root);
    buf_free(&b);
    return path;
}

/* Loads path into a fresh graph: true if it raised. On error the graph
 * must be untouched. */
static bool load_fails(const char *path)
{
    Arena *a = arena_new();
    Graph *g = small_graph(a);
    bool raised = raises_load(g, path);
    for (int i = 0; i < g->nparams && raised; i++)
        CU_ASSERT_PTR_NULL(g->params[i].data);
    arena_free(a);
    return raised;
}

/* weights_save's temporary files left in the fixture folder. */
static int temps_left(void)
{
    DIR *d = opendir(dir);
    CU_ASSERT_FATAL(d != NULL);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strncmp(e->d_name, ".effcc-weights-", 15) == 0;
    closedir(d);
    return n;
}

static bool files_equal(const char *p, const char *q)
{
    Buf a = read_file(p), b = read_file(q);
    bool same = a.len == b.len && memcmp(a.data, b.data, a.len) == 0;
    buf_free(&a);
    buf_free(&b);
    return same;
}

/* ----- round trip and synthesis ----- */

static void test_round_trip(void)
{
    Arena *a = arena_new();
    Graph *g = small_graph(a), *h = small_graph(a);
    weights_synthesize(g, 42);
    const char *path = fixture("rt.safetensors");
    weights_save(g, path);
    weights_load(h, path, false);
    for (int i = 0; i < g->nparams; i++) {
        const Param *p = &g->params[i], *q = &h->params[i];
        if (!p->external) {
            CU_ASSERT_PTR_NULL(p->data);
            CU_ASSERT_PTR_NULL(q->data);
            continue;
        }
        CU_ASSERT_FATAL(q->data != NULL);
        CU_ASSERT(q->data != p->data);
        CU_ASSERT(memcmp(p->data, q->data, param_numel(p) * sizeof(float)) == 0);
    }
    /* Saving what was loaded gives the same bytes. */
    weights_save(h, fixture("rt2.safetensors"));
    CU_ASSERT(files_equal(path, fixture("rt2.safetensors")));
    /* No temporary file is left behind. */
    CU_ASSERT_EQUAL(temps_left(), 0);
    arena_free(a);
}

static void test_seed_determinism(void)
{
    Arena *a = arena_new();
    Graph *g1 = small_graph(a), *g2 = small_graph(a), *g3 = small_graph(a);
    weights_synthesize(g1, 7);
    weights_synthesize(g2, 7);
    weights_synthesize(g3, 8);
    weights_save(g1, fixture("s7a.safetensors"));
    weights_save(g2, fixture("s7b.safetensors"));
    weights_save(g3, fixture("s8.safetensors"));
    CU_ASSERT(files_equal(fixture("s7a.safetensors"), fixture("s7b.safetensors")));
    CU_ASSERT(!files_equal(fixture("s7a.safetensors"), fixture("s8.safetensors")));
    for (int i = 0; i < g1->nparams; i++)
        if (g1->params[i].external)
            CU_ASSERT(memcmp(g1->params[i].data, g3->params[i].data,
                             param_numel(&g1->params[i]) * sizeof(float)) != 0);
    arena_free(a);
}

/* The generator is pinned: these bits must come out on every platform. */
static void test_synthesize_golden(void)
{
    Arena *a = arena_new();
    Graph *g = small_graph(a);
    weights_synthesize(g, 7);
    const Param *w = find(g, "features.0.0.weight");
    uint64_t h = hash_fnv1a(w->data, param_numel(w) * sizeof(float));
    uint32_t bits;
    memcpy(&bits, &find(g, "features.0.1.running_var")->data[0], 4);
    /* Computed independently (Python: splitmix64, FNV-1a, IEEE doubles). */
    CU_ASSERT_EQUAL(h, UINT64_C(0x83833ee4c51fc6ee));
    CU_ASSERT_EQUAL(bits, 0x3f9bfdb0);
    arena_free(a);
}

/* Values within [lo, hi]; returns the standard deviation. */
static double check_range(const Graph *g, const char *name, double lo, double hi)
{
    const Param *p = find(g, name);
    size_t n = param_numel(p);
    double sum = 0, sq = 0, min = INFINITY, max = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double v = p->data[i];
        sum += v;
        sq += v * v;
        min = v < min ? v : min;
        max = v > max ? v : max;
    }
    CU_ASSERT(min >= lo);
    CU_ASSERT(max <= hi);
    CU_ASSERT(max > min); /* not constant */
    double mean = sum / (double)n;
    return sqrt(sq / (double)n - mean * mean);
}

static void test_synthesize_scales(void)
{
    Arena *a = arena_new();
    Graph *g = small_graph(a);
    weights_synthesize(g, 3);
    /* Convs: variance 2.5/fan_in (uniform ±√(3·2.5/fan_in)); linear: 1/fan_in. */
    double stem = sqrt(2.5 / 27);
    double sd = check_range(g, "features.0.0.weight", -stem * sqrt(3), stem * sqrt(3));
    CU_ASSERT(fabs(sd / stem - 1) < 0.1); /* 864 samples */
    check_range(g, "features.1.0.block.0.0.weight", -sqrt(7.5 / 9), sqrt(7.5 / 9));
    check_range(g, "features.1.0.block.1.fc1.weight", -sqrt(7.5 / 32), sqrt(7.5 / 32));
    check_range(g, "classifier.1.weight", -sqrt(3.0 / 32), sqrt(3.0 / 32));
    check_range(g, "features.0.1.weight", 0.5, 1.5);
    check_range(g, "features.0.1.running_mean", -0.2, 0.2);
    check_range(g, "features.0.1.running_var", 0.5, 2.0);
    /* A BN beta (it has a running_mean sibling) spans ±0.2; conv and linear
     * biases stay within ±0.1. */
    check_range(g, "features.0.1.bias", -0.2, 0.2);
    const Param *beta = find(g, "features.0.1.bias");
    bool wide = false;
    for (int i = 0; i < 32; i++)
        wide |= fabsf(beta->data[i]) > 0.1f;
    CU_ASSERT(wide);
    check_range(g, "features.1.0.block.1.fc1.bias", -0.1, 0.1);
    check_range(g, "classifier.1.bias", -0.1, 0.1);
    CU_ASSERT_PTR_NULL(find(g, "folded.0.bias")->data);
    arena_free(a);
}

/* The conv ending a residual branch (found through the graph's ADD, whichever
 * input order) gets a small scale so deep stacks of blocks do not blow up. */
static void test_synthesize_residual_tail(void)
{
    Arena *a = arena_new();
    Graph *g = graph_new(a);
    int w[4] = {16, 16, 1, 1}, c = 16;
    const char *names[2] = {"features.2.1.block.0", "features.2.1.block.1"};
    int x = graph_add_node(g, (Node){.op = OP_INPUT, .shape = {16, 4, 4}});
    int y = x, weight[2];
    for (int k = 0; k < 2; k++) {
        Node conv = {.op = OP_CONV2D, .in = {y}, .nin = 1, .shape = {16, 4, 4}};
        conv.conv.kernel = conv.conv.stride = conv.conv.groups = 1;
        conv.conv.weight = weight[k] =
            graph_add_param(g, arena_printf(a, "%s.0.weight", names[k]), 4, w, false);
        conv.conv.bias = -1;
        y = graph_add_node(g, conv);
        Node bn = {.op = OP_BATCHNORM, .in = {y}, .nin = 1, .shape = {16, 4, 4}};
        bn.bn.gamma = graph_add_param(g, arena_printf(a, "%s.1.weight", names[k]), 1, &c, false);
        bn.bn.beta = graph_add_param(g, arena_printf(a, "%s.1.bias", names[k]), 1, &c, false);
        bn.bn.mean =
            graph_add_param(g, arena_printf(a, "%s.1.running_mean", names[k]), 1, &c, true);
        bn.bn.var = graph_add_param(g, arena_printf(a, "%s.1.running_var", names[k]), 1, &c, true);
        y = graph_add_node(g, bn);
        if (k == 0)
            y = graph_add_node(
                g,
                (Node){.op = OP_ACT, .in = {y}, .nin = 1, .shape = {16, 4, 4}, .act = {ACT_SWISH}});
    }
    g->output =
        graph_add_node(g, (Node){.op = OP_ADD, .in = {x, y}, .nin = 2, .shape = {16, 4, 4}});
    for (int i = 0; i < g->nparams; i++)
        g->params[i].external = true;
    weights_synthesize(g, 9);
    double tail = sqrt(3 * 0.1 / 16);
    check_range(g, "features.2.1.block.1.0.weight", -tail, tail);
    const Param *first = &g->params[weight[0]];
    bool wider = false;
    for (int i = 0; i < 256; i++)
        wider |= fabsf(first->data[i]) > tail;
    CU_ASSERT(wider);
    arena_free(a);
}

/* A param's values depend on the seed, its name and its role only. */
static void test_synthesize_independent_of_others(void)
{
    Arena *a = arena_new();
    Graph *g = small_graph(a), *h = graph_new(a);
    int dims[] = {10, 32};
    graph_add_param(h, "classifier.1.weight", 2, dims, false);
    h->params[0].external = true;
    weights_synthesize(g, 5);
    weights_synthesize(h, 5);
    CU_ASSERT(
        memcmp(find(g, "classifier.1.weight")->data, h->params[0].data, 320 * sizeof(float)) == 0);
    arena_free(a);
}

/* ----- a file from the reference writer ----- */

/* Written by the safetensors library itself (0.8, safetensors.numpy.save):
 * classifier.1.weight = arange(6).reshape(2, 3) * 0.5 - 1, classifier.1.bias =
 * [0.25, -0.75], a batch norm features.0.1 (weight [1, 2], bias [0, -1],
 * running_mean [0.5, -0.5], running_var [1, 4]) and its I64
 * num_batches_tracked = 7, which is sorted first. */
static const char reference_file[] =
    "\x38\x02\x00\x00\x00\x00\x00\x00"
    "{\"__metadata__\":{\"format\":\"pt\"},"
    "\"features.0.1.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
    "\"classifier.1.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
    "\"classifier.1.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[16,40]},"
    "\"features.0.1.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[40,48]},"
    "\"features.0.1.running_mean\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[48,56]},"
    "\"features.0.1.running_var\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[56,64]},"
    "\"features.0.1.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[64,72]}}       "
    "\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x3e\x00\x00\x40\xbf"
    "\x00\x00\x80\xbf\x00\x00\x00\xbf\x00\x00\x00\x00\x00\x00\x00\x3f"
    "\x00\x00\x80\x3f\x00\x00\xc0\x3f\x00\x00\x00\x00\x00\x00\x80\xbf"
    "\x00\x00\x00\x3f\x00\x00\x00\xbf\x00\x00\x80\x3f\x00\x00\x80\x40"
    "\x00\x00\x80\x3f\x00\x00\x00\x40";

static void test_reference_file(void)
{
    const char *path = fixture("reference.safetensors");
    write_bytes(path, reference_file, sizeof reference_file - 1);
    Arena *a = arena_new();
    Graph *g = graph_new(a);
    int wd[2] = {2, 3}, bd[1] = {2};
    graph_add_param(g, "classifier.1.weight", 2, wd, false);
    graph_add_param(g, "classifier.1.bias", 1, bd, false);
    const char *bn[4] = {"weight", "bias", "running_mean", "running_var"};
    for (int i = 0; i < 4; i++)
        graph_add_param(g, arena_printf(a, "features.0.1.%s", bn[i]), 1, bd, i >= 2);
    for (int i = 0; i < g->nparams; i++)
        g->params[i].external = true;
    CU_ASSERT_FATAL(!raises_load(g, path));
    const float w[6] = {-1, -0.5f, 0, 0.5f, 1, 1.5f}, b[2] = {0.25f, -0.75f};
    CU_ASSERT(memcmp(g->params[0].data, w, sizeof w) == 0);
    CU_ASSERT(memcmp(g->params[1].data, b, sizeof b) == 0);
    const float var[2] = {1, 4};
    CU_ASSERT(memcmp(find(g, "features.0.1.running_var")->data, var, sizeof var) == 0);
    /* A shape mismatch against it names both shapes. */
    Graph *h = graph_new(a);
    int hd[2] = {3, 2};
    graph_add_param(h, "classifier.1.weight", 2, hd, false);
    graph_add_param(h, "classifier.1.bias", 1, bd, false);
    h->params[0].external = h->params[1].external = true;
    CU_ASSERT(raises_load(h, path));
    ASSERT_MESSAGE_HAS("tensor 'classifier.1.weight': shape [3, 2] expected, found [2, 3]");
    arena_free(a);
}

/* ----- the saved file ----- */

static void test_saved_header(void)
{
    Buf b = read_file(good_file());
    uint64_t n = header_len(&b);
    CU_ASSERT_EQUAL(n % 8, 0);
    CU_ASSERT_FATAL(8 + n <= b.len);
    cJSON *root = cJSON_ParseWithLength(b.data + 8, n);
    CU_ASSERT_FATAL(cJSON_IsObject(root));
    const cJSON *meta = root->child;
    CU_ASSERT_STRING_EQUAL(meta->string, "__metadata__");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(meta, "format")->valuestring, "pt");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(meta, "generator")->valuestring, "effcc");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(root), 11); /* metadata + 10 external params */
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(root, "folded.0.bias"));

    Arena *a = arena_new();
    Graph *g = small_graph(a);
    weights_synthesize(g, 1);
    const cJSON *t = meta->next;
    double offset = 0;
    for (int i = 0; i < g->nparams; i++) {
        const Param *p = &g->params[i];
        if (!p->external)
            continue;
        CU_ASSERT_FATAL(t != NULL);
        CU_ASSERT_STRING_EQUAL(t->string, p->name); /* graph order */
        CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(t, "dtype")->valuestring, "F32");
        const cJSON *shape = cJSON_GetObjectItem(t, "shape");
        CU_ASSERT_EQUAL(cJSON_GetArraySize(shape), p->rank);
        for (int k = 0; k < p->rank; k++)
            CU_ASSERT_EQUAL(cJSON_GetArrayItem(shape, k)->valuedouble, p->dims[k]);
        const cJSON *off = cJSON_GetObjectItem(t, "data_offsets");
        double begin = cJSON_GetArrayItem(off, 0)->valuedouble;
        double end = cJSON_GetArrayItem(off, 1)->valuedouble;
        CU_ASSERT_EQUAL(begin, offset);
        CU_ASSERT_EQUAL(end - begin, param_numel(p) * 4.0);
        /* Little-endian data, at the offsets the header gives. */
        const unsigned char *d = (const unsigned char *)b.data + 8 + n + (size_t)begin;
        uint32_t want;
        memcpy(&want, &p->data[0], 4);
        CU_ASSERT_EQUAL((uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 |
                            (uint32_t)d[3] << 24,
                        want);
        offset = end;
        t = t->next;
    }
    CU_ASSERT_PTR_NULL(t);
    CU_ASSERT_EQUAL(8 + n + (uint64_t)offset, b.len);
    /* The JSON ends in '}' and fewer than 8 spaces pad it. */
    size_t end = (size_t)(8 + n);
    while (end > 8 && b.data[end - 1] == ' ')
        end--;
    CU_ASSERT_EQUAL(b.data[end - 1], '}');
    CU_ASSERT(8 + n - end < 8);
    arena_free(a);
    cJSON_Delete(root);
    buf_free(&b);
}

static void test_save_errors(void)
{
    Arena *a = arena_new();
    Graph *g = small_graph(a);
    CU_ASSERT(RAISES(weights_save(g, fixture("nodata.safetensors"))));
    ASSERT_MESSAGE_HAS("tensor 'features.0.0.weight': no data to save");
    CU_ASSERT(access(fixture("nodata.safetensors"), F_OK) != 0);
    CU_ASSERT_EQUAL(temps_left(), 0);

    weights_synthesize(g, 1);
    CU_ASSERT(RAISES(weights_save(g, fixture("no/such/dir.safetensors"))));
    ASSERT_MESSAGE_HAS("no/such/dir.safetensors: error: cannot create a temporary file in its "
                       "folder: No such file or directory");

    /* A failed save leaves an existing file as it was. */
    const char *path = fixture("keep.safetensors");
    write_bytes(path, "old", 3);
    g->params[g->nparams - 1].data = NULL; /* classifier.1.bias */
    CU_ASSERT(RAISES(weights_save(g, path)));
    ASSERT_MESSAGE_HAS("tensor 'classifier.1.bias': no data to save");
    Buf b = read_file(path);
    CU_ASSERT(b.len == 3 && memcmp(b.data, "old", 3) == 0);
    buf_free(&b);
    arena_free(a);
}

/* A write error (here the file size limit) removes the temporary file. */
static void test_save_write_error(void)
{
    Arena *a = arena_new();
    Graph *g = small_graph(a);
    weights_synthesize(g, 1);
    struct rlimit old, low;
    CU_ASSERT_FATAL(getrlimit(RLIMIT_FSIZE, &old) == 0);
    low = old;
    low.rlim_cur = 4096; /* the file is 7.5 KB */
    void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
    CU_ASSERT_FATAL(setrlimit(RLIMIT_FSIZE, &low) == 0);
    bool raised = RAISES(weights_save(g, fixture("big.safetensors")));
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, was);
    CU_ASSERT(raised);
    ASSERT_MESSAGE_HAS("big.safetensors: error: write error: File too large");
    CU_ASSERT(access(fixture("big.safetensors"), F_OK) != 0);
    CU_ASSERT_EQUAL(temps_left(), 0);
    arena_free(a);
}

static bool is_kind(const char *path, mode_t kind)
{
    struct stat st;
    return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == kind;
}

static bool holds(const char *path, const char *text)
{
    Buf b = read_file(path);
    bool same = b.len == strlen(text) && memcmp(b.data, text, b.len) == 0;
    buf_free(&b);
    return same;
}

/* Saving over anything but a regular file is refused and leaves it as it
 * was: rename() would put a regular file in place of a FIFO, a device or a
 * symbolic link. */
static void test_save_replaces_only_regular_files(void)
{
    Arena *a = arena_new();
    Graph *g = small_graph(a);
    weights_synthesize(g, 1);
    const char *fifo = fixture("fifo.safetensors");
    CU_ASSERT_FATAL(mkfifo(fifo, 0644) == 0);
    CU_ASSERT(RAISES(weights_save(g, fifo)));
    ASSERT_MESSAGE_HAS("fifo.safetensors: error: exists and is a FIFO, not a regular file; "
                       "refusing to replace it");
    CU_ASSERT(is_kind(fifo, S_IFIFO));

    const char *folder = fixture("folder.safetensors");
    CU_ASSERT_FATAL(mkdir(folder, 0755) == 0);
    CU_ASSERT(RAISES(weights_save(g, folder)));
    ASSERT_MESSAGE_HAS("folder.safetensors: error: exists and is a folder, not a regular file");
    CU_ASSERT(is_kind(folder, S_IFDIR));

#ifdef __linux__
    /* a device like /dev/null (1, 3), where the system lets us make one */
    const char *dev = fixture("null.safetensors");
    if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) == 0) {
        CU_ASSERT(RAISES(weights_save(g, dev)));
        ASSERT_MESSAGE_HAS("null.safetensors: error: exists and is a device, not a regular file");
        CU_ASSERT(is_kind(dev, S_IFCHR));
    }
#endif

    /* a link, to a file or to nothing: neither replaced nor written through */
    const char *target = fixture("target.safetensors"), *link = fixture("link.safetensors");
    write_bytes(target, "old", 3);
    CU_ASSERT_FATAL(symlink("target.safetensors", link) == 0);
    CU_ASSERT(RAISES(weights_save(g, link)));
    ASSERT_MESSAGE_HAS("link.safetensors: error: exists and is a symbolic link, not a regular "
                       "file; refusing to replace it");
    CU_ASSERT(is_kind(link, S_IFLNK));
    CU_ASSERT(holds(target, "old"));
    const char *dangling = fixture("dangling.safetensors");
    CU_ASSERT_FATAL(symlink("nowhere.safetensors", dangling) == 0);
    CU_ASSERT(RAISES(weights_save(g, dangling)));
    ASSERT_MESSAGE_HAS("exists and is a symbolic link");
    CU_ASSERT(is_kind(dangling, S_IFLNK));
    CU_ASSERT(access(fixture("nowhere.safetensors"), F_OK) != 0);
    CU_ASSERT_EQUAL(temps_left(), 0);
    arena_free(a);
}

/* A link planted where the temporary file once went (PATH.tmp) is left
 * alone: the temporary file gets a fresh name, created exclusively. */
static void test_save_planted_link(void)
{
    Arena *a = arena_new();
    Graph *g = small_graph(a);
    weights_synthesize(g, 1);
    const char *victim = fixture("victim.txt"), *path = fixture("planted.safetensors");
    const char *tmp = fixture("planted.safetensors.tmp");
    write_bytes(victim, "victim", 6);
    CU_ASSERT_FATAL(symlink("victim.txt", tmp) == 0);
    CU_ASSERT_FATAL(!RAISES(weights_save(g, path)));
    CU_ASSERT(holds(victim, "victim"));
    CU_ASSERT(is_kind(tmp, S_IFLNK));
    CU_ASSERT(is_kind(path, S_IFREG));
    CU_ASSERT(files_equal(path, good_file()));
    CU_ASSERT_EQUAL(temps_left(), 0);
    arena_free(a);
}

/* A save creates or replaces a regular file with the mode a new file gets
 * (0666 less the umask), in the current folder for a bare name. */
static void test_save_mode(void)
{
    Arena *a = arena_new();
    Graph *g = small_graph(a);
    weights_synthesize(g, 1);
    const char *path = fixture("mode.safetensors");
    struct stat st;
    mode_t was = umask(022);
    weights_save(g, path);
    CU_ASSERT(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
    umask(027);
    weights_save(g, path); /* over the file just written */
    CU_ASSERT(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640);
    umask(was);
    CU_ASSERT(files_equal(path, good_file()));

    char cwd[4096];
    CU_ASSERT_FATAL(getcwd(cwd, sizeof cwd) != NULL && chdir(dir) == 0);
    bool raised = RAISES(weights_save(g, "bare.safetensors"));
    CU_ASSERT_FATAL(chdir(cwd) == 0);
    CU_ASSERT(!raised);
    CU_ASSERT(files_equal(fixture("bare.safetensors"), good_file()));
    CU_ASSERT_EQUAL(temps_left(), 0);
    arena_free(a);
}

/* ----- load errors: header edits ----- */

static void drop_tensor(cJSON *root)
{
    cJSON_DeleteItemFromObject(root, "features.1.0.block.1.fc1.weight");
}

static void test_missing(void)
{
    CU_ASSERT(load_fails(edited("missing.safetensors", drop_tensor)));
    ASSERT_MESSAGE_HAS(
        "missing.safetensors: error: tensor 'features.1.0.block.1.fc1.weight': missing");
}

static void add_extra(cJSON *root)
{
    cJSON *e = cJSON_AddObjectToObject(root, "features.9.weight");
    cJSON_AddStringToObject(e, "dtype", "F32");
    cJSON_AddItemToObject(e, "shape", cJSON_CreateIntArray((int[]){1}, 1));
    cJSON_AddItemToObject(e, "data_offsets", cJSON_CreateIntArray((int[]){0, 4}, 2));
    cJSON_AddItemReferenceToObject(root, "features.9.bias", e);
}

static void test_unexpected(void)
{
    CU_ASSERT(load_fails(edited("extra.safetensors", add_extra)));
    ASSERT_MESSAGE_HAS("tensor 'features.9.weight': unexpected");
    ASSERT_MESSAGE_HAS("2 unexpected tensors in all");
}

static void rename_tensor(cJSON *root)
{
    cJSON *t = cJSON_DetachItemFromObject(root, "classifier.1.bias");
    cJSON_AddItemToObject(root, "fc.bias", t);
}

/* A tensor under another name is both missing and unexpected: say both. */
static void test_renamed(void)
{
    CU_ASSERT(load_fails(edited("renamed.safetensors", rename_tensor)));
    ASSERT_MESSAGE_HAS("tensor 'classifier.1.bias': missing");
    ASSERT_MESSAGE_HAS("1 tensor the model does not expect, such as 'fc.bias'");
}

static void wrong_shape(cJSON *root)
{
    cJSON *t = cJSON_GetObjectItem(root, "classifier.1.weight");
    cJSON_ReplaceItemInObject(t, "shape", cJSON_CreateIntArray((int[]){32, 10}, 2));
}

static void test_wrong_shape(void)
{
    CU_ASSERT(load_fails(edited("shape.safetensors", wrong_shape)));
    ASSERT_MESSAGE_HAS("tensor 'classifier.1.weight': shape [10, 32] expected, found [32, 10]");
}

static void wrong_rank(cJSON *root)
{
    cJSON *t = cJSON_GetObjectItem(root, "features.0.1.weight");
    cJSON_ReplaceItemInObject(t, "shape", cJSON_CreateIntArray((int[]){32, 1, 1, 1, 1}, 5));
}

static void test_wrong_rank(void)
{
    CU_ASSERT(load_fails(edited("rank.safetensors", wrong_rank)));
    ASSERT_MESSAGE_HAS("tensor 'features.0.1.weight': shape [32] expected, found [32, 1, 1, 1, 1]");
}

static void f16(cJSON *root)
{
    cJSON *t = cJSON_GetObjectItem(root, "features.0.1.running_var");
    cJSON_ReplaceItemInObject(t, "dtype", cJSON_CreateString("F16"));
}

static void test_dtype(void)
{
    CU_ASSERT(load_fails(edited("f16.safetensors", f16)));
    ASSERT_MESSAGE_HAS("tensor 'features.0.1.running_var': dtype F16, expected F32");
}

static void short_offsets(cJSON *root)
{
    cJSON *t = cJSON_GetObjectItem(root, "features.0.1.bias");
    cJSON_ReplaceItemInObject(t, "data_offsets", cJSON_CreateIntArray((int[]){0, 64}, 2));
}

static void reversed_offsets(cJSON *root)
{
    cJSON *t = cJSON_GetObjectItem(root, "features.0.1.bias");
    cJSON_ReplaceItemInObject(t, "data_offsets", cJSON_CreateIntArray((int[]){256, 128}, 2));
}

static void past_end(cJSON *root)
{
    cJSON *t = cJSON_GetObjectItem(root, "classifier.1.bias");
    cJSON_ReplaceItemInObject(t, "data_offsets",
                              cJSON_CreateIntArray((int[]){1000000, 1000040}, 2));
}

static void test_offsets(void)
{
    CU_ASSERT(load_fails(edited("short.safetensors", short_offsets)));
    ASSERT_MESSAGE_HAS("tensor 'features.0.1.bias': data_offsets [0, 64] hold 64 bytes, but 32 F32 "
                       "values need 128");
    CU_ASSERT(load_fails(edited("reversed.safetensors", reversed_offsets)));
    ASSERT_MESSAGE_HAS("tensor 'features.0.1.bias': data_offsets [256, 128] end before they begin");
    CU_ASSERT(load_fails(edited("pastend.safetensors", past_end)));
    ASSERT_MESSAGE_HAS(
        "tensor 'classifier.1.bias': data [1000000, 1000040) extends past the end of the file");
}

static void duplicate(cJSON *root)
{
    cJSON *t = cJSON_Duplicate(cJSON_GetObjectItem(root, "features.0.1.running_mean"), true);
    cJSON_AddItemToObject(root, "features.0.1.running_mean", t);
}

static void test_duplicate(void)
{
    CU_ASSERT(load_fails(edited("dup.safetensors", duplicate)));
    ASSERT_MESSAGE_HAS("tensor 'features.0.1.running_mean': listed twice in the header");
}

/* An I64 counter named name, its 8 bytes after the other tensors' data. */
static void add_counter(cJSON *root, const char *name)
{
    int end = data_end(root);
    cJSON *e = cJSON_AddObjectToObject(root, name);
    cJSON_AddStringToObject(e, "dtype", "I64");
    cJSON_AddArrayToObject(e, "shape");
    cJSON_AddItemToObject(e, "data_offsets", cJSON_CreateIntArray((int[]){end, end + 8}, 2));
}

/* The counter of the graph's one batch norm, and a metadata note. */
static void add_counters(cJSON *root)
{
    add_counter(root, "features.0.1.num_batches_tracked");
    cJSON_AddStringToObject(cJSON_GetObjectItem(root, "__metadata__"), "note", "ignored");
}

static void test_num_batches_tracked_ignored(void)
{
    const char *path = edited_tail("counters.safetensors", add_counters, 8);
    Arena *a = arena_new();
    Graph *g = small_graph(a), *ref = small_graph(a);
    CU_ASSERT_FATAL(!raises_load(g, path));
    weights_synthesize(ref, 1);
    const Param *p = find(g, "classifier.1.weight");
    CU_ASSERT(memcmp(p->data, find(ref, "classifier.1.weight")->data, 320 * sizeof(float)) == 0);
    arena_free(a);
}

static void foreign_counter(cJSON *root)
{
    add_counter(root, "features.7.1.num_batches_tracked");
}

static void undotted_counter(cJSON *root)
{
    add_counter(root, "features.0.1_num_batches_tracked");
}

/* A counter passes only for a batch norm the model has. */
static void test_num_batches_tracked_unknown_layer(void)
{
    CU_ASSERT(load_fails(edited_tail("counter7.safetensors", foreign_counter, 8)));
    ASSERT_MESSAGE_HAS("counter7.safetensors: error: tensor 'features.7.1.num_batches_tracked': "
                       "unexpected, the model has no batch norm 'features.7.1' for this counter "
                       "(1 unexpected tensor in all)");
    CU_ASSERT(load_fails(edited_tail("counter_.safetensors", undotted_counter, 8)));
    ASSERT_MESSAGE_HAS("tensor 'features.0.1_num_batches_tracked': unexpected, the model has no "
                       "such parameter");
}

static void metadata_number(cJSON *root)
{
    cJSON_ReplaceItemInObject(root, "__metadata__", cJSON_CreateNumber(3));
}

static void metadata_array(cJSON *root)
{
    cJSON *list = cJSON_CreateStringArray((const char *[]){"pt"}, 1);
    cJSON_ReplaceItemInObject(root, "__metadata__", list);
}

static void metadata_null(cJSON *root)
{
    cJSON_ReplaceItemInObject(root, "__metadata__", cJSON_CreateNull());
}

static void metadata_int_value(cJSON *root)
{
    cJSON_AddNumberToObject(cJSON_GetObjectItem(root, "__metadata__"), "epochs", 90);
}

static void metadata_nested(cJSON *root)
{
    cJSON_AddObjectToObject(cJSON_GetObjectItem(root, "__metadata__"), "train");
}

static void test_metadata(void)
{
    CU_ASSERT(load_fails(edited("meta1.safetensors", metadata_number)));
    ASSERT_MESSAGE_HAS("meta1.safetensors: error: tensor '__metadata__': a number, expected a "
                       "JSON object mapping strings to strings");
    CU_ASSERT(load_fails(edited("meta2.safetensors", metadata_array)));
    ASSERT_MESSAGE_HAS("tensor '__metadata__': an array, expected a JSON object");
    CU_ASSERT(load_fails(edited("meta3.safetensors", metadata_null)));
    ASSERT_MESSAGE_HAS("tensor '__metadata__': null, expected a JSON object");
    CU_ASSERT(load_fails(edited("meta4.safetensors", metadata_int_value)));
    ASSERT_MESSAGE_HAS("tensor '__metadata__': key 'epochs' maps to a number, expected a string");
    CU_ASSERT(load_fails(edited("meta5.safetensors", metadata_nested)));
    ASSERT_MESSAGE_HAS("tensor '__metadata__': key 'train' maps to an object, expected a string");
}

/* Copies the good file to dst with the first `from` in its header text
 * replaced by the len bytes at `to` (which may hold NULs). */
static const char *text_edited(const char *dst, const char *from, const char *to, size_t len)
{
    Buf b = read_file(good_file());
    uint64_t n = header_len(&b);
    char *hdr = b.data + 8, *at = hdr;
    while (at + strlen(from) <= hdr + n && memcmp(at, from, strlen(from)) != 0)
        at++;
    CU_ASSERT_FATAL(at + strlen(from) <= hdr + n);
    Buf out = {0};
    unsigned char len8[8];
    uint64_t m = n - strlen(from) + len;
    for (int i = 0; i < 8; i++)
        len8[i] = (unsigned char)(m >> (8 * i));
    buf_append(&out, len8, 8);
    buf_append(&out, hdr, (size_t)(at - hdr));
    buf_append(&out, to, len);
    buf_append(&out, at + strlen(from), (size_t)(hdr + n - at) - strlen(from));
    buf_append(&out, hdr + n, b.len - 8 - n);
    const char *path = fixture(dst);
    write_bytes(path, out.data, out.len);
    buf_free(&out);
    buf_free(&b);
    return path;
}

#define TEXT_EDITED(dst, from, to) text_edited(dst, from, to, sizeof(to) - 1)

/* cJSON ends a string at a NUL: "classifier.1.bias\u0000evil" would load as
 * classifier.1.bias, "F32\u0000" as F32. */
static void test_nul_in_strings(void)
{
    CU_ASSERT(load_fails(TEXT_EDITED("nul1.safetensors", "\"classifier.1.bias\"",
                                     "\"classifier.1.bias\\u0000evil\"")));
    ASSERT_MESSAGE_HAS("nul1.safetensors: error: tensor 'classifier.1.bias\\u0000evil': the name "
                       "has a NUL character (\\u0000)");
    CU_ASSERT(load_fails(TEXT_EDITED("nul2.safetensors", "\"classifier.1.bias\"",
                                     "\"classifier.1.bias\0evil\"")));
    ASSERT_MESSAGE_HAS("tensor 'classifier.1.bias?evil': the name has a raw control byte 0x00 "
                       "(JSON needs it escaped)");
    CU_ASSERT(load_fails(TEXT_EDITED("nul3.safetensors", "\"classifier.1.bias\":{\"dtype\":\"F32\"",
                                     "\"classifier.1.bias\":{\"dtype\":\"F32\\u0000\"")));
    ASSERT_MESSAGE_HAS("tensor 'classifier.1.bias': a string in its header entry has a NUL "
                       "character (\\u0000)");
    CU_ASSERT(load_fails(TEXT_EDITED("nul4.safetensors", "\"pt\"", "\"p\\u0000t\"")));
    ASSERT_MESSAGE_HAS("tensor '__metadata__': a string in its header entry has a NUL character");
    /* an escaped backslash before "u0000" is no NUL */
    CU_ASSERT(load_fails(TEXT_EDITED("nul5.safetensors", "\"classifier.1.bias\"",
                                     "\"classifier.1.bias\\\\u0000\"")));
    ASSERT_MESSAGE_HAS("the file has 1 tensor the model does not expect, such as "
                       "'classifier.1.bias\\u0000'");
}

/* cJSON skips a byte order mark; the format's reference does not. */
static void test_byte_order_mark(void)
{
    CU_ASSERT(load_fails(TEXT_EDITED("bom.safetensors", "{", "\xEF\xBB\xBF{")));
    ASSERT_MESSAGE_HAS("bom.safetensors: error: header starts with a UTF-8 byte order mark (bytes "
                       "EF BB BF); a safetensors header starts with '{'");
}

static void entry_not_object(cJSON *root)
{
    cJSON_ReplaceItemInObject(root, "features.0.1.bias", cJSON_CreateNumber(3));
}

static void entry_no_dtype(cJSON *root)
{
    cJSON_DeleteItemFromObject(cJSON_GetObjectItem(root, "features.0.1.bias"), "dtype");
}

static void entry_negative_dim(cJSON *root)
{
    cJSON *t = cJSON_GetObjectItem(root, "features.0.1.bias");
    cJSON_ReplaceItemInObject(t, "shape", cJSON_CreateIntArray((int[]){-32}, 1));
}

static void entry_fraction(cJSON *root)
{
    cJSON *t = cJSON_GetObjectItem(root, "features.0.1.bias");
    cJSON_ReplaceItemInObject(t, "data_offsets", cJSON_CreateDoubleArray((double[]){0.5, 128}, 2));
}

static void entry_string_dtype(cJSON *root)
{
    cJSON *t = cJSON_GetObjectItem(root, "features.0.1.bias");
    cJSON_ReplaceItemInObject(t, "dtype", cJSON_CreateNumber(32));
}

static void entry_shape_object(cJSON *root)
{
    cJSON *t = cJSON_GetObjectItem(root, "features.0.1.bias");
    cJSON_ReplaceItemInObject(t, "shape", cJSON_CreateObject());
}

static void entry_three_offsets(cJSON *root)
{
    cJSON *t = cJSON_GetObjectItem(root, "features.0.1.bias");
    cJSON_ReplaceItemInObject(t, "data_offsets", cJSON_CreateIntArray((int[]){0, 64, 128}, 3));
}

static void test_malformed_entries(void)
{
    CU_ASSERT(load_fails(edited("e1.safetensors", entry_not_object)));
    ASSERT_MESSAGE_HAS("tensor 'features.0.1.bias': header entry is not a JSON object");
    CU_ASSERT(load_fails(edited("e2.safetensors", entry_no_dtype)));
    ASSERT_MESSAGE_HAS("tensor 'features.0.1.bias': header entry has no \"dtype\"");
    CU_ASSERT(load_fails(edited("e3.safetensors", entry_negative_dim)));
    ASSERT_MESSAGE_HAS(
        "tensor 'features.0.1.bias': \"shape\" item 0 is not a non-negative integer");
    CU_ASSERT(load_fails(edited("e4.safetensors", entry_fraction)));
    ASSERT_MESSAGE_HAS(
        "tensor 'features.0.1.bias': \"data_offsets\" are not non-negative integers");
    CU_ASSERT(load_fails(edited("e5.safetensors", entry_string_dtype)));
    ASSERT_MESSAGE_HAS("tensor 'features.0.1.bias': \"dtype\" is not a string");
    CU_ASSERT(load_fails(edited("e6.safetensors", entry_shape_object)));
    ASSERT_MESSAGE_HAS("tensor 'features.0.1.bias': \"shape\" is not an array");
    CU_ASSERT(load_fails(edited("e7.safetensors", entry_three_offsets)));
    ASSERT_MESSAGE_HAS(
        "tensor 'features.0.1.bias': \"data_offsets\" is not an array of two numbers");
}

/* ----- load errors: the data block's layout ----- */

static void overlap(cJSON *root) /* the BN bias on top of the BN weight */
{
    const cJSON *w = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "features.0.1.weight"),
                                         "data_offsets");
    set_offsets(root, "features.0.1.bias", cJSON_GetArrayItem(w, 0)->valueint,
                cJSON_GetArrayItem(w, 1)->valueint);
}

static void gap(cJSON *root) /* the last tensor moved 4 bytes on */
{
    int end = data_end(root);
    set_offsets(root, "classifier.1.bias", end - 40 + 4, end + 4);
}

static void nothing(cJSON *root)
{
    (void)root;
}

static void reverse_entries(cJSON *root) /* same offsets, header order reversed */
{
    cJSON *items[16];
    int n = 0;
    while (root->child && n < 16)
        items[n++] = cJSON_DetachItemViaPointer(root, root->child);
    while (n > 0)
        cJSON_AddItemToObject(root, items[n - 1]->string, items[n - 1]), n--;
}

static void bad_counter(cJSON *root)
{
    cJSON *e = cJSON_AddObjectToObject(root, "features.0.1.num_batches_tracked");
    cJSON_AddStringToObject(e, "dtype", "I64");
    cJSON_AddArrayToObject(e, "shape");
    int end = data_end(root);
    cJSON_AddItemToObject(e, "data_offsets", cJSON_CreateIntArray((int[]){end, end + 4}, 2));
}

static void odd_dtype(cJSON *root)
{
    add_counters(root);
    cJSON *t = cJSON_GetObjectItem(root, "features.0.1.num_batches_tracked");
    cJSON_ReplaceItemInObject(t, "dtype", cJSON_CreateString("Q7"));
}

static void test_layout(void)
{
    CU_ASSERT(load_fails(edited("overlap.safetensors", overlap)));
    ASSERT_MESSAGE_HAS("tensor 'features.0.1.weight': data [3456, 3584) overlaps tensor "
                       "'features.0.1.bias' [3456, 3584)");
    CU_ASSERT(load_fails(edited_tail("gap.safetensors", gap, 4)));
    ASSERT_MESSAGE_HAS("tensor 'classifier.1.bias': data begins at 7460, leaving bytes [7456, "
                       "7460) unused after tensor 'classifier.1.weight'");
    CU_ASSERT(load_fails(edited_tail("tail.safetensors", nothing, 4)));
    ASSERT_MESSAGE_HAS("the data block has 4 bytes after the last tensor's data");
    CU_ASSERT(load_fails(edited_tail("counter.safetensors", bad_counter, 4)));
    ASSERT_MESSAGE_HAS("tensor 'features.0.1.num_batches_tracked': data_offsets [7496, 7500] "
                       "hold 4 bytes, but 1 I64 values need 8");
    CU_ASSERT(load_fails(edited_tail("q7.safetensors", odd_dtype, 8)));
    ASSERT_MESSAGE_HAS("tensor 'features.0.1.num_batches_tracked': unknown dtype 'Q7'");
    /* the header's order is free: offsets decide */
    CU_ASSERT(!load_fails(edited("reversed_order.safetensors", reverse_entries)));
}

static void control_name(cJSON *root)
{
    cJSON *t = cJSON_Duplicate(cJSON_GetObjectItem(root, "classifier.1.bias"), true);
    cJSON_AddItemToObject(root, "evil\x1b[2J\nname", t);
}

/* A name from the file never reaches the terminal with control bytes. */
static void test_names_printable(void)
{
    CU_ASSERT(load_fails(edited("control.safetensors", control_name)));
    ASSERT_MESSAGE_HAS("tensor 'evil?[2J?name': unexpected");
}

static void test_nonfinite(void)
{
    CU_ASSERT(load_fails(patched("nan.safetensors", "features.0.1.running_var", 5, NAN)));
    ASSERT_MESSAGE_HAS("nan.safetensors: error: tensor 'features.0.1.running_var': value NaN at "
                       "index [5] (element 5); refusing non-finite weights (--allow-nonfinite "
                       "accepts them)");
    /* [32, 3, 3, 3]: element 1*27 + 2*9 + 0*3 + 1 = 46 */
    CU_ASSERT(load_fails(patched("inf.safetensors", "features.0.0.weight", 46, -INFINITY)));
    ASSERT_MESSAGE_HAS("tensor 'features.0.0.weight': value -inf at index [1, 2, 0, 1] "
                       "(element 46)");
    Arena *a = arena_new();
    Graph *g = small_graph(a);
    weights_load(g, fixture("nan.safetensors"), true);
    CU_ASSERT(isnan(find(g, "features.0.1.running_var")->data[5]));
    arena_free(a);
}

static void test_trailing_header_bytes(void)
{
    const char *path = fixture("trail.safetensors");
    write_st(path, "{}   x", NULL, 0);
    CU_ASSERT(load_fails(path));
    ASSERT_MESSAGE_HAS("header has bytes after its JSON object (at byte 5 of 6)");
    write_st(path, "{\"__metadata__\":{}}  \n ", NULL, 0); /* padding is fine */
    CU_ASSERT(load_fails(path));
    ASSERT_MESSAGE_HAS("tensor 'features.0.0.weight': missing");
}

/* From memory: the same checks and values, the name standing for a file. */
static void test_load_buffer(void)
{
    Buf b = read_file(good_file());
    Arena *a = arena_new();
    Graph *g = small_graph(a), *h = small_graph(a);
    weights_load_buffer(g, "memory", b.data, b.len, false);
    weights_load(h, good_file(), false);
    for (int i = 0; i < g->nparams; i++)
        if (g->params[i].external)
            CU_ASSERT(memcmp(g->params[i].data, h->params[i].data,
                             param_numel(&g->params[i]) * sizeof(float)) == 0);
    Graph *k = small_graph(a);
    CU_ASSERT(RAISES(weights_load_buffer(k, "memory", b.data, b.len - 1, false)));
    ASSERT_MESSAGE_HAS("memory: error: tensor 'classifier.1.bias': data [7456, 7496) extends "
                       "past the end of the file");
    CU_ASSERT(RAISES(weights_load_buffer(k, "memory", NULL, 0, false)));
    ASSERT_MESSAGE_HAS("memory: error: file is 0 bytes");
    arena_free(a);
    buf_free(&b);
}

/* ----- load errors: the file's bytes ----- */

static void test_truncated(void)
{
    Buf b = read_file(good_file());
    uint64_t n = header_len(&b);
    const char *path = fixture("cut.safetensors");
    size_t keep = (size_t)(8 + n + 200); /* inside the data block */
    write_bytes(path, b.data, keep);
    CU_ASSERT(load_fails(path));
    /* The stem weight alone is 864 × 4 bytes, so it is the first cut off. */
    ASSERT_MESSAGE_HAS("tensor 'features.0.0.weight': data [0, 3456) extends past the end of the "
                       "file (data block is 200 bytes)");
    buf_free(&b);
}

static void test_header_length(void)
{
    const char *path = fixture("longhdr.safetensors");
    unsigned char b[20] = {0xe8, 0x03}; /* 1000 */
    write_bytes(path, b, sizeof b);
    CU_ASSERT(load_fails(path));
    ASSERT_MESSAGE_HAS("header length 1000 extends past the end of the file (20 bytes)");

    unsigned char huge[16] = {0, 0, 0, 0, 0, 0, 0, 0x40};
    write_bytes(path, huge, sizeof huge);
    CU_ASSERT(load_fails(path));
    ASSERT_MESSAGE_HAS("header length 4611686018427387904 is absurd (over 100 MB)");
}

static void test_short_file(void)
{
    const char *path = fixture("tiny.safetensors");
    write_bytes(path, "\x10\0\0\0\0", 5);
    CU_ASSERT(load_fails(path));
    ASSERT_MESSAGE_HAS(
        "tiny.safetensors: error: file is 5 bytes, too short for a safetensors header");
    write_bytes(path, "", 0);
    CU_ASSERT(load_fails(path));
    ASSERT_MESSAGE_HAS("file is 0 bytes");
}

static void test_bad_json(void)
{
    const char *path = fixture("badjson.safetensors");
    write_st(path, "{\"features.0.0.weight\": {\"dtype\": ", NULL, 0);
    CU_ASSERT(load_fails(path));
    ASSERT_MESSAGE_HAS("header is not valid JSON");
    write_st(path, "[1, 2, 3]", NULL, 0);
    CU_ASSERT(load_fails(path));
    ASSERT_MESSAGE_HAS("header is not a JSON object");
    write_st(path, "", NULL, 0);
    CU_ASSERT(load_fails(path));
    ASSERT_MESSAGE_HAS("header is not valid JSON");
}

static void test_nonexistent(void)
{
    CU_ASSERT(load_fails(fixture("nope.safetensors")));
    ASSERT_MESSAGE_HAS("nope.safetensors: error: cannot open: No such file or directory");
    CU_ASSERT(load_fails(dir));
    ASSERT_MESSAGE_HAS("not a regular file");
}

/* An error inside the caller's own frame reaches it with its message, and
 * the frames stay balanced (diag_pop would abort otherwise). */
static void test_error_propagates(void)
{
    Arena *a = arena_new();
    Graph *g = small_graph(a);
    DiagFrame outer;
    volatile int reached = 0;
    diag_push(&outer);
    if (setjmp(outer.env) == 0) {
        weights_load(g, fixture("nope2.safetensors"), false);
        diag_pop(&outer);
    } else {
        reached = 1;
    }
    CU_ASSERT(reached);
    ASSERT_MESSAGE_HAS("nope2.safetensors");
    CU_ASSERT(RAISES(weights_load(g, fixture("nope3.safetensors"), false))); /* frames still work */
    arena_free(a);
}

static void remove_dir(void)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            remove(fixture(e->d_name));
    closedir(d);
    rmdir(dir);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/effcc_weights_XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    static const UnitTest tests[] = {
        {"round trip is bit-exact", test_round_trip},
        {"same seed same bytes, other seed other bytes", test_seed_determinism},
        {"synthetic values are pinned", test_synthesize_golden},
        {"synthetic scales per param kind", test_synthesize_scales},
        {"residual branches end small", test_synthesize_residual_tail},
        {"a param's values depend on its name only", test_synthesize_independent_of_others},
        {"a file from the reference writer", test_reference_file},
        {"saved header: metadata, F32, shapes, offsets", test_saved_header},
        {"save errors leave nothing behind", test_save_errors},
        {"a write error removes the temporary file", test_save_write_error},
        {"save replaces only a regular file", test_save_replaces_only_regular_files},
        {"save ignores a link planted at PATH.tmp", test_save_planted_link},
        {"saved file's mode, a bare name", test_save_mode},
        {"missing tensor", test_missing},
        {"unexpected tensors", test_unexpected},
        {"renamed tensor", test_renamed},
        {"wrong shape", test_wrong_shape},
        {"wrong rank", test_wrong_rank},
        {"F16 dtype", test_dtype},
        {"offsets not matching the shape or the file", test_offsets},
        {"duplicate tensor", test_duplicate},
        {"num_batches_tracked and metadata ignored", test_num_batches_tracked_ignored},
        {"num_batches_tracked of a layer the model lacks", test_num_batches_tracked_unknown_layer},
        {"__metadata__ maps strings to strings", test_metadata},
        {"NUL in a name or a string", test_nul_in_strings},
        {"byte order mark before the header", test_byte_order_mark},
        {"malformed header entries", test_malformed_entries},
        {"data block: overlap, gaps, sizes by dtype, any header order", test_layout},
        {"names from the file are printable in messages", test_names_printable},
        {"NaN and infinities refused unless allowed", test_nonfinite},
        {"header: padding allowed, other trailing bytes not", test_trailing_header_bytes},
        {"loading from memory", test_load_buffer},
        {"truncated data block", test_truncated},
        {"header length beyond the file", test_header_length},
        {"file shorter than 8 bytes", test_short_file},
        {"header not JSON or not an object", test_bad_json},
        {"nonexistent file or a folder", test_nonexistent},
        {"errors reach the caller's frame", test_error_propagates},
    };
    int rc = UNIT_MAIN("weights", tests);
    remove_dir();
    return rc;
}
