/* SPDX-License-Identifier: MIT */
/*
 * Fuzz proxy URLs and no_proxy lists; input "URL\nLIST\nHOST". A parsed proxy URL has a
 * host and a port, and its host and port parse back the same as "scheme://[host]:port".
 * A list that passes the check matches HOST the same with commas around it; "*" matches
 * every host; a list refused by the check still matches without reading past its end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void url(const char *s)
{
    struct buf work, w2;
    struct proxy_url u, v;
    char again[URL_HOST_MAX + 64];

    buf_init(&work, &mem_libc, 1 << 16);
    buf_init(&w2, &mem_libc, 1 << 16);
    if (proxy_parse_url(s, &u, &work, NULL) == 0) {
        snprintf(again, sizeof(again), u.host_kind == URL_HOST_IPV6 ? "%s://[%s]:%u" : "%s://%s:%u",
                 proxy_kind_name(u.kind), u.host, u.port);
        if (!u.host[0] || !u.port || proxy_parse_url(again, &v, &w2, NULL) != 0 ||
            strcmp(u.host, v.host) != 0 || u.port != v.port || u.kind != v.kind)
            abort();
    }
    buf_release(&work);
    buf_release(&w2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), *list, *host, *wrapped;

    memcpy(s, data, size);
    s[size] = '\0';
    list = strchr(s, '\n');
    list = list ? (*list = '\0', list + 1) : s + size;
    host = strchr(list, '\n');
    host = host ? (*host = '\0', host + 1) : list + strlen(list);
    url(s);
    wrapped = malloc(strlen(list) + 3);
    snprintf(wrapped, strlen(list) + 3, ",%s,", list);
    if (proxy_noproxy_check(list, NULL, NULL) == 0 &&
        proxy_noproxy_match(list, host, 443) != proxy_noproxy_match(wrapped, host, 443))
        abort();
    if (strspn(host, ".") < strlen(host) && !proxy_noproxy_match("*", host, 1))
        abort();
    free(wrapped);
    free(s);
    return 0;
}
