/* SPDX-License-Identifier: MIT */
/*
 * HPACK Huffman code (RFC 7541 §5.2, Appendix B): length, encoding with EOS-prefix padding,
 * and decoding four bits per step through the generated state machine in hpack_huff.h
 * (scripts/mkhuff.py). Decoding rejects the EOS symbol and padding that is longer than 7
 * bits or not all ones. Pure functions over caller buffers; no I/O.
 */
#include "hpack.h"
#include "base/buf.h"
#include "base/err.h"
#include "hpack_huff.h"
#include "hpack_int.h"

size_t hpack_huff_len(struct span s)
{
    uint64_t bits = 0;
    size_t i;

    for (i = 0; i < s.len; i++)
        bits += hpack_huff_enc[s.p[i]].len;
    return (size_t)((bits + 7) / 8);
}

size_t hpack_huff_encode(uint8_t *out, struct span s)
{
    uint64_t acc = 0; /* the low `n` bits are pending output, MSB first */
    unsigned n = 0;
    uint8_t *o = out;
    size_t i;

    for (i = 0; i < s.len; i++) {
        const struct hpack_huff_sym *h = &hpack_huff_enc[s.p[i]];
        acc = acc << h->len | h->code;
        n += h->len;
        if (n >= 32) {
            uint32_t w = (uint32_t)(acc >> (n - 32));
            o[0] = (uint8_t)(w >> 24);
            o[1] = (uint8_t)(w >> 16);
            o[2] = (uint8_t)(w >> 8);
            o[3] = (uint8_t)w;
            o += 4;
            n -= 32;
        }
    }
    while (n >= 8) {
        n -= 8;
        *o++ = (uint8_t)(acc >> n);
    }
    /* §5.2: pad to an octet boundary with the most significant bits of EOS (all ones). */
    if (n)
        *o++ = (uint8_t)((acc << (8 - n)) | (0xffu >> n));
    return (size_t)(o - out);
}

int hpack_huff_decode_why(struct span in, struct buf *out, const char **why)
{
    const uint8_t *p = in.p, *end;
    unsigned state = 0, seen = 0, last = HPACK_HUFF_ACCEPT;
    uint8_t *o;
    int rv;

    if (in.len == 0)
        return 0;
    /* Every code is at least 5 bits: at most 8 * len / 5 symbols, plus one scratch byte
     * that a step without a symbol writes (and does not count). */
    rv = buf_reserve(out, in.len / 5 * 8 + in.len % 5 * 8 / 5 + 1);
    if (rv)
        return rv;
    end = p + in.len;
    o = out->p + out->len;
    for (; p < end; p++) {
        const struct hpack_huff_step *s = &hpack_huff_dec[state][*p >> 4];
        *o = s->sym;
        o += s->flags & HPACK_HUFF_EMIT;
        seen |= s->flags;
        s = &hpack_huff_dec[s->next][*p & 15];
        *o = s->sym;
        o += s->flags & HPACK_HUFF_EMIT;
        seen |= s->flags;
        state = s->next;
        last = s->flags;
    }
    if (seen & HPACK_HUFF_FAIL) {
        *why = "RFC 7541 §5.2: Huffman string contains the EOS symbol";
        return H2E_HPACK_HUFFMAN;
    }
    if (!(last & HPACK_HUFF_ACCEPT)) {
        *why = (last & HPACK_HUFF_ONES) ? "RFC 7541 §5.2: Huffman padding longer than 7 bits"
                                        : "RFC 7541 §5.2: Huffman padding is not all ones";
        return H2E_HPACK_HUFFMAN;
    }
    out->len = (size_t)(o - out->p);
    return 0;
}

int hpack_huff_decode(struct span in, struct buf *out)
{
    const char *why;
    return hpack_huff_decode_why(in, out, &why);
}
