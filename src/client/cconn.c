/* SPDX-License-Identifier: MIT */
/*
 * One connection to an origin: its queue of transfers, and its way from nothing to a
 * session: resolve, connect (Happy Eyeballs, RFC 8305), TLS with ALPN (RFC 7301), then
 * HTTP/2 or HTTP/1.1 (sess_h2.c, sess_h1.c). A failure on the way fails every transfer on
 * it; the connection only reports them, the router moves them.
 */
#include "cconn.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/h2.h"
#include "net/resolve.h"
#include "pconn.h"
#include "ratelim.h"
#include "route.h"
#include "run.h"
#include "sys/clock.h"
#include "sys/xalloc.h"
#include "tunto.h"
#include "via.h"
#include "vlog.h"
#include "xfer.h"

bool cconn_usable(const struct cconn *cc, const struct xfer *x, enum cconn_kind kind)
{
    if (cc->state == CC_CLOSED || cc->ending || cc->kind != kind || cc->is_proxy ||
        cc->via != x->req.via || cc->forward != x->req.forward ||
        (cc->h2 && h2c_is_closing(cc->h2)))
        return false;
    /* absolute-form requests to a proxy share its connections whatever their origin */
    return cc->forward || (cc->tls == x->req.url.tls && cc->port == x->req.url.port &&
                           strcmp(cc->host, x->req.url.host) == 0);
}

static struct cconn *new_conn(struct client *cl, const char *host, uint16_t port, bool tls,
                              enum cconn_kind kind)
{
    struct cconn *cc = xcalloc(1, sizeof(*cc)), **tail = &cl->conns;

    while (*tail)
        tail = &(*tail)->next;
    cc->cl = cl;
    cc->id = cl->nconns++;
    cl->nconns_unstarted++;
    snprintf(cc->host, sizeof(cc->host), "%s", host);
    cc->port = port;
    cc->tls = tls;
    cc->kind = kind;
    cc->state = CC_IDLE;
    net_connector_init(&cc->nc);
    buf_init(&cc->rbuf, &xalloc_mem, CCONN_RBUF_MAX);
    *tail = cc;
    return cc;
}

struct cconn *cconn_new(struct client *cl, const struct xfer *x, enum cconn_kind kind)
{
    const struct via *v = x->req.via;
    struct cconn *cc;

    if (x->req.forward) /* a connection to the proxy itself (its host, port and TLS) */
        cc = new_conn(cl, v->url.host, v->url.port, v->url.kind == PROXY_HTTPS, kind);
    else
        cc = new_conn(cl, x->req.url.host, x->req.url.port, x->req.url.tls, kind);
    cc->via = v;
    cc->forward = x->req.forward;
    return cc;
}

struct cconn *cconn_new_proxy(struct client *cl, const struct via *v)
{
    struct cconn *cc =
        new_conn(cl, v->url.host, v->url.port, v->url.kind == PROXY_HTTPS, CC_KIND_ALPN);

    cc->via = v;
    cc->is_proxy = true;
    trace_conn(cl->trace, cc->id, TRACE_CONN_PROXY, v->name);
    return cc;
}

struct cconn *cconn_new_raw(struct client *cl, const char *host, uint16_t port, const struct via *v)
{
    struct cconn *cc = new_conn(cl, host, port, false, CC_KIND_RAW);

    cc->via = v;
    return cc;
}

/* A failure of a connection to a proxy names the proxy (for tunnels, pconn.c does), and
 * a name it cannot resolve is "could not resolve proxy" (curl's 5) rather than 6. */
static void fail_hop(struct cconn *cc, int code, const char *detail)
{
    if (cc->forward)
        cconn_fail_all(cc, code == H2E_RESOLVE ? H2E_PROXY_RESOLVE : code, "proxy %s: %s",
                       cc->via->name, detail);
    else
        cconn_fail_all(cc, code, "%s", detail);
}

