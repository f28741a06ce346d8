/* SPDX-License-Identifier: MIT */
/*
 * One URL of the command line from start to end: its request (xfer_req.c builds the
 * fields and reads the body), its response and outputs (xfer.c). A transfer never moves
 * itself between connections: when its attempt ends it *reports an outcome* (done,
 * failed, retry, redirect, requeue) and the router (route.c) detaches it from its
 * connection, routes it again or finishes it, in one place.
 */
#ifndef H2GET_XFER_H
#define H2GET_XFER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "base/buf.h"
#include "cli/cli.h"
#include "codec/msg.h"
#include "codec/url.h"
#include "out/out.h"
#include "pipe.h"

struct client;
struct cconn;
struct coding;
struct sse;
struct hpack_field;

/* Where a transfer stands; exactly one at a time (the router moves it between them). */
enum xfer_phase {
    XFER_NEW,      /* made, not routed yet */
    XFER_QUEUED,   /* waiting in the queue of `conn` for a stream slot */
    XFER_SENT,     /* its request went out on `conn` */
    XFER_REPORTED, /* its attempt ended with `outcome`; the router has not settled it yet */
    XFER_DONE,     /* finished with `result`; ordered output writes it out, then it is freed */
};

/* What an attempt ended with (set with the move to XFER_REPORTED). */
enum xfer_outcome {
    XFER_NONE,
    XFER_FINISHED,  /* complete (result 0, or 22 for --fail-with-body), or failed: result */
    XFER_CANCELLED, /* stopped by --fail-early because another URL failed */
    XFER_RETRY,     /* send the request again (retry_fresh: on a newer connection) */
    XFER_REDIRECT,  /* follow `location` (-L) */
    XFER_REQUEUE,   /* its connection ended before the request was sent: route it again */
};

/* How far the response has come. */
enum xfer_resp_state {
    XFER_RESP_NONE,        /* no final response head yet */
    XFER_RESP_HEADERS,     /* the final head arrived; the body goes to the output */
    XFER_RESP_REDIRECTING, /* a redirect to follow: the body is discarded */
    XFER_RESP_RETRYING,    /* a transient status to retry (--retry): the body is discarded */
};

/* The request as it is now (redirects change the URL and may change the method). */
struct xfer_request {
    char *url_str; /* the URL now fetched; owned */
    struct url url;
    const char *method;
    bool has_body;
    bool force_h1;  /* HTTP_1_1_REQUIRED: retry over HTTP/1.1 */
    bool drop_auth; /* redirected to another origin: no credentials (curl) */
    unsigned redirects;
    unsigned attempts; /* connections this request was sent on */
    unsigned orphaned; /* connections that ended with it queued, having sent nothing */
    unsigned retries;
    bool retry_fresh;      /* XFER_RETRY: only on a connection opened after `conn_id` */
    int64_t resume_from;   /* -C: the body starts at this byte (-1: no -C) */
    unsigned tries;        /* --retry: retries made (retry.c) */
    uint64_t retry_delay;  /* ... the wait in ms decided for the next one */
    uint64_t retry_at;     /* XFER_NEW: waiting until this clock_ms() to be routed again */
    const struct via *via; /* the proxy of this attempt (via.c), NULL for none */
    bool forward;          /* ... and the request goes to it in absolute form */
};

/* The request body: -d data in memory, or -T FILE / stdin read as it comes (pipe.h):
 * what one read returned goes out at once, a read never waits. */
struct xfer_upload {
    int fd;            /* -1 without -T */
    off_t start;       /* where the body starts in `fd`; -1: a pipe, not seekable */
    int64_t len;       /* -1: unknown (a pipe) */
    uint64_t sent;     /* bytes handed to the connection */
    struct pipe_in in; /* read from `fd`, not yet all sent (its buffer: with -T only) */
    bool done;         /* the last byte was handed over */
    uint64_t held_ms;  /* since when the connection holds a silly window back (0: not) */
};

