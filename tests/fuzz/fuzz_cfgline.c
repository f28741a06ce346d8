/* SPDX-License-Identifier: MIT */
/*
 * Fuzz config-file lines: every line of the input is parsed; a line that parses has a
 * non-empty name inside the line, and a value (NUL-terminated) no longer than the line.
 */
#include <stdlib.h>
#include <string.h>

#include "codec/cfgline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct span text = span_of(data, size), line;
    struct h2e_info info = H2E_INFO_INIT;
    struct cfgline l;
    struct buf v;

    buf_init(&v, &mem_libc, 1 << 20);
    while (cfgline_next(&text, &line)) {
        int rv = cfgline_parse(line, &l, &v, &info);
        if (rv < 0 && !info.why)
            abort();
        if (rv != 1)
            continue;
        if (!l.name.len || l.name.p < line.p || l.name.p + l.name.len > line.p + line.len)
            abort();
        if (l.has_value && (v.len == 0 || v.len > line.len + 1 || v.p[v.len - 1] != '\0'))
            abort();
    }
    buf_release(&v);
    return 0;
}
