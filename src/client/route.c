/* SPDX-License-Identifier: MIT */
/*
 * The router: where each transfer goes, and what happens when its attempt ends. Transfers
 * and sessions only report (route_report); here, and nowhere else, a transfer is
 * detached from its connection and routed again, finished, or cancelled, and ordered
 * output is moved on, so that no failure path re-enters another. HTTP/2 puts every
 * transfer of an origin on one connection; HTTP/1.1 uses up to --parallel-max-host.
 */
#include "route.h"

#include <stdlib.h>
#include <string.h>

#include "cconn.h"
#include "order.h"
#include "via.h"
#include "vlog.h"
#include "run.h"
#include "sys/clock.h"
#include "sys/xalloc.h"
#include "xfer.h"

static enum cconn_kind kind_for(const struct client *cl, const struct xfer *x)
{
    const struct config *cfg = cl->cfg;

    if (x->req.forward) /* absolute-form requests to an HTTP proxy are HTTP/1.1 */
        return CC_KIND_H1;
    if (x->req.force_h1 || cfg->proto.http == CLI_HTTP_1_1 ||
        (!x->req.url.tls && cfg->proto.http != CLI_HTTP_2_PRIOR))
        return CC_KIND_H1;
    return x->req.url.tls ? CC_KIND_ALPN : CC_KIND_H2C;
}

/* The proxy this attempt goes through (via.c), chosen again for every URL a redirect
 * leads to; false when the choice failed (a bad proxy URL or no_proxy entry), said. */
static bool choose_via(struct client *cl, struct xfer *x)
{
    char why[1024];
    int err;

    x->req.via = via_for(cl, &x->req.url, &err, why, sizeof(why));
    if (err) {
        xfer_fail(x, err, "%s", why);
        return false;
    }
    x->req.forward = x->req.via && !via_tunnels(cl, x->req.via, &x->req.url);
    return true;
}

/* A connection for `x`; `retry` when it is made for a retry (-v and the summary say so). */
static struct cconn *new_conn(struct client *cl, struct xfer *x, enum cconn_kind kind, bool retry)
{
    struct cconn *cc = cconn_new(cl, x, kind);

    x->num_connects++;
    if (retry) {
        cl->nretry_conns++;
        vlog(cl, "%s goes to connection %u, a new one", x->req.url_str, cc->id);
    }
    return cc;
}

void route_xfer(struct client *cl, struct xfer *x, bool fresh)
{
    const struct config *cfg = cl->cfg;
    enum cconn_kind kind;

    if (!choose_via(cl, x))
        return;
    kind = kind_for(cl, x);
    /* HTTP/2: one connection per origin. HTTP/1.1: one request at a time per connection,
     * so up to --parallel-max-host connections when it is given (CLI.md §4), each
     * transfer going to the least loaded */
    size_t h1_conns = 0, h1_max = kind == CC_KIND_H1 && cfg->multi.parallel_max_host_set
                                      ? (size_t)cfg->multi.parallel_max_host
                                      : 1;
    struct cconn *cc, *best = NULL;

    for (cc = cl->conns; cc; cc = cc->next) {
        if ((fresh && cc->id <= x->conn_id) || !cconn_usable(cc, x, kind))
            continue;
        h1_conns++;
        if (!best || cconn_count(cc) < cconn_count(best))
            best = cc;
    }
    if (!best || (kind == CC_KIND_H1 && h1_conns < h1_max && cconn_count(best) != 0))
        best = new_conn(cl, x, kind, fresh);
    else if (fresh)
        vlog(cl, "%s goes to connection %u, opened after connection %u", x->req.url_str, best->id,
             x->conn_id);
    cconn_attach(best, x);
}

void route_report(struct xfer *x)
{
    struct client *cl = x->cl;

    if (cl->nreported == cl->capreported) {
        cl->capreported = cl->capreported ? cl->capreported * 2 : 64;
        cl->reported = xrealloc(cl->reported, cl->capreported * sizeof(*cl->reported));
    }
    cl->reported[cl->nreported++] = x;
}

/* `x` is done for good: count it; a failure may stop the rest (--fail-early). */
static void finish(struct client *cl, struct xfer *x)
{
    x->phase = XFER_DONE;
    cl->ndone++;
    cl->bytes_done += x->resp.body_bytes;
    if (x->result && x->outcome != XFER_CANCELLED && cl->cfg->multi.fail_early)
        route_cancel_rest(cl, x, x->result);
}

