/* SPDX-License-Identifier: MIT */
/*
 * The text and JSON renderers of the debugging views, fed decoded frames: exact lines for
 * each frame type's payload, flags by name, unknown types, escaped GOAWAY debug data, HPACK
 * representations and block summaries, windows lines and hex dumps (man/h2get.1, TRACE
 * FORMATS).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/h2.h"
#include "sys/xalloc.h"
#include "trace/trace_int.h"
#include "tap.h"

static char *out_buf;
static size_t out_len;

static FILE *open_out(void)
{
    free(out_buf);
    out_buf = NULL;
    return open_memstream(&out_buf, &out_len);
}

/* Render the frame encoded from `f` (and `set`) as the text trace at +1.5ms. */
static const char *text(const struct h2f_frame *f, const struct h2f_setting *set, size_t n,
                        bool sent, const struct hpack_list *block, bool hpack, bool json)
{
    static uint8_t wire[4096];
    struct h2f_frame d;
    struct h2e_info info;
    struct trace_frame_view v;
    FILE *o = open_out();
    int len = h2f_encode(f, set, n, wire, sizeof(wire));

    CHECK(len > 0);
    CHECK(h2f_decode(wire, (size_t)len, H2_MAX_MAX_FRAME_SIZE, &d, &info) == len);
    memset(&v, 0, sizeof(v));
    v.ms = 1.5;
    v.sent = sent;
    v.f = &d;
    v.block = block;
    v.hpack = hpack;
    if (json)
        trace_json_frame(o, &v);
    else
        trace_text_frame(o, &v);
    fclose(o);
    return out_buf;
}

static struct h2f_frame frame(uint8_t type, uint8_t flags, uint32_t sid)
{
    struct h2f_frame f;
    memset(&f, 0, sizeof(f));
    f.hdr.type = type;
    f.hdr.flags = flags;
    f.hdr.stream_id = sid;
    return f;
}

TEST(test_trace_settings_and_window_update)
{
    struct h2f_setting set[] = {{H2_SETTINGS_ENABLE_PUSH, 0}, {0x99, 7}};
    struct h2f_frame f = frame(H2F_TYPE_SETTINGS, 0, 0);

    CHECK_STR(text(&f, set, 2, true, NULL, false, false),
              "+1.500ms > SETTINGS s=0 len=12\n    ENABLE_PUSH=0\n    0x99=7\n");
    f = frame(H2F_TYPE_SETTINGS, H2F_FLAG_ACK, 0);
    CHECK_STR(text(&f, NULL, 0, false, NULL, false, false), "+1.500ms < SETTINGS s=0 len=0 ACK\n");
    f = frame(H2F_TYPE_WINDOW_UPDATE, 0, 3);
    f.u.window_update.increment = 65536;
    CHECK_STR(text(&f, NULL, 0, false, NULL, false, false),
              "+1.500ms < WINDOW_UPDATE s=3 len=4\n    increment=65536\n");
}

TEST(test_trace_data_padding_rst_ping_priority)
{
    struct h2f_frame f = frame(H2F_TYPE_DATA, H2F_FLAG_END_STREAM | H2F_FLAG_PADDED, 1);

    f.u.data.data = span_str("hello");
    f.padding = span_of(NULL, 3);
    CHECK_STR(text(&f, NULL, 0, false, NULL, false, false),
              "+1.500ms < DATA s=1 len=9 END_STREAM PADDED\n    pad=3\n    data=5\n");
    f = frame(H2F_TYPE_RST_STREAM, 0, 5);
    f.u.rst_stream.error_code = H2_CANCEL;
    CHECK_STR(text(&f, NULL, 0, true, NULL, false, false),
              "+1.500ms > RST_STREAM s=5 len=4\n    error=CANCEL (0x8)\n");
    f = frame(H2F_TYPE_PING, H2F_FLAG_ACK, 0);
    memcpy(f.u.ping.opaque, "\x01\x02\x03\x04\x05\x06\x07\xff", 8);
    CHECK_STR(text(&f, NULL, 0, false, NULL, false, false),
              "+1.500ms < PING s=0 len=8 ACK\n    opaque=01020304050607ff\n");
    f = frame(H2F_TYPE_PRIORITY, 0, 3);
    f.u.priority.exclusive = true;
    f.u.priority.dependency = 1;
    f.u.priority.weight = 15;
    CHECK_STR(text(&f, NULL, 0, false, NULL, false, false),
              "+1.500ms < PRIORITY s=3 len=5\n    exclusive=1 dependency=1 weight=16\n");
}

