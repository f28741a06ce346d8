/* SPDX-License-Identifier: MIT */
/*
 * Building one URL's request: the HTTP/2 field list (pseudo-headers first, RFC 9113
 * §8.3.1) and the HTTP/1.1 request head, from the URL and the options: method, user agent,
 * accept, referer, basic credentials (dropped after a cross-origin redirect), content type
 * and length, then the user's -H fields, which replace h2get's own of the same name.
 * Also the request body source (-d data in memory, -T file or stdin read in chunks).
 */
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec/coding.h"
#include "codec/h1.h"
#include "codec/hpack.h"
#include "codec/sse.h"
#include "cookies.h"
#include "creds.h"
#include "run.h"
#include "sys/xalloc.h"
#include "via.h"
#include "vlog.h"
#include "xfer.h"

#define UPLOAD_CHUNK (64u * 1024u)
/* Below this, a regular file's buffer is topped up: the smallest MAX_FRAME_SIZE (RFC 9113
 * §4.2), so that every frame the windows allow in full is full. */
#define UPLOAD_TOP_UP (16u * 1024u)

/* A field list under construction: names and values are appended to `store` and turned
 * into spans only at the end, because `store` may move while it grows. The first failure
 * sticks in `err` (H2E_LIMIT_BUFFER: `store` is full; H2E_NOMEM) and fails the request. */
struct fl {
    struct buf *store;
    size_t (*off)[4]; /* name offset, name length, value offset, value length */
    size_t n, cap;
    int err;
};

static void fl_add(struct fl *l, const char *name, size_t nlen, const char *value, size_t vlen)
{
    int rv;

    if (l->err)
        return;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->off = xrealloc(l->off, l->cap * sizeof(*l->off));
    }
    l->off[l->n][0] = l->store->len;
    l->off[l->n][1] = nlen;
    l->off[l->n][2] = l->store->len + nlen;
    l->off[l->n][3] = vlen;
    rv = buf_append(l->store, name, nlen);
    if (rv == 0)
        rv = buf_append(l->store, value, vlen);
    if (rv)
        l->err = rv;
    else
        l->n++;
}

static void fl_adds(struct fl *l, const char *name, const char *value)
{
    fl_add(l, name, strlen(name), value, strlen(value));
}

/* The request cannot be built: fail `x` saying why (after the fields, freed). */
static int fl_fail(struct xfer *x, struct fl *l)
{
    free(l->off);
    l->off = NULL;
    if (l->err == H2E_LIMIT_BUFFER)
        xfer_fail(x, l->err, "the request's header fields take more than %zu bytes", l->store->max);
    else
        xfer_fail(x, l->err, "cannot encode the credentials of --user");
    return l->err;
}

/* "Basic " and the base64 of `user` (RFC 7617 §2), by GnuTLS; caller frees with free().
 * NULL when GnuTLS cannot encode it (out of memory). */
static char *basic_auth(const char *user)
{
    size_t n = strlen(user);
    gnutls_datum_t in = {(unsigned char *)(uintptr_t)user, (unsigned int)n}, enc;
    char *s;

    if (n > UINT_MAX || gnutls_base64_encode2(&in, &enc) != 0)
        return NULL;
    s = xmalloc(enc.size + 7);
    memcpy(s, "Basic ", 6);
    memcpy(s + 6, enc.data, enc.size);
    s[6 + enc.size] = 0;
    gnutls_free(enc.data);
    return s;
}

/* The user's -H for `name` (lowercase), or NULL. */
static const struct cli_header *user_header(const struct config *cfg, const char *name)
{
    size_t i;
    for (i = 0; i < cfg->req.nheaders; i++) {
        struct span n = cfg->req.headers[i].name;
        if (n.len == strlen(name) && strncasecmp((const char *)n.p, name, n.len) == 0)
            return &cfg->req.headers[i];
    }
    return NULL;
}

/* Add h2get's own field `name` unless a -H replaces or removes it. */
static void own(struct fl *l, const struct config *cfg, const char *name, const char *value)
{
    if (!value || user_header(cfg, name))
        return;
    fl_adds(l, name, value);
}

/* The -H fields, but credentials not to another origin after a redirect. */
static void user_fields(struct xfer *x, struct fl *l)
{
    const struct config *cfg = x->cl->cfg;
    size_t i;

    for (i = 0; i < cfg->req.nheaders; i++) {
        const struct cli_header *h = &cfg->req.headers[i];
        if (h->remove || (h->name.len && h->name.p[0] == ':') ||
            (h->name.len == 4 && strncasecmp((const char *)h->name.p, "host", 4) == 0))
            continue;
        /* RFC 9110 §11.6.2: credentials never follow a redirect to another origin */
        if (x->req.drop_auth &&
            ((h->name.len == 13 && !strncasecmp((const char *)h->name.p, "authorization", 13)) ||
             (h->name.len == 6 && !strncasecmp((const char *)h->name.p, "cookie", 6))))
            continue;
        fl_add(l, (const char *)h->name.p, h->name.len, (const char *)h->value.p, h->value.len);
    }
}

