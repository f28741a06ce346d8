/* SPDX-License-Identifier: MIT */
/*
 * The run and its one event loop: transfers are routed to connections by origin, each
 * connection is advanced through resolve, connect (Happy Eyeballs), TLS and then an HTTP/2
 * or HTTP/1.1 session, and poll() waits on all of them at once. Deadlines (--max-time,
 * --connect-timeout, the stall timeout) are checked here.
 */
#include "client.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"
#include "sys/clock.h"
#include "base/h2.h"
#include "sys/xalloc.h"

static bool same_origin(const struct cconn *cc, const struct xfer *x, bool h1_only)
{
    return cc->state != CC_CLOSED && !cc->finishing && cc->tls == x->url.tls &&
           cc->port == x->url.port && strcmp(cc->host, x->url.host) == 0 &&
           cc->h1_only == h1_only && !(cc->h2 && h2c_is_closing(cc->h2));
}

static void attach(struct cconn *cc, struct xfer *x)
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
    x->active = false;
}

struct xfer *client_first_waiting(const struct client *cl)
{
    struct xfer *x;

    if (cl->fin >= cl->started)
        return NULL;
    x = cl->xs[cl->fin];
    return x && x->conn && !x->active && !x->done && !x->queued_out ? x : NULL;
}

struct xfer *cconn_next(struct cconn *cc)
{
    struct xfer *first = client_first_waiting(cc->cl);

    if (first && first->conn == cc) {
        if (first->qpos < cc->qtail && cc->q[first->qpos] == first)
            cc->q[first->qpos] = NULL;
        cc->npending--;
        first->queued_out = true;
        return first;
    }
    while (cc->qhead < cc->qtail) {
        struct xfer *x = cc->q[cc->qhead++];
        if (x && x->conn == cc && !x->active && !x->done && !x->queued_out) {
            cc->npending--;
            x->queued_out = true;
            return x;
        }
    }
    return NULL;
}

void cconn_activate(struct cconn *cc, struct xfer *x)
{
    if (cc->nact == cc->capact) {
        cc->capact = cc->capact ? cc->capact * 2 : 16;
        cc->act = xrealloc(cc->act, cc->capact * sizeof(*cc->act));
    }
    cc->act[cc->nact++] = x;
    x->active = true;
    x->queued_out = false;
    cc->cl->in_flight++;
}

void cconn_detach(struct cconn *cc, struct xfer *x)
{
    size_t i;

    if (x->active) {
        for (i = 0; i < cc->nact; i++)
            if (cc->act[i] == x) {
                cc->act[i] = cc->act[--cc->nact];
                cc->cl->in_flight--;
                break;
            }
        /* a stream still open for it is cancelled: nothing may refer to `x` once it is
         * written out and freed */
        if (cc->h2 && x->stream_id && !x->done_ok)
            h2c_reset_stream(cc->h2, x->stream_id, H2_CANCEL);
        if (cc->h1.x == x) {
            cc->h1.x = NULL;
            cc->h1.broken = true;
        }
    } else if (x->queued_out) {
        x->queued_out = false; /* taken off the queue but never activated */
    } else {
        cc->npending--;
        if (x->qpos < cc->qtail && cc->q[x->qpos] == x)
            cc->q[x->qpos] = NULL;
    }
    x->conn = NULL;
    x->active = false;
}

static bool may_start(struct client *cl, const struct cconn *cc, bool take)
{
    const struct config *cfg = cl->cfg;
    size_t cap = cfg->multi.sequential ? 1 : (size_t)cfg->multi.parallel_max;
    const struct xfer *first = client_first_waiting(cl);
    bool for_first = first && first->conn == cc;

    if (cl->stopping)
        return false;
    /* the first in line may always start, and the last free slot is kept for it: with
     * every slot taken by transfers held for ordered output (or --sequential after a
     * redirect) nothing else could make room */
    if (!for_first && (cl->in_flight >= cap || (first && cl->in_flight + 1 >= cap)))
        return false;
    if (cfg->multi.rate > 0) {
        /* token bucket: `rate` requests per second, a burst of one */
        double tokens =
            cl->rate_tokens + (double)(cl->now - cl->rate_last) * cfg->multi.rate / 1000.0;
        if (tokens > 1)
            tokens = 1;
        if (!take)
            return tokens >= 1;
        cl->rate_tokens = tokens;
        cl->rate_last = cl->now;
        if (cl->rate_tokens < 1)
            return false;
        cl->rate_tokens -= 1;
    }
    return true;
}

