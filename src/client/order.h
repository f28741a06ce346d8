/* SPDX-License-Identifier: MIT */
/*
 * Standard output in command-line order (order.c): the first unfinished URL writes its
 * body straight through; later URLs are held, and written whole once every URL before
 * them is done. The same cursor prints each URL's -w text after its body.
 */
#ifndef H2GET_ORDER_H
#define H2GET_ORDER_H

#include <stdbool.h>
#include <stddef.h>

struct client;
struct xfer;

/* order_write - body bytes of `x` for stdout: written now when it is first in line or
 * nothing is ordered (a stdout on the null device), else held. Returns 0, or H2E_WRITE
 * after failing `x`. */
int order_write(struct xfer *x, const void *p, size_t n);
/* order_drop - forget what `x` holds. */
void order_drop(struct xfer *x);
/* order_holds - whether the body of `x` waits, within a small stream window, for those
 * before it on stdout (else its stream gets full credit). */
bool order_holds(const struct xfer *x);
/* order_boost - `x` is first in line and its body is under way: its stream gets the full
 * window (once), and the next in line, once its head has come, as much as it may hold in
 * memory. Not before a DATA frame of `x`, so that small responses, which end in one frame,
 * cost no WINDOW_UPDATE each. */
void order_boost(struct xfer *x);
/* order_advance - write out what the new first in line held, and retire every finished
 * transfer at the front (its -w, its part of the exit code). Called by the router only.
 * Returns NULL, or a finished transfer whose held body could not be written out (it is
 * retired with that failure, and order_advance stops after it, so that the router can
 * stop the rest with --fail-early first); a write failure of an unfinished transfer
 * fails it (reported), never re-enters. */
struct xfer *order_advance(struct client *cl);

#endif
