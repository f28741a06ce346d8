/* SPDX-License-Identifier: MIT */
/*
 * The target name of a SOCKS4 or SOCKS5 tunnel (not 4a or 5h: those send the name to the
 * proxy), resolved here as curl does, but off the event loop: IP literals and --resolve
 * rules at once, names on the resolver's threads (net/resolve.h), so that a slow name holds
 * up no other transfer of the run. The first address handed over (RFC 8305 §4 order, after
 * the §3 Resolution Delay) is the one the handshake sends.
 */
#include "pconn_int.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "cconn.h"
#include "net/resolve.h"
#include "run.h"
#include "via.h"
#include "vlog.h"

bool pconn_dns_needed(const struct pconn_tun *t)
{
    enum proxy_kind k = t->via->url.kind;

    return (k == PROXY_SOCKS4 || k == PROXY_SOCKS5) && !t->ip[0];
}

/* The answer, or why there is none (the detail names the host). */
static int resolved(struct pconn_tun *t, int rv, const struct net_addrs *a)
{
    if (rv == 0 && a->n == 0)
        rv = H2E_RESOLVE;
    if (rv) {
        pconn_fail(t, rv, "%s (resolved here for %s)", a->detail[0] ? a->detail : "no address",
                   t->via->name);
        return rv;
    }
    net_addr_ip(&a->addr[0], t->ip, sizeof(t->ip));
    return 0;
}

int pconn_dns_start(struct cconn *px, struct pconn_tun *t)
{
    const struct config *cfg = px->cl->cfg;
    struct net_overrides ov = cli_net_overrides(cfg);
    struct h2e_info info = H2E_INFO_INIT;
    struct net_addrs a;
    int family = t->via->url.kind == PROXY_SOCKS4 ? AF_INET : cfg->net.family;
    int rv = net_resolve_known(&ov, t->host, t->port, family, &a, &info);

    if (rv == H2E_INCOMPLETE) {
        t->lookup = net_lookup_start(t->host, t->port, family, px->cl->now);
        if (t->lookup) {
            vlog(px->cl, "Resolving '%s' here for %s", t->host, t->via->name);
            return H2E_INCOMPLETE;
        }
        vlog(px->cl, "Resolving '%s' in place: no resolver thread (%s)", t->host, strerror(errno));
        rv = net_resolve_with(&ov, t->host, t->port, family, &a, &info);
    }
    return resolved(t, rv, &a);
}

static void log_answers(struct cconn *px, const struct pconn_tun *t, const struct net_answer *ans,
                        size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const char *rr = ans[i].family == AF_INET6 ? "AAAA" : "A";
        unsigned long long ms = (unsigned long long)ans[i].ms;
        if (ans[i].naddr)
            vlog(px->cl, "DNS %s answer for %s after %llu ms: %zu address%s", rr, t->host, ms,
                 ans[i].naddr, ans[i].naddr == 1 ? "" : "es");
        else
            vlog(px->cl, "DNS %s answer for %s after %llu ms: %s", rr, t->host, ms, ans[i].error);
    }
}

int pconn_dns_step(struct cconn *px, struct pconn_tun *t)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct net_answer ans[2];
    struct net_addrs a;
    size_t nans = 0;
    bool more = true;
    int rv = net_lookup_step(t->lookup, px->cl->now, &a, &more, ans, &nans, &info);

    log_answers(px, t, ans, nans);
    if (rv == H2E_INCOMPLETE)
        return rv;
    net_lookup_release(t->lookup); /* one address is all a handshake sends */
    t->lookup = NULL;
    return resolved(t, rv, &a);
}

size_t pconn_dns_pollfds(struct cconn *px, const struct pconn_tun *t, struct pollfd *pfd,
                         size_t max, int *timeout)
{
    int ms = net_lookup_next_timeout(t->lookup, px->cl->now);
    uint64_t left = px->connect_deadline > px->cl->now ? px->connect_deadline - px->cl->now : 0;

    if (ms < 0 || (uint64_t)ms > left)
        ms = left > INT32_MAX ? INT32_MAX : (int)left;
    if (*timeout < 0 || ms < *timeout)
        *timeout = ms;
    if (max == 0)
        return 0;
    pfd[0].fd = net_lookup_fd(t->lookup);
    pfd[0].events = POLLIN;
    pfd[0].revents = 0;
    return 1;
}
