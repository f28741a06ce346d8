/* SPDX-License-Identifier: MIT */
/*
 * WebSocket over HTTP/2 (RFC 8441): the session's SETTINGS must carry
 * SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (§3), then one stream opened with an extended
 * CONNECT (§4: :method CONNECT, :protocol websocket, :scheme, :path, :authority and
 * sec-websocket-version 13, no Sec-WebSocket-Key); a 2xx opens it (§5) and its DATA carry
 * the WebSocket frames both ways. After the close handshake we end our side with
 * END_STREAM. Without the setting the caller falls back to HTTP/1.1 Upgrade.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "sess_h2_setup.h"
#include "sys/xalloc.h"
#include "vlog.h"
#include "ws_int.h"

#define WS_H2_FIELDS 200u

/* Write what the connection has queued; 0, or the failure said. */
static int flush(struct ws_sess *s)
{
    for (;;) {
        struct span o = h2c_output(s->h2c);
        int k;
        if (!o.len)
            return 0;
        k = io_write(&s->io, o.p, o.len);
        if (k == H2E_INCOMPLETE)
            return 0;
        if (k < 0)
            return ws_fail(s, k, "%s", s->io.detail);
        h2c_output_done(s->h2c, (size_t)k);
    }
}

static int status_of(const struct hpack_list *l)
{
    size_t i;

    for (i = 0; l && i < l->count; i++)
        if (span_eq_str(l->fields[i].name, ":status") && l->fields[i].value.len == 3)
            return (l->fields[i].value.p[0] - '0') * 100 + (l->fields[i].value.p[1] - '0') * 10 +
                   (l->fields[i].value.p[2] - '0');
    return 0;
}

static int on_headers(struct ws_chan *ch, const struct hpack_list *l)
{
    size_t i;

    for (i = 0; l && i < l->count; i++)
        vlog_field(&ch->s->cl, '<', l->fields[i].name, l->fields[i].value);
    if (status_of(l) / 100 != 2) /* RFC 8441 §5: 2xx opens the WebSocket */
        return ws_chan_fail(ch, H2E_WS_HANDSHAKE, "the server answered %d to the extended CONNECT",
                            status_of(l));
    ch->h2_ok = true;
    return 0;
}

static struct ws_chan *by_stream(struct ws_sess *s, uint32_t sid)
{
    size_t i;

    for (i = 0; sid && i < s->nch; i++)
        if (s->ch[i].sid == sid)
            return &s->ch[i];
    return NULL;
}

/* GOAWAY: the streams above its last-stream-id were never processed (RFC 9113 §6.8). */
static void on_goaway(struct ws_sess *s, uint32_t last)
{
    size_t i;

    for (i = 0; i < s->nch; i++)
        if (!s->ch[i].sid || s->ch[i].sid > last)
            ws_chan_fail(&s->ch[i], H2E_PEER_GOAWAY, "the server sent GOAWAY before our stream");
}

/* An event of one stream; a channel's failure is its own, 0 goes on. */
static int on_stream(struct ws_chan *ch, const struct h2c_event *ev)
{
    switch (ev->type) {
    case H2C_EV_HEADERS:
        return on_headers(ch, ev->fields);
    case H2C_EV_DATA:
        ch->uncredited += ev->data.len;
        if (ws_ep_feed(&ch->ep, ev->data.p, ev->data.len) != 0)
            return ws_fail(ch->s, H2E_NOMEM, "no memory for WebSocket input");
        return ch->h2_ok ? ws_drain(ch) : 0;
    case H2C_EV_END_STREAM:
        ch->ended = true;
        return 0;
    case H2C_EV_RESET:
        ch->ended = true;
        ch->h2_ended = true;                 /* nothing more can be sent on it */
        if (ws_ep_done(&ch->ep) || ch->held) /* held: a Close may wait behind a message */
            return 0;
        return ws_chan_fail(ch, ch->h2_ok ? H2E_WS_CLOSED : H2E_WS_HANDSHAKE,
                            "the server reset the WebSocket stream (%s)",
                            ev->why ? ev->why : h2e_str(ev->code));
    default:
        return 0;
    }
}

