/* SPDX-License-Identifier: MIT */
/*
 * Tunnels over an HTTP/2 proxy: each one a CONNECT stream (RFC 9113 §8.5) of the one
 * connection to the proxy. The stream's DATA fill a receive buffer the origin connection
 * reads through an io, the credit going back to the proxy as it reads (so the stream
 * window bounds the buffer); what the origin writes waits in a send buffer the proxy
 * session drains within the stream's window. END_STREAM is the tunnel's FIN both ways,
 * RST_STREAM its reset. Called from the proxy connection's HTTP/2 session (sess_h2.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/h2.h"
#include "cconn.h"
#include "codec/hpack.h"
#include "pconn_int.h"
#include "run.h"
#include "sys/xalloc.h"
#include "via.h"
#include "vlog.h"

static struct pconn_tun *tun_of(const struct io *io)
{
    return io->impl;
}

/* --- the tunnel as an io: over a CONNECT stream --------------------------------------- */

/* The stream can carry nothing more (reset, or its connection is gone). */
static bool broken(const struct pconn_tun *t)
{
    return t->reset || !t->px;
}

static int stream_read(struct io *io, void *p, size_t n)
{
    struct pconn_tun *t = tun_of(io);
    size_t avail = t->rbuf.len - t->roff;

    if (avail) {
        if (n > avail)
            n = avail;
        memcpy(p, t->rbuf.p + t->roff, n);
        t->roff += n;
        if (t->roff == t->rbuf.len) {
            buf_reset(&t->rbuf);
            t->roff = 0;
        }
        if (t->px && !t->reset) {
            h2c_consume(t->px->h2, t->sid, n); /* the window reopens as the user reads */
            pconn_wake(t);
        }
        return (int)n;
    }
    if (t->peer_ended) {
        io->eof = true;
        return 0;
    }
    return broken(t) ? pconn_gone(io, H2E_RECV) : H2E_INCOMPLETE;
}

static int stream_write(struct io *io, const void *p, size_t n)
{
    struct pconn_tun *t = tun_of(io);
    size_t room;

    if (broken(t) || t->end_sent)
        return pconn_gone(io, H2E_SEND);
    if (t->woff && t->woff == t->wbuf.len) {
        buf_reset(&t->wbuf);
        t->woff = 0;
    } else if (t->woff > TUN_SEND_MAX / 2) {
        buf_consume(&t->wbuf, t->woff);
        t->woff = 0;
    }
    room = TUN_SEND_MAX - t->wbuf.len;
    if (room == 0)
        return H2E_INCOMPLETE; /* the proxy session wakes the loop as it drains it */
    if (n > room)
        n = room;
    buf_append(&t->wbuf, p, n);
    pconn_wake(t);
    return (int)n;
}

/* Done with the stream once both sides ended it or it was reset. */
bool pconn_stream_done(const struct pconn_tun *t)
{
    enum h2c_stream_status st = h2c_stream_status(t->px->h2, t->sid);
    return st == H2C_SS_CLOSED || st == H2C_SS_RESET || st == H2C_SS_IDLE;
}

/* The user closed it: what it wrote still goes out, then END_STREAM (its FIN). */
static void stream_close(struct io *io)
{
    struct pconn_tun *t = tun_of(io);

    t->user_gone = true;
    if (!t->px) {
        pconn_tun_free(t);
        return;
    }
    if (t->reset || pconn_stream_done(t))
        pconn_detach(t);
    else
        pconn_wake(t);
}

static int stream_describe(const struct io *io, char *buf, size_t cap)
{
    const struct pconn_tun *t = tun_of(io);
    return snprintf(buf, cap, "tunnel to %s via %s (HTTP/2 stream %u)", t->authority, t->via->name,
                    t->sid);
}

static short stream_events(const struct io *io)
{
    (void)io;
    return 0; /* no socket of its own: the proxy session wakes the loop (cl->wake) */
}

static size_t stream_pending(const struct io *io)
{
    const struct pconn_tun *t = tun_of(io);
    /* the end (or a reset) counts: the next read reports it without waiting */
    return t->rbuf.len - t->roff + (t->peer_ended || broken(t) ? 1 : 0);
}

/* A half-close: what was written still goes out, then END_STREAM (RFC 9113 §8.5: the
 * proxy passes it on as a FIN); reading goes on. */
static int stream_shutdown(struct io *io)
{
    struct pconn_tun *t = tun_of(io);

    if (broken(t))
        return pconn_gone(io, H2E_SEND);
    t->user_shut = true;
    pconn_wake(t);
    return 0;
}

static const struct io_ops stream_ops = {stream_read,     stream_write,  stream_close,
                                         stream_describe, stream_events, stream_pending,
                                         stream_shutdown};