void cconn_attach(struct cconn *cc, struct xfer *x)
{
    if (cc->qtail == cc->qcap) {
        if (cc->qhead > cc->qcap / 2) { /* reuse the consumed front */
            size_t i;
            memmove(cc->q, cc->q + cc->qhead, (cc->qtail - cc->qhead) * sizeof(*cc->q));
            cc->qtail -= cc->qhead;
            cc->qhead = 0;
            for (i = 0; i < cc->qtail; i++)
                if (cc->q[i])
                    cc->q[i]->qpos = i;
        } else {
            cc->qcap = cc->qcap ? cc->qcap * 2 : 16;
            cc->q = xrealloc(cc->q, cc->qcap * sizeof(*cc->q));
        }
    }
    x->qpos = cc->qtail;
    cc->q[cc->qtail++] = x;
    cc->npending++;
    x->conn = cc;
    x->phase = XFER_QUEUED;
}

struct xfer *cconn_peek(struct cconn *cc)
{
    struct xfer *first = route_first_waiting(cc->cl);
    size_t i;

    if (first && first->conn == cc)
        return first;
    /* empty slots at the front are gone for good; reported ones wait for the router */
    while (cc->qhead < cc->qtail && !cc->q[cc->qhead])
        cc->qhead++;
    for (i = cc->qhead; i < cc->qtail; i++)
        if (cc->q[i] && cc->q[i]->phase == XFER_QUEUED)
            return cc->q[i];
    return NULL;
}

static void unqueue(struct cconn *cc, struct xfer *x)
{
    if (x->qpos < cc->qtail && cc->q[x->qpos] == x)
        cc->q[x->qpos] = NULL;
    cc->npending--;
}

void cconn_activate(struct cconn *cc, struct xfer *x)
{
    unqueue(cc, x);
    if (cc->nact == cc->capact) {
        cc->capact = cc->capact ? cc->capact * 2 : 16;
        cc->act = xrealloc(cc->act, cc->capact * sizeof(*cc->act));
    }
    cc->act[cc->nact++] = x;
    x->phase = XFER_SENT;
    cc->cl->in_flight++;
}

static bool in_flight_here(struct cconn *cc, struct xfer *x)
{
    size_t i;

    for (i = 0; i < cc->nact; i++)
        if (cc->act[i] == x) {
            cc->act[i] = cc->act[--cc->nact];
            cc->cl->in_flight--;
            return true;
        }
    return false;
}

void cconn_detach(struct cconn *cc, struct xfer *x)
{
    if (in_flight_here(cc, x)) {
        /* a stream still open for it is cancelled: nothing may refer to `x` once it is
         * written out and freed */
        bool ok = x->outcome == XFER_FINISHED && x->result == 0;
        if (cc->h2 && x->stream_id && !ok)
            h2c_reset_stream(cc->h2, x->stream_id, H2_CANCEL);
        if (cc->h1.x == x) {
            cc->h1.x = NULL;
            cc->h1.broken = true;
        }
    } else {
        unqueue(cc, x);
    }
    x->conn = NULL;
}

void cconn_requeue_all(struct cconn *cc)
{
    size_t i;

    cc->ending = true; /* so that the router does not pick this one again */
    for (i = cc->qhead; i < cc->qtail; i++) {
        struct xfer *x = cc->q[i];
        /* a server that closes every connection before a stream could open on it must
         * not keep us reconnecting forever (a connection we held back does not count) */
        if (x && x->phase == XFER_QUEUED)
            xfer_requeue(x, !cc->nopened && !cc->held_back);
    }
}

void cconn_fail_all(struct cconn *cc, int code, const char *fmt, ...)
{
    va_list ap;
    size_t i;
    char *detail;

    va_start(ap, fmt);
    detail = xvasprintf(fmt, ap);
    va_end(ap);
    cc->ending = true;
    for (i = 0; i < cc->nact; i++)
        if (!xfer_over(cc->act[i]))
            xfer_fail(cc->act[i], code, "%s", detail);
    for (i = cc->qhead; i < cc->qtail; i++)
        if (cc->q[i] && !xfer_over(cc->q[i]))
            xfer_fail(cc->q[i], code, "%s", detail);
    if (cc->ntuns)
        pconn_fail_tunnels(cc, code, detail);
    if (cc->kind == CC_KIND_RAW)
        tunto_failed(cc, code, detail);
    free(detail);
    cconn_close(cc);
}

/* `cc` is no longer a connection waiting to start (client.c bounds those). */
static void begun(struct cconn *cc)
{
    if (!cc->begun) {
        cc->begun = true;
        cc->cl->nconns_unstarted--;
    }
}

