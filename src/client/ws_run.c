/* SPDX-License-Identifier: MIT */
/*
 * A WebSocket console run: connect (RFC 8441 over HTTP/2 when the server allows it, else
 * the HTTP/1.1 Upgrade), then one poll() loop moving stdin into messages and messages onto
 * stdout (ws_chan.c, ws_out.c: a slow stdout holds back only the WebSockets whose messages
 * wait for it), until every close handshake has ended. Several URLs of one origin
 * are streams of one HTTP/2 connection; each gets every stdin line. Stdin EOF sends Close
 * 1000 and waits for the server's (bounded by the stall timeout and -m).
 */
#include "ws_run.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client_trace.h"
#include "sys/clock.h"
#include "sys/diag.h"
#include "sys/xalloc.h"
#include "vlog.h"
#include "ws_int.h"

/* Stop reading stdin while this much waits to be sent: memory follows the peer's pace. */
#define WS_OUT_HIGH (1u << 20)

static bool is_ws_url(const char *u)
{
    return strncasecmp(u, "ws://", 5) == 0 || strncasecmp(u, "wss://", 6) == 0;
}

bool ws_run_wanted(const struct config *cfg)
{
    size_t i;

    for (i = 0; i < cfg->nurls; i++)
        if (cfg->urls[i].url && is_ws_url(cfg->urls[i].url))
            return true;
    return false;
}

/* RFC 6455 §3: ws and wss URIs are http and https ones with another name, no fragment. */
static int parse_url(struct ws_sess *s, struct ws_chan *ch)
{
    struct h2e_info info = H2E_INFO_INIT;
    const char *u = ch->arg;
    bool tls = strncasecmp(u, "wss://", 6) == 0;
    int rv;

    if (!is_ws_url(u))
        return ws_fail(s, H2E_USAGE, "'%s': a WebSocket run takes only ws:// and wss:// URLs", u);
    if (!(cli_proto_bit(tls ? "wss" : "ws") & s->cfg->cond.proto))
        return ws_fail(s, H2E_PROTO_DISALLOWED, "'%s': protocol '%s' not allowed by --proto", u,
                       tls ? "wss" : "ws");
    if (strchr(u, '#'))
        return ws_fail(s, H2E_BAD_URL, "'%s': a WebSocket URL has no fragment (RFC 6455 §3)", u);
    ch->url_str = xasprintf("%s%s", tls ? "https" : "http", u + (tls ? 3 : 2));
    rv = url_parse(ch->url_str, &ch->url, &info);
    if (rv)
        return ws_fail(s, rv, "'%s': %s", u, info.why ? info.why : h2e_str(rv));
    if (ch != s->ch && !url_origin_equal(&ch->url, s->url))
        return ws_fail(s, H2E_USAGE, "'%s': several WebSocket URLs must share one origin", u);
    return 0;
}

static bool chan_over(const struct ws_sess *s, const struct ws_chan *ch)
{
    if (ch->result)
        return !s->h2 || ch->h2_ended || !ch->h2_ok;
    return ws_ep_done(&ch->ep) && !ws_ep_out((struct ws_ep *)&ch->ep)->len && !ch->held &&
           (!s->h2 || ch->h2_ended);
}

/* Whether the connection is to be read: over HTTP/1.1, not while stdout holds its message
 * (the server then waits: TCP's window is the backpressure). */
static bool link_reads(const struct ws_sess *s)
{
    return s->h2 || !s->ch[0].held;
}

/* HTTP/1.1: read what the connection has and feed it, write what is queued. */
static int h1_pump(struct ws_sess *s)
{
    struct ws_chan *ch = &s->ch[0];
    struct buf *out = ws_ep_out(&ch->ep);
    uint8_t tmp[64 * 1024];
    int k;

    while (!s->conn_ended && link_reads(s) &&
           (k = io_read(&s->io, tmp, sizeof(tmp))) != H2E_INCOMPLETE) {
        if (k <= 0) {
            s->conn_ended = ch->ended = true;
            /* RFC 6455 §7.1.5: closed without a Close is 1006, a reset (the server closed
             * with our bytes unread) as much as an EOF, whichever the timing gave */
            if (k < 0 && !ch->ep.close_rcvd)
                return ws_fail(s, H2E_WS_CLOSED,
                               "the connection ended without a WebSocket Close (1006): %s",
                               s->io.detail);
            return 0;
        }
        if (ws_ep_feed(&ch->ep, tmp, (size_t)k) != 0)
            return ws_fail(s, H2E_NOMEM, "no memory for input");
        if (ws_drain(ch) != 0)
            return s->result;
    }
    while (out->len && (k = io_write(&s->io, out->p, out->len)) != H2E_INCOMPLETE) {
        if (k < 0)
            return ws_ep_done(&ch->ep) || ch->result ? 0 : ws_fail(s, k, "%s", s->io.detail);
        buf_consume(out, (size_t)k);
    }
    return 0;
}

