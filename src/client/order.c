/* SPDX-License-Identifier: MIT */
/*
 * Standard output in command-line order: the first unfinished URL writes its body straight
 * through; the bodies of later URLs are held, in memory up to HOLD_MEM each and then in an
 * unlinked temporary file, and written whole as soon as every URL before them is done.
 * The same cursor prints each URL's -w text right after its body, so stdout reads in the
 * order of the command line whatever the completion order (CLI.md §1 --ordered-output).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "order.h"

#include "cconn.h"
#include "run.h"
#include "sys/xalloc.h"
#include "writeout.h"
#include "xfer.h"

#define HOLD_MEM (256u * 1024u)
#define COPY_CHUNK (64u * 1024u)

static int hold(struct xfer *x, const void *p, size_t n)
{
    if (!x->out.spill && x->out.hold.len + n <= HOLD_MEM)
        return buf_append(&x->out.hold, p, n) ? H2E_NOMEM : 0;
    if (!x->out.spill) {
        x->out.spill = tmpfile();
        if (!x->out.spill || (x->out.hold.len && fwrite(x->out.hold.p, 1, x->out.hold.len,
                                                        x->out.spill) != x->out.hold.len)) {
            xfer_fail(x, H2E_WRITE,
                      "cannot hold the body for ordered output in a temporary "
                      "file");
            return H2E_WRITE;
        }
        buf_release(&x->out.hold);
    }
    if (fwrite(p, 1, n, x->out.spill) != n) {
        xfer_fail(x, H2E_WRITE, "cannot hold the body for ordered output in a temporary file");
        return H2E_WRITE;
    }
    return 0;
}

int order_write(struct xfer *x, const void *p, size_t n)
{
    struct client *cl = x->cl;

    if (cl->ordered && x->index != cl->fin)
        return hold(x, p, n);
    if (out_write(&cl->out, p, n) != 0) {
        xfer_fail(x, H2E_WRITE, "%s", cl->out.detail);
        return H2E_WRITE;
    }
    return 0;
}

void order_drop(struct xfer *x)
{
    buf_release(&x->out.hold);
    if (x->out.spill)
        fclose(x->out.spill);
    x->out.spill = NULL;
}

/* Write out what `x` held, now that it is first in line. On failure `*why` is the reason
 * when it is not the stdout sink's (caller frees). */
static int unhold(struct xfer *x, char **why)
{
    struct client *cl = x->cl;
    int rv = 0;

    if (x->out.hold.len)
        rv = out_write(&cl->out, x->out.hold.p, x->out.hold.len);
    if (x->out.spill && rv == 0) {
        uint8_t *chunk = xmalloc(COPY_CHUNK);
        size_t n;
        rewind(x->out.spill);
        while (rv == 0 && (n = fread(chunk, 1, COPY_CHUNK, x->out.spill)) > 0)
            rv = out_write(&cl->out, chunk, n);
        if (rv == 0 && ferror(x->out.spill)) { /* the rest would be lost without a word */
            *why =
                xasprintf("cannot read back the body held for ordered output: %s", strerror(errno));
            rv = H2E_WRITE;
        }
        free(chunk);
    }
    order_drop(x);
    return rv;
}

/* The next in line may have as much in flight as it may hold in memory (HOLD_MEM): the
 * server then has its next body to send while the WINDOW_UPDATE that boosts it once it is
 * first is on its way, instead of waiting a round trip after every body. Once its head has
 * come, and only when its body may not fit the small window (unknown or larger length). */
static void prime_next(const struct xfer *x)
{
    const struct client *cl = x->cl;
    struct xfer *n = x->index + 1 < cl->started ? cl->xs[x->index + 1] : NULL;

    if (!n || x->index != cl->fin || n->out.primed || n->out.boosted || n->phase != XFER_SENT ||
        !n->conn || !n->conn->h2 || n->resp.state != XFER_RESP_HEADERS)
        return;
    n->out.primed = true;
    /* the window counts wire bytes, the hold decoded ones: not with a decoder */
    if (n->out.spill || n->resp.dec || n->out.hold.len >= HOLD_MEM ||
        (n->resp.expect_len && n->resp.expect_len <= CLIENT_HELD_WINDOW))
        return;
    h2c_stream_boost(n->conn->h2, n->stream_id, (uint32_t)(HOLD_MEM - n->out.hold.len));
}

void order_boost(struct xfer *x)
{
    if (x->phase != XFER_SENT || !x->conn->h2)
        return;
    if (!x->out.boosted) {
        x->out.boosted = true;
        h2c_stream_boost(x->conn->h2, x->stream_id, LIMIT_STREAM_WINDOW);
    }
    prime_next(x);
}

bool order_holds(const struct xfer *x)
{
    const struct client *cl = x->cl;

    return cl->ordered && !x->cu->output && !xfer_discards(x) &&
           x->resp.state != XFER_RESP_REDIRECTING && !x->out.released && x->index != cl->fin;
}

/* `x` is first in line: write out what it held. A failure fails it when it is still
 * running (reported to the router); returns false when it was done already. */
static bool release_first(struct client *cl, struct xfer *x)
{
    char *why = NULL;
    bool running = x->phase != XFER_DONE;

    if (!(x->out.hold.len || x->out.spill) || unhold(x, &why) == 0)
        return true;
    if (running)
        xfer_fail(x, H2E_WRITE, "%s", why ? why : cl->out.detail);
    else
        xfer_fail_output(x, H2E_WRITE, why ? why : cl->out.detail);
    free(why);
    return running;
}

/* `x`, done and written out, leaves the line: its -w output, its part of the exit code. */
static void retire(struct client *cl, struct xfer *x)
{
    if (cl->cfg->multi.write_out)
        wo_emit(x);
    if (!cl->first_error && x->result && x->outcome != XFER_CANCELLED)
        cl->first_error = x->result;
    cl->nretried += x->req.retries ? 1 : 0;
    cl->fin++; /* reap() frees it between loop steps */
}

struct xfer *order_advance(struct client *cl)
{
    while (cl->fin < cl->started) {
        struct xfer *x = cl->xs[cl->fin];
        bool written = release_first(cl, x);
        if (x->phase == XFER_DONE) {
            retire(cl, x);
            if (!written)
                return x;
            continue;
        }
        if (cl->ordered && x->phase == XFER_SENT) {
            if (!x->out.fronted) { /* first in line: its stall clock starts now, once */
                x->out.fronted = true;
                x->t.last_progress_ms = cl->now;
            }
            if (x->resp.body_bytes)
                order_boost(x);
        }
        break;
    }
    return NULL;
}
