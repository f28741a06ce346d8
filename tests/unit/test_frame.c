/* SPDX-License-Identifier: MIT */
/*
 * The frame codec (src/frame.c): every type round-trips through encode and decode with
 * exact bytes (expected bytes were produced independently with python3-hyperframe), every
 * error code the decoder returns is reached with its scope and detail, every input is fed
 * at every split point and against an unmapped page, and the encoder's limits hold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/frame.h"
#include "base/h2.h"
#include "base/limits.h"
#include "tap.h"

#define S(str)                                                                                     \
    {                                                                                              \
        (const uint8_t *)(str), sizeof(str) - 1                                                    \
    }

struct rt_case {
    const char *name;
    struct h2f_frame f;
    const struct h2f_setting *settings;
    size_t nsettings;
    const char *hex; /* the exact wire bytes */
};

static const struct h2f_setting two_settings[] = {{1, 8192}, {3, 5000}};
static const struct h2f_setting all_settings[] = {
    {1, 0}, {2, 1}, {3, 0xffffffffu}, {4, 0x7fffffffu}, {5, 0xffffffu}, {6, 0}, {0x99, 7},
};

#define HDR(t, fl, sid) .hdr = {0, H2F_TYPE_##t, (fl), (sid)}

static const struct rt_case rt_cases[] = {
    {"data",
     {HDR(DATA, H2F_FLAG_END_STREAM, 1), .u.data.data = S("hello")},
     NULL,
     0,
     "00000500010000000168656c6c6f"},
    {"data padded",
     {HDR(DATA, H2F_FLAG_PADDED, 2), .padding = S("Howdy!"), .u.data.data = S("Hello, world!")},
     NULL,
     0,
     "0000140008000000020648656C6C6F2C20776F726C6421486F77647921"},
    {"data zero padding",
     {HDR(DATA, H2F_FLAG_PADDED, 5), .padding = {NULL, 3}, .u.data.data = S("abc")},
     NULL,
     0,
     "00000700080000000503616263000000"},
    {"data pad length 0", {HDR(DATA, H2F_FLAG_PADDED, 7)}, NULL, 0, "00000100080000000700"},
    {"data empty", {HDR(DATA, 0, 1)}, NULL, 0, "000000000000000001"},
    {"data unknown flags",
     {HDR(DATA, 0xf7, 1), .u.data.data = S("x")},
     NULL,
     0,
     "000001 00f7 00000001 78"},
    {"headers",
     {HDR(HEADERS, H2F_FLAG_END_HEADERS, 1), .u.headers.block = S("this is dummy")},
     NULL,
     0,
     "00000d010400000001746869732069732064756d6d79"},
    {"headers padded",
     {HDR(HEADERS, H2F_FLAG_END_HEADERS | H2F_FLAG_PADDED, 1), .padding = {NULL, 2},
      .u.headers.block = S("abc")},
     NULL,
     0,
     "000006010c00000001026162630000"},
    {"headers priority",
     {HDR(HEADERS, H2F_FLAG_END_STREAM | H2F_FLAG_END_HEADERS | H2F_FLAG_PRIORITY, 3),
      .u.headers = {true, {true, 3, 15}, S("abc")}},
     NULL,
     0,
     "000008012500000003800000030f616263"},
    {"headers padded priority",
     {HDR(HEADERS, H2F_FLAG_PADDED | H2F_FLAG_PRIORITY, 5), .padding = {NULL, 4},
      .u.headers = {true, {false, 0x7fffffff, 255}, {NULL, 0}}},
     NULL,
     0,
     "00000a012800000005047fffffffff00000000"},
    {"priority",
     {HDR(PRIORITY, 0, 9), .u.priority = {false, 11, 7}},
     NULL,
     0,
     "0000050200000000090000000b07"},
    {"priority exclusive",
     {HDR(PRIORITY, 0, 3), .u.priority = {true, 1, 0}},
     NULL,
     0,
     "0000050200000000038000000100"},
    {"rst_stream",
     {HDR(RST_STREAM, 0, 5), .u.rst_stream.error_code = 8},
     NULL,
     0,
     "00000403000000000500000008"},
    {"settings",
     {HDR(SETTINGS, 0, 0)},
     two_settings,
     2,
     "00000c040000000000000100002000000300001388"},
    {"settings boundaries and unknown id",
     {HDR(SETTINGS, 0, 0)},
     all_settings,
     7,
     "00002a0400000000000001000000000002000000010003ffffffff00047fffffff000500ffffff0006000000"
     "00009900000007"},
    {"settings ack", {HDR(SETTINGS, H2F_FLAG_ACK, 0)}, NULL, 0, "000000040100000000"},
    {"settings empty", {HDR(SETTINGS, 0, 0)}, NULL, 0, "000000040000000000"},
    {"push_promise",
     {HDR(PUSH_PROMISE, H2F_FLAG_END_HEADERS, 1), .u.push_promise = {2, S("abc")}},
     NULL,
     0,
     "00000705040000000100000002616263"},
    {"push_promise padded",
     {HDR(PUSH_PROMISE, H2F_FLAG_END_HEADERS | H2F_FLAG_PADDED, 10), .padding = S("Howdy!"),
      .u.push_promise = {12, S("this is dummy")}},
     NULL,
     0,
     "000018050C0000000A060000000C746869732069732064756D6D79486F77647921"},
    {"ping ack",
     {HDR(PING, H2F_FLAG_ACK, 0), .u.ping.opaque = "deadbeef"},
     NULL,
     0,
     "0000080601000000006465616462656566"},
    {"ping with PADDED ignored",
     {HDR(PING, H2F_FLAG_PADDED, 0), .u.ping.opaque = "01234567"},
     NULL,
     0,
     "000008 0608 00000000 3031323334353637"},
    {"goaway",
     {HDR(GOAWAY, 0, 0), .u.goaway = {30, 9, S("hpack is broken")}},
     NULL,
     0,
     "0000170700000000000000001e00000009687061636b2069732062726f6b656e"},
    {"goaway empty debug",
     {HDR(GOAWAY, 0, 0), .u.goaway = {0x7fffffff, 0, {NULL, 0}}},
     NULL,
     0,
     "0000080700000000007fffffff00000000"},
    {"window_update connection",
     {HDR(WINDOW_UPDATE, 0, 0), .u.window_update = {0x7fffffff}},
     NULL,
     0,
     "0000040800000000007fffffff"},
    {"window_update stream",
     {HDR(WINDOW_UPDATE, 0, 50), .u.window_update = {1000}},
     NULL,
     0,
     "000004080000000032000003e8"},
    {"continuation empty", {HDR(CONTINUATION, 0, 50)}, NULL, 0, "000000090000000032"},
    {"continuation",
     {HDR(CONTINUATION, H2F_FLAG_END_HEADERS, 1), .u.continuation = {S("abc")}},
     NULL,
     0,
     "000003090400000001616263"},
    {"continuation PADDED ignored",
     {HDR(CONTINUATION, H2F_FLAG_PADDED, 1), .u.continuation = {S("\x01z")}},
     NULL,
     0,
     "000002 0908 00000001 017a"},
    {"unknown type",
     {.hdr = {0, 0x16, 0xff, 0}, .payload = S("xyz")},
     NULL,
     0,
     "000003 16ff 00000000 78797a"},
    {"unknown type empty", {.hdr = {0, 0xff, 0, 0x7fffffff}}, NULL, 0, "000000ff007fffffff"},
};

