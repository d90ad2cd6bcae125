/* effcc_harness.h — the harness's command line and file reading (main.c).
 *
 * Header-only, like effcc_timer.h. effcc_harness_parse turns the arguments
 * into an EffccArgs and has no side effect: it prints nothing, exits
 * nothing and writes only its result, so main.c decides what to print and
 * fuzz/fuzz_harness.c can fuzz it. effcc_read_regular reads each file the
 * harness takes (--image, --input): a regular file under a size limit,
 * checked before reading. Needs _POSIX_C_SOURCE >= 200809L defined before
 * the first system header (O_CLOEXEC). */
#ifndef EFFCC_HARNESS_H
#define EFFCC_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EFFCC_MAX_RUNS 1000000 /* --bench N: at most this many */

typedef enum {
    EFFCC_RUN,         /* classify, as the fields say */
    EFFCC_HELP,        /* --help or -h: usage on stdout, exit 0 */
    EFFCC_INFO,        /* --info: the model's sizes, exit 0 */
    EFFCC_USAGE_ERROR, /* error (and arg) say what is wrong: exit 2 */
} EffccAction;

typedef struct {
    const char *input, *image, *output, *save_input; /* NULL when not given */
    int runs;          /* --bench N, 0 without */
    int poison;        /* --poison */
    const char *error; /* EFFCC_USAGE_ERROR: a fixed message */
    const char *arg;   /* the argument it is about, or NULL */
} EffccArgs;

static inline EffccAction effcc_usage_error(EffccArgs *a, const char *error, const char *arg)
{
    a->error = error;
    a->arg = arg;
    return EFFCC_USAGE_ERROR;
}

/* The value slot of an option that takes one, NULL for any other argument. */
static inline const char **effcc_value_slot(EffccArgs *a, const char *opt, const char **bench)
{
    return !strcmp(opt, "--input")        ? &a->input
           : !strcmp(opt, "--image")      ? &a->image
           : !strcmp(opt, "--output")     ? &a->output
           : !strcmp(opt, "--save-input") ? &a->save_input
           : !strcmp(opt, "--bench")      ? bench
                                          : NULL;
}

/* Arguments are read in order: --help and --info act at once (the ones
 * before them must be valid), a later option of the same name wins, and
 * the value after an option is taken whatever it looks like. */
static inline EffccAction effcc_harness_parse(EffccArgs *a, int argc, char *const *argv)
{
    const char *bench = NULL;
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (!strcmp(opt, "--help") || !strcmp(opt, "-h"))
            return EFFCC_HELP;
        if (!strcmp(opt, "--info"))
            return EFFCC_INFO;
        if (!strcmp(opt, "--poison")) {
            a->poison = 1;
            continue;
        }
        const char **slot = effcc_value_slot(a, opt, &bench);
        if (!slot)
            return effcc_usage_error(a, "unknown argument", opt);
        if (i + 1 >= argc)
            return effcc_usage_error(a, "this option needs a value", opt);
        *slot = argv[++i];
        if (slot == &bench) {
            char *end;
            errno = 0;
            long n = strtol(bench, &end, 10);
            if (end == bench || *end || errno || n < 1 || n > EFFCC_MAX_RUNS)
                return effcc_usage_error(a, "--bench needs a whole number from 1 to 1000000",
                                         bench);
            a->runs = (int)n;
        }
    }
    if (a->input && a->image)
        return effcc_usage_error(a, "--image and --input exclude each other", NULL);
    return EFFCC_RUN;
}

/* What a file that is not a regular one is, for messages. */
static inline const char *effcc_file_kind(mode_t mode)
{
    return S_ISDIR(mode)    ? "a folder"
           : S_ISFIFO(mode) ? "a pipe"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISSOCK(mode) ? "a socket"
                            : "not a file";
}

/* Reads fd into buf (size + 1 bytes) until its end or until it holds
 * size + 1 bytes (the file grew); *got is how many. Returns 0, or errno. */
static inline int effcc_read_fd(int fd, unsigned char *buf, size_t size, size_t *got)
{
    *got = 0;
    while (*got <= size) {
        ssize_t r = read(fd, buf + *got, size + 1 - *got);
        if (r == 0)
            break;
        if (r < 0 && errno != EINTR)
            return errno;
        if (r > 0)
            *got += (size_t)r;
    }
    return 0;
}

/* Reads path whole into a new buffer (free it) of *len bytes: a regular
 * file of at most max bytes, checked before reading; a FIFO, a device or a
 * folder is refused without waiting (O_NONBLOCK: opening a FIFO does not
 * wait for a writer). Returns NULL with "PATH: what went wrong" in err. */
static inline unsigned char *effcc_read_regular(const char *path, size_t max, size_t *len,
                                                char *err, size_t errsize)
{
    *len = 0;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errsize, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    unsigned char *buf = NULL;
    size_t size = 0;
    int failed = 0;
    if (fstat(fd, &st) != 0)
        snprintf(err, errsize, "%s: cannot read: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        snprintf(err, errsize, "%s: not a regular file (%s)", path, effcc_file_kind(st.st_mode));
    else if (st.st_size < 0 || (uintmax_t)st.st_size > max)
        snprintf(err, errsize, "%s: too large: %jd bytes, at most %zu accepted", path,
                 (intmax_t)st.st_size, max);
    else if (!(buf = malloc((size = (size_t)st.st_size) + 1)))
        snprintf(err, errsize, "%s: out of memory for %zu bytes", path, size);
    else if ((failed = effcc_read_fd(fd, buf, size, len)) != 0)
        snprintf(err, errsize, "%s: cannot read: %s", path, strerror(failed));
    else if (*len > size)
        snprintf(err, errsize, "%s: changed while being read", path);
    close(fd);
    if (buf && (failed || *len > size)) {
        free(buf);
        buf = NULL;
    }
    return buf;
}

#endif
