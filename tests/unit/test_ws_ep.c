/* SPDX-License-Identifier: MIT */
/* The WebSocket endpoint: reassembly with control frames in between, Pong and Close
 * replies byte for byte, each protocol error with the Close it queues, byte-by-byte
 * feeding. Mask keys are a counter, so the bytes sent are known. */
#include <stdlib.h>

#include "base/buf.h"
#include "base/err.h"
#include "proto/ws_ep.h"
#include "tap.h"

#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

static void zero_key(void *ctx, uint8_t key[4])
{
    (void)ctx;
    memset(key, 0, 4);
}

static int frames_seen;
static void count_frame(void *ctx, bool sent, const struct ws_head *h, const uint8_t *p, size_t n)
{
    (void)ctx;
    (void)sent;
    (void)h;
    (void)p;
    (void)n;
    frames_seen++;
}

static void ep_open(struct ws_ep *ep, size_t max)
{
    struct ws_ep_cfg cfg = {max, zero_key, count_frame, NULL};
    ws_ep_init(ep, &cfg, &mem_libc);
}

/* Feed `p`/`n` one byte at a time, collecting at most one event. */
static int feed_slowly(struct ws_ep *ep, const uint8_t *p, size_t n, struct ws_event *ev,
                       struct h2e_info *info)
{
    size_t i;
    int rv = 0;

    for (i = 0; i < n && rv == 0; i++) {
        ws_ep_feed(ep, p + i, 1);
        rv = ws_ep_next(ep, ev, info);
    }
    return rv;
}

TEST(test_ws_ep_fragments_with_ping)
{
    /* "Hel" + Ping "x" + "lo", then a binary message in one frame */
    static const uint8_t in[] = {0x01, 0x03, 'H', 'e', 'l',  0x89, 0x01, 'x',
                                 0x80, 0x02, 'l', 'o', 0x82, 0x02, 0x00, 0xff};
    struct ws_ep ep;
    struct ws_event ev;
    struct h2e_info info = H2E_INFO_INIT;

    ep_open(&ep, 0);
    frames_seen = 0;
    CHECK_INT(feed_slowly(&ep, in, 12, &ev, &info), 1);
    CHECK_INT(ev.type, WS_EV_MESSAGE);
    CHECK_INT(ev.opcode, WS_OP_TEXT);
    CHECK_MEM(ev.data.p, ev.data.len, "Hello", 5);
    /* the Pong went out with the Ping's payload, masked with a zero key */
    CHECK_MEM(ep.out.p, ep.out.len, "\x8a\x81\0\0\0\0x", 7);
    CHECK_INT(ws_ep_feed(&ep, in + 12, 4), 0);
    CHECK_INT(ws_ep_next(&ep, &ev, &info), 1);
    CHECK_INT(ev.opcode, WS_OP_BINARY);
    CHECK_MEM(ev.data.p, ev.data.len, "\0\xff", 2);
    CHECK_INT(ws_ep_next(&ep, &ev, &info), 0);
    CHECK_INT(frames_seen, 5); /* 4 received, 1 Pong sent */
    ws_ep_release(&ep);
}

TEST(test_ws_ep_close_handshake_we_start)
{
    struct ws_ep ep;
    struct ws_event ev;

    ep_open(&ep, 0);
    CHECK_INT(ws_ep_send(&ep, WS_OP_TEXT, (const uint8_t *)"hi", 2), 0);
    CHECK_INT(ws_ep_close(&ep, 1000, span_str("")), 0);
    CHECK_MEM(ep.out.p, ep.out.len, "\x81\x82\0\0\0\0hi\x88\x82\0\0\0\0\x03\xe8", 16);
    CHECK_INT(ws_ep_send(&ep, WS_OP_TEXT, (const uint8_t *)"x", 1), H2E_USAGE);
    CHECK(!ws_ep_done(&ep));
    ws_ep_feed(&ep, BYTES(0x88, 0x02, 0x03, 0xe8, 0x81, 0x01, 'z'));
    CHECK_INT(ws_ep_next(&ep, &ev, NULL), 1);
    CHECK_INT(ev.type, WS_EV_CLOSE);
    CHECK_INT(ev.code, 1000);
    CHECK(ws_ep_done(&ep));
    CHECK_INT(ep.out.len, 16);                /* no second Close */
    CHECK_INT(ws_ep_next(&ep, &ev, NULL), 0); /* the frame after Close is ignored */
    ws_ep_release(&ep);
}

TEST(test_ws_ep_close_handshake_peer_starts)
{
    struct ws_ep ep;
    struct ws_event ev;

    ep_open(&ep, 0);
    ws_ep_feed(&ep, BYTES(0x88, 0x06, 0x0f, 0xa0, 'g', 'o', 'n', 'e'));
    CHECK_INT(ws_ep_next(&ep, &ev, NULL), 1);
    CHECK_INT(ev.code, 4000);
    CHECK_MEM(ev.reason.p, ev.reason.len, "gone", 4);
    /* §5.5.1: the code is echoed */
    CHECK_MEM(ep.out.p, ep.out.len, "\x88\x82\0\0\0\0\x0f\xa0", 8);
    CHECK(ws_ep_done(&ep));
    ws_ep_release(&ep);

    ep_open(&ep, 0);
    ws_ep_feed(&ep, BYTES(0x88, 0x00));
    CHECK_INT(ws_ep_next(&ep, &ev, NULL), 1);
    CHECK_INT(ev.code, 1005);
    CHECK_MEM(ep.out.p, ep.out.len, "\x88\x80\0\0\0\0", 6);
    ws_ep_release(&ep);
}

