/* SPDX-License-Identifier: MIT */
/*
 * Dates: RFC 6265 §5.1.1's cookie-date algorithm (lenient, so that it also reads the three
 * HTTP-date forms of RFC 9110 §5.6.7), Retry-After (RFC 9110 §10.2.3) and IMF-fixdate out.
 */
#include "date.h"

#include <stdbool.h>

static const char months[12][4] = {"jan", "feb", "mar", "apr", "may", "jun",
                                   "jul", "aug", "sep", "oct", "nov", "dec"};

/* RFC 6265 §5.1.1 delimiter: %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E */
static bool is_delim(uint8_t c)
{
    return c == 0x09 || (c >= 0x20 && c <= 0x2f) || (c >= 0x3b && c <= 0x40) ||
           (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* min..max digits at `*i` of `t` as `*v`, followed by the end or (when `sep`) `sep`, or
 * (when not) a non-digit. */
static bool digits(struct span t, size_t *i, size_t min, size_t max, int *v)
{
    size_t n = 0;

    *v = 0;
    while (*i < t.len && is_digit(t.p[*i]) && n < max) {
        *v = *v * 10 + (t.p[(*i)++] - '0');
        n++;
    }
    return n >= min && (*i >= t.len || !is_digit(t.p[*i]));
}

/* hms-time = time-field ":" time-field ":" time-field, then a non-digit and anything */
static bool time_token(struct span t, int hms[3])
{
    size_t i = 0;
    int k;

    for (k = 0; k < 3; k++) {
        if (!digits(t, &i, 1, 2, &hms[k]))
            return false;
        if (k < 2 && (i >= t.len || t.p[i++] != ':'))
            return false;
    }
    return true;
}

static int month_token(struct span t)
{
    int m, k;

    if (t.len < 3)
        return -1;
    for (m = 0; m < 12; m++) {
        for (k = 0; k < 3 && (t.p[k] | 0x20) == months[m][k]; k++)
            ;
        if (k == 3)
            return m;
    }
    return -1;
}

struct date_parts {
    int hms[3], day, month, year;
    bool time, has_day, has_month, has_year;
};

static void token(struct span t, struct date_parts *d)
{
    size_t i = 0;
    int v;

    if (!d->time && time_token(t, d->hms)) {
        d->time = true;
    } else if (!d->has_day && digits(t, &i, 1, 2, &v)) {
        d->day = v;
        d->has_day = true;
    } else if (!d->has_month && (v = month_token(t)) >= 0) {
        d->month = v;
        d->has_month = true;
    } else if (i = 0, !d->has_year && digits(t, &i, 2, 4, &v)) {
        d->year = v;
        d->has_year = true;
    }
}

/* Howard Hinnant's algorithm. */
int64_t date_days(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
    static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 1 && leap ? 29 : n[m];
}

int date_parse(struct span s, int64_t *t, struct h2e_info *info)
{
    struct date_parts d = {{0, 0, 0}, 0, 0, 0, false, false, false, false};
    size_t i = 0, start;

    while (i < s.len) {
        while (i < s.len && is_delim(s.p[i]))
            i++;
        start = i;
        while (i < s.len && !is_delim(s.p[i]))
            i++;
        if (i > start)
            token(span_of(s.p + start, i - start), &d);
    }
    if (!d.time || !d.has_day || !d.has_month || !d.has_year)
        return h2e_set(info, H2E_BAD_DATE, 0, "a date needs a time, a day, a month and a year");
    /* RFC 6265 §5.1.1 steps 3-4: two-digit years */
    if (d.year >= 70 && d.year <= 99)
        d.year += 1900;
    else if (d.year <= 69)
        d.year += 2000;
    if (d.year < 1601 || d.day < 1 || d.day > month_days(d.year, d.month) || d.hms[0] > 23 ||
        d.hms[1] > 59 || d.hms[2] > 59)
        return h2e_set(info, H2E_BAD_DATE, 0, "no such date or time");
    *t = date_days(d.year, d.month + 1, d.day) * 86400 + d.hms[0] * 3600 + d.hms[1] * 60 + d.hms[2];
    return 0;
}

int date_retry_after(struct span s, int64_t now, int64_t *delay, struct h2e_info *info)
{
    int64_t v = 0, when;
    size_t i = 0;

    while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
        s.len--;
    while (i < s.len && (s.p[i] == ' ' || s.p[i] == '\t'))
        i++;
    if (i < s.len && is_digit(s.p[i])) {
        for (; i < s.len && is_digit(s.p[i]); i++)
            v = v > DATE_MAX / 10 ? DATE_MAX : v * 10 + (s.p[i] - '0');
        if (i < s.len)
            return h2e_set(info, H2E_BAD_DATE, 0, "delay-seconds must be digits only");
        *delay = v > DATE_MAX ? DATE_MAX : v;
        return 0;
    }
    if (date_parse(span_of(s.p + i, s.len - i), &when, info) != 0)
        return H2E_BAD_DATE;
    *delay = when > now ? when - now : 0;
    return 0;
}

/* Year, month and day of day number `z` since 1970-01-01 (the inverse of the above). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* `n` as `width` decimal digits at `p` (zero-padded). */
static char *put_num(char *p, int n, int width)
{
    int i;

    for (i = width - 1; i >= 0; i--, n /= 10)
        p[i] = (char)('0' + n % 10);
    return p + width;
}

static char *put_str(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

void date_format(int64_t t, char out[30])
{
    static const char wd[7][4] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    static const char mn[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t days, y;
    int m, d, secs;
    char *p = out;

    t = t < 0 ? 0 : t > DATE_MAX ? DATE_MAX : t;
    days = t / 86400;
    secs = (int)(t % 86400);
    civil_from_days(days, &y, &m, &d);
    p = put_str(put_str(p, wd[days % 7]), ", ");
    p = put_str(put_num(p, d, 2), " ");
    p = put_str(put_str(p, mn[m - 1]), " ");
    p = put_str(put_num(p, (int)y, 4), " ");
    p = put_str(put_num(p, secs / 3600, 2), ":");
    p = put_str(put_num(p, secs / 60 % 60, 2), ":");
    p = put_str(put_num(p, secs % 60, 2), " GMT");
    *p = '\0';
}
