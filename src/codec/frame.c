/* SPDX-License-Identifier: MIT */
/*
 * HTTP/2 frame codec: the 9-octet header (RFC 9113 §4.1), the frame size limit (§4.2) and
 * one small decoder and encoder per frame type (§6.1-§6.10), chosen through tables indexed
 * by type. Decoding checks only what one frame can tell and returns spans into the input;
 * stream states, CONTINUATION sequencing and flow-control windows belong to conn.c.
 * Never allocates, keeps no state, never reads past the bytes it is given.
 */
#include "frame.h"

#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/h2.h"
#include "base/limits.h"

#define MASK31 0x7fffffffu
#define MAX_LENGTH 0xffffffu /* §4.1: the length field has 24 bits */

static uint32_t get16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t get24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int fail(struct h2e_info *info, const struct h2f_header *h, int code, const char *why)
{
    if (info)
        info->frame_type = h ? h->type : -1;
    return h2e_set(info, code, h ? h->stream_id : 0, why);
}

int h2f_decode_header(const uint8_t *p, size_t len, struct h2f_header *hdr)
{
    if (len < H2_FRAME_HEADER_LEN)
        return H2E_INCOMPLETE;
    hdr->length = get24(p);
    hdr->type = p[3];
    hdr->flags = p[4];
    hdr->stream_id = get32(p + 5) & MASK31; /* §4.1: the reserved bit is ignored */
    return 0;
}

/* --- decoding ---------------------------------------------------------------------- */

/*
 * Strip the Pad Length octet, then `fixed` octets of type-specific fields, then the padding
 * (§6.1, §6.2, §6.6). `body` gets what lies between the fixed fields and the padding.
 */
static int unpad(struct h2f_frame *f, size_t fixed, struct span *body, struct h2e_info *info)
{
    const uint8_t *p = f->payload.p;
    size_t len = f->payload.len, pad = 0, start = 0;

    if (f->hdr.flags & H2F_FLAG_PADDED) {
        /* §6.1, §6.2, §6.6: the Pad Length octet and fixed fields must fit */
        if (len < 1 + fixed)
            return fail(info, &f->hdr, H2E_FRAME_SIZE,
                        "PADDED frame too short for its Pad Length (RFC 9113 §6.1)");
        pad = p[0];
        start = 1;
        /* §6.1, §6.2, §6.6: padding as long as the payload or longer is PROTOCOL_ERROR */
        if (pad > len - 1 - fixed)
            return fail(info, &f->hdr, H2E_PROTOCOL,
                        "Pad Length exceeds the frame payload (RFC 9113 §6.1)");
        f->padded = true;
        f->padding = span_of(p + len - pad, pad);
    } else if (len < fixed) {
        /* §4.2: a frame too short for its mandatory fields is FRAME_SIZE_ERROR */
        return fail(info, &f->hdr, H2E_FRAME_SIZE,
                    "frame too short for its priority or promised id (RFC 9113 §4.2)");
    }
    *body = span_of(p + start + fixed, len - start - fixed - pad);
    return 0;
}

static struct h2f_priority get_priority(const uint8_t *p)
{
    struct h2f_priority prio;
    uint32_t dep = get32(p);

    prio.exclusive = (dep >> 31) != 0;
    prio.dependency = dep & MASK31;
    prio.weight = p[4];
    return prio;
}

static int dec_data(struct h2f_frame *f, struct h2e_info *info)
{
    return unpad(f, 0, &f->u.data.data, info);
}

static int dec_headers(struct h2f_frame *f, struct h2e_info *info)
{
    bool prio = (f->hdr.flags & H2F_FLAG_PRIORITY) != 0;
    size_t off = (f->hdr.flags & H2F_FLAG_PADDED) ? 1 : 0;
    int rc = unpad(f, prio ? 5 : 0, &f->u.headers.block, info);

    if (rc < 0)
        return rc;
    f->u.headers.has_priority = prio;
    if (prio)
        f->u.headers.prio = get_priority(f->payload.p + off);
    return 0;
}

