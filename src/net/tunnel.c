/* SPDX-License-Identifier: MIT */
/*
 * Proxy handshakes as one small state machine: write what the current step sends, read
 * until its reply parses, then the next step. HTTP: the caller's CONNECT head, then a
 * response head (1xx skipped; 2xx opens the tunnel, RFC 9110 §9.3.6, and anything after
 * the head is tunnel data). SOCKS5: greeting, method selection, the RFC 1929 exchange only
 * when the proxy picks it, CONNECT and its reply (RFC 1928 §3-§6). SOCKS4/4a: one request
 * and its 8-byte reply. Every refusal names the proxy's answer; credentials are never
 * copied into a message.
 */
#include "tunnel.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "codec/h1.h"
#include "sys/diag.h"
#include "sys/xalloc.h"

#define READ_CHUNK 4096u
#define HEAD_FIELDS 100u

static int fail(struct tunnel *t, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct tunnel *t, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(t->detail, sizeof(t->detail), fmt, ap);
    va_end(ap);
    t->state = TUNNEL_FAILED;
    t->code = code;
    return code;
}

static const char *what(const struct tunnel *t)
{
    switch (t->kind) {
    case PROXY_SOCKS4:
    case PROXY_SOCKS4A:
        return "SOCKS4";
    case PROXY_SOCKS5:
    case PROXY_SOCKS5H:
        return "SOCKS5";
    default:
        return "HTTP";
    }
}

static int start_socks(struct tunnel *t, const struct tunnel_req *r)
{
    struct h2e_info info = H2E_INFO_INIT;
    bool v5 = t->kind == PROXY_SOCKS5 || t->kind == PROXY_SOCKS5H;

    if (socks_target_host(&t->target, t->host, r->port, &info) != 0)
        return fail(t, H2E_USAGE, "cannot ask a SOCKS proxy for '%.64s': %s", t->host, info.why);
    if (!v5) {
        struct span id = r->has_user ? r->user : span_of("", 0);
        if (socks_connect4(&t->out, &t->target, id, &info) != 0)
            return fail(t, H2E_USAGE, "cannot ask a SOCKS4 proxy for '%s': %s", t->host,
                        info.why ? info.why : "request too large");
        t->next = TUNNEL_REPLY;
        return 0;
    }
    if (r->has_user && socks_auth_request(&t->auth, r->user, r->password, &info) != 0)
        return fail(t, H2E_USAGE, "cannot send the proxy credentials: %s",
                    info.why ? info.why : "too large");
    socks_greeting(&t->out, r->has_user);
    t->next = TUNNEL_METHOD;
    return 0;
}

int tunnel_start(struct tunnel *t, const struct tunnel_req *r)
{
    memset(t, 0, sizeof(*t));
    buf_init(&t->out, &xalloc_mem, TUNNEL_HEAD_MAX);
    buf_init(&t->in, &xalloc_mem, TUNNEL_HEAD_MAX + READ_CHUNK);
    buf_init(&t->auth, &xalloc_mem, 1024);
    t->kind = r->kind;
    t->has_user = r->has_user;
    t->state = TUNNEL_SEND;
    if (strlen(r->host) >= sizeof(t->host))
        return fail(t, H2E_USAGE, "tunnel target name too long");
    snprintf(t->host, sizeof(t->host), "%s", r->host);
    t->target.port = r->port;
    if (proxy_is_socks(r->kind))
        return start_socks(t, r);
    if (buf_append(&t->out, r->http_head.p, r->http_head.len) != 0)
        return fail(t, H2E_USAGE, "CONNECT request head too large");
    t->next = TUNNEL_REPLY;
    return 0;
}

/* Write what is pending; 0 when all is out. */
static int flush(struct tunnel *t, struct io *io)
{
    while (t->out_off < t->out.len) {
        int rv = io_write(io, t->out.p + t->out_off, t->out.len - t->out_off);
        if (rv == H2E_INCOMPLETE)
            return rv;
        if (rv < 0)
            return fail(t, rv, "sending to the %s proxy failed: %s", what(t), io->detail);
        t->out_off += (size_t)rv;
    }
    memset(t->out.p, 0, t->out.len); /* it may have held credentials */
    buf_reset(&t->out);
    t->out_off = 0;
    return 0;
}

