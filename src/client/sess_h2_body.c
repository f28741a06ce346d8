/* SPDX-License-Identifier: MIT */
/*
 * Request bodies on an HTTP/2 session (sess_h2_body.h).
 */
#include "sess_h2_body.h"

#include <stdlib.h>

#include "proto/conn.h"
#include "ratelim.h"
#include "run.h"
#include "sys/xalloc.h"
#include "xfer.h"

/* --trailer: the request body ends with a HEADERS block of them (RFC 9113 §8.1). */
static int send_trailers(struct cconn *cc, struct xfer *x)
{
    const struct cli_request *r = &cc->cl->cfg->req;
    struct hpack_field *f = xcalloc(r->ntrailers, sizeof(*f));
    size_t i;
    int rv;

    for (i = 0; i < r->ntrailers; i++) {
        f[i].name = r->trailers[i].name;
        f[i].value = r->trailers[i].value;
    }
    rv = h2c_send_trailers(cc->h2, x->stream_id, f, r->ntrailers);
    free(f);
    if (rv)
        xfer_fail(x, rv, "cannot send the request trailers: %s", h2e_str(rv));
    return rv;
}

/* The connection held `x`'s body at a silly window: true when the wait is over and it
 * may go now in a small frame. */
static bool held_long_enough(struct cconn *cc, struct xfer *x)
{
    uint64_t now = cc->cl->now ? cc->cl->now : 1;

    if (!h2c_send_held(cc->h2, x->stream_id)) {
        x->up.held_ms = 0;
        return false;
    }
    if (!x->up.held_ms)
        x->up.held_ms = now;
    if (now - x->up.held_ms < SESS_SWS_WAIT_MS)
        return false;
    h2c_send_small_ok(cc->h2, x->stream_id);
    x->up.held_ms = 0;
    return true;
}

/* --limit-rate: how much of the `*n` bytes at hand may go now (`*last` cleared when not
 * all); false when none: the session waits for tokens (ratelim_timeout). */
static bool paced_send(struct cconn *cc, size_t *n, bool *last)
{
    size_t allow = (size_t)ratelim_allow(cc, RATELIM_OUT, *n);

    if (allow == *n)
        return true;
    *n = allow;
    *last = false;
    return allow > 0;
}

/* With a write unit (TLS), one frame at a time, so that each record goes out as soon as
 * it is full: the server works on it while the next is made. */
static void one_frame(struct cconn *cc, size_t unit, size_t *n, bool *last)
{
    size_t max = h2c_peer(cc->h2)->max_frame_size;

    if (unit && *n > max) {
        *n = max;
        *last = false;
    }
}

/* The connection took none of the `n` bytes offered (`took`: 0 or an error), and not
 * because they were an empty end of the body: blocked by a window or the output queue.
 * The file is read ahead meanwhile; `pu->credit` says a window holds bytes back. */
static bool blocked(struct xfer *x, int64_t took, size_t n, bool last, struct sess_h2_pump *pu)
{
    if (took > 0 || (took == 0 && n == 0 && last))
        return false;
    xfer_body_prefetch(x);
    if (took == 0 && n > 0)
        pu->credit = true;
    return true;
}

/* `took` of the `n` bytes offered went (`last`: they were the rest): account for them and
 * send the trailers after the last; false if that failed. */
static bool sent(struct cconn *cc, struct xfer *x, size_t took, size_t n, bool last,
                 struct sess_h2_pump *pu)
{
    bool end = last && took == n;

    x->up.held_ms = 0;
    ratelim_spent(cc, RATELIM_OUT, took);
    if (end && cc->cl->cfg->req.ntrailers > 0 && send_trailers(cc, x) != 0)
        return false;
    xfer_body_advance(x, took, end);
    x->t.last_progress_ms = cc->cl->now;
    pu->queued += took + 1;
    return true;
}

/* Queue `x`'s body bytes within the windows, the output bound and --limit-rate, until the
 * output holds a write unit; false when it does (stop pumping). */
static bool pump_body(struct cconn *cc, struct xfer *x, struct sess_h2_pump *pu)
{
    bool trailers = cc->cl->cfg->req.ntrailers > 0;

    while (x->phase == XFER_SENT && x->req.has_body && !x->up.done) {
        const uint8_t *p;
        size_t n;
        bool last;
        int64_t took;
        if (pu->unit && h2c_output(cc->h2).len >= pu->unit)
            return false;
        if (xfer_body_next(x, &p, &n, &last) != 0)
            break; /* it failed: the router cancels its stream */
        one_frame(cc, pu->unit, &n, &last);
        if (!paced_send(cc, &n, &last))
            break;
        took = h2c_send_data(cc->h2, x->stream_id, p, n, last && !trailers);
        if (took == 0 && n > 0 && held_long_enough(cc, x))
            continue;
        if (blocked(x, took, n, last, pu) || !sent(cc, x, (size_t)took, n, last, pu))
            break;
    }
    return true;
}

void sess_h2_pump_bodies(struct cconn *cc, struct sess_h2_pump *pu)
{
    size_t i;

    for (i = 0; i < cc->nact && pump_body(cc, cc->act[i], pu); i++)
        ;
}
