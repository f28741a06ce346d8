/* SPDX-License-Identifier: MIT */
/*
 * Frame handlers of the client connection, one per frame type, dispatched by table (h2o's
 * shape). Each applies RFC 9113's stream-state rules (§5.1), flow control (§5.2, §6.9),
 * header-block assembly (§4.3, §6.10) and response rules (§8.1), and turns what it saw
 * into events. Returns 0 or a negative H2E_*; connection-scope codes end the connection.
 */
#include <string.h>

#include "conn_int.h"
#include "base/h2.h"
#include "base/limits.h"
#include "codec/msg.h"

/* A frame for a stream we never opened: even ids (push is off) or odd ids above the last
 * we opened are idle (RFC 9113 §5.1). */
static bool is_idle(const struct h2c_conn *c, uint32_t sid)
{
    return (sid & 1) == 0 || sid > c->last_opened;
}

/* The stream a frame is for, or NULL for a closed one; idle streams are a connection error
 * for every type but PRIORITY (§5.1 "idle"). */
static int lookup(struct h2c_conn *c, const struct h2f_frame *f, struct h2c_stream **out,
                  struct h2e_info *info)
{
    *out = stream_find(&c->streams, f->hdr.stream_id);
    if (*out)
        return 0;
    if (is_idle(c, f->hdr.stream_id))
        return h2e_set(info, H2E_PROTOCOL, f->hdr.stream_id,
                       "frame on an idle stream (RFC 9113 §5.1)");
    return 0;
}

/* A frame after both sides ended a stream is a connection error (§5.1 "closed"); after a
 * reset, frames still in flight are ignored. */
static int on_closed(struct h2c_conn *c, uint32_t sid, uint8_t type, struct h2e_info *info)
{
    if (conn_closed_how(c, sid) != CLOSED_END_STREAM)
        return 0;
    return h2e_set(info, H2E_CLOSED_STREAM, sid,
                   type == H2F_TYPE_DATA
                       ? "DATA after the server's END_STREAM on a closed stream (RFC 9113 §5.1)"
                       : "HEADERS after the server's END_STREAM on a closed stream "
                         "(RFC 9113 §5.1)");
}

/* A malformed response (§8.1.1): reset the stream, naming the offending field and msg.c's
 * rule id in the event. */
static int malformed(struct h2c_conn *c, struct h2c_stream *s, const char *why, const char *rule)
{
    size_t before = c->nev;
    int rv = conn_stream_error(c, s, H2E_STREAM_PROTOCOL, why);

    if (c->nev > before) {
        c->ev[before].field = c->bad_field;
        c->ev[before].rule = rule;
    }
    return rv;
}

/* The response ended: content-length must equal the DATA total (§8.1.1). */
static int remote_end(struct h2c_conn *c, struct h2c_stream *s)
{
    struct h2e_info vi = H2E_INFO_INIT;

    c->bad_field = span_of(NULL, 0);
    if (msg_check_body_length(&s->resp, s->head, s->data_received, true, &vi) != 0)
        return malformed(c, s, vi.why, s->resp.rule);
    if (!conn_event(c, H2C_EV_END_STREAM, s, s->id))
        return H2E_NOMEM;
    if (s->state == STREAM_HALF_CLOSED_LOCAL)
        conn_close_stream(c, s, CLOSED_END_STREAM);
    else
        s->state = STREAM_HALF_CLOSED_REMOTE;
    return 0;
}

/*
 * A DATA frame of `h->length` octets carrying `datalen` octets of data on their way: the
 * windows, the stream's state and the body length are checked and counted here, for the
 * whole frame (§6.1, §6.9.1, §8.1.1). `*out` is the stream that takes the data, or NULL
 * when the frame is dropped (its octets then credited to the connection).
 */
static int data_accept(struct h2c_conn *c, const struct h2f_header *h, size_t datalen,
                       struct h2c_stream **out, struct h2e_info *info)
{
    struct h2f_frame f = {.hdr = *h};
    struct h2c_stream *s;
    size_t len = h->length, pad = len - datalen;
    int rv;

