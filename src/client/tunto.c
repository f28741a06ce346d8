/* SPDX-License-Identifier: MIT */
/*
 * --tunnel-to: one connection of no HTTP (a cconn of kind CC_KIND_RAW), set up like any
 * other: through a tunnel of pconn.c when a proxy applies (HTTP CONNECT, SOCKS, a CONNECT
 * stream over HTTP/2), else straight over TCP. Once it is up, bytes move both ways at once
 * between it and stdin/stdout (pipe.c), each direction bounded by its buffer, so a slow
 * side holds the other back rather than growing memory. End of stdin ends nothing (no
 * half-close unless --tunnel-half-close, see up()); the end of the tunnel drains stdout
 * and ends the run, as nc.
 */
#include "tunto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cconn.h"
#include "client.h"
#include "pipe.h"
#include "run.h"
#include "sys/clock.h"
#include "sys/diag.h"
#include "sys/xalloc.h"
#include "via.h"
#include "vlog.h"
#include "writeout.h"
#include "xfer.h"

/* Read from the tunnel at most this much at a time (stdout's buffer bounds it too). */
#define TUNTO_CHUNK (64u * 1024u)

struct tunto {
    struct cconn *cc;
    struct pipe_in in;   /* stdin */
    struct pipe_out out; /* stdout */
    uint8_t *chunk;
    bool up;      /* the tunnel is open */
    bool shut;    /* stdin ended: nothing more to send */
    bool half;    /* ... and --tunnel-half-close's half-close is still to be made */
    bool far_end; /* the tunnel said EOF */
    bool done;    /* the run is over */
    int result;   /* 0, or the H2E_* of the failure */
    char *detail; /* ... and why; owned */
    /* for -w: clock_us() at the start, when the tunnel opened, at its first byte from the
     * far end and at the end (0: not yet); the bytes through it each way */
    uint64_t t_start, t_open, t_first, t_end;
    uint64_t up_bytes, down_bytes;
};

static struct tunto *of(const struct cconn *cc)
{
    return cc->cl->tunto;
}

static void finish(struct tunto *t, int code, const char *detail)
{
    if (t->done)
        return;
    t->done = true;
    t->t_end = clock_us();
    t->result = code;
    if (code)
        t->detail = xstrdup(detail);
    cconn_close(t->cc);
}

void tunto_failed(struct cconn *cc, int code, const char *detail)
{
    finish(of(cc), code, detail);
}

void tunto_ready(struct cconn *cc)
{
    struct tunto *t = of(cc);

    t->up = true;
    t->t_open = clock_us();
    vlog(cc->cl, "Tunnel to %s:%u open: stdin and stdout go through it", cc->host, cc->port);
}

/* Tunnel to stdout, as far as stdout's buffer has room. */
static int down(struct tunto *t)
{
    struct io *io = &t->cc->io;
    size_t room;

    while (!t->far_end && (room = pipe_out_room(&t->out)) > 0) {
        int r = io_read(io, t->chunk, room < TUNTO_CHUNK ? room : TUNTO_CHUNK);
        if (r == H2E_INCOMPLETE)
            break;
        if (r < 0) {
            finish(t, r, io->detail);
            return r;
        }
        if (r == 0) {
            t->far_end = true;
            vlog(t->cc->cl, "The far end closed the tunnel");
            break;
        }
        if (!t->down_bytes)
            t->t_first = clock_us();
        t->down_bytes += (uint64_t)r;
        if (pipe_out_write(&t->out, t->chunk, (size_t)r) < 0)
            break; /* said below */
    }
    if (pipe_out_flush(&t->out) < 0) {
        char why[128];
        snprintf(why, sizeof(why), "cannot write to stdout: %s", strerror(t->out.err));
        finish(t, H2E_WRITE, why);
        return H2E_WRITE;
    }
    return 0;
}