/* Basic credentials: -u (not to another origin after a redirect, unless
 * --location-trusted), else those .netrc has for the host of this very request. */
static void auth_field(struct xfer *x, struct fl *l)
{
    const struct config *cfg = x->cl->cfg;
    char *netrc = cfg->req.user ? NULL : creds_netrc(x->cl, x->req.url.host);
    const char *user = cfg->req.user && !x->req.drop_auth ? cfg->req.user : netrc;
    char *auth = user ? basic_auth(user) : NULL;

    if (auth)
        own(l, cfg, "authorization", auth);
    else if (user && !l->err)
        l->err = H2E_NOMEM;
    free(auth);
    free(netrc);
}

/* -z and --etag-compare (xfer_cond.c). */
static void cond_fields(struct xfer *x, struct fl *l)
{
    const struct config *cfg = x->cl->cfg;
    char date[30], etag[1024];
    const char *name = NULL;
    const char *t = xfer_time_cond(x, date, &name);

    if (t)
        own(l, cfg, name, t);
    own(l, cfg, "if-none-match", xfer_etag_compare(x, etag, sizeof(etag)));
}

/* --sse: the cache must not answer, and a reconnection names the last event it saw
 * (WHATWG HTML §9.2.3: Last-Event-ID, sent only when the last event ID is not empty). */
static void sse_fields(struct xfer *x, struct fl *l)
{
    const struct config *cfg = x->cl->cfg;
    struct span id = x->resp.sse ? sse_last_id(x->resp.sse) : span_of(NULL, 0);
    char *v;

    if (!cfg->req.sse)
        return;
    own(l, cfg, "cache-control", "no-cache");
    if (!id.len)
        return;
    v = xstrndup((const char *)id.p, id.len);
    own(l, cfg, "last-event-id", v);
    free(v);
}

static const char *accept_value(const struct config *cfg)
{
    if (cfg->req.sse)
        return "text/event-stream";
    return cfg->req.body == CLI_BODY_JSON ? "application/json" : "*/*";
}

/* The regular fields both protocols send, in order (names lowercase). */
static void regular_fields(struct xfer *x, struct fl *l)
{
    const struct config *cfg = x->cl->cfg;
    char len[32], range[64];
    struct buf cookie;

    buf_init(&cookie, &xalloc_mem, SIZE_MAX); /* bounded by the jar's bounds */
    own(l, cfg, "user-agent", *cfg->req.user_agent ? cfg->req.user_agent : NULL);
    own(l, cfg, "accept", accept_value(cfg));
    own(l, cfg, "referer", cfg->req.referer);
    own(l, cfg, "range", xfer_range_value(x, range, sizeof(range)));
    cond_fields(x, l);
    sse_fields(x, l);
    cookies_field(x->cl, x, &cookie);
    if (cookie.len && !buf_append(&cookie, "", 1)) /* as a string */
        own(l, cfg, "cookie", (const char *)cookie.p);
    buf_release(&cookie);
    own(l, cfg, "accept-encoding", cfg->req.compressed ? CODING_ACCEPT : NULL);
    auth_field(x, l);
    if (x->req.has_body && cfg->req.ntrailers)
        own(l, cfg, "te", "trailers"); /* RFC 9113 §8.2.2: the one value allowed */
    if (x->req.has_body) {
        own(l, cfg, "content-type", cli_content_type(cfg));
        if (x->up.len >= 0) {
            snprintf(len, sizeof(len), "%lld", (long long)x->up.len);
            own(l, cfg, "content-length", len);
        }
    }
    user_fields(x, l);
}

/* A pseudo-header value: the -H override (nghttp habit) or ours. */
static void pseudo(struct fl *l, const struct config *cfg, const char *name, const char *v,
                   size_t vlen)
{
    const struct cli_header *h = user_header(cfg, name);
    if (h && !h->remove)
        fl_add(l, name, strlen(name), (const char *)h->value.p, h->value.len);
    else
        fl_add(l, name, strlen(name), v, vlen);
}

