/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.1 codec: response heads fed whole and split at every offset against a guard page,
 * every error with its why, body framing (RFC 9112 §6.3), the chunked decoder across every
 * split and byte by byte, and the request/chunk writers (round-tripped through the parser).
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/buf.h"
#include "base/err.h"
#include "codec/h1.h"
#include "base/limits.h"
#include "tap.h"

#define SPAN_IS(s, str) CHECK_MEM((s).p, (s).len, (str), strlen(str))
/* A string literal with its exact length, NULs included. */
#define S(lit) lit, sizeof(lit) - 1

/* --- response heads --------------------------------------------------------------- */

static const struct {
    const char *head;
    size_t head_len;
    const char *body; /* bytes after the head, never consumed */
    int minor, status;
    const char *reason;
    size_t nh;
    const char *h[3][2];
} heads[] = {
    {S("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  b c \r\n\r\n"),
     "hello",
     1,
     200,
     "OK",
     2,
     {{"Content-Length", "5"}, {"X-A", "b c"}}},
    {S("HTTP/1.0 404 Not Found\n\n"), "", 0, 404, "Not Found", 0, {{NULL, NULL}}},
    {S("HTTP/1.1 204 \r\n\r\n"), "HTTP/1.1 200 OK\r\n", 1, 204, "", 0, {{NULL, NULL}}},
    {S("HTTP/1.1 204\r\n\r\n"), "", 1, 204, "", 0, {{NULL, NULL}}},
    {S("HTTP/1.1 200 OK\r\nX-Empty:\r\nX-Tab:\tv\t\nX-Obs: \xc3\xa9\"!~\r\n\r\n"),
     "\r\n",
     1,
     200,
     "OK",
     3,
     {{"X-Empty", ""}, {"X-Tab", "v"}, {"X-Obs", "\xc3\xa9\"!~"}}},
    {S("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n"),
     "\x00\x00\x12\x04",
     1,
     101,
     "Switching Protocols",
     2,
     {{"Upgrade", "h2c"}, {"Connection", "Upgrade"}}},
    {S("HTTP/1.9 599 \xc3\xa9t\xc3\xa9\t x\r\n!#$%&'*+-.^_`|~09azAZ:x\r\n\r\n"),
     "",
     9,
     599,
     "\xc3\xa9t\xc3\xa9\t x",
     1,
     {{"!#$%&'*+-.^_`|~09azAZ", "x"}}},
    {S("HTTP/1.1 100 Continue\r\n\r\n"),
     "HTTP/1.1 200 OK\r\n\r\n",
     1,
     100,
     "Continue",
     0,
     {{NULL, NULL}}},
};

static int parse_at(const uint8_t *p, size_t len, struct h1_response *r, struct h1_header *h,
                    size_t *nh, struct h2e_info *info)
{
    const uint8_t *g = tap_guard(p, len);
    *nh = 8;
    return h1_parse_response(g, len, r, h, nh, info);
}

static void check_head(size_t i, const uint8_t *in, size_t total)
{
    struct h1_response r;
    struct h1_header h[8];
    struct h2e_info info = H2E_INFO_INIT;
    size_t nh, k, j;
    int rv;

    /* Every strict prefix of the head is incomplete. */
    for (k = 0; k < heads[i].head_len; k++)
        CHECK_INT(parse_at(in, k, &r, h, &nh, &info), H2E_INCOMPLETE);
    /* The head, alone or followed by any part of the body, parses the same. */
    for (k = heads[i].head_len; k <= total; k++) {
        rv = parse_at(in, k, &r, h, &nh, &info);
        CHECK_INT(rv, heads[i].head_len);
        if (rv < 0)
            return;
        CHECK_INT(r.minor_version, heads[i].minor);
        CHECK_INT(r.status, heads[i].status);
        SPAN_IS(r.reason, heads[i].reason);
        CHECK_INT(nh, heads[i].nh);
        for (j = 0; j < nh && j < 3; j++) {
            SPAN_IS(h[j].name, heads[i].h[j][0]);
            SPAN_IS(h[j].value, heads[i].h[j][1]);
        }
    }
}

TEST(test_h1_parse_response_every_split)
{
    size_t i;
    for (i = 0; i < sizeof(heads) / sizeof(heads[0]) && !tap_failed(); i++) {
        size_t blen = strlen(heads[i].body) + (heads[i].status == 101 ? 4 : 0);
        size_t total = heads[i].head_len + blen;
        uint8_t *in = malloc(total);
        memcpy(in, heads[i].head, heads[i].head_len);
        memcpy(in + heads[i].head_len, heads[i].body, blen);
        check_head(i, in, total);
        if (tap_failed())
            printf("#   head %zu\n", i);
        free(in);
    }
}

#define WHY_STATUS "reply is not an HTTP/1.x status line (RFC 9112 §4)"
#define WHY_VERSION "unsupported HTTP version (RFC 9112 §2.3)"
#define WHY_CODE "bad status code (RFC 9112 §4)"
#define WHY_RANGE "status code out of range (RFC 9110 §15)"
#define WHY_CR "bare CR in a line (RFC 9112 §2.2)"
#define WHY_NAMECHAR "invalid character in field name (RFC 9110 §5.1)"
#define WHY_VALCHAR "invalid character in field value (RFC 9110 §5.5)"

