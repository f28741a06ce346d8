/* SPDX-License-Identifier: MIT */
/*
 * What the WebSocket console does with messages, per channel (one URL): stdin lines (or,
 * with --ws-binary, each read) sent to every open channel, every message received written
 * to stdout whole (text followed by a newline), the server's Close judged (1000 ends well,
 * anything else is exit 126), and each channel's failure said once, naming its URL when
 * the run has several.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sys/clock.h"
#include "sys/diag.h"
#include "sys/xalloc.h"
#include "vlog.h"
#include "ws_int.h"

int ws_chan_fail(struct ws_chan *ch, int code, const char *fmt, ...)
{
    va_list ap;
    char *d;

    if (ch->result)
        return ch->result;
    ch->result = code;
    if (ch->s->said) /* the run failed as a whole: that line says it */
        return code;
    va_start(ap, fmt);
    d = xvasprintf(fmt, ap);
    va_end(ap);
    if (ch->s->nch > 1)
        diag_error(code, "'%s': %s", ch->arg, d);
    else
        diag_error(code, "%s", d);
    free(d);
    return code;
}

/* One received message to its output (-o FILE or stdout): text with a newline after it,
 * binary as it is. Stdout may take part of it now and the rest later (ws_out.c). */
static int write_message(struct ws_chan *ch, const struct ws_event *ev)
{
    struct ws_sess *s = ch->s;
    struct out_sink *o = ch->file;

    if (!o)
        return ws_out_message(ch, ev);
    if ((ev->data.len && out_write(o, ev->data.p, ev->data.len) != 0) ||
        (ev->opcode == WS_OP_TEXT && out_write(o, "\n", 1) != 0) || out_flush(o) != 0)
        return ws_fail(s, H2E_WRITE, "%s", o->detail);
    return 0;
}

/* The server's Close: 1000 (or no code) ends well, anything else is 126 with its reason. */
static int peer_close(struct ws_chan *ch, const struct ws_event *ev)
{
    vlog(&ch->s->cl, "WebSocket Close from the server: %u %.*s", ev->code, (int)ev->reason.len,
         (const char *)ev->reason.p);
    if (ev->code == WS_CLOSE_NORMAL || ev->code == WS_CLOSE_NO_STATUS)
        return 0;
    return ws_chan_fail(ch, H2E_WS_CLOSED, "the server closed the WebSocket with %u%s%.*s%s",
                        ev->code, ev->reason.len ? " '" : "", (int)ev->reason.len,
                        (const char *)ev->reason.p, ev->reason.len ? "'" : "");
}

int ws_drain(struct ws_chan *ch)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct ws_event ev;
    int rv = 0;

    /* a message received whole is written even when the channel failed after it */
    if (ch->held && ws_out_resume(ch) != 0)
        return ch->s->result;
    if (ch->result)
        return ch->result;
    while (!ch->held && (rv = ws_ep_next(&ch->ep, &ev, &info)) == 1) {
        if (ev.type == WS_EV_MESSAGE && write_message(ch, &ev) != 0)
            return ch->s->result;
        if (ev.type == WS_EV_CLOSE && peer_close(ch, &ev) != 0)
            return ch->result;
    }
    if (rv < 0)
        return ws_chan_fail(ch, rv, "%s; sent Close %u", info.why ? info.why : h2e_str(rv),
                            ws_ep_close_code(rv));
    return 0;
}

/* Send one message read from stdin on every channel that can still send. */
static int send_msg(struct ws_sess *s, uint8_t op, const uint8_t *p, size_t n)
{
    size_t i;
    int rv;

    for (i = 0; i < s->nch; i++) {
        struct ws_chan *ch = &s->ch[i];
        if (ch->result || ch->ep.close_sent)
            continue;
        rv = ws_ep_send(&ch->ep, op, p, n);
        if (rv == H2E_USAGE && op == WS_OP_TEXT)
            return ws_fail(s, H2E_READ, "a stdin line is not UTF-8 text (use --ws-binary)");
        if (rv < 0)
            return ws_fail(s, rv, "cannot queue a message of %zu bytes", n);
    }
    return 0;
}

/* Whole lines of `s->line` become text messages; at EOF the rest does too. */
static int send_lines(struct ws_sess *s, bool eof)
{
    uint8_t *p = s->line.p, *nl;
    size_t left = s->line.len;

    while (left && (nl = memchr(p, '\n', left)) != NULL) {
        if (send_msg(s, WS_OP_TEXT, p, (size_t)(nl - p)) != 0)
            return s->result;
        left -= (size_t)(nl - p) + 1;
        p = nl + 1;
    }
    if (eof && left && send_msg(s, WS_OP_TEXT, p, left) != 0)
        return s->result;
    buf_consume(&s->line, s->line.len - (eof ? 0 : left));
    if (eof)
        buf_reset(&s->line);
    return 0;
}

/* Stdin ended: Close 1000 on every channel, and the server's must come within the stall
 * timeout (10 s without one). */
static void start_close(struct ws_sess *s)
{
    uint64_t wait = s->cfg->net.stall_timeout_ms ? s->cfg->net.stall_timeout_ms : 10000;
    size_t i;

    s->stdin_open = false;
    for (i = 0; i < s->nch; i++)
        ws_ep_close(&s->ch[i].ep, WS_CLOSE_NORMAL, span_of(NULL, 0));
    s->close_wait = wait;
    s->close_deadline = clock_ms() + wait;
}

int ws_read_stdin(struct ws_sess *s)
{
    struct span d;

    pipe_in_fill(&s->in);
    d = pipe_in_data(&s->in);
    if (d.len && s->cfg->req.ws_binary && send_msg(s, WS_OP_BINARY, d.p, d.len) != 0)
        return s->result;
    if (d.len && !s->cfg->req.ws_binary) {
        if (buf_append(&s->line, d.p, d.len) != 0)
            return ws_fail(s, H2E_READ, "a stdin line is longer than 16 MiB");
        if (send_lines(s, false) != 0)
            return s->result;
    }
    pipe_in_consume(&s->in, d.len);
    if (s->in.err)
        return ws_fail(s, H2E_READ, "cannot read stdin: %s", strerror(s->in.err));
    if (!pipe_in_done(&s->in))
        return 0;
    if (!s->cfg->req.ws_binary && send_lines(s, true) != 0)
        return s->result;
    start_close(s);
    return 0;
}

int ws_chan_open_output(struct ws_chan *ch, const struct cli_url *cu)
{
    const struct config *cfg = ch->s->cfg;

    if (!cu->output || strcmp(cu->output, "-") == 0)
        return 0;
    ch->file = xcalloc(1, sizeof(*ch->file));
    if (out_open_file(ch->file, cu->output, cfg->out.create_dirs, cfg->out.no_buffer) == 0)
        return 0;
    ws_fail(ch->s, H2E_WRITE, "%s", ch->file->detail);
    free(ch->file);
    ch->file = NULL;
    return H2E_WRITE;
}

void ws_chan_close_output(struct ws_chan *ch, bool ok)
{
    if (!ch->file)
        return;
    /* a file looks complete only after a normal close (PROMISES.md "Partial downloads") */
    if (ok && out_commit(ch->file) != 0 && !ch->result)
        ws_chan_fail(ch, H2E_WRITE, "%s", ch->file->detail);
    else if (!ok)
        out_abort(ch->file, ch->s->cfg->out.keep_partial);
    free(ch->file);
    ch->file = NULL;
}