static int dec_priority(struct h2f_frame *f, struct h2e_info *info)
{
    /* §6.3: any length other than 5 is a stream error of type FRAME_SIZE_ERROR */
    if (f->payload.len != 5)
        return fail(info, &f->hdr, H2E_STREAM_FRAME_SIZE,
                    "PRIORITY length is not 5 (RFC 9113 §6.3)");
    f->u.priority = get_priority(f->payload.p);
    return 0;
}

static int dec_rst_stream(struct h2f_frame *f, struct h2e_info *info)
{
    /* §6.4: any length other than 4 is a connection error of type FRAME_SIZE_ERROR */
    if (f->payload.len != 4)
        return fail(info, &f->hdr, H2E_FRAME_SIZE, "RST_STREAM length is not 4 (RFC 9113 §6.4)");
    f->u.rst_stream.error_code = get32(f->payload.p);
    return 0;
}

static int check_setting(const struct h2f_header *h, uint32_t id, uint32_t v, struct h2e_info *info)
{
    /* §6.5.2: ENABLE_PUSH other than 0 or 1 is PROTOCOL_ERROR */
    if (id == H2_SETTINGS_ENABLE_PUSH && v > 1)
        return fail(info, h, H2E_PROTOCOL, "SETTINGS_ENABLE_PUSH not 0 or 1 (RFC 9113 §6.5.2)");
    /* §6.5.2: INITIAL_WINDOW_SIZE above 2^31-1 is FLOW_CONTROL_ERROR */
    if (id == H2_SETTINGS_INITIAL_WINDOW_SIZE && v > H2_MAX_WINDOW)
        return fail(info, h, H2E_FLOW_CONTROL,
                    "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1 (RFC 9113 §6.5.2)");
    /* §6.5.2: MAX_FRAME_SIZE outside 2^14..2^24-1 is PROTOCOL_ERROR */
    if (id == H2_SETTINGS_MAX_FRAME_SIZE && (v < H2_MIN_MAX_FRAME_SIZE || v > MAX_LENGTH))
        return fail(info, h, H2E_PROTOCOL,
                    "SETTINGS_MAX_FRAME_SIZE outside 2^14..2^24-1 (RFC 9113 §6.5.2)");
    return 0; /* §6.5.2: unknown identifiers are ignored */
}

static int dec_settings(struct h2f_frame *f, struct h2e_info *info)
{
    const uint8_t *p = f->payload.p;
    size_t i, n = f->payload.len / 6;
    int rc;

    /* §6.5: an ACK with a payload is a connection error of type FRAME_SIZE_ERROR */
    if ((f->hdr.flags & H2F_FLAG_ACK) && f->payload.len != 0)
        return fail(info, &f->hdr, H2E_FRAME_SIZE, "SETTINGS ACK with a payload (RFC 9113 §6.5)");
    /* §6.5: a length that is not a multiple of 6 is FRAME_SIZE_ERROR */
    if (f->payload.len % 6 != 0)
        return fail(info, &f->hdr, H2E_FRAME_SIZE,
                    "SETTINGS length not a multiple of 6 (RFC 9113 §6.5)");
    /* not an RFC rule: h2get's own cap (limits.h), so a huge SETTINGS frame is refused */
    if (n > LIMIT_SETTINGS_ENTRIES)
        return fail(info, &f->hdr, H2E_LIMIT_SETTINGS,
                    "more SETTINGS entries in one frame than h2get accepts");
    for (i = 0; i < n; i++) {
        rc = check_setting(&f->hdr, get16(p + 6 * i), get32(p + 6 * i + 2), info);
        if (rc < 0)
            return rc;
    }
    f->u.settings.count = n;
    return 0;
}

static int dec_push_promise(struct h2f_frame *f, struct h2e_info *info)
{
    size_t off = (f->hdr.flags & H2F_FLAG_PADDED) ? 1 : 0;
    uint32_t id;
    int rc = unpad(f, 4, &f->u.push_promise.block, info);

    if (rc < 0)
        return rc;
    id = get32(f->payload.p + off) & MASK31;
    /* §5.1.1, §6.6: the promised stream is a new server-initiated (even, non-zero) one */
    if (id == 0 || (id & 1))
        return fail(info, &f->hdr, H2E_PROTOCOL,
                    "PUSH_PROMISE promised stream id is 0 or odd (RFC 9113 §6.6)");
    f->u.push_promise.promised_id = id;
    return 0;
}

