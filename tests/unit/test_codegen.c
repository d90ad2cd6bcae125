/* test_codegen.c — what the code generator decides and what it emits.
 *
 * White-box checks: kernel instances are named by their parameters and
 * carry their shapes as literals; a generated folder holds every promised
 * file, no template text survives expansion (no GEN_/EFFCC_ macro, no m4
 * quote), and identical layers share one kernel. */
#include "effcc.h"
#include "kernels.h"
#include "unit.h"

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

static Arena *arena;
static Spec *spec;

static Graph *compiled(double phi)
{
    ScaleRequest r = {.has_phi = true, .phi = phi};
    Graph *g = lower_model(arena, scale_model(arena, spec, &r));
    weights_synthesize(g, 5);
    PipelineOptions o = {.target = target_find("x86-64-v3")};
    run_pipeline(g, &o);
    return g;
}

static void test_kernel_names_and_literals(void)
{
    Graph *g = compiled(-3); /* 147 px: the stem gives 74x74 with 24 channels */
    Kernel k;
    kernel_for_node(g, 1, &k);
    CU_ASSERT_STRING_EQUAL(k.name, "stem_k3s2p1_c3to24_h147w147_swish");
    CU_ASSERT_EQUAL(k.call, CALL_STEM);
    CU_ASSERT_PTR_NOT_NULL(strstr(k.invoke, "m4_define(«G_SOH», «74»)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(k.invoke, "m4_define(«G_KK», «27»)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(k.invoke, "EFFCC_STEM()"));
    kernel_for_node(g, 2, &k);
    CU_ASSERT_STRING_EQUAL(k.name, "dw_k3s1p1_c24_h74w74_swish_pool"); /* SE pool fused */
    CU_ASSERT_PTR_NOT_NULL(strstr(k.invoke, "m4_define(«G_POOL», «1»)"));
    kernel_for_node(g, g->output, &k);
    CU_ASSERT_EQUAL(k.call, CALL_GEMM);
    CU_ASSERT_PTR_NOT_NULL(strstr(k.name, "gemm_p1_c"));
    CU_ASSERT_PTR_NOT_NULL(strstr(k.name, "to1000_"));
    CU_ASSERT_PTR_NOT_NULL(strstr(k.invoke, "m4_define(«G_COP», «1000»)")); /* 1000 = 125 × 8 */
    int residual = 0, gates = 0;
    for (int i = 0; i < g->nnodes; i++) {
        kernel_for_node(g, i, &k);
        if (g->nodes[i].op == OP_CONV2D && g->nodes[i].conv.residual) {
            CU_ASSERT_PTR_NOT_NULL(strstr(k.name, "_res"));
            CU_ASSERT_PTR_NOT_NULL(strstr(k.invoke, "m4_define(«G_RES», «1»)"));
            residual++;
        }
        gates += g->nodes[i].op == OP_CONV2D && g->nodes[i].conv.gate;
        /* no standalone elementwise kernel survives fusion (the head's pool is a reduction) */
        KernelKind kind = g->nodes[i].tile.kind;
        CU_ASSERT(kind != KERNEL_ACT && kind != KERNEL_ADD && kind != KERNEL_SCALE);
    }
    CU_ASSERT(residual > 0);
    CU_ASSERT(gates > 0);
}

/* Weights beyond L2 with an input that would not stay in cache: the GEMM
 * splits its reduction (B3's last stage) into parts whose input slice fits
 * 384 KiB; smaller GEMMs (all of B0's) keep it whole. */
static void test_split_reduction(void)
{
    int split = 0;
    for (int phi = 0; phi <= 3; phi += 3) {
        Graph *g = compiled(phi);
        for (int i = 0; i < g->nnodes; i++) {
            const Node *n = &g->nodes[i];
            if (n->tile.kind != KERNEL_GEMM || n->fused_into >= 0) /* fused: no kernel of its own */
                continue;
            const Node *in = &g->nodes[n->in[0]];
            size_t pixels = (size_t)n->shape.h * (size_t)n->shape.w;
            size_t weights = (size_t)in->shape.c * (size_t)n->cpad * sizeof(float);
            Kernel k;
            kernel_for_node(g, i, &k);
            char ks[64];
            snprintf(ks, sizeof ks, "m4_define(«G_KS», «%d»)", n->tile.ks);
            CU_ASSERT_PTR_NOT_NULL(strstr(k.invoke, ks));
            if (n->tile.ks == 1)
                continue;
            split++;
            CU_ASSERT_EQUAL(phi, 3);
            CU_ASSERT(weights > 1024 * 1024);
            CU_ASSERT_EQUAL(in->shape.c % n->tile.ks, 0);
            CU_ASSERT(pixels * (size_t)(in->shape.c / n->tile.ks) * sizeof(float) <= 384 * 1024);
            CU_ASSERT_PTR_NOT_NULL(strstr(k.name, "ks"));
        }
    }
    CU_ASSERT(split > 0);
}

static size_t count(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static void test_generated_folder(void)
{
    Graph *g = compiled(-1);
    char dir[] = "/tmp/effcc-codegen-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    CodegenOptions o = {.name = "net", .command = "effcc compile test"};
    CU_ASSERT_FALSE_FATAL(RAISES(codegen_write(g, &o, dir)));
    const char *files[] = {"net.h", "net.c", "net_weights.S", "net_weights.bin", "main.c",
                           "labels.c", "Makefile", "CMakeLists.txt", "effcc_runtime.h",
                           "effcc_timer.h", "effcc_exp.h", "effcc_simd_avx2.h",
                           "effcc_image.h", "effcc_image.c", "stb_image.h", "effcc_harness.h"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        CU_ASSERT_EQUAL(access(path, R_OK), 0);
        if (strstr(files[i], ".bin"))
            continue;
        Buf text = read_file(path);
        CU_ASSERT_EQUAL(count(text.data, "GEN_"), 0);
        CU_ASSERT_EQUAL(count(text.data, "EFFCC_GEMM"), 0);
        CU_ASSERT_EQUAL(count(text.data, "EFFCC_FOR"), 0);
        CU_ASSERT_EQUAL(count(text.data, "m4_"), 0);
        CU_ASSERT_EQUAL(count(text.data, "«"), 0);
        /* runtime files are copied verbatim */
        if (strncmp(files[i], "effcc_", 6) != 0 && strncmp(files[i], "stb_", 4) != 0)
            CU_ASSERT_PTR_NOT_NULL(strstr(text.data, "Generated by effcc"));
        buf_free(&text);
        unlink(path);
    }
    char path[256];
    snprintf(path, sizeof path, "%s/net_weights.bin", dir);
    unlink(path);
    CU_ASSERT_EQUAL(rmdir(dir), 0);

    /* every stage repeats identical blocks: far fewer kernels than calls */
    int calls = 0, distinct = 0;
    Kernel *ks = calloc((size_t)g->nnodes, sizeof(Kernel));
    for (int i = 0; i < g->nnodes; i++) {
        kernel_for_node(g, i, &ks[i]);
        if (ks[i].call == CALL_NONE)
            continue;
        calls++;
        bool seen = false;
        for (int j = 0; j < i && !seen; j++)
            seen = !strcmp(ks[i].name, ks[j].name);
        distinct += !seen;
    }
    CU_ASSERT(distinct < calls);
    free(ks);
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (e->d_name[0] != '.')
            unlink(path);
    }
    if (d)
        closedir(d);
    CU_ASSERT_EQUAL(rmdir(dir), 0);
}

/* labels.c: each name a C string literal that m4 left alone, and the input
 * normalisation in NAME.h as float initialisers. */
static void test_labels_and_normalisation(void)
{
    ScaleRequest r = {.has_phi = true, .phi = -3, .classes = 4};
    Model *m = scale_model(arena, spec, &r);
    Graph *g = lower_model(arena, m);
    weights_synthesize(g, 5);
    run_pipeline(g, NULL);
    const char *names[] = {"plain", "q\"b\\?\?=", "caf\xc3\xa9 \xc2\xabx\xc2\xbb",
                           "GEN_NAME m4_dnl «"};
    char dir[] = "/tmp/effcc-labels-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    CodegenOptions o = {.name = "net", .command = "test",
                        .labels = names, .labels_source = "test names"};
    CU_ASSERT_FALSE_FATAL(RAISES(codegen_write(g, &o, dir)));
    char path[512];
    snprintf(path, sizeof path, "%s/labels.c", dir);
    Buf text = read_file(path);
    CU_ASSERT_PTR_NOT_NULL(strstr(text.data, "    \"plain\",\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text.data, "    \"q\\\"b\\\\\\?\\?=\",\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text.data, "    \"caf\\303\\251 \\302\\253x\\302\\273\",\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text.data, "    \"GEN_NAME m4_dnl \\302\\253\",\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text.data, "Names: test names."));
    CU_ASSERT_PTR_NOT_NULL(strstr(text.data, "net_class_names[net_NUM_CLASSES]"));
    buf_free(&text);
    snprintf(path, sizeof path, "%s/net.h", dir);
    text = read_file(path);
    CU_ASSERT_PTR_NOT_NULL(strstr(text.data, "#define net_INPUT_MEAN {123.675003f, 116.279999f, "
                                             "103.529999f}\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text.data, "#define net_INPUT_STD {58.3950005f, 57.1199989f, "
                                             "57.375f}\n"));
    buf_free(&text);
    remove_dir(dir);
}

static void test_targets(void)
{
    CU_ASSERT_PTR_NOT_NULL(target_find("generic"));
    CU_ASSERT_EQUAL(target_find("x86-64-v3")->vl, 8);
    CU_ASSERT_EQUAL(target_find("x86-64-v4")->vl, 16);
    CU_ASSERT(target_resolve(target_find("host"))->vl > 0);
    CU_ASSERT_PTR_NULL(target_find("z80"));
    CU_ASSERT_PTR_NOT_NULL(strstr(target_list(), "generic"));
}

int main(void)
{
    arena = arena_new();
    spec = unit_example_spec(arena);
    static const UnitTest tests[] = {
        {"kernels are named by their parameters", test_kernel_names_and_literals},
        {"a generated folder is complete and fully expanded", test_generated_folder},
        {"big GEMMs split their reduction, small ones do not", test_split_reduction},
        {"labels.c and the input normalisation", test_labels_and_normalisation},
        {"targets", test_targets},
    };
    int status = UNIT_MAIN("codegen", tests);
    arena_free(arena);
    return status;
}
