/* SPDX-License-Identifier: MIT */
/*
 * --duplex (duplex.h). The credit rule: every byte still waiting in the stdout pipe may be
 * body, so the stream gets back only what it received minus what waits; what the server
 * may send on top is then at most one window (RFC 9113 §6.9: it cannot exceed it).
 */
#include "duplex.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/h2.h"
#include "base/limits.h"
#include "cconn.h"
#include "pipe.h"
#include "run.h"
#include "sys/diag.h"
#include "sys/xalloc.h"
#include "xfer.h"

/* The receive window we announce for a stream (sess_h2_setup.c decides it the same way). */
static size_t stream_window(const struct config *cfg)
{
    const struct cli_h2 *h = &cfg->h2;
    size_t w = LIMIT_STREAM_WINDOW, i;

    if (h->stream_window || h->stream_window_zero)
        w = h->stream_window;
    for (i = 0; i < h->nsettings; i++)
        if (h->settings[i].id == H2_SETTINGS_INITIAL_WINDOW_SIZE)
            w = h->settings[i].value;
    if (h->settings_empty)
        w = H2_DEFAULT_WINDOW;
    return w;
}

void duplex_init(struct client *cl)
{
    /* room for a window of body, and for the head and the trailers that -i writes */
    size_t cap = stream_window(cl->cfg) + 2 * LIMIT_HEADER_LIST_SIZE + 16 * LIMIT_HEADER_COUNT;

    if (!cl->cfg->req.duplex)
        return;
    cl->stdout_pipe = xmalloc(sizeof(*cl->stdout_pipe));
    pipe_out_init(cl->stdout_pipe, STDOUT_FILENO, cap);
    cl->progress = false;
}

int duplex_finish(struct client *cl)
{
    struct pipe_out *o = cl->stdout_pipe;
    int rv;

    if (!o)
        return 0;
    rv = pipe_out_drain(o);
    if (rv)
        diag_error(H2E_WRITE, "cannot write to stdout: %s", strerror(o->err));
    pipe_out_release(o);
    free(o);
    cl->stdout_pipe = NULL;
    return rv;
}

bool duplex_to_stdout(const struct xfer *x)
{
    return x->cl->stdout_pipe && !x->cu->output && !xfer_discards(x);
}

static void write_failed(struct xfer *x)
{
    xfer_fail(x, H2E_WRITE, "cannot write to stdout: %s", strerror(x->cl->stdout_pipe->err));
}

int duplex_write(struct xfer *x, const void *p, size_t n)
{
    struct pipe_out *o = x->cl->stdout_pipe;
    int64_t took;

    /* HTTP/1.1 has no window to hold the server back: wait for stdout instead */
    if (pipe_out_room(o) < n && !x->stream_id && pipe_out_drain(o) != 0) {
        write_failed(x);
        return H2E_WRITE;
    }
    took = pipe_out_write(o, p, n);

    if (took < 0) {
        write_failed(x);
        return H2E_WRITE;
    }
    if ((size_t)took < n) { /* the credit rule makes room for a window: a bug if not */
        xfer_fail(x, H2E_WRITE, "stdout buffer full: %zu bytes beyond the stream window",
                  n - (size_t)took);
        return H2E_WRITE;
    }
    return 0;
}

/* Credit back what stdout took: received minus what still waits in the pipe. */
static void credit(struct cconn *cc, struct xfer *x)
{
    uint64_t waiting = pipe_out_pending(x->cl->stdout_pipe);

    if (x->resp.uncredited <= waiting)
        return;
    if (!xfer_over(x))
        h2c_consume(cc->h2, x->stream_id, (size_t)(x->resp.uncredited - waiting));
    else /* the stream is gone: the connection still wants its credit */
        h2c_consume_conn(cc->h2, (size_t)(x->resp.uncredited - waiting));
    x->resp.uncredited = waiting;
}

void duplex_on_data(struct cconn *cc, struct xfer *x, size_t n)
{
    x->resp.uncredited += n;
    credit(cc, x);
}

void duplex_step(struct cconn *cc, struct xfer *x)
{
    if (pipe_out_flush(x->cl->stdout_pipe) < 0) {
        if (!xfer_over(x))
            write_failed(x);
        return;
    }
    credit(cc, x);
}

const char *duplex_input_note(const struct xfer *x)
{
    static char note[96];

    if (!x->cl->cfg->req.duplex || !x->req.has_body)
        return "";
    snprintf(note, sizeof(note), "; %" PRIu64 " input bytes were sent%s", x->up.sent,
             x->up.done ? ", with END_STREAM" : ", without END_STREAM");
    return note;
}
