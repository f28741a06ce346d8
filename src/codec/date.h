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
 * date_retry_after - the delay in seconds that a Retry-After value `s` asks for at time
 * `now`: delay-seconds, or an HTTP-date (0 when it is in the past); saturates at
 * DATE_MAX. Returns 0, or H2E_BAD_DATE.
 */
int date_retry_after(struct span s, int64_t now, int64_t *delay, struct h2e_info *info);

/* date_format - `t` as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") into `out`,
 * which holds 30 bytes, NUL-terminated; `t` is clamped to 0 .. DATE_MAX. */
void date_format(int64_t t, char out[30]);

#endif
