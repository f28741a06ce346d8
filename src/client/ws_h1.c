/* SPDX-License-Identifier: MIT */
/*
 * The WebSocket opening handshake over HTTP/1.1 (RFC 6455 §4.1, §4.2.2): a GET with
 * Upgrade: websocket, a fresh Sec-WebSocket-Key and version 13, then the server's head
 * checked step by step: 101, Upgrade and Connection, the Sec-WebSocket-Accept for our
 * key, and no extension or subprotocol we did not ask for. Anything else fails with 125.
 */
#include <stdlib.h>
#include <string.h>

#include "codec/h1.h"
#include "sys/xalloc.h"
#include "vlog.h"
#include "ws_int.h"

#define WS_H1_FIELDS 200u
#define WS_H1_HEAD_MAX (64u * 1024u)

/* Our fields: the handshake's own, then the user's -H (which may not replace them). */
static size_t request_fields(struct ws_sess *s, struct h1_header *h, size_t cap)
{
    const struct config *cfg = s->cfg;
    const char *ua = cfg->req.user_agent;
    size_t n = 0, i;

    h[n++] = (struct h1_header){span_str("Upgrade"), span_str("websocket")};
    h[n++] = (struct h1_header){span_str("Connection"), span_str("Upgrade")};
    h[n++] = (struct h1_header){span_str("Sec-WebSocket-Key"), span_str(s->key)};
    h[n++] = (struct h1_header){span_str("Sec-WebSocket-Version"), span_str("13")};
    if (ua && *ua)
        h[n++] = (struct h1_header){span_str("User-Agent"), span_str(ua)};
    for (i = 0; i < cfg->req.nheaders && n < cap; i++)
        if (!cfg->req.headers[i].remove && !span_ieq_str(cfg->req.headers[i].name, "host"))
            h[n++] = (struct h1_header){cfg->req.headers[i].name, cfg->req.headers[i].value};
    return n;
}

static int write_all(struct ws_sess *s, struct buf *b)
{
    while (b->len) {
        int rv = io_write(&s->io, b->p, b->len);
        if (rv == H2E_INCOMPLETE) {
            if (ws_wait(s, POLLOUT) != 0)
                return s->result;
            continue;
        }
        if (rv < 0)
            return ws_fail(s, rv, "cannot send the WebSocket handshake: %s", s->io.detail);
        buf_consume(b, (size_t)rv);
    }
    return 0;
}

static int send_request(struct ws_sess *s)
{
    struct h1_header h[WS_H1_FIELDS];
    struct h2e_info info = H2E_INFO_INIT;
    struct h1_request req;
    struct buf out, target, host;
    size_t i;
    int rv;

    buf_init(&out, &xalloc_mem, 1u << 20);
    buf_init(&target, &xalloc_mem, SIZE_MAX);
    buf_init(&host, &xalloc_mem, SIZE_MAX);
    url_request_target(s->url, &target);
    url_authority(s->url, &host);
    memset(&req, 0, sizeof(req));
    req.method = span_str("GET");
    req.target = buf_span(&target);
    req.host = buf_span(&host);
    req.headers = h;
    req.nheaders = request_fields(s, h, WS_H1_FIELDS);
    rv = h1_write_request(&out, &req, &info);
    if (rv == 0) {
        vlog(&s->cl, "> GET %.*s HTTP/1.1", (int)target.len, (const char *)target.p);
        vlog_field(&s->cl, '>', span_str("host"), req.host);
        for (i = 0; i < req.nheaders; i++)
            vlog_field(&s->cl, '>', h[i].name, h[i].value);
        rv = write_all(s, &out);
    } else {
        rv = ws_fail(s, rv, "cannot write the request: %s", info.why ? info.why : h2e_str(rv));
    }
    buf_release(&out);
    buf_release(&target);
    buf_release(&host);
    return rv;
}

static const struct span *field(const struct h1_header *h, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (span_ieq_str(h[i].name, name))
            return &h[i].value;
    return NULL;
}

/* `v` holds `tok` as one of its comma-separated tokens, case-insensitively. */
static bool has_token(const struct span *v, const char *tok)
{
    size_t i = 0;

    while (v && i < v->len) {
        size_t a = i, b = i;
        while (b < v->len && v->p[b] != ',')
            b++;
        i = b + 1;
        while (a < b && (v->p[a] == ' ' || v->p[a] == '\t'))
            a++;
        while (b > a && (v->p[b - 1] == ' ' || v->p[b - 1] == '\t'))
            b--;
        if (span_ieq_str(span_of(v->p + a, b - a), tok))
            return true;
    }
    return false;
}