static const struct {
    const char *in;
    size_t len;
    const char *why;
} bad_heads[] = {
    {S("HTTX/1.1 200 OK\r\n\r\n"), WHY_STATUS},
    {S("<html>\r\n"), WHY_STATUS},
    {S("\r\nHTTP/1.1 200 OK\r\n\r\n"), WHY_STATUS},
    {S("http/1.1 200 OK\r\n\r\n"), WHY_STATUS},
    {S("HTTP/2 200\r\n\r\n"), WHY_VERSION},
    {S("HTTP/1 200\r\n\r\n"), WHY_VERSION},
    {S("HTTP/1.x 200 OK\r\n\r\n"), WHY_VERSION},
    {S("HTTP/1.\r\n\r\n"), WHY_VERSION},
    {S("HTTP/1.1\r\n\r\n"), WHY_CODE},
    {S("HTTP/1.1  200 OK\r\n\r\n"), WHY_CODE},
    {S("HTTP/1.1 20 OK\r\n\r\n"), WHY_CODE},
    {S("HTTP/1.1 2000 OK\r\n\r\n"), WHY_CODE},
    {S("HTTP/1.1 2x0 OK\r\n\r\n"), WHY_CODE},
    {S("HTTP/1.1\t200 OK\r\n\r\n"), WHY_CODE},
    {S("HTTP/1.1 099 Low\r\n\r\n"), WHY_RANGE},
    {S("HTTP/1.1 600 High\r\n\r\n"), WHY_RANGE},
    {S("HTTP/1.1 200 O\x01K\r\n\r\n"), "invalid character in reason phrase (RFC 9112 §4)"},
    {S("HTTP/1.1 200 O\0K\r\n\r\n"), "invalid character in reason phrase (RFC 9112 §4)"},
    {S("HTTP/1.1 200 OK\rX\r\n\r\n"), WHY_CR},
    {S("HTTP/1.1 200 OK\r\r\n\r\n"), WHY_CR},
    {S("HTTP/1.1 200 OK\r\nA: b\r\r\n\r\n"), WHY_CR},
    {S("HTTP/1.1 200 OK\r\n\r\r\n"), WHY_CR},
    {S("HTTP/1.1 200 OK\r\nFoo : bar\r\n\r\n"), "whitespace before the colon (RFC 9112 §5.1)"},
    {S("HTTP/1.1 200 OK\r\nFoo\t: bar\r\n\r\n"), "whitespace before the colon (RFC 9112 §5.1)"},
    {S("HTTP/1.1 200 OK\r\nFoo bar\r\n\r\n"), "field line without a colon (RFC 9112 §5)"},
    {S("HTTP/1.1 200 OK\r\n: bar\r\n\r\n"), "empty field name (RFC 9110 §5.1)"},
    {S("HTTP/1.1 200 OK\r\nF(o): bar\r\n\r\n"), WHY_NAMECHAR},
    {S("HTTP/1.1 200 OK\r\nA b: c\r\n\r\n"), WHY_NAMECHAR},
    {S("HTTP/1.1 200 OK\r\n\xc3\xa9: c\r\n\r\n"), WHY_NAMECHAR},
    {S("HTTP/1.1 200 OK\r\nFoo: b\x01r\r\n\r\n"), WHY_VALCHAR},
    {S("HTTP/1.1 200 OK\r\nFoo: b\x7fr\r\n\r\n"), WHY_VALCHAR},
    {S("HTTP/1.1 200 OK\r\nFoo: b\0r\r\n\r\n"), WHY_VALCHAR},
    {S("HTTP/1.1 200 OK\r\nFoo: bar\r\n baz\r\n\r\n"),
     "obs-fold line folding is refused (RFC 9112 §5.2)"},
    {S("HTTP/1.1 200 OK\r\nFoo: bar\r\n\tbaz\r\n\r\n"),
     "obs-fold line folding is refused (RFC 9112 §5.2)"},
    {S("HTTP/1.1 200 OK\r\n Foo: bar\r\n\r\n"),
     "whitespace before the first field line (RFC 9112 §2.2)"},
};

TEST(test_h1_parse_response_errors)
{
    size_t i, k;
    for (i = 0; i < sizeof(bad_heads) / sizeof(bad_heads[0]); i++) {
        const uint8_t *in = (const uint8_t *)bad_heads[i].in;
        struct h1_response r;
        struct h1_header h[8];
        struct h2e_info info = H2E_INFO_INIT;
        size_t nh;

        CHECK_INT(parse_at(in, bad_heads[i].len, &r, h, &nh, &info), H2E_H1_INVALID);
        CHECK_INT(info.code, H2E_H1_INVALID);
        CHECK_STR(info.why, bad_heads[i].why);
        /* A prefix is either still incomplete or already the same error. */
        for (k = 0; k < bad_heads[i].len; k++) {
            struct h2e_info pinfo = H2E_INFO_INIT;
            int rv = parse_at(in, k, &r, h, &nh, &pinfo);
            CHECK(rv == H2E_INCOMPLETE || (rv == H2E_H1_INVALID && pinfo.why == info.why));
        }
        if (tap_failed()) {
            printf("#   bad head %zu\n", i);
            return;
        }
    }
}