bool client_may_start(struct client *cl, const struct cconn *cc)
{
    return may_start(cl, cc, true);
}

bool client_could_start(struct client *cl, const struct cconn *cc)
{
    return may_start(cl, cc, false);
}

/* client_route - the connection `x` goes on: an open one to its origin unless `fresh`. */
struct cconn *client_route(struct client *cl, struct xfer *x, bool fresh)
{
    const struct config *cfg = cl->cfg;
    bool h1_only = x->force_h1 || cfg->proto.http == CLI_HTTP_1_1 ||
                   (!x->url.tls && cfg->proto.http != CLI_HTTP_2_PRIOR);
    struct cconn *cc, **tail = &cl->conns;

    /* HTTP/2: one connection per origin. HTTP/1.1: one request at a time per connection,
     * so up to --parallel-max-host connections when it is given (CLI.md §4), each
     * transfer going to the least loaded */
    size_t h1_conns = 0, h1_max = h1_only && cfg->multi.parallel_max_host_set
                                      ? (size_t)cfg->multi.parallel_max_host
                                      : 1;
    struct cconn *best = NULL;

    for (cc = cl->conns; cc; cc = cc->next) {
        tail = &cc->next;
        if ((fresh && cc->id <= x->conn_id) || !same_origin(cc, x, h1_only))
            continue;
        h1_conns++;
        if (!best || cconn_count(cc) < cconn_count(best))
            best = cc;
    }
    if (best && (!h1_only || h1_conns >= h1_max || cconn_count(best) == 0)) {
        attach(best, x);
        return best;
    }
    cc = xcalloc(1, sizeof(*cc));
    cc->cl = cl;
    cc->id = cl->nconns++;
    snprintf(cc->host, sizeof(cc->host), "%s", x->url.host);
    cc->port = x->url.port;
    cc->tls = x->url.tls;
    cc->h1_only = h1_only;
    cc->prior_knowledge = !x->url.tls && cfg->proto.http == CLI_HTTP_2_PRIOR && !x->force_h1;
    cc->state = CC_IDLE;
    net_connector_init(&cc->nc);
    buf_init(&cc->rbuf, &xalloc_mem, CLIENT_RBUF_MAX);
    *tail = cc;
    x->num_connects++;
    attach(cc, x);
    return cc;
}

static void cconn_close(struct cconn *cc)
{
    if (cc->state == CC_CLOSED)
        return;
    if (cc->state != CC_IDLE)
        trace_conn(cc->cl->trace, cc->id, TRACE_CONN_CLOSED, NULL);
    net_connector_release(&cc->nc);
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
}

void cconn_fail_all(struct cconn *cc, int code, const char *fmt, ...)
{
    char detail[CLIENT_DETAIL_MAX];
    va_list ap;
    struct xfer *x;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    while (cc->nact) {
        x = cc->act[0];
        cconn_detach(cc, x);
        xfer_fail(x, code, "%s", detail);
    }
    while ((x = cconn_next(cc)) != NULL) {
        cconn_detach(cc, x);
        xfer_fail(x, code, "%s", detail);
    }
    cconn_close(cc);
}

/* The TLS context for connections that offer `h1_only` ALPN, made on first use. */
static struct tls_ctx *tls_setup(struct client *cl, bool h1_only, int *err)
{
    const struct config *cfg = cl->cfg;
    int i = h1_only || cfg->proto.http == CLI_HTTP_1_1 ? 1 : 0;
    struct tls_opts o;
    struct h2e_info info = H2E_INFO_INIT;

