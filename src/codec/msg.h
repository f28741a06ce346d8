/* SPDX-License-Identifier: MIT */
/*
 * HTTP message rules shared by the HTTP/1.1 and HTTP/2 paths (RFC 9110, RFC 9113 §8): the
 * lint for user-given request fields, and a per-header-block validator for HTTP/2
 * responses and trailers (pseudo-headers §8.3, field validity §8.2, connection-specific
 * fields §8.2.2, content-length §8.1.1). Knows nothing of framing or HPACK; never
 * allocates, never prints. Each failure also names a short rule id for `--check`.
 */
#ifndef H2GET_MSG_H
#define H2GET_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* One header field of either protocol version, as the layers above see it: spans into
 * the bytes of the header block or the head that carried it. */
struct msg_field {
    struct span name;
    struct span value;
};

enum msg_lint_flags {
    MSG_LINT_PSEUDO = 1 << 0,    /* a pseudo-header override such as ":authority" */
    MSG_LINT_UPPERCASE = 1 << 1, /* the name has uppercase letters: lower-case it for h2 */
};

/*
 * msg_lint_request_header - check a user-given request field (-H) before it is sent over
 * HTTP/2 (CLI.md item 8; --raw-headers skips this). Returns a non-negative set of
 * enum msg_lint_flags when the field may be sent (MSG_LINT_PSEUDO for the overrides
 * ":method", ":scheme", ":authority", ":path" and ":protocol"), or H2E_USAGE with `info`
 * naming the problem: empty name, invalid name character (RFC 9110 §5.1), unknown or
 * response pseudo-header (RFC 9113 §8.3.1), a connection-specific field (`connection`,
 * `keep-alive`, `proxy-connection`, `transfer-encoding`, `upgrade`; RFC 9113 §8.2.2),
 * `te` other than "trailers", CR/LF/NUL in the value, or surrounding whitespace
 * (RFC 9113 §8.2.1). Borrows `name` and `value` for the call.
 */
int msg_lint_request_header(struct span name, struct span value, struct h2e_info *info);

/* msg_trailer_forbidden - why field `name` (any case; borrowed for the call) must not be
 * in trailers (RFC 9110 §6.5.1: content-length, host, authorization, content-type...), or
 * NULL when it may be. The response validator refuses them with rule "trailer-forbidden". */
const char *msg_trailer_forbidden(struct span name);

/* msg_lowercase_name - lower-case the ASCII letters of `name` in place (RFC 9113 §8.2). */
void msg_lowercase_name(char *name, size_t len);

/*
 * Validator for one HTTP/2 response header block or trailer block, fed field by field in
 * wire order. Initialise with msg_resp_init for every block. After a failure `rule` holds
 * a short, stable rule id ("status-missing", "connection-specific"...) for --check.
 * `status`, `has_content_length` and `content_length` are valid after msg_resp_end.
 */
struct msg_resp {
    uint32_t stream_id;
    bool trailers;
    bool seen_status;
    bool seen_regular;
    int status;
    bool has_content_length;
    uint64_t content_length;
    const char *rule;
};

/* msg_resp_init - start a header block (`trailers` false) or trailer block on `stream_id`. */
void msg_resp_init(struct msg_resp *v, uint32_t stream_id, bool trailers);

/*
 * msg_resp_field - check one decoded field. Returns 0 or H2E_STREAM_PROTOCOL (the response
 * is malformed, RFC 9113 §8.1.1) with `info` and `v->rule` set: `:status` duplicated,
 * after a regular field, not three digits, outside 100-599, or 101 (§8.3.2, §8.6); any
 * other pseudo-header (§8.3); a pseudo-header in trailers (§8.1); an uppercase or
 * non-token name, CR/LF/NUL in a value, or whitespace around it (§8.2.1); a
 * connection-specific field or `te` (§8.2.2); an invalid or conflicting content-length
 * (§8.1.1, RFC 9110 §8.6). Borrows `name` and `value` for the call.
 */
int msg_resp_field(struct msg_resp *v, struct span name, struct span value, struct h2e_info *info);

/*
 * msg_resp_end - the block ended (END_HEADERS). Returns 0 or H2E_STREAM_PROTOCOL for a
 * header block without `:status` (§8.3.2), an informational (1xx) block carrying
 * END_STREAM, or trailers without END_STREAM (§8.1).
 */
int msg_resp_end(struct msg_resp *v, bool end_stream, struct h2e_info *info);

/* msg_resp_informational - true for a 1xx header block: another HEADERS follows (§8.1). */
static inline bool msg_resp_informational(const struct msg_resp *v)
{
    return v->status >= 100 && v->status <= 199;
}

/*
 * msg_check_body_length - compare `data_total` DATA bytes received so far (all of them
 * when `end_stream`) with the response `v` (a header-block validator after msg_resp_end)
 * to a request that was HEAD when `head_request`. Returns 0 or H2E_STREAM_PROTOCOL when
 * DATA exceeds content-length or ends short of it (RFC 9113 §8.1.1), or when a response
 * that has no content (HEAD, 204, 304; RFC 9110 §6.4.1) carries DATA.
 */
int msg_check_body_length(struct msg_resp *v, bool head_request, uint64_t data_total,
                          bool end_stream, struct h2e_info *info);

#endif
