/* SPDX-License-Identifier: MIT */
/*
 * Proxy connections and their tunnels. A tunnel (struct pconn_tun) is shared by two
 * connections: the origin connection that uses it as its transport and the proxy
 * connection that carries it; it is freed when both have let go. Over an HTTP/1.1 or SOCKS
 * proxy the tunnel is the proxy connection's own transport once the handshake is done
 * (CC_PIPE: the origin connection polls and reads its socket); over an HTTP/2 proxy it is
 * a CONNECT stream (RFC 9113 §8.5) whose DATA fill a receive buffer the origin reads,
 * returning flow-control credit as it reads, and a send buffer the proxy session drains
 * within the stream's window. END_STREAM is the tunnel's FIN both ways.
 */
#include "pconn_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/h2.h"
#include "cconn.h"
#include "codec/hpack.h"
#include "net/resolve.h"
#include "net/tunnel.h"
#include "run.h"
#include "sys/xalloc.h"
#include "via.h"
#include "vlog.h"
#include "xfer.h"

/* --- lifetimes ----------------------------------------------------------------------- */

void pconn_tun_free(struct pconn_tun *t)
{
    if (t->hs_started)
        tunnel_release(&t->hs);
    net_lookup_release(t->lookup); /* nothing blocks: its threads finish on their own */
    free(t->detail);
    buf_release(&t->rbuf);
    buf_release(&t->wbuf);
    free(t);
}

static void attach(struct cconn *px, struct pconn_tun *t)
{
    if (px->ntuns == px->captuns) {
        px->captuns = px->captuns ? px->captuns * 2 : 8;
        px->tuns = xrealloc(px->tuns, px->captuns * sizeof(*px->tuns));
    }
    px->tuns[px->ntuns++] = t;
    t->px = px;
}

/* The proxy side lets go of `t`; freed when the origin side has too. */
void pconn_detach(struct pconn_tun *t)
{
    struct cconn *px = t->px;
    size_t i;

    for (i = 0; px && i < px->ntuns; i++)
        if (px->tuns[i] == t) {
            px->tuns[i] = px->tuns[--px->ntuns];
            break;
        }
    t->px = NULL;
    if (t->user_gone)
        pconn_tun_free(t);
}

void pconn_wake(struct pconn_tun *t)
{
    t->cl->wake = true;
}

/* The tunnel failed while being set up: say so to its origin connection. */
void pconn_fail(struct pconn_tun *t, int code, const char *fmt, ...)
{
    va_list ap;

    if (t->result != H2E_INCOMPLETE)
        return;
    va_start(ap, fmt);
    free(t->detail);
    t->detail = xvasprintf(fmt, ap);
    va_end(ap);
    t->result = code;
    if (t->px)
        t->hop = t->px->facts;
    pconn_wake(t);
}

void pconn_opened(struct pconn_tun *t)
{
    t->result = 0;
    if (t->px)
        t->hop = t->px->facts;
    pconn_wake(t);
}

/* --- the origin side ------------------------------------------------------------------ */

/* An HTTP/2-capable proxy connection of the run that can carry one more tunnel. */
static struct cconn *shared(struct client *cl, const struct via *v)
{
    struct cconn *cc;

    if (v->url.kind != PROXY_HTTPS || v->h1)
        return NULL;
    for (cc = cl->conns; cc; cc = cc->next)
        if (cc->is_proxy && cc->via == v && !cc->ending && cc->state < CC_PROXY_HS)
            return cc; /* still connecting: ALPN will tell */
        else if (cc->is_proxy && cc->via == v && !cc->ending && cc->state == CC_H2 &&
                 !h2c_is_closing(cc->h2))
            return cc;
    return NULL;
}

/* The first transfer waiting on `cc`, to count the proxy connection opened for it. */
static struct xfer *first_queued(const struct cconn *cc)
{
    size_t i;

    for (i = cc->qhead; i < cc->qtail; i++)
        if (cc->q[i])
            return cc->q[i];
    return cc->nact ? cc->act[0] : NULL;
}

static struct cconn *carrier(struct client *cl, const struct via *v)
{
    struct cconn *px = shared(cl, v);

    return px ? px : cconn_new_proxy(cl, v);
}

/* An HTTP/2 proxy connection is a connection of its own (over an HTTP/1.1 or SOCKS proxy
 * the tunnel's connection is the origin's, counted already): the transfer it was opened
 * for counts it in %{num_connects}. */
