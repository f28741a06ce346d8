/* SPDX-License-Identifier: MIT */
/*
 * The client end of an open WebSocket (RFC 6455 §5-§7), sans-I/O: feed it the bytes the
 * server sent, drain events (whole messages, the peer's Close), take the bytes to send.
 * It reassembles fragmented messages (with control frames in between, §5.4), checks text
 * as UTF-8 across fragments (§8.1), answers Ping with Pong (§5.5.2), runs the close
 * handshake (§7.1.2: one Close each way) and, when the peer breaks a rule, queues the Close
 * that names it (1002, 1007, 1009) and reports the error. It does not do the opening
 * handshake, and works the same over an HTTP/1.1 connection or an RFC 8441 stream.
 */
#ifndef H2GET_WS_EP_H
#define H2GET_WS_EP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "codec/ws.h"

struct ws_ep_cfg {
    size_t max_message; /* 0 means LIMIT_WS_MESSAGE */
    /* Four fresh random bytes for each frame we send (§5.3: unpredictable). Required. */
    void (*mask_key)(void *ctx, uint8_t key[4]);
    /* Optional observer of every frame, `sent` or received: `payload` holds the unmasked
     * payload, or only the part received so far of a data frame (`n` < h->len). */
    void (*on_frame)(void *ctx, bool sent, const struct ws_head *h, const uint8_t *payload,
                     size_t n);
    void *ctx;
};

enum ws_ev_type {
    WS_EV_MESSAGE, /* `opcode` text or binary, `data` the whole message */
    WS_EV_CLOSE,   /* the peer's Close: `code` (1005 when it had none), `reason` */
};

struct ws_event {
    enum ws_ev_type type;
    uint8_t opcode;
    struct span data;
    unsigned code;
    struct span reason;
};

struct ws_ep {
    struct ws_ep_cfg cfg;
    struct buf in;  /* received bytes not yet parsed */
    struct buf msg; /* the message being reassembled */
    struct buf out; /* bytes to send */
    struct ws_head cur;
    uint64_t got;   /* payload bytes of `cur` taken so far */
    bool in_frame;  /* `cur` is parsed, its payload not all taken */
    bool msg_done;  /* `msg` was handed out: drop it at the next call */
    uint8_t msg_op; /* opcode of the message being reassembled, 0 when none */
    struct ws_utf8 utf8;
    bool close_sent, close_rcvd;
    int failed; /* the H2E_* error reported, 0 while none */
};

/* ws_ep_init - an open endpoint; `cfg` is copied; allocations through `mem`. */
void ws_ep_init(struct ws_ep *ep, const struct ws_ep_cfg *cfg, const struct mem *mem);
/* ws_ep_release - free the buffers. */
void ws_ep_release(struct ws_ep *ep);

/*
 * ws_ep_feed - take `n` bytes the server sent (copied). Returns 0, or H2E_LIMIT_BUFFER /
 * H2E_NOMEM. Bytes after the peer's Close are ignored (§5.5.1).
 */
int ws_ep_feed(struct ws_ep *ep, const uint8_t *p, size_t n);

/*
 * ws_ep_next - the next event from the bytes fed. Returns 1 with `*ev` filled (its spans
 * valid until the next call), 0 when more bytes are needed, or a negative H2E_* code
 * (H2E_WS_PROTOCOL, H2E_WS_UTF8, H2E_WS_TOO_BIG, H2E_NOMEM, H2E_LIMIT_BUFFER) with `info`
 * filled; a Close naming the error is then queued (unless one was sent already) and
 * every later call returns the same code.
 */
int ws_ep_next(struct ws_ep *ep, struct ws_event *ev, struct h2e_info *info);

/*
 * ws_ep_send - queue message `p`/`n` as one frame of opcode `op` (text, binary, ping).
 * Returns 0; H2E_USAGE when the endpoint has sent its Close, for text that is not UTF-8
 * (§5.6) or a ping over 125 bytes; or H2E_LIMIT_BUFFER/H2E_NOMEM.
 */
int ws_ep_send(struct ws_ep *ep, uint8_t op, const uint8_t *p, size_t n);

/*
 * ws_ep_close - queue our Close with `code` (0 for none) and `reason` (cut to fit), once;
 * a second call does nothing. Returns 0 or H2E_LIMIT_BUFFER/H2E_NOMEM.
 */
int ws_ep_close(struct ws_ep *ep, unsigned code, struct span reason);

/* ws_ep_out - the bytes to send; the caller buf_consume()s what it wrote. */
static inline struct buf *ws_ep_out(struct ws_ep *ep)
{
    return &ep->out;
}

/* ws_ep_done - true when Close went both ways (§7.1.2); the caller may then close the
 * connection once ws_ep_out() is written. */
static inline bool ws_ep_done(const struct ws_ep *ep)
{
    return ep->close_sent && ep->close_rcvd;
}

/* ws_ep_close_code - the Close code §7.4.1 sends for error `err` (1002, 1007, 1009). */
unsigned ws_ep_close_code(int err);

#endif
