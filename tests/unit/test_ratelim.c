/* SPDX-License-Identifier: MIT */
/*
 * --limit-rate among a run's connections (src/client/ratelim.c): without a limit all goes
 * at once; with one, chunks, waits, and turns: a connection served less recently goes
 * first, and one that stands back waits for it rather than spinning.
 */
#include <string.h>

#include "client/cconn.h"
#include "client/ratelim.h"
#include "client/run.h"
#include "tap.h"

static struct client cl;
static struct cconn a, b;

/* Two connections of a run limited to `rate` bytes per second, at time 0. */
static void two_conns(uint64_t rate)
{
    memset(&cl, 0, sizeof(cl));
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    a.cl = b.cl = &cl;
    cl.conns = &a;
    a.next = &b;
    pace_init(&cl.pace_in, rate, 0);
    pace_init(&cl.pace_out, rate, 0);
}

/* One turn of the loop at `now`: each connection steps (begins, then asks for `want`
 * bytes received and takes what it is allowed); returns what a and b got. */
static void turn(uint64_t now, uint64_t want, uint64_t *got_a, uint64_t *got_b)
{
    cl.now = now;
    ratelim_begin(&a);
    *got_a = ratelim_allow(&a, RATELIM_IN, want);
    ratelim_spent(&a, RATELIM_IN, *got_a);
    ratelim_begin(&b);
    *got_b = ratelim_allow(&b, RATELIM_IN, want);
    ratelim_spent(&b, RATELIM_IN, *got_b);
}

TEST(test_ratelim_no_limit)
{
    two_conns(0);
    CHECK_INT(ratelim_allow(&a, RATELIM_IN, 12345), 12345);
    ratelim_spent(&a, RATELIM_IN, 12345);
    CHECK_INT(ratelim_allow(&b, RATELIM_OUT, 99), 99);
    CHECK_INT(ratelim_timeout(&a), -1);
    CHECK_INT(cl.pace_turn, 0);
}

TEST(test_ratelim_chunks_and_waits)
{
    two_conns(10000); /* 10 bytes per ms, chunk 500 */
    cl.now = 10;
    CHECK_INT(ratelim_allow(&a, RATELIM_OUT, 100000), 0); /* 100 bytes: less than a chunk */
    CHECK_INT(ratelim_timeout(&a), 40);
    CHECK_INT(ratelim_allow(&a, RATELIM_OUT, 50), 50); /* a small body needs no chunk */
    ratelim_spent(&a, RATELIM_OUT, 50);
    CHECK_INT(ratelim_timeout(&a), -1); /* served: waits for nothing */
    cl.now = 100;
    CHECK_INT(ratelim_allow(&a, RATELIM_OUT, 100000), 950);
    ratelim_begin(&a);
    CHECK_INT(ratelim_timeout(&a), -1);
}

/* Both always want more: they take turns, neither starves, the total keeps the rate. */
TEST(test_ratelim_turns)
{
    uint64_t t, ga, gb, sum_a = 0, sum_b = 0, turns_a = 0, turns_b = 0;

    two_conns(10000);
    for (t = 50; t <= 10000; t += 50) {
        turn(t, 1 << 20, &ga, &gb);
        CHECK(!(ga && gb)); /* 500 bytes per 50 ms: one of them per turn */
        sum_a += ga;
        sum_b += gb;
        turns_a += ga > 0;
        turns_b += gb > 0;
    }
    CHECK(sum_a + sum_b <= 100000);
    CHECK(sum_a + sum_b >= 99000);
    CHECK(turns_a >= 99 && turns_b >= 99);
}

/* One that stands back waits as long as the one it stands back for: no busy loop. */
TEST(test_ratelim_standing_back_waits)
{
    uint64_t ga, gb;

    two_conns(10000);
    turn(50, 1 << 20, &ga, &gb); /* a served; b waits for a chunk of 500 */
    CHECK_INT(ga, 500);
    CHECK_INT(gb, 0);
    CHECK_INT(ratelim_timeout(&b), 50);
    cl.now = 60; /* 100 bytes: a could take its 10, but b (served less recently) waits */
    ratelim_begin(&a);
    CHECK_INT(ratelim_allow(&a, RATELIM_IN, 10), 0);
    CHECK_INT(ratelim_timeout(&a), 40); /* until b's 500 are there, not at once */
    /* b no longer asks (its step began and it wanted nothing): a goes */
    ratelim_begin(&b);
    ratelim_begin(&a);
    CHECK_INT(ratelim_allow(&a, RATELIM_IN, 10), 10);
}

/* A turn goes on within the step: reads of one TLS record each take all of it. */
TEST(test_ratelim_turn_goes_on_within_a_step)
{
    two_conns(10000);
    cl.now = 100; /* 1000 bytes */
    ratelim_begin(&a);
    CHECK_INT(ratelim_allow(&a, RATELIM_IN, 300), 300);
    ratelim_spent(&a, RATELIM_IN, 300);
    b.rl[RATELIM_IN].want = 500;                        /* b waits, served less recently */
    CHECK_INT(ratelim_allow(&a, RATELIM_IN, 300), 300); /* still a's turn */
    ratelim_spent(&a, RATELIM_IN, 300);
    CHECK_INT(ratelim_allow(&a, RATELIM_IN, 1000), 400);
    ratelim_spent(&a, RATELIM_IN, 400);
    CHECK_INT(ratelim_allow(&a, RATELIM_IN, 1000), 0);
    ratelim_begin(&a); /* the next step: b goes first */
    cl.now = 200;
    CHECK_INT(ratelim_allow(&a, RATELIM_IN, 1000), 0);
}
