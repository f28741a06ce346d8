/* SPDX-License-Identifier: MIT */
/*
 * DATA frames taken in pieces (h2c_config.data_in_pieces) and the packet feed
 * (conn_feed.c): a response cut into packets at every byte gives the same body, events and
 * windows as when fed whole; DATA payload is never copied into the holding buffer; a frame
 * the connection must see whole is; a stream reset in the middle of a frame has the rest
 * of it dropped and credited; h2c_recv_need says what each frame needs.
 */
#include <stdlib.h>
#include <string.h>

#include "proto/conn.h"
#include "proto/conn_feed.h"
#include "base/h2.h"
#include "tap.h"

#define BODY_LEN 300

static uint8_t body[BODY_LEN];

static void no_frames(void *ud, bool sent, const struct h2f_frame *f,
                      const struct hpack_list *block)
{
    (void)ud, (void)sent, (void)f, (void)block;
}

static void drop_output(struct h2c_conn *c)
{
    h2c_output_done(c, h2c_output(c).len);
}

/* A connection past the SETTINGS exchange with stream 1 open (a GET). */
static struct h2c_conn *ready(bool pieces, bool observed, bool paced)
{
    static const struct hpack_field get[] = {
        {{(const uint8_t *)":method", 7}, {(const uint8_t *)"GET", 3}, 0, 0, 0},
        {{(const uint8_t *)":scheme", 7}, {(const uint8_t *)"https", 5}, 0, 0, 0},
        {{(const uint8_t *)":authority", 10}, {(const uint8_t *)"a.example", 9}, 0, 0, 0},
        {{(const uint8_t *)":path", 5}, {(const uint8_t *)"/", 1}, 0, 0, 0},
    };
    static const uint8_t settings[9] = {0, 0, 0, H2F_TYPE_SETTINGS, 0, 0, 0, 0, 0};
    struct h2c_request req = {get, 4, true, NULL};
    struct h2c_config cfg;
    struct h2c_conn *c;

    h2c_config_init(&cfg, &tap_mem);
    cfg.data_in_pieces = pieces;
    cfg.paced_credit = paced;
    if (observed)
        cfg.on_frame = no_frames;
    c = h2c_new(&cfg);
    CHECK(c != NULL);
    CHECK_INT(h2c_recv(c, settings, sizeof(settings), NULL), 9);
    CHECK_INT(h2c_submit(c, &req), 1);
    drop_output(c);
    return c;
}

static size_t put(uint8_t *w, size_t off, const struct h2f_frame *f)
{
    int n = h2f_encode(f, NULL, 0, w + off, 4096 - off);
    CHECK(n > 0);
    return off + (n > 0 ? (size_t)n : 0);
}

/* The server's answer on stream 1: HEADERS (content-length `clen`), DATA of `dlen` bytes of
 * `body` with `dflags`, then a PING. Returns the length; `*hlen` the HEADERS frame's. */
static size_t answer(uint8_t *w, const char *clen, size_t dlen, uint8_t dflags, size_t *hlen)
{
    struct hpack_encoder enc;
    struct hpack_field f[2];
    struct h2f_frame fr;
    struct buf b;
    size_t off;

    memset(f, 0, sizeof(f));
    f[0].name = span_str(":status");
    f[0].value = span_str("200");
    f[1].name = span_str("content-length");
    f[1].value = span_str(clen);
    hpack_encoder_init(&enc, &mem_libc, 4096);
    buf_init(&b, &mem_libc, 4096);
    CHECK_INT(hpack_encode_block(&enc, f, 2, &b, NULL), 0);
    memset(&fr, 0, sizeof(fr));
    fr.hdr.type = H2F_TYPE_HEADERS;
    fr.hdr.flags = H2F_FLAG_END_HEADERS;
    fr.hdr.stream_id = 1;
    fr.u.headers.block = buf_span(&b);
    off = *hlen = put(w, 0, &fr);
    memset(&fr, 0, sizeof(fr));
    fr.hdr.type = H2F_TYPE_DATA;
    fr.hdr.flags = dflags;
    fr.hdr.stream_id = 1;
    fr.u.data.data = span_of(body, dlen);
    if (dflags & H2F_FLAG_PADDED)
        fr.padding = span_of(NULL, 3);
    off = put(w, off, &fr);
    memset(&fr, 0, sizeof(fr));
    fr.hdr.type = H2F_TYPE_PING;
    memcpy(fr.u.ping.opaque, "feedtest", 8);
    off = put(w, off, &fr);
    buf_release(&b);
    hpack_encoder_release(&enc);
    return off;
}

