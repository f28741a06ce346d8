/* SPDX-License-Identifier: MIT */
/*
 * content-range (RFC 9110 §14.4) and content-disposition file names (RFC 6266 §4.1,
 * RFC 8187 §3.2 for filename*).
 */
#include "hdrval.h"

#include <stdbool.h>
#include <string.h>

/* Up to 18 digits at `*i` (so no overflow) as `*v`; false when there are none. */
static bool number(struct span v, size_t *i, int64_t *out)
{
    size_t start = *i;
    int64_t n = 0;

    while (*i < v.len && v.p[*i] >= '0' && v.p[*i] <= '9' && *i - start < 18)
        n = n * 10 + (v.p[(*i)++] - '0');
    *out = n;
    return *i > start && (*i >= v.len || v.p[*i] < '0' || v.p[*i] > '9');
}

static int bad_range(struct h2e_info *info, const char *why)
{
    return h2e_set(info, H2E_RANGE, 0, why);
}

int hdrval_content_range(struct span v, struct hdrval_range *r, struct h2e_info *info)
{
    size_t i = 6;

    while (v.len && (v.p[v.len - 1] == ' ' || v.p[v.len - 1] == '\t'))
        v.len--;
    if (v.len < 6 || memcmp(v.p, "bytes ", 6) != 0)
        return bad_range(info, "content-range is not in bytes (RFC 9110 §14.4)");
    r->first = r->last = r->complete = -1;
    if (i < v.len && v.p[i] == '*') {
        i++;
    } else if (!number(v, &i, &r->first) || i >= v.len || v.p[i++] != '-' ||
               !number(v, &i, &r->last)) {
        return bad_range(info, "bad first-last in content-range (RFC 9110 §14.4)");
    }
    if (i >= v.len || v.p[i++] != '/')
        return bad_range(info, "no complete length in content-range (RFC 9110 §14.4)");
    if (i < v.len && v.p[i] == '*' && i + 1 == v.len && r->first >= 0)
        i++;
    else if (!number(v, &i, &r->complete) || i != v.len)
        return bad_range(info, "bad complete length in content-range (RFC 9110 §14.4)");
    if (r->first > r->last || (r->complete >= 0 && r->last >= r->complete))
        return bad_range(info, "content-range outside the resource (RFC 9110 §14.4)");
    return 0;
}

static bool is_ws(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Keep what follows the last '/' or '\' of `out[0..n)`; 0 when it is no plain name. */
static size_t basename_of(char *out, size_t n)
{
    size_t i, start = 0;

    for (i = 0; i < n; i++) {
        if ((uint8_t)out[i] < 0x20 || out[i] == 0x7f)
            return out[0] = '\0', 0;
        if (out[i] == '/' || out[i] == '\\')
            start = i + 1;
    }
    n -= start;
    memmove(out, out + start, n);
    out[n] = '\0';
    if (!n || n > HDRVAL_NAME_MAX || !strcmp(out, ".") || !strcmp(out, ".."))
        return out[0] = '\0', 0;
    return n;
}

/* filename="quoted-string" or filename=token; `p` at the value, `end` its end. */
static size_t plain_value(const uint8_t *p, const uint8_t *end, char *out, size_t cap)
{
    size_t n = 0;

    if (p < end && *p == '"') {
        for (p++; p < end && *p != '"'; p++) {
            if (*p == '\\' && p + 1 < end)
                p++;
            if (n + 1 >= cap)
                return 0;
            out[n++] = (char)*p;
        }
        if (p >= end)
            return 0; /* unterminated */
    } else {
        for (; p < end && *p != ';' && !is_ws(*p); p++) {
            if (n + 1 >= cap)
                return 0;
            out[n++] = (char)*p;
        }
    }
    return basename_of(out, n);
}

/* filename*=UTF-8''percent-encoded (RFC 8187 §3.2.1); other charsets are not used. */
static size_t ext_value(const uint8_t *p, const uint8_t *end, char *out, size_t cap)
{
    const uint8_t *q;
    size_t n = 0;

    if (end - p < 7 || strncasecmp((const char *)p, "utf-8'", 6) != 0)
        return 0;
    q = memchr(p + 6, '\'', (size_t)(end - p - 6));
    if (!q)
        return 0;
    for (p = q + 1; p < end && *p != ';' && !is_ws(*p); p++) {
        int c = *p;
        if (c == '%') {
            if (end - p < 3 || hexval(p[1]) < 0 || hexval(p[2]) < 0)
                return 0;
            c = hexval(p[1]) * 16 + hexval(p[2]);
            p += 2;
        }
        if (n + 1 >= cap)
            return 0;
        out[n++] = (char)c;
    }
    return basename_of(out, n);
}

/* The value of parameter `name` ("filename" or "filename*") in `v`, or NULL. */
static const uint8_t *param(struct span v, const char *name, const uint8_t **end)
{
    const uint8_t *p = v.p, *e = v.p + v.len;
    size_t len = strlen(name);
    bool quoted = false;

    *end = e;
    for (; p < e; p++) {
        if (*p == '"')
            quoted = !quoted;
        if (quoted || *p != ';')
            continue;
        const uint8_t *q = p + 1;
        while (q < e && is_ws(*q))
            q++;
        if ((size_t)(e - q) > len && strncasecmp((const char *)q, name, len) == 0) {
            q += len;
            while (q < e && is_ws(*q))
                q++;
            if (q < e && *q == '=') {
                for (q++; q < e && is_ws(*q);)
                    q++;
                return q;
            }
        }
    }
    return NULL;
}

size_t hdrval_filename(struct span v, char *out, size_t cap)
{
    const uint8_t *p, *end;
    size_t n = 0;

    if (!cap)
        return 0;
    out[0] = '\0';
    if ((p = param(v, "filename*", &end)) != NULL)
        n = ext_value(p, end, out, cap);
    if (!n && (p = param(v, "filename", &end)) != NULL)
        n = plain_value(p, end, out, cap);
    if (!n)
        out[0] = '\0'; /* a value given up on may have left a part here */
    return n;
}
