/* SPDX-License-Identifier: MIT */
/*
 * Feeding a client connection from packets it does not own, such as decrypted TLS records
 * read in place (gnutls_record_recv_packet): frames are taken straight out of each packet;
 * only a frame that spans packets is put together in a buffer of the caller's, and of it
 * only what h2c_recv needs (the header of a DATA frame taken in pieces, all of another
 * frame). Sans-I/O: bytes in, progress out; events are drained by the caller after each
 * step, as after h2c_recv.
 */
#ifndef H2GET_CONN_FEED_H
#define H2GET_CONN_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "conn.h"

/* One packet on its way in: `p` and `hold` are borrowed for the life of the feed. */
struct h2c_feed {
    const uint8_t *p;
    size_t n, off;
    struct buf *hold; /* the incomplete frame kept between packets (empty at first) */
    size_t used;      /* of `hold`, consumed by the last step: dropped by the next */
};

/*
 * h2c_feed_init - feed `n` bytes of `p` to a connection after what `hold` keeps from
 * earlier packets (all of `hold` is unconsumed input).
 */
void h2c_feed_init(struct h2c_feed *f, const uint8_t *p, size_t n, struct buf *hold);

/*
 * h2c_feed_step - one call of h2c_recv on the next input of `f`. Returns 1 when it made
 * progress (drain the events with h2c_next_event, then call again: their spans point into
 * the packet or into `hold` and are valid until then); 0 when the packet is used up, what
 * is left of an incomplete frame copied into `hold`; or a negative H2E_* as h2c_recv, or
 * H2E_LIMIT_BUFFER / H2E_NOMEM when `hold` cannot take an incomplete frame (`info` says
 * which).
 */
int h2c_feed_step(struct h2c_conn *c, struct h2c_feed *f, struct h2e_info *info);

#endif
