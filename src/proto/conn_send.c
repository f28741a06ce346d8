/* SPDX-License-Identifier: MIT */
/*
 * Everything the client connection puts on the wire: the preface and our SETTINGS (RFC 9113
 * §3.4), request HEADERS split into CONTINUATION at the peer's MAX_FRAME_SIZE (§6.10),
 * request DATA within both send windows (§6.9), WINDOW_UPDATE credit as the caller
 * consumes body bytes, control frames and GOAWAY. Output goes to a bounded queue.
 */
#include <string.h>

#include "conn_int.h"
#include "base/h2.h"
#include "base/limits.h"

/* DATA is queued only while less than this is waiting to be written: backpressure. */
#define OUT_DATA_HIGH (256u * 1024u)

static void compact(struct h2c_conn *c)
{
    if (c->out_off == 0)
        return;
    buf_consume(&c->out, c->out_off);
    c->out_off = 0;
}

int conn_queue_frame(struct h2c_conn *c, const struct h2f_frame *f,
                     const struct h2f_setting *settings, size_t n)
{
    size_t need = h2f_encoded_len(f, settings, n);
    int rv, len;

    compact(c);
    rv = buf_reserve(&c->out, need);
    if (rv)
        return rv;
    len = h2f_encode(f, settings, n, c->out.p + c->out.len, c->out.cap - c->out.len);
    if (len < 0)
        return len;
    if (c->cfg.on_frame) {
        struct h2f_frame sent;
        struct h2e_info info;
        if (h2f_decode(c->out.p + c->out.len, (size_t)len, H2_MAX_MAX_FRAME_SIZE, &sent, &info) > 0)
            c->cfg.on_frame(c->cfg.on_frame_ud, true, &sent, NULL);
    }
    c->out.len += (size_t)len;
    return 0;
}

/* conn_queue_simple - a frame whose payload is one or two 32-bit words (RST_STREAM,
 * WINDOW_UPDATE) or nothing (SETTINGS ACK). */
int conn_queue_simple(struct h2c_conn *c, uint8_t type, uint8_t flags, uint32_t sid, uint32_t a,
                      uint32_t b)
{
    struct h2f_frame f;

    (void)b;
    memset(&f, 0, sizeof(f));
    f.hdr.type = type;
    f.hdr.flags = flags;
    f.hdr.stream_id = sid;
    if (type == H2F_TYPE_RST_STREAM)
        f.u.rst_stream.error_code = a;
    else if (type == H2F_TYPE_WINDOW_UPDATE)
        f.u.window_update.increment = a;
    return conn_queue_frame(c, &f, NULL, 0);
}

/* Test aid: `extra` entries replace ours with the same id, or are appended (§6.5). */
static size_t merge_settings(struct h2f_setting *set, size_t n, size_t cap,
                             const struct h2f_setting *extra, size_t nextra)
{
    size_t i, j;

    for (i = 0; i < nextra; i++) {
        for (j = 0; j < n && set[j].id != extra[i].id; j++)
            ;
        if (j < n)
            set[j].value = extra[i].value;
        else if (n < cap)
            set[n++] = extra[i];
    }
    return n;
}

