/* SPDX-License-Identifier: MIT */
/*
 * The trace's view flags from the command line (CLI.md §7): --frames, --hpack, --windows,
 * --hexdump, --trace-json, --stats, --waterfall, --check, --strict, --ping's report and
 * --color, with -vv adding the frame trace and -vvv HPACK and windows too. A non-empty
 * NO_COLOR turns colour off unless --color was given (no-color.org).
 */
#include "client_trace.h"

#include <stdlib.h>

static enum trace_color color(const struct cli_trace *ct)
{
    const char *nc = getenv("NO_COLOR");

    if (ct->color == CLI_COLOR_ALWAYS)
        return TRACE_COLOR_ALWAYS;
    if (ct->color == CLI_COLOR_NEVER || (!ct->color_given && nc && *nc))
        return TRACE_COLOR_NEVER;
    return TRACE_COLOR_AUTO;
}

void client_trace_opts(const struct config *cfg, struct trace_opts *o)
{
    const struct cli_trace *ct = &cfg->trace;
    int v = cfg->out.verbose;

    o->frames = ct->frames || v >= 2;
    o->hpack = ct->hpack || v >= 3;
    o->windows = ct->windows || v >= 3;
    o->hexdump = ct->hexdump;
    o->frames_file = ct->frames_file;
    o->json_file = ct->trace_json;
    o->stats = ct->stats;
    o->waterfall = ct->waterfall;
    o->check = ct->check || ct->strict;
    o->strict = ct->strict;
    o->pings = cfg->h2.ping > 0;
    o->color = color(ct);
}

struct trace *client_trace_new(const struct config *cfg, int *err)
{
    struct trace_opts o;
    struct trace *t;
    size_t i;

    client_trace_opts(cfg, &o);
    t = trace_new(&o, err);
    /* a Proxy-Authorization of --proxy-header is as secret as -U's (via.c tells those) */
    for (i = 0; i < cfg->proxy.nheaders; i++)
        if (span_ieq_str(cfg->proxy.headers[i].name, "proxy-authorization"))
            trace_secret(t, cfg->proxy.headers[i].value);
    return t;
}
