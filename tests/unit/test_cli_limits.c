/* SPDX-License-Identifier: MIT */
/*
 * The command line never cuts what it is given: error messages carry the argument whole,
 * a --url @FILE with a NUL byte or a read error fails instead of yielding fewer or shorter
 * URLs, and --rate refuses values that are not finite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sys/xalloc.h"
#include "cliargs.h"
#include "tap.h"

#define parse(cfg, ...) cli_args(cfg, NULL, __VA_ARGS__)

/* A temporary file of `n` bytes of `s`, its name in `path` (64 bytes). */
static void temp_file(char *path, const char *s, size_t n)
{
    int fd;

    snprintf(path, 64, "/tmp/h2get-test-cli-limits-XXXXXX");
    fd = mkstemp(path);
    CHECK(fd >= 0 && write(fd, s, n) == (ssize_t)n);
    if (fd >= 0)
        close(fd);
}

/* The message of a failed parse holds the argument whole (it used to stop at 511 bytes). */
TEST(test_cli_limits_error_message_whole)
{
    struct config c;
    size_t n = 5000;
    char *h = xmalloc(n + 1), *want = xmalloc(n + 64);

    memset(h, 'h', n);
    h[n] = 0;
    CHECK_INT(parse(&c, "-H", h, "u", NULL), H2E_USAGE);
    snprintf(want, n + 64, "invalid header '%s': no ':'", h);
    CHECK_STR(c.error, want);
    cli_release(&c);
    CHECK(c.error == NULL);
    free(h);
    free(want);
}

TEST(test_cli_limits_url_file_nul_byte)
{
    static const char text[] = "http://a/1\nhttp://a/2\0tail\nhttp://a/3\n";
    struct config c;
    char path[64], want[128];

    temp_file(path, text, sizeof(text) - 1);
    CHECK_INT(parse(&c, "--url", "@", NULL), H2E_READ); /* "" cannot be opened */
    cli_release(&c);
    {
        char arg[70];
        snprintf(arg, sizeof(arg), "@%s", path);
        CHECK_INT(parse(&c, "--url", arg, NULL), H2E_USAGE);
    }
    snprintf(want, sizeof(want), "line 2 of '%s' has a NUL byte", path);
    CHECK_STR(c.error, want);
    cli_release(&c);
    CHECK_INT(parse(&c, "--input-file", path, NULL), H2E_USAGE);
    CHECK_STR(c.error, want);
    cli_release(&c);
    unlink(path);
}

TEST(test_cli_limits_url_file_read_error)
{
    struct config c;

    CHECK_INT(parse(&c, "--url", "@/", NULL), H2E_READ);
    CHECK_STR(c.error, "cannot read '/': Is a directory");
    cli_release(&c);
    CHECK_INT(parse(&c, "--input-file", "/", "u", NULL), H2E_READ);
    CHECK_STR(c.error, "cannot read '/': Is a directory");
    cli_release(&c);
}

TEST(test_cli_limits_rate_finite)
{
    static const char *const bad[] = {"nan", "nan/s", "inf", "inf/m", "1e999/s", "-1/s", "0"};
    struct config c;
    char want[96];
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_INT(parse(&c, "--rate", bad[i], "u", NULL), H2E_USAGE);
        snprintf(want, sizeof(want), "bad '--rate' value '%s' (want N/s, N/m, N/h)", bad[i]);
        CHECK_STR(c.error, want);
        cli_release(&c);
    }
    CHECK_INT(parse(&c, "--rate", "1.5e3/s", "u", NULL), CLI_RUN);
    CHECK(c.multi.rate == 1500.0);
    cli_release(&c);
}

/* A -K file of thousands of URLs, each with its own output and a header, loses and mixes
 * up none of them: every array the parse grows passes many powers of two (cli_grow), and
 * quoted values with escapes come out whole. */
TEST(test_cli_limits_config_many_urls)
{
    enum { N = 3000 };
    size_t cap = (size_t)N * 80, len = 0, i;
    char *text = xmalloc(cap), path[64], want[64];
    struct config c;

    for (i = 0; i < N; i++)
        len += (size_t)snprintf(text + len, cap - len,
                                "url = \"https://a/%zu\"\noutput = \"o\\\\%zu\\t.x\"\n"
                                "header = \"X-N: %zu\"\n",
                                i, i, i);
    temp_file(path, text, len);
    CHECK_INT(parse(&c, "-K", path, NULL), CLI_RUN);
    CHECK(c.nurls == N && c.req.nheaders == N);
    for (i = 0; i < N && c.nurls == N && c.req.nheaders == N; i++) {
        snprintf(want, sizeof(want), "https://a/%zu", i);
        CHECK_STR(c.urls[i].url, want);
        snprintf(want, sizeof(want), "o\\%zu\t.x", i);
        CHECK_STR(c.urls[i].output, want);
        snprintf(want, sizeof(want), "%zu", i);
        CHECK(span_eq_str(c.req.headers[i].value, want));
    }
    cli_release(&c);
    unlink(path);
    free(text);
}
