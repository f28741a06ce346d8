/* SPDX-License-Identifier: MIT */
/*
 * The hooks of trace.h: the frame observer of each HTTP/2 connection (RFC 9113 §4-§6),
 * the owed --windows line and stall warnings (§6.9), the shadow decoding of our own header
 * blocks with a copy of the peer's HPACK decoder (RFC 7541 §2.2) so that sent fields show
 * as received ones do, the --ping round trips (§6.7), and the connection, TLS, stream and
 * event milestones that feed --trace-json, --stats and --check. Each hook returns at once
 * when no view wants it. Reads the connection, never changes it.
 */
#include <stdlib.h>
#include <string.h>

#include "sys/diag.h"
#include "base/h2.h"
#include "trace_int.h"
#include "sys/xalloc.h"

/* A window reopened after being zero for longer than TRACE_STALL_MS: say so. */
static void stall(struct trace *t, double ms, double *since, int64_t w, const char *what,
                  uint32_t sid)
{
    if (w <= 0 && *since == 0) {
        *since = ms > 0 ? ms : 0.001;
    } else if (w > 0 && *since != 0) {
        double d = ms - *since;
        if (d > TRACE_STALL_MS) {
            if (sid)
                fprintf(t->text, "+%.3fms !! stall: s=%u %s window 0 for %.3f s\n", ms, sid, what,
                        d / 1000.0);
            else
                fprintf(t->text, "+%.3fms !! stall: conn %s window 0 for %.3f s\n", ms, what,
                        d / 1000.0);
        }
        *since = 0;
    }
}

static void stalls(struct trace *t, struct trace_crec *cr, double ms, const struct h2c_windows *w)
{
    stall(t, ms, &cr->stall_conn_send, w->conn_send, "send", 0);
    stall(t, ms, &cr->stall_conn_recv, w->conn_recv, "recv", 0);
    if (!cr->win_sid)
        return;
    if (cr->win_sid != cr->stall_sid) {
        cr->stall_sid = cr->win_sid;
        cr->stall_stream_send = cr->stall_stream_recv = 0;
    }
    stall(t, ms, &cr->stall_stream_send, w->stream_open ? w->stream_send : 1, "send", cr->win_sid);
    stall(t, ms, &cr->stall_stream_recv, w->stream_open ? w->stream_recv : 1, "recv", cr->win_sid);
}

/* The windows line owed since the last DATA, WINDOW_UPDATE or SETTINGS, now that the
 * connection has processed it. */
static void flush_windows(struct trace *t, struct trace_crec *cr, double ms)
{
    struct h2c_windows w;

    if (!cr->win_pending || !cr->h2c)
        return;
    cr->win_pending = false;
    h2c_windows(cr->h2c, cr->win_sid, &w);
    if (t->windows && t->text) {
        trace_text_windows(t->text, cr->win_sid, &w);
        stalls(t, cr, ms, &w);
    }
    if (t->json)
        trace_json_windows(t->json, ms, cr->id, cr->win_sid, &w);
}

static void shadow_init(struct trace_crec *cr)
{
    hpack_decoder_init(&cr->shadow, &xalloc_mem, H2_DEFAULT_HEADER_TABLE_SIZE);
    /* whatever size our encoder may signal is accepted: it is our own output */
    hpack_decoder_set_limit(&cr->shadow, UINT32_MAX);
    cr->shadow.max_list_size = SIZE_MAX;
    cr->shadow.max_fields = SIZE_MAX;
    cr->shadow.max_field_size = SIZE_MAX;
    hpack_list_init(&cr->sent_list, &xalloc_mem);
    buf_init(&cr->sent_block, &xalloc_mem, 2 * LIMIT_HEADER_BLOCK_SIZE);
    cr->shadow_ready = true;
}

/* Our HEADERS/CONTINUATION fragment: the decoded block when this frame ends it. */
static const struct hpack_list *sent_block(struct trace_crec *cr, const struct h2f_frame *f)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct span frag;

    if (f->hdr.type == H2F_TYPE_HEADERS)
        frag = f->u.headers.block;
    else if (f->hdr.type == H2F_TYPE_CONTINUATION)
        frag = f->u.continuation.block;
    else
        return NULL;
    if (!cr->shadow_ready)
        shadow_init(cr);
    if (f->hdr.type == H2F_TYPE_HEADERS)
        buf_reset(&cr->sent_block);
    if (buf_append(&cr->sent_block, frag.p, frag.len) != 0 ||
        !(f->hdr.flags & H2F_FLAG_END_HEADERS))
        return NULL;
    if (hpack_decode_block(&cr->shadow, cr->sent_block.p, cr->sent_block.len, &cr->sent_list,
                           &info) != 0)
        return NULL;
    return &cr->sent_list;
}

