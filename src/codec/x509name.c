/* SPDX-License-Identifier: MIT */
/*
 * X.509 Name → OpenSSL's canonical form (x509name.h). DER (X.690 §8.1): one-byte tags
 * only (a Name uses no others), definite lengths in short or long form up to four bytes.
 */
#include "x509name.h"

#include <string.h>

#define TAG_SEQUENCE 0x30
#define TAG_SET 0x31
#define TAG_OID 0x06
#define TAG_UTF8 0x0c
#define TAG_PRINTABLE 0x13
#define TAG_T61 0x14
#define TAG_IA5 0x16
#define TAG_VISIBLE 0x1a
#define TAG_UNIVERSAL 0x1c
#define TAG_BMP 0x1e

/* More attributes in one RDN than any real name has; past it the name is refused. */
#define MAX_RDN_ATTRS 16u
/* A canonical value is built here: UTF-8 of a value of at most this many bytes. */
#define MAX_VALUE 1024u

struct tlv {
    uint8_t tag;
    const uint8_t *start; /* the tag byte */
    const uint8_t *v;     /* the contents */
    size_t vlen;
    size_t total; /* tag, length and contents */
};

/* Read one TLV at the start of `p` (`n` bytes); 0 or -1. */
static int read_tlv(const uint8_t *p, size_t n, struct tlv *t)
{
    size_t i = 2, len, k;

    if (n < 2 || (p[0] & 0x1f) == 0x1f) /* high tag numbers: never in a Name */
        return -1;
    len = p[1];
    if (len & 0x80) {
        k = len & 0x7f;
        if (k == 0 || k > 4 || n < 2 + k) /* indefinite (0) is BER, not DER */
            return -1;
        for (len = 0; k > 0; k--)
            len = len << 8 | p[i++];
    }
    if (len > n - i)
        return -1;
    *t = (struct tlv){p[0], p, p + i, len, i + len};
    return 0;
}

static int put_len(struct buf *out, size_t len)
{
    uint8_t b[5];
    size_t n = 0, k;

    if (len < 0x80) {
        b[n++] = (uint8_t)len;
    } else {
        for (k = 4; k > 0 && !(len >> ((k - 1) * 8)); k--)
            ;
        b[n++] = (uint8_t)(0x80 | k);
        while (k > 0)
            b[n++] = (uint8_t)(len >> (--k * 8));
    }
    return buf_append(out, b, n);
}

static int put_tlv(struct buf *out, uint8_t tag, const void *v, size_t len)
{
    if (buf_append(out, &tag, 1) || put_len(out, len))
        return -1;
    return buf_append(out, v, len);
}

static size_t utf8_put(uint8_t *o, uint32_t c)
{
    if (c < 0x80) {
        o[0] = (uint8_t)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (uint8_t)(0xc0 | c >> 6);
        o[1] = (uint8_t)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (uint8_t)(0xe0 | c >> 12);
        o[1] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
        o[2] = (uint8_t)(0x80 | (c & 0x3f));
        return 3;
    }
    o[0] = (uint8_t)(0xf0 | c >> 18);
    o[1] = (uint8_t)(0x80 | (c >> 12 & 0x3f));
    o[2] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
    o[3] = (uint8_t)(0x80 | (c & 0x3f));
    return 4;
}

/* Length of the valid UTF-8 sequence at `p` (at most `n` bytes), 0 if invalid. */
static size_t utf8_valid(const uint8_t *p, size_t n)
{
    size_t len, i;
    uint32_t c;

    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        len = 2, c = p[0] & 0x1f;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        len = 3, c = p[0] & 0x0f;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        len = 4, c = p[0] & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (p[i] & 0x3f);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
        (c >= 0xd800 && c <= 0xdfff))
        return 0;
    return len;
}

/* The value `v` of string type `tag` as UTF-8 into `o` (room for 4 * MAX_VALUE bytes);
 * its length, or -1 when it is not valid in its type. */
