/* SPDX-License-Identifier: MIT */
/*
 * The text views of CLI.md §7, as pure renderers over a FILE: one line per frame (time,
 * direction, stream, type, flags by name, length) with its decoded payload indented under
 * it (RFC 9113 §6), each field's HPACK representation (RFC 7541 §6) and block summary,
 * flow-control windows, and hex dumps aligned to frames. The formats are stable and
 * documented in man/h2get.1 (TRACE FORMATS). Knows nothing of time sources or files.
 */
#include <string.h>

#include "sys/diag.h"
#include "base/h2.h"
#include "trace_int.h"

#define COLOR_SENT "\033[36m"
#define COLOR_RECV "\033[35m"
#define COLOR_OFF "\033[0m"

const char *trace_text_type(char *buf, size_t cap, uint8_t type)
{
    const char *n = h2f_type_name(type);

    if (n)
        return n;
    snprintf(buf, cap, "UNKNOWN_0x%02x", type);
    return buf;
}

static const char *flag_name(uint8_t type, unsigned bit)
{
    switch (bit) {
    case H2F_FLAG_END_STREAM: /* also ACK */
        if (type == H2F_TYPE_SETTINGS || type == H2F_TYPE_PING)
            return "ACK";
        return type == H2F_TYPE_DATA || type == H2F_TYPE_HEADERS ? "END_STREAM" : NULL;
    case H2F_FLAG_END_HEADERS:
        return type == H2F_TYPE_HEADERS || type == H2F_TYPE_CONTINUATION ||
                       type == H2F_TYPE_PUSH_PROMISE
                   ? "END_HEADERS"
                   : NULL;
    case H2F_FLAG_PADDED:
        return type == H2F_TYPE_DATA || type == H2F_TYPE_HEADERS || type == H2F_TYPE_PUSH_PROMISE
                   ? "PADDED"
                   : NULL;
    case H2F_FLAG_PRIORITY:
        return type == H2F_TYPE_HEADERS ? "PRIORITY" : NULL;
    default:
        return NULL;
    }
}

const char *trace_text_flags(char *buf, size_t cap, uint8_t type, uint8_t flags)
{
    size_t len = 0;
    unsigned bit, unknown = 0;

    buf[0] = '\0';
    for (bit = 1; bit < 0x100; bit <<= 1) {
        const char *n;
        if (!(flags & bit))
            continue;
        n = type < H2F_TYPE_COUNT ? flag_name(type, bit) : NULL;
        if (!n) {
            unknown |= bit;
            continue;
        }
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? " " : "", n);
    }
    if (unknown)
        snprintf(buf + len, cap - len, "%s0x%02x", len ? " " : "", unknown);
    return buf;
}

const char *trace_text_repr(uint8_t repr)
{
    static const char *const names[] = {"indexed", "inc-index", "no-index", "never-index"};
    return repr < 4 ? names[repr] : "?";
}

static void error_name(FILE *out, uint32_t code)
{
    const char *n = h2_wire_error_name(code);
    fprintf(out, "error=%s (0x%x)", n ? n : "UNKNOWN", code);
}

static void settings_lines(FILE *out, const struct h2f_frame *f)
{
    size_t i;

    for (i = 0; i < f->u.settings.count; i++) {
        struct h2f_setting st = h2f_setting_at(f, i);
        const char *n = h2_setting_name(st.id);
        if (n)
            fprintf(out, "    %s=%u\n", n, st.value);
        else
            fprintf(out, "    0x%02x=%u\n", st.id, st.value);
    }
}

static void priority_line(FILE *out, const struct h2f_priority *p)
{
    /* RFC 9113 §6.3: the effective weight is the octet plus one */
    fprintf(out, "    exclusive=%d dependency=%u weight=%u\n", p->exclusive ? 1 : 0, p->dependency,
            (unsigned)p->weight + 1);
}

/* One field, with its HPACK representation first when asked: "[inc-index name=31 huff=v]". */
struct span trace_field_value(const struct hpack_field *fl)
{
    return span_ieq_str(fl->name, "proxy-authorization") ? span_str("[masked]") : fl->value;
}

static void field_line(FILE *out, const struct hpack_field *fl, bool hpack)
{
    char n[DIAG_ESCAPE_CAP], v[DIAG_ESCAPE_CAP];

    fputs("    ", out);
    if (hpack && fl->repr == HPACK_REPR_INDEXED) {
        fprintf(out, "[indexed %u] ", fl->index);
    } else if (hpack) {
        const char *h = (fl->flags & HPACK_FIELD_NAME_HUFFMAN)
                            ? ((fl->flags & HPACK_FIELD_VALUE_HUFFMAN) ? "nv" : "n")
                            : ((fl->flags & HPACK_FIELD_VALUE_HUFFMAN) ? "v" : "-");
        fprintf(out, "[%s name=%u huff=%s] ", trace_text_repr(fl->repr), fl->index, h);
    }
    fprintf(out, "%s: %s\n", diag_escape(n, sizeof(n), fl->name),
            diag_escape(v, sizeof(v), trace_field_value(fl)));
}

static void block_lines(FILE *out, const struct hpack_list *l, bool hpack)
{
    const struct hpack_stats *st = &l->stats;
    size_t i;

    for (i = 0; i < l->count; i++)
        field_line(out, &l->fields[i], hpack);
    if (!hpack)
        return;
    fprintf(out, "    hpack: wire=%zu decoded=%zu ratio=%.1f%% inserts=%u evictions=%u",
            st->wire_bytes, st->decoded_bytes,
            st->decoded_bytes ? 100.0 * (double)st->wire_bytes / (double)st->decoded_bytes : 0.0,
            st->inserts, st->evictions);
    if (st->size_updates)
        fprintf(out, " size_update=%u", st->last_size_update);
    fprintf(out, " table=%u entries=%u\n", st->table_size, st->table_entries);
}

