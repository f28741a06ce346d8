/* SPDX-License-Identifier: MIT */
/*
 * Setters for the HTTP/2 controls and test aids (CLI.md §3), the debugging views (§7) and
 * the many-URL options (§1, §4): --settings NAME=V lists, window sizes in bits or bytes,
 * table sizes, counts, --hpack-indexing, --extpri (RFC 9218), --rate N/unit, and URL
 * lists read from a file (--url @FILE, --input-file).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_int.h"
#include "base/h2.h"
#include "codec/hpack.h"
#include "base/limits.h"
#include "sys/xalloc.h"

int cli_set_frames(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    (void)o;
    cfg->trace.frames = true;
    cfg->trace.frames_file = v->str && *v->str ? v->str : NULL;
    return 0;
}

int cli_set_strict(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    (void)o;
    (void)v;
    cfg->trace.strict = true;
    cfg->trace.check = true;
    return 0;
}

static bool parse_u32(const char *s, uint32_t max, uint32_t *out)
{
    char *end;
    unsigned long long v;

    if (!s || !*s || *s == '-')
        return false;
    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno || *end || v > max)
        return false;
    *out = (uint32_t)v;
    return true;
}

int cli_set_ping(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    uint32_t n = 1;
    if (v->str && (!parse_u32(v->str, 1000, &n) || n == 0))
        return cli_fail(cfg, H2E_USAGE, "'--%s' takes a count from 1 to 1000, not '%s'", o->name,
                        v->str);
    cfg->h2.ping = n;
    return 0;
}

int cli_set_color(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    static const char *const names[] = {"auto", "always", "never"};
    size_t i;

    for (i = 0; i < 3; i++)
        if (!strcmp(v->str, names[i])) {
            cfg->trace.color = (enum cli_color)i;
            cfg->trace.color_given = true;
            return 0;
        }
    return cli_fail(cfg, H2E_USAGE, "'--%s' takes auto, always or never, not '%s'", o->name,
                    v->str);
}

static int setting_id(const char *name, size_t len, uint16_t *id)
{
    uint32_t v;
    char buf[32];
    uint16_t i;

    if (len == 0 || len >= sizeof(buf))
        return -1;
    memcpy(buf, name, len);
    buf[len] = 0;
    for (i = 1; i <= 6; i++)
        if (!strcasecmp(buf, h2_setting_name(i)) ||
            (!strncasecmp(buf, "SETTINGS_", 9) && !strcasecmp(buf + 9, h2_setting_name(i)))) {
            *id = i;
            return 0;
        }
    if (!parse_u32(buf, 0xffff, &v))
        return -1;
    *id = (uint16_t)v;
    return 0;
}

/* --settings NAME=V[,NAME=V...] or "empty" (h2i's spelling): appended in order. */
int cli_set_settings(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    const char *p = v->str;

    if (!strcmp(p, "empty")) {
        cfg->h2.settings_empty = true;
        return 0;
    }
    while (*p) {
        const char *comma = strchr(p, ','), *eq = strchr(p, '=');
        const char *end = comma ? comma : p + strlen(p);
        struct cli_setting st;
        char val[16];

        if (!eq || eq > end || (size_t)(end - eq - 1) >= sizeof(val) ||
            setting_id(p, (size_t)(eq - p), &st.id) != 0)
            return cli_fail(cfg, H2E_USAGE, "bad '--%s' entry '%.*s' (want NAME=VALUE)", o->name,
                            (int)(end - p), p);
        memcpy(val, eq + 1, (size_t)(end - eq - 1));
        val[end - eq - 1] = 0;
        if (!parse_u32(val, UINT32_MAX, &st.value))
            return cli_fail(cfg, H2E_USAGE, "bad value '%s' in '--%s'", val, o->name);
        if (cfg->h2.nsettings >= LIMIT_SETTINGS_ENTRIES)
            return cli_fail(cfg, H2E_USAGE, "more than %u '--%s' entries", LIMIT_SETTINGS_ENTRIES,
                            o->name);
        *(struct cli_setting *)cli_grow((void **)&cfg->h2.settings, &cfg->h2.nsettings,
                                        sizeof(st)) = st;
        p = comma ? comma + 1 : end;
    }
    return 0;
}

