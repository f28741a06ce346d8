/* SPDX-License-Identifier: MIT */
/*
 * The run's --limit-rate buckets shared among its connections (ratelim.h). Turns: a
 * connection that asks while another, served less recently, waits for tokens stands
 * back, and waits as long as that one does, so that the tokens gather for it; the one
 * served least recently never stands back, so someone always goes.
 */
#include "ratelim.h"

#include "cconn.h"
#include "run.h"

static struct pace *bucket(const struct cconn *cc, enum ratelim_dir dir)
{
    return dir == RATELIM_IN ? &cc->cl->pace_in : &cc->cl->pace_out;
}

void ratelim_begin(struct cconn *cc)
{
    cc->rl[RATELIM_IN].want = 0;
    cc->rl[RATELIM_OUT].want = 0;
    cc->rl[RATELIM_IN].in_turn = false;
    cc->rl[RATELIM_OUT].in_turn = false;
}

void ratelim_end(struct cconn *cc)
{
    ratelim_begin(cc);
}

/* The most that a waiting connection served before `cc` wants, or 0 when none waits. */
static uint64_t others_first(const struct cconn *cc, enum ratelim_dir dir)
{
    const struct cconn *o;
    uint64_t want = 0;

    for (o = cc->cl->conns; o; o = o->next)
        if (o != cc && o->rl[dir].want && o->rl[dir].served < cc->rl[dir].served &&
            o->rl[dir].want > want)
            want = o->rl[dir].want;
    return want;
}

uint64_t ratelim_allow(struct cconn *cc, enum ratelim_dir dir, uint64_t want)
{
    struct pace *p = bucket(cc, dir);
    struct cconn_rl *r = &cc->rl[dir];
    uint64_t avail, need, first;

    if (!pace_on(p) || !want)
        return want;
    avail = pace_avail(p, cc->cl->now);
    if (avail && r->in_turn) /* reads of a TLS record each: the turn's tokens are all ours */
        return avail < want ? avail : want;
    need = pace_chunk(p, want);
    first = others_first(cc, dir);
    if (avail >= need && !first)
        return avail < want ? avail : want;
    if (first > need) /* stand back until the one before us can go */
        need = first;
    if (!r->want || need < r->want)
        r->want = need;
    return 0;
}

void ratelim_spent(struct cconn *cc, enum ratelim_dir dir, uint64_t n)
{
    struct pace *p = bucket(cc, dir);

    if (!pace_on(p) || !n)
        return;
    pace_take(p, n);
    cc->rl[dir].served = ++cc->cl->pace_turn;
    cc->rl[dir].want = 0;
    cc->rl[dir].in_turn = true;
}

int ratelim_timeout(const struct cconn *cc)
{
    uint64_t t = UINT64_MAX, w;
    int d;

    for (d = RATELIM_IN; d <= RATELIM_OUT; d++) {
        if (!cc->rl[d].want)
            continue;
        w = pace_wait(bucket(cc, (enum ratelim_dir)d), cc->rl[d].want);
        if (w < t)
            t = w;
    }
    return t == UINT64_MAX ? -1 : t > 1000 ? 1000 : (int)t;
}
