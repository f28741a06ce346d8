/* SPDX-License-Identifier: MIT */
/*
 * --retry: which attempts go again and when (rules in retry.h). The transfer reports
 * (xfer_retry_later), the router settles it, and here the waits end (retry_wake).
 */
#include "retry.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cconn.h"
#include "codec/date.h"
#include "route.h"
#include "run.h"
#include "sys/clock.h"
#include "sys/diag.h"
#include "vlog.h"
#include "xfer.h"

/* RFC 9110 §9.2.2: requests that can be repeated without changing what they did. */
static bool idempotent(const char *m)
{
    static const char *const safe[] = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"};
    size_t i;

    for (i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
        if (!strcmp(m, safe[i]))
            return true;
    return false;
}

/* The server says it did not act on the request: 408 (RFC 9110 §15.5.9), 429 (RFC 6585
 * §4), 503 (RFC 9110 §15.6.4); a 500, 502 or 504 may come after it did. */
static bool status_unprocessed(int status)
{
    return status == 408 || status == 429 || status == 503;
}

static bool status_transient(int status)
{
    return status_unprocessed(status) || status == 500 || status == 502 || status == 504;
}

/* --retry-delay, else curl's backoff: 1 s doubled after every retry, at most 10 minutes. */
static uint64_t backoff(const struct xfer *x)
{
    uint64_t d = 1000;
    unsigned i;

    if (x->cl->cfg->retry.delay_ms)
        return x->cl->cfg->retry.delay_ms;
    for (i = 0; i < x->req.tries && d < RETRY_WAIT_MAX_MS; i++)
        d *= 2;
    return d < RETRY_WAIT_MAX_MS ? d : RETRY_WAIT_MAX_MS;
}

/* Why `x` cannot go again after waiting `delay` ms, or NULL when it can. */
static const char *cannot(struct xfer *x, uint64_t delay)
{
    const struct client *cl = x->cl;
    const struct cli_retry *r = &cl->cfg->retry;
    uint64_t now = clock_ms(), since = now - x->t.start / 1000;

    if (r->max_time_ms && since >= r->max_time_ms)
        return "--retry-max-time has passed";
    if (r->max_time_ms && since + delay > r->max_time_ms)
        return "the wait would pass --retry-max-time";
    if (cl->deadline && now + delay >= cl->deadline)
        return "the wait would pass --max-time";
    if (!r->max_time_ms && !cl->deadline && delay > RETRY_WAIT_MAX_MS)
        return "the wait is longer than 10 minutes (--retry-max-time or --max-time allow more)";
    if (!x->cu->output && x->resp.body_bytes && x->index == cl->fin && !x->resp.sse_live)
        return "part of the body was already written to stdout";
    if (x->req.has_body)
        return xfer_rewind_upload(x);
    return NULL;
}

/* Seconds as "1", "0.25": what the messages show. */
static const char *secs(char out[32], uint64_t ms)
{
    if (ms % 1000)
        snprintf(out, 32, "%llu.%03llu", (unsigned long long)(ms / 1000),
                 (unsigned long long)(ms % 1000));
    else
        snprintf(out, 32, "%llu", (unsigned long long)(ms / 1000));
    return out;
}

/* Decide for a transient `problem`: true when `x` goes again after `delay` ms (said). */
static bool decide(struct xfer *x, const char *problem, uint64_t delay)
{
    const struct config *cfg = x->cl->cfg;
    const char *url = x->cl->nxfers > 1 ? x->req.url_str : NULL;
    long left = cfg->retry.count - (long)x->req.tries;
    const char *why = left > 0 ? cannot(x, delay) : NULL;
    char s[32];

    if (left <= 0)
        return false;
    if (why) {
        diag_warn("%s%snot retrying after %s: %s", url ? url : "", url ? ": " : "", problem, why);
        return false;
    }
    diag_warn("%s%s%s; will retry in %s s, %ld retr%s left", url ? url : "", url ? ": " : "",
              problem, secs(s, delay), left, left == 1 ? "y" : "ies");
    vlog(x->cl, "retrying %s in %s s after %s (retry %u of %ld)", x->req.url_str, secs(s, delay),
         problem, x->req.tries + 1, cfg->retry.count);
    x->req.retry_delay = delay;
    return true;
}

/* Retry-After in ms (saturated), or 0 when absent or unreadable (-v says which). */
static uint64_t retry_after(const struct xfer *x, const struct msg_field *f, size_t n)
{
    struct h2e_info info = H2E_INFO_INIT;
    int64_t d;
    size_t i;

    for (i = 0; i < n; i++) {
        if (!span_ieq_str(f[i].name, "retry-after"))
            continue;
        if (date_retry_after(f[i].value, (int64_t)time(NULL), &d, &info) != 0) {
            vlog(x->cl, "ignoring retry-after: %s", info.why);
            return 0;
        }
        return d > (int64_t)(UINT64_MAX / 2000) ? UINT64_MAX / 2 : (uint64_t)d * 1000;
    }
    return 0;
}

bool retry_on_status(struct xfer *x, int status, const struct msg_field *f, size_t n)
{
    const struct config *cfg = x->cl->cfg;
    bool all = cfg->retry.all_errors && status >= 400 && (cfg->out.fail || cfg->out.fail_with_body);
    uint64_t delay, ra;
    char problem[64];

    if (!cfg->retry.count || (!status_transient(status) && !all))
        return false;
    snprintf(problem, sizeof(problem), "HTTP %d", status);
    if (!cfg->retry.all_errors && !status_unprocessed(status) && !idempotent(x->req.method)) {
        vlog(x->cl,
             "not retrying %s after %s: the server may have processed it (%s is not "
             "idempotent; --retry-all-errors replays it)",
             x->req.url_str, problem, x->req.method);
        return false;
    }
    delay = backoff(x);
    ra = status_transient(status) ? retry_after(x, f, n) : 0;
    return decide(x, problem, ra ? ra : delay);
}

/* The label of a transient failure `code`, or NULL when it is not one. */
static const char *transient(const struct xfer *x, int code)
{
    const struct cli_retry *r = &x->cl->cfg->retry;

    if (r->all_errors)
        return h2e_str(code);
    switch (code) {
    case H2E_RESOLVE:
    case H2E_PROXY_RESOLVE:
        return "a name that did not resolve";
    case H2E_TIMEOUT:
        return "a timeout";
    case H2E_CONNECT:
        return r->connrefused && x->conn && x->conn->state == CC_CONNECTING &&
                       x->conn->nc.last_errno == ECONNREFUSED
                   ? "a refused connection"
                   : NULL;
    default:
        return NULL;
    }
}

bool retry_sse(struct xfer *x, const char *problem)
{
    return decide(x, problem, xfer_sse_delay(x));
}

/* --sse: a stream that broke after it began reconnects, whatever broke it, unless the
 * failure was ours (a write, an event too big, a signal). */
static bool sse_broke(struct xfer *x, int code, const char *detail)
{
    char problem[256];

    if (code == H2E_WRITE || code == H2E_SSE_TOO_BIG || code == H2E_SIGINT || code == H2E_SIGTERM ||
        code == H2E_SIGHUP || code == H2E_FILESIZE || code == H2E_BAD_CODING)
        return false;
    snprintf(problem, sizeof(problem), "the event stream broke (%s)", detail);
    if (!retry_sse(x, problem))
        return false;
    xfer_retry_later(x);
    return true;
}

bool retry_on_failure(struct xfer *x, int code, const char *detail)
{
    const struct client *cl = x->cl;
    const char *what;
    char problem[256];

    if (!cl->cfg->retry.count || code == H2E_REWIND || (cl->deadline && cl->now >= cl->deadline))
        return false;
    if (x->resp.sse_live)
        return sse_broke(x, code, detail);
    if (x->resp.state == XFER_RESP_RETRYING) { /* the response to retry did not end well */
        xfer_retry_later(x);
        return true;
    }
    what = transient(x, code);
    if (!what)
        return false;
    snprintf(problem, sizeof(problem), "%s (%s)", what, detail);
    if (!cl->cfg->retry.all_errors && x->req.attempts && !idempotent(x->req.method)) {
        vlog(cl,
             "not retrying %s after %s: the server may have processed it (%s is not "
             "idempotent; --retry-all-errors replays it)",
             x->req.url_str, problem, x->req.method);
        return false;
    }
    if (!decide(x, problem, backoff(x)))
        return false;
    xfer_retry_later(x);
    return true;
}

void retry_wake(struct client *cl)
{
    size_t i, n = 0;
    uint64_t next = UINT64_MAX;

    if (!cl->nwaiting)
        return;
    for (i = cl->reaped; i < cl->started; i++) {
        struct xfer *x = cl->xs[i];
        if (!x || x->phase != XFER_NEW || !x->req.retry_at)
            continue;
        if (cl->now >= x->req.retry_at) {
            x->req.retry_at = 0;
            route_xfer(cl, x, false);
            continue;
        }
        n++;
        if (x->req.retry_at < next)
            next = x->req.retry_at;
    }
    cl->nwaiting = n;
    cl->wait_next = next;
}

uint64_t retry_wait(const struct client *cl)
{
    if (!cl->nwaiting)
        return UINT64_MAX;
    return cl->wait_next > cl->now ? cl->wait_next - cl->now : 0;
}
