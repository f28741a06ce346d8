/* SPDX-License-Identifier: MIT */
/*
 * The options that carry data rather than a setting: request bodies (-d, --data-binary,
 * --data-raw, --json with curl's @FILE/@- rules), -H headers (@FILE reads one per line) and
 * their lint (msg_lint_request_header, RFC 9113 §8.2), URLs and their output files (-o/-O
 * in order, --output-dir). @FILE arguments are read here, at parse time; -T files are not.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "codec/msg.h"
#include "codec/url.h"
#include "sys/xalloc.h"

/* The whole of `path` ("-" for stdin) into `*out` (malloc'ed, caller frees). */
static int read_all(struct config *cfg, const char *path, char **out, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    size_t cap = 0, n = 0;
    char *p = NULL;
    int err = 0;

    if (!f)
        return cli_fail(cfg, H2E_READ, "cannot read '%s': %s", path, strerror(errno));
    for (;;) {
        if (n == cap)
            p = xrealloc(p, cap = cap ? cap * 2 : 4096);
        n += fread(p + n, 1, cap - n, f);
        if (n < cap) {
            err = ferror(f) ? (errno ? errno : EIO) : 0;
            break;
        }
    }
    if (f != stdin)
        fclose(f);
    if (err) {
        free(p);
        return cli_fail(cfg, H2E_READ, "cannot read '%s': %s", path, strerror(err));
    }
    *out = p;
    *len = n;
    return 0;
}

/* curl's -d @FILE: carriage returns and newlines are dropped. */
static size_t strip_crlf(char *p, size_t n)
{
    size_t i, k = 0;

    for (i = 0; i < n; i++)
        if (p[i] != '\r' && p[i] != '\n')
            p[k++] = p[i];
    return k;
}

/* Append `n` bytes of `p` to the body, after a '&' when `sep` and a piece came before. */
static void append_body(struct cli_request *r, const char *p, size_t n, bool sep)
{
    bool amp = sep && r->body != CLI_BODY_NONE;

    r->data = xrealloc(r->data, r->data_len + n + amp);
    if (amp)
        r->data[r->data_len++] = '&';
    if (n)
        memcpy(r->data + r->data_len, p, n);
    r->data_len += n;
}

int cli_set_data(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    bool json = !strcmp(o->name, "json"), raw = !strcmp(o->name, "data-raw");
    char *file = NULL;
    size_t n = 0;
    int r;

    if (raw || v->str[0] != '@') {
        append_body(&cfg->req, v->str, strlen(v->str), !json);
    } else if (!strcmp(o->name, "data-binary") && !strcmp(v->str, "@-") && !cfg->req.stdin_at) {
        /* read once the whole command line is known: --duplex streams it instead */
        append_body(&cfg->req, "", 0, true);
        cfg->req.stdin_at = cfg->req.data_len + 1;
    } else {
        r = read_all(cfg, v->str + 1, &file, &n);
        if (r)
            return r;
        if (!strcmp(o->name, "data"))
            n = strip_crlf(file, n);
        append_body(&cfg->req, file, n, !json);
        free(file);
    }
    /* As in curl, --json anywhere makes the body JSON. */
    if (json || cfg->req.body == CLI_BODY_NONE)
        cfg->req.body = json ? CLI_BODY_JSON : CLI_BODY_FORM;
    return 0;
}

/*
 * "Name: value" (curl): value without leading blanks; "Name:" alone removes h2get's own
 * header; "Name;" sends an empty value. A leading ':' belongs to the name (pseudo-header).
 */
/* -H goes to the request, --proxy-header (option value 1) to the proxy, --trailer (2) to
 * the request's trailers. */
