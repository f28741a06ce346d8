/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the debugging views: trace.c (lifecycle), trace_obs.c (the hooks),
 * trace_text.c (the text renderers of --frames, --hpack, --windows, --hexdump),
 * trace_json.c (--trace-json), trace_stats.c (--stats, --waterfall) and trace_check.c
 * (--check). The renderers are plain functions of their arguments and a FILE, so unit
 * tests feed them frames and compare exact lines. Not part of the trace API: use trace.h.
 */
#ifndef H2GET_TRACE_INT_H
#define H2GET_TRACE_INT_H

#include <stdio.h>

#include "base/buf.h"
#include "base/limits.h"
#include "trace.h"

/* A stall shorter than this is not worth a warning (CLI.md §7: "longer than 1 s"). */
#define TRACE_STALL_MS 1000u

/* What one frame line needs. `block` is the decoded field list when this frame ends a
 * header block (either direction), else NULL. */
struct trace_frame_view {
    double ms;
    unsigned conn;
    const char *hop; /* the connection's label: "proxy", "tunnel" or NULL */
    bool sent;
    const struct h2f_frame *f;
    const struct hpack_list *block;
    bool hpack; /* field representations and the block summary */
    bool color;
};

/* trace_field_value - what the views show of a field's value: "[masked]" for
 * proxy-authorization (the credentials for a proxy, sent on its CONNECT streams, never
 * appear in a trace, as in -v), else the value. */
struct span trace_field_value(const struct hpack_field *fl);

/* trace_text.c */
void trace_text_frame(FILE *out, const struct trace_frame_view *v);
void trace_text_bad_frame(FILE *out, double ms, unsigned conn, const char *hop,
                          const struct h2f_header *hdr, const char *why);
/* trace_text_hexdump - `len` octets at `p`; those with `mask[i]` set (`mask` NULL: none)
 * shown as '*'. */
void trace_text_hexdump(FILE *out, const uint8_t *p, size_t len, const uint8_t *mask);
void trace_text_windows(FILE *out, uint32_t sid, const struct h2c_windows *w);
/* trace_text_flags - `flags` of a frame of `type` by name, space-separated ("" if none),
 * unknown bits as 0xNN; into `buf` (`cap` >= 64), returned. */
const char *trace_text_flags(char *buf, size_t cap, uint8_t type, uint8_t flags);
/* trace_text_type - the frame type's name, or "UNKNOWN_0xNN" into `buf` (`cap` >= 16). */
const char *trace_text_type(char *buf, size_t cap, uint8_t type);
/* trace_text_repr - "indexed", "inc-index", "no-index" or "never-index". */
const char *trace_text_repr(uint8_t repr);

/* trace_ws.c: one WebSocket frame of --frames (man/h2get.1, "WebSocket frames"). */
struct trace_ws_view {
    double ms;
    unsigned conn;
    uint32_t sid;
    bool sent;
    bool color;
    const struct ws_head *h;
    const uint8_t *p; /* the unmasked payload, or what has arrived of it */
    size_t n;
};
void trace_text_ws(FILE *out, const struct trace_ws_view *v);

/* trace_json.c: each --trace-json line is built in a struct trace_jl with the JSON writer
 * of base/json.h and written with one fwrite. */
struct trace_jl {
    struct buf b; /* no cap of its own: a line renders one frame or event, which the
                   * connection's limits bound; xalloc exits on OOM */
    bool first;   /* no member yet in the innermost object */
    int rv;       /* the first writer error, 0 if none */
};
/* trace_jl_begin - start `{"t":<ms>,"conn":<conn>,"ev":"<ev>"` in `j` (uninitialised). */
void trace_jl_begin(struct trace_jl *j, double ms, unsigned conn, const char *ev);
/* trace_jl_key - `,"key":` (a comma unless the first member of its object). */
void trace_jl_key(struct trace_jl *j, const char *key);
/* One member each: a string (escaped by json_str), an integer, true/false, a time in ms
 * with 3 decimals. */
void trace_jl_str(struct trace_jl *j, const char *key, struct span s);
void trace_jl_u64(struct trace_jl *j, const char *key, uint64_t v);
void trace_jl_i64(struct trace_jl *j, const char *key, int64_t v);
void trace_jl_bool(struct trace_jl *j, const char *key, bool v);
void trace_jl_ms(struct trace_jl *j, const char *key, double ms);
/* trace_jl_raw - append `s` as it is (brackets, braces, commas). */
void trace_jl_raw(struct trace_jl *j, const char *s);
/* trace_jl_end - close the object, write the line to `out` with one fwrite and release
 * `j`. A line the writer could not build is not written half: an error says so. */
void trace_jl_end(struct trace_jl *j, FILE *out);
void trace_json_frame(FILE *out, const struct trace_frame_view *v);
void trace_json_windows(FILE *out, double ms, unsigned conn, uint32_t sid,
                        const struct h2c_windows *w);

