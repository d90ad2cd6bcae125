/* fuzz_codegen.c — libFuzzer target: a spec and user text to a generated
 * folder, m4 included, as `effcc compile` writes it.
 *
 * The input's first line is user text: it is recorded as the command line,
 * names the labels file and is every class's name. The rest is a spec,
 * parsed, scaled, lowered (graphs over MAX_NODES nodes or 16 MiB stop
 * there, to keep runs fast), given synthetic weights, sent through the
 * passes and written by codegen_write into a scratch folder. User errors
 * are the expected outcome. A finding is a crash, a sanitizer report, a
 * leak, a hang, or user text that does not come out verbatim in the
 * header's provenance (m4 took part of it for a macro). */
#include "effcc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_NODES 400
#define MAX_BYTES (UINT64_C(16) << 20)

static char dir[] = "/tmp/effcc-fuzz-codegen-XXXXXX";

static void check_header(Arena *a, const char *name, const char *user)
{
    Buf h = read_file_max(arena_printf(a, "%s/%s.h", dir, name), MAX_BYTES);
    const char *want = arena_printf(a, " * Command: %s\n", codegen_comment_text(a, user));
    bool ok = strstr(h.data, want) != NULL;
    buf_free(&h);
    if (!ok) {
        fprintf(stderr, "fuzz_codegen: the header does not record the user text verbatim\n");
        abort();
    }
}

static void run(Arena *a, const char *user, const char *spec, size_t len)
{
    Spec *s = spec_parse(a, "fuzz.yaml", spec, len);
    ScaleRequest r = {0};
    Model *m = scale_model(a, s, &r);
    Graph *g = lower_model(a, m);
    limits_check_lowered(g, MAX_BYTES);
    if (g->nnodes > MAX_NODES)
        return;
    codegen_check_name(m->name, "the spec's name");
    bool printable = *user != '\0';
    for (const char *p = user; *p; p++)
        printable = printable && (unsigned char)*p >= 0x20 && *p != 0x7f;
    const char **labels = NULL;
    if (printable) { /* labels_parse's rule: a name without control bytes */
        labels = arena_array(a, (size_t)m->classes, sizeof *labels);
        for (int c = 0; c < m->classes; c++)
            labels[c] = user;
    }
    weights_synthesize(g, 1);
    run_pipeline(g, NULL);
    CodegenOptions co = {.name = m->name, .command = user,
                         .labels = labels, .labels_source = user};
    remove_folder(dir);
    if (mkdir(dir, 0700) != 0)
        abort();
    codegen_write(g, &co, dir);
    check_header(a, m->name, user);
}

static void remove_dir(void)
{
    remove_folder(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool made;
    if (!made) {
        if (!mkdtemp(dir))
            abort();
        made = true;
        atexit(remove_dir);
    }
    const char *text = (const char *)data, *nl = memchr(text, '\n', size);
    size_t first = nl ? (size_t)(nl - text) : size;
    Arena *a = arena_new();
    char *user = arena_alloc(a, first + 1);
    memcpy(user, text, first);
    user[strnlen(user, first)] = '\0'; /* a C string ends at its first NUL */
    size_t rest = nl ? size - first - 1 : 0;
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        run(a, user, nl ? nl + 1 : "", rest);
        diag_pop(&f);
    } else if (getenv("EFFCC_FUZZ_VERBOSE")) {
        fprintf(stderr, "%s\n", diag_message());
    }
    arena_free(a);
    return 0;
}
