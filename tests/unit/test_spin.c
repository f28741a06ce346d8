/* SPDX-License-Identifier: MIT */
/*
 * When the loop polls without sleeping for an upload's credit (src/client/spin.c): only
 * while a wait for credit goes on, at most LIMIT_CREDIT_SPIN_US from its start, and only
 * when the last wait was no longer than that; never for a wait on anything else. And
 * spin_poll: it does not sleep while it spins, and sleeps after.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "base/limits.h"
#include "client/spin.h"
#include "tap.h"

TEST(test_spin_only_while_credit_is_awaited)
{
    struct spin s;

    memset(&s, 0, sizeof(s));
    CHECK_INT((int)spin_budget(&s, 1000), 0); /* no wait */
    spin_stop(&s, false, 1000);               /* stopped for input, the socket, the rate */
    CHECK_INT((int)spin_budget(&s, 1000), 0);
    spin_stop(&s, true, 1000); /* for credit: the first wait is spun for */
    CHECK_INT((int)spin_budget(&s, 1000), LIMIT_CREDIT_SPIN_US);
    spin_stop(&s, true, 1050); /* the same wait goes on: it began at 1000 */
    CHECK_INT((int)spin_budget(&s, 1050), LIMIT_CREDIT_SPIN_US - 50);
    CHECK_INT((int)spin_budget(&s, 1000 + LIMIT_CREDIT_SPIN_US), 0); /* spent: sleep */
    spin_stop(&s, false, 1100); /* the body ended or waits for input now */
    CHECK_INT((int)spin_budget(&s, 1100), 0);
    spin_credit(&s, 1200); /* no wait: nothing measured */
    CHECK_INT((int)s.last, 0);
}

TEST(test_spin_follows_how_long_credit_took)
{
    struct spin s;

    memset(&s, 0, sizeof(s));
    spin_stop(&s, true, 5000);
    spin_credit(&s, 5040); /* 40 µs: loopback */
    CHECK_INT((int)s.last, 40);
    CHECK(!s.waiting);
    CHECK_INT((int)spin_budget(&s, 5040), 0);
    spin_stop(&s, true, 6000);
    CHECK_INT((int)spin_budget(&s, 6010), LIMIT_CREDIT_SPIN_US - 10);
    spin_credit(&s, 6000 + LIMIT_CREDIT_SPIN_US + 1); /* too slow to spin for ... */
    spin_stop(&s, true, 9000);
    CHECK_INT((int)spin_budget(&s, 9000), 0);     /* ... so the next wait sleeps */
    spin_credit(&s, 9000 + LIMIT_CREDIT_SPIN_US); /* as long as the bound: fine again */
    spin_stop(&s, true, 20000);
    CHECK_INT((int)spin_budget(&s, 20000), LIMIT_CREDIT_SPIN_US);
    spin_credit(&s, 19000); /* a clock that went back counts as no time */
    CHECK_INT((int)s.last, 0);
}

struct later {
    int fd;
    unsigned ms;
};

static void *write_later(void *arg)
{
    const struct later *l = arg;
    struct timespec ts = {0, (long)l->ms * 1000000L};

    nanosleep(&ts, NULL);
    if (write(l->fd, "x", 1) != 1)
        abort();
    return NULL;
}

/* Voluntary context switches of this thread: each sleep in poll() is one. */
static long sleeps(void)
{
    struct rusage ru;

    getrusage(RUSAGE_THREAD, &ru);
    return ru.ru_nvcsw;
}

/* spin_poll with `spin_us` for a byte written 5 ms from now: how often it slept. */
static long sleeps_waiting(uint64_t spin_us)
{
    struct pollfd pfd;
    struct later l;
    pthread_t t;
    int fds[2];
    long before;
    char c;

    CHECK_INT(pipe(fds), 0);
    l.fd = fds[1];
    l.ms = 5;
    pfd.fd = fds[0];
    pfd.events = POLLIN;
    pfd.revents = 0;
    before = sleeps();
    CHECK_INT(pthread_create(&t, NULL, write_later, &l), 0);
    CHECK_INT(spin_poll(&pfd, 1, 2000, spin_us), 1);
    CHECK(pfd.revents & POLLIN);
    before = sleeps() - before;
    CHECK_INT((int)read(fds[0], &c, 1), 1);
    pthread_join(t, NULL);
    close(fds[0]);
    close(fds[1]);
    return before;
}

TEST(test_spin_poll_spins_then_sleeps)
{
    CHECK(sleeps_waiting(0) >= 1);                /* poll() sleeps until the byte comes */
    CHECK_INT((int)sleeps_waiting(1000000), 0);   /* polled for without sleeping */
    CHECK(sleeps_waiting(1000) >= 1);             /* 1 ms of spinning, then asleep */
    CHECK_INT(spin_poll(NULL, 0, 0, 1000000), 0); /* a timeout of 0 never spins */
}
