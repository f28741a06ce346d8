/* SPDX-License-Identifier: MIT */
/* HPACK round trip: byte 0 picks the Huffman and index modes and a peer limit (set before
 * block 2); then up to 8 blocks split on 0xff of fields "name\0value\0..." (name length % 3
 * picks the flags), through one encoder/decoder pair. Any difference aborts. */
#include <stdlib.h>
#include <string.h>

#include "codec/hpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct hpack_field f[256];
    struct hpack_encoder e;
    struct hpack_decoder d;
    struct hpack_list l;
    struct buf out;
    size_t pos, start = 1, k = 0, blocks = 0, i, n;

    if (size == 0)
        return 0;
    hpack_encoder_init(&e, &mem_libc, 4096);
    e.huffman = (enum hpack_huffman_mode)((data[0] & 3) % 3);
    e.indexing = (enum hpack_index_mode)(data[0] >> 2 & 3);
    hpack_decoder_init(&d, &mem_libc, 4096);
    d.max_list_size = d.max_fields = d.max_field_size = SIZE_MAX;
    hpack_list_init(&l, &mem_libc);
    buf_init(&out, &mem_libc, SIZE_MAX);
    for (pos = 1; pos <= size && blocks < 8; pos++) {
        int c = pos < size ? data[pos] : 0xff; /* the end of input ends a block too */
        if ((c == 0 || c == 0xff) && k < 512)  /* a lone name keeps an empty value */
            *(k % 2 ? &f[k / 2].value : &f[k / 2].name) = span_of(data + start, pos - start);
        k += c == 0 || c == 0xff;
        start = c == 0 || c == 0xff ? pos + 1 : start;
        if (c != 0xff)
            continue;
        if (blocks++ == 1) {
            hpack_encoder_set_peer_limit(&e, (uint32_t)(data[0] >> 4) * 512);
            hpack_decoder_set_limit(&d, (uint32_t)(data[0] >> 4) * 512);
        }
        for (n = k < 512 ? (k + 1) / 2 : 256, k = 0, i = 0; i < n; i++)
            f[i].flags = (uint8_t)(f[i].name.len % 3 << 2);
        buf_reset(&out);
        if (hpack_encode_block(&e, f, n, &out, NULL) != 0 ||
            hpack_decode_block(&d, out.p, out.len, &l, NULL) != 0 || l.count != n ||
            d.table.size != e.table.size || d.table.count != e.table.count)
            abort();
        for (i = 0; i < n; i++)
            if (!span_eq(l.fields[i].name, f[i].name) || !span_eq(l.fields[i].value, f[i].value))
                abort();
        memset(f, 0, sizeof(f)); /* so that f is all zero at every block start */
    }
    buf_release(&out);
    hpack_list_release(&l);
    hpack_decoder_release(&d);
    hpack_encoder_release(&e);
    return 0;
}