void cconn_close(struct cconn *cc)
{
    if (cc->state == CC_CLOSED)
        return;
    begun(cc);
    if (cc->state != CC_IDLE)
        trace_conn(cc->cl->trace, cc->id, TRACE_CONN_CLOSED, NULL);
    if (cc->counted) { /* a slot is free: an idle connection may connect at once */
        cc->counted = false;
        cc->cl->nconns_open--;
        cc->cl->wake = true;
    }
    net_connector_release(&cc->nc);
    net_lookup_release(cc->lookup);
    cc->lookup = NULL;
    if (cc->tun)
        pconn_release(cc->tun); /* closed before its tunnel opened */
    cc->tun = NULL;
    if (cc->is_proxy)
        pconn_closed(cc);
    if (cc->io_open)
        io_close(&cc->io);
    else if (cc->tlsc && cc->state == CC_TLS)
        tls_conn_release(cc->tlsc);
    cc->io_open = false;
    free(cc->tlsc);
    cc->tlsc = NULL;
    h2c_free(cc->h2);
    cc->h2 = NULL;
    sess_h1_release(&cc->h1);
    buf_release(&cc->rbuf);
    cc->state = CC_CLOSED;
    cc->ending = true;
}

void cconn_hold(struct xfer *x, struct cconn *cc)
{
    if (x->last_conn == cc)
        return;
    cconn_unhold(x);
    x->last_conn = cc;
    cc->refs++;
}

void cconn_unhold(struct xfer *x)
{
    if (x->last_conn)
        x->last_conn->refs--;
    x->last_conn = NULL;
}

void cconn_prune(struct client *cl)
{
    struct cconn **p = &cl->conns;

    while (*p) {
        struct cconn *cc = *p;
        /* proxies and tunnels point at each other (pconn.c): those stay till the end */
        if (cc->state == CC_CLOSED && !cconn_count(cc) && !cc->refs && !cc->is_proxy && !cc->via) {
            *p = cc->next;
            cconn_free(cc);
        } else {
            p = &cc->next;
        }
    }
}

void cconn_free(struct cconn *cc)
{
    cconn_close(cc);
    free(cc->q);
    free(cc->act);
    free(cc);
}

void cconn_tls_opts(const struct config *cfg, const char *alpn, struct tls_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->cacert = cfg->tls.cacert;
    o->capath = cfg->tls.capath;
    o->insecure = cfg->tls.insecure;
    o->min_version = cfg->tls.min == CLI_TLS_1_3 ? TLS_VERSION_1_3 : TLS_VERSION_1_2;
    o->max_version = cfg->tls.max == CLI_TLS_1_2 ? TLS_VERSION_1_2 : TLS_VERSION_1_3;
    o->alpn = alpn;
    o->keylog = cfg->tls.keylog;
    o->cert_dir = getenv("SSL_CERT_DIR"); /* the system store, as OpenSSL names it */
    o->cert_file = getenv("SSL_CERT_FILE");
}

/* The TLS context for connections of `kind`, made on first use. */
static struct tls_ctx *tls_setup(struct client *cl, enum cconn_kind kind, int *err)
{
    const struct config *cfg = cl->cfg;
    int i = kind == CC_KIND_H1 || cfg->proto.http == CLI_HTTP_1_1 ? 1 : 0;
    struct tls_opts o;
    struct h2e_info info = H2E_INFO_INIT;

    if (cl->tls_ready[i] || cl->tls_error) {
        *err = cl->tls_error;
        return &cl->tls[i];
    }
    /* --http2-only still offers http/1.1, so that a server without h2 is reported as exit
     * 121 rather than as an ALPN alert (exit 35) */
    cconn_tls_opts(cfg, i ? "http/1.1" : cfg->h2.alpn ? cfg->h2.alpn : "h2,http/1.1", &o);
    *err = cl->tls_error = tls_ctx_init(&cl->tls[i], &o, &info);
    cl->tls_ready[i] = *err == 0;
    if (cl->tls_ready[i] && cfg->tls.insecure && !cl->warned_insecure) {
        diag_warn("certificate verification is off (-k): the server is not authenticated");
        cl->warned_insecure = true;
    }
    return &cl->tls[i];
}

static void connect_result(struct cconn *cc, int rv);

