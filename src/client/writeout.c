/* SPDX-License-Identifier: MIT */
/*
 * -w/--write-out: curl's variables (CLI.md §1) and the HTTP/2 additions, printed once per
 * URL, in command-line order, right after that URL's body. Server-controlled values are
 * printed as received except in JSON, where they are escaped.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client_int.h"
#include "sys/diag.h"
#include "base/h2.h"
#include "sys/xalloc.h"

struct wo {
    const struct xfer *x;
    struct buf *b;
};

static void put(struct buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

static void putf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0)
        buf_append(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Seconds from the start of the transfer to `t` (0 when `t` was never reached or came
 * before it, as for the setup of a reused connection). */
static double secs(const struct xfer *x, uint64_t t)
{
    return t > x->t_start ? (double)(t - x->t_start) / 1e6 : 0.0;
}

static const char *http_version(const struct xfer *x)
{
    if (!x->last_conn || !x->got_headers)
        return "0";
    return x->last_conn->state == CC_H2 || x->last_conn->h2 ? "2" : "1.1";
}

static const char *wire_name(uint32_t code, char *buf, size_t cap)
{
    const char *n = h2_wire_error_name(code);
    if (n)
        return n;
    snprintf(buf, cap, "0x%x", code);
    return buf;
}

/* The value of `name` from a "name\0value\0..." store (case-insensitive), or NULL. */
static const char *stored(const struct buf *st, const char *name, size_t len)
{
    size_t off = 0;
    while (off < st->len) {
        const char *n = (const char *)st->p + off, *v = n + strlen(n) + 1;
        if (strlen(n) == len && !strncasecmp(n, name, len))
            return v;
        off = (size_t)(v + strlen(v) + 1 - (const char *)st->p);
    }
    return NULL;
}

