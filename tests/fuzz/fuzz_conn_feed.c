/* SPDX-License-Identifier: MIT */
/*
 * Server bytes into a client connection that takes DATA in pieces, fed as packets
 * (conn_feed.c) the way decrypted TLS records are: the first byte sets the packet sizes,
 * each packet is a copy freed once fed (so a span kept past its step is caught), every
 * event is drained and body bytes are credited. Must never crash, leak or hang.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/conn.h"
#include "proto/conn_feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct hpack_field req[] = {
    {{(const uint8_t *)":method", 7}, {(const uint8_t *)"GET", 3}, 0, 0, 0},
    {{(const uint8_t *)":scheme", 7}, {(const uint8_t *)"https", 5}, 0, 0, 0},
    {{(const uint8_t *)":authority", 10}, {(const uint8_t *)"a.test", 6}, 0, 0, 0},
    {{(const uint8_t *)":path", 5}, {(const uint8_t *)"/", 1}, 0, 0, 0},
};

static volatile uint8_t seen; /* every DATA span is read: a stale one trips ASan */

/* Feed one packet; false once the connection failed. */
static int packet(struct h2c_conn *c, const uint8_t *p, size_t n, struct buf *hold)
{
    uint8_t *copy = malloc(n ? n : 1);
    struct h2c_feed f;
    struct h2c_event ev;
    int rv;

    memcpy(copy, p, n);
    h2c_feed_init(&f, copy, n, hold);
    do {
        rv = h2c_feed_step(c, &f, NULL);
        while (h2c_next_event(c, &ev))
            if (ev.type == H2C_EV_DATA && ev.data.len) {
                seen = (uint8_t)(ev.data.p[0] ^ ev.data.p[ev.data.len - 1]);
                h2c_consume(c, ev.stream_id, ev.data.len);
            }
    } while (rv > 0);
    h2c_output_done(c, h2c_output(c).len);
    free(copy);
    return rv == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct h2c_config cfg;
    struct h2c_conn *c;
    struct h2c_request r = {req, 4, true, NULL};
    struct buf hold;
    size_t off = 1, step;
    int i;

    if (size < 1)
        return 0;
    step = 1 + data[0] * 67u; /* 1 to 17,086: around a 16 KiB record */
    h2c_config_init(&cfg, &mem_libc);
    cfg.data_in_pieces = true;
    if (!(c = h2c_new(&cfg)))
        return 0;
    buf_init(&hold, &mem_libc, 1u << 20);
    for (i = 0; i < 3; i++)
        h2c_submit(c, &r);
    while (off < size && packet(c, data + off, size - off < step ? size - off : step, &hold))
        off += size - off < step ? size - off : step;
    buf_release(&hold);
    h2c_free(c);
    return 0;
}
