/* SPDX-License-Identifier: MIT */
/*
 * The client connection against a scripted server: frames built with h2f_encode and an
 * HPACK encoder, fed whole and split at every byte, with the frames the client sends back
 * decoded and checked.
 */
#include <stdlib.h>
#include <string.h>

#include "proto/conn.h"
#include "base/h2.h"
#include "tap.h"

struct srv {
    struct h2c_conn *c;
    struct hpack_encoder enc;
    uint8_t in[1 << 20]; /* bytes from the server not yet consumed by the client */
    size_t inlen;
    struct h2c_event ev[64];
    size_t nev;
    int err;
    struct h2e_info info;
};

/* A client connection with `cfg` (NULL: the defaults) and the server's side of it. */
static struct srv *srv_new_with(const struct h2c_config *cfg)
{
    struct srv *s = calloc(1, sizeof(*s));
    struct h2c_config def;

    if (!cfg) {
        h2c_config_init(&def, &tap_mem);
        cfg = &def;
    }
    s->c = h2c_new(cfg);
    hpack_encoder_init(&s->enc, &mem_libc, 4096);
    return s;
}

static struct srv *srv_new(void)
{
    return srv_new_with(NULL);
}

static void srv_free(struct srv *s)
{
    h2c_free(s->c);
    hpack_encoder_release(&s->enc);
    free(s);
    CHECK_INT(tap_mem_live(), 0);
}

