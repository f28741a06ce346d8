/* SPDX-License-Identifier: MIT */
/*
 * --sse and --sse-json for one transfer (WHATWG HTML §9.2 "Server-sent events"): the
 * response must be a 200 text/event-stream; its body, after any --compressed decoding,
 * goes through the event parser (codec/sse) and each event is written at once as it
 * completes: as text ("event: NAME", "id: ID", one "data: LINE" per line, a blank line)
 * or as one JSON object per line. When the stream ends, or breaks after it began, the
 * request goes again with Last-Event-ID after the server's retry: delay (3 s by default,
 * as browsers), as many times as --retry allows and within -m (retry.c decides).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/json.h"
#include "base/limits.h"
#include "codec/sse.h"
#include "retry.h"
#include "run.h"
#include "sys/xalloc.h"
#include "xfer.h"

/* The reconnection time browsers start with (the spec leaves it to them; 3 s in
 * Firefox and Chromium). */
#define SSE_DEFAULT_RETRY_MS 3000u

/* RFC 9110 §8.3.1: the media type, before any parameters, case-insensitively. */
static bool is_event_stream(struct span v)
{
    static const char want[] = "text/event-stream";
    size_t i = 0, n;

    while (i < v.len && (v.p[i] == ' ' || v.p[i] == '\t'))
        i++;
    for (n = i; n < v.len && v.p[n] != ';' && v.p[n] != ' ' && v.p[n] != '\t'; n++)
        ;
    return n - i == sizeof(want) - 1 && !strncasecmp((const char *)v.p + i, want, n - i);
}

static const struct span *content_type(const struct msg_field *f, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (span_ieq_str(f[i].name, "content-type"))
            return &f[i].value;
    return NULL;
}

int xfer_sse_start(struct xfer *x, int status, const struct msg_field *f, size_t n)
{
    const struct span *ct;

    x->resp.sse_live = false;
    if (!x->cl->cfg->req.sse)
        return 0;
    ct = content_type(f, n);
    if (status != 200 || !ct || !is_event_stream(*ct)) {
        /* §9.2.3: any other answer fails the connection for good, no reconnection */
        xfer_fail(x, H2E_SSE_NOT_STREAM,
                  "--sse: the response is not an event stream (HTTP %d, %s%.*s)", status,
                  ct ? "content-type: " : "no content-type", ct ? (int)ct->len : 0,
                  ct ? (const char *)ct->p : "");
        return H2E_SSE_NOT_STREAM;
    }
    if (!x->resp.sse) {
        x->resp.sse = xcalloc(1, sizeof(*x->resp.sse));
        sse_init(x->resp.sse, &xalloc_mem, LIMIT_SSE_EVENT);
    } else {
        sse_restart(x->resp.sse);
    }
    x->resp.sse_live = true;
    return 0;
}

/* "name: value", or "name:" for an empty value, then LF. */
static void text_line(struct buf *b, const char *name, struct span v)
{
    buf_append(b, name, strlen(name));
    buf_append(b, v.len ? ": " : ":", v.len ? 2 : 1);
    buf_append(b, v.p, v.len);
    buf_append(b, "\n", 1);
}

static void render_text(struct buf *b, const struct sse_event *ev)
{
    struct span d = ev->data;
    const uint8_t *lf;

    if (ev->type.len)
        text_line(b, "event", ev->type);
    if (ev->has_id)
        text_line(b, "id", ev->id);
    for (;;) {
        lf = d.len ? memchr(d.p, '\n', d.len) : NULL;
        text_line(b, "data", span_of(d.p, lf ? (size_t)(lf - d.p) : d.len));
        if (!lf)
            break;
        d = span_of(lf + 1, d.len - (size_t)(lf + 1 - d.p));
    }
    buf_append(b, "\n", 1);
}

/* {"event":"message","id":"","data":"..."}: the type as a browser names it, the text
 * decoded from UTF-8 with replacement (§9.2.5) into ASCII JSON. */
static void render_json(struct buf *b, const struct sse_event *ev)
{
    bool first = true;

    json_raw(b, "{");
    json_key(b, &first, "event");
    json_text(b, ev->type.len ? ev->type : span_str("message"));
    json_key(b, &first, "id");
    json_text(b, ev->id);
    json_key(b, &first, "data");
    json_text(b, ev->data);
    json_raw(b, "}\n");
}

static int emit(struct xfer *x, const struct sse_event *ev,
                int (*write)(struct xfer *x, const void *p, size_t n))
{
    struct buf b;
    int rv;

    buf_init(&b, &xalloc_mem, SIZE_MAX); /* bounded by LIMIT_SSE_EVENT times 6 (\u00XX) */
    if (x->cl->cfg->req.sse_json)
        render_json(&b, ev);
    else
        render_text(&b, ev);
    rv = write(x, b.p, b.len);
    buf_release(&b);
    return rv;
}

int xfer_sse_write(struct xfer *x, const uint8_t *p, size_t n,
                   int (*write)(struct xfer *x, const void *p, size_t n))
{
    struct h2e_info info = H2E_INFO_INIT;
    struct sse_event ev;
    size_t used;
    int rv;

    while (n) {
        rv = sse_feed(x->resp.sse, p, n, &used, &ev, &info);
        if (rv < 0) {
            x->resp.sse_live = false; /* not a break to reconnect after */
            xfer_fail(x, rv, "%s (%u bytes)", info.why, LIMIT_SSE_EVENT);
            return rv;
        }
        if (rv == 1 && (rv = emit(x, &ev, write)) != 0)
            return rv;
        p += used;
        n -= used;
    }
    return 0;
}

uint64_t xfer_sse_delay(const struct xfer *x)
{
    const struct sse *s = x->resp.sse;

    return s && s->retry_set ? s->retry_ms : SSE_DEFAULT_RETRY_MS;
}

bool xfer_sse_end(struct xfer *x)
{
    if (!x->resp.sse_live || !retry_sse(x, "the event stream ended"))
        return false;
    xfer_retry_later(x);
    return true;
}

void xfer_sse_drop(struct xfer *x)
{
    if (!x->resp.sse)
        return;
    sse_release(x->resp.sse);
    free(x->resp.sse);
    x->resp.sse = NULL;
}
