/* SPDX-License-Identifier: MIT */
/*
 * A WebSocket console session: connect (RFC 8441 over HTTP/2 when the server allows it,
 * else the HTTP/1.1 Upgrade), then one poll() loop moving stdin lines (or chunks with
 * --ws-binary) into messages and messages onto stdout, until the close handshake ends.
 * Stdin EOF sends Close 1000 and waits for the peer's (bounded by the stall timeout and
 * -m); a peer Close other than 1000 exits 126 with its code and reason.
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
static int parse_url(struct ws_sess *s, const char *u)
{
    struct h2e_info info = H2E_INFO_INIT;
    bool tls = strncasecmp(u, "wss://", 6) == 0;
    int rv;

    if (strchr(u, '#'))
        return ws_fail(s, H2E_BAD_URL, "'%s': a WebSocket URL has no fragment (RFC 6455 §3)", u);
    s->url_str = xasprintf("%s%s", tls ? "https" : "http", u + (tls ? 3 : 2));
    rv = url_parse(s->url_str, &s->url, &info);
    if (rv)
        return ws_fail(s, rv, "'%s': %s", u, info.why ? info.why : h2e_str(rv));
    return 0;
}

/* One received message to stdout: text with a newline after it, binary as it is. */
static int write_message(struct ws_sess *s, const struct ws_event *ev)
{
    struct out_sink *o = &s->cl.out;

    if ((ev->data.len && out_write(o, ev->data.p, ev->data.len) != 0) ||
        (ev->opcode == WS_OP_TEXT && out_write(o, "\n", 1) != 0) || out_flush(o) != 0)
        return ws_fail(s, H2E_WRITE, "%s", o->detail);
    return 0;
}

/* The peer's Close: 1000 (or no code) ends well, anything else is 126 with its reason. */
static int peer_close(struct ws_sess *s, const struct ws_event *ev)
{
    vlog(&s->cl, "WebSocket Close from the server: %u %.*s", ev->code, (int)ev->reason.len,
         (const char *)ev->reason.p);
    if (ev->code == WS_CLOSE_NORMAL || ev->code == WS_CLOSE_NO_STATUS)
        return 0;
    return ws_fail(s, H2E_WS_CLOSED, "the server closed the WebSocket with %u%s%.*s%s", ev->code,
                   ev->reason.len ? " '" : "", (int)ev->reason.len, (const char *)ev->reason.p,
                   ev->reason.len ? "'" : "");
}

/* Every event the bytes fed so far make. 0, or the failure said. */
int ws_drain(struct ws_sess *s)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct ws_event ev;
    int rv;

    while ((rv = ws_ep_next(&s->ep, &ev, &info)) == 1) {
        if (ev.type == WS_EV_MESSAGE && write_message(s, &ev) != 0)
            return s->result;
        if (ev.type == WS_EV_CLOSE && peer_close(s, &ev) != 0)
            return s->result;
    }
    if (rv < 0)
        return ws_fail(s, rv, "%s; sent Close %u", info.why ? info.why : h2e_str(rv),
                       ws_ep_close_code(rv));
    return 0;
}

/* Send one message read from stdin. */
static int send_msg(struct ws_sess *s, uint8_t op, const uint8_t *p, size_t n)
{
    int rv = ws_ep_send(&s->ep, op, p, n);

    if (rv == H2E_USAGE && op == WS_OP_TEXT)
        return ws_fail(s, H2E_READ, "a stdin line is not UTF-8 text (use --ws-binary)");
    if (rv < 0)
        return ws_fail(s, rv, "cannot queue a message of %zu bytes", n);
    return 0;
}

/* Whole lines of `s->line` become text messages; at EOF the rest does too. */
static int send_lines(struct ws_sess *s, bool eof)
{
    uint8_t *p = s->line.p, *nl;
    size_t left = s->line.len;

    while (left && (nl = memchr(p, '\n', left)) != NULL) {
        if (send_msg(s, WS_OP_TEXT, p, (size_t)(nl - p)) != 0)
            return s->result;
        left -= (size_t)(nl - p) + 1;
        p = nl + 1;
    }
    if (eof && left && send_msg(s, WS_OP_TEXT, p, left) != 0)
        return s->result;
    buf_consume(&s->line, s->line.len - (eof ? 0 : left));
    if (eof)
        buf_reset(&s->line);
    return 0;
}