static int add_header(struct config *cfg, int to_proxy, const char *s, size_t len)
{
    struct cli_header **list = to_proxy == 1   ? &cfg->proxy.headers
                               : to_proxy == 2 ? &cfg->req.trailers
                                               : &cfg->req.headers;
    size_t *n = to_proxy == 1   ? &cfg->proxy.nheaders
                : to_proxy == 2 ? &cfg->req.ntrailers
                                : &cfg->req.nheaders;
    struct cli_header *h;
    const char *colon = len > 1 ? memchr(s + 1, ':', len - 1) : NULL;
    char *line;
    size_t nlen, v;

    if (!colon && !(len > 1 && s[len - 1] == ';'))
        return cli_fail(cfg, H2E_USAGE, "invalid header '%.*s': no ':'", (int)len, s);
    nlen = colon ? (size_t)(colon - s) : len - 1;
    line = xstrndup(s, len);
    h = cli_grow((void **)list, n, sizeof(*h));
    for (v = nlen + 1; v < len && (line[v] == ' ' || line[v] == '\t'); v++)
        ;
    h->line = line;
    h->name = span_of(line, nlen);
    h->value = span_of(line + (colon ? v : len), colon ? len - v : 0);
    h->remove = colon && v == len;
    return 0;
}

int cli_set_header(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    char *file, *p, *end;
    size_t n;
    int r = 0;

    if (v->str[0] != '@')
        return add_header(cfg, o->val, v->str, strlen(v->str));
    r = read_all(cfg, v->str + 1, &file, &n);
    if (r)
        return r;
    for (p = file, end = file + n; p < end && r == 0;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (nl ? nl : end) - p;
        if (len && p[len - 1] == '\r')
            len--;
        if (len)
            r = add_header(cfg, o->val, p, len);
        p = nl ? nl + 1 : end;
    }
    free(file);
    return r;
}

int cli_set_url(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    struct cli_url *u;

    (void)o;
    /* slots before url_fill have a URL; a -o given first made the ones after it */
    if (cfg->url_fill < cfg->nurls)
        u = &cfg->urls[cfg->url_fill];
    else
        u = cli_grow((void **)&cfg->urls, &cfg->nurls, sizeof(*u));
    cfg->url_fill++;
    u->url = v->str;
    return 0;
}

/* -o FILE and -O go to the first URL without an output, in order (curl). */
int cli_set_output(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    struct cli_url *u;

    if (cfg->out_fill < cfg->nurls)
        u = &cfg->urls[cfg->out_fill];
    else
        u = cli_grow((void **)&cfg->urls, &cfg->nurls, sizeof(*u));
    cfg->out_fill++;
    u->has_output = true;
    u->remote_name = o->letter == 'O';
    if (!u->remote_name)
        u->output = xstrdup(v->str);
    return 0;
}

/* -O: the URL's last path segment, "index.html" when that is empty, "." or "..". */
static int remote_name(struct config *cfg, const char *s, char **out)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct url u;
    size_t i = 0;
    int r = url_parse(s, &u, &info);

    if (r < 0)
        return cli_fail(cfg, r, "cannot name the output file of '%s': %s", s,
                        info.why ? info.why : h2e_str(r));
    for (i = u.path.len; i > 0 && u.path.p[i - 1] != '/'; i--)
        ;
    u.path = span_of(u.path.p + i, u.path.len - i);
    if (u.path.len == 0 || span_eq_str(u.path, ".") || span_eq_str(u.path, ".."))
        u.path = span_str("index.html");
    *out = xstrndup((const char *)u.path.p, u.path.len);
    return 0;
}

/* The final path of one URL's output: -O naming, then --output-dir for relative names. */
static int name_output(struct config *cfg, struct cli_url *u)
{
    const char *dir = cfg->out.output_dir;
    size_t dlen;
    char *path;
    int r;

    if (cfg->multi.remote_name_all && !u->has_output)
        u->remote_name = true;
    if (u->remote_name && (r = remote_name(cfg, u->url, &u->output)) < 0)
        return r;
    if (u->output && !u->remote_name && !strcmp(u->output, "-")) {
        free(u->output);
        u->output = NULL;
    }
    if (!u->output || !dir || !*dir || u->output[0] == '/')
        return 0;
    dlen = strlen(dir) - (dir[strlen(dir) - 1] == '/');
    path = xmalloc(dlen + 1 + strlen(u->output) + 1);
    memcpy(path, dir, dlen);
    path[dlen] = '/';
    memcpy(path + dlen + 1, u->output, strlen(u->output) + 1);
    free(u->output);
    u->output = path;
    return 0;
}

