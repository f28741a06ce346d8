/* SPDX-License-Identifier: MIT */
/*
 * Free-form dates as curl's -z reads them (curl_getdate(3)): the three HTTP-date forms of
 * RFC 9110 §5.6.7, the same without the weekday, the time or the zone, words and numbers in
 * any order, any separators, zone names, military letters and RFC 5322 §3.3 "+hhmm"
 * offsets, and YYYYMMDD. At most six words or numbers are read; the rest is ignored.
 * Sans-I/O: no clock, no locale, no allocation.
 */
#include "date.h"

#include <stdbool.h>

/* Each field is -1 while unknown. */
struct when {
    int wday, mon, mday, hour, min, sec;
    int64_t year;
    int64_t tzoff; /* seconds to add to the local time to get UTC */
    bool has_tz;
    bool mday_next; /* a bare number is taken as the day of the month first, then the year */
};

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(uint8_t c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

/* `n` bytes at `p` equal `s` (which is `n` long), ASCII letters in any case when `fold`. */
static bool same(const uint8_t *p, size_t n, const char *s, bool fold)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!s[i] || (fold ? (p[i] | 0x20) != (s[i] | 0x20) : p[i] != (uint8_t)s[i]))
            return false;
    return !s[n];
}

static int weekday(const uint8_t *p, size_t n)
{
    static const char *const name[7][2] = {
        {"Mon", "Monday"}, {"Tue", "Tuesday"},  {"Wed", "Wednesday"}, {"Thu", "Thursday"},
        {"Fri", "Friday"}, {"Sat", "Saturday"}, {"Sun", "Sunday"}};
    int d;

    for (d = 0; n >= 3 && d < 7; d++)
        if (same(p, n, name[d][n > 3], true))
            return d;
    return -1;
}