#define NRT (sizeof(rt_cases) / sizeof(rt_cases[0]))

static bool type_padded(const struct h2f_frame *f)
{
    return (f->hdr.flags & H2F_FLAG_PADDED) &&
           (f->hdr.type == H2F_TYPE_DATA || f->hdr.type == H2F_TYPE_HEADERS ||
            f->hdr.type == H2F_TYPE_PUSH_PROMISE);
}

static bool span_same(struct span a, struct span b)
{
    return a.len == b.len && (a.len == 0 || !a.p || !b.p || memcmp(a.p, b.p, a.len) == 0);
}

/* Zero padding: a NULL `want.p` means octets of zero. */
static bool padding_same(struct span want, struct span got)
{
    size_t i;
    if (want.p || want.len != got.len)
        return span_same(want, got);
    for (i = 0; i < got.len; i++)
        if (got.p[i] != 0)
            return false;
    return true;
}

static bool prio_same(const struct h2f_priority *a, const struct h2f_priority *b)
{
    return a->exclusive == b->exclusive && a->dependency == b->dependency && a->weight == b->weight;
}

/* Compare the fields a caller sets (`want`) with a decoded frame (`got`), by type. */
static bool fields_same(const struct h2f_frame *want, const struct h2f_frame *got)
{
    const struct h2f_frame *w = want, *g = got;

    if (w->hdr.type != g->hdr.type || w->hdr.flags != g->hdr.flags ||
        w->hdr.stream_id != g->hdr.stream_id || type_padded(w) != g->padded)
        return false;
    if (g->padded && !padding_same(w->padding, g->padding))
        return false;
    switch (w->hdr.type) {
    case H2F_TYPE_DATA:
        return span_same(w->u.data.data, g->u.data.data);
    case H2F_TYPE_HEADERS:
        return w->u.headers.has_priority == g->u.headers.has_priority &&
               (!g->u.headers.has_priority || prio_same(&w->u.headers.prio, &g->u.headers.prio)) &&
               span_same(w->u.headers.block, g->u.headers.block);
    case H2F_TYPE_PRIORITY:
        return prio_same(&w->u.priority, &g->u.priority);
    case H2F_TYPE_RST_STREAM:
        return w->u.rst_stream.error_code == g->u.rst_stream.error_code;
    case H2F_TYPE_SETTINGS:
        return true; /* entries are compared through h2f_setting_at */
    case H2F_TYPE_PUSH_PROMISE:
        return w->u.push_promise.promised_id == g->u.push_promise.promised_id &&
               span_same(w->u.push_promise.block, g->u.push_promise.block);
    case H2F_TYPE_PING:
        return memcmp(w->u.ping.opaque, g->u.ping.opaque, 8) == 0;
    case H2F_TYPE_GOAWAY:
        return w->u.goaway.last_stream_id == g->u.goaway.last_stream_id &&
               w->u.goaway.error_code == g->u.goaway.error_code &&
               span_same(w->u.goaway.debug, g->u.goaway.debug);
    case H2F_TYPE_WINDOW_UPDATE:
        return w->u.window_update.increment == g->u.window_update.increment;
    case H2F_TYPE_CONTINUATION:
        return span_same(w->u.continuation.block, g->u.continuation.block);
    default:
        return span_same(w->payload, g->payload);
    }
}