void pconn_stream_io(struct io *io, struct pconn_tun *t)
{
    io_init_ops(io, &stream_ops, -1, t);
}

/* --- the proxy side: CONNECT streams over HTTP/2 -------------------------------------- */

static void add_field(struct hpack_field *f, size_t *n, struct span name, struct span value,
                      uint8_t flags)
{
    memset(&f[*n], 0, sizeof(f[*n]));
    f[*n].name = name;
    f[*n].value = value;
    f[*n].flags = flags;
    (*n)++;
}

/* The user's --proxy-header `name`, if any. */
static bool user_has(const struct config *cfg, const char *name)
{
    size_t i;

    for (i = 0; i < cfg->proxy.nheaders; i++)
        if (span_ieq_str(cfg->proxy.headers[i].name, name))
            return true;
    return false;
}

/* RFC 9113 §8.5: ":method" CONNECT and ":authority" only, no ":scheme" or ":path". */
static size_t connect_fields(const struct cconn *px, const struct pconn_tun *t,
                             struct hpack_field *f)
{
    const struct config *cfg = px->cl->cfg;
    size_t n = 0, i;

    add_field(f, &n, span_str(":method"), span_str("CONNECT"), 0);
    add_field(f, &n, span_str(":authority"), span_str(t->authority), 0);
    if (t->via->basic && !user_has(cfg, "proxy-authorization"))
        add_field(f, &n, span_str("proxy-authorization"), span_str(t->via->basic),
                  HPACK_FIELD_SENSITIVE); /* RFC 7541 §7.1.3: never indexed */
    if (*cfg->req.user_agent && !user_has(cfg, "user-agent"))
        add_field(f, &n, span_str("user-agent"), span_str(cfg->req.user_agent), 0);
    for (i = 0; i < cfg->proxy.nheaders; i++)
        if (!cfg->proxy.headers[i].remove)
            add_field(f, &n, cfg->proxy.headers[i].name, cfg->proxy.headers[i].value,
                      span_ieq_str(cfg->proxy.headers[i].name, "proxy-authorization")
                          ? HPACK_FIELD_SENSITIVE
                          : 0);
    return n;
}

static void submit_connect(struct cconn *px, struct pconn_tun *t)
{
    struct hpack_field *f = xcalloc(px->cl->cfg->proxy.nheaders + 4, sizeof(*f));
    struct h2c_request req;
    size_t n = connect_fields(px, t, f), i;
    int64_t sid;

    memset(&req, 0, sizeof(req));
    req.fields = f;
    req.nfields = n;
    req.user = t;
    sid = h2c_submit(px->h2, &req);
    if (sid < 0) {
        pconn_fail(t, (int)sid, "proxy %s: cannot open a CONNECT stream: %s", px->via->name,
                   h2e_str((int)sid));
    } else {
        t->sid = (uint32_t)sid;
        px->nopened++;
        vlog(px->cl, "CONNECT %s on stream %u of proxy %s", t->authority, t->sid, px->via->name);
        for (i = 0; i < n; i++)
            vlog_field(px->cl, '>', f[i].name,
                       f[i].flags & HPACK_FIELD_SENSITIVE ? span_str("[masked]") : f[i].value);
    }
    free(f);
}

void pconn_h2_submit(struct cconn *px)
{
    size_t i;

    for (i = 0; i < px->ntuns; i++) {
        struct pconn_tun *t = px->tuns[i];
        if (t->sid || t->result != H2E_INCOMPLETE)
            continue;
        if (!h2c_can_submit(px->h2))
            return;
        submit_connect(px, t);
    }
}

/* Send what `t`'s user wrote, then END_STREAM once the user is gone. */
static size_t pump_one(struct cconn *px, struct pconn_tun *t)
{
    size_t queued = 0;

    while (t->woff < t->wbuf.len) {
        int64_t took =
            h2c_send_data(px->h2, t->sid, t->wbuf.p + t->woff, t->wbuf.len - t->woff, false);
        if (took <= 0)
            break;
        t->woff += (size_t)took;
        queued += (size_t)took;
        pconn_wake(t); /* room again for the user */
    }
    if ((t->user_gone || t->user_shut) && t->woff == t->wbuf.len && !t->end_sent) {
        t->end_sent = h2c_send_data(px->h2, t->sid, NULL, 0, true) >= 0;
        queued++;
    }
    return queued;
}

size_t pconn_h2_pump(struct cconn *px)
{
    size_t i, queued = 0;

    for (i = 0; i < px->ntuns; i++) {
        struct pconn_tun *t = px->tuns[i];
        if (t->sid && t->result == 0 && !t->reset)
            queued += pump_one(px, t);
    }
    for (i = px->ntuns; i-- > 0;) { /* streams done and let go of */
        struct pconn_tun *t = px->tuns[i];
        if (t->user_gone && t->sid && (t->reset || pconn_stream_done(t)))
            pconn_detach(t);
    }
    return queued;
}

