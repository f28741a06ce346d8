/* SPDX-License-Identifier: MIT */
/*
 * -z/--time-cond on the command line: curl's +, - and = prefixes, a free-form date before a
 * file name, a file's mtime, the `-z FILE -o FILE` first run, and the usage error for a
 * value that is none of these.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include "cli/cli.h"
#include "cliargs.h"
#include "tap.h"

#define parse(cfg, ...) cli_args(cfg, NULL, __VA_ARGS__)

TEST(test_cli_cond_dates_and_prefixes)
{
    static const struct {
        const char *arg;
        enum cli_time_kind kind;
        int64_t at;
    } cases[] = {
        {"Sun, 06 Nov 1994 08:49:37 GMT", CLI_TIME_MODIFIED, 784111777},
        {"+1994.Nov.6", CLI_TIME_MODIFIED, 784080000},
        {"-20040911 +0200", CLI_TIME_UNMODIFIED, 1094853600},
        {"=06 Nov 1994 08:49:37 EST", CLI_TIME_LAST_MODIFIED, 784129777},
    };
    struct config cfg;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK_INT(parse(&cfg, "-z", cases[i].arg, "https://h/", NULL), 0);
        CHECK_INT(cfg.cond.time_kind, cases[i].kind);
        CHECK_INT(cfg.cond.time_at, cases[i].at);
        CHECK(!cfg.cond.time_file);
        cli_release(&cfg);
    }
}

TEST(test_cli_cond_file_mtime)
{
    char path[] = "/tmp/h2get-test-cli-cond-XXXXXX";
    struct utimbuf ut = {784111777, 784111777};
    struct config cfg;
    int fd = mkstemp(path);

    CHECK(fd >= 0);
    close(fd);
    CHECK_INT(utime(path, &ut), 0);
    CHECK_INT(parse(&cfg, "--time-cond", path, "https://h/", NULL), 0);
    CHECK_INT(cfg.cond.time_kind, CLI_TIME_MODIFIED);
    CHECK(cfg.cond.time_file);
    CHECK_INT(cfg.cond.time_at, 784111777);
    cli_release(&cfg);
    unlink(path);
}

TEST(test_cli_cond_neither_date_nor_file)
{
    struct config cfg;

    CHECK_INT(parse(&cfg, "-z", "-Sun, 32 Nov 1994", "https://h/", NULL), H2E_USAGE);
    CHECK_STR(cfg.error,
              "'--time-cond': '-Sun, 32 Nov 1994' is neither a date nor an existing file");
    cli_release(&cfg);
    /* the first run of `-z FILE -o FILE`: no condition, as curl */
    CHECK_INT(
        parse(&cfg, "-z", "h2get-no-such-file", "-o", "h2get-no-such-file", "https://h/", NULL), 0);
    CHECK_INT(cfg.cond.time_kind, CLI_TIME_NONE);
    cli_release(&cfg);
    CHECK_INT(parse(&cfg, "-z", "h2get-no-such-file", "-o", "other", "https://h/", NULL),
              H2E_USAGE);
    cli_release(&cfg);
}
