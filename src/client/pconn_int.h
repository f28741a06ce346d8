/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by pconn.c (tunnels, their lifetimes, HTTP/1.1 and SOCKS proxies) and
 * pconn_h2.c (tunnels as CONNECT streams over an HTTP/2 proxy). Not for other modules.
 */
#ifndef H2GET_PCONN_INT_H
#define H2GET_PCONN_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <poll.h>

#include "base/buf.h"
#include "base/limits.h"
#include "codec/url.h"
#include "net/io.h"
#include "net/net.h"
#include "net/tunnel.h"
#include "cconn.h"
#include "pconn.h"

struct client;
struct net_lookup;
struct via;

/* What a tunnel's user may have written and the proxy not yet sent. */
#define TUN_SEND_MAX (256u * 1024u)
/* What the proxy may have sent and the user not yet read: the stream window bounds it. */
#define TUN_RECV_MAX (LIMIT_STREAM_WINDOW + 64u * 1024u)

struct pconn_tun {
    struct client *cl;
    struct cconn *px;     /* the proxy connection carrying it; NULL once that is gone */
    struct cconn *origin; /* the connection it is for; NULL once that let go */
    const struct via *via;
    char authority[URL_HOST_MAX + 16];
    char host[URL_HOST_MAX + 1];
    uint16_t port;
    int result;             /* H2E_INCOMPLETE while it is set up, 0 open, < 0 failed */
    char *detail;           /* why it failed or broke; owned */
    int status;             /* HTTP proxies: the status of the answer to CONNECT */
    struct cconn_facts hop; /* the proxy connection's, when it was decided (for -w) */
    bool in_use;            /* handed to the origin connection as an io */
    bool user_gone;         /* the origin connection let go */
    struct tunnel hs;       /* HTTP/1.1 and SOCKS: the handshake */
    bool hs_started;
    /* SOCKS4 and SOCKS5: the target's address, resolved here (pconn_dns.c) */
    struct net_lookup *lookup; /* while the name is looked up */
    char ip[NET_ADDR_STRLEN];  /* then the address sent to the proxy */
    /* HTTP/2: the CONNECT stream */
    uint32_t sid;
    bool peer_ended, end_sent, reset;
    bool user_shut; /* the origin side half-closed (io_shutdown): END_STREAM once drained */
    struct buf rbuf;
    size_t roff;
    struct buf wbuf;
    size_t woff;
};

/* pconn_tun_free - free `t` (both sides have let go). */
void pconn_tun_free(struct pconn_tun *t);
/* pconn_detach - the proxy side lets go of `t`; freed if the origin side has too. */
void pconn_detach(struct pconn_tun *t);
/* pconn_wake - bytes or a result the other end waits for: the loop does not sleep. */
void pconn_wake(struct pconn_tun *t);
/* pconn_fail - the tunnel failed while being set up (no effect once it was decided). */
void pconn_fail(struct pconn_tun *t, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* pconn_opened - the tunnel is open. */
void pconn_opened(struct pconn_tun *t);
/* pconn_gone - the io error of a tunnel whose carrier is gone or broken. */
int pconn_gone(struct io *io, int code);
/* pconn_stream_io - `io` over `t`'s CONNECT stream (pconn_h2.c). */
void pconn_stream_io(struct io *io, struct pconn_tun *t);
/* pconn_stream_done - both sides ended `t`'s stream, or it was reset. */
bool pconn_stream_done(const struct pconn_tun *t);

/* pconn_dns.c: a SOCKS4/SOCKS5 target's name, resolved here without blocking the loop.
 * pconn_dns_needed - `t` sends an address that is not known yet.
 * pconn_dns_start, pconn_dns_step - 0 with t->ip set; H2E_INCOMPLETE while t->lookup runs
 * (poll pconn_dns_pollfds, step again); < 0 when it failed (pconn_fail said why).
 * pconn_dns_pollfds - the lookup's pipe, its timeout within `px`'s connect deadline. */
bool pconn_dns_needed(const struct pconn_tun *t);
int pconn_dns_start(struct cconn *px, struct pconn_tun *t);
int pconn_dns_step(struct cconn *px, struct pconn_tun *t);
size_t pconn_dns_pollfds(struct cconn *px, const struct pconn_tun *t, struct pollfd *pfd,
                         size_t max, int *timeout);

#endif
