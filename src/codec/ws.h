/* SPDX-License-Identifier: MIT */
/*
 * WebSocket framing (RFC 6455 §5), sans-I/O: frame headers parsed and checked (RSV bits,
 * opcodes, minimal length encoding, control frame rules, the mask bit by direction),
 * client frames written with the caller's masking key (so output is deterministic; the
 * caller draws the key from a CSPRNG), Close payloads (§5.5.1, §7.4 codes) and incremental
 * UTF-8 validation of text across fragments (§8.1). No extensions are negotiated, so every
 * RSV bit must be 0. Never reads sockets; the handshake (Sec-WebSocket-Accept needs SHA-1)
 * lives above this layer.
 */
#ifndef H2GET_WS_H
#define H2GET_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* RFC 6455 §5.2 opcodes. */
#define WS_OP_CONT 0x0
#define WS_OP_TEXT 0x1
#define WS_OP_BINARY 0x2
#define WS_OP_CLOSE 0x8
#define WS_OP_PING 0x9
#define WS_OP_PONG 0xa

/* RFC 6455 §7.4.1 status codes h2get sends or reports by name. */
#define WS_CLOSE_NORMAL 1000
#define WS_CLOSE_GOING_AWAY 1001
#define WS_CLOSE_PROTOCOL 1002
#define WS_CLOSE_NO_STATUS 1005 /* never on the wire: "the Close had no code" */
#define WS_CLOSE_ABNORMAL 1006  /* never on the wire: "no Close at all" */
#define WS_CLOSE_BAD_DATA 1007  /* text that is not UTF-8 */
#define WS_CLOSE_TOO_BIG 1009

/* Largest frame header: 2 + 8 (64-bit length) + 4 (masking key). */
#define WS_HEAD_MAX 14
/* RFC 6455 §5.5: control frame payloads are at most 125 bytes. */
#define WS_CONTROL_MAX 125

/* Who sent the frames being parsed: the mask bit rule of §5.1 depends on it. */
enum ws_dir {
    WS_FROM_SERVER, /* must not be masked */
    WS_FROM_CLIENT, /* must be masked */
};

struct ws_head {
    bool fin;
    bool masked;
    uint8_t opcode;
    uint8_t mask[4]; /* valid when `masked` */
    uint64_t len;    /* payload length */
    size_t head_len; /* bytes of the header, payload starts there */
};

/* ws_op_is_control - true for Close, Ping, Pong and the reserved 0xB-0xF (§5.5). */
static inline bool ws_op_is_control(uint8_t op)
{
    return (op & 0x8) != 0;
}

/* ws_op_name - "text", "binary", "close"..., or "reserved" for an unassigned opcode. */
const char *ws_op_name(uint8_t op);

/*
 * ws_parse_head - parse the frame header at `p` (`len` bytes received so far) sent in
 * direction `dir`. Returns the header length (2-14; `*h` filled, `h->head_len` the same),
 * H2E_INCOMPLETE when more bytes are needed, or H2E_WS_PROTOCOL with `info->why` naming
 * the rule: a RSV bit set (§5.2, no extension negotiated), a reserved opcode, a fragmented
 * or longer than 125 bytes control frame (§5.5), a length not minimally encoded or with
 * the top bit set (§5.2), or a mask bit wrong for `dir` (§5.1). Fragment sequencing is the
 * endpoint's job (proto/ws_ep), not this function's.
 */
int ws_parse_head(const uint8_t *p, size_t len, enum ws_dir dir, struct ws_head *h,
                  struct h2e_info *info);

/*
 * ws_mask - XOR `n` bytes at `p` in place with `mask`, starting at position `off` of the
 * payload (§5.3), so a payload can be (un)masked in pieces. Masking twice restores it.
 */
void ws_mask(uint8_t *p, size_t n, const uint8_t mask[4], uint64_t off);

/*
 * ws_encode - append one frame: header with FIN `fin`, opcode `op`, the minimal length
 * encoding of `n` and, when `mask` is not NULL, the mask bit and key followed by the
 * masked payload; with `mask` NULL the payload is written unmasked (server frames, for
 * tests). `payload` is borrowed. Returns 0, or H2E_LIMIT_BUFFER/H2E_NOMEM with `out`
 * unchanged. Callers respect §5.5 themselves (ws_encode_close does).
 */
int ws_encode(struct buf *out, bool fin, uint8_t op, const uint8_t *payload, size_t n,
              const uint8_t *mask);

/*
 * ws_close_code_ok - true when `code` may appear in a Close frame (§7.4): 1000-1003,
 * 1007-1014 and 3000-4999. 1004-1006, 1015 and the rest are refused.
 */
bool ws_close_code_ok(unsigned code);

/*
 * ws_parse_close - the Close payload `p`/`n` (§5.5.1): empty gives `*code` 1005 and an
 * empty reason; otherwise a 2-byte code and a UTF-8 reason (`*reason` borrows `p`).
 * Returns 0, or H2E_WS_PROTOCOL for 1 byte or a code refused by ws_close_code_ok, or
 * H2E_WS_UTF8 for a reason that is not UTF-8.
 */
int ws_parse_close(const uint8_t *p, size_t n, unsigned *code, struct span *reason,
                   struct h2e_info *info);

/*
 * ws_close_payload - write the Close payload for `code` and `reason` to `out`: nothing
 * when `code` is 0, else the code and the reason cut to fit 125 bytes at a UTF-8
 * character boundary (`reason` is borrowed). Returns the payload length.
 */
size_t ws_close_payload(uint8_t out[WS_CONTROL_MAX], unsigned code, struct span reason);

/*
 * ws_encode_close - append a Close frame masked with `mask` carrying `code` and `reason`,
 * the reason cut to fit 125 bytes at a UTF-8 character boundary. `code` 0 sends an empty
 * Close. Returns 0 or H2E_LIMIT_BUFFER/H2E_NOMEM.
 */
int ws_encode_close(struct buf *out, unsigned code, struct span reason, const uint8_t *mask);

/* Incremental UTF-8 validation (RFC 3629 §4: no overlongs, surrogates or > U+10FFFF). */
struct ws_utf8 {
    uint8_t need;   /* continuation bytes still expected */
    uint8_t lo, hi; /* allowed range of the next continuation byte */
};

/* ws_utf8_init - a validator at a character boundary. */
void ws_utf8_init(struct ws_utf8 *u);
/* ws_utf8_feed - check `n` more bytes; false at the first invalid byte (state then undefined). */
bool ws_utf8_feed(struct ws_utf8 *u, const uint8_t *p, size_t n);
/* ws_utf8_done - true when the bytes fed so far end at a character boundary. */
static inline bool ws_utf8_done(const struct ws_utf8 *u)
{
    return u->need == 0;
}

/*
 * ws_accept_input - the string hashed for Sec-WebSocket-Accept (§4.2.2 step 5.4): `key`
 * (the Sec-WebSocket-Key sent, 24 base64 characters) followed by the RFC's GUID, written
 * to `out` as 60 bytes, NUL-terminated (`out` has room for 61). Returns 0, or H2E_USAGE
 * when `key` is not 24 bytes. SHA-1 and base64 are done by the caller.
 */
int ws_accept_input(const char *key, char out[61]);

#endif
