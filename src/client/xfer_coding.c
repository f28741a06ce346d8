/* SPDX-License-Identifier: MIT */
/*
 * --compressed for one transfer: the decoder made from the response's content-encoding
 * fields (codec/coding), the body pushed through it chunk by chunk, and the bounds that
 * stop a decompression bomb before it fills memory or disk: --max-filesize on the decoded
 * size (exit 63) and --max-decompressed-ratio on decoded per received bytes (exit 61).
 * Failing the transfer removes its output file (out.c), so nothing is left looking whole.
 * Without --compressed no decoder exists and the body passes as it came (curl does so).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cconn.h"
#include "run.h"
#include "xfer.h"
#include "codec/coding.h"
#include "sys/xalloc.h"

/* Every content-encoding field of the head, in order (RFC 9110 §5.3: one list). */
static int collect(const struct msg_field *f, size_t n, enum coding_type *types, size_t *nt,
                   struct h2e_info *info, struct span *bad)
{
    size_t i;
    int rv;

    for (i = 0; i < n; i++) {
        if (f[i].name.len != 16 || strncasecmp((const char *)f[i].name.p, "content-encoding", 16))
            continue;
        rv = coding_parse(f[i].value, types, nt, info);
        if (rv) {
            *bad = f[i].value;
            return rv;
        }
    }
    return 0;
}

static bool has_body(const struct xfer *x)
{
    int s = x->resp.status;

    return x->resp.state == XFER_RESP_HEADERS && strcmp(x->req.method, "HEAD") != 0 && s != 204 &&
           s != 304;
}

int xfer_coding_start(struct xfer *x, const struct msg_field *f, size_t n)
{
    enum coding_type types[LIMIT_CONTENT_CODINGS];
    struct h2e_info info = H2E_INFO_INIT;
    struct span bad = {NULL, 0};
    size_t nt = 0;
    int rv;

    xfer_coding_drop(x);
    if (!x->cl->cfg->req.compressed || !has_body(x))
        return 0;
    rv = collect(f, n, types, &nt, &info, &bad);
    if (rv) {
        /* curl: "Unrecognized content encoding type", CURLE_BAD_CONTENT_ENCODING */
        xfer_fail(x, rv, "%s in 'content-encoding: %.*s' (h2get decodes %s)", info.why,
                  (int)bad.len, (const char *)bad.p, CODING_ACCEPT);
        return rv;
    }
    if (!nt)
        return 0;
    x->resp.dec = xcalloc(1, sizeof(*x->resp.dec));
    if (coding_init(x->resp.dec, &xalloc_mem, types, nt, &info) != 0) {
        free(x->resp.dec);
        x->resp.dec = NULL;
        xfer_fail(x, H2E_BAD_CODING, "%s", info.why);
        return H2E_BAD_CODING;
    }
    return 0;
}

/* The bounds, checked before each decoded chunk is written. */
static int bounded(struct xfer *x, size_t more)
{
    const struct config *cfg = x->cl->cfg;
    uint64_t total = x->resp.decoded_bytes + more;

    if (cfg->out.max_filesize && total > cfg->out.max_filesize) {
        xfer_fail(x, H2E_FILESIZE, "the %sbody exceeds --max-filesize %llu",
                  x->resp.dec ? "decoded " : "", (unsigned long long)cfg->out.max_filesize);
        return H2E_FILESIZE;
    }
    if (cfg->out.max_ratio && total > CLI_RATIO_GRACE &&
        total / cfg->out.max_ratio > x->resp.body_bytes) {
        xfer_fail(x, H2E_BAD_CODING,
                  "the body expands more than %llu times (%llu bytes from %llu received; "
                  "--max-decompressed-ratio)",
                  (unsigned long long)cfg->out.max_ratio, (unsigned long long)total,
                  (unsigned long long)x->resp.body_bytes);
        return H2E_BAD_CODING;
    }
    return 0;
}

/* Decode `p` to `write`, chunk by chunk, within the bounds. */
static int decode(struct xfer *x, const uint8_t *p, size_t n,
                  int (*write)(struct xfer *x, const void *p, size_t n))
{
    struct h2e_info info = H2E_INFO_INIT;
    struct span out;
    int rv;

    coding_feed(x->resp.dec, p, n);
    while ((rv = coding_next(x->resp.dec, &out, &info)) == 1) {
        if ((rv = bounded(x, out.len)) != 0)
            return rv;
        x->resp.decoded_bytes += out.len;
        if ((rv = write(x, out.p, out.len)) != 0)
            return rv;
    }
    if (rv < 0) {
        xfer_fail(x, rv, "%s", info.why);
        return rv;
    }
    return 0;
}

/* zlib copies the last 32 KiB it wrote into its window after every inflate() call, and
 * each call has its set-up: one call per 16 KiB DATA frame made inflating a gzip -1 text
 * about 15% slower than one call per 256 KiB (measured with zlib 1.2.13). So the wire
 * bytes of one step are gathered and decoded together. */
int xfer_coding_write(struct xfer *x, const uint8_t *p, size_t n,
                      int (*write)(struct xfer *x, const void *p, size_t n))
{
    int rv;

    if (!x->resp.dec) {
        if ((rv = bounded(x, n)) != 0)
            return rv;
        x->resp.decoded_bytes += n;
        return write(x, p, n);
    }
    if (!x->resp.coded.len && n >= XFER_CODING_BATCH)
        return decode(x, p, n, write);
    if (!x->resp.coded.mem)
        buf_init(&x->resp.coded, &xalloc_mem, SIZE_MAX); /* bounded by the batch */
    (void)buf_append(&x->resp.coded, p, n);              /* xalloc: exits when out of memory */
    if (x->resp.coded.len >= XFER_CODING_BATCH)
        return xfer_coding_flush(x, write);
    if (x->conn)
        x->conn->coded_pending = true;
    return 0;
}

int xfer_coding_flush(struct xfer *x, int (*write)(struct xfer *x, const void *p, size_t n))
{
    int rv;

    if (!x->resp.coded.len || !x->resp.dec)
        return 0;
    rv = decode(x, x->resp.coded.p, x->resp.coded.len, write);
    buf_reset(&x->resp.coded);
    return rv;
}

int xfer_coding_end(struct xfer *x)
{
    struct h2e_info info = H2E_INFO_INIT;
    int rv;

    if (!x->resp.dec || (rv = coding_finish(x->resp.dec, &info)) == 0)
        return 0;
    xfer_fail(x, rv, "%s", info.why);
    return rv;
}

void xfer_coding_drop(struct xfer *x)
{
    if (x->resp.coded.mem)
        buf_release(&x->resp.coded);
    if (!x->resp.dec)
        return;
    coding_release(x->resp.dec);
    free(x->resp.dec);
    x->resp.dec = NULL;
}
