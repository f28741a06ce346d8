/* SPDX-License-Identifier: MIT */
/*
 * --check and --strict: server violations seen during a normal fetch, one line each,
 * `check: <rule>: <what was seen> (RFC section)` (CLI.md item 9): malformed responses by
 * msg.c's rule ids (RFC 9113 §8.1-§8.3), DATA beyond the windows we advertised (§6.9.1),
 * frames on closed or idle streams (§5.1), a late or missing SETTINGS ACK (§6.5.3),
 * PUSH_PROMISE with push disabled (§8.4), frames over our MAX_FRAME_SIZE (§4.2), and any
 * other error the connection had to answer with RST_STREAM or GOAWAY. Observes only.
 */
#include <stdarg.h>
#include <stdlib.h>

#include "sys/diag.h"
#include "base/h2.h"
#include "base/limits.h"
#include "sys/xalloc.h"
#include "trace_int.h"

void trace_check_report(struct trace *t, unsigned conn, const char *rule, const char *fmt, ...)
{
    char *what;
    va_list ap;

    va_start(ap, fmt);
    what = xvasprintf(fmt, ap); /* whole: a server's field name may be long */
    va_end(ap);
    t->violations++;
    trace_crec(t, conn)->violations++;
    fprintf(t->report, "%scheck: %s: %s%s\n", t->color ? "\033[31m" : "", rule, what,
            t->color ? "\033[0m" : "");
    if (t->json) {
        struct trace_jl j;
        trace_jl_begin(&j, trace_now(t), conn, "check");
        trace_jl_str(&j, "rule", span_str(rule));
        trace_jl_str(&j, "what", span_str(what));
        trace_jl_end(&j, t->json);
    }
    free(what);
}

static void check_ack_late(struct trace *t, struct trace_crec *cr, double ms)
{
    if (cr->ack_reported || cr->settings_ack > 0 || cr->settings_sent <= 0 ||
        ms - cr->settings_sent <= LIMIT_SETTINGS_ACK_MS)
        return;
    cr->ack_reported = true;
    trace_check_report(t, cr->id, "settings-ack-timeout",
                       "no SETTINGS ACK %.0f ms after our SETTINGS (RFC 9113 §6.5.3)",
                       ms - cr->settings_sent);
}

/* §6.9.1: the sender must not exceed either window we advertised. */
static void check_window(struct trace *t, struct trace_crec *cr, const struct h2f_frame *f)
{
    struct h2c_windows w;

    h2c_windows(cr->h2c, f->hdr.stream_id, &w);
    if ((int64_t)f->hdr.length > w.conn_recv)
        trace_check_report(t, cr->id, "data-beyond-window",
                           "DATA of %u octets on stream %u, %lld left in the connection window "
                           "(RFC 9113 §6.9.1)",
                           f->hdr.length, f->hdr.stream_id, (long long)w.conn_recv);
    else if (w.stream_open && (int64_t)f->hdr.length > w.stream_recv)
        trace_check_report(t, cr->id, "data-beyond-window",
                           "DATA of %u octets on stream %u, %lld left in its window "
                           "(RFC 9113 §6.9.1)",
                           f->hdr.length, f->hdr.stream_id, (long long)w.stream_recv);
}

/* §5.1: after END_STREAM from the server only WINDOW_UPDATE, PRIORITY and RST_STREAM may
 * come; on a stream closed by END_STREAM both ways only PRIORITY; idle streams get none. */
static void check_stream_state(struct trace *t, struct trace_crec *cr, const struct h2f_frame *f)
{
    char tb[16];
    uint8_t ty = f->hdr.type;
    enum h2c_stream_status st;

    if (!f->hdr.stream_id || ty == H2F_TYPE_PRIORITY || ty == H2F_TYPE_HEADERS ||
        ty == H2F_TYPE_CONTINUATION)
        return;
    st = h2c_stream_status(cr->h2c, f->hdr.stream_id);
    if (st == H2C_SS_IDLE)
        trace_check_report(t, cr->id, "frame-on-idle-stream",
                           "%s on stream %u, which we never opened (RFC 9113 §5.1)",
                           trace_text_type(tb, sizeof(tb), ty), f->hdr.stream_id);
    else if (st == H2C_SS_CLOSED || (st == H2C_SS_HALF_CLOSED_REMOTE &&
                                     ty != H2F_TYPE_WINDOW_UPDATE && ty != H2F_TYPE_RST_STREAM))
        trace_check_report(t, cr->id, "frame-on-closed-stream",
                           "%s on stream %u after the server's END_STREAM (RFC 9113 §5.1)",
                           trace_text_type(tb, sizeof(tb), ty), f->hdr.stream_id);
}

