/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the X.509 Name canonical form (a server's certificate chain names the issuers whose
 * hashes are looked up): any input is refused or canonicalised within bounds, and the
 * canonical form is a fixed point: wrapped in a SEQUENCE again, it canonicalises to itself.
 */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "codec/x509name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* SEQUENCE { `b` } into `w`. */
static void wrap(const struct buf *b, struct buf *w)
{
    uint8_t head[6] = {0x30};
    size_t n = 1, len = b->len;

    if (len < 0x80) {
        head[n++] = (uint8_t)len;
    } else {
        head[n++] = 0x84;
        head[n++] = (uint8_t)(len >> 24);
        head[n++] = (uint8_t)(len >> 16);
        head[n++] = (uint8_t)(len >> 8);
        head[n++] = (uint8_t)len;
    }
    if (buf_append(w, head, n) || buf_append(w, b->p, b->len))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf a, w, b;

    buf_init(&a, &mem_libc, 1u << 20);
    buf_init(&w, &mem_libc, 1u << 21);
    buf_init(&b, &mem_libc, 1u << 20);
    if (x509name_canon(data, size, &a) == 0) {
        if (a.len > 4 * size + 64)
            abort(); /* at most UTF-8 of Latin-1 plus re-encoded headers */
        wrap(&a, &w);
        if (x509name_canon(w.p, w.len, &b) != 0 || b.len != a.len ||
            (a.len && memcmp(a.p, b.p, a.len) != 0))
            abort();
    }
    buf_release(&a);
    buf_release(&w);
    buf_release(&b);
    return 0;
}
