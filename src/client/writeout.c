/* SPDX-License-Identifier: MIT */
/*
 * -w/--write-out: curl's variables (CLI.md §1) and the HTTP/2 additions, printed once per
 * URL, in command-line order, right after that URL's body. One table names every variable
 * with its kind and how to get its value (curl's tool_writeout.c); %{json} walks the same
 * table. Server-controlled values are printed as received except in JSON, where the one
 * JSON writer (base/json) escapes them. Nothing is cut: a value is written whole.
 */
#include "writeout.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cconn.h"
#include "run.h"
#include "xfer.h"
#include "base/h2.h"
#include "base/json.h"
#include "sys/diag.h"
#include "sys/xalloc.h"

/* Room for a value made on the spot: "0x" and the 8 hex digits of an unknown wire code. */
#define WO_TMP 16

enum wo_kind {
    WO_STR,         /* text; a JSON string */
    WO_NUM,         /* a decimal number, in JSON too */
    WO_CODE,        /* http_code: 3 digits ("000" before any response); a JSON number */
    WO_TIME,        /* seconds from the start of the transfer, 6 decimals; a JSON number */
    WO_FIELD,       /* header{NAME}, trailer{NAME}: the first value of field NAME */
    WO_FIELDS_JSON, /* header_json, trailer_json: {"name":["value",...],...} */
    WO_JSON,        /* json: every row above WO_FIELD as one object, in table order */
    WO_ONERROR,     /* onerror: the rest of the format only when the transfer failed */
    WO_STDOUT,      /* stdout, stderr: where the rest of the format goes */
    WO_STDERR,
};

struct wo_var {
    const char *name;
    enum wo_kind kind;
    union {
        const char *(*str)(const struct xfer *x, char *tmp); /* WO_STR; `tmp`: WO_TMP bytes */
        uint64_t (*num)(const struct xfer *x); /* WO_NUM, WO_CODE; WO_TIME: a clock_us() */
        const struct buf *(*fields)(const struct xfer *x); /* WO_FIELD, WO_FIELDS_JSON */
    } get;
};

/* --- the values ------------------------------------------------------------------------ */

static const char *wire_name(uint32_t code, char *tmp)
{
    const char *n = h2_wire_error_name(code);

    if (n)
        return n;
    snprintf(tmp, WO_TMP, "0x%x", code);
    return tmp;
}

static const char *v_alpn(const struct xfer *x, char *tmp)
{
    (void)tmp;
    return x->last_conn ? x->last_conn->facts.alpn : "";
}

static const char *v_errormsg(const struct xfer *x, char *tmp)
{
    (void)tmp;
    return x->result && x->detail ? x->detail : "";
}

static const char *v_goaway_error(const struct xfer *x, char *tmp)
{
    const struct cconn *c = x->last_conn;

    return c && c->goaway.got ? wire_name(c->goaway.wire, tmp) : "";
}

static const char *v_http_version(const struct xfer *x, char *tmp)
{
    (void)tmp;
    if (!x->last_conn || x->resp.state == XFER_RESP_NONE)
        return "0";
    return x->last_conn->state == CC_H2 || x->last_conn->h2 ? "2" : "1.1";
}

/* Through a proxy: the proxy connection's ALPN ("" for none, or no proxy). */
static const char *v_proxy_alpn(const struct xfer *x, char *tmp)
{
    (void)tmp;
    if (x->proxy_alpn[0] || !x->last_conn)
        return x->proxy_alpn;
    return x->last_conn->forward ? x->last_conn->facts.alpn : x->last_conn->facts.proxy_alpn;
}

static const char *v_remote_ip(const struct xfer *x, char *tmp)
{
    (void)tmp;
    return x->last_conn ? x->last_conn->facts.remote_ip : "";
}

static const char *v_rst_error(const struct xfer *x, char *tmp)
{
    return x->resp.got_rst ? wire_name(x->resp.rst_wire, tmp) : "";
}

static const char *v_tls_version(const struct xfer *x, char *tmp)
{
    (void)tmp;
    return x->last_conn && x->last_conn->facts.tls_version ? x->last_conn->facts.tls_version : "";
}

static const char *v_url(const struct xfer *x, char *tmp)
{
    (void)tmp;
    return x->cu->url;
}

static const char *v_url_effective(const struct xfer *x, char *tmp)
{
    (void)tmp;
    return x->req.url_str;
}

static uint64_t v_conn_id(const struct xfer *x)
{
    return x->last_conn ? x->last_conn->id : 0;
}

