/* SPDX-License-Identifier: MIT */
/*
 * URL parsing (RFC 3986 §3), authority and request-target building (RFC 9110 §7.2,
 * RFC 9112 §3.2), reference resolution (RFC 3986 §5.2) and origin comparison. Pure
 * functions over strings: never resolves names, never touches the network, never
 * allocates except through the caller's buf.
 */
#include "url.h"

#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"

/* curl's limit on a scheme's length when guessing whether there is one. */
#define SCHEME_MAX 40

static bool is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int hexval(int c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
static bool is_scheme_char(int c)
{
    return is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.';
}

/* RFC 3986 §2.3 unreserved characters. */
static bool is_unreserved(int c)
{
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Characters kept in a registered name: what DNS names and hosts files use. */
static bool is_host_char(int c)
{
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_';
}

static bool span_ieq(const char *p, size_t n, const char *lit)
{
    size_t i;
    if (strlen(lit) != n)
        return false;
    for (i = 0; i < n; i++)
        if (lower((unsigned char)p[i]) != lit[i])
            return false;
    return true;
}

/* Decode "%XX" at `p` (at least `n` bytes readable); -1 when malformed. */
static int pct_decode(const char *p, size_t n)
{
    int hi, lo;
    if (n < 3 || p[0] != '%')
        return -1;
    hi = hexval((unsigned char)p[1]);
    lo = hexval((unsigned char)p[2]);
    return hi < 0 || lo < 0 ? -1 : hi << 4 | lo;
}

/*
 * Length of a scheme at the start of `s` when it is followed by ":/", else 0: curl's test,
 * so that "host:8080/x" is a host and port, not a scheme.
 */
static size_t scheme_len(const char *s)
{
    size_t i;
    if (!is_alpha((unsigned char)s[0]))
        return 0;
    for (i = 1; i < SCHEME_MAX && is_scheme_char((unsigned char)s[i]); i++)
        ;
    return s[i] == ':' && s[i + 1] == '/' ? i : 0;
}

static int set_scheme(struct url *u, const char *p, size_t n)
{
    if (span_ieq(p, n, "http")) {
        u->scheme = "http";
        u->tls = false;
        return 0;
    }
    if (span_ieq(p, n, "https")) {
        u->scheme = "https";
        u->tls = true;
        return 0;
    }
    return -1;
}

static int parse_scheme(const char *s, struct url *u, const char **rest, struct h2e_info *info)
{
    size_t n = scheme_len(s);

    if (n == 0) {
        /* No scheme: curl guesses http:// and so do we. */
        set_scheme(u, "http", 4);
        *rest = s;
        return 0;
    }
    if (set_scheme(u, s, n) != 0)
        return h2e_set(info, H2E_UNSUPPORTED_SCHEME, 0, "scheme is not http or https");
    /* RFC 3986 §3.2: the authority is introduced by "//". */
    if (s[n + 1] != '/' || s[n + 2] != '/')
        return h2e_set(info, H2E_BAD_URL, 0, "expected '//' after the scheme (RFC 3986 §3.2)");
    *rest = s + n + 3;
    return 0;
}

static int parse_port(const char *p, size_t n, struct url *u, struct h2e_info *info)
{
    unsigned long v = 0;
    size_t i;

    u->port = url_default_port(u);
    if (n == 0)
        return 0; /* RFC 3986 §3.2.3: an empty port means the default */
    for (i = 0; i < n; i++) {
        if (!is_digit((unsigned char)p[i]))
            return h2e_set(info, H2E_BAD_URL, 0, "bad port number (RFC 3986 §3.2.3)");
        if (v <= 65535)
            v = v * 10 + (unsigned long)(p[i] - '0');
    }
    if (v == 0 || v > 65535)
        return h2e_set(info, H2E_BAD_URL, 0, "port out of range (1-65535)");
    u->port = (uint16_t)v;
    u->port_explicit = true;
    return 0;
}

/* A dotted quad of decimal octets without leading zeros. */
static bool valid_ipv4(const char *p, size_t n)
{
    size_t i = 0;
    int part;

    for (part = 0; part < 4; part++) {
        size_t start = i;
        unsigned v = 0;
        if (part > 0) {
            if (i >= n || p[i] != '.')
                return false;
            start = ++i;
        }
        while (i < n && is_digit((unsigned char)p[i]) && i - start < 3)
            v = v * 10 + (unsigned)(p[i++] - '0');
        if (i == start || v > 255 || (p[start] == '0' && i - start > 1))
            return false;
    }
    return i == n;
}

/* Length of the run of hex digits at p[i..n), counting no further than 5. */
static size_t hex_run(const char *p, size_t n, size_t i)
{
    size_t k = 0;
    while (i + k < n && k < 5 && hexval((unsigned char)p[i + k]) >= 0)
        k++;
    return k;
}

/* RFC 3986 §3.2.2 IPv6address: eight 16-bit groups, one "::", optional IPv4 tail. */
static bool valid_ipv6(const char *p, size_t n)
{
    size_t i = 0, k;
    int groups = 0;
    bool gap = n >= 2 && p[0] == ':' && p[1] == ':';

    if (gap)
        i = 2;
    while (i < n) {
        k = hex_run(p, n, i);
        if (i + k < n && p[i + k] == '.') /* the IPv4 tail counts as two groups */
            return valid_ipv4(p + i, n - i) && (gap ? groups <= 5 : groups == 6);
        if (k == 0 || k > 4 || ++groups > 8)
            return false;
        i += k;
        if (i == n)
            break;
        if (p[i++] != ':' || i == n)
            return false;
        if (p[i] == ':') {
            if (gap)
                return false;
            gap = true;
            i++;
        }
    }
    return gap ? groups <= 7 : groups == 8;
}

/* RFC 6874: ZoneID = 1*( unreserved / pct-encoded ), introduced by "%25". */
static int parse_zone(const char *p, size_t n, struct url *u, struct h2e_info *info)
{
    size_t i, len = 0;

    if (n == 0)
        return h2e_set(info, H2E_BAD_URL, 0, "bad IPv6 zone id (RFC 6874)");
    for (i = 0; i < n; i++) {
        int c = (unsigned char)p[i];
        if (c == '%') {
            c = pct_decode(p + i, n - i);
            i += 2;
        }
        if (c < 0 || !is_unreserved(c) || len == URL_ZONE_MAX)
            return h2e_set(info, H2E_BAD_URL, 0, "bad IPv6 zone id (RFC 6874)");
        u->zone[len++] = (char)c;
    }
    u->zone[len] = '\0';
    return 0;
}

/* `p`/`n` is what lies between '[' and ']'. */
static int parse_ipv6(const char *p, size_t n, struct url *u, struct h2e_info *info)
{
    const char *pct = memchr(p, '%', n);
    size_t alen = pct ? (size_t)(pct - p) : n, i;

    if (!valid_ipv6(p, alen))
        return h2e_set(info, H2E_BAD_URL, 0, "bad IPv6 literal (RFC 3986 §3.2.2)");
    if (pct) {
        int rv;
        if (n - alen < 3 || pct[1] != '2' || pct[2] != '5')
            return h2e_set(info, H2E_BAD_URL, 0, "bad IPv6 zone id (RFC 6874)");
        rv = parse_zone(pct + 3, n - alen - 3, u, info);
        if (rv)
            return rv;
    }
    for (i = 0; i < alen; i++)
        u->host[i] = (char)lower((unsigned char)p[i]);
    u->host[alen] = '\0';
    u->host_kind = URL_HOST_IPV6;
    u->host_is_ip = true;
    return 0;
}

/* True when the last label of `host` is numeric: then it must be an IPv4 address. */
static bool looks_ipv4(const char *host, size_t n)
{
    size_t i = n;
    if (n > 0 && host[n - 1] == '.')
        i--;
    if (i == 0 || !is_digit((unsigned char)host[i - 1]))
        return false;
    while (i > 0 && host[i - 1] != '.')
        if (!is_digit((unsigned char)host[--i]))
            return false;
    return true;
}

static int parse_regname(const char *p, size_t n, struct url *u, struct h2e_info *info)
{
    size_t i, len = 0;

    for (i = 0; i < n; i++) {
        int c = (unsigned char)p[i];
        if (c == '%') {
            c = pct_decode(p + i, n - i);
            if (c < 0)
                return h2e_set(info, H2E_BAD_URL, 0, "bad percent-encoding in host");
            i += 2;
        }
        if (!is_host_char(c))
            return h2e_set(info, H2E_BAD_URL, 0, "invalid character in host");
        if (len == URL_HOST_MAX)
            return h2e_set(info, H2E_BAD_URL, 0, "host name too long (RFC 1035 §2.3.4)");
        u->host[len++] = (char)lower(c);
    }
    u->host[len] = '\0';
    if (len == 0)
        return h2e_set(info, H2E_BAD_URL, 0, "empty host");
    if (looks_ipv4(u->host, len)) {
        if (!valid_ipv4(u->host, len))
            return h2e_set(info, H2E_BAD_URL, 0, "bad IPv4 address");
        u->host_kind = URL_HOST_IPV4;
        u->host_is_ip = true;
    }
    return 0;
}

static int parse_userinfo(const char *p, size_t n, struct url *u, struct h2e_info *info)
{
    const char *colon = memchr(p, ':', n);
    size_t i;

    for (i = 0; i < n; i++)
        if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] == 0x7f)
            return h2e_set(info, H2E_BAD_URL, 0, "invalid character in user info");
    u->has_userinfo = true;
    if (colon) {
        u->user = span_of(p, (size_t)(colon - p));
        u->password = span_of(colon + 1, n - (size_t)(colon - p) - 1);
        u->has_password = true;
    } else {
        u->user = span_of(p, n);
    }
    return 0;
}

