/* SPDX-License-Identifier: MIT */
/*
 * Free-form dates as curl's -z reads them (date_parse_loose): each form curl_getdate(3)
 * documents, zones, limits, and what is refused. Expected times were worked out apart from
 * the code (python3 calendar.timegm, GNU date -u -d ... +%s).
 */
#include <stdio.h>

#include "base/buf.h"
#include "base/err.h"
#include "codec/date.h"
#include "tap.h"

#define BAD INT64_MIN

static const struct {
    const char *s;
    int64_t t; /* BAD: H2E_BAD_DATE */
} dates[] = {
    /* RFC 9110 §5.6.7's three forms */
    {"Sun, 06 Nov 1994 08:49:37 GMT", 784111777},
    {"Sunday, 06-Nov-94 08:49:37 GMT", 784111777},
    {"Sun Nov  6 08:49:37 1994", 784111777},
    /* no weekday, no zone, words and numbers in another order */
    {"06 Nov 1994 08:49:37 GMT", 784111777},
    {"06-Nov-94 08:49:37 GMT", 784111777},
    {"Nov  6 08:49:37 1994", 784111777},
    {"06 Nov 1994 08:49:37", 784111777},
    {"1994 Nov 6 08:49:37", 784111777},
    {"GMT 08:49:37 06-Nov-94 Sunday", 784111777},
    {"94 6 Nov 08:49:37", 784111777},
    {"Monday, 06 Nov 1994 08:49:37 GMT", 784111777}, /* the weekday is not checked */
    {"  sun,   06 nov 1994   8:49:37  ", 784111777}, /* names in any case, zones apart */
    /* no time: midnight */
    {"1994 Nov 6", 784080000},
    {"06-Nov-94", 784080000},
    {"Sun Nov 6 94", 784080000},
    {"1994.Nov.6", 784080000},
    {"Sun/Nov/6/94/GMT", 784080000},
    /* H:M, one-digit fields, a leap second */
    {"06 Nov 1994 8:49", 784111740},
    {"06 Nov 1994 8:9:7", 784109347},
    {"Wed, 31 Dec 2008 23:59:60 GMT", 1230768000},
    /* zone names (upper case only) and military letters */
    {"Sun, 06 Nov 1994 08:49:37 CET", 784108177},
    {"06 Nov 1994 08:49:37 EST", 784129777},
    {"06 Nov 1994 08:49:37 UT", 784111777},
    {"06 Nov 1994 08:49:37 NZDT", 784064977},
    {"06 Nov 1994 08:49:37 M", 784068577},
    {"06 Nov 1994 08:49:37 Y", 784154977},
    {"06 Nov 1994 08:49:37 Z", 784111777},
    {"06 Nov 1994 08:49:37 J", BAD},
    {"Sun, 06 Nov 1994 08:49:37 cet", BAD},
    {"Sun, 06 Nov 1994 08:49:37 XYZ", BAD},
    /* RFC 5322 §3.3 offsets */
    {"Sun, 12 Sep 2004 15:05:58 -0700", 1095026758},
    {"Sat, 11 Sep 2004 21:32:11 +0200", 1094931131},
    {"Sun, 06 Nov 1994 08:49:37 +0530", 784091977},
    {"Sun, 06 Nov 1994 08:49:37 GMT-0400", 784111777}, /* the sixth part ends the date */
    /* YYYYMMDD */
    {"20040912 15:05:58 -0700", 1095026758},
    {"20040911 +0200", 1094853600},
    {"20111323 12:34:56", BAD},
    {"20110632", BAD},
    /* two-digit years: 71-99 are 19xx, 00-70 20xx */
    {"01 Jan 71", 31536000},
    {"01 Jan 70", 3155760000},
    /* a day past the month's end runs on, as curl; 32 never */
    {"31 Apr 2024 12:00:00 GMT", 1714564800},
    {"32 Jan 2024", BAD},
    /* the calendar's range: from 1583; DATE_MAX saturates */
    {"Sat, 01 Jan 1583 00:00:00 GMT", INT64_C(-12212553600)},
    {"01 Jan 1582", BAD},
    {"Fri, 31 Dec 9999 23:59:59 GMT", DATE_MAX},
    {"01 Jan 99999999", DATE_MAX},
    {"01 Jan 999999999", BAD},
    /* what is not a date */
    {"", BAD},
    {"Nov 1994", BAD},
    {"IAintNoDateFool", BAD},
    {"Wednesdayyyy 06 Nov 1994", BAD},
    {"Date: Sun, 06 Nov 1994 08:49:37 GMT", BAD},
    {"1994-11-06T08:49:37Z", BAD},
    {"Sun Nov  6 008:09:37 1994", BAD},
    {"Sun, 06 Nov 1994 24:00:00 GMT", BAD},
    {"index.html", BAD},
    {"\xff\xfe\x01", BAD},
};

TEST(test_date_loose_table)
{
    size_t i;

    for (i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
        struct h2e_info info = H2E_INFO_INIT;
        int64_t t = -7;
        size_t n = strlen(dates[i].s);
        int rv = date_parse_loose(span_of(tap_guard(dates[i].s, n), n), &t, &info);
        if (dates[i].t == BAD) {
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

/* Every IMF-fixdate that date_format writes reads back the same. */
TEST(test_date_loose_reads_what_date_format_writes)
{
    int64_t t, u;
    char out[30];

    for (t = 0; t < DATE_MAX; t += INT64_C(86400) * 367 + 3607) {
        date_format(t, out);
        CHECK_INT(date_parse_loose(span_str(out), &u, NULL), 0);
        CHECK_INT(u, t);
        if (tap_failed()) {
            printf("#   '%s'\n", out);
            return;
        }
    }
}

TEST(test_date_days)
{
    CHECK_INT(date_days(1970, 1, 1), 0);
    CHECK_INT(date_days(2000, 3, 1), 11017);
    CHECK_INT(date_days(2004, 9, 0), 12661); /* the day before 1 Sep: 31 Aug */
    CHECK_INT(date_days(1969, 12, 31), -1);
}
