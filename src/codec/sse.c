/* SPDX-License-Identifier: MIT */
/*
 * Server-sent events: lines cut from chunks, fields applied, events dispatched (sse.h).
 * Section numbers are of the WHATWG HTML standard, "Server-sent events" (§9.2).
 */
#include "sse.h"

#include <string.h>

void sse_init(struct sse *s, const struct mem *mem, size_t max)
{
    memset(s, 0, sizeof(*s));
    s->max = max;
    buf_init(&s->line, mem, max);
    buf_init(&s->data, mem, max);
    buf_init(&s->type, mem, max);
    buf_init(&s->id_buf, mem, max);
    buf_init(&s->last_id, mem, max);
}

void sse_release(struct sse *s)
{
    buf_release(&s->line);
    buf_release(&s->data);
    buf_release(&s->type);
    buf_release(&s->id_buf);
    buf_release(&s->last_id);
}

static void clear_event(struct sse *s)
{
    buf_reset(&s->data);
    buf_reset(&s->type);
    s->has_id = false;
    s->clear = false;
}

void sse_restart(struct sse *s)
{
    clear_event(s);
    buf_reset(&s->line);
    /* §9.2.3: a reconnection starts a new stream; the last event ID string stays */
    buf_reset(&s->id_buf);
    buf_append(&s->id_buf, s->last_id.p, s->last_id.len); /* fits: same cap */
    s->after_cr = false;
    s->started = false;
}

struct span sse_last_id(const struct sse *s)
{
    return buf_span(&s->last_id);
}

/* Copy `v` into `b` (replacing it), within the event's cap. */
static int set_buf(struct buf *b, struct span v, struct h2e_info *info, const char *why)
{
    buf_reset(b);
    if (buf_append(b, v.p, v.len) != 0)
        return h2e_set(info, H2E_SSE_TOO_BIG, 0, why);
    return 0;
}

/* §9.2.6: only ASCII digits, else the field is ignored; saturated, never wrapped. */
static void set_retry(struct sse *s, struct span v)
{
    uint64_t ms = 0;
    size_t i;

    if (!v.len)
        return;
    for (i = 0; i < v.len; i++) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return;
        ms = ms > (UINT64_MAX - 9) / 10 ? UINT64_MAX : ms * 10 + (uint64_t)(v.p[i] - '0');
    }
    s->retry_ms = ms;
    s->retry_set = true;
}

static int field(struct sse *s, struct span name, struct span v, struct h2e_info *info)
{
    if (span_eq_str(name, "event"))
        return set_buf(&s->type, v, info, "an SSE event type longer than the event limit");
    if (span_eq_str(name, "data")) {
        if (s->data.len + v.len + 1 > s->max || buf_append(&s->data, v.p, v.len) != 0 ||
            buf_append(&s->data, "\n", 1) != 0)
            return h2e_set(info, H2E_SSE_TOO_BIG, 0, "an SSE event's data passed the event limit");
        return 0;
    }
    if (span_eq_str(name, "id")) {
        if (v.len && memchr(v.p, 0, v.len))
            return 0; /* §9.2.6: an id with a NUL is ignored */
        s->has_id = true;
        return set_buf(&s->id_buf, v, info, "an SSE id longer than the event limit");
    }
    if (span_eq_str(name, "retry"))
        set_retry(s, v);
    return 0; /* other field names are ignored */
}

/* A blank line: 1 when an event is dispatched into `ev`. */
static int dispatch(struct sse *s, struct sse_event *ev)
{
    buf_reset(&s->last_id);
    buf_append(&s->last_id, s->id_buf.p, s->id_buf.len); /* fits: same cap */
    if (!s->data.len) {                                  /* §9.2.6: no data, no event */
        clear_event(s);
        return 0;
    }
    ev->type = buf_span(&s->type);
    ev->data = span_of(s->data.p, s->data.len - 1); /* without the last LF */
    ev->id = buf_span(&s->last_id);
    ev->has_id = s->has_id;
    s->clear = true;
    return 1;
}

static int line(struct sse *s, struct sse_event *ev, struct h2e_info *info)
{
    struct span l = buf_span(&s->line), name, v;
    const uint8_t *colon;

    if (!s->started) {
        s->started = true;
        if (l.len >= 3 && !memcmp(l.p, "\xef\xbb\xbf", 3)) { /* §9.2.5: one leading BOM */
            l.p += 3;
            l.len -= 3;
        }
    }
    if (!l.len)
        return dispatch(s, ev);
    if (l.p[0] == ':')
        return 0; /* a comment */
    colon = memchr(l.p, ':', l.len);
    if (!colon)
        return field(s, l, span_of(l.p + l.len, 0), info);
    name = span_of(l.p, (size_t)(colon - l.p));
    v = span_of(colon + 1, l.len - name.len - 1);
    if (v.len && v.p[0] == ' ') {
        v.p++;
        v.len--;
    }
    return field(s, name, v, info);
}

static int grow_line(struct sse *s, const uint8_t *p, size_t n, struct h2e_info *info)
{
    if (s->line.len + s->data.len + n > s->max || buf_append(&s->line, p, n) != 0)
        return h2e_set(info, H2E_SSE_TOO_BIG, 0, "an SSE line passed the event limit");
    return 0;
}

/* The next CR or LF in p[0..n), or NULL. */
static const uint8_t *eol(const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i] == '\r' || p[i] == '\n')
            return p + i;
    return NULL;
}

int sse_feed(struct sse *s, const uint8_t *p, size_t n, size_t *used, struct sse_event *ev,
             struct h2e_info *info)
{
    size_t i = 0;
    const uint8_t *e;
    int rv;

    if (s->clear)
        clear_event(s);
    while (i < n) {
        if (s->after_cr) {
            s->after_cr = false;
            if (p[i] == '\n') { /* the LF of a CRLF whose CR ended the line */
                i++;
                continue;
            }
        }
        e = eol(p + i, n - i);
        if ((rv = grow_line(s, p + i, e ? (size_t)(e - (p + i)) : n - i, info)) != 0)
            return rv;
        if (!e)
            break;
        i = (size_t)(e - p) + 1;
        s->after_cr = *e == '\r';
        rv = line(s, ev, info);
        buf_reset(&s->line);
        if (rv) {
            *used = i;
            return rv;
        }
    }
    *used = n;
    return 0;
}
