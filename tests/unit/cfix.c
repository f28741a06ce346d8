/* SPDX-License-Identifier: MIT */
/* A client run for unit tests: see cfix.h. */
#include "cfix.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/route.h"
#include "sys/diag.h"
#include "sys/xalloc.h"
#include "tap.h"

static char old_cwd[4096];

void cfix_init(struct cfix *f, ...)
{
    const char *argv[64];
    int argc = 0, fd;
    va_list ap;

    memset(f, 0, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/h2get-unit-XXXXXX");
    if (!mkdtemp(f->dir) || !getcwd(old_cwd, sizeof(old_cwd)) || chdir(f->dir) != 0)
        abort();
    argv[argc++] = "h2get";
    va_start(ap, f);
    while (argc < 63 && (argv[argc] = va_arg(ap, const char *)) != NULL)
        argc++;
    va_end(ap);
    argv[argc] = NULL;
    f->diag = open_memstream(&f->diag_text, &f->diag_len);
    diag_set_stream(f->diag);
    diag_setup(false, false);
    cli_init(&f->cfg);
    f->init_err = cli_parse(&f->cfg, argc, argv);
    if (f->init_err == 0)
        f->init_err = client_init(&f->cl, &f->cfg);
    if (f->init_err)
        return;
    snprintf(f->stdout_path, sizeof(f->stdout_path), "%s/stdout", f->dir);
    fd = open(f->stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        abort();
    f->cl.out.fd = fd;
}

struct xfer *cfix_make(struct cfix *f, size_t i)
{
    struct client *cl = &f->cl;
    struct xfer *x = xcalloc(1, sizeof(*x));

    cl->xs[i] = x;
    if (cl->started <= i)
        cl->started = i + 1;
    xfer_init(x, cl, i, &f->cfg.urls[i / (size_t)f->cfg.multi.repeat]);
    return x;
}

/* The whole file, NUL-terminated, in a buffer reused by the next call. */
static const char *slurp(const char *path)
{
    static char *buf;
    static size_t cap;
    FILE *in = fopen(path, "rb");
    size_t n = 0;

    if (!in)
        return NULL;
    do {
        if (cap - n < 2)
            buf = xrealloc(buf, cap = cap ? cap * 2 : 1 << 20);
        n += fread(buf + n, 1, cap - n - 1, in);
    } while (!feof(in) && !ferror(in));
    buf[n] = 0;
    fclose(in);
    return buf;
}

const char *cfix_stdout(struct cfix *f)
{
    out_flush(&f->cl.out);
    return slurp(f->stdout_path);
}

const char *cfix_diag(struct cfix *f)
{
    fflush(f->diag);
    return f->diag_text ? f->diag_text : "";
}

const char *cfix_file(struct cfix *f, const char *name)
{
    char path[256];

    snprintf(path, sizeof(path), "%s/%s", f->dir, name);
    return slurp(path);
}

int cfix_headers(struct xfer *x, int status, ...)
{
    struct msg_field fl[32];
    size_t n = 0;
    const char *name;
    va_list ap;

    va_start(ap, status);
    while (n < 32 && (name = va_arg(ap, const char *)) != NULL) {
        fl[n].name = span_str(name);
        fl[n].value = span_str(va_arg(ap, const char *));
        n++;
    }
    va_end(ap);
    return xfer_on_headers(x, status, fl, n, "HTTP/2");
}

int cfix_settle(struct cfix *f)
{
    return route_settle(&f->cl);
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];

    while (d && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (unlink(path) != 0)
            remove_dir(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

void cfix_release(struct cfix *f)
{
    if (!f->init_err) {
        close(f->cl.out.fd);
        f->cl.out.fd = -1;
        f->cl.out.len = 0;
        client_finish(&f->cl, 0);
    }
    cli_release(&f->cfg);
    diag_set_stream(NULL);
    fclose(f->diag);
    free(f->diag_text);
    if (chdir(old_cwd) != 0)
        abort();
    remove_dir(f->dir);
}
