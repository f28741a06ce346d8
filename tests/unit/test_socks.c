/* SPDX-License-Identifier: MIT */
/* SOCKS4/4a and SOCKS5 messages (RFC 1928, RFC 1929): exact bytes, every error, splits. */
#include <stdio.h>
#include <stdlib.h>

#include "base/buf.h"
#include "base/err.h"
#include "codec/socks.h"
#include "tap.h"

#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})
#define CHECK_BYTES(p, n, ...)                                                                     \
    do {                                                                                           \
        static const uint8_t want_[] = {__VA_ARGS__};                                              \
        CHECK_MEM(p, n, want_, sizeof(want_));                                                     \
    } while (0)

TEST(test_socks_greeting)
{
    struct buf b;

    buf_init(&b, &mem_libc, 64);
    CHECK_INT(socks_greeting(&b, false), 0);
    CHECK_BYTES(b.p, b.len, 5, 1, 0);
    buf_reset(&b);
    CHECK_INT(socks_greeting(&b, true), 0);
    CHECK_BYTES(b.p, b.len, 5, 2, 0, 2);
    buf_release(&b);
}

TEST(test_socks_target_host)
{
    struct socks_target t;
    char name[300];

    CHECK_INT(socks_target_host(&t, "192.0.2.7", 443, NULL), 0);
    CHECK_INT(t.type, SOCKS_ADDR_IPV4);
    CHECK_BYTES(t.addr, 4, 192, 0, 2, 7);
    CHECK_INT(socks_target_host(&t, "::1", 80, NULL), 0);
    CHECK_INT(t.type, SOCKS_ADDR_IPV6);
    CHECK_INT(t.addr[15], 1);
    CHECK_INT(socks_target_host(&t, "example.com", 8443, NULL), 0);
    CHECK_INT(t.type, SOCKS_ADDR_NAME);
    CHECK_INT(t.name_len, 11);
    CHECK_INT(t.port, 8443);
    memset(name, 'a', 256);
    name[256] = 0;
    CHECK_INT(socks_target_host(&t, name, 1, NULL), H2E_USAGE);
    CHECK_INT(socks_target_host(&t, "", 1, NULL), H2E_USAGE);
}

TEST(test_socks_connect5_bytes)
{
    struct buf b;
    struct socks_target t;

    buf_init(&b, &mem_libc, 1024);
    socks_target_host(&t, "example.com", 443, NULL);
    CHECK_INT(socks_connect5(&b, &t), 0);
    CHECK_BYTES(b.p, b.len, 5, 1, 0, 3, 11, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm',
                1, 0xbb);
    buf_reset(&b);
    socks_target_host(&t, "10.1.2.3", 80, NULL);
    CHECK_INT(socks_connect5(&b, &t), 0);
    CHECK_BYTES(b.p, b.len, 5, 1, 0, 1, 10, 1, 2, 3, 0, 80);
    buf_reset(&b);
    socks_target_host(&t, "::1", 8080, NULL);
    CHECK_INT(socks_connect5(&b, &t), 0);
    CHECK_BYTES(b.p, b.len, 5, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x1f, 0x90);
    buf_release(&b);
}

TEST(test_socks_auth_request)
{
    struct buf b;
    struct h2e_info info = H2E_INFO_INIT;
    char big[256];

    buf_init(&b, &mem_libc, 1024);
    CHECK_INT(socks_auth_request(&b, span_str("us"), span_str("pwd"), NULL), 0);
    CHECK_BYTES(b.p, b.len, 1, 2, 'u', 's', 3, 'p', 'w', 'd');
    buf_reset(&b);
    CHECK_INT(socks_auth_request(&b, span_str("u"), span_str(""), NULL), 0);
    CHECK_BYTES(b.p, b.len, 1, 1, 'u', 0);
    buf_reset(&b);
    CHECK_INT(socks_auth_request(&b, span_str(""), span_str("p"), &info), H2E_USAGE);
    CHECK(info.why != NULL);
    memset(big, 'x', sizeof(big));
    CHECK_INT(socks_auth_request(&b, span_of(big, 256), span_str("p"), NULL), H2E_USAGE);
    CHECK_INT(socks_auth_request(&b, span_str("u"), span_of(big, 256), NULL), H2E_USAGE);
    CHECK_INT(b.len, 0);
    buf_release(&b);
}

/* A full buffer leaves it as it was. */
TEST(test_socks_writers_bounded)
{
    struct buf b;
    struct socks_target t;

    buf_init(&b, &mem_libc, 4);
    socks_target_host(&t, "example.com", 443, NULL);
    CHECK_INT(socks_connect5(&b, &t), H2E_LIMIT_BUFFER);
    CHECK_INT(socks_auth_request(&b, span_str("user"), span_str("pw"), NULL), H2E_LIMIT_BUFFER);
    CHECK_INT(socks_connect4(&b, &t, span_str(""), NULL), H2E_LIMIT_BUFFER);
    CHECK_INT(b.len, 0);
    buf_release(&b);
}

