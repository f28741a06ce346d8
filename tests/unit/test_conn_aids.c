/* SPDX-License-Identifier: MIT */
/*
 * The connection's test aids (CLI.md §3) and trace queries: extra and empty SETTINGS,
 * padded HEADERS and DATA (counted against the windows, RFC 9113 §6.9.1), forced
 * CONTINUATION, our own concurrency cap, the RFC 9218 priority field, h2c_windows and
 * h2c_stream_status, and the bad-frame observer.
 */
#include <string.h>

#include "proto/conn.h"
#include "base/h2.h"
#include "tap.h"

static uint8_t copy[1 << 16];

/* Decode what the client queued (preface skipped) into `out`. */
static size_t sent(struct h2c_conn *c, struct h2f_frame *out, size_t max)
{
    struct span o = h2c_output(c);
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
    h2c_output_done(c, o.len);
    return n;
}

static void feed_settings(struct h2c_conn *c)
{
    uint8_t b[9] = {0, 0, 0, H2F_TYPE_SETTINGS, 0, 0, 0, 0, 0};
    struct h2c_event ev;

    CHECK_INT(h2c_recv(c, b, 9, NULL), 9);
    while (h2c_next_event(c, &ev))
        ;
}

static const struct hpack_field req[] = {
    {{(const uint8_t *)":method", 7}, {(const uint8_t *)"POST", 4}, 0, 0, 0},
    {{(const uint8_t *)":scheme", 7}, {(const uint8_t *)"https", 5}, 0, 0, 0},
    {{(const uint8_t *)":authority", 10}, {(const uint8_t *)"example.com", 11}, 0, 0, 0},
    {{(const uint8_t *)":path", 5}, {(const uint8_t *)"/upload", 7}, 0, 0, 0},
};

static struct h2c_conn *ready(struct h2c_config *cfg, struct h2f_frame *fr)
{
    struct h2c_conn *c = h2c_new(cfg);
    CHECK(c != NULL);
    sent(c, fr, 8);
    feed_settings(c);
    sent(c, fr, 8);
    return c;
}

TEST(test_conn_aids_extra_settings_override_and_append)
{
    struct h2c_config cfg;
    struct h2f_setting extra[] = {{H2_SETTINGS_ENABLE_PUSH, 1}, {0x99, 7}};
    struct h2f_frame fr[8];
    struct h2c_conn *c;
    struct h2f_setting st;

    h2c_config_init(&cfg, &tap_mem);
    cfg.extra_settings = extra;
    cfg.nextra_settings = 2;
    c = h2c_new(&cfg);
    CHECK_INT(sent(c, fr, 8), 2);
    CHECK_INT(fr[0].u.settings.count, 4);
    st = h2f_setting_at(&fr[0], 0);
    CHECK_INT(st.id, H2_SETTINGS_ENABLE_PUSH);
    CHECK_INT(st.value, 1);
    st = h2f_setting_at(&fr[0], 3);
    CHECK_INT(st.id, 0x99);
    CHECK_INT(st.value, 7);
    h2c_free(c);
    cfg.empty_settings = true;
    c = h2c_new(&cfg);
    sent(c, fr, 8);
    CHECK_INT(fr[0].hdr.type, H2F_TYPE_SETTINGS);
    CHECK_INT(fr[0].hdr.length, 0);
    h2c_free(c);
    CHECK_INT(tap_mem_live(), 0);
}

TEST(test_conn_aids_padding_and_continuation)
{
    struct h2c_config cfg;
    struct h2f_frame fr[8];
    struct h2c_request r = {req, 4, false, NULL};
    struct h2c_windows w;
    struct h2c_conn *c;
    int64_t sid;

    h2c_config_init(&cfg, &tap_mem);
    cfg.padding = 10;
    cfg.split_blocks = true;
    c = ready(&cfg, fr);
    sid = h2c_submit(c, &r);
    CHECK_INT(sid, 1);
    CHECK_INT(sent(c, fr, 8), 2);
    CHECK_INT(fr[0].hdr.type, H2F_TYPE_HEADERS);
    CHECK_INT(fr[0].hdr.flags, H2F_FLAG_PADDED);
    CHECK_INT(fr[0].padding.len, 10);
    CHECK_INT(fr[1].hdr.type, H2F_TYPE_CONTINUATION);
    CHECK_INT(fr[1].hdr.flags, H2F_FLAG_END_HEADERS);
    /* the HEADERS frame carries the first half of the block, CONTINUATION the rest */
    CHECK(fr[0].u.headers.block.len > 0);
    CHECK(fr[1].u.continuation.block.len - fr[0].u.headers.block.len <= 1);
    CHECK_INT(h2c_send_data(c, 1, (const uint8_t *)"hello", 5, true), 5);
    CHECK_INT(sent(c, fr, 8), 1);
    CHECK_INT(fr[0].hdr.flags, H2F_FLAG_PADDED | H2F_FLAG_END_STREAM);
    CHECK_INT(fr[0].hdr.length, 16);
    CHECK_INT(fr[0].u.data.data.len, 5);
    /* §6.9.1: the padding and its length octet count against both windows */
    h2c_windows(c, 1, &w);
    CHECK_INT(w.conn_send, 65535 - 16);
    CHECK_INT(w.stream_send, 65535 - 16);
    CHECK(w.stream_open);
    CHECK_INT(h2c_stream_status(c, 1), H2C_SS_HALF_CLOSED_LOCAL);
    CHECK_INT(h2c_stream_status(c, 3), H2C_SS_IDLE);
    h2c_free(c);
    CHECK_INT(tap_mem_live(), 0);
}

