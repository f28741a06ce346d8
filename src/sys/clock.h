/* SPDX-License-Identifier: MIT */
/*
 * The one monotonic clock (CLOCK_MONOTONIC): every deadline, timestamp and duration of
 * h2get is read here, in microseconds. Layers 0-2 never read it; callers pass the time in.
 */
#ifndef H2GET_CLOCK_H
#define H2GET_CLOCK_H

#include <stdint.h>

/* clock_us - microseconds since an arbitrary fixed point; never goes back. */
uint64_t clock_us(void);

/* clock_ms - clock_us() in milliseconds. */
static inline uint64_t clock_ms(void)
{
    return clock_us() / 1000u;
}

#endif
