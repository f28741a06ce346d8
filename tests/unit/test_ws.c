/* SPDX-License-Identifier: MIT */
/* RFC 6455 framing: the §5.7 examples byte for byte, every header rule, Close payloads,
 * UTF-8 across pieces, and every prefix of a header being incomplete. */
#include <stdlib.h>

#include "base/buf.h"
#include "base/err.h"
#include "client/ws_int.h"
#include "codec/ws.h"
#include "tap.h"

#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})
#define CHECK_BYTES(p, n, ...)                                                                     \
    do {                                                                                           \
        static const uint8_t want_[] = {__VA_ARGS__};                                              \
        CHECK_MEM(p, n, want_, sizeof(want_));                                                     \
    } while (0)

static const uint8_t key_5_7[4] = {0x37, 0xfa, 0x21, 0x3d};

static int head(const uint8_t *p, size_t n, enum ws_dir dir, struct ws_head *h, const char **why)
{
    struct h2e_info info = H2E_INFO_INIT;
    int rv = ws_parse_head(tap_guard(p, n), n, dir, h, &info);
    *why = info.why;
    return rv;
}

/* RFC 6455 §5.7: "A single-frame unmasked text message" and the masked one. */
TEST(test_ws_rfc_5_7_hello)
{
    struct ws_head h;
    const char *why;
    struct buf b;
    uint8_t pl[5];

    CHECK_INT(head(BYTES(0x81, 0x05, 'H', 'e', 'l', 'l', 'o'), WS_FROM_SERVER, &h, &why), 2);
    CHECK(h.fin);
    CHECK_INT(h.opcode, WS_OP_TEXT);
    CHECK_INT(h.len, 5);
    CHECK(!h.masked);
    CHECK_INT(head(BYTES(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58),
                   WS_FROM_CLIENT, &h, &why),
              6);
    CHECK(h.masked);
    CHECK_BYTES(h.mask, 4, 0x37, 0xfa, 0x21, 0x3d);
    memcpy(pl, (const uint8_t[]){0x7f, 0x9f, 0x4d, 0x51, 0x58}, 5);
    ws_mask(pl, 2, h.mask, 0);
    ws_mask(pl + 2, 3, h.mask, 2); /* in pieces, as a stream arrives */
    CHECK_MEM(pl, 5, "Hello", 5);

    buf_init(&b, &mem_libc, 1024);
    CHECK_INT(ws_encode(&b, true, WS_OP_TEXT, (const uint8_t *)"Hello", 5, key_5_7), 0);
    CHECK_BYTES(b.p, b.len, 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58);
    buf_reset(&b);
    CHECK_INT(ws_encode(&b, true, WS_OP_TEXT, (const uint8_t *)"Hello", 5, NULL), 0);
    CHECK_BYTES(b.p, b.len, 0x81, 0x05, 'H', 'e', 'l', 'l', 'o');
    buf_release(&b);
}

/* §5.7: fragmented unmasked text, unmasked Ping, masked Pong. */
TEST(test_ws_rfc_5_7_fragments_ping_pong)
{
    struct ws_head h;
    const char *why;
    struct buf b;

    CHECK_INT(head(BYTES(0x01, 0x03, 'H', 'e', 'l'), WS_FROM_SERVER, &h, &why), 2);
    CHECK(!h.fin);
    CHECK_INT(h.opcode, WS_OP_TEXT);
    CHECK_INT(head(BYTES(0x80, 0x02, 'l', 'o'), WS_FROM_SERVER, &h, &why), 2);
    CHECK(h.fin);
    CHECK_INT(h.opcode, WS_OP_CONT);
    CHECK_INT(head(BYTES(0x89, 0x05, 'H', 'e', 'l', 'l', 'o'), WS_FROM_SERVER, &h, &why), 2);
    CHECK_INT(h.opcode, WS_OP_PING);
    buf_init(&b, &mem_libc, 1024);
    CHECK_INT(ws_encode(&b, true, WS_OP_PONG, (const uint8_t *)"Hello", 5, key_5_7), 0);
    CHECK_BYTES(b.p, b.len, 0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58);
    buf_release(&b);
}

