/* SPDX-License-Identifier: MIT */
/*
 * Proxy URLs and no_proxy lists. A proxy URL is parsed by url_parse after its scheme is
 * swapped for http://, so that hosts, ports and credentials follow the same rules as
 * request URLs; no_proxy matching follows curl's lib/noproxy.c semantics (a name matches
 * itself and its subdomains at a label boundary, IP literals match only IP entries), and
 * refuses entries curl would silently never match. Pure functions; no sockets, no
 * environment, no libc address parsers (IP literals are parsed here).
 */
#include "proxy.h"

#include <string.h>

#include "base/limits.h"

/* Schemes are at most this long ("socks5h"); longer ones are unknown anyway. */
#define SCHEME_MAX 16

static const struct {
    const char *name;
    enum proxy_kind kind;
} schemes[] = {
    {"http", PROXY_HTTP},       {"https", PROXY_HTTPS},     {"socks", PROXY_SOCKS4},
    {"socks4", PROXY_SOCKS4},   {"socks4a", PROXY_SOCKS4A}, {"socks5", PROXY_SOCKS5},
    {"socks5h", PROXY_SOCKS5H},
};

const char *proxy_kind_name(enum proxy_kind k)
{
    static const char *const names[] = {"http", "https", "socks4", "socks4a", "socks5", "socks5h"};
    return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

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
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Length of the scheme when `s` starts with "scheme://" (RFC 3986 §3.1 characters). */
static size_t scheme_len(const char *s)
{
    size_t i = 0;

    if (!is_alpha(s[0]))
        return 0;
    while (i <= SCHEME_MAX &&
           (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
        i++;
    return strncmp(s + i, "://", 3) == 0 ? i : 0;
}

static int find_scheme(const char *s, size_t n, enum proxy_kind *kind)
{
    size_t i, k;

    for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
        if (strlen(schemes[i].name) != n)
            continue;
        for (k = 0; k < n && lower(s[k]) == schemes[i].name[k]; k++)
            ;
        if (k == n) {
            *kind = schemes[i].kind;
            return 0;
        }
    }
    return -1;
}

static int bad_url(struct h2e_info *info, const char *why)
{
    return h2e_set(info, H2E_PROXY_URL, 0, why);
}

/* The credentials, percent-decoded into `work` (room for them is reserved already, so
 * the URL copy at its start does not move). */
static int credentials(const struct url *u, struct proxy_url *out, struct buf *work,
                       struct h2e_info *info)
{
    size_t at = work->len;

    if (!u->has_userinfo)
        return 0;
    if (url_decode_userinfo(u->user, work, NULL) != 0)
        return bad_url(info, "bad percent-encoding in the proxy user name");
    out->user = span_of(work->p + at, work->len - at);
    at = work->len;
    if (url_decode_userinfo(u->password, work, NULL) != 0)
        return bad_url(info, "bad percent-encoding in the proxy password");
    out->password = span_of(work->p + at, work->len - at);
    out->has_user = true;
    return 0;
}

int proxy_parse_url(const char *s, struct proxy_url *out, struct buf *work, struct h2e_info *info)
{
    size_t n = scheme_len(s), len;
    const char *rest = n ? s + n + 3 : s;
    struct h2e_info ui = H2E_INFO_INIT;
    struct url u;
    int rv;

    memset(out, 0, sizeof(*out));
    buf_reset(work);
    if (n && find_scheme(s, n, &out->kind) != 0)
        return h2e_set(info, H2E_PROXY_SCHEME, 0,
                       "proxies are http, https, socks4, socks4a, socks5 or socks5h");
    len = strlen(rest);
    /* "http://" + rest + NUL, then the decoded credentials, which are never longer */
    if ((rv = buf_reserve(work, 2 * len + 8)) != 0)
        return h2e_set(info, rv, 0, "proxy URL too long");
    buf_append(work, "http://", 7);
    buf_append(work, rest, len + 1);
    if (url_parse((const char *)work->p, &u, &ui) != 0)
        return bad_url(info, ui.why ? ui.why : "malformed proxy URL");
    if ((u.path.len > 1 || (u.path.len == 1 && u.path.p[0] != '/')) || u.has_query)
        return bad_url(info, "a proxy URL has no path or query");
    if (u.zone[0])
        return bad_url(info, "an IPv6 zone id is not supported in a proxy URL");
    memcpy(out->host, u.host, sizeof(out->host));
    out->host_kind = u.host_kind;
    out->port = u.port_explicit            ? u.port
                : out->kind == PROXY_HTTPS ? PROXY_DEFAULT_HTTPS_PORT
                                           : PROXY_DEFAULT_PORT;
    return credentials(&u, out, work, info);
}

/* --- IP literals ------------------------------------------------------------------------ */

/* A dotted quad of decimal octets (no leading zeros beyond "0") into `out`; 0 or -1. */
static int parse_ip4(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0;
    int part;

    for (part = 0; part < 4; part++) {
        unsigned v = 0, digits = 0;
        if (part && (i >= n || s[i++] != '.'))
            return -1;
        while (i < n && is_digit(s[i]) && digits < 4) {
            v = v * 10 + (unsigned)(s[i++] - '0');
            digits++;
        }
        if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && s[i - digits] == '0'))
            return -1;
        out[part] = (uint8_t)v;
    }
    return i == n ? 0 : -1;
}

