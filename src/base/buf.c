/* SPDX-License-Identifier: MIT */
/* Spans and capped, owned, growable byte buffers. */
#include "buf.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"

static void *libc_realloc(void *ud, void *p, size_t n)
{
    (void)ud;
    if (n == 0) {
        free(p);
        return NULL;
    }
    return realloc(p, n);
}

const struct mem mem_libc = {libc_realloc, NULL};

struct span span_str(const char *s)
{
    return span_of(s, strlen(s));
}

int span_eq(struct span a, struct span b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

int span_eq_str(struct span a, const char *s)
{
    return span_eq(a, span_str(s));
}

int span_ieq_str(struct span a, const char *lower)
{
    size_t i, n = strlen(lower);

    if (a.len != n)
        return 0;
    for (i = 0; i < n; i++) {
        uint8_t c = a.p[i];
        if ((c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c) != (uint8_t)lower[i])
            return 0;
    }
    return 1;
}

void buf_init(struct buf *b, const struct mem *mem, size_t max)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->mem = mem;
}

void buf_release(struct buf *b)
{
    mem_free(b->mem, b->p);
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}

int buf_reserve(struct buf *b, size_t extra)
{
    size_t want, cap;
    uint8_t *p;

    if (extra > b->max || b->len > b->max - extra)
        return H2E_LIMIT_BUFFER;
    want = b->len + extra;
    if (want <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < want)
        cap = cap > SIZE_MAX / 2 ? want : cap * 2;
    if (cap > b->max)
        cap = b->max;
    p = mem_resize(b->mem, b->p, cap);
    if (!p)
        return H2E_NOMEM;
    b->p = p;
    b->cap = cap;
    return 0;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
    int rv = buf_reserve(b, n);
    if (rv)
        return rv;
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    return 0;
}

void buf_consume(struct buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->p, b->p + n, b->len - n);
    b->len -= n;
}
