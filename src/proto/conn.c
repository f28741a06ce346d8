/* SPDX-License-Identifier: MIT */
/*
 * The client connection's lifecycle, event queue, stream closing, error handling (RFC 9113
 * §5.4) and state queries. Frame handlers are in conn_recv.c, everything we send in
 * conn_send.c. Never touches a socket or the clock.
 */
#include "conn.h"

#include <string.h>

#include "conn_int.h"
#include "base/h2.h"
#include "base/limits.h"

/* Output queue cap: control frames, header blocks and at most a bounded amount of DATA. */
#define OUT_MAX (8u << 20)

void h2c_config_init(struct h2c_config *cfg, const struct mem *mem)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->mem = mem;
    cfg->stream_window = LIMIT_STREAM_WINDOW;
    cfg->conn_window = LIMIT_CONNECTION_WINDOW;
    cfg->header_table_size = LIMIT_HPACK_TABLE_SIZE;
    cfg->max_header_list_size = LIMIT_HEADER_LIST_SIZE;
    cfg->max_frame_size = LIMIT_MAX_FRAME_SIZE;
    cfg->encoder_table_cap = LIMIT_HPACK_ENCODER_TABLE_SIZE;
    cfg->huffman = HPACK_HUFFMAN_AUTO;
    cfg->indexing = HPACK_INDEX_AUTO;
}

static void peer_defaults(struct h2c_peer_settings *p)
{
    /* RFC 9113 §6.5.2 initial values; MAX_CONCURRENT_STREAMS is unlimited until said */
    p->header_table_size = H2_DEFAULT_HEADER_TABLE_SIZE;
    p->max_concurrent_streams = UINT32_MAX;
    p->initial_window_size = H2_DEFAULT_WINDOW;
    p->max_frame_size = H2_MIN_MAX_FRAME_SIZE;
    p->max_header_list_size = UINT32_MAX;
}

struct h2c_conn *h2c_new(const struct h2c_config *cfg)
{
    struct h2c_conn *c = mem_alloc(cfg->mem, sizeof(*c));

    if (!c)
        return NULL;
    memset(c, 0, sizeof(*c));
    c->cfg = *cfg;
    c->mem = cfg->mem;
    c->rstate = READ_PREFACE_SETTINGS;
    stream_table_init(&c->streams, c->mem);
    c->next_stream_id = 1;
    peer_defaults(&c->peer);
    c->send_window = H2_DEFAULT_WINDOW;
    c->recv_window = cfg->conn_window;
    /* the table we announce takes effect once acknowledged; until then 4096 (§6.5.3) */
    hpack_decoder_init(&c->dec, c->mem, H2_DEFAULT_HEADER_TABLE_SIZE);
    c->dec.max_list_size = cfg->max_header_list_size;
    hpack_encoder_init(&c->enc, c->mem, cfg->encoder_table_cap);
    c->enc.huffman = cfg->huffman;
    c->enc.indexing = cfg->indexing;
    hpack_list_init(&c->list, c->mem);
    buf_init(&c->hblock, c->mem, LIMIT_HEADER_BLOCK_SIZE);
    buf_init(&c->out, c->mem, OUT_MAX);
    buf_init(&c->scratch, c->mem, LIMIT_HEADER_BLOCK_SIZE);
    if (conn_queue_preface(c) != 0) {
        h2c_free(c);
        return NULL;
    }
    return c;
}

void h2c_free(struct h2c_conn *c)
{
    size_t i;

    if (!c)
        return;
    for (i = 0; i < c->streams.cap; i++)
        mem_free(c->mem, stream_at(&c->streams, i));
    stream_table_release(&c->streams);
    hpack_decoder_release(&c->dec);
    hpack_encoder_release(&c->enc);
    hpack_list_release(&c->list);
    buf_release(&c->hblock);
    buf_release(&c->out);
    buf_release(&c->scratch);
    mem_free(c->mem, c->ev);
    mem_free(c->mem, c);
}

/* conn_event - append an event for stream `s` (or bare id `sid`); NULL when out of memory,
 * in which case the event is lost and the caller reports H2E_NOMEM. */
struct h2c_event *conn_event(struct h2c_conn *c, enum h2c_event_type type,
                             const struct h2c_stream *s, uint32_t sid)
{
    struct h2c_event *ev;

    if (c->nev == c->evcap) {
        size_t cap = c->evcap ? c->evcap * 2 : 8;
        struct h2c_event *n = mem_resize(c->mem, c->ev, cap * sizeof(*n));
        if (!n)
            return NULL;
        c->ev = n;
        c->evcap = cap;
    }
    ev = &c->ev[c->nev++];
    memset(ev, 0, sizeof(*ev));
    ev->type = type;
    ev->stream_id = s ? s->id : sid;
    ev->user = s ? s->user : NULL;
    return ev;
}

bool h2c_next_event(struct h2c_conn *c, struct h2c_event *ev)
{
    if (c->evpos >= c->nev)
        return false;
    *ev = c->ev[c->evpos++];
    return true;
}

