/* SPDX-License-Identifier: MIT */
/*
 * Set-Cookie (RFC 6265 §5.2), Netscape cookie-file lines, and the domain and path rules
 * of RFC 6265 §5.1.3-§5.1.4 and §5.3.
 */
#include "cookie.h"

#include <string.h>

#include "date.h"

static bool is_ws(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static struct span trim(struct span s)
{
    while (s.len && is_ws(s.p[0]))
        s.p++, s.len--;
    while (s.len && is_ws(s.p[s.len - 1]))
        s.len--;
    return s;
}

/* The part of `*s` before `sep` (all of it when none), `*s` moved past `sep`. */
static struct span cut(struct span *s, uint8_t sep)
{
    const uint8_t *at = s->len ? memchr(s->p, sep, s->len) : NULL;
    struct span part = {s->p, at ? (size_t)(at - s->p) : s->len};

    s->p += at ? part.len + 1 : part.len;
    s->len -= at ? part.len + 1 : part.len;
    return part;
}

static bool has_ctl(struct span s)
{
    size_t i;

    for (i = 0; i < s.len; i++)
        if ((s.p[i] < 0x20 && s.p[i] != '\t') || s.p[i] == 0x7f)
            return true;
    return false;
}

/* RFC 6265 §5.2.2: Max-Age is an optional '-' and digits; 0 or less means expired. */
static void max_age(struct span v, int64_t now, struct cookie *c, bool *set)
{
    size_t i = v.len && v.p[0] == '-' ? 1 : 0;
    int64_t n = 0;

    if (i >= v.len)
        return;
    for (; i < v.len; i++) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return;
        if (n < DATE_MAX)
            n = n * 10 + (v.p[i] - '0');
    }
    *set = true;
    if (v.p[0] == '-' || n == 0)
        c->expires = 1;
    else
        c->expires = n > DATE_MAX - now ? DATE_MAX : now + n;
}

static void attribute(struct span a, int64_t now, struct cookie *c, bool *max_age_set)
{
    struct span name = trim(cut(&a, '=')), v = trim(a);
    int64_t t;

    if (span_ieq_str(name, "max-age")) {
        max_age(v, now, c, max_age_set);
    } else if (span_ieq_str(name, "expires") && !*max_age_set) {
        if (date_parse(v, &t, NULL) == 0)
            c->expires = t <= 0 ? 1 : t;
    } else if (span_ieq_str(name, "domain") && v.len) {
        if (v.p[0] == '.') /* RFC 6265 §5.2.3 */
            v.p++, v.len--;
        c->domain = v;
        c->subdomains = v.len != 0;
    } else if (span_ieq_str(name, "path")) {
        c->path = v.len && v.p[0] == '/' ? v : span_of(NULL, 0); /* §5.2.4 */
    } else if (span_ieq_str(name, "secure")) {
        c->secure = true;
    } else if (span_ieq_str(name, "httponly")) {
        c->httponly = true;
    }
}

int cookie_parse_set(struct span v, int64_t now, struct cookie *c, struct h2e_info *info)
{
    struct span pair = cut(&v, ';');
    const uint8_t *eq = pair.len ? memchr(pair.p, '=', pair.len) : NULL;
    bool max_age_set = false;

    memset(c, 0, sizeof(*c));
    if (!eq)
        return h2e_set(info, H2E_BAD_COOKIE, 0, "no '=' in the name-value pair (RFC 6265 §5.2)");
    c->name = trim(span_of(pair.p, (size_t)(eq - pair.p)));
    c->value = trim(span_of(eq + 1, pair.len - (size_t)(eq - pair.p) - 1));
    if (!c->name.len)
        return h2e_set(info, H2E_BAD_COOKIE, 0, "an empty cookie name (RFC 6265 §5.2)");
    if (c->name.len + c->value.len > COOKIE_MAX)
        return h2e_set(info, H2E_BAD_COOKIE, 0, "a cookie of more than 4096 bytes");
    if (has_ctl(c->name) || has_ctl(c->value) || memchr(c->name.p, '\t', c->name.len) ||
        (c->value.len && memchr(c->value.p, '\t', c->value.len)))
        return h2e_set(info, H2E_BAD_COOKIE, 0, "a control byte in a cookie");
    while (v.len)
        attribute(cut(&v, ';'), now, c, &max_age_set);
    if (has_ctl(c->domain) || has_ctl(c->path) ||
        (c->path.len && memchr(c->path.p, '\t', c->path.len)) ||
        (c->domain.len && memchr(c->domain.p, '\t', c->domain.len)))
        return h2e_set(info, H2E_BAD_COOKIE, 0, "a control byte in a cookie attribute");
    return 0;
}

static int bad_line(struct h2e_info *info, const char *why)
{
    return h2e_set(info, H2E_BAD_COOKIE_FILE, 0, why);
}

static int flag(struct span s, bool *out)
{
    if (span_eq_str(s, "TRUE"))
        *out = true;
    else if (span_eq_str(s, "FALSE"))
        *out = false;
    else
        return -1;
    return 0;
}

static int expiry(struct span s, int64_t *out)
{
    size_t i;
    int64_t n = 0;

    if (!s.len || s.len > 18)
        return -1;
    for (i = 0; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return -1;
        n = n * 10 + (s.p[i] - '0');
    }
    *out = n > DATE_MAX ? DATE_MAX : n;
    return 0;
}