/* Returns the failure of the run only; a channel's is kept in the channel. */
static int on_event(struct ws_sess *s, const struct h2c_event *ev)
{
    struct ws_chan *ch;

    trace_h2_event(s->cl.trace, WS_CONN_ID, ev);
    if (ev->type == H2C_EV_SETTINGS)
        s->h2_settings = true;
    if (ev->type == H2C_EV_GOAWAY)
        on_goaway(s, ev->last_stream_id);
    ch = by_stream(s, ev->stream_id);
    if (ch)
        on_stream(ch, ev);
    return s->result;
}

/* Feed the frames whole in `s->rbuf` to the connection and drain the events. */
static int parse_in(struct ws_sess *s)
{
    size_t off = 0;

    while (off < s->rbuf.len) {
        struct h2e_info info = H2E_INFO_INIT;
        struct h2c_event ev;
        int used = h2c_recv(s->h2c, s->rbuf.p + off, s->rbuf.len - off, &info);
        while (h2c_next_event(s->h2c, &ev))
            if (on_event(s, &ev) != 0)
                return s->result;
        if (used < 0)
            return ws_fail(s, used, "%s", info.why ? info.why : h2e_str(used));
        if (used == 0)
            break;
        off += (size_t)used;
    }
    buf_consume(&s->rbuf, off);
    return 0;
}

/* Read what the connection has, feed it, drain the events. */
static int read_in(struct ws_sess *s)
{
    uint8_t tmp[64 * 1024];
    int k;

    while (!s->conn_ended && (k = io_read(&s->io, tmp, sizeof(tmp))) != H2E_INCOMPLETE) {
        if (k <= 0) {
            size_t i;
            s->conn_ended = true;
            for (i = 0; i < s->nch; i++)
                s->ch[i].ended = true;
            return k < 0 ? ws_fail(s, k, "%s", s->io.detail) : 0;
        }
        if (buf_append(&s->rbuf, tmp, (size_t)k) != 0)
            return ws_fail(s, H2E_LIMIT_BUFFER, "HTTP/2 input buffer full");
        if (parse_in(s) != 0)
            return s->result;
    }
    return 0;
}

/* What a channel has to send goes into DATA as far as the windows allow; after its close
 * handshake (or its failure), END_STREAM (RFC 8441 §5: the stream's end follows the
 * Close). */
static int send_out(struct ws_chan *ch)
{
    struct buf *out = ws_ep_out(&ch->ep);
    int64_t k;

    if (!ch->h2_ok || ch->h2_ended)
        return 0;
    if (out->len) {
        k = h2c_send_data(ch->s->h2c, ch->sid, out->p, out->len, false);
        if (k < 0)
            return ws_chan_fail(ch, (int)k, "cannot send on the WebSocket stream");
        buf_consume(out, (size_t)k);
    }
    if (!out->len && (ws_ep_done(&ch->ep) || ch->result)) {
        k = h2c_send_data(ch->s->h2c, ch->sid, NULL, 0, true);
        ch->h2_ended = k >= 0;
    }
    return 0;
}

/* DATA fed to a channel get their window back once parsed, which a message held for
 * stdout stops: the server then sends at most one stream window more (RFC 9113 §6.9). */
static void credit(struct ws_chan *ch)
{
    if (!ch->uncredited || (ch->held && !ch->result))
        return;
    h2c_consume(ch->s->h2c, ch->sid, (size_t)ch->uncredited);
    ch->uncredited = 0;
}

int ws_h2_pump(struct ws_sess *s, short rev)
{
    size_t i;

    (void)rev;
    if (read_in(s) != 0)
        return s->result;
    for (i = 0; i < s->nch; i++) {
        credit(&s->ch[i]);
        send_out(&s->ch[i]);
    }
    return flush(s);
}

short ws_h2_events(struct ws_sess *s)
{
    return h2c_output(s->h2c).len ? POLLOUT : 0;
}

