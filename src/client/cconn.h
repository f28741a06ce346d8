/* SPDX-License-Identifier: MIT */
/*
 * One client connection to an origin and the transfers on it (cconn.c): resolve,
 * connect (Happy Eyeballs), TLS with ALPN, then an HTTP/2 session (sess_h2.c) or an
 * HTTP/1.1 session (sess_h1.c). The connection keeps a FIFO of transfers waiting for a
 * stream slot and the small set in flight; it never decides where a transfer goes (the
 * router does) and never moves one elsewhere itself.
 */
#ifndef H2GET_CCONN_H
#define H2GET_CCONN_H

#include <stdbool.h>
#include <stdint.h>

#include "codec/h1.h"
#include "codec/url.h"
#include "net/io.h"
#include "net/net.h"
#include "net/tls.h"
#include "proto/conn.h"
#include "spin.h"
#include "sys/diag.h"

struct client;
struct xfer;
struct via;
struct pconn_tun;
struct net_lookup;
struct config;

/* Read at most this much per read call, and buffer at most this much unparsed input. */
#define CCONN_READ_CHUNK (256u * 1024u)
#define CCONN_RBUF_MAX (LIMIT_HEADER_LIST_SIZE + 2u * CCONN_READ_CHUNK)

enum cconn_state {
    CC_IDLE,       /* nothing started: it connects once a request may start */
    CC_RESOLVING,  /* the name is being looked up (net/resolve.h), nothing to try yet */
    CC_CONNECTING, /* TCP attempts under way (the lookup may still add addresses) */
    CC_TLS,        /* TLS handshake */
    CC_PROXY_HS,   /* a proxy connection: the CONNECT or SOCKS handshake of its tunnel */
    CC_TUNNEL,     /* an origin connection through a proxy: waiting for its tunnel */
    CC_H2,         /* an HTTP/2 session */
    CC_H1,         /* an HTTP/1.1 session */
    CC_PIPE,       /* a proxy connection that is now its one tunnel (the origin drives it) */
    CC_RAW,        /* --tunnel-to: bytes between stdin/stdout and the connection (tunto.c) */
    CC_CLOSED,
};

/* What the connection speaks once connected. */
enum cconn_kind {
    CC_KIND_ALPN, /* TLS, ALPN h2 then http/1.1 */
    CC_KIND_H1,   /* HTTP/1.1 only (TLS offers http/1.1 alone, or cleartext) */
    CC_KIND_H2C,  /* cleartext HTTP/2 with prior knowledge */
    CC_KIND_RAW,  /* --tunnel-to: no HTTP, the bytes of stdin and stdout (tunto.c) */
};

/* --limit-rate's turns (ratelim.c), one per direction: how many bytes the connection
 * waits for (0: none; set when a step asks in vain, cleared when its next step begins),
 * the run's turn number when it was last served (the lowest goes first), and whether
 * that was in this step (its turn goes on while tokens last). */
struct cconn_rl {
    uint64_t want;
    uint64_t served;
    bool in_turn;
};

/* HTTP/1.1 session state on a connection: one request at a time. */
enum h1_phase {
    H1_SEND,
    H1_HEAD,
    H1_BODY,
};

struct h1sess {
    struct xfer *x;
    bool broken; /* its transfer left mid-request (failed from outside): reconnect */
    enum h1_phase phase;
    struct buf out;
    size_t out_off;
    bool chunked_upload;
    struct h1_body body;
    struct h1_chunked chunked;
    uint64_t body_left;
    bool close_after;
};

/* The server's GOAWAY, as it came (for messages and -w). */
struct cconn_goaway {
    bool got;
    uint32_t wire;
    uint32_t last;
    char debug[DIAG_ESCAPE_CAP];
};

/* Facts for -w: times in µs of clock_us(), the peer, the protocol. */
struct cconn_facts {
    uint64_t t_start, t_resolved, t_connected, t_tls;
    char remote_ip[NET_ADDR_STRLEN];
    uint16_t remote_port;
    char alpn[16];
    const char *tls_version;
    char proxy_alpn[16];                     /* through a proxy: the proxy connection's ALPN */
    int connect_code;                        /* ... and its answer to CONNECT (HTTP proxies) */
    uint64_t t_proxy_connected, t_proxy_tls; /* ... and its TCP connect and TLS handshake */
};

