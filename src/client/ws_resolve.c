/* SPDX-License-Identifier: MIT */
/*
 * Name resolution for a WebSocket session (ws_int.h), off the calling thread as the
 * client's connections do it (net/resolve.h): IP literals and --resolve rules at once,
 * names on the resolver's threads, AAAA and A separately with the Resolution Delay of
 * RFC 8305 §3. The session's steps wait in poll(), so the wait is bounded by
 * --connect-timeout and -m even when the resolver never answers.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "net/resolve.h"
#include "sys/clock.h"
#include "vlog.h"
#include "ws_int.h"

static void log_answers(struct ws_sess *s, const char *host, const struct net_answer *ans, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const char *rr = ans[i].family == AF_INET6 ? "AAAA" : "A";
        unsigned long long ms = (unsigned long long)ans[i].ms;
        if (ans[i].naddr)
            vlog(&s->cl, "DNS %s answer for %s after %llu ms: %zu address%s", rr, host, ms,
                 ans[i].naddr, ans[i].naddr == 1 ? "" : "es");
        else
            vlog(&s->cl, "DNS %s answer for %s after %llu ms: %s", rr, host, ms, ans[i].error);
    }
}

int ws_resolve_take(struct ws_sess *s, struct ws_lookup *l, struct net_addrs *out)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct net_answer ans[2];
    size_t nans = 0;
    bool more = true;
    int rv = net_lookup_step(l->lk, clock_ms(), out, &more, ans, &nans, &info);

    log_answers(s, l->host, ans, nans);
    if (rv != H2E_INCOMPLETE && !more) {
        net_lookup_release(l->lk);
        l->lk = NULL;
    }
    return rv;
}

size_t ws_resolve_pollfd(const struct ws_lookup *l, struct pollfd *pfd, int *timeout)
{
    int t;

    if (!l->lk)
        return 0;
    t = net_lookup_next_timeout(l->lk, clock_ms());
    if (t >= 0 && (*timeout < 0 || t < *timeout))
        *timeout = t;
    *pfd = (struct pollfd){.fd = net_lookup_fd(l->lk), .events = POLLIN};
    return 1;
}

/* The timeout that ended a wait: -m's when it was the one that passed. */
static int timed_out(struct ws_sess *s, const char *host)
{
    if (s->deadline && clock_ms() >= s->deadline)
        return ws_fail(s, H2E_TIMEOUT, "operation timed out after %llu ms (--max-time)",
                       (unsigned long long)s->cfg->net.max_time_ms);
    return ws_fail(s, H2E_TIMEOUT, "connection to '%s' not set up within %llu ms", host,
                   (unsigned long long)s->cfg->net.connect_timeout_ms);
}

int ws_resolve(struct ws_sess *s, struct ws_lookup *l, const char *host, uint16_t port, int family,
               uint64_t until, struct net_addrs *out)
{
    struct net_overrides ov = cli_net_overrides(s->cfg);
    struct h2e_info info = H2E_INFO_INIT;
    int rv = net_resolve_known(&ov, host, port, family, out, &info);

    l->host = host;
    l->lk = NULL;
    if (rv == H2E_INCOMPLETE)
        out->detail[0] = '\0'; /* a timeout leaves no resolver text */
    if (rv == H2E_INCOMPLETE && (l->lk = net_lookup_start(host, port, family, clock_ms()))) {
        while ((rv = ws_resolve_take(s, l, out)) == H2E_INCOMPLETE) {
            struct pollfd p;
            int t = until ? (int)(until > clock_ms() ? until - clock_ms() : 0) : -1;
            if (until && clock_ms() >= until) {
                ws_resolve_release(l);
                return timed_out(s, host);
            }
            ws_resolve_pollfd(l, &p, &t);
            poll(&p, 1, t < 0 || t > 1000 ? 1000 : t);
        }
    } else if (rv == H2E_INCOMPLETE) { /* no thread or pipe: in place, as before */
        vlog(&s->cl, "Resolving '%s' in place: no resolver thread (%s)", host, strerror(errno));
        rv = net_resolve_with(&ov, host, port, family, out, &info);
    }
    if (rv)
        ws_resolve_release(l);
    return rv;
}

void ws_resolve_release(struct ws_lookup *l)
{
    net_lookup_release(l->lk);
    l->lk = NULL;
}
