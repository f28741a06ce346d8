/* SPDX-License-Identifier: MIT */
/*
 * -z/--time-cond as curl reads it: an optional '+' (if-modified-since, the default), '-'
 * (if-unmodified-since) or '=' (last-modified), then a free-form date (codec/date.c's
 * date_parse_loose, curl_getdate's forms) or else the name of a file whose mtime is used.
 * Stricter than curl, which warns and drops the condition: a value that is neither is a
 * usage error, unless it names an output file of this run (`-z FILE -o FILE` before FILE
 * exists: the condition is dropped then, as curl drops it).
 */
#include <string.h>
#include <sys/stat.h>

#include "cli_int.h"
#include "codec/date.h"

int cli_set_time_cond(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    struct cli_cond *c = &cfg->cond;
    const char *s = v->str;

    (void)o;
    c->time_cond = s;
    c->time_kind = CLI_TIME_MODIFIED;
    if (*s == '+' || *s == '-' || *s == '=') {
        c->time_kind = *s == '+'   ? CLI_TIME_MODIFIED
                       : *s == '-' ? CLI_TIME_UNMODIFIED
                                   : CLI_TIME_LAST_MODIFIED;
        s++;
    }
    c->time_value = s;
    c->time_file = date_parse_loose(span_str(s), &c->time_at, NULL) != 0;
    return 0;
}

static bool is_output(const struct config *cfg, const char *path)
{
    size_t i;

    for (i = 0; i < cfg->nurls; i++)
        if (cfg->urls[i].output && !strcmp(cfg->urls[i].output, path))
            return true;
    return false;
}

/* Once the outputs are known: the file's mtime, or the first-run exception, or an error. */
int cli_check_time_cond(struct config *cfg)
{
    struct cli_cond *c = &cfg->cond;
    struct stat st;

    if (!c->time_cond || !c->time_file)
        return 0;
    if (stat(c->time_value, &st) == 0) {
        c->time_at = (int64_t)st.st_mtime;
        return 0;
    }
    if (is_output(cfg, c->time_value)) {
        c->time_kind = CLI_TIME_NONE;
        return 0;
    }
    return cli_fail(cfg, H2E_USAGE, "'--time-cond': '%s' is neither a date nor an existing file",
                    c->time_cond);
}