static void start_close(struct ws_sess *s)
{
    uint64_t wait = s->cfg->net.stall_timeout_ms ? s->cfg->net.stall_timeout_ms : 10000;

    s->stdin_open = false;
    ws_ep_close(&s->ep, WS_CLOSE_NORMAL, span_of(NULL, 0));
    s->close_deadline = clock_ms() + wait;
}

/* What stdin has now (pipe.c): whole lines, or each read as one binary message. */
static int read_stdin(struct ws_sess *s)
{
    struct span d;

    pipe_in_fill(&s->in);
    d = pipe_in_data(&s->in);
    if (d.len && s->cfg->req.ws_binary && send_msg(s, WS_OP_BINARY, d.p, d.len) != 0)
        return s->result;
    if (d.len && !s->cfg->req.ws_binary) {
        if (buf_append(&s->line, d.p, d.len) != 0)
            return ws_fail(s, H2E_READ, "a stdin line is longer than 16 MiB");
        if (send_lines(s, false) != 0)
            return s->result;
    }
    pipe_in_consume(&s->in, d.len);
    if (s->in.err)
        return ws_fail(s, H2E_READ, "cannot read stdin: %s", strerror(s->in.err));
    if (!pipe_in_done(&s->in))
        return 0;
    if (!s->cfg->req.ws_binary && send_lines(s, true) != 0)
        return s->result;
    start_close(s);
    return 0;
}

/* HTTP/1.1: read what the connection has and feed it, write what is queued. */
static int h1_pump(struct ws_sess *s)
{
    uint8_t tmp[64 * 1024];
    struct buf *out = ws_ep_out(&s->ep);
    int k;

    while (!s->peer_ended && (k = io_read(&s->io, tmp, sizeof(tmp))) != H2E_INCOMPLETE) {
        if (k <= 0) {
            s->peer_ended = true;
            if (k < 0)
                return ws_fail(s, k, "%s", s->io.detail);
            break;
        }
        if (ws_ep_feed(&s->ep, tmp, (size_t)k) != 0 || ws_drain(s) != 0)
            return s->result ? s->result : ws_fail(s, H2E_NOMEM, "no memory for input");
    }
    while (out->len && (k = io_write(&s->io, out->p, out->len)) != H2E_INCOMPLETE) {
        if (k < 0)
            return ws_ep_done(&s->ep) ? 0 : ws_fail(s, k, "%s", s->io.detail);
        buf_consume(out, (size_t)k);
    }
    return 0;
}

static short link_events(struct ws_sess *s)
{
    short ev = (short)(POLLIN | io_poll_events(&s->io));

    if (s->h2)
        return (short)(ev | ws_h2_events(s));
    if (ws_ep_out(&s->ep)->len)
        ev |= POLLOUT;
    return ev;
}

/* Bytes still to go out, whichever the transport. */
static bool output_pending(struct ws_sess *s)
{
    if (ws_ep_out(&s->ep)->len)
        return true;
    return s->h2 && s->h2c && h2c_output(s->h2c).len;
}

static int timers(struct ws_sess *s)
{
    uint64_t now = clock_ms();

    if (s->deadline && now >= s->deadline)
        return ws_fail(s, H2E_TIMEOUT, "operation timed out after %llu ms (--max-time)",
                       (unsigned long long)s->cfg->net.max_time_ms);
    if (s->close_deadline && now >= s->close_deadline && !s->ep.close_rcvd)
        return ws_fail(s, H2E_WS_CLOSED, "no Close from the server in reply to ours (1006)");
    return 0;
}

/* One turn: poll, then stdin, then the connection. 1 when the session is over. */
static int turn(struct ws_sess *s)
{
    struct pollfd p[2] = {{s->io.fd, link_events(s), 0}, {-1, 0, 0}};
    bool want = s->stdin_open && !s->ep.close_sent && ws_ep_out(&s->ep)->len < WS_OUT_HIGH;
    size_t n = 1 + pipe_in_pollfd(&s->in, want, &p[1]);
    int rv;

    if (!io_pending(&s->io))
        poll(p, (nfds_t)n, 200);
    if (n == 2 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)) && read_stdin(s) != 0)
        return -1;
    rv = s->h2 ? ws_h2_pump(s, p[0].revents) : h1_pump(s);
    if (rv != 0 || timers(s) != 0)
        return -1;
    if (ws_ep_done(&s->ep) && !output_pending(s))
        return 1;
    if (s->peer_ended && !s->ep.close_rcvd)
        return ws_fail(s, H2E_WS_CLOSED, "the connection ended without a WebSocket Close (1006)");
    return 0;
}