/* §5.7: 256 bytes and 64 KiB binary messages use the 16- and 64-bit lengths. */
TEST(test_ws_rfc_5_7_lengths)
{
    struct ws_head h;
    const char *why;
    struct buf b;
    uint8_t *big = calloc(1, 65536);

    CHECK_INT(head(BYTES(0x82, 0x7e, 0x01, 0x00), WS_FROM_SERVER, &h, &why), 4);
    CHECK_INT(h.len, 256);
    CHECK_INT(head(BYTES(0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0), WS_FROM_SERVER, &h, &why), 10);
    CHECK_INT(h.len, 65536);
    buf_init(&b, &mem_libc, 1 << 20);
    CHECK_INT(ws_encode(&b, true, WS_OP_BINARY, big, 256, NULL), 0);
    CHECK_BYTES(b.p, 4, 0x82, 0x7e, 0x01, 0x00);
    CHECK_INT(b.len, 260);
    buf_reset(&b);
    CHECK_INT(ws_encode(&b, true, WS_OP_BINARY, big, 65536, NULL), 0);
    CHECK_BYTES(b.p, 10, 0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0);
    buf_reset(&b);
    CHECK_INT(ws_encode(&b, true, WS_OP_BINARY, big, 125, key_5_7), 0);
    CHECK_BYTES(b.p, 2, 0x82, 0xfd);
    buf_reset(&b);
    CHECK_INT(ws_encode(&b, true, WS_OP_BINARY, big, 65535, key_5_7), 0);
    CHECK_BYTES(b.p, 8, 0x82, 0xfe, 0xff, 0xff, 0x37, 0xfa, 0x21, 0x3d);
    CHECK_BYTES(b.p + 8, 4, 0x37, 0xfa, 0x21, 0x3d); /* zeros masked show the key */
    buf_release(&b);
    free(big);
}

TEST(test_ws_head_rules)
{
    static const struct {
        uint8_t b[10];
        size_t n;
        enum ws_dir dir;
        const char *why;
    } bad[] = {
        {{0xc1, 0x00}, 2, WS_FROM_SERVER, "RSV bit set without an extension (RFC 6455 §5.2)"},
        {{0x91, 0x00}, 2, WS_FROM_SERVER, "RSV bit set without an extension (RFC 6455 §5.2)"},
        {{0x83, 0x00}, 2, WS_FROM_SERVER, "reserved opcode (RFC 6455 §5.2)"},
        {{0x8b, 0x00}, 2, WS_FROM_SERVER, "reserved opcode (RFC 6455 §5.2)"},
        {{0x09, 0x00}, 2, WS_FROM_SERVER, "fragmented control frame (RFC 6455 §5.5)"},
        {{0x89, 0x7e}, 2, WS_FROM_SERVER, "control frame longer than 125 bytes (RFC 6455 §5.5)"},
        {{0x81, 0x80, 1, 2, 3, 4},
         6,
         WS_FROM_SERVER,
         "masked frame from the server (RFC 6455 §5.1)"},
        {{0x81, 0x00}, 2, WS_FROM_CLIENT, "unmasked frame from a client (RFC 6455 §5.1)"},
        {{0x82, 0x7e, 0x00, 0x7d}, 4, WS_FROM_SERVER, "16-bit length below 126 (RFC 6455 §5.2)"},
        {{0x82, 0x7f, 0, 0, 0, 0, 0, 0, 0xff, 0xff},
         10,
         WS_FROM_SERVER,
         "64-bit length below 65536 (RFC 6455 §5.2)"},
        {{0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0},
         10,
         WS_FROM_SERVER,
         "64-bit length with the top bit set (RFC 6455 §5.2)"},
    };
    struct ws_head h;
    const char *why;
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_INT(head(bad[i].b, bad[i].n, bad[i].dir, &h, &why), H2E_WS_PROTOCOL);
        CHECK_STR(why, bad[i].why);
    }
    /* the largest legal length */
    CHECK_INT(head(BYTES(0x82, 0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
                   WS_FROM_SERVER, &h, &why),
              10);
    CHECK(h.len == 0x7fffffffffffffffull);
    /* an empty Close and a 125-byte Ping are fine */
    CHECK_INT(head(BYTES(0x88, 0x00), WS_FROM_SERVER, &h, &why), 2);
    CHECK_INT(head(BYTES(0x89, 0x7d), WS_FROM_SERVER, &h, &why), 2);
}

