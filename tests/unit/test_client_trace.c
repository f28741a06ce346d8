/* SPDX-License-Identifier: MIT */
/*
 * The trace's view flags as the client fills them from the command line
 * (src/client/client_trace.c): each view option, -vv and -vvv, and NO_COLOR against
 * --color.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_trace.h"
#include "cliargs.h"
#include "tap.h"

/* Parse "h2get" followed by the NULL-terminated arguments (a URL is added) into `cfg`. */
#define parse(cfg, ...) cli_args(cfg, "http://localhost/", __VA_ARGS__)

/* The trace options of one command line, with NO_COLOR set to `nc` (NULL: unset). */
static struct trace_opts opts(const char *nc, ...)
{
    const char *argv[32];
    const char *old = getenv("NO_COLOR");
    char *saved = old ? strdup(old) : NULL;
    struct trace_opts o;
    struct config c;
    int argc = 0;
    va_list ap;

    argv[argc++] = "h2get";
    va_start(ap, nc);
    while (argc < 30 && (argv[argc] = va_arg(ap, const char *)) != NULL)
        argc++;
    va_end(ap);
    argv[argc++] = "http://localhost/";
    argv[argc] = NULL;
    cli_init(&c);
    CHECK_INT(cli_parse(&c, argc, argv), CLI_RUN);
    if (nc)
        setenv("NO_COLOR", nc, 1);
    else
        unsetenv("NO_COLOR");
    memset(&o, 0x55, sizeof(o));
    client_trace_opts(&c, &o);
    if (saved)
        setenv("NO_COLOR", saved, 1);
    else
        unsetenv("NO_COLOR");
    free(saved);
    cli_release(&c);
    return o;
}

TEST(test_client_trace_opts_from_the_command_line)
{
    struct config c;
    struct trace_opts o = opts(NULL, NULL);

    CHECK(!o.frames && !o.hpack && !o.windows && !o.hexdump && !o.stats && !o.waterfall);
    CHECK(!o.check && !o.strict && !o.pings);
    CHECK(o.frames_file == NULL && o.json_file == NULL);
    CHECK_INT(o.color, TRACE_COLOR_AUTO);

    /* the strings borrow the command line's */
    CHECK_INT(parse(&c, "-vv", "--strict", "--ping=2", "--trace-json", "t.json", "--frames=f",
                    "--hexdump", "--waterfall", NULL),
              CLI_RUN);
    client_trace_opts(&c, &o);
    CHECK(o.frames && !o.hpack && !o.windows && o.hexdump && !o.stats && o.waterfall);
    CHECK(o.check && o.strict && o.pings);
    CHECK_STR(o.frames_file, "f");
    CHECK_STR(o.json_file, "t.json");
    cli_release(&c);

    o = opts(NULL, "-vvv", "--stats", "--check", NULL);
    CHECK(o.frames && o.hpack && o.windows && o.stats && o.check && !o.strict && !o.pings);
    o = opts(NULL, "--hpack", "--windows", NULL);
    CHECK(!o.frames && o.hpack && o.windows && !o.check);
}

/* NO_COLOR (non-empty) turns colour off unless --color was given (no-color.org). */
TEST(test_client_trace_opts_color)
{
    CHECK_INT(opts("1", NULL).color, TRACE_COLOR_NEVER);
    CHECK_INT(opts("", NULL).color, TRACE_COLOR_AUTO);
    CHECK_INT(opts("1", "--color", "auto", NULL).color, TRACE_COLOR_AUTO);
    CHECK_INT(opts("1", "--color", "always", NULL).color, TRACE_COLOR_ALWAYS);
    CHECK_INT(opts(NULL, "--color", "always", NULL).color, TRACE_COLOR_ALWAYS);
    CHECK_INT(opts(NULL, "--color", "never", NULL).color, TRACE_COLOR_NEVER);
}