TEST(test_h1_parse_response_header_count)
{
    static const char in[] = "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
    struct h1_response r;
    struct h1_header h[3];
    struct h2e_info info = H2E_INFO_INIT;
    size_t nh = 3;

    CHECK_INT(h1_parse_response((const uint8_t *)in, strlen(in), &r, h, &nh, &info), strlen(in));
    CHECK_INT(nh, 3);
    nh = 2;
    CHECK_INT(h1_parse_response((const uint8_t *)in, strlen(in), &r, h, &nh, &info),
              H2E_LIMIT_HEADER_COUNT);
    CHECK_STR(info.why, "too many header fields");
    nh = 0;
    CHECK_INT(h1_parse_response((const uint8_t *)in, 17, &r, h, &nh, &info), H2E_INCOMPLETE);
    CHECK_INT(h1_parse_response((const uint8_t *)in, strlen(in), &r, h, &nh, &info),
              H2E_LIMIT_HEADER_COUNT);
}

TEST(test_h1_parse_headers_count_limit)
{
    size_t n = LIMIT_HEADER_COUNT + 1, i, nh = 0;
    uint8_t *in = malloc(n * 5 + 2);
    struct h2e_info info = H2E_INFO_INIT;

    for (i = 0; i < n; i++)
        memcpy(in + i * 5, "a:b\r\n", 5);
    memcpy(in + n * 5, "\r\n", 2);
    /* Without an array only LIMIT_HEADER_COUNT applies. */
    CHECK_INT(h1_parse_headers(in + 5, (n - 1) * 5 + 2, NULL, &nh, &info), (n - 1) * 5 + 2);
    CHECK_INT(nh, LIMIT_HEADER_COUNT);
    CHECK_INT(h1_parse_headers(in, n * 5 + 2, NULL, &nh, &info), H2E_LIMIT_HEADER_COUNT);
    CHECK_STR(info.why, "too many header fields");
    free(in);
}

/* A head of exactly `size` bytes: status line, one field padded to fit, empty line. */
static uint8_t *head_of_size(size_t size)
{
    static const char first[] = "HTTP/1.1 200 OK\r\nX: ";
    uint8_t *p = malloc(size);
    memcpy(p, first, sizeof(first) - 1);
    memset(p + sizeof(first) - 1, 'v', size - (sizeof(first) - 1) - 4);
    memcpy(p + size - 4, "\r\n\r\n", 4);
    return p;
}

TEST(test_h1_parse_response_size_limit)
{
    struct h1_response r;
    struct h1_header h[4];
    struct h2e_info info = H2E_INFO_INIT;
    size_t nh = 4;
    uint8_t *p = head_of_size(LIMIT_HEADER_LIST_SIZE);

    CHECK_INT(h1_parse_response(p, LIMIT_HEADER_LIST_SIZE, &r, h, &nh, &info),
              LIMIT_HEADER_LIST_SIZE);
    CHECK_INT(h[0].value.len, LIMIT_HEADER_LIST_SIZE - 20 - 4);
    free(p);
    p = head_of_size(LIMIT_HEADER_LIST_SIZE + 1);
    CHECK_INT(h1_parse_response(p, LIMIT_HEADER_LIST_SIZE - 1, &r, h, &nh, &info), H2E_INCOMPLETE);
    CHECK_INT(h1_parse_response(p, LIMIT_HEADER_LIST_SIZE, &r, h, &nh, &info),
              H2E_LIMIT_HEADER_LIST);
    CHECK_STR(info.why, "response head larger than the header list limit");
    CHECK_INT(h1_parse_response(p, LIMIT_HEADER_LIST_SIZE + 1, &r, h, &nh, &info),
              H2E_LIMIT_HEADER_LIST);
    /* A status line alone over the limit. */
    memset(p + 13, 'r', LIMIT_HEADER_LIST_SIZE + 1 - 13);
    CHECK_INT(h1_parse_response(p, LIMIT_HEADER_LIST_SIZE + 1, &r, h, &nh, &info),
              H2E_LIMIT_HEADER_LIST);
    free(p);
}

/* --- body framing ------------------------------------------------------------------- */