TEST(test_trace_goaway_debug_escaped_and_unknown_type)
{
    struct h2f_frame f = frame(H2F_TYPE_GOAWAY, 0, 0);

    f.u.goaway.last_stream_id = 7;
    f.u.goaway.error_code = H2_PROTOCOL_ERROR;
    f.u.goaway.debug = span_str("bye\x01");
    CHECK_STR(text(&f, NULL, 0, false, NULL, false, false),
              "+1.500ms < GOAWAY s=0 len=12\n    last_stream_id=7 error=PROTOCOL_ERROR (0x1) "
              "debug='bye\\x01'\n");
    f = frame(0x0a, 0x81, 0);
    f.payload = span_str("abc");
    CHECK_STR(text(&f, NULL, 0, false, NULL, false, false),
              "+1.500ms < UNKNOWN_0x0a s=0 len=3 0x81\n");
    CHECK_STR(text(&f, NULL, 0, false, NULL, false, true),
              "{\"t\":1.500,\"conn\":0,\"ev\":\"frame\",\"dir\":\"recv\",\"type\":\"UNKNOWN_0x0a\","
              "\"type_id\":10,\"sid\":0,\"len\":3,\"flags\":[\"0x81\"]}\n");
}

/* A block as the client's decoder would hand it over: fields with representations. */
TEST(test_trace_headers_with_hpack_view)
{
    struct hpack_field fl[2];
    struct hpack_list l;
    struct h2f_frame f = frame(H2F_TYPE_HEADERS, H2F_FLAG_END_HEADERS, 1);

    memset(&l, 0, sizeof(l));
    memset(fl, 0, sizeof(fl));
    fl[0].name = span_str(":status");
    fl[0].value = span_str("200");
    fl[0].repr = HPACK_REPR_INDEXED;
    fl[0].index = 8;
    fl[1].name = span_str("x-a");
    fl[1].value = span_str("b\n");
    fl[1].repr = HPACK_REPR_NEVER;
    fl[1].flags = HPACK_FIELD_VALUE_HUFFMAN;
    l.fields = fl;
    l.count = 2;
    l.stats.wire_bytes = 10;
    l.stats.decoded_bytes = 14;
    l.stats.inserts = 1;
    l.stats.size_updates = 1;
    l.stats.last_size_update = 0;
    l.stats.table_size = 36;
    l.stats.table_entries = 1;
    f.u.headers.block = span_str("0123456789");
    CHECK_STR(text(&f, NULL, 0, false, &l, false, false),
              "+1.500ms < HEADERS s=1 len=10 END_HEADERS\n    :status: 200\n    x-a: b\\x0a\n");
    CHECK_STR(text(&f, NULL, 0, false, &l, true, false),
              "+1.500ms < HEADERS s=1 len=10 END_HEADERS\n    [indexed 8] :status: 200\n"
              "    [never-index name=0 huff=v] x-a: b\\x0a\n"
              "    hpack: wire=10 decoded=14 ratio=71.4% inserts=1 evictions=0 size_update=0 "
              "table=36 entries=1\n");
    CHECK_STR(text(&f, NULL, 0, false, &l, true, true),
              "{\"t\":1.500,\"conn\":0,\"ev\":\"frame\",\"dir\":\"recv\",\"type\":\"HEADERS\","
              "\"type_id\":1,\"sid\":1,\"len\":10,\"flags\":[\"END_HEADERS\"],\"fields\":["
              "{\"repr\":\"indexed\",\"index\":8,\"name_huffman\":false,\"value_huffman\":false,"
              "\"name\":\":status\",\"value\":\"200\"},{\"repr\":\"never-index\",\"index\":0,"
              "\"name_huffman\":false,\"value_huffman\":true,\"name\":\"x-a\",\"value\":"
              "\"b\\u000a\"}],\"hpack\":{\"wire\":10,\"decoded\":14,\"inserts\":1,\"evictions\":0,"
              "\"size_updates\":1,\"table_size\":36,\"table_entries\":1}}\n");
}