    if (cl->tls_ready[i] || cl->tls_error) {
        *err = cl->tls_error;
        return &cl->tls[i];
    }
    memset(&o, 0, sizeof(o));
    o.cacert = cfg->tls.cacert;
    o.capath = cfg->tls.capath;
    o.insecure = cfg->tls.insecure;
    o.min_version = cfg->tls.min == CLI_TLS_1_3 ? TLS_VERSION_1_3 : TLS_VERSION_1_2;
    o.max_version = cfg->tls.max == CLI_TLS_1_2 ? TLS_VERSION_1_2 : TLS_VERSION_1_3;
    /* --http2-only still offers http/1.1, so that a server without h2 is reported as exit
     * 121 rather than as an ALPN alert (exit 35) */
    o.alpn = i ? "http/1.1" : cfg->h2.alpn ? cfg->h2.alpn : "h2,http/1.1"; /* --alpn */
    o.keylog = cfg->tls.keylog;
    *err = cl->tls_error = tls_ctx_init(&cl->tls[i], &o, &info);
    cl->tls_ready[i] = *err == 0;
    if (cl->tls_ready[i] && cfg->tls.insecure && !cl->warned_insecure) {
        diag_warn("certificate verification is off (-k): the server is not authenticated");
        cl->warned_insecure = true;
    }
    return &cl->tls[i];
}

/* Resolve and start connecting: a failure here fails every transfer of the connection. */
static void cconn_start(struct cconn *cc)
{
    struct client *cl = cc->cl;
    struct net_overrides ov = cli_net_overrides(cl->cfg);
    struct h2e_info info = H2E_INFO_INIT;
    struct net_addrs addrs;
    const char *host = cc->host;
    uint16_t port = cc->port;
    int rv;

    if (cc->tls) {
        struct tls_ctx *ctx = tls_setup(cl, cc->h1_only, &rv);
        if (rv) {
            cconn_fail_all(cc, rv, "%s", ctx->detail);
            return;
        }
        cc->tls_ctx = ctx;
    }
    net_route(&ov, &host, &port);
    cc->t_start = clock_us();
    cc->connect_deadline = cl->now + cl->cfg->net.connect_timeout_ms;
    rv = net_resolve_with(&ov, host, port, cl->cfg->net.family, &addrs, &info);
    if (rv) {
        cconn_fail_all(cc, rv, "'%s': %s", host, addrs.detail);
        return;
    }
    cc->t_resolved = clock_us();
    vlog(cl, "Host %s:%u resolved (%zu address%s)", host, port, addrs.n, addrs.n == 1 ? "" : "es");
    cc->state = CC_CONNECTING;
    rv = net_connector_start(&cc->nc, &addrs, cl->now, cc->connect_deadline);
    if (rv < 0 && rv != H2E_INCOMPLETE)
        cconn_fail_all(cc, rv, "%s", cc->nc.detail);
}

static void enter_session(struct cconn *cc, bool h2)
{
    char desc[256];

    io_describe(&cc->io, desc, sizeof(desc));
    vlog(cc->cl, "Connected: %s", desc);
    if (!h2) {
        cc->state = CC_H1;
        vlog(cc->cl, "Using HTTP/1.1");
        trace_conn(cc->cl->trace, cc->id, TRACE_CONN_H1, NULL);
        return;
    }
    trace_conn(cc->cl->trace, cc->id, TRACE_CONN_H2, NULL);
    if (!cc->tls)
        snprintf(cc->alpn, sizeof(cc->alpn), "h2c");
    cc->state = CC_H2;
    vlog(cc->cl, "Using HTTP/2");
    if (sess_h2_start(cc) != 0)
        cconn_fail_all(cc, H2E_NOMEM, "cannot set up the HTTP/2 session");
}

