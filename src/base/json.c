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
