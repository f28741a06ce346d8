/* SPDX-License-Identifier: MIT */
/*
 * The handshake that turns a connection to a proxy into a tunnel to a target: HTTP CONNECT
 * (RFC 9110 §9.3.6) over HTTP/1.1, SOCKS4/4a, and SOCKS5 (RFC 1928) with username/password
 * authentication (RFC 1929). Non-blocking over any io (TCP, or TLS to an https:// proxy):
 * call tunnel_step whenever the io may make progress. Bytes the proxy sent after its reply
 * are given back to the io (io_unread), so the tunnel loses none. Messages come from the
 * codecs (codec/socks, codec/h1); this module only sequences them and says what failed,
 * naming the proxy's answer. Never resolves names and never prints.
 */
#ifndef H2GET_TUNNEL_H
#define H2GET_TUNNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "codec/proxy.h"
#include "codec/socks.h"
#include "io.h"

#define TUNNEL_DETAIL_MAX 512
/* Longest reply head read from an HTTP proxy (its 407 page may follow, unread). */
#define TUNNEL_HEAD_MAX (64u * 1024u)

/* What to ask the proxy for; everything is borrowed for tunnel_start. */
struct tunnel_req {
    enum proxy_kind kind;
    /* the target: for SOCKS4 and SOCKS5 an IP literal already resolved here; for SOCKS4a,
     * SOCKS5h and HTTP whatever the user named (the proxy resolves it) */
    const char *host;
    uint16_t port;
    /* SOCKS5: username/password to offer (RFC 1929); SOCKS4: `user` is the user id */
    bool has_user;
    struct span user;
    struct span password;
    /* HTTP: the whole CONNECT request head; `has_user` says it carries credentials */
    struct span http_head;
};

enum tunnel_state {
    TUNNEL_SEND,   /* writing out */
    TUNNEL_METHOD, /* SOCKS5: waiting for the method selection */
    TUNNEL_AUTH,   /* SOCKS5: waiting for the RFC 1929 reply */
    TUNNEL_REPLY,  /* waiting for the reply to CONNECT */
    TUNNEL_OPEN,   /* the tunnel is established */
    TUNNEL_FAILED,
};

/*
 * One handshake. Readable: `status` (HTTP: the final status of the reply to CONNECT, also
 * when it failed; 0 before), `reply` (SOCKS: the reply code), `code` and `detail` after a
 * failure (detail names the proxy's answer; it never holds the credentials).
 */
struct tunnel {
    enum proxy_kind kind;
    enum tunnel_state state;
    enum tunnel_state next; /* what TUNNEL_SEND waits for once the output is written */
    struct buf out;
    size_t out_off;
    struct buf in;
    struct buf auth; /* SOCKS5: the RFC 1929 request, sent only if the proxy asks */
    struct socks_target target;
    char host[256];
    bool has_user;
    int status;
    uint8_t reply;
    int code;
    char detail[TUNNEL_DETAIL_MAX];
};

/*
 * tunnel_start - prepare the handshake of `r`. Returns 0; H2E_USAGE when the target cannot
 * be asked for this way (an IPv6 address over SOCKS4, a name over 255 bytes, credentials
 * over 255 bytes for SOCKS5), with `detail` saying why. Release with tunnel_release either
 * way.
 */
int tunnel_start(struct tunnel *t, const struct tunnel_req *r);

/*
 * tunnel_step - make what progress `io` allows. Returns 0 once the tunnel is open (bytes
 * after the reply were given back to `io`); H2E_INCOMPLETE (poll for tunnel_events);
 * H2E_PROXY_TUNNEL (exit 56: the HTTP proxy answered CONNECT with a status other than
 * 2xx, or with something that is not an HTTP/1.1 response, or closed the connection
 * before its answer ended); H2E_PROXY_HANDSHAKE (exit 97: a SOCKS proxy refused, closed
 * or replied with something that is not SOCKS); the io's own error (H2E_SEND, H2E_RECV).
 * After an error `code` and `detail` hold it and later calls return it again.
 */
int tunnel_step(struct tunnel *t, struct io *io);

/* tunnel_events - POLLIN/POLLOUT the handshake waits for on `io`. */
short tunnel_events(const struct tunnel *t, const struct io *io);

/* tunnel_release - free the buffers (the credentials in them are wiped first). */
void tunnel_release(struct tunnel *t);

#endif