static int dec_ping(struct h2f_frame *f, struct h2e_info *info)
{
    /* §6.7: any length other than 8 is a connection error of type FRAME_SIZE_ERROR */
    if (f->payload.len != 8)
        return fail(info, &f->hdr, H2E_FRAME_SIZE, "PING length is not 8 (RFC 9113 §6.7)");
    memcpy(f->u.ping.opaque, f->payload.p, 8);
    return 0;
}

static int dec_goaway(struct h2f_frame *f, struct h2e_info *info)
{
    const uint8_t *p = f->payload.p;

    /* §6.8: Last-Stream-ID and Error Code take 8 octets */
    if (f->payload.len < 8)
        return fail(info, &f->hdr, H2E_FRAME_SIZE, "GOAWAY shorter than 8 (RFC 9113 §6.8)");
    f->u.goaway.last_stream_id = get32(p) & MASK31;
    f->u.goaway.error_code = get32(p + 4);
    f->u.goaway.debug = span_of(p + 8, f->payload.len - 8);
    return 0;
}

static int dec_window_update(struct h2f_frame *f, struct h2e_info *info)
{
    uint32_t inc;

    /* §6.9: any length other than 4 is a connection error of type FRAME_SIZE_ERROR */
    if (f->payload.len != 4)
        return fail(info, &f->hdr, H2E_FRAME_SIZE, "WINDOW_UPDATE length is not 4 (RFC 9113 §6.9)");
    inc = get32(f->payload.p) & MASK31;
    /* §6.9: an increment of 0 is a stream error, or a connection error on stream 0 */
    if (inc == 0 && f->hdr.stream_id == 0)
        return fail(info, &f->hdr, H2E_PROTOCOL,
                    "WINDOW_UPDATE increment of 0 on the connection (RFC 9113 §6.9)");
    if (inc == 0)
        return fail(info, &f->hdr, H2E_STREAM_PROTOCOL,
                    "WINDOW_UPDATE increment of 0 (RFC 9113 §6.9)");
    f->u.window_update.increment = inc;
    return 0;
}

static int dec_continuation(struct h2f_frame *f, struct h2e_info *info)
{
    (void)info;
    f->u.continuation.block = f->payload;
    return 0;
}

enum sid_rule { SID_NONZERO, SID_ZERO, SID_ANY };

/* Per type: the payload decoder, the §6 stream-id rule, and the message when it is broken. */
static const struct {
    int (*decode)(struct h2f_frame *f, struct h2e_info *info);
    enum sid_rule sid;
    const char *why_sid;
} types[H2F_TYPE_COUNT] = {
    [H2F_TYPE_DATA] = {dec_data, SID_NONZERO, "DATA on stream 0 (RFC 9113 §6.1)"},
    [H2F_TYPE_HEADERS] = {dec_headers, SID_NONZERO, "HEADERS on stream 0 (RFC 9113 §6.2)"},
    [H2F_TYPE_PRIORITY] = {dec_priority, SID_NONZERO, "PRIORITY on stream 0 (RFC 9113 §6.3)"},
    [H2F_TYPE_RST_STREAM] = {dec_rst_stream, SID_NONZERO, "RST_STREAM on stream 0 (RFC 9113 §6.4)"},
    [H2F_TYPE_SETTINGS] = {dec_settings, SID_ZERO, "SETTINGS on a stream (RFC 9113 §6.5)"},
    [H2F_TYPE_PUSH_PROMISE] = {dec_push_promise, SID_NONZERO,
                               "PUSH_PROMISE on stream 0 (RFC 9113 §6.6)"},
    [H2F_TYPE_PING] = {dec_ping, SID_ZERO, "PING on a stream (RFC 9113 §6.7)"},
    [H2F_TYPE_GOAWAY] = {dec_goaway, SID_ZERO, "GOAWAY on a stream (RFC 9113 §6.8)"},
    [H2F_TYPE_WINDOW_UPDATE] = {dec_window_update, SID_ANY, NULL},
    [H2F_TYPE_CONTINUATION] = {dec_continuation, SID_NONZERO,
                               "CONTINUATION on stream 0 (RFC 9113 §6.10)"},
};