/* One group of 1-4 hex digits at s[*i]; -1 when there is none. */
static long hex_group(const char *s, size_t n, size_t *i)
{
    long v = 0;
    size_t k = 0;

    while (*i < n && k < 5 && hexval(s[*i]) >= 0) {
        v = v * 16 + hexval(s[(*i)++]);
        k++;
    }
    return k >= 1 && k <= 4 ? v : -1;
}

/* RFC 4291 §2.2 text form (with "::" and a trailing dotted quad) into `out`; 0 or -1. */
static int parse_ip6(const char *s, size_t n, uint8_t out[16])
{
    uint8_t w[16];
    size_t i = 0, k = 0, gap = SIZE_MAX;

    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    }
    while (i < n && k < 16) {
        size_t start = i;
        long g = hex_group(s, n, &i);
        if (i < n && s[i] == '.' && k <= 12 && parse_ip4(s + start, n - start, w + k) == 0) {
            k += 4;
            i = n;
            break;
        }
        if (g < 0)
            return -1;
        w[k++] = (uint8_t)(g >> 8);
        w[k++] = (uint8_t)g;
        if (i == n)
            break;
        if (s[i++] != ':' || i == n)
            return -1;
        if (s[i] == ':') {
            if (gap != SIZE_MAX)
                return -1;
            gap = k;
            i++;
        }
    }
    if (i != n || (gap == SIZE_MAX ? k != 16 : k > 14))
        return -1;
    memset(out, 0, 16);
    if (gap == SIZE_MAX)
        gap = k;
    memcpy(out, w, gap);
    memcpy(out + 16 - (k - gap), w + gap, k - gap);
    return 0;
}

int proxy_parse_ip(const char *s, size_t n, uint8_t out[16])
{
    if (parse_ip4(s, n, out) == 0)
        return 4;
    return parse_ip6(s, n, out) == 0 ? 16 : 0;
}

/* --- no_proxy ---------------------------------------------------------------------------- */

enum entry_kind {
    ENTRY_ALL,
    ENTRY_NAME,
    ENTRY_IP4,
    ENTRY_IP6,
};

struct entry {
    enum entry_kind kind;
    const char *name; /* ENTRY_NAME: no leading or trailing dot; `nlen` bytes */
    size_t nlen;
    uint8_t addr[16];
    unsigned bits; /* prefix length; the full length when none was given */
    uint16_t port; /* 0: any */
};

static bool is_blank(int c)
{
    return c == ' ' || c == '\t';
}

/* The next entry of `*p`, past blanks and commas; an empty span at the end. */
static struct span next_entry(const char **p)
{
    const char *s = *p, *e;

    while (*s && (is_blank(*s) || *s == ','))
        s++;
    for (e = s; *e && !is_blank(*e) && *e != ','; e++)
        ;
    *p = e;
    return span_of(s, (size_t)(e - s));
}

/* A decimal number of 1-5 digits, at most `max`; -1 when it is not one. */
static long number(const char *s, size_t n, long max)
{
    long v = 0;
    size_t i;

    if (n == 0 || n > 5)
        return -1;
    for (i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v <= max ? v : -1;
}

static int bad_entry(struct h2e_info *info, const char *why)
{
    return h2e_set(info, H2E_USAGE, 0, why);
}

/* "/bits" after an address of `max` bits at s[n..]: the prefix length, or -1. */
static int cidr(const char *slash, size_t n, unsigned max, struct entry *e)
{
    long b = number(slash + 1, n - 1, (long)max);

    if (b < 0)
        return -1;
    e->bits = (unsigned)b;
    return 0;
}

/* Split a trailing ":port" off `*n` bytes of `s`; 0, or -1 for a bad port. */
static int port_of(const char *s, size_t *n, const char *colon, struct entry *e)
{
    long p;

    if (!colon)
        return 0;
    p = number(colon + 1, (size_t)(s + *n - colon - 1), 65535);
    if (p <= 0)
        return -1;
    e->port = (uint16_t)p;
    *n = (size_t)(colon - s);
    return 0;
}

static bool name_char(int c)
{
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_';
}

static int parse_name(const char *s, size_t n, struct entry *e, struct h2e_info *info)
{
    size_t i;

    if (port_of(s, &n, memchr(s, ':', n), e) != 0)
        return bad_entry(info, "bad port in a no_proxy entry");
    if (n >= 2 && s[0] == '*' && s[1] == '.') /* "*.example.com": as ".example.com" */
        s++, n--;
    while (n && s[0] == '.')
        s++, n--;
    while (n && s[n - 1] == '.')
        n--;
    for (i = 0; i < n; i++)
        if (!name_char((unsigned char)s[i]))
            return bad_entry(info, s[i] == '*' ? "'*' is a whole entry or a leading '*.'"
                                               : "bad character in a no_proxy entry");
    if (n == 0 || n > URL_HOST_MAX)
        return bad_entry(info, "empty or overlong host name in a no_proxy entry");
    e->kind = ENTRY_NAME;
    e->name = s;
    e->nlen = n;
    return 0;
}

/* IPv6: "addr", "addr/bits", "[addr]" or "[addr]:port". */
static int parse_v6(const char *s, size_t n, struct entry *e, struct h2e_info *info)
{
    const char *slash = memchr(s, '/', n);
    size_t an = slash ? (size_t)(slash - s) : n;

    e->kind = ENTRY_IP6;
    e->bits = 128;
    if (s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close || slash || (close + 1 < s + n && close[1] != ':'))
            return bad_entry(info, "bad bracketed IPv6 address in a no_proxy entry");
        if (close + 1 < s + n && port_of(s, &n, close + 1, e) != 0)
            return bad_entry(info, "bad port in a no_proxy entry");
        s++;
        an = (size_t)(close - s);
    }
    if (parse_ip6(s, an, e->addr) != 0)
        return bad_entry(info, "bad IPv6 address in a no_proxy entry");
    if (slash && cidr(slash, (size_t)(s + n - slash), 128, e) != 0)
        return bad_entry(info, "CIDR prefix of an IPv6 address is not 0-128");
    return 0;
}

