/* SPDX-License-Identifier: MIT */
/*
 * Standard input and output as byte pipes for the one poll() loop (client.c): what can be
 * read now is read into a bounded buffer, never waiting (a zero-timeout poll() comes
 * first, so stdin's flags, shared with the shell, are left alone); what is to be written
 * is kept in a bounded buffer and written as far as the descriptor takes it (a pipe or
 * socket is made non-blocking while in use and restored by pipe_out_release). The caller
 * decides when to read (its window is open) and when to accept output (its buffer has
 * room), which is how backpressure passes through: a full buffer is never read into and
 * a full pipe is never written into. Used by --duplex, streamed uploads (-T -), the
 * WebSocket console and --tunnel-to.
 */
#ifndef H2GET_PIPE_H
#define H2GET_PIPE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Default buffer of either side: a read from stdin is at most this, and so is what
 * waits for stdout. */
#define PIPE_CAP (64u * 1024u)

/* Input: bytes read from `fd` and not yet consumed are p[off .. len). */
struct pipe_in {
    int fd;
    uint8_t *p;
    size_t cap, off, len;
    bool regular;   /* `fd` is a regular file: a read never waits, so none is polled for */
    bool eof;       /* read() returned 0: nothing more will come */
    int err;        /* errno of a failed read, 0 if none (then eof is set too) */
    uint64_t total; /* bytes read from `fd` so far */
};

/* pipe_in_init - an input over `fd` (not owned: never closed) with a buffer of `cap`
 * bytes (0: PIPE_CAP). Allocates the buffer (xalloc). */
void pipe_in_init(struct pipe_in *in, int fd, size_t cap);
/* pipe_in_release - free the buffer; `fd` is left open. */
void pipe_in_release(struct pipe_in *in);
/* pipe_in_reset - forget what is buffered, EOF and error (after the caller seeked). */
void pipe_in_reset(struct pipe_in *in);
/*
 * pipe_in_fill - read what `fd` has now into the free room, without blocking: one read()
 * after a zero-timeout poll() says readable (a regular file is read without the poll, and
 * what is buffered moves to the front first, so the read fills the whole room). Returns
 * the bytes read (0: nothing now, the buffer is full, or EOF/error: see `eof` and `err`).
 */
size_t pipe_in_fill(struct pipe_in *in);
/* pipe_in_data - the buffered bytes; points into `in`, valid until the next fill or
 * consume. */
struct span pipe_in_data(const struct pipe_in *in);
/* pipe_in_consume - `n` (at most pipe_in_data().len) bytes were used. */
void pipe_in_consume(struct pipe_in *in, size_t n);
/* pipe_in_done - EOF (or an error) was seen and every byte was consumed. */
bool pipe_in_done(const struct pipe_in *in);
/*
 * pipe_in_pollfd - the poll entry (POLLIN on `fd`) when `in` wants to read: room in the
 * buffer, no EOF, and `want` (the caller could send what it read). Returns 1 with `*pfd`
 * set, or 0.
 */
size_t pipe_in_pollfd(const struct pipe_in *in, bool want, struct pollfd *pfd);

/* Output: bytes accepted and not yet written are p[off .. len). */
struct pipe_out {
    int fd;
    uint8_t *p;
    size_t cap, off, len;
    int err;          /* errno of a failed write, 0 if none; nothing is written after */
    int saved_flags;  /* fcntl flags of `fd` before, -1 when not changed */
    uint64_t written; /* bytes written to `fd` so far */
};

/* pipe_out_init - an output over `fd` (not owned) with a buffer of `cap` bytes (0:
 * PIPE_CAP); a pipe or socket is made non-blocking until pipe_out_release. */
void pipe_out_init(struct pipe_out *o, int fd, size_t cap);
/* pipe_out_release - restore the flags of `fd` and free the buffer; what was not written
 * is dropped (call pipe_out_drain first to keep it). */
void pipe_out_release(struct pipe_out *o);
/* pipe_out_room - bytes pipe_out_write accepts now. */
size_t pipe_out_room(const struct pipe_out *o);
/* pipe_out_pending - bytes accepted and not written yet. */
size_t pipe_out_pending(const struct pipe_out *o);
/*
 * pipe_out_write - accept up to `n` bytes of `p` (borrowed for the call), at most
 * pipe_out_room(), and write what `fd` takes now (straight from `p` when nothing waits;
 * only what `fd` did not take is copied). Returns the bytes accepted, or H2E_WRITE
 * (with `err` set) once writing failed.
 */
int64_t pipe_out_write(struct pipe_out *o, const uint8_t *p, size_t n);
/* pipe_out_flush - write what `fd` takes now of what is pending. Returns the bytes
 * written now, or H2E_WRITE (with `err` set). */
int64_t pipe_out_flush(struct pipe_out *o);
/* pipe_out_drain - write everything pending, waiting for `fd` as long as it takes (the
 * end of the run). Returns 0 or H2E_WRITE. */
int pipe_out_drain(struct pipe_out *o);
/* pipe_out_pollfd - the poll entry (POLLOUT on `fd`) while bytes are pending. Returns 1
 * with `*pfd` set, or 0. */
size_t pipe_out_pollfd(const struct pipe_out *o, struct pollfd *pfd);

#endif
