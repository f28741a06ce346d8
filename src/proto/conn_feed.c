/* SPDX-License-Identifier: MIT */
/*
 * Frames out of packets the caller owns (conn_feed.h): the incomplete frame kept from
 * earlier packets is completed with only the bytes it needs, then frames are taken in
 * place, and the tail of an incomplete one is copied to be completed by the next packet.
 */
#include "conn_feed.h"

void h2c_feed_init(struct h2c_feed *f, const uint8_t *p, size_t n, struct buf *hold)
{
    f->p = p;
    f->n = n;
    f->off = 0;
    f->used = 0;
    f->hold = hold;
}

/* Copy up to `n` more bytes of the packet into `hold`; false when it cannot take them. */
static int keep(struct h2c_feed *f, size_t n, struct h2e_info *info)
{
    int rv;

    if (n > f->n - f->off)
        n = f->n - f->off;
    if ((rv = buf_append(f->hold, f->p + f->off, n)) != 0)
        return h2e_set(info, rv, 0, "an incomplete frame does not fit the receive buffer");
    f->off += n;
    return 0;
}

/* The frame kept in `hold`: completed with what it needs, then fed from there. What
 * h2c_recv consumed of it is dropped by the next step, once the events are drained. */
static int step_held(struct h2c_conn *c, struct h2c_feed *f, struct h2e_info *info)
{
    struct buf *h = f->hold;
    size_t need;
    int rv;

    /* the need grows once a header is complete, so ask again after each copy */
    while ((need = h2c_recv_need(c, h->p, h->len)) > h->len) {
        if (f->off == f->n)
            return 0; /* the packet is used up and the frame still incomplete */
        if ((rv = keep(f, need - h->len, info)) != 0)
            return rv;
    }
    if ((rv = h2c_recv(c, h->p, h->len, info)) < 0)
        return rv;
    if (rv > 0) {
        f->used = (size_t)rv;
        return 1;
    }
    /* h2c_recv_need promised progress; should it ever not, hold the whole packet and let
     * the frames be taken from `hold` (as every packet was before feeds existed) */
    if (f->off == f->n)
        return 0;
    return (rv = keep(f, f->n - f->off, info)) != 0 ? rv : 1;
}

int h2c_feed_step(struct h2c_conn *c, struct h2c_feed *f, struct h2e_info *info)
{
    int rv;

    buf_consume(f->hold, f->used);
    f->used = 0;
    if (f->hold->len)
        return step_held(c, f, info);
    if (f->off == f->n)
        return 0;
    if ((rv = h2c_recv(c, f->p + f->off, f->n - f->off, info)) < 0)
        return rv;
    if (rv == 0) /* an incomplete frame at the end: kept for the next packet */
        return keep(f, f->n - f->off, info);
    f->off += (size_t)rv;
    return 1;
}