static void tls_step(struct cconn *cc)
{
    const struct config *cfg = cc->cl->cfg;
    int rv = tls_conn_handshake(cc->tlsc);
    bool h2;

    if (rv == H2E_INCOMPLETE)
        return;
    if (rv && rv != H2E_INADEQUATE_SECURITY) {
        cconn_fail_all(cc, rv, "%s", cc->tlsc->detail);
        return;
    }
    cc->t_tls = clock_us();
    cc->tls_version = cc->tlsc->facts.version;
    snprintf(cc->alpn, sizeof(cc->alpn), "%s",
             cc->tlsc->facts.alpn == TLS_ALPN_NONE ? "" : tls_alpn_name(cc->tlsc->facts.alpn));
    vlog_tls(cc->cl, &cc->tlsc->facts);
    trace_tls(cc->cl->trace, cc->id, &cc->tlsc->facts);
    io_tls_init(&cc->io, cc->tlsc);
    cc->io_open = true;
    h2 = cc->tlsc->facts.alpn == TLS_ALPN_H2 && !cc->h1_only;
    if (!h2 && (cfg->proto.http2_only || cfg->proto.http == CLI_HTTP_2_PRIOR)) {
        cconn_fail_all(cc, H2E_HTTP2_REQUIRED, "the server selected %s, not h2 (ALPN)",
                       tls_alpn_name(cc->tlsc->facts.alpn));
        return;
    }
    if (rv == H2E_INADEQUATE_SECURITY) {
        cconn_fail_all(cc, rv, "TLS suite %s is forbidden for HTTP/2 (RFC 9113 §9.2.2)",
                       cc->tlsc->facts.suite);
        return;
    }
    if (!h2 && !cc->h1_only)
        vlog(cc->cl, "ALPN: server did not accept h2, falling back to HTTP/1.1");
    enter_session(cc, h2);
}

static void connected(struct cconn *cc, int fd)
{
    char addr[NET_ADDR_STRLEN];
    const struct net_addr *peer = net_connector_peer(&cc->nc);

    cc->t_connected = clock_us();
    if (peer) {
        net_addr_ip(peer, cc->remote_ip, sizeof(cc->remote_ip));
        cc->remote_port = net_addr_port(peer);
        net_addr_str(peer, addr, sizeof(addr));
        vlog(cc->cl, "Connected to %s", addr);
        trace_conn(cc->cl->trace, cc->id, TRACE_CONN_CONNECTED, addr);
    }
    if (!cc->tls) {
        io_tcp_init(&cc->io, fd);
        cc->io_open = true;
        enter_session(cc, cc->prior_knowledge);
        return;
    }
    cc->tlsc = xcalloc(1, sizeof(*cc->tlsc));
    if (tls_conn_start(cc->tlsc, cc->tls_ctx, fd, cc->host) != 0) {
        cconn_fail_all(cc, cc->tlsc->info.code ? cc->tlsc->info.code : H2E_TLS_HANDSHAKE, "%s",
                       cc->tlsc->detail);
        return;
    }
    cc->state = CC_TLS;
    tls_step(cc); /* send the ClientHello now rather than after the next poll */
}

static void cconn_step(struct cconn *cc, const struct pollfd *pfd, size_t npfd)
{
    short rev = npfd ? pfd[0].revents : 0;
    int rv;

    if (cc->state != CC_CLOSED && cc->state >= CC_CONNECTING && cc->state <= CC_TLS &&
        cc->cl->now >= cc->connect_deadline) {
        cconn_fail_all(cc, H2E_TIMEOUT, "connection to '%s' not set up within %llu ms", cc->host,
                       (unsigned long long)cc->cl->cfg->net.connect_timeout_ms);
        return;
    }
    switch (cc->state) {
    case CC_IDLE: /* connect only for a request that may start now; connections to several
                   * origins may still all connect for the one slot or --rate token */
        if (cconn_count(cc) && client_could_start(cc->cl, cc))
            cconn_start(cc);
        break;
    case CC_CONNECTING:
        rv = net_connector_step(&cc->nc, pfd, npfd, cc->cl->now);
        if (rv >= 0)
            connected(cc, rv);
        else if (rv != H2E_INCOMPLETE)
            cconn_fail_all(cc, rv, "%s", cc->nc.detail);
        break;
    case CC_TLS:
        tls_step(cc);
        break;
    case CC_H2:
        sess_h2_step(cc, rev);
        break;
    case CC_H1:
        sess_h1_step(cc, rev);
        break;
    case CC_CLOSED:
        break;
    }
    if (cc->state != CC_CLOSED && cconn_count(cc) == 0 && cc->state != CC_H2)
        cconn_close(cc);
}