    *out = NULL;
    /* RFC 9113 §6.9.1: the whole payload, padding included, counts against the windows */
    if ((int64_t)len > c->recv_window)
        return h2e_set(info, H2E_FLOW_CONTROL, 0,
                       "DATA beyond the connection window (RFC 9113 §6.9.1)");
    c->recv_window -= (int64_t)len;
    if ((rv = lookup(c, &f, &s, info)) != 0)
        return rv;
    if (!s) {
        conn_credit(c, NULL, len);
        return on_closed(c, h->stream_id, H2F_TYPE_DATA, info);
    }
    if (s->state == STREAM_HALF_CLOSED_REMOTE || (int64_t)len > s->recv_window) {
        conn_credit(c, NULL, len);
        if (s->state == STREAM_HALF_CLOSED_REMOTE)
            return conn_stream_error(c, s, H2E_STREAM_CLOSED,
                                     "DATA after END_STREAM (RFC 9113 §5.1)");
        return conn_stream_error(c, s, H2E_STREAM_FLOW_CONTROL,
                                 "DATA beyond the stream window (RFC 9113 §6.9.1)");
    }
    s->recv_window -= (int64_t)len;
    if (!s->final_headers) {
        conn_credit(c, NULL, len);
        return conn_stream_error(c, s, H2E_STREAM_PROTOCOL,
                                 "DATA before the response HEADERS (RFC 9113 §8.1)");
    }
    if (pad)
        conn_credit(c, s, pad); /* padding is never written out: credit it now */
    s->data_received += datalen;
    if (msg_check_body_length(&s->resp, s->head, s->data_received, false, info) != 0) {
        conn_credit(c, NULL, datalen);
        c->bad_field = span_of(NULL, 0);
        return malformed(c, s, info->why, s->resp.rule);
    }
    *out = s;
    return 0;
}

static int data_event(struct h2c_conn *c, const struct h2c_stream *s, struct span data)
{
    struct h2c_event *ev;

    if (!data.len)
        return 0;
    if (!(ev = conn_event(c, H2C_EV_DATA, s, s->id)))
        return H2E_NOMEM;
    ev->data = data;
    return 0;
}

static int on_data(struct h2c_conn *c, const struct h2f_frame *f, struct h2e_info *info)
{
    struct h2c_stream *s;
    int rv = data_accept(c, &f->hdr, f->u.data.data.len, &s, info);

    if (rv || !s)
        return rv;
    if ((rv = data_event(c, s, f->u.data.data)) != 0)
        return rv;
    return (f->hdr.flags & H2F_FLAG_END_STREAM) ? remote_end(c, s) : 0;
}

int conn_data_begin(struct h2c_conn *c, const struct h2f_header *h, struct h2e_info *info)
{
    struct h2c_stream *s;
    int rv = data_accept(c, h, h->length, &s, info);

    if (rv)
        return rv;
    c->rdata.sid = h->stream_id;
    c->rdata.left = h->length;
    c->rdata.end_stream = (h->flags & H2F_FLAG_END_STREAM) != 0;
    c->rdata.deliver = s != NULL;
    c->rstate = READ_DATA;
    return 0;
}

int conn_data_rest(struct h2c_conn *c, const uint8_t *p, size_t n, struct h2e_info *info)
{
    struct data_rest *d = &c->rdata;
    struct h2c_stream *s = d->deliver ? stream_find(&c->streams, d->sid) : NULL;
    size_t take = n < d->left ? n : d->left;
    int rv = 0;

    (void)info;
    if (s)
        rv = data_event(c, s, span_of(p, take));
    else if (d->deliver && take)
        conn_credit(c, NULL, take); /* reset while its frame came in: counted, now dropped */
    if (rv)
        return rv;
    d->left -= (uint32_t)take;
    if (d->left)
        return (int)take;
    c->rstate = READ_FRAME;
    if (s && d->end_stream && (rv = remote_end(c, s)) != 0)
        return rv;
    return (int)take;
}

/* Run the decoded block through the response rules of RFC 9113 §8 (msg.c). */
static int check_block(struct h2c_conn *c, uint32_t sid, bool trailers, bool end_stream,
                       struct msg_resp *v, struct h2e_info *vi)
{
    size_t i;
    int rv;