TEST(test_trace_windows_and_hexdump)
{
    struct h2c_windows w = {100, 200, 0, 50, true};
    FILE *o = open_out();
    static const uint8_t b[18] = "\x00\x00\x09\x00\x01\x00\x00\x00\x01hello, wo";

    trace_text_windows(o, 1, &w);
    w.stream_open = false;
    trace_text_windows(o, 3, &w);
    trace_text_windows(o, 0, &w);
    trace_text_hexdump(o, b, 18, NULL);
    trace_text_hexdump(o, b, 18, (const uint8_t *)"\0\0\0\0\0\0\0\0\1\0\1\1\0\0\0\0\0\1");
    fclose(o);
    CHECK_STR(out_buf, "    windows: conn send=100 recv=200 | s=1 send=0 recv=50\n"
                       "    windows: conn send=100 recv=200 | s=3 closed\n"
                       "    windows: conn send=100 recv=200\n"
                       "    0000  00 00 09 00 01 00 00 00  01 68 65 6c 6c 6f 2c 20  "
                       "|.........hello, |\n"
                       "    0010  77 6f                                             |wo|\n"
                       "    0000  00 00 09 00 01 00 00 00  ** 68 ** ** 6c 6f 2c 20  "
                       "|........*h**lo, |\n"
                       "    0010  77 **                                             |w*|\n");
    free(out_buf);
    out_buf = NULL;
}

TEST(test_trace_secret_mask)
{
    struct trace_opts to;
    struct trace *t;
    uint8_t *m;
    int err;

    memset(&to, 0, sizeof(to));
    to.hexdump = true;
    to.frames_file = "/dev/null";
    t = trace_new(&to, &err);
    CHECK_INT(err, 0);
    CHECK(trace_secret_mask(t, (const uint8_t *)"hello", 5) == NULL);
    trace_secret(t, span_str("llo"));
    trace_secret(t, span_str("llo")); /* told twice, kept once */
    trace_secret(t, span_str(""));
    trace_secret(t, span_str("lo, hel"));
    CHECK_INT(t->nsecrets, 2);
    m = trace_secret_mask(t, (const uint8_t *)"hello, hello!", 13);
    CHECK(m != NULL);
    CHECK_MEM(m, 13, "\0\0\1\1\1\1\1\1\1\1\1\1\0", 13); /* 2..11 */
    free(m);
    CHECK(trace_secret_mask(t, (const uint8_t *)"hell", 4) == NULL);
    CHECK_INT(trace_finish(t), 0);
    /* without --hexdump nothing is kept */
    to.hexdump = false;
    t = trace_new(&to, &err);
    trace_secret(t, span_str("llo"));
    CHECK_INT(t->nsecrets, 0);
    CHECK_INT(trace_finish(t), 0);
}

static uint64_t fake_us;

static uint64_t fake_clock(void)
{
    return fake_us;
}

/* A trace with `o`'s views, on the fake clock at 0, its report lines (and JSON lines, when
 * `json`) into memory streams. */
static struct trace *fake_trace(const struct trace_opts *o, FILE *report, FILE *json)
{
    int err;
    struct trace *t = trace_new(o, &err);

    CHECK_INT(err, 0);
    t->clock = fake_clock;
    t->t0 = 0;
    t->report = report;
    t->json = json;
    return t;
}

/* --ping: the round trip of each PING the client says it sent, from observer calls alone,
 * however many (past the 256 one opaque byte can number). */