static void account(struct trace *t, bool sent, const struct hpack_list *block)
{
    struct trace_hpack_total *tot = sent ? &t->hp_sent : &t->hp_recv;

    tot->blocks++;
    tot->wire += block->stats.wire_bytes;
    tot->decoded += block->stats.decoded_bytes;
}

static void note_sent(struct trace_crec *cr, const struct h2f_frame *f, double ms)
{
    if (f->hdr.type == H2F_TYPE_SETTINGS && !(f->hdr.flags & H2F_FLAG_ACK) && !cr->settings_sent)
        cr->settings_sent = ms;
}

/* The frame, header included, with the secrets in it masked. */
static void hexdump(struct trace *t, const struct h2f_frame *f)
{
    const uint8_t *p = f->payload.p - H2_FRAME_HEADER_LEN;
    size_t len = H2_FRAME_HEADER_LEN + f->hdr.length;
    uint8_t *mask = trace_secret_mask(t, p, len);

    trace_text_hexdump(t->text, p, len, mask);
    free(mask);
}

static void render(struct trace *t, struct trace_frame_view *v)
{
    if (t->text && (t->frames || (t->hpack && v->block)))
        trace_text_frame(t->text, v);
    if (t->text && t->hexdump)
        hexdump(t, v->f);
    if (t->json)
        trace_json_frame(t->json, v);
}

static void on_frame(void *ud, bool sent, const struct h2f_frame *f, const struct hpack_list *block)
{
    struct trace_crec *cr = ud;
    struct trace *t = cr->t;
    struct trace_frame_view v;

    memset(&v, 0, sizeof(v));
    v.ms = trace_now(t);
    flush_windows(t, cr, v.ms);
    if (sent) {
        note_sent(cr, f, v.ms);
        if (t->frames || t->hpack || t->json)
            block = sent_block(cr, f);
    }
    if (block)
        account(t, sent, block);
    if (t->check)
        (sent ? trace_check_sent : trace_check_frame)(t, cr->id, f);
    v.conn = cr->id;
    v.hop = cr->hop;
    v.sent = sent;
    v.f = f;
    v.block = block;
    v.hpack = t->hpack;
    v.color = t->color;
    render(t, &v);
    if (f->hdr.type == H2F_TYPE_DATA || f->hdr.type == H2F_TYPE_WINDOW_UPDATE ||
        (f->hdr.type == H2F_TYPE_SETTINGS && !(f->hdr.flags & H2F_FLAG_ACK))) {
        cr->win_pending = t->windows || t->json;
        cr->win_sid = f->hdr.stream_id;
    }
}

static void on_bad_frame(void *ud, const struct h2f_header *hdr, const struct h2e_info *info)
{
    struct trace_crec *cr = ud;
    struct trace *t = cr->t;
    double ms = trace_now(t);

    flush_windows(t, cr, ms);
    if (t->check)
        trace_check_bad_frame(t, cr->id, hdr, info);
    if (t->text && t->frames)
        trace_text_bad_frame(t->text, ms, cr->id, cr->hop, hdr, info->why);
    if (t->json) {
        struct trace_jl j;
        char tb[16];
        trace_jl_begin(&j, ms, cr->id, "bad_frame");
        trace_jl_str(&j, "type", span_str(trace_text_type(tb, sizeof(tb), hdr->type)));
        trace_jl_u64(&j, "type_id", hdr->type);
        trace_jl_u64(&j, "sid", hdr->stream_id);
        trace_jl_u64(&j, "len", hdr->length);
        trace_jl_str(&j, "why", span_str(info->why ? info->why : "invalid frame"));
        trace_jl_end(&j, t->json);
    }
}

struct trace_h2_hooks trace_h2_hooks(struct trace *t, unsigned conn_id)
{
    struct trace_h2_hooks h = {NULL, NULL, NULL};

    if (!t->frame_obs)
        return h;
    h.on_frame = on_frame;
    h.on_bad_frame = on_bad_frame;
    h.ud = trace_crec(t, conn_id);
    return h;
}

/* Our ENABLE_PUSH as announced: 0 unless --settings says otherwise; the last entry wins,
 * as it does when the connection merges them into its SETTINGS (RFC 9113 §6.5.2). */
static bool push_allowed(const struct h2c_config *hc)
{
    bool on = false;
    size_t i;

    for (i = 0; i < hc->nextra_settings; i++)
        if (hc->extra_settings[i].id == H2_SETTINGS_ENABLE_PUSH)
            on = hc->extra_settings[i].value != 0;
    return on;
}

void trace_h2_conn(struct trace *t, unsigned conn_id, const struct h2c_conn *c,
                   const struct h2c_config *hc)
{
    struct trace_crec *cr;

    if (!t->any)
        return;
    cr = trace_crec(t, conn_id);
    cr->h2c = c;
    cr->h2 = true;
    cr->push_allowed = push_allowed(hc);
    cr->max_frame_size = hc->max_frame_size;
}

