/* SPDX-License-Identifier: MIT */
/*
 * -w/--write-out (writeout.c): curl's variables and the HTTP/2 additions, printed once
 * per URL, in command-line order, right after that URL's body.
 */
#ifndef H2GET_WRITEOUT_H
#define H2GET_WRITEOUT_H

#include "base/buf.h"

struct xfer;

/* The two parts of a rendered format: what goes to stdout and what to stderr. */
enum wo_stream {
    WO_OUT,
    WO_ERR,
};

/*
 * wo_render - render the -w format `fmt` for the finished transfer `x` into `part`
 * (`part[WO_OUT]` for stdout, `part[WO_ERR]` for stderr, both buf_init'ed by the caller;
 * text is appended). %{stdout} and %{stderr} switch the part the rest goes to;
 * %{onerror} ends the rendering when `x` succeeded. Nothing is cut: values of any length
 * are appended whole. An unknown variable is a warning (diag_warn) and renders as nothing.
 * Returns 0, or the buf_append error of a part that reached its cap.
 */
int wo_render(const struct xfer *x, const char *fmt, struct buf part[2]);
/* wo_render_from - wo_render, the text before any %{stdout} or %{stderr} going to
 * `part[start]` (--tunnel-to: stderr, since stdout is the tunnel's). */
int wo_render_from(const struct xfer *x, const char *fmt, struct buf part[2], enum wo_stream start);

/*
 * wo_emit - print the -w format of the run for the finished transfer `x`: the stdout part
 * through the shared stdout sink, then the stderr part (stdout flushed first). A failure
 * to write to stdout fails the output of `x` (exit 23).
 */
void wo_emit(struct xfer *x);

#endif
