/* SPDX-License-Identifier: MIT */
/*
 * HTTP message rules (RFC 9110; RFC 9113 §8.1-§8.3): request-field lint for user input and
 * the HTTP/2 response/trailer validator. Works on decoded names and values only; framing,
 * HPACK and stream state belong to others. Never allocates, never prints.
 */
#include "msg.h"

#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "h1.h"

/* RFC 9113 §8.2.2: fields that only mean something to one connection. */
static const struct {
    const char *name;
    const char *why;
} conn_fields[] = {
    {"connection", "'connection' is connection-specific (RFC 9113 §8.2.2)"},
    {"keep-alive", "'keep-alive' is connection-specific (RFC 9113 §8.2.2)"},
    {"proxy-connection", "'proxy-connection' is connection-specific (RFC 9113 §8.2.2)"},
    {"transfer-encoding", "'transfer-encoding' is connection-specific (RFC 9113 §8.2.2)"},
    {"upgrade", "'upgrade' is connection-specific (RFC 9113 §8.2.2)"},
};

/* Request pseudo-headers a user may override (RFC 9113 §8.3.1, RFC 8441 §4). */
static const char *const request_pseudo[] = {
    ":method", ":scheme", ":authority", ":path", ":protocol",
};

static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

static bool has_upper(struct span s)
{
    size_t i;
    for (i = 0; i < s.len; i++)
        if (s.p[i] >= 'A' && s.p[i] <= 'Z')
            return true;
    return false;
}

static bool is_ws(uint8_t c)
{
    return c == ' ' || c == '\t';
}

/* RFC 9113 §8.2.1: never NUL, LF or CR; never starting or ending with SP or HTAB. */
static const char *value_problem(struct span v, const char **rule)
{
    size_t i;
    for (i = 0; i < v.len; i++) {
        if (v.p[i] == '\0' || v.p[i] == '\n' || v.p[i] == '\r') {
            *rule = "value-invalid";
            return "CR, LF or NUL in a field value (RFC 9113 §8.2.1)";
        }
    }
    if (v.len && (is_ws(v.p[0]) || is_ws(v.p[v.len - 1]))) {
        *rule = "value-whitespace";
        return "leading or trailing whitespace in a field value (RFC 9113 §8.2.1)";
    }
    return NULL;
}

static const char *connection_specific(struct span name)
{
    size_t i;
    for (i = 0; i < sizeof(conn_fields) / sizeof(conn_fields[0]); i++)
        if (span_ieq_str(name, conn_fields[i].name))
            return conn_fields[i].why;
    return NULL;
}

/* RFC 9110 §6.5.1: fields that must not be sent in trailers (framing, routing, request
 * modifiers, authentication, content handling), since a recipient would act on them. */
static const char *const trailer_forbidden[] = {
    "authorization",
    "cache-control",
    "content-encoding",
    "content-length",
    "content-range",
    "content-type",
    "cookie",
    "expect",
    "host",
    "max-forwards",
    "proxy-authenticate",
    "proxy-authorization",
    "range",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "www-authenticate",
};

const char *msg_trailer_forbidden(struct span name)
{
    size_t i;
    for (i = 0; i < sizeof(trailer_forbidden) / sizeof(trailer_forbidden[0]); i++)
        if (span_ieq_str(name, trailer_forbidden[i]))
            return "a field not allowed in trailers (RFC 9110 §6.5.1)";
    return NULL;
}

static bool is_request_pseudo(struct span name)
{
    size_t i;
    for (i = 0; i < sizeof(request_pseudo) / sizeof(request_pseudo[0]); i++)
        if (span_ieq_str(name, request_pseudo[i]))
            return true;
    return false;
}

static int usage(struct h2e_info *info, const char *why)
{
    return h2e_set(info, H2E_USAGE, 0, why);
}

int msg_lint_request_header(struct span name, struct span value, struct h2e_info *info)
{
    const char *why, *rule;
    int flags = has_upper(name) ? MSG_LINT_UPPERCASE : 0;

    if (name.len == 0)
        return usage(info, "empty header name");
    if (name.p[0] == ':') {
        if (!is_request_pseudo(name))
            return usage(info, "unknown or response pseudo-header (RFC 9113 §8.3.1)");
        flags |= MSG_LINT_PSEUDO;
    } else if (!h1_is_token(name)) {
        return usage(info, "invalid character in header name (RFC 9110 §5.1)");
    }
    why = connection_specific(name);
    if (why)
        return usage(info, why);
    /* RFC 9113 §8.2.2: te may be sent, with no value other than "trailers". */
    if (span_ieq_str(name, "te") && !span_ieq_str(value, "trailers"))
        return usage(info, "'te' other than 'trailers' (RFC 9113 §8.2.2)");
    why = value_problem(value, &rule);
    return why ? usage(info, why) : flags;
}

void msg_lowercase_name(char *name, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++)
        name[i] = (char)lower((uint8_t)name[i]);
}

void msg_resp_init(struct msg_resp *v, uint32_t stream_id, bool trailers)
{
    memset(v, 0, sizeof(*v));
    v->stream_id = stream_id;
    v->trailers = trailers;
}

static int fail(struct msg_resp *v, const char *rule, const char *why, struct h2e_info *info)
{
    v->rule = rule;
    return h2e_set(info, H2E_STREAM_PROTOCOL, v->stream_id, why);
}

