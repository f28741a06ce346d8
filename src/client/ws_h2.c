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

static int on_headers(struct ws_sess *s, const struct hpack_list *l)
{
    size_t i;

    for (i = 0; l && i < l->count; i++)
        vlog_field(&s->cl, '<', l->fields[i].name, l->fields[i].value);
    if (status_of(l) / 100 != 2) /* RFC 8441 §5: 2xx opens the WebSocket */
        return ws_fail(s, H2E_WS_HANDSHAKE, "the server answered %d to the extended CONNECT",
                       status_of(l));
    s->h2_ok = true;
    return 0;
}

static int on_event(struct ws_sess *s, const struct h2c_event *ev)
{
    trace_h2_event(s->cl.trace, WS_CONN_ID, ev);
    if (ev->type == H2C_EV_SETTINGS)
        s->h2_settings = true;
    if (ev->type == H2C_EV_GOAWAY && (!s->sid || ev->last_stream_id < s->sid))
        return ws_fail(s, H2E_PEER_GOAWAY, "the server sent GOAWAY before our stream");
    if (!s->sid || ev->stream_id != s->sid)
        return 0;
    switch (ev->type) {
    case H2C_EV_HEADERS:
        return on_headers(s, ev->fields);
    case H2C_EV_DATA:
        h2c_consume(s->h2c, s->sid, ev->data.len);
        if (ws_ep_feed(&s->ep, ev->data.p, ev->data.len) != 0)
            return ws_fail(s, H2E_NOMEM, "no memory for WebSocket input");
        return s->h2_ok ? ws_drain(s) : 0;
    case H2C_EV_END_STREAM:
        s->peer_ended = true;
        return 0;
    case H2C_EV_RESET:
        s->peer_ended = true;
        if (ws_ep_done(&s->ep))
            return 0;
        return ws_fail(s, s->h2_ok ? H2E_WS_CLOSED : H2E_WS_HANDSHAKE,
                       "the server reset the WebSocket stream (%s)",
                       ev->why ? ev->why : h2e_str(ev->code));
    default:
        return 0;
    }
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

    while (!s->peer_ended && (k = io_read(&s->io, tmp, sizeof(tmp))) != H2E_INCOMPLETE) {
        if (k <= 0) {
            s->peer_ended = true;
            return k < 0 ? ws_fail(s, k, "%s", s->io.detail) : 0;
        }
        if (buf_append(&s->rbuf, tmp, (size_t)k) != 0)
            return ws_fail(s, H2E_LIMIT_BUFFER, "HTTP/2 input buffer full");
        if (parse_in(s) != 0)
            return s->result;
    }
    return 0;
}

/* What the WebSocket has to send goes into DATA as far as the windows allow; after the
 * close handshake, END_STREAM (RFC 8441 §5: the stream's end follows the Close). */
static int send_out(struct ws_sess *s)
{
    struct buf *out = ws_ep_out(&s->ep);
    int64_t k;

    if (!s->h2_ok || s->h2_ended)
        return 0;
    if (out->len) {
        k = h2c_send_data(s->h2c, s->sid, out->p, out->len, false);
        if (k < 0)
            return ws_fail(s, (int)k, "cannot send on the WebSocket stream");
        buf_consume(out, (size_t)k);
    }
    if (!out->len && ws_ep_done(&s->ep)) {
        k = h2c_send_data(s->h2c, s->sid, NULL, 0, true);
        s->h2_ended = k >= 0;
    }
    return 0;
}

int ws_h2_pump(struct ws_sess *s, short rev)
{
    (void)rev;
    if (read_in(s) != 0 || send_out(s) != 0 || flush(s) != 0)
        return s->result;
    return 0;
}

short ws_h2_events(struct ws_sess *s)
{
    return h2c_output(s->h2c).len ? POLLOUT : 0;
}

/* The extended CONNECT's fields (RFC 8441 §4), then the user's -H. */
static size_t connect_fields(struct ws_sess *s, struct hpack_field *f, struct buf *store)
{
    const struct config *cfg = s->cfg;
    const char *ua = cfg->req.user_agent;
    size_t n = 0, i, path_off, path_len;

    url_request_target(&s->url, store);
    path_len = store->len;
    path_off = 0;
    url_authority(&s->url, store);
#define F(nm, v) f[n++] = (struct hpack_field){span_str(nm), v, 0, 0, 0}
    F(":method", span_str("CONNECT"));
    F(":protocol", span_str("websocket"));
    F(":scheme", span_str(s->url.tls ? "https" : "http"));
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

static int submit(struct ws_sess *s)
{
    struct hpack_field f[WS_H2_FIELDS];
    struct buf store;
    struct h2c_request req;
    int64_t sid;
    size_t i;

    buf_init(&store, &xalloc_mem, SIZE_MAX);
    req.fields = f;
    req.nfields = connect_fields(s, f, &store);
    req.end_stream = false;
    req.user = s;
    for (i = 0; i < req.nfields; i++)
        vlog_field(&s->cl, '>', f[i].name, f[i].value);
    sid = h2c_submit(s->h2c, &req);
    buf_release(&store);
    if (sid < 0)
        return ws_fail(s, (int)sid, "cannot open the WebSocket stream");
    s->sid = (uint32_t)sid;
    return 0;
}

/* Read and write until `*flag` is true (or a failure is said). */
static int until(struct ws_sess *s, const bool *flag)
{
    while (!*flag) {
        if (flush(s) != 0 || read_in(s) != 0)
            return s->result;
        if (*flag)
            break;
        if (s->peer_ended)
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
    if (until(s, &s->h2_settings) != 0)
        return s->result;
    if (!h2c_peer(s->h2c)->enable_connect_protocol)
        return 1;
    if (submit(s) != 0 || until(s, &s->h2_ok) != 0)
        return s->result;
    return 0;
}

void ws_h2_release(struct ws_sess *s)
{
    if (!s->h2c)
        return;
    h2c_free(s->h2c);
    s->h2c = NULL;
    s->h2 = false;
    s->h2_settings = s->h2_ok = s->h2_ended = false;
    s->sid = 0;
    s->peer_ended = false;
    buf_release(&s->rbuf);
}
