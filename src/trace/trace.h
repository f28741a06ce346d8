/* SPDX-License-Identifier: MIT */
/*
 * The debugging views of CLI.md §7, fed by the client at fixed points: the frame trace
 * (--frames, -vv), HPACK detail (--hpack), flow-control windows (--windows), hex dumps,
 * JSON Lines (--trace-json), per-stream and per-connection tables (--stats, --waterfall),
 * passive conformance checks (--check, --strict), and the HTTP/2 test aids of CLI.md §3
 * applied to each connection's configuration. Renders only; never changes the protocol
 * beyond what the test-aid options ask for. Costs nothing when every view is off.
 */
#ifndef H2GET_TRACE_H
#define H2GET_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/cli.h"
#include "proto/conn.h"
#include "net/tls.h"

struct trace;

/* Connection milestones, in the order they normally happen. */
enum trace_conn_event {
    TRACE_CONN_RESOLVED,  /* detail: the address list */
    TRACE_CONN_CONNECTED, /* detail: the address connected to */
    TRACE_CONN_TLS_DONE,  /* see trace_tls */
    TRACE_CONN_H2,        /* the HTTP/2 session starts (preface sent) */
    TRACE_CONN_H1,        /* HTTP/1.1 is used */
    TRACE_CONN_CLOSED,
};

/* Stream (or HTTP/1.1 request) milestones. */
enum trace_stream_event {
    TRACE_STREAM_QUEUED,     /* the URL is waiting for a connection or a stream slot */
    TRACE_STREAM_SENT,       /* request HEADERS queued */
    TRACE_STREAM_HEADERS,    /* final response HEADERS received (time to first byte) */
    TRACE_STREAM_FIRST_DATA, /* first body byte */
    TRACE_STREAM_DONE,       /* END_STREAM / body complete */
    TRACE_STREAM_FAILED,     /* detail: the error line */
    TRACE_STREAM_RETRIED,    /* detail: why */
};

/* trace_new - the views `cfg` asks for (-vv and -vvv included). Never NULL. Exits through
 * xalloc on OOM; an unwritable trace file is H2E_WRITE through `*err` (0 otherwise). */
struct trace *trace_new(const struct config *cfg, int *err);
/* trace_finish - print --stats / --waterfall, flush and close; returns 0, or H2E_STRICT
 * when --strict and a check failed. Frees `t`. */
int trace_finish(struct trace *t);

/* trace_h2_config - before h2c_new: set the frame observer and the test aids (--settings,
 * windows, table sizes, --padding, --continuation, --no-huffman, --hpack-indexing). */
void trace_h2_config(struct trace *t, struct h2c_config *hc, unsigned conn_id);
/* trace_h2_conn - after h2c_new: the connection, for window views and --ping. */
void trace_h2_conn(struct trace *t, unsigned conn_id, struct h2c_conn *c);
/* trace_h2_event - every event the HTTP/2 session drains (SETTINGS ACK, PING ACK...). */
void trace_h2_event(struct trace *t, unsigned conn_id, const struct h2c_event *ev);

void trace_conn(struct trace *t, unsigned conn_id, enum trace_conn_event ev, const char *detail);
void trace_tls(struct trace *t, unsigned conn_id, const struct tls_facts *f);
void trace_stream(struct trace *t, unsigned conn_id, uint32_t sid, size_t urlnum,
                  enum trace_stream_event ev, const char *detail);

#endif