struct cconn {
    struct client *cl;
    struct cconn *next;
    unsigned id;
    char host[URL_HOST_MAX + 1];
    uint16_t port;
    bool tls;
    enum cconn_kind kind;
    enum cconn_state state;
    bool ending;   /* no new transfers: the session is ending (GOAWAY, error, done) */
    bool counted;  /* in the run's nconns_open, from start() to cconn_close() */
    bool begun;    /* started or closed: no longer in the run's nconns_unstarted */
    unsigned refs; /* transfers whose last_conn this is (-w reads its facts): kept till 0 */
    struct net_connector nc;
    struct net_lookup *lookup; /* while resolving, and connecting with a partial answer */
    const char *lookup_host;   /* what `lookup` resolves (for -v): cc->host or a rule's */
    struct tls_conn *tlsc;
    struct tls_ctx *tls_ctx;
    struct io io;
    bool io_open;
    struct h2c_conn *h2;
    struct h1sess h1;
    struct buf rbuf;
    uint64_t connect_deadline;
    struct cconn_goaway goaway;
    unsigned nopened;      /* streams (or HTTP/1.1 requests) sent on this connection */
    bool held_back;        /* a stream could have opened but --rate, --sequential... said wait */
    bool more_body;        /* body bytes could still be sent: step again without waiting */
    uint64_t rx_step;      /* HTTP/2: bytes read in the last step (sess_h2.c, batch_wakeups) */
    struct spin spin;      /* HTTP/2: its bodies' waits for credit (sess_h2.c, spin.h) */
    struct cconn_rl rl[2]; /* --limit-rate (ratelim.c): received, sent */
    bool coded_pending;    /* a transfer gathered wire bytes for its decoder (cconn_flush_coded) */
    size_t rpos;           /* HTTP/2: rbuf's unread input starts here (sess_h2.c) */
    /* graceful close (sess_h2.c): ms deadlines once GOAWAY is sent (0 before), and whether
     * the server acknowledged the PING sent with it */
    uint64_t linger_end, linger_idle;
    bool bye_acked;
    struct cconn_facts facts;
    /* transfers routed here: a FIFO of those waiting (slots of transfers that left are
     * NULL) and the small set in flight */
    struct xfer **q;
    size_t qhead, qtail, qcap, npending;
    struct xfer **act;
    size_t nact, capact;
    /* proxies (via.c, pconn.c) */
    const struct via *via;   /* the proxy this connection goes through, or is to; or NULL */
    bool forward;            /* to the proxy itself: absolute-form requests (http:// URLs) */
    bool is_proxy;           /* a connection to a proxy that carries tunnels */
    struct pconn_tun *tun;   /* origin connection: its tunnel while it is being set up */
    struct pconn_tun **tuns; /* proxy connection: the tunnels it carries */
    size_t ntuns, captuns;
};

/* cconn_count - transfers on `cc`, waiting or in flight (reported ones included). */
static inline size_t cconn_count(const struct cconn *cc)
{
    return cc->npending + cc->nact + cc->ntuns;
}

/* cconn_new - a connection to the origin of `x`, of `kind`, appended to the run's list
 * (it connects on a later step). */
struct cconn *cconn_new(struct client *cl, const struct xfer *x, enum cconn_kind kind);
/* cconn_new_proxy - a connection to proxy `v`, for tunnels (pconn.c), appended to the
 * run's list. */
struct cconn *cconn_new_proxy(struct client *cl, const struct via *v);
/* cconn_new_raw - a connection of no HTTP to `host`:`port`, through proxy `v` (or NULL
 * for none): --tunnel-to (tunto.c) pipes stdin and stdout through it once it is set up. */
struct cconn *cconn_new_raw(struct client *cl, const char *host, uint16_t port,
                            const struct via *v);
/* cconn_over - the tunnel of `cc` is open: TLS to the origin (or the session) over
 * `lower`, which `cc` owns from now on. */
void cconn_over(struct cconn *cc, const struct io *lower);
/* cconn_usable - whether a transfer for `x`'s origin, of `kind`, may be routed to `cc`. */
bool cconn_usable(const struct cconn *cc, const struct xfer *x, enum cconn_kind kind);
/* cconn_attach - queue `x` on `cc` (XFER_QUEUED). */
void cconn_attach(struct cconn *cc, struct xfer *x);
/* cconn_peek - the next queued transfer to send: the run's first in line when it waits
 * here, else the oldest; NULL when none waits. It stays queued until cconn_activate. */
