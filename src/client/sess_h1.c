/* SPDX-License-Identifier: MIT */
/*
 * An HTTP/1.1 session on one connection (RFC 9112): one request at a time, the connection
 * kept alive for the next transfer of the same origin unless the response says close.
 * Writes the request head and body (Content-Length, or chunked for stdin), parses the
 * response head (1xx skipped), and delivers the body by its framing: length, chunked (with
 * trailers) or until close.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "cconn.h"
#include "ratelim.h"
#include "route.h"
#include "run.h"
#include "sys/clock.h"
#include "sys/xalloc.h"
#include "vlog.h"
#include "xfer.h"

#define H1_OUT_HIGH (256u * 1024u)
#define H1_MAX_FIELDS 1000u

void sess_h1_release(struct h1sess *h)
{
    buf_release(&h->out);
    memset(h, 0, sizeof(*h));
}

/* Close the transport; transfers still routed here start again on a new connection. */
static void reconnect(struct cconn *cc)
{
    if (cc->io_open)
        io_close(&cc->io);
    cc->io_open = false;
    free(cc->tlsc);
    cc->tlsc = NULL;
    buf_reset(&cc->rbuf);
    sess_h1_release(&cc->h1);
    net_connector_release(&cc->nc);
    net_connector_init(&cc->nc);
    cc->state = CC_IDLE;
}

static void start(struct cconn *cc, struct xfer *x)
{
    struct h1sess *h = &cc->h1;

    sess_h1_release(h); /* the request before this one on a kept-alive connection */
    buf_init(&h->out, &xalloc_mem, 1u << 26);
    h->x = x;
    /* --trailer: the chunked trailer section is the only place for them (RFC 9112 §7.1.2) */
    h->chunked_upload = x->req.has_body && (x->up.len < 0 || cc->cl->cfg->req.ntrailers);
    x->conn_id = cc->id;
    cconn_hold(x, cc);
    x->t.sent = clock_us();
    x->req.attempts++;
    cc->nopened++;
    trace_stream(cc->cl->trace, cc->id, 0, x->index, TRACE_STREAM_SENT, NULL);
    x->t.last_progress_ms = cc->cl->now;
    if (xfer_h1_request(x, &h->out, h->chunked_upload) != 0) {
        h->x = NULL;
        return;
    }
    h->phase = H1_SEND;
}

/* The zero chunk, with the --trailer fields as its trailer section. */
static int last_chunk(const struct cli_request *r, struct buf *out)
{
    struct h1_header *t = xcalloc(r->ntrailers + 1, sizeof(*t));
    size_t i;
    int rv;

    for (i = 0; i < r->ntrailers; i++) {
        t[i].name = r->trailers[i].name;
        t[i].value = r->trailers[i].value;
    }
    rv = h1_write_last_chunk(out, t, r->ntrailers, NULL);
    free(t);
    return rv;
}

/* Append more of the request body to the output, framed, as --limit-rate allows. */
static int fill_body(struct cconn *cc, struct xfer *x)
{
    struct h1sess *h = &cc->h1;

    while (!x->up.done && h->out.len - h->out_off < H1_OUT_HIGH) {
        const uint8_t *p;
        size_t n;
        size_t avail_n;
        bool last;
        int rv = xfer_body_next(x, &p, &n, &last);
        if (rv)
            return rv;
        avail_n = n;
        if (n == 0 && !last)
            break; /* no input yet: the loop's poll() wakes us when it comes */
        if (n > H1_OUT_HIGH)
            n = H1_OUT_HIGH, last = false;
        if ((n = (size_t)ratelim_allow(cc, RATELIM_OUT, n)) == 0 && avail_n)
            break; /* --limit-rate: ratelim_timeout says when more may go */
        if (n < avail_n)
            last = false;
        rv = h->chunked_upload ? h1_write_chunk(&h->out, p, n) : buf_append(&h->out, p, n);
        if (rv == 0 && last && h->chunked_upload)
            rv = last_chunk(&cc->cl->cfg->req, &h->out);
        if (rv)
            return rv;
        xfer_body_advance(x, n, last);
        ratelim_spent(cc, RATELIM_OUT, n);
    }
    return 0;
}

