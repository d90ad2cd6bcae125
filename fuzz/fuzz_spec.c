/* fuzz_spec.c — libFuzzer target: the spec front end, as `effcc info` runs it.
 *
 * The input is a spec file. It is parsed, scaled (by its first preset when
 * it has one, to reach that code too), lowered, checked against a 256 MiB
 * limit, sent through the pass pipeline when small enough, and reported.
 * User errors are the expected outcome; a crash, a sanitizer report, a leak
 * or a hang is a finding. The pipeline is quadratic in the graph's size, so
 * graphs over MAX_NODES nodes stop before it to keep the fuzzer fast (their
 * size is already bounded by scale.c's limit on blocks). */
#include "effcc.h"

#include <stdlib.h>

#define MAX_NODES 3000

static FILE *devnull;

static void run(Arena *a, const uint8_t *data, size_t size)
{
    Spec *s = spec_parse(a, "fuzz.yaml", (const char *)data, size);
    ScaleRequest r = {.preset = s->npresets ? s->presets[0].name : NULL};
    Model *m = scale_model(a, s, &r);
    Graph *g = lower_model(a, m);
    limits_check_lowered(g, UINT64_C(256) << 20);
    if (g->nnodes > MAX_NODES)
        return;
    run_pipeline(g, NULL);
    limits_check_planned(g, UINT64_C(256) << 20);
    info_print_text(devnull, g, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!devnull && !(devnull = fopen("/dev/null", "w")))
        abort();
    Arena *a = arena_new();
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        run(a, data, size);
        diag_pop(&f);
    }
    arena_free(a);
    return 0;
}