static void check_settings(const struct rt_case *c, const struct h2f_frame *g)
{
    size_t i;
    if (g->hdr.type != H2F_TYPE_SETTINGS)
        return;
    CHECK_INT(g->u.settings.count, c->nsettings);
    for (i = 0; i < c->nsettings && i < g->u.settings.count; i++) {
        struct h2f_setting s = h2f_setting_at(g, i);
        CHECK_INT(s.id, c->settings[i].id);
        CHECK_INT(s.value, c->settings[i].value);
    }
}

/* Re-encode a decoded frame, SETTINGS entries taken back out of it. */
static int reencode(const struct h2f_frame *g, uint8_t *out, size_t cap)
{
    struct h2f_setting s[LIMIT_SETTINGS_ENTRIES];
    size_t i, n = g->hdr.type == H2F_TYPE_SETTINGS ? g->u.settings.count : 0;

    for (i = 0; i < n; i++)
        s[i] = h2f_setting_at(g, i);
    return h2f_encode(g, s, n, out, cap);
}

static void roundtrip(const struct rt_case *c)
{
    uint8_t a[512], b[512], *want;
    size_t wantlen = 0;
    struct h2f_frame g;
    struct h2e_info info = H2E_INFO_INIT;
    int n = h2f_encode(&c->f, c->settings, c->nsettings, a, sizeof(a)), rc, m;

    want = tap_unhex(c->hex, &wantlen);
    CHECK(want != NULL);
    CHECK_INT(n, wantlen);
    if (n < 0 || !want || (size_t)n != wantlen) {
        printf("#   case '%s'\n", c->name);
        free(want);
        return;
    }
    CHECK_MEM(a, (size_t)n, want, wantlen);
    rc = h2f_decode(tap_guard(a, (size_t)n), (size_t)n, LIMIT_MAX_FRAME_SIZE, &g, &info);
    CHECK_INT(rc, n);
    CHECK_INT(g.hdr.length, n - H2_FRAME_HEADER_LEN);
    CHECK_INT(g.payload.len, n - H2_FRAME_HEADER_LEN);
    CHECK(fields_same(&c->f, &g));
    check_settings(c, &g);
    m = reencode(&g, b, sizeof(b));
    CHECK_MEM(b, (size_t)(m > 0 ? m : 0), want, wantlen);
    if (tap_failed())
        printf("#   case '%s'\n", c->name);
    free(want);
}

TEST(test_frame_roundtrip_every_type)
{
    size_t i;
    bool seen[H2F_TYPE_COUNT] = {false};

    for (i = 0; i < NRT; i++) {
        roundtrip(&rt_cases[i]);
        if (rt_cases[i].f.hdr.type < H2F_TYPE_COUNT)
            seen[rt_cases[i].f.hdr.type] = true;
    }
    for (i = 0; i < H2F_TYPE_COUNT; i++)
        CHECK(seen[i]);
}

/* Every valid input, whole and at every split point, each prefix against an unmapped page. */
TEST(test_frame_split_every_offset)
{
    size_t i, k, n;

    for (i = 0; i < NRT; i++) {
        uint8_t *w = tap_unhex(rt_cases[i].hex, &n);
        struct h2f_frame g;
        if (!w) {
            CHECK(w != NULL);
            continue;
        }
        for (k = 0; k <= n; k++) {
            struct h2e_info info = H2E_INFO_INIT;
            int rc = h2f_decode(tap_guard(w, k), k, LIMIT_MAX_FRAME_SIZE, &g, &info);
            CHECK_INT(rc, k < n ? H2E_INCOMPLETE : (int)n);
            if (k < n) {
                CHECK_INT(info.code, H2E_INCOMPLETE);
                CHECK(info.why != NULL);
            }
        }
        free(w);
    }
}

