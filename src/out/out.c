/* SPDX-License-Identifier: MIT */
/*
 * Body sinks: stdout, or a temporary file renamed into place on success (PROMISES.md).
 */
#include "out.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/err.h"
#include "sys/xalloc.h"

/* Zero a sink but its message buffer, which is PATH_MAX long and only written on failure:
 * clearing 4 KiB per output was a measurable share of 10,000 small -O files. */
static void reset(struct out_sink *o)
{
    memset(o, 0, offsetof(struct out_sink, detail));
    o->detail[0] = '\0';
}

/* `st` (of `path`, NULL for stdout) is the null device: a write there takes every byte and
 * keeps none, so none is made. Compared with /dev/null's own device number rather than
 * Linux's 1:3, looked up once, and not at all when `path` is /dev/null itself. */
static bool is_null_device(const struct stat *st, const char *path)
{
    static dev_t null_rdev;
    static int known; /* 1: null_rdev holds it; -1: /dev/null cannot be looked at */
    struct stat ns;

    if (!S_ISCHR(st->st_mode))
        return false;
    if (known <= 0 && path && strcmp(path, "/dev/null") == 0) {
        known = 1;
        null_rdev = st->st_rdev;
    }
    if (!known) {
        known = stat("/dev/null", &ns) == 0 && S_ISCHR(ns.st_mode) ? 1 : -1;
        null_rdev = known > 0 ? ns.st_rdev : 0;
    }
    return known > 0 && st->st_rdev == null_rdev;
}

void out_init_stdout(struct out_sink *o, bool no_buffer)
{
    struct stat st;
    int fl = fcntl(STDOUT_FILENO, F_GETFL);

    reset(o);
    o->fd = STDOUT_FILENO;
    o->is_stdout = true;
    o->no_buffer = no_buffer;
    o->opened = true;
    o->buf = xmalloc(OUT_BUFFER);
    /* a stdout that cannot be written keeps failing as it would */
    o->null = fl >= 0 && (fl & O_ACCMODE) != O_RDONLY && fstat(STDOUT_FILENO, &st) == 0 &&
              is_null_device(&st, NULL);
}

static int mkdirs(char *path, struct out_sink *o)
{
    char *p;
    for (p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            snprintf(o->detail, sizeof(o->detail), "cannot create directory '%s': %s", path,
                     strerror(errno));
            *p = '/';
            return H2E_WRITE;
        }
        *p = '/';
    }
    return 0;
}

/* A fresh name next to `path`, created with O_EXCL so nothing existing is touched. */
static int create_tmp(struct out_sink *o)
{
    static long pid; /* asked once: one system call less per file */
    size_t n = strlen(o->path) + 32;
    unsigned attempt;

    if (!pid)
        pid = (long)getpid();
    o->tmp = xmalloc(n);
    for (attempt = 0; attempt < 100; attempt++) {
        snprintf(o->tmp, n, "%s.h2get-%ld-%u.tmp", o->path, pid,
                 (unsigned)(time(NULL) ^ (attempt * 2654435761u)) % 100000u);
        o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (o->fd >= 0)
            return 0;
        if (errno != EEXIST)
            break;
    }
    snprintf(o->detail, sizeof(o->detail), "cannot create '%s': %s", o->path, strerror(errno));
    free(o->tmp);
    o->tmp = NULL;
    return H2E_WRITE;
}

/* Character devices opened for an output of this run, kept open: 10,000 URLs each with
 * `-o /dev/null` then cost a write() each instead of a stat, an open, a write and a close.
 * FIFOs are not kept (each output is its own writer there). Process-wide, never freed:
 * a handful of paths for the process's life. */
#define OUT_DEVICES 4
static struct {
    char *path;
    int fd;
    bool null;
} devices[OUT_DEVICES];
static size_t ndevices;

static int device_fd(const char *path, bool *null)
{
    size_t i;

    for (i = 0; i < ndevices; i++)
        if (strcmp(devices[i].path, path) == 0) {
            *null = devices[i].null;
            return devices[i].fd;
        }
    return -1;
}

static void keep_device(struct out_sink *o, const struct stat *st)
{
    if (!S_ISCHR(st->st_mode) || ndevices == OUT_DEVICES)
        return;
    devices[ndevices].path = xstrdup(o->path);
    devices[ndevices].null = o->null;
    devices[ndevices++].fd = o->fd;
    o->shared = true;
}

/* An existing target that is not a regular file (/dev/null, a FIFO, a terminal) is written
 * in place, as curl does: renaming over it would replace the device itself. */
static int open_special(struct out_sink *o)
{
    struct stat st;

    if ((o->fd = device_fd(o->path, &o->null)) >= 0) {
        o->special = o->shared = true;
        return 0;
    }
    if (stat(o->path, &st) != 0 || S_ISREG(st.st_mode))
        return 1;
    if (S_ISDIR(st.st_mode)) {
        snprintf(o->detail, sizeof(o->detail), "cannot write to '%s': Is a directory", o->path);
        return H2E_WRITE;
    }
    o->fd = open(o->path, O_WRONLY | O_CLOEXEC);
    if (o->fd < 0) {
        snprintf(o->detail, sizeof(o->detail), "cannot open '%s': %s", o->path, strerror(errno));
        return H2E_WRITE;
    }
    o->special = true;
    o->null = is_null_device(&st, o->path);
    keep_device(o, &st);
    return 0;
}

