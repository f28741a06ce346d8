/* SPDX-License-Identifier: MIT */
/*
 * Where response bodies and headers go: stdout, or a file written under a temporary name
 * in the target's directory (created with O_EXCL, final permissions 0666 & ~umask) and
 * renamed into place only when the transfer is complete (../shared/PROMISES.md "Partial
 * downloads"). On failure the temporary file is removed, or kept as FILE.part when asked;
 * only files h2get created are ever removed. Writes are buffered up to a fixed bound.
 * Also the response head as -i and -D show it (out_headers.c).
 */
#ifndef H2GET_OUT_H
#define H2GET_OUT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "codec/msg.h"

/* Per-sink write buffer: small, since a run may write a hundred files at once. */
#define OUT_BUFFER (32u * 1024u)
/* A write this large goes out at once, after what is buffered: copying a whole DATA frame
 * into the buffer (a second copy of every byte of a large download) costs more than the
 * write it would save. */
#define OUT_DIRECT (8u * 1024u)
/* Room for the longest message: a path the system accepts (shorter than PATH_MAX; longer
 * ones are refused by out_open_file), its quotes and words, and strerror's text. */
#define OUT_DETAIL_MAX (PATH_MAX + 128)

struct out_sink {
    int fd;
    bool is_stdout;
    bool no_buffer; /* -N: write through on every call */
    bool opened;
    bool special; /* an existing non-regular target, written in place */
    bool append;  /* -C: appended to in place (out_open_append) */
    bool shared;  /* a character device's descriptor kept for the run: not closed here */
    bool null;    /* the null device: writes are counted and not made (out_write) */
    char *path;   /* final path; NULL for stdout */
    char *tmp;    /* temporary path while writing */
    uint8_t *buf;
    size_t len;
    uint64_t written;            /* bytes accepted so far (buffered included) */
    char detail[OUT_DETAIL_MAX]; /* last: the open functions leave it untouched but [0] */
};

/* out_init_stdout - a sink to standard output (fd 1). */
void out_init_stdout(struct out_sink *o, bool no_buffer);

/*
 * out_open_file - a sink for `path`: creates the temporary file next to it now (and the
 * missing directories first when `create_dirs`). Returns 0, or H2E_WRITE with `detail`
 * ("cannot create 'x': Permission denied"; a `path` of PATH_MAX bytes or more is refused
 * before any system call). Takes a copy of `path`.
 */
int out_open_file(struct out_sink *o, const char *path, bool create_dirs, bool no_buffer);

/*
 * out_open_append - a sink that appends to the regular file `path` in place (-C resumes
 * it; created when missing, never renamed). out_commit closes it; out_abort writes out
 * what it buffered and closes it, keeping every byte written: they continue the file.
 * Returns 0, or H2E_WRITE with `detail`.
 */
int out_open_append(struct out_sink *o, const char *path, bool no_buffer);

/* out_write - append `n` bytes (borrowed for the call). Returns 0 or H2E_WRITE. A sink on
 * the null device (/dev/null as -o or as stdout) only counts them. */
int out_write(struct out_sink *o, const void *p, size_t n);

/* out_flush - write out what is buffered. Returns 0 or H2E_WRITE. */
int out_flush(struct out_sink *o);

/*
 * out_commit - the transfer is complete: flush, close, and rename the temporary file to
 * its final name (stdout: flush only). Returns 0 or H2E_WRITE. The sink is released.
 */
int out_commit(struct out_sink *o);

/*
 * out_abort - the transfer failed: flush what stdout got, or remove the temporary file
 * (rename it to FILE.part when `keep_partial`). The sink is released; never fails.
 */
void out_abort(struct out_sink *o, bool keep_partial);

/* out_join - "dir/name" (or `name` alone when `dir` is NULL); caller frees with free(). */
char *out_join(const char *dir, const char *name);

/* out_remote_name - the last path segment of URL path `path` (up to '?'), "index.html"
 * when empty; caller frees with free(). NULL when the segment is "." or "..". */
char *out_remote_name(struct span path);

/*
 * out_header_block - append to `b` the -i / -D form of a response head: "<proto> <status>"
 * (`proto` such as "HTTP/2"; no status line when `status` is 0, as for trailers), then
 * "name: value" for each of the `n` fields `f` (borrowed for the call) except
 * pseudo-headers, then an empty line; every line ends in CRLF. Returns 0, or the
 * buf_append error (H2E_LIMIT_BUFFER, H2E_NOMEM) after which `b` holds part of the block.
 */
int out_header_block(struct buf *b, int status, const char *proto, const struct msg_field *f,
                     size_t n);

/*
 * out_dump_headers - -D: write `block` (borrowed) to `path`, or to stdout (stdio) when it
 * is "-". The file is truncated on the first call of a run (`*started` false; it is set
 * once the file is open) and appended to after. Returns 0, or H2E_WRITE with errno saying
 * why (cannot open, cannot write, cannot close).
 */
int out_dump_headers(const char *path, bool *started, struct span block);

#endif
