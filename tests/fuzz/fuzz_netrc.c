/* SPDX-License-Identifier: MIT */
/*
 * Fuzz .netrc lookup: any input gives 0, 1 or H2E_NETRC, and the login and password are
 * NUL-terminated within their bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "codec/netrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char l[NETRC_TOKEN_MAX + 1], p[NETRC_TOKEN_MAX + 1];
    int rv = netrc_lookup(span_of(data, size), span_str("example.com"), l, p, NULL);

    if ((rv != 0 && rv != 1 && rv != H2E_NETRC) || memchr(l, 0, sizeof(l)) == NULL ||
        memchr(p, 0, sizeof(p)) == NULL)
        abort();
    return 0;
}
