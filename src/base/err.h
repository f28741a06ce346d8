/* SPDX-License-Identifier: MIT */
/*
 * The one error table (err.def) turned into `enum h2e` (negative values, 0 is success) and
 * the functions that map an error to its wire code, scope, exit code and message. Nothing
 * else in h2get maps errors. H2E_INCOMPLETE means "need more input" and is not an error.
 * Never prints.
 */
#ifndef H2GET_ERR_H
#define H2GET_ERR_H

#include <stdbool.h>
#include <stdint.h>

enum h2e_scope {
    H2E_SCOPE_LOCAL,
    H2E_SCOPE_STREAM,
    H2E_SCOPE_CONN,
};

enum h2e_index {
#define H2E_ROW(name, wire, scope, exit, msg) H2E_IDX_##name,
#include "err.def"
#undef H2E_ROW
    H2E_COUNT
};

enum h2e {
    H2E_OK = 0,
#define H2E_ROW(name, wire, scope, exit, msg) H2E_##name = -1 - H2E_IDX_##name,
#include "err.def"
#undef H2E_ROW
};

/*
 * Detail of a failure, filled by the function that failed, without allocation. `why` is a
 * static string naming what was wrong (with the RFC section where one applies); `frame_type`
 * is -1 when no frame is involved.
 */
struct h2e_info {
    int code;
    uint32_t stream_id;
    int frame_type;
    const char *why;
};

/* h2e_str - the fixed message of `code` (0 gives "ok"; an unknown code "unknown error"). */
const char *h2e_str(int code);
/* h2e_name - the row name of `code` ("PROTOCOL"), for tests and traces. */
const char *h2e_name(int code);
/* h2e_wire - the RFC 9113 §7 code to send for `code`. */
uint32_t h2e_wire(int code);
/* h2e_scope - whether `code` resets a stream, ends the connection or is local. */
enum h2e_scope h2e_scope(int code);
/* h2e_exit - the process exit code for `code` (0 for H2E_OK). */
int h2e_exit(int code);
/* h2e_is_fatal - true when `code` ends the connection (scope CONN). */
bool h2e_is_fatal(int code);

/*
 * h2e_set - fill `info` (which may be NULL) and return `code`, so that error paths read
 * `return h2e_set(info, H2E_PROTOCOL, sid, "why");`. `why` must be a static string.
 */
int h2e_set(struct h2e_info *info, int code, uint32_t stream_id, const char *why);

#define H2E_INFO_INIT                                                                              \
    {                                                                                              \
        0, 0, -1, NULL                                                                             \
    }

#endif
