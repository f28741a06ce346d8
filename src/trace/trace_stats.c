/* SPDX-License-Identifier: MIT */
/*
 * --stats and --waterfall: one record per URL (queued, HEADERS sent, first response
 * HEADERS, first DATA, done; status, body bytes, retries, how it ended: RST_STREAM or
 * GOAWAY codes of RFC 9113 §7) and the connection timeline (resolve, connect, TLS, protocol,
 * SETTINGS ACK and PING round trips), printed as tables or as a text chart at the end.
 */
#include <string.h>

#include "base/h2.h"
#include "trace_int.h"
#include "sys/xalloc.h"

struct trace_srec *trace_srec(struct trace *t, unsigned conn, uint32_t sid, size_t urlnum)
{
    size_t i;

    (void)conn;
    (void)sid;
    for (i = 0; i < t->nstreams; i++)
        if (t->streams[i].urlnum == urlnum)
            return &t->streams[i];
    t->streams = xrealloc(t->streams, (t->nstreams + 1) * sizeof(*t->streams));
    memset(&t->streams[t->nstreams], 0, sizeof(*t->streams));
    t->streams[t->nstreams].urlnum = urlnum;
    return &t->streams[t->nstreams++];
}

static struct trace_srec *by_stream(struct trace *t, unsigned conn, uint32_t sid)
{
    size_t i;

    for (i = t->nstreams; i-- > 0;)
        if (t->streams[i].conn == conn && t->streams[i].sid == sid)
            return &t->streams[i];
    return NULL;
}

static int status_of(const struct hpack_list *l)
{
    size_t i;

    for (i = 0; i < l->count; i++) {
        struct span v = l->fields[i].value;
        if (span_eq_str(l->fields[i].name, ":status") && v.len == 3)
            return (v.p[0] - '0') * 100 + (v.p[1] - '0') * 10 + (v.p[2] - '0');
    }
    return 0;
}

void trace_stats_event(struct trace *t, unsigned conn, const struct h2c_event *ev)
{
    struct trace_srec *s = ev->stream_id ? by_stream(t, conn, ev->stream_id) : NULL;

    if (!s)
        return;
    if (ev->type == H2C_EV_HEADERS)
        s->status = status_of(ev->fields);
    else if (ev->type == H2C_EV_DATA)
        s->bytes += ev->data.len;
    else if (ev->type == H2C_EV_RESET && ev->code == H2E_PEER_GOAWAY) {
        s->goaway = true;
        s->goaway_code = ev->wire;
    } else if (ev->type == H2C_EV_RESET) {
        s->rst = true;
        s->rst_local = ev->local;
        s->rst_code = ev->wire;
    }
}

/* A time in ms, or "-" when it never happened. */
static void col(FILE *out, double v)
{
    if (v > 0)
        fprintf(out, " %10.3f", v);
    else
        fprintf(out, " %10s", "-");
}

static const char *ending(const struct trace_srec *s, char *buf, size_t cap)
{
    const char *n;

    if (s->rst || s->goaway) {
        n = h2_wire_error_name(s->rst ? s->rst_code : s->goaway_code);
        snprintf(buf, cap, "%s(%s)%s", s->rst ? "RST_STREAM" : "GOAWAY", n ? n : "UNKNOWN",
                 s->rst ? (s->rst_local ? ":sent" : ":received") : "");
        return buf;
    }
    return s->failed ? "failed" : s->done > 0 ? "ok" : "unfinished";
}

void trace_stats_print(struct trace *t, FILE *out)
{
    size_t i;

    fprintf(out, "stats: streams (times in ms since start)\n");
    fprintf(out, "%4s %4s %6s %6s %12s %10s %10s %10s %10s %10s %7s %s\n", "url", "conn", "sid",
            "status", "bytes", "queued", "sent", "ttfb", "done", "duration", "retries", "end");
    for (i = 0; i < t->nstreams; i++) {
        const struct trace_srec *s = &t->streams[i];
        char eb[64];
        fprintf(out, "%4zu %4u %6u %6d %12llu", s->urlnum, s->conn, s->sid, s->status,
                (unsigned long long)s->bytes);
        col(out, s->queued);
        col(out, s->sent);
        col(out, s->headers > 0 && s->sent > 0 ? s->headers - s->sent : 0);
        col(out, s->done);
        col(out, s->done > 0 ? s->done - (s->queued > 0 ? s->queued : s->sent) : 0);
        fprintf(out, " %7u %s\n", s->retries, ending(s, eb, sizeof(eb)));
    }
    fprintf(out, "stats: connections (times in ms since start)\n");
    fprintf(out, "%4s %-8s %10s %10s %10s %10s %10s %10s %s\n", "conn", "alpn", "resolved",
            "connected", "tls", "ready", "settings", "ping", "goaway");
    for (i = 0; i < t->nconns; i++) {
        const struct trace_crec *c = t->conns[i];
        char gb[40] = "-";
        if (!c)
            continue;
        if (c->goaway_rx)
            snprintf(gb, sizeof(gb), "%s",
                     h2_wire_error_name(c->goaway_code) ? h2_wire_error_name(c->goaway_code)
                                                        : "UNKNOWN");
        fprintf(out, "%4u %-8s", c->id, c->alpn[0] ? c->alpn : (c->h2 ? "h2c" : "-"));
        col(out, c->resolved);
        col(out, c->connected);
        col(out, c->tls);
        col(out, c->proto);
        col(out, c->settings_ack > 0 ? c->settings_ack - c->settings_sent : 0);
        col(out, c->pongs && c->npings ? c->pings[0].rtt : 0);
        fprintf(out, " %s\n", gb);
    }
}

static size_t scale(double v, double max, unsigned width)
{
    size_t x = max > 0 ? (size_t)(v / max * (double)width) : 0;
    return x > width ? width : x;
}

/* One stream's row of `width` cells over 0 .. max: ' ' outside its life, '-' waiting for
 * a stream, '=' waiting for the first byte, '#' receiving; a stream too short for one cell
 * still gets a '#'. Returns its start (queued, else sent). */
static double waterfall_row(const struct trace_srec *s, double max, unsigned width, char *row)
{
    double q = s->queued > 0 ? s->queued : s->sent, h = s->headers > 0 ? s->headers : s->done;
    size_t x;

    for (x = 0; x < width; x++) {
        double at = max * ((double)x + 0.5) / (double)width;
        row[x] = at < q || at > s->done ? ' ' : at < s->sent ? '-' : at < h ? '=' : '#';
    }
    x = scale(q, max, width);
    if (s->done > 0 && scale(s->done, max, width) == x)
        row[x < width ? x : width - 1] = '#';
    row[width] = '\0';
    return q;
}

/* One line per URL on a common time axis (waterfall_row). */
void trace_waterfall_print(struct trace *t, FILE *out, unsigned width)
{
    double max = 0;
    char row[256];
    size_t i;

    if (width > sizeof(row) - 1)
        width = sizeof(row) - 1;
    for (i = 0; i < t->nstreams; i++)
        if (t->streams[i].done > max)
            max = t->streams[i].done;
    fprintf(out, "waterfall: 0 .. %.3f ms ('-' queued, '=' waiting, '#' receiving)\n", max);
    for (i = 0; i < t->nstreams; i++) {
        const struct trace_srec *s = &t->streams[i];
        double q = waterfall_row(s, max, width, row);
        fprintf(out, "%4zu s=%-5u |%s| %.3f ms\n", s->urlnum, s->sid, row,
                s->done > 0 ? s->done - q : 0);
    }
}
