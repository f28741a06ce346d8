/* SPDX-License-Identifier: MIT */
/*
 * Setters for curl's everyday options that are not about HTTP/2: --retry, -r, -C, -b,
 * --limit-rate, and the checks they need of the whole command line (-J needs -O, -C and
 * -r exclude each other). Meanings as in curl (../shared/CLI.md §6, §9).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_int.h"

int cli_set_retry(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    if (v->num < 0 || v->num > 1000000)
        return cli_fail(cfg, H2E_USAGE, "'--%s' takes 0 to 1000000, not '%s'", o->name, v->str);
    cfg->retry.count = (long)v->num;
    return 0;
}

/* --limit-rate SPEED: bytes per second with curl's K, M, G (parsed as a size); 0 would
 * mean "never send anything", so it is refused rather than taken as "no limit". */
int cli_set_limit_rate(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    if (v->u64 == 0)
        return cli_fail(cfg, H2E_USAGE, "'--%s' takes a speed above 0, not '%s'", o->name, v->str);
    cfg->net.limit_rate = v->u64;
    return 0;
}

int cli_set_continue_at(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    const char *s = v->str;
    int64_t n = 0;

    if (!strcmp(s, "-")) {
        cfg->resume.continue_auto = true;
        cfg->resume.continue_at = -1;
        return 0;
    }
    if (!*s)
        return cli_fail(cfg, H2E_USAGE, "'--%s' takes an offset or '-', not ''", o->name);
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || n > (INT64_MAX - 9) / 10)
            return cli_fail(cfg, H2E_USAGE, "'--%s' takes an offset or '-', not '%s'", o->name,
                            v->str);
        n = n * 10 + (*s - '0');
    }
    cfg->resume.continue_auto = false;
    cfg->resume.continue_at = n;
    return 0;
}

/* One range of -r: "N-M" (N <= M), "N-" or "-N" (the last N bytes). */
static bool range_ok(const char *s, size_t len)
{
    const char *dash = memchr(s, '-', len);
    size_t i, a, b;
    unsigned long long lo = 0, hi = 0;

    if (!dash)
        return false;
    a = (size_t)(dash - s);
    b = len - a - 1;
    if ((!a && !b) || a > 19 || b > 19)
        return false;
    for (i = 0; i < len; i++)
        if (i != a && (s[i] < '0' || s[i] > '9'))
            return false;
    for (i = 0; i < a; i++)
        lo = lo * 10 + (unsigned)(s[i] - '0');
    for (i = a + 1; i < len; i++)
        hi = hi * 10 + (unsigned)(s[i] - '0');
    return !a || !b || lo <= hi;
}

/* RFC 9110 §14.1.2: ranges in bytes, comma-separated, as curl's -r takes them. */
int cli_set_range(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    const char *s = v->str, *comma;

    do {
        comma = strchr(s, ',');
        if (!range_ok(s, comma ? (size_t)(comma - s) : strlen(s)))
            return cli_fail(cfg, H2E_USAGE,
                            "'--%s' takes byte ranges such as 0-499, 500- or -500, not '%s'",
                            o->name, v->str);
        s = comma + 1;
    } while (comma);
    cfg->resume.range = v->str;
    return 0;
}

static const struct {
    const char *name;
    unsigned bit;
} protos[] = {
    {"http", CLI_PROTO_HTTP}, {"https", CLI_PROTO_HTTPS}, {"ws", CLI_PROTO_WS},
    {"wss", CLI_PROTO_WSS},   {"all", CLI_PROTO_ALL},
};

/* The bits `n` bytes at `s` name, 0 for no protocol we know. */
static unsigned proto_bits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
        if (strlen(protos[i].name) == n && !strncasecmp(s, protos[i].name, n))
            return protos[i].bit;
    return 0;
}

unsigned cli_proto_bit(const char *scheme)
{
    unsigned b = proto_bits(scheme, strlen(scheme));

    return b == CLI_PROTO_ALL ? 0 : b;
}

int cli_proto_list(const char *list, unsigned *mask, const char **bad)
{
    const char *s = list;
    size_t n;
    unsigned b;
    char op;

    for (;; s += n + 1) {
        n = strcspn(s, ",");
        op = (*s == '+' || *s == '-' || *s == '=') ? *s : '+';
        b = proto_bits(s + (op == *s), n - (op == *s));
        if (!b) {
            *bad = s;
            return -1;
        }
        if (op == '=')
            *mask = b;
        else if (op == '-')
            *mask &= ~b;
        else
            *mask |= b;
        if (!s[n])
            return 0;
    }
}

/* --proto (val 0) and --proto-redir (val 1): each list applies to all protocols. */
int cli_set_proto(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    unsigned *mask = o->val ? &cfg->cond.proto_redir : &cfg->cond.proto;
    const char *bad;

    *mask = CLI_PROTO_ALL;
    if (cli_proto_list(v->str, mask, &bad))
        return cli_fail(cfg, H2E_USAGE,
                        "'--%s': unknown protocol '%.*s' (http, https, ws, wss or all)", o->name,
                        (int)strcspn(bad, ","), bad);
    return 0;
}

int cli_set_cookie(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    (void)o;
    *(const char **)cli_grow((void **)&cfg->cookies.in, &cfg->cookies.nin, sizeof(char *)) = v->str;
    return 0;
}

int cli_check_parity(struct config *cfg)
{
    size_t i;

    if (cli_check_time_cond(cfg) != 0)
        return H2E_USAGE;
    if (cfg->resume.range && (cfg->resume.continue_auto || cfg->resume.continue_at >= 0))
        return cli_fail(cfg, H2E_USAGE, "'--continue-at' cannot be used with '--range'");
    if (!cfg->resume.remote_header_name)
        return 0;
    if (cfg->resume.continue_auto || cfg->resume.continue_at >= 0)
        return cli_fail(cfg, H2E_USAGE,
                        "'--continue-at' cannot be used with '--remote-header-name'");
    for (i = 0; i < cfg->nurls; i++)
        if (!cfg->urls[i].remote_name && !cfg->multi.remote_name_all)
            return cli_fail(cfg, H2E_USAGE,
                            "'--remote-header-name' needs '--remote-name' for every URL");
    return 0;
}
