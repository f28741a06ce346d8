/* SPDX-License-Identifier: MIT */
/*
 * --limit-rate for the connections of a run: the run's two buckets (base/pace.h; bytes
 * received, bytes sent) shared among its connections in turn, so that one busy connection
 * cannot keep another waiting for ever (its transfers would end by the stall timeout).
 * Each connection asks before it moves bytes, says what it moved, and is told when to
 * ask again. Without --limit-rate every question gets "all of it, now".
 */
#ifndef H2GET_RATELIM_H
#define H2GET_RATELIM_H

#include <stdint.h>

struct cconn;

enum ratelim_dir {
    RATELIM_IN,  /* body bytes received: HTTP/2 connection credit, HTTP/1.1 reads */
    RATELIM_OUT, /* request body bytes sent */
};

/* ratelim_begin - a step of `cc` starts: it waits for nothing until it asks again. */
void ratelim_begin(struct cconn *cc);

/*
 * ratelim_allow - how many of `want` bytes `cc` may move now in direction `dir`: all of
 * them without a limit; else as many as the bucket holds, but nothing when that is less
 * than a chunk (pace_chunk) or when another connection that was served less recently
 * waits: `cc` then waits (ratelim_timeout). Once served in a step, `cc` may go on taking
 * whatever is left in that step. Report what moved with ratelim_spent.
 */
uint64_t ratelim_allow(struct cconn *cc, enum ratelim_dir dir, uint64_t want);

/* ratelim_spent - `cc` moved `n` bytes in direction `dir`. */
void ratelim_spent(struct cconn *cc, enum ratelim_dir dir, uint64_t n);

/* ratelim_timeout - ms until what `cc` waits for may be there (at most 1000), -1 when it
 * waits for nothing. */
int ratelim_timeout(const struct cconn *cc);

/* ratelim_end - `cc` closes: nobody waits for it any more. */
void ratelim_end(struct cconn *cc);

#endif
