/* SPDX-License-Identifier: MIT */
/*
 * Internals of the client (layer 4), shared by client.c (the loop and connection setup),
 * sess_h2.c and sess_h1.c (one protocol session on a connection), xfer.c (one URL's
 * request and response) and vlog.c (the -v log). Not an API.
 */
#ifndef H2GET_CLIENT_INT_H
#define H2GET_CLIENT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/cli.h"
#include "proto/conn.h"
#include "sys/diag.h"
#include "codec/h1.h"
#include "codec/msg.h"
#include "net/io.h"
#include "net/net.h"
#include "out/out.h"
#include "net/tls.h"
#include "trace/trace.h"
#include "codec/url.h"

struct client;
struct cconn;

/* Read at most this much per read call, and buffer at most this much unparsed input. */
#define CLIENT_READ_CHUNK (256u * 1024u)
#define CLIENT_RBUF_MAX (LIMIT_HEADER_LIST_SIZE + 2u * CLIENT_READ_CHUNK)
#define CLIENT_DETAIL_MAX 600
/* Initial stream window when bodies go to stdout in order: what a stream that is not first
 * in line can send before it is, so what is held stays small (64 KiB x streams). */
#define CLIENT_HELD_WINDOW (64u * 1024u)

/* One URL of the command line: its request, its response and its outputs. */
struct xfer {
    struct client *cl;
    size_t index;
    const struct cli_url *cu;
    char *url_str; /* the URL now fetched (changes on redirects); owned */
    struct url url;
    const char *method;
    bool has_body;
    bool force_h1;  /* HTTP_1_1_REQUIRED: retry over HTTP/1.1 */
    bool drop_auth; /* redirected to another origin: no credentials (curl) */
    unsigned redirects;
    unsigned attempts; /* connections this request was sent on */
    unsigned orphaned; /* connections that ended with it queued, having sent nothing */
    /* request body */
    int upload_fd;
    bool upload_is_stdin;
    off_t upload_start; /* where the body starts in upload_fd; -1: a pipe, not seekable */
    int64_t body_len;   /* -1: unknown (stdin) */
    uint64_t body_sent;
    uint8_t *chunk;
    size_t chunk_len, chunk_off;
    bool body_done;
    /* response */
    int status;
    bool got_headers;
    bool redirecting;
    char *location;
    bool discard;   /* body not wanted (redirect, --fail) */
    bool unheld;    /* ordered output: its stream runs at full window although not first */
    bool boosted;   /* ordered output: its stream got the full window (order_boost) */
    bool fronted;   /* ordered output: it has been first in line (stall clock restarted) */
    char *out_path; /* --no-clobber: the FILE.N used instead of the -o name; owned */
    bool sink_open;
    struct out_sink *sink; /* the -o file, while open; owned */
    struct buf hold;       /* stdout body held until earlier URLs are done */
    FILE *spill;           /* ... beyond the in-memory bound, in an unlinked temporary file */
    uint64_t body_bytes;
    uint64_t expect_len; /* the response's content-length, 0 if unknown */
    uint64_t last_progress_ms;
    /* outcome */
    struct cconn *conn;
    uint32_t stream_id;
    bool active;      /* sent on `conn` */
    size_t qpos;      /* its entry in the queue of `conn` while waiting */
    bool queued_out;  /* taken off the queue of `conn`, about to be sent */
    unsigned conn_id; /* the connection it was last sent on, for traces and -w */
    bool done;
    bool cancelled; /* stopped by --fail-early because another URL failed */
    bool done_ok;   /* finished with success: its stream needs no cancelling */
    int result;
    char *detail; /* why it failed (NULL until then); owned */
    /* for -w and the statistics: times in µs of clock_us() */
    uint64_t t_start, t_sent, t_headers, t_firstdata, t_done;
    unsigned num_connects;
    unsigned retries;
    bool got_rst;
    uint32_t rst_wire;
    const struct cconn *last_conn;
    struct buf fields;   /* final response fields, "name\0value\0...", when -w needs them */
    struct buf trailers; /* likewise */
};

enum cconn_state {
    CC_IDLE,
    CC_CONNECTING,
    CC_TLS,
    CC_H2,
    CC_H1,
    CC_CLOSED,
};

/* HTTP/1.1 session state on a connection: one request at a time. */
enum h1_phase {
    H1_SEND,
    H1_HEAD,
    H1_BODY,
};