/* The first addresses of `host` are known: connect to them (more may come, `more`). */
static void resolved(struct cconn *cc, const char *host, const struct net_addrs *addrs, bool more)
{
    struct client *cl = cc->cl;
    bool to_proxy = cc->is_proxy || cc->forward;

    cc->facts.t_resolved = clock_us();
    vlog(cl, "%sHost %s:%u resolved (%zu address%s%s)", to_proxy ? "Proxy " : "", host,
         net_addr_port(&addrs->addr[0]), addrs->n, addrs->n == 1 ? "" : "es",
         more ? " so far" : "");
    cc->state = CC_CONNECTING;
    connect_result(cc,
                   more ? net_connector_start_partial(&cc->nc, addrs, cl->now, cc->connect_deadline)
                        : net_connector_start(&cc->nc, addrs, cl->now, cc->connect_deadline));
}

static void log_answers(struct cconn *cc, const struct net_answer *ans, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const char *rr = ans[i].family == AF_INET6 ? "AAAA" : "A";
        if (ans[i].naddr)
            vlog(cc->cl, "DNS %s answer for %s after %llu ms: %zu address%s", rr, cc->lookup_host,
                 (unsigned long long)ans[i].ms, ans[i].naddr, ans[i].naddr == 1 ? "" : "es");
        else
            vlog(cc->cl, "DNS %s answer for %s after %llu ms: %s", rr, cc->lookup_host,
                 (unsigned long long)ans[i].ms, ans[i].error);
    }
}

/* Take what the lookup has answered: start connecting, add addresses to the attempts
 * under way (RFC 8305 §3, §5), or fail when no address came. */
static void lookup_step(struct cconn *cc)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct net_answer ans[2];
    struct net_addrs addrs;
    size_t nans = 0;
    bool more = true;
    int rv = net_lookup_step(cc->lookup, cc->cl->now, &addrs, &more, ans, &nans, &info);

    log_answers(cc, ans, nans);
    if (rv == H2E_INCOMPLETE)
        return;
    if (!more) {
        net_lookup_release(cc->lookup);
        cc->lookup = NULL;
    }
    if (rv) {
        char *d = xasprintf("'%s': %s", cc->lookup_host, addrs.detail);
        fail_hop(cc, rv, d);
        free(d);
    } else if (cc->state == CC_RESOLVING) {
        resolved(cc, cc->lookup_host, &addrs, more);
    } else {
        connect_result(cc, net_connector_more(&cc->nc, &addrs, more, cc->cl->now));
    }
}

/* Resolve and start connecting: a failure here fails every transfer of the connection. */
static void start(struct cconn *cc)
{
    struct client *cl = cc->cl;
    struct net_overrides ov = cli_net_overrides(cl->cfg);
    struct h2e_info info = H2E_INFO_INIT;
    struct net_addrs addrs;
    const char *host = cc->host;
    uint16_t port = cc->port;
    bool to_proxy = cc->is_proxy || cc->forward;
    char *d;
    int rv;

    begun(cc);
    if (!cc->is_proxy) {
        cc->counted = true;
        cl->nconns_open++;
    }
    if (cc->tls) {
        struct tls_ctx *ctx =
            to_proxy ? via_tls(cl, cc->forward, &rv) : tls_setup(cl, cc->kind, &rv);
        if (rv) {
            fail_hop(cc, rv, ctx->detail);
            return;
        }
        cc->tls_ctx = ctx;
    }
    if (!to_proxy) /* --connect-to: where the origin is, not where the proxy is */
        net_route(&ov, &host, &port);
    cc->facts.t_start = clock_us();
    cc->connect_deadline = cl->now + cl->cfg->net.connect_timeout_ms;
    if (cc->via && !to_proxy) { /* through a tunnel (pconn.c) */
        cc->tun = pconn_open(cc, host, port);
        cc->state = CC_TUNNEL;
        return;
    }
    rv = net_resolve_known(&ov, host, port, cl->cfg->net.family, &addrs, &info);
    if (rv == H2E_INCOMPLETE) { /* a name: looked up off the event loop */
        cc->lookup = net_lookup_start(host, port, cl->cfg->net.family, cl->now);
        if (cc->lookup) {
            cc->lookup_host = host;
            cc->state = CC_RESOLVING;
            return;
        }
        vlog(cl, "Resolving '%s' in place: no resolver thread (%s)", host, strerror(errno));
        rv = net_resolve_with(&ov, host, port, cl->cfg->net.family, &addrs, &info);
    }
    if (rv) {
        d = xasprintf("'%s': %s", host, addrs.detail);
        fail_hop(cc, rv, d);
        free(d);
        return;
    }
    resolved(cc, host, &addrs, false);
}