void trace_h2_ping(struct trace *t, unsigned conn_id, unsigned n, const uint8_t opaque[8])
{
    struct trace_crec *cr;
    size_t i;

    if (!t->any)
        return;
    cr = trace_crec(t, conn_id);
    if (n >= cr->npings) {
        cr->pings = xrealloc(cr->pings, ((size_t)n + 1) * sizeof(*cr->pings));
        for (i = cr->npings; i <= n; i++)
            memset(&cr->pings[i], 0, sizeof(cr->pings[i]));
        cr->npings = (size_t)n + 1;
    }
    memcpy(cr->pings[n].opaque, opaque, 8);
    cr->pings[n].sent = trace_now(t);
    cr->pings[n].rtt = 0;
}

/* The number of our PING that `opaque` acknowledges, or -1. */
static long ping_index(const struct trace_crec *cr, const uint8_t opaque[8])
{
    size_t i;

    for (i = 0; i < cr->npings; i++)
        if (memcmp(cr->pings[i].opaque, opaque, 8) == 0)
            return (long)i;
    return -1;
}

static void ping_ack(struct trace *t, struct trace_crec *cr, const struct h2c_event *ev, double ms)
{
    long i = ping_index(cr, ev->ping);

    if (i < 0)
        return;
    cr->pings[i].rtt = ms - cr->pings[i].sent;
    cr->pongs++;
    fprintf(t->report, "ping: conn=%u n=%ld rtt=%.3fms\n", cr->id, i + 1, cr->pings[i].rtt);
}

/* The members of a RST_STREAM or GOAWAY event. */
static void json_ended(struct trace_jl *j, const struct h2c_event *ev)
{
    const char *wn = h2_wire_error_name(ev->wire);

    trace_jl_u64(j, "sid", ev->stream_id);
    trace_jl_str(j, "error", span_str(wn ? wn : "UNKNOWN"));
    trace_jl_u64(j, "error_code", ev->wire);
    trace_jl_bool(j, "local", ev->local);
    if (ev->type == H2C_EV_GOAWAY) {
        trace_jl_u64(j, "last_stream_id", ev->last_stream_id);
        trace_jl_str(j, "debug", ev->debug);
        return;
    }
    trace_jl_bool(j, "unprocessed", ev->unprocessed);
    if (ev->why)
        trace_jl_str(j, "why", span_str(ev->why));
    if (ev->rule)
        trace_jl_str(j, "rule", span_str(ev->rule));
}

static void json_event(struct trace *t, struct trace_crec *cr, const struct h2c_event *ev,
                       double ms)
{
    static const char *const names[] = {
        [H2C_EV_RESET] = "reset",
        [H2C_EV_GOAWAY] = "goaway",
        [H2C_EV_SETTINGS] = "settings_applied",
        [H2C_EV_SETTINGS_ACK] = "settings_ack",
        [H2C_EV_PING_ACK] = "ping_ack",
    };
    const char *n = ev->type < sizeof(names) / sizeof(names[0]) ? names[ev->type] : NULL;
    struct trace_jl j;
    long ping;

    if (!n)
        return;
    trace_jl_begin(&j, ms, cr->id, n);
    if (ev->type == H2C_EV_RESET || ev->type == H2C_EV_GOAWAY)
        json_ended(&j, ev);
    if (ev->type == H2C_EV_SETTINGS_ACK && cr->settings_sent)
        trace_jl_ms(&j, "rtt_ms", ms - cr->settings_sent);
    if (ev->type == H2C_EV_PING_ACK && (ping = ping_index(cr, ev->ping)) >= 0)
        trace_jl_ms(&j, "rtt_ms", cr->pings[ping].rtt);
    trace_jl_end(&j, t->json);
}

void trace_h2_event(struct trace *t, unsigned conn_id, const struct h2c_event *ev)
{
    struct trace_crec *cr;
    double ms;

    if (!t->any)
        return;
    cr = trace_crec(t, conn_id);
    ms = trace_now(t);
    flush_windows(t, cr, ms);
    if (ev->type == H2C_EV_SETTINGS_ACK && !cr->settings_ack)
        cr->settings_ack = ms;
    if (ev->type == H2C_EV_PING_ACK)
        ping_ack(t, cr, ev, ms);
    if (ev->type == H2C_EV_GOAWAY) {
        cr->goaway_rx = true;
        cr->goaway_code = ev->wire;
    }
    if (t->stats)
        trace_stats_event(t, conn_id, ev);
    if (t->check)
        trace_check_event(t, conn_id, ev);
    if (t->json)
        json_event(t, cr, ev, ms);
}