int out_open_file(struct out_sink *o, const char *path, bool create_dirs, bool no_buffer)
{
    int rv = 0;

    reset(o);
    o->fd = -1;
    o->no_buffer = no_buffer;
    if (strlen(path) >= PATH_MAX) { /* every message about it fits `detail` */
        snprintf(o->detail, sizeof(o->detail),
                 "cannot create a file whose path is %zu bytes long (PATH_MAX is %d)", strlen(path),
                 PATH_MAX);
        return H2E_WRITE;
    }
    o->path = xstrdup(path);
    if (create_dirs)
        rv = mkdirs(o->path, o);
    if (rv == 0 && (rv = open_special(o)) > 0) /* not special: a temporary file */
        rv = create_tmp(o);
    if (rv) { /* nothing opened: the sink holds nothing to release */
        free(o->path);
        o->path = NULL;
        return rv;
    }
    o->opened = true;
    o->buf = o->null ? NULL : xmalloc(OUT_BUFFER); /* the null device takes no copy */
    return 0;
}

int out_open_append(struct out_sink *o, const char *path, bool no_buffer)
{
    reset(o);
    o->no_buffer = no_buffer;
    o->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
    if (o->fd < 0) {
        snprintf(o->detail, sizeof(o->detail), "cannot open '%.*s': %s", PATH_MAX, path,
                 strerror(errno));
        return H2E_WRITE;
    }
    o->path = xstrdup(path);
    o->special = o->append = true; /* in place: never renamed, never removed */
    o->opened = true;
    o->buf = xmalloc(OUT_BUFFER);
    return 0;
}

/* `a` (what is buffered, or nothing), then `b`, in as few writes as the kernel allows. */
static int writev_all(struct out_sink *o, const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    while (an + bn) {
        struct iovec v[2] = {{(void *)a, an}, {(void *)b, bn}};
        ssize_t w = an ? writev(o->fd, v, 2) : write(o->fd, b, bn);
        size_t k;
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            snprintf(o->detail, sizeof(o->detail), "cannot write to '%s': %s",
                     o->is_stdout ? "stdout" : o->path, strerror(errno));
            return H2E_WRITE;
        }
        k = (size_t)w < an ? (size_t)w : an;
        a += k, an -= k, w -= (ssize_t)k;
        b += w, bn -= (size_t)w;
    }
    return 0;
}

int out_flush(struct out_sink *o)
{
    int rv;
    if (!o->len)
        return 0;
    rv = writev_all(o, NULL, 0, o->buf, o->len);
    o->len = 0;
    return rv;
}

int out_write(struct out_sink *o, const void *p, size_t n)
{
    o->written += n;
    if (o->null) /* -o /dev/null: a write() per DATA frame that would do nothing */
        return 0;
    if (o->no_buffer || n >= OUT_DIRECT) { /* no copy: with what is buffered, in one writev */
        int rv = writev_all(o, o->buf, o->len, p, n);
        o->len = 0;
        return rv;
    }
    if (o->len + n > OUT_BUFFER) {
        int rv = out_flush(o);
        if (rv)
            return rv;
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
    return 0;
}

static void release(struct out_sink *o)
{
    free(o->buf);
    free(o->path);
    free(o->tmp);
    o->buf = NULL;
    o->path = o->tmp = NULL;
    o->opened = false;
}

int out_commit(struct out_sink *o)
{
    int rv;

    if (!o->opened)
        return 0;
    rv = out_flush(o);
    if (!o->is_stdout && !o->shared) {
        if (close(o->fd) != 0 && rv == 0) {
            snprintf(o->detail, sizeof(o->detail), "cannot write to '%s': %s", o->path,
                     strerror(errno));
            rv = H2E_WRITE;
        }
        if (rv == 0 && !o->special && rename(o->tmp, o->path) != 0) {
            snprintf(o->detail, sizeof(o->detail), "cannot rename to '%s': %s", o->path,
                     strerror(errno));
            rv = H2E_WRITE;
        }
        if (rv && !o->special)
            unlink(o->tmp);
    }
    release(o);
    return rv;
}

void out_abort(struct out_sink *o, bool keep_partial)
{
    if (!o->opened)
        return;
    if (o->is_stdout) {
        out_flush(o);
    } else if (o->special) {
        if (o->append)
            out_flush(o); /* the bytes that arrived continue the file */
        if (!o->shared)
            close(o->fd); /* a device or FIFO: nothing to remove */
    } else {
        if (keep_partial)
            out_flush(o);
        close(o->fd);
        if (keep_partial) {
            char *part = out_join(NULL, o->path);
            size_t n = strlen(part) + 6;
            char *name = xmalloc(n);
            snprintf(name, n, "%s.part", part);
            if (rename(o->tmp, name) != 0)
                unlink(o->tmp);
            free(name);
            free(part);
        } else {
            unlink(o->tmp);
        }
    }
    release(o);
}

char *out_join(const char *dir, const char *name)
{
    size_t n;
    char *s;

    if (!dir || !*dir || name[0] == '/')
        return xstrdup(name);
    n = strlen(dir) + strlen(name) + 2;
    s = xmalloc(n);
    snprintf(s, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
    return s;
}

char *out_remote_name(struct span path)
{
    size_t end = 0, start;
    char *s;

    while (end < path.len && path.p[end] != '?')
        end++;
    start = end;
    while (start > 0 && path.p[start - 1] != '/')
        start--;
    if (start == end)
        return xstrdup("index.html");
    if ((end - start == 1 && path.p[start] == '.') ||
        (end - start == 2 && path.p[start] == '.' && path.p[start + 1] == '.'))
        return NULL;
    s = xmalloc(end - start + 1);
    memcpy(s, path.p + start, end - start);
    s[end - start] = 0;
    return s;
}