static void connected(struct cconn *cc, int fd);

static void connect_result(struct cconn *cc, int rv)
{
    if (rv >= 0)
        connected(cc, rv);
    else if (rv != H2E_INCOMPLETE)
        fail_hop(cc, rv, cc->nc.detail);
}

static void enter_session(struct cconn *cc, bool h2)
{
    char desc[256];

    io_describe(&cc->io, desc, sizeof(desc));
    vlog(cc->cl, "Connected%s: %s", cc->is_proxy ? " to the proxy" : "", desc);
    if (cc->is_proxy) {
        pconn_ready(cc, h2);
        return;
    }
    if (cc->kind == CC_KIND_RAW) {
        cc->state = CC_RAW;
        tunto_ready(cc);
        return;
    }
    if (!h2) {
        cc->state = CC_H1;
        vlog(cc->cl, "Using HTTP/1.1");
        trace_conn(cc->cl->trace, cc->id, TRACE_CONN_H1, NULL);
        return;
    }
    trace_conn(cc->cl->trace, cc->id, TRACE_CONN_H2, NULL);
    if (!cc->tls)
        snprintf(cc->facts.alpn, sizeof(cc->facts.alpn), "h2c");
    cc->state = CC_H2;
    vlog(cc->cl, "Using HTTP/2");
    if (sess_h2_start(cc) != 0)
        cconn_fail_all(cc, H2E_NOMEM, "cannot set up the HTTP/2 session");
}

static void tls_step(struct cconn *cc)
{
    const struct config *cfg = cc->cl->cfg;
    const struct tls_facts *f = &cc->tlsc->facts;
    int rv = tls_conn_handshake(cc->tlsc);
    bool h2;

    if (rv == H2E_INCOMPLETE)
        return;
    if (rv && rv != H2E_INADEQUATE_SECURITY) {
        fail_hop(cc, rv, cc->tlsc->detail);
        return;
    }
    cc->facts.t_tls = clock_us();
    cc->facts.tls_version = f->version;
    snprintf(cc->facts.alpn, sizeof(cc->facts.alpn), "%s",
             f->alpn == TLS_ALPN_NONE ? "" : tls_alpn_name(f->alpn));
    vlog_tls(cc->cl, f, cc->is_proxy || cc->forward ? "proxy" : "server");
    trace_tls(cc->cl->trace, cc->id, f);
    io_tls_init(&cc->io, cc->tlsc);
    cc->io_open = true;
    h2 = f->alpn == TLS_ALPN_H2 && cc->kind != CC_KIND_H1;
    if (cc->is_proxy && rv == 0) {
        enter_session(cc, h2);
        return;
    }
    if (!h2 && !cc->forward && (cfg->proto.http2_only || cfg->proto.http == CLI_HTTP_2_PRIOR)) {
        cconn_fail_all(cc, H2E_HTTP2_REQUIRED, "the server selected %s, not h2 (ALPN)",
                       tls_alpn_name(f->alpn));
        return;
    }
    if (rv == H2E_INADEQUATE_SECURITY) {
        cconn_fail_all(cc, rv, "TLS suite %s is forbidden for HTTP/2 (RFC 9113 §9.2.2)", f->suite);
        return;
    }
    if (!h2 && cc->kind != CC_KIND_H1)
        vlog(cc->cl, "ALPN: server did not accept h2, falling back to HTTP/1.1");
    enter_session(cc, h2);
}