/* Stdin to the tunnel, as far as the tunnel takes it. */
static int up(struct tunto *t)
{
    struct io *io = &t->cc->io;
    int r;

    while (!t->shut) {
        struct span d;
        pipe_in_fill(&t->in);
        d = pipe_in_data(&t->in);
        if (d.len == 0)
            break;
        r = io_write(io, d.p, d.len);
        if (r == H2E_INCOMPLETE || r == 0)
            return 0;
        if (r < 0) {
            finish(t, r, io->detail);
            return r;
        }
        pipe_in_consume(&t->in, (size_t)r);
        t->up_bytes += (uint64_t)r;
    }
    if (t->shut || !pipe_in_done(&t->in))
        return 0;
    if (t->in.err) {
        char why[128];
        snprintf(why, sizeof(why), "cannot read stdin: %s", strerror(t->in.err));
        finish(t, H2E_READ, why);
        return H2E_READ;
    }
    /* No half-close unless asked: most proxies (Squid, microsocks) end the whole tunnel on
     * one, and the far end would lose its answer. As nc does (without -N), keep reading
     * until the far end closes. */
    t->shut = true;
    t->half = t->cc->cl->cfg->proxy.half_close;
    if (!t->half)
        vlog(t->cc->cl, "End of stdin: waiting for the far end to close the tunnel");
    return 0;
}

/* --tunnel-half-close, once stdin has ended: FIN, TLS close_notify or END_STREAM. */
static int half_close(struct tunto *t)
{
    struct io *io = &t->cc->io;
    int r = io_shutdown(io);

    if (r == H2E_INCOMPLETE)
        return 0; /* again after poll: a TLS record in flight */
    t->half = false;
    if (r < 0) {
        finish(t, r, io->detail);
        return r;
    }
    vlog(t->cc->cl, "End of stdin: the tunnel is half-closed; waiting for the far end to close it");
    return 0;
}

void tunto_step(struct cconn *cc, const struct pollfd *pfd, size_t npfd)
{
    struct tunto *t = of(cc);

    (void)pfd;
    (void)npfd; /* every side is tried: none of them blocks */
    if (t->done || !t->up)
        return;
    if (down(t) != 0 || up(t) != 0 || (t->half && half_close(t) != 0) || down(t) != 0)
        return;
    if (t->far_end && pipe_out_pending(&t->out) == 0)
        finish(t, 0, NULL);
}

size_t tunto_pollfds(struct cconn *cc, struct pollfd *pfd, size_t max, int *timeout)
{
    struct tunto *t = of(cc);
    bool room = pipe_out_room(&t->out) > 0;
    short ev = io_poll_events(&cc->io);
    size_t n = 0;

    if (t->done || max < 3)
        return 0;
    if (!t->far_end && room)
        ev |= POLLIN;
    if (!t->shut && pipe_in_data(&t->in).len)
        ev |= POLLOUT;
    if (!t->far_end && room && io_pending(&cc->io))
        *timeout = 0;
    if (cc->io.fd >= 0 && ev) { /* a CONNECT stream has none: its session wakes the loop */
        pfd[n].fd = cc->io.fd;
        pfd[n].events = ev;
        n++;
    }
    n += pipe_in_pollfd(&t->in, !t->shut, &pfd[n]);
    n += pipe_out_pollfd(&t->out, &pfd[n]);
    return n;
}

/* --- the run --------------------------------------------------------------------------- */

#define MAX_POLL 64

static void step_all(struct client *cl, struct pollfd *pfd, struct cconn **owner, size_t n)
{
    struct cconn *cc;

    for (cc = cl->conns; cc; cc = cc->next) {
        size_t first, cnt = cconn_polled(cc, owner, n, &first);
        cconn_step(cc, cnt ? &pfd[first] : NULL, cnt);
        cconn_send(cc);
    }
}

