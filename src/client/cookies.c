/* SPDX-License-Identifier: MIT */
/*
 * The cookie jar of one run (rules in cookies.h): owned copies of the cookies, matched
 * and replaced by RFC 6265 §5.3-§5.4; the codec (codec/cookie.c) does the parsing.
 */
#include "cookies.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "codec/cookie.h"
#include "run.h"
#include "sys/diag.h"
#include "sys/xalloc.h"
#include "vlog.h"
#include "xfer.h"

struct jar_cookie {
    char *name, *value, *domain, *path;
    int64_t expires;
    bool subdomains, secure, httponly;
    uint64_t seq; /* creation order (RFC 6265 §5.4 step 2) */
};

struct jar {
    struct jar_cookie *c;
    size_t n, cap;
    uint64_t seq;
};

static char *dup_span(struct span s)
{
    return xstrndup((const char *)s.p, s.len);
}

static struct span sp(const char *s)
{
    return span_str(s);
}

static void drop(struct jar *j, size_t i)
{
    free(j->c[i].name);
    free(j->c[i].value);
    free(j->c[i].domain);
    free(j->c[i].path);
    j->c[i] = j->c[--j->n];
}

static size_t per_host(const struct jar *j, const char *domain)
{
    size_t i, n = 0;

    for (i = 0; i < j->n; i++)
        n += !strcmp(j->c[i].domain, domain);
    return n;
}

/* Put `c` (domain and path final) in the jar: it replaces one of the same name, domain
 * and path (keeping its creation order); an expired one only removes (RFC 6265 §5.3). */
static void put(struct jar *j, const struct cookie *c, int64_t now)
{
    size_t i;
    uint64_t seq = ++j->seq;

    for (i = 0; i < j->n; i++) {
        struct jar_cookie *o = &j->c[i];
        if (span_eq_str(c->name, o->name) && span_eq_str(c->domain, o->domain) &&
            span_eq_str(c->path, o->path)) {
            seq = o->seq;
            drop(j, i);
            break;
        }
    }
    if ((c->expires && c->expires <= now) || j->n >= COOKIES_MAX)
        return;
    if (j->n == j->cap)
        j->c = xrealloc(j->c, (j->cap = j->cap ? j->cap * 2 : 16) * sizeof(*j->c));
    j->c[j->n++] = (struct jar_cookie){dup_span(c->name), dup_span(c->value), dup_span(c->domain),
                                       dup_span(c->path), c->expires,         c->subdomains,
                                       c->secure,         c->httponly,        seq};
    if (per_host(j, j->c[j->n - 1].domain) > COOKIES_PER_HOST)
        drop(j, j->n - 1);
}

/* The Netscape file `path`: every line a cookie, a comment or empty. */
static int load_file(struct client *cl, const char *path, FILE *f)
{
    char *line = NULL;
    size_t cap = 0, no = 0;
    ssize_t len;
    int64_t now = (int64_t)time(NULL);

    while ((len = getline(&line, &cap, f)) >= 0) {
        struct cookie c;
        struct h2e_info info = H2E_INFO_INIT;
        int rv;
        no++;
        if (len && line[len - 1] == '\n')
            len--;
        rv = cookie_parse_line(span_of(line, (size_t)len), &c, &info);
        if (rv < 0) {
            diag_error(rv, "'%s' line %zu: %s", path, no, info.why);
            free(line);
            return rv;
        }
        if (rv == 0 && !(cl->cfg->cookies.junk_session && !c.expires))
            put(cl->jar, &c, now);
    }
    free(line);
    return 0;
}

static int load(struct client *cl, const char *path)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    int rv;

    if (!f && errno == ENOENT) { /* curl starts with an empty jar then */
        diag_warn("no cookie file '%s': starting without cookies", path);
        return 0;
    }
    if (!f) {
        diag_error(H2E_READ, "cannot read cookie file '%s': %s", path, strerror(errno));
        return H2E_READ;
    }
    rv = load_file(cl, path, f);
    if (rv == 0 && ferror(f)) {
        diag_error(H2E_READ, "cannot read cookie file '%s': %s", path, strerror(errno));
        rv = H2E_READ;
    }
    if (f != stdin)
        fclose(f);
    return rv;
}

int cookies_init(struct client *cl)
{
    const struct cli_cookies *o = &cl->cfg->cookies;
    size_t i;
    int rv;

    if (!o->nin && !o->jar)
        return 0;
    cl->jar = xcalloc(1, sizeof(*cl->jar));
    for (i = 0; i < o->nin; i++) /* curl: with a '=' it is cookies, else a file name */
        if (*o->in[i] && !strchr(o->in[i], '=') && (rv = load(cl, o->in[i])) != 0)
            return rv;
    return 0;
}

static struct span req_path(const struct xfer *x)
{
    return x->req.url.path.len ? x->req.url.path : sp("/");
}

