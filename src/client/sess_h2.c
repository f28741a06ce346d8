/* SPDX-License-Identifier: MIT */
/*
 * An HTTP/2 session on one connection: submits the connection's transfers as streams
 * within the server's concurrency limit, pumps request bodies, moves bytes between the
 * transport and the sans-I/O connection (conn.c), and turns its events into transfer
 * progress, completion, retries and errors. Once every stream is done, closes gracefully:
 * GOAWAY(NO_ERROR) and a PING, then reads on for a bounded time (finish()).
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "base/h2.h"
#include "cconn.h"
#include "duplex.h"
#include "order.h"
#include "pconn.h"
#include "proto/conn_feed.h"
#include "ratelim.h"
#include "route.h"
#include "run.h"
#include "sess_h2_body.h"
#include "sess_h2_setup.h"
#include "sys/clock.h"
#include "sys/diag.h"
#include "sys/xalloc.h"
#include "vlog.h"
#include "xfer.h"

int sess_h2_start(struct cconn *cc)
{
    struct h2f_setting set[LIMIT_SETTINGS_ENTRIES];
    struct h2c_config cfg;

    h2c_config_init(&cfg, &xalloc_mem);
    /* ordered stdout: streams that are not first in line get a small window, so what must
     * be held stays small; the first in line is boosted (order.c) */
    if (cc->cl->ordered && !cc->is_proxy) /* tunnels are never held */
        cfg.stream_window = CLIENT_HELD_WINDOW;
    if (!cc->is_proxy) /* a tunnel's bytes are counted by the connection inside it */
        sess_h2_pace(cc->cl->cfg, &cfg);
    /* DATA taken in pieces as it comes (feed_packet); a trace still sees whole frames */
    cfg.data_in_pieces = true;
    sess_h2_config(cc->cl->cfg, &cfg, set);
    sess_h2_observe(&cfg, cc->cl->trace, cc->id);
    cc->h2 = h2c_new(&cfg);
    if (!cc->h2)
        return H2E_NOMEM;
    trace_h2_conn(cc->cl->trace, cc->id, cc->h2, &cfg);
    return sess_h2_pings(cc->h2, cc->cl->cfg->h2.ping, cc->cl->trace, cc->id);
}

/* The transfer still running on stream `sid` of `cc`, or NULL. */
static struct xfer *by_stream(struct cconn *cc, uint32_t sid)
{
    size_t i;
    for (i = 0; i < cc->nact; i++)
        if (cc->act[i]->stream_id == sid)
            return cc->act[i]->phase == XFER_SENT ? cc->act[i] : NULL;
    return NULL;
}

/* The first in line waits for a stream this connection cannot open while the streams it
 * has are held back for ordered output: let those run to their end (order.c spills what
 * they hold to a file), so that they close and make room. */
static void release_held(struct cconn *cc)
{
    size_t i;

    for (i = 0; i < cc->nact; i++) {
        struct xfer *x = cc->act[i];
        if (!x->out.released) {
            x->out.released = true;
            x->t.last_progress_ms = cc->cl->now;
            order_boost(x);
        }
    }
}

/* Streams this connection may have open: the server's limit (h2c_can_submit), ours
 * (--parallel-max-host, --max-concurrent-streams; with ordered output the first in line
 * may pass them by one) and the run's (client_may_start). */
static bool room(struct cconn *cc, bool take)
{
    const struct config *cfg = cc->cl->cfg;
    size_t cap = (size_t)cfg->multi.parallel_max_host;
    const struct xfer *first = route_first_waiting(cc->cl);
    bool first_here = first && first->conn == cc && cc->cl->ordered;

    if (cfg->h2.max_concurrent_streams && cfg->h2.max_concurrent_streams < cap)
        cap = cfg->h2.max_concurrent_streams;
    if ((cc->nact < cap || first_here) && h2c_can_submit(cc->h2)) {
        if (!take)
            return route_could_start(cc->cl, cc);
        if (route_may_start(cc->cl, cc))
            return true;
        cc->held_back = true; /* by the run's limits, not by the server */
        return false;
    }
    if (first_here && take)
        release_held(cc);
    return false;
}

