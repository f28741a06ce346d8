/* SPDX-License-Identifier: MIT */
/*
 * The command line of a unit test: cli_args(cfg, url, arg, ..., NULL) runs cli_init and
 * cli_parse on "h2get", the arguments up to the NULL, then `url` when it is not NULL.
 * Each test file names the form it uses, e.g. #define parse(cfg, ...) cli_args(cfg, NULL,
 * __VA_ARGS__).
 */
#ifndef H2GET_TEST_CLIARGS_H
#define H2GET_TEST_CLIARGS_H

#include <stdarg.h>
#include <stddef.h>

#include "cli/cli.h"

#define CLI_ARGS_MAX 64

static inline int cli_args(struct config *cfg, const char *url, ...)
{
    const char *argv[CLI_ARGS_MAX];
    int argc = 0;
    va_list ap;

    argv[argc++] = "h2get";
    va_start(ap, url);
    while (argc < CLI_ARGS_MAX - 2 && (argv[argc] = va_arg(ap, const char *)) != NULL)
        argc++;
    va_end(ap);
    if (url)
        argv[argc++] = url;
    argv[argc] = NULL;
    cli_init(cfg);
    return cli_parse(cfg, argc, argv);
}

#endif
