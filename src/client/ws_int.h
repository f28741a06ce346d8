/* SPDX-License-Identifier: MIT */
/*
 * Shared by the WebSocket client files: the session (one URL, one connection), the key
 * helpers (ws_key.c), dialing (ws_dial.c), the HTTP/1.1 Upgrade (ws_h1.c) and RFC 8441
 * extended CONNECT (ws_h2.c). Not for other modules: ws_run.h is the interface.
 */
#ifndef H2GET_WS_INT_H
#define H2GET_WS_INT_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "codec/url.h"
#include "net/io.h"
#include "net/resolve.h"
#include "net/tls.h"
#include "proto/conn.h"
#include "proto/ws_ep.h"
#include "pipe.h"
#include "run.h"

/* The one connection's id in traces (the first, shown without a #tag). */
#define WS_CONN_ID 0u

/* base64 of 16 bytes, and its NUL. */
#define WS_KEY_SIZE 25

/* What waits for stdout (ws_out.c): with the message a channel holds and, per channel, its
 * unread input (one stream window over HTTP/2, one read over HTTP/1.1), the bound on what
 * a slow reader makes us keep. */
#define WS_STDOUT_CAP (64u * 1024u)

/* Several URLs of one origin share one HTTP/2 connection, one stream each. */
#define WS_MAX_CHANS 100u

struct ws_sess;

/* One WebSocket: one URL, one stream over HTTP/2 (or the whole HTTP/1.1 connection). */
struct ws_chan {
    struct ws_sess *s;
    const char *arg; /* the URL as given, for messages */
    char *url_str;   /* the URL as http(s):// (RFC 6455 §3 reuses their syntax); owned */
    struct url url;
    struct ws_ep ep;
    uint32_t sid;          /* HTTP/2: its stream */
    bool h2_ok;            /* ... 2xx received */
    bool h2_ended;         /* ... END_STREAM sent */
    bool ended;            /* the server ended it: END_STREAM, RST_STREAM or EOF */
    int result;            /* its failure, said; 0 while none */
    struct out_sink *file; /* -o FILE: its messages go there (renamed into place after a
                            * normal close); NULL: stdout. Owned. */
    bool held;             /* a message stdout has not taken whole: nothing more is parsed */
    struct span hold;      /* ... what is left of it (points into `ep`'s message) */
    bool hold_nl;          /* ... and its newline (text) */
    uint64_t uncredited;   /* HTTP/2: DATA bytes fed and not credited back yet */
};

struct ws_sess {
    struct client cl; /* for -v, the trace and stdout */
    const struct config *cfg;
    struct ws_chan *ch; /* one per URL, in command-line order */
    size_t nch;
    struct url *url; /* the origin: the first channel's URL */
    struct io io;
    bool io_open;
    struct tls_conn *tlsc;  /* wss: the session `io` runs over (freed after io_close) */
    struct tls_conn *ptlsc; /* an https:// proxy: the session under the tunnel (likewise) */
    struct tls_ctx tls;
    bool tls_ready;
    bool h2;               /* RFC 8441 over HTTP/2 */
    struct h2c_conn *h2c;  /* ... the connection */
    bool h2_settings;      /* ... the server's first SETTINGS arrived */
    struct buf rbuf;       /* ... bytes read, not yet a whole frame */
    bool conn_ended;       /* EOF from the server */
    char key[WS_KEY_SIZE]; /* Sec-WebSocket-Key (HTTP/1.1) */
    struct pipe_in in;     /* stdin */
    struct buf line;       /* stdin bytes not yet a whole line */
    bool stdin_open;
    int result;              /* a failure of the whole run, said */
    uint64_t deadline;       /* -m */
    uint64_t close_deadline; /* our Close was sent: the peer's must come by then */
    uint64_t close_wait;     /* ... how long it may take */
    bool said;               /* the run's failure is printed */
    struct pipe_out so;      /* stdout, non-blocking (ws_out.c) */
    bool so_on;              /* ... in use: a channel writes to stdout */
    struct ws_chan *so_mid;  /* ... the channel whose message is being written */
};

/* ws_run.c */
/* ws_drain - write out every message `ch->ep` has whole; 0, or the failure said (of the
 * channel, or of the run when stdout fails). */
int ws_drain(struct ws_chan *ch);
/* ws_read_stdin - what stdin has now becomes messages on every channel; at its end, Close
 * 1000 on each. 0 or the H2E_* of the run, said. */
int ws_read_stdin(struct ws_sess *s);
/* ws_chan_open_output - the -o FILE of URL `cu` for `ch`'s messages (nothing for stdout).
 * 0, or H2E_WRITE said. */
int ws_chan_open_output(struct ws_chan *ch, const struct cli_url *cu);
/* ws_chan_close_output - commit `ch`'s file when `ok` (it closed normally), else remove it
 * (or keep FILE.part with --keep-partial). */
void ws_chan_close_output(struct ws_chan *ch, bool ok);
/* ws_chan_fail - say the failure of `ch` (naming its URL when there are several) and
 * remember it; returns `code`. A failure of the run (ws_fail) silences the channels'. */
