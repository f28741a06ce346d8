/* SPDX-License-Identifier: MIT */
/*
 * The JSON writer (src/base/json.c): exact bytes for strings with every kind of byte,
 * numbers at their edges, keys and the buffer cap.
 */
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "sys/xalloc.h"
#include "tap.h"

static int eq(const struct buf *b, const char *want)
{
    return b->len == strlen(want) && memcmp(b->p, want, b->len) == 0;
}

TEST(test_json_str_escapes_every_unsafe_byte)
{
    static const uint8_t in[] = {'a', '"', 'b', '\\', 0x00, 0x1f, 0x7f, 0xc3, 0xa9, 'z'};
    struct buf b;

    buf_init(&b, &xalloc_mem, 1024);
    CHECK(json_str(&b, span_of(in, sizeof(in))) == 0);
    CHECK(eq(&b, "\"a\\\"b\\\\\\u0000\\u001f\\u007f\\u00c3\\u00a9z\""));
    buf_reset(&b);
    CHECK(json_str(&b, span_str("")) == 0);
    CHECK(eq(&b, "\"\""));
    buf_release(&b);
}

TEST(test_json_numbers)
{
    struct buf b;

    buf_init(&b, &xalloc_mem, 1024);
    json_u64(&b, 0);
    json_raw(&b, " ");
    json_u64(&b, UINT64_MAX);
    json_raw(&b, " ");
    json_i64(&b, INT64_MIN);
    json_raw(&b, " ");
    json_fixed(&b, 12.3456, 3);
    json_raw(&b, " ");
    json_fixed(&b, 0.9995, 3);
    json_raw(&b, " ");
    json_fixed(&b, 0.000001, 6);
    json_raw(&b, " ");
    json_fixed(&b, -1.5, 1);
    json_raw(&b, " ");
    json_fixed(&b, 7, 0);
    CHECK(eq(&b, "0 18446744073709551615 -9223372036854775808 12.346 1.000 0.000001 -1.5 7"));
    buf_release(&b);
}

TEST(test_json_keys_and_cap)
{
    struct buf b;
    bool first = true;

    buf_init(&b, &xalloc_mem, 16);
    json_raw(&b, "{");
    CHECK(json_key(&b, &first, "a") == 0);
    json_bool(&b, true);
    CHECK(json_key(&b, &first, "b") == 0);
    json_bool(&b, false);
    CHECK(eq(&b, "{\"a\":true,\"b\":"));
    CHECK(json_str(&b, span_str("too long for the cap")) == H2E_LIMIT_BUFFER);
    buf_release(&b);
}

static void check_text(const char *in, size_t n, const char *want)
{
    struct buf b;

    buf_init(&b, &mem_libc, 1024);
    CHECK(json_text(&b, span_of(in, n)) == 0);
    CHECK_MEM(b.p, b.len, want, strlen(want));
    buf_release(&b);
}

#define TEXT(in, want) check_text(in, sizeof(in) - 1, want)

/* UTF-8 as characters; ill-formed subparts as U+FFFD, as the WHATWG decoder does. */
TEST(test_json_text_utf8)
{
    TEXT("a\"b\\c\n", "\"a\\\"b\\\\c\\u000a\"");
    TEXT("\xc3\xa9", "\"\\u00e9\"");
    TEXT("\xe2\x82\xac", "\"\\u20ac\"");
    TEXT("\xf0\x9f\x98\x80", "\"\\ud83d\\ude00\"");
    TEXT("\xff", "\"\\ufffd\"");
    TEXT("\xe2\x82x", "\"\\ufffdx\"");                 /* one U+FFFD for a cut sequence */
    TEXT("\xc0\xaf", "\"\\ufffd\\ufffd\"");            /* overlong: two */
    TEXT("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""); /* a surrogate */
    TEXT("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* past U+10FFFF */
    TEXT("\xe2\x82", "\"\\ufffd\"");
}
