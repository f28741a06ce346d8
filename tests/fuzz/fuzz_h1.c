/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the HTTP/1.1 response-head parser with body framing and the HTTP/2 field validator
 * over the parsed fields. Checks: spans stay inside the input, a complete head is
 * incomplete one byte short, and the header parser agrees with and without an array.
 */
#include <stdlib.h>

#include "codec/h1.h"
#include "codec/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_in(struct span s, const uint8_t *data, size_t size)
{
    if (s.len && (s.p < data || s.p + s.len > data + size))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct h1_response r;
    struct h1_header h[16];
    struct h1_body b;
    struct msg_resp v;
    size_t n = 16, m = 16, i;
    int rv = h1_parse_response(data, size, &r, h, &n, NULL);

    if (rv > 0) {
        if ((size_t)rv > size ||
            h1_parse_response(data, (size_t)rv - 1, &r, h, &m, NULL) != H2E_INCOMPLETE)
            abort();
        n = 16;
        if (h1_parse_response(data, (size_t)rv, &r, h, &n, NULL) != rv)
            abort();
        check_in(r.reason, data, size);
        msg_resp_init(&v, 1, false);
        for (i = 0; i < n; i++) {
            check_in(h[i].name, data, size);
            check_in(h[i].value, data, size);
            if (msg_resp_field(&v, h[i].name, h[i].value, NULL) < 0)
                break;
        }
        h1_body_framing(&r, h, n, span_str("GET"), &b, NULL);
        h1_body_framing(&r, h, n, span_str("HEAD"), &b, NULL);
    }
    n = 16;
    rv = h1_parse_headers(data, size, h, &n, NULL);
    m = 0;
    if (rv >= 0 && h1_parse_headers(data, size, NULL, &m, NULL) != rv)
        abort();
    return 0;
}
