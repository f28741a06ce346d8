/* SPDX-License-Identifier: MIT */
/*
 * --trace-json: JSON Lines, one object per event, with the schema of man/h2get.1 (TRACE
 * FORMATS). Frames carry the same decoded payload as the text trace (RFC 9113 §6, fields
 * with their RFC 7541 §6 representation). Each line is built in a struct buf with the one
 * JSON writer (base/json.h, which escapes every byte outside printable ASCII as \u00XX, so
 * every line is valid JSON whatever the server sent) and written with one fwrite.
 */
#include <stdint.h>
#include <string.h>

#include "base/h2.h"
#include "base/json.h"
#include "sys/diag.h"
#include "sys/xalloc.h"
#include "trace_int.h"

/* Keep the first error: later appends to a buf that failed would only garble the line. */
static void keep(struct trace_jl *j, int rv)
{
    if (!j->rv)
        j->rv = rv;
}

void trace_jl_raw(struct trace_jl *j, const char *s)
{
    keep(j, json_raw(&j->b, s));
}

void trace_jl_key(struct trace_jl *j, const char *key)
{
    keep(j, json_key(&j->b, &j->first, key));
}

void trace_jl_str(struct trace_jl *j, const char *key, struct span s)
{
    trace_jl_key(j, key);
    keep(j, json_str(&j->b, s));
}

void trace_jl_u64(struct trace_jl *j, const char *key, uint64_t v)
{
    trace_jl_key(j, key);
    keep(j, json_u64(&j->b, v));
}

void trace_jl_i64(struct trace_jl *j, const char *key, int64_t v)
{
    trace_jl_key(j, key);
    keep(j, json_i64(&j->b, v));
}

void trace_jl_bool(struct trace_jl *j, const char *key, bool v)
{
    trace_jl_key(j, key);
    keep(j, json_bool(&j->b, v));
}

void trace_jl_ms(struct trace_jl *j, const char *key, double ms)
{
    trace_jl_key(j, key);
    keep(j, json_fixed(&j->b, ms, 3));
}

void trace_jl_begin(struct trace_jl *j, double ms, unsigned conn, const char *ev)
{
    buf_init(&j->b, &xalloc_mem, SIZE_MAX);
    j->first = true;
    j->rv = 0;
    trace_jl_raw(j, "{");
    trace_jl_ms(j, "t", ms);
    trace_jl_u64(j, "conn", conn);
    trace_jl_str(j, "ev", span_str(ev));
}

void trace_jl_end(struct trace_jl *j, FILE *out)
{
    trace_jl_raw(j, "}\n");
    if (j->rv)
        diag_error(j->rv, "cannot render a --trace-json line");
    else
        fwrite(j->b.p, 1, j->b.len, out);
    buf_release(&j->b);
}

/* A member that is an object: `"key":{`, then its own members from the first. */
static void open_obj(struct trace_jl *j, const char *key)
{
    if (key)
        trace_jl_key(j, key);
    trace_jl_raw(j, "{");
    j->first = true;
}

static void close_obj(struct trace_jl *j)
{
    trace_jl_raw(j, "}");
    j->first = false;
}

static void json_flags(struct trace_jl *j, const struct h2f_frame *f)
{
    char fb[80];
    const char *p;

    trace_text_flags(fb, sizeof(fb), f->hdr.type, f->hdr.flags);
    trace_jl_key(j, "flags");
    trace_jl_raw(j, "[");
    for (p = fb; *p;) {
        size_t n = strcspn(p, " ");
        if (p != fb)
            trace_jl_raw(j, ",");
        keep(j, json_str(&j->b, span_of(p, n)));
        p += n + (p[n] == ' ');
    }
    trace_jl_raw(j, "]");
}

static void json_error(struct trace_jl *j, uint32_t code)
{
    const char *n = h2_wire_error_name(code);

    trace_jl_str(j, "error", span_str(n ? n : "UNKNOWN"));
    trace_jl_u64(j, "error_code", code);
}

static void json_settings(struct trace_jl *j, const struct h2f_frame *f)
{
    size_t i;

    trace_jl_key(j, "settings");
    trace_jl_raw(j, "[");
    for (i = 0; i < f->u.settings.count; i++) {
        struct h2f_setting st = h2f_setting_at(f, i);
        const char *n = h2_setting_name(st.id);
        char id[8];
        if (!n) {
            snprintf(id, sizeof(id), "0x%02x", st.id);
            n = id;
        }
        if (i)
            trace_jl_raw(j, ",");
        open_obj(j, NULL);
        trace_jl_u64(j, "id", st.id);
        trace_jl_str(j, "name", span_str(n));
        trace_jl_u64(j, "value", st.value);
        close_obj(j);
    }
    trace_jl_raw(j, "]");
}

static void json_priority(struct trace_jl *j, const struct h2f_priority *p)
{
    open_obj(j, "priority");
    trace_jl_bool(j, "exclusive", p->exclusive);
    trace_jl_u64(j, "dependency", p->dependency);
    trace_jl_u64(j, "weight", (unsigned)p->weight + 1);
    close_obj(j);
}