TEST(test_ws_head_prefixes_incomplete)
{
    static const uint8_t f[] = {0x82, 0xff, 0, 0, 0, 0, 0, 1, 0, 0, 9, 8, 7, 6};
    struct ws_head h;
    size_t k;

    for (k = 0; k < sizeof(f); k++)
        CHECK_INT(ws_parse_head(tap_guard(f, k), k, WS_FROM_CLIENT, &h, NULL), H2E_INCOMPLETE);
    CHECK_INT(ws_parse_head(tap_guard(f, sizeof(f)), sizeof(f), WS_FROM_CLIENT, &h, NULL), 14);
    CHECK_BYTES(h.mask, 4, 9, 8, 7, 6);
    CHECK_INT(h.head_len, 14);
}

TEST(test_ws_close_payload)
{
    unsigned code;
    struct span r;
    struct h2e_info info = H2E_INFO_INIT;
    uint8_t pl[WS_CONTROL_MAX];
    char longr[200];
    size_t n;

    CHECK_INT(ws_parse_close(NULL, 0, &code, &r, NULL), 0);
    CHECK_INT(code, 1005);
    CHECK_INT(r.len, 0);
    /* a named array: `r` points into it after the CHECK block ends */
    static const uint8_t bye[] = {0x03, 0xe8, 'b', 'y', 'e'};
    CHECK_INT(ws_parse_close(bye, sizeof(bye), &code, &r, NULL), 0);
    CHECK_INT(code, 1000);
    CHECK_MEM(r.p, r.len, "bye", 3);
    CHECK_INT(ws_parse_close(BYTES(0x03), &code, &r, &info), H2E_WS_PROTOCOL);
    CHECK_STR(info.why, "Close payload of 1 byte (RFC 6455 §5.5.1)");
    CHECK_INT(ws_parse_close(BYTES(0x03, 0xe8, 0xc0, 0xaf), &code, &r, &info), H2E_WS_UTF8);
    CHECK_INT(ws_parse_close(BYTES(0x03, 0xed), &code, &r, &info), H2E_WS_PROTOCOL); /* 1005 */
    CHECK_STR(info.why, "invalid close code (RFC 6455 §7.4)");
    CHECK(!ws_close_code_ok(999));
    CHECK(ws_close_code_ok(1000));
    CHECK(ws_close_code_ok(1003));
    CHECK(!ws_close_code_ok(1004));
    CHECK(!ws_close_code_ok(1006));
    CHECK(ws_close_code_ok(1011));
    CHECK(!ws_close_code_ok(1015));
    CHECK(!ws_close_code_ok(2999));
    CHECK(ws_close_code_ok(3000));
    CHECK(ws_close_code_ok(4999));
    CHECK(!ws_close_code_ok(5000));

    CHECK_INT(ws_close_payload(pl, 0, span_str("x")), 0);
    CHECK_INT(ws_close_payload(pl, 1002, span_str("no")), 4);
    CHECK_BYTES(pl, 4, 0x03, 0xea, 'n', 'o');
    /* 122 ASCII bytes then a 2-byte character: the character would end at 124 > 123 */
    memset(longr, 'a', sizeof(longr));
    longr[122] = (char)0xc3;
    longr[123] = (char)0xa9;
    n = ws_close_payload(pl, 1000, span_of(longr, sizeof(longr)));
    CHECK_INT(n, 124);
    CHECK_INT(ws_parse_close(pl, n, &code, &r, NULL), 0);
}