/* One URL's timeline for --stats and --waterfall (ms since the run started, 0: never). */
struct trace_srec {
    size_t urlnum;
    unsigned conn;
    uint32_t sid;
    double queued, sent, headers, first_data, done;
    int status;
    uint64_t bytes;
    unsigned retries;
    bool failed;
    bool rst;       /* ended by RST_STREAM (either side) */
    bool rst_local; /* ... that we sent */
    uint32_t rst_code;
    bool goaway; /* ended by the server's GOAWAY */
    uint32_t goaway_code;
};

/* One PING we sent (--ping), told by trace_h2_ping. */
struct trace_ping {
    uint8_t opaque[8];
    double sent; /* ms */
    double rtt;  /* ms; 0 until the ACK */
};

/* One connection's facts for --stats, and its per-connection view state. */
struct trace_crec {
    struct trace *t; /* back pointer: a crec is the frame observer's `ud` */
    unsigned id;
    bool h2;
    const struct h2c_conn *h2c;
    const char *hop; /* "proxy", "tunnel" (TRACE_CONN_PROXY, _TUNNEL) or NULL; static */
    /* what we announced (trace_h2_conn), for --check */
    bool push_allowed;       /* --settings ENABLE_PUSH=1 */
    uint32_t max_frame_size; /* our SETTINGS_MAX_FRAME_SIZE */
    double start, resolved, connected, tls, proto, settings_sent, settings_ack, closed;
    char alpn[16];
    struct trace_ping *pings; /* by number; owned */
    size_t npings;
    unsigned pongs;
    bool goaway_rx;
    uint32_t goaway_code;
    unsigned violations; /* --check lines for this connection */
    bool ack_reported;
    /* our own header blocks, decoded with a shadow of the peer's decoder */
    struct hpack_decoder shadow;
    bool shadow_ready;
    struct buf sent_block;
    struct hpack_list sent_list;
    /* --windows: a line is owed for stream `win_sid` once the frame has been processed */
    bool win_pending;
    uint32_t win_sid;
    /* stall tracking: since when a window has been <= 0 (0: open) */
    double stall_conn_send, stall_conn_recv;
    uint32_t stall_sid;
    double stall_stream_send, stall_stream_recv;
};

/* HPACK totals per direction (--hpack). */
struct trace_hpack_total {
    unsigned blocks;
    uint64_t wire, decoded;
};

struct trace {
    struct trace_opts o;
    bool any;     /* some view or check is on */
    bool frames;  /* --frames / -vv */
    bool hpack;   /* --hpack / -vvv */
    bool windows; /* --windows / -vvv */
    bool hexdump; /* --hexdump */
    bool check;   /* --check / --strict */
    bool strict;
    bool stats;     /* --stats / --waterfall */
    bool frame_obs; /* the frame observer is needed */
    bool color;
    FILE *text; /* frames, hpack, windows, hexdump */
    bool text_owned;
    FILE *json;
    bool json_owned;
    FILE *report;              /* --ping, --check, --stats and --waterfall lines: stderr */
    uint64_t (*clock)(void);   /* clock_us; unit tests put their own */
    double t0;                 /* ms by `clock` at trace_new */
    struct trace_crec **conns; /* by connection id; each allocated on first sight */
    size_t nconns;
    struct trace_srec *streams;
    size_t nstreams;
    struct trace_hpack_total hp_sent, hp_recv;
    unsigned violations;
    unsigned cur_conn;    /* the connection of the frame observer's current call */
    struct span *secrets; /* trace_secret's, owned copies, for --hexdump to mask */
    size_t nsecrets;
};

/* trace.c */
double trace_now(const struct trace *t);
/* trace_secret_mask - which of the `len` octets at `p` belong to an occurrence of a secret
 * (one flag octet each, caller frees), or NULL when none does. */
uint8_t *trace_secret_mask(const struct trace *t, const uint8_t *p, size_t len);
struct trace_crec *trace_crec(struct trace *t, unsigned conn);

/* trace_stats.c */
struct trace_srec *trace_srec(struct trace *t, unsigned conn, uint32_t sid, size_t urlnum);
void trace_stats_event(struct trace *t, unsigned conn, const struct h2c_event *ev);
void trace_stats_print(struct trace *t, FILE *out);
void trace_waterfall_print(struct trace *t, FILE *out, unsigned width);

/* trace_check.c */
/* trace_check_report - print `check: <rule>: <what>` (what ends with its RFC section). */
void trace_check_report(struct trace *t, unsigned conn, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void trace_check_frame(struct trace *t, unsigned conn, const struct h2f_frame *f);
void trace_check_bad_frame(struct trace *t, unsigned conn, const struct h2f_header *hdr,
                           const struct h2e_info *info);
void trace_check_event(struct trace *t, unsigned conn, const struct h2c_event *ev);
void trace_check_sent(struct trace *t, unsigned conn, const struct h2f_frame *f);
void trace_check_closed(struct trace *t, unsigned conn);

#endif