struct xfer_response {
    enum xfer_resp_state state;
    int status;
    char *location;      /* XFER_RESP_REDIRECTING: the target; owned */
    uint64_t body_bytes; /* body bytes received (not the -i head) */
    uint64_t expect_len; /* the content-length, 0 if unknown */
    bool got_rst;        /* the server reset the stream: `rst_wire` */
    bool discard;        /* the body is not written (-C: the file is already complete) */
    uint32_t rst_wire;
    struct coding *dec;     /* --compressed and a content-encoding: the decoder; owned */
    struct buf coded;       /* ... wire bytes waiting for it (xfer_coding.c) */
    uint64_t decoded_bytes; /* body bytes after decoding (= body_bytes without a decoder) */
    struct sse *sse;        /* --sse: the parser, kept across reconnections; owned */
    bool sse_live;          /* --sse: this attempt's response is an event stream */
    uint64_t uncredited;    /* --duplex: body bytes received, not credited back yet */
    struct buf fields;      /* final fields, "name\0value\0...", when -w needs them */
    struct buf trailers;    /* likewise */
};

/* Where the body goes: a file (`sink`), or stdout through order.c. */
struct xfer_output {
    char *path; /* --no-clobber: the FILE.N used instead of the -o name; owned */
    bool sink_open;
    bool append;           /* -C: the body is appended to the existing file (xfer_resume.c) */
    struct out_sink *sink; /* the -o file, while open; owned */
    /* ordered stdout (order.c): what is held until the URLs before it are written */
    struct buf hold;
    FILE *spill;   /* ... beyond the in-memory bound, in an unlinked temporary file */
    bool released; /* its stream runs at full window although not first (spills) */
    bool boosted;  /* its stream got the full window */
    bool primed;   /* ... or, next in line, what it may hold in memory (order.c) */
    bool fronted;  /* it has been first in line (its stall clock restarted then) */
};

/* Times in µs of clock_us(), for -w and the statistics; 0 until reached. */
struct xfer_times {
    uint64_t start, sent, headers, firstdata, done;
    uint64_t last_progress_ms; /* the stall timeout counts from here */
};

struct xfer {
    struct client *cl;
    size_t index; /* in the run: command-line order, each --repeat counted */
    const struct cli_url *cu;
    enum xfer_phase phase;
    enum xfer_outcome outcome;
    int result;   /* XFER_DONE: 0 or the H2E_* of its failure */
    char *detail; /* why it failed (NULL until then); owned */
    /* where it runs: the connection while QUEUED, SENT or REPORTED */
    struct cconn *conn;
    size_t qpos;             /* its slot in the queue of `conn` while QUEUED */
    uint32_t stream_id;      /* 0 over HTTP/1.1 */
    unsigned conn_id;        /* the connection it was last sent on, for traces and -w */
    struct cconn *last_conn; /* ... and the connection itself, held (cconn_hold) */
    unsigned num_connects;   /* connections opened for it, to proxies too */
    int connect_code;        /* the proxy's answer to CONNECT when the tunnel failed */
    char proxy_alpn[16];     /* ... and the proxy connection's ALPN then */
    struct xfer_request req;
    struct xfer_upload up;
    struct xfer_response resp;
    struct xfer_output out;
    struct xfer_times t;
};

/* xfer_over - the attempt has ended (reported or done): no more events go to `x`. */
static inline bool xfer_over(const struct xfer *x)
{
    return x->phase >= XFER_REPORTED;
}

/* xfer.c */

/*
 * xfer_init - URL number `index` of the run with options `cu`: parse its URL, check its
 * output file (--skip-existing, --no-clobber) and open its -T source. Returns 0, or an
 * H2E_* after reporting the failure (or XFER_FINISHED for a skipped URL).
 */
int xfer_init(struct xfer *x, struct client *cl, size_t index, const struct cli_url *cu);
void xfer_release(struct xfer *x);
/* xfer_reset_response - forget the response before sending the request again. */
void xfer_reset_response(struct xfer *x);
/* xfer_on_headers - the final response head; returns 0 or the H2E_* it failed with. */
int xfer_on_headers(struct xfer *x, int status, const struct msg_field *f, size_t n,
                    const char *proto);