static uint64_t v_exitcode(const struct xfer *x)
{
    return (uint64_t)h2e_exit(x->result);
}

static uint64_t v_http_code(const struct xfer *x)
{
    return x->resp.status > 0 ? (uint64_t)x->resp.status : 0;
}

static uint64_t v_num_connects(const struct xfer *x)
{
    return x->num_connects;
}

/* The HTTP proxy's answer to CONNECT (curl's %{http_connect}), 0 without one. */
static uint64_t v_proxy_connect_code(const struct xfer *x)
{
    if (x->connect_code || !x->last_conn)
        return (uint64_t)x->connect_code;
    return (uint64_t)x->last_conn->facts.connect_code;
}

static uint64_t v_remote_port(const struct xfer *x)
{
    return x->last_conn ? x->last_conn->facts.remote_port : 0;
}

static uint64_t v_retries(const struct xfer *x)
{
    return x->req.retries;
}

static uint64_t v_num_retries(const struct xfer *x)
{
    return x->req.tries;
}

static uint64_t v_size_download(const struct xfer *x)
{
    return x->resp.body_bytes;
}

/* After --compressed decoding; the same as size_download without it. */
static uint64_t v_size_decoded(const struct xfer *x)
{
    return x->resp.decoded_bytes;
}

static uint64_t v_size_upload(const struct xfer *x)
{
    return x->up.sent;
}

static uint64_t v_stream_id(const struct xfer *x)
{
    return x->stream_id;
}

static uint64_t v_urlnum(const struct xfer *x)
{
    return x->index / (size_t)x->cl->cfg->multi.repeat;
}

/* The times: the setup of a reused connection came before the transfer and counts 0. */
static uint64_t t_appconnect(const struct xfer *x)
{
    return x->last_conn && x->last_conn->tls ? x->last_conn->facts.t_tls : 0;
}

static uint64_t t_connect(const struct xfer *x)
{
    return x->last_conn ? x->last_conn->facts.t_connected : 0;
}

static uint64_t t_firstdata(const struct xfer *x)
{
    return x->t.firstdata;
}

static uint64_t t_namelookup(const struct xfer *x)
{
    return x->last_conn ? x->last_conn->facts.t_resolved : 0;
}

static uint64_t t_pretransfer(const struct xfer *x)
{
    return x->t.sent;
}

static uint64_t t_starttransfer(const struct xfer *x)
{
    return x->t.headers;
}

static uint64_t t_total(const struct xfer *x)
{
    return x->t.done;
}

static const struct buf *f_header(const struct xfer *x)
{
    return &x->resp.fields;
}

static const struct buf *f_trailer(const struct xfer *x)
{
    return &x->resp.trailers;
}

/* Every variable, sorted by name; %{json} lists the value rows in this order. */
static const struct wo_var vars[] = {
    {"alpn", WO_STR, {.str = v_alpn}},
    {"conn_id", WO_NUM, {.num = v_conn_id}},
    {"errormsg", WO_STR, {.str = v_errormsg}},
    {"exitcode", WO_NUM, {.num = v_exitcode}},
    {"goaway_error", WO_STR, {.str = v_goaway_error}},
    {"header", WO_FIELD, {.fields = f_header}},
    {"header_json", WO_FIELDS_JSON, {.fields = f_header}},
    {"http_code", WO_CODE, {.num = v_http_code}},
    {"http_connect", WO_CODE, {.num = v_proxy_connect_code}},
    {"http_version", WO_STR, {.str = v_http_version}},
    {"json", WO_JSON, {NULL}},
    {"num_connects", WO_NUM, {.num = v_num_connects}},
    {"num_retries", WO_NUM, {.num = v_num_retries}},
    {"onerror", WO_ONERROR, {NULL}},
    {"proxy_alpn", WO_STR, {.str = v_proxy_alpn}},
    {"proxy_connect_code", WO_CODE, {.num = v_proxy_connect_code}},
    {"remote_ip", WO_STR, {.str = v_remote_ip}},
    {"remote_port", WO_NUM, {.num = v_remote_port}},
    {"retried_after_goaway", WO_NUM, {.num = v_retries}},
    {"rst_error", WO_STR, {.str = v_rst_error}},
    {"size_decoded", WO_NUM, {.num = v_size_decoded}},
    {"size_download", WO_NUM, {.num = v_size_download}},
    {"size_upload", WO_NUM, {.num = v_size_upload}},
    {"stderr", WO_STDERR, {NULL}},
    {"stdout", WO_STDOUT, {NULL}},
    {"stream_id", WO_NUM, {.num = v_stream_id}},
    {"time_appconnect", WO_TIME, {.num = t_appconnect}},
    {"time_connect", WO_TIME, {.num = t_connect}},
    {"time_firstdata", WO_TIME, {.num = t_firstdata}},
    {"time_namelookup", WO_TIME, {.num = t_namelookup}},
    {"time_pretransfer", WO_TIME, {.num = t_pretransfer}},
    {"time_starttransfer", WO_TIME, {.num = t_starttransfer}},
    {"time_total", WO_TIME, {.num = t_total}},
    {"tls_version", WO_STR, {.str = v_tls_version}},
    {"trailer", WO_FIELD, {.fields = f_trailer}},
    {"trailer_json", WO_FIELDS_JSON, {.fields = f_trailer}},
    {"url", WO_STR, {.str = v_url}},
    {"url_effective", WO_STR, {.str = v_url_effective}},
    {"urlnum", WO_NUM, {.num = v_urlnum}},
};