/* The time of a connection milestone, kept for the waterfall, and the hop it serves. */
static void conn_stamp(struct trace_crec *cr, enum trace_conn_event ev, double ms)
{
    switch (ev) {
    case TRACE_CONN_RESOLVED:
        cr->resolved = ms;
        break;
    case TRACE_CONN_CONNECTED:
        cr->connected = ms;
        break;
    case TRACE_CONN_TLS_DONE:
        cr->tls = ms;
        break;
    case TRACE_CONN_H1:
        cr->h2 = false;
        cr->proto = ms;
        break;
    case TRACE_CONN_H2:
        cr->proto = ms;
        break;
    case TRACE_CONN_PROXY:
        cr->hop = "proxy";
        break;
    case TRACE_CONN_TUNNEL:
        cr->hop = "tunnel";
        break;
    case TRACE_CONN_CLOSED:
        cr->closed = ms;
        break;
    }
}

void trace_conn(struct trace *t, unsigned conn_id, enum trace_conn_event ev, const char *detail)
{
    static const char *const names[] = {"resolved", "connected", "tls",   "h2",
                                        "h1",       "closed",    "proxy", "tunnel"};
    struct trace_crec *cr;
    double ms;

    if (!t->any)
        return;
    cr = trace_crec(t, conn_id);
    ms = trace_now(t);
    flush_windows(t, cr, ms);
    conn_stamp(cr, ev, ms);
    if (t->json) {
        struct trace_jl j;
        trace_jl_begin(&j, ms, conn_id, "conn");
        trace_jl_str(&j, "what", span_str(names[ev]));
        if (detail)
            trace_jl_str(&j, "detail", span_str(detail));
        trace_jl_end(&j, t->json);
    }
    if (ev != TRACE_CONN_CLOSED)
        return;
    if (t->check && cr->h2c)
        trace_check_closed(t, conn_id);
    cr->h2c = NULL;
}

void trace_tls(struct trace *t, unsigned conn_id, const struct tls_facts *f)
{
    struct trace_crec *cr;
    struct trace_jl j;
    double ms;

    if (!t->any)
        return;
    cr = trace_crec(t, conn_id);
    ms = trace_now(t);
    cr->tls = ms;
    snprintf(cr->alpn, sizeof(cr->alpn), "%s", tls_alpn_name(f->alpn));
    if (!t->json)
        return;
    trace_jl_begin(&j, ms, conn_id, "tls");
    trace_jl_str(&j, "version", span_str(f->version ? f->version : ""));
    trace_jl_str(&j, "cipher", span_str(f->suite ? f->suite : ""));
    trace_jl_str(&j, "group", span_str(f->group ? f->group : ""));
    trace_jl_str(&j, "alpn", span_str(cr->alpn));
    trace_jl_str(&j, "subject", span_str(f->subject));
    trace_jl_str(&j, "issuer", span_str(f->issuer));
    trace_jl_str(&j, "verify", span_str(f->verify));
    trace_jl_bool(&j, "verified", f->verified);
    trace_jl_bool(&j, "insecure", f->insecure);
    trace_jl_end(&j, t->json);
}

void trace_stream(struct trace *t, unsigned conn_id, uint32_t sid, size_t urlnum,
                  enum trace_stream_event ev, const char *detail)
{
    static const char *const names[] = {"queued", "sent",   "headers", "first_data",
                                        "done",   "failed", "retried"};
    struct trace_srec *s;
    struct trace_jl j;
    double ms;

    if (!t->any)
        return;
    ms = trace_now(t);
    s = trace_srec(t, conn_id, sid, urlnum);
    if (ev == TRACE_STREAM_SENT) {
        s->conn = conn_id;
        s->sid = sid;
    }
    if (ev == TRACE_STREAM_QUEUED && !s->queued)
        s->queued = ms;
    else if (ev == TRACE_STREAM_SENT)
        s->sent = ms;
    else if (ev == TRACE_STREAM_HEADERS)
        s->headers = ms;
    else if (ev == TRACE_STREAM_FIRST_DATA)
        s->first_data = ms;
    else if (ev == TRACE_STREAM_DONE || ev == TRACE_STREAM_FAILED)
        s->done = ms;
    if (ev == TRACE_STREAM_FAILED)
        s->failed = true;
    if (ev == TRACE_STREAM_RETRIED)
        s->retries++;
    if (!t->json)
        return;
    trace_jl_begin(&j, ms, conn_id, "stream");
    trace_jl_str(&j, "what", span_str(names[ev]));
    trace_jl_u64(&j, "sid", sid);
    trace_jl_u64(&j, "url", urlnum);
    if (detail)
        trace_jl_str(&j, "detail", span_str(detail));
    trace_jl_end(&j, t->json);
}
