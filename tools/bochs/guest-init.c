/*
 * guest-init.c - /init of the initramfs booted by run-x86-64-v4.sh inside Bochs.
 *
 * Built on the host with `gcc -static` (it runs on the emulated CPU, so it is
 * compiled for plain x86-64).  It:
 *   1. mounts /proc and /dev (devtmpfs) and opens the serial ports
 *        ttyS0 (COM1) control channel: exit status + output files (base64)
 *        ttyS1 (COM2) the program's stdout
 *        ttyS2 (COM3) the program's stderr
 *      (the kernel console is on ttyS3 / COM4, so it never mixes in);
 *   2. runs /work/<program> with the argv stored NUL-separated in /effcc/argv,
 *      working directory /work, stdin /dev/null;
 *   3. prints "EFFCC-EXIT-STATUS=<n>" on ttyS0 (128+signal if killed);
 *   4. sends every regular file of /work that is new or changed since the
 *      start, as
 *        EFFCC-FILE-BEGIN <size> <hex-encoded name>
 *        <base64 lines>
 *        EFFCC-FILE-END
 *      followed by "EFFCC-DONE";
 *   5. waits for the UARTs to drain and asks Bochs to quit by writing
 *      "Shutdown" to the Bochs shutdown port 0x8900 (falls back to
 *      reboot(POWER_OFF)).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define WORKDIR "/work"
#define MAXFILES 4096

static int ctl = -1;

static void write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

static void ctlf(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof buf)
        n = sizeof buf - 1;
    write_all(ctl >= 0 ? ctl : 2, buf, (size_t)n);
}

static int open_tty(const char *path)
{
    int fd = open(path, O_WRONLY | O_NOCTTY);
    if (fd < 0)
        return -1;
    struct termios t;
    if (tcgetattr(fd, &t) == 0) {
        cfmakeraw(&t); /* no \n -> \r\n translation: byte-exact output */
        cfsetispeed(&t, B115200);
        cfsetospeed(&t, B115200);
        tcsetattr(fd, TCSANOW, &t);
    }
    return fd;
}

struct entry {
    char *name;
    off_t size;
    struct timespec mtime;
};