#define NVARS (sizeof(vars) / sizeof(vars[0]))

/* --- rendering ------------------------------------------------------------------------- */

static int put(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

/* "S.UUUUUU": the microseconds from the start of `x` to `t` (0 when `t` is not later). */
static int put_secs(struct buf *b, const struct xfer *x, uint64_t t)
{
    uint64_t us = t > x->t.start ? t - x->t.start : 0;
    char frac[8];
    int rv = json_u64(b, us / 1000000);

    snprintf(frac, sizeof(frac), ".%06u", (unsigned)(us % 1000000));
    return rv ? rv : put(b, frac);
}

/* One value row as text, or as a JSON value when `json`. */
static int put_value(const struct xfer *x, const struct wo_var *v, struct buf *b, bool json)
{
    char tmp[WO_TMP], code[24];
    const char *s;

    switch (v->kind) {
    case WO_STR:
        s = v->get.str(x, tmp);
        return json ? json_str(b, span_str(s)) : put(b, s);
    case WO_NUM:
        return json_u64(b, v->get.num(x));
    case WO_CODE:
        if (json)
            return json_u64(b, v->get.num(x));
        snprintf(code, sizeof(code), "%03llu", (unsigned long long)v->get.num(x));
        return put(b, code);
    case WO_TIME:
        return put_secs(b, x, v->get.num(x));
    default:
        return 0;
    }
}

/* %{json}: {"alpn":"h2","conn_id":0,...}, every value row in table order. */
static int put_json(const struct xfer *x, struct buf *b)
{
    bool first = true;
    size_t i;
    int rv = json_raw(b, "{");

    for (i = 0; i < NVARS && rv == 0; i++) {
        if (vars[i].kind >= WO_FIELD)
            continue;
        rv = json_key(b, &first, vars[i].name);
        if (rv == 0)
            rv = put_value(x, &vars[i], b, true);
    }
    return rv ? rv : json_raw(b, "}");
}

/* The field at `*off` of a "name\0value\0..." store (xfer.c keeps them); moves `*off` on. */
static void next_field(const struct buf *st, size_t *off, const char **name, const char **value)
{
    *name = (const char *)st->p + *off;
    *value = *name + strlen(*name) + 1;
    *off = (size_t)(*value + strlen(*value) + 1 - (const char *)st->p);
}

/* %{header{NAME}}: the first value of NAME (`len` bytes), case-insensitive; or nothing. */
static int put_field(struct buf *b, const struct buf *st, const char *name, size_t len)
{
    size_t off = 0;
    const char *n, *v;

    while (off < st->len) {
        next_field(st, &off, &n, &v);
        if (strlen(n) == len && !strncasecmp(n, name, len))
            return put(b, v);
    }
    return 0;
}

/* The values of the fields named `name` from `off` on, as a JSON array. */
static int put_values(struct buf *b, const struct buf *st, size_t off, const char *name)
{
    bool first = true;
    const char *n, *v;
    int rv = json_raw(b, "[");

    while (off < st->len && rv == 0) {
        next_field(st, &off, &n, &v);
        if (strcasecmp(n, name))
            continue;
        if (!first)
            rv = json_raw(b, ",");
        first = false;
        if (rv == 0)
            rv = json_str(b, span_str(v));
    }
    return rv ? rv : json_raw(b, "]");
}

/* {"name":["value",...],...}: every value of a name in one array, names in first-seen
 * order and spelling (curl's header_json). */
static int put_fields_json(struct buf *b, const struct buf *st)
{
    size_t off = 0, at, o2;
    bool first = true, seen;
    const char *n, *v, *n2, *v2;
    int rv = json_raw(b, "{");

    while (off < st->len && rv == 0) {
        at = off;
        next_field(st, &off, &n, &v);
        for (o2 = 0, seen = false; o2 < at && !seen;) {
            next_field(st, &o2, &n2, &v2);
            seen = !strcasecmp(n, n2);
        }
        if (seen)
            continue;
        rv = json_key(b, &first, n);
        if (rv == 0)
            rv = put_values(b, st, at, n);
    }
    return rv ? rv : json_raw(b, "}");
}

/* The row named by the `len` bytes at `name`, or NULL. */
static const struct wo_var *find(const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < NVARS; i++)
        if (strlen(vars[i].name) == len && !memcmp(vars[i].name, name, len))
            return &vars[i];
    return NULL;
}

