/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the content decoders. Byte 0 picks the chain: bits 0-1 the coding applied first
 * (gzip, deflate, br, zstd), bits 2-3 the one applied over it, bit 4 whether there are
 * two; bits 5-7 how the rest is fed (whole, or in pieces of 1 << n bytes). Every chunk
 * must be non-empty and at most CODING_CHUNK bytes; decoding stops after 64 MiB, so a
 * bomb costs time, never memory. Any result is fine as long as nothing crashes or leaks,
 * except for gzip alone, where coding.c checks the members' CRC-32 and ISIZE itself: there
 * its verdict, length and CRC-32 of the output must be those of zlib's own checking inflate
 * (`reference`).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <zlib.h>

#include "codec/coding.h"

#define FUZZ_OUT_MAX (64u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct verdict {
    bool ok;    /* the whole input decoded */
    size_t len; /* decoded bytes */
    uLong crc;  /* their CRC-32 */
    bool cut;   /* stopped at FUZZ_OUT_MAX: no verdict */
};

/* zlib alone, checking each member, under coding.c's rules for what follows a member: one
 * that starts with 1f 8b (or a lone 1f, which can only end truncated), else an error. */
static struct verdict reference(const uint8_t *p, size_t n)
{
    static uint8_t out[1u << 16];
    struct verdict v = {n == 0, 0, crc32(0, NULL, 0), false};
    z_stream z = {0};
    int r = Z_OK;

    if (n == 0 || inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return v;
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)n;
    for (;;) {
        z.next_out = out;
        z.avail_out = sizeof(out);
        r = inflate(&z, Z_NO_FLUSH);
        v.crc = crc32(v.crc, out, (uInt)(sizeof(out) - z.avail_out));
        v.len += sizeof(out) - z.avail_out;
        if (v.len >= FUZZ_OUT_MAX) {
            v.cut = true;
            break;
        }
        if (r == Z_STREAM_END) {
            if (z.avail_in == 0) {
                v.ok = true;
                break;
            }
            if (z.next_in[0] != 0x1f || (z.avail_in > 1 && z.next_in[1] != 0x8b) ||
                inflateReset(&z) != Z_OK)
                break;
            continue;
        }
        if (r != Z_OK || (z.avail_in == 0 && z.avail_out != 0))
            break; /* an error, or all input taken short of the member's end */
    }
    inflateEnd(&z);
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum coding_type t[2];
    struct h2e_info info = H2E_INFO_INIT;
    struct coding c;
    struct span o;
    size_t step, at = 1, total = 0;
    uLong crc = crc32(0, NULL, 0);
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
            crc = crc32(crc, o.p, (uInt)o.len);
        }
        if (rv < 0 && !info.why)
            abort();
    }
    if (rv == 0 && (rv = coding_finish(&c, &info)) != 0 && !info.why)
        abort();
    coding_release(&c);
    if (t[0] == CODING_GZIP && !(data[0] & 16) && total < FUZZ_OUT_MAX) {
        struct verdict v = reference(data + 1, size - 1);
        if (!v.cut && (v.ok != (rv == 0) || (v.ok && (v.len != total || v.crc != crc))))
            abort();
    }
    return 0;
}
