/* SPDX-License-Identifier: MIT */
/*
 * One URL from start to end: its parsed URL and request setup, what happens with the
 * response (-f, -i, -D, redirects with -L, the body to stdout or a file renamed into place
 * when complete), retries on a fresh connection when the server certainly did not process
 * the request, and the one error line when it fails. Bodies to stdout never interleave:
 * later URLs are held until the earlier ones are done.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_int.h"
#include "sys/clock.h"
#include "sys/diag.h"
#include "base/h2.h"
#include "base/limits.h"
#include "sys/xalloc.h"

/* In-memory part of a body held for ordered stdout (order.c spills beyond its own bound). */
#define HOLD_MAX ((size_t)1 << 31)

static void fail_early(struct xfer *failed);

static void vset_detail(struct xfer *x, const char *fmt, va_list ap)
{
    char buf[CLIENT_DETAIL_MAX];

    vsnprintf(buf, sizeof(buf), fmt, ap);
    free(x->detail);
    x->detail = xstrdup(buf);
}

static void set_detail(struct xfer *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_detail(struct xfer *x, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vset_detail(x, fmt, ap);
    va_end(ap);
}

/* --skip-existing: a URL whose file exists is done at once; --no-clobber: the body goes
 * to FILE.1 ... FILE.100 instead of over an existing FILE (curl). Returns 1 when skipped. */
static int existing_output(struct xfer *x)
{
    const struct config *cfg = x->cl->cfg;
    const char *path = x->cu->output;
    unsigned i;

    if ((!cfg->multi.skip_existing && !cfg->multi.no_clobber) || access(path, F_OK) != 0)
        return 0;
    if (cfg->multi.skip_existing) {
        vlog(x->cl, "skipping %s: '%s' exists", x->url_str, path);
        x->done = true;
        x->cl->ndone++;
        return 1;
    }
    if (!cfg->multi.no_clobber)
        return 0;
    x->out_path = xmalloc(strlen(path) + 8);
    for (i = 1; i <= 100; i++) {
        snprintf(x->out_path, strlen(path) + 8, "%s.%u", path, i);
        if (access(x->out_path, F_OK) != 0)
            return 0;
    }
    xfer_fail(x, H2E_WRITE, "'%s' and '%s.1' to '%s.100' all exist (--no-clobber)", path, path,
              path);
    return H2E_WRITE;
}

int xfer_init(struct xfer *x, struct client *cl, size_t index, const struct cli_url *cu)
{
    const struct config *cfg = cl->cfg;
    struct h2e_info info = H2E_INFO_INIT;
    int rv;

    memset(x, 0, sizeof(*x));
    x->cl = cl;
    x->index = index;
    x->cu = cu;
    x->upload_fd = -1;
    x->t_start = clock_us();
    x->url_str = xstrdup(cu->url);
    buf_init(&x->hold, &xalloc_mem, HOLD_MAX);
    buf_init(&x->fields, &xalloc_mem, LIMIT_HEADER_LIST_SIZE * 2);
    buf_init(&x->trailers, &xalloc_mem, LIMIT_HEADER_LIST_SIZE * 2);
    x->method = cli_method(cfg);
    x->has_body = cfg->req.body != CLI_BODY_NONE;
    x->body_len = (int64_t)cfg->req.data_len;
    rv = url_parse(x->url_str, &x->url, &info);
    if (rv) {
        xfer_fail(x, rv, "'%s': %s", x->url_str, info.why ? info.why : h2e_str(rv));
        return rv;
    }
    if (cu->output && strcmp(cu->output, "-") && (rv = existing_output(x)) != 0)
        return rv;
    if (cfg->req.body == CLI_BODY_UPLOAD)
        return xfer_open_upload(x);
    return 0;
}

void xfer_release(struct xfer *x)
{
    if (x->sink_open && x->sink)
        out_abort(x->sink, false);
    if (x->upload_fd > STDIN_FILENO)
        close(x->upload_fd);
    order_drop(x);
    buf_release(&x->fields);
    buf_release(&x->trailers);
    free(x->chunk);
    free(x->location);
    free(x->out_path);
    free(x->detail);
    free(x->sink);
    free(x->url_str);
}

void xfer_reset_response(struct xfer *x)
{
    x->status = 0;
    x->got_headers = false;
    x->redirecting = false;
    x->discard = false;
    x->body_bytes = 0;
    free(x->location);
    x->location = NULL;
    /* after rewind_upload(): what was read and not yet sent is still in the chunk and goes
     * out again; once some was sent, the body is read again from its start */
    if (x->body_sent)
        x->chunk_len = x->chunk_off = 0;
    x->body_sent = 0;
    x->body_done = false;
    x->stream_id = 0;
    x->got_rst = false;
    x->boosted = x->unheld = false; /* they were about the stream the response came on */
}

static bool to_stdout(const struct xfer *x)
{
    return !x->cu->output;
}

static int sink_write(struct xfer *x, const void *p, size_t n)
{
    if (to_stdout(x))
        return order_write(x, p, n);
    if (out_write(x->sink, p, n) != 0) {
        xfer_fail(x, H2E_WRITE, "%s", x->sink->detail);
        return H2E_WRITE;
    }
    return 0;
}

static int open_sink(struct xfer *x)
{
    const struct config *cfg = x->cl->cfg;
    const char *path = x->out_path ? x->out_path : x->cu->output;

    if (x->sink_open)
        return 0;
    if (!to_stdout(x) && out_open_file(x->sink = xcalloc(1, sizeof(*x->sink)), path,
                                       cfg->out.create_dirs, cfg->out.no_buffer) != 0) {
        xfer_fail(x, H2E_WRITE, "%s", x->sink->detail);
        return H2E_WRITE;
    }
    x->sink_open = true;
    return 0;
}

/* Keep "name\0value\0" copies of the fields for -w, when its format asks for them. */
static void keep_fields(struct xfer *x, struct buf *st, const struct msg_field *f, size_t n)
{
    const char *w = x->cl->wo_fmt;
    size_t i;

    if (!w || (!strstr(w, "header") && !strstr(w, "trailer") && !strstr(w, "json")))
        return;
    buf_reset(st);
    for (i = 0; i < n; i++) {
        if (f[i].name.len && f[i].name.p[0] == ':')
            continue;
        buf_append(st, f[i].name.p, f[i].name.len);
        buf_append(st, "", 1);
        buf_append(st, f[i].value.p, f[i].value.len);
        buf_append(st, "", 1);
    }
}

/* -D: a file that cannot be written is a warning; the transfer goes on. */
static void dump_headers(struct xfer *x, const struct buf *b)
{
    const char *path = x->cl->cfg->out.dump_header;

    if (path && out_dump_headers(path, &x->cl->dump_opened, buf_span(b)) != 0)
        diag_warn("cannot write headers to '%s': %s", path, strerror(errno));
}

static const struct span *field(const struct msg_field *f, size_t n, const char *name)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (f[i].name.len == strlen(name) &&
            strncasecmp((const char *)f[i].name.p, name, f[i].name.len) == 0)
            return &f[i].value;
    return NULL;
}