static int wait_time(const struct client *cl, int timeout)
{
    uint64_t left;

    if (cl->wake)
        return 0;
    if (!cl->deadline)
        return timeout;
    left = cl->deadline > cl->now ? cl->deadline - cl->now : 0;
    return (timeout < 0 || (uint64_t)timeout > left) ? (int)(left > 1000 ? 1000 : left) : timeout;
}

static void loop(struct client *cl, struct tunto *t)
{
    struct pollfd pfd[MAX_POLL];
    struct cconn *owner[MAX_POLL];
    size_t n = 0, i;

    for (;;) {
        struct cconn *cc;
        int timeout = -1;

        cl->now = clock_ms();
        cl->wake = false;
        step_all(cl, pfd, owner, n);
        if (t->done)
            return;
        if (cl->deadline && cl->now >= cl->deadline) {
            char why[96];
            snprintf(why, sizeof(why), "operation timed out after %llu ms (--max-time)",
                     (unsigned long long)cl->cfg->net.max_time_ms);
            finish(t, H2E_TIMEOUT, why);
            return;
        }
        n = 0;
        for (cc = cl->conns; cc && n < MAX_POLL - LIMIT_RESOLVE_ADDRS; cc = cc->next) {
            size_t k = cconn_pollfds(cc, &pfd[n], MAX_POLL - n, &timeout);
            for (i = 0; i < k; i++) {
                pfd[n + i].revents = 0;
                owner[n + i] = cc;
            }
            n += k;
        }
        if (poll(pfd, (nfds_t)n, wait_time(cl, timeout)) < 0 && errno != EINTR) {
            char why[96];
            snprintf(why, sizeof(why), "poll failed: %s", strerror(errno));
            finish(t, H2E_RECV, why);
            return;
        }
    }
}

/* --- -w ---------------------------------------------------------------------------------- */

/*
 * The tunnel as writeout.c's table sees a transfer (man page, "Tunnels for other
 * programs"): from the start of the run to the end of the tunnel; the facts of its
 * connection, with the connect and TLS times of the first hop (the connection to the
 * proxy, or the direct one); the bytes each way; %{url} is HOST:PORT. `c` and `cu` are
 * the views `x` points to.
 */
static void wo_view(struct client *cl, const struct tunto *t, struct xfer *x, struct cconn *c,
                    struct cli_url *cu)
{
    const struct cconn_facts *f = &t->cc->facts;
    bool proxied = f->t_proxy_connected != 0;

    memset(c, 0, sizeof(*c));
    c->id = t->cc->id;
    c->state = CC_CLOSED;
    c->facts = *f;
    c->facts.t_connected = proxied ? f->t_proxy_connected : f->t_connected;
    c->facts.t_tls = proxied ? f->t_proxy_tls : 0;
    c->tls = c->facts.t_tls != 0;
    memset(cu, 0, sizeof(*cu));
    cu->url = cl->cfg->proxy.tunnel_to;
    memset(x, 0, sizeof(*x));
    x->cl = cl;
    x->cu = cu;
    x->result = t->result;
    x->detail = t->detail;
    x->last_conn = c;
    x->conn_id = c->id;
    x->num_connects = c->facts.t_connected != 0; /* the one TCP connection */
    x->req.url_str = (char *)cu->url;
    x->up.sent = t->up_bytes;
    x->resp.body_bytes = x->resp.decoded_bytes = t->down_bytes;
    x->t.start = t->t_start;
    x->t.sent = t->t_open;
    x->t.headers = x->t.firstdata = t->t_first;
    x->t.done = t->t_end;
}

/* -w once the tunnel has ended: to stderr, since stdout carried the tunnel; what follows
 * %{stdout} goes to stdout after the tunnel's last byte. A failure to write it there is
 * exit 23 (unless the run failed before). */
