/* SPDX-License-Identifier: MIT */
/*
 * WebSocket runs (ws:// and wss:// URLs, RFC 6455 and RFC 8441) as a console: each stdin
 * line is a text message (--ws-binary: each stdin read a binary message) sent on every
 * URL's WebSocket, each message received is written to stdout (text followed by a
 * newline), stdin EOF closes with 1000. Several URLs share one HTTP/2 connection.
 * This module is the run's edge: it says failures itself and returns the H2E_* to exit with.
 */
#ifndef H2GET_WS_RUN_H
#define H2GET_WS_RUN_H

#include <stdbool.h>

#include "cli/cli.h"

/* ws_run_wanted - true when the command line names a ws:// or wss:// URL. */
bool ws_run_wanted(const struct config *cfg);

/*
 * ws_run - the WebSockets of the ws:// and wss:// URLs of `cfg` (one origin). Returns 0
 * after every one closed normally (1000, or a Close without a code), else the H2E_* of
 * the first failed URL, said: H2E_WS_PROTOCOL /
 * H2E_WS_UTF8 / H2E_WS_TOO_BIG (124), H2E_WS_HANDSHAKE (125), H2E_WS_CLOSED (126), or the
 * connection's own codes (6, 7, 28, 35, 56...).
 */
int ws_run(const struct config *cfg);

#endif