static const struct {
    int minor, status;
    const char *method;
    const char *h[3][2];
    int rv;
    enum h1_body_kind kind;
    uint64_t length;
    bool close;
    const char *why;
} framings[] = {
    {1, 200, "GET", {{"Content-Length", "5"}}, 0, H1_BODY_LENGTH, 5, false, NULL},
    {1,
     200,
     "GET",
     {{"content-length", "5, 5"}, {"Content-Length", " 5 "}},
     0,
     H1_BODY_LENGTH,
     5,
     false,
     NULL},
    {1,
     200,
     "GET",
     {{"Content-Length", "18446744073709551615"}},
     0,
     H1_BODY_LENGTH,
     UINT64_MAX,
     false,
     NULL},
    {1, 200, "GET", {{"Content-Length", "0"}}, 0, H1_BODY_LENGTH, 0, false, NULL},
    {1,
     200,
     "GET",
     {{"Content-Length", "5, 6"}},
     H2E_H1_INVALID,
     0,
     0,
     false,
     "conflicting Content-Length values (RFC 9110 §8.6)"},
    {1,
     200,
     "GET",
     {{"Content-Length", "5"}, {"Content-Length", "6"}},
     H2E_H1_INVALID,
     0,
     0,
     false,
     "conflicting Content-Length values (RFC 9110 §8.6)"},
    {1,
     200,
     "GET",
     {{"Content-Length", "-1"}},
     H2E_H1_INVALID,
     0,
     0,
     false,
     "invalid Content-Length (RFC 9112 §6.3)"},
    {1,
     200,
     "GET",
     {{"Content-Length", ""}},
     H2E_H1_INVALID,
     0,
     0,
     false,
     "invalid Content-Length (RFC 9112 §6.3)"},
    {1,
     200,
     "GET",
     {{"Content-Length", "5,"}},
     H2E_H1_INVALID,
     0,
     0,
     false,
     "invalid Content-Length (RFC 9112 §6.3)"},
    {1,
     200,
     "GET",
     {{"Content-Length", "+5"}},
     H2E_H1_INVALID,
     0,
     0,
     false,
     "invalid Content-Length (RFC 9112 §6.3)"},
    {1,
     200,
     "GET",
     {{"Content-Length", "5 5"}},
     H2E_H1_INVALID,
     0,
     0,
     false,
     "invalid Content-Length (RFC 9112 §6.3)"},
    {1,
     200,
     "GET",
     {{"Content-Length", "18446744073709551616"}},
     H2E_H1_INVALID,
     0,
     0,
     false,
     "invalid Content-Length (RFC 9112 §6.3)"},
    {1, 200, "GET", {{"Transfer-Encoding", "chunked"}}, 0, H1_BODY_CHUNKED, 0, false, NULL},
    {1, 200, "GET", {{"Transfer-Encoding", "gzip, Chunked"}}, 0, H1_BODY_CHUNKED, 0, false, NULL},
    {1,
     200,
     "GET",
     {{"Transfer-Encoding", "gzip"}, {"transfer-encoding", "chunked ;x=1"}},
     0,
     H1_BODY_CHUNKED,
     0,
     false,
     NULL},
    {1, 200, "GET", {{"Transfer-Encoding", "chunked, gzip"}}, 0, H1_BODY_CLOSE, 0, true, NULL},
    {1, 200, "GET", {{"Transfer-Encoding", "chunked,"}}, 0, H1_BODY_CHUNKED, 0, false, NULL},
    {1, 200, "GET", {{"Transfer-Encoding", ""}}, 0, H1_BODY_CLOSE, 0, true, NULL},
    {1,
     200,
     "GET",
     {{"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}},
     0,
     H1_BODY_CHUNKED,
     0,
     true,
     NULL},
    {1,
     200,
     "GET",
     {{"Content-Length", "bad"}, {"Transfer-Encoding", "chunked"}},
     0,
     H1_BODY_CHUNKED,
     0,
     true,
     NULL},
    {0, 200, "GET", {{"Transfer-Encoding", "chunked"}}, 0, H1_BODY_CLOSE, 0, true, NULL},
    {1, 200, "GET", {{NULL, NULL}}, 0, H1_BODY_CLOSE, 0, true, NULL},
    {1,
     200,
     "GET",
     {{"Content-Length", "5"}, {"Connection", "foo, Close"}},
     0,
     H1_BODY_LENGTH,
     5,
     true,
     NULL},
    {0, 200, "GET", {{"Content-Length", "5"}}, 0, H1_BODY_LENGTH, 5, true, NULL},
    {0,
     200,
     "GET",
     {{"Content-Length", "5"}, {"Connection", "Keep-Alive"}},
     0,
     H1_BODY_LENGTH,
     5,
     false,
     NULL},
    {0,
     200,
     "GET",
     {{"Content-Length", "5"}, {"Connection", "keep-alive, close"}},
     0,
     H1_BODY_LENGTH,
     5,
     true,
     NULL},
    {1, 204, "GET", {{"Content-Length", "5"}}, 0, H1_BODY_NONE, 0, false, NULL},
    {1, 304, "GET", {{"Content-Length", "bad"}}, 0, H1_BODY_NONE, 0, false, NULL},
    {1, 200, "HEAD", {{"Transfer-Encoding", "chunked"}}, 0, H1_BODY_NONE, 0, false, NULL},
    {1, 200, "head", {{"Content-Length", "3"}}, 0, H1_BODY_LENGTH, 3, false, NULL},
    {1, 100, "GET", {{NULL, NULL}}, 0, H1_BODY_INFORMATIONAL, 0, false, NULL},
    {1, 103, "HEAD", {{"Link", "</s.css>"}}, 0, H1_BODY_INFORMATIONAL, 0, false, NULL},
    {1, 101, "GET", {{"Upgrade", "h2c"}}, 0, H1_BODY_SWITCH, 0, true, NULL},
    {1, 200, "CONNECT", {{"Content-Length", "5"}}, 0, H1_BODY_TUNNEL, 0, true, NULL},
    {1, 407, "CONNECT", {{"Content-Length", "5"}}, 0, H1_BODY_LENGTH, 5, false, NULL},
};

TEST(test_h1_body_framing)
{
    size_t i, j;
    for (i = 0; i < sizeof(framings) / sizeof(framings[0]); i++) {
        struct h1_response r = {framings[i].minor, framings[i].status, {NULL, 0}};
        struct h1_header h[3];
        struct h1_body b;
        struct h2e_info info = H2E_INFO_INIT;
        int rv;

        for (j = 0; j < 3 && framings[i].h[j][0]; j++) {
            h[j].name = span_str(framings[i].h[j][0]);
            h[j].value = span_str(framings[i].h[j][1]);
        }
        rv = h1_body_framing(&r, h, j, span_str(framings[i].method), &b, &info);
        CHECK_INT(rv, framings[i].rv);
        if (rv) {
            CHECK_STR(info.why, framings[i].why);
        } else {
            CHECK_INT(b.kind, framings[i].kind);
            CHECK(b.length == framings[i].length);
            CHECK_INT(b.close, framings[i].close);
        }
        if (tap_failed()) {
            printf("#   framing %zu\n", i);
            return;
        }
    }
}

/* --- chunked decoder ---------------------------------------------------------------- */

struct decoded {
    uint8_t body[256];
    size_t body_len;
    uint8_t trailers[128];
    size_t trailers_len;
    size_t end; /* input offset just past the chunked body */
    struct h2e_info info;
};

/*
 * Feed `in` as a receive buffer would: `first` bytes arrive, then `step` more each time the
 * decoder needs input. Unconsumed bytes are offered again with the new ones, always placed
 * against a guard page.
 */
static int decode(const uint8_t *in, size_t len, size_t first, size_t step, struct decoded *d)
{
    struct h1_chunked c;
    size_t start = 0, avail = first < len ? first : len;

    h1_chunked_init(&c);
    memset(d, 0, sizeof(*d));
    for (;;) {
        const uint8_t *g = tap_guard(in + start, avail - start);
        struct span data;
        size_t used = 999;
        int rv = h1_chunked_decode(&c, g, avail - start, &used, &data, &d->info);
        if (rv == H2E_INCOMPLETE) {
            CHECK_INT(used, 0);
            if (avail == len)
                return rv;
            avail = avail + step < len ? avail + step : len;
            continue;
        }
        if (rv < 0)
            return rv;
        CHECK(data.len == 0 || (data.p >= g && data.p + data.len <= g + used));
        CHECK(used > 0 || c.done);
        if (data.len + d->body_len > sizeof(d->body))
            return -1000;
        memcpy(d->body + d->body_len, data.p, data.len);
        d->body_len += data.len;
        start += used;
        if (c.done) {
            CHECK(c.trailers.p >= g && c.trailers.p + c.trailers.len <= g + used);
            memcpy(d->trailers, c.trailers.p, c.trailers.len);
            d->trailers_len = c.trailers.len;
            d->end = start;
            /* Once done, nothing more is consumed. */
            CHECK_INT(h1_chunked_decode(&c, g + used, avail - start, &used, &data, NULL), 0);
            CHECK_INT(used, 0);
            return 0;
        }
    }
}

static const struct {
    const char *in;
    size_t len;
    const char *body, *trailers;
    size_t tail; /* bytes after the chunked body */
} chunked_good[] = {
    {S("5\r\nhello\r\n0\r\n\r\n"), "hello", "\r\n", 0},
    {S("5;ext=1\r\nhello\r\n6 ; a=\"b\"\t\r\n world\r\n0\r\nX-T: 1\r\nY: 2\r\n\r\nTAIL"),
     "hello world", "X-T: 1\r\nY: 2\r\n\r\n", 4},
    {S("3\nabc\n0\n\n"), "abc", "\n", 0},
    {S("000A\r\n0123456789\r\n1\r\n\0\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n"), "0123456789\0", "\r\n",
     17},
    {S("0\r\n\r\n"), "", "\r\n", 0},
    {S("0;last\r\nA: \xc3\xa9\r\n\r\n"), "", "A: \xc3\xa9\r\n\r\n", 0},
    {S("1a\r\nabcdefghijklmnopqrstuvwxyz\r\n2\r\n\r\n\r\n0\r\n\r\n"),
     "abcdefghijklmnopqrstuvwxyz\r\n", "\r\n", 0},
};

static void check_chunked_good(size_t i, size_t first, size_t step)
{
    struct decoded d;
    const uint8_t *in = (const uint8_t *)chunked_good[i].in;
    size_t len = chunked_good[i].len;
    size_t blen = strlen(chunked_good[i].body) + (i == 3); /* case 3 holds a NUL */

    CHECK_INT(decode(in, len, first, step, &d), 0);
    CHECK_MEM(d.body, d.body_len, chunked_good[i].body, blen);
    CHECK_MEM(d.trailers, d.trailers_len, chunked_good[i].trailers,
              strlen(chunked_good[i].trailers));
    CHECK_INT(d.end, len - chunked_good[i].tail);
}

TEST(test_h1_chunked_every_split)
{
    size_t i, k;
    for (i = 0; i < sizeof(chunked_good) / sizeof(chunked_good[0]) && !tap_failed(); i++) {
        for (k = 0; k <= chunked_good[i].len; k++)
            check_chunked_good(i, k, chunked_good[i].len); /* two parts split at k */
        check_chunked_good(i, 0, 1);                       /* byte by byte */
        check_chunked_good(i, 0, 3);
        if (tap_failed())
            printf("#   chunked case %zu\n", i);
    }
}

static const struct {
    const char *in;
    size_t len;
    int code;
    const char *why;
} chunked_bad[] = {
    {S("g\r\n"), H2E_H1_INVALID, "missing chunk size (RFC 9112 §7.1)"},
    {S("\r\n"), H2E_H1_INVALID, "missing chunk size (RFC 9112 §7.1)"},
    {S(";x\r\n"), H2E_H1_INVALID, "missing chunk size (RFC 9112 §7.1)"},
    {S(" 5\r\n"), H2E_H1_INVALID, "missing chunk size (RFC 9112 §7.1)"},
    {S("5x\r\nhello\r\n"), H2E_H1_INVALID, "invalid character after chunk size (RFC 9112 §7.1)"},
    {S("5 x\r\nhello\r\n"), H2E_H1_INVALID, "invalid character after chunk size (RFC 9112 §7.1)"},
    {S("5;a\x01\r\nhello\r\n"), H2E_H1_INVALID,
     "invalid character in chunk extension (RFC 9112 §7.1.1)"},
    {S("5\r\r\nhello\r\n"), H2E_H1_INVALID, "bare CR in a line (RFC 9112 §2.2)"},
    {S("10000000000000000\r\n"), H2E_H1_INVALID, "chunk size overflows (RFC 9112 §7.1)"},
    {S("5\r\nhelloX\r\n0\r\n\r\n"), H2E_H1_INVALID,
     "missing CRLF after chunk data (RFC 9112 §7.1)"},
    {S("5\r\nhello\rX0\r\n\r\n"), H2E_H1_INVALID, "missing CRLF after chunk data (RFC 9112 §7.1)"},
    {S("0\r\nBad Header\r\n\r\n"), H2E_H1_INVALID, "field line without a colon (RFC 9112 §5)"},
    {S("0\r\n x: y\r\n\r\n"), H2E_H1_INVALID,
     "whitespace before the first field line (RFC 9112 §2.2)"},
    {S("0\r\nx: y\r\n z\r\n\r\n"), H2E_H1_INVALID,
     "obs-fold line folding is refused (RFC 9112 §5.2)"},
    {S("1\r\na\r\n0\r\nx : y\r\n\r\n"), H2E_H1_INVALID,
     "whitespace before the colon (RFC 9112 §5.1)"},
};

TEST(test_h1_chunked_errors)
{
    size_t i, k;
    for (i = 0; i < sizeof(chunked_bad) / sizeof(chunked_bad[0]); i++) {
        const uint8_t *in = (const uint8_t *)chunked_bad[i].in;
        for (k = 0; k <= chunked_bad[i].len; k++) {
            struct decoded d;
            CHECK_INT(decode(in, chunked_bad[i].len, k, chunked_bad[i].len, &d),
                      chunked_bad[i].code);
            CHECK_INT(d.info.code, chunked_bad[i].code);
            CHECK_STR(d.info.why, chunked_bad[i].why);
        }
        if (tap_failed()) {
            printf("#   chunked error case %zu\n", i);
            return;
        }
    }
}

TEST(test_h1_chunked_limits)
{
    size_t n = H1_CHUNK_LINE_MAX + 16, i;
    uint8_t *p = malloc(LIMIT_HEADER_LIST_SIZE + 16);
    struct h1_chunked c = {0};
    struct span data;
    struct h2e_info info = H2E_INFO_INIT;
    size_t used;

    /* A size line may use H1_CHUNK_LINE_MAX bytes, LF included, and not one more. */
    memset(p, ';', n);
    p[0] = '1';
    p[H1_CHUNK_LINE_MAX - 2] = '\r';
    p[H1_CHUNK_LINE_MAX - 1] = '\n';
    CHECK_INT(h1_chunked_decode(&c, p, n, &used, &data, &info), 0);
    CHECK_INT(used, H1_CHUNK_LINE_MAX + 1); /* the line and one data byte */
    CHECK_INT(data.len, 1);
    h1_chunked_init(&c);
    p[H1_CHUNK_LINE_MAX - 1] = ';';
    p[H1_CHUNK_LINE_MAX] = '\n';
    CHECK_INT(h1_chunked_decode(&c, p, H1_CHUNK_LINE_MAX - 1, &used, &data, &info), H2E_INCOMPLETE);
    CHECK_INT(h1_chunked_decode(&c, p, H1_CHUNK_LINE_MAX, &used, &data, &info), H2E_H1_INVALID);
    CHECK_STR(info.why, "chunk-size line too long");

    /* The largest chunk size is accepted and counted down. */
    h1_chunked_init(&c);
    CHECK_INT(
        h1_chunked_decode(&c, (const uint8_t *)"FFFFFFFFFFFFFFFF\r\n", 18, &used, &data, &info), 0);
    CHECK_INT(used, 18);
    CHECK_INT(data.len, 0);
    CHECK(c.left == UINT64_MAX);
    CHECK_INT(h1_chunked_decode(&c, (const uint8_t *)"ab", 2, &used, &data, &info), 0);
    CHECK(c.left == UINT64_MAX - 2);

    /* The trailer section is bounded by the header list limit. */
    h1_chunked_init(&c);
    memcpy(p, "0\r\nX: ", 6);
    for (i = 6; i < LIMIT_HEADER_LIST_SIZE + 16; i++)
        p[i] = 'v';
    CHECK_INT(h1_chunked_decode(&c, p, 3, &used, &data, &info), 0);
    CHECK_INT(h1_chunked_decode(&c, p + 3, LIMIT_HEADER_LIST_SIZE - 1, &used, &data, &info),
              H2E_INCOMPLETE);
    CHECK_INT(h1_chunked_decode(&c, p + 3, LIMIT_HEADER_LIST_SIZE, &used, &data, &info),
              H2E_LIMIT_HEADER_LIST);
    CHECK_STR(info.why, "response head larger than the header list limit");
    free(p);
}

/* --- writers ------------------------------------------------------------------------ */

TEST(test_h1_write_request)
{
    struct h1_header hs[] = {
        {{(const uint8_t *)"Accept", 6}, {(const uint8_t *)"*/*", 3}},
        {{(const uint8_t *)"X-Order", 7}, {(const uint8_t *)"", 0}},
    };
    struct h1_request req = {span_str("GET"),
                             span_str("/x?y"),
                             span_str("example.com:8080"),
                             hs,
                             2,
                             H1_REQ_BODY_NONE,
                             0};
    static const char want1[] = "GET /x?y HTTP/1.1\r\nHost: example.com:8080\r\n"
                                "Accept: */*\r\nX-Order: \r\n\r\n";
    static const char want2[] = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 18446744073709551615"
                                "\r\n\r\n";
    static const char want3[] =
        "PUT / HTTP/1.1\r\nhost: other\r\nTransfer-Encoding: chunked\r\n\r\n";
    struct buf b;
    struct h2e_info info = H2E_INFO_INIT;

    buf_init(&b, &tap_mem, 4096);
    CHECK_INT(h1_write_request(&b, &req, &info), 0);
    CHECK_MEM(b.p, b.len, want1, strlen(want1));
    buf_reset(&b);
    req = (struct h1_request){span_str("POST"),   span_str("/"), span_str("h"), NULL, 0,
                              H1_REQ_BODY_LENGTH, UINT64_MAX};
    CHECK_INT(h1_write_request(&b, &req, &info), 0);
    CHECK_MEM(b.p, b.len, want2, strlen(want2));
    buf_reset(&b);
    hs[0] = (struct h1_header){span_str("host"), span_str("other")};
    req = (struct h1_request){
        span_str("PUT"), span_str("/"), span_str("h"), hs, 1, H1_REQ_BODY_CHUNKED, 0};
    CHECK_INT(h1_write_request(&b, &req, &info), 0);
    CHECK_MEM(b.p, b.len, want3, strlen(want3));
    buf_release(&b);
    CHECK_INT(tap_mem_live(), 0);
}

TEST(test_h1_write_request_round_trip)
{
    struct h1_header hs[] = {
        {{(const uint8_t *)"A", 1}, {(const uint8_t *)"1 2", 3}},
        {{(const uint8_t *)"b-c", 3}, {(const uint8_t *)"\xc3\xa9", 2}},
    };
    struct h1_request req = {
        span_str("OPTIONS"), span_str("*"), span_str("[::1]"), hs, 2, H1_REQ_BODY_LENGTH, 0};
    struct h1_header got[4];
    size_t nh = 4, line;
    struct buf b;

    buf_init(&b, &tap_mem, 4096);
    CHECK_INT(h1_write_request(&b, &req, NULL), 0);
    line = (size_t)((const uint8_t *)memchr(b.p, '\n', b.len) - b.p) + 1;
    CHECK_MEM(b.p, line, "OPTIONS * HTTP/1.1\r\n", 20);
    CHECK_INT(h1_parse_headers(b.p + line, b.len - line, got, &nh, NULL), b.len - line);
    CHECK_INT(nh, 4);
    SPAN_IS(got[0].name, "Host");
    SPAN_IS(got[0].value, "[::1]");
    SPAN_IS(got[1].value, "1 2");
    SPAN_IS(got[2].name, "b-c");
    SPAN_IS(got[2].value, "\xc3\xa9");
    SPAN_IS(got[3].name, "Content-Length");
    SPAN_IS(got[3].value, "0");
    buf_release(&b);
}

static const struct {
    const char *method, *target, *host, *name;
    size_t vlen;
    const char *value, *why;
} bad_requests[] = {
    {"G T", "/", "h", "a", 1, "b", "method is not a token (RFC 9110 §9.1)"},
    {"", "/", "h", "a", 1, "b", "method is not a token (RFC 9110 §9.1)"},
    {"GET", "", "h", "a", 1, "b", "empty request target (RFC 9112 §3.2)"},
    {"GET", "/a b", "h", "a", 1, "b",
     "whitespace or control character in request target (RFC 9112 §3.2)"},
    {"GET", "/a\x7f", "h", "a", 1, "b",
     "whitespace or control character in request target (RFC 9112 §3.2)"},
    {"GET", "/", "h\r\nX: y", "a", 1, "b", "CR, LF or NUL in header value (RFC 9110 §5.5)"},
    {"GET", "/", "h", "", 1, "b", "empty header name (RFC 9110 §5.1)"},
    {"GET", "/", "h", "a b", 1, "b", "invalid character in header name (RFC 9110 §5.1)"},
    {"GET", "/", "h", "a:", 1, "b", "invalid character in header name (RFC 9110 §5.1)"},
    {"GET", "/", "h", "a", 4, "b\r\nc", "CR, LF or NUL in header value (RFC 9110 §5.5)"},
    {"GET", "/", "h", "a", 3, "b\nc", "CR, LF or NUL in header value (RFC 9110 §5.5)"},
    {"GET", "/", "h", "a", 3, "b\0c", "CR, LF or NUL in header value (RFC 9110 §5.5)"},
};

TEST(test_h1_write_request_errors)
{
    struct buf b;
    size_t i;

    buf_init(&b, &tap_mem, 4096);
    CHECK_INT(buf_append(&b, "keep", 4), 0);
    for (i = 0; i < sizeof(bad_requests) / sizeof(bad_requests[0]); i++) {
        struct h1_header h = {span_str(bad_requests[i].name),
                              span_of(bad_requests[i].value, bad_requests[i].vlen)};
        struct h1_request req = {span_str(bad_requests[i].method),
                                 span_str(bad_requests[i].target),
                                 span_str(bad_requests[i].host),
                                 &h,
                                 1,
                                 H1_REQ_BODY_NONE,
                                 0};
        struct h2e_info info = H2E_INFO_INIT;
        CHECK_INT(h1_write_request(&b, &req, &info), H2E_USAGE);
        CHECK_INT(info.code, H2E_USAGE);
        CHECK_STR(info.why, bad_requests[i].why);
        CHECK_INT(b.len, 4);
        if (tap_failed()) {
            printf("#   bad request %zu\n", i);
            break;
        }
    }
    buf_release(&b);
}

TEST(test_h1_write_request_buffer_failures)
{
    struct h1_request req = {
        span_str("GET"), span_str("/"), span_str("h"), NULL, 0, H1_REQ_BODY_LENGTH, 7};
    struct h2e_info info = H2E_INFO_INIT;
    struct buf b;
    size_t max;
    /* "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 7\r\n\r\n" is 46 bytes. */
    for (max = 0; max < 46; max++) {
        buf_init(&b, &tap_mem, max);
        CHECK_INT(h1_write_request(&b, &req, &info), H2E_LIMIT_BUFFER);
        CHECK_STR(info.why, "output buffer full");
        CHECK_INT(b.len, 0);
        buf_release(&b);
    }
    buf_init(&b, &tap_mem, 46);
    CHECK_INT(h1_write_request(&b, &req, &info), 0);
    buf_release(&b);
    buf_init(&b, &tap_mem, 4096);
    tap_mem_fail_after = 0;
    CHECK_INT(h1_write_request(&b, &req, &info), H2E_NOMEM);
    CHECK_INT(b.len, 0);
    tap_mem_fail_after = -1;
    buf_release(&b);
    CHECK_INT(tap_mem_live(), 0);
}

TEST(test_h1_write_chunks_round_trip)
{
    static const char want[] = "5\r\nhello\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n"
                               "X-Sum: 1\r\n\r\n";
    struct h1_header t = {span_str("X-Sum"), span_str("1")};
    struct h1_header bad = {span_str("X-Sum"), span_str("1\r\n")};
    struct h2e_info info = H2E_INFO_INIT;
    struct decoded d;
    struct buf b;

    buf_init(&b, &tap_mem, 4096);
    CHECK_INT(h1_write_chunk(&b, (const uint8_t *)"hello", 5), 0);
    CHECK_INT(h1_write_chunk(&b, (const uint8_t *)"x", 0), 0);
    CHECK_INT(h1_write_chunk(&b, (const uint8_t *)"abcdefghijklmnopqrstuvwxyz", 26), 0);
    CHECK_INT(h1_write_last_chunk(&b, &bad, 1, &info), H2E_USAGE);
    CHECK_STR(info.why, "CR, LF or NUL in header value (RFC 9110 §5.5)");
    CHECK_INT(h1_write_last_chunk(&b, &t, 1, &info), 0);
    CHECK_MEM(b.p, b.len, want, strlen(want));
    CHECK_INT(decode(b.p, b.len, b.len, 1, &d), 0);
    CHECK_MEM(d.body, d.body_len, "helloabcdefghijklmnopqrstuvwxyz", 31);
    CHECK_MEM(d.trailers, d.trailers_len, "X-Sum: 1\r\n\r\n", 12);
    buf_release(&b);

    buf_init(&b, &tap_mem, 9);
    CHECK_INT(h1_write_chunk(&b, (const uint8_t *)"hello", 5), H2E_LIMIT_BUFFER);
    CHECK_INT(b.len, 0);
    CHECK_INT(h1_write_last_chunk(&b, &t, 1, &info), H2E_LIMIT_BUFFER);
    CHECK_STR(info.why, "output buffer full");
    CHECK_INT(b.len, 0);
    buf_release(&b);
    CHECK_INT(tap_mem_live(), 0);
}

TEST(test_h1_token)
{
    unsigned c;
    int n = 0;
    for (c = 0; c < 256; c++)
        n += h1_is_tchar((uint8_t)c);
    CHECK_INT(n, 26 * 2 + 10 + 15); /* RFC 9110 §5.6.2 */
    CHECK(!h1_is_token(span_str("")));
    CHECK(h1_is_token(span_str("X-Custom_1")));
    CHECK(!h1_is_token(span_str("a,b")));
}

TEST(test_h1_empty_input)
{
    struct h1_response r;
    struct h1_header h[2];
    struct h1_chunked c = {0};
    struct span data;
    size_t nh = 2, used = 5;

    CHECK_INT(h1_parse_response(NULL, 0, &r, h, &nh, NULL), H2E_INCOMPLETE);
    CHECK_INT(h1_parse_headers(NULL, 0, h, &nh, NULL), H2E_INCOMPLETE);
    CHECK_INT(h1_chunked_decode(&c, NULL, 0, &used, &data, NULL), H2E_INCOMPLETE);
    CHECK_INT(used, 0);
    CHECK_INT(data.len, 0);
}

TEST(test_h1_chunked_bad_state)
{
    struct h1_chunked c = {0};
    struct h2e_info info = H2E_INFO_INIT;
    struct span data;
    size_t used;

    c.state = 99; /* only a caller scribbling on the struct gets here */
    CHECK_INT(h1_chunked_decode(&c, (const uint8_t *)"0\r\n\r\n", 5, &used, &data, &info),
              H2E_H1_INVALID);
    CHECK_STR(info.why, "chunked decoder in a bad state");
}
