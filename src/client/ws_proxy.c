/* SPDX-License-Identifier: MIT */
/*
 * A WebSocket connection through a proxy (-x or the environment, via.c): to an http://
 * proxy a CONNECT tunnel (RFC 9110 §9.3.6), to a SOCKS proxy its handshake (tunnel.c), for
 * ws:// and wss:// alike; TLS to the server then runs inside (ws_dial.c). To an https://
 * proxy, TLS first (its own trust: --proxy-cacert, --proxy-insecure) with ALPN http/1.1
 * alone, then the same CONNECT inside it: a run's one connection needs one tunnel, which
 * HTTP/1.1 gives as well as a CONNECT stream would.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/net.h"
#include "net/tunnel.h"
#include "sys/clock.h"
#include "sys/xalloc.h"
#include "via.h"
#include "vlog.h"
#include "ws_int.h"

/* The target for SOCKS4 and SOCKS5 (not 4a, 5h), resolved here (--resolve applies), off
 * this thread within `until`: the first answer is all a handshake sends. */
static int resolve_here(struct ws_sess *s, const struct via *v, char *ip, size_t cap,
                        uint64_t until)
{
    struct net_addrs a;
    struct ws_lookup l;
    int family = v->url.kind == PROXY_SOCKS4 ? AF_INET : s->cfg->net.family;
    int rv = ws_resolve(s, &l, s->url->host, s->url->port, family, until, &a);

    ws_resolve_release(&l);
    if (rv)
        return ws_fail(s, rv, "%s (resolved here for %s)", a.detail, v->name);
    net_addr_ip(&a.addr[0], ip, cap);
    return 0;
}

/* Run the handshake of `r` over `s->io` until the tunnel is open. 0 or the failure said. */
static int handshake(struct ws_sess *s, const struct via *v, const struct tunnel_req *r,
                     uint64_t until)
{
    struct tunnel t;
    int rv = tunnel_start(&t, r);

    if (rv == 0)
        rv = tunnel_step(&t, &s->io);
    while (rv == H2E_INCOMPLETE) {
        struct pollfd p = {s->io.fd, tunnel_events(&t, &s->io), 0};
        uint64_t now = clock_ms();
        if (until && now >= until) {
            rv = H2E_TIMEOUT;
            break;
        }
        if (!io_pending(&s->io)) /* a TLS record may hold more than was read */
            poll(&p, 1, until && until - now < 1000 ? (int)(until - now) : 1000);
        rv = tunnel_step(&t, &s->io);
    }
    if (rv == H2E_TIMEOUT)
        ws_fail(s, rv, "proxy %s: no tunnel within the connect timeout", v->name);
    else if (rv)
        ws_fail(s, rv, "proxy %s: %s", v->name, t.detail);
    else if (t.status)
        vlog(&s->cl, "CONNECT to %s:%u answered %d: tunnel open", s->url->host, s->url->port,
             t.status);
    else
        vlog(&s->cl, "%s tunnel to %s:%u open", proxy_kind_name(v->url.kind), s->url->host,
             s->url->port);
    tunnel_release(&t);
    return rv;
}

/* The request for `v`: the CONNECT head for HTTP, the target for SOCKS. */
static int request(struct ws_sess *s, const struct via *v, struct tunnel_req *r, struct buf *head,
                   char *ip, size_t cap, uint64_t until)
{
    char authority[URL_HOST_MAX + 16];
    const char *why = NULL;

    memset(r, 0, sizeof(*r));
    r->kind = v->url.kind;
    r->host = s->url->host;
    r->port = s->url->port;
    r->has_user = v->has_user;
    r->user = v->user;
    r->password = v->password;
    if (!proxy_is_socks(r->kind)) {
        via_authority(s->url->host, s->url->port, authority, sizeof(authority));
        if (via_connect_head(&s->cl, v, authority, head, &why) != 0)
            return ws_fail(s, H2E_USAGE, "cannot write the CONNECT request: %s",
                           why ? why : "too large");
        r->http_head = buf_span(head);
    } else if (r->kind == PROXY_SOCKS4 || r->kind == PROXY_SOCKS5) {
        if (resolve_here(s, v, ip, cap, until) != 0)
            return s->result;
        r->host = ip;
    }
    return 0;
}

/* An https:// proxy: `s->io` (connected to it) becomes a TLS session with it. 0 or the
 * failure said, naming the proxy (a certificate it does not pass is exit 60). */
static int proxy_tls(struct ws_sess *s, const struct via *v, uint64_t until)
{
    int err = 0, rv;
    struct tls_ctx *ctx = via_tls(&s->cl, true, &err);
    struct tls_conn *c;

    if (err)
        return ws_fail(s, err, "proxy %s: %s", v->name, ctx->detail);
    c = xcalloc(1, sizeof(*c));
    s->io_open = false; /* the session owns the socket from here */
    rv = tls_conn_start(c, ctx, s->io.fd, v->url.host);
    return ws_tls_handshake(s, c, rv, until, v->name);
}

int ws_proxy_dial(struct ws_sess *s, uint64_t until, bool *proxied)
{
    char why[1024], ip[NET_ADDR_STRLEN];
    const struct via *v;
    struct tunnel_req r;
    struct buf head;
    int err = 0, rv;

    *proxied = false;
    v = via_for(&s->cl, s->url, &err, why, sizeof(why));
    if (err)
        return ws_fail(s, err, "%s", why);
    if (!v)
        return 0;
    vlog(&s->cl, "Through proxy %s (%s)", v->name, v->source);
    if ((rv = ws_connect_to(s, v->url.host, v->url.port, until)) != 0)
        return rv;
    *proxied = true;
    if (v->url.kind == PROXY_HTTPS && (rv = proxy_tls(s, v, until)) != 0)
        return rv;
    buf_init(&head, &xalloc_mem, TUNNEL_HEAD_MAX);
    rv = request(s, v, &r, &head, ip, sizeof(ip), until);
    if (rv == 0)
        rv = handshake(s, v, &r, until);
    if (head.p)
        memset(head.p, 0, head.len); /* it may hold credentials */
    buf_release(&head);
    return rv;
}