/* --window-bits N (2^N-1, nghttp -w) and --window-size SIZE, for streams or the
 * connection; at most 2^31-1 (RFC 9113 §6.9.1). */
int cli_set_window(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    bool conn = !strncmp(o->name, "connection", 10);
    uint64_t w;

    if (strstr(o->name, "bits")) {
        if (v->num < 0 || v->num > 31)
            return cli_fail(cfg, H2E_USAGE, "'--%s' takes 0 to 31, not '%s'", o->name, v->str);
        w = (1ull << v->num) - 1;
    } else {
        w = v->u64;
    }
    if (w > H2_MAX_WINDOW || (conn && w < H2_DEFAULT_WINDOW))
        return cli_fail(cfg, H2E_USAGE, "'--%s' %s is out of range (%s to 2^31-1)", o->name, v->str,
                        conn ? "65535" : "0");
    if (conn) {
        cfg->h2.conn_window = (uint32_t)w;
    } else {
        cfg->h2.stream_window = (uint32_t)w;
        cfg->h2.stream_window_zero = w == 0;
    }
    return 0;
}

int cli_set_table_size(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    if (v->u64 > UINT32_MAX)
        return cli_fail(cfg, H2E_USAGE, "'--%s' %s is too large", o->name, v->str);
    if (!strncmp(o->name, "encoder", 7)) {
        cfg->h2.encoder_table_size = (uint32_t)v->u64;
        cfg->h2.encoder_table_size_set = true;
    } else {
        cfg->h2.header_table_size = (uint32_t)v->u64;
        cfg->h2.header_table_size_set = true;
    }
    return 0;
}

/* Counts: --parallel-max, --parallel-max-host, --repeat, --max-concurrent-streams,
 * --padding. */
int cli_set_count(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    long long min = 1, max = 1000000;

    if (!strcmp(o->name, "padding"))
        min = 0, max = 255;
    if (v->num < min || v->num > max)
        return cli_fail(cfg, H2E_USAGE, "'--%s' takes %lld to %lld, not '%s'", o->name, min, max,
                        v->str);
    if (!strcmp(o->name, "parallel-max"))
        cfg->multi.parallel_max = (long)v->num;
    else if (!strcmp(o->name, "parallel-max-host")) {
        cfg->multi.parallel_max_host = (long)v->num;
        cfg->multi.parallel_max_host_set = true;
    } else if (!strcmp(o->name, "repeat"))
        cfg->multi.repeat = (long)v->num;
    else if (!strcmp(o->name, "padding"))
        cfg->h2.padding = (unsigned)v->num;
    else
        cfg->h2.max_concurrent_streams = (uint32_t)v->num;
    return 0;
}

int cli_set_indexing(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    if (!strcmp(v->str, "auto"))
        cfg->h2.hpack_indexing = HPACK_INDEX_AUTO;
    else if (!strcmp(v->str, "never"))
        cfg->h2.hpack_indexing = HPACK_INDEX_NEVER;
    else if (!strcmp(v->str, "none"))
        cfg->h2.hpack_indexing = HPACK_INDEX_NONE;
    else if (!strcmp(v->str, "all"))
        cfg->h2.hpack_indexing = HPACK_INDEX_ALL;
    else
        return cli_fail(cfg, H2E_USAGE, "'--%s' takes auto, never, none or all, not '%s'", o->name,
                        v->str);
    return 0;
}