int h2f_decode(const uint8_t *p, size_t len, uint32_t max_frame_size, struct h2f_frame *f,
               struct h2e_info *info)
{
    enum sid_rule rule;
    int rc;

    memset(f, 0, sizeof(*f));
    if (h2f_decode_header(p, len, &f->hdr) < 0)
        return fail(info, NULL, H2E_INCOMPLETE, "need the 9-octet frame header");
    /* §4.2: a frame longer than our SETTINGS_MAX_FRAME_SIZE is FRAME_SIZE_ERROR; decided
     * from the header so that an oversized frame is never waited for */
    if (f->hdr.length > max_frame_size)
        return fail(info, &f->hdr, H2E_FRAME_SIZE,
                    "frame longer than SETTINGS_MAX_FRAME_SIZE (RFC 9113 §4.2)");
    if (len - H2_FRAME_HEADER_LEN < f->hdr.length)
        return fail(info, &f->hdr, H2E_INCOMPLETE, "need the rest of the frame payload");
    f->payload = span_of(p + H2_FRAME_HEADER_LEN, f->hdr.length);
    if (f->hdr.type >= H2F_TYPE_COUNT)
        return (int)(H2_FRAME_HEADER_LEN + f->hdr.length); /* §5.5: ignored by the caller */
    rule = types[f->hdr.type].sid;
    if ((rule == SID_NONZERO && f->hdr.stream_id == 0) ||
        (rule == SID_ZERO && f->hdr.stream_id != 0))
        return fail(info, &f->hdr, H2E_PROTOCOL, types[f->hdr.type].why_sid);
    rc = types[f->hdr.type].decode(f, info);
    return rc < 0 ? rc : (int)(H2_FRAME_HEADER_LEN + f->hdr.length);
}

struct h2f_setting h2f_setting_at(const struct h2f_frame *f, size_t i)
{
    struct h2f_setting s = {0, 0};
    const uint8_t *p = f->payload.p + 6 * i;

    if (f->hdr.type != H2F_TYPE_SETTINGS || i >= f->u.settings.count)
        return s;
    s.id = (uint16_t)get16(p);
    s.value = get32(p + 2);
    return s;
}

/* --- encoding ---------------------------------------------------------------------- */

/* A bounded writer: once `full` is set nothing more is written. With `p` NULL it only
 * counts (h2f_encoded_len), so the size and the bytes come from the same encoders. */
struct enc {
    uint8_t *p;
    size_t cap, n;
    bool full;
    const struct h2f_frame *f;
    const struct h2f_setting *settings;
    size_t nsettings;
};

static void put(struct enc *e, const void *src, size_t n)
{
    if (!e->p) {
        e->n += n;
        return;
    }
    if (e->full || e->cap - e->n < n) {
        e->full = true;
        return;
    }
    if (n == 0)
        return;
    if (src)
        memcpy(e->p + e->n, src, n);
    else
        memset(e->p + e->n, 0, n);
    e->n += n;
}

static void put8(struct enc *e, uint32_t v)
{
    uint8_t b = (uint8_t)v;
    put(e, &b, 1);
}

static void put16(struct enc *e, uint32_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put(e, b, 2);
}

static void set32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put32(struct enc *e, uint32_t v)
{
    uint8_t b[4];
    set32(b, v);
    put(e, b, 4);
}

static void put_span(struct enc *e, struct span s)
{
    put(e, s.p, s.len);
}

static void put_priority(struct enc *e, const struct h2f_priority *prio)
{
    put32(e, (prio->exclusive ? 0x80000000u : 0) | (prio->dependency & MASK31));
    put8(e, prio->weight);
}

static bool padded(const struct h2f_frame *f)
{
    return (f->hdr.flags & H2F_FLAG_PADDED) != 0;
}

static void enc_data(struct enc *e)
{
    if (padded(e->f))
        put8(e, (uint32_t)e->f->padding.len);
    put_span(e, e->f->u.data.data);
}

static void enc_headers(struct enc *e)
{
    if (padded(e->f))
        put8(e, (uint32_t)e->f->padding.len);
    if (e->f->hdr.flags & H2F_FLAG_PRIORITY)
        put_priority(e, &e->f->u.headers.prio);
    put_span(e, e->f->u.headers.block);
}