/* Two frames back to back: the decoder takes exactly the first one. */
TEST(test_frame_decode_stops_at_frame_end)
{
    size_t n;
    uint8_t *w = tap_unhex("000004 0800 00000000 00000001"
                           "000008 0601 00000000 0102030405060708",
                           &n);
    struct h2f_frame f;
    struct h2e_info info = H2E_INFO_INIT;

    CHECK_INT(h2f_decode(w, n, LIMIT_MAX_FRAME_SIZE, &f, &info), 13);
    CHECK_INT(f.u.window_update.increment, 1);
    CHECK_INT(h2f_decode(w + 13, n - 13, LIMIT_MAX_FRAME_SIZE, &f, &info), 17);
    CHECK_INT(f.hdr.type, H2F_TYPE_PING);
    CHECK_INT(f.hdr.flags, H2F_FLAG_ACK);
    CHECK_MEM(f.u.ping.opaque, 8, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    free(w);
}

struct err_case {
    const char *name;
    const char *hex;
    uint32_t max;
    int code;
    enum h2e_scope scope;
    int type;
    uint32_t sid;
    bool from_header; /* decided from the 9-octet header alone */
};

#define CONN H2E_SCOPE_CONN
#define STRM H2E_SCOPE_STREAM

static const struct err_case err_cases[] = {
    /* §4.2 frame size, decided before the payload arrives */
    {"data over max", "0080000008000000020648656C6C6F2C20776F726C6421686F77647921", 16384,
     H2E_FRAME_SIZE, CONN, 0, 2, true},
    {"length max+1", "004001 0000 00000001", 16384, H2E_FRAME_SIZE, CONN, 0, 1, true},
    {"over larger max", "010000 0100 00000003", 65535, H2E_FRAME_SIZE, CONN, 1, 3, true},
    {"unknown type over max", "004001 2000 00000000", 16384, H2E_FRAME_SIZE, CONN, 0x20, 0, true},
    /* stream-id rules, §6.1-§6.10 */
    {"data on 0", "000001 0000 00000000 aa", 16384, H2E_PROTOCOL, CONN, 0, 0},
    {"data on 0 reserved bit", "000001 0000 80000000 aa", 16384, H2E_PROTOCOL, CONN, 0, 0},
    {"headers on 0", "000001 0104 00000000 aa", 16384, H2E_PROTOCOL, CONN, 1, 0},
    {"priority on 0", "000005 0200 00000000 0000000100", 16384, H2E_PROTOCOL, CONN, 2, 0},
    {"rst_stream on 0", "000004 0300 00000000 00000008", 16384, H2E_PROTOCOL, CONN, 3, 0},
    {"push_promise on 0", "000004 0500 00000000 00000002", 16384, H2E_PROTOCOL, CONN, 5, 0},
    {"continuation on 0", "000000 0904 00000000", 16384, H2E_PROTOCOL, CONN, 9, 0},
    {"settings on 1", "000006 0400 00000001 000100001000", 16384, H2E_PROTOCOL, CONN, 4, 1},
    {"settings ack on 1", "000000 0401 00000001", 16384, H2E_PROTOCOL, CONN, 4, 1},
    {"ping on 1", "000008 0600 00000001 0000000000000000", 16384, H2E_PROTOCOL, CONN, 6, 1},
    {"goaway on 3", "000008 0700 00000003 0000000000000000", 16384, H2E_PROTOCOL, CONN, 7, 3},
    /* exact lengths */
    {"ping 4", "000004 0600 00000000 aaaaaaaa", 16384, H2E_FRAME_SIZE, CONN, 6, 0},
    {"ping 9", "000009 0601 00000000 000000000000000000", 16384, H2E_FRAME_SIZE, CONN, 6, 0},
    {"rst_stream 3", "000003 0300 00000001 000000", 16384, H2E_FRAME_SIZE, CONN, 3, 1},
    {"rst_stream 5", "000005 0300 00000001 0000000000", 16384, H2E_FRAME_SIZE, CONN, 3, 1},
    {"window_update 2", "000002 0800 00000001 5566", 16384, H2E_FRAME_SIZE, CONN, 8, 1},
    {"window_update 5", "000005 0800 00000000 0000000100", 16384, H2E_FRAME_SIZE, CONN, 8, 0},
    {"priority 4", "000004 0200 00000001 00000000", 16384, H2E_STREAM_FRAME_SIZE, STRM, 2, 1},
    {"priority 8", "000008 0200 00000002 80000001ffaaaaaa", 16384, H2E_STREAM_FRAME_SIZE, STRM, 2,
     2},
    {"settings 5", "000005 0400 00000000 0001000010", 16384, H2E_FRAME_SIZE, CONN, 4, 0},
    {"settings 8", "000008 0400 00000000 aaaabbbbbbbbcccc", 16384, H2E_FRAME_SIZE, CONN, 4, 0},
    {"settings ack 6", "000006 0401 00000000 000100001000", 16384, H2E_FRAME_SIZE, CONN, 4, 0},
    {"goaway 7", "000007 0700 00000000 00000000000000", 16384, H2E_FRAME_SIZE, CONN, 7, 0},
    {"goaway 0", "000000 0700 00000000", 16384, H2E_FRAME_SIZE, CONN, 7, 0},
    {"push_promise 3", "000003 0504 00000001 000002", 16384, H2E_FRAME_SIZE, CONN, 5, 1},
    {"headers priority 4", "000004 0124 00000001 00000000", 16384, H2E_FRAME_SIZE, CONN, 1, 1},
    /* padding too short to hold its own fields */
    {"data padded 0", "000000 0008 00000001", 16384, H2E_FRAME_SIZE, CONN, 0, 1},
    {"headers padded 0", "000000 010c 00000001", 16384, H2E_FRAME_SIZE, CONN, 1, 1},
    {"headers padded priority 5", "000005 0128 00000001 0000000000", 16384, H2E_FRAME_SIZE, CONN, 1,
     1},
    {"push_promise padded 4", "000004 0508 00000001 04aaaaaa", 16384, H2E_FRAME_SIZE, CONN, 5, 1},
    /* padding longer than the payload, §6.1, §6.2, §6.6 */
    {"data pad 4 of 4", "000004 0008 00000001 04aaaaaa", 16384, H2E_PROTOCOL, CONN, 0, 1},
    {"data pad 1 of 1", "000001 0008 00000001 01", 16384, H2E_PROTOCOL, CONN, 0, 1},
    {"data pad 255", "000003 0008 00000001 ff0000", 16384, H2E_PROTOCOL, CONN, 0, 1},
    {"headers pad 4 of 4", "000004 0108 00000001 04aaaaaa", 16384, H2E_PROTOCOL, CONN, 1, 1},
    {"headers pad past priority", "000007 0128 00000001 02 0000000010 00", 16384, H2E_PROTOCOL,
     CONN, 1, 1},
    {"push_promise pad past id", "000006 0508 00000001 02 00000002 00", 16384, H2E_PROTOCOL, CONN,
     5, 1},
    /* §6.9 zero increment */
    {"window_update 0 on connection", "000004 0800 00000000 00000000", 16384, H2E_PROTOCOL, CONN, 8,
     0},
    {"window_update 0 on stream", "000004 0800 00000003 00000000", 16384, H2E_STREAM_PROTOCOL, STRM,
     8, 3},
    {"window_update reserved bit only", "000004 0800 00000003 80000000", 16384, H2E_STREAM_PROTOCOL,
     STRM, 8, 3},
    /* §6.5.2 SETTINGS values */
    {"enable_push 2", "000006 0400 00000000 000200000002", 16384, H2E_PROTOCOL, CONN, 4, 0},
    {"initial_window 2^31", "00000c 0400 00000000 000100001000 000480000000", 16384,
     H2E_FLOW_CONTROL, CONN, 4, 0},
    {"max_frame_size 2^14-1", "000006 0400 00000000 000500003fff", 16384, H2E_PROTOCOL, CONN, 4, 0},
    {"max_frame_size 2^24", "000006 0400 00000000 000501000000", 16384, H2E_PROTOCOL, CONN, 4, 0},
    /* §6.6 promised stream id */
    {"promised id 0", "000004 0504 00000001 00000000", 16384, H2E_PROTOCOL, CONN, 5, 1},
    {"promised id odd", "000004 0500 00000001 00000001", 16384, H2E_PROTOCOL, CONN, 5, 1},
    {"promised id reserved bit only", "000004 0504 00000003 80000000", 16384, H2E_PROTOCOL, CONN, 5,
     3},
};

#define NERR (sizeof(err_cases) / sizeof(err_cases[0]))

static int code_index(int code)
{
    return -1 - code;
}

static void check_error(const struct err_case *c, const uint8_t *w, size_t n)
{
    struct h2f_frame f;
    struct h2e_info info = H2E_INFO_INIT;
    int rc = h2f_decode(tap_guard(w, n), n, c->max, &f, &info);

    CHECK_INT(rc, c->code);
    CHECK_INT(h2e_scope(rc), c->scope);
    CHECK_INT(info.code, c->code);
    CHECK(info.why != NULL);
    CHECK_INT(info.frame_type, c->type);
    CHECK_INT(info.stream_id, c->sid);
    /* the header stays usable so that a stream error can skip the frame */
    CHECK_INT(f.hdr.type, c->type);
    CHECK_INT(f.hdr.stream_id, c->sid);
    if (tap_failed())
        printf("#   case '%s': %s (%s)\n", c->name, h2e_name(rc), info.why ? info.why : "-");
}

TEST(test_frame_decode_errors)
{
    bool seen[H2E_COUNT] = {false};
    static const int want[] = {H2E_FRAME_SIZE,        H2E_PROTOCOL,        H2E_FLOW_CONTROL,
                               H2E_STREAM_FRAME_SIZE, H2E_STREAM_PROTOCOL, H2E_LIMIT_SETTINGS};
    struct h2e_info info = H2E_INFO_INIT;
    struct h2f_setting many[LIMIT_SETTINGS_ENTRIES + 1];
    struct h2f_frame f = {.hdr = {0, H2F_TYPE_SETTINGS, 0, 0}};
    uint8_t buf[512];
    size_t i, n;
    int len;

    for (i = 0; i < NERR; i++) {
        uint8_t *w = tap_unhex(err_cases[i].hex, &n);
        CHECK(w != NULL);
        if (w)
            check_error(&err_cases[i], w, n);
        seen[code_index(err_cases[i].code)] = true;
        free(w);
    }
    /* the cap on SETTINGS entries (limits.h), one past it */
    for (i = 0; i <= LIMIT_SETTINGS_ENTRIES; i++)
        many[i] = (struct h2f_setting){(uint16_t)(0x100 + i), (uint32_t)i};
    len = h2f_encode(&f, many, LIMIT_SETTINGS_ENTRIES, buf, sizeof(buf));
    CHECK_INT(h2f_decode(buf, (size_t)len, 16384, &f, &info), len);
    CHECK_INT(f.u.settings.count, LIMIT_SETTINGS_ENTRIES);
    len = h2f_encode(&f, many, LIMIT_SETTINGS_ENTRIES + 1, buf, sizeof(buf));
    CHECK_INT(h2f_decode(buf, (size_t)len, 16384, &f, &info), H2E_LIMIT_SETTINGS);
    CHECK_INT(h2e_scope(info.code), H2E_SCOPE_CONN);
    CHECK(info.why != NULL);
    CHECK_INT(info.frame_type, H2F_TYPE_SETTINGS);
    CHECK_INT(info.stream_id, 0);
    seen[code_index(H2E_LIMIT_SETTINGS)] = true;
    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        CHECK(seen[code_index(want[i])]);
}

/* Prefixes of the invalid inputs: incomplete until the whole frame is there, except an
 * oversized frame, which fails as soon as its header is complete. */
TEST(test_frame_errors_split_every_offset)
{
    size_t i, k, n;

    for (i = 0; i < NERR; i++) {
        uint8_t *w = tap_unhex(err_cases[i].hex, &n);
        struct h2f_frame f;
        if (!w)
            continue;
        for (k = 0; k < n; k++) {
            struct h2e_info info = H2E_INFO_INIT;
            int rc = h2f_decode(tap_guard(w, k), k, err_cases[i].max, &f, &info);
            bool early = err_cases[i].from_header && k >= H2_FRAME_HEADER_LEN;
            CHECK_INT(rc, early ? err_cases[i].code : H2E_INCOMPLETE);
            CHECK(info.why != NULL);
        }
        free(w);
    }
}

TEST(test_frame_incomplete_info)
{
    static const uint8_t hdr[] = {0, 0, 8, 6, 0, 0, 0, 0, 0, 1, 2};
    struct h2f_frame f;
    struct h2e_info info = H2E_INFO_INIT;

    CHECK_INT(h2f_decode(hdr, 5, 16384, &f, &info), H2E_INCOMPLETE);
    CHECK_INT(info.frame_type, -1);
    CHECK(info.why != NULL);
    CHECK_INT(h2f_decode(hdr, sizeof(hdr), 16384, &f, &info), H2E_INCOMPLETE);
    CHECK_INT(info.frame_type, H2F_TYPE_PING);
    CHECK_INT(f.hdr.length, 8);
    CHECK_INT(h2e_scope(H2E_INCOMPLETE), H2E_SCOPE_LOCAL);
    CHECK(!h2e_is_fatal(H2E_INCOMPLETE));
    /* a NULL info is allowed */
    CHECK_INT(h2f_decode(hdr, 3, 16384, &f, NULL), H2E_INCOMPLETE);
    CHECK_INT(h2f_decode((const uint8_t *)"\0\0\0\0\0\0\0\0\0", 9, 16384, &f, NULL), H2E_PROTOCOL);
}

TEST(test_frame_decode_header)
{
    static const uint8_t w[] = {0xab, 0xcd, 0xef, 0x16, 0x5a, 0xff, 0xff, 0xff, 0xff};
    struct h2f_header h;
    size_t k;

    for (k = 0; k < sizeof(w); k++)
        CHECK_INT(h2f_decode_header(tap_guard(w, k), k, &h), H2E_INCOMPLETE);
    CHECK_INT(h2f_decode_header(tap_guard(w, sizeof(w)), sizeof(w), &h), 0);
    CHECK_INT(h.length, 0xabcdef);
    CHECK_INT(h.type, 0x16);
    CHECK_INT(h.flags, 0x5a);
    CHECK_INT(h.stream_id, 0x7fffffff); /* §4.1: reserved bit masked off */
}

/* Reserved bits in stream ids and increments are masked off (§4.1, §6.6, §6.8, §6.9). */
TEST(test_frame_reserved_bits_masked)
{
    size_t n;
    uint8_t *w = tap_unhex("000004 0504 80000001 80000002"
                           "000008 0700 00000000 80000005 00000000"
                           "000004 0800 80000007 80000009",
                           &n);
    struct h2f_frame f;
    struct h2e_info info = H2E_INFO_INIT;

    CHECK_INT(h2f_decode(w, n, 16384, &f, &info), 13);
    CHECK_INT(f.hdr.stream_id, 1);
    CHECK_INT(f.u.push_promise.promised_id, 2);
    CHECK_INT(h2f_decode(w + 13, n - 13, 16384, &f, &info), 17);
    CHECK_INT(f.u.goaway.last_stream_id, 5);
    CHECK_INT(h2f_decode(w + 30, n - 30, 16384, &f, &info), 13);
    CHECK_INT(f.hdr.stream_id, 7);
    CHECK_INT(f.u.window_update.increment, 9);
    free(w);
}

/* §5.5: unknown types are decoded (header and payload only) whatever their flags/stream. */
TEST(test_frame_unknown_type)
{
    size_t n;
    uint8_t *w = tap_unhex("000003 0aff 00000000 010203", &n);
    struct h2f_frame f;
    struct h2e_info info = H2E_INFO_INIT;

    CHECK_INT(h2f_decode(tap_guard(w, n), n, 16384, &f, &info), 12);
    CHECK_INT(f.hdr.type, 0x0a);
    CHECK_INT(f.hdr.flags, 0xff);
    CHECK(!f.padded);
    CHECK_MEM(f.payload.p, f.payload.len, "\x01\x02\x03", 3);
    CHECK(h2f_type_name(0x0a) == NULL);
    free(w);
}

/* Flags a type does not define mean nothing (§4.1): no padding or priority is read. */
TEST(test_frame_undefined_flags_ignored)
{
    size_t n;
    uint8_t *w = tap_unhex("000000 0020 00000001"               /* DATA with PRIORITY */
                           "000004 03ff 00000001 00000000"      /* RST_STREAM, all flags */
                           "000006 04fe 00000000 000300000064", /* SETTINGS, no ACK bit */
                           &n);
    struct h2f_frame f;
    struct h2e_info info = H2E_INFO_INIT;

    CHECK_INT(h2f_decode(w, n, 16384, &f, &info), 9);
    CHECK_INT(f.u.data.data.len, 0);
    CHECK_INT(h2f_decode(w + 9, n - 9, 16384, &f, &info), 13);
    CHECK(!f.padded);
    CHECK_INT(h2f_decode(w + 22, n - 22, 16384, &f, &info), 15);
    CHECK_INT(f.u.settings.count, 1);
    CHECK_INT(h2f_setting_at(&f, 0).value, 100);
    free(w);
}

TEST(test_frame_setting_at_out_of_range)
{
    struct h2f_frame f;
    struct h2e_info info = H2E_INFO_INIT;
    static const uint8_t w[] = {0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0x10, 0};
    struct h2f_setting s;

    CHECK_INT(h2f_decode(w, sizeof(w), 16384, &f, &info), 15);
    s = h2f_setting_at(&f, 0);
    CHECK_INT(s.id, 1);
    CHECK_INT(s.value, 4096);
    s = h2f_setting_at(&f, 1);
    CHECK_INT(s.id, 0);
    CHECK_INT(s.value, 0);
}

/* The encoder never writes past `cap`: every too-small buffer ends at an unmapped page. */
TEST(test_frame_encode_buffer_limit)
{
    static const uint8_t zeros[64];
    size_t i, cap;

    for (i = 0; i < NRT; i++) {
        const struct rt_case *c = &rt_cases[i];
        uint8_t full[512];
        int n = h2f_encode(&c->f, c->settings, c->nsettings, full, sizeof(full));
        CHECK(n > 0 && (size_t)n <= sizeof(zeros));
        for (cap = 0; n > 0 && cap < (size_t)n && cap <= sizeof(zeros); cap++) {
            /* tap_guard's page is writable up to the guard: a test-only use */
            uint8_t *out = (uint8_t *)tap_guard(zeros, cap);
            CHECK_INT(h2f_encode(&c->f, c->settings, c->nsettings, out, cap), H2E_LIMIT_BUFFER);
        }
        if (n > 0 && (size_t)n <= sizeof(zeros)) {
            uint8_t *out = (uint8_t *)tap_guard(zeros, (size_t)n);
            CHECK_INT(h2f_encode(&c->f, c->settings, c->nsettings, out, (size_t)n), n);
            CHECK_MEM(out, (size_t)n, full, (size_t)n);
        }
    }
}

/* h2f_encoded_len counts exactly what h2f_encode writes, for every frame type and shape. */
TEST(test_frame_encoded_len_matches_encode)
{
    static const uint8_t pad[7];
    size_t i;

    for (i = 0; i < NRT; i++) {
        const struct rt_case *c = &rt_cases[i];
        struct h2f_frame f = c->f;
        uint8_t out[512];
        int n = h2f_encode(&f, c->settings, c->nsettings, out, sizeof(out));
        CHECK_INT(h2f_encoded_len(&f, c->settings, c->nsettings), n);
        f.hdr.flags |= H2F_FLAG_PADDED | H2F_FLAG_PRIORITY;
        f.padding = span_of(pad, sizeof(pad));
        n = h2f_encode(&f, c->settings, c->nsettings, out, sizeof(out));
        CHECK_INT(h2f_encoded_len(&f, c->settings, c->nsettings), n);
    }
}

/* What the wire cannot carry: Pad Length above 255, a payload above 2^24-1 (§4.1, §6.1). */
TEST(test_frame_encode_unrepresentable)
{
    uint8_t out[600];
    struct h2f_frame f = {.hdr = {0, H2F_TYPE_DATA, H2F_FLAG_PADDED, 1}, .padding = {NULL, 255}};
    size_t big = 0x1000000;
    uint8_t *in = calloc(1, big), *p = malloc(big + H2_FRAME_HEADER_LEN);

    CHECK_INT(h2f_encode(&f, NULL, 0, out, sizeof(out)), 9 + 1 + 255);
    f.padding.len = 256;
    CHECK_INT(h2f_encode(&f, NULL, 0, out, sizeof(out)), H2E_USAGE);
    f.hdr.flags = 0; /* padding is ignored without PADDED */
    CHECK_INT(h2f_encode(&f, NULL, 0, out, sizeof(out)), 9);
    CHECK(in != NULL && p != NULL);
    if (in && p) {
        f.hdr.type = 0x20;
        f.payload = span_of(in, big - 1);
        CHECK_INT(h2f_encode(&f, NULL, 0, p, big + H2_FRAME_HEADER_LEN), (int)(big - 1 + 9));
        CHECK_MEM(p, 5, "\xff\xff\xff\x20\x00", 5);
        f.payload = span_of(in, big);
        CHECK_INT(h2f_encode(&f, NULL, 0, p, big + H2_FRAME_HEADER_LEN), H2E_USAGE);
    }
    free(in);
    free(p);
}

/* Reserved bits are never sent (§4.1), whatever the caller's fields hold. */
TEST(test_frame_encode_masks_reserved_bits)
{
    uint8_t out[64];
    struct h2f_frame f = {.hdr = {0, H2F_TYPE_WINDOW_UPDATE, 0, 0x80000001u},
                          .u.window_update = {0xffffffffu}};

    CHECK_INT(h2f_encode(&f, NULL, 0, out, sizeof(out)), 13);
    CHECK_MEM(out, 13, "\x00\x00\x04\x08\x00\x00\x00\x00\x01\x7f\xff\xff\xff", 13);
}

/* The encoder does not validate: invalid frames for tests come out as written. */
TEST(test_frame_encode_builds_invalid_frames)
{
    uint8_t out[64];
    struct h2f_frame f = {.hdr = {0, H2F_TYPE_DATA, 0, 0}, .u.data.data = S("x")};
    struct h2e_info info = H2E_INFO_INIT;
    struct h2f_frame g;
    int n = h2f_encode(&f, NULL, 0, out, sizeof(out));

    CHECK_INT(n, 10);
    CHECK_INT(h2f_decode(out, (size_t)n, 16384, &g, &info), H2E_PROTOCOL);
    f.hdr = (struct h2f_header){0, H2F_TYPE_WINDOW_UPDATE, 0, 1};
    f.u.window_update.increment = 0;
    n = h2f_encode(&f, NULL, 0, out, sizeof(out));
    CHECK_INT(h2f_decode(out, (size_t)n, 16384, &g, &info), H2E_STREAM_PROTOCOL);
}

TEST(test_frame_type_name)
{
    CHECK_STR(h2f_type_name(H2F_TYPE_DATA), "DATA");
    CHECK_STR(h2f_type_name(H2F_TYPE_HEADERS), "HEADERS");
    CHECK_STR(h2f_type_name(H2F_TYPE_PRIORITY), "PRIORITY");
    CHECK_STR(h2f_type_name(H2F_TYPE_RST_STREAM), "RST_STREAM");
    CHECK_STR(h2f_type_name(H2F_TYPE_SETTINGS), "SETTINGS");
    CHECK_STR(h2f_type_name(H2F_TYPE_PUSH_PROMISE), "PUSH_PROMISE");
    CHECK_STR(h2f_type_name(H2F_TYPE_PING), "PING");
    CHECK_STR(h2f_type_name(H2F_TYPE_GOAWAY), "GOAWAY");
    CHECK_STR(h2f_type_name(H2F_TYPE_WINDOW_UPDATE), "WINDOW_UPDATE");
    CHECK_STR(h2f_type_name(H2F_TYPE_CONTINUATION), "CONTINUATION");
    CHECK(h2f_type_name(10) == NULL);
    CHECK(h2f_type_name(0xff) == NULL);
}
