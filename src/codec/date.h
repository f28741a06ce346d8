/* SPDX-License-Identifier: MIT */
/*
 * Dates in HTTP fields, sans-I/O: the cookie-date algorithm of RFC 6265 §5.1.1, which
 * also reads every HTTP-date form of RFC 9110 §5.6.7 (IMF-fixdate, RFC 850, asctime), and
 * Retry-After (RFC 9110 §10.2.3). Times are seconds since the Unix epoch, UTC; the caller
 * passes the current time. Never allocates.
 */
#ifndef H2GET_DATE_H
#define H2GET_DATE_H

#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* Bound of every delay and date here: year 9999, as the Netscape jar files can hold. */
#define DATE_MAX INT64_C(253402300799)

/*
 * date_parse - the date in `s` (RFC 6265 §5.1.1: tokens for time, day, month and year in
 * any order, junk between them ignored) as `*t`. Returns 0, or H2E_BAD_DATE with `info`
 * saying which part is missing or out of range (a day that does not exist included).
 */
int date_parse(struct span s, int64_t *t, struct h2e_info *info);

/*
 * date_parse_loose - the free-form date in `s` as curl's -z reads it (curl_getdate(3)) as
 * `*t`: RFC 9110 §5.6.7's three forms and looser ones ("06-Nov-94", "1994.Nov.6",
 * "20040912 15:05:58 -0700"), words and numbers in any order, the time 00:00:00 when left
 * out, a zone name ("CET"; upper case), a military letter or "+hhmm" (UTC when none), the
 * first six words and numbers read. A day past the month's end runs into the next month
 * (31 Apr is 1 May), as curl. Years from 1583; later than DATE_MAX saturates. Returns 0,
 * or H2E_BAD_DATE with `info` saying why (an unknown word, no day, month or year, ...).
 */
int date_parse_loose(struct span s, int64_t *t, struct h2e_info *info);

/* date_days - days from 1970-01-01 to `y`-`m`-`d` (proleptic Gregorian, `m` 1-12; `d` may
 * pass the month's end, or be 0 for the day before the first). */
int64_t date_days(int64_t y, int m, int d);

/*
 * date_retry_after - the delay in seconds that a Retry-After value `s` asks for at time
 * `now`: delay-seconds, or an HTTP-date (0 when it is in the past); saturates at
 * DATE_MAX. Returns 0, or H2E_BAD_DATE.
 */
int date_retry_after(struct span s, int64_t now, int64_t *delay, struct h2e_info *info);

/* date_format - `t` as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") into `out`,
 * which holds 30 bytes, NUL-terminated; `t` is clamped to 0 .. DATE_MAX. */
void date_format(int64_t t, char out[30]);

#endif
