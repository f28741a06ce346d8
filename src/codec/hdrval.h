/* SPDX-License-Identifier: MIT */
/*
 * Values of response fields that decide where a body goes, sans-I/O: content-range
 * (RFC 9110 §14.4), for -C and -r, and the file name of content-disposition (RFC 6266,
 * with RFC 8187's filename*), for -J. Never allocates.
 */
#ifndef H2GET_HDRVAL_H
#define H2GET_HDRVAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* Longest file name -J takes from a server (NAME_MAX of common file systems). */
#define HDRVAL_NAME_MAX 255

/* A content-range value: "bytes first-last/complete" or, in a 416, "bytes *\/complete". */
struct hdrval_range {
    int64_t first, last; /* -1 for the unsatisfied form */
    int64_t complete;    /* -1 when the length is unknown ("*") */
};

/*
 * hdrval_content_range - parse `v` into `r`. Returns 0, or H2E_RANGE with `info` saying
 * what is wrong (not "bytes", bad numbers, last before first, past the complete length).
 */
int hdrval_content_range(struct span v, struct hdrval_range *r, struct h2e_info *info);

/*
 * hdrval_filename - the file name a content-disposition value `v` suggests, as -J uses
 * it: filename*= in UTF-8 (percent-decoded) before filename= (token or quoted-string);
 * only what follows the last '/' or '\' is kept. Writes it NUL-terminated into `out`
 * (`cap` > HDRVAL_NAME_MAX) and returns its length; 0 (and "") when there is none or it
 * cannot be a plain file name: empty, "." or "..", a control byte, longer than
 * HDRVAL_NAME_MAX.
 */
size_t hdrval_filename(struct span v, char *out, size_t cap);

#endif
