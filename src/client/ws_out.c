/* SPDX-License-Identifier: MIT */
/*
 * The WebSocket console's standard output: messages go out through a non-blocking pipe
 * (pipe.h) of WS_STDOUT_CAP bytes, so a slow reader never stops the poll() loop. A message
 * stdout cannot take whole now is held by its channel (the endpoint keeps it) and written
 * on as stdout drains; a channel that holds one parses nothing more, so the transport stops
 * reading it: over HTTP/2 its stream gets no window back (ws_h2.c), over HTTP/1.1 the
 * connection is not read (ws_run.c). Stdin, Pings and the other URLs go on meanwhile. One
 * message is written at a time: another channel's waits until the held one is out whole.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "sys/clock.h"
#include "ws_int.h"

void ws_out_init(struct ws_sess *s)
{
    size_t i;

    for (i = 0; i < s->nch; i++)
        if (!s->ch[i].file) {
            pipe_out_init(&s->so, STDOUT_FILENO, WS_STDOUT_CAP);
            s->so_on = true;
            return;
        }
}

static int write_failed(struct ws_sess *s)
{
    return ws_fail(s, H2E_WRITE, "cannot write to stdout: %s", strerror(s->so.err));
}

int ws_out_resume(struct ws_chan *ch)
{
    static const uint8_t nl = '\n';
    struct ws_sess *s = ch->s;

    if (!ch->held || (s->so_mid && s->so_mid != ch)) /* another message is half out */
        return 0;
    s->so_mid = ch;
    while (ch->hold.len || ch->hold_nl) {
        size_t n = ch->hold.len ? ch->hold.len : 1;
        int64_t k = pipe_out_write(&s->so, ch->hold.len ? ch->hold.p : &nl, n);
        if (k < 0)
            return write_failed(s);
        if (k == 0)
            return 0; /* stdout is full: the rest waits */
        if (ch->hold.len)
            ch->hold = span_of(ch->hold.p + k, ch->hold.len - (size_t)k);
        else
            ch->hold_nl = false;
    }
    ch->held = false;
    s->so_mid = NULL;
    return 0;
}

int ws_out_message(struct ws_chan *ch, const struct ws_event *ev)
{
    ch->hold = ev->data;
    ch->hold_nl = ev->opcode == WS_OP_TEXT;
    ch->held = true;
    return ws_out_resume(ch);
}

int ws_out_step(struct ws_sess *s)
{
    size_t i;

    if (s->so_on && pipe_out_flush(&s->so) < 0)
        return write_failed(s);
    /* what stdout took may let a held message on, and the bytes behind it be parsed */
    for (i = 0; i < s->nch && !s->result; i++)
        if (!s->h2 || s->ch[i].h2_ok)
            ws_drain(&s->ch[i]);
    return s->result;
}

size_t ws_out_pending(const struct ws_sess *s)
{
    return s->so_on ? pipe_out_pending(&s->so) : 0;
}

size_t ws_out_pollfd(const struct ws_sess *s, struct pollfd *pfd)
{
    return s->so_on ? pipe_out_pollfd(&s->so, pfd) : 0;
}

void ws_out_finish(struct ws_sess *s)
{
    struct pollfd p;

    if (!s->so_on)
        return;
    /* what was received before the end is written, within -m */
    while (!s->so.err && pipe_out_pending(&s->so)) {
        uint64_t now = clock_ms();
        int t = 1000;
        if (s->deadline && now >= s->deadline) {
            ws_fail(s, H2E_TIMEOUT, "operation timed out after %llu ms (--max-time)",
                    (unsigned long long)s->cfg->net.max_time_ms);
            break;
        }
        if (s->deadline && s->deadline - now < 1000)
            t = (int)(s->deadline - now);
        if (pipe_out_pollfd(&s->so, &p) && poll(&p, 1, t) < 0 && errno != EINTR)
            break;
        if (pipe_out_flush(&s->so) < 0)
            write_failed(s);
    }
    pipe_out_release(&s->so);
    s->so_on = false;
}