/* The poll entries of `cc` (at most `max`) and how soon it needs stepping anyway. */
static size_t cconn_pollfds(struct cconn *cc, struct pollfd *pfd, size_t max, int *timeout)
{
    short ev = 0;

    switch (cc->state) {
    case CC_CONNECTING: {
        int t = net_connector_next_timeout(&cc->nc, cc->cl->now);
        if (t >= 0 && (*timeout < 0 || t < *timeout))
            *timeout = t;
        return net_connector_pollfds(&cc->nc, pfd, max);
    }
    case CC_TLS:
        pfd[0].fd = cc->tlsc->fd;
        ev = tls_conn_events(cc->tlsc);
        pfd[0].events = ev ? ev : POLLIN;
        return 1;
    case CC_H2:
        ev = sess_h2_events(cc);
        break;
    case CC_H1:
        ev = sess_h1_events(cc);
        break;
    case CC_IDLE: /* it connects on the next step */
        if (cconn_count(cc) && client_could_start(cc->cl, cc))
            *timeout = 0;
        return 0;
    default:
        return 0;
    }
    if (io_pending(&cc->io) || ev < 0)
        *timeout = 0;
    pfd[0].fd = cc->io.fd;
    pfd[0].events = (short)(ev < 0 ? POLLIN : ev);
    return 1;
}

static bool all_done(const struct client *cl)
{
    return cl->ndone >= cl->nxfers;
}

/* --max-time fails everything unfinished; the stall timeout, the transfers in flight
 * that made no progress for that long (PROMISES.md "Timeouts and liveness"). */
static void check_deadlines(struct client *cl)
{
    uint64_t stall = cl->cfg->net.stall_timeout_ms;
    struct cconn *cc;
    size_t i;

    if (cl->deadline && cl->now >= cl->deadline) {
        for (i = cl->reaped; i < cl->started; i++)
            if (!cl->xs[i]->done)
                xfer_fail(cl->xs[i], H2E_TIMEOUT, "operation timed out after %llu ms (--max-time)",
                          (unsigned long long)cl->cfg->net.max_time_ms);
        return;
    }
    if (!stall)
        return;
    for (cc = cl->conns; cc; cc = cc->next)
        for (i = 0; i < cc->nact;) {
            struct xfer *x = cc->act[i];
            /* a stream held back for ordered stdout waits for us, not the server */
            if (order_holds(x) || cl->now - x->last_progress_ms < stall) {
                i++;
                continue;
            }
            xfer_fail(x, H2E_TIMEOUT, "no progress for %llu ms (stall timeout)",
                      (unsigned long long)stall); /* leaves cc->act */
        }
}

/* Milliseconds until --rate lets a waiting request start, or 1000 (nothing waits). */
static uint64_t rate_wait(const struct client *cl)
{
    const struct cconn *cc;
    double rate = cl->cfg->multi.rate, owed;

    if (rate <= 0)
        return 1000;
    /* the bucket as it is now: when it holds a token, the rate is not what holds back */
    owed = 1 - cl->rate_tokens - (double)(cl->now - cl->rate_last) * rate / 1000.0;
    if (owed <= 0)
        return 1000;
    for (cc = cl->conns; cc && !cc->npending; cc = cc->next)
        ;
    return cc ? (uint64_t)(owed * 1000.0 / rate) + 1 : 1000;
}

