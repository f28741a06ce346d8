/* SPDX-License-Identifier: MIT */
/*
 * The WebSocket endpoint: frames in, messages and the peer's Close out, Pong and Close
 * replies queued. Data frame payloads are taken as they arrive (a big frame never waits
 * whole in the input buffer); control frame payloads (at most 125 bytes) are taken whole.
 */
#include "ws_ep.h"

#include "base/limits.h"

void ws_ep_init(struct ws_ep *ep, const struct ws_ep_cfg *cfg, const struct mem *mem)
{
    size_t max;

    ep->cfg = *cfg;
    if (ep->cfg.max_message == 0)
        ep->cfg.max_message = LIMIT_WS_MESSAGE;
    max = ep->cfg.max_message + WS_HEAD_MAX;
    buf_init(&ep->in, mem, max);
    buf_init(&ep->msg, mem, ep->cfg.max_message);
    /* what we send is bounded by what we read (our own messages), plus the replies */
    buf_init(&ep->out, mem, LIMIT_WS_MESSAGE + 4 * (WS_HEAD_MAX + WS_CONTROL_MAX));
    ep->got = 0;
    ep->in_frame = ep->msg_done = false;
    ep->msg_op = 0;
    ws_utf8_init(&ep->utf8);
    ep->close_sent = ep->close_rcvd = false;
    ep->failed = 0;
}

void ws_ep_release(struct ws_ep *ep)
{
    buf_release(&ep->in);
    buf_release(&ep->msg);
    buf_release(&ep->out);
}

int ws_ep_feed(struct ws_ep *ep, const uint8_t *p, size_t n)
{
    if (ep->close_rcvd || ep->failed)
        return 0; /* RFC 6455 §5.5.1: nothing follows a Close */
    return buf_append(&ep->in, p, n);
}

unsigned ws_ep_close_code(int err)
{
    switch (err) {
    case H2E_WS_UTF8:
        return WS_CLOSE_BAD_DATA;
    case H2E_WS_TOO_BIG:
        return WS_CLOSE_TOO_BIG;
    case H2E_WS_PROTOCOL:
        return WS_CLOSE_PROTOCOL;
    default:
        return 1011; /* §7.4.1: internal error */
    }
}

/* Queue one frame we send, masked with a fresh key, and show it to the observer. */
static int emit(struct ws_ep *ep, uint8_t op, const uint8_t *p, size_t n)
{
    uint8_t key[4];
    struct ws_head h;
    size_t before = ep->out.len;
    int rv;

    ep->cfg.mask_key(ep->cfg.ctx, key);
    rv = ws_encode(&ep->out, true, op, p, n, key);
    if (rv < 0 || !ep->cfg.on_frame)
        return rv;
    if (ws_parse_head(ep->out.p + before, ep->out.len - before, WS_FROM_CLIENT, &h, NULL) > 0)
        ep->cfg.on_frame(ep->cfg.ctx, true, &h, p, n);
    return 0;
}

int ws_ep_close(struct ws_ep *ep, unsigned code, struct span reason)
{
    uint8_t pl[WS_CONTROL_MAX];
    size_t n;
    int rv;

    if (ep->close_sent)
        return 0;
    n = ws_close_payload(pl, code, reason);
    rv = emit(ep, WS_OP_CLOSE, pl, n);
    if (rv == 0)
        ep->close_sent = true;
    return rv;
}

int ws_ep_send(struct ws_ep *ep, uint8_t op, const uint8_t *p, size_t n)
{
    struct ws_utf8 u;

    if (ep->close_sent)
        return H2E_USAGE;
    if (op == WS_OP_TEXT) {
        ws_utf8_init(&u);
        /* RFC 6455 §5.6: text frames carry UTF-8 */
        if (!ws_utf8_feed(&u, p, n) || !ws_utf8_done(&u))
            return H2E_USAGE;
    }
    if (ws_op_is_control(op) && n > WS_CONTROL_MAX)
        return H2E_USAGE;
    return emit(ep, op, p, n);
}

/* A protocol error: remember it, queue the Close that names it, return it. */
static int fail(struct ws_ep *ep, int err, struct h2e_info *info, const char *why)
{
    if (why)
        h2e_set(info, err, 0, why);
    ep->failed = err;
    ws_ep_close(ep, ws_ep_close_code(err), span_str(info && info->why ? info->why : ""));
    return err;
}

/* A data frame header: the fragment rules of §5.4 and the message size cap. */
static int start_data(struct ws_ep *ep, struct h2e_info *info)
{
    const struct ws_head *h = &ep->cur;

    if (h->opcode == WS_OP_CONT && ep->msg_op == 0)
        return fail(ep, H2E_WS_PROTOCOL, info,
                    "continuation frame without a message (RFC 6455 §5.4)");
    if (h->opcode != WS_OP_CONT && ep->msg_op != 0)
        return fail(ep, H2E_WS_PROTOCOL, info,
                    "new message inside a fragmented one (RFC 6455 §5.4)");
    if (h->len > ep->cfg.max_message - ep->msg.len)
        return fail(ep, H2E_WS_TOO_BIG, info, "message over the 16 MiB limit (RFC 6455 §7.4.1)");
    if (h->opcode != WS_OP_CONT) {
        ep->msg_op = h->opcode;
        ws_utf8_init(&ep->utf8);
    }
    return 0;
}