/* A file line's domain, its one leading dot taken off. Written back, an empty one or one
 * that starts with '#' or '.' would read as another line (a comment, an HttpOnly cookie)
 * or another domain: refused, as no host name is any of these. */
static bool domain_ok(struct span d)
{
    return d.len && d.p[0] != '#' && d.p[0] != '.';
}

int cookie_parse_line(struct span line, struct cookie *c, struct h2e_info *info)
{
    struct span f[7];
    size_t i;

    memset(c, 0, sizeof(*c));
    if (line.len && line.p[line.len - 1] == '\r')
        line.len--;
    for (i = 0; i < line.len; i++)
        if ((line.p[i] < 0x20 && line.p[i] != '\t') || line.p[i] == 0x7f)
            return bad_line(info, "binary junk: a control byte in a line");
    if (line.len >= 10 && memcmp(line.p, "#HttpOnly_", 10) == 0) {
        c->httponly = true;
        line.p += 10, line.len -= 10;
    } else if (!trim(line).len || line.p[0] == '#') {
        return 1;
    }
    for (i = 0; i < 7; i++)
        f[i] = i < 6 ? cut(&line, '\t') : line;
    if (!f[5].len || memchr(f[6].p, '\t', f[6].len) || !f[0].len)
        return bad_line(info, "not seven tab-separated fields");
    if (flag(f[1], &c->subdomains) || flag(f[3], &c->secure))
        return bad_line(info, "a flag that is neither TRUE nor FALSE");
    if (expiry(f[4], &c->expires))
        return bad_line(info, "a bad expiry time");
    if (f[0].p[0] == '.')
        f[0].p++, f[0].len--;
    if (!domain_ok(f[0]))
        return bad_line(info, "a bad domain");
    if (f[5].len + f[6].len > COOKIE_MAX || !f[2].len || f[2].p[0] != '/')
        return bad_line(info, "a cookie too long, or a path that does not start with '/'");
    c->domain = f[0];
    c->path = f[2];
    c->name = f[5];
    c->value = f[6];
    return 0;
}

int cookie_format_line(const struct cookie *c, struct buf *out)
{
    char num[24];
    int i = (int)sizeof(num);
    int64_t e = c->expires;

    do { /* no stdio in a codec */
        num[--i] = (char)('0' + e % 10);
        e /= 10;
    } while (e && i > 0);
    if ((c->httponly && buf_append(out, "#HttpOnly_", 10)) ||
        (c->subdomains && buf_append(out, ".", 1)) || buf_append(out, c->domain.p, c->domain.len) ||
        buf_append(out, c->subdomains ? "\tTRUE\t" : "\tFALSE\t", c->subdomains ? 6 : 7) ||
        buf_append(out, c->path.p, c->path.len) ||
        buf_append(out, c->secure ? "\tTRUE\t" : "\tFALSE\t", c->secure ? 6 : 7) ||
        buf_append(out, num + i, sizeof(num) - (size_t)i) || buf_append(out, "\t", 1) ||
        buf_append(out, c->name.p, c->name.len) || buf_append(out, "\t", 1) ||
        buf_append(out, c->value.p, c->value.len) || buf_append(out, "\n", 1))
        return H2E_LIMIT_BUFFER;
    return 0;
}

bool cookie_is_ip(struct span host)
{
    size_t i;

    if (host.len && (memchr(host.p, ':', host.len) || host.p[0] == '['))
        return true;
    for (i = 0; i < host.len; i++)
        if ((host.p[i] < '0' || host.p[i] > '9') && host.p[i] != '.')
            return false;
    return host.len != 0;
}

static bool ieq(const uint8_t *a, const uint8_t *b, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if ((a[i] | 0x20) != (b[i] | 0x20) || ((a[i] ^ b[i]) & ~0x20))
            return false;
    return true;
}

bool cookie_domain_match(struct span host, struct span domain, bool subdomains)
{
    if (!domain.len)
        return false;
    if (host.len == domain.len && ieq(host.p, domain.p, host.len))
        return true;
    return subdomains && host.len > domain.len && !cookie_is_ip(host) &&
           host.p[host.len - domain.len - 1] == '.' &&
           ieq(host.p + host.len - domain.len, domain.p, domain.len);
}

bool cookie_domain_ok(struct span domain, struct span host)
{
    bool equal = host.len == domain.len && ieq(host.p, domain.p, host.len);

    if (equal)
        return true;
    /* a bare top-level name ("com", "local") would reach every site under it */
    if (!memchr(domain.p, '.', domain.len) || domain.p[domain.len - 1] == '.')
        return false;
    return cookie_domain_match(host, domain, true);
}

bool cookie_path_match(struct span req, struct span path)
{
    if (!path.len || req.len < path.len || memcmp(req.p, path.p, path.len) != 0)
        return false; /* a cookie always has a path: the default one at least */
    return req.len == path.len || path.p[path.len - 1] == '/' || req.p[path.len] == '/';
}

struct span cookie_default_path(struct span req)
{
    size_t i = req.len;

    if (!req.len || req.p[0] != '/')
        return span_str("/");
    while (i > 0 && req.p[i - 1] != '/')
        i--;
    if (i <= 1)
        return span_str("/");
    return span_of(req.p, i - 1);
}