/* Whether `c` from a response to `x` may be stored, with its final domain and path. */
static bool acceptable(const struct xfer *x, struct cookie *c)
{
    struct span host = sp(x->req.url.host);

    if (c->domain.len && !cookie_domain_ok(c->domain, host)) {
        vlog(x->cl, "ignoring cookie '%.*s': domain '%.*s' is not for %s", (int)c->name.len,
             (const char *)c->name.p, (int)c->domain.len, (const char *)c->domain.p,
             x->req.url.host);
        return false;
    }
    if (!c->domain.len) {
        c->domain = host; /* host-only (RFC 6265 §5.3 step 6) */
        c->subdomains = false;
    } else if (c->domain.len == host.len && cookie_is_ip(host)) {
        c->subdomains = false;
    }
    if (!c->path.len)
        c->path = cookie_default_path(req_path(x));
    /* RFC 6265bis §5.7 step 8: only a secure origin sets a Secure cookie */
    if (c->secure && !x->req.url.tls) {
        vlog(x->cl, "ignoring Secure cookie '%.*s' from an http:// origin", (int)c->name.len,
             (const char *)c->name.p);
        return false;
    }
    return true;
}

void cookies_store(struct client *cl, const struct xfer *x, const struct msg_field *f, size_t n)
{
    int64_t now = (int64_t)time(NULL);
    size_t i;

    if (!cl->jar)
        return;
    for (i = 0; i < n; i++) {
        struct cookie c;
        struct h2e_info info = H2E_INFO_INIT;
        if (!span_ieq_str(f[i].name, "set-cookie"))
            continue;
        if (cookie_parse_set(f[i].value, now, &c, &info) != 0) {
            vlog(cl, "ignoring a set-cookie: %s", info.why);
            continue;
        }
        if (acceptable(x, &c))
            put(cl->jar, &c, now);
    }
}

static bool sends(const struct jar_cookie *c, const struct xfer *x, int64_t now)
{
    return (!c->expires || c->expires > now) && (!c->secure || x->req.url.tls) &&
           cookie_domain_match(sp(x->req.url.host), sp(c->domain), c->subdomains) &&
           cookie_path_match(req_path(x), sp(c->path));
}

static int by_path(const void *a, const void *b)
{
    const struct jar_cookie *x = *(const struct jar_cookie *const *)a;
    const struct jar_cookie *y = *(const struct jar_cookie *const *)b;
    size_t lx = strlen(x->path), ly = strlen(y->path);

    if (lx != ly)
        return lx > ly ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void add(struct buf *out, const char *s, size_t n)
{
    if (out->len)
        buf_append(out, "; ", 2);
    buf_append(out, s, n);
}

void cookies_field(struct client *cl, const struct xfer *x, struct buf *out)
{
    const struct cli_cookies *o = &cl->cfg->cookies;
    int64_t now = (int64_t)time(NULL);
    const struct jar_cookie **m;
    size_t i, k = 0;

    buf_reset(out);
    for (i = 0; i < o->nin && !x->req.drop_auth; i++) /* like -H cookie: not to others */
        if (strchr(o->in[i], '='))
            add(out, o->in[i], strlen(o->in[i]));
    if (!cl->jar || !cl->jar->n)
        return;
    m = xmalloc(cl->jar->n * sizeof(*m));
    for (i = 0; i < cl->jar->n; i++)
        if (sends(&cl->jar->c[i], x, now))
            m[k++] = &cl->jar->c[i];
    qsort(m, k, sizeof(*m), by_path);
    for (i = 0; i < k; i++) {
        add(out, m[i]->name, strlen(m[i]->name));
        buf_append(out, "=", 1);
        buf_append(out, m[i]->value, strlen(m[i]->value));
    }
    free(m);
}

/* -c: the whole jar (session cookies too, as curl) to a temporary file (0600: cookies
 * are credentials) renamed over FILE, so a reader never sees half a jar. */
static int save(struct client *cl, const char *path)
{
    struct buf b;
    size_t i, n = strlen(path) + 16;
    char *tmp = xmalloc(n);
    int fd, err = 0;
    int64_t now = (int64_t)time(NULL);

    buf_init(&b, &xalloc_mem, SIZE_MAX);
    static const char head[] = "# Netscape HTTP Cookie File\n# Written by h2get.\n\n";

    buf_append(&b, head, sizeof(head) - 1);
    for (i = 0; cl->jar && i < cl->jar->n; i++) {
        const struct jar_cookie *j = &cl->jar->c[i];
        struct cookie c = {sp(j->name), sp(j->value),  sp(j->domain), sp(j->path),
                           j->expires,  j->subdomains, j->secure,     j->httponly};
        if (!j->expires || j->expires > now)
            cookie_format_line(&c, &b);
    }
    snprintf(tmp, n, "%s.XXXXXX", path);
    fd = mkstemp(tmp);
    if (fd < 0)
        err = errno;
    else if (write(fd, b.p, b.len) != (ssize_t)b.len)
        err = errno ? errno : EIO;
    if (fd >= 0 && close(fd) != 0 && !err)
        err = errno;
    if (fd >= 0 && !err && rename(tmp, path) != 0)
        err = errno;
    if (fd >= 0 && err)
        unlink(tmp);
    if (err)
        diag_error(H2E_WRITE, "cannot write the cookie jar '%s': %s", path, strerror(err));
    free(tmp);
    buf_release(&b);
    return err ? H2E_WRITE : 0;
}

int cookies_finish(struct client *cl, bool write_jar)
{
    const char *path = cl->cfg->cookies.jar;
    int rv = path && cl->jar && write_jar ? save(cl, path) : 0;

    while (cl->jar && cl->jar->n)
        drop(cl->jar, cl->jar->n - 1);
    if (cl->jar)
        free(cl->jar->c);
    free(cl->jar);
    cl->jar = NULL;
    return rv;
}
