/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.1 codec (RFC 9112): the request writer (§3, §5, §7.1 for chunked uploads), a
 * stateless response-head parser (§4, §5) that returns spans into its input and tells
 * "incomplete" from "invalid" (picohttpparser's design), the body-framing rules (§6.3,
 * persistence §9.3) and an incremental chunked decoder (§7.1) with small zero-initialised
 * state. Never reads sockets, never allocates, never buffers: the caller owns the bytes.
 */
#ifndef H2GET_H1_H
#define H2GET_H1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* Longest chunk-size line (size, extensions, CRLF) the decoder accepts: extensions are
 * ignored, so anything longer is abuse, and this bounds what the caller must buffer. */
#define H1_CHUNK_LINE_MAX 4096u

/* One field line; spans point into the parsed input (or the writer's caller's bytes). */
struct h1_header {
    struct span name;
    struct span value;
};

/* h1_is_tchar - true when `c` may appear in a token (RFC 9110 §5.6.2). */
bool h1_is_tchar(uint8_t c);
/* h1_is_token - true when `s` is a non-empty token (RFC 9110 §5.6.2). */
bool h1_is_token(struct span s);

enum h1_req_body {
    H1_REQ_BODY_NONE,    /* no body and no framing header */
    H1_REQ_BODY_LENGTH,  /* "Content-Length: content_length" */
    H1_REQ_BODY_CHUNKED, /* "Transfer-Encoding: chunked"; send with h1_write_chunk */
};

/*
 * A request head to write. `method` and `target` go on the request line (the target is
 * sent as given: build it with url_request_target). `host` is the Host value
 * (url_authority); it is not written when one of `headers` is named "host", so a user's
 * -H 'Host: x' replaces it. `headers` are written in order, names as given. All borrowed.
 */
struct h1_request {
    struct span method;
    struct span target;
    struct span host;
    const struct h1_header *headers;
    size_t nheaders;
    enum h1_req_body body;
    uint64_t content_length;
};

/*
 * h1_write_request - append the request line, Host, `headers`, the framing header for
 * `body` and the empty line to `out`. Returns 0; H2E_USAGE when the method is not a token,
 * the target is empty or holds whitespace/controls, a header name is empty or not a token,
 * or a value (Host included) holds CR, LF or NUL (RFC 9110 §5.5); or H2E_LIMIT_BUFFER /
 * H2E_NOMEM from `out`. On any error `out` is unchanged and `info` says why.
 */
int h1_write_request(struct buf *out, const struct h1_request *req, struct h2e_info *info);

/*
 * h1_write_chunk - append `len` bytes of `p` as one chunk (RFC 9112 §7.1). A zero `len`
 * writes nothing (the zero chunk ends the body: use h1_write_last_chunk). Returns 0 or
 * H2E_LIMIT_BUFFER/H2E_NOMEM with `out` unchanged.
 */
int h1_write_chunk(struct buf *out, const uint8_t *p, size_t len);

/*
 * h1_write_last_chunk - append the last chunk, the `ntrailers` trailer fields and the final
 * empty line (RFC 9112 §7.1, §7.1.2). Errors as h1_write_request.
 */
int h1_write_last_chunk(struct buf *out, const struct h1_header *trailers, size_t ntrailers,
                        struct h2e_info *info);

/* A parsed status line; `reason` points into the parsed input. */
struct h1_response {
    int minor_version; /* HTTP/1.<minor_version> */
    int status;        /* 100-599 */
    struct span reason;
};

/*
 * h1_parse_headers - parse field lines up to and including the empty line that ends them
 * (a header or trailer section, RFC 9112 §5, §7.1.2). `*nhdrs` is the capacity of `hdrs`
 * on entry and the number of fields on success; with `hdrs` NULL the fields are only
 * checked and counted. Values are trimmed of surrounding whitespace. Lines may end in CRLF
 * or a bare LF. Returns the bytes consumed; H2E_INCOMPLETE when the empty line has not
 * arrived (call again with more bytes); H2E_H1_INVALID for a line without a colon,
 * whitespace before the colon (§5.1), an invalid name or value character, a bare CR or an
 * obs-fold (§5.2, refused); H2E_LIMIT_HEADER_COUNT beyond the capacity or
 * LIMIT_HEADER_COUNT; H2E_LIMIT_HEADER_LIST when the section exceeds LIMIT_HEADER_LIST_SIZE.
 * Spans in `hdrs` point into `p`.
 */
