/* SPDX-License-Identifier: MIT */
/*
 * Which proxy a URL goes through, with curl's precedence (CLI.md §5): -x over the
 * environment ("-x ''" turns proxies off); else http_proxy (lowercase only) for http://,
 * https_proxy then HTTPS_PROXY for https://, then all_proxy and ALL_PROXY; no_proxy then
 * NO_PROXY unless --noproxy is given, applied to -x too. Each proxy is parsed once, when a
 * URL first needs it; its credentials (the URL's, else -U's) never reach a message. Also
 * the requests to a proxy: the CONNECT head, Proxy-Authorization, --proxy-header, and the
 * TLS contexts for https:// proxies.
 */
#ifndef H2GET_VIA_H
#define H2GET_VIA_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "codec/proxy.h"
#include "codec/url.h"
#include "net/tls.h"

struct client;

/* One proxy of the run. Read-only for the other modules. */
struct via {
    const char *source;           /* "-x", "http_proxy", "HTTPS_PROXY", "all_proxy"... */
    struct proxy_url url;         /* parsed; its credentials live in `work` */
    struct buf work;              /* owned */
    bool has_user;                /* credentials to give: the URL's, else -U's */
    struct span user;             /* borrowed from `work` or the command line */
    struct span password;         /* likewise */
    char *basic;                  /* HTTP proxies with credentials: "Basic ..." (RFC 7617); owned */
    char name[URL_HOST_MAX + 32]; /* "http://proxy.example:3128": for messages, no credentials */
    bool h1; /* an https:// proxy that selected http/1.1: a connection per tunnel */
};

/*
 * via_for - the proxy the URL `u` goes through now, or NULL for a direct connection.
 * On failure NULL is returned with `*err` set (0 otherwise): H2E_PROXY_URL or
 * H2E_PROXY_SCHEME for a proxy URL that does not parse, H2E_USAGE for a bad no_proxy
 * entry; `why` (`cap` bytes) then says which, naming the variable, credentials masked.
 */
const struct via *via_for(struct client *cl, const struct url *u, int *err, char *why, size_t cap);

/* via_tunnels - whether `u` goes through `v` in a tunnel (SOCKS, https://, -p, h2c prior
 * knowledge) rather than as absolute-form HTTP/1.1 requests to the proxy itself. */
bool via_tunnels(const struct client *cl, const struct via *v, const struct url *u);

/* via_authority - "host:port" of `host` (IPv6 in brackets) into `out` (`cap` bytes). */
void via_authority(const char *host, uint16_t port, char *out, size_t cap);

/*
 * via_connect_head - append to `out` the HTTP/1.1 CONNECT request for `authority`:
 * Host, Proxy-Authorization (when `v` has credentials), User-Agent and --proxy-header,
 * logged with -v (credentials masked). Returns 0 or the H2E_* of h1_write_request, with
 * `why` set.
 */
int via_connect_head(struct client *cl, const struct via *v, const char *authority, struct buf *out,
                     const char **why);

/* via_tls - the TLS context for connections to https:// proxies (--proxy-cacert,
 * --proxy-insecure; ALPN h2,http/1.1, or http/1.1 alone when `h1_only`), made on first
 * use. `*err` is set when it cannot be made; the context's `detail` then says why. */
struct tls_ctx *via_tls(struct client *cl, bool h1_only, int *err);

/* via_mark_h1 - the https:// proxy `v` selected HTTP/1.1: from now on one connection per
 * tunnel. */
void via_mark_h1(const struct via *v);

/* via_release - free the run's proxies and their TLS contexts. */
void via_release(struct client *cl);

#endif