static void srv_frame(struct srv *s, const struct h2f_frame *f, const struct h2f_setting *set,
                      size_t n)
{
    int len = h2f_encode(f, set, n, s->in + s->inlen, sizeof(s->in) - s->inlen);
    CHECK(len > 0);
    if (len > 0)
        s->inlen += (size_t)len;
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

static void srv_settings(struct srv *s, const struct h2f_setting *set, size_t n)
{
    struct h2f_frame f = frame(H2F_TYPE_SETTINGS, 0, 0);
    srv_frame(s, &f, set, n);
}

/* A header block of "name: value" pairs (NULL-terminated list). */
static void srv_headers(struct srv *s, uint32_t sid, uint8_t flags, const char *const *kv)
{
    struct hpack_field fields[32];
    struct buf b;
    struct h2f_frame f = frame(H2F_TYPE_HEADERS, flags | H2F_FLAG_END_HEADERS, sid);
    size_t n = 0;

    memset(fields, 0, sizeof(fields));
    for (; kv[0]; kv += 2, n++) {
        fields[n].name = span_str(kv[0]);
        fields[n].value = span_str(kv[1]);
    }
    buf_init(&b, &mem_libc, 1 << 20);
    CHECK_INT(hpack_encode_block(&s->enc, fields, n, &b, NULL), 0);
    f.u.headers.block = buf_span(&b);
    srv_frame(s, &f, NULL, 0);
    buf_release(&b);
}

static void srv_data(struct srv *s, uint32_t sid, uint8_t flags, const char *data)
{
    struct h2f_frame f = frame(H2F_TYPE_DATA, flags, sid);
    f.u.data.data = span_str(data);
    srv_frame(s, &f, NULL, 0);
}

/* Feed everything buffered to the client; collect events; stop at the first error. */
static void srv_flush(struct srv *s)
{
    size_t off = 0;
    s->nev = 0;
    s->err = 0;
    while (off < s->inlen) {
        int rv = h2c_recv(s->c, s->in + off, s->inlen - off, &s->info);
        struct h2c_event ev;
        while (h2c_next_event(s->c, &ev))
            if (s->nev < 64)
                s->ev[s->nev++] = ev;
        if (rv <= 0) {
            s->err = rv;
            break;
        }
        off += (size_t)rv;
    }
    s->inlen = 0;
}

/* The frames the client queued, decoded in order; preface skipped if present. */
static size_t client_frames(struct srv *s, struct h2f_frame *out, size_t max, uint8_t *copy)
{
    struct span o = h2c_output(s->c);
    size_t off = 0, n = 0;
    struct h2e_info info;

    memcpy(copy, o.p, o.len);
    if (o.len >= H2_PREFACE_LEN && memcmp(copy, H2_PREFACE, H2_PREFACE_LEN) == 0)
        off = H2_PREFACE_LEN;
    while (off < o.len && n < max) {
        int rv = h2f_decode(copy + off, o.len - off, H2_MAX_MAX_FRAME_SIZE, &out[n], &info);
        CHECK(rv > 0);
        if (rv <= 0)
            break;
        off += (size_t)rv;
        n++;
    }
    h2c_output_done(s->c, o.len);
    return n;
}

static uint8_t outcopy[1 << 20];

/* srv_new_with, past the prefaces: both SETTINGS sent and acknowledged. */
static struct srv *srv_ready_with(const struct h2c_config *cfg)
{
    struct srv *s = srv_new_with(cfg);
    struct h2f_frame fr[8];
    client_frames(s, fr, 8, outcopy);
    srv_settings(s, NULL, 0);
    srv_flush(s);
    client_frames(s, fr, 8, outcopy); /* the SETTINGS ACK */
    return s;
}

static struct srv *srv_ready(void)
{
    return srv_ready_with(NULL);
}

/* The head of a 200 response on `sid`, then `n` DATA frames of 16 KiB, fed to the client. */
static void srv_response_chunks(struct srv *s, uint32_t sid, int n)
{
    static const char *const h[] = {":status", "200", NULL};
    static char chunk[16385];
    int i;

    srv_headers(s, sid, 0, h);
    memset(chunk, 'z', 16384);
    for (i = 0; i < n; i++)
        srv_data(s, sid, 0, chunk);
    srv_flush(s);
}

static const struct hpack_field get_fields[] = {
    {{(const uint8_t *)":method", 7}, {(const uint8_t *)"GET", 3}, 0, 0, 0},
    {{(const uint8_t *)":scheme", 7}, {(const uint8_t *)"https", 5}, 0, 0, 0},
    {{(const uint8_t *)":authority", 10}, {(const uint8_t *)"example.com", 11}, 0, 0, 0},
    {{(const uint8_t *)":path", 5}, {(const uint8_t *)"/", 1}, 0, 0, 0},
};

static uint32_t submit(struct srv *s, bool end_stream)
{
    struct h2c_request req = {get_fields, 4, end_stream, NULL};
    int64_t sid = h2c_submit(s->c, &req);
    CHECK(sid > 0);
    return (uint32_t)sid;
}

TEST(test_conn_preface_and_settings)
{
    struct srv *s = srv_new();
    struct h2f_frame fr[8];
    struct span o = h2c_output(s->c);
    size_t n, i;
    bool push_off = false;

    CHECK(o.len > H2_PREFACE_LEN && memcmp(o.p, H2_PREFACE, H2_PREFACE_LEN) == 0);
    n = client_frames(s, fr, 8, outcopy);
    CHECK_INT(n, 2);
    CHECK_INT(fr[0].hdr.type, H2F_TYPE_SETTINGS);
    for (i = 0; i < fr[0].u.settings.count; i++) {
        struct h2f_setting st = h2f_setting_at(&fr[0], i);
        if (st.id == H2_SETTINGS_ENABLE_PUSH && st.value == 0)
            push_off = true;
    }
    CHECK(push_off);
    CHECK_INT(fr[1].hdr.type, H2F_TYPE_WINDOW_UPDATE);
    CHECK_INT(fr[1].hdr.stream_id, 0);
    srv_free(s);
}

TEST(test_conn_server_settings_acked_and_applied)
{
    struct srv *s = srv_new();
    struct h2f_frame fr[8];
    struct h2f_setting set[] = {{H2_SETTINGS_MAX_CONCURRENT_STREAMS, 7},
                                {H2_SETTINGS_MAX_FRAME_SIZE, 32768}};

    client_frames(s, fr, 8, outcopy);
    srv_settings(s, set, 2);
    srv_flush(s);
    CHECK_INT(s->err, 0);
    CHECK_INT(s->nev, 1);
    CHECK_INT(s->ev[0].type, H2C_EV_SETTINGS);
    CHECK_INT(h2c_peer(s->c)->max_concurrent_streams, 7);
    CHECK_INT(h2c_peer(s->c)->max_frame_size, 32768);
    CHECK_INT(client_frames(s, fr, 8, outcopy), 1);
    CHECK_INT(fr[0].hdr.type, H2F_TYPE_SETTINGS);
    CHECK_INT(fr[0].hdr.flags, H2F_FLAG_ACK);
    srv_free(s);
}

TEST(test_conn_first_frame_must_be_settings)
{
    struct srv *s = srv_new();
    struct h2f_frame f = frame(H2F_TYPE_PING, 0, 0), fr[8];
    client_frames(s, fr, 8, outcopy);
    srv_frame(s, &f, NULL, 0);
    srv_flush(s);
    CHECK_INT(s->err, H2E_PROTOCOL);
    CHECK(s->info.why != NULL);
    CHECK_INT(client_frames(s, fr, 8, outcopy), 1);
    CHECK_INT(fr[0].hdr.type, H2F_TYPE_GOAWAY);
    CHECK_INT(fr[0].u.goaway.error_code, H2_PROTOCOL_ERROR);
    CHECK(fr[0].u.goaway.debug.len > 0);
    srv_free(s);
}

TEST(test_conn_simple_response)
{
    struct srv *s = srv_ready();
    struct h2f_frame fr[8];
    static const char *const h[] = {":status", "200", "content-length", "5", NULL};
    uint32_t sid = submit(s, true);

    CHECK_INT(sid, 1);
    CHECK_INT(client_frames(s, fr, 8, outcopy), 1);
    CHECK_INT(fr[0].hdr.type, H2F_TYPE_HEADERS);
    CHECK_INT(fr[0].hdr.flags, H2F_FLAG_END_STREAM | H2F_FLAG_END_HEADERS);
    srv_headers(s, 1, 0, h);
    srv_data(s, 1, H2F_FLAG_END_STREAM, "hello");
    srv_flush(s);
    CHECK_INT(s->err, 0);
    CHECK_INT(s->nev, 3);
    CHECK_INT(s->ev[0].type, H2C_EV_HEADERS);
    CHECK_INT(s->ev[1].type, H2C_EV_DATA);
    CHECK_INT(s->ev[2].type, H2C_EV_END_STREAM);
    CHECK_INT(h2c_active_streams(s->c), 0);
    srv_free(s);
}

/* Deliver `wire` in two reads split at `cut`, the way a socket might; returns event types. */
static size_t feed_split(struct srv *s, const uint8_t *wire, size_t total, size_t cut, int *types,
                         size_t max)
{
    static uint8_t rbuf[4096];
    size_t rlen = 0, nev = 0, part;

    for (part = 0; part < 2; part++) {
        size_t from = part ? cut : 0, to = part ? total : cut;
        int rv;
        memcpy(rbuf + rlen, wire + from, to - from);
        rlen += to - from;
        do {
            struct h2c_event ev;
            rv = h2c_recv(s->c, rbuf, rlen, NULL);
            while (h2c_next_event(s->c, &ev))
                if (nev < max)
                    types[nev++] = ev.type;
            if (rv > 0) {
                memmove(rbuf, rbuf + rv, rlen - (size_t)rv);
                rlen -= (size_t)rv;
            }
        } while (rv > 0);
        CHECK_INT(rv, 0);
    }
    CHECK_INT(rlen, 0);
    return nev;
}

TEST(test_conn_response_split_at_every_byte)
{
    static const char *const h[] = {":status", "200", "x-a", "b", NULL};
    uint8_t wire[512];
    size_t total = 0, cut;

    for (cut = 1; cut == 1 || cut < total; cut++) {
        struct srv *s = srv_ready();
        int types[8];
        submit(s, true);
        srv_headers(s, 1, 0, h);
        srv_data(s, 1, H2F_FLAG_END_STREAM, "abc");
        total = s->inlen;
        memcpy(wire, s->in, total);
        s->inlen = 0;
        CHECK_INT(feed_split(s, wire, total, cut, types, 8), 3);
        CHECK_INT(types[0], H2C_EV_HEADERS);
        CHECK_INT(types[1], H2C_EV_DATA);
        CHECK_INT(types[2], H2C_EV_END_STREAM);
        srv_free(s);
        if (tap_failed())
            break;
    }
}

TEST(test_conn_content_length_mismatch_resets_stream)
{
    struct srv *s = srv_ready();
    struct h2f_frame fr[8];
    static const char *const h[] = {":status", "200", "content-length", "10", NULL};

    submit(s, true);
    client_frames(s, fr, 8, outcopy);
    srv_headers(s, 1, 0, h);
    srv_data(s, 1, H2F_FLAG_END_STREAM, "hello");
    srv_flush(s);
    CHECK_INT(s->err, 0);
    CHECK_INT(s->ev[s->nev - 1].type, H2C_EV_RESET);
    CHECK(s->ev[s->nev - 1].local);
    CHECK_INT(s->ev[s->nev - 1].code, H2E_STREAM_PROTOCOL);
    CHECK(s->ev[s->nev - 1].why != NULL);
    CHECK_INT(client_frames(s, fr, 8, outcopy), 1);
    CHECK_INT(fr[0].hdr.type, H2F_TYPE_RST_STREAM);
    CHECK_INT(fr[0].u.rst_stream.error_code, H2_PROTOCOL_ERROR);
    srv_free(s);
}

TEST(test_conn_bad_status_resets_stream)
{
    struct srv *s = srv_ready();
    struct h2f_frame fr[8];
    static const char *const h[] = {":status", "2000", NULL};

    submit(s, true);
    client_frames(s, fr, 8, outcopy);
    srv_headers(s, 1, H2F_FLAG_END_STREAM, h);
    srv_flush(s);
    CHECK_INT(s->nev, 1);
    CHECK_INT(s->ev[0].type, H2C_EV_RESET);
    CHECK_INT(s->ev[0].code, H2E_STREAM_PROTOCOL);
    CHECK_INT(client_frames(s, fr, 8, outcopy), 1);
    CHECK_INT(fr[0].hdr.type, H2F_TYPE_RST_STREAM);
    srv_free(s);
}

TEST(test_conn_informational_then_final_and_trailers)
{
    struct srv *s = srv_ready();
    static const char *const h1xx[] = {":status", "103", "link", "</a>", NULL};
    static const char *const h[] = {":status", "200", NULL};
    static const char *const t[] = {"grpc-status", "0", NULL};

    submit(s, true);
    srv_headers(s, 1, 0, h1xx);
    srv_headers(s, 1, 0, h);
    srv_data(s, 1, 0, "x");
    srv_headers(s, 1, H2F_FLAG_END_STREAM, t);
    srv_flush(s);
    CHECK_INT(s->err, 0);
    CHECK_INT(s->nev, 5);
    CHECK_INT(s->ev[0].type, H2C_EV_INFORMATIONAL);
    CHECK_INT(s->ev[1].type, H2C_EV_HEADERS);
    CHECK_INT(s->ev[2].type, H2C_EV_DATA);
    CHECK_INT(s->ev[3].type, H2C_EV_TRAILERS);
    CHECK_INT(s->ev[4].type, H2C_EV_END_STREAM);
    srv_free(s);
}

TEST(test_conn_informational_with_end_stream_is_malformed)
{
    struct srv *s = srv_ready();
    static const char *const h1xx[] = {":status", "100", NULL};
    submit(s, true);
    srv_headers(s, 1, H2F_FLAG_END_STREAM, h1xx);
    srv_flush(s);
    CHECK_INT(s->nev, 1);
    CHECK_INT(s->ev[0].type, H2C_EV_RESET);
    srv_free(s);
}

TEST(test_conn_trailers_with_pseudo_header_rejected)
{
    struct srv *s = srv_ready();
    static const char *const h[] = {":status", "200", NULL};
    static const char *const t[] = {":status", "200", NULL};
    submit(s, true);
    srv_headers(s, 1, 0, h);
    srv_headers(s, 1, H2F_FLAG_END_STREAM, t);
    srv_flush(s);
    CHECK_INT(s->ev[s->nev - 1].type, H2C_EV_RESET);
    CHECK_INT(s->ev[s->nev - 1].code, H2E_STREAM_PROTOCOL);
    srv_free(s);
}

TEST(test_conn_push_promise_is_connection_error)
{
    struct srv *s = srv_ready();
    struct h2f_frame f = frame(H2F_TYPE_PUSH_PROMISE, H2F_FLAG_END_HEADERS, 1), fr[8];

    submit(s, true);
    client_frames(s, fr, 8, outcopy);
    f.u.push_promise.promised_id = 2;
    f.u.push_promise.block = span_str("\x82");
    srv_frame(s, &f, NULL, 0);
    srv_flush(s);
    CHECK_INT(s->err, H2E_PROTOCOL);
    CHECK_INT(s->nev, 1); /* stream 1 is reset by the connection error */
    CHECK_INT(s->ev[0].type, H2C_EV_RESET);
    CHECK_INT(client_frames(s, fr, 8, outcopy), 1);
    CHECK_INT(fr[0].hdr.type, H2F_TYPE_GOAWAY);
    CHECK_INT(fr[0].u.goaway.error_code, H2_PROTOCOL_ERROR);
    srv_free(s);
}

TEST(test_conn_ping_answered)
{
    struct srv *s = srv_ready();
    struct h2f_frame f = frame(H2F_TYPE_PING, 0, 0), fr[8];

    memcpy(f.u.ping.opaque, "12345678", 8);
    srv_frame(s, &f, NULL, 0);
    srv_flush(s);
    CHECK_INT(client_frames(s, fr, 8, outcopy), 1);
    CHECK_INT(fr[0].hdr.type, H2F_TYPE_PING);
    CHECK_INT(fr[0].hdr.flags, H2F_FLAG_ACK);
    CHECK_MEM(fr[0].u.ping.opaque, 8, "12345678", 8);
    srv_free(s);
}

TEST(test_conn_ping_flood_limited)
{
    struct srv *s = srv_ready();
    struct h2f_frame f = frame(H2F_TYPE_PING, 0, 0);
    int i;
    for (i = 0; i < 1001; i++)
        srv_frame(s, &f, NULL, 0);
    srv_flush(s);
    CHECK_INT(s->err, H2E_LIMIT_FLOOD);
    srv_free(s);
}

TEST(test_conn_goaway_marks_unprocessed)
{
    struct srv *s = srv_ready();
    struct h2f_frame f = frame(H2F_TYPE_GOAWAY, 0, 0);
    size_t i, unprocessed = 0;

    submit(s, true);
    submit(s, true);
    submit(s, true);
    f.u.goaway.last_stream_id = 1;
    f.u.goaway.error_code = H2_NO_ERROR;
    f.u.goaway.debug = span_str("bye");
    srv_frame(s, &f, NULL, 0);
    srv_flush(s);
    CHECK_INT(s->err, 0);
    CHECK_INT(s->ev[0].type, H2C_EV_GOAWAY);
    CHECK_INT(s->ev[0].last_stream_id, 1);
    CHECK(span_eq_str(s->ev[0].debug, "bye"));
    for (i = 1; i < s->nev; i++)
        if (s->ev[i].type == H2C_EV_RESET && s->ev[i].unprocessed)
            unprocessed++;
    CHECK_INT(unprocessed, 2);
    CHECK_INT(h2c_active_streams(s->c), 1);
    CHECK(!h2c_can_submit(s->c));
    srv_free(s);
}

TEST(test_conn_refused_stream_is_unprocessed)
{
    struct srv *s = srv_ready();
    struct h2f_frame f = frame(H2F_TYPE_RST_STREAM, 0, 1);
    submit(s, true);
    f.u.rst_stream.error_code = H2_REFUSED_STREAM;
    srv_frame(s, &f, NULL, 0);
    srv_flush(s);
    CHECK_INT(s->nev, 1);
    CHECK_INT(s->ev[0].type, H2C_EV_RESET);
    CHECK(!s->ev[0].local);
    CHECK(s->ev[0].unprocessed);
    CHECK_INT(s->ev[0].code, H2E_PEER_RST_STREAM);
    CHECK_INT(s->ev[0].wire, H2_REFUSED_STREAM);
    srv_free(s);
}

/* Whether a refused stream was over the limit the server has announced since it opened
 * (RFC 9113 §5.1.2: streams opened before its SETTINGS arrived), or under it. */
TEST(test_conn_at_peer_limit)
{
    struct srv *s = srv_new();
    struct h2f_setting one = {H2_SETTINGS_MAX_CONCURRENT_STREAMS, 1};
    struct h2f_frame fr[8], f = frame(H2F_TYPE_RST_STREAM, 0, 3);

    client_frames(s, fr, 8, outcopy);
    submit(s, true);
    submit(s, true); /* streams 1 and 3, before the server's SETTINGS */
    CHECK(!h2c_at_peer_limit(s->c));
    srv_settings(s, &one, 1);
    srv_flush(s);
    CHECK(h2c_at_peer_limit(s->c)); /* 2 open, 1 allowed */
    f.u.rst_stream.error_code = H2_REFUSED_STREAM;
    srv_frame(s, &f, NULL, 0);
    srv_flush(s);
    CHECK(h2c_at_peer_limit(s->c)); /* stream 3 refused: 1 open, 1 allowed */
    f = frame(H2F_TYPE_RST_STREAM, 0, 1);
    f.u.rst_stream.error_code = H2_REFUSED_STREAM;
    srv_frame(s, &f, NULL, 0);
    srv_flush(s);
    CHECK(!h2c_at_peer_limit(s->c)); /* refused under the limit: the server sheds load */
    srv_free(s);
}

TEST(test_conn_frame_on_idle_stream)
{
    struct srv *s = srv_ready();
    struct h2f_frame f = frame(H2F_TYPE_RST_STREAM, 0, 5);
    srv_frame(s, &f, NULL, 0);
    srv_flush(s);
    CHECK_INT(s->err, H2E_PROTOCOL);
    srv_free(s);
}

TEST(test_conn_initial_window_change_adjusts_streams)
{
    struct srv *s = srv_ready();
    struct h2f_setting set = {H2_SETTINGS_INITIAL_WINDOW_SIZE, 1000};
    uint32_t sid = submit(s, false);

    CHECK_INT(h2c_send_window(s->c, sid), 65535);
    srv_settings(s, &set, 1);
    srv_flush(s);
    CHECK_INT(h2c_send_window(s->c, sid), 1000);
    set.value = H2_MAX_WINDOW;
    srv_settings(s, &set, 1);
    srv_flush(s);
    CHECK_INT(s->err, 0);
    CHECK_INT(h2c_send_window(s->c, sid), 65535); /* the connection window is the limit */
    srv_free(s);
}

TEST(test_conn_window_update_overflow)
{
    struct srv *s = srv_ready();
    struct h2f_frame f = frame(H2F_TYPE_WINDOW_UPDATE, 0, 0);
    f.u.window_update.increment = H2_MAX_WINDOW;
    srv_frame(s, &f, NULL, 0);
    srv_flush(s);
    CHECK_INT(s->err, H2E_FLOW_CONTROL);
    srv_free(s);
}

TEST(test_conn_request_body_respects_windows)
{
    struct srv *s = srv_ready();
    static uint8_t body[100000];
    struct h2f_frame fr[16], f = frame(H2F_TYPE_WINDOW_UPDATE, 0, 0);
    uint32_t sid = submit(s, false);
    int64_t n;

    client_frames(s, fr, 16, outcopy);
    n = h2c_send_data(s->c, sid, body, sizeof(body), true);
    CHECK_INT(n, 65535);
    CHECK_INT(h2c_send_data(s->c, sid, body, sizeof(body) - 65535, true), 0);
    CHECK_INT(client_frames(s, fr, 16, outcopy), 4); /* 16384 * 3 + 16383 */
    CHECK_INT(fr[3].hdr.length, 16383);
    CHECK_INT(fr[3].hdr.flags, 0);
    f.u.window_update.increment = 100000;
    srv_frame(s, &f, NULL, 0);
    f.hdr.stream_id = sid;
    srv_frame(s, &f, NULL, 0);
    srv_flush(s);
    n = h2c_send_data(s->c, sid, body, sizeof(body) - 65535, true);
    CHECK_INT(n, 100000 - 65535);
    CHECK_INT(client_frames(s, fr, 16, outcopy), 3);
    CHECK_INT(fr[2].hdr.flags, H2F_FLAG_END_STREAM);
    srv_free(s);
}

/* RFC 1122 §4.2.3.4's sender rule for HTTP/2 windows: credit that comes a few bytes at a
 * time is gathered into frames of at least 4 KiB, unless the caller's wait has passed. */
TEST(test_conn_silly_window_held)
{
    struct srv *s = srv_ready();
    static uint8_t body[200000];
    struct h2f_frame fr[16], f = frame(H2F_TYPE_WINDOW_UPDATE, 0, 0);
    uint32_t sid = submit(s, false);
    int i;

    client_frames(s, fr, 16, outcopy);
    CHECK_INT(h2c_send_data(s->c, sid, body, sizeof(body), false), 65535);
    CHECK(!h2c_send_held(s->c, sid)); /* the window is closed: not a silly one */
    client_frames(s, fr, 16, outcopy);
    for (i = 0; i < 1365; i++) { /* 3 bytes of credit per update, on both levels */
        f.u.window_update.increment = 3;
        f.hdr.stream_id = 0;
        srv_frame(s, &f, NULL, 0);
        f.hdr.stream_id = sid;
        srv_frame(s, &f, NULL, 0);
    }
    srv_flush(s);
    CHECK_INT(h2c_send_window(s->c, sid), 4095);
    CHECK_INT(h2c_send_data(s->c, sid, body, 10000, false), 0);
    CHECK(h2c_send_held(s->c, sid));
    CHECK_INT(h2c_send_data(s->c, sid, body, 100, false), 100); /* the data is smaller */
    CHECK(!h2c_send_held(s->c, sid));
    h2c_send_small_ok(s->c, sid);
    CHECK_INT(h2c_send_data(s->c, sid, body, 10000, false), 3995); /* the wait passed */
    CHECK_INT(client_frames(s, fr, 16, outcopy), 2);
    CHECK_INT(fr[0].hdr.length, 100);
    CHECK_INT(fr[1].hdr.length, 3995);
    f.u.window_update.increment = 4096; /* enough credit at once: sent without a wait */
    f.hdr.stream_id = 0;
    srv_frame(s, &f, NULL, 0);
    f.hdr.stream_id = sid;
    srv_frame(s, &f, NULL, 0);
    srv_flush(s);
    CHECK_INT(h2c_send_data(s->c, sid, body, 10000, false), 4096);
    CHECK(!h2c_send_held(s->c, sid));
    srv_free(s);
}

TEST(test_conn_data_beyond_stream_window)
{
    struct srv *s;
    struct h2c_config cfg;
    static const char *const h[] = {":status", "200", NULL};
    static char big[20000];
    struct h2f_frame fr[8];

    s = calloc(1, sizeof(*s));
    h2c_config_init(&cfg, &tap_mem);
    cfg.stream_window = 10000;
    s->c = h2c_new(&cfg);
    hpack_encoder_init(&s->enc, &mem_libc, 4096);
    client_frames(s, fr, 8, outcopy);
    srv_settings(s, NULL, 0);
    submit(s, true);
    srv_headers(s, 1, 0, h);
    memset(big, 'a', sizeof(big) - 1);
    big[16000] = 0;
    srv_data(s, 1, 0, big);
    srv_flush(s);
    CHECK_INT(s->err, 0);
    CHECK_INT(s->ev[s->nev - 1].type, H2C_EV_RESET);
    CHECK_INT(s->ev[s->nev - 1].code, H2E_STREAM_FLOW_CONTROL);
    srv_free(s);
}

TEST(test_conn_consume_sends_window_update)
{
    struct srv *s = srv_ready();
    struct h2f_frame fr[8];

    submit(s, true);
    srv_response_chunks(s, 1, 40);
    CHECK_INT(s->err, 0);
    client_frames(s, fr, 8, outcopy);
    h2c_consume(s->c, 1, 40 * 16384);
    CHECK_INT(client_frames(s, fr, 8, outcopy), 1);
    CHECK_INT(fr[0].hdr.type, H2F_TYPE_WINDOW_UPDATE);
    CHECK_INT(fr[0].hdr.stream_id, 1);
    CHECK_INT(fr[0].u.window_update.increment, 40 * 16384);
    srv_free(s);
}

/* A stream boosted past the initial window (ordered output's first in line) gets its credit
 * back by half of the boosted window, not by half of the small initial one. */
TEST(test_conn_boosted_stream_credit_by_half_its_window)
{
    struct h2c_config cfg;
    struct h2f_frame fr[8];
    struct srv *s;

    h2c_config_init(&cfg, &tap_mem);
    cfg.stream_window = 64 * 1024;
    s = srv_ready_with(&cfg);
    submit(s, true);
    client_frames(s, fr, 8, outcopy);
    h2c_stream_boost(s->c, 1, 1 << 20);
    CHECK_INT(client_frames(s, fr, 8, outcopy), 1);
    CHECK_INT(fr[0].hdr.type, H2F_TYPE_WINDOW_UPDATE);
    CHECK_INT(fr[0].u.window_update.increment, (1 << 20) - 64 * 1024);
    srv_response_chunks(s, 1, 32);
    CHECK_INT(s->err, 0);
    h2c_consume(s->c, 1, 4 * 16384); /* a whole initial window: not yet half of 1 MiB */
    CHECK_INT(client_frames(s, fr, 8, outcopy), 0);
    h2c_consume(s->c, 1, 28 * 16384);
    CHECK_INT(client_frames(s, fr, 8, outcopy), 1);
    CHECK_INT(fr[0].hdr.stream_id, 1);
    CHECK_INT(fr[0].u.window_update.increment, 512 * 1024);
    srv_free(s);
}

/* The rest of a DATA frame taken in pieces left the window with the frame's header: a boost
 * counts it as in flight (else the stream could receive that much more than asked). */
TEST(test_conn_boost_counts_the_rest_of_a_data_frame)
{
    static const char *const h[] = {":status", "200", NULL};
    static char chunk[16385];
    struct h2c_config cfg;
    struct h2f_frame fr[8];
    struct h2c_event ev;
    struct srv *s;
    size_t off = 0, cut;

    h2c_config_init(&cfg, &tap_mem);
    cfg.stream_window = 64 * 1024;
    cfg.data_in_pieces = true;
    s = srv_ready_with(&cfg);
    submit(s, true);
    client_frames(s, fr, 8, outcopy);
    srv_headers(s, 1, 0, h);
    memset(chunk, 'z', 16384);
    srv_data(s, 1, 0, chunk);
    cut = s->inlen - 10000; /* 10,000 bytes of the frame's payload still to come */
    while (off < cut) {
        int rv = h2c_recv(s->c, s->in + off, cut - off, &s->info);
        CHECK(rv > 0);
        if (rv <= 0)
            break;
        off += (size_t)rv;
    }
    while (h2c_next_event(s->c, &ev))
        ;
    h2c_stream_boost(s->c, 1, 256 * 1024);
    CHECK_INT(client_frames(s, fr, 8, outcopy), 1);
    CHECK_INT(fr[0].hdr.type, H2F_TYPE_WINDOW_UPDATE);
    /* 256 KiB in flight: 48 KiB of window left, 10,000 bytes on their way, the rest granted */
    CHECK_INT(fr[0].u.window_update.increment, 256 * 1024 - (64 * 1024 - 16384) - 10000);
    srv_free(s);
}

/* --limit-rate: the connection's credit waits for the caller's grant; the stream's does not. */
TEST(test_conn_paced_credit_waits_for_grants)
{
    struct h2c_config cfg;
    struct h2f_frame fr[8];
    struct srv *s;

    h2c_config_init(&cfg, &tap_mem);
    cfg.paced_credit = true;
    s = srv_ready_with(&cfg);
    submit(s, true);
    srv_response_chunks(s, 1, 40);
    CHECK_INT(s->err, 0);
    client_frames(s, fr, 8, outcopy);
    CHECK_INT(h2c_credit_owed(s->c), 0);
    h2c_consume(s->c, 1, 40 * 16384);
    CHECK_INT(client_frames(s, fr, 8, outcopy), 1); /* the stream's credit only */
    CHECK_INT(fr[0].hdr.stream_id, 1);
    CHECK_INT(h2c_credit_owed(s->c), 40 * 16384);
    CHECK_INT(h2c_grant_credit(s->c, 100000), 100000);
    CHECK_INT(client_frames(s, fr, 8, outcopy), 1);
    CHECK_INT(fr[0].hdr.type, H2F_TYPE_WINDOW_UPDATE);
    CHECK_INT(fr[0].hdr.stream_id, 0);
    CHECK_INT(fr[0].u.window_update.increment, 100000);
    CHECK_INT(h2c_grant_credit(s->c, 1u << 30), 40 * 16384 - 100000); /* no more than owed */
    CHECK_INT(client_frames(s, fr, 8, outcopy), 1);
    CHECK_INT(fr[0].u.window_update.increment, 40 * 16384 - 100000);
    CHECK_INT(h2c_grant_credit(s->c, 1), 0);
    CHECK_INT(client_frames(s, fr, 8, outcopy), 0);
    srv_free(s);
}

/* Without pacing nothing is owed: the connection returns its credit itself. */
TEST(test_conn_unpaced_owes_nothing)
{
    struct srv *s = srv_ready();
    static const char *const h[] = {":status", "200", NULL};
    struct h2f_frame fr[8];

    submit(s, true);
    srv_headers(s, 1, 0, h);
    srv_data(s, 1, 0, "hello");
    srv_flush(s);
    client_frames(s, fr, 8, outcopy);
    h2c_consume(s->c, 1, 5);
    CHECK_INT(h2c_credit_owed(s->c), 0);
    CHECK_INT(h2c_grant_credit(s->c, 5), 0);
    srv_free(s);
}

TEST(test_conn_continuation_assembled_and_interleaving_rejected)
{
    struct srv *s = srv_ready();
    struct hpack_field fld[2];
    struct buf b;
    struct h2f_frame f = frame(H2F_TYPE_HEADERS, 0, 1), p = frame(H2F_TYPE_PING, 0, 0);
    static char big[3000];

    submit(s, true);
    memset(big, 'v', sizeof(big) - 1);
    memset(fld, 0, sizeof(fld));
    fld[0].name = span_str(":status");
    fld[0].value = span_str("200");
    fld[1].name = span_str("x-big");
    fld[1].value = span_str(big);
    buf_init(&b, &mem_libc, 1 << 20);
    hpack_encode_block(&s->enc, fld, 2, &b, NULL);
    f.u.headers.block = span_of(b.p, 1000);
    srv_frame(s, &f, NULL, 0);
    f = frame(H2F_TYPE_CONTINUATION, H2F_FLAG_END_HEADERS, 1);
    f.u.continuation.block = span_of(b.p + 1000, b.len - 1000);
    srv_frame(s, &f, NULL, 0);
    srv_flush(s);
    CHECK_INT(s->err, 0);
    CHECK_INT(s->nev, 1);
    CHECK_INT(s->ev[0].type, H2C_EV_HEADERS);
    CHECK_INT(s->ev[0].fields->count, 2);
    CHECK_INT(s->ev[0].fields->fields[1].value.len, sizeof(big) - 1);
    /* a PING between HEADERS and its CONTINUATION is a connection error (§6.10) */
    submit(s, true);
    f = frame(H2F_TYPE_HEADERS, 0, 3);
    f.u.headers.block = span_of(b.p, 10);
    srv_frame(s, &f, NULL, 0);
    srv_frame(s, &p, NULL, 0);
    srv_flush(s);
    CHECK_INT(s->err, H2E_PROTOCOL);
    buf_release(&b);
    srv_free(s);
}

TEST(test_conn_enable_push_from_server_rejected)
{
    struct srv *s = srv_new();
    struct h2f_setting set = {H2_SETTINGS_ENABLE_PUSH, 1};
    struct h2f_frame fr[8];
    client_frames(s, fr, 8, outcopy);
    srv_settings(s, &set, 1);
    srv_flush(s);
    CHECK_INT(s->err, H2E_PROTOCOL);
    srv_free(s);
}

/* RFC 8441 §3: ENABLE_CONNECT_PROTOCOL is 0 or 1 and, once 1, is never withdrawn. */
TEST(test_conn_enable_connect_protocol)
{
    struct h2f_setting on = {H2_SETTINGS_ENABLE_CONNECT_PROTOCOL, 1};
    struct h2f_setting off = {H2_SETTINGS_ENABLE_CONNECT_PROTOCOL, 0};
    struct h2f_setting two = {H2_SETTINGS_ENABLE_CONNECT_PROTOCOL, 2};
    struct h2f_frame fr[8];
    struct srv *s = srv_new();

    client_frames(s, fr, 8, outcopy);
    srv_settings(s, &off, 1);
    srv_flush(s);
    CHECK_INT(s->err, 0);
    CHECK(!h2c_peer(s->c)->enable_connect_protocol);
    srv_settings(s, &on, 1);
    srv_settings(s, &on, 1);
    srv_flush(s);
    CHECK_INT(s->err, 0);
    CHECK(h2c_peer(s->c)->enable_connect_protocol);
    srv_settings(s, &off, 1);
    srv_flush(s);
    CHECK_INT(s->err, H2E_PROTOCOL);
    CHECK_STR(s->info.why, "SETTINGS_ENABLE_CONNECT_PROTOCOL withdrawn (RFC 8441 §3)");
    srv_free(s);

    s = srv_new();
    client_frames(s, fr, 8, outcopy);
    srv_settings(s, &two, 1);
    srv_flush(s);
    CHECK_INT(s->err, H2E_PROTOCOL);
    CHECK_STR(s->info.why, "SETTINGS_ENABLE_CONNECT_PROTOCOL above 1 (RFC 8441 §3)");
    srv_free(s);
    CHECK_STR(h2_setting_name(H2_SETTINGS_ENABLE_CONNECT_PROTOCOL), "ENABLE_CONNECT_PROTOCOL");
}

/* RFC 8441 §4: an extended CONNECT opens a stream whose 200 is followed by DATA both ways. */
TEST(test_conn_extended_connect_stream)
{
    static const struct hpack_field f[] = {
        {{(const uint8_t *)":method", 7}, {(const uint8_t *)"CONNECT", 7}, 0, 0, 0},
        {{(const uint8_t *)":protocol", 9}, {(const uint8_t *)"websocket", 9}, 0, 0, 0},
        {{(const uint8_t *)":scheme", 7}, {(const uint8_t *)"https", 5}, 0, 0, 0},
        {{(const uint8_t *)":path", 5}, {(const uint8_t *)"/chat", 5}, 0, 0, 0},
        {{(const uint8_t *)":authority", 10}, {(const uint8_t *)"example.com", 11}, 0, 0, 0},
    };
    static const char *const ok[] = {":status", "200", "content-length", "0", NULL};
    struct h2c_request req = {f, 5, false, NULL};
    struct srv *s = srv_ready();
    int64_t sid = h2c_submit(s->c, &req);

    CHECK_INT(sid, 1);
    CHECK(h2c_send_data(s->c, 1,
                        (const uint8_t *)"\x81\x80"
                                         "abcd",
                        6, false) == 6);
    srv_headers(s, 1, 0, ok);
    srv_data(s, 1, 0, "\x81\x02hi");
    srv_flush(s);
    CHECK_INT(s->err, 0);
    CHECK_INT(s->nev, 2);
    CHECK_INT(s->ev[0].type, H2C_EV_HEADERS);
    CHECK_INT(s->ev[1].type, H2C_EV_DATA); /* content-length is not the tunnel's length */
    CHECK_INT(s->ev[1].data.len, 4);
    srv_free(s);
}

TEST(test_conn_header_block_split_by_peer_frame_size)
{
    struct srv *s = srv_ready();
    struct hpack_field fld[5];
    static char big[40000];
    struct h2f_frame fr[8];
    struct h2c_request req = {fld, 5, true, NULL};

    memcpy(fld, get_fields, sizeof(get_fields));
    memset(big, 'q', sizeof(big) - 1);
    fld[4].name = span_str("x-big");
    fld[4].value = span_str(big);
    fld[4].flags = HPACK_FIELD_NO_INDEX;
    CHECK(h2c_submit(s->c, &req) > 0);
    CHECK_INT(client_frames(s, fr, 8, outcopy), 3);
    CHECK_INT(fr[0].hdr.type, H2F_TYPE_HEADERS);
    CHECK_INT(fr[0].hdr.flags, H2F_FLAG_END_STREAM);
    CHECK_INT(fr[1].hdr.type, H2F_TYPE_CONTINUATION);
    CHECK_INT(fr[2].hdr.flags, H2F_FLAG_END_HEADERS);
    srv_free(s);
}

TEST(test_conn_nomem_at_every_allocation)
{
    long n;
    for (n = 0; n < 64; n++) {
        struct h2c_config cfg;
        struct h2c_conn *c;
        h2c_config_init(&cfg, &tap_mem);
        tap_mem_fail_after = n;
        c = h2c_new(&cfg);
        tap_mem_fail_after = -1;
        if (c) {
            h2c_free(c);
            CHECK_INT(tap_mem_live(), 0);
            break;
        }
        CHECK_INT(tap_mem_live(), 0);
    }
    CHECK(n > 0);
}

static const struct hpack_field connect_fields[] = {
    {{(const uint8_t *)":method", 7}, {(const uint8_t *)"CONNECT", 7}, 0, 0, 0},
    {{(const uint8_t *)":authority", 10}, {(const uint8_t *)"origin.test:443", 15}, 0, 0, 0},
};

/* RFC 9113 §8.5: a 2xx to CONNECT opens a byte stream both ways; RFC 9110 §9.3.6: its
 * Content-Length is ignored. A non-2xx answer is a response like any other. */
TEST(test_conn_connect_tunnel)
{
    struct srv *s = srv_ready();
    struct h2f_frame fr[8];
    static const char *const ok[] = {":status", "200", "content-length", "0", NULL};
    static const char *const no[] = {":status", "407", "content-length", "2", NULL};
    struct h2c_request req = {connect_fields, 2, false, NULL};
    int64_t sid = h2c_submit(s->c, &req);

    CHECK_INT(sid, 1);
    CHECK_INT(client_frames(s, fr, 8, outcopy), 1);
    CHECK_INT(fr[0].hdr.flags, H2F_FLAG_END_HEADERS); /* no END_STREAM: the tunnel stays open */
    srv_headers(s, 1, 0, ok);
    srv_data(s, 1, 0, "SSH-2.0-x");
    srv_flush(s);
    CHECK_INT(s->err, 0);
    CHECK_INT(s->nev, 2);
    CHECK_INT(s->ev[0].type, H2C_EV_HEADERS);
    CHECK_INT(s->ev[1].type, H2C_EV_DATA);
    CHECK_INT(h2c_send_data(s->c, 1, (const uint8_t *)"hi", 2, false), 2);
    CHECK_INT(client_frames(s, fr, 8, outcopy), 1);
    CHECK_INT(fr[0].hdr.type, H2F_TYPE_DATA);
    srv_data(s, 1, H2F_FLAG_END_STREAM, "bye");
    srv_flush(s);
    CHECK_INT(s->ev[s->nev - 1].type, H2C_EV_END_STREAM);
    sid = h2c_submit(s->c, &req);
    client_frames(s, fr, 8, outcopy);
    srv_headers(s, (uint32_t)sid, 0, no);
    srv_data(s, (uint32_t)sid, H2F_FLAG_END_STREAM, "toolong");
    srv_flush(s);
    CHECK_INT(s->ev[s->nev - 1].type, H2C_EV_RESET);
    CHECK_INT(s->ev[s->nev - 1].code, H2E_STREAM_PROTOCOL);
    srv_free(s);
}