/* Take what has arrived of the current data frame's payload; 1 when the message is whole. */
static int take_data(struct ws_ep *ep, struct ws_event *ev, struct h2e_info *info)
{
    size_t n = ep->in.len;
    uint8_t *dst;
    int rv;

    if (n > ep->cur.len - ep->got)
        n = (size_t)(ep->cur.len - ep->got);
    rv = buf_append(&ep->msg, ep->in.p, n);
    if (rv < 0)
        return fail(ep, rv, info, "no memory for the message");
    dst = ep->msg.p ? ep->msg.p + ep->msg.len - n : NULL;
    if (ep->cfg.on_frame && ep->got == 0)
        ep->cfg.on_frame(ep->cfg.ctx, false, &ep->cur, dst, n);
    buf_consume(&ep->in, n);
    ep->got += n;
    if (ep->msg_op == WS_OP_TEXT && !ws_utf8_feed(&ep->utf8, dst, n))
        return fail(ep, H2E_WS_UTF8, info, "invalid UTF-8 in a text message (RFC 6455 §8.1)");
    if (ep->got < ep->cur.len)
        return 0;
    ep->in_frame = false;
    if (!ep->cur.fin)
        return 0;
    if (ep->msg_op == WS_OP_TEXT && !ws_utf8_done(&ep->utf8))
        return fail(ep, H2E_WS_UTF8, info,
                    "text message ends inside a UTF-8 character (RFC 6455 §8.1)");
    ev->type = WS_EV_MESSAGE;
    ev->opcode = ep->msg_op;
    ev->data = buf_span(&ep->msg);
    ep->msg_done = true;
    return 1;
}

/* A whole control frame at the front of `in`: answer Ping, report Close. */
static int control(struct ws_ep *ep, struct ws_event *ev, struct h2e_info *info)
{
    const uint8_t *p = ep->in.p;
    size_t n = (size_t)ep->cur.len;
    int rv = 0;

    if (ep->cfg.on_frame)
        ep->cfg.on_frame(ep->cfg.ctx, false, &ep->cur, p, n);
    ep->in_frame = false;
    if (ep->cur.opcode == WS_OP_PING) {
        /* §5.5.2: a Pong with the same payload, unless our Close is out */
        if (!ep->close_sent)
            rv = emit(ep, WS_OP_PONG, p, n);
        buf_consume(&ep->in, n);
        return rv < 0 ? fail(ep, rv, info, "no memory for the Pong") : 0;
    }
    if (ep->cur.opcode == WS_OP_PONG) {
        buf_consume(&ep->in, n);
        return 0;
    }
    rv = ws_parse_close(p, n, &ev->code, &ev->reason, info);
    if (rv < 0)
        return fail(ep, rv, info, NULL);
    ep->close_rcvd = true;
    /* §5.5.1: echo the status code in our Close */
    rv = ws_ep_close(ep, ev->code == WS_CLOSE_NO_STATUS ? 0 : ev->code, span_of(NULL, 0));
    if (rv < 0)
        return fail(ep, rv, info, "no memory for the Close");
    ev->type = WS_EV_CLOSE;
    ev->opcode = WS_OP_CLOSE;
    ev->data = span_of(p, n);
    ep->in.len = 0; /* ignored from here on; `p` stays valid until the next call */
    return 1;
}

/* One step: parse a header, or take payload. 1 event, 0 need more, 2 go on, <0 error. */
static int step(struct ws_ep *ep, struct ws_event *ev, struct h2e_info *info)
{
    int rv;

    if (!ep->in_frame) {
        rv = ws_parse_head(ep->in.p, ep->in.len, WS_FROM_SERVER, &ep->cur, info);
        if (rv == H2E_INCOMPLETE)
            return 0;
        if (rv < 0)
            return fail(ep, rv, info, NULL);
        if (!ws_op_is_control(ep->cur.opcode) && (rv = start_data(ep, info)) < 0)
            return rv;
        buf_consume(&ep->in, ep->cur.head_len);
        ep->in_frame = true;
        ep->got = 0;
        if (!ws_op_is_control(ep->cur.opcode) && ep->cur.len == 0)
            return take_data(ep, ev, info) == 1 ? 1 : 2;
        return 2;
    }
    if (ws_op_is_control(ep->cur.opcode))
        return ep->in.len < ep->cur.len ? 0 : control(ep, ev, info) == 1 ? 1 : 2;
    if (ep->in.len == 0)
        return 0;
    rv = take_data(ep, ev, info);
    return rv < 0 ? rv : rv == 1 ? 1 : 2;
}

int ws_ep_next(struct ws_ep *ep, struct ws_event *ev, struct h2e_info *info)
{
    int rv;

    if (ep->failed)
        return ep->failed;
    if (ep->msg_done) {
        buf_reset(&ep->msg);
        ep->msg_done = false;
        ep->msg_op = 0;
    }
    if (ep->close_rcvd)
        return 0;
    do {
        rv = step(ep, ev, info);
        if (ep->failed)
            return ep->failed;
    } while (rv == 2);
    return rv;
}