static void json_str(struct buf *b, const char *s)
{
    put(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            putf(b, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            putf(b, "\\u%04x", c);
        else
            buf_append(b, s, 1);
    }
    put(b, "\"");
}

/* {"name":["value",...],...}: every value of a name in one array, names in first-seen
 * order (curl's header_json). */
static void fields_json(struct buf *b, const struct buf *st)
{
    size_t off = 0;
    bool first = true;

    put(b, "{");
    while (off < st->len) {
        const char *n = (const char *)st->p + off, *v = n + strlen(n) + 1;
        size_t next = (size_t)(v + strlen(v) + 1 - (const char *)st->p), o2;
        bool seen = false;
        for (o2 = 0; o2 < off && !seen;) {
            const char *n2 = (const char *)st->p + o2, *v2 = n2 + strlen(n2) + 1;
            seen = !strcasecmp(n, n2);
            o2 = (size_t)(v2 + strlen(v2) + 1 - (const char *)st->p);
        }
        if (!seen) {
            bool one = true;
            put(b, first ? "" : ",");
            first = false;
            json_str(b, n);
            put(b, ":[");
            for (o2 = off; o2 < st->len;) {
                const char *n2 = (const char *)st->p + o2, *v2 = n2 + strlen(n2) + 1;
                if (!strcasecmp(n, n2)) {
                    put(b, one ? "" : ",");
                    json_str(b, v2);
                    one = false;
                }
                o2 = (size_t)(v2 + strlen(v2) + 1 - (const char *)st->p);
            }
            put(b, "]");
        }
        off = next;
    }
    put(b, "}");
}

enum kind { K_STR, K_INT, K_SEC };

struct var {
    const char *name;
    enum kind kind;
};

/* The simple variables, in the order %{json} lists them. */
static const struct var vars[] = {
    {"alpn", K_STR},
    {"conn_id", K_INT},
    {"errormsg", K_STR},
    {"exitcode", K_INT},
    {"goaway_error", K_STR},
    {"http_code", K_INT},
    {"http_version", K_STR},
    {"num_connects", K_INT},
    {"remote_ip", K_STR},
    {"remote_port", K_INT},
    {"retried_after_goaway", K_INT},
    {"rst_error", K_STR},
    {"size_download", K_INT},
    {"size_upload", K_INT},
    {"stream_id", K_INT},
    {"time_appconnect", K_SEC},
    {"time_connect", K_SEC},
    {"time_firstdata", K_SEC},
    {"time_namelookup", K_SEC},
    {"time_pretransfer", K_SEC},
    {"time_starttransfer", K_SEC},
    {"time_total", K_SEC},
    {"tls_version", K_STR},
    {"url", K_STR},
    {"url_effective", K_STR},
    {"urlnum", K_INT},
};

static bool time_value(const struct xfer *x, const char *name, double *t)
{
    static const char *const names[] = {
        "time_namelookup",    "time_connect",   "time_appconnect", "time_pretransfer",
        "time_starttransfer", "time_firstdata", "time_total",
    };
    const struct cconn *c = x->last_conn;
    uint64_t at[7];
    size_t i;

    at[0] = c ? c->t_resolved : 0;
    at[1] = c ? c->t_connected : 0;
    at[2] = c && c->tls ? c->t_tls : 0;
    at[3] = x->t_sent;
    at[4] = x->t_headers;
    at[5] = x->t_firstdata;
    at[6] = x->t_done;
    for (i = 0; i < 7; i++)
        if (!strcmp(name, names[i])) {
            *t = secs(x, at[i]);
            return true;
        }
    return false;
}

static bool num_value(const struct xfer *x, const char *name, uint64_t *v)
{
    static const char *const names[] = {
        "urlnum",      "exitcode",  "size_download", "size_upload",          "num_connects",
        "remote_port", "stream_id", "conn_id",       "retried_after_goaway",
    };
    const struct cconn *c = x->last_conn;
    uint64_t val[9];
    size_t i;

    val[0] = x->index / (size_t)x->cl->cfg->multi.repeat;
    val[1] = (uint64_t)h2e_exit(x->result);
    val[2] = x->body_bytes;
    val[3] = x->body_sent;
    val[4] = x->num_connects;
    val[5] = c ? c->remote_port : 0;
    val[6] = x->stream_id;
    val[7] = c ? c->id : 0;
    val[8] = x->retries;
    for (i = 0; i < 9; i++)
        if (!strcmp(name, names[i])) {
            *v = val[i];
            return true;
        }
    return false;
}

static const char *str_value(const struct xfer *x, const char *name, char *tmp, size_t cap)
{
    const struct cconn *c = x->last_conn;

    if (!strcmp(name, "http_version"))
        return http_version(x);
    if (!strcmp(name, "url"))
        return x->cu->url;
    if (!strcmp(name, "url_effective"))
        return x->url_str;
    if (!strcmp(name, "errormsg"))
        return x->result && x->detail ? x->detail : "";
    if (!strcmp(name, "remote_ip"))
        return c ? c->remote_ip : "";
    if (!strcmp(name, "alpn"))
        return c ? c->alpn : "";
    if (!strcmp(name, "tls_version"))
        return c && c->tls_version ? c->tls_version : "";
    if (!strcmp(name, "rst_error"))
        return x->got_rst ? wire_name(x->rst_wire, tmp, cap) : "";
    if (!strcmp(name, "goaway_error"))
        return c && c->got_goaway ? wire_name(c->goaway_wire, tmp, cap) : "";
    return NULL;
}

/* One simple variable as text into `out`; false when `name` is not one. */
static bool value(const struct xfer *x, const char *name, char *out, size_t cap)
{
    char tmp[32];
    const char *str;
    uint64_t n;
    double t;

    if (!strcmp(name, "http_code"))
        snprintf(out, cap, "%03d", x->status);
    else if ((str = str_value(x, name, tmp, sizeof(tmp))) != NULL)
        snprintf(out, cap, "%s", str);
    else if (num_value(x, name, &n))
        snprintf(out, cap, "%" PRIu64, n);
    else if (time_value(x, name, &t))
        snprintf(out, cap, "%.6f", t);
    else
        return false;
    return true;
}

static void json_all(const struct xfer *x, struct buf *b)
{
    char v[CLIENT_DETAIL_MAX + 64];
    size_t i;

    put(b, "{");
    for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        value(x, vars[i].name, v, sizeof(v));
        putf(b, "%s\"%s\":", i ? "," : "", vars[i].name);
        if (vars[i].kind == K_STR)
            json_str(b, v);
        else if (vars[i].kind == K_INT && !strcmp(vars[i].name, "http_code"))
            putf(b, "%d", x->status);
        else
            put(b, v);
    }
    put(b, "}");
}

