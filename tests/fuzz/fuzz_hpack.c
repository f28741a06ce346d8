/* SPDX-License-Identifier: MIT */
/* HPACK decoder fuzz target: one decoder (table 4096) over a sequence of blocks. Input: a
 * flags byte (bit 0: lower the SETTINGS limit to 256 before the second block), then blocks,
 * each a 2-byte big-endian length and that many octets (the last may be short). Every
 * failure must carry its reason; every decoded field must lie within the list's bounds. */
#include <stdlib.h>

#include "codec/hpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct hpack_list *l, size_t max_list)
{
    size_t i, sum = 0;
    for (i = 0; i < l->count; i++) {
        const struct hpack_field *f = &l->fields[i];
        if ((f->name.len && !f->name.p) || (f->value.len && !f->value.p) || f->repr > 3)
            abort();
        sum += f->name.len + f->value.len + 32;
    }
    if (sum != l->list_size || l->list_size > max_list)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hpack_decoder d;
    struct hpack_list l;
    size_t pos = 1, blocks = 0;

    if (size == 0)
        return 0;
    hpack_decoder_init(&d, &mem_libc, 4096);
    hpack_list_init(&l, &mem_libc);
    while (pos + 2 <= size) {
        struct h2e_info info = H2E_INFO_INIT;
        size_t n = (size_t)data[pos] << 8 | data[pos + 1];
        int rv;
        pos += 2;
        n = n < size - pos ? n : size - pos;
        if (blocks++ == 1 && (data[0] & 1))
            hpack_decoder_set_limit(&d, 256);
        rv = hpack_decode_block(&d, data + pos, n, &l, &info);
        if (rv != 0 && (rv != info.code || !info.why))
            abort();
        if (rv != 0)
            break; /* the decoder is unusable after an error */
        check(&l, d.max_list_size);
        pos += n;
    }
    hpack_list_release(&l);
    hpack_decoder_release(&d);
    return 0;
}