/* RFC 9218 §4: "u=N" (0-7) and/or "i" (or "i=?0"/"i=?1"), comma-separated. */
int cli_set_extpri(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    const char *p = v->str;

    while (*p) {
        if (p[0] == 'u' && p[1] == '=' && p[2] >= '0' && p[2] <= '7' && (p[3] == ',' || !p[3]))
            p += 3;
        else if (p[0] == 'i' && (p[1] == ',' || !p[1]))
            p += 1;
        else if (!strncmp(p, "i=?0", 4) || !strncmp(p, "i=?1", 4))
            p += 4;
        else
            return cli_fail(cfg, H2E_USAGE, "bad '--%s' value '%s' (want u=0..7 and/or i)", o->name,
                            v->str);
        if (*p == ',')
            p++;
        else if (*p)
            return cli_fail(cfg, H2E_USAGE, "bad '--%s' value '%s'", o->name, v->str);
    }
    cfg->h2.extpri = v->str;
    return 0;
}

/* --rate N/unit (s, m, h, d; curl's units) or N (per hour, as curl). */
int cli_set_rate(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    char *end;
    double n = strtod(v->str, &end), per = 3600;

    if (end == v->str || !(n > 0) || !isfinite(n)) /* NaN and inf are not rates */
        return cli_fail(cfg, H2E_USAGE, "bad '--%s' value '%s' (want N/s, N/m, N/h)", o->name,
                        v->str);
    if (*end == '/') {
        switch (end[1]) {
        case 's':
            per = 1;
            break;
        case 'm':
            per = 60;
            break;
        case 'h':
            per = 3600;
            break;
        case 'd':
            per = 86400;
            break;
        default:
            return cli_fail(cfg, H2E_USAGE, "bad '--%s' unit in '%s'", o->name, v->str);
        }
        if (end[2])
            return cli_fail(cfg, H2E_USAGE, "bad '--%s' unit in '%s'", o->name, v->str);
    } else if (*end) {
        return cli_fail(cfg, H2E_USAGE, "bad '--%s' value '%s'", o->name, v->str);
    }
    cfg->multi.rate = n / per;
    return 0;
}

/* One URL per line; blank lines and lines starting with '#' are skipped (curl 8.13). A
 * read error or a NUL byte (which would end a URL early) fails, naming `path`. */
static int read_url_lines(struct config *cfg, FILE *f, const char *path)
{
    char *line = NULL;
    size_t cap = 0, no = 0;
    ssize_t n;
    int r = 0;

    while (r == 0 && (n = getline(&line, &cap, f)) >= 0) {
        char *s = line, *e = line + n;
        struct cli_val uv;
        no++;
        if (memchr(line, 0, (size_t)n)) {
            r = cli_fail(cfg, H2E_USAGE, "line %zu of '%s' has a NUL byte", no, path);
            break;
        }
        while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
            *--e = 0;
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s || *s == '#')
            continue;
        *(char **)cli_grow((void **)&cfg->lines, &cfg->nlines, sizeof(char *)) = xstrdup(s);
        uv.str = cfg->lines[cfg->nlines - 1];
        cli_set_url(cfg, cli_find("url", 3), &uv);
    }
    if (r == 0 && ferror(f))
        r = cli_fail(cfg, H2E_READ, "cannot read '%s': %s", path, strerror(errno));
    free(line);
    return r;
}

/* --url @FILE (or @-) and --input-file FILE; a plain --url VALUE is one URL. */
int cli_set_url_file(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    const char *path = v->str;
    FILE *f;
    int r;

    if (!strcmp(o->name, "url")) {
        if (path[0] != '@')
            return cli_set_url(cfg, o, v);
        path++;
    }
    f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f)
        return cli_fail(cfg, H2E_READ, "cannot read '%s': %s", path, strerror(errno));
    r = read_url_lines(cfg, f, path);
    if (f != stdin)
        fclose(f);
    return r;
}

void cli_release_more(struct config *cfg)
{
    size_t i;
    for (i = 0; i < cfg->nlines; i++)
        free(cfg->lines[i]);
    free(cfg->lines);
}
