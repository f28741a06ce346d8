/* SPDX-License-Identifier: MIT */
/*
 * The allocator that layers 0-2 allocate through (nghttp2's nghttp2_mem idea), so that unit
 * tests can make the n-th allocation fail and check that the error comes back as H2E_NOMEM.
 * One function does all three jobs: realloc(ud, NULL, n) allocates, realloc(ud, p, 0) frees.
 */
#ifndef H2GET_MEM_H
#define H2GET_MEM_H

#include <stddef.h>

struct mem {
    void *(*realloc)(void *ud, void *p, size_t n);
    void *ud;
};

/* The libc allocator; returns NULL on failure like realloc(3). */
extern const struct mem mem_libc;

static inline void *mem_alloc(const struct mem *m, size_t n)
{
    return m->realloc(m->ud, NULL, n ? n : 1);
}

static inline void *mem_resize(const struct mem *m, void *p, size_t n)
{
    return m->realloc(m->ud, p, n ? n : 1);
}

static inline void mem_free(const struct mem *m, void *p)
{
    if (p)
        m->realloc(m->ud, p, 0);
}

#endif
