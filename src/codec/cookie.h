/* SPDX-License-Identifier: MIT */
/*
 * Cookies, sans-I/O (RFC 6265): Set-Cookie parsed into spans (§5.2), the lines of a
 * Netscape cookie file (curl's and wget's jar format) read and written, and the matching
 * rules (§5.1.3 domain, §5.1.4 path, default path). The jar itself, which owns cookies,
 * is the client's (client/cookies.c). Never allocates; times are seconds since the epoch,
 * passed in.
 */
#ifndef H2GET_COOKIE_H
#define H2GET_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* Longest name plus value h2get keeps (RFC 6265 §6.1 asks for at least 4096 bytes). */
#define COOKIE_MAX 4096

/* One cookie as Set-Cookie or a jar line gives it; spans borrow the input. */
struct cookie {
    struct span name, value;
    struct span domain; /* without a leading dot; empty: none given (host-only) */
    struct span path;   /* empty: none given (the default path applies) */
    int64_t expires;    /* 0: a session cookie; else when it expires (1: already) */
    bool subdomains;    /* the domain matches its subdomains too (not host-only) */
    bool secure, httponly;
};

/*
 * cookie_parse_set - a Set-Cookie value `v` received at time `now` (RFC 6265 §5.2):
 * Max-Age before Expires, a Domain attribute's leading dot dropped, a Path that does not
 * start with '/' ignored, unknown attributes ignored. `domain` is as given (the caller
 * checks it against the host, cookie_domain_ok). Returns 0, or H2E_BAD_COOKIE with `info`:
 * no '=', an empty name, name and value past COOKIE_MAX, a control byte.
 */
int cookie_parse_set(struct span v, int64_t now, struct cookie *c, struct h2e_info *info);

/*
 * cookie_parse_line - one line of a Netscape cookie file, without its line end: seven
 * tab-separated fields (domain, TRUE/FALSE for subdomains, path, TRUE/FALSE secure,
 * expiry, name, value), "#HttpOnly_" before the domain for httponly cookies. Returns 0,
 * 1 for a line to skip (empty, a comment), or H2E_BAD_COOKIE_FILE with `info` saying what
 * is wrong (binary bytes, a wrong field count, a bad flag or expiry).
 */
int cookie_parse_line(struct span line, struct cookie *c, struct h2e_info *info);

/* cookie_format_line - append `c` as a cookie-file line with its LF to `out` (the domain
 * with a leading dot when it matches subdomains, as curl writes it). Returns 0 or the
 * buf_append error. */
int cookie_format_line(const struct cookie *c, struct buf *out);

/* cookie_is_ip - whether `host` is an IPv4 or IPv6 literal (no domain matching then). */
bool cookie_is_ip(struct span host);

/*
 * cookie_domain_ok - whether a Domain attribute `domain` may be set by `host` (RFC 6265
 * §5.3 steps 5-6): the host domain-matches it, it is not a bare top-level name such as
 * "com" (unless it is the host itself), and the host is not an IP literal (unless equal).
 */
bool cookie_domain_ok(struct span domain, struct span host);

/* cookie_domain_match - RFC 6265 §5.1.3: `host` equals `domain`, or ends with "." +
 * `domain` when `subdomains` and `host` is not an IP literal. Case-insensitive. */
bool cookie_domain_match(struct span host, struct span domain, bool subdomains);

/* cookie_path_match - RFC 6265 §5.1.4: `req` (a request path, no query) is in `path`
 * (never when `path` is empty). */
bool cookie_path_match(struct span req, struct span path);

/* cookie_default_path - RFC 6265 §5.1.4: the directory of request path `req` ("/" when
 * it has no second '/'); a span into `req` or the static "/". */
struct span cookie_default_path(struct span req);

#endif