static void check_error(const uint8_t *in, size_t n, size_t max, int err, const char *why,
                        unsigned close_code)
{
    struct ws_ep ep;
    struct ws_event ev;
    struct h2e_info info = H2E_INFO_INIT;

    ep_open(&ep, max);
    CHECK_INT(feed_slowly(&ep, in, n, &ev, &info), err);
    CHECK_STR(info.why, why);
    CHECK(ep.out.len >= 8);
    if (ep.out.len >= 8) {
        CHECK_INT(ep.out.p[0], 0x88);
        CHECK_INT((unsigned)ep.out.p[6] << 8 | ep.out.p[7], close_code);
        CHECK_INT(ep.out.p[1] & 0x7f, ep.out.len - 6); /* the reason names the cause */
    }
    CHECK_INT(ws_ep_next(&ep, &ev, &info), err); /* sticky */
    CHECK(ep.close_sent);
    ws_ep_release(&ep);
}

TEST(test_ws_ep_errors)
{
    check_error(BYTES(0x81, 0x81, 1, 2, 3, 4, 'x'), 0, H2E_WS_PROTOCOL,
                "masked frame from the server (RFC 6455 §5.1)", 1002);
    check_error(BYTES(0x80, 0x01, 'x'), 0, H2E_WS_PROTOCOL,
                "continuation frame without a message (RFC 6455 §5.4)", 1002);
    check_error(BYTES(0x01, 0x01, 'x', 0x82, 0x01, 'y'), 0, H2E_WS_PROTOCOL,
                "new message inside a fragmented one (RFC 6455 §5.4)", 1002);
    /* bad UTF-8 split across two fragments: 0xed 0xa0 is a surrogate */
    check_error(BYTES(0x01, 0x01, 0xed, 0x80, 0x02, 0xa0, 0x80), 0, H2E_WS_UTF8,
                "invalid UTF-8 in a text message (RFC 6455 §8.1)", 1007);
    check_error(BYTES(0x81, 0x01, 0xce), 0, H2E_WS_UTF8,
                "text message ends inside a UTF-8 character (RFC 6455 §8.1)", 1007);
    check_error(BYTES(0x82, 0x05, 1, 2, 3, 4, 5), 4, H2E_WS_TOO_BIG,
                "message over the 16 MiB limit (RFC 6455 §7.4.1)", 1009);
    check_error(BYTES(0x02, 0x03, 1, 2, 3, 0x80, 0x02, 4, 5), 4, H2E_WS_TOO_BIG,
                "message over the 16 MiB limit (RFC 6455 §7.4.1)", 1009);
    check_error(BYTES(0x82, 0x7f, 0x10, 0, 0, 0, 0, 0, 0, 0), 0, H2E_WS_TOO_BIG,
                "message over the 16 MiB limit (RFC 6455 §7.4.1)", 1009);
    check_error(BYTES(0x88, 0x02, 0x03, 0xee), 0, H2E_WS_PROTOCOL,
                "invalid close code (RFC 6455 §7.4)", 1002);
    check_error(BYTES(0xa1, 0x00), 0, H2E_WS_PROTOCOL,
                "RSV bit set without an extension (RFC 6455 §5.2)", 1002);
}

TEST(test_ws_ep_send_rules)
{
    struct ws_ep ep;
    uint8_t big[126] = {0};

    ep_open(&ep, 0);
    CHECK_INT(ws_ep_send(&ep, WS_OP_TEXT, (const uint8_t *)"\xc0\xaf", 2), H2E_USAGE);
    CHECK_INT(ws_ep_send(&ep, WS_OP_PING, big, 126), H2E_USAGE);
    CHECK_INT(ws_ep_send(&ep, WS_OP_BINARY, (const uint8_t *)"\xc0\xaf", 2), 0);
    CHECK_INT(ws_ep_send(&ep, WS_OP_TEXT, NULL, 0), 0);
    CHECK_MEM(ep.out.p, ep.out.len, "\x82\x82\0\0\0\0\xc0\xaf\x81\x80\0\0\0\0", 14);
    CHECK_INT(ws_ep_close_code(H2E_NOMEM), 1011);
    ws_ep_release(&ep);
}

TEST(test_ws_ep_empty_and_big_frames)
{
    struct ws_ep ep;
    struct ws_event ev;
    struct buf b;
    uint8_t *big = malloc(70000);
    size_t i;

    ep_open(&ep, 0);
    ws_ep_feed(&ep, BYTES(0x81, 0x00));
    CHECK_INT(ws_ep_next(&ep, &ev, NULL), 1);
    CHECK_INT(ev.data.len, 0);
    for (i = 0; i < 70000; i++)
        big[i] = (uint8_t)i;
    buf_init(&b, &mem_libc, 1 << 20);
    ws_encode(&b, false, WS_OP_BINARY, big, 30000, NULL);
    ws_encode(&b, true, WS_OP_CONT, big + 30000, 40000, NULL);
    /* in 1000-byte pieces: the input buffer never holds a whole frame */
    for (i = 0; i < b.len; i += 1000) {
        size_t n = b.len - i < 1000 ? b.len - i : 1000;
        ws_ep_feed(&ep, b.p + i, n);
        if (i + n < b.len)
            CHECK_INT(ws_ep_next(&ep, &ev, NULL), 0);
        CHECK(ep.in.len < 1000);
    }
    CHECK_INT(ws_ep_next(&ep, &ev, NULL), 1);
    CHECK_MEM(ev.data.p, ev.data.len, big, 70000);
    buf_release(&b);
    ws_ep_release(&ep);
    free(big);
}
