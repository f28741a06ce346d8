/* SPDX-License-Identifier: MIT */
/*
 * The client side of one HTTP/2 connection (RFC 9113), sans-I/O: feed it the bytes the
 * server sent (h2c_recv), drain the events they produced (h2c_next_event), and write out the
 * bytes it wants to send (h2c_output / h2c_output_done). It sends the preface and SETTINGS,
 * acknowledges and applies the server's SETTINGS, keeps the stream states of §5.1 for our
 * odd-numbered streams, assembles HEADERS + CONTINUATION, checks responses (§8.1-§8.3),
 * does flow control at both levels (§5.2, §6.9), answers PING, and handles RST_STREAM and
 * GOAWAY. It never touches a socket or reads the clock: the caller passes `now_ms`.
 */
#ifndef H2GET_CONN_H
#define H2GET_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "codec/frame.h"
#include "codec/hpack.h"

struct h2c_conn;
struct h2c_stream;

/* What we announce and how we encode; h2c_config_init() fills the defaults of limits.h. */
struct h2c_config {
    const struct mem *mem;
    uint32_t stream_window;        /* our SETTINGS_INITIAL_WINDOW_SIZE */
    uint32_t conn_window;          /* our connection receive window */
    uint32_t header_table_size;    /* our SETTINGS_HEADER_TABLE_SIZE (decoder) */
    uint32_t max_header_list_size; /* our SETTINGS_MAX_HEADER_LIST_SIZE */
    uint32_t max_frame_size;       /* our SETTINGS_MAX_FRAME_SIZE */
    uint32_t encoder_table_cap;    /* ceiling on the encoder's table, whatever the peer allows */
    enum hpack_huffman_mode huffman;
    enum hpack_index_mode indexing;
    /* Observer of every frame in both directions (for traces); may be NULL. `block` is the
     * decoded header list of a complete HEADERS block received, else NULL. */
    void (*on_frame)(void *ud, bool sent, const struct h2f_frame *f,
                     const struct hpack_list *block);
    void *on_frame_ud;
    /* Observer of received frames h2f_decode rejected (oversize, bad length...); `info` says
     * why. May be NULL. Called with the same `on_frame_ud`. */
    void (*on_bad_frame)(void *ud, const struct h2f_header *hdr, const struct h2e_info *info);
    /* Test aids (CLI.md §3); zero values leave the protocol as usual. */
    const struct h2f_setting *extra_settings; /* add to or override our first SETTINGS */
    size_t nextra_settings;                   /* at most LIMIT_SETTINGS_ENTRIES are used */
    bool empty_settings;                      /* send an empty first SETTINGS instead */
    uint8_t padding;                          /* pad every HEADERS and DATA (§6.1, §6.2) */
    bool split_blocks;       /* split every header block into HEADERS + CONTINUATION */
    uint32_t max_concurrent; /* our own cap on open streams (0: the peer's limit only) */
    struct span priority;    /* RFC 9218 §5 `priority` field added to every request */
    /* --limit-rate: connection credit (WINDOW_UPDATE on stream 0) is returned only when the
     * caller grants it (h2c_credit_owed, h2c_grant_credit); stream credit as usual. */
    bool paced_credit;
    /* A DATA frame may be taken in pieces as its payload arrives (h2c_recv): checked and
     * counted whole from its header, its payload passed on as DATA events piece by piece,
     * so that a frame split across TLS records is never copied together. Unpadded DATA
     * only; off while `on_frame` is set (an observer sees whole frames). */
    bool data_in_pieces;
};

/* The peer's SETTINGS as currently applied (§6.5.2 defaults until it says otherwise). */
struct h2c_peer_settings {
    uint32_t header_table_size;
    uint32_t max_concurrent_streams;
    uint32_t initial_window_size;
    uint32_t max_frame_size;
    uint32_t max_header_list_size;
    bool enable_connect_protocol; /* RFC 8441 §3: extended CONNECT allowed */
};

enum h2c_event_type {
    H2C_EV_HEADERS,       /* final response headers: `fields` */
    H2C_EV_INFORMATIONAL, /* a 1xx response: `fields` */
    H2C_EV_DATA,          /* response body bytes: `data`; credit with h2c_consume() */
    H2C_EV_TRAILERS,      /* trailer fields: `fields` */
    H2C_EV_END_STREAM,    /* the response is complete and valid */
    H2C_EV_RESET,         /* the stream ended abnormally: see `code`, `wire`, `local` */
    H2C_EV_GOAWAY,        /* the server sent GOAWAY: `wire`, `last_stream_id`, `debug` */
    H2C_EV_SETTINGS,      /* the server's SETTINGS were applied */
    H2C_EV_SETTINGS_ACK,  /* the server acknowledged ours */
    H2C_EV_PING_ACK,      /* an ACK of our PING: `ping` */
};

