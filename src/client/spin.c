/* SPDX-License-Identifier: MIT */
/*
 * When the loop polls without sleeping for an upload's credit (spin.h): the wait is
 * measured from the sender stopping for credit to body bytes going again, and the next
 * wait is spun for only when the last one was short (the caller passes the time); and the
 * poll() that spins.
 */
#include "spin.h"

#include <sched.h>

#include "base/limits.h"
#include "sys/clock.h"

void spin_stop(struct spin *s, bool waiting, uint64_t now)
{
    if (!waiting)
        s->waiting = false;
    else if (!s->waiting) {
        s->waiting = true;
        s->since = now;
    }
}

void spin_credit(struct spin *s, uint64_t now)
{
    if (!s->waiting)
        return;
    s->last = now > s->since ? now - s->since : 0;
    s->waiting = false;
}

uint64_t spin_budget(const struct spin *s, uint64_t now)
{
    uint64_t spent = now > s->since ? now - s->since : 0;

    if (!s->waiting || s->last > LIMIT_CREDIT_SPIN_US || spent >= LIMIT_CREDIT_SPIN_US)
        return 0;
    return LIMIT_CREDIT_SPIN_US - spent;
}

int spin_poll(struct pollfd *pfd, size_t n, int timeout, uint64_t spin_us)
{
    uint64_t t0 = spin_us && timeout != 0 ? clock_us() : 0;
    int r;

    while (t0 && clock_us() - t0 < spin_us) {
        if ((r = poll(pfd, (nfds_t)n, 0)) != 0)
            return r;
        sched_yield();
    }
    return poll(pfd, (nfds_t)n, timeout);
}