static void count_connect(struct cconn *px)
{
    struct xfer *x;

    if (px->ntuns && px->tuns[0]->origin && (x = first_queued(px->tuns[0]->origin)) != NULL)
        x->num_connects++;
}

struct pconn_tun *pconn_open(struct cconn *cc, const char *host, uint16_t port)
{
    struct pconn_tun *t = xcalloc(1, sizeof(*t));

    t->cl = cc->cl;
    t->origin = cc;
    t->via = cc->via;
    t->result = H2E_INCOMPLETE;
    snprintf(t->host, sizeof(t->host), "%s", host);
    t->port = port;
    via_authority(host, port, t->authority, sizeof(t->authority));
    buf_init(&t->rbuf, &xalloc_mem, TUN_RECV_MAX);
    buf_init(&t->wbuf, &xalloc_mem, TUN_SEND_MAX);
    attach(carrier(cc->cl, cc->via), t);
    vlog(cc->cl, "Tunnel to %s through proxy %s", t->authority, t->via->name);
    return t;
}

void pconn_release(struct pconn_tun *t)
{
    struct cconn *px = t->px;

    t->user_gone = true;
    t->origin = NULL;
    if (!px) {
        pconn_tun_free(t);
        return;
    }
    if (px->h2 && t->sid)
        h2c_reset_stream(px->h2, t->sid, H2_CANCEL); /* nothing if the stream ended */
    pconn_detach(t);
    if (!px->h2 && px->ntuns == 0)
        cconn_close(px); /* it was opened for this tunnel alone */
}

/* --- the tunnel as an io: over a proxy connection's own transport ---------------------- */

static struct pconn_tun *tun_of(const struct io *io)
{
    return io->impl;
}

int pconn_gone(struct io *io, int code)
{
    struct pconn_tun *t = tun_of(io);

    snprintf(io->detail, sizeof(io->detail), "%s",
             t->detail ? t->detail : "the connection to the proxy is closed");
    return h2e_set(&io->info, code, 0, "tunnel closed");
}

/* Copy the proxy connection's transport state into the tunnel's io after a call. */
static int pass(struct io *io, const struct io *below, int rv)
{
    io->eof = below->eof;
    io->unclean = below->unclean;
    if (rv < 0 && rv != H2E_INCOMPLETE) {
        io->info = below->info;
        snprintf(io->detail, sizeof(io->detail), "%s", below->detail);
    }
    return rv;
}

static int pipe_read(struct io *io, void *p, size_t n)
{
    struct pconn_tun *t = tun_of(io);

    if (!t->px)
        return pconn_gone(io, H2E_RECV);
    return pass(io, &t->px->io, io_read(&t->px->io, p, n));
}

static int pipe_write(struct io *io, const void *p, size_t n)
{
    struct pconn_tun *t = tun_of(io);

    if (!t->px)
        return pconn_gone(io, H2E_SEND);
    return pass(io, &t->px->io, io_write(&t->px->io, p, n));
}

static void pipe_close(struct io *io)
{
    struct pconn_tun *t = tun_of(io);
    struct cconn *px = t->px;

    t->user_gone = true;
    if (!px) {
        pconn_tun_free(t);
        return;
    }
    pconn_detach(t);
    cconn_close(px); /* the tunnel was its only use */
}

static int pipe_describe(const struct io *io, char *buf, size_t cap)
{
    const struct pconn_tun *t = tun_of(io);
    char below[IO_DETAIL_MAX] = "closed";

    if (t->px)
        io_describe(&t->px->io, below, sizeof(below));
    return snprintf(buf, cap, "tunnel to %s via %s (%s)", t->authority, t->via->name, below);
}

static short pipe_events(const struct io *io)
{
    const struct pconn_tun *t = tun_of(io);
    return t->px ? io_poll_events(&t->px->io) : 0;
}

static size_t pipe_pending(const struct io *io)
{
    const struct pconn_tun *t = tun_of(io);
    return t->px ? io_pending(&t->px->io) : 1; /* gone: a read says so at once */
}

/* The half-close of the proxy connection is the tunnel's (its FIN, or TLS close_notify). */
static int pipe_shutdown(struct io *io)
{
    struct pconn_tun *t = tun_of(io);

    if (!t->px)
        return pconn_gone(io, H2E_SEND);
    return pass(io, &t->px->io, io_shutdown(&t->px->io));
}

/* The proxy connection carries this one tunnel: its socket is the tunnel's. */
static void pipe_set_rcvlowat(struct io *io, int n)
{
    struct pconn_tun *t = tun_of(io);

    if (t->px)
        io_set_rcvlowat(&t->px->io, n);
}

