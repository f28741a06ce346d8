/* SPDX-License-Identifier: MIT */
/*
 * A WebSocket session's connection: --resolve/--connect-to, Happy Eyeballs, TLS with the
 * ALPN list asked for, each step waiting in poll() bounded by --connect-timeout and -m.
 * One connection per session, directly or through a proxy's tunnel (ws_proxy.c).
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cconn.h"
#include "net/net.h"
#include "sys/clock.h"
#include "sys/diag.h"
#include "sys/xalloc.h"
#include "vlog.h"
#include "ws_int.h"

int ws_fail(struct ws_sess *s, int code, const char *fmt, ...)
{
    va_list ap;
    char *d;

    if (s->said)
        return s->result;
    va_start(ap, fmt);
    d = xvasprintf(fmt, ap);
    va_end(ap);
    diag_error(code, "%s", d);
    free(d);
    s->said = true;
    s->result = code;
    return code;
}

/* Milliseconds poll may wait before `until` (0: no bound), capped at 1 s. */
static int wait_ms(uint64_t until)
{
    uint64_t now = clock_ms();

    if (!until)
        return 1000;
    if (until <= now)
        return 0;
    return until - now > 1000 ? 1000 : (int)(until - now);
}

int ws_wait(struct ws_sess *s, short events)
{
    struct pollfd p = {s->io.fd, (short)(events | io_poll_events(&s->io)), 0};

    if (io_pending(&s->io))
        return 0;
    for (;;) {
        if (s->deadline && clock_ms() >= s->deadline)
            return ws_fail(s, H2E_TIMEOUT, "operation timed out after %llu ms (--max-time)",
                           (unsigned long long)s->cfg->net.max_time_ms);
        if (poll(&p, 1, wait_ms(s->deadline)) > 0)
            return 0;
    }
}

/* One turn of connecting: wait for the attempts in flight and for the lookup's later
 * answers (an A answer after the AAAA one: RFC 8305 §3), hand those to the connector. */
static int connect_turn(struct ws_sess *s, struct net_connector *nc, struct ws_lookup *l)
{
    struct pollfd pfd[LIMIT_RESOLVE_ADDRS + 1];
    size_t n = net_connector_pollfds(nc, pfd, LIMIT_RESOLVE_ADDRS);
    int t = net_connector_next_timeout(nc, clock_ms()), rv;
    struct net_addrs more;
    size_t k = ws_resolve_pollfd(l, &pfd[n], &t);

    poll(pfd, (nfds_t)(n + k), t < 0 || t > 1000 ? 1000 : t);
    if (l->lk && (rv = ws_resolve_take(s, l, &more)) != H2E_INCOMPLETE) {
        rv = net_connector_more(nc, rv == 0 ? &more : NULL, l->lk != NULL, clock_ms());
        if (rv != H2E_INCOMPLETE)
            return rv;
    }
    return net_connector_step(nc, pfd, n, clock_ms());
}

/* A connected socket to `host`:`port` (--connect-to applies when `route`: not to proxies). */
static int connect_fd(struct ws_sess *s, const char *host, uint16_t port, bool route,
                      uint64_t until)
{
    struct net_overrides ov = cli_net_overrides(s->cfg);
    struct net_connector nc;
    struct net_addrs addrs;
    struct ws_lookup l;
    int rv;

    if (route)
        net_route(&ov, &host, &port);
    rv = ws_resolve(s, &l, host, port, s->cfg->net.family, until, &addrs);
    if (rv)
        return ws_fail(s, rv, "'%s': %s", host, addrs.detail);
    vlog(&s->cl, "Host %s:%u resolved (%zu address%s%s)", host, port, addrs.n,
         addrs.n == 1 ? "" : "es", l.lk ? " so far" : "");
    net_connector_init(&nc);
    rv = l.lk ? net_connector_start_partial(&nc, &addrs, clock_ms(), until)
              : net_connector_start(&nc, &addrs, clock_ms(), until);
    while (rv == H2E_INCOMPLETE)
        rv = connect_turn(s, &nc, &l);
    ws_resolve_release(&l);
    if (rv >= 0) {
        char addr[NET_ADDR_STRLEN] = "";
        if (net_connector_peer(&nc))
            net_addr_str(net_connector_peer(&nc), addr, sizeof(addr));
        vlog(&s->cl, "Connected to %s", addr);
    } else {
        ws_fail(s, rv, "%s", nc.detail);
    }
    net_connector_release(&nc);
    return rv;
}

