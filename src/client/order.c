/* SPDX-License-Identifier: MIT */
/*
 * Standard output in command-line order: the first unfinished URL writes its body straight
 * through; the bodies of later URLs are held, in memory up to HOLD_MEM each and then in an
 * unlinked temporary file, and written whole as soon as every URL before them is done.
 * The same cursor prints each URL's -w text right after its body, so stdout reads in the
 * order of the command line whatever the completion order (CLI.md §1 --ordered-output).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"
#include "sys/xalloc.h"

#define HOLD_MEM (256u * 1024u)
#define COPY_CHUNK (64u * 1024u)

static int hold(struct xfer *x, const void *p, size_t n)
{
    if (!x->spill && x->hold.len + n <= HOLD_MEM)
        return buf_append(&x->hold, p, n) ? H2E_NOMEM : 0;
    if (!x->spill) {
        x->spill = tmpfile();
        if (!x->spill ||
            (x->hold.len && fwrite(x->hold.p, 1, x->hold.len, x->spill) != x->hold.len)) {
            xfer_fail(x, H2E_WRITE,
                      "cannot hold the body for ordered output in a temporary "
                      "file");
            return H2E_WRITE;
        }
        buf_release(&x->hold);
    }
    if (fwrite(p, 1, n, x->spill) != n) {
        xfer_fail(x, H2E_WRITE, "cannot hold the body for ordered output in a temporary file");
        return H2E_WRITE;
    }
    return 0;
}

int order_write(struct xfer *x, const void *p, size_t n)
{
    struct client *cl = x->cl;

    if (x->index != cl->fin)
        return hold(x, p, n);
    if (out_write(&cl->out, p, n) != 0) {
        xfer_fail(x, H2E_WRITE, "%s", cl->out.detail);
        return H2E_WRITE;
    }
    return 0;
}

void order_drop(struct xfer *x)
{
    buf_release(&x->hold);
    if (x->spill)
        fclose(x->spill);
    x->spill = NULL;
}

/* Write out what `x` held, now that it is first in line. */
static int unhold(struct xfer *x)
{
    struct client *cl = x->cl;
    int rv = 0;

    if (x->hold.len)
        rv = out_write(&cl->out, x->hold.p, x->hold.len);
    if (x->spill && rv == 0) {
        uint8_t *chunk = xmalloc(COPY_CHUNK);
        size_t n;
        rewind(x->spill);
        while (rv == 0 && (n = fread(chunk, 1, COPY_CHUNK, x->spill)) > 0)
            rv = out_write(&cl->out, chunk, n);
        free(chunk);
    }
    order_drop(x);
    return rv;
}

void order_boost(struct xfer *x)
{
    if (x->boosted || !x->active || !x->conn || !x->conn->h2)
        return;
    x->boosted = true;
    h2c_stream_boost(x->conn->h2, x->stream_id, LIMIT_STREAM_WINDOW);
}

bool order_holds(const struct xfer *x)
{
    const struct client *cl = x->cl;

    return cl->ordered && !x->cu->output && !x->discard && !x->unheld && x->index != cl->fin;
}

/* `x` is first in line: write out what it held; a failure to do so fails it. */
static void release_first(struct client *cl, struct xfer *x)
{
    if (!(x->hold.len || x->spill) || unhold(x) == 0)
        return;
    if (!x->done)
        xfer_fail(x, H2E_WRITE, "%s", cl->out.detail);
    else
        xfer_fail_output(x, H2E_WRITE, cl->out.detail);
}

/* `x`, done and written out, leaves the line: its -w output, its part of the exit code. */
static void retire(struct client *cl, struct xfer *x)
{
    if (cl->cfg->multi.write_out)
        wo_emit(x);
    if (!cl->first_error && x->result && !x->cancelled)
        cl->first_error = x->result;
    cl->nretried += x->retries ? 1 : 0;
    cl->fin++; /* reap() frees it between loop steps */
}

void order_advance(struct client *cl)
{
    /* xfer_fail() and --fail-early cancels call back in here; the loop running already
     * picks up what they change, so it alone moves `fin` */
    if (cl->advancing)
        return;
    cl->advancing = true;
    while (cl->fin < cl->started) {
        struct xfer *x = cl->xs[cl->fin];
        release_first(cl, x);
        if (x->done) {
            retire(cl, x);
            continue;
        }
        if (cl->ordered && x->active) {
            if (!x->fronted) { /* first in line: its stall clock starts now, once */
                x->fronted = true;
                x->last_progress_ms = cl->now;
            }
            if (x->body_bytes)
                order_boost(x);
        }
        break;
    }
    cl->advancing = false;
}