static const struct io_ops pipe_ops = {pipe_read,     pipe_write,  pipe_close,
                                       pipe_describe, pipe_events, pipe_pending,
                                       pipe_shutdown, NULL,        pipe_set_rcvlowat};

/* --- the origin side, once the tunnel is decided -------------------------------------- */

/* The proxy facts -w shows, copied to the transfers of `cc` that fail before sending. */
static void tell_xfers(struct cconn *cc, const struct pconn_tun *t)
{
    const char *alpn = t->hop.alpn;
    size_t i;

    for (i = cc->qhead; i < cc->qtail; i++)
        if (cc->q[i]) {
            cc->q[i]->connect_code = t->status;
            snprintf(cc->q[i]->proxy_alpn, sizeof(cc->q[i]->proxy_alpn), "%s", alpn);
        }
}

/* The proxy hop's facts -w shows, kept by the tunnel's connection (--tunnel-to reads them
 * after a failure too). */
static void hop_facts(struct cconn *cc, const struct pconn_tun *t)
{
    struct cconn_facts *f = &cc->facts;

    f->connect_code = t->status;
    snprintf(f->proxy_alpn, sizeof(f->proxy_alpn), "%s", t->hop.alpn);
    snprintf(f->remote_ip, sizeof(f->remote_ip), "%s", t->hop.remote_ip);
    f->remote_port = t->hop.remote_port;
    f->t_proxy_connected = t->hop.t_connected;
    f->t_proxy_tls = t->hop.t_tls;
}

void pconn_wait(struct cconn *cc)
{
    struct pconn_tun *t = cc->tun;
    struct io io;

    if (t->result == H2E_INCOMPLETE)
        return;
    tell_xfers(cc, t);
    hop_facts(cc, t);
    if (t->result < 0) {
        char *detail = xstrdup(t->detail ? t->detail : "the tunnel failed");
        cconn_fail_all(cc, t->result, "%s", detail); /* releases the tunnel */
        free(detail);
        return;
    }
    cc->tun = NULL;
    t->in_use = true;
    t->origin = NULL;
    if (t->px->h2)
        pconn_stream_io(&io, t);
    else
        io_init_ops(&io, &pipe_ops, t->px->io.fd, t);
    cconn_over(cc, &io);
}

/* --- the proxy side: HTTP/1.1 CONNECT and SOCKS ---------------------------------------- */

/* The request of `t`'s handshake: the CONNECT head for HTTP, the target for SOCKS. */
static int handshake_req(struct cconn *px, struct pconn_tun *t, struct tunnel_req *r,
                         struct buf *head)
{
    const struct via *v = t->via;
    const char *why = NULL;

    memset(r, 0, sizeof(*r));
    r->kind = v->url.kind;
    r->host = t->host;
    r->port = t->port;
    r->has_user = v->has_user;
    r->user = v->user;
    r->password = v->password;
    if (!proxy_is_socks(r->kind)) {
        if (via_connect_head(px->cl, v, t->authority, head, &why) != 0) {
            pconn_fail(t, H2E_USAGE, "cannot write the CONNECT request: %s",
                       why ? why : "too large");
            return -1;
        }
        r->http_head = buf_span(head);
    } else if (r->kind == PROXY_SOCKS4 || r->kind == PROXY_SOCKS5) {
        r->host = t->ip; /* resolved here (pconn_dns.c) */
    }
    return 0;
}

static void start_handshake(struct cconn *px, struct pconn_tun *t)
{
    struct tunnel_req r;
    struct buf head;
    int rv;

    px->state = CC_PROXY_HS;
    if (pconn_dns_needed(t) && (rv = pconn_dns_start(px, t)) != 0) {
        if (rv != H2E_INCOMPLETE) /* else pconn_step goes on once the name is resolved */
            cconn_close(px);
        return;
    }
    buf_init(&head, &xalloc_mem, TUNNEL_HEAD_MAX);
    rv = handshake_req(px, t, &r, &head);
    if (rv == 0) {
        if (proxy_is_socks(r.kind))
            vlog(px->cl, "%s handshake with %s for %s", proxy_kind_name(r.kind), px->via->name,
                 t->authority);
        t->hs_started = true;
        if (tunnel_start(&t->hs, &r) != 0)
            pconn_fail(t, t->hs.code, "proxy %s: %s", px->via->name, t->hs.detail);
    }
    if (head.p)
        memset(head.p, 0, head.len); /* it may hold credentials */
    buf_release(&head);
    if (t->result != H2E_INCOMPLETE) {
        cconn_close(px);
        return;
    }
    pconn_step(px);
}