struct xfer *cconn_peek(struct cconn *cc);
/* cconn_activate - `x` (from cconn_peek) was sent on `cc` (XFER_SENT). */
void cconn_activate(struct cconn *cc, struct xfer *x);
/* cconn_detach - take `x` (queued, in flight or reported) off `cc`; a stream still open
 * for it is cancelled, since nothing may refer to `x` once it is freed. */
void cconn_detach(struct cconn *cc, struct xfer *x);
/* cconn_fail_all - every transfer on `cc` fails with `code`; then `cc` closes. */
void cconn_fail_all(struct cconn *cc, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* cconn_requeue_all - `cc` ends: its queued transfers go elsewhere (the router routes
 * them); no new ones come. */
void cconn_requeue_all(struct cconn *cc);
/* cconn_polled - how many of the `n` polled entries `owner` gives to `cc` (its entries are
 * together: the first at `*first`), for cconn_step. */
size_t cconn_polled(const struct cconn *cc, struct cconn *const *owner, size_t n, size_t *first);
/* cconn_step - advance `cc` with what poll said about its descriptors. */
void cconn_step(struct cconn *cc, const struct pollfd *pfd, size_t npfd);
/* cconn_send - after cconn_step and the router: an HTTP/2 connection opens the streams that
 * may start and sends what it has. Split from the step so that the streams its input
 * finished make room, once settled, for new ones in the same loop turn (one write). */
void cconn_send(struct cconn *cc);
/* cconn_flush_coded - decode what its transfers gathered this step (xfer_coding_write). */
void cconn_flush_coded(struct cconn *cc);
/* cconn_pollfds - the poll entries of `cc` (at most `max`); lowers `*timeout` (ms, -1:
 * none) to when it must be stepped anyway. Returns the number of entries. */
size_t cconn_pollfds(struct cconn *cc, struct pollfd *pfd, size_t max, int *timeout);
/* cconn_close - close the transport and free the session; transfers stay attached. */
void cconn_close(struct cconn *cc);
/* cconn_hold - `cc` is the connection `x` was last sent on (its last_conn, for -w and
 * traces); cconn_unhold lets go of it. A connection is freed only when no transfer holds
 * it (cconn_prune). */
void cconn_hold(struct xfer *x, struct cconn *cc);
void cconn_unhold(struct xfer *x);
/* cconn_prune - free the run's closed connections that nothing points to any more, so
 * that memory does not grow with the number of origins already done. */
void cconn_prune(struct client *cl);
/* cconn_free - close and free `cc` (nothing may be attached). */
void cconn_free(struct cconn *cc);

/* cconn_tls_opts - the TLS options of the command line (trust, versions, --keylog, the
 * system store's SSL_CERT_DIR/SSL_CERT_FILE) with ALPN list `alpn`, into `o`. */
void cconn_tls_opts(const struct config *cfg, const char *alpn, struct tls_opts *o);

/* sess_h2.c: the HTTP/2 session of a connection */
int sess_h2_start(struct cconn *cc);
/* sess_h2_step reads and processes input; sess_h2_send opens the streams that may start
 * and sends (cconn_send). */
void sess_h2_step(struct cconn *cc, short revents);
void sess_h2_send(struct cconn *cc);
/* sess_h2_events - poll events wanted, or -1 to be stepped again at once; lowers
 * `*timeout` (ms, -1 for none) to what a closing connection waits for. */
short sess_h2_events(struct cconn *cc, int *timeout);
/* sess_h2_timeout - ms until a body held at a silly window may go anyway, or until
 * --limit-rate lets held bytes go (ratelim_timeout); -1: none. */
int sess_h2_timeout(const struct cconn *cc);
/* sess_h2_spin_us - µs the loop may poll without sleeping, its bodies waiting for credit
 * that came quickly last time (spin.h); 0: sleep. */
uint64_t sess_h2_spin_us(const struct cconn *cc);
/* sess_h2_goodbye - the run ends now: RST/GOAWAY what is open and write what fits. */
void sess_h2_goodbye(struct cconn *cc);

/* sess_h1.c: the HTTP/1.1 session of a connection */
void sess_h1_step(struct cconn *cc, short revents);
short sess_h1_events(struct cconn *cc);
void sess_h1_release(struct h1sess *h);

#endif