static void submit_pending(struct cconn *cc)
{
    struct xfer *x;

    while (cc->npending && room(cc, true) && (x = cconn_peek(cc)) != NULL) {
        struct hpack_field *fields;
        size_t n;
        struct buf store;
        struct h2c_request req;
        int64_t sid;

        buf_init(&store, &xalloc_mem, 1u << 20);
        if (xfer_h2_fields(x, &fields, &n, &store) != 0) {
            buf_release(&store);
            continue; /* it failed, reported: cconn_peek passes it by */
        }
        req.fields = fields;
        req.nfields = n;
        req.end_stream = !x->req.has_body;
        req.user = x;
        sid = h2c_submit(cc->h2, &req);
        free(fields);
        buf_release(&store);
        if (sid < 0) {
            xfer_fail(x, (int)sid, "cannot open a stream");
            continue;
        }
        cconn_activate(cc, x);
        x->stream_id = (uint32_t)sid;
        x->conn_id = cc->id;
        cconn_hold(x, cc);
        x->t.sent = clock_us();
        x->req.attempts++;
        cc->nopened++;
        x->t.last_progress_ms = cc->cl->now;
        trace_stream(cc->cl->trace, cc->id, x->stream_id, x->index, TRACE_STREAM_SENT, NULL);
    }
}

static void fields_of(const struct hpack_list *l, struct msg_field **out)
{
    size_t i;
    *out = xmalloc((l->count ? l->count : 1) * sizeof(**out));
    for (i = 0; i < l->count; i++) {
        (*out)[i].name = l->fields[i].name;
        (*out)[i].value = l->fields[i].value;
    }
}

/* :status was checked by msg.c: three digits. */
static int status_of(struct span v)
{
    return v.len == 3 ? (v.p[0] - '0') * 100 + (v.p[1] - '0') * 10 + (v.p[2] - '0') : 0;
}

static void on_headers(struct cconn *cc, struct xfer *x, const struct h2c_event *ev)
{
    struct msg_field *f;
    int status = 0;
    size_t i;

    fields_of(ev->fields, &f);
    if (ev->type == H2C_EV_TRAILERS)
        vlog(cc->cl, "trailers of stream %u after %llu body bytes:", ev->stream_id,
             (unsigned long long)x->resp.body_bytes);
    for (i = 0; i < ev->fields->count; i++)
        vlog_field(cc->cl, '<', f[i].name, f[i].value);
    if (ev->type == H2C_EV_INFORMATIONAL) {
        free(f);
        return;
    }
    if (ev->type == H2C_EV_TRAILERS) {
        xfer_on_trailers(x, f, ev->fields->count); /* a failure reports it: RST then */
        free(f);
        return;
    }
    for (i = 0; i < ev->fields->count; i++)
        if (span_eq_str(f[i].name, ":status"))
            status = status_of(f[i].value);
    xfer_on_headers(x, status, f, ev->fields->count, "HTTP/2"); /* likewise */
    free(f);
}

/* The stream of `x` ended abnormally and will not be retried: its one error line. */
static void fail_reset(struct cconn *cc, struct xfer *x, const struct h2c_event *ev,
                       const char *name)
{
    const char *why = ev->why ? ev->why : h2e_str(ev->code);
    char field[DIAG_ESCAPE_CAP];

    if (ev->local && h2e_is_fatal(ev->code))
        xfer_fail(x, ev->code, "%s; we sent GOAWAY(%s)", why, name);
    else if (ev->local && ev->field.len)
        xfer_fail(x, ev->code, "%s: field '%s' on stream %u; we sent RST_STREAM(%s)", why,
                  diag_escape(field, sizeof(field), ev->field), ev->stream_id, name);
    else if (ev->local)
        xfer_fail(x, ev->code, "%s on stream %u; we sent RST_STREAM(%s)", why, ev->stream_id, name);
    else if (ev->code == H2E_PEER_GOAWAY)
        xfer_fail(x, ev->code,
                  "server sent GOAWAY(%s, last-stream-id %u, debug '%s'); stream %u "
                  "was not processed",
                  name, cc->goaway.last, cc->goaway.debug, ev->stream_id);
    else
        xfer_fail(x, ev->code, "server sent RST_STREAM(%s) on stream %u", name, ev->stream_id);
}

