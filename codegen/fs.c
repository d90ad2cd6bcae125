/* fs.c — files and the atomic output folder.
 *
 * effcc writes everything into a fresh staging folder beside OUTDIR
 * (OUTDIR.effcc-tmp-PID-N) and renames it over OUTDIR only when every file
 * is complete, so a failed or killed compile never leaves a half-written
 * OUTDIR and never damages an existing one until the new one is whole.
 * An existing OUTDIR is swapped with the staging folder in one atomic step
 * (Linux's renameat2 RENAME_EXCHANGE), so there is no moment without an
 * OUTDIR; where the file system cannot do that, the old one is renamed
 * aside to OUTDIR.effcc-old-PID first.
 *
 * A killed effcc cannot remove its staging folder. The next compile to the
 * same OUTDIR removes the staging folders of processes that no longer exist
 * (and puts back an OUTDIR.effcc-old-PID whose OUTDIR is missing). A PID
 * reused by a live process keeps its folder until that process ends; a PID
 * of another machine sharing the folder over a network would not be seen:
 * do not compile to one OUTDIR from two machines at once. */
#define _GNU_SOURCE /* nftw, renameat2 */
#include "codegen.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        error_in(path, "cannot create: %s", strerror(errno));
    bool ok = fwrite(data, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok)
        error_in(path, "write failed: %s", strerror(errno));
}

/* Removes the folder path, then each folder holding it, up to made (the
 * outermost that make_parents created); each only if empty. */
static void remove_parents(Arena *a, const char *path, const char *made)
{
    if (!made)
        return;
    char *p = arena_strdup(a, path);
    size_t stop = strlen(made);
    for (;;) {
        rmdir(p);
        char *slash = strrchr(p, '/');
        if (!slash || (size_t)(slash - p) < stop)
            return;
        *slash = '\0';
    }
}

/* mkdir -p for the folders that hold path (not path itself). Returns the
 * outermost folder it created (its parents existed), or NULL. */
static char *make_parents(Arena *a, const char *path)
{
    char *p = arena_strdup(a, path), *made = NULL;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/' || s[-1] == '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) == 0) {
            if (!made)
                made = arena_strdup(a, p);
        } else if (errno != EEXIST) {
            int err = errno;
            remove_parents(a, p, made);
            error_in(path, "cannot create the folder %s: %s", p, strerror(err));
        }
        *s = '/';
    }
    return made;
}

/* Removes a folder and everything in it, never following symbolic links. */
static int remove_tree(const char *dir);


/* The PID in NAME = BASE ".effcc-tmp-" PID "-" N or BASE ".effcc-old-" PID,
 * or 0 when name is neither; *old tells which. */
static long stale_pid(const char *name, const char *base, bool *old)
{
    size_t n = strlen(base);
    if (strncmp(name, base, n) != 0)
        return 0;
    const char *p = name + n;
    *old = strncmp(p, ".effcc-old-", 11) == 0;
    if (!*old && strncmp(p, ".effcc-tmp-", 11) != 0)
        return 0;
    p += 11;
    if (*p < '0' || *p > '9') /* strtol would take spaces and signs */
        return 0;
    char *end;
    long pid = strtol(p, &end, 10);
    if (end == p || pid <= 0)
        return 0;
    if (!*old && *end == '-' && end[1] >= '0' && end[1] <= '9')
        strtol(end + 1, &end, 10);
    return *end == '\0' ? pid : 0;
}

/* Clears what killed compiles to outdir left beside it: folders only (never
 * a symbolic link), of processes that are gone. */
static void remove_stale(Arena *a, const char *outdir)
{
    const char *slash = strrchr(outdir, '/');
    const char *base = slash ? slash + 1 : outdir;
    char *parent = slash ? arena_printf(a, "%.*s", (int)(slash - outdir) + 1, outdir) : ".";
    DIR *d = opendir(parent);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        bool old;
        long pid = stale_pid(e->d_name, base, &old);
        if (pid <= 0 || pid == (long)getpid())
            continue;
        struct stat st;
        char *path = arena_printf(a, "%s%s", slash ? parent : "", e->d_name);
        if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* alive, or not ours to know */
        if (old && lstat(outdir, &st) != 0 && rename(path, outdir) == 0)
            note("restored %s, left aside by an interrupted compile", outdir);
        else if (remove_tree(path) == 0)
            note("removed %s, left by an interrupted compile", path);
    }
    closedir(d);
}