static void connected(struct cconn *cc, int fd)
{
    char addr[NET_ADDR_STRLEN];
    const struct net_addr *peer = net_connector_peer(&cc->nc);

    cc->facts.t_connected = clock_us();
    net_lookup_release(cc->lookup); /* RFC 8305 §5: answers after the winner are moot */
    cc->lookup = NULL;
    if (peer) {
        net_addr_ip(peer, cc->facts.remote_ip, sizeof(cc->facts.remote_ip));
        cc->facts.remote_port = net_addr_port(peer);
        net_addr_str(peer, addr, sizeof(addr));
        vlog(cc->cl, "Connected to %s%s", cc->via ? "proxy " : "", addr);
        trace_conn(cc->cl->trace, cc->id, TRACE_CONN_CONNECTED, addr);
    }
    if (!cc->tls) {
        io_tcp_init(&cc->io, fd);
        cc->io_open = true;
        enter_session(cc, cc->kind == CC_KIND_H2C);
        return;
    }
    cc->tlsc = xcalloc(1, sizeof(*cc->tlsc));
    if (tls_conn_start(cc->tlsc, cc->tls_ctx, fd, cc->host) != 0) {
        fail_hop(cc, cc->tlsc->info.code ? cc->tlsc->info.code : H2E_TLS_HANDSHAKE,
                 cc->tlsc->detail);
        return;
    }
    cc->state = CC_TLS;
    tls_step(cc); /* send the ClientHello now rather than after the next poll */
}

void cconn_over(struct cconn *cc, const struct io *lower)
{
    char desc[IO_DETAIL_MAX];

    io_describe(lower, desc, sizeof(desc));
    trace_conn(cc->cl->trace, cc->id, TRACE_CONN_TUNNEL, desc);
    cc->facts.t_connected = clock_us();
    if (!cc->tls) {
        cc->io = *lower;
        cc->io_open = true;
        enter_session(cc, cc->kind == CC_KIND_H2C);
        return;
    }
    cc->tlsc = xcalloc(1, sizeof(*cc->tlsc));
    if (tls_conn_start_io(cc->tlsc, cc->tls_ctx, lower, cc->host) != 0) {
        cconn_fail_all(cc, cc->tlsc->info.code ? cc->tlsc->info.code : H2E_TLS_HANDSHAKE, "%s",
                       cc->tlsc->detail);
        return;
    }
    cc->state = CC_TLS;
    tls_step(cc);
}

/* --connect-timeout: the message names the hop still being set up. */
static void timed_out(struct cconn *cc)
{
    unsigned long long ms = (unsigned long long)cc->cl->cfg->net.connect_timeout_ms;

    if (cc->state == CC_TUNNEL)
        cconn_fail_all(cc, H2E_TIMEOUT, "proxy %s: tunnel to '%s:%u' not open within %llu ms",
                       cc->via->name, cc->host, cc->port, ms);
    else if (cc->is_proxy) /* its tunnels say which proxy (pconn_fail_tunnels) */
        cconn_fail_all(cc, H2E_TIMEOUT, "connection not set up within %llu ms", ms);
    else if (cc->forward)
        cconn_fail_all(cc, H2E_TIMEOUT, "proxy %s: connection not set up within %llu ms",
                       cc->via->name, ms);
    else
        cconn_fail_all(cc, H2E_TIMEOUT, "connection to '%s' not set up within %llu ms", cc->host,
                       ms);
}

size_t cconn_polled(const struct cconn *cc, struct cconn *const *owner, size_t n, size_t *first)
{
    size_t i, cnt = 0;

    *first = 0;
    for (i = 0; i < n; i++)
        if (owner[i] == cc) {
            if (!cnt)
                *first = i;
            cnt++;
        }
    return cnt;
}

void cconn_flush_coded(struct cconn *cc)
{
    size_t i;

    if (!cc->coded_pending)
        return;
    cc->coded_pending = false;
    for (i = 0; i < cc->nact; i++)
        if (!xfer_over(cc->act[i]))
            xfer_flush_coded(cc->act[i]); /* a failure fails the transfer, reported */
}

