/* SPDX-License-Identifier: MIT */
/*
 * JSON values into a struct buf (RFC 8259 §7 strings, §6 numbers): see json.h.
 */
#include "json.h"

#include <string.h>

int json_raw(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int json_str(struct buf *b, struct span s)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, run = 0;
    int rv = buf_append(b, "\"", 1);

    /* runs of plain bytes go in one append */
    for (i = 0; i < s.len && rv == 0; i++) {
        uint8_t c = s.p[i];
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        if (c >= 0x20 && c <= 0x7e && c != '"' && c != '\\') {
            run++;
            continue;
        }
        rv = buf_append(b, s.p + i - run, run);
        run = 0;
        if (rv == 0 && (c == '"' || c == '\\')) {
            esc[1] = (char)c;
            rv = buf_append(b, esc, 2);
        } else if (rv == 0) {
            rv = buf_append(b, esc, sizeof(esc));
        }
    }
    if (rv == 0)
        rv = buf_append(b, s.p + s.len - run, run);
    return rv ? rv : buf_append(b, "\"", 1);
}

static bool plain(uint8_t c)
{
    return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
}

/* The code point at `p` (WHATWG Encoding §4.1 UTF-8 decoder): the bytes it takes, and
 * U+FFFD for a maximal ill-formed subpart (then as many bytes as belonged to it, >= 1). */
static size_t utf8_next(const uint8_t *p, size_t n, uint32_t *cp)
{
    uint8_t c = p[0], lo = 0x80, hi = 0xbf;
    size_t need, i;
    uint32_t v;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        need = 1, v = c & 0x1fu;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 2, v = c & 0xfu, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3, v = c & 7u, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        *cp = 0xfffd;
        return 1;
    }
    for (i = 1; i <= need; i++, lo = 0x80, hi = 0xbf) {
        if (i >= n || p[i] < lo || p[i] > hi) {
            *cp = 0xfffd;
            return i;
        }
        v = v << 6 | (p[i] & 0x3fu);
    }
    *cp = v;
    return need + 1;
}

/* \uXXXX, or a surrogate pair past U+FFFF (RFC 8259 §7). */
static int escape_cp(struct buf *b, uint32_t cp)
{
    static const char hex[] = "0123456789abcdef";
    char e[12] = {'\\', 'u'};
    uint32_t u[2] = {cp, 0};
    size_t k, n = 1, j;

    if (cp >= 0x10000) {
        u[0] = 0xd800 + ((cp - 0x10000) >> 10);
        u[1] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
        n = 2;
    }
    for (k = 0; k < n; k++) {
        e[k * 6] = '\\', e[k * 6 + 1] = 'u';
        for (j = 0; j < 4; j++)
            e[k * 6 + 2 + j] = hex[(u[k] >> (12 - 4 * j)) & 15];
    }
    return buf_append(b, e, n * 6);
}

int json_text(struct buf *b, struct span s)
{
    size_t i = 0, k;
    uint32_t cp;
    int rv = buf_append(b, "\"", 1);

    while (i < s.len && rv == 0) {
        for (k = i; k < s.len && plain(s.p[k]); k++)
            ;
        if (k > i && (rv = buf_append(b, s.p + i, k - i)) != 0)
            break;
        if ((i = k) >= s.len)
            break;
        i += utf8_next(s.p + i, s.len - i, &cp);
        rv = cp == '"' || cp == '\\' ? buf_append(b, cp == '"' ? "\\\"" : "\\\\", 2)
                                     : escape_cp(b, cp);
    }
    return rv ? rv : buf_append(b, "\"", 1);
}

int json_key(struct buf *b, bool *first, const char *key)
{
    int rv = 0;

    if (!*first)
        rv = buf_append(b, ",", 1);
    *first = false;
    if (rv == 0)
        rv = json_str(b, span_str(key));
    return rv ? rv : buf_append(b, ":", 1);
}

int json_u64(struct buf *b, uint64_t v)
{
    char d[20];
    size_t n = 0;

    do {
        d[sizeof(d) - ++n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return buf_append(b, d + sizeof(d) - n, n);
}

int json_i64(struct buf *b, int64_t v)
{
    int rv;

    if (v >= 0)
        return json_u64(b, (uint64_t)v);
    rv = buf_append(b, "-", 1);
    return rv ? rv : json_u64(b, (uint64_t)0 - (uint64_t)v);
}

int json_fixed(struct buf *b, double v, unsigned decimals)
{
    uint64_t scale = 1, whole, frac;
    char d[9];
    unsigned i;
    int rv = 0;

    if (decimals > 9)
        decimals = 9;
    for (i = 0; i < decimals; i++)
        scale *= 10;
    if (v < 0) {
        rv = buf_append(b, "-", 1);
        v = -v;
    }
    /* rounded once, so 0.9995 with 3 places is 1.000, not 0.1000 */
    whole = (uint64_t)(v * (double)scale + 0.5);
    frac = whole % scale;
    whole /= scale;
    if (rv == 0)
        rv = json_u64(b, whole);
    if (rv || !decimals)
        return rv;
    for (i = decimals; i > 0; i--) {
        d[i - 1] = (char)('0' + frac % 10);
        frac /= 10;
    }
    rv = buf_append(b, ".", 1);
    return rv ? rv : buf_append(b, d, decimals);
}

int json_bool(struct buf *b, bool v)
{
    return json_raw(b, v ? "true" : "false");
}