int xfer_h2_fields(struct xfer *x, struct hpack_field **out, size_t *n, struct buf *store)
{
    const struct config *cfg = x->cl->cfg;
    struct buf tmp;
    struct fl l = {store, NULL, 0, 0, 0};
    const struct cli_header *host = user_header(cfg, "host");
    size_t i;

    buf_init(&tmp, &xalloc_mem, SIZE_MAX); /* no cap: the field store has one, said */
    pseudo(&l, cfg, ":method", x->req.method, strlen(x->req.method));
    pseudo(&l, cfg, ":scheme", x->req.url.scheme, strlen(x->req.url.scheme));
    url_authority(&x->req.url, &tmp);
    if (host && !host->remove) /* RFC 9113 §8.3.1: Host becomes :authority */
        pseudo(&l, cfg, ":authority", (const char *)host->value.p, host->value.len);
    else
        pseudo(&l, cfg, ":authority", (const char *)tmp.p, tmp.len);
    buf_reset(&tmp);
    url_request_target(&x->req.url, &tmp);
    pseudo(&l, cfg, ":path", (const char *)tmp.p, tmp.len);
    buf_release(&tmp);
    regular_fields(x, &l);
    if (l.err)
        return fl_fail(x, &l);
    *out = xcalloc(l.n ? l.n : 1, sizeof(**out));
    for (i = 0; i < l.n; i++) {
        (*out)[i].name = span_of(store->p + l.off[i][0], l.off[i][1]);
        (*out)[i].value = span_of(store->p + l.off[i][2], l.off[i][3]);
        if (span_eq_str((*out)[i].name, "authorization"))
            (*out)[i].flags = HPACK_FIELD_SENSITIVE;
        vlog_field(x->cl, '>', (*out)[i].name, (*out)[i].value);
    }
    *n = l.n;
    free(l.off);
    return 0;
}

/* Absolute-form requests to an HTTP proxy (RFC 9112 §3.2.2) carry the proxy's fields too:
 * Proxy-Authorization, then --proxy-header (which replaces or, empty, removes ours). */
static void proxy_fields(struct xfer *x, struct fl *l)
{
    const struct config *cfg = x->cl->cfg;
    bool own_auth = x->req.via->basic != NULL;
    size_t i;

    for (i = 0; i < cfg->proxy.nheaders; i++)
        if (span_ieq_str(cfg->proxy.headers[i].name, "proxy-authorization"))
            own_auth = false;
    if (own_auth)
        fl_adds(l, "proxy-authorization", x->req.via->basic);
    for (i = 0; i < cfg->proxy.nheaders; i++) {
        const struct cli_header *h = &cfg->proxy.headers[i];
        if (!h->remove)
            fl_add(l, (const char *)h->name.p, h->name.len, (const char *)h->value.p, h->value.len);
    }
}

/* The request target: origin-form, or absolute-form to a proxy (RFC 9112 §3.2.2). */
static void target_of(const struct xfer *x, struct buf *target)
{
    if (x->req.forward) {
        buf_append(target, x->req.url.scheme, strlen(x->req.url.scheme));
        buf_append(target, "://", 3);
        url_authority(&x->req.url, target);
    }
    url_request_target(&x->req.url, target);
}

int xfer_h1_request(struct xfer *x, struct buf *out, bool chunked)
{
    const struct config *cfg = x->cl->cfg;
    struct buf store, target, host;
    struct fl l;
    struct h1_header *hdrs;
    struct h1_request req;
    struct h2e_info info = H2E_INFO_INIT;
    const struct cli_header *uh = user_header(cfg, "host");
    size_t i;
    int rv;

    buf_init(&store, &xalloc_mem, 1u << 24);
    buf_init(&target, &xalloc_mem, SIZE_MAX); /* no caps: `out` has one, said */
    buf_init(&host, &xalloc_mem, SIZE_MAX);
    memset(&l, 0, sizeof(l));
    l.store = &store;
    regular_fields(x, &l);
    if (x->req.forward)
        proxy_fields(x, &l);
    if (l.err) {
        rv = fl_fail(x, &l);
        buf_release(&store);
        buf_release(&target);
        buf_release(&host);
        return rv;
    }
    target_of(x, &target);
    url_authority(&x->req.url, &host);
    hdrs = xcalloc(l.n + 1, sizeof(*hdrs));
    for (i = 0; i < l.n; i++) {
        hdrs[i].name = span_of(store.p + l.off[i][0], l.off[i][1]);
        hdrs[i].value = span_of(store.p + l.off[i][2], l.off[i][3]);
    }
    memset(&req, 0, sizeof(req));
    req.method = span_str(x->req.method);
    req.target = buf_span(&target);
    req.host = uh && !uh->remove ? uh->value : buf_span(&host);
    req.headers = hdrs;
    req.nheaders = l.n;
    req.body = !x->req.has_body ? H1_REQ_BODY_NONE
               : chunked        ? H1_REQ_BODY_CHUNKED
                                : H1_REQ_BODY_LENGTH;
    req.content_length = x->up.len >= 0 ? (uint64_t)x->up.len : 0;
    /* content-length was added to the fields above; h1 writes its own framing header */
    for (i = 0; i < req.nheaders; i++)
        if (span_eq_str(hdrs[i].name, "content-length") && !user_header(cfg, "content-length"))
            hdrs[i] = hdrs[--req.nheaders];
    rv = h1_write_request(out, &req, &info);
    if (rv == 0) {
        vlog(x->cl, "> %s %.*s HTTP/1.1", x->req.method, (int)target.len, (const char *)target.p);
        vlog_field(x->cl, '>', span_str("host"), req.host);
        for (i = 0; i < req.nheaders; i++) /* the proxy's credentials are never shown */
            vlog_field(x->cl, '>', hdrs[i].name,
                       span_ieq_str(hdrs[i].name, "proxy-authorization") ? span_str("[masked]")
                                                                         : hdrs[i].value);
    }
    free(hdrs);
    free(l.off);
    buf_release(&store);
    buf_release(&target);
    buf_release(&host);
    if (rv)
        xfer_fail(x, rv, "cannot write the request: %s", info.why ? info.why : h2e_str(rv));
    return rv;
}