/*
 * One event. Spans (`fields`, `data`, `debug`) point into the bytes given to h2c_recv or
 * into the connection, and are valid until the next call to h2c_recv.
 */
struct h2c_event {
    enum h2c_event_type type;
    uint32_t stream_id;
    void *user; /* the pointer given with the request */
    const struct hpack_list *fields;
    struct span data;
    /* RESET: `code` is our H2E_* (H2E_PEER_RST_STREAM when the server reset it, else the
     * stream error we found and sent RST_STREAM for); `wire` the RFC 9113 §7 code;
     * `local` true when we sent it; `unprocessed` true when the server certainly did not
     * process the request (REFUSED_STREAM, or above a GOAWAY's last-stream-id): safe to
     * retry (§8.7). `why` names the problem for local errors. */
    int code;
    uint32_t wire;
    bool local;
    bool unprocessed;
    const char *why;
    struct span field; /* RESET of a malformed response: the field at fault, if any */
    const char *rule;  /* RESET of a malformed response: msg.c's rule id, else NULL */
    uint32_t last_stream_id;
    struct span debug;
    uint8_t ping[8];
};

/* A request: fields in order, pseudo-header fields first (borrowed for the call). A
 * CONNECT request (":method" CONNECT and ":authority" only, RFC 9113 §8.5) opens a tunnel:
 * a 2xx answer is followed by DATA of no set length both ways (its Content-Length is
 * ignored, RFC 9110 §9.3.6), END_STREAM closing each direction. */
struct h2c_request {
    const struct hpack_field *fields;
    size_t nfields;
    bool end_stream; /* true when there is no request body */
    void *user;
};

void h2c_config_init(struct h2c_config *cfg, const struct mem *mem);

/*
 * h2c_new - a connection that has queued the preface, our SETTINGS and the connection
 * WINDOW_UPDATE. Returns NULL on allocation failure. Free with h2c_free.
 */
struct h2c_conn *h2c_new(const struct h2c_config *cfg);
void h2c_free(struct h2c_conn *c);

/*
 * h2c_recv - process bytes from the server, at most one frame per call. Returns the number
 * of bytes consumed (0 when `len` holds no complete frame yet: keep them and call again with
 * more), or a negative H2E_* connection error, after which GOAWAY is queued, no more input
 * is accepted and every open stream is reset. `info` receives the detail of the error.
 * Events produced are drained with h2c_next_event before the next h2c_recv. With
 * `data_in_pieces`, a DATA frame's header and the part of its payload at hand are consumed
 * at once, the rest by later calls (one DATA event per piece, END_STREAM after the last).
 */
int h2c_recv(struct h2c_conn *c, const uint8_t *p, size_t len, struct h2e_info *info);

/*
 * h2c_recv_need - how many bytes, counted from `p`, h2c_recv needs to consume anything:
 * with at least that many it consumes some or fails. `len` bytes of `p` are at hand
 * (borrowed for the call). A caller that keeps an incomplete frame in a buffer of its own
 * copies only this much more into it before calling h2c_recv (a DATA frame in pieces needs
 * only its header; another frame needs all of it; 9 when the header is incomplete).
 */
size_t h2c_recv_need(const struct h2c_conn *c, const uint8_t *p, size_t len);

/* h2c_next_event - move the next pending event into `ev`; false when none is left. */
bool h2c_next_event(struct h2c_conn *c, struct h2c_event *ev);

/*
 * h2c_submit - open a stream for `req`; its HEADERS (and CONTINUATION) are queued. Returns
 * the new stream id (> 0), or H2E_REFUSED-like errors: H2E_PROTOCOL when the connection is
 * closing or GOAWAY was received, H2E_LIMIT_BUFFER / H2E_NOMEM.
 */
int64_t h2c_submit(struct h2c_conn *c, const struct h2c_request *req);

/*
 * h2c_send_data - queue up to `len` bytes of request body for stream `sid`, as much as the
 * send windows and the output queue allow, with END_STREAM on the last frame when `end`
 * and all of `len` fit. Returns the number of bytes taken (0: blocked, call again after more
 * input or output progress), or a negative H2E_*.
 */
int64_t h2c_send_data(struct h2c_conn *c, uint32_t sid, const uint8_t *p, size_t len, bool end);

/*
 * h2c_send_trailers - end the request body of stream `sid` with the `n` trailer fields `f`
 * (borrowed for the call; regular fields only): a HEADERS block with END_STREAM (RFC 9113
 * §8.1). Returns 0, H2E_STREAM_CLOSED when the stream cannot send, or H2E_LIMIT_BUFFER /
 * H2E_NOMEM / HPACK encoding errors.
 */
int h2c_send_trailers(struct h2c_conn *c, uint32_t sid, const struct hpack_field *f, size_t n);