/* Read once more of the reply; 0 when bytes came. */
static int receive(struct tunnel *t, struct io *io)
{
    int rv;

    if (buf_reserve(&t->in, READ_CHUNK) != 0)
        return fail(t, t->kind <= PROXY_HTTPS ? H2E_PROXY_TUNNEL : H2E_PROXY_HANDSHAKE,
                    "the %s proxy's reply is over %u bytes", what(t), TUNNEL_HEAD_MAX);
    rv = io_read(io, t->in.p + t->in.len, READ_CHUNK);
    if (rv == H2E_INCOMPLETE)
        return rv;
    if (rv == 0)
        return fail(t, t->kind <= PROXY_HTTPS ? H2E_PROXY_TUNNEL : H2E_PROXY_HANDSHAKE,
                    "the %s proxy closed the connection in the middle of the handshake (%zu "
                    "byte%s of its reply received)",
                    what(t), t->in.len, t->in.len == 1 ? "" : "s");
    if (rv < 0)
        return fail(t, rv, "receiving from the %s proxy failed: %s", what(t), io->detail);
    t->in.len += (size_t)rv;
    return 0;
}

/* Queue `b` (the SOCKS5 CONNECT or the RFC 1929 request) and wait for `next`. */
static int send_next(struct tunnel *t, const struct buf *b, enum tunnel_state next)
{
    buf_reset(&t->out);
    if (buf_append(&t->out, b->p, b->len) != 0)
        return fail(t, H2E_NOMEM, "SOCKS request too large");
    t->out_off = 0;
    t->state = TUNNEL_SEND;
    t->next = next;
    return 1;
}

static int connect5(struct tunnel *t)
{
    struct buf b;
    int rv;

    buf_init(&b, &xalloc_mem, 512);
    socks_connect5(&b, &t->target);
    rv = send_next(t, &b, TUNNEL_REPLY);
    buf_release(&b);
    return rv;
}

/* RFC 1928 §3: the method the proxy chose. 1 to go on, <0 failed. */
static int on_method(struct tunnel *t, uint8_t m)
{
    if (m == SOCKS_METHOD_NONE)
        return connect5(t);
    if (m == SOCKS_METHOD_USERPASS && t->has_user)
        return send_next(t, &t->auth, TUNNEL_AUTH);
    if (m == SOCKS_METHOD_USERPASS || (m == SOCKS_METHOD_REFUSED && !t->has_user))
        return fail(t, H2E_PROXY_HANDSHAKE,
                    "the SOCKS5 proxy requires a user name and password (-U or the proxy URL)");
    if (m == SOCKS_METHOD_REFUSED)
        return fail(t, H2E_PROXY_HANDSHAKE,
                    "the SOCKS5 proxy accepted none of the methods offered (none, "
                    "username/password)");
    return fail(t, H2E_PROXY_HANDSHAKE,
                "the SOCKS5 proxy chose authentication method 0x%02x, which was not offered", m);
}

/* Parse the message the state waits for: its length, H2E_INCOMPLETE, or <0 failed. */
static int parse_socks(struct tunnel *t, int *verdict)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct socks_reply5 r5;
    uint8_t v = 0;
    int used;

    if (t->state == TUNNEL_METHOD)
        used = socks_parse_method(t->in.p, t->in.len, &v, &info);
    else if (t->state == TUNNEL_AUTH)
        used = socks_parse_auth(t->in.p, t->in.len, &v, &info);
    else if (t->kind == PROXY_SOCKS4 || t->kind == PROXY_SOCKS4A)
        used = socks_parse_reply4(t->in.p, t->in.len, &v, &info);
    else
        used = socks_parse_reply5(t->in.p, t->in.len, &r5, &info);
    if (used > 0 && t->state == TUNNEL_REPLY &&
        (t->kind == PROXY_SOCKS5 || t->kind == PROXY_SOCKS5H))
        v = r5.rep;
    if (used == H2E_PROXY_HANDSHAKE)
        return fail(t, used, "bad reply from the %s proxy: %s", what(t), info.why);
    *verdict = v;
    return used;
}

static int socks_reply(struct tunnel *t, uint8_t v)
{
    bool v4 = t->kind == PROXY_SOCKS4 || t->kind == PROXY_SOCKS4A;

    t->reply = v;
    if (v4 && v != SOCKS4_OK)
        return fail(t, H2E_PROXY_HANDSHAKE, "the SOCKS4 proxy refused '%s:%u': %s (reply %u)",
                    t->host, t->target.port, socks_reply4_name(v), v);
    if (!v4 && v != SOCKS5_OK)
        return fail(t, H2E_PROXY_HANDSHAKE,
                    "the SOCKS5 proxy could not connect to '%s:%u': %s (reply %u)", t->host,
                    t->target.port, socks_reply5_name(v), v);
    t->state = TUNNEL_OPEN;
    return 0;
}