void trace_check_frame(struct trace *t, unsigned conn, const struct h2f_frame *f)
{
    struct trace_crec *cr = trace_crec(t, conn);

    check_ack_late(t, cr, trace_now(t));
    if (!cr->h2c)
        return;
    if (f->hdr.type == H2F_TYPE_PUSH_PROMISE && !cr->push_allowed)
        trace_check_report(t, conn, "push-promise",
                           "PUSH_PROMISE on stream %u although we sent ENABLE_PUSH=0 "
                           "(RFC 9113 §8.4)",
                           f->hdr.stream_id);
    if (f->hdr.type == H2F_TYPE_DATA)
        check_window(t, cr, f);
    check_stream_state(t, cr, f);
}

void trace_check_bad_frame(struct trace *t, unsigned conn, const struct h2f_header *hdr,
                           const struct h2e_info *info)
{
    uint32_t max = trace_crec(t, conn)->max_frame_size;
    char tb[16];

    if (info->code == H2E_FRAME_SIZE && hdr->length > max)
        trace_check_report(t, conn, "oversize-frame",
                           "%s of %u octets on stream %u, our SETTINGS_MAX_FRAME_SIZE is %u "
                           "(RFC 9113 §4.2)",
                           trace_text_type(tb, sizeof(tb), hdr->type), hdr->length, hdr->stream_id,
                           max);
    else
        trace_check_report(t, conn, "bad-frame", "%s on stream %u: %s",
                           trace_text_type(tb, sizeof(tb), hdr->type), hdr->stream_id,
                           info->why ? info->why : h2e_str(info->code));
}

void trace_check_event(struct trace *t, unsigned conn, const struct h2c_event *ev)
{
    struct trace_crec *cr = trace_crec(t, conn);
    char field[DIAG_ESCAPE_CAP];

    check_ack_late(t, cr, trace_now(t));
    if (ev->type != H2C_EV_RESET || !ev->local || h2e_is_fatal(ev->code))
        return;
    if (ev->rule && ev->field.len)
        trace_check_report(t, conn, ev->rule, "field '%s' on stream %u: %s",
                           diag_escape(field, sizeof(field), ev->field), ev->stream_id,
                           ev->why ? ev->why : h2e_str(ev->code));
    else if (ev->rule)
        trace_check_report(t, conn, ev->rule, "stream %u: %s", ev->stream_id,
                           ev->why ? ev->why : h2e_str(ev->code));
    else if (!cr->violations)
        trace_check_report(t, conn, "stream-error", "stream %u: %s", ev->stream_id,
                           ev->why ? ev->why : h2e_str(ev->code));
}

/* Our GOAWAY with an error code answers a server violation; name it unless a more precise
 * rule already did. */
void trace_check_sent(struct trace *t, unsigned conn, const struct h2f_frame *f)
{
    struct trace_crec *cr = trace_crec(t, conn);
    const struct span d = f->u.goaway.debug;

    if (f->hdr.type != H2F_TYPE_GOAWAY || f->u.goaway.error_code == H2_NO_ERROR || cr->violations)
        return;
    /* HEADERS are seen only after they were processed, so a HEADERS on a stream the server
     * had ended shows up here, as the STREAM_CLOSED connection error it caused (§5.1) */
    if (f->u.goaway.error_code == H2_STREAM_CLOSED) {
        trace_check_report(t, conn, "frame-on-closed-stream", "%.*s", (int)d.len,
                           (const char *)d.p);
        return;
    }
    /* the debug text is ours (conn.c's why), printed as written: UTF-8 section signs */
    trace_check_report(t, conn, "connection-error", "we sent GOAWAY(%s): %.*s",
                       h2_wire_error_name(f->u.goaway.error_code)
                           ? h2_wire_error_name(f->u.goaway.error_code)
                           : "UNKNOWN",
                       (int)d.len, (const char *)d.p);
}

void trace_check_closed(struct trace *t, unsigned conn)
{
    struct trace_crec *cr = trace_crec(t, conn);

    check_ack_late(t, cr, trace_now(t));
    if (cr->ack_reported || cr->settings_ack > 0 || cr->settings_sent <= 0 || !cr->h2)
        return;
    cr->ack_reported = true;
    trace_check_report(t, conn, "settings-ack-missing",
                       "connection closed %.0f ms after our SETTINGS without a SETTINGS ACK "
                       "(RFC 9113 §6.5.3)",
                       trace_now(t) - cr->settings_sent);
}
