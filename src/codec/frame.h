/* SPDX-License-Identifier: MIT */
/*
 * HTTP/2 frame codec (RFC 9113 §4 and §6): the 9-octet header and the payload of every
 * frame type, decoded into spans that point into the caller's bytes, and encoded into a
 * caller's buffer. Validates what a single frame can tell (stream-id rules, exact lengths,
 * padding, SETTINGS values, the frame size limit). Keeps no state between calls, never
 * allocates, and never reads past the bytes it is given.
 */
#ifndef H2GET_FRAME_H
#define H2GET_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

enum h2f_type {
    H2F_TYPE_DATA = 0x0,
    H2F_TYPE_HEADERS = 0x1,
    H2F_TYPE_PRIORITY = 0x2,
    H2F_TYPE_RST_STREAM = 0x3,
    H2F_TYPE_SETTINGS = 0x4,
    H2F_TYPE_PUSH_PROMISE = 0x5,
    H2F_TYPE_PING = 0x6,
    H2F_TYPE_GOAWAY = 0x7,
    H2F_TYPE_WINDOW_UPDATE = 0x8,
    H2F_TYPE_CONTINUATION = 0x9,
};
#define H2F_TYPE_COUNT 10

enum h2f_flags {
    H2F_FLAG_END_STREAM = 1 << 0, /* DATA, HEADERS */
    H2F_FLAG_ACK = 1 << 0,        /* SETTINGS, PING */
    H2F_FLAG_END_HEADERS = 1 << 2,
    H2F_FLAG_PADDED = 1 << 3,
    H2F_FLAG_PRIORITY = 1 << 5,
};

struct h2f_header {
    uint32_t length; /* payload length, 24 bits */
    uint8_t type;
    uint8_t flags;
    uint32_t stream_id; /* reserved bit masked off */
};

/* RFC 9113 §5.3.2 fields (deprecated but still decoded and encodable). `weight` is the wire
 * octet; the effective weight is weight + 1. */
struct h2f_priority {
    bool exclusive;
    uint32_t dependency;
    uint8_t weight;
};

struct h2f_setting {
    uint16_t id;
    uint32_t value;
};

/*
 * A decoded frame. Spans point into the bytes given to h2f_decode and are valid while
 * those bytes are. `padding` is the padding octets (PADDED frames only); `payload` is the
 * whole payload of any frame, the only field set for unknown types.
 */
struct h2f_frame {
    struct h2f_header hdr;
    struct span payload;
    bool padded;
    struct span padding;
    union {
        struct {
            struct span data;
        } data;
        struct {
            bool has_priority;
            struct h2f_priority prio;
            struct span block;
        } headers;
        struct h2f_priority priority;
        struct {
            uint32_t error_code;
        } rst_stream;
        struct {
            size_t count; /* entries; read each with h2f_setting_at() */
        } settings;
        struct {
            uint32_t promised_id;
            struct span block;
        } push_promise;
        struct {
            uint8_t opaque[8];
        } ping;
        struct {
            uint32_t last_stream_id;
            uint32_t error_code;
            struct span debug;
        } goaway;
        struct {
            uint32_t increment;
        } window_update;
        struct {
            struct span block;
        } continuation;
    } u;
};

/*
 * h2f_decode_header - read the 9-octet frame header from `p` (`len` bytes, borrowed for the
 * call). Returns 0, or H2E_INCOMPLETE when `len` < 9.
 */
int h2f_decode_header(const uint8_t *p, size_t len, struct h2f_header *hdr);

/*
 * h2f_decode - decode one whole frame from the front of `p`.
 * `max_frame_size` is the SETTINGS_MAX_FRAME_SIZE we advertised: a longer frame is
 * H2E_FRAME_SIZE, decided from the header alone before the payload has arrived.
 * Returns the number of bytes the frame occupies (9 + length) when complete and valid;
 * H2E_INCOMPLETE when more bytes are needed; or a negative H2E_* with `info` filled (code,
 * stream id, frame type and a static `why` naming the rule and its RFC section). The scope
 * of the code (h2e_scope) says whether it is a stream or a connection error; on a stream
 * error `f->hdr` is valid so the caller can still skip the frame.
 * Unknown frame types decode successfully with only `hdr` and `payload` set (§5.5).
 * `f`'s spans point into `p`.
 */
int h2f_decode(const uint8_t *p, size_t len, uint32_t max_frame_size, struct h2f_frame *f,
               struct h2e_info *info);

/* h2f_setting_at - entry `i` (< f->u.settings.count) of decoded SETTINGS frame `f`. */
struct h2f_setting h2f_setting_at(const struct h2f_frame *f, size_t i);

/*
 * h2f_encode - write frame `f` into `out` (`cap` bytes). Uses hdr.type, hdr.flags,
 * hdr.stream_id and the union member of that type; `hdr.length` is computed. For PADDED
 * DATA, HEADERS and PUSH_PROMISE frames (hdr.flags & H2F_FLAG_PADDED) `padding.len` octets
 * of padding are written, copied from `padding.p` or zero when it is NULL; HEADERS carries
 * the priority fields when hdr.flags has H2F_FLAG_PRIORITY. SETTINGS entries come from
 * `settings` (`nsettings` of them; ignored for other types). Unknown types write `payload`.
 * Returns the number of bytes written, H2E_LIMIT_BUFFER when `cap` is too small, or
 * H2E_USAGE when the wire cannot carry the frame (padding over 255 octets, a payload over
 * 2^24-1). Does not validate otherwise: tests use it to build invalid frames.
 */
int h2f_encode(const struct h2f_frame *f, const struct h2f_setting *settings, size_t nsettings,
               uint8_t *out, size_t cap);

/*
 * h2f_encoded_len - the number of bytes h2f_encode writes for `f` and its `nsettings`
 * `settings` (frame header, fixed fields, payload and padding), counted by the same
 * encoders, so that a caller can reserve exactly that much. Does not check what
 * h2f_encode refuses with H2E_USAGE.
 */
size_t h2f_encoded_len(const struct h2f_frame *f, const struct h2f_setting *settings,
                       size_t nsettings);

/* h2f_type_name - "DATA" ... "CONTINUATION", or NULL for an unknown type. Static string. */
const char *h2f_type_name(uint8_t type);

#endif