/* RFC 6455 §4.1, the client's checks of the server's handshake, in the RFC's order. */
static int check_head(struct ws_sess *s, const struct h1_response *r, const struct h1_header *h,
                      size_t n)
{
    const struct span *up = field(h, n, "upgrade"), *acc = field(h, n, "sec-websocket-accept");

    if (r->status == 426)
        return ws_fail(s, H2E_WS_HANDSHAKE,
                       "the server answered 426 Upgrade Required "
                       "(it does not take WebSocket on this URL)");
    if (r->status != 101)
        return ws_fail(s, H2E_WS_HANDSHAKE, "the server answered %d, not 101 Switching Protocols",
                       r->status);
    if (!up || !span_ieq_str(*up, "websocket"))
        return ws_fail(s, H2E_WS_HANDSHAKE, "101 without 'Upgrade: websocket' (RFC 6455 §4.1)");
    if (!has_token(field(h, n, "connection"), "upgrade"))
        return ws_fail(s, H2E_WS_HANDSHAKE, "101 without 'Connection: Upgrade' (RFC 6455 §4.1)");
    if (!acc)
        return ws_fail(s, H2E_WS_HANDSHAKE, "101 without Sec-WebSocket-Accept (RFC 6455 §4.1)");
    if (!ws_key_accept_ok(s->key, *acc))
        return ws_fail(s, H2E_WS_HANDSHAKE,
                       "wrong Sec-WebSocket-Accept '%.*s' for our key (RFC 6455 §4.1)",
                       (int)(acc->len > 64 ? 64 : acc->len), (const char *)acc->p);
    if (field(h, n, "sec-websocket-extensions") || field(h, n, "sec-websocket-protocol"))
        return ws_fail(s, H2E_WS_HANDSHAKE,
                       "the server chose an extension or subprotocol we did not offer (§4.1)");
    return 0;
}

/* Parse the head in `rb`; 1 when more bytes are needed, else 0 or the error said. */
static int parse_head(struct ws_sess *s, struct buf *rb)
{
    struct h1_header *h = xmalloc(WS_H1_FIELDS * sizeof(*h));
    struct h2e_info info = H2E_INFO_INIT;
    struct h1_response r;
    size_t n = WS_H1_FIELDS, i;
    int used = h1_parse_response(rb->p, rb->len, &r, h, &n, &info), rv;

    if (used == H2E_INCOMPLETE) {
        free(h);
        return 1;
    }
    if (used < 0) {
        free(h);
        return ws_fail(s, used, "bad handshake response: %s", info.why ? info.why : "");
    }
    vlog(&s->cl, "< HTTP/1.%d %d %.*s", r.minor_version, r.status, (int)r.reason.len,
         (const char *)r.reason.p);
    for (i = 0; i < n; i++)
        vlog_field(&s->cl, '<', h[i].name, h[i].value);
    rv = check_head(s, &r, h, n);
    free(h);
    if (rv == 0) /* what follows the head is already WebSocket frames */
        rv = ws_ep_feed(&s->ch[0].ep, rb->p + used, rb->len - (size_t)used);
    return rv;
}

int ws_h1_handshake(struct ws_sess *s)
{
    struct buf rb;
    uint8_t tmp[16384];
    int rv;

    if (ws_key_new(s->key) != 0 || send_request(s) != 0)
        return s->result ? s->result : ws_fail(s, H2E_NOMEM, "no random bytes for the key");
    buf_init(&rb, &xalloc_mem, WS_H1_HEAD_MAX);
    for (;;) {
        int k = io_read(&s->io, tmp, sizeof(tmp));
        if (k == H2E_INCOMPLETE) {
            if (ws_wait(s, POLLIN) != 0)
                break;
            continue;
        }
        if (k <= 0) {
            ws_fail(s, k == 0 ? H2E_WS_HANDSHAKE : k, "%s",
                    k == 0 ? "the server closed the connection before the handshake's end"
                           : s->io.detail);
            break;
        }
        if (buf_append(&rb, tmp, (size_t)k) != 0) {
            ws_fail(s, H2E_WS_HANDSHAKE, "handshake response head over 64 KiB");
            break;
        }
        if ((rv = parse_head(s, &rb)) != 1)
            break;
    }
    buf_release(&rb);
    return s->result;
}
