/* SPDX-License-Identifier: MIT */
/*
 * What an HTTP/2 session asks of its connection before the first request: the connection
 * configuration built from the command line (our SETTINGS and the test aids of CLI.md §3),
 * the trace's frame observer, and the --ping PINGs (RFC 9113 §6.7). The trace is told what
 * was announced and sent; it never does any of this itself.
 */
#ifndef H2GET_SESS_H2_SETUP_H
#define H2GET_SESS_H2_SETUP_H

#include <stdint.h>

#include "base/limits.h"
#include "cli/cli.h"
#include "proto/conn.h"
#include "trace/trace.h"

/*
 * sess_h2_config - apply `cfg`'s HTTP/2 options to `hc` (h2c_config_init'ed, and any
 * choice of the caller already made, which the options override): --settings (copied into
 * `set`, which must hold LIMIT_SETTINGS_ENTRIES entries and outlive h2c_new, as
 * `hc->extra_settings` points into it; `--settings empty` announces nothing, so the
 * values the connection tracks go back to RFC 9113 §6.5.2's defaults), --window-bits/-size,
 * --connection-window-* (never below 65535, §6.9.2), --header-table-size,
 * --encoder-header-table-size, --max-concurrent-streams, --padding, --continuation,
 * --no-huffman, --hpack-indexing and --extpri (`hc->priority` borrows `cfg`'s string).
 */
void sess_h2_config(const struct config *cfg, struct h2c_config *hc, struct h2f_setting *set);

/*
 * sess_h2_pace - with --limit-rate (`cfg->net.limit_rate`): `hc` returns connection credit
 * only as the session grants it (paced_credit), and starts with small windows, so that
 * what the server may send before the first grant is about 100 ms of the rate: the
 * connection window at RFC 9113 §6.9.2's floor of 65,535 or the rate's 100 ms if larger,
 * stream windows at the rate's 100 ms but at least one frame (16,384, §4.2). Windows only
 * shrink from what `hc` has (--window-size and the others, applied after, still win).
 * Nothing without --limit-rate.
 */
void sess_h2_pace(const struct config *cfg, struct h2c_config *hc);

/* sess_h2_observe - install `t`'s frame observer for connection `conn_id` on `hc` (nothing
 * when no view needs frames). */
void sess_h2_observe(struct h2c_config *hc, struct trace *t, unsigned conn_id);

/* sess_h2_ping_opaque - the opaque data of our PING number `n` (0 to 2^24-1): "h2get",
 * then `n` in three bytes, most significant first. */
void sess_h2_ping_opaque(unsigned n, uint8_t opaque[8]);

/*
 * sess_h2_pings - queue `n` PINGs on `c` (--ping), each told to `t` as `conn_id`'s, right
 * after our SETTINGS and ahead of the first request, so that the ACKs come back before the
 * connection is done. Returns 0 or h2c_ping's error (H2E_NOMEM, H2E_LIMIT_BUFFER).
 */
int sess_h2_pings(struct h2c_conn *c, unsigned n, struct trace *t, unsigned conn_id);

#endif