/* The connection carried a request before this one and nothing of this response came: a
 * failure now is the server closing the kept-alive connection as we reused it, and the
 * request goes again on a new one (as after a clean close, on_eof). */
static bool reset_reused(const struct cconn *cc)
{
    return cc->nopened > 1 && cc->rbuf.len == 0 && cc->h1.phase != H1_BODY;
}

static bool send_request(struct cconn *cc)
{
    struct h1sess *h = &cc->h1;
    struct xfer *x = h->x;

    for (;;) {
        int rv;
        if (x->req.has_body && fill_body(cc, x) != 0) {
            reconnect(cc);
            return false;
        }
        if (h->out_off == h->out.len)
            break;
        rv = io_write(&cc->io, h->out.p + h->out_off, h->out.len - h->out_off);
        if (rv == H2E_INCOMPLETE)
            return true;
        if (rv < 0) {
            if (reset_reused(cc) && x->req.attempts < 2 &&
                xfer_retry(x, "a reset keep-alive connection", true)) {
                h->x = NULL;
                reconnect(cc);
                return false;
            }
            xfer_fail(x, rv, "%s", cc->io.detail);
            reconnect(cc);
            return false;
        }
        h->out_off += (size_t)rv;
        x->t.last_progress_ms = cc->cl->now;
        if (h->out_off == h->out.len) {
            buf_reset(&h->out);
            h->out_off = 0;
        }
    }
    if (!x->req.has_body || x->up.done)
        h->phase = H1_HEAD;
    return true;
}

static void done(struct cconn *cc)
{
    struct h1sess *h = &cc->h1;
    struct xfer *x = h->x;
    /* bytes after the response are no response to anything: start afresh */
    bool close = h->close_after || h->body.close || cc->rbuf.len > 0;

    if (!x)
        return;
    h->x = NULL;
    xfer_complete(x);
    if (close)
        reconnect(cc);
}

static int head(struct cconn *cc)
{
    struct h1sess *h = &cc->h1;
    struct xfer *x = h->x;
    struct h1_response r;
    struct h1_header *hdrs = xmalloc(H1_MAX_FIELDS * sizeof(*hdrs));
    size_t n = H1_MAX_FIELDS, i;
    struct h2e_info info = H2E_INFO_INIT;
    struct msg_field *f;
    char proto[16];
    int used = h1_parse_response(cc->rbuf.p, cc->rbuf.len, &r, hdrs, &n, &info), rv = used;

    if (used >= 0)
        rv = h1_body_framing(&r, hdrs, n, span_str(x->req.method), &h->body, &info);
    if (rv < 0) {
        if (rv != H2E_INCOMPLETE)
            xfer_fail(x, rv, "%s", info.why ? info.why : h2e_str(rv));
        free(hdrs);
        return rv;
    }
    vlog(cc->cl, "< HTTP/1.%d %d %.*s", r.minor_version, r.status, (int)r.reason.len,
         (const char *)r.reason.p);
    f = xmalloc((n ? n : 1) * sizeof(*f));
    for (i = 0; i < n; i++) {
        f[i].name = hdrs[i].name;
        f[i].value = hdrs[i].value;
        vlog_field(cc->cl, '<', f[i].name, f[i].value);
    }
    if (h->body.kind == H1_BODY_INFORMATIONAL) {
        buf_consume(&cc->rbuf, (size_t)used);
        free(f);
        free(hdrs);
        return 1; /* parse the next head */
    }
    snprintf(proto, sizeof(proto), "HTTP/1.%d", r.minor_version);
    if (h->body.kind == H1_BODY_SWITCH || h->body.kind == H1_BODY_TUNNEL) {
        xfer_fail(x, H2E_H1_INVALID, "unexpected %d response", r.status);
        used = H2E_H1_INVALID;
    } else if (xfer_on_headers(x, r.status, f, n, proto) != 0) {
        used = H2E_HTTP_ERROR; /* the transfer failed (e.g. --fail): drop the connection */
    }
    free(f);
    free(hdrs);
    if (used < 0)
        return used;
    buf_consume(&cc->rbuf, (size_t)used);
    h->body_left = h->body.length;
    h->phase = H1_BODY;
    h1_chunked_init(&h->chunked);
    return 0;
}