struct h1sess {
    struct xfer *x;
    bool broken; /* its transfer was failed from outside mid-request: reconnect */
    enum h1_phase phase;
    struct buf out;
    size_t out_off;
    bool chunked_upload;
    struct h1_body body;
    struct h1_chunked chunked;
    uint64_t body_left;
    bool close_after;
};

/* One connection to an origin (scheme, host, port, protocol choice). */
struct cconn {
    struct client *cl;
    struct cconn *next;
    unsigned id;
    char host[URL_HOST_MAX + 1];
    uint16_t port;
    bool tls;
    bool h1_only;
    bool prior_knowledge;
    enum cconn_state state;
    struct net_connector nc;
    struct tls_conn *tlsc;
    struct tls_ctx *tls_ctx;
    struct io io;
    bool io_open;
    struct h2c_conn *h2;
    struct h1sess h1;
    struct buf rbuf;
    uint64_t connect_deadline;
    bool goaway_logged;
    uint32_t goaway_wire;
    uint32_t goaway_last;
    char goaway_debug[DIAG_ESCAPE_CAP];
    bool got_goaway;
    bool finishing;
    unsigned nopened; /* streams (or HTTP/1.1 requests) sent on this connection */
    bool held_back;   /* a stream could have opened but --rate, --sequential... said wait */
    /* facts for -w: times in µs, the peer, the protocol */
    uint64_t t_start, t_resolved, t_connected, t_tls;
    char remote_ip[NET_ADDR_STRLEN];
    uint16_t remote_port;
    char alpn[16];
    const char *tls_version;
    bool more_body; /* body bytes could still be sent: step again without waiting */
    /* transfers routed here: a FIFO of those waiting (entries of transfers that left are
     * skipped when popped) and the small set sent and not finished */
    struct xfer **q;
    size_t qhead, qtail, qcap, npending;
    struct xfer **act;
    size_t nact, capact;
};

struct client {
    const struct config *cfg;
    /* every URL of the run, in command-line order (each --repeat counted); a transfer is
     * made when it enters the dispatch window and freed once written out (reaped) */
    struct xfer **xs;
    size_t nxfers;      /* URLs in the run */
    size_t started;     /* xs[0 .. started-1] were made */
    size_t reaped;      /* xs[0 .. reaped-1] were freed */
    int first_error;    /* the result of the first failed URL in command-line order */
    size_t nretried;    /* URLs that were retried on a new connection */
    int cancel_code;    /* --fail-early: the code that cancels URLs not yet started */
    size_t stdout_turn; /* index of the URL whose stdout body may stream now */
    struct cconn *conns;
    unsigned nconns;
    struct tls_ctx tls[2]; /* ALPN h2,http/1.1 and http/1.1 alone */
    bool tls_ready[2];
    bool warned_insecure;
    int tls_error;
    struct trace *trace;
    size_t in_flight;   /* requests sent and not finished, all connections */
    double rate_tokens; /* --rate token bucket */
    uint64_t rate_last;
    bool stopping;       /* --fail-early after a failure */
    bool advancing;      /* order_advance() is running (it is re-entered by failures) */
    bool ordered;        /* several URLs and one at least to stdout: order.c holds bodies */
    struct out_sink out; /* standard output, shared by every URL */
    size_t ndone;        /* URLs finished, in any order */
    uint64_t bytes_done; /* body bytes of the finished ones (progress meter) */
    size_t fin;          /* URLs before this one are finished and written out (order.c) */
    const char *wo_fmt;  /* the -w format, read from the file of -w @FILE */
    bool progress;       /* the meter is drawn (progress.c) */
    uint64_t progress_start, progress_last;
    char *wo_file;
    uint64_t deadline; /* --max-time, 0 for none */
    bool dump_opened;  /* -D file truncated once, appended after */
    uint64_t now;
};

/* client.c */
/* cconn_count - transfers routed to `cc`, waiting or in flight. */
static inline size_t cconn_count(const struct cconn *cc)
{
    return cc->npending + cc->nact;
}
/* cconn_next - the next waiting transfer, taken off the queue (NULL when none). */
struct xfer *cconn_next(struct cconn *cc);
/* cconn_activate - `x` (just taken with cconn_next) is now in flight on `cc`. */
void cconn_activate(struct cconn *cc, struct xfer *x);
/* client_may_start - whether the global caps (--parallel-max, --sequential, --rate,
 * --fail-early) let one more request start now on `cc`. */
