/* SPDX-License-Identifier: MIT */
/*
 * --trace-json: JSON Lines, one object per event, with the schema of man/h2get.1 (TRACE
 * FORMATS). Frames carry the same decoded payload as the text trace (RFC 9113 §6, fields
 * with their RFC 7541 §6 representation). Strings are escaped byte by byte: bytes outside
 * printable ASCII become \u00XX, so every line is valid JSON whatever the server sent.
 */
#include <string.h>

#include "base/h2.h"
#include "trace_int.h"

void trace_json_str(FILE *out, const char *key, struct span s)
{
    size_t i;

    fprintf(out, ",\"%s\":\"", key);
    for (i = 0; i < s.len; i++) {
        uint8_t c = s.p[i];
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c > 0x7e)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

void trace_json_begin(FILE *out, double ms, unsigned conn, const char *ev)
{
    fprintf(out, "{\"t\":%.3f,\"conn\":%u,\"ev\":\"%s\"", ms, conn, ev);
}

void trace_json_end(FILE *out)
{
    fputs("}\n", out);
}

static void json_flags(FILE *out, const struct h2f_frame *f)
{
    char fb[80];
    const char *p;

    trace_text_flags(fb, sizeof(fb), f->hdr.type, f->hdr.flags);
    fputs(",\"flags\":[", out);
    for (p = fb; *p;) {
        size_t n = strcspn(p, " ");
        fprintf(out, "%s\"%.*s\"", p == fb ? "" : ",", (int)n, p);
        p += n + (p[n] == ' ');
    }
    fputc(']', out);
}

static void json_error(FILE *out, uint32_t code)
{
    const char *n = h2_wire_error_name(code);
    fprintf(out, ",\"error\":\"%s\",\"error_code\":%u", n ? n : "UNKNOWN", code);
}

static void json_settings(FILE *out, const struct h2f_frame *f)
{
    size_t i;

    fputs(",\"settings\":[", out);
    for (i = 0; i < f->u.settings.count; i++) {
        struct h2f_setting st = h2f_setting_at(f, i);
        const char *n = h2_setting_name(st.id);
        char id[8];
        if (!n) {
            snprintf(id, sizeof(id), "0x%02x", st.id);
            n = id;
        }
        fprintf(out, "%s{\"id\":%u,\"name\":\"%s\",\"value\":%u}", i ? "," : "", st.id, n,
                st.value);
    }
    fputc(']', out);
}

static void json_priority(FILE *out, const struct h2f_priority *p)
{
    fprintf(out, ",\"priority\":{\"exclusive\":%s,\"dependency\":%u,\"weight\":%u}",
            p->exclusive ? "true" : "false", p->dependency, (unsigned)p->weight + 1);
}

static void json_block(FILE *out, const struct hpack_list *l)
{
    const struct hpack_stats *st = &l->stats;
    size_t i;

    fputs(",\"fields\":[", out);
    for (i = 0; i < l->count; i++) {
        const struct hpack_field *fl = &l->fields[i];
        fputs(i ? ",{" : "{", out);
        fprintf(out, "\"repr\":\"%s\",\"index\":%u,\"name_huffman\":%s,\"value_huffman\":%s",
                trace_text_repr(fl->repr), fl->index,
                (fl->flags & HPACK_FIELD_NAME_HUFFMAN) ? "true" : "false",
                (fl->flags & HPACK_FIELD_VALUE_HUFFMAN) ? "true" : "false");
        trace_json_str(out, "name", fl->name);
        trace_json_str(out, "value", fl->value);
        fputc('}', out);
    }
    fprintf(out,
            "],\"hpack\":{\"wire\":%zu,\"decoded\":%zu,\"inserts\":%u,\"evictions\":%u,"
            "\"size_updates\":%u,\"table_size\":%u,\"table_entries\":%u}",
            st->wire_bytes, st->decoded_bytes, st->inserts, st->evictions, st->size_updates,
            st->table_size, st->table_entries);
}

static void json_payload(FILE *out, const struct h2f_frame *f)
{
    switch (f->hdr.type) {
    case H2F_TYPE_DATA:
        fprintf(out, ",\"data\":%zu", f->u.data.data.len);
        break;
    case H2F_TYPE_HEADERS:
        if (f->u.headers.has_priority)
            json_priority(out, &f->u.headers.prio);
        break;
    case H2F_TYPE_PRIORITY:
        json_priority(out, &f->u.priority);
        break;
    case H2F_TYPE_RST_STREAM:
        json_error(out, f->u.rst_stream.error_code);
        break;
    case H2F_TYPE_SETTINGS:
        json_settings(out, f);
        break;
    case H2F_TYPE_PUSH_PROMISE:
        fprintf(out, ",\"promised\":%u", f->u.push_promise.promised_id);
        break;
    case H2F_TYPE_PING: {
        const uint8_t *o = f->u.ping.opaque;
        fprintf(out, ",\"opaque\":\"%02x%02x%02x%02x%02x%02x%02x%02x\"", o[0], o[1], o[2], o[3],
                o[4], o[5], o[6], o[7]);
        break;
    }
    case H2F_TYPE_GOAWAY:
        fprintf(out, ",\"last_stream_id\":%u", f->u.goaway.last_stream_id);
        json_error(out, f->u.goaway.error_code);
        trace_json_str(out, "debug", f->u.goaway.debug);
        break;
    case H2F_TYPE_WINDOW_UPDATE:
        fprintf(out, ",\"increment\":%u", f->u.window_update.increment);
        break;
    default:
        break;
    }
}

void trace_json_frame(FILE *out, const struct trace_frame_view *v)
{
    const struct h2f_frame *f = v->f;
    char tb[16];

    trace_json_begin(out, v->ms, v->conn, "frame");
    fprintf(out, ",\"dir\":\"%s\",\"type\":\"%s\",\"type_id\":%u,\"sid\":%u,\"len\":%u",
            v->sent ? "send" : "recv", trace_text_type(tb, sizeof(tb), f->hdr.type), f->hdr.type,
            f->hdr.stream_id, f->hdr.length);
    json_flags(out, f);
    if (f->padded)
        fprintf(out, ",\"pad\":%zu", f->padding.len);
    json_payload(out, f);
    if (v->block)
        json_block(out, v->block);
    trace_json_end(out);
}

void trace_json_windows(FILE *out, double ms, unsigned conn, uint32_t sid,
                        const struct h2c_windows *w)
{
    trace_json_begin(out, ms, conn, "windows");
    fprintf(out, ",\"sid\":%u,\"conn_send\":%lld,\"conn_recv\":%lld", sid, (long long)w->conn_send,
            (long long)w->conn_recv);
    if (sid && w->stream_open)
        fprintf(out, ",\"stream_send\":%lld,\"stream_recv\":%lld", (long long)w->stream_send,
                (long long)w->stream_recv);
    trace_json_end(out);
}