static int tls_setup(struct ws_sess *s, const char *alpn)
{
    const struct config *cfg = s->cfg;
    struct h2e_info info = H2E_INFO_INIT;
    struct tls_opts o;
    int rv;

    cconn_tls_opts(cfg, alpn, &o);
    if (s->tls_ready)
        tls_ctx_release(&s->tls);
    rv = tls_ctx_init(&s->tls, &o, &info);
    s->tls_ready = rv == 0;
    if (rv)
        return ws_fail(s, rv, "%s", s->tls.detail);
    if (cfg->tls.insecure)
        diag_warn("certificate verification is off (-k): the server is not authenticated");
    return 0;
}

int ws_tls_handshake(struct ws_sess *s, struct tls_conn *c, int rv, uint64_t until,
                     const char *proxy)
{
    if (rv == 0)
        rv = tls_conn_handshake(c);
    while (rv == H2E_INCOMPLETE) {
        struct pollfd p = {c->has_lower ? c->lower.fd : c->fd, tls_conn_events(c), 0};
        if (until && clock_ms() >= until) {
            rv = H2E_TIMEOUT;
            break;
        }
        if (!tls_conn_pending(c))
            poll(&p, 1, wait_ms(until));
        rv = tls_conn_handshake(c);
    }
    if (rv == H2E_TIMEOUT)
        ws_fail(s, rv, "%s%s%sTLS handshake with '%s' not done in time", proxy ? "proxy " : "",
                proxy ? proxy : "", proxy ? ": " : "", proxy ? c->host : s->url->host);
    else if (rv)
        ws_fail(s, c->info.code ? c->info.code : rv, "%s%s%s%s", proxy ? "proxy " : "",
                proxy ? proxy : "", proxy ? ": " : "", c->detail);
    if (rv) {
        tls_conn_release(c);
        free(c);
        return rv;
    }
    vlog_tls(&s->cl, &c->facts, proxy ? "proxy" : "server");
    io_tls_init(&s->io, c); /* the io owns the session from here; `c` must stay in place */
    if (proxy)
        s->ptlsc = c;
    else
        s->tlsc = c;
    s->io_open = true;
    return 0;
}

void ws_link_close(struct ws_sess *s)
{
    if (s->io_open)
        io_close(&s->io); /* the TLS sessions with it, the server's then the proxy's */
    s->io_open = false;
    free(s->tlsc);
    s->tlsc = NULL;
    free(s->ptlsc);
    s->ptlsc = NULL;
}

int ws_dial(struct ws_sess *s, const char *alpn)
{
    uint64_t until = clock_ms() + s->cfg->net.connect_timeout_ms;
    struct tls_conn *c;
    bool proxied = false;
    int fd, rv;

    if (s->deadline && s->deadline < until)
        until = s->deadline;
    if (s->url->tls && tls_setup(s, alpn) != 0)
        return s->result;
    if ((rv = ws_proxy_dial(s, until, &proxied)) != 0)
        return rv;
    if (!proxied) {
        fd = connect_fd(s, s->url->host, s->url->port, true, until);
        if (fd < 0)
            return fd;
        io_tcp_init(&s->io, fd);
        s->io_open = true;
    }
    if (!s->url->tls)
        return 0;
    /* TLS to the server, over the socket or inside the proxy's tunnel */
    c = xcalloc(1, sizeof(*c));
    s->io_open = false;
    if (proxied) {
        rv = tls_conn_start_io(c, &s->tls, &s->io, s->url->host);
    } else {
        fd = s->io.fd;
        rv = tls_conn_start(c, &s->tls, fd, s->url->host);
    }
    return ws_tls_handshake(s, c, rv, until, NULL);
}

int ws_connect_to(struct ws_sess *s, const char *host, uint16_t port, uint64_t until)
{
    int fd = connect_fd(s, host, port, false, until);

    if (fd < 0)
        return fd;
    io_tcp_init(&s->io, fd);
    s->io_open = true;
    return 0;
}