bool client_may_start(struct client *cl, const struct cconn *cc);
/* client_could_start - the same question without taking a --rate token: whether a step of
 * `cc` now would start one (the loop then does not wait in poll). */
bool client_could_start(struct client *cl, const struct cconn *cc);
/* client_first_waiting - the transfer first in line for output when it is queued and not
 * yet sent: it goes before any other (ordered stdout holds the others back until it is
 * written, --sequential runs nothing else), else NULL. */
struct xfer *client_first_waiting(const struct client *cl);
struct cconn *client_route(struct client *cl, struct xfer *x, bool fresh);
void cconn_detach(struct cconn *cc, struct xfer *x);
void cconn_fail_all(struct cconn *cc, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* xfer.c */
int xfer_init(struct xfer *x, struct client *cl, size_t index, const struct cli_url *cu);
void xfer_release(struct xfer *x);
int xfer_h2_fields(struct xfer *x, struct hpack_field **out, size_t *n, struct buf *store);
int xfer_h1_request(struct xfer *x, struct buf *out, bool chunked);
void xfer_reset_response(struct xfer *x);
int xfer_on_headers(struct xfer *x, int status, const struct msg_field *f, size_t n,
                    const char *proto);
int xfer_on_data(struct xfer *x, const uint8_t *p, size_t n);
void xfer_on_trailers(struct xfer *x, const struct msg_field *f, size_t n);
void xfer_complete(struct xfer *x);
void xfer_fail(struct xfer *x, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* xfer_fail_output - writing out the body of `x`, already finished, failed (stdout held
 * for ordered output): its result becomes `code` unless it had failed before. */
void xfer_fail_output(struct xfer *x, int code, const char *why);
/* xfer_retry - send `x` again, on a connection opened after its last one when `fresh`
 * (GOAWAY, HTTP_1_1_REQUIRED), else on any usable one to its origin (REFUSED_STREAM on a
 * connection that goes on, RFC 9113 §8.7). False when the retry budget is spent; true
 * when `x` was dealt with: sent again, or failed (65) because its body cannot be. */
bool xfer_retry(struct xfer *x, const char *why, bool fresh);
/* xfer_cancel - `x` will not run because of another URL's failure (--fail-early). */
void xfer_cancel(struct xfer *x, int code);
int xfer_open_upload(struct xfer *x);
/* xfer_body_next - the next request body bytes to send (`*p`, `*n`, possibly 0 at the
 * end), reading the upload file when needed; `*last` when they end the body. Returns 0,
 * or H2E_READ (the transfer has failed). */
int xfer_body_next(struct xfer *x, const uint8_t **p, size_t *n, bool *last);
/* xfer_body_advance - `n` bytes were sent; `finished` when that ended the body. */
void xfer_body_advance(struct xfer *x, size_t n, bool finished);

/* order.c: stdout in command-line order, and -w after each body */
int order_write(struct xfer *x, const void *p, size_t n);
void order_drop(struct xfer *x);
/* order_holds - whether the body of `x` waits, within a small stream window, for those
 * before it on stdout (else its stream gets full credit). */
bool order_holds(const struct xfer *x);
/* order_boost - `x` is first in line and its body is under way: its stream gets the full
 * window. Not before its first DATA frame, so that small responses, which end in one
 * frame, cost no WINDOW_UPDATE each. */
void order_boost(struct xfer *x);
void order_advance(struct client *cl);

/* progress.c */
void progress_init(struct client *cl);
void progress_tick(struct client *cl, bool final);

/* writeout.c */
void wo_emit(struct xfer *x);

/* sess_h2.c */
int sess_h2_start(struct cconn *cc);
void sess_h2_step(struct cconn *cc, short revents);
short sess_h2_events(struct cconn *cc);
/* sess_h2_goodbye - the run ends now: RST/GOAWAY what is open and write what fits. */
void sess_h2_goodbye(struct cconn *cc);

/* sess_h1.c */
void sess_h1_step(struct cconn *cc, short revents);
short sess_h1_events(struct cconn *cc);
void sess_h1_release(struct h1sess *h);

/* vlog.c: the -v log on stderr ("* " facts, "> " request, "< " response) */
bool vlog_on(const struct client *cl);
void vlog(const struct client *cl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vlog_field(const struct client *cl, char dir, struct span name, struct span value);
void vlog_tls(const struct client *cl, const struct tls_facts *f);

#endif
