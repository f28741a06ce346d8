/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the content decoders. Byte 0 picks the chain: bits 0-1 the coding applied first
 * (gzip, deflate, br, zstd), bits 2-3 the one applied over it, bit 4 whether there are
 * two; bits 5-7 how the rest is fed (whole, or in pieces of 1 << n bytes). Every chunk
 * must be non-empty and at most CODING_CHUNK bytes; decoding stops after 64 MiB, so a
 * bomb costs time, never memory. Any result is fine as long as nothing crashes or leaks.
 */
#include <stdlib.h>

#include "codec/coding.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum coding_type t[2];
    struct h2e_info info = H2E_INFO_INIT;
    struct coding c;
    struct span o;
    size_t step, at = 1, total = 0;
    int rv = 0;

    if (size < 1)
        return 0;
    t[0] = (enum coding_type)(data[0] & 3);
    t[1] = (enum coding_type)((data[0] >> 2) & 3);
    step = (data[0] >> 5) ? (size_t)1 << (data[0] >> 5) : size;
    if (coding_init(&c, &mem_libc, t, (data[0] & 16) ? 2 : 1, &info) != 0)
        abort();
    while (at < size && rv >= 0 && total < (64u << 20)) {
        size_t n = size - at < step ? size - at : step;
        coding_feed(&c, data + at, n);
        at += n;
        while (total < (64u << 20) && (rv = coding_next(&c, &o, &info)) == 1) {
            if (o.len == 0 || o.len > CODING_CHUNK)
                abort();
            total += o.len;
        }
        if (rv < 0 && !info.why)
            abort();
    }
    if (rv == 0 && coding_finish(&c, &info) != 0 && !info.why)
        abort();
    coding_release(&c);
    return 0;
}
