/* SPDX-License-Identifier: MIT */
/*
 * CRC-32 by folding (Gopal et al., "Fast CRC Computation for Generic Polynomials Using
 * PCLMULQDQ Instruction", Intel, 2009), in the bit-reflected form that needs no byte
 * shuffles: four 128-bit lanes are carried 512 bits forward per step by multiplying each
 * half with x^(512±32) mod P, folded into one lane, then reduced 128 -> 64 -> 32 bits and
 * by Barrett reduction. The constants are those of the paper for P = 0x04C11DB7, as the
 * Linux kernel's crc32-pclmul uses them; the unit tests check every length against zlib.
 * What is left over (under 64 bytes, or a tail under 16) goes to zlib's crc32_z, as does
 * everything on a CPU without PCLMULQDQ and SSE4.1.
 */
#include "crc32.h"

#include <zlib.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define FOLD_TARGET __attribute__((target("pclmul,sse4.1")))

/* x: one lane; carried 128 bits (k34) or 512 bits (k12) forward and added to `next` */
FOLD_TARGET static inline __m128i fold(__m128i x, __m128i next, __m128i k)
{
    __m128i lo = _mm_clmulepi64_si128(x, k, 0x00), hi = _mm_clmulepi64_si128(x, k, 0x11);

    return _mm_xor_si128(_mm_xor_si128(lo, hi), next);
}

FOLD_TARGET static inline __m128i load(const uint8_t *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* The CRC register (not inverted) after `n` bytes, n >= 64 and a multiple of 16. */
FOLD_TARGET static uint32_t fold_all(uint32_t reg, const uint8_t *p, size_t n)
{
    const __m128i k12 = _mm_set_epi64x(0x1c6e41596, 0x154442bd4);  /* x^(512-32), x^(512+32) */
    const __m128i k34 = _mm_set_epi64x(0x0ccaa009e, 0x1751997d0);  /* x^(128-32), x^(128+32) */
    const __m128i k5 = _mm_set_epi64x(0, 0x163cd6124);             /* x^64 */
    const __m128i mu_p = _mm_set_epi64x(0x1f7011641, 0x1db710641); /* Barrett: mu, P' */
    const __m128i low32 = _mm_set_epi32(0, 0, 0, -1);
    __m128i x0 = _mm_xor_si128(load(p), _mm_cvtsi32_si128((int)reg));
    __m128i x1 = load(p + 16), x2 = load(p + 32), x3 = load(p + 48), t;

    for (p += 64, n -= 64; n >= 64; p += 64, n -= 64) {
        x0 = fold(x0, load(p), k12);
        x1 = fold(x1, load(p + 16), k12);
        x2 = fold(x2, load(p + 32), k12);
        x3 = fold(x3, load(p + 48), k12);
    }
    x0 = fold(fold(fold(x0, x1, k34), x2, k34), x3, k34);
    for (; n >= 16; p += 16, n -= 16)
        x0 = fold(x0, load(p), k34);
    /* 128 -> 64 bits: the low half carried 64 bits forward onto the high half */
    x0 = _mm_xor_si128(_mm_clmulepi64_si128(x0, k34, 0x10), _mm_srli_si128(x0, 8));
    /* 64 -> 32 bits */
    t = _mm_srli_si128(x0, 4);
    x0 = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x0, low32), k5, 0x00), t);
    /* Barrett reduction: the remainder mod P in the second 32-bit word */
    t = x0;
    x0 = _mm_clmulepi64_si128(_mm_and_si128(x0, low32), mu_p, 0x10);
    x0 = _mm_clmulepi64_si128(_mm_and_si128(x0, low32), mu_p, 0x00);
    return (uint32_t)_mm_extract_epi32(_mm_xor_si128(x0, t), 1);
}

int crc32_folds(void)
{
    static int have = -1;

    if (have < 0)
        have = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
    return have;
}

uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    if (n >= 64 && crc32_folds()) {
        size_t m = n & ~(size_t)15;
        /* zlib's crc32 inverts the register before and after; the fold works between */
        crc = ~fold_all(~crc, p, m);
        p += m;
        n -= m;
    }
    return (uint32_t)crc32_z(crc, p, n);
}

#else

int crc32_folds(void)
{
    return 0;
}

uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    return (uint32_t)crc32_z(crc, p, n);
}

#endif
