/* fuzz_safetensors.c — libFuzzer target: the safetensors loader.
 *
 * The input is a weights file, loaded from memory (weights_load_buffer)
 * against a fixed small graph named like torchvision's EfficientNet: a stem
 * conv and its batch norm, a depthwise conv, a squeeze-excitation conv with a
 * bias, and the classifier (the shapes of fuzz/corpus/safetensors/good).
 * Inputs of odd length are loaded with --allow-nonfinite, so both paths
 * run. Any input may give a user error; a crash, a sanitizer report, a leak
 * or a hang is a finding. */
#include "effcc.h"

static Graph *small_graph(Arena *a)
{
    static const struct {
        const char *name;
        int rank, dims[4];
        bool buffer;
    } ps[] = {
        {"features.0.0.weight", 4, {8, 3, 3, 3}, false},
        {"features.0.1.weight", 1, {8}, false},
        {"features.0.1.bias", 1, {8}, false},
        {"features.0.1.running_mean", 1, {8}, true},
        {"features.0.1.running_var", 1, {8}, true},
        {"features.1.0.block.0.0.weight", 4, {8, 1, 3, 3}, false},
        {"features.1.0.block.1.fc1.weight", 4, {2, 8, 1, 1}, false},
        {"features.1.0.block.1.fc1.bias", 1, {2}, false},
        {"classifier.1.weight", 2, {4, 8}, false},
        {"classifier.1.bias", 1, {4}, false},
    };
    Graph *g = graph_new(a);
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        int k = graph_add_param(g, ps[i].name, ps[i].rank, ps[i].dims, ps[i].buffer);
        g->params[k].external = true;
    }
    return g;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Arena *a = arena_new();
    Graph *g = small_graph(a);
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        weights_load_buffer(g, "fuzz.safetensors", data, size, size % 2 == 1);
        diag_pop(&f);
    }
    arena_free(a);
    return 0;
}
