/* replay.c — runs a fuzz target on files, without libFuzzer.
 *
 *   replay_TARGET FILE_OR_FOLDER…
 *
 * Linked with one fuzz_*.c, this calls its LLVMFuzzerTestOneInput on every
 * file given and every file in the folders given (in name order), so the
 * seed corpus and each crash ever found (fuzz/regressions/TARGET) run in the
 * normal test suite, under the sanitizers in the sanitizer build. */
#include "effcc.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPLAY_MAX_BYTES (256u << 20) /* far beyond any fuzz input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_file(const char *path)
{
    Buf b = read_file_max(path, REPLAY_MAX_BYTES); /* errors abort: no frame is pushed */
    LLVMFuzzerTestOneInput((const uint8_t *)(b.data ? b.data : ""), b.len);
    buf_free(&b);
    return 1;
}

static int replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        exit(1);
    }
    Buf names = {0}; /* char * pointers */
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        Buf path = {0};
        buf_printf(&path, "%s/%s", dir, e->d_name);
        buf_append(&names, &path.data, sizeof path.data);
    }
    closedir(d);
    size_t n = names.len / sizeof(char *);
    char **list = (char **)names.data;
    if (n)
        qsort(list, n, sizeof *list, by_name);
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        count += replay_file(list[i]);
        free(list[i]);
    }
    buf_free(&names);
    return count;
}

int main(int argc, char **argv)
{
    int count = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            return 1;
        }
        count += S_ISDIR(st.st_mode) ? replay_dir(argv[i]) : replay_file(argv[i]);
    }
    printf("replayed %d inputs without a crash\n", count);
    return 0;
}
