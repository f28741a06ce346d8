/* SPDX-License-Identifier: MIT */
/*
 * URL parsing for http:// and https:// (RFC 3986 §3), the authority and request target
 * built from a parsed URL (RFC 9110 §7.2, RFC 9112 §3.2), reference resolution for
 * redirects (RFC 3986 §5.2) and origin comparison (RFC 6454 §5). Input without a scheme is
 * taken as http://, as curl does. Never resolves names, never allocates: results are spans
 * into the caller's string, small fixed arrays, or bytes appended to a caller's buf.
 */
#ifndef H2GET_URL_H
#define H2GET_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* Longest host name kept: a DNS name is at most 255 octets (RFC 1035 §2.3.4). */
#define URL_HOST_MAX 255
/* Longest IPv6 zone id kept (RFC 6874); interface names are far shorter. */
#define URL_ZONE_MAX 63

enum url_host_kind {
    URL_HOST_NAME, /* registered name, lowercased */
    URL_HOST_IPV4, /* dotted-quad literal */
    URL_HOST_IPV6, /* bracketed literal; `host` holds it without brackets */
};

/*
 * A parsed URL. The spans (`user`, `password`, `path`, `query`) point into the string
 * given to url_parse and are valid while it is; everything else is owned by the struct.
 *  - `scheme` is "http" or "https" (a static string); `tls` is true for https.
 *  - `user`/`password` are raw (still percent-encoded); see url_decode_userinfo.
 *  - `host` is NUL-terminated, lowercased, percent-decoded, without brackets or zone id;
 *    `zone` is the decoded IPv6 zone id ("" when none), kept for connecting only.
 *  - `port` is the explicit port or the scheme's default; `port_explicit` says which.
 *  - `path` and `query` are byte for byte as given (empty `path` means "/"; `query` has no
 *    '?', `has_query` distinguishes "x?" from "x"). The fragment is dropped.
 */
struct url {
    const char *scheme;
    bool tls;
    bool has_userinfo;
    bool has_password;
    struct span user;
    struct span password;
    char host[URL_HOST_MAX + 1];
    char zone[URL_ZONE_MAX + 1];
    enum url_host_kind host_kind;
    bool host_is_ip;
    uint16_t port;
    bool port_explicit;
    struct span path;
    struct span query;
    bool has_query;
};

/*
 * url_parse - parse the NUL-terminated `s` into `u`. A string that does not start with
 * "scheme:/" is taken as "http://" + `s` (curl's guess). `u`'s spans borrow `s`.
 * Returns 0; H2E_UNSUPPORTED_SCHEME for a well-formed scheme other than http/https;
 * H2E_BAD_URL for anything malformed (empty host, bad port, bad IPv6 literal, spaces or
 * control characters in the host...). Every error fills `info` (may be NULL) with a why.
 */
int url_parse(const char *s, struct url *u, struct h2e_info *info);

/*
 * url_decode_userinfo - append the percent-decoding of `in` (u->user or u->password) to
 * `out`. Returns 0, H2E_BAD_URL for a '%' not followed by two hex digits, or
 * H2E_LIMIT_BUFFER/H2E_NOMEM from `out` (which is then unchanged).
 */
int url_decode_userinfo(struct span in, struct buf *out, struct h2e_info *info);

/*
 * url_authority - append the authority for `:authority` / `Host` (RFC 9110 §7.2): the host
 * (in brackets for IPv6, without zone id), then ":port" only when it is not the scheme's
 * default. No userinfo. Returns 0 or H2E_LIMIT_BUFFER/H2E_NOMEM (`out` then unchanged).
 */
int url_authority(const struct url *u, struct buf *out);

/*
 * url_request_target - append the origin-form request target (RFC 9112 §3.2.1) for `:path`
 * or the request line: path ("/" when empty) and "?query". Bytes that may not appear in a
 * request (controls, space, DEL, non-ASCII) are percent-encoded; all others, '%' included,
 * are copied as given. Returns 0 or H2E_LIMIT_BUFFER/H2E_NOMEM (`out` then unchanged).
 */
int url_request_target(const struct url *u, struct buf *out);

/*
 * url_resolve - resolve the reference `ref` (a Location value, NUL-terminated) against
 * `base` (RFC 3986 §5.2.2, non-strict: "http:x" with base scheme http is relative), dot
 * segments removed (§5.2.4), fragment dropped. Appends the absolute URL followed by a NUL
 * to `out`; the NUL is not counted in `out->len`, so `(const char *)out->p` can be given
 * to url_parse, which does the remaining validation. Returns 0, H2E_UNSUPPORTED_SCHEME
 * when `ref` has a scheme other than http/https, H2E_BAD_URL when it has http(s) and no
 * authority, or H2E_LIMIT_BUFFER/H2E_NOMEM (`out` then unchanged). Borrows `base`'s string.
 */
int url_resolve(const struct url *base, const char *ref, struct buf *out, struct h2e_info *info);

/* url_origin_equal - true when `a` and `b` have the same scheme, host and port (and zone). */
bool url_origin_equal(const struct url *a, const struct url *b);

/* url_default_port - 443 for a TLS URL, 80 otherwise. */
static inline uint16_t url_default_port(const struct url *u)
{
    return u->tls ? 443 : 80;
}

#endif
