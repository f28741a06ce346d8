/* SPDX-License-Identifier: MIT */
/*
 * --duplex: the response body goes to stdout through a non-blocking pipe (pipe.h) while
 * the request body still streams from stdin, each DATA frame written as it comes; the
 * stream's receive window is credited back only for bytes stdout took, so a blocked
 * reader stops the server after one window and memory stays bounded by it. One URL; no
 * progress meter; nothing else on stdout.
 */
#ifndef H2GET_DUPLEX_H
#define H2GET_DUPLEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct client;
struct cconn;
struct xfer;

/* duplex_init - with --duplex: stdout becomes a pipe_out sized for one stream window plus
 * the head and trailers (-i); the progress meter is off. Nothing without --duplex. */
void duplex_init(struct client *cl);
/* duplex_finish - write what stdout still holds (waiting as long as it takes) and give
 * stdout back as it was. Returns 0 or H2E_WRITE (said). */
int duplex_finish(struct client *cl);
/* duplex_to_stdout - the body of `x` goes to the stdout pipe. */
bool duplex_to_stdout(const struct xfer *x);
/* duplex_write - `n` bytes of `p` (borrowed) for stdout. Returns 0, or fails `x` and
 * returns H2E_WRITE. */
int duplex_write(struct xfer *x, const void *p, size_t n);
/* duplex_on_data - `n` body bytes of `x` arrived on `cc` and went to duplex_write: they
 * are credited back once written. */
void duplex_on_data(struct cconn *cc, struct xfer *x, size_t n);
/* duplex_step - write what stdout takes now and credit the stream of `x` for it; fails
 * `x` on a write error. */
void duplex_step(struct cconn *cc, struct xfer *x);
/* duplex_input_note - for an error message about `x`: how much input was sent ("; N input
 * bytes were sent, without END_STREAM"); "" when not duplex. Static storage. */
const char *duplex_input_note(const struct xfer *x);

#endif