struct got {
    uint8_t data[BODY_LEN];
    size_t len, ndata, ends, resets, held_max;
    bool end_last; /* END_STREAM came after every DATA event */
    int err;
};

static void drain(struct h2c_conn *c, struct got *g)
{
    struct h2c_event ev;

    while (h2c_next_event(c, &ev)) {
        g->end_last = ev.type == H2C_EV_END_STREAM;
        if (ev.type == H2C_EV_DATA) {
            CHECK(g->len + ev.data.len <= sizeof(g->data));
            if (g->len + ev.data.len <= sizeof(g->data))
                memcpy(g->data + g->len, ev.data.p, ev.data.len);
            g->len += ev.data.len;
            g->ndata++;
            h2c_consume(c, ev.stream_id, ev.data.len);
        }
        g->ends += ev.type == H2C_EV_END_STREAM;
        g->resets += ev.type == H2C_EV_RESET;
    }
}

/* Feed `w` as packets cut at `cuts` (ascending, `ncuts` of them), each packet a copy of
 * its own that is overwritten once fed, as a TLS record is. */
static void feed(struct h2c_conn *c, const uint8_t *w, size_t n, const size_t *cuts, size_t ncuts,
                 struct got *g)
{
    struct buf hold;
    size_t i, from = 0;

    memset(g, 0, sizeof(*g));
    buf_init(&hold, &mem_libc, 1 << 16);
    for (i = 0; i <= ncuts && !g->err; i++) {
        size_t to = i < ncuts ? cuts[i] : n;
        uint8_t *pkt = malloc(to - from + 1);
        struct h2c_feed f;
        int rv;
        memcpy(pkt, w + from, to - from);
        h2c_feed_init(&f, pkt, to - from, &hold);
        while ((rv = h2c_feed_step(c, &f, NULL)) > 0) {
            drain(c, g);
            if (hold.len > g->held_max)
                g->held_max = hold.len;
        }
        drain(c, g);
        if (hold.len > g->held_max)
            g->held_max = hold.len;
        g->err = rv;
        memset(pkt, 0xee, to - from);
        free(pkt);
        from = to;
    }
    CHECK_INT(hold.len, 0);
    buf_release(&hold);
}

/* The client answered the PING (it was read after the DATA). */
static bool ping_acked(struct h2c_conn *c)
{
    struct span o = h2c_output(c);
    size_t off = 0;

    while (off + H2_FRAME_HEADER_LEN <= o.len) {
        struct h2f_header h;
        h2f_decode_header(o.p + off, o.len - off, &h);
        if (h.type == H2F_TYPE_PING && (h.flags & H2F_FLAG_ACK))
            return true;
        off += H2_FRAME_HEADER_LEN + h.length;
    }
    return false;
}

static void fill_body(void)
{
    size_t i;

    for (i = 0; i < BODY_LEN; i++)
        body[i] = (uint8_t)(i * 7 + 1);
}

TEST(test_conn_feed_two_packets_at_every_byte)
{
    uint8_t w[4096];
    size_t hlen, n, cut;

    fill_body();
    n = answer(w, "300", BODY_LEN, H2F_FLAG_END_STREAM, &hlen);
    for (cut = 0; cut <= n && !tap_failed(); cut++) {
        struct h2c_conn *c = ready(true, false, false);
        struct got g;
        feed(c, w, n, &cut, 1, &g);
        CHECK_INT(g.err, 0);
        CHECK_INT(g.len, BODY_LEN);
        CHECK_MEM(g.data, g.len, body, BODY_LEN);
        CHECK_INT(g.ends, 1);
        CHECK(g.ndata <= 2);
        CHECK(ping_acked(c));
        /* payload is never held: only HEADERS, the PING (17 octets) or a header waits */
        CHECK(g.held_max <= hlen || g.held_max <= 17);
        CHECK_INT(h2c_active_streams(c), 0);
        h2c_free(c);
    }
    CHECK_INT(tap_mem_live(), 0);
}

