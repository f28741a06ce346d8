/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.1 codec (RFC 9112): request writer, stateless response-head parser, body framing
 * (§6.3) and an incremental chunked decoder (§7.1). Parsers return spans into their input
 * and tell "incomplete" (H2E_INCOMPLETE) from "invalid" (H2E_H1_INVALID). Never touches
 * sockets, never allocates, and never reads past the bytes it is given.
 */
#include "h1.h"

#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"

enum chunk_state {
    CH_SIZE = 0, /* expecting a chunk-size line */
    CH_DATA,     /* inside chunk data, `left` bytes to go */
    CH_DATA_END, /* expecting the CRLF after chunk data */
    CH_TRAILERS, /* expecting the trailer section */
    CH_DONE,
};

static const char WHY_TOO_BIG[] = "output buffer full";

bool h1_is_tchar(uint8_t c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

bool h1_is_token(struct span s)
{
    size_t i;
    if (s.len == 0)
        return false;
    for (i = 0; i < s.len; i++)
        if (!h1_is_tchar(s.p[i]))
            return false;
    return true;
}

/* RFC 9110 §5.5: field-vchar, SP, HTAB and obs-text; no other control characters. */
static bool is_field_char(uint8_t c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static bool is_ws(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

static struct span trim_ows(struct span s)
{
    while (s.len && is_ws(s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len && is_ws(s.p[s.len - 1]))
        s.len--;
    return s;
}

/* --- writer ------------------------------------------------------------------------ */

static size_t fmt_uint(char *d, uint64_t v, unsigned base)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[24];
    size_t n = 0, i;

    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    for (i = 0; i < n; i++)
        d[i] = tmp[n - 1 - i];
    return n;
}

/* RFC 9110 §5.5: CR, LF and NUL are never allowed in a field value. */
static int check_value(struct span v, struct h2e_info *info)
{
    size_t i;
    for (i = 0; i < v.len; i++)
        if (v.p[i] == '\r' || v.p[i] == '\n' || v.p[i] == '\0')
            return h2e_set(info, H2E_USAGE, 0, "CR, LF or NUL in header value (RFC 9110 §5.5)");
    return 0;
}

static int check_fields(const struct h1_header *h, size_t n, bool *has_host, struct h2e_info *info)
{
    size_t i;
    for (i = 0; i < n; i++) {
        int rv;
        if (h[i].name.len == 0)
            return h2e_set(info, H2E_USAGE, 0, "empty header name (RFC 9110 §5.1)");
        if (!h1_is_token(h[i].name))
            return h2e_set(info, H2E_USAGE, 0, "invalid character in header name (RFC 9110 §5.1)");
        rv = check_value(h[i].value, info);
        if (rv)
            return rv;
        if (span_ieq_str(h[i].name, "host"))
            *has_host = true;
    }
    return 0;
}

static int check_request(const struct h1_request *req, bool *has_host, struct h2e_info *info)
{
    size_t i;

    if (!h1_is_token(req->method))
        return h2e_set(info, H2E_USAGE, 0, "method is not a token (RFC 9110 §9.1)");
    if (req->target.len == 0)
        return h2e_set(info, H2E_USAGE, 0, "empty request target (RFC 9112 §3.2)");
    for (i = 0; i < req->target.len; i++)
        if (req->target.p[i] <= 0x20 || req->target.p[i] == 0x7f)
            return h2e_set(info, H2E_USAGE, 0,
                           "whitespace or control character in request target (RFC 9112 §3.2)");
    if (check_value(req->host, info))
        return H2E_USAGE;
    return check_fields(req->headers, req->nheaders, has_host, info);
}

static int put(struct buf *b, const void *p, size_t n, int rv)
{
    return rv ? rv : buf_append(b, p, n);
}

static int put_field(struct buf *b, struct span name, struct span value, int rv)
{
    rv = put(b, name.p, name.len, rv);
    rv = put(b, ": ", 2, rv);
    rv = put(b, value.p, value.len, rv);
    return put(b, "\r\n", 2, rv);
}

static int put_fields(struct buf *b, const struct h1_header *h, size_t n, int rv)
{
    size_t i;
    for (i = 0; i < n && !rv; i++)
        rv = put_field(b, h[i].name, h[i].value, rv);
    return rv;
}

static int put_framing(struct buf *b, const struct h1_request *req, int rv)
{
    char num[24];

    if (req->body == H1_REQ_BODY_LENGTH)
        return put_field(b, span_str("Content-Length"),
                         span_of(num, fmt_uint(num, req->content_length, 10)), rv);
    if (req->body == H1_REQ_BODY_CHUNKED)
        return put(b, "Transfer-Encoding: chunked\r\n", 28, rv);
    return rv;
}

int h1_write_request(struct buf *out, const struct h1_request *req, struct h2e_info *info)
{
    size_t mark = out->len;
    bool has_host = false;
    int rv = check_request(req, &has_host, info);

    if (rv)
        return rv;
    /* RFC 9112 §3: request-line = method SP request-target SP HTTP-version */
    rv = put(out, req->method.p, req->method.len, 0);
    rv = put(out, " ", 1, rv);
    rv = put(out, req->target.p, req->target.len, rv);
    rv = put(out, " HTTP/1.1\r\n", 11, rv);
    /* RFC 9112 §3.2: Host comes first after the request line. */
    if (!has_host)
        rv = put_field(out, span_str("Host"), req->host, rv);
    rv = put_fields(out, req->headers, req->nheaders, rv);
    rv = put_framing(out, req, rv);
    rv = put(out, "\r\n", 2, rv);
    if (rv) {
        out->len = mark;
        return h2e_set(info, rv, 0, WHY_TOO_BIG);
    }
    return 0;
}

int h1_write_chunk(struct buf *out, const uint8_t *p, size_t len)
{
    char num[24];
    size_t mark = out->len;
    int rv;

    if (len == 0)
        return 0;
    rv = put(out, num, fmt_uint(num, len, 16), 0);
    rv = put(out, "\r\n", 2, rv);
    rv = put(out, p, len, rv);
    rv = put(out, "\r\n", 2, rv);
    if (rv)
        out->len = mark;
    return rv;
}

int h1_write_last_chunk(struct buf *out, const struct h1_header *trailers, size_t ntrailers,
                        struct h2e_info *info)
{
    size_t mark = out->len;
    bool has_host = false;
    int rv = check_fields(trailers, ntrailers, &has_host, info);

    if (rv)
        return rv;
    rv = put(out, "0\r\n", 3, 0);
    rv = put_fields(out, trailers, ntrailers, rv);
    rv = put(out, "\r\n", 2, rv);
    if (rv) {
        out->len = mark;
        return h2e_set(info, rv, 0, WHY_TOO_BIG);
    }
    return 0;
}

/* --- response head ------------------------------------------------------------------ */

/*
 * The line at the start of p[0..len), looked for in at most `budget` bytes. On 0,
 * `*total` counts the LF and `*content` excludes CRLF or LF. H2E_INCOMPLETE without an LF,
 * H2E_LIMIT_HEADER_LIST when `budget` bytes hold none.
 */
static int next_line(const uint8_t *p, size_t len, size_t budget, size_t *content, size_t *total,
                     struct h2e_info *info)
{
    size_t scan = len < budget ? len : budget, n;
    const uint8_t *lf = scan ? memchr(p, '\n', scan) : NULL;

    if (!lf)
        return len >= budget ? h2e_set(info, H2E_LIMIT_HEADER_LIST, 0,
                                       "response head larger than the header list limit")
                             : H2E_INCOMPLETE;
    n = (size_t)(lf - p);
    *total = n + 1;
    *content = n > 0 && p[n - 1] == '\r' ? n - 1 : n;
    /* RFC 9112 §2.2: a bare CR is invalid. */
    if (memchr(p, '\r', *content))
        return h2e_set(info, H2E_H1_INVALID, 0, "bare CR in a line (RFC 9112 §2.2)");
    return 0;
}

/* RFC 9112 §5: field-line = field-name ":" OWS field-value OWS */
static int parse_field_line(const uint8_t *p, size_t n, bool first, struct h1_header *h,
                            struct h2e_info *info)
{
    const uint8_t *colon;
    size_t i;

    if (is_ws(p[0]))
        return h2e_set(info, H2E_H1_INVALID, 0,
                       first ? "whitespace before the first field line (RFC 9112 §2.2)"
                             : "obs-fold line folding is refused (RFC 9112 §5.2)");
    colon = memchr(p, ':', n);
    if (!colon)
        return h2e_set(info, H2E_H1_INVALID, 0, "field line without a colon (RFC 9112 §5)");
    h->name = span_of(p, (size_t)(colon - p));
    if (h->name.len == 0)
        return h2e_set(info, H2E_H1_INVALID, 0, "empty field name (RFC 9110 §5.1)");
    /* RFC 9112 §5.1: no whitespace between the field name and the colon. */
    if (is_ws(p[h->name.len - 1]))
        return h2e_set(info, H2E_H1_INVALID, 0, "whitespace before the colon (RFC 9112 §5.1)");
    if (!h1_is_token(h->name))
        return h2e_set(info, H2E_H1_INVALID, 0, "invalid character in field name (RFC 9110 §5.1)");
    h->value = trim_ows(span_of(colon + 1, n - h->name.len - 1));
    for (i = 0; i < h->value.len; i++)
        if (!is_field_char(h->value.p[i]))
            return h2e_set(info, H2E_H1_INVALID, 0,
                           "invalid character in field value (RFC 9110 §5.5)");
    return 0;
}

/* Field lines and the empty line, within `budget` bytes; returns the bytes consumed. */
static int parse_fields(const uint8_t *p, size_t len, size_t budget, struct h1_header *hdrs,
                        size_t *nhdrs, struct h2e_info *info)
{
    size_t off = 0, count = 0, content, total;
    size_t cap = hdrs && *nhdrs < LIMIT_HEADER_COUNT ? *nhdrs : LIMIT_HEADER_COUNT;

    for (;;) {
        struct h1_header h;
        int rv = next_line(p + off, len - off, budget - off, &content, &total, info);
        if (rv)
            return rv;
        if (content == 0)
            break;
        rv = parse_field_line(p + off, content, count == 0, &h, info);
        if (rv)
            return rv;
        if (count == cap)
            return h2e_set(info, H2E_LIMIT_HEADER_COUNT, 0, "too many header fields");
        if (hdrs)
            hdrs[count] = h;
        count++;
        off += total;
    }
    *nhdrs = count;
    return (int)(off + total);
}

int h1_parse_headers(const uint8_t *p, size_t len, struct h1_header *hdrs, size_t *nhdrs,
                     struct h2e_info *info)
{
    return parse_fields(p, len, LIMIT_HEADER_LIST_SIZE, hdrs, nhdrs, info);
}

/* The fixed part "HTTP/1.", checked as far as bytes have arrived so garbage fails early. */
static int check_version_prefix(const uint8_t *p, size_t len, struct h2e_info *info)
{
    if (len == 0)
        return H2E_INCOMPLETE;
    if (memcmp(p, "HTTP/", len < 5 ? len : 5) != 0)
        return h2e_set(info, H2E_H1_INVALID, 0,
                       "reply is not an HTTP/1.x status line (RFC 9112 §4)");
    if (len > 5 && memcmp(p + 5, "1.", len < 7 ? len - 5 : 2) != 0)
        return h2e_set(info, H2E_H1_INVALID, 0, "unsupported HTTP version (RFC 9112 §2.3)");
    return 0;
}

/* RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ] */
static int parse_status_line(const uint8_t *p, size_t len, struct h1_response *r, size_t *used,
                             struct h2e_info *info)
{
    size_t n, i;
    int rv = check_version_prefix(p, len, info);

    rv = rv ? rv : next_line(p, len, LIMIT_HEADER_LIST_SIZE, &n, used, info);
    if (rv)
        return rv;
    if (n < 8 || !is_digit(p[7]))
        return h2e_set(info, H2E_H1_INVALID, 0, "unsupported HTTP version (RFC 9112 §2.3)");
    if (n < 12 || p[8] != ' ' || !is_digit(p[9]) || !is_digit(p[10]) || !is_digit(p[11]) ||
        (n > 12 && p[12] != ' '))
        return h2e_set(info, H2E_H1_INVALID, 0, "bad status code (RFC 9112 §4)");
    r->minor_version = p[7] - '0';
    r->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    /* A missing SP before an empty reason is accepted, as curl does. */
    r->reason = n > 12 ? span_of(p + 13, n - 13) : span_of(p + n, 0);
    if (r->status < 100 || r->status > 599)
        return h2e_set(info, H2E_H1_INVALID, 0, "status code out of range (RFC 9110 §15)");
    for (i = 0; i < r->reason.len; i++)
        if (!is_field_char(r->reason.p[i]))
            return h2e_set(info, H2E_H1_INVALID, 0,
                           "invalid character in reason phrase (RFC 9112 §4)");
    return 0;
}

int h1_parse_response(const uint8_t *p, size_t len, struct h1_response *r, struct h1_header *hdrs,
                      size_t *nhdrs, struct h2e_info *info)
{
    size_t used;
    int rv = parse_status_line(p, len, r, &used, info);

    if (rv)
        return rv;
    rv = parse_fields(p + used, len - used, LIMIT_HEADER_LIST_SIZE - used, hdrs, nhdrs, info);
    return rv < 0 ? rv : (int)used + rv;
}

/* --- body framing ------------------------------------------------------------------- */

/* The next element of the #list `v` from `*pos` (RFC 9110 §5.6.1), trimmed; false at end. */
static bool list_next(struct span v, size_t *pos, struct span *elem)
{
    const uint8_t *comma;
    size_t start = *pos, end;

    if (start > v.len)
        return false;
    comma = v.len > start ? memchr(v.p + start, ',', v.len - start) : NULL;
    end = comma ? (size_t)(comma - v.p) : v.len;
    *elem = trim_ows(span_of(v.p + start, end - start));
    *pos = end + 1;
    return true;
}

static bool parse_u64(struct span s, uint64_t *v)
{
    size_t i;
    *v = 0;
    if (s.len == 0)
        return false;
    for (i = 0; i < s.len; i++) {
        unsigned d = (unsigned)(s.p[i] - '0');
        if (!is_digit(s.p[i]) || *v > (UINT64_MAX - d) / 10)
            return false;
        *v = *v * 10 + d;
    }
    return true;
}

static bool has_field(const struct h1_header *h, size_t n, const char *name)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (span_ieq_str(h[i].name, name))
            return true;
    return false;
}

/* RFC 9110 §8.6: Content-Length = 1*DIGIT; equal repeats (or list members) are one value. */
static int content_length(const struct h1_header *h, size_t n, bool *has, uint64_t *len,
                          struct h2e_info *info)
{
    size_t i, pos;
    struct span e;
    uint64_t v;

    for (i = 0; i < n; i++) {
        if (!span_ieq_str(h[i].name, "content-length"))
            continue;
        for (pos = 0; list_next(h[i].value, &pos, &e);) {
            if (!parse_u64(e, &v))
                return h2e_set(info, H2E_H1_INVALID, 0, "invalid Content-Length (RFC 9112 §6.3)");
            if (*has && v != *len)
                return h2e_set(info, H2E_H1_INVALID, 0,
                               "conflicting Content-Length values (RFC 9110 §8.6)");
            *has = true;
            *len = v;
        }
    }
    return 0;
}

/* The last transfer coding named (parameters dropped); `*present` when any is named. */
static struct span last_coding(const struct h1_header *h, size_t n, bool *present)
{
    struct span last = {NULL, 0}, e;
    size_t i, pos;

    *present = false;
    for (i = 0; i < n; i++) {
        if (!span_ieq_str(h[i].name, "transfer-encoding"))
            continue;
        *present = true;
        for (pos = 0; list_next(h[i].value, &pos, &e);) {
            const uint8_t *semi = memchr(e.p, ';', e.len);
            if (semi)
                e = trim_ows(span_of(e.p, (size_t)(semi - e.p)));
            if (e.len)
                last = e;
        }
    }
    return last;
}

/* RFC 9112 §9.3: "close" ends the connection; HTTP/1.0 persists only with "keep-alive". */
static bool must_close(const struct h1_response *r, const struct h1_header *h, size_t n)
{
    bool close = false, keep = false;
    size_t i, pos;
    struct span e;

    for (i = 0; i < n; i++) {
        if (!span_ieq_str(h[i].name, "connection"))
            continue;
        for (pos = 0; list_next(h[i].value, &pos, &e);) {
            close = close || span_ieq_str(e, "close");
            keep = keep || span_ieq_str(e, "keep-alive");
        }
    }
    return close || (r->minor_version == 0 && !keep);
}

static void set_body(struct h1_body *b, enum h1_body_kind kind, bool close)
{
    b->kind = kind;
    b->close = b->close || close;
}

int h1_body_framing(const struct h1_response *r, const struct h1_header *hdrs, size_t nhdrs,
                    struct span method, struct h1_body *b, struct h2e_info *info)
{
    bool te, has_len = false;
    struct span coding;
    int rv;

    b->length = 0;
    b->close = must_close(r, hdrs, nhdrs);
    /* RFC 9112 §6.3 item 1: 1xx, 204, 304 and HEAD responses end after the head. */
    if (r->status / 100 == 1) {
        set_body(b, r->status == 101 ? H1_BODY_SWITCH : H1_BODY_INFORMATIONAL, r->status == 101);
        return 0;
    }
    if (span_eq_str(method, "HEAD") || r->status == 204 || r->status == 304) {
        set_body(b, H1_BODY_NONE, false);
        return 0;
    }
    /* Item 2: a 2xx to CONNECT turns the connection into a tunnel. */
    if (span_eq_str(method, "CONNECT") && r->status / 100 == 2) {
        set_body(b, H1_BODY_TUNNEL, true);
        return 0;
    }
    /* Item 3: Transfer-Encoding overrides Content-Length (a smuggling sign: close after).
     * Item 4: chunked must be last, else read until close. §6.1: in HTTP/1.0 it is faulty. */
    coding = last_coding(hdrs, nhdrs, &te);
    if (te) {
        bool chunked = span_ieq_str(coding, "chunked") && r->minor_version > 0;
        set_body(b, chunked ? H1_BODY_CHUNKED : H1_BODY_CLOSE,
                 !chunked || has_field(hdrs, nhdrs, "content-length"));
        return 0;
    }
    /* Item 5: an invalid Content-Length is an unrecoverable framing error. */
    rv = content_length(hdrs, nhdrs, &has_len, &b->length, info);
    if (rv)
        return rv;
    set_body(b, has_len ? H1_BODY_LENGTH : H1_BODY_CLOSE, !has_len); /* item 6 / item 8 */
    return 0;
}

/* --- chunked decoder ---------------------------------------------------------------- */

static int hexval(uint8_t c)
{
    if (is_digit(c))
        return c - '0';
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* RFC 9112 §7.1: chunk-size [ chunk-ext ] CRLF, with chunk-ext = *( BWS ";" ... ). */
static int parse_size(const uint8_t *p, size_t n, uint64_t *size, struct h2e_info *info)
{
    size_t i = 0;
    int d;

    *size = 0;
    for (; i < n && (d = hexval(p[i])) >= 0; i++) {
        if (*size > (UINT64_MAX >> 4))
            return h2e_set(info, H2E_H1_INVALID, 0, "chunk size overflows (RFC 9112 §7.1)");
        *size = *size << 4 | (uint64_t)d;
    }
    if (i == 0)
        return h2e_set(info, H2E_H1_INVALID, 0, "missing chunk size (RFC 9112 §7.1)");
    while (i < n && is_ws(p[i]))
        i++;
    if (i < n && p[i] != ';')
        return h2e_set(info, H2E_H1_INVALID, 0,
                       "invalid character after chunk size (RFC 9112 §7.1)");
    for (; i < n; i++) /* extensions are ignored, but must be text (RFC 9112 §7.1.1) */
        if (!is_field_char(p[i]))
            return h2e_set(info, H2E_H1_INVALID, 0,
                           "invalid character in chunk extension (RFC 9112 §7.1.1)");
    return 0;
}

static int size_line(struct h1_chunked *c, const uint8_t *p, size_t len, size_t *used,
                     struct h2e_info *info)
{
    size_t n;
    int rv = next_line(p, len, H1_CHUNK_LINE_MAX, &n, used, info);

    if (rv == H2E_LIMIT_HEADER_LIST)
        return h2e_set(info, H2E_H1_INVALID, 0, "chunk-size line too long");
    rv = rv ? rv : parse_size(p, n, &c->left, info);
    if (rv)
        return rv;
    c->state = c->left ? CH_DATA : CH_TRAILERS;
    return 0;
}

/* The CRLF (or bare LF) that ends chunk data. */
static int data_end(struct h1_chunked *c, const uint8_t *p, size_t len, size_t *used,
                    struct h2e_info *info)
{
    size_t n = len > 0 && p[0] == '\r' ? 1 : 0;

    if (len == n)
        return H2E_INCOMPLETE;
    if (p[n] != '\n')
        return h2e_set(info, H2E_H1_INVALID, 0, "missing CRLF after chunk data (RFC 9112 §7.1)");
    *used = n + 1;
    c->state = CH_SIZE;
    return 0;
}

static int trailer_section(struct h1_chunked *c, const uint8_t *p, size_t len, size_t *used,
                           struct h2e_info *info)
{
    size_t count = 0;
    int rv = parse_fields(p, len, LIMIT_HEADER_LIST_SIZE, NULL, &count, info);

    if (rv < 0)
        return rv;
    *used = (size_t)rv;
    c->trailers = span_of(p, *used);
    c->state = CH_DONE;
    c->done = true;
    return 0;
}

static int chunk_step(struct h1_chunked *c, const uint8_t *p, size_t len, size_t *used,
                      struct h2e_info *info)
{
    switch (c->state) {
    case CH_SIZE:
        return size_line(c, p, len, used, info);
    case CH_DATA_END:
        return data_end(c, p, len, used, info);
    case CH_TRAILERS:
        return trailer_section(c, p, len, used, info);
    default:
        return h2e_set(info, H2E_H1_INVALID, 0, "chunked decoder in a bad state");
    }
}

int h1_chunked_decode(struct h1_chunked *c, const uint8_t *p, size_t len, size_t *consumed,
                      struct span *data, struct h2e_info *info)
{
    size_t off = 0, used;
    int rv;

    *data = span_of(p, 0);
    while (!c->done) {
        if (c->state == CH_DATA) {
            size_t take = len - off < c->left ? len - off : (size_t)c->left;
            if (take == 0)
                break;
            *data = span_of(p + off, take);
            off += take;
            c->left -= take;
            if (c->left == 0)
                c->state = CH_DATA_END;
            break; /* one span per call */
        }
        rv = chunk_step(c, p + off, len - off, &used, info);
        if (rv == H2E_INCOMPLETE)
            break;
        if (rv)
            return rv;
        off += used;
    }
    *consumed = off;
    return off || c->done ? 0 : H2E_INCOMPLETE;
}
