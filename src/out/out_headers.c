/* SPDX-License-Identifier: MIT */
/*
 * The response head as -i and -D show it: a status line, then "name: value" lines, then
 * an empty line, all ending in CRLF as in HTTP/1.1 (curl's format, for either protocol),
 * pseudo-headers left out; and the -D file that collects the heads of a whole run.
 * Field bytes are written as received (the codecs refused CR, LF and NUL).
 */
#include "out.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"

int out_header_block(struct buf *b, int status, const char *proto, const struct msg_field *f,
                     size_t n)
{
    char code[24];
    size_t i;
    int rv = 0;

    if (status) {
        snprintf(code, sizeof(code), " %d\r\n", status);
        rv = buf_append(b, proto, strlen(proto));
        if (rv == 0)
            rv = buf_append(b, code, strlen(code));
    }
    for (i = 0; i < n && rv == 0; i++) {
        if (f[i].name.len && f[i].name.p[0] == ':')
            continue;
        rv = buf_append(b, f[i].name.p, f[i].name.len);
        if (rv == 0)
            rv = buf_append(b, ": ", 2);
        if (rv == 0)
            rv = buf_append(b, f[i].value.p, f[i].value.len);
        if (rv == 0)
            rv = buf_append(b, "\r\n", 2);
    }
    return rv ? rv : buf_append(b, "\r\n", 2);
}

int out_dump_headers(const char *path, bool *started, struct span block)
{
    FILE *f;
    int err = 0;

    if (strcmp(path, "-") == 0)
        return fwrite(block.p, 1, block.len, stdout) == block.len ? 0 : H2E_WRITE;
    f = fopen(path, *started ? "ab" : "wb");
    if (!f)
        return H2E_WRITE;
    *started = true;
    if (fwrite(block.p, 1, block.len, f) != block.len)
        err = errno;
    if (fclose(f) != 0 && !err)
        err = errno;
    errno = err;
    return err ? H2E_WRITE : 0;
}