/* RFC 3986 §3.2: authority = [ userinfo "@" ] host [ ":" port ] */
static int parse_authority(const char *a, size_t n, struct url *u, struct h2e_info *info)
{
    const char *host = a, *end = a + n, *colon;
    int rv;

    /* The last '@' ends the userinfo, so that an unescaped '@' in a password works. */
    for (colon = end; colon > a; colon--) {
        if (colon[-1] == '@') {
            rv = parse_userinfo(a, (size_t)(colon - 1 - a), u, info);
            if (rv)
                return rv;
            host = colon;
            break;
        }
    }
    if (host < end && *host == '[') {
        const char *close = memchr(host, ']', (size_t)(end - host));
        if (!close || (close + 1 < end && close[1] != ':'))
            return h2e_set(info, H2E_BAD_URL, 0, "bad IPv6 literal (RFC 3986 §3.2.2)");
        rv = parse_ipv6(host + 1, (size_t)(close - host - 1), u, info);
        colon = close + 1 < end ? close + 1 : NULL;
    } else {
        colon = memchr(host, ':', (size_t)(end - host));
        rv = parse_regname(host, (size_t)((colon ? colon : end) - host), u, info);
    }
    if (rv)
        return rv;
    return colon ? parse_port(colon + 1, (size_t)(end - colon - 1), u, info)
                 : parse_port(NULL, 0, u, info);
}