static void on_reset(struct cconn *cc, struct xfer *x, const struct h2c_event *ev)
{
    const char *name = h2_wire_error_name(ev->wire);
    char code[16];

    if (!ev->local && ev->code == H2E_PEER_RST_STREAM) {
        x->resp.got_rst = true;
        x->resp.rst_wire = ev->wire;
    }
    if (!name) {
        snprintf(code, sizeof(code), "0x%x", ev->wire);
        name = code;
    }
    /* not processed (RFC 9113 §8.7): after GOAWAY, on a connection opened after this one;
     * after REFUSED_STREAM too (a server that refuses a stream is usually shedding load
     * and may close without GOAWAY next; curl and Go's transport do the same), unless the
     * stream was over the limit the server has now told us (§5.1.2: opened before its
     * SETTINGS arrived): then it waits on this connection for room */
    if (ev->unprocessed && xfer_retry(x, ev->code == H2E_PEER_GOAWAY ? "GOAWAY" : name,
                                      ev->code == H2E_PEER_GOAWAY || h2c_is_closing(cc->h2) ||
                                          !h2c_at_peer_limit(cc->h2)))
        return;
    if (!ev->local && ev->wire == H2_HTTP_1_1_REQUIRED && !x->req.force_h1) {
        x->req.force_h1 = true;
        if (xfer_retry(x, "HTTP_1_1_REQUIRED", true))
            return;
    }
    fail_reset(cc, x, ev, name);
}

static void on_goaway(struct cconn *cc, const struct h2c_event *ev)
{
    const char *name = h2_wire_error_name(ev->wire);

    cc->goaway.got = true;
    cc->goaway.wire = ev->wire;
    cc->goaway.last = ev->last_stream_id;
    diag_escape(cc->goaway.debug, sizeof(cc->goaway.debug), ev->debug);
    vlog(cc->cl, "server sent GOAWAY(%s, last-stream-id %u, debug '%s')", name ? name : "unknown",
         ev->last_stream_id, cc->goaway.debug);
}

/* Body bytes for `x` (NULL when its transfer left): out, and the credit back. */
static void on_data(struct cconn *cc, struct xfer *x, const struct h2c_event *ev)
{
    if (x)
        xfer_on_data(x, ev->data.p, ev->data.len); /* a failure reports it: RST then */
    if (x && duplex_to_stdout(x))
        duplex_on_data(cc, x, ev->data.len); /* credit as stdout takes it */
    else if (x && order_holds(x))
        h2c_consume_conn(cc->h2, ev->data.len); /* held: the stream waits its turn */
    else
        h2c_consume(cc->h2, ev->stream_id, ev->data.len);
    if (x && cc->cl->ordered && x->index == cc->cl->fin && x->resp.state == XFER_RESP_HEADERS)
        order_boost(x);
}

/* --limit-rate: the connection credit owed for bytes already taken goes back as the
 * run's rate allows (RFC 9113 §6.9: a receiver need not grant credit at once); the server
 * can then send no faster. Granted a chunk at a time, so that a WINDOW_UPDATE is worth
 * its wake-up; pace_chunk stays under half the window, so the server is never left with
 * too little window to make up a chunk. */
static void grant_credit(struct cconn *cc)
{
    uint64_t n = ratelim_allow(cc, RATELIM_IN, h2c_credit_owed(cc->h2));

    if (n)
        ratelim_spent(cc, RATELIM_IN, h2c_grant_credit(cc->h2, n));
}

/* --duplex: what stdout took since the last step is credited back to its stream. */
static void step_duplex(struct cconn *cc)
{
    size_t i;

    for (i = 0; i < cc->nact; i++)
        if (duplex_to_stdout(cc->act[i]))
            duplex_step(cc, cc->act[i]);
}

/* The PING sent with our GOAWAY (finish). */
static const uint8_t bye_opaque[8] = {'h', '2', 'g', 'e', 't', 'b', 'y', 'e'};

/* What every event is seen by, whoever it is for: the trace, and the close (finish()). */
static void observe(struct cconn *cc, const struct h2c_event *ev)
{
    trace_h2_event(cc->cl->trace, cc->id, ev);
    if (ev->type == H2C_EV_PING_ACK && cc->linger_end && !memcmp(ev->ping, bye_opaque, 8))
        cc->bye_acked = true;
}