int ws_chan_fail(struct ws_chan *ch, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ws_out.c */
/* ws_out_init - stdout as a non-blocking pipe when a channel writes there (no -o FILE). */
void ws_out_init(struct ws_sess *s);
/* ws_out_message - message `ev` of `ch` (its data borrowed from `ch->ep` until the channel
 * holds it no more) to stdout: as much as stdout takes now, the rest held. 0 or H2E_WRITE
 * said. */
int ws_out_message(struct ws_chan *ch, const struct ws_event *ev);
/* ws_out_resume - write on what `ch` holds, if stdout takes it (and no other channel's
 * message is half out). 0 or H2E_WRITE said. */
int ws_out_resume(struct ws_chan *ch);
/* ws_out_step - write what stdout takes now; held messages go on, every channel drains.
 * 0 or the H2E_* of the run, said. */
int ws_out_step(struct ws_sess *s);
/* ws_out_pending - bytes accepted for stdout and not written yet. */
size_t ws_out_pending(const struct ws_sess *s);
/* ws_out_pollfd - the poll entry for stdout while bytes wait: 1 with `*pfd` set, or 0. */
size_t ws_out_pollfd(const struct ws_sess *s, struct pollfd *pfd);
/* ws_out_finish - write what stdout still holds (within -m, else H2E_TIMEOUT said) and give
 * stdout its flags back. */
void ws_out_finish(struct ws_sess *s);

/* ws_key.c */
/* ws_key_new - a fresh Sec-WebSocket-Key (§4.1: 16 random bytes, base64). 0 or H2E_NOMEM. */
int ws_key_new(char key[WS_KEY_SIZE]);
/* ws_key_accept_ok - whether `accept` is the Sec-WebSocket-Accept for `key` (§4.2.2). */
bool ws_key_accept_ok(const char *key, struct span accept);
/* ws_key_mask - four random bytes for a frame's masking key (§5.3); ws_ep's callback. */
void ws_key_mask(void *ctx, uint8_t key[4]);

/* ws_dial.c */
/* ws_dial - resolve, connect and (wss) TLS with ALPN `alpn`, waiting in poll, bounded by
 * --connect-timeout and -m. Fills `s->io`. Returns 0 or the H2E_* said. */
int ws_dial(struct ws_sess *s, const char *alpn);
/* ws_connect_to - `s->io` connected to `host`:`port` (a proxy: no --connect-to). 0 or the
 * failure said. */
int ws_connect_to(struct ws_sess *s, const char *host, uint16_t port, uint64_t until);
/* ws_proxy_dial (ws_proxy.c) - when a proxy applies to the URL, `s->io` becomes a tunnel
 * through it to the server and `*proxied` is set; 0 (also without a proxy) or the failure
 * said. */
int ws_proxy_dial(struct ws_sess *s, uint64_t until, bool *proxied);
/* ws_tls_handshake - finish the TLS handshake of `c` (started with result `rv`), bounded by
 * `until`; `s->io` then runs over it. `proxy`: the proxy's name when `c` is the session
 * with an https:// proxy (messages name it), NULL for the server's. 0, or the failure said
 * (`c` released and freed). */
int ws_tls_handshake(struct ws_sess *s, struct tls_conn *c, int rv, uint64_t until,
                     const char *proxy);
/* ws_link_close - close `s->io` and free the TLS sessions under it. */
void ws_link_close(struct ws_sess *s);
/* ws_resolve.c: a lookup that may still hand over addresses after the first ones */
struct ws_lookup {
    struct net_lookup *lk; /* NULL once every answer is in */
    const char *host;
};
/* ws_resolve - the addresses of `host`:`port` (`family` 0, AF_INET or AF_INET6) into `out`:
 * literals and --resolve at once, names on the resolver's threads while this waits in
 * poll() until `until` (0: no bound). 0, with `l->lk` set when an answer may still add
 * some (ws_resolve_take); H2E_TIMEOUT said; or the resolver's error with `out->detail`,
 * not said. */
int ws_resolve(struct ws_sess *s, struct ws_lookup *l, const char *host, uint16_t port, int family,
               uint64_t until, struct net_addrs *out);
/* ws_resolve_pollfd - the lookup's descriptor in `*pfd` (1) or none (0); lowers `*timeout`
 * to when ws_resolve_take must run without input. */
size_t ws_resolve_pollfd(const struct ws_lookup *l, struct pollfd *pfd, int *timeout);
/* ws_resolve_take - addresses that came since (0, maybe none), or H2E_INCOMPLETE. */
int ws_resolve_take(struct ws_sess *s, struct ws_lookup *l, struct net_addrs *out);
/* ws_resolve_release - let the lookup go (its threads finish on their own). */
void ws_resolve_release(struct ws_lookup *l);
/* ws_fail - say the failure once (the first one decides the exit code); returns `code`. */
int ws_fail(struct ws_sess *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* ws_wait - poll `s->io` for `events` until -m: 0 ready, or H2E_TIMEOUT said. */
int ws_wait(struct ws_sess *s, short events);

/* ws_h1.c */
/* ws_h1_handshake - the RFC 6455 §4 opening handshake of the one channel over `s->io`. 0
 * or the H2E_* said; bytes after the 101 head are fed to its endpoint. */
int ws_h1_handshake(struct ws_sess *s);

/* ws_h2.c */
/* ws_h2_start - the HTTP/2 session and, when the server allows it (SETTINGS 0x8 = 1), one
 * extended CONNECT per channel (RFC 8441 §4). 0 once every channel is open or failed; 1
 * when the server does not allow it (the caller may fall back to HTTP/1.1); or the H2E_*
 * of the run, said. */
int ws_h2_start(struct ws_sess *s);
/* ws_h2_pump - move what each channel has to send into DATA, read and write the
 * connection, feed each stream's DATA to its channel. 0 or the H2E_* of the run, said. */
int ws_h2_pump(struct ws_sess *s, short rev);
/* ws_h2_events - poll events the HTTP/2 session waits for. */
short ws_h2_events(struct ws_sess *s);
/* ws_h2_release - free the HTTP/2 session. */
void ws_h2_release(struct ws_sess *s);

#endif