TEST(test_ws_encode_close)
{
    struct buf b;

    buf_init(&b, &mem_libc, 1024);
    CHECK_INT(ws_encode_close(&b, 1000, span_str(""), key_5_7), 0);
    CHECK_BYTES(b.p, b.len, 0x88, 0x82, 0x37, 0xfa, 0x21, 0x3d, 0x03 ^ 0x37, 0xe8 ^ 0xfa);
    buf_reset(&b);
    CHECK_INT(ws_encode_close(&b, 0, span_str(""), NULL), 0);
    CHECK_BYTES(b.p, b.len, 0x88, 0x00);
    buf_release(&b);
}

static bool utf8_ok(const char *s, size_t n, size_t split)
{
    struct ws_utf8 u;

    ws_utf8_init(&u);
    return ws_utf8_feed(&u, (const uint8_t *)s, split) &&
           ws_utf8_feed(&u, (const uint8_t *)s + split, n - split) && ws_utf8_done(&u);
}

TEST(test_ws_utf8)
{
    static const struct {
        const char *s;
        bool ok;
    } cases[] = {
        {"", true},
        {"hello", true},
        {"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", true}, /* κόσμε */
        {"\xf0\x9f\x98\x80", true},                             /* U+1F600 */
        {"\xf4\x8f\xbf\xbf", true},                             /* U+10FFFF */
        {"\xef\xbf\xbf", true},                                 /* U+FFFF */
        {"\xc0\xaf", false},                                    /* overlong / */
        {"\xe0\x80\xaf", false},                                /* overlong */
        {"\xf0\x80\x80\xaf", false},                            /* overlong */
        {"\xed\xa0\x80", false},                                /* surrogate U+D800 */
        {"\xf4\x90\x80\x80", false},                            /* U+110000 */
        {"\xf5\x80\x80\x80", false},
        {"\x80", false},
        {"\xce", false}, /* ends inside a character */
        {"\xff", false},
        {"a\xe1\xbd", false},
    };
    size_t i, k;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = strlen(cases[i].s);
        for (k = 0; k <= n; k++)
            if (utf8_ok(cases[i].s, n, k) != cases[i].ok)
                tap_fail(__FILE__, __LINE__, "case %zu split %zu", i, k);
    }
}

TEST(test_ws_accept_input)
{
    char in[61];

    CHECK_INT(ws_accept_input("dGhlIHNhbXBsZSBub25jZQ==", in), 0);
    CHECK_STR(in, "dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    CHECK_INT(ws_accept_input("short", in), H2E_USAGE);
    CHECK_STR(ws_op_name(WS_OP_PONG), "pong");
    CHECK_STR(ws_op_name(5), "reserved");
}

/* RFC 6455 §1.3 and §4.2.2: the example key and its accept value, through GnuTLS. */
TEST(test_ws_accept_key_rfc_example)
{
    CHECK(ws_key_accept_ok("dGhlIHNhbXBsZSBub25jZQ==", span_str("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")));
    CHECK(!ws_key_accept_ok("dGhlIHNhbXBsZSBub25jZQ==", span_str("s3pPLMBiTxaQ9kYGzzhZRbK+xOo")));
    CHECK(!ws_key_accept_ok("dGhlIHNhbXBsZSBub25jZQ==", span_str("S3pPLMBiTxaQ9kYGzzhZRbK+xOo=")));
    CHECK(!ws_key_accept_ok("short", span_str("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")));
}

TEST(test_ws_key_new_is_16_random_bytes)
{
    char a[WS_KEY_SIZE], b[WS_KEY_SIZE];

    CHECK_INT(ws_key_new(a), 0);
    CHECK_INT(ws_key_new(b), 0);
    CHECK_INT(strlen(a), 24);
    CHECK(a[22] == '=' && a[23] == '=');
    CHECK(strcmp(a, b) != 0);
}