static void handle_event(struct cconn *cc, const struct h2c_event *ev)
{
    struct xfer *x = ev->user;

    observe(cc, ev);
    if (cc->is_proxy) { /* its streams are tunnels (pconn.c): `user` is not a transfer */
        if (!pconn_h2_event(cc, ev) && ev->type == H2C_EV_GOAWAY)
            on_goaway(cc, ev);
        return;
    }
    if (x && (x->conn != cc || x->phase != XFER_SENT || x->stream_id != ev->stream_id))
        x = by_stream(cc, ev->stream_id);
    if (x)
        x->t.last_progress_ms = cc->cl->now;
    switch (ev->type) {
    case H2C_EV_HEADERS:
    case H2C_EV_INFORMATIONAL:
    case H2C_EV_TRAILERS:
        if (x)
            on_headers(cc, x, ev);
        break;
    case H2C_EV_DATA:
        on_data(cc, x, ev);
        break;
    case H2C_EV_END_STREAM:
        if (x && x->req.has_body && !x->up.done) { /* the response came first: stop sending */
            h2c_reset_stream(cc->h2, ev->stream_id, H2_CANCEL);
            if (x->cl->cfg->req.duplex)
                diag_warn("the response ended before the input: %llu input bytes were sent, "
                          "the rest was not read",
                          (unsigned long long)x->up.sent);
        }
        if (x)
            xfer_complete(x);
        break;
    case H2C_EV_RESET:
        if (x)
            on_reset(cc, x, ev);
        break;
    case H2C_EV_GOAWAY:
        on_goaway(cc, ev);
        break;
    default:
        break;
    }
}

/* Feed buffered input (from `rpos`) to the connection; returns false once it failed. */
static bool process_input(struct cconn *cc)
{
    size_t off = cc->rpos;
    bool ok = true;

    while (off < cc->rbuf.len) {
        struct h2e_info info = H2E_INFO_INIT;
        struct h2c_event ev;
        int rv = h2c_recv(cc->h2, cc->rbuf.p + off, cc->rbuf.len - off, &info);
        while (h2c_next_event(cc->h2, &ev))
            handle_event(cc, &ev);
        if (rv < 0) {
            vlog(cc->cl, "connection error: %s", info.why ? info.why : h2e_str(rv));
            ok = false;
            break;
        }
        if (rv == 0)
            break;
        off += (size_t)rv;
    }
    if (off == cc->rbuf.len) /* all of it: the common case after a read */
        buf_reset(&cc->rbuf), off = 0;
    cc->rpos = off; /* a partial frame: kept in place, moved only for room */
    return ok;
}

/* Write what the connection has queued; false on a transport error. */
/* Write the connection's output; with `unit`, whole units only, and a smaller tail waits
 * for the bytes that follow (io_write_unit). 1: written, 0: the transport is full, -1: the
 * connection died. */
static int write_output(struct cconn *cc, size_t unit)
{
    for (;;) {
        struct span o = h2c_output(cc->h2);
        size_t n = unit ? o.len - o.len % unit : o.len;
        int rv;
        if (!n)
            return 1;
        rv = io_write(&cc->io, o.p, n);
        if (rv == H2E_INCOMPLETE)
            return 0;
        if (rv < 0) {
            cconn_fail_all(cc, rv, "%s", cc->io.detail);
            return -1;
        }
        h2c_output_done(cc->h2, (size_t)rv);
    }
}

static bool flush_output(struct cconn *cc)
{
    return write_output(cc, 0) >= 0;
}

/* The connection cannot go on after what it was fed. */
static bool input_failed(struct cconn *cc)
{
    cconn_requeue_all(cc);
    flush_output(cc);
    cconn_fail_all(cc, H2E_PROTOCOL, "connection ended");
    return false;
}

/* The transport ended: every stream still open failed (PROMISES.md: 18 once the body
 * started, 52 when the server never sent a byte). */
