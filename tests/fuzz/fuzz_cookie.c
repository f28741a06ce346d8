/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the cookie codec: Set-Cookie values and cookie-file lines. What parses stays in
 * its bounds, and a parsed file line formatted again parses to the same cookie.
 */
#include <stdlib.h>
#include <string.h>

#include "codec/cookie.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(struct span a, struct span b)
{
    return a.len == b.len && (!a.len || memcmp(a.p, b.p, a.len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cookie c, d;
    struct buf b;

    if (cookie_parse_set(span_of(data, size), 1700000000, &c, NULL) == 0) {
        if (!c.name.len || c.name.len + c.value.len > COOKIE_MAX || c.expires < 0)
            abort();
        (void)cookie_domain_ok(c.domain.len ? c.domain : c.name, span_str("www.example.com"));
        (void)cookie_path_match(span_str("/a/b"), c.path);
    }
    (void)cookie_default_path(span_of(data, size));
    if (cookie_parse_line(span_of(data, size), &c, NULL) == 0) {
        buf_init(&b, &mem_libc, 1 << 20);
        if (cookie_format_line(&c, &b) != 0 || b.len < 1 ||
            cookie_parse_line(span_of(b.p, b.len - 1), &d, NULL) != 0 || !same(c.name, d.name) ||
            !same(c.value, d.value) || !same(c.domain, d.domain) || !same(c.path, d.path) ||
            c.expires != d.expires || c.secure != d.secure || c.httponly != d.httponly ||
            c.subdomains != d.subdomains)
            abort();
        buf_release(&b);
    }
    return 0;
}