static void enc_priority(struct enc *e)
{
    put_priority(e, &e->f->u.priority);
}

static void enc_rst_stream(struct enc *e)
{
    put32(e, e->f->u.rst_stream.error_code);
}

static void enc_settings(struct enc *e)
{
    size_t i;

    for (i = 0; i < e->nsettings; i++) {
        put16(e, e->settings[i].id);
        put32(e, e->settings[i].value);
    }
}

static void enc_push_promise(struct enc *e)
{
    if (padded(e->f))
        put8(e, (uint32_t)e->f->padding.len);
    put32(e, e->f->u.push_promise.promised_id & MASK31);
    put_span(e, e->f->u.push_promise.block);
}

static void enc_ping(struct enc *e)
{
    put(e, e->f->u.ping.opaque, 8);
}

static void enc_goaway(struct enc *e)
{
    put32(e, e->f->u.goaway.last_stream_id & MASK31);
    put32(e, e->f->u.goaway.error_code);
    put_span(e, e->f->u.goaway.debug);
}

static void enc_window_update(struct enc *e)
{
    put32(e, e->f->u.window_update.increment & MASK31);
}

static void enc_continuation(struct enc *e)
{
    put_span(e, e->f->u.continuation.block);
}

static void (*const encoders[H2F_TYPE_COUNT])(struct enc *e) = {
    enc_data,         enc_headers, enc_priority, enc_rst_stream,    enc_settings,
    enc_push_promise, enc_ping,    enc_goaway,   enc_window_update, enc_continuation,
};

/* Only DATA, HEADERS and PUSH_PROMISE define PADDED (§6.1, §6.2, §6.6). */
static bool has_padding(const struct h2f_frame *f)
{
    return padded(f) && (f->hdr.type == H2F_TYPE_DATA || f->hdr.type == H2F_TYPE_HEADERS ||
                         f->hdr.type == H2F_TYPE_PUSH_PROMISE);
}

size_t h2f_encoded_len(const struct h2f_frame *f, const struct h2f_setting *settings,
                       size_t nsettings)
{
    struct enc e = {NULL, 0, H2_FRAME_HEADER_LEN, false, f, settings, nsettings};

    if (f->hdr.type < H2F_TYPE_COUNT)
        encoders[f->hdr.type](&e);
    else
        put_span(&e, f->payload);
    if (has_padding(f))
        put(&e, NULL, f->padding.len);
    return e.n;
}

int h2f_encode(const struct h2f_frame *f, const struct h2f_setting *settings, size_t nsettings,
               uint8_t *out, size_t cap)
{
    struct enc e = {out,      cap,      H2_FRAME_HEADER_LEN, cap < H2_FRAME_HEADER_LEN, f,
                    settings, nsettings};
    size_t length;

    if (has_padding(f) && f->padding.len > 255)
        return H2E_USAGE; /* §6.1: Pad Length is one octet */
    if (f->hdr.type < H2F_TYPE_COUNT)
        encoders[f->hdr.type](&e);
    else
        put_span(&e, f->payload);
    if (has_padding(f))
        put(&e, f->padding.p, f->padding.len);
    if (e.full)
        return H2E_LIMIT_BUFFER;
    length = e.n - H2_FRAME_HEADER_LEN;
    if (length > MAX_LENGTH)
        return H2E_USAGE; /* §4.1: the length field has 24 bits */
    set32(out, (uint32_t)length << 8 | f->hdr.type);
    out[4] = f->hdr.flags;
    set32(out + 5, f->hdr.stream_id & MASK31); /* §4.1: the reserved bit is sent unset */
    return (int)e.n;
}

const char *h2f_type_name(uint8_t type)
{
    static const char *const names[H2F_TYPE_COUNT] = {
        "DATA",         "HEADERS", "PRIORITY", "RST_STREAM",    "SETTINGS",
        "PUSH_PROMISE", "PING",    "GOAWAY",   "WINDOW_UPDATE", "CONTINUATION",
    };
    return type < H2F_TYPE_COUNT ? names[type] : NULL;
}