static void on_eof(struct cconn *cc)
{
    size_t i;

    cconn_requeue_all(cc);
    for (i = 0; i < cc->nact; i++) {
        struct xfer *x = cc->act[i];
        if (xfer_over(x))
            continue;
        if (!h2c_received_anything(cc->h2))
            xfer_fail(x, H2E_EMPTY_REPLY, "server closed the connection without a response");
        else if (cc->goaway.got && cc->goaway.wire != H2_NO_ERROR)
            xfer_fail(x, H2E_PEER_GOAWAY,
                      "server sent GOAWAY(%s, last-stream-id %u, debug '%s')"
                      " and closed the connection before stream %u ended",
                      h2_wire_error_name(cc->goaway.wire) ? h2_wire_error_name(cc->goaway.wire)
                                                          : "unknown",
                      cc->goaway.last, cc->goaway.debug, x->stream_id);
        else if (x->resp.state != XFER_RESP_NONE)
            xfer_fail(x, H2E_PARTIAL, "connection closed after %llu body bytes of stream %u%s",
                      (unsigned long long)x->resp.body_bytes, x->stream_id,
                      cc->io.unclean ? " (no TLS close_notify)" : "");
        else
            xfer_fail(x, H2E_RECV, "connection closed before the response to stream %u",
                      x->stream_id);
    }
    cconn_fail_all(cc, H2E_RECV, "connection closed");
}

/* A read brought no bytes: wait for more (true), or the transport ended or failed. */
static bool read_ended(struct cconn *cc, int rv)
{
    if (rv == H2E_INCOMPLETE)
        return true;
    process_input(cc);
    if (rv == 0)
        on_eof(cc);
    else
        cconn_fail_all(cc, rv, "%s", cc->io.detail);
    return false;
}

/* Bytes came in: a closing connection's idle deadline moves on. */
static void got_input(struct cconn *cc)
{
    if (cc->linger_end && cc->linger_idle != UINT64_MAX)
        cc->linger_idle = cc->cl->now + LIMIT_CLOSE_IDLE_MS;
}

/* Feed one decrypted record, read in place, to the connection: frames are taken straight
 * out of it and only a frame that spans records is put together in `rbuf` (conn_feed.c),
 * so a body's bytes go from GnuTLS's buffer to the output uncopied. False once it failed. */
static bool feed_packet(struct cconn *cc, const uint8_t *p, size_t n)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct h2c_feed f;
    struct h2c_event ev;
    int rv;

    if (cc->rpos) { /* left by a read through io_read: all of rbuf is unread input here */
        buf_consume(&cc->rbuf, cc->rpos);
        cc->rpos = 0;
    }
    h2c_feed_init(&f, p, n, &cc->rbuf);
    do {
        rv = h2c_feed_step(cc->h2, &f, &info);
        while (h2c_next_event(cc->h2, &ev))
            handle_event(cc, &ev);
    } while (rv > 0);
    if (rv < 0)
        vlog(cc->cl, "connection error: %s", info.why ? info.why : h2e_str(rv));
    return rv == 0;
}

/* TLS: read records in place (bounded per step), feeding the connection. */
static bool read_packets(struct cconn *cc)
{
    size_t budget = 4 * CCONN_READ_CHUNK;

    while (budget) {
        const uint8_t *p;
        int rv = io_read_packet(&cc->io, &p);
        if (rv <= 0)
            return read_ended(cc, rv);
        cc->rx_step += (size_t)rv;
        budget -= (size_t)rv < budget ? (size_t)rv : budget;
        got_input(cc);
        if (!feed_packet(cc, p, (size_t)rv))
            return input_failed(cc);
    }
    return true;
}

/* Read what the transport has (bounded per step), feeding the connection. */
static bool read_input(struct cconn *cc)
{
    size_t budget = 4 * CCONN_READ_CHUNK;

    cc->rx_step = 0;
    if (io_has_packets(&cc->io))
        return read_packets(cc);
    while (budget) {
        int rv;
        if (cc->rpos && cc->rbuf.cap - cc->rbuf.len < CCONN_READ_CHUNK) {
            buf_consume(&cc->rbuf, cc->rpos);
            cc->rpos = 0;
        }
        if (buf_reserve(&cc->rbuf, CCONN_READ_CHUNK) != 0)
            return process_input(cc);
        rv = io_read(&cc->io, cc->rbuf.p + cc->rbuf.len, CCONN_READ_CHUNK);
        if (rv <= 0)
            return read_ended(cc, rv);
        cc->rbuf.len += (size_t)rv;
        cc->rx_step += (size_t)rv;
        budget -= (size_t)rv < budget ? (size_t)rv : budget;
        got_input(cc);
        if (!process_input(cc))
            return input_failed(cc);
    }
    return true;
}