static void payload_lines(FILE *out, const struct trace_frame_view *v)
{
    const struct h2f_frame *f = v->f;
    char dbg[DIAG_ESCAPE_CAP];

    if (f->padded)
        fprintf(out, "    pad=%zu\n", f->padding.len);
    switch (f->hdr.type) {
    case H2F_TYPE_DATA:
        fprintf(out, "    data=%zu\n", f->u.data.data.len);
        break;
    case H2F_TYPE_HEADERS:
        if (f->u.headers.has_priority)
            priority_line(out, &f->u.headers.prio);
        break;
    case H2F_TYPE_PRIORITY:
        priority_line(out, &f->u.priority);
        break;
    case H2F_TYPE_RST_STREAM:
        fputs("    ", out);
        error_name(out, f->u.rst_stream.error_code);
        fputc('\n', out);
        break;
    case H2F_TYPE_SETTINGS:
        settings_lines(out, f);
        break;
    case H2F_TYPE_PUSH_PROMISE:
        fprintf(out, "    promised=%u\n", f->u.push_promise.promised_id);
        break;
    case H2F_TYPE_PING: {
        const uint8_t *o = f->u.ping.opaque;
        fprintf(out, "    opaque=%02x%02x%02x%02x%02x%02x%02x%02x\n", o[0], o[1], o[2], o[3], o[4],
                o[5], o[6], o[7]);
        break;
    }
    case H2F_TYPE_GOAWAY:
        fprintf(out, "    last_stream_id=%u ", f->u.goaway.last_stream_id);
        error_name(out, f->u.goaway.error_code);
        fprintf(out, " debug='%s'\n", diag_escape(dbg, sizeof(dbg), f->u.goaway.debug));
        break;
    case H2F_TYPE_WINDOW_UPDATE:
        fprintf(out, "    increment=%u\n", f->u.window_update.increment);
        break;
    default:
        break;
    }
    if (v->block)
        block_lines(out, v->block, v->hpack);
}

/* "#N " for every connection but the first; "#N proxy " and "#N tunnel " for a connection
 * to a proxy and one inside its tunnel, so that their frames never look alike. */
static void conn_tag(FILE *out, unsigned conn, const char *hop)
{
    if (hop)
        fprintf(out, "#%u %s ", conn, hop);
    else if (conn)
        fprintf(out, "#%u ", conn);
}

void trace_text_frame(FILE *out, const struct trace_frame_view *v)
{
    const struct h2f_frame *f = v->f;
    char tb[16], fb[80];
    const char *flags = trace_text_flags(fb, sizeof(fb), f->hdr.type, f->hdr.flags);

    fprintf(out, "+%.3fms ", v->ms);
    conn_tag(out, v->conn, v->hop);
    fprintf(out, "%s%c %s%s s=%u len=%u%s%s\n", v->color ? (v->sent ? COLOR_SENT : COLOR_RECV) : "",
            v->sent ? '>' : '<', trace_text_type(tb, sizeof(tb), f->hdr.type),
            v->color ? COLOR_OFF : "", f->hdr.stream_id, f->hdr.length, *flags ? " " : "", flags);
    payload_lines(out, v);
}

void trace_text_bad_frame(FILE *out, double ms, unsigned conn, const char *hop,
                          const struct h2f_header *hdr, const char *why)
{
    char tb[16], fb[80];
    const char *flags = trace_text_flags(fb, sizeof(fb), hdr->type, hdr->flags);

    fprintf(out, "+%.3fms ", ms);
    conn_tag(out, conn, hop);
    fprintf(out, "< %s s=%u len=%u%s%s\n    rejected: %s\n",
            trace_text_type(tb, sizeof(tb), hdr->type), hdr->stream_id, hdr->length,
            *flags ? " " : "", flags, why ? why : "invalid frame");
}

/* 16 octets a line: offset, hex in two groups of eight, then the printable ASCII; a
 * masked octet is "**" and '*'. */
void trace_text_hexdump(FILE *out, const uint8_t *p, size_t len, const uint8_t *mask)
{
    size_t off, i;

    for (off = 0; off < len; off += 16) {
        size_t n = len - off < 16 ? len - off : 16;
        fprintf(out, "    %04zx ", off);
        for (i = 0; i < 16; i++) {
            if (i == 8)
                fputc(' ', out);
            if (i < n && mask && mask[off + i])
                fputs(" **", out);
            else if (i < n)
                fprintf(out, " %02x", p[off + i]);
            else
                fputs("   ", out);
        }
        fputs("  |", out);
        for (i = 0; i < n; i++)
            fputc(mask && mask[off + i]                     ? '*'
                  : p[off + i] >= 0x20 && p[off + i] < 0x7f ? p[off + i]
                                                            : '.',
                  out);
        fputs("|\n", out);
    }
}

void trace_text_windows(FILE *out, uint32_t sid, const struct h2c_windows *w)
{
    fprintf(out, "    windows: conn send=%lld recv=%lld", (long long)w->conn_send,
            (long long)w->conn_recv);
    if (sid && w->stream_open)
        fprintf(out, " | s=%u send=%lld recv=%lld", sid, (long long)w->stream_send,
                (long long)w->stream_recv);
    else if (sid)
        fprintf(out, " | s=%u closed", sid);
    fputc('\n', out);
}
