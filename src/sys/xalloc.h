/* SPDX-License-Identifier: MIT */
/*
 * Die-on-failure allocation for layers 3-4 (OpenBSD's xmalloc, git): print
 * "h2get: (27) out of memory" and exit 27. Layers 0-2 use struct mem instead.
 */
#ifndef H2GET_XALLOC_H
#define H2GET_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

#include "base/mem.h"

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* xvasprintf / xasprintf - `fmt` formatted into a string of its own length (nothing is
 * cut); caller frees with free(). */
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The allocator for layers 0-2 when used by the CLI: exits on failure like xmalloc. */
extern const struct mem xalloc_mem;

#endif