int h1_parse_headers(const uint8_t *p, size_t len, struct h1_header *hdrs, size_t *nhdrs,
                     struct h2e_info *info);

/*
 * h1_parse_response - parse a response head: "HTTP/1.x SP 3DIGIT [SP reason]" then the
 * header section (as h1_parse_headers; the whole head counts against
 * LIMIT_HEADER_LIST_SIZE). Stateless: call again with the same bytes plus more after
 * H2E_INCOMPLETE. Returns the bytes consumed by the head, H2E_INCOMPLETE, H2E_H1_INVALID
 * (bad status line or header syntax), H2E_LIMIT_HEADER_COUNT or H2E_LIMIT_HEADER_LIST.
 * `r` and `hdrs` point into `p`. A 1xx head is returned like any other: the caller checks
 * h1_body_framing and parses the next head.
 */
int h1_parse_response(const uint8_t *p, size_t len, struct h1_response *r, struct h1_header *hdrs,
                      size_t *nhdrs, struct h2e_info *info);

enum h1_body_kind {
    H1_BODY_NONE,          /* no content: HEAD, 204, 304 */
    H1_BODY_LENGTH,        /* exactly `length` bytes */
    H1_BODY_CHUNKED,       /* chunked: decode with h1_chunked_decode */
    H1_BODY_CLOSE,         /* until the server closes the connection */
    H1_BODY_INFORMATIONAL, /* 1xx other than 101: no content, the next head follows */
    H1_BODY_SWITCH,        /* 101: the connection now speaks the Upgrade protocol */
    H1_BODY_TUNNEL,        /* 2xx to CONNECT: the connection is a tunnel */
};

struct h1_body {
    enum h1_body_kind kind;
    uint64_t length; /* H1_BODY_LENGTH only */
    bool close;      /* the connection cannot carry another HTTP/1.1 request */
};

/*
 * h1_body_framing - the message body length of a response (RFC 9112 §6.3) to a request
 * with `method`, and whether the connection persists (§9.3). Transfer-Encoding wins over
 * Content-Length (and then forces close); chunked must be the last coding, else the body
 * is close-delimited; a Transfer-Encoding in an HTTP/1.0 response means faulty framing
 * (§6.1: read until close). Content-Length may repeat or be a list only with equal values.
 * Returns 0, or H2E_H1_INVALID for an invalid or conflicting Content-Length (§6.3 item 5).
 */
int h1_body_framing(const struct h1_response *r, const struct h1_header *hdrs, size_t nhdrs,
                    struct span method, struct h1_body *b, struct h2e_info *info);

/*
 * Chunked decoder state: zero-initialise it (or h1_chunked_init) before the first call.
 * `done` becomes true after the last chunk and the trailer section; `trailers` then holds
 * that section's bytes (field lines and the final empty line) as a span into the input of
 * the call that finished, valid while those bytes are; parse it with h1_parse_headers.
 */
struct h1_chunked {
    uint64_t left;
    unsigned state;
    bool done;
    struct span trailers;
};

static inline void h1_chunked_init(struct h1_chunked *c)
{
    struct h1_chunked zero = {0};
    *c = zero;
}

/*
 * h1_chunked_decode - decode the chunked body at `p`/`len` (RFC 9112 §7.1). Each call that
 * returns 0 consumed `*consumed` bytes (the caller drops them from its buffer) and may
 * return body bytes in `*data`, a span into `p` (at most one span per call; no copying);
 * call again until it returns H2E_INCOMPLETE (nothing consumed: more input is needed; the
 * unconsumed bytes must be passed again, followed by the new ones) or `done` is set. Lines
 * are never consumed in part, so the caller buffers at most H1_CHUNK_LINE_MAX bytes, or
 * LIMIT_HEADER_LIST_SIZE in the trailer section. Chunk extensions are ignored. Errors:
 * H2E_H1_INVALID (bad or overflowing chunk size, missing CRLF after data, overlong size
 * line, bad trailer syntax), H2E_LIMIT_HEADER_COUNT, H2E_LIMIT_HEADER_LIST.
 */
int h1_chunked_decode(struct h1_chunked *c, const uint8_t *p, size_t len, size_t *consumed,
                      struct span *data, struct h2e_info *info);

#endif
