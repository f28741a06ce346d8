/* SPDX-License-Identifier: MIT */
/*
 * Bounded busy polling while an upload waits for credit (RFC 9113 §6.9): a server that
 * returns flow-control credit a window at a time (nghttpd: 64 KiB) makes an upload one
 * round trip per window, and on loopback or a fast LAN the credit comes back within tens
 * of microseconds, about what poll()'s sleep and wake-up cost. So while a connection's
 * bodies wait for credit, and the last credit came within LIMIT_CREDIT_SPIN_US, the loop
 * (client.c) polls without sleeping for at most that long before it sleeps; a slower
 * server is never spun for. The policy takes the time as an argument; spin_poll is the
 * loop's poll().
 */
#ifndef H2GET_SPIN_H
#define H2GET_SPIN_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct spin {
    bool waiting; /* the connection's bodies wait for credit, since `since` (µs) */
    uint64_t since;
    uint64_t last; /* how long the last wait for credit took (µs); 0 before any */
};

/* spin_stop - the sender stopped at `now`: `waiting` when for credit (a wait begins, unless
 * one goes on), else for anything else (input, the socket, --limit-rate: no wait). */
void spin_stop(struct spin *s, bool waiting, uint64_t now);
/* spin_credit - body bytes went at `now`: a wait for credit, if any, is over and measured. */
void spin_credit(struct spin *s, uint64_t now);
/* spin_budget - µs the loop may still poll without sleeping at `now`: what is left of
 * LIMIT_CREDIT_SPIN_US since the wait began, when the last wait was no longer than that;
 * else 0. */
uint64_t spin_budget(const struct spin *s, uint64_t now);

/*
 * spin_poll - poll() the `n` entries of `pfd` for up to `timeout` ms (-1: no limit), but
 * for the first `spin_us` µs without sleeping: polls that return at once, the CPU yielded
 * between them (a server on the same CPU runs meanwhile). Returns what poll() returns.
 */
int spin_poll(struct pollfd *pfd, size_t n, int timeout, uint64_t spin_us);

#endif
