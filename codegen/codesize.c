/* codesize.c — how big the generated code is, measured, not guessed.
 *
 * Compiles NAME.c once with the target's compiler (EFFCC_CC, else the
 * compiler the docs name for the target) and its default flags, then reads
 * the section sizes of the object file: .text* is code, .rodata* constants;
 * the weights blob, which the .S file places in .rodata, is added to the
 * latter. A missing compiler is not an error: the size is reported as not
 * measured, with the reason. */
#include "codegen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define OBJECT_MAX_BYTES (UINT64_C(8) << 30) /* the model's object: weights at most --max-bytes */

static const char *target_compiler(const Target *t)
{
    const char *cc = getenv("EFFCC_CC");
    if (cc && *cc)
        return cc;
    if (!strcmp(t->name, "aarch64"))
        return "aarch64-linux-gnu-gcc";
    if (!strcmp(t->name, "armv7"))
        return "arm-linux-gnueabihf-gcc";
    if (!strcmp(t->name, "riscv64"))
        return "riscv64-linux-gnu-gcc";
    return "cc";
}

/* Runs argv with stdout and stderr discarded; true when it exits 0. */
static bool run_quietly(char **argv)
{
    pid_t pid = fork();
    if (pid == 0) {
        FILE *null = freopen("/dev/null", "w", stdout);
        if (!null || dup2(fileno(stdout), 2) < 0)
            _exit(126);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    if (pid < 0)
        return false;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static uint64_t le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Sums the sizes of the .text* and .rodata* sections of a little-endian
 * ELF object (32 or 64 bit). */
static bool elf_sections(const Buf *f, size_t *text, size_t *rodata)
{
    const unsigned char *d = (const unsigned char *)f->data;
    if (f->len < 52 || memcmp(d, "\x7f" "ELF", 4) != 0 || d[5] != 1)
        return false;
    bool wide = d[4] == 2;
    uint64_t shoff = wide ? le(d + 0x28, 8) : le(d + 0x20, 4);
    size_t entsize = (size_t)le(d + (wide ? 0x3a : 0x2e), 2);
    size_t count = (size_t)le(d + (wide ? 0x3c : 0x30), 2);
    size_t strndx = (size_t)le(d + (wide ? 0x3e : 0x32), 2);
    if (shoff > f->len || count * entsize > f->len - shoff || strndx >= count || entsize < 40)
        return false;
    const unsigned char *sh = d + shoff, *names = sh + strndx * entsize;
    uint64_t stroff = wide ? le(names + 0x18, 8) : le(names + 0x10, 4);
    for (size_t i = 0; i < count; i++) {
        const unsigned char *s = sh + i * entsize;
        uint64_t name = stroff + le(s, 4);
        uint64_t size = wide ? le(s + 0x20, 8) : le(s + 0x14, 4);
        if (name >= f->len)
            return false;
        const char *n = (const char *)d + name;
        size_t room = f->len - name;
        if (strnlen(n, room) == room)
            return false;
        if (!strncmp(n, ".text", 5))
            *text += size;
        else if (!strncmp(n, ".rodata", 7))
            *rodata += size;
    }
    return true;
}

static void read_sections(const char *obj, CodeSize *r)
{
    DiagFrame f;
    diag_push(&f);
    if (setjmp(f.env) == 0) {
        Buf o = read_file_max(obj, OBJECT_MAX_BYTES);
        r->measured = elf_sections(&o, &r->text, &r->rodata);
        buf_free(&o);
        diag_pop(&f);
    }
}

CodeSize code_size(const char *dir, const char *name, const Target *t, size_t weights_bytes)
{
    CodeSize r = {0};
    Arena *a = arena_new();
    const char *cc = target_compiler(t);
    char *src = arena_printf(a, "%s/%s.c", dir, name), *obj = arena_printf(a, "%s/%s.o", dir, name);
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)cc;
    argv[argc++] = "-std=c11";
    argv[argc++] = "-O3";
    char *flags = arena_strdup(a, t->cflags);
    for (char *tok = strtok(flags, " "); tok && argc < 24; tok = strtok(NULL, " "))
        argv[argc++] = tok;
    argv[argc++] = "-c";
    argv[argc++] = src;
    argv[argc++] = "-o";
    argv[argc++] = obj;
    argv[argc] = NULL;
    if (!run_quietly(argv)) {
        snprintf(r.note, sizeof r.note, "not measured: %s -c %s.c failed or is not installed", cc,
                 name);
    } else {
        read_sections(obj, &r);
        r.rodata += weights_bytes;
        snprintf(r.note, sizeof r.note, r.measured ? "%s -O3 %s" : "not measured: %s made no ELF",
                 cc, t->cflags);
        unlink(obj);
    }
    arena_free(a);
    return r;
}
