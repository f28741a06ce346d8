/* SPDX-License-Identifier: MIT */
/*
 * A token bucket for --limit-rate: tokens (bytes) come back at `rate` per second, up to a
 * burst, and whoever sends or grants bytes spends them. Pure arithmetic: the caller passes
 * the time (ms of a monotonic clock) and decides what to do when tokens are short; nothing
 * here sleeps, reads a clock or knows HTTP. A bucket of rate 0 is "no limit": every
 * question gets "as much as you like, now".
 */
#ifndef H2GET_PACE_H
#define H2GET_PACE_H

#include <stdbool.h>
#include <stdint.h>

/* Above this many bytes per second the arithmetic would overflow; no link is that fast,
 * so a higher rate is treated as this one (1 TiB/s). */
#define PACE_MAX_RATE (1ull << 40)

struct pace {
    uint64_t rate;    /* bytes per second; 0: no limit */
    uint64_t burst;   /* the most tokens that gather while nobody spends them */
    uint64_t chunk;   /* an amount worth waiting for (pace_chunk) */
    int64_t milli;    /* tokens in thousandths of a byte; negative: spent ahead */
    uint64_t last_ms; /* the time `milli` is up to date for */
};

/*
 * pace_init - a bucket of `rate` bytes per second (0: no limit) starting empty at
 * `now_ms`. Its burst is 100 ms of the rate and its chunk 50 ms, each at least one byte:
 * bytes wait at most about 50 ms for company, and an idle moment saves up no more than a
 * tenth of a second.
 */
void pace_init(struct pace *p, uint64_t rate, uint64_t now_ms);

/* pace_on - whether `p` limits anything. */
bool pace_on(const struct pace *p);

/* pace_avail - whole bytes that may go at `now_ms` (UINT64_MAX without a limit). Times
 * before the last one seen count as that one. */
uint64_t pace_avail(struct pace *p, uint64_t now_ms);

/* pace_take - `n` bytes went (or were granted): spend their tokens. Spending more than
 * pace_avail said puts the bucket in debt, paid back before anything else may go. */
void pace_take(struct pace *p, uint64_t n);

/* pace_chunk - the least amount worth waking up for: min(`want`, the bucket's chunk);
 * `want` itself without a limit. */
uint64_t pace_chunk(const struct pace *p, uint64_t want);

/*
 * pace_wait - ms after the last pace_avail until `want` bytes are available (rounded up;
 * 0 when they already are or without a limit). `want` above the burst is waited for as
 * the burst, which is the most that ever gathers.
 */
uint64_t pace_wait(const struct pace *p, uint64_t want);

#endif