static int body_chunked(struct cconn *cc)
{
    struct h1sess *h = &cc->h1;

    while (cc->rbuf.len && !h->chunked.done) {
        struct h2e_info info = H2E_INFO_INIT;
        struct span data = {NULL, 0};
        size_t used = 0;
        int rv = h1_chunked_decode(&h->chunked, cc->rbuf.p, cc->rbuf.len, &used, &data, &info);
        if (rv == H2E_INCOMPLETE)
            return 0;
        if (rv < 0) {
            xfer_fail(h->x, rv, "bad chunked body: %s", info.why ? info.why : h2e_str(rv));
            return rv;
        }
        if (data.len && xfer_on_data(h->x, data.p, data.len) != 0)
            return H2E_WRITE;
        if (h->chunked.done && h->chunked.trailers.len > 2) {
            struct h1_header t[64];
            size_t nt = 64, i;
            struct msg_field f[64];
            if (h1_parse_headers(h->chunked.trailers.p, h->chunked.trailers.len, t, &nt, &info) >
                0) {
                for (i = 0; i < nt; i++) {
                    f[i].name = t[i].name;
                    f[i].value = t[i].value;
                }
                if (xfer_on_trailers(h->x, f, nt) != 0)
                    return H2E_WRITE; /* writing them out (-i, -D) failed the transfer */
            }
        }
        buf_consume(&cc->rbuf, used);
    }
    return h->chunked.done ? 1 : 0;
}

/* Deliver buffered body bytes; returns 1 when the body is complete. */
static int body(struct cconn *cc)
{
    struct h1sess *h = &cc->h1;
    size_t n = cc->rbuf.len;

    switch (h->body.kind) {
    case H1_BODY_NONE:
        return 1;
    case H1_BODY_CHUNKED:
        return body_chunked(cc);
    case H1_BODY_LENGTH:
        if (n > h->body_left)
            n = (size_t)h->body_left;
        h->body_left -= n;
        break;
    default:
        break;
    }
    if (n && xfer_on_data(h->x, cc->rbuf.p, n) != 0)
        return H2E_WRITE;
    buf_consume(&cc->rbuf, n);
    return h->body.kind == H1_BODY_LENGTH && h->body_left == 0;
}

/* Parse what is buffered; returns false when the connection was dropped. */
static bool process(struct cconn *cc)
{
    struct h1sess *h = &cc->h1;
    int rv = 0;

    while (h->x && (h->phase == H1_HEAD || h->phase == H1_BODY)) {
        if (h->phase == H1_HEAD) {
            rv = head(cc);
            if (rv == H2E_INCOMPLETE)
                return true;
            if (rv == 1)
                continue;
        } else {
            rv = body(cc);
            if (rv == 1) {
                done(cc);
                return cc->state == CC_H1;
            }
            if (rv == 0)
                return true;
        }
        if (rv < 0) {
            h->x = NULL;
            reconnect(cc);
            return false;
        }
    }
    return true;
}

/* The server closed the connection. */
static void on_eof(struct cconn *cc, bool got_any)
{
    struct h1sess *h = &cc->h1;
    struct xfer *x = h->x;
    const struct config *cfg = cc->cl->cfg;

    if (!x) {
        reconnect(cc);
        return;
    }
    if (h->phase == H1_BODY && h->body.kind == H1_BODY_CLOSE) {
        if (cc->io.unclean && !cfg->proto.allow_unclean_close) {
            xfer_fail(x, H2E_PARTIAL,
                      "connection closed without TLS close_notify after %llu "
                      "bytes: possible truncation (--allow-unclean-close accepts it)",
                      (unsigned long long)x->resp.body_bytes);
            h->x = NULL;
            reconnect(cc);
            return;
        }
        h->close_after = true;
        done(cc);
        return;
    }
    if (h->phase == H1_BODY)
        xfer_fail(x, H2E_PARTIAL, "connection closed with %llu body bytes received",
                  (unsigned long long)x->resp.body_bytes);
    else if (!got_any && x->req.attempts < 2 &&
             xfer_retry(x, "a closed keep-alive connection", true))
        ;
    else
        xfer_fail(x, got_any ? H2E_H1_INVALID : H2E_EMPTY_REPLY,
                  got_any ? "connection closed inside the response head"
                          : "server closed the connection without a response");
    h->x = NULL;
    reconnect(cc);
}

