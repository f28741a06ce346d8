/* SPDX-License-Identifier: MIT */
/*
 * Fuzz content-range and content-disposition parsing. A content-range that parses is
 * ordered and inside the resource; a file name is a plain name: no '/', '\', control
 * byte, not "." or "..", at most HDRVAL_NAME_MAX bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "codec/hdrval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hdrval_range r;
    char out[HDRVAL_NAME_MAX + 1];
    size_t n, i;

    if (hdrval_content_range(span_of(data, size), &r, NULL) == 0 &&
        (r.first > r.last || (r.first < 0 && r.complete < 0) ||
         (r.complete >= 0 && r.last >= r.complete)))
        abort();
    n = hdrval_filename(span_of(data, size), out, sizeof(out));
    if (n != strlen(out) || n > HDRVAL_NAME_MAX || !strcmp(out, ".") || !strcmp(out, ".."))
        abort();
    for (i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f || out[i] == '/' || out[i] == '\\')
            abort();
    return 0;
}