TEST(test_trace_ping_ack_report_from_observer_calls)
{
    struct trace_opts o;
    struct h2c_event ev;
    char *rep = NULL, *js = NULL;
    size_t rlen, jlen;
    FILE *r = open_memstream(&rep, &rlen), *j = open_memstream(&js, &jlen);
    struct trace *t;
    uint8_t op[8] = {'h', '2', 'g', 'e', 't', 0, 0, 0};
    unsigned i;

    memset(&o, 0, sizeof(o));
    o.pings = true;
    fake_us = 0;
    t = fake_trace(&o, r, j);
    for (i = 0; i < 300; i++) {
        op[6] = (uint8_t)(i >> 8);
        op[7] = (uint8_t)i;
        fake_us = 1000 + i;
        trace_h2_ping(t, 2, i, op);
    }
    memset(&ev, 0, sizeof(ev));
    ev.type = H2C_EV_PING_ACK;
    memcpy(ev.ping, "h2get\x00\x01\x2b", 8); /* number 299 */
    fake_us = 13799;
    trace_h2_event(t, 2, &ev);
    memcpy(ev.ping, "h2get\x00\x00\x00", 8);
    fake_us = 20000;
    trace_h2_event(t, 2, &ev);
    memcpy(ev.ping, "other\x00\x00\x00", 8); /* not one of ours: no line, no rtt */
    trace_h2_event(t, 2, &ev);
    t->report = stderr;
    t->json = NULL;
    CHECK_INT(trace_finish(t), 0);
    fclose(r);
    fclose(j);
    CHECK_STR(rep, "ping: conn=2 n=300 rtt=12.500ms\nping: conn=2 n=1 rtt=19.000ms\n");
    CHECK_STR(js, "{\"t\":13.799,\"conn\":2,\"ev\":\"ping_ack\",\"rtt_ms\":12.500}\n"
                  "{\"t\":20.000,\"conn\":2,\"ev\":\"ping_ack\",\"rtt_ms\":19.000}\n"
                  "{\"t\":20.000,\"conn\":2,\"ev\":\"ping_ack\"}\n");
    free(rep);
    free(js);
}

/* --check holds the server to what trace_h2_conn says we announced: ENABLE_PUSH from our
 * extra SETTINGS, and our SETTINGS_MAX_FRAME_SIZE. */
TEST(test_trace_check_uses_what_we_announced)
{
    struct h2f_setting push[] = {{H2_SETTINGS_ENABLE_PUSH, 0}, {H2_SETTINGS_ENABLE_PUSH, 1}};
    struct h2e_info info = H2E_INFO_INIT;
    struct h2f_header big = {20001, H2F_TYPE_DATA, 0, 1};
    struct h2f_frame pp = frame(H2F_TYPE_PUSH_PROMISE, H2F_FLAG_END_HEADERS, 1);
    struct trace_opts o;
    static const struct hpack_field get[] = {
        {{(const uint8_t *)":method", 7}, {(const uint8_t *)"GET", 3}, 0, 0, 0},
        {{(const uint8_t *)":scheme", 7}, {(const uint8_t *)"https", 5}, 0, 0, 0},
        {{(const uint8_t *)":authority", 10}, {(const uint8_t *)"example.com", 11}, 0, 0, 0},
        {{(const uint8_t *)":path", 5}, {(const uint8_t *)"/", 1}, 0, 0, 0},
    };
    struct h2c_request req;
    struct h2c_config hc;
    struct h2c_conn *c;
    struct trace *t;
    FILE *r = open_out();

    memset(&o, 0, sizeof(o));
    o.check = true;
    t = fake_trace(&o, r, NULL);
    h2c_config_init(&hc, &xalloc_mem);
    c = h2c_new(&hc);
    memset(&req, 0, sizeof(req));
    req.fields = get;
    req.nfields = 4;
    req.end_stream = true;
    CHECK_INT(h2c_submit(c, &req), 1); /* stream 1 is open: no idle-stream line */
    trace_h2_conn(t, 0, c, &hc);       /* push off, MAX_FRAME_SIZE 16384 */
    trace_check_frame(t, 0, &pp);
    info.code = H2E_FRAME_SIZE;
    info.why = "too big";
    trace_check_bad_frame(t, 0, &big, &info);
    hc.extra_settings = push; /* the last ENABLE_PUSH counts, as in the SETTINGS sent */
    hc.nextra_settings = 2;
    hc.max_frame_size = 30000;
    trace_h2_conn(t, 1, c, &hc);
    trace_check_frame(t, 1, &pp);
    trace_check_bad_frame(t, 1, &big, &info);
    t->report = stderr;
    trace_finish(t);
    h2c_free(c);
    fclose(r);
    CHECK_STR(out_buf,
              "check: push-promise: PUSH_PROMISE on stream 1 although we sent ENABLE_PUSH=0 "
              "(RFC 9113 §8.4)\n"
              "check: oversize-frame: DATA of 20001 octets on stream 1, our "
              "SETTINGS_MAX_FRAME_SIZE is 16384 (RFC 9113 §4.2)\n"
              "check: bad-frame: DATA on stream 1: too big\n");
}