/* Bytes still to go out, whichever the transport. */
static bool output_pending(struct ws_sess *s)
{
    size_t i;

    for (i = 0; i < s->nch; i++)
        if (ws_ep_out(&s->ch[i].ep)->len)
            return true;
    return s->h2 && s->h2c && h2c_output(s->h2c).len;
}

static short link_events(struct ws_sess *s)
{
    short ev = (short)((link_reads(s) ? POLLIN : 0) | io_poll_events(&s->io));

    if (s->h2)
        return (short)(ev | ws_h2_events(s));
    return (short)(ev | (output_pending(s) ? POLLOUT : 0));
}

/* -m for the run; the stall timeout for the Close in reply to ours; a channel the server
 * ended without a Close. */
static int check_ends(struct ws_sess *s)
{
    uint64_t now = clock_ms();
    size_t i;

    if (s->deadline && now >= s->deadline)
        return ws_fail(s, H2E_TIMEOUT, "operation timed out after %llu ms (--max-time)",
                       (unsigned long long)s->cfg->net.max_time_ms);
    for (i = 0; i < s->nch; i++) /* the server's Close may wait behind what stdout holds */
        if (s->close_deadline && s->ch[i].held)
            s->close_deadline = now + s->close_wait;
    for (i = 0; i < s->nch; i++) {
        struct ws_chan *ch = &s->ch[i];
        if (ch->result || ch->ep.close_rcvd)
            continue;
        if (ch->ended && !ch->held) /* held: its Close may wait unparsed behind a message */
            ws_chan_fail(ch, H2E_WS_CLOSED,
                         "the connection ended without a WebSocket Close (1006)");
        else if (s->close_deadline && now >= s->close_deadline)
            ws_chan_fail(ch, H2E_WS_CLOSED, "no Close from the server in reply to ours (1006)");
    }
    return 0;
}

/* Whether stdin may be read now: a channel can send, and none holds much unsent. */
static bool want_stdin(struct ws_sess *s)
{
    bool any = false;
    size_t i;

    for (i = 0; s->stdin_open && i < s->nch; i++) {
        if (ws_ep_out(&s->ch[i].ep)->len >= WS_OUT_HIGH)
            return false;
        any = any || (!s->ch[i].result && !s->ch[i].ep.close_sent);
    }
    return any;
}

/* One turn: poll, then stdin, stdout, then the connection. 1 when the run is over. */
static int turn(struct ws_sess *s)
{
    struct pollfd p[3] = {{s->io.fd, link_events(s), 0}, {-1, 0, 0}, {-1, 0, 0}};
    size_t n = 1, in = 0, i;

    if (pipe_in_pollfd(&s->in, want_stdin(s), &p[n]))
        in = n++;
    n += ws_out_pollfd(s, &p[n]);
    if (!io_pending(&s->io) || !link_reads(s))
        poll(p, (nfds_t)n, 200);
    if (in && (p[in].revents & (POLLIN | POLLHUP | POLLERR)) && ws_read_stdin(s) != 0)
        return -1;
    if (ws_out_step(s) != 0)
        return -1;
    if ((s->h2 ? ws_h2_pump(s, p[0].revents) : h1_pump(s)) != 0 || check_ends(s) != 0)
        return -1;
    for (i = 0; i < s->nch; i++)
        if (!chan_over(s, &s->ch[i]))
            return 0;
    return ws_out_pending(s) ? 0 : 1;
}

/* After a failure: what is queued (the Close naming the error) goes out if it can. */
static void flush_quietly(struct ws_sess *s)
{
    struct buf *out = ws_ep_out(&s->ch[0].ep);
    int i;

    for (i = 0; i < 20 && !s->conn_ended && output_pending(s); i++) {
        struct pollfd p = {s->io.fd, (short)(POLLOUT | io_poll_events(&s->io)), 0};
        if (poll(&p, 1, 50) <= 0)
            break;
        if (s->h2)
            ws_h2_pump(s, p.revents);
        else if (io_write(&s->io, out->p, out->len) > 0)
            buf_consume(out, out->len); /* best effort */
    }
}

/* HTTP/1.1 carries one WebSocket per connection: several URLs need RFC 8441. */
static int need_one(struct ws_sess *s, const char *why)
{
    if (s->nch == 1)
        return 0;
    return ws_fail(s, H2E_WS_HANDSHAKE,
                   "several WebSocket URLs need one HTTP/2 connection with "
                   "extended CONNECT (RFC 8441): %s",
                   why);
}

/* RFC 8441 §3: no SETTINGS_ENABLE_CONNECT_PROTOCOL, so HTTP/1.1 on a new connection. */
static int fall_back(struct ws_sess *s)
{
    if (need_one(s, "the server does not allow it") != 0)
        return s->result;
    vlog(&s->cl, "The server does not allow extended CONNECT: WebSocket over HTTP/1.1");
    ws_h2_release(s);
    ws_link_close(s);
    return ws_dial(s, "http/1.1");
}