    msg_resp_init(v, sid, trailers);
    for (i = 0; i < c->list.count; i++) {
        rv = msg_resp_field(v, c->list.fields[i].name, c->list.fields[i].value, vi);
        if (rv) {
            c->bad_field = c->list.fields[i].name;
            return rv;
        }
    }
    return msg_resp_end(v, end_stream, vi);
}

/* A final response or 1xx (§8.1, §8.3.2). */
static int response_headers(struct h2c_conn *c, struct h2c_stream *s, bool end_stream)
{
    struct msg_resp v;
    struct h2e_info vi = H2E_INFO_INIT;
    struct h2c_event *ev;

    c->bad_field = span_of(NULL, 0);
    if (check_block(c, s->id, false, end_stream, &v, &vi) != 0)
        return malformed(c, s, vi.why, v.rule);
    if (msg_resp_informational(&v)) {
        if (++s->informational > LIMIT_INFORMATIONAL)
            return conn_stream_error(c, s, H2E_LIMIT_INFORMATIONAL, "more than 32 1xx responses");
        ev = conn_event(c, H2C_EV_INFORMATIONAL, s, s->id);
    } else {
        s->final_headers = true;
        s->resp = v;
        /* RFC 9110 §9.3.6: a client ignores Content-Length in a 2xx to CONNECT; the DATA
         * that follows is the tunnel's, of no set length */
        if (s->tunnel && v.status / 100 == 2)
            s->resp.has_content_length = false;
        ev = conn_event(c, H2C_EV_HEADERS, s, s->id);
    }
    if (!ev)
        return H2E_NOMEM;
    ev->fields = &c->list;
    return 0;
}

static int trailers(struct h2c_conn *c, struct h2c_stream *s, bool end_stream)
{
    struct msg_resp v;
    struct h2e_info vi = H2E_INFO_INIT;
    struct h2c_event *ev;

    c->bad_field = span_of(NULL, 0);
    if (check_block(c, s->id, true, end_stream, &v, &vi) != 0)
        return malformed(c, s, vi.why, v.rule);
    ev = conn_event(c, H2C_EV_TRAILERS, s, s->id);
    if (!ev)
        return H2E_NOMEM;
    ev->fields = &c->list;
    return 0;
}

/* The header block is complete: decode it (always, to keep HPACK state in step, §4.3). */
static int finish_block(struct h2c_conn *c, struct h2e_info *info)
{
    struct h2c_stream *s;
    bool end = c->hblock_end_stream;
    int rv = hpack_decode_block(&c->dec, c->hblock.p, c->hblock.len, &c->list, info);

    c->rstate = READ_FRAME;
    if (rv)
        return rv;
    s = stream_find(&c->streams, c->hblock_sid);
    if (!s)
        return on_closed(c, c->hblock_sid, H2F_TYPE_HEADERS, info);
    if (s->state == STREAM_HALF_CLOSED_REMOTE)
        return conn_stream_error(c, s, H2E_STREAM_CLOSED,
                                 "HEADERS after END_STREAM (RFC 9113 §5.1)");
    rv = s->final_headers ? trailers(c, s, end) : response_headers(c, s, end);
    if (rv || !end || !stream_find(&c->streams, c->hblock_sid))
        return rv;
    return remote_end(c, s);
}

static void trace_block(struct h2c_conn *c, const struct h2f_frame *f)
{
    if (c->cfg.on_frame)
        c->cfg.on_frame(c->cfg.on_frame_ud, false, f,
                        (f->hdr.flags & H2F_FLAG_END_HEADERS) ? &c->list : NULL);
}

