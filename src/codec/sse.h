/* SPDX-License-Identifier: MIT */
/*
 * Server-sent events (WHATWG HTML §9.2.5 "Parsing an event stream", §9.2.6 "Interpreting
 * an event stream"), sans-I/O: body bytes in, whole events out. Lines end in CRLF, LF or
 * CR (a CR ending one chunk and an LF starting the next are one line end); a leading UTF-8
 * BOM is dropped; lines starting with ':' are comments; the fields are event, data (lines
 * joined with LF), id (ignored when it holds a NUL) and retry (ASCII digits only); a blank
 * line dispatches the event, unless its data is empty. What has not been dispatched when
 * the stream ends is dropped (§9.2.6). One event (its pending line, data, type and id) is
 * bounded by the caller's cap: past it, H2E_SSE_TOO_BIG. Bytes are passed through as they
 * came (the spec decodes UTF-8 with replacement; h2get writes what the server sent).
 */
#ifndef H2GET_SSE_H
#define H2GET_SSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* One dispatched event; its spans are valid until the next sse_* call. */
struct sse_event {
    struct span type; /* the event field, empty when none came ("message") */
    struct span data; /* data lines joined with LF, never empty */
    struct span id;   /* the last event ID after this event (§9.2.6: it persists) */
    bool has_id;      /* an id field came in this event's lines */
};

struct sse {
    struct buf line;    /* the line read so far */
    struct buf data;    /* the data buffer, each line followed by LF */
    struct buf type;    /* the event type buffer */
    struct buf id_buf;  /* the last event ID buffer (set by id fields) */
    struct buf last_id; /* the last event ID string (set when an event block ends) */
    size_t max;         /* the cap on one event */
    uint64_t retry_ms;  /* the reconnection time set by retry: */
    bool retry_set;     /* a retry field has been seen */
    bool has_id;        /* an id field came since the last blank line */
    bool after_cr;      /* the last line ended in CR: an LF next is part of it */
    bool started;       /* past the first line (where a BOM may be) */
    bool clear;         /* the last call dispatched: clear the buffers first */
};

/* sse_init - a parser that allocates through `mem`; one event holds at most `max` bytes. */
void sse_init(struct sse *s, const struct mem *mem, size_t max);
/* sse_release - free its buffers. */
void sse_release(struct sse *s);
/* sse_restart - a new stream (reconnection): pending lines and data are dropped; the last
 * event ID and the reconnection time are kept (§9.2.3). */
void sse_restart(struct sse *s);
/*
 * sse_feed - read from `p` (`n` bytes) up to the end of the first event dispatched.
 * `*used` gets the bytes consumed. Returns 1 with `*ev` filled (call again with the rest),
 * 0 when all `n` bytes were consumed without an event, or H2E_SSE_TOO_BIG (`info->why`
 * says which part) after which the parser is not to be fed again.
 */
int sse_feed(struct sse *s, const uint8_t *p, size_t n, size_t *used, struct sse_event *ev,
             struct h2e_info *info);
/* sse_last_id - the last event ID string (for Last-Event-ID on reconnection). */
struct span sse_last_id(const struct sse *s);

#endif