TEST(test_conn_aids_concurrency_cap_and_priority)
{
    struct h2c_config cfg;
    struct h2f_frame fr[8];
    struct h2c_request r = {req, 4, true, NULL};
    struct hpack_decoder d;
    struct hpack_list l;
    struct h2c_conn *c;

    h2c_config_init(&cfg, &tap_mem);
    cfg.max_concurrent = 1;
    cfg.priority = span_str("u=3, i");
    c = ready(&cfg, fr);
    CHECK(h2c_can_submit(c));
    CHECK_INT(h2c_submit(c, &r), 1);
    CHECK(!h2c_can_submit(c));
    CHECK_INT(sent(c, fr, 8), 1);
    hpack_decoder_init(&d, &mem_libc, 4096);
    hpack_list_init(&l, &mem_libc);
    CHECK_INT(hpack_decode_block(&d, fr[0].u.headers.block.p, fr[0].u.headers.block.len, &l, NULL),
              0);
    CHECK_INT(l.count, 5);
    if (l.count == 5) {
        CHECK(span_eq_str(l.fields[4].name, "priority"));
        CHECK(span_eq_str(l.fields[4].value, "u=3, i"));
    }
    hpack_list_release(&l);
    hpack_decoder_release(&d);
    h2c_free(c);
    CHECK_INT(tap_mem_live(), 0);
}

static int bad_code;
static uint32_t bad_len;

static void on_bad(void *ud, const struct h2f_header *hdr, const struct h2e_info *info)
{
    (void)ud;
    bad_code = info->code;
    bad_len = hdr->length;
}

TEST(test_conn_aids_bad_frame_observed)
{
    struct h2c_config cfg;
    struct h2f_frame fr[8];
    struct h2c_conn *c;
    uint8_t big[9] = {0, 0x50, 0, H2F_TYPE_DATA, 0, 0, 0, 0, 1};

    h2c_config_init(&cfg, &tap_mem);
    cfg.on_bad_frame = on_bad;
    c = ready(&cfg, fr);
    CHECK(h2c_recv(c, big, 9, NULL) < 0);
    CHECK_INT(bad_code, H2E_FRAME_SIZE);
    CHECK_INT(bad_len, 0x5000);
    h2c_free(c);
    CHECK_INT(tap_mem_live(), 0);
}

/* RFC 9113 §6.3: a PRIORITY frame of the wrong length is a stream error: the observer sees it
 * once, the frame is consumed whole and the open stream reset with FRAME_SIZE_ERROR; on a
 * stream that is not open it is only skipped. */
TEST(test_conn_aids_stream_bad_frame_skipped)
{
    struct h2c_config cfg;
    struct h2f_frame fr[8];
    struct h2c_request r = {req, 4, false, NULL};
    struct h2c_conn *c;
    uint8_t prio[13] = {0, 0, 4, H2F_TYPE_PRIORITY, 0, 0, 0, 0, 1, 0, 0, 0, 0};

    h2c_config_init(&cfg, &tap_mem);
    cfg.on_bad_frame = on_bad;
    c = ready(&cfg, fr);
    CHECK_INT(h2c_submit(c, &r), 1);
    CHECK_INT(sent(c, fr, 8), 1);
    bad_code = 0;
    CHECK_INT(h2c_recv(c, prio, sizeof(prio), NULL), 13);
    CHECK_INT(bad_code, H2E_STREAM_FRAME_SIZE);
    CHECK_INT(bad_len, 4);
    CHECK_INT(sent(c, fr, 8), 1);
    CHECK_INT(fr[0].hdr.type, H2F_TYPE_RST_STREAM);
    CHECK_INT(fr[0].hdr.stream_id, 1);
    CHECK_INT(fr[0].u.rst_stream.error_code, H2_FRAME_SIZE_ERROR);
    prio[8] = 3;
    bad_code = 0;
    CHECK_INT(h2c_recv(c, prio, sizeof(prio), NULL), 13);
    CHECK_INT(bad_code, H2E_STREAM_FRAME_SIZE);
    CHECK_INT(sent(c, fr, 8), 0);
    CHECK(!h2c_is_closing(c));
    h2c_free(c);
    CHECK_INT(tap_mem_live(), 0);
}