static bool is_redirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

int xfer_on_headers(struct xfer *x, int status, const struct msg_field *f, size_t n,
                    const char *proto)
{
    const struct config *cfg = x->cl->cfg;
    const struct span *loc = field(f, n, "location");
    struct buf hb;
    int rv = 0;

    x->got_headers = true;
    x->status = status;
    x->t_headers = clock_us();
    x->expect_len = 0;
    if ((loc = field(f, n, "content-length")) != NULL && loc->len < 20) {
        size_t i;
        for (i = 0; i < loc->len && loc->p[i] >= '0' && loc->p[i] <= '9'; i++)
            x->expect_len = x->expect_len * 10 + (uint64_t)(loc->p[i] - '0');
    }
    loc = field(f, n, "location");
    keep_fields(x, &x->fields, f, n);
    trace_stream(x->cl->trace, x->conn_id, x->stream_id, x->index, TRACE_STREAM_HEADERS, NULL);
    if (cfg->req.location && is_redirect(status) && loc) {
        x->redirecting = true;
        x->discard = true;
        x->location = xstrndup((const char *)loc->p, loc->len);
    } else if (cfg->out.fail && status >= 400) {
        xfer_fail(x, H2E_HTTP_ERROR, "the requested URL returned error: %d", status);
        return H2E_HTTP_ERROR;
    }
    buf_init(&hb, &xalloc_mem, LIMIT_HEADER_LIST_SIZE * 2);
    out_header_block(&hb, status, proto, f, n);
    dump_headers(x, &hb);
    if (cfg->out.include || (!x->discard && !cfg->req.head))
        rv = open_sink(x);
    if (rv == 0 && cfg->out.include)
        rv = sink_write(x, hb.p, hb.len);
    buf_release(&hb);
    return rv;
}