void cconn_step(struct cconn *cc, const struct pollfd *pfd, size_t npfd)
{
    short rev = npfd ? pfd[0].revents : 0;

    ratelim_begin(cc); /* whatever its state: a connection that no longer asks never waits */
    if (cc->state >= CC_RESOLVING && cc->state <= CC_TUNNEL &&
        cc->cl->now >= cc->connect_deadline) {
        timed_out(cc);
        return;
    }
    switch (cc->state) {
    case CC_IDLE: /* connect only for a request that may start now; connections to several
                   * origins may still all connect for the one slot or --rate token */
        if ((cc->npending && route_could_start(cc->cl, cc) && route_may_connect(cc->cl, cc)) ||
            (cc->is_proxy && cc->ntuns) || cc->kind == CC_KIND_RAW)
            start(cc);
        break;
    case CC_RESOLVING:
        lookup_step(cc);
        break;
    case CC_CONNECTING:
        if (cc->lookup)
            lookup_step(cc);
        if (cc->state == CC_CONNECTING)
            connect_result(cc, net_connector_step(&cc->nc, pfd, npfd, cc->cl->now));
        break;
    case CC_TLS:
        tls_step(cc);
        break;
    case CC_PROXY_HS:
        pconn_step(cc);
        break;
    case CC_TUNNEL:
        pconn_wait(cc);
        break;
    case CC_PIPE:
        break; /* the origin connection reads and writes its socket */
    case CC_H2:
        sess_h2_step(cc, rev);
        break;
    case CC_H1:
        sess_h1_step(cc, rev);
        break;
    case CC_RAW:
        tunto_step(cc, pfd, npfd);
        break;
    case CC_CLOSED:
        break;
    }
    /* a raw connection has no transfers: tunto.c closes it */
    if (cc->state != CC_CLOSED && cconn_count(cc) == 0 && cc->state != CC_H2 &&
        cc->kind != CC_KIND_RAW)
        cconn_close(cc);
}

void cconn_send(struct cconn *cc)
{
    if (cc->state == CC_H2)
        sess_h2_send(cc);
}

/* The lookup's pipe, and when the Resolution Delay ends; the connect deadline holds. */
static size_t lookup_pollfd(struct cconn *cc, struct pollfd *pfd, size_t max, int *timeout)
{
    int t = net_lookup_next_timeout(cc->lookup, cc->cl->now);
    uint64_t d = cc->connect_deadline > cc->cl->now ? cc->connect_deadline - cc->cl->now : 0;

    if (t < 0 || (uint64_t)t > d)
        t = d > INT32_MAX ? INT32_MAX : (int)d;
    if (*timeout < 0 || t < *timeout)
        *timeout = t;
    if (max == 0)
        return 0;
    pfd[0].fd = net_lookup_fd(cc->lookup);
    pfd[0].events = POLLIN;
    pfd[0].revents = 0;
    return 1;
}

size_t cconn_pollfds(struct cconn *cc, struct pollfd *pfd, size_t max, int *timeout)
{
    short ev = 0;

    switch (cc->state) {
    case CC_RESOLVING:
        return lookup_pollfd(cc, pfd, max, timeout);
    case CC_CONNECTING: {
        int t = net_connector_next_timeout(&cc->nc, cc->cl->now);
        size_t n = net_connector_pollfds(&cc->nc, pfd, max);
        if (t >= 0 && (*timeout < 0 || t < *timeout))
            *timeout = t;
        return n + (cc->lookup ? lookup_pollfd(cc, pfd + n, max - n, timeout) : 0);
    }
    case CC_TLS:
        pfd[0].fd = cc->tlsc->fd;
        ev = tls_conn_events(cc->tlsc);
        pfd[0].events = ev ? ev : POLLIN;
        if (tls_conn_pending(cc->tlsc)) /* inside a tunnel: bytes already there */
            *timeout = 0;
        return 1;
    case CC_PROXY_HS:
    case CC_TUNNEL:
    case CC_PIPE:
        return pconn_pollfds(cc, pfd, max, timeout);
    case CC_H2: {
        int t = sess_h2_timeout(cc);
        if (t >= 0 && (*timeout < 0 || t < *timeout))
            *timeout = t;
        ev = sess_h2_events(cc, timeout);
        break;
    }
    case CC_H1: {
        int t = ratelim_timeout(cc);
        if (t >= 0 && (*timeout < 0 || t < *timeout))
            *timeout = t;
        ev = sess_h1_events(cc);
        break;
    }
    case CC_RAW:
        return tunto_pollfds(cc, pfd, max, timeout);
    case CC_IDLE: /* it connects on the next step */
        if ((cc->npending && route_could_start(cc->cl, cc) && route_may_connect(cc->cl, cc)) ||
            (cc->is_proxy && cc->ntuns) || cc->kind == CC_KIND_RAW)
            *timeout = 0;
        return 0;
    default:
        return 0;
    }
    /* bytes TLS already holds are read at once, unless reading waits (--limit-rate) */
    if (ev < 0 || (io_pending(&cc->io) && (ev & POLLIN)))
        *timeout = 0;
    pfd[0].fd = cc->io.fd;
    pfd[0].events = (short)(ev < 0 ? POLLIN : ev);
    return 1;
}