static int on_headers(struct h2c_conn *c, const struct h2f_frame *f, struct h2e_info *info)
{
    struct h2c_stream *s;
    int rv = lookup(c, f, &s, info);

    if (rv)
        return rv;
    buf_reset(&c->hblock);
    c->hblock_sid = f->hdr.stream_id;
    c->hblock_frames = 1;
    c->hblock_end_stream = (f->hdr.flags & H2F_FLAG_END_STREAM) != 0;
    rv = buf_append(&c->hblock, f->u.headers.block.p, f->u.headers.block.len);
    if (rv)
        return h2e_set(info, H2E_LIMIT_CONTINUATION, f->hdr.stream_id, "header block over 256 KiB");
    if (!(f->hdr.flags & H2F_FLAG_END_HEADERS)) {
        c->rstate = READ_CONTINUATION;
        trace_block(c, f);
        return 0;
    }
    rv = finish_block(c, info);
    trace_block(c, f);
    return rv;
}

static int on_continuation(struct h2c_conn *c, const struct h2f_frame *f, struct h2e_info *info)
{
    int rv;

    if (c->rstate != READ_CONTINUATION)
        return h2e_set(info, H2E_PROTOCOL, f->hdr.stream_id,
                       "CONTINUATION without a HEADERS before it (RFC 9113 §6.10)");
    if (++c->hblock_frames > LIMIT_CONTINUATION_FRAMES + 1)
        return h2e_set(info, H2E_LIMIT_CONTINUATION, f->hdr.stream_id,
                       "more than 32 CONTINUATION frames in one header block");
    if (buf_append(&c->hblock, f->u.continuation.block.p, f->u.continuation.block.len))
        return h2e_set(info, H2E_LIMIT_CONTINUATION, f->hdr.stream_id, "header block over 256 KiB");
    if (!(f->hdr.flags & H2F_FLAG_END_HEADERS)) {
        trace_block(c, f);
        return 0;
    }
    rv = finish_block(c, info);
    trace_block(c, f);
    return rv;
}

static int on_priority(struct h2c_conn *c, const struct h2f_frame *f, struct h2e_info *info)
{
    (void)c;
    (void)f;
    (void)info;
    return 0; /* RFC 9113 §5.3.2: the priority signals of RFC 7540 are ignored */
}

static int on_rst_stream(struct h2c_conn *c, const struct h2f_frame *f, struct h2e_info *info)
{
    struct h2c_stream *s;
    struct h2c_event *ev;
    int rv = lookup(c, f, &s, info);

    if (rv || !s)
        return rv;
    ev = conn_event(c, H2C_EV_RESET, s, s->id);
    if (!ev)
        return H2E_NOMEM;
    ev->code = H2E_PEER_RST_STREAM;
    ev->wire = f->u.rst_stream.error_code;
    /* RFC 9113 §8.7: REFUSED_STREAM guarantees the request was not processed */
    ev->unprocessed = f->u.rst_stream.error_code == H2_REFUSED_STREAM;
    conn_close_stream(c, s, CLOSED_RESET);
    return 0;
}

/* RFC 9113 §6.9.2: a new INITIAL_WINDOW_SIZE shifts every stream's send window. */
static int apply_initial_window(struct h2c_conn *c, uint32_t value, struct h2e_info *info)
{
    int64_t delta = (int64_t)value - (int64_t)c->peer.initial_window_size;
    size_t i;

    for (i = 0; i < c->streams.cap; i++) {
        struct h2c_stream *s = stream_at(&c->streams, i);
        if (!s)
            continue;
        s->send_window += delta;
        if (s->send_window > H2_MAX_WINDOW)
            return h2e_set(info, H2E_FLOW_CONTROL, s->id,
                           "INITIAL_WINDOW_SIZE pushes a window above 2^31-1 (RFC 9113 §6.9.2)");
    }
    c->peer.initial_window_size = value;
    return 0;
}