int xfer_on_data(struct xfer *x, const uint8_t *p, size_t n)
{
    const struct config *cfg = x->cl->cfg;

    if (x->done)
        return H2E_WRITE;
    if (x->discard || !n)
        return 0;
    if (cfg->out.max_filesize && x->body_bytes + n > cfg->out.max_filesize) {
        xfer_fail(x, H2E_FILESIZE, "the body exceeds --max-filesize %llu",
                  (unsigned long long)cfg->out.max_filesize);
        return H2E_FILESIZE;
    }
    if (!x->body_bytes) {
        x->t_firstdata = clock_us();
        trace_stream(x->cl->trace, x->conn_id, x->stream_id, x->index, TRACE_STREAM_FIRST_DATA,
                     NULL);
    }
    x->body_bytes += n;
    if (!x->sink_open && open_sink(x) != 0)
        return H2E_WRITE;
    return sink_write(x, p, n);
}

void xfer_on_trailers(struct xfer *x, const struct msg_field *f, size_t n)
{
    struct buf hb;

    keep_fields(x, &x->trailers, f, n);
    buf_init(&hb, &xalloc_mem, LIMIT_HEADER_LIST_SIZE * 2);
    out_header_block(&hb, 0, NULL, f, n);
    dump_headers(x, &hb);
    if (x->cl->cfg->out.include && x->sink_open && !x->discard)
        sink_write(x, hb.p, hb.len);
    buf_release(&hb);
}

static void finish(struct xfer *x, int result)
{
    x->t_done = clock_us();
    x->cl->ndone++;
    x->cl->bytes_done += x->body_bytes;
    x->done_ok = result == 0;
    if (x->conn)
        cconn_detach(x->conn, x);
    x->done = true;
    x->result = result;
    x->active = false;
}

/* The request body can be sent again from its start: NULL, or why not. Nothing sent yet
 * needs nothing (what was read waits in the chunk, kept by xfer_reset_response); a file,
 * stdin included, is read again from where the body started; a pipe cannot be. */
static const char *rewind_upload(struct xfer *x)
{
    if (x->upload_fd < 0 || x->body_sent == 0)
        return NULL;
    if (x->upload_start >= 0 && lseek(x->upload_fd, x->upload_start, SEEK_SET) == x->upload_start)
        return NULL;
    return "the request body came from a pipe and was already sent";
}

/* curl's rule: 303 turns into GET, and so do 301/302 after a POST; 307 and 308 (and the
 * others after any other method) send the same request again, body and all. */
static void redirect_method(struct xfer *x)
{
    if ((x->status == 303 && strcmp(x->method, "HEAD") != 0) ||
        ((x->status == 301 || x->status == 302) && strcmp(x->method, "POST") == 0 &&
         !x->cl->cfg->req.method)) {
        x->method = "GET";
        x->has_body = false;
    }
}

static void redirect(struct xfer *x)
{
    const struct config *cfg = x->cl->cfg;
    struct buf next;
    struct url old = x->url;
    struct h2e_info info = H2E_INFO_INIT;
    const char *why;
    int rv;

    if (cfg->req.max_redirs >= 0 && (long)x->redirects >= cfg->req.max_redirs) {
        xfer_fail(x, H2E_TOO_MANY_REDIRECTS, "maximum (%ld) redirects followed",
                  cfg->req.max_redirs);
        return;
    }
    buf_init(&next, &xalloc_mem, 1u << 20);
    rv = url_resolve(&x->url, x->location, &next, &info);
    if (rv == 0) {
        char *s = xstrdup((const char *)next.p);
        rv = url_parse(s, &x->url, &info);
        free(x->url_str);
        x->url_str = s;
    }
    buf_release(&next);
    if (rv) {
        xfer_fail(x, rv, "bad redirect location: %s", info.why ? info.why : h2e_str(rv));
        return;
    }
    vlog(x->cl, "following redirect %d to %s", x->status, x->url_str);
    if (!url_origin_equal(&old, &x->url))
        x->drop_auth = true;
    redirect_method(x);
    why = x->has_body ? rewind_upload(x) : NULL; /* 307, 308: the same request, body too */
    if (why) {
        xfer_fail(x, H2E_REWIND, "cannot follow the redirect: %s", why);
        return;
    }
    x->redirects++;
    if (x->conn)
        cconn_detach(x->conn, x);
    xfer_reset_response(x);
    x->attempts = 0;
    client_route(x->cl, x, false);
}