void conn_close_stream(struct h2c_conn *c, struct h2c_stream *s, enum closed_how how)
{
    c->closed[c->closed_next].id = s->id;
    c->closed[c->closed_next].how = (uint8_t)how;
    c->closed_next = (c->closed_next + 1) % CLOSED_RING;
    stream_remove(&c->streams, s->id);
    mem_free(c->mem, s);
}

uint8_t conn_closed_how(const struct h2c_conn *c, uint32_t sid)
{
    size_t i;
    for (i = 0; i < CLOSED_RING; i++)
        if (c->closed[i].id == sid)
            return c->closed[i].how;
    return 0;
}

/* RFC 9113 §5.4.2: a stream error resets that stream only. */
int conn_stream_error(struct h2c_conn *c, struct h2c_stream *s, int code, const char *why)
{
    struct h2c_event *ev = conn_event(c, H2C_EV_RESET, s, s->id);
    int rv;

    if (ev) {
        ev->code = code;
        ev->wire = h2e_wire(code);
        ev->local = true;
        ev->why = why;
    }
    rv = conn_queue_simple(c, H2F_TYPE_RST_STREAM, 0, s->id, h2e_wire(code), 0);
    conn_close_stream(c, s, CLOSED_RESET);
    if (!ev)
        return H2E_NOMEM;
    return rv;
}

/* RFC 9113 §5.4.1: a connection error sends GOAWAY and ends every stream. */
int conn_error(struct h2c_conn *c, int code, struct h2e_info *info)
{
    size_t i;

    if (c->failed)
        return code;
    c->failed = true;
    c->rstate = READ_CLOSED;
    conn_queue_goaway(c, h2e_wire(code), info && info->why ? info->why : h2e_str(code));
    for (i = 0; i < c->streams.cap; i++) {
        struct h2c_stream *s = stream_at(&c->streams, i);
        struct h2c_event *ev;
        if (!s)
            continue;
        ev = conn_event(c, H2C_EV_RESET, s, s->id);
        if (ev) {
            ev->code = code;
            ev->wire = h2e_wire(code);
            ev->local = true;
            ev->why = info ? info->why : NULL;
        }
    }
    return code;
}

/* The frame with header `h` may be taken in pieces (h2c_config.data_in_pieces). */
static bool in_pieces(const struct h2c_conn *c, const struct h2f_header *h)
{
    return c->cfg.data_in_pieces && !c->cfg.on_frame && c->rstate == READ_FRAME &&
           h->type == H2F_TYPE_DATA && !(h->flags & H2F_FLAG_PADDED) && h->stream_id != 0 &&
           h->length <= c->cfg.max_frame_size;
}

/* A fatal error ends the connection (GOAWAY); others are returned as they are. */
static int settle(struct h2c_conn *c, int rv, struct h2e_info *info)
{
    return rv < 0 && h2e_is_fatal(rv) ? conn_error(c, rv, info) : rv;
}

/* The header of a DATA frame whose payload is not all here: checked and counted now, its
 * payload taken as it comes. Returns the bytes consumed, 0 when it must wait to be whole. */
static int data_start(struct h2c_conn *c, const uint8_t *p, size_t len, struct h2e_info *info)
{
    struct h2f_header h;
    int rv;

    if (h2f_decode_header(p, len, &h) != 0 || !in_pieces(c, &h))
        return 0;
    if ((rv = conn_data_begin(c, &h, info)) != 0)
        return settle(c, rv, info);
    c->received_anything = true;
    /* READ_DATA now, also for a frame that is dropped: its octets are skipped in pieces */
    rv = conn_data_rest(c, p + H2_FRAME_HEADER_LEN, len - H2_FRAME_HEADER_LEN, info);
    return rv < 0 ? settle(c, rv, info) : (int)H2_FRAME_HEADER_LEN + rv;
}

/* A frame h2f_decode refused with `rv`: shown to the observer, then a connection error, or
 * for a stream-scoped one (always decided on the whole frame: only an oversized frame fails
 * from its header, and that is a connection error) the frame is skipped and the stream
 * reset. Returns the bytes consumed or the error. */
static int bad_frame(struct h2c_conn *c, int rv, const struct h2f_frame *f, size_t len,
                     struct h2e_info *info)
{
    size_t whole = H2_FRAME_HEADER_LEN + (size_t)f->hdr.length;
    struct h2c_stream *s;

    if (c->cfg.on_bad_frame)
        c->cfg.on_bad_frame(c->cfg.on_frame_ud, &f->hdr, info);
    if (h2e_scope(rv) != H2E_SCOPE_STREAM || len < whole)
        return conn_error(c, rv, info);
    if (!(s = stream_find(&c->streams, f->hdr.stream_id)))
        return (int)whole;
    if (f->hdr.type == H2F_TYPE_DATA)
        conn_credit(c, NULL, f->hdr.length);
    rv = conn_stream_error(c, s, rv, info->why);
    return rv < 0 ? rv : (int)whole;
}