TEST(test_conn_feed_three_packets)
{
    uint8_t w[4096];
    size_t hlen, n, a;

    fill_body();
    n = answer(w, "300", BODY_LEN, H2F_FLAG_END_STREAM, &hlen);
    for (a = 0; a + 5 <= n && !tap_failed(); a++) {
        size_t cuts[2] = {a, a + 5};
        struct h2c_conn *c = ready(true, false, false);
        struct got g;
        feed(c, w, n, cuts, 2, &g);
        CHECK_INT(g.err, 0);
        CHECK_MEM(g.data, g.len, body, BODY_LEN);
        CHECK(g.end_last || g.ends == 1);
        CHECK_INT(g.ends, 1);
        CHECK(ping_acked(c));
        h2c_free(c);
    }
}

/* With an observer (a trace) every frame is seen whole: DATA waits in `hold` whole. */
TEST(test_conn_feed_observed_frames_stay_whole)
{
    uint8_t w[4096];
    size_t hlen, n, cut = 0;
    struct h2c_conn *c;
    struct got g;

    fill_body();
    n = answer(w, "300", BODY_LEN, H2F_FLAG_END_STREAM, &hlen);
    cut = hlen + 50;
    c = ready(true, true, false);
    CHECK_INT(h2c_recv_need(c, w + hlen, 50), H2_FRAME_HEADER_LEN + BODY_LEN);
    feed(c, w, n, &cut, 1, &g);
    CHECK_INT(g.err, 0);
    CHECK_INT(g.ndata, 1);
    CHECK_MEM(g.data, g.len, body, BODY_LEN);
    CHECK(g.held_max >= 50); /* the DATA frame's first 50 octets waited for the rest */
    h2c_free(c);
}

/* Padded DATA is taken whole: its padding's length is in its first payload octet. */
TEST(test_conn_feed_padded_data_waits)
{
    uint8_t w[4096];
    size_t hlen, n;
    struct h2c_conn *c = ready(true, false, false);
    struct h2c_event ev;

    fill_body();
    n = answer(w, "300", BODY_LEN, H2F_FLAG_END_STREAM | H2F_FLAG_PADDED, &hlen);
    CHECK_INT(h2c_recv(c, w, hlen, NULL), (int)hlen);
    while (h2c_next_event(c, &ev))
        ;
    CHECK_INT(h2c_recv_need(c, w + hlen, 20), H2_FRAME_HEADER_LEN + BODY_LEN + 4);
    CHECK_INT(h2c_recv(c, w + hlen, 20, NULL), 0);
    CHECK(n > hlen);
    h2c_free(c);
}

/* The windows come out as when the frame is fed whole (RFC 9113 §6.9.1). */
TEST(test_conn_feed_windows_as_whole)
{
    uint8_t w[4096];
    size_t hlen, n, cut;
    struct h2c_windows whole, pieces;
    struct h2c_conn *c = ready(false, false, false);
    struct got g;

    fill_body();
    n = answer(w, "300", BODY_LEN, 0, &hlen);
    feed(c, w, n, NULL, 0, &g);
    h2c_windows(c, 1, &whole);
    h2c_free(c);
    c = ready(true, false, false);
    cut = hlen + 20;
    feed(c, w, n, &cut, 1, &g);
    CHECK_INT(g.ndata, 2);
    h2c_windows(c, 1, &pieces);
    CHECK(whole.stream_open && pieces.stream_open);
    CHECK_INT(pieces.conn_recv, whole.conn_recv);
    CHECK_INT(pieces.stream_recv, whole.stream_recv);
    h2c_free(c);
}

/* A stream reset while its DATA frame is coming in: the rest is dropped, no event, and its
 * octets are credited to the connection (else the server's window would shrink for good). */
