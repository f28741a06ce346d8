/* SPDX-License-Identifier: MIT */
/*
 * The unit-test harness: TEST(name) registers a test at load time, CHECK* record failures
 * without stopping the test, and the runner (main.c) prints one line per test and ends with
 * "N passed, N failed, N skipped". Helpers for the shared corpora and a failing allocator
 * live here too.
 */
#ifndef H2GET_TAP_H
#define H2GET_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/mem.h"

typedef void (*tap_fn)(void);

void tap_register(const char *name, tap_fn fn);
void tap_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* tap_skip - mark the running test skipped with a visible reason (counted apart). */
void tap_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* tap_failed - true when the running test has recorded a failure. */
bool tap_failed(void);

#define TEST(name)                                                                                 \
    static void name(void);                                                                        \
    __attribute__((constructor)) static void tap_reg_##name(void)                                  \
    {                                                                                              \
        tap_register(#name, name);                                                                 \
    }                                                                                              \
    static void name(void)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            tap_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                                      \
    } while (0)

#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long tap_a_ = (long long)(a), tap_b_ = (long long)(b);                                \
        if (tap_a_ != tap_b_)                                                                      \
            tap_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", #a, tap_a_, #b,        \
                     tap_b_);                                                                      \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *tap_a_ = (a), *tap_b_ = (b);                                                   \
        if (!tap_a_ || !tap_b_ || strcmp(tap_a_, tap_b_) != 0)                                     \
            tap_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a,                      \
                     tap_a_ ? tap_a_ : "(null)", tap_b_ ? tap_b_ : "(null)");                      \
    } while (0)

#define CHECK_MEM(a, alen, b, blen)                                                                \
    do {                                                                                           \
        size_t tap_al_ = (alen), tap_bl_ = (blen);                                                 \
        if (tap_al_ != tap_bl_ || (tap_al_ && memcmp((a), (b), tap_al_) != 0))                     \
            tap_fail(__FILE__, __LINE__, "%s (%zu bytes) differs from %s (%zu bytes)", #a,         \
                     tap_al_, #b, tap_bl_);                                                        \
    } while (0)

/* tap_testdata - "../shared/testdata/<rel>" (or $H2GET_TESTDATA/<rel>) in a static buffer,
 * or NULL when the folder is absent. */
const char *tap_testdata(const char *rel);
/* tap_read_file - the whole file; caller owns the result (free()); NULL on error. */
uint8_t *tap_read_file(const char *path, size_t *len);
/* tap_unhex - decode hex `s` (spaces ignored) into a malloc'ed buffer; NULL if malformed. */
uint8_t *tap_unhex(const char *s, size_t *len);
/* tap_guard - a copy of `len` bytes placed to end at an unmapped page, so that any read past
 * the end faults (picohttpparser's trick). Valid until the next tap_guard call. */
const uint8_t *tap_guard(const void *p, size_t len);

/*
 * A failing allocator: after `tap_mem_fail_after` more successful allocations (growth
 * included), every further one fails. -1 never fails. Frees always succeed.
 */
extern const struct mem tap_mem;
extern long tap_mem_fail_after;
/* tap_mem_live - allocations made through tap_mem not yet freed (leak check). */
long tap_mem_live(void);

#endif
