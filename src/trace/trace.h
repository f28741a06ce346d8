/* SPDX-License-Identifier: MIT */
/*
 * The debugging views of CLI.md §7, fed by the client at fixed points: the frame trace
 * (--frames, -vv), HPACK detail (--hpack), flow-control windows (--windows), hex dumps,
 * JSON Lines (--trace-json), per-stream and per-connection tables (--stats, --waterfall),
 * passive conformance checks (--check, --strict) and the --ping round trips. Observes and
 * renders only: it is told what happened (and what we announced) and never changes a
 * connection or its configuration. Costs nothing when every view is off.
 */
#ifndef H2GET_TRACE_H
#define H2GET_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "codec/ws.h"
#include "proto/conn.h"
#include "net/tls.h"

struct trace;

enum trace_color {
    TRACE_COLOR_AUTO, /* when the text trace goes to a terminal */
    TRACE_COLOR_ALWAYS,
    TRACE_COLOR_NEVER,
};

/* Which views are on and where they go; zero is "all off". The client fills it from the
 * command line (-vv and -vvv included, NO_COLOR applied to `color`). */
struct trace_opts {
    bool frames;             /* --frames / -vv */
    bool hpack;              /* --hpack / -vvv */
    bool windows;            /* --windows / -vvv */
    bool hexdump;            /* --hexdump */
    const char *frames_file; /* the text trace's file; NULL or "-": stderr */
    const char *json_file;   /* --trace-json FILE ("-": stdout); NULL: off */
    bool stats;              /* --stats */
    bool waterfall;          /* --waterfall */
    bool check;              /* --check */
    bool strict;             /* --strict (implies check) */
    bool pings;              /* --ping: report each PING's round trip */
    enum trace_color color;
};

/* Connection milestones, in the order they normally happen. */
enum trace_conn_event {
    TRACE_CONN_RESOLVED,  /* detail: the address list */
    TRACE_CONN_CONNECTED, /* detail: the address connected to */
    TRACE_CONN_TLS_DONE,  /* see trace_tls */
    TRACE_CONN_H2,        /* the HTTP/2 session starts (preface sent) */
    TRACE_CONN_H1,        /* HTTP/1.1 is used */
    TRACE_CONN_CLOSED,
    TRACE_CONN_PROXY,  /* a connection to a proxy (its frames: CONNECT streams); detail: which */
    TRACE_CONN_TUNNEL, /* a connection inside a proxy's tunnel; detail: the tunnel */
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

/* trace_new - the views `o` asks for (borrowed; its strings must outlive the trace). Never
 * NULL. Exits through xalloc on OOM; an unwritable trace file is H2E_WRITE through `*err`
 * (0 otherwise). */
struct trace *trace_new(const struct trace_opts *o, int *err);
/* trace_finish - print --stats / --waterfall, flush and close; returns 0, or H2E_STRICT
 * when --strict and a check failed. Frees `t`. */
int trace_finish(struct trace *t);

/* The frame observer of one HTTP/2 connection, for h2c_config's `on_frame`, `on_bad_frame`
 * and `on_frame_ud`; all NULL when no view needs frames. */
struct trace_h2_hooks {
    void (*on_frame)(void *ud, bool sent, const struct h2f_frame *f,
                     const struct hpack_list *block);
    void (*on_bad_frame)(void *ud, const struct h2f_header *hdr, const struct h2e_info *info);
    void *ud;
};

/* trace_h2_hooks - the observer for connection `conn_id`, to install before h2c_new. */
struct trace_h2_hooks trace_h2_hooks(struct trace *t, unsigned conn_id);
/* trace_h2_conn - after h2c_new: the connection `c` (only read, for the windows and stream
 * states of --windows and --check; borrowed until TRACE_CONN_CLOSED) and the configuration
 * it was made from (`hc`, borrowed for the call: our SETTINGS_MAX_FRAME_SIZE and
 * ENABLE_PUSH, which --check holds the server to). */
void trace_h2_conn(struct trace *t, unsigned conn_id, const struct h2c_conn *c,
                   const struct h2c_config *hc);
/* trace_h2_ping - we queued PING number `n` (from 0) with `opaque` on `conn_id`: with
 * --ping, its ACK prints "ping: conn=C n=N+1 rtt=MSms". */
void trace_h2_ping(struct trace *t, unsigned conn_id, unsigned n, const uint8_t opaque[8]);
/* trace_h2_event - every event the HTTP/2 session drains (SETTINGS ACK, PING ACK...). */
void trace_h2_event(struct trace *t, unsigned conn_id, const struct h2c_event *ev);

void trace_conn(struct trace *t, unsigned conn_id, enum trace_conn_event ev, const char *detail);
void trace_tls(struct trace *t, unsigned conn_id, const struct tls_facts *f);
void trace_stream(struct trace *t, unsigned conn_id, uint32_t sid, size_t urlnum,
                  enum trace_stream_event ev, const char *detail);

/* trace_secret - octets no view may show: --hexdump prints each occurrence of `s` in a
 * frame of any connection as '*' (the credentials for a proxy, which the other views mask
 * by field name; the HPACK encoder sends them without Huffman coding, so they appear in
 * the frame as they are). Copied; an empty `s` is ignored. */
void trace_secret(struct trace *t, struct span s);

/* trace_ws_frame - with --frames, WebSocket frame `h` of connection `conn`, inside stream
 * `sid`'s DATA (0 over HTTP/1.1), `sent` or received; `p`/`n` its unmasked payload or the
 * part of it received so far. */
void trace_ws_frame(struct trace *t, unsigned conn, uint32_t sid, bool sent,
                    const struct ws_head *h, const uint8_t *p, size_t n);

#endif
