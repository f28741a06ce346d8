/* SPDX-License-Identifier: MIT */
/*
 * Names to addresses and addresses to connected sockets: getaddrinfo (IP literals never
 * reach the resolver), curl's --resolve and --connect-to overrides, and a non-blocking
 * Happy Eyeballs v2 connector (RFC 8305 §4 address ordering, §5 connection attempts).
 * Every socket is non-blocking, close-on-exec and TCP_NODELAY. Knows nothing of TLS or
 * HTTP; never reads the clock (the caller passes `now_ms`, monotonic) and never prints:
 * failures carry a static `why` plus a `detail` string (errno text, address) to print.
 */
#ifndef H2GET_NET_H
#define H2GET_NET_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/err.h"
#include "base/limits.h"

/* Longest host name kept, with its NUL: a DNS name is at most 255 octets (RFC 1035). */
#define NET_HOST_MAX 256
/* Room for net_addr_str(): "[" IPv6 "%" zone "]:" port and the NUL. */
#define NET_ADDR_STRLEN 96
/* Size of the `detail` buffers below: the longest message names a host (shorter than
 * NET_HOST_MAX, brackets aside) or an address, with a resolver's or errno's text. */
#define NET_DETAIL_MAX (NET_HOST_MAX + 128)
/* RFC 8305 §5: "Connection Attempt Delay", recommended default 250 ms. */
#define NET_ATTEMPT_DELAY_MS 250

/* One socket address, with its port. */
struct net_addr {
    struct sockaddr_storage sa;
    socklen_t len;
};

/*
 * A resolved address list in the order to try it. `overridden` is true when it came from
 * a --resolve rule. `detail` holds the reason of the last failure (NUL-terminated).
 */
struct net_addrs {
    struct net_addr addr[LIMIT_RESOLVE_ADDRS];
    size_t n;
    bool overridden;
    char detail[NET_DETAIL_MAX];
};

/* One --resolve rule: [+]HOST:PORT:ADDR[,ADDR]... `host` "*" matches every host. */
struct net_resolve_rule {
    char host[NET_HOST_MAX];
    uint16_t port;
    struct net_addr addr[LIMIT_RESOLVE_ADDRS];
    size_t naddr;
};

/*
 * One --connect-to rule: HOST1:PORT1:HOST2:PORT2. An empty `from_host` or a zero
 * `from_port` matches anything; an empty `to_host` or a zero `to_port` keeps the original.
 */
struct net_connect_to {
    char from_host[NET_HOST_MAX];
    uint16_t from_port;
    char to_host[NET_HOST_MAX];
    uint16_t to_port;
};

/* The override lists of a run, borrowed by net_route() and net_resolve_with(). */
struct net_overrides {
    const struct net_resolve_rule *resolve;
    size_t nresolve;
    const struct net_connect_to *connect_to;
    size_t nconnect_to;
};

/*
 * net_parse_resolve - parse a --resolve argument `arg` ("example.com:443:127.0.0.1,[::1]";
 * a leading '+' is accepted and ignored, a host or address may be in brackets) into `out`.
 * Returns 0, or H2E_USAGE (bad syntax, bad port, bad address, too many addresses) with
 * `info` (may be NULL) naming the problem; its `why` does not name the option, which is
 * the caller's to say.
 */
int net_parse_resolve(const char *arg, struct net_resolve_rule *out, struct h2e_info *info);

/*
 * net_parse_connect_to - parse a --connect-to argument `arg` (exactly four ':'-separated
 * fields, each may be empty, hosts may be in brackets) into `out`. Returns 0 or H2E_USAGE
 * with `info` (may be NULL) filled, its `why` without the option's name.
 */
int net_parse_connect_to(const char *arg, struct net_connect_to *out, struct h2e_info *info);

/*
 * net_route - apply the first --connect-to rule of `ov` (may be NULL) matching `*host` and
 * `*port` (host compared without case). On a match, `*host` and/or `*port` are replaced
 * and true is returned; `*host` may then point into `ov`'s rule (valid while it is). Only
 * where to connect changes; SNI, certificate checks and :authority keep the URL's host.
 */
bool net_route(const struct net_overrides *ov, const char **host, uint16_t *port);

/*
 * net_resolve - the addresses of `host` (a name, an IPv4 literal, or an IPv6 literal with
 * or without brackets and with an optional "%zone") for TCP `port`, limited to `family`
 * (0, AF_INET or AF_INET6), in Happy Eyeballs order (see net_addrs_interleave), without
 * duplicates, at most LIMIT_RESOLVE_ADDRS. Literals are parsed, never looked up; names go
 * to getaddrinfo(3), which may block. Returns 0 or H2E_RESOLVE with `info` (may be NULL)
 * filled and `out->detail` saying why (the gai_strerror text, or the family mismatch).
 */
int net_resolve(const char *host, uint16_t port, int family, struct net_addrs *out,
                struct h2e_info *info);

/*
 * net_resolve_with - as net_resolve, but the first --resolve rule of `ov` (may be NULL)
 * matching `host` and `port` supplies the addresses instead of the resolver (filtered by
 * `family`; `out->overridden` is then true). Apply net_route() first: rules match the
 * host actually connected to, as in curl.
 */
int net_resolve_with(const struct net_overrides *ov, const char *host, uint16_t port, int family,
                     struct net_addrs *out, struct h2e_info *info);

