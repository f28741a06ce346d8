/* SPDX-License-Identifier: MIT */
/*
 * CLOCK_MONOTONIC in microseconds (see clock.h).
 */
#include "clock.h"

#include <time.h>

uint64_t clock_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