static int apply_setting(struct h2c_conn *c, struct h2f_setting st, struct h2e_info *info)
{
    switch (st.id) {
    case H2_SETTINGS_HEADER_TABLE_SIZE:
        c->peer.header_table_size = st.value;
        hpack_encoder_set_peer_limit(&c->enc, st.value);
        return 0;
    case H2_SETTINGS_ENABLE_PUSH:
        if (st.value != 0)
            return h2e_set(info, H2E_PROTOCOL, 0,
                           "server set SETTINGS_ENABLE_PUSH to 1 (RFC 9113 §6.5.2)");
        return 0;
    case H2_SETTINGS_MAX_CONCURRENT_STREAMS:
        c->peer.max_concurrent_streams = st.value;
        return 0;
    case H2_SETTINGS_INITIAL_WINDOW_SIZE:
        return apply_initial_window(c, st.value, info);
    case H2_SETTINGS_MAX_FRAME_SIZE:
        c->peer.max_frame_size = st.value;
        return 0;
    case H2_SETTINGS_MAX_HEADER_LIST_SIZE:
        c->peer.max_header_list_size = st.value;
        return 0;
    case H2_SETTINGS_ENABLE_CONNECT_PROTOCOL:
        /* RFC 8441 §3: only 0 or 1, and once 1 never back to 0 */
        if (st.value > 1 || (st.value == 0 && c->peer.enable_connect_protocol))
            return h2e_set(info, H2E_PROTOCOL, 0,
                           st.value > 1
                               ? "SETTINGS_ENABLE_CONNECT_PROTOCOL above 1 (RFC 8441 §3)"
                               : "SETTINGS_ENABLE_CONNECT_PROTOCOL withdrawn (RFC 8441 §3)");
        c->peer.enable_connect_protocol = st.value == 1;
        return 0;
    default:
        return 0; /* §6.5.2: unknown settings are ignored */
    }
}

static int queue_reply(struct h2c_conn *c, struct h2e_info *info)
{
    if (++c->queued_replies > LIMIT_QUEUED_REPLIES)
        return h2e_set(info, H2E_LIMIT_FLOOD, 0,
                       "over 1000 PING/SETTINGS needing an ACK while our output is blocked");
    return 0;
}

static int on_settings(struct h2c_conn *c, const struct h2f_frame *f, struct h2e_info *info)
{
    size_t i;
    int rv;

    if (f->hdr.flags & H2F_FLAG_ACK) {
        if (c->settings_unacked && --c->settings_unacked == 0)
            hpack_decoder_set_limit(&c->dec, c->cfg.header_table_size);
        return conn_event(c, H2C_EV_SETTINGS_ACK, NULL, 0) ? 0 : H2E_NOMEM;
    }
    for (i = 0; i < f->u.settings.count; i++)
        if ((rv = apply_setting(c, h2f_setting_at(f, i), info)) != 0)
            return rv;
    if ((rv = queue_reply(c, info)) != 0)
        return rv;
    rv = conn_queue_simple(c, H2F_TYPE_SETTINGS, H2F_FLAG_ACK, 0, 0, 0);
    if (rv)
        return rv;
    if (c->rstate == READ_PREFACE_SETTINGS)
        c->rstate = READ_FRAME;
    return conn_event(c, H2C_EV_SETTINGS, NULL, 0) ? 0 : H2E_NOMEM;
}

static int on_push_promise(struct h2c_conn *c, const struct h2f_frame *f, struct h2e_info *info)
{
    (void)c;
    return h2e_set(info, H2E_PROTOCOL, f->hdr.stream_id,
                   "PUSH_PROMISE although SETTINGS_ENABLE_PUSH is 0 (RFC 9113 §8.4)");
}

static int on_ping(struct h2c_conn *c, const struct h2f_frame *f, struct h2e_info *info)
{
    struct h2f_frame ack;
    int rv;

    if (f->hdr.flags & H2F_FLAG_ACK) {
        struct h2c_event *ev = conn_event(c, H2C_EV_PING_ACK, NULL, 0);
        if (!ev)
            return H2E_NOMEM;
        memcpy(ev->ping, f->u.ping.opaque, 8);
        return 0;
    }
    if ((rv = queue_reply(c, info)) != 0)
        return rv;
    memset(&ack, 0, sizeof(ack));
    ack.hdr.type = H2F_TYPE_PING;
    ack.hdr.flags = H2F_FLAG_ACK;
    memcpy(ack.u.ping.opaque, f->u.ping.opaque, 8); /* §6.7: the same opaque data */
    return conn_queue_frame(c, &ack, NULL, 0);
}

