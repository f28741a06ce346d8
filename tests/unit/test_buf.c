/* SPDX-License-Identifier: MIT */
/* Spans and capped buffers. */
#include "base/buf.h"
#include "base/err.h"
#include "tap.h"

TEST(test_buf_append_consume)
{
    struct buf b;
    buf_init(&b, &tap_mem, 1000);
    CHECK_INT(buf_append(&b, "hello", 5), 0);
    CHECK_INT(buf_append(&b, " world", 6), 0);
    CHECK(span_eq_str(buf_span(&b), "hello world"));
    buf_consume(&b, 6);
    CHECK(span_eq_str(buf_span(&b), "world"));
    buf_consume(&b, 100);
    CHECK_INT(b.len, 0);
    buf_release(&b);
    CHECK_INT(tap_mem_live(), 0);
}

TEST(test_buf_cap_enforced)
{
    struct buf b;
    char big[200] = {0};
    buf_init(&b, &tap_mem, 100);
    CHECK_INT(buf_append(&b, big, 100), 0);
    CHECK_INT(buf_append(&b, big, 1), H2E_LIMIT_BUFFER);
    CHECK_INT(b.len, 100);
    CHECK_INT(buf_reserve(&b, SIZE_MAX), H2E_LIMIT_BUFFER);
    buf_release(&b);
}

TEST(test_buf_nomem)
{
    struct buf b;
    buf_init(&b, &tap_mem, 1 << 20);
    tap_mem_fail_after = 0;
    CHECK_INT(buf_append(&b, "x", 1), H2E_NOMEM);
    CHECK_INT(b.len, 0);
    tap_mem_fail_after = -1;
    buf_release(&b);
}

TEST(test_span_eq)
{
    CHECK(span_eq(span_str(""), span_of(NULL, 0)));
    CHECK(!span_eq(span_str("a"), span_str("b")));
    CHECK(span_eq_str(span_of("abc", 2), "ab"));
}