static int next_timeout(const struct client *cl, int t)
{
    uint64_t limit = rate_wait(cl); /* and at least every second for the stall timeout */
    if (cl->deadline && limit > (cl->deadline > cl->now ? cl->deadline - cl->now : 0))
        limit = cl->deadline > cl->now ? cl->deadline - cl->now : 0;
    if (limit > 1000)
        limit = 1000;
    return (t < 0 || (uint64_t)t > limit) ? (int)limit : t;
}

/* Transfers made ahead of the first unfinished URL: enough to fill every stream slot
 * several times over, few enough that memory does not grow with the number of URLs. */
static size_t dispatch_window(const struct client *cl)
{
    size_t w = 4 * (size_t)cl->cfg->multi.parallel_max;
    return w < 1024 ? 1024 : w;
}

/* Make the next transfers of the command line, up to the window, and route them. */
static void dispatch(struct client *cl)
{
    const struct config *cfg = cl->cfg;
    size_t r = (size_t)cfg->multi.repeat, win = dispatch_window(cl);

    while (cl->started < cl->nxfers && cl->started - cl->reaped < win) {
        struct xfer *x = xcalloc(1, sizeof(*x));
        size_t i = cl->started++;
        cl->xs[i] = x;
        if (xfer_init(x, cl, i, &cfg->urls[i / r]) != 0 || x->done)
            continue;
        if (cl->deadline && cl->now >= cl->deadline)
            xfer_fail(x, H2E_TIMEOUT, "operation timed out after %llu ms (--max-time)",
                      (unsigned long long)cfg->net.max_time_ms);
        else if (cl->stopping)
            xfer_cancel(x, cl->cancel_code);
        else
            client_route(cl, x, false);
    }
    order_advance(cl);
}

/* Free the transfers that are written out; only between loop steps, when nothing is
 * processing their events. */
static void reap(struct client *cl)
{
    while (cl->reaped < cl->fin) {
        xfer_release(cl->xs[cl->reaped]);
        free(cl->xs[cl->reaped]);
        cl->xs[cl->reaped++] = NULL;
    }
}

#define MAX_POLL 256

static void loop(struct client *cl)
{
    struct pollfd pfd[MAX_POLL];
    struct cconn *owner[MAX_POLL];
    size_t n = 0, i;

    for (;;) {
        struct cconn *cc;
        int timeout = -1;

        cl->now = clock_ms();
        reap(cl);
        dispatch(cl);
        for (cc = cl->conns; cc; cc = cc->next) {
            size_t first = 0, cnt = 0;
            for (i = 0; i < n; i++)
                if (owner[i] == cc) {
                    if (!cnt)
                        first = i;
                    cnt++;
                }
            cconn_step(cc, cnt ? &pfd[first] : NULL, cnt);
        }
        check_deadlines(cl);
        progress_tick(cl, false);
        if (all_done(cl))
            break;
        n = 0;
        for (cc = cl->conns; cc && n < MAX_POLL - LIMIT_RESOLVE_ADDRS; cc = cc->next) {
            size_t k = cconn_pollfds(cc, &pfd[n], MAX_POLL - n, &timeout);
            for (i = 0; i < k; i++) {
                pfd[n + i].revents = 0;
                owner[n + i] = cc;
            }
            n += k;
        }
        if (poll(pfd, (nfds_t)n, next_timeout(cl, timeout)) < 0 && errno != EINTR)
            break;
    }
}

/* -w @FILE reads the format from FILE (curl), whole; returns 0, H2E_READ or H2E_USAGE (a
 * NUL byte would end the format early), said. */