bool pconn_h2_busy(const struct cconn *px)
{
    size_t i;

    for (i = 0; i < px->ntuns; i++) {
        const struct pconn_tun *t = px->tuns[i];
        if (!t->sid || t->result != 0 || t->reset)
            continue;
        if (t->woff < t->wbuf.len && h2c_send_window(px->h2, t->sid) > 0)
            return true;
        if ((t->user_gone || t->user_shut) && !t->end_sent && t->woff == t->wbuf.len)
            return true;
    }
    return false;
}

static struct pconn_tun *by_stream(struct cconn *px, uint32_t sid)
{
    size_t i;

    for (i = 0; sid && i < px->ntuns; i++)
        if (px->tuns[i]->sid == sid)
            return px->tuns[i];
    return NULL;
}

static int status_of(const struct hpack_list *l)
{
    size_t i;

    for (i = 0; i < l->count; i++)
        if (span_eq_str(l->fields[i].name, ":status") && l->fields[i].value.len == 3)
            return (l->fields[i].value.p[0] - '0') * 100 + (l->fields[i].value.p[1] - '0') * 10 +
                   (l->fields[i].value.p[2] - '0');
    return 0;
}

static void on_answer(struct cconn *px, struct pconn_tun *t, const struct h2c_event *ev)
{
    size_t i;

    t->status = status_of(ev->fields);
    for (i = 0; i < ev->fields->count; i++)
        vlog_field(px->cl, '<', ev->fields->fields[i].name, ev->fields->fields[i].value);
    if (t->status / 100 == 2) {
        vlog(px->cl, "CONNECT to %s answered %d: tunnel open on stream %u", t->authority, t->status,
             t->sid);
        pconn_opened(t);
        return;
    }
    pconn_fail(t, H2E_PROXY_TUNNEL, "proxy %s: CONNECT to '%s' answered %d%s", px->via->name,
               t->authority, t->status,
               t->status != 407   ? ""
               : t->via->has_user ? " (the proxy refused the credentials)"
                                  : " (the proxy wants credentials: -U USER:PASSWORD)");
    h2c_reset_stream(px->h2, t->sid, H2_CANCEL); /* its error page is of no use */
}

static void on_data(struct cconn *px, struct pconn_tun *t, const struct h2c_event *ev)
{
    if (t->result != 0 || t->user_gone) {
        h2c_consume(px->h2, t->sid, ev->data.len); /* nobody reads it */
        return;
    }
    if (t->roff && t->roff == t->rbuf.len) {
        buf_reset(&t->rbuf);
        t->roff = 0;
    } else if (t->roff && buf_reserve(&t->rbuf, ev->data.len) != 0) {
        buf_consume(&t->rbuf, t->roff);
        t->roff = 0;
    }
    /* the stream window (RFC 9113 §6.9) bounds what is unread, so this fits */
    if (buf_append(&t->rbuf, ev->data.p, ev->data.len) != 0)
        h2c_reset_stream(px->h2, t->sid, H2_FLOW_CONTROL_ERROR);
    pconn_wake(t);
}

static void on_reset(struct cconn *px, struct pconn_tun *t, const struct h2c_event *ev)
{
    const char *name = h2_wire_error_name(ev->wire);

    pconn_fail(t, H2E_PROXY_TUNNEL, "proxy %s: %s the CONNECT stream for '%s' (%s)", px->via->name,
               ev->local ? "h2get reset" : "the proxy reset", t->authority,
               name ? name : "unknown");
    if (!t->reset) {
        t->reset = true;
        free(t->detail);
        t->detail = xasprintf("%s reset the tunnel to %s through %s (%s)",
                              ev->local ? "h2get" : "the proxy", t->authority, px->via->name,
                              name ? name : "unknown");
    }
    pconn_wake(t);
}

bool pconn_h2_event(struct cconn *px, const struct h2c_event *ev)
{
    struct pconn_tun *t = by_stream(px, ev->stream_id);

    if (!t)
        return false;
    switch (ev->type) {
    case H2C_EV_HEADERS:
        on_answer(px, t, ev);
        break;
    case H2C_EV_DATA:
        on_data(px, t, ev);
        break;
    case H2C_EV_END_STREAM:
        t->peer_ended = true; /* the tunnel's FIN */
        pconn_fail(t, H2E_PROXY_TUNNEL, "proxy %s: the CONNECT stream for '%s' ended unanswered",
                   px->via->name, t->authority);
        pconn_wake(t);
        break;
    case H2C_EV_RESET:
        on_reset(px, t, ev);
        break;
    default:
        break;
    }
    return true;
}
