/* SPDX-License-Identifier: MIT */
/*
 * Fuzz URL parsing and building, and reference resolution; input "URL\nREF". A parsed URL
 * rebuilt as scheme://authority+target parses to the same origin and target (free of bytes
 * needing escapes); REF resolved against a fixed base always names http(s).
 */
#include <stdlib.h>
#include <string.h>

#include "codec/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* scheme://authority + target and a NUL into `b`; returns where the target starts. */
static size_t build(const struct url *u, struct buf *b)
{
    size_t t, i;

    buf_reset(b);
    if (buf_append(b, u->scheme, strlen(u->scheme)) || buf_append(b, "://", 3) ||
        url_authority(u, b) || (t = b->len, url_request_target(u, b)) || buf_append(b, "", 1))
        abort();
    for (i = t; i + 1 < b->len; i++)
        if (b->p[i] <= 0x20 || b->p[i] >= 0x7f)
            abort();
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), *ref;
    struct url u, v;
    struct buf b, c;
    size_t t;

    memcpy(s, data, size);
    s[size] = '\0';
    ref = strchr(s, '\n');
    if (ref)
        *ref++ = '\0';
    buf_init(&b, &mem_libc, 1 << 20);
    buf_init(&c, &mem_libc, 1 << 20);
    if (url_parse(s, &u, NULL) == 0) {
        t = build(&u, &b);
        if (!u.host[0] || !u.port || url_parse((const char *)b.p, &v, NULL) != 0 ||
            (!u.zone[0] && !url_origin_equal(&u, &v)) || build(&v, &c) != t || b.len != c.len ||
            memcmp(b.p + t, c.p + t, b.len - t) != 0)
            abort();
    }
    buf_reset(&b);
    if (url_parse("https://u@[::1%25lo]:8443/b/c/d;p?q", &u, NULL) != 0 ||
        (url_resolve(&u, ref ? ref : s, &b, NULL) == 0 &&
         url_parse((const char *)b.p, &v, NULL) == H2E_UNSUPPORTED_SCHEME))
        abort();
    buf_release(&b);
    buf_release(&c);
    free(s);
    return 0;
}