/* Connect and open the WebSockets: RFC 8441 first when h2 is possible, else Upgrade. */
static int open_ws(struct ws_sess *s)
{
    const struct config *cfg = s->cfg;
    bool h1_only = cfg->proto.http == CLI_HTTP_1_1;
    bool prior = !s->url->tls && cfg->proto.http == CLI_HTTP_2_PRIOR;
    int rv;

    if (h1_only || (!s->url->tls && !prior))
        if (need_one(s, "HTTP/1.1 only (ws:// or --http1.1)") != 0)
            return s->result;
    rv = ws_dial(s, h1_only ? "http/1.1" : "h2,http/1.1");
    if (rv)
        return rv;
    if (prior || (s->url->tls && s->tlsc->facts.alpn == TLS_ALPN_H2 && !h1_only)) {
        rv = ws_h2_start(s);
        if (rv <= 0)
            return rv;
        if ((rv = fall_back(s)) != 0)
            return rv;
    } else if (need_one(s, "the server did not select h2 (ALPN)") != 0) {
        return s->result;
    }
    return ws_h1_handshake(s);
}

static void release(struct ws_sess *s)
{
    size_t i;

    ws_h2_release(s);
    ws_link_close(s);
    if (s->tls_ready)
        tls_ctx_release(&s->tls);
    for (i = 0; i < s->nch; i++) {
        ws_chan_close_output(&s->ch[i], !s->result && !s->ch[i].result);
        ws_ep_release(&s->ch[i].ep);
        free(s->ch[i].url_str);
    }
    free(s->ch);
    buf_release(&s->line);
    pipe_in_release(&s->in);
}

static void on_frame(void *ctx, bool sent, const struct ws_head *h, const uint8_t *p, size_t n)
{
    struct ws_chan *ch = ctx;

    trace_ws_frame(ch->s->cl.trace, WS_CONN_ID, ch->sid, sent, h, p, n);
}

/* The channels, one per URL; 0 or the failure said. */
static int make_chans(struct ws_sess *s)
{
    struct ws_ep_cfg ec = {0, ws_key_mask, on_frame, NULL};
    size_t i;

    s->nch = s->cfg->nurls;
    s->ch = xcalloc(s->nch, sizeof(*s->ch));
    for (i = 0; i < s->nch; i++) {
        struct ws_chan *ch = &s->ch[i];
        ch->s = s;
        ch->arg = s->cfg->urls[i].url;
        ec.ctx = ch;
        ws_ep_init(&ch->ep, &ec, &xalloc_mem);
    }
    s->url = &s->ch[0].url;
    for (i = 0; i < s->nch; i++)
        if (parse_url(s, &s->ch[i]) != 0)
            return s->result;
    for (i = 0; i < s->nch; i++)
        if (ws_chan_open_output(&s->ch[i], &s->cfg->urls[i]) != 0)
            return s->result;
    return 0;
}

/* The run's result: its own failure, else the first channel's in command-line order. */
static int result_of(const struct ws_sess *s)
{
    size_t i;

    for (i = 0; !s->result && i < s->nch; i++)
        if (s->ch[i].result)
            return s->ch[i].result;
    return s->result;
}

int ws_run(const struct config *cfg)
{
    struct ws_sess *s = xcalloc(1, sizeof(*s));
    size_t i;
    int rv;

    s->cfg = cfg;
    if (cfg->nurls > WS_MAX_CHANS) {
        diag_usage("at most %u WebSocket URLs in one run", WS_MAX_CHANS);
        free(s);
        return H2E_USAGE;
    }
    if ((rv = client_init(&s->cl, cfg)) != 0) {
        free(s);
        return rv;
    }
    s->deadline = cfg->net.max_time_ms ? clock_ms() + cfg->net.max_time_ms : 0;
    s->stdin_open = true;
    buf_init(&s->line, &xalloc_mem, LIMIT_WS_MESSAGE);
    pipe_in_init(&s->in, 0, 0);
    if (make_chans(s) == 0)
        ws_out_init(s);
    if (!s->result && open_ws(s) == 0) {
        vlog(&s->cl, "WebSocket open over %s", s->h2 ? "HTTP/2 (RFC 8441)" : "HTTP/1.1");
        if (!s->h2)
            ws_drain(&s->ch[0]);
        while ((rv = turn(s)) == 0)
            ;
    }
    ws_out_finish(s);            /* before the result: so may writing stdout */
    for (i = 0; i < s->nch; i++) /* before the result: committing a file may fail */
        ws_chan_close_output(&s->ch[i], !s->result && !s->ch[i].result);
    rv = result_of(s);
    if (rv)
        flush_quietly(s);
    release(s);
    rv = client_finish(&s->cl, rv);
    free(s);
    return rv;
}
