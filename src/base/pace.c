/* SPDX-License-Identifier: MIT */
/*
 * The --limit-rate token bucket (pace.h): tokens are kept in thousandths of a byte so
 * that a rate in bytes per second and a time in ms multiply without rounding loss.
 */
#include "pace.h"

void pace_init(struct pace *p, uint64_t rate, uint64_t now_ms)
{
    if (rate > PACE_MAX_RATE)
        rate = PACE_MAX_RATE;
    p->rate = rate;
    p->burst = rate / 10 ? rate / 10 : 1;
    p->chunk = rate / 20 ? rate / 20 : 1;
    p->milli = 0;
    p->last_ms = now_ms;
}

bool pace_on(const struct pace *p)
{
    return p->rate != 0;
}

/* Tokens gathered from the last update to `now_ms`, up to the burst. */
static void refill(struct pace *p, uint64_t now_ms)
{
    int64_t full = (int64_t)(p->burst * 1000);
    uint64_t dt, need;

    if (now_ms <= p->last_ms)
        return;
    dt = now_ms - p->last_ms;
    p->last_ms = now_ms;
    if (p->milli >= full)
        return;
    need = (uint64_t)(full - p->milli); /* > 0; at most burst * 1000 plus any debt */
    if (dt >= need / p->rate + 1)       /* rate * dt >= need: full (no overflow test) */
        p->milli = full;
    else
        p->milli += (int64_t)(p->rate * dt);
}

uint64_t pace_avail(struct pace *p, uint64_t now_ms)
{
    if (!p->rate)
        return UINT64_MAX;
    refill(p, now_ms);
    return p->milli > 0 ? (uint64_t)p->milli / 1000 : 0;
}

void pace_take(struct pace *p, uint64_t n)
{
    if (!p->rate)
        return;
    if (n > (uint64_t)INT64_MAX / 1000 / 2) /* a debt that large never gets paid anyway */
        n = (uint64_t)INT64_MAX / 1000 / 2;
    p->milli -= (int64_t)(n * 1000);
    if (p->milli < INT64_MIN / 2)
        p->milli = INT64_MIN / 2;
}

uint64_t pace_chunk(const struct pace *p, uint64_t want)
{
    return p->rate && p->chunk < want ? p->chunk : want;
}

uint64_t pace_wait(const struct pace *p, uint64_t want)
{
    int64_t target;
    uint64_t missing;

    if (!p->rate)
        return 0;
    if (want > p->burst)
        want = p->burst;
    target = (int64_t)(want * 1000);
    if (p->milli >= target)
        return 0;
    missing = (uint64_t)(target - p->milli);
    return (missing + p->rate - 1) / p->rate;
}
