/* SPDX-License-Identifier: MIT */
/*
 * The run: every URL of the command line fetched over connections grouped by origin, all
 * driven by one poll() loop (this is the only event loop of h2get). Chooses HTTP/2 or
 * HTTP/1.1 from ALPN or prior knowledge, feeds bytes to the protocol layers, writes bodies
 * and headers out, and prints each failure once, as it happens.
 */
#ifndef H2GET_CLIENT_H
#define H2GET_CLIENT_H

#include "cli/cli.h"

/*
 * client_run - fetch every URL of `cfg`. Returns 0 when all transfers completed, else the
 * H2E_* code of the first failed URL in command-line order (map it with h2e_exit).
 */
int client_run(const struct config *cfg);

#endif