/* What the renderer does after a variable. */
enum step {
    STEP_GO,
    STEP_STOP,
    STEP_OUT,
    STEP_ERR,
};

/*
 * The variable whose name starts at `name` (just after "%{") and ends at `end` (its '}'):
 * appended to `b`. header{NAME} and trailer{NAME} end at the second '}', which must follow
 * the first. Sets `*next` after the variable; returns the step, or a buf_append error.
 */
static int variable(const struct xfer *x, const char *name, const char *end, struct buf *b,
                    const char **next)
{
    size_t len = strcspn(name, "{}");
    const struct wo_var *v = find(name, len);

    *next = end + 1;
    if (v && v->kind == WO_FIELD && name[len] == '{' && end[1] == '}') {
        *next = end + 2;
        return put_field(b, v->get.fields(x), name + len + 1, (size_t)(end - name - len - 1));
    }
    if (!v || v->kind == WO_FIELD || name + len != end) {
        diag_warn("unknown --write-out variable '%.*s'", (int)(end - name), name);
        return STEP_GO;
    }
    switch (v->kind) {
    case WO_FIELDS_JSON:
        return put_fields_json(b, v->get.fields(x));
    case WO_JSON:
        return put_json(x, b);
    case WO_ONERROR:
        return x->result ? STEP_GO : STEP_STOP;
    case WO_STDOUT:
        return STEP_OUT;
    case WO_STDERR:
        return STEP_ERR;
    default:
        return put_value(x, v, b, false);
    }
}

/* The character of escape "\c" in a format, or NULL when `c` makes none. */
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

int wo_render(const struct xfer *x, const char *fmt, struct buf part[2])
{
    return wo_render_from(x, fmt, part, WO_OUT);
}

int wo_render_from(const struct xfer *x, const char *fmt, struct buf part[2], enum wo_stream start)
{
    struct buf *b = &part[start];
    const char *f = fmt, *e;
    int rv = 0;

    while (*f && rv >= 0) {
        if (f[0] == '\\' && (e = escape_char(f[1])) != NULL) {
            rv = put(b, e);
            f += 2;
        } else if (f[0] == '%' && f[1] == '%') {
            rv = put(b, "%");
            f += 2;
        } else if (f[0] == '%' && f[1] == '{' && (e = strchr(f + 2, '}')) != NULL) {
            rv = variable(x, f + 2, e, b, &f);
            if (rv == STEP_STOP)
                break;
            if (rv == STEP_OUT || rv == STEP_ERR)
                b = &part[rv == STEP_OUT ? WO_OUT : WO_ERR];
        } else { /* a run of plain text */
            size_t n = 1 + strcspn(f + 1, "\\%");
            rv = buf_append(b, f, n);
            f += n;
        }
    }
    return rv < 0 ? rv : 0;
}

void wo_emit(struct xfer *x)
{
    struct client *cl = x->cl;
    struct buf part[2];

    buf_init(&part[WO_OUT], &xalloc_mem, SIZE_MAX);
    buf_init(&part[WO_ERR], &xalloc_mem, SIZE_MAX);
    wo_render(x, cl->wo_fmt, part); /* cannot fail: no cap, and xalloc exits when out of memory */
    if (part[WO_OUT].len && out_write(&cl->out, part[WO_OUT].p, part[WO_OUT].len) != 0)
        xfer_fail_output(x, H2E_WRITE, cl->out.detail);
    if (part[WO_ERR].len) {
        fflush(stdout);
        if (out_flush(&cl->out) != 0)
            xfer_fail_output(x, H2E_WRITE, cl->out.detail);
        fwrite(part[WO_ERR].p, 1, part[WO_ERR].len, stderr);
    }
    buf_release(&part[WO_OUT]);
    buf_release(&part[WO_ERR]);
}