/* An https:// proxy that selected HTTP/1.1 carries one tunnel: the others waiting on it
 * get connections of their own. */
static void rehome(struct cconn *px)
{
    while (px->ntuns > 1) {
        struct pconn_tun *t = px->tuns[px->ntuns - 1];
        px->ntuns--;
        attach(carrier(px->cl, px->via), t);
    }
}

void pconn_ready(struct cconn *px, bool h2)
{
    if (h2) {
        vlog(px->cl, "Proxy %s speaks HTTP/2: tunnels are CONNECT streams", px->via->name);
        trace_conn(px->cl->trace, px->id, TRACE_CONN_H2, NULL);
        count_connect(px);
        px->state = CC_H2;
        if (sess_h2_start(px) != 0)
            cconn_fail_all(px, H2E_NOMEM, "cannot set up the HTTP/2 session");
        return;
    }
    if (px->via->url.kind == PROXY_HTTPS && !px->via->h1) {
        via_mark_h1(px->via);
        vlog(px->cl, "Proxy %s speaks HTTP/1.1: a connection per tunnel", px->via->name);
    }
    rehome(px);
    if (px->ntuns == 0) {
        cconn_close(px);
        return;
    }
    start_handshake(px, px->tuns[0]);
}

void pconn_step(struct cconn *px)
{
    struct pconn_tun *t = px->ntuns ? px->tuns[0] : NULL;
    int rv;

    if (px->state != CC_PROXY_HS)
        return;
    if (!t) {
        cconn_close(px);
        return;
    }
    if (t->lookup) {
        if ((rv = pconn_dns_step(px, t)) == 0)
            start_handshake(px, t);
        else if (rv != H2E_INCOMPLETE)
            cconn_close(px);
        return;
    }
    rv = tunnel_step(&t->hs, &px->io);
    if (rv == H2E_INCOMPLETE)
        return;
    t->status = t->hs.status;
    if (rv) {
        pconn_fail(t, rv, "proxy %s: %s", px->via->name, t->hs.detail);
        cconn_close(px);
        return;
    }
    if (t->status)
        vlog(px->cl, "CONNECT to %s answered %d: tunnel open", t->authority, t->status);
    else
        vlog(px->cl, "%s tunnel to %s open", proxy_kind_name(px->via->url.kind), t->authority);
    px->state = CC_PIPE;
    pconn_opened(t);
}

size_t pconn_pollfds(struct cconn *cc, struct pollfd *pfd, size_t max, int *timeout)
{
    if (cc->state == CC_TUNNEL) {
        uint64_t left = cc->connect_deadline > cc->cl->now ? cc->connect_deadline - cc->cl->now : 0;
        if (*timeout < 0 || (uint64_t)*timeout > left)
            *timeout = (int)(left > 1000 ? 1000 : left);
        return 0;
    }
    if (cc->state != CC_PROXY_HS || !cc->ntuns)
        return 0; /* CC_PIPE: the origin connection polls the socket */
    if (cc->tuns[0]->lookup)
        return pconn_dns_pollfds(cc, cc->tuns[0], pfd, max, timeout);
    if (max == 0)
        return 0;
    if (io_pending(&cc->io))
        *timeout = 0;
    pfd[0].fd = cc->io.fd;
    pfd[0].events = tunnel_events(&cc->tuns[0]->hs, &cc->io);
    return 1;
}

void pconn_fail_tunnels(struct cconn *px, int code, const char *detail)
{
    size_t i;

    if (code == H2E_RESOLVE)
        code = H2E_PROXY_RESOLVE; /* curl's 5: the proxy's name */
    for (i = 0; i < px->ntuns; i++) {
        struct pconn_tun *t = px->tuns[i];
        if (t->result == H2E_INCOMPLETE) {
            pconn_fail(t, code, "proxy %s: %s", px->via->name, detail);
        } else if (!t->reset) {
            t->reset = true;
            free(t->detail);
            t->detail = xasprintf("proxy %s: %s", px->via->name, detail);
            pconn_wake(t);
        }
    }
}

void pconn_closed(struct cconn *px)
{
    while (px->ntuns) {
        struct pconn_tun *t = px->tuns[0];
        pconn_fail(t, H2E_RECV, "proxy %s: the connection closed before the tunnel opened",
                   px->via->name);
        pconn_detach(t);
    }
    free(px->tuns);
    px->tuns = NULL;
    px->captuns = 0;
}