static int recv_frame(struct h2c_conn *c, const uint8_t *p, size_t len, struct h2e_info *info)
{
    struct h2f_frame f;
    int rv = h2f_decode(p, len, c->cfg.max_frame_size, &f, info), hr;

    if (rv == H2E_INCOMPLETE)
        return data_start(c, p, len, info);
    if (rv < 0)
        return bad_frame(c, rv, &f, len, info);
    c->received_anything = true;
    if (c->cfg.on_frame && f.hdr.type != H2F_TYPE_HEADERS && f.hdr.type != H2F_TYPE_CONTINUATION)
        c->cfg.on_frame(c->cfg.on_frame_ud, false, &f, NULL);
    if ((hr = conn_dispatch(c, &f, info)) < 0)
        return h2e_is_fatal(hr) ? conn_error(c, hr, info) : hr;
    return rv;
}

int h2c_recv(struct h2c_conn *c, const uint8_t *p, size_t len, struct h2e_info *info)
{
    struct h2e_info local = H2E_INFO_INIT;

    if (!info)
        info = &local;
    c->nev = c->evpos = 0;
    if (c->rstate == READ_CLOSED)
        return h2e_set(info, H2E_PROTOCOL, 0, "connection already closed");
    if (c->rstate == READ_DATA) {
        int rv = conn_data_rest(c, p, len, info);
        return settle(c, rv, info);
    }
    hpack_list_reset(&c->list);
    return recv_frame(c, p, len, info);
}

size_t h2c_recv_need(const struct h2c_conn *c, const uint8_t *p, size_t len)
{
    struct h2f_header h;

    if (c->rstate == READ_DATA)
        return 1;
    if (h2f_decode_header(p, len, &h) != 0)
        return H2_FRAME_HEADER_LEN;
    /* an oversized frame fails from its header (§4.2), one in pieces starts from it */
    if (h.length > c->cfg.max_frame_size || in_pieces(c, &h))
        return H2_FRAME_HEADER_LEN;
    return H2_FRAME_HEADER_LEN + (size_t)h.length;
}

bool h2c_can_submit(const struct h2c_conn *c)
{
    return !c->failed && !c->goaway_sent && !c->goaway_received &&
           c->streams.count < c->peer.max_concurrent_streams &&
           (c->cfg.max_concurrent == 0 || c->streams.count < c->cfg.max_concurrent) &&
           c->next_stream_id <= H2_MAX_WINDOW;
}

size_t h2c_active_streams(const struct h2c_conn *c)
{
    return c->streams.count;
}

bool h2c_at_peer_limit(const struct h2c_conn *c)
{
    return c->streams.count >= c->peer.max_concurrent_streams;
}

bool h2c_is_closing(const struct h2c_conn *c)
{
    return c->failed || c->goaway_sent || c->goaway_received;
}

bool h2c_got_goaway(const struct h2c_conn *c)
{
    return c->goaway_received;
}

bool h2c_received_anything(const struct h2c_conn *c)
{
    return c->received_anything;
}

int64_t h2c_send_window(const struct h2c_conn *c, uint32_t sid)
{
    const struct h2c_stream *s = stream_find(&c->streams, sid);
    if (!s)
        return 0;
    return s->send_window < c->send_window ? s->send_window : c->send_window;
}

const struct h2c_peer_settings *h2c_peer(const struct h2c_conn *c)
{
    return &c->peer;
}

void h2c_windows(const struct h2c_conn *c, uint32_t sid, struct h2c_windows *w)
{
    const struct h2c_stream *s = sid ? stream_find(&c->streams, sid) : NULL;

    memset(w, 0, sizeof(*w));
    w->conn_send = c->send_window;
    w->conn_recv = c->recv_window;
    if (s) {
        w->stream_open = true;
        w->stream_send = s->send_window;
        w->stream_recv = s->recv_window;
    }
}

enum h2c_stream_status h2c_stream_status(const struct h2c_conn *c, uint32_t sid)
{
    const struct h2c_stream *s = stream_find(&c->streams, sid);

    if (s)
        return s->state == STREAM_OPEN                ? H2C_SS_OPEN
               : s->state == STREAM_HALF_CLOSED_LOCAL ? H2C_SS_HALF_CLOSED_LOCAL
                                                      : H2C_SS_HALF_CLOSED_REMOTE;
    if (sid == 0 || (sid & 1) == 0 || sid > c->last_opened)
        return H2C_SS_IDLE;
    return conn_closed_how(c, sid) == CLOSED_END_STREAM ? H2C_SS_CLOSED : H2C_SS_RESET;
}

void h2c_reset_stream(struct h2c_conn *c, uint32_t sid, uint32_t wire)
{
    struct h2c_stream *s = stream_find(&c->streams, sid);
    if (!s)
        return;
    conn_queue_simple(c, H2F_TYPE_RST_STREAM, 0, sid, wire, 0);
    conn_close_stream(c, s, CLOSED_RESET);
}

void h2c_shutdown(struct h2c_conn *c)
{
    if (c->goaway_sent)
        return;
    conn_queue_goaway(c, H2_NO_ERROR, NULL);
}
