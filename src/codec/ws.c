/* SPDX-License-Identifier: MIT */
/*
 * RFC 6455 frames: header parsing with every per-frame rule of §5, client frame writing
 * with masking (§5.3), Close payloads (§5.5.1, §7.4) and UTF-8 checking (§8.1). What a
 * sequence of frames means (fragments, the close handshake) is proto/ws_ep's job.
 */
#include "ws.h"

#include <string.h>

/* RFC 6455 §1.3: the GUID appended to the key before hashing. */
#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_KEY_LEN 24

const char *ws_op_name(uint8_t op)
{
    switch (op) {
    case WS_OP_CONT:
        return "continuation";
    case WS_OP_TEXT:
        return "text";
    case WS_OP_BINARY:
        return "binary";
    case WS_OP_CLOSE:
        return "close";
    case WS_OP_PING:
        return "ping";
    case WS_OP_PONG:
        return "pong";
    default:
        return "reserved";
    }
}

static int bad(struct h2e_info *info, const char *why)
{
    return h2e_set(info, H2E_WS_PROTOCOL, 0, why);
}

/* The first two bytes: everything that does not need the extended length. */
static int check_first(const uint8_t *p, enum ws_dir dir, struct ws_head *h, struct h2e_info *info)
{
    h->fin = (p[0] & 0x80) != 0;
    h->opcode = p[0] & 0x0f;
    h->masked = (p[1] & 0x80) != 0;
    if (p[0] & 0x70)
        return bad(info, "RSV bit set without an extension (RFC 6455 §5.2)");
    if ((h->opcode > WS_OP_BINARY && h->opcode < WS_OP_CLOSE) || h->opcode > WS_OP_PONG)
        return bad(info, "reserved opcode (RFC 6455 §5.2)");
    if (ws_op_is_control(h->opcode) && !h->fin)
        return bad(info, "fragmented control frame (RFC 6455 §5.5)");
    if (ws_op_is_control(h->opcode) && (p[1] & 0x7f) > WS_CONTROL_MAX)
        return bad(info, "control frame longer than 125 bytes (RFC 6455 §5.5)");
    if (dir == WS_FROM_SERVER && h->masked)
        return bad(info, "masked frame from the server (RFC 6455 §5.1)");
    if (dir == WS_FROM_CLIENT && !h->masked)
        return bad(info, "unmasked frame from a client (RFC 6455 §5.1)");
    return 0;
}

/* The 16- or 64-bit extended length at `p` (`l7` 126 or 127), minimally encoded. */
static int ext_len(const uint8_t *p, uint8_t l7, struct ws_head *h, struct h2e_info *info)
{
    size_t n = l7 == 126 ? 2 : 8, i;

    h->len = 0;
    for (i = 0; i < n; i++)
        h->len = h->len << 8 | p[i];
    /* RFC 6455 §5.2: "the minimal number of bytes MUST be used", top bit 0 */
    if (l7 == 126 && h->len < 126)
        return bad(info, "16-bit length below 126 (RFC 6455 §5.2)");
    if (l7 == 127 && h->len <= 0xffff)
        return bad(info, "64-bit length below 65536 (RFC 6455 §5.2)");
    if (h->len >> 63)
        return bad(info, "64-bit length with the top bit set (RFC 6455 §5.2)");
    return 0;
}

int ws_parse_head(const uint8_t *p, size_t len, enum ws_dir dir, struct ws_head *h,
                  struct h2e_info *info)
{
    size_t need = 2;
    uint8_t l7;
    int rv;

    if (len < 2)
        return H2E_INCOMPLETE;
    rv = check_first(p, dir, h, info);
    if (rv < 0)
        return rv;
    l7 = p[1] & 0x7f;
    need += l7 == 126 ? 2 : l7 == 127 ? 8 : 0;
    need += h->masked ? 4 : 0;
    if (len < need)
        return H2E_INCOMPLETE;
    h->len = l7;
    if (l7 >= 126 && (rv = ext_len(p + 2, l7, h, info)) < 0)
        return rv;
    if (h->masked)
        memcpy(h->mask, p + need - 4, 4);
    h->head_len = need;
    return (int)need;
}

void ws_mask(uint8_t *p, size_t n, const uint8_t mask[4], uint64_t off)
{
    size_t i;

    for (i = 0; i < n; i++)
        p[i] ^= mask[(off + i) & 3];
}