/* RFC 9113 §8.3.2: :status is the three-digit status code; §8.6: never 101 in HTTP/2. */
static int status_field(struct msg_resp *v, struct span value, struct h2e_info *info)
{
    int s;

    if (v->seen_status)
        return fail(v, "status-duplicate", "duplicate :status (RFC 9113 §8.3)", info);
    if (value.len != 3 || value.p[0] < '0' || value.p[0] > '9' || value.p[1] < '0' ||
        value.p[1] > '9' || value.p[2] < '0' || value.p[2] > '9')
        return fail(v, "status-invalid", "malformed :status (RFC 9113 §8.3.2)", info);
    s = (value.p[0] - '0') * 100 + (value.p[1] - '0') * 10 + (value.p[2] - '0');
    if (s < 100 || s > 599)
        return fail(v, "status-range", ":status out of range 100-599 (RFC 9110 §15)", info);
    if (s == 101)
        return fail(v, "status-101", ":status 101 is not allowed in HTTP/2 (RFC 9113 §8.6)", info);
    v->seen_status = true;
    v->status = s;
    return 0;
}

static int pseudo_field(struct msg_resp *v, struct span name, struct span value,
                        struct h2e_info *info)
{
    /* RFC 9113 §8.1: trailers must not include pseudo-header fields. */
    if (v->trailers)
        return fail(v, "trailer-pseudo", "pseudo-header in trailers (RFC 9113 §8.1)", info);
    /* RFC 9113 §8.3: all pseudo-header fields come before regular fields. */
    if (v->seen_regular)
        return fail(v, "pseudo-order", "pseudo-header after a regular field (RFC 9113 §8.3)", info);
    /* RFC 9113 §8.3: only :status is defined for responses. */
    if (!span_eq_str(name, ":status"))
        return fail(v, "pseudo-unknown",
                    "unknown or request pseudo-header in a response (RFC 9113 §8.3)", info);
    return status_field(v, value, info);
}

/* RFC 9113 §8.1.1 and RFC 9110 §8.6: 1*DIGIT, repeated only with the same value. */
static int content_length_field(struct msg_resp *v, struct span value, struct h2e_info *info)
{
    uint64_t n = 0;
    size_t i;

    if (value.len == 0)
        return fail(v, "content-length-invalid", "invalid content-length (RFC 9110 §8.6)", info);
    for (i = 0; i < value.len; i++) {
        unsigned d = (unsigned)(value.p[i] - '0');
        if (value.p[i] < '0' || value.p[i] > '9' || n > (UINT64_MAX - d) / 10)
            return fail(v, "content-length-invalid", "invalid content-length (RFC 9110 §8.6)",
                        info);
        n = n * 10 + d;
    }
    if (v->has_content_length && n != v->content_length)
        return fail(v, "content-length-conflict",
                    "conflicting content-length values (RFC 9110 §8.6)", info);
    v->has_content_length = true;
    v->content_length = n;
    return 0;
}

static int regular_field(struct msg_resp *v, struct span name, struct span value,
                         struct h2e_info *info)
{
    const char *why, *rule;

    v->seen_regular = true;
    /* RFC 9113 §8.2.1: names are lowercase tokens. */
    if (has_upper(name))
        return fail(v, "name-uppercase", "uppercase field name (RFC 9113 §8.2.1)", info);
    if (!h1_is_token(name))
        return fail(v, "name-invalid", "invalid character in field name (RFC 9113 §8.2.1)", info);
    why = value_problem(value, &rule);
    if (why)
        return fail(v, rule, why, info);
    why = connection_specific(name);
    if (why)
        return fail(v, "connection-specific", why, info);
    /* RFC 9113 §8.2.2: te is only for requests. */
    if (span_eq_str(name, "te"))
        return fail(v, "te-in-response", "'te' in a response (RFC 9113 §8.2.2)", info);
    if (v->trailers && (why = msg_trailer_forbidden(name)) != NULL)
        return fail(v, "trailer-forbidden", why, info);
    if (!v->trailers && span_eq_str(name, "content-length"))
        return content_length_field(v, value, info);
    return 0;
}

int msg_resp_field(struct msg_resp *v, struct span name, struct span value, struct h2e_info *info)
{
    if (name.len == 0)
        return fail(v, "name-empty", "empty field name (RFC 9113 §8.2.1)", info);
    if (name.p[0] == ':')
        return pseudo_field(v, name, value, info);
    return regular_field(v, name, value, info);
}

int msg_resp_end(struct msg_resp *v, bool end_stream, struct h2e_info *info)
{
    if (v->trailers)
        return end_stream ? 0
                          : fail(v, "trailers-end-stream",
                                 "trailers without END_STREAM (RFC 9113 §8.1)", info);
    if (!v->seen_status)
        return fail(v, "status-missing", "missing :status (RFC 9113 §8.3.2)", info);
    if (msg_resp_informational(v) && end_stream)
        return fail(v, "informational-end-stream",
                    "END_STREAM on an informational response (RFC 9113 §8.1)", info);
    return 0;
}

int msg_check_body_length(struct msg_resp *v, bool head_request, uint64_t data_total,
                          bool end_stream, struct h2e_info *info)
{
    /* RFC 9110 §6.4.1: responses to HEAD, 1xx, 204 and 304 have no content, whatever
     * content-length says (RFC 9113 §8.1.1). */
    if (head_request || msg_resp_informational(v) || v->status == 204 || v->status == 304)
        return data_total == 0
                   ? 0
                   : fail(v, "content-unexpected",
                          "DATA in a response that has no content (RFC 9110 §6.4.1)", info);
    if (!v->has_content_length)
        return 0;
    if (data_total > v->content_length || (end_stream && data_total != v->content_length))
        return fail(v, "content-length-mismatch",
                    "content-length does not match the DATA received (RFC 9113 §8.1.1)", info);
    return 0;
}
