/* SPDX-License-Identifier: MIT */
/*
 * Config-file lines in curl's syntax (curl's tool_parsecfg.c, documented under -K in
 * curl(1)), sans-I/O: a line is an option name ("--output", "-o" or "output"), then blanks,
 * '=' or ':' and blanks, then an optional value, bare (up to the first blank) or in double
 * quotes with the escapes \\ \" \t \n \r \v (any other \c is c). Blank lines and lines
 * whose first non-blank is '#' say nothing; after a value only blanks and a '#' comment
 * may follow. What an option means is the caller's to know; this only splits and
 * unescapes. Never reads files.
 */
#ifndef H2GET_CFGLINE_H
#define H2GET_CFGLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* One option of a config file. */
struct cfgline {
    struct span name; /* without dashes: "output" for "--output" and "output", "o" for "-o";
                       * points into the line */
    bool is_short;    /* written "-o": `name` is one or more short letters */
    bool has_value;   /* a value was given ("" included) */
};

/*
 * cfgline_next - cut the next line off the front of `*text`: `*line` (without its LF, and
 * without a CR before it) points into `*text`, which moves past the LF. Returns 1, or 0
 * when `*text` is empty.
 */
int cfgline_next(struct span *text, struct span *line);

/*
 * cfgline_parse - one line (borrowed for the call). Returns 1 with `*out` set (its `name`
 * points into `line`) and, when it has one, the unescaped value appended to `value` with
 * a NUL after it (`value` is reset first); 0 for a blank or comment line; or H2E_USAGE
 * with `why` (a NUL byte, a missing name, an unterminated quote, text after the value),
 * or the buf error (H2E_LIMIT_BUFFER, H2E_NOMEM) when `value` cannot hold it.
 */
int cfgline_parse(struct span line, struct cfgline *out, struct buf *value, struct h2e_info *info);

#endif
