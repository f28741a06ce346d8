/* SPDX-License-Identifier: MIT */
/*
 * The one JSON writer, for the trace (--trace-json) and -w (%{json}, %{header_json}):
 * values appended to a struct buf (RFC 8259). Strings are escaped byte by byte: '"' and
 * '\' with a backslash, every byte outside printable ASCII as \u00XX, so each document is
 * valid JSON and plain ASCII whatever bytes a server sent. Numbers are formatted here too,
 * without stdio. Each function returns 0, or the buf_append error (H2E_LIMIT_BUFFER,
 * H2E_NOMEM) after which `b` may hold part of the value.
 */
#ifndef H2GET_JSON_H
#define H2GET_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

/* json_raw - append the NUL-terminated text `s` as it is (punctuation, literals). */
int json_raw(struct buf *b, const char *s);
/* json_str - append `s` as a string literal, quotes included. */
int json_str(struct buf *b, struct span s);
/* json_text - append `s`, text in UTF-8, as a string literal: each well-formed character
 * outside printable ASCII as \uXXXX (a surrogate pair past U+FFFF), each ill-formed
 * subpart as \ufffd (WHATWG Encoding's decoder with replacement). Still plain ASCII. */
int json_text(struct buf *b, struct span s);
/* json_key - append `"key":`, after a comma unless `*first` (which it then clears). */
int json_key(struct buf *b, bool *first, const char *key);
/* json_u64 / json_i64 - append a decimal integer. */
int json_u64(struct buf *b, uint64_t v);
int json_i64(struct buf *b, int64_t v);
/* json_fixed - append `v` rounded to `decimals` (at most 9) places, as "12.345";
 * negative values keep their sign. */
int json_fixed(struct buf *b, double v, unsigned decimals);
/* json_bool - append true or false. */
int json_bool(struct buf *b, bool v);

#endif
