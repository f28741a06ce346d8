/* SPDX-License-Identifier: MIT */
/*
 * Server bytes into a client connection (nghttp2's fuzz_target idea): three requests are
 * open, the input is fed as the server's side of the connection, every event is drained
 * and body bytes are credited, output is drained. Must never crash, leak or hang.
 */
#include <stdint.h>
#include <string.h>

#include "proto/conn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct hpack_field req[] = {
    {{(const uint8_t *)":method", 7}, {(const uint8_t *)"POST", 4}, 0, 0, 0},
    {{(const uint8_t *)":scheme", 7}, {(const uint8_t *)"https", 5}, 0, 0, 0},
    {{(const uint8_t *)":authority", 10}, {(const uint8_t *)"a.test", 6}, 0, 0, 0},
    {{(const uint8_t *)":path", 5}, {(const uint8_t *)"/", 1}, 0, 0, 0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct h2c_config cfg;
    struct h2c_conn *c;
    struct h2c_request r = {req, 4, false, NULL};
    size_t off = 0;
    int i;

    h2c_config_init(&cfg, &mem_libc);
    c = h2c_new(&cfg);
    if (!c)
        return 0;
    for (i = 0; i < 3; i++)
        h2c_submit(c, &r);
    while (off < size) {
        struct h2c_event ev;
        int rv = h2c_recv(c, data + off, size - off, NULL);
        while (h2c_next_event(c, &ev))
            if (ev.type == H2C_EV_DATA)
                h2c_consume(c, ev.stream_id, ev.data.len);
        h2c_send_data(c, 1, data, size < 100 ? size : 100, false);
        h2c_output_done(c, h2c_output(c).len);
        if (rv <= 0)
            break;
        off += (size_t)rv;
    }
    h2c_free(c);
    return 0;
}