/* One SOCKS message handled: 1 to go on, 0 when open, H2E_INCOMPLETE, <0 failed. */
static int step_socks(struct tunnel *t)
{
    int v = 0, used = parse_socks(t, &v);

    if (used < 0)
        return used;
    buf_consume(&t->in, (size_t)used);
    if (t->state == TUNNEL_METHOD)
        return on_method(t, (uint8_t)v);
    if (t->state == TUNNEL_AUTH && v != 0)
        return fail(t, H2E_PROXY_HANDSHAKE,
                    "the SOCKS5 proxy refused the user name and password (RFC 1929 status %d)", v);
    if (t->state == TUNNEL_AUTH)
        return connect5(t);
    return socks_reply(t, (uint8_t)v);
}

static int http_refused(struct tunnel *t, const struct h1_response *r)
{
    char reason[DIAG_ESCAPE_CAP];
    const char *hint = "";

    if (r->status == 407)
        hint = t->has_user ? " (the proxy refused the credentials)"
                           : " (the proxy wants credentials: -U USER:PASSWORD)";
    return fail(t, H2E_PROXY_TUNNEL,
                strchr(t->host, ':') ? "CONNECT to '[%s]:%u' answered %d%s%s%s"
                                     : "CONNECT to '%s:%u' answered %d%s%s%s",
                t->host, t->target.port, r->status, r->reason.len ? " " : "",
                diag_escape(reason, sizeof(reason), r->reason), hint);
}

/* One HTTP response head handled: 1 to go on (a 1xx), 0 when open, H2E_INCOMPLETE, <0. */
static int step_http(struct tunnel *t)
{
    struct h1_header h[HEAD_FIELDS];
    size_t n = HEAD_FIELDS;
    struct h1_response r;
    struct h2e_info info = H2E_INFO_INIT;
    int used = h1_parse_response(t->in.p, t->in.len, &r, h, &n, &info);

    if (used == H2E_INCOMPLETE)
        return used;
    if (used < 0)
        return fail(t, H2E_PROXY_TUNNEL, "the proxy's reply to CONNECT is not HTTP/1.1: %s",
                    info.why ? info.why : h2e_str(used));
    t->status = r.status;
    if (r.status / 100 != 2 && (r.status / 100 != 1 || r.status == 101))
        return http_refused(t, &r); /* before `r` is moved by the consume below */
    buf_consume(&t->in, (size_t)used);
    if (r.status / 100 == 1)
        return 1;           /* RFC 9110 §15.2: an interim response; the final one follows */
    t->state = TUNNEL_OPEN; /* RFC 9110 §9.3.6: the tunnel starts after the head */
    return 0;
}

int tunnel_step(struct tunnel *t, struct io *io)
{
    for (;;) {
        int rv;
        if (t->state == TUNNEL_FAILED)
            return t->code;
        if (t->state == TUNNEL_OPEN)
            return 0;
        if (t->state == TUNNEL_SEND) {
            if ((rv = flush(t, io)) != 0)
                return rv;
            t->state = t->next;
            continue;
        }
        rv = t->kind <= PROXY_HTTPS ? step_http(t) : step_socks(t);
        if (rv == 0) {
            io_unread(io, t->in.p, t->in.len); /* the first bytes of the tunnel */
            buf_reset(&t->in);
            return 0;
        }
        if (rv == H2E_INCOMPLETE && (rv = receive(t, io)) != 0)
            return rv;
        if (rv < 0)
            return rv;
    }
}

short tunnel_events(const struct tunnel *t, const struct io *io)
{
    short own = io_poll_events(io);

    if (t->state == TUNNEL_SEND)
        return (short)(own | POLLOUT);
    if (t->state == TUNNEL_OPEN || t->state == TUNNEL_FAILED)
        return own;
    return (short)(own | POLLIN);
}

static void wipe(struct buf *b)
{
    if (b->p)
        memset(b->p, 0, b->len);
    buf_release(b);
}

void tunnel_release(struct tunnel *t)
{
    wipe(&t->out);
    wipe(&t->in);
    wipe(&t->auth);
}