/* The extended CONNECT's fields (RFC 8441 §4), then the user's -H. */
static size_t connect_fields(struct ws_chan *ch, struct hpack_field *f, struct buf *store)
{
    const struct config *cfg = ch->s->cfg;
    const char *ua = cfg->req.user_agent;
    size_t n = 0, i, path_off, path_len;

    url_request_target(&ch->url, store);
    path_len = store->len;
    path_off = 0;
    url_authority(&ch->url, store);
#define F(nm, v) f[n++] = (struct hpack_field){span_str(nm), v, 0, 0, 0}
    F(":method", span_str("CONNECT"));
    F(":protocol", span_str("websocket"));
    F(":scheme", span_str(ch->url.tls ? "https" : "http"));
    F(":path", span_of(store->p + path_off, path_len));
    F(":authority", span_of(store->p + path_len, store->len - path_len));
    F("sec-websocket-version", span_str("13"));
    if (ua && *ua)
        F("user-agent", span_str(ua));
#undef F
    for (i = 0; i < cfg->req.nheaders && n < WS_H2_FIELDS; i++)
        if (!cfg->req.headers[i].remove && cfg->req.headers[i].name.len &&
            cfg->req.headers[i].name.p[0] != ':')
            f[n++] =
                (struct hpack_field){cfg->req.headers[i].name, cfg->req.headers[i].value, 0, 0, 0};
    return n;
}

static int submit(struct ws_chan *ch)
{
    struct ws_sess *s = ch->s;
    struct hpack_field f[WS_H2_FIELDS];
    struct buf store;
    struct h2c_request req;
    int64_t sid;
    size_t i;

    buf_init(&store, &xalloc_mem, SIZE_MAX);
    req.fields = f;
    req.nfields = connect_fields(ch, f, &store);
    req.end_stream = false;
    req.user = ch;
    for (i = 0; i < req.nfields; i++)
        vlog_field(&s->cl, '>', f[i].name, f[i].value);
    sid = h2c_submit(s->h2c, &req);
    buf_release(&store);
    if (sid < 0)
        return ws_chan_fail(ch, (int)sid, "cannot open the WebSocket stream");
    ch->sid = (uint32_t)sid;
    return 0;
}

static bool settled(const struct ws_sess *s)
{
    return s->h2_settings;
}

/* Every channel has its answer to the extended CONNECT (or failed). */
static bool opened(const struct ws_sess *s)
{
    size_t i;

    for (i = 0; i < s->nch; i++)
        if (!s->ch[i].h2_ok && !s->ch[i].result)
            return false;
    return true;
}

/* Read and write until `done` says so (or the run fails). */
static int until(struct ws_sess *s, bool (*done)(const struct ws_sess *s))
{
    while (!done(s)) {
        if (flush(s) != 0 || read_in(s) != 0)
            return s->result;
        if (done(s))
            break;
        if (s->conn_ended)
            return ws_fail(s, H2E_WS_HANDSHAKE, "the server closed the HTTP/2 connection");
        if (ws_wait(s, (short)(POLLIN | ws_h2_events(s))) != 0)
            return s->result;
    }
    return 0;
}

int ws_h2_start(struct ws_sess *s)
{
    struct h2f_setting set[LIMIT_SETTINGS_ENTRIES];
    struct h2c_config hc;
    size_t i;

    h2c_config_init(&hc, &xalloc_mem);
    sess_h2_config(s->cfg, &hc, set);
    sess_h2_observe(&hc, s->cl.trace, WS_CONN_ID);
    s->h2c = h2c_new(&hc);
    if (!s->h2c)
        return ws_fail(s, H2E_NOMEM, "cannot set up the HTTP/2 session");
    trace_h2_conn(s->cl.trace, WS_CONN_ID, s->h2c, &hc);
    s->h2 = true;
    buf_init(&s->rbuf, &xalloc_mem, 4u << 20);
    vlog(&s->cl, "Using HTTP/2");
    if (until(s, settled) != 0)
        return s->result;
    if (!h2c_peer(s->h2c)->enable_connect_protocol)
        return 1;
    for (i = 0; i < s->nch; i++)
        submit(&s->ch[i]);
    if (until(s, opened) != 0)
        return s->result;
    for (i = 0; i < s->nch; i++)
        if (s->ch[i].h2_ok)
            return 0;
    return s->ch[0].result; /* none opened: each failure is said */
}

void ws_h2_release(struct ws_sess *s)
{
    size_t i;

    if (!s->h2c)
        return;
    h2c_free(s->h2c);
    s->h2c = NULL;
    s->h2 = false;
    s->h2_settings = false;
    s->conn_ended = false;
    for (i = 0; i < s->nch; i++) {
        s->ch[i].sid = 0;
        s->ch[i].h2_ok = s->ch[i].h2_ended = s->ch[i].ended = false;
        s->ch[i].uncredited = 0;
    }
    buf_release(&s->rbuf);
}
