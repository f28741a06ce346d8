/* SPDX-License-Identifier: MIT */
/*
 * Unit-test runner: runs every registered test (or those whose name contains argv[1]),
 * prints "ok"/"not ok"/"skip" lines and ends with "N passed, N failed, N skipped".
 * Exits 1 on any failure.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

struct test {
    const char *name;
    tap_fn fn;
};

static struct test tests[2048];
static size_t ntests;
static int cur_failed, cur_skipped;
static char skip_reason[256];

void tap_register(const char *name, tap_fn fn)
{
    if (ntests == sizeof(tests) / sizeof(tests[0])) {
        fprintf(stderr, "tap: too many tests\n");
        exit(2);
    }
    tests[ntests].name = name;
    tests[ntests].fn = fn;
    ntests++;
}

void tap_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    if (cur_failed++ >= 10)
        return; /* keep the log readable when a loop fails many times */
    fprintf(stdout, "#   %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
}

void tap_skip(const char *fmt, ...)
{
    va_list ap;
    cur_skipped = 1;
    va_start(ap, fmt);
    vsnprintf(skip_reason, sizeof(skip_reason), fmt, ap);
    va_end(ap);
}

bool tap_failed(void)
{
    return cur_failed != 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct test *)a)->name, ((const struct test *)b)->name);
}

int main(int argc, char **argv)
{
    size_t i, passed = 0, failed = 0, skipped = 0;

    /* no default config file (~/.h2getrc...) may change what cli_parse gives the tests */
    setenv("H2GET_CONFIG", "/nonexistent/h2get-unit-tests", 1);
    qsort(tests, ntests, sizeof(tests[0]), by_name);
    for (i = 0; i < ntests; i++) {
        if (argc > 1 && !strstr(tests[i].name, argv[1]))
            continue;
        cur_failed = cur_skipped = 0;
        tap_mem_fail_after = -1;
        tests[i].fn();
        if (cur_failed) {
            printf("not ok %s (%d failed checks)\n", tests[i].name, cur_failed);
            failed++;
        } else if (cur_skipped) {
            printf("skip %s: %s\n", tests[i].name, skip_reason);
            skipped++;
        } else {
            printf("ok %s\n", tests[i].name);
            passed++;
        }
        fflush(stdout);
    }
    printf("%zu passed, %zu failed, %zu skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}
