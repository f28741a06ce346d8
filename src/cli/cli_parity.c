/* SPDX-License-Identifier: MIT */
/*
 * Setters for curl's everyday options that are not about HTTP/2: --retry, -r, -C, -b,
 * and the checks they need of the whole command line (-J needs -O, -C and -r exclude each
 * other). Meanings as in curl (../shared/CLI.md §6, §9).
 */
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"

int cli_set_retry(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    if (v->num < 0 || v->num > 1000000)
        return cli_fail(cfg, H2E_USAGE, "'--%s' takes 0 to 1000000, not '%s'", o->name, v->str);
    cfg->retry.count = (long)v->num;
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

int cli_set_cookie(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    (void)o;
    *(const char **)cli_grow((void **)&cfg->cookies.in, &cfg->cookies.nin, sizeof(char *)) = v->str;
    return 0;
}

int cli_check_parity(struct config *cfg)
{
    size_t i;

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
