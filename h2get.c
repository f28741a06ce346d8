/* SPDX-License-Identifier: MIT */
/*
 * h2get's entry point (curl's tool_main.c, smaller): ignore SIGPIPE so that a closed pipe
 * or socket is an error return (exit 23 or 55) rather than a silent death, parse the
 * command line, run the transfers, map the result to the exit code of the error table
 * (src/err.def, ../shared/PROMISES.md) and free. Everything else lives in src/.
 */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "client/client.h"
#include "client/ws_run.h"
#include "sys/askpass.h"
#include "sys/diag.h"
#include "base/err.h"

/* Help, version and the option dump go to stdout; nothing runs. */
static int print_info(int what)
{
    if (what == CLI_HELP)
        cli_help(stdout);
    else if (what == CLI_VERSION)
        cli_version(stdout);
    else
        cli_dump_options(stdout);
    return fflush(stdout) == 0 ? 0 : h2e_exit(H2E_WRITE);
}

int main(int argc, char **argv)
{
    struct config cfg;
    char *user = NULL, *proxy_user = NULL;
    int r, code;

    signal(SIGPIPE, SIG_IGN);
    /* Keep up to 4 MiB of freed heap instead of glibc's 128 KiB: each URL's buffers freed at
     * the top of the heap made glibc give the pages back and fault them in again for the
     * next URL, one page fault per URL (10,000 small -O files: 20,000 faults, 4,000 with
     * this, and 20% less CPU). Setting it turns off glibc's moving mmap threshold, which
     * would otherwise have risen past the 256 KiB read buffer of each connection: without
     * M_MMAP_THRESHOLD every connection mapped and unmapped its own. */
    mallopt(M_TRIM_THRESHOLD, 4 << 20);
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    cli_init(&cfg);
    r = cli_parse(&cfg, argc, (const char *const *)argv);
    diag_setup(cfg.out.silent, cfg.out.show_error);
    if (r > 0) {
        code = print_info(r);
    } else if (r == H2E_USAGE) {
        diag_usage("%s", cfg.error);
        code = h2e_exit(r);
    } else if (r < 0) {
        diag_error(r, "%s", cfg.error);
        code = h2e_exit(r);
    } else {
        /* -u USER, -U USER: the password from the terminal, as curl asks for it */
        if ((user = askpass_complete("host", cfg.req.user)) != NULL)
            cfg.req.user = user;
        if ((proxy_user = askpass_complete("proxy", cfg.proxy.user)) != NULL)
            cfg.proxy.user = proxy_user;
        /* client_run prints its own error lines through diag */
        code = h2e_exit(ws_run_wanted(&cfg) ? ws_run(&cfg) : client_run(&cfg));
    }
    cli_release(&cfg);
    free(user);
    free(proxy_user);
    return code;
}
