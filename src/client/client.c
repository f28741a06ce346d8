/* SPDX-License-Identifier: MIT */
/*
 * The run and its one event loop: transfers are made in command-line order (a bounded
 * window of them at a time), routed to connections by origin (route.c), each connection
 * advanced through connect, TLS and a session (cconn.c), and poll() waits on all of them
 * at once. After every connection's step the router settles what was reported. Deadlines
 * (--max-time, the stall timeout) are checked here; --connect-timeout in cconn.c.
 */
#include "client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cconn.h"
#include "client_trace.h"
#include "cookies.h"
#include "creds.h"
#include "duplex.h"
#include "intr.h"
#include "order.h"
#include "pipe.h"
#include "progress.h"
#include "retry.h"
#include "route.h"
#include "run.h"
#include "spin.h"
#include "sys/clock.h"
#include "sys/xalloc.h"
#include "tunto.h"
#include "via.h"
#include "vlog.h"
#include "xfer.h"

static bool all_done(const struct client *cl)
{
    return cl->ndone >= cl->nxfers;
}

/* An HTTP/2 connection is closing gracefully (GOAWAY sent, or about to be: nothing is left
 * on it), within LIMIT_CLOSE_LINGER_MS (sess_h2.c). One that still carries something
 * once every URL is done (a proxy connection's tunnel) is not waited for: client_finish
 * says goodbye on it. */
static bool closing(const struct client *cl)
{
    const struct cconn *cc;

    for (cc = cl->conns; cc; cc = cc->next)
        if (cc->state == CC_H2 && (cc->linger_end || cconn_count(cc) == 0))
            return true;
    return false;
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
            if (!xfer_over(cl->xs[i]))
                xfer_fail(cl->xs[i], H2E_TIMEOUT, "operation timed out after %llu ms (--max-time)",
                          (unsigned long long)cl->cfg->net.max_time_ms);
        return;
    }
    if (!stall)
        return;
    for (cc = cl->conns; cc; cc = cc->next)
        for (i = 0; i < cc->nact; i++) {
            struct xfer *x = cc->act[i];
            /* a stream held back for ordered stdout waits for us, not the server */
            if (xfer_over(x) || order_holds(x) || cl->now - x->t.last_progress_ms < stall)
                continue;
            xfer_fail(x, H2E_TIMEOUT, "no progress for %llu ms (stall timeout)",
                      (unsigned long long)stall);
        }
}

