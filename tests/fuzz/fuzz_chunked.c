/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the chunked decoder. The first byte picks how many bytes arrive at a time; body,
 * end offset and result must equal those of decoding in one go, and the trailer section
 * must parse with h1_parse_headers.
 */
#include <stdlib.h>
#include <string.h>

#include "codec/h1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run(const uint8_t *p, size_t len, size_t step, uint8_t *out, size_t *olen, size_t *end)
{
    struct h1_chunked c = {0};
    size_t start = 0, avail = step < len ? step : len, used, n = 0;
    struct span d;

    for (*olen = 0; !c.done;) {
        int rv = h1_chunked_decode(&c, p + start, avail - start, &used, &d, NULL);
        if (rv == H2E_INCOMPLETE && avail < len) {
            avail = avail + step < len ? avail + step : len;
            continue;
        }
        if (rv < 0)
            return rv;
        if (d.len && (d.p < p + start || d.p + d.len > p + start + used))
            abort();
        memcpy(out + *olen, d.p, d.len);
        *olen += d.len;
        start += used;
    }
    *end = start;
    if (h1_parse_headers(c.trailers.p, c.trailers.len, NULL, &n, NULL) != (int)c.trailers.len)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *a, *b;
    size_t alen = 0, blen = 0, aend = 0, bend = 0;
    int ra, rb;

    if (size < 1)
        return 0;
    a = malloc(size);
    b = malloc(size);
    ra = run(data + 1, size - 1, size, a, &alen, &aend);
    rb = run(data + 1, size - 1, (size_t)data[0] % 17 + 1, b, &blen, &bend);
    if (ra != rb || alen != blen || aend != bend || (alen && memcmp(a, b, alen) != 0))
        abort();
    free(a);
    free(b);
    return 0;
}