TEST(test_conn_feed_reset_in_the_middle)
{
    uint8_t w[4096];
    size_t hlen, n;
    struct h2c_conn *c = ready(true, false, true);
    struct buf hold;
    struct h2c_feed f;
    struct got g;

    fill_body();
    memset(&g, 0, sizeof(g));
    n = answer(w, "300", BODY_LEN, H2F_FLAG_END_STREAM, &hlen);
    buf_init(&hold, &mem_libc, 1 << 16);
    h2c_feed_init(&f, w, hlen + H2_FRAME_HEADER_LEN + 10, &hold);
    while (h2c_feed_step(c, &f, NULL) > 0)
        drain(c, &g);
    CHECK_INT(g.len, 10);
    CHECK_INT((int)h2c_credit_owed(c), 10);
    h2c_reset_stream(c, 1, H2_CANCEL);
    h2c_feed_init(&f, w + f.n, n - f.n, &hold);
    while (h2c_feed_step(c, &f, NULL) > 0)
        drain(c, &g);
    CHECK_INT(g.len, 10);
    CHECK_INT(g.ndata, 1);
    CHECK_INT(g.ends, 0);
    CHECK_INT((int)h2c_credit_owed(c), BODY_LEN);
    CHECK(ping_acked(c));
    CHECK_INT(hold.len, 0);
    buf_release(&hold);
    h2c_free(c);
}

/* More DATA than content-length is found from the header (§8.1.1): reset at once, the
 * payload dropped as it comes and credited, later frames read as usual. */
TEST(test_conn_feed_content_length_exceeded_from_the_header)
{
    uint8_t w[4096];
    size_t hlen, n, cut;
    struct h2c_conn *c = ready(true, false, true);
    struct got g;

    fill_body();
    n = answer(w, "5", BODY_LEN, H2F_FLAG_END_STREAM, &hlen);
    cut = hlen + H2_FRAME_HEADER_LEN + 1;
    feed(c, w, n, &cut, 1, &g);
    CHECK_INT(g.err, 0);
    CHECK_INT(g.ndata, 0);
    CHECK_INT(g.resets, 1);
    CHECK_INT(g.ends, 0);
    CHECK_INT((int)h2c_credit_owed(c), BODY_LEN);
    CHECK(ping_acked(c));
    h2c_free(c);
}

TEST(test_conn_feed_recv_need)
{
    uint8_t w[4096];
    size_t hlen;
    static const uint8_t big[9] = {0, 0x40, 0x01, H2F_TYPE_DATA, 0, 0, 0, 0, 1};
    struct h2c_conn *c = ready(true, false, false);
    struct h2c_event ev;

    fill_body();
    answer(w, "300", BODY_LEN, 0, &hlen);
    CHECK_INT(h2c_recv_need(c, w, 0), H2_FRAME_HEADER_LEN);
    CHECK_INT(h2c_recv_need(c, w, 8), H2_FRAME_HEADER_LEN);
    CHECK_INT(h2c_recv_need(c, w, 9), hlen);                  /* HEADERS: whole */
    CHECK_INT(h2c_recv_need(c, big, 9), H2_FRAME_HEADER_LEN); /* too long: fails at once */
    CHECK_INT(h2c_recv(c, w, hlen, NULL), (int)hlen);
    while (h2c_next_event(c, &ev))
        ;
    CHECK_INT(h2c_recv_need(c, w + hlen, 9), H2_FRAME_HEADER_LEN); /* DATA: in pieces */
    CHECK_INT(h2c_recv(c, w + hlen, 9, NULL), 9);
    CHECK_INT(h2c_recv_need(c, w + hlen + 9, 0), 1); /* inside its payload */
    CHECK_INT(h2c_recv(c, w + hlen + 9, 0, NULL), 0);
    CHECK_INT(h2c_recv(c, w + hlen + 9, BODY_LEN + 9, NULL), BODY_LEN); /* not the PING */
    h2c_free(c);
}

/* A frame that cannot be held is an error, not a silent loss. */
TEST(test_conn_feed_hold_limit)
{
    uint8_t w[4096];
    size_t hlen;
    struct h2c_conn *c = ready(true, false, false);
    struct buf hold;
    struct h2c_feed f;
    struct h2e_info info = H2E_INFO_INIT;

    fill_body();
    answer(w, "300", BODY_LEN, 0, &hlen);
    buf_init(&hold, &mem_libc, 4);
    h2c_feed_init(&f, w, hlen - 1, &hold);
    CHECK_INT(h2c_feed_step(c, &f, &info), H2E_LIMIT_BUFFER);
    CHECK(info.why != NULL);
    buf_release(&hold);
    h2c_free(c);
}