static int next_timeout(const struct client *cl, int t)
{
    if (cl->wake) /* a tunnel moved bytes its other end waits for */
        return 0;
    uint64_t limit = route_rate_wait(cl); /* and at least every second for the stall timeout */
    if (retry_wait(cl) < limit)
        limit = retry_wait(cl);
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

/* Reaped transfers kept for reuse, as many as the dispatch window holds: a run over many
 * small URLs would otherwise free and allocate one per URL, and glibc serves a block of
 * struct xfer's size (over 1000 bytes) from its large bins, consolidating the fast bins
 * each time. Under ASan every transfer is a fresh allocation, so a use after reaping is
 * still caught. */
#if defined(__SANITIZE_ADDRESS__)
#define SPARE_MAX(cl) ((void)(cl), (size_t)0)
#else
#define SPARE_MAX(cl) dispatch_window(cl)
#endif

static struct xfer *new_xfer(struct client *cl)
{
    struct xfer *x;

    if (!cl->nspare)
        return xcalloc(1, sizeof(*x));
    x = cl->spare[--cl->nspare];
    memset(x, 0, sizeof(*x));
    return x;
}

static void drop_xfer(struct client *cl, struct xfer *x)
{
    if (cl->nspare == SPARE_MAX(cl)) {
        free(x);
        return;
    }
    if (!cl->spare)
        cl->spare = xcalloc(SPARE_MAX(cl), sizeof(*cl->spare));
    cl->spare[cl->nspare++] = x;
}

/* Connections that may wait to start: each new origin in the dispatch window makes one
 * (about 9 KiB), so a run over thousands of origins stops making transfers while this many
 * wait, and its memory stays flat in the number of origins. */
static size_t unstarted_window(const struct client *cl)
{
    size_t w = 2 * (size_t)cl->cfg->multi.parallel_max;
    return w < 64 ? 64 : w;
}

/* Make the next transfers of the command line, up to the windows, and route them. */
static void dispatch(struct client *cl)
{
    const struct config *cfg = cl->cfg;
    size_t r = (size_t)cfg->multi.repeat, win = dispatch_window(cl);

    while (cl->started < cl->nxfers && cl->started - cl->reaped < win &&
           (cl->nconns_unstarted < unstarted_window(cl) || cl->stopping)) {
        struct xfer *x = new_xfer(cl);
        size_t i = cl->started++;
        cl->xs[i] = x;
        if (xfer_init(x, cl, i, &cfg->urls[i / r]) != 0 || xfer_over(x))
            continue;
        if (cl->deadline && cl->now >= cl->deadline)
            xfer_fail(x, H2E_TIMEOUT, "operation timed out after %llu ms (--max-time)",
                      (unsigned long long)cfg->net.max_time_ms);
        else if (cl->stopping)
            xfer_cancel(x, cl->cancel_code);
        else
            route_xfer(cl, x, false);
    }
    route_settle(cl);
}

/* Free the transfers that are written out (done, settled, off every connection). */
static void reap(struct client *cl)
{
    while (cl->reaped < cl->fin) {
        if (cl->wait_in == &cl->xs[cl->reaped]->up.in) /* a reap after the steps (settled) */
            cl->wait_in = NULL;
        xfer_release(cl->xs[cl->reaped]);
        drop_xfer(cl, cl->xs[cl->reaped]);
        cl->xs[cl->reaped++] = NULL;
    }
}

/* A signal ends the run at once: every unfinished output is removed (or kept as .part
 * with --keep-partial), the signal decides the exit code, and client_finish says goodbye
 * on the open connections (RST_STREAM(CANCEL), GOAWAY). */
static void interrupted(struct client *cl, int code)
{
    static const char *const names[] = {"SIGINT", "SIGTERM", "SIGHUP"};
    size_t i, left = cl->nxfers - cl->started;

    for (i = cl->reaped; i < cl->started; i++)
        if (cl->xs[i]->phase != XFER_DONE) {
            xfer_interrupt(cl->xs[i], code);
            left++;
        }
    progress_tick(cl, true);
    diag_error(code, "%s, %zu transfer%s unfinished",
               names[code == H2E_SIGINT    ? 0
                     : code == H2E_SIGTERM ? 1
                                           : 2],
               left, left == 1 ? "" : "s");
    cl->first_error = code;
}

#define MAX_POLL 256

/* stdin and stdout of transfers that read or write them as pipes (pipe.h): polled here
 * (owned by no connection), read and written by the transfers when they are stepped. */
static size_t stdio_pollfds(const struct client *cl, struct pollfd *pfd, struct cconn **owner)
{
    size_t n = 0;

    if (cl->wait_in)
        n += pipe_in_pollfd(cl->wait_in, true, &pfd[n]);
    if (cl->stdout_pipe)
        n += pipe_out_pollfd(cl->stdout_pipe, &pfd[n]);
    owner[0] = owner[1] = NULL;
    return n;
}

/* What poll() waits for: each connection's fds (`owner` says whose), then stdin and
 * stdout, then the signal pipe; lowers `*timeout` to what the connections wait for.
 * Returns how many. */
static size_t pollfds(struct client *cl, struct pollfd *pfd, struct cconn **owner, int intr_fd,
                      int *timeout)
{
    struct cconn *cc;
    size_t n = 0, i;

    for (cc = cl->conns; cc && n < MAX_POLL - LIMIT_RESOLVE_ADDRS - 3; cc = cc->next) {
        size_t k = cconn_pollfds(cc, &pfd[n], MAX_POLL - n, timeout);
        for (i = 0; i < k; i++) {
            pfd[n + i].revents = 0;
            owner[n + i] = cc;
        }
        n += k;
    }
    n += stdio_pollfds(cl, &pfd[n], owner + n);
    if (intr_fd >= 0) {
        pfd[n] = (struct pollfd){.fd = intr_fd, .events = POLLIN};
        owner[n++] = NULL;
    }
    return n;
}

/* How long the loop may poll without sleeping: the most any HTTP/2 connection whose
 * bodies wait for credit may spin (spin.h); 0 when none. */
static uint64_t spin_us(const struct client *cl)
{
    const struct cconn *cc;
    uint64_t us = 0, t;

    for (cc = cl->conns; cc; cc = cc->next)
        if (cc->state == CC_H2 && (t = sess_h2_spin_us(cc)) > us)
            us = t;
    return us;
}

static void loop(struct client *cl, int intr_fd)
{
    struct pollfd pfd[MAX_POLL];
    struct cconn *owner[MAX_POLL];
    size_t n = 0;
    int sig;

    for (;;) {
        struct cconn *cc;
        int timeout = -1;

        if ((sig = intr_pending()) != 0) {
            interrupted(cl, sig);
            break;
        }
        cl->now = clock_ms();
        cl->settled = false;
        cl->wake = false;
        cl->wait_in = NULL;
        reap(cl);
        retry_wake(cl);
        dispatch(cl);
        for (cc = cl->conns; cc; cc = cc->next) {
            size_t first, cnt = cconn_polled(cc, owner, n, &first);
            cconn_step(cc, cnt ? &pfd[first] : NULL, cnt);
            cconn_flush_coded(cc);
            route_settle(cl);
            cconn_send(cc);
        }
        check_deadlines(cl);
        route_settle(cl);
        if (cl->settled) { /* what settling made room for is made and routed now: the
                            * connections then say themselves whether they go on at once */
            reap(cl);
            dispatch(cl);
        }
        progress_tick(cl, false);
        if (all_done(cl) && !closing(cl))
            break;
        cconn_prune(cl); /* here: owner[] is made anew just below */
        n = pollfds(cl, pfd, owner, intr_fd, &timeout);
        /* while an upload waits for credit that came quickly last time, without sleeping
         * first: a sleep and a wake-up cost about as long as the wait, once per window */
        if (spin_poll(pfd, n, next_timeout(cl, timeout), spin_us(cl)) < 0 && errno != EINTR)
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
int client_finish(struct client *cl, int result)
{
    struct cconn *cc, *next;
    size_t i;
    int err;

    for (cc = cl->conns; cc; cc = cc->next)
        if (cc->state == CC_H2)
            sess_h2_goodbye(cc);
    if (duplex_finish(cl) != 0 && !result)
        result = H2E_WRITE;
    creds_free(cl);
    err = cookies_finish(cl, true); /* -c, whatever the result, as curl */
    if (!result)
        result = err;
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
        cconn_free(cc);
    }
    err = trace_finish(cl->trace);
    if (!result || err == H2E_STRICT) /* --strict: a failed check decides the exit code */
        result = err;
    for (i = 0; i < 2; i++)
        if (cl->tls_ready[i])
            tls_ctx_release(&cl->tls[i]);
    via_release(cl);
    free(cl->out.buf);
    free(cl->wo_file);
    free(cl->xs);
    free(cl->reported);
    free(cl->settling);
    while (cl->nspare)
        free(cl->spare[--cl->nspare]);
    free(cl->spare);
    return result;
}

int client_init(struct client *cl, const struct config *cfg)
{
    size_t i;
    int err;

    memset(cl, 0, sizeof(*cl));
    cl->cfg = cfg;
    cl->now = clock_ms();
    cl->rate_last = cl->now;
    cl->rate_tokens = 1;
    pace_init(&cl->pace_in, cfg->net.limit_rate, cl->now);
    pace_init(&cl->pace_out, cfg->net.limit_rate, cl->now);
    cl->deadline = cfg->net.max_time_ms ? cl->now + cfg->net.max_time_ms : 0;
    if ((err = load_write_out(cl)) != 0)
        return err;
    cl->trace = client_trace_new(cfg, &err);
    if (err) {
        trace_finish(cl->trace);
        free(cl->wo_file);
        return err;
    }
    out_init_stdout(&cl->out, cfg->out.no_buffer);
    progress_init(cl);
    duplex_init(cl);
    cl->nxfers = cfg->nurls * (size_t)cfg->multi.repeat;
    /* bodies on a stdout that is the null device are not written: nothing to order, so no
     * stream is held to a small window for it */
    for (i = 0; i < cfg->nurls && cl->nxfers > 1 && !cl->out.null; i++)
        cl->ordered = cl->ordered ||
                      (!cfg->urls[i].output && !(cfg->out.out_null && !cfg->urls[i].has_output));
    cl->xs = xcalloc(cl->nxfers ? cl->nxfers : 1, sizeof(*cl->xs));
    return 0;
}

int client_run(const struct config *cfg)
{
    struct client cl;
    int err;

    if (cfg->proxy.tunnel_to)
        return tunto_run(cfg);
    err = client_init(&cl, cfg);
    if (err)
        return err;
    if ((err = creds_init(&cl)) != 0 || (err = cookies_init(&cl)) != 0) {
        /* said; the jar is not written then */
        cookies_finish(&cl, false);
        return client_finish(&cl, err);
    }
    dispatch(&cl);
    loop(&cl, intr_install());
    progress_tick(&cl, true);
    if (cl.nretried)
        vlog(&cl,
             "%zu request%s retried (GOAWAY, REFUSED_STREAM or HTTP_1_1_REQUIRED); %zu new "
             "connection%s opened for retries",
             cl.nretried, cl.nretried == 1 ? " was" : "s were", cl.nretry_conns,
             cl.nretry_conns == 1 ? " was" : "s were");
    err = client_finish(&cl, cl.first_error);
    intr_restore();
    return err;
}