static int snapshot(struct entry *e, int max)
{
    DIR *d = opendir(".");
    int n = 0;
    struct dirent *de;
    if (!d)
        return 0;
    while ((de = readdir(d)) != NULL && n < max) {
        struct stat st;
        if (de->d_name[0] == '.' &&
            (de->d_name[1] == 0 || (de->d_name[1] == '.' && de->d_name[2] == 0)))
            continue;
        if (lstat(de->d_name, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        e[n].name = strdup(de->d_name);
        e[n].size = st.st_size;
        e[n].mtime = st.st_mtim;
        n++;
    }
    closedir(d);
    return n;
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void send_file(const char *name, off_t size)
{
    int fd = open(name, O_RDONLY);
    if (fd < 0) {
        ctlf("EFFCC-NOTE cannot open output file %s: %s\n", name, strerror(errno));
        return;
    }
    char hex[2 * 256 + 1];
    size_t nl = strlen(name);
    if (nl > 255) {
        ctlf("EFFCC-NOTE output file name too long, skipped: %s\n", name);
        close(fd);
        return;
    }
    for (size_t i = 0; i < nl; i++)
        sprintf(hex + 2 * i, "%02x", (unsigned char)name[i]);
    hex[2 * nl] = 0;
    ctlf("EFFCC-FILE-BEGIN %lld %s\n", (long long)size, hex);

    /* 57 input bytes -> one 76-char base64 line */
    unsigned char in[57 * 64];
    char out[(76 + 1) * 64 + 8];
    size_t have = 0;
    long long total = 0;
    for (;;) {
        ssize_t r = read(fd, in + have, sizeof in - have);
        if (r < 0 && errno == EINTR)
            continue;
        if (r > 0) {
            have += (size_t)r;
            total += r;
            if (have < sizeof in)
                continue;
        }
        /* encode 'have' bytes (full buffer, or the tail at EOF) */
        size_t o = 0, i = 0;
        while (i < have) {
            size_t line = have - i < 57 ? have - i : 57;
            if (r > 0 && line < 57)
                break; /* keep partial line for next round (not reached: buffer is a multiple of 57) */
            for (size_t j = 0; j < line; j += 3) {
                unsigned v = (unsigned)in[i + j] << 16;
                size_t k = line - j;
                if (k > 1)
                    v |= (unsigned)in[i + j + 1] << 8;
                if (k > 2)
                    v |= in[i + j + 2];
                out[o++] = b64[(v >> 18) & 63];
                out[o++] = b64[(v >> 12) & 63];
                out[o++] = k > 1 ? b64[(v >> 6) & 63] : '=';
                out[o++] = k > 2 ? b64[v & 63] : '=';
            }
            out[o++] = '\n';
            i += line;
        }
        write_all(ctl, out, o);
        have = 0;
        if (r <= 0)
            break;
    }
    close(fd);
    if (total != (long long)size)
        ctlf("EFFCC-NOTE %s changed size while sending (%lld != %lld)\n", name,
             total, (long long)size);
    ctlf("EFFCC-FILE-END\n");
}

static char **read_argv(void)
{
    static char buf[256 * 1024];
    int fd = open("/effcc/argv", O_RDONLY);
    if (fd < 0)
        return NULL;
    ssize_t n = 0, r;
    while ((r = read(fd, buf + n, sizeof buf - 1 - (size_t)n)) > 0)
        n += r;
    close(fd);
    buf[n] = 0;
    int argc = 0;
    for (ssize_t i = 0; i < n; i++)
        if (buf[i] == 0)
            argc++;
    char **argv = calloc((size_t)argc + 1, sizeof *argv);
    char *p = buf;
    for (int i = 0; i < argc; i++) {
        argv[i] = p;
        p += strlen(p) + 1;
    }
    return argv;
}

static void bochs_quit(void)
{
    sync();
    if (ioperm(0x8900, 1, 1) == 0) {
        const char *s = "Shutdown";
        for (; *s; s++)
            outb((unsigned char)*s, 0x8900);
    }
    /* Still here: not Bochs?  Power off (the host times out if that fails). */
    reboot(RB_POWER_OFF);
    for (;;)
        pause();
}

int main(void)
{
    mount("proc", "/proc", "proc", 0, NULL);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);

    ctl = open_tty("/dev/ttyS0");
    int out = open_tty("/dev/ttyS1");
    int err = open_tty("/dev/ttyS2");
    if (out < 0)
        out = ctl;
    if (err < 0)
        err = ctl;
    ctlf("EFFCC-INIT-START\n");

    char **argv = read_argv();
    if (!argv || !argv[0]) {
        ctlf("EFFCC-NOTE no /effcc/argv\nEFFCC-EXIT-STATUS=125\nEFFCC-DONE\n");
        tcdrain(ctl);
        bochs_quit();
    }
    if (chdir(WORKDIR) != 0)
        ctlf("EFFCC-NOTE chdir %s: %s\n", WORKDIR, strerror(errno));

    static struct entry before[MAXFILES], after[MAXFILES];
    int nbefore = snapshot(before, MAXFILES);

    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(out, 1);
        dup2(err, 2);
        for (int fd = 3; fd < 64; fd++)
            close(fd);
        setsid();
        char *envp[] = {"PATH=/work:/bin", "HOME=/work", "TERM=dumb", "LC_ALL=C", NULL};
        execve(argv[0], argv, envp);
        dprintf(2, "run-x86-64-v4 (guest): cannot execute %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int code = 125;
    if (pid < 0) {
        ctlf("EFFCC-NOTE fork: %s\n", strerror(errno));
    } else {
        int st;
        for (;;) {
            pid_t w = waitpid(-1, &st, 0); /* as PID 1 we also reap orphans */
            if (w == pid)
                break;
            if (w < 0 && errno != EINTR) {
                st = 125 << 8;
                break;
            }
        }
        if (WIFEXITED(st)) {
            code = WEXITSTATUS(st);
        } else if (WIFSIGNALED(st)) {
            code = 128 + WTERMSIG(st);
            ctlf("EFFCC-NOTE program killed by signal %d (%s)\n", WTERMSIG(st),
                 strsignal(WTERMSIG(st)));
        }
    }
    /* kill leftovers of the program (its own session/process group) */
    if (pid > 0)
        kill(-pid, SIGKILL);

    tcdrain(out);
    tcdrain(err);
    ctlf("EFFCC-EXIT-STATUS=%d\n", code);

    int nafter = snapshot(after, MAXFILES);
    for (int i = 0; i < nafter; i++) {
        int changed = 1;
        for (int j = 0; j < nbefore; j++) {
            if (strcmp(after[i].name, before[j].name) == 0) {
                changed = after[i].size != before[j].size ||
                          after[i].mtime.tv_sec != before[j].mtime.tv_sec ||
                          after[i].mtime.tv_nsec != before[j].mtime.tv_nsec;
                break;
            }
        }
        if (changed)
            send_file(after[i].name, after[i].size);
    }
    ctlf("EFFCC-DONE\n");
    tcdrain(ctl);
    bochs_quit();
    return 0;
}