static void json_field(struct trace_jl *j, const struct hpack_field *fl)
{
    open_obj(j, NULL);
    trace_jl_str(j, "repr", span_str(trace_text_repr(fl->repr)));
    trace_jl_u64(j, "index", fl->index);
    trace_jl_bool(j, "name_huffman", (fl->flags & HPACK_FIELD_NAME_HUFFMAN) != 0);
    trace_jl_bool(j, "value_huffman", (fl->flags & HPACK_FIELD_VALUE_HUFFMAN) != 0);
    trace_jl_str(j, "name", fl->name);
    trace_jl_str(j, "value", trace_field_value(fl));
    close_obj(j);
}

static void json_block(struct trace_jl *j, const struct hpack_list *l)
{
    const struct hpack_stats *st = &l->stats;
    size_t i;

    trace_jl_key(j, "fields");
    trace_jl_raw(j, "[");
    for (i = 0; i < l->count; i++) {
        if (i)
            trace_jl_raw(j, ",");
        json_field(j, &l->fields[i]);
    }
    trace_jl_raw(j, "]");
    open_obj(j, "hpack");
    trace_jl_u64(j, "wire", st->wire_bytes);
    trace_jl_u64(j, "decoded", st->decoded_bytes);
    trace_jl_u64(j, "inserts", st->inserts);
    trace_jl_u64(j, "evictions", st->evictions);
    trace_jl_u64(j, "size_updates", st->size_updates);
    trace_jl_u64(j, "table_size", st->table_size);
    trace_jl_u64(j, "table_entries", st->table_entries);
    close_obj(j);
}

static void json_opaque(struct trace_jl *j, const uint8_t o[8])
{
    static const char hex[] = "0123456789abcdef";
    char s[16];
    int i;

    for (i = 0; i < 8; i++) {
        s[2 * i] = hex[o[i] >> 4];
        s[2 * i + 1] = hex[o[i] & 15];
    }
    trace_jl_str(j, "opaque", span_of(s, sizeof(s)));
}

static void json_payload(struct trace_jl *j, const struct h2f_frame *f)
{
    switch (f->hdr.type) {
    case H2F_TYPE_DATA:
        trace_jl_u64(j, "data", f->u.data.data.len);
        break;
    case H2F_TYPE_HEADERS:
        if (f->u.headers.has_priority)
            json_priority(j, &f->u.headers.prio);
        break;
    case H2F_TYPE_PRIORITY:
        json_priority(j, &f->u.priority);
        break;
    case H2F_TYPE_RST_STREAM:
        json_error(j, f->u.rst_stream.error_code);
        break;
    case H2F_TYPE_SETTINGS:
        json_settings(j, f);
        break;
    case H2F_TYPE_PUSH_PROMISE:
        trace_jl_u64(j, "promised", f->u.push_promise.promised_id);
        break;
    case H2F_TYPE_PING:
        json_opaque(j, f->u.ping.opaque);
        break;
    case H2F_TYPE_GOAWAY:
        trace_jl_u64(j, "last_stream_id", f->u.goaway.last_stream_id);
        json_error(j, f->u.goaway.error_code);
        trace_jl_str(j, "debug", f->u.goaway.debug);
        break;
    case H2F_TYPE_WINDOW_UPDATE:
        trace_jl_u64(j, "increment", f->u.window_update.increment);
        break;
    default:
        break;
    }
}

void trace_json_frame(FILE *out, const struct trace_frame_view *v)
{
    const struct h2f_frame *f = v->f;
    struct trace_jl j;
    char tb[16];

    trace_jl_begin(&j, v->ms, v->conn, "frame");
    if (v->hop)
        trace_jl_str(&j, "hop", span_str(v->hop));
    trace_jl_str(&j, "dir", span_str(v->sent ? "send" : "recv"));
    trace_jl_str(&j, "type", span_str(trace_text_type(tb, sizeof(tb), f->hdr.type)));
    trace_jl_u64(&j, "type_id", f->hdr.type);
    trace_jl_u64(&j, "sid", f->hdr.stream_id);
    trace_jl_u64(&j, "len", f->hdr.length);
    json_flags(&j, f);
    if (f->padded)
        trace_jl_u64(&j, "pad", f->padding.len);
    json_payload(&j, f);
    if (v->block)
        json_block(&j, v->block);
    trace_jl_end(&j, out);
}

void trace_json_windows(FILE *out, double ms, unsigned conn, uint32_t sid,
                        const struct h2c_windows *w)
{
    struct trace_jl j;

    trace_jl_begin(&j, ms, conn, "windows");
    trace_jl_u64(&j, "sid", sid);
    trace_jl_i64(&j, "conn_send", w->conn_send);
    trace_jl_i64(&j, "conn_recv", w->conn_recv);
    if (sid && w->stream_open) {
        trace_jl_i64(&j, "stream_send", w->stream_send);
        trace_jl_i64(&j, "stream_recv", w->stream_recv);
    }
    trace_jl_end(&j, out);
}
