/* SPDX-License-Identifier: MIT */
/*
 * The only place that formats user-facing messages (layer 4). Git's rules: "h2get: "
 * prefix, lowercase first word, no final period, subjects quoted. Transfer errors read
 * "h2get: (<exit code>) <category>: <detail>" with the category from the error table
 * (../shared/PROMISES.md "Rules"); -s silences errors and warnings, -S brings errors back
 * (curl). diag_escape makes server-controlled bytes safe to print. Knows no protocol.
 */
#ifndef H2GET_DIAG_H
#define H2GET_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/buf.h"

/* At most this many input bytes are rendered by diag_escape (PROMISES.md: 200). */
#define DIAG_ESCAPE_MAX 200
/* A buffer this large always holds diag_escape's result: 4 bytes per input byte, "...". */
#define DIAG_ESCAPE_CAP (DIAG_ESCAPE_MAX * 4 + 4)

/*
 * diag_setup - `silent` (-s) hides errors and warnings; `show_error` (-S) shows errors
 * again. Usage errors are always shown. Default: both false.
 */
void diag_setup(bool silent, bool show_error);

/* diag_set_stream - where messages go (default stderr; tests use a memory stream). */
void diag_set_stream(FILE *f);

/*
 * diag_error - "h2get: (<h2e_exit(code)>) <h2e_str(code)>: <detail>\n", the detail made
 * from `fmt` (may be NULL: no ": <detail>" then). `code` is a negative H2E_*.
 */
void diag_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* diag_warn - "h2get: warning: <message>\n", unless silent. */
void diag_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* diag_usage - "h2get: (2) usage error: <message>\n" and "try 'h2get --help'\n", whatever -s says.
 */
void diag_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * diag_escape - render `s` into `out` (`cap` bytes, NUL-terminated), every byte outside
 * 0x20-0x7e as "\xNN" (lowercase hex). At most DIAG_ESCAPE_MAX input bytes are shown, and
 * no more than fit in `cap`; when some are left out, "..." follows. Returns `out` (or ""
 * when `cap` is 0), so that it can be an argument of the call that prints it.
 */
const char *diag_escape(char *out, size_t cap, struct span s);

/*
 * diag_escape_buf - append all of `s` to `out` (nothing left out, unlike diag_escape),
 * every byte outside 0x20-0x7e as "\xNN", then a NUL that `out->len` does not count, so
 * that `(const char *)out->p` can be printed. For logs that show what was sent or
 * received (-v). Returns 0 or the buf_append error (`out` then holds part of it).
 */
int diag_escape_buf(struct buf *out, struct span s);

#endif
