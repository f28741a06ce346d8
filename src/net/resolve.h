/* SPDX-License-Identifier: MIT */
/*
 * Name resolution off the event loop. getaddrinfo(3) blocks, so each lookup runs it on
 * threads of its own: one query for AAAA and one for A (RFC 8305 §3: "the client SHOULD
 * NOT wait for both"), each answer announced on a pipe the event loop polls. The owner
 * takes answers with net_lookup_step(), which applies the §3 Resolution Delay: an A
 * answer that comes first is held up to NET_RESOLUTION_DELAY_MS for the AAAA answer;
 * an AAAA answer is used at once, and a later A answer is handed over as more addresses.
 * IP literals and --resolve rules never come here (net_resolve_with answers them).
 * Never prints and never reads the clock: the caller passes `now_ms`.
 */
#ifndef H2GET_NET_RESOLVE_H
#define H2GET_NET_RESOLVE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "net.h"

/* RFC 8305 §3: "Resolution Delay", recommended 50 ms. */
#define NET_RESOLUTION_DELAY_MS 50

struct net_lookup;

/* One query's answer, for the -v log: which family, when, how many addresses or why none. */
struct net_answer {
    int family;        /* AF_INET6 or AF_INET */
    uint64_t ms;       /* after the lookup started */
    size_t naddr;      /* usable addresses (after duplicates, within LIMIT_RESOLVE_ADDRS) */
    const char *error; /* NULL, or the resolver's text (static storage) when naddr is 0 */
};

/*
 * net_lookup_start - begin resolving the name `host` (no brackets, not a literal) for TCP
 * `port`, limited to `family` (0, AF_INET or AF_INET6), at `now_ms`. Returns the lookup,
 * or NULL when no thread or pipe could be made (errno set; resolve in place instead).
 */
struct net_lookup *net_lookup_start(const char *host, uint16_t port, int family, uint64_t now_ms);

/* net_lookup_fd - the descriptor to poll for POLLIN: readable when an answer has come. */
int net_lookup_fd(const struct net_lookup *lk);

/*
 * net_lookup_step - take the answers that have come, at `now_ms`. Returns:
 *   0              `out` holds the addresses not handed over before (only those; the
 *                  first hand-over is in RFC 8305 §4 order, later ones come after it);
 *                  `*more` says whether another answer may still add some
 *   H2E_INCOMPLETE nothing to hand over yet: poll net_lookup_fd(), and step again within
 *                  net_lookup_next_timeout()
 *   H2E_RESOLVE    every query has answered and none with an address (`out->detail` says
 *                  why; `info` filled). A query that fails after a hand-over is not an
 *                  error: it is 0 with nothing new and `*more` false.
 * `ans`/`*nans` (at most 2) receive the answers that came since the last call, for -v.
 */
int net_lookup_step(struct net_lookup *lk, uint64_t now_ms, struct net_addrs *out, bool *more,
                    struct net_answer ans[2], size_t *nans, struct h2e_info *info);

/* net_lookup_next_timeout - ms until net_lookup_step must run without input, -1 if never. */
int net_lookup_next_timeout(const struct net_lookup *lk, uint64_t now_ms);

/* net_lookup_done - true when every query has answered and all was handed over. */
bool net_lookup_done(const struct net_lookup *lk);

/*
 * net_lookup_release - the owner lets go (NULL is a no-op). Queries still running finish
 * on their own and the last one frees what they share; nothing blocks here.
 */
void net_lookup_release(struct net_lookup *lk);

#endif