int ws_encode(struct buf *out, bool fin, uint8_t op, const uint8_t *payload, size_t n,
              const uint8_t *mask)
{
    uint8_t h[WS_HEAD_MAX];
    size_t hl = 2, i;
    int rv;

    h[0] = (uint8_t)((fin ? 0x80 : 0) | (op & 0x0f));
    if (n < 126) {
        h[1] = (uint8_t)n;
    } else if (n <= 0xffff) {
        h[1] = 126;
        h[2] = (uint8_t)(n >> 8);
        h[3] = (uint8_t)n;
        hl = 4;
    } else {
        h[1] = 127;
        for (i = 0; i < 8; i++)
            h[2 + i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
        hl = 10;
    }
    if (mask) {
        h[1] |= 0x80;
        memcpy(h + hl, mask, 4);
        hl += 4;
    }
    rv = buf_reserve(out, hl + n);
    if (rv < 0)
        return rv;
    memcpy(out->p + out->len, h, hl);
    if (n)
        memcpy(out->p + out->len + hl, payload, n);
    if (mask)
        ws_mask(out->p + out->len + hl, n, mask, 0);
    out->len += hl + n;
    return 0;
}

bool ws_close_code_ok(unsigned code)
{
    /* RFC 6455 §7.4.1/§7.4.2 and the IANA registry: 1004-1006 and 1015 are never sent */
    if (code >= 1000 && code <= 1003)
        return true;
    if (code >= 1007 && code <= 1014)
        return true;
    return code >= 3000 && code <= 4999;
}

int ws_parse_close(const uint8_t *p, size_t n, unsigned *code, struct span *reason,
                   struct h2e_info *info)
{
    struct ws_utf8 u;

    *reason = span_of(NULL, 0);
    if (n == 0) {
        *code = WS_CLOSE_NO_STATUS;
        return 0;
    }
    if (n == 1)
        return bad(info, "Close payload of 1 byte (RFC 6455 §5.5.1)");
    *code = (unsigned)p[0] << 8 | p[1];
    if (!ws_close_code_ok(*code))
        return bad(info, "invalid close code (RFC 6455 §7.4)");
    ws_utf8_init(&u);
    if (!ws_utf8_feed(&u, p + 2, n - 2) || !ws_utf8_done(&u))
        return h2e_set(info, H2E_WS_UTF8, 0, "Close reason is not UTF-8 (RFC 6455 §5.5.1)");
    *reason = span_of(p + 2, n - 2);
    return 0;
}

size_t ws_close_payload(uint8_t out[WS_CONTROL_MAX], unsigned code, struct span reason)
{
    size_t n = reason.len;

    if (code == 0)
        return 0;
    if (n > WS_CONTROL_MAX - 2) {
        n = WS_CONTROL_MAX - 2;
        while (n > 0 && (reason.p[n] & 0xc0) == 0x80)
            n--; /* do not cut a character in two */
    }
    out[0] = (uint8_t)(code >> 8);
    out[1] = (uint8_t)code;
    if (n)
        memcpy(out + 2, reason.p, n);
    return n + 2;
}

int ws_encode_close(struct buf *out, unsigned code, struct span reason, const uint8_t *mask)
{
    uint8_t pl[WS_CONTROL_MAX];
    size_t n = ws_close_payload(pl, code, reason);

    return ws_encode(out, true, WS_OP_CLOSE, pl, n, mask);
}

void ws_utf8_init(struct ws_utf8 *u)
{
    u->need = 0;
    u->lo = 0x80;
    u->hi = 0xbf;
}

/* A lead byte: how many continuation bytes follow and the range of the first (RFC 3629
 * §4 table: this excludes overlongs, surrogates and code points above U+10FFFF). */
static bool lead(struct ws_utf8 *u, uint8_t c)
{
    u->lo = 0x80;
    u->hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf)
        u->need = 1;
    else if (c >= 0xe0 && c <= 0xef)
        u->need = 2;
    else if (c >= 0xf0 && c <= 0xf4)
        u->need = 3;
    else
        return false;
    if (c == 0xe0)
        u->lo = 0xa0;
    else if (c == 0xed)
        u->hi = 0x9f;
    else if (c == 0xf0)
        u->lo = 0x90;
    else if (c == 0xf4)
        u->hi = 0x8f;
    return true;
}

bool ws_utf8_feed(struct ws_utf8 *u, const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (u->need == 0) {
            if (c < 0x80)
                continue;
            if (!lead(u, c))
                return false;
            continue;
        }
        if (c < u->lo || c > u->hi)
            return false;
        u->lo = 0x80;
        u->hi = 0xbf;
        u->need--;
    }
    return true;
}

int ws_accept_input(const char *key, char out[61])
{
    if (strlen(key) != WS_KEY_LEN)
        return H2E_USAGE;
    memcpy(out, key, WS_KEY_LEN);
    memcpy(out + WS_KEY_LEN, WS_GUID, sizeof(WS_GUID));
    return 0;
}