/* Read what the transport has (bounded per step) and parse it; with --limit-rate, no
 * faster than the run's rate (RFC 9112 has no flow control: the server's writes block
 * once the socket buffers are full), unless `force`: poll reported an error or hang-up,
 * which only a read clears. */
static void read_input(struct cconn *cc, bool force)
{
    size_t budget = 4 * CCONN_READ_CHUNK;

    while (budget && cc->state == CC_H1 && cc->h1.x) {
        size_t want =
            force ? CCONN_READ_CHUNK : (size_t)ratelim_allow(cc, RATELIM_IN, CCONN_READ_CHUNK);
        int rv;
        if (!want)
            return;
        if (buf_reserve(&cc->rbuf, CCONN_READ_CHUNK) != 0) {
            xfer_fail(cc->h1.x, H2E_LIMIT_HEADER_LIST, "response head too large");
            cc->h1.x = NULL;
            reconnect(cc);
            return;
        }
        rv = io_read(&cc->io, cc->rbuf.p + cc->rbuf.len, want);
        if (rv == H2E_INCOMPLETE)
            return;
        if (rv > 0)
            ratelim_spent(cc, RATELIM_IN, (uint64_t)rv);
        if (rv < 0 && reset_reused(cc)) { /* the server closed it as we reused it */
            on_eof(cc, false);
            return;
        }
        if (rv <= 0) {
            if (rv < 0) {
                xfer_fail(cc->h1.x, rv, "%s", cc->io.detail);
                cc->h1.x = NULL;
                reconnect(cc);
            } else {
                on_eof(cc, cc->rbuf.len > 0 || cc->h1.phase == H1_BODY);
            }
            return;
        }
        cc->rbuf.len += (size_t)rv;
        budget -= (size_t)rv < budget ? (size_t)rv : budget;
        cc->h1.x->t.last_progress_ms = cc->cl->now;
        if (!process(cc))
            return;
    }
}

/* Nothing is in flight: what arrives is a TLS session ticket (GnuTLS takes it and asks to
 * read again), the server closing the idle connection, or bytes nobody asked for; all but
 * the first end this connection (a new one is made for the next request). */
static void idle_input(struct cconn *cc)
{
    uint8_t junk[64];
    int rv = io_read(&cc->io, junk, sizeof(junk));

    if (rv == H2E_INCOMPLETE)
        return;
    vlog(cc->cl, "%s",
         rv > 0 ? "unexpected bytes on an idle connection: closing it"
                : "the server closed the idle connection");
    reconnect(cc);
}

void sess_h1_step(struct cconn *cc, short revents)
{
    struct h1sess *h = &cc->h1;

    if (h->broken) { /* the request was failed from outside (timeout): start afresh */
        reconnect(cc);
        return;
    }
    if (!h->x && cc->npending && route_may_start(cc->cl, cc)) {
        struct xfer *x = cconn_peek(cc);
        if (x) {
            cconn_activate(cc, x);
            start(cc, x);
        }
    }
    if (!h->x) {
        if ((revents & (POLLIN | POLLHUP | POLLERR)) || io_pending(&cc->io))
            idle_input(cc);
        return;
    }
    if (h->phase == H1_SEND && !send_request(cc))
        return;
    if (h->phase != H1_SEND && process(cc))
        read_input(cc, (revents & (POLLERR | POLLHUP)) != 0);
}

short sess_h1_events(struct cconn *cc)
{
    struct h1sess *h = &cc->h1;
    short ev = io_poll_events(&cc->io);

    if (!h->x) /* step again at once when a waiting request may start now */
        return h->broken || (cc->npending && route_could_start(cc->cl, cc)) ? -1 : POLLIN;
    if (h->phase == H1_SEND) /* nothing to write: the body waits for stdin (polled too) */
        return (short)(ev | (h->out_off < h->out.len ? POLLOUT : POLLIN));
    /* reading waits for --limit-rate's tokens: readable input would only wake us early */
    return (short)(ev | (cc->rl[RATELIM_IN].want ? 0 : POLLIN));
}