/*
 * net_resolve_known - as net_resolve_with for what needs no resolver (IP literals,
 * --resolve rules, malformed names); a name that needs one is H2E_INCOMPLETE, for the
 * caller to look up without blocking (resolve.h).
 */
int net_resolve_known(const struct net_overrides *ov, const char *host, uint16_t port, int family,
                      struct net_addrs *out, struct h2e_info *info);

/*
 * net_addrs_interleave - reorder `a` as RFC 8305 §4 asks: families alternate, IPv6 first
 * (First Address Family Count 1); the order within a family is kept.
 */
void net_addrs_interleave(struct net_addrs *a);

/* net_addrs_add - append the address `sa` (`len` bytes) to `out` unless it is there already
 * or `out` is full. */
void net_addrs_add(struct net_addrs *out, const struct sockaddr *sa, socklen_t len);

/* net_addr_str - "127.0.0.1:443" or "[::1]:443" into `buf` (`cap` bytes); returns `buf`. */
char *net_addr_str(const struct net_addr *a, char *buf, size_t cap);
/* net_addr_ip - the address alone ("::1", "127.0.0.1") into `buf`; returns `buf`. */
char *net_addr_ip(const struct net_addr *a, char *buf, size_t cap);
/* net_addr_port - the port of `a` in host order. */
uint16_t net_addr_port(const struct net_addr *a);
/* net_addr_family - AF_INET or AF_INET6. */
int net_addr_family(const struct net_addr *a);
/* net_addr_from_fd - the peer address of connected socket `fd` into `out`; 0 or -1. */
int net_addr_from_fd(int fd, struct net_addr *out);

/*
 * Happy Eyeballs v2 connector (RFC 8305 §5). Attempts start in list order: the first at
 * once, the next after NET_ATTEMPT_DELAY_MS or as soon as an attempt fails; attempts stay
 * in flight together; the first to connect wins and the others are closed. Fields are
 * readable by the caller: `addrs.addr[0 .. next-1]` are the attempts started so far (for
 * "trying ..." lines), `winner` indexes the connected address, `result` is the last value
 * returned, `info` and `detail` describe the failure.
 */
struct net_connector {
    struct net_addrs addrs;
    int fd[LIMIT_RESOLVE_ADDRS];
    size_t next;
    size_t inflight;
    size_t winner;
    uint64_t next_start_ms;
    uint64_t start_ms;
    uint64_t deadline_ms;
    int last_errno;
    size_t last_failed;
    bool awaiting; /* a lookup may still add addresses: running out of them is no failure */
    int result;
    struct h2e_info info;
    char detail[NET_DETAIL_MAX];
};

/* net_connector_init - an idle connector that owns nothing; release is then a no-op. */
void net_connector_init(struct net_connector *c);

/*
 * net_connector_start - begin connecting to the addresses of `addrs` (copied) at `now_ms`;
 * `deadline_ms` (same clock, 0 for none) bounds the whole attempt (--connect-timeout).
 * Returns as net_connector_step.
 */
int net_connector_start(struct net_connector *c, const struct net_addrs *addrs, uint64_t now_ms,
                        uint64_t deadline_ms);

/*
 * net_connector_start_partial - as net_connector_start, while a lookup may still hand
 * over more addresses (RFC 8305 §3: connect with the first answer): when every attempt so
 * far has failed, the connector waits for net_connector_more() instead of failing.
 */
int net_connector_start_partial(struct net_connector *c, const struct net_addrs *addrs,
                                uint64_t now_ms, uint64_t deadline_ms);

/*
 * net_connector_more - add the addresses of `more` (may be NULL; duplicates skipped) after
 * those already known, at `now_ms`; `awaiting` says whether still more may come. With no
 * attempt in flight, the first new address is tried at once. Returns as net_connector_step.
 */
int net_connector_more(struct net_connector *c, const struct net_addrs *more, bool awaiting,
                       uint64_t now_ms);

/*
 * net_connector_pollfds - fill at most `max` entries of `pfd` with the sockets in flight
 * (events POLLOUT) and return how many were filled.
 */
size_t net_connector_pollfds(const struct net_connector *c, struct pollfd *pfd, size_t max);

/*
 * net_connector_step - take the poll results `pfd` (`n` entries; entries for other fds are
 * ignored; may be NULL when only the timer fired) at `now_ms`. Returns the connected fd
 * (>= 0; the caller owns it from then on and `winner` says which address), H2E_INCOMPLETE
 * (poll again, no longer than net_connector_next_timeout), H2E_TIMEOUT (the deadline
 * passed) or H2E_CONNECT (every address failed; `detail` names the last one and the errno
 * text). After an error every socket is closed.
 */
int net_connector_step(struct net_connector *c, const struct pollfd *pfd, size_t n,
                       uint64_t now_ms);

/*
 * net_connector_next_timeout - milliseconds from `now_ms` until the connector must be
 * stepped even without poll events (next attempt or deadline), 0 if overdue, -1 if never.
 */
int net_connector_next_timeout(const struct net_connector *c, uint64_t now_ms);

/* net_connector_peer - the connected address (valid while `c` is), or NULL. */
const struct net_addr *net_connector_peer(const struct net_connector *c);

/* net_connector_release - close the attempts still in flight; never the winner's fd. */
void net_connector_release(struct net_connector *c);

#endif