static long to_utf8(uint8_t tag, const uint8_t *v, size_t n, uint8_t *o)
{
    size_t i = 0, k = 0, w = tag == TAG_BMP ? 2 : tag == TAG_UNIVERSAL ? 4 : 1;

    if (n > MAX_VALUE || n % w)
        return -1;
    while (i < n) {
        uint32_t c = 0;
        size_t j;
        if (tag == TAG_UTF8) {
            size_t len = utf8_valid(v + i, n - i);
            if (len == 0)
                return -1;
            memcpy(o + k, v + i, len);
            i += len, k += len;
            continue;
        }
        for (j = 0; j < w; j++) /* big-endian code units; one byte is Latin-1 */
            c = c << 8 | v[i + j];
        i += w;
        if ((c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
            return -1;
        k += utf8_put(o + k, c);
    }
    return (long)k;
}

static int is_space(uint8_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Strip, collapse white space and lower ASCII letters, in place; the new length. */
static size_t fold(uint8_t *s, size_t n)
{
    size_t b = 0, e = n, k = 0;

    while (b < e && is_space(s[b]))
        b++;
    while (e > b && is_space(s[e - 1]))
        e--;
    while (b < e) {
        if (is_space(s[b])) {
            s[k++] = ' ';
            while (is_space(s[b]))
                b++;
            continue;
        }
        s[k++] = s[b] >= 'A' && s[b] <= 'Z' ? (uint8_t)(s[b] + 32) : s[b];
        b++;
    }
    return k;
}

static int is_string(uint8_t tag)
{
    return tag == TAG_UTF8 || tag == TAG_PRINTABLE || tag == TAG_T61 || tag == TAG_IA5 ||
           tag == TAG_VISIBLE || tag == TAG_UNIVERSAL || tag == TAG_BMP;
}

/* One AttributeTypeAndValue (contents of its SEQUENCE) in canonical form into `out`. */
static int put_attr(const uint8_t *p, size_t n, struct buf *out)
{
    uint8_t text[4 * MAX_VALUE];
    struct tlv oid, val;
    struct buf body;
    long len;
    int rv;

    if (read_tlv(p, n, &oid) || oid.tag != TAG_OID ||
        read_tlv(p + oid.total, n - oid.total, &val) || oid.total + val.total != n)
        return -1;
    buf_init(&body, out->mem, out->max);
    rv = buf_append(&body, oid.start, oid.total);
    if (rv == 0 && is_string(val.tag)) {
        len = to_utf8(val.tag, val.v, val.vlen, text);
        rv = len < 0 ? -1 : put_tlv(&body, TAG_UTF8, text, fold(text, (size_t)len));
    } else if (rv == 0) {
        rv = buf_append(&body, val.start, val.total);
    }
    if (rv == 0)
        rv = put_tlv(out, TAG_SEQUENCE, body.p, body.len);
    buf_release(&body);
    return rv ? -1 : 0;
}

/* X.690 §11.6: SET OF members in ascending order of their encodings. */
static int cmp_enc(const struct span *a, const struct span *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->p, b->p, n);

    return c ? c : (a->len > b->len) - (a->len < b->len);
}

static void sort_spans(struct span *s, size_t n)
{
    size_t i, j;

    for (i = 1; i < n; i++) /* at most MAX_RDN_ATTRS: insertion sort */
        for (j = i; j > 0 && cmp_enc(&s[j - 1], &s[j]) > 0; j--) {
            struct span t = s[j];
            s[j] = s[j - 1];
            s[j - 1] = t;
        }
}

/* One RDN (contents of its SET) as a canonical SET into `out`; an empty one adds nothing. */
static int put_rdn(const uint8_t *p, size_t n, struct buf *out)
{
    size_t off[MAX_RDN_ATTRS + 1], na = 0, i;
    struct span s[MAX_RDN_ATTRS];
    struct buf attrs, set;
    struct tlv a;
    int rv = 0;

    if (n == 0)
        return 0;
    buf_init(&attrs, out->mem, out->max);
    buf_init(&set, out->mem, out->max);
    off[0] = 0;
    for (i = 0; i < n && rv == 0;) {
        if (na == MAX_RDN_ATTRS || read_tlv(p + i, n - i, &a) || a.tag != TAG_SEQUENCE ||
            put_attr(a.v, a.vlen, &attrs)) {
            rv = -1;
            break;
        }
        off[++na] = attrs.len;
        i += a.total;
    }
    for (i = 0; rv == 0 && i < na; i++)
        s[i] = span_of(attrs.p + off[i], off[i + 1] - off[i]);
    if (rv == 0)
        sort_spans(s, na);
    for (i = 0; rv == 0 && i < na; i++)
        rv = buf_append(&set, s[i].p, s[i].len);
    if (rv == 0)
        rv = put_tlv(out, TAG_SET, set.p, set.len);
    buf_release(&attrs);
    buf_release(&set);
    return rv ? -1 : 0;
}

int x509name_canon(const uint8_t *der, size_t len, struct buf *out)
{
    struct tlv name, rdn;
    size_t i;

    if (read_tlv(der, len, &name) || name.tag != TAG_SEQUENCE || name.total != len)
        return -1;
    for (i = 0; i < name.vlen; i += rdn.total) {
        if (read_tlv(name.v + i, name.vlen - i, &rdn) || rdn.tag != TAG_SET ||
            put_rdn(rdn.v, rdn.vlen, out))
            return -1;
    }
    return 0;
}

uint32_t x509name_hash(const uint8_t sha1[20])
{
    return (uint32_t)sha1[0] | (uint32_t)sha1[1] << 8 | (uint32_t)sha1[2] << 16 |
           (uint32_t)sha1[3] << 24;
}