static void write_out(struct client *cl, struct tunto *t)
{
    struct buf part[2];
    struct cli_url cu;
    struct cconn c;
    struct xfer x;
    size_t off = 0;

    wo_view(cl, t, &x, &c, &cu);
    buf_init(&part[WO_OUT], &xalloc_mem, SIZE_MAX);
    buf_init(&part[WO_ERR], &xalloc_mem, SIZE_MAX);
    wo_render_from(&x, cl->wo_fmt, part, WO_ERR); /* no cap; xalloc exits on OOM */
    while (off < part[WO_OUT].len && !t->out.err) {
        int64_t r = pipe_out_write(&t->out, part[WO_OUT].p + off, part[WO_OUT].len - off);
        if (r > 0)
            off += (size_t)r;
        pipe_out_drain(&t->out);
    }
    if (t->out.err && !t->result) {
        t->result = H2E_WRITE;
        diag_error(H2E_WRITE, "cannot write to stdout: %s", strerror(t->out.err));
    }
    fwrite(part[WO_ERR].p, 1, part[WO_ERR].len, stderr);
    buf_release(&part[WO_OUT]);
    buf_release(&part[WO_ERR]);
}

/* The proxy for the tunnel: -x, else the URL of the command line (its server is the
 * proxy), else the environment as for an https:// URL to HOST:PORT (no_proxy applies);
 * NULL for a direct connection. */
static const struct via *which_proxy(struct client *cl, const struct url *target, int *err)
{
    char why[512];
    const struct via *v = via_for(cl, target, err, why, sizeof(why));

    if (*err)
        diag_error(*err, "%s", why);
    else if (!v) /* pconn.c says which proxy otherwise */
        vlog(cl, "Tunnel to %s:%u: no proxy, a direct connection", target->host, target->port);
    return v;
}

static int target_of(const char *hostport, struct url *u, char *s, size_t cap)
{
    struct h2e_info info = H2E_INFO_INIT;

    snprintf(s, cap, "https://%s/", hostport);
    return url_parse(s, u, &info); /* the command line checked it (cli_opts.c) */
}

static int run(struct client *cl, struct tunto *t)
{
    char s[URL_HOST_MAX + 32];
    struct url target;
    const struct via *v;
    int err = target_of(cl->cfg->proxy.tunnel_to, &target, s, sizeof(s));

    if (err) {
        diag_error(H2E_USAGE, "bad --tunnel-to '%s'", cl->cfg->proxy.tunnel_to);
        return H2E_USAGE;
    }
    v = which_proxy(cl, &target, &err);
    if (err)
        return err;
    t->cc = cconn_new_raw(cl, target.host, target.port, v);
    loop(cl, t);
    if (pipe_out_drain(&t->out) != 0 && !t->result) {
        t->result = H2E_WRITE;
        t->detail = xasprintf("cannot write to stdout: %s", strerror(t->out.err));
    }
    if (t->result)
        diag_error(t->result, "%s", t->detail);
    if (cl->cfg->multi.write_out)
        write_out(cl, t);
    return t->result;
}

int tunto_run(const struct config *cfg)
{
    struct config c = *cfg; /* shallow: only the proxy fields change */
    struct client cl;
    struct tunto t;
    int err;

    if (cfg->nurls == 1) { /* the URL's server is the proxy, whatever no_proxy says; its
                            * certificate is checked as an origin's would be */
        c.proxy.url = cfg->urls[0].url;
        c.proxy.noproxy = "";
        c.proxy.cacert = cfg->proxy.cacert ? cfg->proxy.cacert : cfg->tls.cacert;
        c.proxy.insecure = cfg->proxy.insecure || cfg->tls.insecure;
    }
    if ((err = client_init(&cl, &c)) != 0)
        return err;
    memset(&t, 0, sizeof(t));
    t.t_start = clock_us();
    pipe_in_init(&t.in, 0, 0);
    pipe_out_init(&t.out, 1, 0);
    t.chunk = xmalloc(TUNTO_CHUNK);
    cl.tunto = &t;
    err = run(&cl, &t);
    pipe_in_release(&t.in);
    pipe_out_release(&t.out);
    free(t.chunk);
    free(t.detail);
    return client_finish(&cl, err);
}
