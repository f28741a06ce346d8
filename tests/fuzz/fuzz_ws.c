/* SPDX-License-Identifier: MIT */
/*
 * Server bytes into a WebSocket endpoint (proto/ws_ep over codec/ws). The first byte picks
 * how the rest is cut into reads (1 to 256 bytes); every event is drained after each read.
 * Invariants: a header never claims more bytes than it was given, every prefix of a header
 * is incomplete, a text message is valid UTF-8, and after an error a Close is queued.
 */
#include <stdlib.h>
#include <string.h>

#include "proto/ws_ep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void key(void *ctx, uint8_t k[4])
{
    (void)ctx;
    memcpy(k, "\x01\x02\x03\x04", 4);
}

static void check_head(const uint8_t *p, size_t n)
{
    struct ws_head h;
    int rv = ws_parse_head(p, n, WS_FROM_SERVER, &h, NULL);
    size_t k;

    if (rv > 0 && ((size_t)rv > n || (size_t)rv != h.head_len))
        abort();
    for (k = 0; rv > 0 && k < (size_t)rv; k++)
        if (ws_parse_head(p, k, WS_FROM_SERVER, &h, NULL) != H2E_INCOMPLETE)
            abort();
}

static int drain(struct ws_ep *ep)
{
    struct ws_event ev;
    struct ws_utf8 u;
    int rv;

    while ((rv = ws_ep_next(ep, &ev, NULL)) == 1) {
        ws_utf8_init(&u);
        if (ev.type == WS_EV_MESSAGE && ev.opcode == WS_OP_TEXT &&
            (!ws_utf8_feed(&u, ev.data.p, ev.data.len) || !ws_utf8_done(&u)))
            abort();
    }
    if (rv < 0 && !ep->close_sent)
        abort();
    return rv;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ws_ep_cfg cfg = {1 << 16, key, NULL, NULL};
    struct ws_ep ep;
    size_t off = 1, step;

    if (size < 1)
        return 0;
    step = (size_t)data[0] + 1;
    check_head(data + 1, size - 1);
    ws_ep_init(&ep, &cfg, &mem_libc);
    while (off < size) {
        size_t n = size - off < step ? size - off : step;
        ws_ep_feed(&ep, data + off, n);
        off += n;
        if (drain(&ep) < 0)
            break;
    }
    ws_ep_release(&ep);
    return 0;
}