int url_parse(const char *s, struct url *u, struct h2e_info *info)
{
    const char *rest = s, *path;
    size_t n;
    int rv;

    memset(u, 0, sizeof(*u));
    rv = parse_scheme(s, u, &rest, info);
    if (rv)
        return rv;
    n = strcspn(rest, "/?#");
    rv = parse_authority(rest, n, u, info);
    if (rv)
        return rv;
    path = rest + n;
    n = strcspn(path, "?#");
    u->path = span_of(path, n);
    if (path[n] == '?') {
        const char *q = path + n + 1;
        u->query = span_of(q, strcspn(q, "#"));
        u->has_query = true;
    }
    return 0; /* RFC 3986 §3.5: the fragment is never sent */
}

int url_decode_userinfo(struct span in, struct buf *out, struct h2e_info *info)
{
    size_t i, n = 0;
    int rv = buf_reserve(out, in.len);

    if (rv)
        return h2e_set(info, rv, 0, "user info does not fit");
    for (i = 0; i < in.len; i++) {
        int c = in.p[i];
        if (c == '%') {
            c = pct_decode((const char *)in.p + i, in.len - i);
            if (c < 0)
                return h2e_set(info, H2E_BAD_URL, 0, "bad percent-encoding in user info");
            i += 2;
        }
        out->p[out->len + n++] = (uint8_t)c;
    }
    out->len += n;
    return 0;
}

