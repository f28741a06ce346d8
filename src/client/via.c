/* SPDX-License-Identifier: MIT */
/*
 * The proxies of a run (curl's rules, read from its documentation: -x wins over the
 * environment, http_proxy is only read in lowercase, the lowercase variables win over the
 * uppercase ones, the no_proxy list applies to -x as well and --noproxy replaces it). A
 * proxy is parsed when a URL first needs it, so a bad variable fails only the URLs it
 * would serve. Credentials: the proxy URL's (percent-decoded), else -U's as given; they
 * are masked wherever the proxy is named.
 */
#include "via.h"

#include <gnutls/gnutls.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cconn.h"
#include "codec/h1.h"
#include "run.h"
#include "sys/diag.h"
#include "sys/xalloc.h"
#include "vlog.h"

/* Proxies a run can name: -x and the five variables. */
#define VIA_MAX 6

struct vias {
    struct via *v[VIA_MAX];
    size_t n;
    bool noproxy_read;
    const char *noproxy;     /* the list in force, or NULL */
    const char *noproxy_src; /* "--noproxy", "no_proxy" or "NO_PROXY" */
    struct tls_ctx tls[2];   /* ALPN h2,http/1.1 and http/1.1 alone */
    /* pick()'s answer for http:// [0] and https:// [1] URLs, looked up once per run */
    bool picked[2];
    const char *pick_text[2], *pick_src[2];
    bool tls_ready[2];
    int tls_error;
};

static struct vias *vias(struct client *cl)
{
    if (!cl->vias)
        cl->vias = xcalloc(1, sizeof(*cl->vias));
    return cl->vias;
}