/*
 * h2c_send_held - true when the last h2c_send_data on `sid` stopped at a silly window: the
 * send window allowed only a frame smaller than both 4 KiB and half the largest window
 * seen (RFC 1122 §4.2.3.4's sender rule). More credit releases it; so does
 * h2c_send_small_ok, which the caller uses after a short bounded wait.
 */
bool h2c_send_held(const struct h2c_conn *c, uint32_t sid);
/* h2c_send_small_ok - let the next frame of `sid` use whatever window there is. */
void h2c_send_small_ok(struct h2c_conn *c, uint32_t sid);

/* h2c_consume - `n` body bytes of stream `sid` were written out: return the credit. */
void h2c_consume(struct h2c_conn *c, uint32_t sid, size_t n);

/* h2c_consume_conn - `n` body bytes were taken off the connection but are held, not written
 * out: return the connection's credit only, so that the stream stays within its window. */
void h2c_consume_conn(struct h2c_conn *c, size_t n);

/* h2c_credit_owed - with `paced_credit`: body bytes consumed whose connection credit was
 * not granted yet (what the server waits for once its window is spent); else 0. */
uint64_t h2c_credit_owed(const struct h2c_conn *c);

/* h2c_grant_credit - with `paced_credit`: return up to `n` bytes of the owed connection
 * credit now, in one WINDOW_UPDATE (RFC 9113 §6.9.1). Returns how many were granted. */
uint64_t h2c_grant_credit(struct h2c_conn *c, uint64_t n);

/*
 * h2c_stream_boost - let stream `sid` have `window` bytes in flight from now on, beyond the
 * initial window we announced (a WINDOW_UPDATE for the difference; nothing when it already
 * has that much, or has ended); the rest of a DATA frame being taken in pieces counts as
 * in flight. Used to give the one stream whose body is being written out a wide window
 * while the others are held to the small initial one; its credit then comes back by half
 * of `window`.
 */
void h2c_stream_boost(struct h2c_conn *c, uint32_t sid, uint32_t window);

/* h2c_reset_stream - abandon stream `sid` with RST_STREAM(`wire`) (e.g. CANCEL). */
void h2c_reset_stream(struct h2c_conn *c, uint32_t sid, uint32_t wire);

/* h2c_ping - queue a PING with `opaque`. */
int h2c_ping(struct h2c_conn *c, const uint8_t opaque[8]);

/* h2c_shutdown - queue GOAWAY(NO_ERROR) once; no new streams afterwards. */
void h2c_shutdown(struct h2c_conn *c);

/* h2c_output - the bytes waiting to be written; valid until the next call on `c`. */
struct span h2c_output(const struct h2c_conn *c);
/* h2c_output_done - `n` bytes of h2c_output were written. */
void h2c_output_done(struct h2c_conn *c, size_t n);

/* State queries for the driver. */
bool h2c_can_submit(const struct h2c_conn *c);       /* below the concurrency limit, no GOAWAY */
size_t h2c_active_streams(const struct h2c_conn *c); /* streams not yet closed */
/* h2c_at_peer_limit - as many streams open as the server's MAX_CONCURRENT_STREAMS allows
 * (or more: those opened before its SETTINGS arrived, RFC 9113 §5.1.2). */
bool h2c_at_peer_limit(const struct h2c_conn *c);
bool h2c_is_closing(const struct h2c_conn *c); /* GOAWAY sent or received, or error */
bool h2c_got_goaway(const struct h2c_conn *c);
bool h2c_received_anything(const struct h2c_conn *c);
int64_t h2c_send_window(const struct h2c_conn *c, uint32_t sid); /* min(stream, conn) */
const struct h2c_peer_settings *h2c_peer(const struct h2c_conn *c);

/* Flow-control windows as the connection sees them (RFC 9113 §6.9): what we may still send
 * and what the peer may still send to us, for the connection and one stream. */
struct h2c_windows {
    int64_t conn_send, conn_recv;
    int64_t stream_send, stream_recv; /* 0 when the stream is not open */
    bool stream_open;
};
/* h2c_windows - fill `w` for stream `sid` (0: connection only). */
void h2c_windows(const struct h2c_conn *c, uint32_t sid, struct h2c_windows *w);

/* Where stream `sid` stands (RFC 9113 §5.1), for traces and --check. */
enum h2c_stream_status {
    H2C_SS_IDLE, /* never opened by us */
    H2C_SS_OPEN,
    H2C_SS_HALF_CLOSED_LOCAL,  /* we ended our side */
    H2C_SS_HALF_CLOSED_REMOTE, /* the server ended its side */
    H2C_SS_CLOSED,             /* both sides ended with END_STREAM (recently) */
    H2C_SS_RESET,              /* reset by either side (recently), or closed long ago */
};
enum h2c_stream_status h2c_stream_status(const struct h2c_conn *c, uint32_t sid);

#endif
