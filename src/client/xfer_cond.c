/* SPDX-License-Identifier: MIT */
/*
 * Conditional requests, as curl: -z sends if-modified-since (if-unmodified-since for
 * -z -TIME, last-modified for -z =TIME) with the date or file time that the command line
 * resolved (cli/cli_cond.c); --etag-compare sends if-none-match with the ETag a file
 * holds, --etag-save keeps a response's ETag in a file.
 * A 304 then means the output is up to date: nothing is written, an -o file is left as it
 * is, exit 0 (RFC 9110 §13.1, §15.4.5).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "codec/date.h"
#include "run.h"
#include "sys/diag.h"
#include "vlog.h"
#include "xfer.h"

const char *xfer_time_cond(const struct xfer *x, char buf[30], const char **name)
{
    static const char *const field[] = {NULL, "if-modified-since", "if-unmodified-since",
                                        "last-modified"};
    const struct cli_cond *c = &x->cl->cfg->cond;

    if (!c->time_cond)
        return NULL;
    if (c->time_kind == CLI_TIME_NONE) {
        if (x->index == 0) /* curl's habit: `-z FILE -o FILE` before FILE exists */
            diag_warn("'%s' does not exist yet: no time condition (-z)", c->time_value);
        return NULL;
    }
    *name = field[c->time_kind];
    date_format(c->time_at, buf);
    return buf;
}

const char *xfer_etag_compare(const struct xfer *x, char *buf, size_t cap)
{
    const char *path = x->cl->cfg->cond.etag_compare;
    FILE *f;
    size_t n;

    if (!path)
        return NULL;
    f = fopen(path, "r");
    if (!f) {
        if (x->index == 0)
            diag_warn("cannot read '%s': %s: no if-none-match (--etag-compare)", path,
                      strerror(errno));
        return NULL;
    }
    n = fgets(buf, (int)cap, f) ? strcspn(buf, "\r\n") : 0;
    fclose(f);
    buf[n] = '\0';
    return n ? buf : NULL;
}

static const struct span *field(const struct msg_field *f, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (span_ieq_str(f[i].name, name))
            return &f[i].value;
    return NULL;
}

/* --etag-save: the ETag of a 2xx response (an empty file when there is none, as curl). */
static void etag_save(const struct xfer *x, const struct msg_field *f, size_t n)
{
    const char *path = x->cl->cfg->cond.etag_save;
    const struct span *v = field(f, n, "etag");
    FILE *out = fopen(path, "w");

    if (!out || (v && (fwrite(v->p, 1, v->len, out) != v->len || fputc('\n', out) == EOF)) ||
        fclose(out) != 0)
        diag_warn("cannot save the ETag in '%s': %s", path, strerror(errno));
}

void xfer_cond_check(struct xfer *x, int status, const struct msg_field *f, size_t n)
{
    const struct cli_cond *c = &x->cl->cfg->cond;

    if (status == 304 && (c->time_cond || c->etag_compare)) {
        vlog(x->cl, "not modified: %s is left as it is", x->cu->output ? x->cu->output : "nothing");
        x->resp.discard = true;
    }
    if (c->etag_save && status >= 200 && status < 300)
        etag_save(x, f, n);
}
