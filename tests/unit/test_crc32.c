/* SPDX-License-Identifier: MIT */
/* crc32_update against zlib's crc32_z: every length up to 1,100 at several alignments (the
 * fold's 64-byte start, its 16-byte steps and the tails zlib finishes), a value carried
 * across calls split anywhere, and the catalogue check value of CRC-32/ISO-HDLC, the CRC of
 * gzip: "123456789" -> 0xCBF43926. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "codec/crc32.h"
#include "tap.h"

static uint8_t *noise(size_t n)
{
    uint8_t *p = malloc(n);
    uint32_t x = 2463534242u;
    size_t i;

    for (i = 0; i < n; i++) { /* xorshift32 */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)x;
    }
    return p;
}

TEST(test_crc32_every_length_and_alignment)
{
    size_t n = 1100, off, len, bad = 0;
    uint8_t *p = noise(n + 16);

    CHECK_INT(crc32_update(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
    CHECK_INT(crc32_update(0, NULL, 0), 0);
    for (off = 0; off < 16; off += 5)
        for (len = 0; len <= n; len++) {
            uint32_t seed = (uint32_t)(len * 2654435761u);
            if (crc32_update(seed, p + off, len) != (uint32_t)crc32_z(seed, p + off, len))
                bad++;
        }
    CHECK_INT(bad, 0);
    free(p);
}

TEST(test_crc32_large_and_split)
{
    size_t n = 1u << 20, cut;
    uint8_t *p = noise(n);
    uint32_t whole = (uint32_t)crc32_z(0, p, n);

    CHECK_INT(crc32_update(0, p, n), whole);
    for (cut = 0; cut <= n; cut += 99991)
        CHECK_INT(crc32_update(crc32_update(0, p, cut), p + cut, n - cut), whole);
    /* all zeros and all ones, where a wrong constant shows at once */
    memset(p, 0, n);
    CHECK_INT(crc32_update(0, p, n), (uint32_t)crc32_z(0, p, n));
    memset(p, 0xff, n);
    CHECK_INT(crc32_update(0, p, n), (uint32_t)crc32_z(0, p, n));
    printf("# crc32_update %s\n",
           crc32_folds() ? "folds with PCLMULQDQ" : "is zlib's crc32_z on this CPU");
    free(p);
}
