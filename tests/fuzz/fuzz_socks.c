/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the SOCKS reply parsers with what a proxy might send a client. The first byte picks
 * the exchange (SOCKS5 without or with RFC 1929 authentication, or SOCKS4); the rest is
 * the proxy's bytes, parsed message after message as a client would. A parser never
 * consumes more than it was given, and every shorter prefix of a message is incomplete.
 */
#include <stdlib.h>
#include <string.h>

#include "codec/socks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse message `kind` (0 method, 1 auth, 2 SOCKS5 reply, 3 SOCKS4 reply) at `p`. */
static int parse(int kind, const uint8_t *p, size_t n)
{
    struct socks_reply5 r;
    uint8_t v;

    switch (kind) {
    case 0:
        return socks_parse_method(p, n, &v, NULL);
    case 1:
        return socks_parse_auth(p, n, &v, NULL);
    case 2:
        return socks_parse_reply5(p, n, &r, NULL);
    default:
        return socks_parse_reply4(p, n, &v, NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int flows[3][3] = {{0, 2, -1}, {0, 1, 2}, {3, -1, -1}};
    const int *flow;
    size_t off = 1, i, k;

    if (size < 1)
        return 0;
    flow = flows[data[0] % 3];
    for (i = 0; i < 3 && flow[i] >= 0; i++) {
        uint8_t *copy = malloc(size - off + 1);
        int rv;
        memcpy(copy, data + off, size - off);
        rv = parse(flow[i], copy, size - off);
        if (rv > 0 && (size_t)rv > size - off)
            abort();
        for (k = 0; rv > 0 && k < (size_t)rv; k++)
            if (parse(flow[i], copy, k) != H2E_INCOMPLETE)
                abort();
        free(copy);
        if (rv <= 0)
            return 0;
        off += (size_t)rv;
    }
    return 0;
}
