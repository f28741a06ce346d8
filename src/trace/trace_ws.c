/* SPDX-License-Identifier: MIT */
/*
 * --frames for WebSocket (RFC 6455 §5.2): one line per frame inside a connection's bytes
 * (HTTP/1.1 after the Upgrade) or a stream's DATA (RFC 8441), in the style of the HTTP/2
 * frame lines, then the Close code and reason, or the start of a text, Ping or Pong
 * payload, escaped. Binary payloads are not shown. Observes only.
 */
#include <inttypes.h>

#include "sys/diag.h"
#include "trace_int.h"

/* Payload bytes shown after a frame line: enough to recognise a message. */
#define TRACE_WS_PREVIEW 64u

/* The line under a frame: a Close's code and reason, or the start of a text, Ping or Pong. */
static void payload_line(FILE *out, const struct ws_head *h, const uint8_t *p, size_t n)
{
    char esc[DIAG_ESCAPE_CAP];
    size_t k = n < TRACE_WS_PREVIEW ? n : TRACE_WS_PREVIEW;

    if (h->opcode == WS_OP_CLOSE && n >= 2) {
        fprintf(out, "    code=%u reason='%s'\n", (unsigned)p[0] << 8 | p[1],
                diag_escape(esc, sizeof(esc), span_of(p + 2, n - 2)));
        return;
    }
    if (h->opcode == WS_OP_BINARY || h->opcode == WS_OP_CLOSE || !p || n == 0)
        return;
    fprintf(out, "    data='%s'%s\n", diag_escape(esc, sizeof(esc), span_of(p, k)),
            n > k || n < h->len ? "..." : "");
}

void trace_text_ws(FILE *out, const struct trace_ws_view *v)
{
    const struct ws_head *h = v->h;
    const char *on = !v->color ? "" : v->sent ? "\033[36m" : "\033[35m";

    fprintf(out, "+%.3fms ", v->ms);
    if (v->conn)
        fprintf(out, "#%u ", v->conn);
    fprintf(out, "%s%c WS %s%s s=%" PRIu32 " len=%" PRIu64 "%s%s\n", on, v->sent ? '>' : '<',
            ws_op_name(h->opcode), v->color ? "\033[0m" : "", v->sid, h->len, h->fin ? " fin" : "",
            h->masked ? " masked" : "");
    payload_line(out, h, v->p, v->n);
}

void trace_ws_frame(struct trace *t, unsigned conn, uint32_t sid, bool sent,
                    const struct ws_head *h, const uint8_t *p, size_t n)
{
    struct trace_ws_view v = {trace_now(t), conn, sid, sent, t->color, h, p, n};

    if (t->frames && t->text)
        trace_text_ws(t->text, &v);
}