/* Append variable `name` (`len` bytes) to `b`; returns -1 for %{onerror} on success (stop),
 * 1 / 2 to switch to stdout / stderr, 0 otherwise. */
static int variable(const struct xfer *x, const char *name, size_t len, struct buf *b)
{
    char n[64], v[CLIENT_DETAIL_MAX + 64];

    if (len >= sizeof(n))
        len = sizeof(n) - 1;
    memcpy(n, name, len);
    n[len] = 0;
    if (!strncmp(n, "header{", 7) || !strncmp(n, "trailer{", 8)) {
        const char *inner = strchr(n, '{') + 1, *end = strchr(inner, '}');
        const char *val =
            end ? stored(n[0] == 'h' ? &x->fields : &x->trailers, inner, (size_t)(end - inner))
                : NULL;
        if (val)
            put(b, val);
    } else if (!strcmp(n, "json")) {
        json_all(x, b);
    } else if (!strcmp(n, "header_json")) {
        fields_json(b, &x->fields);
    } else if (!strcmp(n, "trailer_json")) {
        fields_json(b, &x->trailers);
    } else if (!strcmp(n, "onerror")) {
        return x->result ? 0 : -1;
    } else if (!strcmp(n, "stdout") || !strcmp(n, "stderr")) {
        return n[3] == 'o' ? 1 : 2;
    } else if (value(x, n, v, sizeof(v))) {
        put(b, v);
    } else {
        diag_warn("unknown --write-out variable '%s'", n);
    }
    return 0;
}

static void flush_to(struct xfer *x, struct buf *b, int where)
{
    if (!b->len)
        return;
    if (where == 2) {
        fflush(stdout);
        out_flush(&x->cl->out);
        fwrite(b->p, 1, b->len, stderr);
    } else {
        out_write(&x->cl->out, b->p, b->len);
    }
    buf_reset(b);
}

static const char *escape_char(char c)
{
    switch (c) {
    case 'n':
        return "\n";
    case 'r':
        return "\r";
    case 't':
        return "\t";
    case '\\':
        return "\\";
    default:
        return NULL;
    }
}

void wo_emit(struct xfer *x)
{
    const char *f = x->cl->wo_fmt;
    struct buf b;
    int where = 1;

    buf_init(&b, &xalloc_mem, 1u << 24);
    while (*f) {
        const char *e;
        if (f[0] == '\\' && f[1] && (e = escape_char(f[1])) != NULL) {
            put(&b, e);
            f += 2;
        } else if (f[0] == '%' && f[1] == '%') {
            put(&b, "%");
            f += 2;
        } else if (f[0] == '%' && f[1] == '{' && (e = strchr(f + 2, '}')) != NULL) {
            const char *name = f + 2;
            int r;
            if (!strncmp(name, "header{", 7) || !strncmp(name, "trailer{", 8))
                e = strstr(e + 1, "}") ? strchr(e + 1, '}') : e;
            r = variable(x, name, (size_t)(e - name), &b);
            f = e + 1;
            if (r < 0)
                break;
            if (r > 0) {
                flush_to(x, &b, where);
                where = r;
            }
        } else {
            buf_append(&b, f, 1);
            f++;
        }
    }
    flush_to(x, &b, where);
    buf_release(&b);
}
