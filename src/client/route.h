/* SPDX-License-Identifier: MIT */
/*
 * The router: the one place that decides where a transfer goes and that moves it. It
 * routes new transfers to a connection of their origin (opening one when needed), and
 * settles the outcomes transfers report (route_report): it detaches each from its
 * connection, then finishes it, cancels the others (--fail-early), or routes it again
 * (retry, redirect, requeue). It also holds the run's start policy: --parallel-max,
 * --sequential, --rate and the first URL in line for ordered output.
 */
#ifndef H2GET_ROUTE_H
#define H2GET_ROUTE_H

#include <stdbool.h>

struct client;
struct cconn;
struct xfer;

/* route_xfer - put `x` (XFER_NEW) on a connection: an open one to its origin unless
 * `fresh` asks for one opened after its last, else a new one. */
void route_xfer(struct client *cl, struct xfer *x, bool fresh);

/* route_report - `x` has ended its attempt (phase XFER_REPORTED, `outcome` set); the
 * router settles it on its next route_settle. Called by the transfer itself. */
void route_report(struct xfer *x);

/* route_settle - settle every reported transfer, then move ordered output on until
 * nothing more is reported. Returns true when it settled anything. */
bool route_settle(struct client *cl);

/* route_cancel_rest - --fail-early: every unfinished transfer other than `failed`
 * stops with `code`, and those not made yet are cancelled as they are made. */
void route_cancel_rest(struct client *cl, const struct xfer *failed, int code);

/* route_may_start - whether the run's limits (--parallel-max, --sequential, --rate,
 * --fail-early) let one more request start now on `cc`; takes a --rate token. */
bool route_may_start(struct client *cl, const struct cconn *cc);
/* route_could_start - the same question without taking a token: whether stepping `cc`
 * now would start one (the loop then does not wait in poll). */
bool route_could_start(struct client *cl, const struct cconn *cc);
/* route_may_connect - whether idle connection `cc` may connect now: at most
 * --parallel-max origin connections (1 with --sequential) are open or opening at once, so
 * a run over many origins holds no more sockets than that; the connection of the first
 * in line (its output waits for it) and proxy connections never wait for a slot. */
bool route_may_connect(const struct client *cl, const struct cconn *cc);
/* route_first_waiting - the transfer first in line for output when it is queued and not
 * yet sent: it goes before any other (ordered stdout holds the others back until it is
 * written, --sequential runs nothing else), else NULL. */
struct xfer *route_first_waiting(const struct client *cl);
/* route_rate_wait - ms until --rate lets a waiting request start (1000 when nothing
 * waits on the rate). */
unsigned route_rate_wait(const struct client *cl);

#endif