static int month(const uint8_t *p, size_t n)
{
    static const char name[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int m;

    for (m = 0; m < 12; m++)
        if (same(p, n, name[m], true))
            return m;
    return -1;
}

/* The zone names curl knows, in minutes west of UTC (daylight ones an hour less); upper
 * case only, as curl. The military letters A-Z (no J) follow in zone_letter(). */
static const struct {
    const char *name;
    int west;
} zones[] = {
    {"GMT", 0},     {"UT", 0},      {"UTC", 0},     {"WET", 0},     {"BST", -60},   {"WAT", 60},
    {"AST", 240},   {"ADT", 180},   {"EST", 300},   {"EDT", 240},   {"CST", 360},   {"CDT", 300},
    {"MST", 420},   {"MDT", 360},   {"PST", 480},   {"PDT", 420},   {"YST", 540},   {"YDT", 480},
    {"HST", 600},   {"HDT", 540},   {"CAT", 600},   {"AHST", 600},  {"NT", 660},    {"IDLW", 720},
    {"CET", -60},   {"MET", -60},   {"MEWT", -60},  {"MEST", -120}, {"CEST", -120}, {"MESZ", -120},
    {"FWT", -60},   {"FST", -120},  {"EET", -120},  {"WAST", -420}, {"WADT", -480}, {"CCT", -480},
    {"JST", -540},  {"EAST", -600}, {"EADT", -660}, {"GST", -600},  {"NZT", -720},  {"NZST", -720},
    {"NZDT", -780}, {"IDLE", -720},
};

/* RFC 5322 §4.3 military zones: A-I and K-M are 1-12 hours east, N-Y 1-12 west, Z is UTC. */
static bool zone_letter(uint8_t c, int *west)
{
    if (c >= 'A' && c <= 'I')
        *west = -60 * (c - 'A' + 1);
    else if (c >= 'K' && c <= 'M')
        *west = -60 * (c - 'K' + 10);
    else if (c >= 'N' && c <= 'Y')
        *west = 60 * (c - 'N' + 1);
    else if (c == 'Z')
        *west = 0;
    else
        return false;
    return true;
}

static bool zone(const uint8_t *p, size_t n, int *west)
{
    size_t z;

    if (n == 1)
        return zone_letter(p[0], west);
    for (z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
        if (same(p, n, zones[z].name, false)) {
            *west = zones[z].west;
            return true;
        }
    }
    return false;
}

/* A word: the first weekday, month and zone name count; any other word is an error. Words
 * of 12 letters or more are errors too (the longest name, "Wednesday", has 9). */
static bool word(struct span s, size_t *i, struct when *w)
{
    const uint8_t *p = s.p + *i;
    size_t n = 0;
    int v;

    while (*i + n < s.len && is_alpha(p[n]) && n < 12)
        n++;
    *i += n;
    if (n == 12)
        return false;
    if (w->wday < 0 && (w->wday = weekday(p, n)) >= 0)
        return true;
    if (w->mon < 0 && (w->mon = month(p, n)) >= 0)
        return true;
    if (!w->has_tz && zone(p, n, &v)) {
        w->tzoff = (int64_t)v * 60;
        w->has_tz = true;
        return true;
    }
    return false;
}

/* One or two digits at `*i`. */
static int one_or_two(struct span s, size_t *i)
{
    int v = s.p[(*i)++] - '0';

    if (*i < s.len && is_digit(s.p[*i]))
        v = v * 10 + (s.p[(*i)++] - '0');
    return v;
}

/* H:M or H:M:S with one or two digits each; hour < 24, minute < 60, second <= 60. */
static bool time_of_day(struct span s, size_t *i, struct when *w)
{
    size_t j = *i;
    int h, m, sec = 0;

    h = one_or_two(s, &j);
    if (h > 23 || j + 1 >= s.len || s.p[j] != ':' || !is_digit(s.p[j + 1]))
        return false;
    j++;
    if ((m = one_or_two(s, &j)) > 59)
        return false;
    if (j + 1 < s.len && s.p[j] == ':' && is_digit(s.p[j + 1])) {
        j++;
        if ((sec = one_or_two(s, &j)) > 60)
            return false;
    }
    w->hour = h;
    w->min = m;
    w->sec = sec;
    *i = j;
    return true;
}

/* "+hhmm" / "-hhmm" right after a sign: local time is that far ahead of (behind) UTC. The
 * minutes are not checked, as curl does not. */
static bool offset(struct span s, size_t at, size_t ndig, uint32_t v, struct when *w)
{
    uint8_t sign = at ? s.p[at - 1] : 0;

    if (w->has_tz || ndig != 4 || v > 1400 || (sign != '+' && sign != '-'))
        return false;
    w->tzoff = (int64_t)(v / 100 * 60 + v % 100) * 60 * (sign == '+' ? -1 : 1);
    w->has_tz = true;
    return true;
}

/* A bare number: the day of the month (1-31) while one is expected, else the year (two
 * digits: 71-99 are 19xx, 00-70 20xx). */
static bool day_or_year(uint32_t v, struct when *w)
{
    if (w->mday_next && w->mday < 0) {
        w->mday_next = false;
        if (v >= 1 && v <= 31) {
            w->mday = (int)v;
            return true;
        }
    }
    if (w->mday_next || w->year >= 0)
        return false;
    w->year = v < 100 ? v + (v > 70 ? 1900 : 2000) : v;
    w->mday_next = w->mday < 0;
    return true;
}

/* A number: a time of day, a zone offset, YYYYMMDD, a day or a year. */
static bool number(struct span s, size_t *i, struct when *w)
{
    size_t at = *i, n = 0;
    uint32_t v = 0;

    if (w->sec < 0 && time_of_day(s, i, w))
        return true;
    for (; *i < s.len && is_digit(s.p[*i]); (*i)++, n++) {
        v = v * 10 + (uint32_t)(s.p[*i] - '0');
        if (v > 99999999)
            return false;
    }
    if (offset(s, at, n, v, w))
        return true;
    if (n == 8 && w->year < 0 && w->mon < 0 && w->mday < 0) {
        w->year = v / 10000;
        w->mon = (int)(v / 100 % 100) - 1;
        w->mday = (int)(v % 100);
        return true;
    }
    return day_or_year(v, w);
}

/* What is there makes a date: a day, a month and a year, the Gregorian calendar's. */
static const char *check(struct when *w)
{
    if (w->sec < 0)
        w->hour = w->min = w->sec = 0;
    if (w->mday < 0 || w->mon < 0 || w->year < 0)
        return "a date needs a day, a month and a year";
    if (w->year < 1583)
        return "a year before 1583 (the Gregorian calendar)";
    if (w->mday > 31 || w->mon > 11)
        return "no such day or month";
    return NULL;
}

int date_parse_loose(struct span s, int64_t *t, struct h2e_info *info)
{
    struct when w = {-1, -1, -1, -1, -1, -1, -1, 0, false, true};
    const char *why;
    size_t i = 0;
    int parts;
    int64_t v;

    for (parts = 0; parts < 6 && i < s.len; parts++) {
        while (i < s.len && !is_alpha(s.p[i]) && !is_digit(s.p[i]))
            i++;
        if (i < s.len && !(is_alpha(s.p[i]) ? word(s, &i, &w) : number(s, &i, &w)))
            return h2e_set(info, H2E_BAD_DATE, 0, "not a word or number a date has");
    }
    if ((why = check(&w)) != NULL)
        return h2e_set(info, H2E_BAD_DATE, 0, why);
    if (w.year > 9999) { /* saturates, as DATE_MAX does */
        *t = DATE_MAX;
        return 0;
    }
    /* the day may pass the month's end: 31 Apr is 1 May, as curl counts */
    v = (date_days(w.year, w.mon + 1, 1) + w.mday - 1) * 86400 + w.hour * 3600 + w.min * 60 +
        w.sec + w.tzoff;
    *t = v > DATE_MAX ? DATE_MAX : v;
    return 0;
}