static bool looks_ip4(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n && s[i] != '/' && s[i] != ':'; i++)
        if (!is_digit(s[i]) && s[i] != '.')
            return false;
    return n > 0 && is_digit(s[0]);
}

static size_t colons(const char *s, size_t n)
{
    size_t i, k = 0;

    for (i = 0; i < n; i++)
        k += s[i] == ':';
    return k;
}

static int parse_entry(struct span sp, struct entry *e, struct h2e_info *info)
{
    const char *s = (const char *)sp.p, *slash;
    size_t n = sp.len;

    memset(e, 0, sizeof(*e));
    if (n > PROXY_ENTRY_MAX)
        return bad_entry(info, "no_proxy entry too long");
    if (n == 1 && s[0] == '*') {
        e->kind = ENTRY_ALL;
        return 0;
    }
    if (s[0] == '[' || colons(s, n) >= 2)
        return parse_v6(s, n, e, info);
    if (!looks_ip4(s, n))
        return parse_name(s, n, e, info);
    e->kind = ENTRY_IP4;
    e->bits = 32;
    slash = memchr(s, '/', n);
    if (!slash && port_of(s, &n, memchr(s, ':', n), e) != 0)
        return bad_entry(info, "bad port in a no_proxy entry");
    if (parse_ip4(s, slash ? (size_t)(slash - s) : n, e->addr) != 0)
        return bad_entry(info, "bad IPv4 address in a no_proxy entry");
    if (slash && cidr(slash, (size_t)(s + n - slash), 32, e) != 0)
        return bad_entry(info, "CIDR prefix of an IPv4 address is not 0-32");
    return 0;
}

int proxy_noproxy_check(const char *list, struct span *bad, struct h2e_info *info)
{
    const char *p = list;
    struct span sp;
    struct entry e;

    while ((sp = next_entry(&p)).len) {
        if (parse_entry(sp, &e, info) != 0) {
            if (bad)
                *bad = sp;
            return H2E_USAGE;
        }
    }
    return 0;
}

static bool prefix_equal(const uint8_t *a, const uint8_t *b, unsigned bits)
{
    unsigned full = bits / 8, rest = bits % 8;

    if (memcmp(a, b, full) != 0)
        return false;
    return !rest || ((a[full] ^ b[full]) & (0xff << (8 - rest))) == 0;
}

static bool name_match(const struct entry *e, const char *host, size_t hlen)
{
    size_t i;

    if (e->nlen > hlen || (e->nlen < hlen && host[hlen - e->nlen - 1] != '.'))
        return false;
    for (i = 0; i < e->nlen; i++)
        if (lower(e->name[i]) != lower(host[hlen - e->nlen + i]))
            return false;
    return true;
}

static bool entry_match(const struct entry *e, const char *host, size_t hlen, uint16_t port)
{
    uint8_t a[16];

    if (e->port && e->port != port)
        return false;
    switch (e->kind) {
    case ENTRY_ALL:
        return true;
    case ENTRY_NAME:
        return name_match(e, host, hlen);
    case ENTRY_IP4:
        return parse_ip4(host, hlen, a) == 0 && prefix_equal(a, e->addr, e->bits);
    case ENTRY_IP6:
        return parse_ip6(host, hlen, a) == 0 && prefix_equal(a, e->addr, e->bits);
    }
    return false;
}

bool proxy_noproxy_match(const char *list, const char *host, uint16_t port)
{
    const char *p = list;
    size_t hlen = strlen(host);
    struct span sp;
    struct entry e;

    while (hlen && host[hlen - 1] == '.')
        hlen--;
    if (hlen == 0)
        return false;
    while ((sp = next_entry(&p)).len)
        if (parse_entry(sp, &e, NULL) == 0 && entry_match(&e, host, hlen, port))
            return true;
    return false;
}
