/* SPDX-License-Identifier: MIT */
/*
 * --tunnel-to HOST:PORT (tunto.c): the run that opens one tunnel to HOST:PORT, through the
 * proxy of -x (or the environment's), or through the URL's server taken as the proxy (an
 * HTTP/2 one carries it as a CONNECT stream), and pipes stdin and stdout through it:
 * binary-safe, full duplex, no progress meter; ssh's ProxyCommand. The run ends when the
 * far end closes the tunnel (the end of stdin alone does not end it, as with nc). -w is
 * written then, to stderr unless %{stdout} says otherwise: stdout was the tunnel's.
 */
#ifndef H2GET_TUNTO_H
#define H2GET_TUNTO_H

#include <poll.h>
#include <stddef.h>

#include "cli/cli.h"

struct cconn;

/* tunto_run - the whole run of `cfg` (cfg->proxy.tunnel_to set). Returns 0 when the far
 * end closed the tunnel and stdout took every byte, else the H2E_* of what failed (said). */
int tunto_run(const struct config *cfg);

/* The raw connection's hooks (cconn.c): its tunnel or connection is set up; step it with
 * what poll said; its poll entries; it failed with `code` (`detail` says why). */
void tunto_ready(struct cconn *cc);
void tunto_step(struct cconn *cc, const struct pollfd *pfd, size_t npfd);
size_t tunto_pollfds(struct cconn *cc, struct pollfd *pfd, size_t max, int *timeout);
void tunto_failed(struct cconn *cc, int code, const char *detail);

#endif