/* xfer_on_data - body bytes; returns 0 or the H2E_* it failed with (stop the stream). */
int xfer_on_data(struct xfer *x, const uint8_t *p, size_t n);
/* xfer_on_trailers - the trailer fields; returns 0 or H2E_WRITE (-i, -D failed). */
int xfer_on_trailers(struct xfer *x, const struct msg_field *f, size_t n);
/* xfer_complete - the response ended well: commit the output, or report a redirect. */
void xfer_complete(struct xfer *x);
/* xfer_fail - the attempt failed for good: say so once, drop the output, report. */
void xfer_fail(struct xfer *x, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* xfer_fail_output - writing out the body of `x`, already done, failed (stdout held for
 * ordered output): its result becomes `code` unless it had failed before. */
void xfer_fail_output(struct xfer *x, int code, const char *why);
/*
 * xfer_retry - report that the request should go again: on a connection opened after its
 * last one when `fresh` (GOAWAY, HTTP_1_1_REQUIRED), else on any usable one to its
 * origin. False when the retry budget is spent (the caller then fails it); true when `x`
 * was dealt with: reported for a retry, or failed (65) because its body cannot be resent.
 */
bool xfer_retry(struct xfer *x, const char *why, bool fresh);
/* xfer_retry_later - --retry: drop this attempt's output and report XFER_RETRY; the
 * router routes it again once `x->req.retry_delay` ms have passed (retry.c decided). */
void xfer_retry_later(struct xfer *x);
/* xfer_requeue - its connection ended before the request was sent; `counts` when that
 * connection never opened a stream (a server that closes every connection at once fails
 * the request after LIMIT_RETRY_CONNECTIONS of them). */
void xfer_requeue(struct xfer *x, bool counts);
/* xfer_discards - --out-null and no -o/-O for this URL: its output goes nowhere. */
bool xfer_discards(const struct xfer *x);
/* xfer_cancel - `x` stops because of another URL's failure (--fail-early). */
void xfer_cancel(struct xfer *x, int code);
/* xfer_interrupt - the run stops for a signal (`code` is H2E_SIGINT...): the output file
 * is removed, or kept as FILE.part with --keep-partial; nothing is said or reported. */
void xfer_interrupt(struct xfer *x, int code);
/* xfer_follow - the router follows the reported redirect: the new URL and method.
 * Returns 0, or reports the failure (too many redirects, bad location, body not
 * resendable) and returns its H2E_*. */
int xfer_follow(struct xfer *x);

/* xfer_coding.c */

/*
 * xfer_coding_start - --compressed: a decoder for the content codings the final head `f`
 * names, unless there is no body to decode (HEAD, 204, 304, a redirect being followed).
 * Returns 0, or H2E_BAD_CODING after failing `x` (a coding h2get cannot decode, as curl).
 */
int xfer_coding_start(struct xfer *x, const struct msg_field *f, size_t n);
/*
 * xfer_coding_write - wire body bytes `p` through the decoder to `write` (which fails `x`
 * itself), checking --max-filesize (63) and --max-decompressed-ratio (61) on every
 * decoded chunk. With a decoder, bytes are gathered (copied) up to XFER_CODING_BATCH and
 * decoded then, or by xfer_coding_flush at the end of the connection's step (the
 * connection's `coded_pending` says some wait). Returns 0, or the H2E_* `x` failed with.
 */
#define XFER_CODING_BATCH (256u * 1024u)
int xfer_coding_write(struct xfer *x, const uint8_t *p, size_t n,
                      int (*write)(struct xfer *x, const void *p, size_t n));
/* xfer_coding_flush - decode what xfer_coding_write gathered, to `write`; 0 or as it. */
int xfer_coding_flush(struct xfer *x, int (*write)(struct xfer *x, const void *p, size_t n));
/* xfer_flush_coded - xfer_coding_flush to the transfer's own sink (body or --sse). */
int xfer_flush_coded(struct xfer *x);
/* xfer_coding_end - the body ended (what was gathered decoded first): 0 when the codings
 * ended cleanly, else fails `x` (61). */
int xfer_coding_end(struct xfer *x);
/* xfer_coding_drop - forget the decoder (retry, release). */
void xfer_coding_drop(struct xfer *x);

/* xfer_sse.c */

/*
 * xfer_sse_start - --sse: the final head of `x` (`status`, fields `f`) must be a 200
 * text/event-stream; then its body goes through the event parser (a new stream of the
 * same parser on a reconnection). Returns 0, or H2E_SSE_NOT_STREAM after failing `x`.
 */
int xfer_sse_start(struct xfer *x, int status, const struct msg_field *f, size_t n);
/* xfer_sse_write - body bytes `p` into the parser; each whole event is written to
 * `write` at once, as text or JSON (--sse-json). Returns 0 or the H2E_* `x` failed with. */
int xfer_sse_write(struct xfer *x, const uint8_t *p, size_t n,
                   int (*write)(struct xfer *x, const void *p, size_t n));
/* xfer_sse_end - the event stream ended cleanly: true when `x` was reported to reconnect
 * (--retry left, within -m), false when it is done. */
bool xfer_sse_end(struct xfer *x);
/* xfer_sse_delay - ms to wait before reconnecting: the server's retry:, else 3 s. */
uint64_t xfer_sse_delay(const struct xfer *x);
/* xfer_sse_drop - free the parser (release). */
void xfer_sse_drop(struct xfer *x);

/* xfer_resume.c: -r, -C and -J */

/* xfer_resume_init - at xfer_init: the byte -C resumes at (-C -: the size of the output
 * file, 0 when there is none). */
void xfer_resume_init(struct xfer *x);
/* xfer_range_value - the range field to send ("bytes=..."), in `buf`, or NULL for none. */
const char *xfer_range_value(const struct xfer *x, char *buf, size_t cap);
/*
 * xfer_resume_check - the final response head: what -C, -r and -J make of it (append to
 * the file, discard a body when the file is already complete, name the file after
 * content-disposition). Returns 0, or the H2E_* `x` failed with (33: the server ignored
 * or refused the range; 23: -J would overwrite a file).
 */
int xfer_resume_check(struct xfer *x, int status, const struct msg_field *f, size_t n);

/* xfer_cond.c: -z, --etag-compare, --etag-save */

/* xfer_time_cond - the time of -z as an IMF-fixdate in `buf`, and in `*name` the field it
 * goes in (a static string), or NULL when there is no time condition. */
const char *xfer_time_cond(const struct xfer *x, char buf[30], const char **name);
/* xfer_etag_compare - the ETag of the --etag-compare file in `buf`, or NULL. */
const char *xfer_etag_compare(const struct xfer *x, char *buf, size_t cap);
/* xfer_cond_check - the final response head: a 304 to a conditional request discards the
 * body (the output is up to date); --etag-save writes the ETag. */
void xfer_cond_check(struct xfer *x, int status, const struct msg_field *f, size_t n);

/* xfer_req.c */

/* xfer_h2_fields - the HTTP/2 request fields (pseudo-headers first), with names and
 * values appended to `store`; `*out` is the caller's to free. Returns 0 or the H2E_*
 * after reporting the failure. */
int xfer_h2_fields(struct xfer *x, struct hpack_field **out, size_t *n, struct buf *store);
/* xfer_h1_request - the HTTP/1.1 request head (`chunked`: a body of unknown length). */
int xfer_h1_request(struct xfer *x, struct buf *out, bool chunked);
/* xfer_open_upload - open the -T source; its length when it is a regular file. */
int xfer_open_upload(struct xfer *x);
/* xfer_rewind_upload - the body can be sent again from its start: NULL, or why not. */
const char *xfer_rewind_upload(struct xfer *x);
/*
 * xfer_body_next - the next request body bytes to send (`*p`, `*n`, possibly 0 at the
 * end), reading the upload file when needed; `*last` when they end the body. Returns 0,
 * or H2E_READ after reporting the failure.
 */
int xfer_body_next(struct xfer *x, const uint8_t **p, size_t *n, bool *last);
/*
 * xfer_body_prefetch - the sender waits (for credit or room): read a regular upload file
 * into the free room of its buffer now, so that no read stands between the credit coming
 * and the bytes going out. Does nothing for other bodies; a read error is reported by the
 * next xfer_body_next.
 */
void xfer_body_prefetch(struct xfer *x);
/* xfer_body_advance - `n` bytes were sent; `finished` when that ended the body. */
void xfer_body_advance(struct xfer *x, size_t n, bool finished);

#endif