void xfer_complete(struct xfer *x)
{
    const struct config *cfg = x->cl->cfg;
    int result = 0;

    if (x->done)
        return;
    if (x->redirecting) {
        redirect(x);
        return;
    }
    if (cfg->out.fail_with_body && x->status >= 400)
        result = H2E_HTTP_ERROR;
    if (!x->sink_open && !cfg->req.head && open_sink(x) != 0)
        return; /* an empty body still creates the file */
    finish(x, result);
    trace_stream(x->cl->trace, x->conn_id, x->stream_id, x->index, TRACE_STREAM_DONE, NULL);
    if (x->sink_open && !to_stdout(x)) {
        x->sink_open = false;
        if (out_commit(x->sink) != 0) {
            x->result = result = H2E_WRITE;
            set_detail(x, "%s", x->sink->detail);
            diag_error(H2E_WRITE, "%s", x->sink->detail);
        }
    }
    if (result == H2E_HTTP_ERROR) {
        set_detail(x, "the requested URL returned error: %d", x->status);
        diag_error(result, "%s", x->detail);
        fail_early(x);
    }
    order_advance(x->cl);
}

void xfer_cancel(struct xfer *x, int code)
{
    if (x->done)
        return;
    x->cancelled = true;
    finish(x, code); /* stopped because of that failure (-w %{exitcode}) */
    set_detail(x, "cancelled by --fail-early");
    if (x->sink_open && !to_stdout(x))
        out_abort(x->sink, false);
    x->sink_open = false;
    order_drop(x);
}

/* --fail-early: the first failure cancels every other URL (RST_STREAM CANCEL), removes
 * their partial files, and leaves the exit code to the failure; URLs not made yet are
 * cancelled as they are made. */
static void fail_early(struct xfer *failed)
{
    struct client *cl = failed->cl;
    size_t i;

    if (!cl->cfg->multi.fail_early || cl->stopping || failed->cancelled)
        return;
    cl->stopping = true;
    cl->cancel_code = failed->result;
    for (i = cl->reaped; i < cl->started; i++)
        if (cl->xs[i] != failed)
            xfer_cancel(cl->xs[i], failed->result);
}

void xfer_fail(struct xfer *x, int code, const char *fmt, ...)
{
    const struct config *cfg = x->cl->cfg;
    va_list ap;

    if (x->done)
        return;
    va_start(ap, fmt);
    vset_detail(x, fmt, ap);
    va_end(ap);
    finish(x, code);
    trace_stream(x->cl->trace, x->conn_id, x->stream_id, x->index, TRACE_STREAM_FAILED, x->detail);
    if (x->sink_open && !to_stdout(x))
        out_abort(x->sink, cfg->out.keep_partial);
    else if (x->sink_open && x->index == x->cl->fin && x->body_bytes && code != H2E_WRITE)
        diag_warn("%llu bytes of the body were already written to stdout",
                  (unsigned long long)x->body_bytes);
    x->sink_open = false;
    order_drop(x);
    if (x->cl->nxfers > 1)
        diag_error(code, "%s: %s", x->url_str, x->detail);
    else
        diag_error(code, "%s", x->detail);
    fail_early(x);
    order_advance(x->cl);
}

void xfer_fail_output(struct xfer *x, int code, const char *why)
{
    if (x->result)
        return;
    x->result = code;
    x->done_ok = false;
    set_detail(x, "%s", why);
    diag_error(code, "%s", why);
    fail_early(x);
}

/* Replay on a fresh connection a request the server did not process (RFC 9113 §8.7). */
bool xfer_retry(struct xfer *x, const char *why, bool fresh)
{
    const char *cannot;

    if (x->attempts >= LIMIT_RETRY_CONNECTIONS || x->done ||
        (x->cl->cfg->proto.no_goaway_retry && !x->force_h1))
        return false;
    cannot = rewind_upload(x);
    if (cannot) { /* curl: CURLE_SEND_FAIL_REWIND */
        xfer_fail(x, H2E_REWIND, "cannot send the request again after %s: %s", why, cannot);
        return true;
    }
    vlog(x->cl, "retrying %s%s after %s (attempt %u)", x->url_str,
         fresh ? " on a new connection" : "", why, x->attempts + 1);
    trace_stream(x->cl->trace, x->conn_id, x->stream_id, x->index, TRACE_STREAM_RETRIED, why);
    if (x->conn)
        cconn_detach(x->conn, x);
    xfer_reset_response(x);
    x->retries++;
    client_route(x->cl, x, fresh);
    return true;
}