Staging staging_dir_create(Arena *a, const char *outdir)
{
    remove_stale(a, outdir);
    Staging st = {.made = make_parents(a, outdir), .arena = a};
    for (int attempt = 0; attempt < 100; attempt++) {
        st.dir = arena_printf(a, "%s.effcc-tmp-%ld-%d", outdir, (long)getpid(), attempt);
        if (mkdir(st.dir, 0755) == 0)
            return st;
        if (errno != EEXIST) {
            int err = errno;
            remove_parents(a, outdir, st.made);
            error_in(outdir, "cannot create a folder beside it: %s", strerror(err));
        }
    }
    remove_parents(a, outdir, st.made);
    error_in(outdir, "cannot create a staging folder beside it");
}

void staging_dir_abandon(const Staging *st)
{
    remove_tree(st->dir);
    remove_parents(st->arena, st->dir, st->made);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int remove_tree(const char *dir)
{
    return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* An effcc output folder holds a Makefile whose header says so. */
static bool written_by_effcc(const char *dir)
{
    char path[4096], head[256] = "";
    snprintf(path, sizeof path, "%s/Makefile", dir);
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[n] = '\0';
    return strstr(head, "Generated by effcc") != NULL;
}

static bool is_empty_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    struct dirent *e;
    bool empty = true;
    while (empty && (e = readdir(d)) != NULL)
        empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
    closedir(d);
    return empty;
}

void check_outdir_replaceable(const char *outdir)
{
    struct stat st;
    if (lstat(outdir, &st) != 0)
        return; /* does not exist: fine */
    if (!S_ISDIR(st.st_mode))
        error_in(outdir, "exists and is not a folder; refusing to replace it");
    if (!is_empty_dir(outdir) && !written_by_effcc(outdir))
        error_in(outdir, "exists and was not written by effcc (no Makefile saying so); "
                         "refusing to replace it: remove it or choose another -o");
}

/* The real path of path, or of its folder plus its last component when it
 * does not exist (yet); NULL when neither resolves. */
static char *resolve(Arena *a, const char *path)
{
    char *r = realpath(path, NULL), *out = NULL;
    if (r) {
        out = arena_strdup(a, r);
        free(r);
        return out;
    }
    const char *slash = strrchr(path, '/');
    r = realpath(slash ? arena_printf(a, "%.*s", (int)(slash - path) + (slash == path), path) : ".",
                 NULL);
    if (r)
        out = arena_printf(a, "%s/%s", r, slash ? slash + 1 : path);
    free(r);
    return out;
}

void check_outside_outdir(Arena *a, const char *path, const char *outdir)
{
    char *out = resolve(a, outdir), *p = resolve(a, path);
    if (!out || !p)
        return; /* nothing that does not exist can be inside */
    size_t n = strlen(out);
    if (!strncmp(p, out, n) && (p[n] == '/' || p[n] == '\0'))
        error_in(path, "is inside the output folder %s, which compiling replaces as a whole: "
                       "move it, or choose another -o", outdir);
}

void remove_folder(const char *dir)
{
    remove_tree(dir);
}

void staging_dir_commit(const char *staging, const char *outdir)
{
    if (rename(staging, outdir) == 0)
        return;
    if (errno != ENOTEMPTY && errno != EEXIST)
        error_in(outdir, "cannot rename the finished output into place: %s", strerror(errno));
#ifdef RENAME_EXCHANGE
    /* OUTDIR exists: swap the two in one step; staging then holds the old. */
    if (renameat2(AT_FDCWD, staging, AT_FDCWD, outdir, RENAME_EXCHANGE) == 0) {
        if (remove_tree(staging) != 0)
            note("could not remove the previous output, left at %s", staging);
        return;
    }
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        error_in(outdir, "cannot replace the existing folder: %s", strerror(errno));
#endif
    /* No exchange here: move OUTDIR aside, put the new one in place, drop the old. */
    char old[4096];
    snprintf(old, sizeof old, "%s.effcc-old-%ld", outdir, (long)getpid());
    if (rename(outdir, old) != 0)
        error_in(outdir, "cannot replace the existing folder: %s", strerror(errno));
    if (rename(staging, outdir) != 0) {
        int err = errno;
        rename(old, outdir);
        error_in(outdir, "cannot rename the finished output into place: %s", strerror(err));
    }
    if (remove_tree(old) != 0)
        note("could not remove the previous output, left at %s", old);
}