/* A --check line is printed whole, however long what it quotes (a field name of a server
 * can be long; the line used to stop at 511 bytes). */
TEST(test_trace_check_report_is_not_cut)
{
    struct trace_opts o;
    struct trace *t;
    FILE *r = open_out();
    char name[2001], want[2200];

    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = 0;
    memset(&o, 0, sizeof(o));
    o.check = true;
    t = fake_trace(&o, r, NULL);
    trace_check_report(t, 0, "uppercase-field", "field '%s' (RFC 9113 §8.2.1)", name);
    t->report = stderr;
    trace_finish(t);
    fclose(r);
    snprintf(want, sizeof(want), "check: uppercase-field: field '%s' (RFC 9113 §8.2.1)\n", name);
    CHECK_STR(out_buf, want);
}

static const char *ws_line(bool sent, uint8_t op, bool fin, bool masked, uint64_t len,
                           const char *p, size_t n)
{
    struct ws_head h = {fin, masked, op, {0}, len, 2};
    struct trace_ws_view v = {1.5, 0, 3, sent, false, &h, (const uint8_t *)p, n};
    FILE *o = open_out();

    trace_text_ws(o, &v);
    fclose(o);
    return out_buf;
}

/* The WebSocket frame lines of --frames: exact text for each kind of payload line. */
TEST(test_trace_ws_frames)
{
    static char big[100];

    CHECK_STR(ws_line(true, WS_OP_TEXT, true, true, 5, "hello", 5),
              "+1.500ms > WS text s=3 len=5 fin masked\n    data='hello'\n");
    CHECK_STR(ws_line(false, WS_OP_CLOSE, true, false, 5,
                      "\x0f\xa0"
                      "bye",
                      5),
              "+1.500ms < WS close s=3 len=5 fin\n    code=4000 reason='bye'\n");
    CHECK_STR(ws_line(false, WS_OP_BINARY, false, false, 2, "\x00\x01", 2),
              "+1.500ms < WS binary s=3 len=2\n");
    CHECK_STR(ws_line(false, WS_OP_PING, true, false, 2, "p\x01", 2),
              "+1.500ms < WS ping s=3 len=2 fin\n    data='p\\x01'\n");
    /* the part of a frame received so far, and a long payload cut at 64 bytes */
    CHECK_STR(ws_line(false, WS_OP_TEXT, true, false, 10, "abc", 3),
              "+1.500ms < WS text s=3 len=10 fin\n    data='abc'...\n");
    memset(big, 'x', sizeof(big));
    CHECK(
        strstr(ws_line(false, WS_OP_TEXT, true, false, 100, big, 100),
               "    data='xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'...\n"));
}

/* --waterfall: one row per stream on a common axis (0 .. the last end): ' ' outside the
 * stream's life, '-' queued, '=' waiting for the head, '#' receiving; a stream shorter than
 * a cell still shows one '#', and an unfinished one shows nothing and 0 ms. */
TEST(test_trace_waterfall_rows)
{
    struct trace_srec s[3] = {
        {.urlnum = 0, .sid = 1, .queued = 1, .sent = 3, .headers = 5, .done = 10},
        {.urlnum = 1, .sid = 3, .sent = 2, .done = 2.2},
        {.urlnum = 2, .sid = 5, .queued = 4, .sent = 6},
    };
    struct trace t;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    memset(&t, 0, sizeof(t));
    t.streams = s;
    t.nstreams = 3;
    trace_waterfall_print(&t, f, 10);
    fclose(f);
    CHECK_STR(text, "waterfall: 0 .. 10.000 ms ('-' queued, '=' waiting, '#' receiving)\n"
                    "   0 s=1     | --==#####| 9.000 ms\n"
                    "   1 s=3     |  #       | 0.200 ms\n"
                    "   2 s=5     |          | 0.000 ms\n");
    free(text);
}
