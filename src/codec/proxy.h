/* SPDX-License-Identifier: MIT */
/*
 * Proxy settings as text, sans-I/O: the proxy URL of -x and the *_proxy variables
 * ("[scheme://][user[:password]@]host[:port][/]", curl's schemes and defaults), and the
 * no_proxy list of --noproxy and no_proxy/NO_PROXY (curl's matching: a name matches itself
 * and its subdomains, "*" matches everything, IP literals match IP literals, with CIDR
 * ranges). Never reads the environment, resolves or connects; allocates only through the
 * caller's buf.
 */
#ifndef H2GET_PROXY_H
#define H2GET_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "url.h"

/* Port of a proxy URL without one (curl): 1080, and 443 for https://. */
#define PROXY_DEFAULT_PORT 1080
#define PROXY_DEFAULT_HTTPS_PORT 443
/* Longest no_proxy entry: a host name (255), a port and a CIDR suffix fit. */
#define PROXY_ENTRY_MAX 300

enum proxy_kind {
    PROXY_HTTP,    /* http:// (and no scheme): CONNECT, or absolute-form requests */
    PROXY_HTTPS,   /* https://: the same over TLS to the proxy (h2 or http/1.1 by ALPN) */
    PROXY_SOCKS4,  /* socks4:// and socks://: names resolved here, IPv4 only */
    PROXY_SOCKS4A, /* socks4a://: the proxy resolves names */
    PROXY_SOCKS5,  /* socks5://: names resolved here (RFC 1928) */
    PROXY_SOCKS5H, /* socks5h://: the proxy resolves names */
};

/*
 * A parsed proxy URL. `host` is as struct url holds it (lowercase, no brackets); `port`
 * the given one or the default. `user` and `password` are percent-decoded and point into
 * the `work` buf given to proxy_parse_url (valid until it changes); `has_user` is false
 * when the URL has no userinfo (an empty password is then also absent).
 */
struct proxy_url {
    enum proxy_kind kind;
    char host[URL_HOST_MAX + 1];
    enum url_host_kind host_kind;
    uint16_t port;
    bool has_user;
    struct span user;
    struct span password;
};

/*
 * proxy_parse_url - parse `s` into `out`, using `work` (reset first) for the decoded
 * credentials. Returns 0; H2E_PROXY_SCHEME for a scheme other than http, https, socks,
 * socks4, socks4a, socks5 or socks5h (any case); H2E_PROXY_URL for anything malformed
 * (what url_parse refuses, a path other than "/", a query, bad percent-encoding in the
 * credentials), or H2E_LIMIT_BUFFER/H2E_NOMEM from `work`. `info` (may be NULL) says why.
 */
int proxy_parse_url(const char *s, struct proxy_url *out, struct buf *work, struct h2e_info *info);

/* proxy_kind_name - "http", "https", "socks4", "socks4a", "socks5" or "socks5h". */
const char *proxy_kind_name(enum proxy_kind k);

/* proxy_is_socks - true for the SOCKS kinds. */
static inline bool proxy_is_socks(enum proxy_kind k)
{
    return k >= PROXY_SOCKS4;
}

/*
 * proxy_parse_ip - the IP literal of `n` bytes at `s` (a dotted quad of decimal octets, or
 * an IPv6 address in RFC 4291 §2.2 text form, without brackets or zone) into `out`.
 * Returns 4 or 16 (bytes written), or 0 when it is not one.
 */
int proxy_parse_ip(const char *s, size_t n, uint8_t out[16]);

/*
 * proxy_noproxy_check - validate a no_proxy list: entries separated by commas and blanks,
 * each "*", a host name with an optional leading "." or "*." and ":port", an IPv4 literal
 * with an optional "/bits" (0-32) or ":port", or an IPv6 literal, bare with an optional
 * "/bits" (0-128) or in brackets with an optional ":port". Returns 0, or H2E_USAGE with
 * `info` saying why and `*bad` (may be NULL) pointing at the entry in `list`.
 */
int proxy_noproxy_check(const char *list, struct span *bad, struct h2e_info *info);

/*
 * proxy_noproxy_match - true when the no_proxy `list` says that `host` (lowercase, IPv6
 * without brackets, as struct url holds it) on `port` is reached without the proxy: "*"
 * matches every host; a name matches itself and every name below it (case-insensitive,
 * trailing dots ignored, "a.com" and ".a.com" alike); an IP literal matches an equal
 * literal or a CIDR range containing it; an entry with a port matches that port only.
 * Entries proxy_noproxy_check refuses never match.
 */
bool proxy_noproxy_match(const char *list, const char *host, uint16_t port);

#endif
