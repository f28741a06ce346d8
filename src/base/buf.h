/* SPDX-License-Identifier: MIT */
/*
 * Byte spans and owned buffers. Knows nothing about HTTP.
 *
 * struct span borrows: `p` points at `len` readable bytes owned by someone else.
 *
 * struct buf owns its bytes (git's strbuf, without the NUL guarantee):
 *  - `p` is NULL until the first growth; `len <= cap` always;
 *  - `len` never exceeds `max`, the hard cap given at init: growing past it fails with
 *    H2E_LIMIT_BUFFER and leaves the buffer unchanged;
 *  - growth happens in place through a pointer to the buf; no function returns a new
 *    pointer that replaces the old one, but any growth may move `p`, so spans taken into a
 *    buf are valid only until it next grows or is consumed from.
 */
#ifndef H2GET_BUF_H
#define H2GET_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

struct span {
    const uint8_t *p;
    size_t len;
};

struct buf {
    uint8_t *p;
    size_t len;
    size_t cap;
    size_t max;
    const struct mem *mem;
};

static inline struct span span_of(const void *p, size_t len)
{
    struct span s = {(const uint8_t *)p, len};
    return s;
}

/* span_str - a span over the NUL-terminated string `s` (borrows `s`). */
struct span span_str(const char *s);
/* span_eq - true when `a` and `b` hold the same bytes. */
int span_eq(struct span a, struct span b);
/* span_eq_str - true when `a` holds exactly the bytes of string `s`. */
int span_eq_str(struct span a, const char *s);
/* span_ieq_str - true when `a` equals the lowercase string `lower` ignoring ASCII case. */
int span_ieq_str(struct span a, const char *lower);

/* buf_init - an empty buffer that allocates through `mem` and never holds more than `max`. */
void buf_init(struct buf *b, const struct mem *mem, size_t max);
/* buf_release - free the contents; `b` must be buf_init'ed again before reuse. */
void buf_release(struct buf *b);
/*
 * buf_reserve - make room for `extra` more bytes after `len`. Returns 0, H2E_LIMIT_BUFFER
 * when `len + extra` exceeds `max`, or H2E_NOMEM; on failure `b` is unchanged.
 */
int buf_reserve(struct buf *b, size_t extra);
/* buf_append - copy `n` bytes from `p` (borrowed for the call). Errors as buf_reserve. */
int buf_append(struct buf *b, const void *p, size_t n);
/* buf_consume - drop `n` bytes (at most `len`) from the front. */
void buf_consume(struct buf *b, size_t n);

static inline void buf_reset(struct buf *b)
{
    b->len = 0;
}

/* buf_span - the contents; valid until `b` next changes. */
static inline struct span buf_span(const struct buf *b)
{
    return span_of(b->p, b->len);
}

#endif