/* Names are lower-cased for HTTP/2 (RFC 9113 §8.2.1), then the header is linted. */
static int lint_header(struct config *cfg, struct cli_header *h)
{
    struct h2e_info info = H2E_INFO_INIT;

    msg_lowercase_name(h->line, h->name.len);
    if (h->remove || msg_lint_request_header(h->name, h->value, &info) >= 0)
        return 0;
    return cli_fail(cfg, H2E_USAGE, "refusing header '%.*s': %s; --raw-headers sends it anyway",
                    (int)h->name.len, h->line, info.why ? info.why : "invalid");
}

/* --trailer: a regular field that may be a trailer (RFC 9110 §6.5.1), sent lower-case. */
static int lint_trailer(struct config *cfg, struct cli_header *h)
{
    const char *why = msg_trailer_forbidden(h->name);

    if (h->remove || (h->name.len && h->name.p[0] == ':'))
        return cli_fail(cfg, H2E_USAGE, "refusing trailer '%s': %s", h->line,
                        h->remove ? "no value" : "no pseudo-headers in trailers (RFC 9113 §8.1)");
    if (why)
        return cli_fail(cfg, H2E_USAGE, "refusing trailer '%.*s': %s", (int)h->name.len, h->line,
                        why);
    return lint_header(cfg, h);
}

/* --data-binary @-: stdin joins the body where it was given, or is streamed (--duplex). */
static int finish_stdin_data(struct config *cfg)
{
    struct cli_request *r = &cfg->req;
    size_t at = r->stdin_at - 1, n;
    char *in;
    int rv;

    if (r->duplex) {
        if (r->data_len)
            return cli_fail(cfg, H2E_USAGE,
                            "'--duplex' streams '--data-binary @-' alone: no other data");
        r->stream_post = true;
        r->upload_file = "-";
        r->body = CLI_BODY_UPLOAD;
        return 0;
    }
    if ((rv = read_all(cfg, "-", &in, &n)) != 0)
        return rv;
    r->data = xrealloc(r->data, r->data_len + n + 1);
    memmove(r->data + at + n, r->data + at, r->data_len - at);
    if (n)
        memcpy(r->data + at, in, n);
    r->data_len += n;
    free(in);
    return 0;
}

int cli_finish_data(struct config *cfg)
{
    size_t i;
    int r;

    if (cfg->req.stdin_at && (r = finish_stdin_data(cfg)) < 0)
        return r;
    for (i = 0; i < cfg->req.ntrailers; i++)
        if ((r = lint_trailer(cfg, &cfg->req.trailers[i])) < 0)
            return r;

    for (i = 0; i < cfg->req.nheaders && !cfg->req.raw_headers; i++)
        if ((r = lint_header(cfg, &cfg->req.headers[i])) < 0)
            return r;
    for (i = 0; i < cfg->proxy.nheaders; i++) {
        struct cli_header *h = &cfg->proxy.headers[i];
        if (h->name.len && h->name.p[0] == ':')
            return cli_fail(cfg, H2E_USAGE, "refusing proxy header '%.*s': no pseudo-headers",
                            (int)h->name.len, h->line);
        if (!cfg->req.raw_headers && (r = lint_header(cfg, h)) < 0)
            return r;
    }
    for (i = 0; i < cfg->nurls; i++)
        if ((r = name_output(cfg, &cfg->urls[i])) < 0)
            return r;
    return 0;
}

void cli_release_data(struct config *cfg)
{
    size_t i;

    for (i = 0; i < cfg->req.nheaders; i++)
        free(cfg->req.headers[i].line);
    free(cfg->req.headers);
    for (i = 0; i < cfg->req.ntrailers; i++)
        free(cfg->req.trailers[i].line);
    free(cfg->req.trailers);
    for (i = 0; i < cfg->proxy.nheaders; i++)
        free(cfg->proxy.headers[i].line);
    free(cfg->proxy.headers);
    free(cfg->req.data);
    for (i = 0; i < cfg->nurls; i++)
        free(cfg->urls[i].output);
}