/* After a failure: what is queued (our Close naming the error) goes out if it can. */
static void flush_quietly(struct ws_sess *s)
{
    int i;

    for (i = 0; i < 20 && !s->peer_ended && output_pending(s); i++) {
        struct pollfd p = {s->io.fd, (short)(POLLOUT | io_poll_events(&s->io)), 0};
        if (poll(&p, 1, 50) <= 0)
            break;
        if (s->h2)
            ws_h2_pump(s, p.revents);
        else if (io_write(&s->io, ws_ep_out(&s->ep)->p, ws_ep_out(&s->ep)->len) > 0)
            buf_consume(ws_ep_out(&s->ep), ws_ep_out(&s->ep)->len); /* best effort */
    }
}

/* Connect and open the WebSocket: RFC 8441 first when h2 is possible, else Upgrade. */
static int open_ws(struct ws_sess *s)
{
    const struct config *cfg = s->cfg;
    bool h1_only = cfg->proto.http == CLI_HTTP_1_1;
    bool prior = !s->url.tls && cfg->proto.http == CLI_HTTP_2_PRIOR;
    int rv;

    rv = ws_dial(s, h1_only ? "http/1.1" : "h2,http/1.1");
    if (rv)
        return rv;
    if (prior || (s->url.tls && s->tlsc->facts.alpn == TLS_ALPN_H2 && !h1_only)) {
        rv = ws_h2_start(s);
        if (rv <= 0)
            return rv;
        /* RFC 8441 §3: no SETTINGS_ENABLE_CONNECT_PROTOCOL, so HTTP/1.1 on a new connection */
        vlog(&s->cl, "The server does not allow extended CONNECT: WebSocket over HTTP/1.1");
        ws_h2_release(s);
        io_close(&s->io);
        free(s->tlsc);
        s->tlsc = NULL;
        s->io_open = false;
        if ((rv = ws_dial(s, "http/1.1")) != 0)
            return rv;
    }
    return ws_h1_handshake(s);
}

static void release(struct ws_sess *s)
{
    ws_h2_release(s);
    if (s->io_open)
        io_close(&s->io);
    free(s->tlsc);
    if (s->tls_ready)
        tls_ctx_release(&s->tls);
    ws_ep_release(&s->ep);
    buf_release(&s->line);
    pipe_in_release(&s->in);
    free(s->url_str);
}

static void on_frame(void *ctx, bool sent, const struct ws_head *h, const uint8_t *p, size_t n)
{
    struct ws_sess *s = ctx;

    trace_ws_frame(s->cl.trace, WS_CONN_ID, s->sid, sent, h, p, n);
}

int ws_run(const struct config *cfg)
{
    struct ws_sess *s = xcalloc(1, sizeof(*s));
    struct ws_ep_cfg ec = {0, ws_key_mask, on_frame, NULL};
    int rv;

    s->cfg = cfg;
    if (cfg->nurls != 1) {
        diag_usage("a WebSocket run takes exactly one ws:// or wss:// URL");
        free(s);
        return H2E_USAGE;
    }
    if ((rv = client_init(&s->cl, cfg)) != 0) {
        free(s);
        return rv;
    }
    s->deadline = cfg->net.max_time_ms ? clock_ms() + cfg->net.max_time_ms : 0;
    s->stdin_open = true;
    ec.ctx = s;
    ws_ep_init(&s->ep, &ec, &xalloc_mem);
    buf_init(&s->line, &xalloc_mem, LIMIT_WS_MESSAGE);
    pipe_in_init(&s->in, 0, 0);
    if (parse_url(s, cfg->urls[0].url) == 0 && open_ws(s) == 0 && ws_drain(s) == 0) {
        vlog(&s->cl, "WebSocket open over %s", s->h2 ? "HTTP/2 (RFC 8441)" : "HTTP/1.1");
        while ((rv = turn(s)) == 0)
            ;
    }
    if (s->result)
        flush_quietly(s);
    rv = s->result;
    release(s);
    rv = client_finish(&s->cl, rv);
    free(s);
    return rv;
}
