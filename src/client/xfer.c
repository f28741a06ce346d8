/* SPDX-License-Identifier: MIT */
/*
 * One URL's response and outputs: -f, -i, -D, redirects with -L (the next URL and method),
 * the body to stdout (through order.c) or to a file renamed into place when complete, and
 * the one error line when it fails. When an attempt ends, the transfer reports its outcome
 * to the router (route.c) and does nothing else: it never moves itself to a connection
 * and never moves ordered output on.
 */
#include "xfer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/h2.h"
#include "base/limits.h"
#include "cconn.h"
#include "cookies.h"
#include "duplex.h"
#include "order.h"
#include "retry.h"
#include "route.h"
#include "run.h"
#include "sys/clock.h"
#include "sys/diag.h"
#include "sys/xalloc.h"
#include "vlog.h"

/* In-memory part of a body held for ordered stdout (order.c spills beyond its own bound). */
#define HOLD_MAX ((size_t)1 << 31)

static void vset_detail(struct xfer *x, const char *fmt, va_list ap)
{
    char *detail = xvasprintf(fmt, ap); /* `fmt` may print the old detail */

    free(x->detail);
    x->detail = detail;
}

static void set_detail(struct xfer *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_detail(struct xfer *x, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vset_detail(x, fmt, ap);
    va_end(ap);
}

/* The attempt ended with `outcome`: the router takes it from here. */
static void report(struct xfer *x, enum xfer_outcome outcome)
{
    x->phase = XFER_REPORTED;
    x->outcome = outcome;
    route_report(x);
}

static bool to_stdout(const struct xfer *x)
{
    return !x->cu->output;
}

bool xfer_discards(const struct xfer *x)
{
    return x->cl->cfg->out.out_null && !x->cu->has_output;
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
        vlog(x->cl, "skipping %s: '%s' exists", x->req.url_str, path);
        report(x, XFER_FINISHED);
        return 1;
    }
    x->out.path = xmalloc(strlen(path) + 8);
    for (i = 1; i <= 100; i++) {
        snprintf(x->out.path, strlen(path) + 8, "%s.%u", path, i);
        if (access(x->out.path, F_OK) != 0)
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
    x->up.fd = -1;
    x->t.start = clock_us();
    x->req.url_str = xstrdup(cu->url);
    buf_init(&x->out.hold, &xalloc_mem, HOLD_MAX);
    /* no caps of their own: what they copy is bounded by the codecs' header list limit */
    buf_init(&x->resp.fields, &xalloc_mem, SIZE_MAX);
    buf_init(&x->resp.trailers, &xalloc_mem, SIZE_MAX);
    x->req.method = cli_method(cfg);
    x->req.has_body = cfg->req.body != CLI_BODY_NONE;
    x->up.len = (int64_t)cfg->req.data_len;
    rv = url_parse(x->req.url_str, &x->req.url, &info);
    if (rv) {
        xfer_fail(x, rv, "'%s': %s", x->req.url_str, info.why ? info.why : h2e_str(rv));
        return rv;
    }
    if (!(cli_proto_bit(x->req.url.scheme) & cfg->cond.proto)) { /* curl: exit 1 */
        xfer_fail(x, H2E_PROTO_DISALLOWED, "'%s': protocol '%s' not allowed by --proto",
                  x->req.url_str, x->req.url.scheme);
        return H2E_PROTO_DISALLOWED;
    }
    xfer_resume_init(x);
    if (cu->output && strcmp(cu->output, "-") && (rv = existing_output(x)) != 0)
        return rv;
    if (cfg->req.body == CLI_BODY_UPLOAD)
        return xfer_open_upload(x);
    return 0;
}

void xfer_release(struct xfer *x)
{
    cconn_unhold(x);
    if (x->out.sink_open && x->out.sink)
        out_abort(x->out.sink, false);
    if (x->up.fd > STDIN_FILENO)
        close(x->up.fd);
    order_drop(x);
    xfer_coding_drop(x);
    xfer_sse_drop(x);
    buf_release(&x->resp.fields);
    buf_release(&x->resp.trailers);
    pipe_in_release(&x->up.in);
    free(x->resp.location);
    free(x->out.path);
    free(x->detail);
    free(x->out.sink);
    free(x->req.url_str);
}

void xfer_reset_response(struct xfer *x)
{
    free(x->resp.location);
    x->resp.location = NULL;
    x->resp.state = XFER_RESP_NONE;
    x->resp.status = 0;
    x->resp.body_bytes = 0;
    x->resp.decoded_bytes = 0;
    xfer_coding_drop(x);
    x->resp.sse_live = false; /* the parser (x->resp.sse) stays: it knows the last id */
    x->resp.got_rst = false;
    x->resp.discard = false;
    /* after xfer_rewind_upload(): what was read and not yet sent is still buffered and
     * goes out again; once some was sent, the body is read again from its start */
    if (x->up.sent)
        pipe_in_reset(&x->up.in);
    x->up.sent = 0;
    x->up.done = false;
    x->stream_id = 0;
    /* they were about the stream the response came on */
    x->out.boosted = x->out.released = x->out.primed = false;
}

static int sink_write(struct xfer *x, const void *p, size_t n)
{
    if (xfer_discards(x))
        return 0;
    if (duplex_to_stdout(x))
        return duplex_write(x, p, n);
    if (to_stdout(x))
        return order_write(x, p, n);
    if (out_write(x->out.sink, p, n) != 0) {
        xfer_fail(x, H2E_WRITE, "%s", x->out.sink->detail);
        return H2E_WRITE;
    }
    return 0;
}

static int open_sink(struct xfer *x)
{
    const struct config *cfg = x->cl->cfg;
    const char *path = x->out.path ? x->out.path : x->cu->output;

    int rv;

    if (x->out.sink_open)
        return 0;
    if (!to_stdout(x)) {
        free(x->out.sink);
        x->out.sink = xmalloc(sizeof(*x->out.sink));
        rv = x->out.append
                 ? out_open_append(x->out.sink, path, cfg->out.no_buffer)
                 : out_open_file(x->out.sink, path, cfg->out.create_dirs, cfg->out.no_buffer);
    } else {
        rv = 0;
    }
    if (rv != 0) {
        xfer_fail(x, H2E_WRITE, "%s", x->out.sink->detail);
        return H2E_WRITE;
    }
    x->out.sink_open = true;
    return 0;
}

/* Whether this response is output: not one to retry (--retry), not one -C keeps out of the
 * file it resumes. */
static bool writes(const struct xfer *x)
{
    return x->resp.state != XFER_RESP_RETRYING && !x->resp.discard;
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

static uint64_t content_length(const struct msg_field *f, size_t n)
{
    const struct span *v = field(f, n, "content-length");
    uint64_t len = 0;
    size_t i;

    if (!v || v->len >= 20)
        return 0;
    for (i = 0; i < v->len && v->p[i] >= '0' && v->p[i] <= '9'; i++)
        len = len * 10 + (uint64_t)(v->p[i] - '0');
    return len;
}

int xfer_on_headers(struct xfer *x, int status, const struct msg_field *f, size_t n,
                    const char *proto)
{
    const struct config *cfg = x->cl->cfg;
    const struct span *loc = field(f, n, "location");
    struct buf hb;
    int rv = 0;

    x->resp.state = XFER_RESP_HEADERS;
    x->resp.status = status;
    x->t.headers = clock_us();
    x->resp.expect_len = content_length(f, n);
    keep_fields(x, &x->resp.fields, f, n);
    cookies_store(x->cl, x, f, n); /* redirects and retried answers set cookies too */
    trace_stream(x->cl->trace, x->conn_id, x->stream_id, x->index, TRACE_STREAM_HEADERS, NULL);
    if (retry_on_status(x, status, f, n)) {
        x->resp.state = XFER_RESP_RETRYING;
    } else if (cfg->req.location && is_redirect(status) && loc) {
        x->resp.state = XFER_RESP_REDIRECTING;
        x->resp.location = xstrndup((const char *)loc->p, loc->len);
    } else if (cfg->out.fail && status >= 400) {
        xfer_fail(x, H2E_HTTP_ERROR, "the requested URL returned error: %d", status);
        return H2E_HTTP_ERROR;
    } else if (!cfg->req.head && (rv = xfer_resume_check(x, status, f, n)) != 0) {
        return rv; /* -C, -r, -J */
    } else {
        xfer_cond_check(x, status, f, n); /* -z, --etag-* */
    }
    if (x->resp.state == XFER_RESP_HEADERS && (rv = xfer_sse_start(x, status, f, n)) != 0)
        return rv; /* --sse */
    if ((rv = xfer_coding_start(x, f, n)) != 0)
        return rv;
    /* bounded by the header list limit; made only for -i and -D, not per response */
    buf_init(&hb, &xalloc_mem, SIZE_MAX);
    if (cfg->out.include || cfg->out.dump_header)
        out_header_block(&hb, status, proto, f, n);
    dump_headers(x, &hb);
    if (writes(x) && (cfg->out.include || (x->resp.state == XFER_RESP_HEADERS && !cfg->req.head)))
        rv = open_sink(x);
    if (rv == 0 && cfg->out.include && writes(x))
        rv = sink_write(x, hb.p, hb.len);
    buf_release(&hb);
    return rv;
}

static int sse_sink(struct xfer *x, const void *p, size_t n)
{
    return xfer_sse_write(x, p, n, sink_write);
}

int xfer_on_data(struct xfer *x, const uint8_t *p, size_t n)
{
    if (xfer_over(x))
        return H2E_WRITE;
    if (x->resp.state == XFER_RESP_REDIRECTING || !writes(x) || !n)
        return 0;
    if (!x->resp.body_bytes) {
        x->t.firstdata = clock_us();
        trace_stream(x->cl->trace, x->conn_id, x->stream_id, x->index, TRACE_STREAM_FIRST_DATA,
                     NULL);
    }
    x->resp.body_bytes += n; /* on the wire: %{size_download}, the ratio's base */
    if (!x->out.sink_open && open_sink(x) != 0)
        return H2E_WRITE;
    /* --max-filesize, decoding, then --sse */
    return xfer_coding_write(x, p, n, x->resp.sse_live ? sse_sink : sink_write);
}

int xfer_flush_coded(struct xfer *x)
{
    return xfer_coding_flush(x, x->resp.sse_live ? sse_sink : sink_write);
}

int xfer_on_trailers(struct xfer *x, const struct msg_field *f, size_t n)
{
    struct buf hb;
    int rv;

    if ((rv = xfer_flush_coded(x)) != 0) /* the body's last bytes come before the trailers */
        return rv;
    keep_fields(x, &x->resp.trailers, f, n);
    buf_init(&hb, &xalloc_mem, SIZE_MAX); /* bounded by the header list limit */
    out_header_block(&hb, 0, NULL, f, n);
    dump_headers(x, &hb);
    if (x->cl->cfg->out.include && x->out.sink_open && x->resp.state == XFER_RESP_HEADERS)
        rv = sink_write(x, hb.p, hb.len);
    buf_release(&hb);
    return rv;
}

/* The attempt is over with `result`: its times and its trace line. */
static void end_attempt(struct xfer *x, int result, enum trace_stream_event ev)
{
    x->t.done = clock_us();
    x->result = result;
    trace_stream(x->cl->trace, x->conn_id, x->stream_id, x->index, ev,
                 ev == TRACE_STREAM_FAILED ? x->detail : NULL);
}

void xfer_complete(struct xfer *x)
{
    const struct config *cfg = x->cl->cfg;
    int result = 0;

    if (xfer_over(x))
        return;
    if (x->resp.state == XFER_RESP_REDIRECTING) {
        report(x, XFER_REDIRECT);
        return;
    }
    if (x->resp.state == XFER_RESP_RETRYING) {
        xfer_retry_later(x);
        return;
    }
    if (xfer_flush_coded(x) != 0 || xfer_coding_end(x) != 0)
        return; /* a truncated coded body fails like a truncated body (61) */
    if (xfer_sse_end(x))
        return; /* --sse: reconnecting */
    if (cfg->out.fail_with_body && x->resp.status >= 400)
        result = H2E_HTTP_ERROR;
    if (!x->out.sink_open && !cfg->req.head && !x->resp.discard && open_sink(x) != 0)
        return; /* an empty body still creates the file */
    end_attempt(x, result, TRACE_STREAM_DONE);
    if (x->out.sink_open && !to_stdout(x)) {
        x->out.sink_open = false;
        if (out_commit(x->out.sink) != 0) {
            result = H2E_WRITE;
            set_detail(x, "%s", x->out.sink->detail);
            diag_error(H2E_WRITE, "%s", x->out.sink->detail);
        }
    }
    if (result == H2E_HTTP_ERROR) {
        set_detail(x, "the requested URL returned error: %d", x->resp.status);
        diag_error(result, "%s", x->detail);
    }
    x->result = result;
    report(x, XFER_FINISHED);
}

void xfer_cancel(struct xfer *x, int code)
{
    x->result = code; /* stopped because of that failure (-w %{exitcode}) */
    x->t.done = clock_us();
    set_detail(x, "cancelled by --fail-early");
    if (x->out.sink_open && !to_stdout(x))
        out_abort(x->out.sink, false);
    x->out.sink_open = false;
    order_drop(x);
    report(x, XFER_CANCELLED);
}

void xfer_interrupt(struct xfer *x, int code)
{
    if (!x->result)
        x->result = code;
    if (x->out.sink_open && !to_stdout(x))
        out_abort(x->out.sink, x->cl->cfg->out.keep_partial);
    x->out.sink_open = false;
    order_drop(x);
}

/* Fail the attempt for good, whatever its phase: say it, drop the output. */
static void vfail(struct xfer *x, int code, const char *fmt, va_list ap)
{
    const struct config *cfg = x->cl->cfg;

    vset_detail(x, fmt, ap);
    if (*duplex_input_note(x)) /* nothing read from stdin goes unaccounted for */
        set_detail(x, "%s%s", x->detail, duplex_input_note(x));
    end_attempt(x, code, TRACE_STREAM_FAILED);
    if (x->out.sink_open && !to_stdout(x))
        out_abort(x->out.sink, cfg->out.keep_partial);
    else if (x->out.sink_open && x->index == x->cl->fin && x->resp.decoded_bytes &&
             code != H2E_WRITE && !xfer_discards(x)) /* decoded: what went out, not what came in */
        diag_warn("%llu bytes of the body were already written to stdout",
                  (unsigned long long)x->resp.decoded_bytes);
    x->out.sink_open = false;
    order_drop(x);
    if (x->cl->nxfers > 1)
        diag_error(code, "%s: %s", x->req.url_str, x->detail);
    else
        diag_error(code, "%s", x->detail);
    x->outcome = XFER_FINISHED;
}

static void fail_now(struct xfer *x, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail_now(struct xfer *x, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfail(x, code, fmt, ap);
    va_end(ap);
}

void xfer_fail(struct xfer *x, int code, const char *fmt, ...)
{
    va_list ap;
    char *detail;

    if (xfer_over(x))
        return;
    va_start(ap, fmt);
    detail = xvasprintf(fmt, ap);
    va_end(ap);
    /* --retry: a transient failure goes again instead (retry.c) */
    if (!retry_on_failure(x, code, detail)) {
        fail_now(x, code, "%s", detail);
        report(x, XFER_FINISHED);
    }
    free(detail);
}

void xfer_fail_output(struct xfer *x, int code, const char *why)
{
    if (x->result)
        return;
    x->result = code;
    set_detail(x, "%s", why);
    diag_error(code, "%s", why);
}

/* curl's rule: 303 turns into GET, and so do 301/302 after a POST; 307 and 308 (and the
 * others after any other method) send the same request again, body and all. */
static void redirect_method(struct xfer *x)
{
    int s = x->resp.status;

    if ((s == 303 && strcmp(x->req.method, "HEAD") != 0) ||
        ((s == 301 || s == 302) && strcmp(x->req.method, "POST") == 0 && !x->cl->cfg->req.method)) {
        x->req.method = "GET";
        x->req.has_body = false;
    }
}

/* The redirect target as the new URL of `x`; returns 0 or an H2E_* with `why`. */
static int next_url(struct xfer *x, struct h2e_info *info)
{
    struct buf next;
    int rv;

    buf_init(&next, &xalloc_mem, 1u << 20);
    rv = url_resolve(&x->req.url, x->resp.location, &next, info);
    if (rv == 0) {
        char *s = xstrdup((const char *)next.p);
        rv = url_parse(s, &x->req.url, info);
        free(x->req.url_str);
        x->req.url_str = s;
    }
    buf_release(&next);
    return rv;
}

int xfer_follow(struct xfer *x)
{
    const struct config *cfg = x->cl->cfg;
    struct url old = x->req.url;
    struct h2e_info info = H2E_INFO_INIT;
    const char *why;
    int rv;

    if (cfg->req.max_redirs >= 0 && (long)x->req.redirects >= cfg->req.max_redirs) {
        fail_now(x, H2E_TOO_MANY_REDIRECTS, "maximum (%ld) redirects followed",
                 cfg->req.max_redirs);
        return H2E_TOO_MANY_REDIRECTS;
    }
    if ((rv = next_url(x, &info)) != 0) {
        fail_now(x, rv, "bad redirect location: %s", info.why ? info.why : h2e_str(rv));
        return rv;
    }
    /* --proto-redir narrows, never widens, what --proto allows (as curl) */
    if (!(cli_proto_bit(x->req.url.scheme) & cfg->cond.proto & cfg->cond.proto_redir)) {
        fail_now(x, H2E_PROTO_DISALLOWED, "redirect to '%s': protocol '%s' not allowed",
                 x->req.url_str, x->req.url.scheme);
        return H2E_PROTO_DISALLOWED;
    }
    vlog(x->cl, "following redirect %d to %s", x->resp.status, x->req.url_str);
    if (!url_origin_equal(&old, &x->req.url))
        x->req.drop_auth = !cfg->cond.location_trusted; /* as curl */
    redirect_method(x);
    why = x->req.has_body ? xfer_rewind_upload(x) : NULL; /* 307, 308: the body too */
    if (why) {
        fail_now(x, H2E_REWIND, "cannot follow the redirect: %s", why);
        return H2E_REWIND;
    }
    x->req.redirects++;
    x->req.attempts = 0;
    return 0;
}

/* Replay on a fresh connection a request the server did not process (RFC 9113 §8.7). */
bool xfer_retry(struct xfer *x, const char *why, bool fresh)
{
    const char *cannot;

    /* `attempts` counts sends: the first, then at most LIMIT_RETRY_CONNECTIONS new ones */
    if (x->req.attempts > LIMIT_RETRY_CONNECTIONS || xfer_over(x) ||
        (x->cl->cfg->proto.no_goaway_retry && !x->req.force_h1))
        return false;
    cannot = xfer_rewind_upload(x);
    if (cannot) { /* curl: CURLE_SEND_FAIL_REWIND */
        xfer_fail(x, H2E_REWIND, "cannot send the request again after %s: %s", why, cannot);
        return true;
    }
    /* a fresh connection is named by the router (route_xfer) once it is chosen */
    vlog(x->cl, "retrying %s after %s%s (attempt %u)", x->req.url_str, why,
         fresh ? "" : " on the same connection", x->req.attempts + 1);
    trace_stream(x->cl->trace, x->conn_id, x->stream_id, x->index, TRACE_STREAM_RETRIED, why);
    x->req.retries++;
    x->req.retry_fresh = fresh;
    report(x, XFER_RETRY);
    return true;
}

void xfer_retry_later(struct xfer *x)
{
    if (!x->resp.sse_live) { /* --sse: the events written so far stay, more follow */
        if (x->out.sink_open && !to_stdout(x))
            out_abort(x->out.sink, false); /* the next attempt writes the file from its start */
        free(x->out.sink);
        x->out.sink = NULL;
        x->out.sink_open = false;
        order_drop(x);
    }
    trace_stream(x->cl->trace, x->conn_id, x->stream_id, x->index, TRACE_STREAM_RETRIED, "--retry");
    if (x->out.append) { /* what reached the file is kept: resume after it */
        x->req.resume_from += (int64_t)x->resp.body_bytes;
        x->out.append = false;
    }
    x->req.tries++;
    x->req.attempts = 0; /* a new request: its own budget of replays after GOAWAY */
    x->req.retry_at = clock_ms() + x->req.retry_delay;
    x->req.retry_fresh = false;
    report(x, XFER_RETRY);
}

void xfer_requeue(struct xfer *x, bool counts)
{
    if (xfer_over(x))
        return;
    if (counts && ++x->req.orphaned >= LIMIT_RETRY_CONNECTIONS) {
        xfer_fail(x, H2E_RECV, "%u connections closed before the request could be sent",
                  x->req.orphaned);
        return;
    }
    report(x, XFER_REQUEUE);
}
