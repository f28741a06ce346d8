/* SPDX-License-Identifier: MIT */
/*
 * argv -> struct config: walks the arguments (long options with "=value" or a separate
 * value, combined short options, "--"), finds each option in the sorted table
 * (cli_opts.c) with bsearch, parses its argument by kind and calls its setter, then checks
 * what only the whole command line can tell (no URL, conflicts). Also --help, --version
 * and --dump-options from the table. Never prints an error and never exits.
 */
#include "cli.h"

#include <gnutls/gnutls.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "codec/coding.h"
#include "sys/xalloc.h"

static const char *const category_names[CLI_CAT_COUNT] = {
    [CLI_CAT_OUTPUT] = "Output",
    [CLI_CAT_REQUEST] = "Request",
    [CLI_CAT_BEHAVIOUR] = "Behaviour",
    [CLI_CAT_CONNECTION] = "Connection",
    [CLI_CAT_TLS] = "TLS",
    [CLI_CAT_HTTP] = "HTTP versions",
    [CLI_CAT_H2] = "HTTP/2 controls",
    [CLI_CAT_MULTI] = "Many URLs",
    [CLI_CAT_DEBUG] = "Debugging",
    [CLI_CAT_INFO] = "Information",
    [CLI_CAT_HIDDEN] = "hidden",
};

void cli_init(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->req.user_agent = "h2get/" H2GET_VERSION;
    cfg->req.max_redirs = CLI_MAX_REDIRS;
    cfg->net.connect_timeout_ms = CLI_CONNECT_TIMEOUT_MS;
    cfg->net.stall_timeout_ms = CLI_STALL_TIMEOUT_MS;
    cfg->multi.parallel_max = CLI_PARALLEL_MAX;
    cfg->multi.parallel_max_host = CLI_PARALLEL_MAX;
    cfg->multi.repeat = 1;
    cfg->out.max_ratio = CLI_MAX_DECOMPRESSED_RATIO;
    cfg->h2.hpack_indexing = -1;
    cfg->resume.continue_at = -1;
    cfg->cond.proto = CLI_PROTO_ALL;
    cfg->cond.proto_redir = CLI_PROTO_REDIR_DEFAULT;
}

void cli_release(struct config *cfg)
{
    cli_release_data(cfg);
    free(cfg->urls);
    free(cfg->net.resolve);
    free(cfg->net.connect_to);
    free(cfg->h2.settings);
    cli_release_more(cfg);
    free(cfg->cookies.in);
    cli_release_config(cfg);
    free(cfg->error);
    cli_init(cfg);
}

int cli_fail(struct config *cfg, int code, const char *fmt, ...)
{
    va_list ap;

    free(cfg->error);
    va_start(ap, fmt);
    cfg->error = xvasprintf(fmt, ap);
    va_end(ap);
    return code;
}

void *cli_grow(void **p, size_t *n, size_t size)
{
    char *np = *p;

    /* The room is the power of two at or above *n, so the array moves only when *n is one:
     * a -K file of 10,000 URLs copied its growing arrays once per line before. */
    if ((*n & (*n - 1)) == 0)
        *p = np = xrealloc(np, (*n ? 2 * *n : 1) * size);
    memset(np + *n * size, 0, size);
    return np + (*n)++ * size;
}

const char *cli_category_name(enum cli_category c)
{
    return c < CLI_CAT_COUNT ? category_names[c] : "?";
}

struct key {
    const char *p;
    size_t len;
};

static int by_name(const void *k, const void *e)
{
    const struct key *key = k;
    const char *name = ((const struct cli_opt *)e)->name;
    int c = strncmp(key->p, name, key->len);

    if (c)
        return c;
    return name[key->len] ? -1 : 0; /* the key is a proper prefix of name */
}

const struct cli_opt *cli_find(const char *name, size_t len)
{
    struct key key = {name, len};

    if (memchr(name, 0, len))
        return NULL;
    return bsearch(&key, cli_opts, cli_nopts, sizeof(cli_opts[0]), by_name);
}

const struct cli_opt *cli_find_letter(char c)
{
    size_t i;

    for (i = 0; c && i < cli_nopts; i++)
        if (cli_opts[i].letter == c)
            return &cli_opts[i];
    return NULL;
}

/* [-]digits, at most 15 of them (enough for any count, far from overflow). */
static bool parse_number(const char *s, long long *out)
{
    long long v = 0;
    bool neg = *s == '-';
    size_t n = 0;

    for (s += neg; *s >= '0' && *s <= '9' && n < 16; s++, n++)
        v = v * 10 + (*s - '0');
    if (*s || n == 0 || n > 15)
        return false;
    *out = neg ? -v : v;
    return true;
}

