/* SPDX-License-Identifier: MIT */
/*
 * Server bytes into the SSE parser (codec/sse). The first byte picks how the rest is cut
 * into reads (1 to 256 bytes). Invariants: a call never consumes more than it was given
 * and consumes everything unless it dispatched; no event, id or line passes the cap; once
 * the cap is hit the parser is not fed again.
 */
#include <stdlib.h>

#include "codec/sse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 256u

static int feed(struct sse *s, const uint8_t *p, size_t n)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct sse_event ev;
    size_t used;
    int rv;

    while (n) {
        rv = sse_feed(s, p, n, &used, &ev, &info);
        if (rv < 0) {
            if (rv != H2E_SSE_TOO_BIG || !info.why)
                abort();
            return rv;
        }
        if (used > n || (rv == 0 && used != n) || (rv == 1 && !used))
            abort();
        if (rv == 1 && (ev.data.len >= CAP || ev.type.len > CAP || ev.id.len > CAP))
            abort();
        p += used;
        n -= used;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sse s;
    size_t step, off;

    if (!size)
        return 0;
    step = (size_t)data[0] + 1;
    sse_init(&s, &mem_libc, CAP);
    for (off = 1; off < size; off += step) {
        size_t n = size - off < step ? size - off : step;
        if (feed(&s, data + off, n) != 0)
            break;
        if (data[off] == 0xff) /* now and then, a reconnection */
            sse_restart(&s);
    }
    sse_release(&s);
    return 0;
}