/*
 * All streams are done: close gracefully (RFC 9113 §6.8, §9.1). GOAWAY and a PING, then
 * read on, so that a PING or SETTINGS the server wrote just after its last END_STREAM is
 * answered rather than met by a closed socket; until the server closes or acknowledges
 * our PING (what it wrote before is then read: one round trip), within the cap of
 * limits.h. A pause in the input is no sign: a busy server answers late, not never.
 * cconn_close then sends TLS close_notify.
 */
static void finish(struct cconn *cc)
{
    uint64_t now = cc->cl->now;
    bool idle;

    cc->ending = true;
    if (!cc->linger_end) {
        cc->linger_end = now + LIMIT_CLOSE_LINGER_MS;
        if (!read_input(cc))
            return;
        h2c_shutdown(cc->h2);
        /* the ACK of this PING says that all the server wrote before it is read (§6.8);
         * without one (a full queue), a pause in the input has to do */
        cc->linger_idle =
            h2c_ping(cc->h2, bye_opaque) == 0 ? UINT64_MAX : now + LIMIT_CLOSE_IDLE_MS;
    }
    if (!flush_output(cc))
        return;
    idle = cc->bye_acked || now >= cc->linger_idle;
    if (now >= cc->linger_end || (idle && h2c_output(cc->h2).len == 0))
        cconn_fail_all(cc, 0, "done");
}

/* What a closing connection waits for: its idle or its final deadline. */
static void linger_timeout(struct cconn *cc, int *timeout)
{
    uint64_t now = cc->cl->now, at = cc->linger_end;
    int t;

    if (!h2c_output(cc->h2).len && cc->linger_idle < at)
        at = cc->linger_idle;
    t = at > now ? (int)(at - now) : 0;
    if (*timeout < 0 || t < *timeout)
        *timeout = t;
}

/* Alternate queueing body bytes and writing them until the socket is full or nothing is
 * left to send now; a bounded number of rounds, so other connections get their turn
 * (`more_body` then asks the loop to come back at once). Over TLS, a round is one record:
 * it goes out when full, before the next is made, and a tail shorter than a record waits
 * for the next round unless nothing follows. False if the connection died. */
static bool send_some(struct cconn *cc)
{
    size_t unit = io_write_unit(&cc->io);
    int round, rv;

    cc->more_body = false;
    for (round = 0; round < 64; round++) {
        struct sess_h2_pump pu = {unit, 0, false};
        size_t queued;
        bool more;
        sess_h2_pump_bodies(cc, &pu);
        queued = pu.queued + (cc->ntuns ? pconn_h2_pump(cc) : 0);
        more = queued && unit && h2c_output(cc->h2).len >= unit;
        if (queued && cc->spin.waiting)
            spin_credit(&cc->spin, clock_us());
        if ((rv = write_output(cc, more ? unit : 0)) < 0)
            return false;
        if (rv == 0 || !queued) {
            /* all written, and a body waits for credit: the loop may spin (spin.h) */
            spin_stop(&cc->spin, rv == 1 && pu.credit, clock_us());
            return true;
        }
    }
    cc->more_body = true;
    return true;
}

void sess_h2_step(struct cconn *cc, short revents)
{
    (void)revents;
    if (!read_input(cc))
        return; /* closed: nothing more to send */
    if (cc->state == CC_H2 && h2c_is_closing(cc->h2))
        cconn_requeue_all(cc);
}

void sess_h2_send(struct cconn *cc)
{
    if (cc->state != CC_H2)
        return;
    submit_pending(cc);
    if (cc->ntuns)
        pconn_h2_submit(cc);
    if (cc->cl->stdout_pipe)
        step_duplex(cc);
    grant_credit(cc);
    if (!send_some(cc))
        return;
    if (cconn_count(cc) == 0 && !cc->cl->nwaiting) /* a --retry that waits may reuse it */
        finish(cc);
}

/* While bodies stream in fast, poll waits until this much is in the socket before it wakes
 * us (SO_RCVLOWAT) rather than at the first segment: a wake-up (a context switch) costs
 * more CPU than the reads it would save, on our side and on the sender's, whose every
 * write wakes us otherwise (1 GiB from the bench nginx: 11,000-14,000 wake-ups -> 4,500,
 * task-clock -25%). Fast: the last step read at least SESS_BULK. */