static int append_str(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

static int append_port(struct buf *b, unsigned port)
{
    char d[6];
    size_t i = sizeof(d);

    do {
        d[--i] = (char)('0' + port % 10);
        port /= 10;
    } while (port);
    d[--i] = ':';
    return buf_append(b, d + i, sizeof(d) - i);
}

/* The host as it appears in an authority; with `zone`, an IPv6 zone id as "%25zone". */
static int append_host(struct buf *b, const struct url *u, bool zone)
{
    int rv = 0;

    if (u->host_kind != URL_HOST_IPV6)
        return append_str(b, u->host);
    rv = buf_append(b, "[", 1);
    rv = rv ? rv : append_str(b, u->host);
    if (zone && u->zone[0]) {
        rv = rv ? rv : append_str(b, "%25");
        rv = rv ? rv : append_str(b, u->zone);
    }
    return rv ? rv : buf_append(b, "]", 1);
}

int url_authority(const struct url *u, struct buf *out)
{
    size_t mark = out->len;
    int rv = append_host(out, u, false);

    if (!rv && u->port != url_default_port(u))
        rv = append_port(out, u->port);
    if (rv)
        out->len = mark;
    return rv;
}

/* RFC 9112 §3.2 / RFC 3986 §2.1: bytes that cannot appear in a request target as given. */
static bool needs_escape(uint8_t c)
{
    return c <= 0x20 || c >= 0x7f;
}

static size_t escaped_len(struct span s)
{
    size_t i, n = s.len;
    for (i = 0; i < s.len; i++)
        if (needs_escape(s.p[i]))
            n += 2;
    return n;
}

static uint8_t *put_escaped(uint8_t *w, struct span s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;

    for (i = 0; i < s.len; i++) {
        uint8_t c = s.p[i];
        if (needs_escape(c)) {
            *w++ = '%';
            *w++ = (uint8_t)hex[c >> 4];
            *w++ = (uint8_t)hex[c & 15];
        } else {
            *w++ = c;
        }
    }
    return w;
}

int url_request_target(const struct url *u, struct buf *out)
{
    struct span path = u->path.len ? u->path : span_of("/", 1);
    size_t n = escaped_len(path) + (u->has_query ? 1 + escaped_len(u->query) : 0);
    uint8_t *w;
    int rv = buf_reserve(out, n);

    if (rv)
        return rv;
    w = put_escaped(out->p + out->len, path);
    if (u->has_query) {
        *w++ = '?';
        w = put_escaped(w, u->query);
    }
    out->len += n;
    return 0;
}

bool url_origin_equal(const struct url *a, const struct url *b)
{
    return a->tls == b->tls && a->port == b->port && strcmp(a->host, b->host) == 0 &&
           strcmp(a->zone, b->zone) == 0;
}

/* A reference split as in RFC 3986 Appendix B; spans point into the reference string. */
struct ref {
    struct span scheme, authority, path, query;
    bool has_scheme, has_authority, has_query;
};

static void split_ref(const char *s, struct ref *r)
{
    size_t n = strcspn(s, ":/?#"), i;

    memset(r, 0, sizeof(*r));
    if (s[n] == ':' && n > 0 && is_alpha((unsigned char)s[0])) {
        for (i = 1; i < n && is_scheme_char((unsigned char)s[i]); i++)
            ;
        if (i == n) {
            r->scheme = span_of(s, n);
            r->has_scheme = true;
            s += n + 1;
        }
    }
    if (s[0] == '/' && s[1] == '/') {
        s += 2;
        n = strcspn(s, "/?#");
        r->authority = span_of(s, n);
        r->has_authority = true;
        s += n;
    }
    n = strcspn(s, "?#");
    r->path = span_of(s, n);
    if (s[n] == '?') {
        r->query = span_of(s + n + 1, strcspn(s + n + 1, "#"));
        r->has_query = true;
    }
}

static bool starts(const uint8_t *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && memcmp(p, lit, l) == 0;
}

/* Drop the last segment and its preceding '/' from the output s[0..w). */
static size_t drop_last(const uint8_t *s, size_t w)
{
    while (w > 0 && s[w - 1] != '/')
        w--;
    return w > 0 ? w - 1 : 0;
}

/*
 * RFC 3986 §5.2.4 remove_dot_segments, in place over s[0..n); returns the new length. The
 * output never overtakes the input, so one buffer serves as both.
 */
static size_t remove_dots(uint8_t *s, size_t n)
{
    size_t in = 0, w = 0;

    while (in < n) {
        const uint8_t *p = s + in;
        size_t left = n - in, seg;
        if (starts(p, left, "../")) {
            in += 3; /* A */
        } else if (starts(p, left, "./") || starts(p, left, "/./")) {
            in += 2; /* A, B */
        } else if (left == 2 && starts(p, left, "/.")) {
            s[++in] = '/'; /* B: "/." at the end becomes "/" */
        } else if (starts(p, left, "/../")) {
            in += 3; /* C */
            w = drop_last(s, w);
        } else if (left == 3 && starts(p, left, "/..")) {
            in += 2;
            s[in] = '/'; /* C: "/.." at the end becomes "/" */
            w = drop_last(s, w);
        } else if ((left == 1 && p[0] == '.') || (left == 2 && starts(p, left, ".."))) {
            in = n; /* D */
        } else {
            for (seg = 1; seg < left && p[seg] != '/'; seg++)
                ; /* E: move the first segment, with its leading '/', to the output */
            memmove(s + w, p, seg);
            w += seg;
            in += seg;
        }
    }
    return w;
}

/* RFC 3986 §5.2.3 merge, appended to `b`. */
static int append_merged(struct buf *b, const struct url *base, struct span ref_path)
{
    size_t keep = base->path.len;
    int rv;

    while (keep > 0 && base->path.p[keep - 1] != '/')
        keep--;
    rv = keep ? buf_append(b, base->path.p, keep) : buf_append(b, "/", 1);
    return rv ? rv : buf_append(b, ref_path.p, ref_path.len);
}

/* The base's authority, userinfo included (RFC 3986 §5.2.2: T.authority = Base.authority). */
static int append_base_authority(struct buf *b, const struct url *base)
{
    int rv = 0;

    if (base->has_userinfo) {
        rv = buf_append(b, base->user.p, base->user.len);
        if (base->has_password) {
            rv = rv ? rv : buf_append(b, ":", 1);
            rv = rv ? rv : buf_append(b, base->password.p, base->password.len);
        }
        rv = rv ? rv : buf_append(b, "@", 1);
    }
    rv = rv ? rv : append_host(b, base, true);
    if (!rv && base->port_explicit)
        rv = append_port(b, base->port);
    return rv;
}

/* Authority, path and query of the target (RFC 3986 §5.2.2), appended to `b`. */
static int append_target(struct buf *b, const struct url *base, const struct ref *r)
{
    struct span query = r->query;
    bool has_query = r->has_query;
    size_t path_at;
    int rv;

    rv = r->has_authority ? buf_append(b, r->authority.p, r->authority.len)
                          : append_base_authority(b, base);
    path_at = b->len;
    if (!rv && !r->has_authority && r->path.len == 0) {
        rv = buf_append(b, base->path.p, base->path.len);
        if (!has_query) {
            query = base->query;
            has_query = base->has_query;
        }
    } else if (!rv) {
        if (r->has_authority || r->path.p[0] == '/')
            rv = buf_append(b, r->path.p, r->path.len);
        else
            rv = append_merged(b, base, r->path);
        if (!rv)
            b->len = path_at + remove_dots(b->p + path_at, b->len - path_at);
    }
    if (!rv && has_query) {
        rv = buf_append(b, "?", 1);
        rv = rv ? rv : buf_append(b, query.p, query.len);
    }
    return rv;
}

int url_resolve(const struct url *base, const char *ref, struct buf *out, struct h2e_info *info)
{
    struct url tmp;
    struct ref r;
    size_t mark = out->len;
    int rv;

    split_ref(ref, &r);
    /* RFC 3986 §5.2.2, non-strict: "http:x" against an http base is a relative reference. */
    if (r.has_scheme && !r.has_authority &&
        span_ieq((const char *)r.scheme.p, r.scheme.len, base->scheme))
        r.has_scheme = false;
    memset(&tmp, 0, sizeof(tmp));
    if (r.has_scheme && set_scheme(&tmp, (const char *)r.scheme.p, r.scheme.len) != 0)
        return h2e_set(info, H2E_UNSUPPORTED_SCHEME, 0, "redirect to a scheme other than http(s)");
    if (r.has_scheme && !r.has_authority)
        return h2e_set(info, H2E_BAD_URL, 0, "redirect URL has no authority (RFC 3986 §3.2)");
    rv = append_str(out, r.has_scheme ? tmp.scheme : base->scheme);
    rv = rv ? rv : buf_append(out, "://", 3);
    rv = rv ? rv : append_target(out, base, &r);
    rv = rv ? rv : buf_append(out, "", 1);
    if (rv) {
        out->len = mark;
        return h2e_set(info, rv, 0, "resolved URL does not fit");
    }
    out->len--; /* keep the NUL after the URL, outside len */
    return 0;
}