static int load_write_out(struct client *cl)
{
    const char *w = cl->cfg->multi.write_out;
    size_t n = 0, cap = 0;
    FILE *f;
    int err;

    cl->wo_fmt = w;
    if (!w || w[0] != '@')
        return 0;
    f = strcmp(w + 1, "-") ? fopen(w + 1, "r") : stdin;
    if (!f) {
        diag_error(H2E_READ, "cannot read '%s': %s", w + 1, strerror(errno));
        return H2E_READ;
    }
    do {
        if (cap - n < 2)
            cl->wo_file = xrealloc(cl->wo_file, cap = cap ? cap * 2 : 4096);
        n += fread(cl->wo_file + n, 1, cap - n - 1, f);
    } while (!feof(f) && !ferror(f));
    err = ferror(f) ? errno : 0;
    cl->wo_file[n] = 0;
    if (f != stdin)
        fclose(f);
    cl->wo_fmt = cl->wo_file;
    if (!err && strlen(cl->wo_file) == n)
        return 0;
    if (err)
        diag_error(H2E_READ, "cannot read '%s': %s", w + 1, strerror(err));
    else
        diag_error(H2E_USAGE, "the --write-out format in '%s' has a NUL byte", w + 1);
    free(cl->wo_file);
    cl->wo_file = NULL;
    return err ? H2E_READ : H2E_USAGE;
}

/* The run is over: flush stdout; connections still open say goodbye where they can. */
static int finish_run(struct client *cl, int result)
{
    struct cconn *cc, *next;
    size_t i;
    int err;

    for (cc = cl->conns; cc; cc = cc->next)
        if (cc->state == CC_H2)
            sess_h2_goodbye(cc);
    if (out_flush(&cl->out) != 0) { /* said even when an earlier failure decides the exit */
        diag_error(H2E_WRITE, "%s", cl->out.detail);
        if (!result)
            result = H2E_WRITE;
    }
    for (i = cl->reaped; i < cl->started; i++) {
        xfer_release(cl->xs[i]);
        free(cl->xs[i]);
    }
    for (cc = cl->conns; cc; cc = next) {
        next = cc->next;
        cconn_close(cc);
        free(cc->q);
        free(cc->act);
        free(cc);
    }
    err = trace_finish(cl->trace);
    if (!result || err == H2E_STRICT) /* --strict: a failed check decides the exit code */
        result = err;
    for (i = 0; i < 2; i++)
        if (cl->tls_ready[i])
            tls_ctx_release(&cl->tls[i]);
    free(cl->out.buf);
    free(cl->wo_file);
    free(cl->xs);
    return result;
}

int client_run(const struct config *cfg)
{
    struct client cl;
    size_t retried = 0, i;
    int result = 0, err;

    memset(&cl, 0, sizeof(cl));
    cl.cfg = cfg;
    cl.now = clock_ms();
    cl.rate_last = cl.now;
    cl.rate_tokens = 1;
    cl.deadline = cfg->net.max_time_ms ? cl.now + cfg->net.max_time_ms : 0;
    if ((err = load_write_out(&cl)) != 0)
        return err;
    cl.trace = trace_new(cfg, &err);
    if (err) {
        trace_finish(cl.trace);
        free(cl.wo_file);
        return err;
    }
    out_init_stdout(&cl.out, cfg->out.no_buffer);
    progress_init(&cl);
    cl.nxfers = cfg->nurls * (size_t)cfg->multi.repeat;
    for (i = 0; i < cfg->nurls && cl.nxfers > 1; i++)
        cl.ordered = cl.ordered || !cfg->urls[i].output;
    cl.xs = xcalloc(cl.nxfers ? cl.nxfers : 1, sizeof(*cl.xs));
    dispatch(&cl);
    loop(&cl);
    progress_tick(&cl, true);
    result = cl.first_error;
    retried = cl.nretried;
    if (retried)
        vlog(&cl,
             "%zu request%s retried on a new connection (GOAWAY, REFUSED_STREAM or "
             "HTTP_1_1_REQUIRED)",
             retried, retried == 1 ? " was" : "s were");
    return finish_run(&cl, result);
}