#define SESS_LOWAT (256u * 1024u)
#define SESS_BULK (64u * 1024u)
/* ... and it never waits longer than this: a server that slows down is read then, and the
 * wait ends with the first step that reads less than SESS_BULK. */
#define SESS_LOWAT_WAIT_MS 2

/* What the server may still send of `x`'s body without more stream credit: the rest of a
 * body of known length being written out, within the stream's window (RFC 9113 §6.9). */
static uint64_t body_due(const struct cconn *cc, const struct xfer *x)
{
    struct h2c_windows w;
    uint64_t n;

    /* no body whatever content-length says (HEAD, 204, 304: RFC 9110 §6.4.1), or one that
     * is not counted in body_bytes (discarded) */
    if (x->phase != XFER_SENT || x->resp.state != XFER_RESP_HEADERS || x->resp.discard ||
        x->resp.expect_len <= x->resp.body_bytes || x->resp.status == 204 ||
        x->resp.status == 304 || strcmp(x->req.method, "HEAD") == 0)
        return 0;
    h2c_windows(cc->h2, x->stream_id, &w);
    if (!w.stream_open || w.stream_recv <= 0)
        return 0;
    n = x->resp.expect_len - x->resp.body_bytes;
    return (uint64_t)w.stream_recv < n ? (uint64_t)w.stream_recv : n;
}

/* How many bytes poll may wait for (0: the first): what the bodies of known length still
 * due add up to, within the connection's window; never more than the server is bound to
 * send, since it would not send more (responses still without their head count nothing). */
static uint64_t bulk_lowat(const struct cconn *cc)
{
    const struct config *cfg = cc->cl->cfg;
    struct h2c_windows w;
    uint64_t n = 0;
    size_t i;

    if (cc->rx_step < SESS_BULK || cc->is_proxy || cc->linger_end || cfg->net.limit_rate ||
        cfg->req.duplex)
        return 0;
    for (i = 0; i < cc->nact && n < SESS_LOWAT; i++)
        n += body_due(cc, cc->act[i]);
    h2c_windows(cc->h2, 0, &w);
    n = n < SESS_LOWAT ? n : SESS_LOWAT;
    n = w.conn_recv <= 0 ? 0 : (uint64_t)w.conn_recv < n ? (uint64_t)w.conn_recv : n;
    return n >= SESS_BULK ? n : 0;
}

/* Fewer, fuller wake-ups while a body streams in (bulk_lowat), within SESS_LOWAT_WAIT_MS. */
static void batch_wakeups(struct cconn *cc, int *timeout)
{
    uint64_t n = bulk_lowat(cc);

    io_set_rcvlowat(&cc->io, n ? (int)n : 1);
    if (n && (*timeout < 0 || *timeout > SESS_LOWAT_WAIT_MS))
        *timeout = SESS_LOWAT_WAIT_MS;
}

short sess_h2_events(struct cconn *cc, int *timeout)
{
    short ev = POLLIN | io_poll_events(&cc->io);

    if (cc->linger_end)
        linger_timeout(cc, timeout);
    if (cc->more_body || (cc->npending && room(cc, false)) || (cc->ntuns && pconn_h2_busy(cc)))
        return -1; /* more to send at once */
    if (h2c_output(cc->h2).len)
        ev |= POLLOUT;
    batch_wakeups(cc, timeout);
    return ev;
}

int sess_h2_timeout(const struct cconn *cc)
{
    uint64_t now = cc->cl->now, due;
    int t = ratelim_timeout(cc);
    size_t i;

    for (i = 0; i < cc->nact; i++) {
        const struct xfer *x = cc->act[i];
        if (!x->up.held_ms)
            continue;
        due = x->up.held_ms + SESS_SWS_WAIT_MS;
        if (t < 0 || due <= now || (int)(due - now) < t)
            t = due <= now ? 0 : (int)(due - now);
    }
    return t;
}

uint64_t sess_h2_spin_us(const struct cconn *cc)
{
    return cc->spin.waiting ? spin_budget(&cc->spin, clock_us()) : 0;
}

void sess_h2_goodbye(struct cconn *cc)
{
    size_t i;

    for (i = 0; i < cc->nact; i++)
        h2c_reset_stream(cc->h2, cc->act[i]->stream_id, H2_CANCEL);
    h2c_shutdown(cc->h2);
    flush_output(cc);
}