int conn_queue_preface(struct h2c_conn *c)
{
    struct h2f_setting set[6 + LIMIT_SETTINGS_ENTRIES];
    struct h2f_frame f;
    size_t n = 0;
    int rv = buf_append(&c->out, H2_PREFACE, H2_PREFACE_LEN);

    if (rv)
        return rv;
    /* RFC 9113 §6.5.2: push off; windows and list size ours; others only if not default */
    set[n++] = (struct h2f_setting){H2_SETTINGS_ENABLE_PUSH, 0};
    set[n++] = (struct h2f_setting){H2_SETTINGS_INITIAL_WINDOW_SIZE, c->cfg.stream_window};
    set[n++] = (struct h2f_setting){H2_SETTINGS_MAX_HEADER_LIST_SIZE, c->cfg.max_header_list_size};
    if (c->cfg.header_table_size != H2_DEFAULT_HEADER_TABLE_SIZE)
        set[n++] = (struct h2f_setting){H2_SETTINGS_HEADER_TABLE_SIZE, c->cfg.header_table_size};
    if (c->cfg.max_frame_size != H2_MIN_MAX_FRAME_SIZE)
        set[n++] = (struct h2f_setting){H2_SETTINGS_MAX_FRAME_SIZE, c->cfg.max_frame_size};
    n = merge_settings(set, n, sizeof(set) / sizeof(set[0]), c->cfg.extra_settings,
                       c->cfg.nextra_settings);
    if (c->cfg.empty_settings)
        n = 0;
    memset(&f, 0, sizeof(f));
    f.hdr.type = H2F_TYPE_SETTINGS;
    rv = conn_queue_frame(c, &f, set, n);
    if (rv)
        return rv;
    c->settings_unacked++;
    /* the connection window can only grow by WINDOW_UPDATE (§6.9.2) */
    if (c->cfg.conn_window > H2_DEFAULT_WINDOW)
        rv = conn_queue_simple(c, H2F_TYPE_WINDOW_UPDATE, 0, 0,
                               c->cfg.conn_window - H2_DEFAULT_WINDOW, 0);
    return rv;
}

int conn_queue_goaway(struct h2c_conn *c, uint32_t wire, const char *debug)
{
    struct h2f_frame f;

    if (c->goaway_sent)
        return 0;
    c->goaway_sent = true;
    memset(&f, 0, sizeof(f));
    f.hdr.type = H2F_TYPE_GOAWAY;
    /* we accept no server-initiated streams, so the last one we processed is 0 */
    f.u.goaway.last_stream_id = 0;
    f.u.goaway.error_code = wire;
    if (debug)
        f.u.goaway.debug = span_str(debug);
    return conn_queue_frame(c, &f, NULL, 0);
}

/* conn_credit - `n` received bytes no longer occupy the windows: return credit with
 * WINDOW_UPDATE once half a window is owed, so the peer never stalls (§6.9), half the
 * stream's boosted window once it has one (else a 1 MiB window came back 32 KiB at a
 * time); with `paced_credit`, the connection's credit waits for h2c_grant_credit. */
void conn_credit(struct h2c_conn *c, struct h2c_stream *s, size_t n)
{
    if (c->cfg.paced_credit)
        c->credit_owed += n;
    else
        c->recv_unacked += (uint32_t)n;
    if (c->recv_unacked && c->recv_unacked >= c->cfg.conn_window / 2) {
        conn_queue_simple(c, H2F_TYPE_WINDOW_UPDATE, 0, 0, c->recv_unacked, 0);
        c->recv_window += c->recv_unacked;
        c->recv_unacked = 0;
    }
    if (!s || s->state == STREAM_HALF_CLOSED_REMOTE)
        return;
    s->recv_unacked += (uint32_t)n;
    if (s->recv_unacked >= (s->recv_boost ? s->recv_boost : c->cfg.stream_window) / 2) {
        conn_queue_simple(c, H2F_TYPE_WINDOW_UPDATE, 0, s->id, s->recv_unacked, 0);
        s->recv_window += s->recv_unacked;
        s->recv_unacked = 0;
    }
}

uint64_t h2c_credit_owed(const struct h2c_conn *c)
{
    return c->credit_owed;
}

uint64_t h2c_grant_credit(struct h2c_conn *c, uint64_t n)
{
    if (n > c->credit_owed)
        n = c->credit_owed;
    /* §6.9.1: a window may not pass 2^31-1; what is owed never makes it do so, since it
     * was taken from the window first */
    if (!n || c->failed || c->recv_window + (int64_t)n > H2_MAX_WINDOW)
        return 0;
    if (conn_queue_simple(c, H2F_TYPE_WINDOW_UPDATE, 0, 0, (uint32_t)n, 0) != 0)
        return 0;
    c->recv_window += (int64_t)n;
    c->credit_owed -= n;
    return n;
}

