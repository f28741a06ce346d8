/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by conn.c (lifecycle, events, queries), conn_recv.c (frame handlers),
 * conn_send.c (everything we put on the wire) and stream.c (the stream table). Not part of
 * the connection API: only those files include it.
 */
#ifndef H2GET_CONN_INT_H
#define H2GET_CONN_INT_H

#include "conn.h"
#include "codec/msg.h"

/* RFC 9113 §5.1 states a client stream can be in once opened; closed streams leave the
 * table and are remembered briefly in the closed ring. */
enum stream_state {
    STREAM_OPEN,
    STREAM_HALF_CLOSED_LOCAL,
    STREAM_HALF_CLOSED_REMOTE,
};

struct h2c_stream {
    uint32_t id;
    uint8_t state;
    bool final_headers;
    uint8_t informational;
    int64_t send_window;
    int64_t send_window_max; /* the largest min(stream, conn) send window seen */
    bool sws_held;           /* the last h2c_send_data stopped at a silly window */
    bool small_ok;           /* the caller waited: the next frame may use any window */
    int64_t recv_window;
    uint32_t recv_unacked;
    uint32_t recv_boost; /* h2c_stream_boost's window (0: the initial one), for conn_credit */
    bool head;           /* a HEAD request: the response has no content (RFC 9110 §9.3.2) */
    bool tunnel;         /* CONNECT: a 2xx response opens a byte stream (RFC 9113 §8.5) */
    uint64_t data_received;
    struct msg_resp resp; /* the final response's validator, for the body length */
    void *user;
};

struct stream_table {
    const struct mem *mem;
    struct h2c_stream **slots;
    size_t cap; /* power of two */
    size_t count;
};

/* How a recently closed stream ended, to tell §5.1's "closed" cases apart. */
enum closed_how {
    CLOSED_END_STREAM = 1, /* both sides ended normally: later frames are an error */
    CLOSED_RESET = 2,      /* reset by either side: frames in flight are ignored */
};

#define CLOSED_RING 256

enum read_state {
    READ_PREFACE_SETTINGS, /* the server's preface: its first frame must be SETTINGS */
    READ_FRAME,
    READ_CONTINUATION,
    READ_DATA, /* the rest of a DATA frame's payload (h2c_config.data_in_pieces) */
    READ_CLOSED,
};

/* A DATA frame taken in pieces: checked and counted from its header (conn_data_begin). */
struct data_rest {
    uint32_t sid;
    uint32_t left;   /* payload octets still to come */
    bool end_stream; /* END_STREAM once they have */
    bool deliver;    /* the stream takes them (else they were credited and are dropped) */
};

struct h2c_conn {
    struct h2c_config cfg;
    const struct mem *mem;
    enum read_state rstate;
    struct data_rest rdata; /* while rstate is READ_DATA */
    struct stream_table streams;
    struct {
        uint32_t id;
        uint8_t how;
    } closed[CLOSED_RING];
    size_t closed_next;
    uint32_t next_stream_id;
    uint32_t last_opened;
    struct h2c_peer_settings peer;
    int64_t send_window;
    int64_t recv_window;
    uint32_t recv_unacked;
    uint64_t credit_owed; /* paced_credit: connection credit the caller has yet to grant */
    struct hpack_decoder dec;
    struct hpack_encoder enc;
    struct hpack_list list;
    /* header block being assembled from HEADERS + CONTINUATION */
    struct buf hblock;
    uint32_t hblock_sid;
    unsigned hblock_frames;
    bool hblock_end_stream;
    /* output: bytes from out_off to out.len are pending */
    struct buf out;
    size_t out_off;
    unsigned queued_replies;
    struct buf scratch;
    /* events of the last h2c_recv */
    struct h2c_event *ev;
    size_t nev, evcap, evpos;
    unsigned settings_unacked;
    bool goaway_sent;
    bool goaway_received;
    bool failed;
    bool received_anything;
    uint32_t goaway_last_id;
    struct span bad_field; /* the field a malformed header block failed on */
};

/* stream.c */
void stream_table_init(struct stream_table *t, const struct mem *mem);
void stream_table_release(struct stream_table *t);
struct h2c_stream *stream_find(const struct stream_table *t, uint32_t id);
int stream_insert(struct stream_table *t, struct h2c_stream *s);
void stream_remove(struct stream_table *t, uint32_t id);
/* stream_at - the stream in slot `i` (< cap) or NULL; for iteration. */
static inline struct h2c_stream *stream_at(const struct stream_table *t, size_t i)
{
    return t->slots ? t->slots[i] : NULL;
}

/* conn.c */
struct h2c_event *conn_event(struct h2c_conn *c, enum h2c_event_type type,
                             const struct h2c_stream *s, uint32_t sid);
void conn_close_stream(struct h2c_conn *c, struct h2c_stream *s, enum closed_how how);
uint8_t conn_closed_how(const struct h2c_conn *c, uint32_t sid);
int conn_stream_error(struct h2c_conn *c, struct h2c_stream *s, int code, const char *why);
int conn_error(struct h2c_conn *c, int code, struct h2e_info *info);

/* conn_send.c */
int conn_queue_frame(struct h2c_conn *c, const struct h2f_frame *f,
                     const struct h2f_setting *settings, size_t n);
int conn_queue_simple(struct h2c_conn *c, uint8_t type, uint8_t flags, uint32_t sid, uint32_t a,
                      uint32_t b);
int conn_queue_preface(struct h2c_conn *c);
int conn_queue_goaway(struct h2c_conn *c, uint32_t wire, const char *debug);
void conn_credit(struct h2c_conn *c, struct h2c_stream *s, size_t n);

/* conn_recv.c */
int conn_dispatch(struct h2c_conn *c, const struct h2f_frame *f, struct h2e_info *info);
/* conn_data_begin - DATA frame `h` (unpadded; its payload follows) as a whole frame would be
 * checked and counted; enters READ_DATA. Returns 0 or a negative H2E_* as conn_dispatch. */
int conn_data_begin(struct h2c_conn *c, const struct h2f_header *h, struct h2e_info *info);
/* conn_data_rest - up to `n` octets of `p` as payload of the DATA frame in READ_DATA.
 * Returns the count taken, or a negative H2E_* as conn_dispatch. */
int conn_data_rest(struct h2c_conn *c, const uint8_t *p, size_t n, struct h2e_info *info);

#endif
