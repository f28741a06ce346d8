/* SPDX-License-Identifier: MIT */
/*
 * --retry (retry.c): whether an attempt that ended with a transient problem goes again,
 * and when. curl's rules: timeouts, an unresolvable host, a refused connection with
 * --retry-connrefused, HTTP 408, 429, 500, 502, 503 and 504 (any failure with
 * --retry-all-errors); waits of --retry-delay, else 1 s doubled each time up to 10
 * minutes, or what Retry-After asks; nothing once --retry-max-time has passed. h2get's
 * rule on top: a request the server may have processed (the request was sent and its
 * method is not idempotent, RFC 9110 §9.2.2) is replayed only with --retry-all-errors.
 * No wait may pass --max-time (the run's limit) or --retry-max-time, and a Retry-After
 * longer than 10 minutes is not waited for unless one of them allows it.
 */
#ifndef H2GET_RETRY_H
#define H2GET_RETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct client;
struct xfer;
struct msg_field;

/* Backoff bound of curl (RETRY_SLEEP_MAX), and the longest Retry-After h2get waits for
 * when neither --retry-max-time nor --max-time says otherwise. */
#define RETRY_WAIT_MAX_MS 600000u

/* retry_on_status - the final response head of `x` has `status`: true when the attempt
 * is to go again once this response has ended (its body is discarded); says so. */
bool retry_on_status(struct xfer *x, int status, const struct msg_field *f, size_t n);
/* retry_on_failure - the attempt of `x` failed with `code` (an H2E_*): true when it was
 * reported for a retry instead (the caller then does nothing more); says so. */
bool retry_on_failure(struct xfer *x, int code, const char *detail);
/* retry_sse - --sse: the event stream of `x` ended or broke (`problem`): true when it
 * reconnects after the server's retry: delay (--retry left, within -m); says so. */
bool retry_sse(struct xfer *x, const char *problem);
/* retry_wake - route the transfers whose wait is over. */
void retry_wake(struct client *cl);
/* retry_wait - ms until the next wait is over (UINT64_MAX when none waits). */
uint64_t retry_wait(const struct client *cl);

#endif