void h2c_consume_conn(struct h2c_conn *c, size_t n)
{
    if (n)
        conn_credit(c, NULL, n);
}

void h2c_stream_boost(struct h2c_conn *c, uint32_t sid, uint32_t window)
{
    struct h2c_stream *s = stream_find(&c->streams, sid);
    int64_t inc;

    if (!s || s->state == STREAM_HALF_CLOSED_REMOTE || c->failed)
        return;
    /* in flight: what the window still allows, what is owed back, and the rest of a DATA
     * frame being taken in pieces (its whole length left the window with its header) */
    inc = (int64_t)window - (s->recv_window + s->recv_unacked);
    if (c->rstate == READ_DATA && c->rdata.deliver && c->rdata.sid == sid)
        inc -= c->rdata.left;
    if (inc > 0 && s->recv_window + inc <= H2_MAX_WINDOW &&
        conn_queue_simple(c, H2F_TYPE_WINDOW_UPDATE, 0, sid, (uint32_t)inc, 0) == 0)
        s->recv_window += inc;
    else if (inc > 0)
        return; /* not granted: credit goes on by the window it has */
    if (window > c->cfg.stream_window)
        s->recv_boost = window;
}

void h2c_consume(struct h2c_conn *c, uint32_t sid, size_t n)
{
    if (n)
        conn_credit(c, stream_find(&c->streams, sid), n);
}

/* Octets of a frame's payload taken by --padding: the Pad Length octet and the padding
 * (§6.1, §6.2), or 0 when off or when `room` cannot hold them. */
static size_t pad_overhead(const struct h2c_conn *c, size_t room)
{
    size_t ov = c->cfg.padding ? (size_t)c->cfg.padding + 1 : 0;
    return ov < room ? ov : 0;
}

static void set_padding(struct h2f_frame *f, size_t ov)
{
    if (!ov)
        return;
    f->hdr.flags |= H2F_FLAG_PADDED;
    f->padding = span_of(NULL, ov - 1);
}

/* Queue header block `block` as HEADERS + CONTINUATION frames of at most the peer's
 * MAX_FRAME_SIZE (RFC 9113 §4.3, §6.10); with the test aid `split_blocks`, the HEADERS
 * frame carries only the first half so that a CONTINUATION always follows. */
static int queue_block(struct h2c_conn *c, uint32_t sid, struct span block, bool end_stream)
{
    size_t max = c->peer.max_frame_size, off = 0;
    size_t ov = pad_overhead(c, max);
    size_t first_max = c->cfg.split_blocks ? block.len / 2 : max - ov;
    bool first = true;

    do {
        struct h2f_frame f;
        size_t lim = first ? first_max : max, n = block.len - off < lim ? block.len - off : lim;
        int rv;

        memset(&f, 0, sizeof(f));
        f.hdr.type = first ? H2F_TYPE_HEADERS : H2F_TYPE_CONTINUATION;
        f.hdr.stream_id = sid;
        if (first && end_stream)
            f.hdr.flags |= H2F_FLAG_END_STREAM;
        if (off + n == block.len)
            f.hdr.flags |= H2F_FLAG_END_HEADERS;
        if (first) {
            f.u.headers.block = span_of(block.p + off, n);
            set_padding(&f, ov);
        } else {
            f.u.continuation.block = span_of(block.p + off, n);
        }
        rv = conn_queue_frame(c, &f, NULL, 0);
        if (rv)
            return rv;
        off += n;
        first = false;
    } while (off < block.len);
    return 0;
}

/* RFC 9218 §5: the `priority` field of --extpri, after the request's own fields. */
static int encode_priority(struct h2c_conn *c)
{
    struct hpack_field pf;

    if (!c->cfg.priority.len)
        return 0;
    memset(&pf, 0, sizeof(pf));
    pf.name = span_str("priority");
    pf.value = c->cfg.priority;
    return hpack_encode_block(&c->enc, &pf, 1, &c->scratch, NULL);
}

