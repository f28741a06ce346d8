/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by hpack.c (decoder, encoder), hpack_table.c (static and dynamic table)
 * and hpack_huff.c (Huffman code, RFC 7541 §5.2 and Appendix B). Not for other modules: use
 * hpack.h. Nothing here allocates except through the table's `struct mem`.
 */
#ifndef H2GET_HPACK_INT_H
#define H2GET_HPACK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "hpack.h"

/* §4.1: an entry's size is its name and value lengths plus 32. */
#define HPACK_ENTRY_OVERHEAD 32u
/* The number of static table entries (Appendix A); dynamic indices start after it. */
#define HPACK_STATIC_LAST 61u

/* One dynamic table entry; its name then value are at `off` in the table's byte buffer. */
struct hpack_entry {
    uint32_t off;
    uint32_t name_len;
    uint32_t value_len;
    uint32_t hash;      /* encoder: hash of name and value */
    uint32_t name_hash; /* encoder: hash of the name */
    uint32_t next;      /* encoder: older entry in the same field bucket, seq + 1 (0: none) */
    uint32_t name_next; /* encoder: older entry in the same name bucket, seq + 1 (0: none) */
};

/* Hash of the bytes `p`..`p+n` continuing from `h` (32-bit FNV-1a). scripts/mkhuff.py uses
 * the same function to build the static name table's perfect hash. */
static inline uint32_t hpack_hash(uint32_t h, const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x01000193u;
    return h;
}

/* Hashes of a field for the encoder's lookups. */
struct hpack_hashes {
    uint32_t name;  /* hpack_hash(HPACK_STATIC_SEED, name) */
    uint32_t field; /* hpack_field_hash() */
};

static inline uint32_t hpack_field_hash(uint32_t name_hash, struct span value)
{
    return hpack_hash(name_hash * 0x9e3779b1u + 1u, value.p, value.len);
}

/* hpack_table_init - an empty table of `max_size` octets; `hashed` builds the encoder's
 * lookup index (one allocation, made at the first insertion). Allocates nothing here. */
void hpack_table_init(struct hpack_table *t, const struct mem *mem, uint32_t max_size, bool hashed);
void hpack_table_release(struct hpack_table *t);
/* hpack_table_set_max - a new maximum size; evicts oldest entries until the table fits
 * (§4.3) and adds the number evicted to `*evictions`. */
void hpack_table_set_max(struct hpack_table *t, uint32_t max_size, unsigned *evictions);
/*
 * hpack_table_insert - add `name`: `value` (borrowed for the call; they may not point into
 * the table) as the newest entry, evicting first (§4.4). An entry larger than the table
 * empties it and is not added. `h` is required for a hashed table, else ignored. Returns 0
 * (added), 1 (too large, table emptied) or H2E_NOMEM (then the table must not be used again).
 */
int hpack_table_insert(struct hpack_table *t, struct span name, struct span value,
                       const struct hpack_hashes *h, unsigned *evictions);
/* hpack_table_find - for a hashed table: the index (62 up) of the newest entry equal to
 * `name`: `value`, or 0; `*name_index` gets the newest entry with that name, or 0. */
uint32_t hpack_table_find(const struct hpack_table *t, struct span name, struct span value,
                          const struct hpack_hashes *h, uint32_t *name_index);
/* hpack_static_find - the static index of `name`: `value`, or 0; `*name_index` gets the
 * lowest static index with that name, or 0. `name_hash` is hpack_hashes.name. */
uint32_t hpack_static_find(struct span name, struct span value, uint32_t name_hash,
                           uint32_t *name_index);

/* hpack_huff_decode_why - hpack_huff_decode, also naming the problem in `*why` on
 * H2E_HPACK_HUFFMAN. */
int hpack_huff_decode_why(struct span in, struct buf *out, const char **why);

#endif