/* An environment variable, NULL when unset or empty. */
static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* The proxy URL for `u` and where it came from; NULL for none. */
static const char *pick(const struct client *cl, const struct url *u, const char **src)
{
    static const char *const https[] = {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
    /* curl: http_proxy only in lowercase (HTTP_PROXY may come from a CGI request header) */
    static const char *const http[] = {"http_proxy", "all_proxy", "ALL_PROXY"};
    const char *const *names = u->tls ? https : http;
    size_t i, n = u->tls ? 4 : 3;

    if (cl->cfg->proxy.url) {
        *src = "-x";
        return *cl->cfg->proxy.url ? cl->cfg->proxy.url : NULL;
    }
    for (i = 0; i < n; i++)
        if (env(names[i])) {
            *src = names[i];
            return env(names[i]);
        }
    return NULL;
}

/* `in` with its user information, if any, replaced by "***" (into `out`). */
static void masked(const char *in, char *out, size_t cap)
{
    const char *start = strstr(in, "://"), *end, *at = NULL, *p;

    start = start ? start + 3 : in;
    end = start + strcspn(start, "/?#");
    for (p = start; p < end; p++)
        if (*p == '@')
            at = p;
    if (!at)
        snprintf(out, cap, "%s", in);
    else
        snprintf(out, cap, "%.*s***%s", (int)(start - in), in, at);
}

/* The no_proxy list in force, checked once; false (and `why`) when it has a bad entry. */
static bool noproxy(struct client *cl, int *err, char *why, size_t cap)
{
    struct vias *vs = vias(cl);
    struct h2e_info info = H2E_INFO_INIT;
    struct span bad = {NULL, 0};

    if (!vs->noproxy_read) {
        vs->noproxy_read = true;
        vs->noproxy_src = cl->cfg->proxy.noproxy ? "--noproxy"
                          : env("no_proxy")      ? "no_proxy"
                                                 : "NO_PROXY";
        vs->noproxy = cl->cfg->proxy.noproxy ? cl->cfg->proxy.noproxy : env(vs->noproxy_src);
    }
    if (!vs->noproxy || proxy_noproxy_check(vs->noproxy, &bad, &info) == 0)
        return true;
    *err = H2E_USAGE;
    snprintf(why, cap, "bad entry '%.*s' in %s: %s", (int)bad.len, (const char *)bad.p,
             vs->noproxy_src, info.why ? info.why : "bad syntax");
    return false;
}

/* "Basic " and the base64 of "user:password" (RFC 7617 §2), or NULL when out of memory. */
static char *basic(struct span user, struct span password)
{
    size_t n = user.len + 1 + password.len;
    unsigned char *raw = xmalloc(n + 1);
    gnutls_datum_t in = {raw, (unsigned int)n}, enc;
    char *s = NULL;

    memcpy(raw, user.p, user.len);
    raw[user.len] = ':';
    memcpy(raw + user.len + 1, password.p, password.len);
    if (n <= UINT_MAX && gnutls_base64_encode2(&in, &enc) == 0) {
        s = xmalloc(enc.size + 7);
        memcpy(s, "Basic ", 6);
        memcpy(s + 6, enc.data, enc.size);
        s[6 + enc.size] = 0;
        gnutls_free(enc.data);
    }
    memset(raw, 0, n);
    free(raw);
    return s;
}

/* The credentials to give: the proxy URL's, else -U's ("user:password"; no colon means
 * an empty password). */
static void credentials(const struct client *cl, struct via *v)
{
    const char *u = cl->cfg->proxy.user, *colon;

    if (v->url.has_user) {
        v->has_user = true;
        v->user = v->url.user;
        v->password = v->url.password;
    } else if (u) {
        colon = strchr(u, ':');
        v->has_user = true;
        v->user = span_of(u, colon ? (size_t)(colon - u) : strlen(u));
        v->password = colon ? span_str(colon + 1) : span_of("", 0);
    }
    if (v->has_user && !proxy_is_socks(v->url.kind))
        v->basic = basic(v->user, v->password);
}

static struct via *make(struct client *cl, const char *text, const char *src, int *err, char *why,
                        size_t cap)
{
    struct via *v = xcalloc(1, sizeof(*v));
    struct h2e_info info = H2E_INFO_INIT;
    char shown[512];

    v->source = src;
    buf_init(&v->work, &xalloc_mem, 2 * strlen(text) + 64);
    *err = proxy_parse_url(text, &v->url, &v->work, &info);
    if (*err) {
        masked(text, shown, sizeof(shown));
        snprintf(why, cap, "'%s' (%s): %s", shown, src, info.why ? info.why : h2e_str(*err));
        buf_release(&v->work);
        free(v);
        return NULL;
    }
    credentials(cl, v);
    if (v->basic && cl->trace)
        trace_secret(cl->trace, span_str(v->basic)); /* --hexdump masks it */
    snprintf(v->name, sizeof(v->name),
             v->url.host_kind == URL_HOST_IPV6 ? "%s://[%s]:%u" : "%s://%s:%u",
             proxy_kind_name(v->url.kind), v->url.host, (unsigned)v->url.port);
    return v;
}

const struct via *via_for(struct client *cl, const struct url *u, int *err, char *why, size_t cap)
{
    struct vias *vs = vias(cl);
    const char *src, *text;
    size_t i, k = u->tls ? 1 : 0;

    if (!vs->picked[k]) { /* the environment does not change during a run */
        vs->picked[k] = true;
        vs->pick_text[k] = pick(cl, u, &vs->pick_src[k]);
    }
    text = vs->pick_text[k];
    src = vs->pick_src[k];
    *err = 0;
    if (!text || !noproxy(cl, err, why, cap))
        return NULL;
    if (vs->noproxy && proxy_noproxy_match(vs->noproxy, u->host, u->port))
        return NULL;
    for (i = 0; i < vs->n; i++)
        if (vs->v[i]->source == src)
            return vs->v[i];
    if (vs->n == VIA_MAX)
        abort(); /* broken invariant: one proxy per source, and there are VIA_MAX sources */
    vs->v[vs->n] = make(cl, text, src, err, why, cap);
    return vs->v[vs->n] ? vs->v[vs->n++] : NULL;
}

bool via_tunnels(const struct client *cl, const struct via *v, const struct url *u)
{
    return proxy_is_socks(v->url.kind) || u->tls || cl->cfg->proxy.tunnel ||
           cl->cfg->proto.http == CLI_HTTP_2_PRIOR;
}

void via_authority(const char *host, uint16_t port, char *out, size_t cap)
{
    snprintf(out, cap, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, (unsigned)port);
}

void via_mark_h1(const struct via *v)
{
    ((struct via *)v)->h1 = true;
}

/* --proxy-header NAME, if given (then it replaces or, empty, removes h2get's own). */
static const struct cli_header *proxy_header(const struct config *cfg, const char *name)
{
    size_t i;

    for (i = 0; i < cfg->proxy.nheaders; i++)
        if (span_ieq_str(cfg->proxy.headers[i].name, name))
            return &cfg->proxy.headers[i];
    return NULL;
}

/* h2get's fields for the proxy, then the user's --proxy-header ones, into `h`. */
static size_t connect_fields(const struct client *cl, const struct via *v, struct h1_header *h)
{
    const struct config *cfg = cl->cfg;
    size_t n = 0, i;

    if (v->basic && !proxy_header(cfg, "proxy-authorization"))
        h[n++] = (struct h1_header){span_str("Proxy-Authorization"), span_str(v->basic)};
    if (*cfg->req.user_agent && !proxy_header(cfg, "user-agent"))
        h[n++] = (struct h1_header){span_str("User-Agent"), span_str(cfg->req.user_agent)};
    for (i = 0; i < cfg->proxy.nheaders; i++)
        if (!cfg->proxy.headers[i].remove)
            h[n++] = (struct h1_header){cfg->proxy.headers[i].name, cfg->proxy.headers[i].value};
    return n;
}

int via_connect_head(struct client *cl, const struct via *v, const char *authority, struct buf *out,
                     const char **why)
{
    struct h1_header *h = xcalloc(cl->cfg->proxy.nheaders + 2, sizeof(*h));
    struct h1_request req;
    struct h2e_info info = H2E_INFO_INIT;
    size_t i;
    int rv;

    memset(&req, 0, sizeof(req));
    req.method = span_str("CONNECT");
    req.target = span_str(authority); /* RFC 9112 §3.2.3: authority-form */
    req.host = span_str(authority);
    req.headers = h;
    req.nheaders = connect_fields(cl, v, h);
    rv = h1_write_request(out, &req, &info);
    *why = info.why;
    if (rv == 0 && vlog_on(cl)) {
        vlog(cl, "> CONNECT %s HTTP/1.1", authority);
        vlog_field(cl, '>', span_str("Host"), req.host);
        for (i = 0; i < req.nheaders; i++)
            vlog_field(cl, '>', h[i].name,
                       span_ieq_str(h[i].name, "proxy-authorization") ? span_str("[masked]")
                                                                      : h[i].value);
    }
    free(h);
    return rv;
}

struct tls_ctx *via_tls(struct client *cl, bool h1_only, int *err)
{
    const struct config *cfg = cl->cfg;
    struct vias *vs = vias(cl);
    int i = h1_only ? 1 : 0;
    struct h2e_info info = H2E_INFO_INIT;
    struct tls_opts o;

    *err = vs->tls_error;
    if (vs->tls_ready[i] || *err)
        return &vs->tls[i];
    cconn_tls_opts(cfg, h1_only ? "http/1.1" : "h2,http/1.1", &o);
    o.cacert = cfg->proxy.cacert; /* the proxy's own trust (--proxy-cacert, -insecure) */
    o.capath = NULL;
    o.insecure = cfg->proxy.insecure;
    *err = vs->tls_error = tls_ctx_init(&vs->tls[i], &o, &info);
    if (*err)
        return &vs->tls[i]; /* its `detail` says why */
    vs->tls_ready[i] = true;
    if (cfg->proxy.insecure && !vs->tls_ready[1 - i])
        diag_warn("proxy certificate verification is off (--proxy-insecure): the proxy is not "
                  "authenticated");
    return &vs->tls[i];
}

void via_release(struct client *cl)
{
    struct vias *vs = cl->vias;
    size_t i;

    if (!vs)
        return;
    for (i = 0; i < vs->n; i++) {
        struct via *v = vs->v[i];
        if (v->work.p)
            memset(v->work.p, 0, v->work.len);
        buf_release(&v->work);
        if (v->basic)
            memset(v->basic, 0, strlen(v->basic));
        free(v->basic);
        free(v);
    }
    for (i = 0; i < 2; i++)
        if (vs->tls_ready[i])
            tls_ctx_release(&vs->tls[i]);
    free(vs);
    cl->vias = NULL;
}