static bool method_is(const struct h2c_request *req, const char *method)
{
    size_t i;
    for (i = 0; i < req->nfields; i++)
        if (span_eq_str(req->fields[i].name, ":method"))
            return span_eq_str(req->fields[i].value, method);
    return false;
}

int64_t h2c_submit(struct h2c_conn *c, const struct h2c_request *req)
{
    struct h2c_stream *s;
    int rv;

    if (!h2c_can_submit(c))
        return c->goaway_received ? H2E_PEER_GOAWAY : H2E_PROTOCOL;
    buf_reset(&c->scratch);
    rv = hpack_encode_block(&c->enc, req->fields, req->nfields, &c->scratch, NULL);
    if (rv == 0)
        rv = encode_priority(c);
    if (rv)
        return rv;
    s = mem_alloc(c->mem, sizeof(*s));
    if (!s)
        return H2E_NOMEM;
    memset(s, 0, sizeof(*s));
    s->id = c->next_stream_id;
    s->state = req->end_stream ? STREAM_HALF_CLOSED_LOCAL : STREAM_OPEN;
    s->send_window = c->peer.initial_window_size;
    s->recv_window = c->cfg.stream_window;
    s->head = method_is(req, "HEAD");
    s->tunnel = method_is(req, "CONNECT");
    s->user = req->user;
    rv = stream_insert(&c->streams, s);
    if (rv == 0)
        rv = queue_block(c, s->id, buf_span(&c->scratch), req->end_stream);
    if (rv) {
        stream_remove(&c->streams, s->id);
        mem_free(c->mem, s);
        return rv;
    }
    c->last_opened = s->id;
    c->next_stream_id += 2;
    return s->id;
}

/* How much of `rem` bytes the next DATA frame of `s` may carry within both send windows,
 * the peer's MAX_FRAME_SIZE and the output bound; `*ov` gets the padding overhead. */
static size_t frame_room(const struct h2c_conn *c, const struct h2c_stream *s, size_t rem,
                         size_t *ov)
{
    int64_t w = s->send_window < c->send_window ? s->send_window : c->send_window;
    size_t queued = c->out.len - c->out_off, room;

    *ov = 0;
    if (w <= 0 || (rem && queued >= OUT_DATA_HIGH))
        return 0;
    room = (uint64_t)w < c->peer.max_frame_size ? (size_t)w : c->peer.max_frame_size;
    *ov = pad_overhead(c, rem ? room : room + 1);
    room -= *ov;
    if (queued < OUT_DATA_HIGH && room > OUT_DATA_HIGH - queued)
        room = OUT_DATA_HIGH - queued;
    return rem < room ? rem : room;
}

static int queue_data(struct h2c_conn *c, struct h2c_stream *s, struct span d, size_t ov, bool end)
{
    struct h2f_frame f;
    int rv;

    memset(&f, 0, sizeof(f));
    f.hdr.type = H2F_TYPE_DATA;
    f.hdr.stream_id = s->id;
    if (end)
        f.hdr.flags = H2F_FLAG_END_STREAM;
    f.u.data.data = d;
    set_padding(&f, ov);
    rv = conn_queue_frame(c, &f, NULL, 0);
    if (rv)
        return rv;
    /* §6.9.1: padding counts against the windows too */
    s->send_window -= (int64_t)(d.len + ov);
    c->send_window -= (int64_t)(d.len + ov);
    return 0;
}

/* A window below this (and below half the largest the stream has had) is silly. A quarter
 * of the smallest MAX_FRAME_SIZE: 9 bytes of header per 4 KiB cost nothing, while the
 * default window of 65,535 bytes leaves a last frame of 16,383 that must not wait. */
#define SWS_MIN_FRAME 4096