/* RFC 9113 §6.8: streams above last-stream-id were not processed and may be retried. */
static int on_goaway(struct h2c_conn *c, const struct h2f_frame *f, struct h2e_info *info)
{
    struct h2c_event *ev = conn_event(c, H2C_EV_GOAWAY, NULL, 0);
    size_t i;

    (void)info;
    if (!ev)
        return H2E_NOMEM;
    ev->wire = f->u.goaway.error_code;
    ev->last_stream_id = f->u.goaway.last_stream_id;
    ev->debug = f->u.goaway.debug;
    c->goaway_received = true;
    c->goaway_last_id = f->u.goaway.last_stream_id;
    for (i = 0; i < c->streams.cap; i++) {
        struct h2c_stream *s = stream_at(&c->streams, i);
        if (!s || s->id <= f->u.goaway.last_stream_id)
            continue;
        ev = conn_event(c, H2C_EV_RESET, s, s->id);
        if (!ev)
            return H2E_NOMEM;
        ev->code = H2E_PEER_GOAWAY;
        ev->wire = f->u.goaway.error_code;
        ev->unprocessed = true;
        conn_close_stream(c, s, CLOSED_RESET);
        i = (size_t)-1; /* removal shifts entries: rescan from the start */
    }
    return 0;
}

static int on_window_update(struct h2c_conn *c, const struct h2f_frame *f, struct h2e_info *info)
{
    struct h2c_stream *s;
    int rv;

    if (f->hdr.stream_id == 0) {
        c->send_window += f->u.window_update.increment;
        if (c->send_window > H2_MAX_WINDOW)
            return h2e_set(info, H2E_FLOW_CONTROL, 0,
                           "connection window above 2^31-1 (RFC 9113 §6.9.1)");
        return 0;
    }
    if ((rv = lookup(c, f, &s, info)) != 0 || !s)
        return rv;
    s->send_window += f->u.window_update.increment;
    if (s->send_window > H2_MAX_WINDOW)
        return conn_stream_error(c, s, H2E_STREAM_FLOW_CONTROL,
                                 "stream window above 2^31-1 (RFC 9113 §6.9.1)");
    return 0;
}

typedef int (*handler_fn)(struct h2c_conn *c, const struct h2f_frame *f, struct h2e_info *info);

static const handler_fn handlers[H2F_TYPE_COUNT] = {
    [H2F_TYPE_DATA] = on_data,
    [H2F_TYPE_HEADERS] = on_headers,
    [H2F_TYPE_PRIORITY] = on_priority,
    [H2F_TYPE_RST_STREAM] = on_rst_stream,
    [H2F_TYPE_SETTINGS] = on_settings,
    [H2F_TYPE_PUSH_PROMISE] = on_push_promise,
    [H2F_TYPE_PING] = on_ping,
    [H2F_TYPE_GOAWAY] = on_goaway,
    [H2F_TYPE_WINDOW_UPDATE] = on_window_update,
    [H2F_TYPE_CONTINUATION] = on_continuation,
};

int conn_dispatch(struct h2c_conn *c, const struct h2f_frame *f, struct h2e_info *info)
{
    /* §3.4: the server's preface is a SETTINGS frame, and it comes first */
    if (c->rstate == READ_PREFACE_SETTINGS &&
        (f->hdr.type != H2F_TYPE_SETTINGS || (f->hdr.flags & H2F_FLAG_ACK)))
        return h2e_set(info, H2E_PROTOCOL, f->hdr.stream_id,
                       "server preface did not start with SETTINGS (RFC 9113 §3.4)");
    /* §6.10: nothing may come between HEADERS and its last CONTINUATION */
    if (c->rstate == READ_CONTINUATION &&
        (f->hdr.type != H2F_TYPE_CONTINUATION || f->hdr.stream_id != c->hblock_sid))
        return h2e_set(info, H2E_PROTOCOL, f->hdr.stream_id,
                       "frame other than CONTINUATION inside a header block (RFC 9113 §6.10)");
    if (f->hdr.type >= H2F_TYPE_COUNT)
        return 0; /* §5.5: unknown frame types are ignored */
    return handlers[f->hdr.type](c, f, info);
}