/* digits[.digits] seconds into milliseconds; a non-zero value never rounds down to 0. */
static bool parse_seconds(const char *s, uint64_t *ms)
{
    uint64_t sec = 0, frac = 0, scale = 100;
    bool digits = false, nonzero = false;

    for (; *s >= '0' && *s <= '9'; s++, digits = true) {
        sec = sec * 10 + (uint64_t)(*s - '0');
        if (sec > UINT32_MAX)
            return false;
    }
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++, digits = true, scale /= 10) {
            frac += scale * (uint64_t)(*s - '0');
            nonzero |= *s != '0';
        }
    if (*s || !digits)
        return false;
    *ms = sec * 1000 + frac;
    if (*ms == 0 && nonzero)
        *ms = 1;
    return true;
}

/* digits with an optional K, M or G (powers of 1024, either case). */
static bool parse_size(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    const char *start = s;
    unsigned shift = 0;

    for (; *s >= '0' && *s <= '9'; s++) {
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (s == start)
        return false;
    if (*s == 'k' || *s == 'K')
        shift = 10;
    else if (*s == 'm' || *s == 'M')
        shift = 20;
    else if (*s == 'g' || *s == 'G')
        shift = 30;
    if (shift)
        s++;
    if (*s || v > (UINT64_MAX >> shift))
        return false;
    *out = v << shift;
    return true;
}

/* Parse `arg` by the option's kind and hand it to the setter. */
int cli_apply(struct config *cfg, const struct cli_opt *o, const char *arg)
{
    struct cli_val v = {arg, 0, 0};
    const char *what = NULL;

    if (o->kind == CLI_ARG_NUMBER && !parse_number(arg, &v.num))
        what = "number";
    else if (o->kind == CLI_ARG_SECONDS && !parse_seconds(arg, &v.u64))
        what = "duration";
    else if (o->kind == CLI_ARG_SIZE && !parse_size(arg, &v.u64))
        what = o->arg && !strcmp(o->arg, "SPEED") ? "speed" : "size";
    if (what)
        return cli_fail(cfg, H2E_USAGE, "invalid %s '%s' for '--%s'", what, arg, o->name);
    return o->set(cfg, o, &v);
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    while (*s >= '0' && *s <= '9')
        s++;
    return !*s;
}

/*
 * An optional argument: `value` after "=", else maybe the `next` word. A count takes a next
 * word of digits (no URL is only digits). A file name cannot be told from a URL without
 * scheme, so "--frames trace.txt" is refused rather than fetching trace.txt as a URL (and
 * writing its body where the trace was meant to go); a next word with "://" or "-" is not
 * meant for the option.
 */
static int optional(struct config *cfg, const struct cli_opt *o, const char *value,
                    const char *next, int *i)
{
    if (value || !next)
        return cli_apply(cfg, o, value);
    if (o->kind == CLI_ARG_OPTIONAL_COUNT && all_digits(next)) {
        ++*i;
        return cli_apply(cfg, o, next);
    }
    if (o->kind == CLI_ARG_OPTIONAL && next[0] != '-' && !strstr(next, "://"))
        return cli_fail(cfg, H2E_USAGE,
                        "'--%s' takes %s only as '--%s=%s': write '--%s=%s', or the URL "
                        "'%s' with its scheme",
                        o->name, o->arg, o->name, o->arg, o->name, next, next);
    return cli_apply(cfg, o, NULL);
}

/* "--name", "--name=value" or "--name value"; `*i` moves past a consumed value. */
static int long_option(struct config *cfg, int argc, const char *const argv[], int *i)
{
    const char *name = argv[*i] + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const struct cli_opt *o = cli_find(name, len);

    if (!o)
        return cli_fail(cfg, H2E_USAGE, "unknown option '--%.*s'", (int)len, name);
    if (o->kind == CLI_ARG_NONE) {
        if (eq)
            return cli_fail(cfg, H2E_USAGE, "option '--%s' takes no value", o->name);
        return cli_apply(cfg, o, NULL);
    }
    if (o->kind == CLI_ARG_OPTIONAL || o->kind == CLI_ARG_OPTIONAL_COUNT)
        return optional(cfg, o, eq ? eq + 1 : NULL, *i + 1 < argc ? argv[*i + 1] : NULL, i);
    if (eq)
        return cli_apply(cfg, o, eq + 1);
    if (*i + 1 >= argc)
        return cli_fail(cfg, H2E_USAGE, "option '--%s' requires an argument", o->name);
    return cli_apply(cfg, o, argv[++*i]);
}

/* "-sSfL", "-ofile", "-o file": flags combine; an option with an argument ends the group. */
static int short_options(struct config *cfg, int argc, const char *const argv[], int *i)
{
    const char *arg = argv[*i];
    size_t j;
    int r;

    for (j = 1; arg[j]; j++) {
        const struct cli_opt *o = cli_find_letter(arg[j]);
        if (!o)
            return cli_fail(cfg, H2E_USAGE, "unknown option '-%c'", arg[j]);
        if (o->kind == CLI_ARG_NONE) {
            r = cli_apply(cfg, o, NULL);
            if (r)
                return r;
            continue;
        }
        if (arg[j + 1])
            return cli_apply(cfg, o, arg + j + 1);
        if (*i + 1 >= argc)
            return cli_fail(cfg, H2E_USAGE, "option '-%c' requires an argument", arg[j]);
        return cli_apply(cfg, o, argv[++*i]);
    }
    return 0;
}

static int url_argument(struct config *cfg, const char *arg)
{
    struct cli_val v = {arg, 0, 0};
    return cli_set_url(cfg, cli_find("url", 3), &v);
}

/* --tunnel-to: no transfer; at most one URL, which names the proxy (unless -x does). */
static int check_tunnel_to(struct config *cfg)
{
    if (cfg->nurls > 1 || (cfg->nurls == 1 && (!cfg->urls[0].url || cfg->urls[0].output)))
        return cli_fail(cfg, H2E_USAGE,
                        "'--tunnel-to' takes one URL at most (the proxy's) and no output file");
    if (cfg->nurls == 1 && cfg->proxy.url && *cfg->proxy.url)
        return cli_fail(cfg, H2E_USAGE,
                        "'--tunnel-to' goes through -x or through the URL's server, not both");
    if (cfg->req.body != CLI_BODY_NONE || cfg->req.upload_file)
        return cli_fail(cfg, H2E_USAGE, "'--tunnel-to' sends stdin as it is: no request body");
    return cli_finish_data(cfg);
}

/* -T - reads stdin once, as it is sent: there is nothing to send a second URL. */
static int check_stdin_once(struct config *cfg)
{
    size_t n = cfg->nurls * (size_t)cfg->multi.repeat;

    if (!cfg->req.upload_file || strcmp(cfg->req.upload_file, "-") != 0 || n <= 1)
        return 0;
    return cli_fail(cfg, H2E_USAGE,
                    "'--upload-file -' reads stdin once, so it takes one URL, not %zu", n);
}

/* --sse-json is --sse with another output; each event is written through (-N). An event
 * stream is quiet by design between events: the stall timeout holds only when given. */
static void finish_sse(struct config *cfg)
{
    if (cfg->req.sse_json)
        cfg->req.sse = true;
    if (cfg->req.sse)
        cfg->out.no_buffer = true;
    if (cfg->req.sse && !cfg->net.stall_timeout_given)
        cfg->net.stall_timeout_ms = 0;
}

/* What only the whole command line can tell. */
static int check(struct config *cfg)
{
    static const char *const body_opt[] = {NULL, "--data", "--json", "--upload-file"};
    int r;

    if (cfg->proxy.tunnel_to)
        return check_tunnel_to(cfg);
    /* URLs fill the list from the front, so only the last entry can lack one */
    if (cfg->nurls == 0 || !cfg->urls[0].url)
        return cli_fail(cfg, H2E_USAGE, "no URL specified");
    if (!cfg->urls[cfg->nurls - 1].url)
        return cli_fail(cfg, H2E_USAGE, "more output options than URLs");
    if (cfg->req.upload_file && cfg->req.body != CLI_BODY_NONE)
        return cli_fail(cfg, H2E_USAGE, "'%s' cannot be used with '--upload-file'",
                        body_opt[cfg->req.body]);
    if (cfg->req.upload_file)
        cfg->req.body = CLI_BODY_UPLOAD;
    if (cfg->req.head && cfg->req.body != CLI_BODY_NONE)
        return cli_fail(cfg, H2E_USAGE, "'--head' cannot be used with '%s'",
                        body_opt[cfg->req.body]);
    if (cfg->out.fail && cfg->out.fail_with_body)
        return cli_fail(cfg, H2E_USAGE, "'--fail' cannot be used with '--fail-with-body'");
    if (cfg->proto.http2_only && cfg->proto.http == CLI_HTTP_1_1)
        return cli_fail(cfg, H2E_USAGE, "'--http2-only' cannot be used with '--http1.1'");
    if (cfg->req.ntrailers && cfg->req.body == CLI_BODY_NONE && !cfg->req.stdin_at)
        return cli_fail(cfg, H2E_USAGE, "'--trailer' needs a request body");
    if (cfg->req.duplex && (cfg->nurls != 1 || cfg->multi.repeat > 1))
        return cli_fail(cfg, H2E_USAGE, "'--duplex' takes one URL");
    if (check_stdin_once(cfg) != 0)
        return H2E_USAGE;
    if (cfg->req.duplex && cfg->req.body != CLI_BODY_UPLOAD && !cfg->req.stdin_at)
        return cli_fail(cfg, H2E_USAGE,
                        "'--duplex' needs '--upload-file FILE', '-T -' or '--data-binary @-'");
    if ((r = cli_check_parity(cfg)) != 0)
        return r;
    finish_sse(cfg);
    return cli_finish_data(cfg);
}

int cli_parse(struct config *cfg, int argc, const char *const argv[])
{
    bool options = true;
    int i, r = cli_config_default(cfg, argc, argv); /* first, so the command line wins */

    for (i = 1; i < argc && r == 0; i++) {
        const char *arg = argv[i];
        if (options && !strcmp(arg, "--"))
            options = false;
        else if (options && arg[0] == '-' && arg[1] == '-')
            r = long_option(cfg, argc, argv, &i);
        else if (options && arg[0] == '-' && arg[1])
            r = short_options(cfg, argc, argv, &i);
        else
            r = url_argument(cfg, arg);
    }
    return r ? r : check(cfg);
}

const char *cli_method(const struct config *cfg)
{
    if (cfg->req.method)
        return cfg->req.method;
    if (cfg->req.head)
        return "HEAD";
    if (cfg->req.upload_file && !cfg->req.stream_post)
        return "PUT";
    return cfg->req.body != CLI_BODY_NONE ? "POST" : "GET";
}

const char *cli_content_type(const struct config *cfg)
{
    if (cfg->req.body == CLI_BODY_JSON)
        return "application/json";
    if (cfg->req.body == CLI_BODY_FORM || cfg->req.stream_post) /* curl's --data-binary */
        return "application/x-www-form-urlencoded";
    return NULL;
}

struct net_overrides cli_net_overrides(const struct config *cfg)
{
    struct net_overrides ov = {cfg->net.resolve, cfg->net.nresolve, cfg->net.connect_to,
                               cfg->net.nconnect_to};
    return ov;
}

/* " -o, --output FILE" or "     --output-dir DIR" into `buf`. */
static void synopsis(const struct cli_opt *o, char *buf, size_t cap)
{
    char letter[8] = "    ";

    if (o->letter)
        snprintf(letter, sizeof(letter), "-%c, ", o->letter);
    snprintf(buf, cap, " %s--%s%s%s%s", letter, o->name,
             o->kind == CLI_ARG_OPTIONAL         ? "[="
             : o->kind == CLI_ARG_OPTIONAL_COUNT ? " ["
             : o->arg                            ? " "
                                                 : "",
             o->arg ? o->arg : "",
             o->kind == CLI_ARG_OPTIONAL || o->kind == CLI_ARG_OPTIONAL_COUNT ? "]" : "");
}

void cli_help(FILE *f)
{
    enum { COL = 34 };
    unsigned c;
    size_t i;

    fputs("Usage: h2get [options...] <URL>...\n"
          "Fetch URLs over HTTP/2 (or HTTP/1.1), concurrently on one connection per origin.\n",
          f);
    for (c = 0; c < CLI_CAT_HIDDEN; c++) {
        fprintf(f, "\n%s:\n", category_names[c]);
        for (i = 0; i < cli_nopts; i++) {
            char left[96];
            if (cli_opts[i].cat != c)
                continue;
            synopsis(&cli_opts[i], left, sizeof(left));
            if (strlen(left) < COL)
                fprintf(f, "%-*s%s\n", COL, left, cli_opts[i].help);
            else
                fprintf(f, "%s\n%*s%s\n", left, COL, "", cli_opts[i].help);
        }
    }
    fputs("\nExit codes and details: man h2get\n", f);
}

void cli_version(FILE *f)
{
    /* as curl's first line: the libraries linked, with their versions */
    fprintf(f, "h2get %s (GnuTLS %s) %s\n", H2GET_VERSION, gnutls_check_version(NULL),
            coding_versions());
    fputs("Protocols: http https\n"
          "Features: alpn brotli h2c http1.1 ipv6 keylog libz tls1.2 tls1.3 zstd\n",
          f);
}

void cli_dump_options(FILE *f)
{
    unsigned c;
    size_t i;

    /* grouped as in --help, so that scripts keep the categories in order */
    for (c = 0; c < CLI_CAT_COUNT; c++) {
        for (i = 0; i < cli_nopts; i++) {
            const struct cli_opt *o = &cli_opts[i];
            char letter[3] = "";
            if (o->cat != c)
                continue;
            if (o->letter)
                snprintf(letter, sizeof(letter), "-%c", o->letter);
            fprintf(f, "--%s\t%s\t%s\t%s\t%s\t%s\t%s\n", o->name, letter, o->arg ? o->arg : "",
                    category_names[c], o->repeat ? "repeat" : "", o->help,
                    o->kind == CLI_ARG_OPTIONAL         ? "="
                    : o->kind == CLI_ARG_OPTIONAL_COUNT ? "word"
                                                        : "");
        }
    }
}