/*
 * Silly-window avoidance (the sender's rule of RFC 1122 §4.2.3.4, for HTTP/2 windows): a
 * peer that returns credit a few bytes at a time would otherwise get a DATA frame per few
 * bytes. A frame is held back when the window, not the data, limits it and the window is
 * below both SWS_MIN_FRAME and half the largest window the stream has had; more credit or
 * h2c_send_small_ok() (the caller's bounded wait) releases it.
 */
static bool silly(struct h2c_conn *c, struct h2c_stream *s, size_t rem)
{
    int64_t w = s->send_window < c->send_window ? s->send_window : c->send_window;
    int64_t half;

    if (w > s->send_window_max)
        s->send_window_max = w;
    half = s->send_window_max / 2;
    if (w <= 0 || (uint64_t)w >= rem || s->small_ok)
        return false;
    return w < (SWS_MIN_FRAME < half ? SWS_MIN_FRAME : half);
}

/* END_STREAM went out on `s` (RFC 9113 §5.1): half-closed (local), or closed when the peer
 * had ended its side already. */
static void end_local(struct h2c_conn *c, struct h2c_stream *s)
{
    if (s->state == STREAM_HALF_CLOSED_REMOTE)
        conn_close_stream(c, s, CLOSED_END_STREAM);
    else
        s->state = STREAM_HALF_CLOSED_LOCAL;
}

int64_t h2c_send_data(struct h2c_conn *c, uint32_t sid, const uint8_t *p, size_t len, bool end)
{
    struct h2c_stream *s = stream_find(&c->streams, sid);
    size_t off = 0;

    if (!s || s->state == STREAM_HALF_CLOSED_LOCAL || c->failed)
        return H2E_STREAM_CLOSED;
    if (len == 0 && !end)
        return 0;
    s->sws_held = false;
    do {
        size_t ov, n;
        int rv;

        if (off < len && silly(c, s, len - off)) {
            s->sws_held = true;
            break;
        }
        n = frame_room(c, s, len - off, &ov);
        if (n == 0 && off < len)
            break; /* blocked by a window or the output queue */
        rv = queue_data(c, s, span_of(p + off, n), ov, end && off + n == len);
        if (rv)
            return rv;
        s->small_ok = false;
        off += n;
    } while (off < len);
    if (end && off == len)
        end_local(c, s);
    return (int64_t)off;
}

int h2c_send_trailers(struct h2c_conn *c, uint32_t sid, const struct hpack_field *f, size_t n)
{
    struct h2c_stream *s = stream_find(&c->streams, sid);
    int rv;

    if (!s || s->state == STREAM_HALF_CLOSED_LOCAL || c->failed)
        return H2E_STREAM_CLOSED;
    buf_reset(&c->scratch);
    rv = hpack_encode_block(&c->enc, f, n, &c->scratch, NULL);
    if (rv == 0)
        rv = queue_block(c, sid, buf_span(&c->scratch), true);
    if (rv)
        return rv;
    end_local(c, s);
    return 0;
}

bool h2c_send_held(const struct h2c_conn *c, uint32_t sid)
{
    const struct h2c_stream *s = stream_find(&c->streams, sid);

    return s && s->sws_held;
}

void h2c_send_small_ok(struct h2c_conn *c, uint32_t sid)
{
    struct h2c_stream *s = stream_find(&c->streams, sid);

    if (s)
        s->small_ok = true;
}

int h2c_ping(struct h2c_conn *c, const uint8_t opaque[8])
{
    struct h2f_frame f;

    memset(&f, 0, sizeof(f));
    f.hdr.type = H2F_TYPE_PING;
    memcpy(f.u.ping.opaque, opaque, 8);
    return conn_queue_frame(c, &f, NULL, 0);
}

struct span h2c_output(const struct h2c_conn *c)
{
    return span_of(c->out.p + c->out_off, c->out.len - c->out_off);
}

void h2c_output_done(struct h2c_conn *c, size_t n)
{
    c->out_off += n;
    if (c->out_off >= c->out.len) {
        c->out.len = 0;
        c->out_off = 0;
        c->queued_replies = 0;
    }
}
