/* SPDX-License-Identifier: MIT */
/*
 * Request bodies on an HTTP/2 session (sess_h2.c): each active transfer's body queued as
 * DATA frames within the windows, the output bound and --limit-rate, a frame at a time
 * when the transport has a write unit (TLS records); a silly window waited out for a
 * bounded time; the --trailer HEADERS after the last byte.
 */
#ifndef H2GET_SESS_H2_BODY_H
#define H2GET_SESS_H2_BODY_H

#include <stdbool.h>
#include <stddef.h>

#include "cconn.h"

/* How long a body waits for more credit when only a silly window is open (conn.h,
 * h2c_send_held) before it goes out in a small frame anyway: a peer that grants credit a
 * few bytes at a time is waited for this long, never longer. */
#define SESS_SWS_WAIT_MS 50u

/* What one pump of the bodies did. */
struct sess_h2_pump {
    size_t unit;   /* the write unit (io_write_unit; 0: none) */
    size_t queued; /* body bytes queued (+1 per frame, so an empty last one counts) */
    bool credit;   /* a body has bytes that a window (or the output bound) holds back */
};

/* sess_h2_pump_bodies - queue the bodies of `cc`'s transfers in turn until the output
 * holds `pu->unit` bytes (0: as far as windows and bounds allow); `pu` says what went. */
void sess_h2_pump_bodies(struct cconn *cc, struct sess_h2_pump *pu);

#endif
