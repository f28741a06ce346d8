/* SPDX-License-Identifier: MIT */
/* The --limit-rate token bucket: refill, burst, debt, waits, no limit, overflow. */
#include <stdint.h>

#include "base/pace.h"
#include "tap.h"

TEST(test_pace_off_is_unlimited)
{
    struct pace p;
    pace_init(&p, 0, 100);
    CHECK(!pace_on(&p));
    CHECK(pace_avail(&p, 100) == UINT64_MAX);
    pace_take(&p, 1u << 30);
    CHECK(pace_avail(&p, 100) == UINT64_MAX);
    CHECK_INT(pace_wait(&p, 1u << 30), 0);
    CHECK_INT(pace_chunk(&p, 12345), 12345);
}

TEST(test_pace_refills_at_the_rate)
{
    struct pace p;
    pace_init(&p, 10000, 1000); /* 10 bytes per ms, burst 1000, chunk 500 */
    CHECK(pace_on(&p));
    CHECK_INT(pace_avail(&p, 1000), 0); /* starts empty */
    CHECK_INT(pace_avail(&p, 1001), 10);
    CHECK_INT(pace_avail(&p, 1050), 500);
    pace_take(&p, 500);
    CHECK_INT(pace_avail(&p, 1050), 0);
    CHECK_INT(pace_avail(&p, 1049), 0); /* time going back changes nothing */
    CHECK_INT(pace_avail(&p, 1060), 100);
}

TEST(test_pace_burst_caps_savings)
{
    struct pace p;
    pace_init(&p, 10000, 0);
    CHECK_INT(pace_avail(&p, 100000), 1000); /* 100 ms of the rate, however long idle */
    pace_take(&p, 1000);
    CHECK_INT(pace_avail(&p, 100000), 0);
    CHECK_INT(pace_avail(&p, 100100), 1000);
}

TEST(test_pace_debt_is_paid_first)
{
    struct pace p;
    pace_init(&p, 1000, 0); /* 1 byte per ms */
    pace_take(&p, 300);     /* spent ahead */
    CHECK_INT(pace_avail(&p, 299), 0);
    CHECK_INT(pace_avail(&p, 300), 0);
    CHECK_INT(pace_avail(&p, 301), 1);
    CHECK_INT(pace_wait(&p, 10), 9);
}

TEST(test_pace_wait_rounds_up)
{
    struct pace p;
    pace_init(&p, 3000, 0); /* 3 bytes per ms, burst 300, chunk 150 */
    CHECK_INT(pace_wait(&p, 0), 0);
    CHECK_INT(pace_wait(&p, 1), 1);
    CHECK_INT(pace_wait(&p, 3), 1);
    CHECK_INT(pace_wait(&p, 4), 2);
    CHECK_INT(pace_wait(&p, 150), 50);
    CHECK_INT(pace_wait(&p, 1000000), 100); /* no more than the burst ever gathers */
    CHECK_INT(pace_avail(&p, 2), 6);
    CHECK_INT(pace_wait(&p, 6), 0);
    CHECK_INT(pace_wait(&p, 7), 1);
}

TEST(test_pace_chunk)
{
    struct pace p;
    pace_init(&p, 1 << 20, 0);
    CHECK_INT(pace_chunk(&p, 100), 100);
    CHECK_INT(pace_chunk(&p, 1 << 30), (1 << 20) / 20);
    pace_init(&p, 5, 0); /* slower than the floors: one byte at a time */
    CHECK_INT(pace_chunk(&p, 1000), 1);
    CHECK_INT(pace_avail(&p, 10000), 1);
}

/* A long run in small steps: what went matches the rate, within the burst. */
TEST(test_pace_long_run_matches_rate)
{
    struct pace p;
    uint64_t t, sent = 0;
    pace_init(&p, 123456, 0);
    for (t = 0; t <= 60000; t += 7) {
        uint64_t a = pace_avail(&p, t);
        if (a >= pace_chunk(&p, UINT64_MAX)) {
            pace_take(&p, a);
            sent += a;
        }
    }
    CHECK(sent <= 123456ull * 60);
    CHECK(sent + 123456 / 20 + 123456 / 1000 * 7 >= 123456ull * 60);
}

TEST(test_pace_huge_values)
{
    struct pace p;
    pace_init(&p, UINT64_MAX, 0); /* clamped, no overflow */
    CHECK(p.rate == PACE_MAX_RATE);
    CHECK(pace_avail(&p, UINT64_MAX / 2) == PACE_MAX_RATE / 10);
    pace_take(&p, UINT64_MAX);
    CHECK_INT(pace_avail(&p, UINT64_MAX / 2), 0);
    CHECK(pace_wait(&p, 1) > 0);
    CHECK(pace_avail(&p, UINT64_MAX) > 0); /* the debt was bounded: paid back in time */
}