/* Open the -T source; `body_len` is its size when it is a regular file. */
int xfer_open_upload(struct xfer *x)
{
    const char *f = x->cl->cfg->req.upload_file;
    struct stat st;

    x->up.fd = strcmp(f, "-") == 0 ? STDIN_FILENO : open(f, O_RDONLY | O_CLOEXEC);
    if (x->up.fd < 0) {
        xfer_fail(x, H2E_READ, "cannot read '%s': %s", f, strerror(errno));
        return H2E_READ;
    }
    x->up.start = lseek(x->up.fd, 0, SEEK_CUR); /* stdin may be a file, mid-way */
    x->up.len = fstat(x->up.fd, &st) == 0 && S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
    if (x->up.len >= 0 && x->up.start > 0) /* the rest of the file from there */
        x->up.len = x->up.start < st.st_size ? (int64_t)(st.st_size - x->up.start) : 0;
    pipe_in_init(&x->up.in, x->up.fd, UPLOAD_CHUNK);
    return 0;
}

/* Nothing sent yet needs nothing (what was read waits in the chunk, kept by
 * xfer_reset_response); a file, stdin included, is read again from where the body
 * started; a pipe cannot be. */
const char *xfer_rewind_upload(struct xfer *x)
{
    if (x->up.fd < 0 || x->up.sent == 0)
        return NULL;
    if (x->up.start >= 0 && lseek(x->up.fd, x->up.start, SEEK_SET) == x->up.start)
        return NULL;
    return "the request body came from a pipe and was already sent";
}

int xfer_body_next(struct xfer *x, const uint8_t **p, size_t *n, bool *last)
{
    const struct config *cfg = x->cl->cfg;
    struct span d;

    if (cfg->req.body != CLI_BODY_UPLOAD) {
        *p = cfg->req.data + x->up.sent;
        *n = cfg->req.data_len - (size_t)x->up.sent;
        *last = true; /* the whole rest is offered at once */
        return 0;
    }
    d = pipe_in_data(&x->up.in);
    /* From a pipe, what one read returns goes out as it is, never waiting for more; a
     * regular file is topped up before its rest is too small for a full frame, or the end
     * of each buffer would go out as a frame of a few bytes. */
    if (!d.len || (x->up.in.regular && d.len < UPLOAD_TOP_UP)) {
        pipe_in_fill(&x->up.in);
        d = pipe_in_data(&x->up.in);
    }
    if (x->up.in.err) {
        xfer_fail(x, H2E_READ, "cannot read '%s': %s", cfg->req.upload_file,
                  strerror(x->up.in.err));
        return H2E_READ;
    }
    if (!d.len && !x->up.in.eof)
        x->cl->wait_in = &x->up.in; /* the loop's poll() wakes us when input comes */
    *p = d.p;
    *n = d.len;
    *last = x->up.in.eof || (x->up.len >= 0 && x->up.sent + *n >= (uint64_t)x->up.len);
    return 0;
}

void xfer_body_prefetch(struct xfer *x)
{
    if (x->cl->cfg->req.body == CLI_BODY_UPLOAD && x->up.in.regular && !x->up.done)
        pipe_in_fill(&x->up.in);
}

void xfer_body_advance(struct xfer *x, size_t n, bool finished)
{
    x->up.sent += n;
    if (x->cl->cfg->req.body == CLI_BODY_UPLOAD)
        pipe_in_consume(&x->up.in, n);
    if (finished)
        x->up.done = true;
}