TEST(test_socks_connect4_bytes)
{
    struct buf b;
    struct socks_target t;
    struct h2e_info info = H2E_INFO_INIT;

    buf_init(&b, &mem_libc, 1024);
    socks_target_host(&t, "10.1.2.3", 80, NULL);
    CHECK_INT(socks_connect4(&b, &t, span_str("me"), NULL), 0);
    CHECK_BYTES(b.p, b.len, 4, 1, 0, 80, 10, 1, 2, 3, 'm', 'e', 0);
    buf_reset(&b);
    socks_target_host(&t, "h.test", 443, NULL);
    CHECK_INT(socks_connect4(&b, &t, span_str(""), NULL), 0);
    CHECK_BYTES(b.p, b.len, 4, 1, 1, 0xbb, 0, 0, 0, 1, 0, 'h', '.', 't', 'e', 's', 't', 0);
    buf_reset(&b);
    socks_target_host(&t, "::1", 443, NULL);
    CHECK_INT(socks_connect4(&b, &t, span_str(""), &info), H2E_USAGE);
    CHECK(info.why != NULL);
    socks_target_host(&t, "h", 443, NULL);
    CHECK_INT(socks_connect4(&b, &t, span_of("a\0b", 3), NULL), H2E_USAGE);
    buf_release(&b);
}

/* Every prefix of a message is incomplete; the whole is consumed exactly. */
static void each_prefix(const uint8_t *msg, size_t n, int (*parse)(const uint8_t *, size_t))
{
    size_t i;

    for (i = 0; i < n; i++)
        CHECK_INT(parse(tap_guard(msg, i), i), H2E_INCOMPLETE);
    CHECK_INT(parse(tap_guard(msg, n), n), (int)n);
}

static uint8_t got;

static int method(const uint8_t *p, size_t n)
{
    return socks_parse_method(p, n, &got, NULL);
}

static int auth(const uint8_t *p, size_t n)
{
    return socks_parse_auth(p, n, &got, NULL);
}

static int reply5(const uint8_t *p, size_t n)
{
    struct socks_reply5 r;
    int rv = socks_parse_reply5(p, n, &r, NULL);
    got = rv > 0 ? r.rep : 0xee;
    return rv;
}

static int reply4(const uint8_t *p, size_t n)
{
    return socks_parse_reply4(p, n, &got, NULL);
}

TEST(test_socks_parse_replies)
{
    each_prefix(BYTES(5, 2), method);
    CHECK_INT(got, SOCKS_METHOD_USERPASS);
    each_prefix(BYTES(5, 0xff), method);
    CHECK_INT(got, SOCKS_METHOD_REFUSED);
    each_prefix(BYTES(1, 0), auth);
    CHECK_INT(got, 0);
    each_prefix(BYTES(5, 0, 0, 1, 127, 0, 0, 1, 0x04, 0x38), reply5);
    CHECK_INT(got, 0);
    each_prefix(BYTES(5, 5, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1), reply5);
    CHECK_INT(got, 5);
    each_prefix(BYTES(5, 4, 0, 3, 2, 'h', 'x', 0, 1), reply5);
    CHECK_INT(got, 4);
    each_prefix(BYTES(0, 91, 0, 0, 0, 0, 0, 0), reply4);
    CHECK_INT(got, 91);
}

TEST(test_socks_parse_errors)
{
    struct socks_reply5 r;
    struct h2e_info info = H2E_INFO_INIT;
    uint8_t cd;

    CHECK_INT(socks_parse_method(BYTES(4, 0), &cd, &info), H2E_PROXY_HANDSHAKE);
    CHECK(info.why != NULL);
    info.why = NULL;
    CHECK_INT(socks_parse_auth(BYTES(5, 0), &cd, &info), H2E_PROXY_HANDSHAKE);
    CHECK(info.why != NULL);
    info.why = NULL;
    CHECK_INT(socks_parse_reply5(BYTES(4, 0, 0, 1, 0, 0, 0, 0, 0, 0), &r, &info),
              H2E_PROXY_HANDSHAKE);
    CHECK(info.why != NULL);
    info.why = NULL;
    CHECK_INT(socks_parse_reply5(BYTES(5, 0, 1, 1, 0, 0, 0, 0, 0, 0), &r, &info),
              H2E_PROXY_HANDSHAKE);
    CHECK(info.why != NULL);
    info.why = NULL;
    CHECK_INT(socks_parse_reply5(BYTES(5, 0, 0, 9, 0, 0, 0, 0, 0, 0), &r, &info),
              H2E_PROXY_HANDSHAKE);
    CHECK(info.why != NULL);
    info.why = NULL;
    CHECK_INT(socks_parse_reply4(BYTES(4, 90, 0, 0, 0, 0, 0, 0), &cd, &info), H2E_PROXY_HANDSHAKE);
    CHECK(info.why != NULL);
}

TEST(test_socks_reply_names)
{
    CHECK_STR(socks_reply5_name(0), "succeeded");
    CHECK_STR(socks_reply5_name(2), "connection not allowed by ruleset");
    CHECK_STR(socks_reply5_name(5), "connection refused");
    CHECK_STR(socks_reply5_name(8), "address type not supported");
    CHECK_STR(socks_reply5_name(9), "unassigned reply code");
    CHECK_STR(socks_reply4_name(90), "request granted");
    CHECK_STR(socks_reply4_name(91), "request rejected or failed");
    CHECK_STR(socks_reply4_name(17), "unassigned reply code");
}