void route_cancel_rest(struct client *cl, const struct xfer *failed, int code)
{
    size_t i;

    if (cl->stopping)
        return;
    cl->stopping = true;
    cl->cancel_code = code;
    for (i = cl->reaped; i < cl->started; i++) {
        struct xfer *x = cl->xs[i];
        if (x == failed || x->phase == XFER_DONE)
            continue;
        if (x->conn)
            cconn_detach(x->conn, x);
        /* one that finished on its own meanwhile keeps its result */
        if (x->phase != XFER_REPORTED || x->outcome != XFER_FINISHED)
            xfer_cancel(x, code);
        x->phase = XFER_DONE;
        cl->ndone++;
        cl->bytes_done += x->resp.body_bytes;
    }
}

/* Settle one reported transfer: off its connection, then on by its outcome. */
static void settle(struct client *cl, struct xfer *x)
{
    if (x->phase != XFER_REPORTED)
        return; /* settled already, e.g. cancelled by --fail-early */
    if (x->conn)
        cconn_detach(x->conn, x);
    switch (x->outcome) {
    case XFER_FINISHED:
    case XFER_CANCELLED:
    case XFER_NONE:
        finish(cl, x);
        return;
    case XFER_REDIRECT:
        if (xfer_follow(x) != 0) {
            finish(cl, x);
            return;
        }
        break;
    case XFER_RETRY:
    case XFER_REQUEUE:
        break;
    }
    xfer_reset_response(x);
    x->phase = XFER_NEW;
    x->outcome = XFER_NONE;
    if (cl->stopping) { /* another URL failed meanwhile (--fail-early) */
        xfer_cancel(x, cl->cancel_code);
        return;
    }
    if (x->req.retry_at) { /* --retry: it waits (retry.c routes it when due) */
        if (!cl->nwaiting || x->req.retry_at < cl->wait_next)
            cl->wait_next = x->req.retry_at;
        cl->nwaiting++;
        return;
    }
    route_xfer(cl, x, x->req.retry_fresh);
    x->req.retry_fresh = false;
}

static int by_index(const void *a, const void *b)
{
    size_t i = (*(struct xfer *const *)a)->index, j = (*(struct xfer *const *)b)->index;
    return i < j ? -1 : i > j;
}

/* Settle what is reported now, in command-line order (the streams a GOAWAY left
 * unprocessed are reported in the connection's order, and are sent again in the order the
 * user gave); what that reports in turn waits for the next round. The two lists trade
 * places, so settling allocates nothing once they have grown. */
static bool settle_reported(struct client *cl)
{
    size_t n = cl->nreported, cap = cl->capreported, i;
    struct xfer **list = cl->reported;

    if (!n)
        return false;
    if (n > 1)
        qsort(list, n, sizeof(*list), by_index);
    cl->reported = cl->settling;
    cl->capreported = cl->capsettling;
    cl->nreported = 0;
    cl->settling = list;
    cl->capsettling = cap;
    for (i = 0; i < n; i++)
        settle(cl, list[i]);
    return true;
}

bool route_settle(struct client *cl)
{
    bool any = false;
    struct xfer *bad;

    do {
        any |= settle_reported(cl);
        /* ordered output moves on here, and only here; a transfer whose held body could
         * not be written out stops the rest with --fail-early */
        bad = order_advance(cl);
        if (bad && cl->cfg->multi.fail_early)
            route_cancel_rest(cl, bad, bad->result);
        any |= bad != NULL;
    } while (cl->nreported || bad);
    if (any)
        cl->settled = true;
    return any;
}

struct xfer *route_first_waiting(const struct client *cl)
{
    struct xfer *x;

    if (cl->fin >= cl->started)
        return NULL;
    x = cl->xs[cl->fin];
    return x && x->phase == XFER_QUEUED ? x : NULL;
}

static bool may_start(struct client *cl, const struct cconn *cc, bool take)
{
    const struct config *cfg = cl->cfg;
    size_t cap = cfg->multi.sequential ? 1 : (size_t)cfg->multi.parallel_max;
    const struct xfer *first = route_first_waiting(cl);
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

bool route_may_start(struct client *cl, const struct cconn *cc)
{
    return may_start(cl, cc, true);
}

bool route_may_connect(const struct client *cl, const struct cconn *cc)
{
    const struct config *cfg = cl->cfg;
    size_t cap = cfg->multi.sequential ? 1 : (size_t)cfg->multi.parallel_max;
    const struct xfer *first = route_first_waiting(cl);

    return cc->is_proxy || (first && first->conn == cc) || cl->nconns_open < cap;
}

bool route_could_start(struct client *cl, const struct cconn *cc)
{
    return may_start(cl, cc, false);
}

unsigned route_rate_wait(const struct client *cl)
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
    return cc ? (unsigned)(owed * 1000.0 / rate) + 1 : 1000;
}
