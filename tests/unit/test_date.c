/* SPDX-License-Identifier: MIT */
/*
 * Dates: RFC 6265 §5.1.1's cookie-date algorithm over the three HTTP-date forms of RFC
 * 9110 §5.6.7 and over what real Set-Cookie headers carry; Retry-After (RFC 9110 §10.2.3).
 */
#include <stdio.h>

#include "base/buf.h"
#include "base/err.h"
#include "codec/date.h"
#include "tap.h"

static const struct {
    const char *s;
    int64_t t; /* -1: H2E_BAD_DATE */
} dates[] = {
    {"Sun, 06 Nov 1994 08:49:37 GMT", 784111777},  /* IMF-fixdate */
    {"Sunday, 06-Nov-94 08:49:37 GMT", 784111777}, /* RFC 850 */
    {"Sun Nov  6 08:49:37 1994", 784111777},       /* asctime */
    {"Wed, 09 Jun 2021 10:18:14 GMT", 1623233894},
    {"Thu, 01 Jan 1970 00:00:00 GMT", 0},
    {"Fri, 31 Dec 9999 23:59:59 GMT", DATE_MAX},
    {"29 Feb 2000 00:00:00", 951782400},         /* a leap day */
    {"6 nov 1994 8:49:37 junk", 784111777},      /* lenient, as browsers */
    {"Sun, 06 Nov 69 08:49:37 GMT", 3150953377}, /* 69 -> 2069 */
    {"Sun, 06 Nov 1994 08:49:37", 784111777},
    {"29 Feb 2001 00:00:00", -1}, /* no such day */
    {"31 Apr 2001 00:00:00", -1},
    {"06 Nov 1994", -1}, /* no time */
    {"Sun, 06 Nov 1994 24:00:00 GMT", -1},
    {"Sun, 06 Foo 1994 08:49:37 GMT", -1},
    {"Sun, 06 Nov 1600 08:49:37 GMT", -1}, /* before 1601 */
    {"", -1},
    {"\xff\xfe\x01", -1},
};

TEST(test_date_parse)
{
    size_t i;

    for (i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
        struct h2e_info info = H2E_INFO_INIT;
        int64_t t = -7;
        int rv = date_parse(span_str(dates[i].s), &t, &info);
        if (dates[i].t < 0) {
            CHECK_INT(rv, H2E_BAD_DATE);
            CHECK(info.why != NULL);
            CHECK_INT(t, -7);
        } else {
            CHECK_INT(rv, 0);
            CHECK_INT(t, dates[i].t);
        }
        if (tap_failed()) {
            printf("#   date %zu: '%s'\n", i, dates[i].s);
            return;
        }
    }
}

TEST(test_date_retry_after)
{
    struct h2e_info info = H2E_INFO_INIT;
    int64_t d = -1;

    CHECK_INT(date_retry_after(span_str("120"), 1000, &d, &info), 0);
    CHECK_INT(d, 120);
    CHECK_INT(date_retry_after(span_str(" 0 "), 1000, &d, &info), 0);
    CHECK_INT(d, 0);
    CHECK_INT(date_retry_after(span_str("315360000"), 1000, &d, &info), 0);
    CHECK_INT(d, 315360000);
    /* saturates instead of overflowing */
    CHECK_INT(date_retry_after(span_str("99999999999999999999999999"), 0, &d, &info), 0);
    CHECK_INT(d, DATE_MAX);
    CHECK_INT(date_retry_after(span_str("Sun, 06 Nov 1994 08:49:37 GMT"), 784111770, &d, &info), 0);
    CHECK_INT(d, 7);
    CHECK_INT(date_retry_after(span_str("Sun, 06 Nov 1994 08:49:37 GMT"), 784111999, &d, &info), 0);
    CHECK_INT(d, 0); /* in the past: no wait */
    CHECK_INT(date_retry_after(span_str("12s"), 0, &d, &info), H2E_BAD_DATE);
    CHECK_INT(date_retry_after(span_str("-5"), 0, &d, &info), H2E_BAD_DATE);
    CHECK_INT(date_retry_after(span_str(""), 0, &d, &info), H2E_BAD_DATE);
}

TEST(test_date_format)
{
    char out[30];
    int64_t t = 0;

    date_format(784111777, out);
    CHECK_STR(out, "Sun, 06 Nov 1994 08:49:37 GMT");
    date_format(0, out);
    CHECK_STR(out, "Thu, 01 Jan 1970 00:00:00 GMT");
    date_format(-5, out);
    CHECK_STR(out, "Thu, 01 Jan 1970 00:00:00 GMT");
    date_format(INT64_MAX, out);
    CHECK_STR(out, "Fri, 31 Dec 9999 23:59:59 GMT");
    date_format(951782400, out);
    CHECK_INT(date_parse(span_str(out), &t, NULL), 0);
    CHECK_INT(t, 951782400);
}
