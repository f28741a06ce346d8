/* SPDX-License-Identifier: MIT */
/*
 * HPACK (RFC 7541): integers (§5.1), string literals with and without Huffman (§5.2,
 * Appendix B), the static table (Appendix A), the dynamic table with eviction (§4), and a
 * decoder and an encoder of whole header blocks. Bytes in, fields and bytes out: knows
 * nothing of requests, frames or sockets, and allocates only through the given `struct mem`.
 */
#ifndef H2GET_HPACK_H
#define H2GET_HPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* How a field was (decoder) or is to be (encoder) represented, RFC 7541 §6. */
enum hpack_repr {
    HPACK_REPR_INDEXED,     /* §6.1 */
    HPACK_REPR_INCREMENTAL, /* §6.2.1 literal with incremental indexing */
    HPACK_REPR_WITHOUT,     /* §6.2.2 literal without indexing */
    HPACK_REPR_NEVER,       /* §6.2.3 literal never indexed */
};

enum hpack_field_flags {
    HPACK_FIELD_NAME_HUFFMAN = 1 << 0,  /* decoded: the name literal was Huffman-coded */
    HPACK_FIELD_VALUE_HUFFMAN = 1 << 1, /* decoded: the value literal was Huffman-coded */
    HPACK_FIELD_SENSITIVE = 1 << 2,     /* encoder input: send never-indexed (§7.1.3) */
    HPACK_FIELD_NO_INDEX = 1 << 3,      /* encoder input: send without indexing */
};

struct hpack_field {
    struct span name;
    struct span value;
    uint8_t repr;   /* enum hpack_repr; set by the decoder */
    uint8_t flags;  /* enum hpack_field_flags */
    uint32_t index; /* decoded: the index used (indexed) or the name index (0: new name) */
};

/*
 * The dynamic table (§2.3.2, §4): entries newest first from index 62; a ring of entries
 * whose bytes live in one buffer, oldest first (hpack_table.c). Opaque to users beyond
 * `size`, `max_size` and `count`.
 */
struct hpack_table {
    const struct mem *mem;
    struct hpack_entry *ring; /* opaque to users */
    size_t ring_cap, head, count;
    uint32_t size;     /* §4.1 size: sum of name + value + 32 per entry */
    uint32_t max_size; /* current maximum, set by size updates */
    uint8_t *bytes;    /* names and values of the entries, oldest first */
    size_t bytes_cap;
    uint32_t bytes_base; /* offset (modulo 2^32) of bytes[0] */
    uint32_t bytes_end;  /* offset just after the newest entry's value */
    uint32_t *buckets;   /* encoder only: hash index of the entries */
    bool hashed;         /* an encoder's table: keeps `buckets` */
};

/* What one decoded or encoded block did, for traces and statistics. */
struct hpack_stats {
    size_t wire_bytes;    /* header block octets */
    size_t decoded_bytes; /* sum of name + value lengths */
    unsigned inserts;
    unsigned evictions;
    unsigned size_updates;
    uint32_t last_size_update;
    uint32_t table_size; /* dynamic table size after the block */
    uint32_t table_entries;
};

/*
 * A decoded header list. `fields[i].name` / `.value` point into the list's own storage (or
 * into the constant static table) and are valid until the list is reset, released or decoded
 * into again. After a failed decode `count` is 0.
 */
struct hpack_list {
    struct hpack_field *fields;
    size_t count;
    size_t cap;
    struct buf bytes;
    size_t list_size; /* RFC 9113 §6.5.2 size: name + value + 32 per field */
    struct hpack_stats stats;
};

struct hpack_decoder {
    struct hpack_table table;
    uint32_t limit;        /* SETTINGS_HEADER_TABLE_SIZE we advertised: size update cap */
    size_t max_list_size;  /* LIMIT_HEADER_LIST_SIZE unless changed */
    size_t max_fields;     /* LIMIT_HEADER_COUNT unless changed */
    size_t max_field_size; /* LIMIT_FIELD_SIZE unless changed */
    bool need_update;      /* the limit fell below the table: next block must resize (§4.2) */
};

enum hpack_huffman_mode {
    HPACK_HUFFMAN_AUTO,   /* Huffman only when shorter */
    HPACK_HUFFMAN_NEVER,  /* plain literals */
    HPACK_HUFFMAN_ALWAYS, /* Huffman for every literal (Appendix C.4/C.6) */
};

enum hpack_index_mode {
    HPACK_INDEX_AUTO,  /* index in the dynamic table; sensitive fields never indexed;
                        * fields whose values usually vary (:path, content-length, date,
                        * etag, set-cookie, ...) indexed only when seen again recently */
    HPACK_INDEX_NEVER, /* every literal never-indexed */
    HPACK_INDEX_NONE,  /* use no dynamic table: literals without indexing */
    HPACK_INDEX_ALL,   /* as AUTO, but index every literal that fits (the policy of RFC 7541
                        * Appendix C's examples) */
};

/* Slots of the encoder's memory of recently sent varying fields (by hash). */
#define HPACK_RECENT_SLOTS 256

struct hpack_encoder {
    struct hpack_table table;
    uint32_t cap;          /* our own ceiling on the table size */
    uint32_t pending_min;  /* smallest size set since the last block (§4.2) */
    uint32_t pending_size; /* the final size to signal at the start of the next block */
    uint32_t peer_size;    /* the table size the peer's decoder knows (4096 at start) */
    bool pending_update;   /* a size update must start the next block */
    enum hpack_huffman_mode huffman;
    enum hpack_index_mode indexing;
    uint32_t recent[HPACK_RECENT_SLOTS]; /* hashes of varying fields sent without indexing */
};

/* hpack_list_init / _reset / _release: lifecycle of a decoded list allocated through `mem`. */
void hpack_list_init(struct hpack_list *l, const struct mem *mem);
void hpack_list_reset(struct hpack_list *l);
void hpack_list_release(struct hpack_list *l);

/*
 * hpack_decoder_init - a decoder whose dynamic table starts at `limit` octets (4096 in
 * HTTP/2) and whose size-update cap is `limit`. Allocates nothing until first use.
 */
void hpack_decoder_init(struct hpack_decoder *d, const struct mem *mem, uint32_t limit);
void hpack_decoder_release(struct hpack_decoder *d);
/* hpack_decoder_set_limit - a new SETTINGS_HEADER_TABLE_SIZE was acknowledged; size
 * updates above it are errors from now on (§4.2). The table itself changes only when the
 * peer's next block says so; when `limit` is below the current table size, that block must
 * start with a size update, else it fails with H2E_HPACK_SIZE_UPDATE. */
void hpack_decoder_set_limit(struct hpack_decoder *d, uint32_t limit);

/*
 * hpack_decode_block - decode one complete header block `p` (`len` bytes, borrowed for the
 * call) into `out`, which is reset first. Returns 0, or a negative H2E_* with `info` filled:
 * H2E_HPACK_INTEGER, H2E_HPACK_INDEX, H2E_HPACK_HUFFMAN, H2E_HPACK_TRUNCATED,
 * H2E_HPACK_SIZE_UPDATE (connection COMPRESSION_ERROR, RFC 9113 §4.3), H2E_LIMIT_HEADER_LIST,
 * H2E_LIMIT_HEADER_COUNT, H2E_LIMIT_FIELD_SIZE, or H2E_NOMEM. After an error the decoder's
 * table is unusable and the connection must end.
 */
int hpack_decode_block(struct hpack_decoder *d, const uint8_t *p, size_t len,
                       struct hpack_list *out, struct h2e_info *info);

/* hpack_encoder_init - an encoder allowed up to `cap` octets of dynamic table; the table
 * starts at min(4096, cap) as the peer's default allows (§4.2). */
void hpack_encoder_init(struct hpack_encoder *e, const struct mem *mem, uint32_t cap);
void hpack_encoder_release(struct hpack_encoder *e);
/* hpack_encoder_set_peer_limit - the peer's SETTINGS_HEADER_TABLE_SIZE; the table becomes
 * min(`size`, cap) and the next block starts with the size update(s) §4.2 requires. */
void hpack_encoder_set_peer_limit(struct hpack_encoder *e, uint32_t size);

/*
 * hpack_encode_block - append the encoding of `n` fields (borrowed for the call) to `out`.
 * Indexed where the static or dynamic table holds the field, literal with incremental
 * indexing otherwise (lowest static name index when the name is known, else a dynamic name
 * match), without indexing for fields larger than the table and, in HPACK_INDEX_AUTO, for
 * the first recent sight of a field whose values usually vary; never-indexed for sensitive
 * fields (HPACK_FIELD_SENSITIVE, authorization, proxy-authorization, cookie values under 20
 * octets), Huffman as the mode says. Returns 0, H2E_NOMEM or
 * H2E_LIMIT_BUFFER (then `out` may hold part of the block and the encoder must not be used
 * again). `stats`, when not NULL, receives what the block did.
 */
int hpack_encode_block(struct hpack_encoder *e, const struct hpack_field *fields, size_t n,
                       struct buf *out, struct hpack_stats *stats);

/* Primitives, exported for tests and traces. */
/* hpack_encode_int - write `value` with an N-bit prefix (`prefix_bits` 1..8) into `out`,
 * first octet's high bits taken from `first`; returns bytes written (at most 6) or 0 when
 * `cap` is too small. */
size_t hpack_encode_int(uint8_t *out, size_t cap, uint8_t first, int prefix_bits, uint32_t value);
/* hpack_decode_int - read an N-bit-prefix integer from `*p` (advanced) up to `end`;
 * returns 0, H2E_HPACK_TRUNCATED, or H2E_HPACK_INTEGER when it exceeds 2^32-1. */
int hpack_decode_int(const uint8_t **p, const uint8_t *end, int prefix_bits, uint32_t *value);
/* hpack_huff_len - octets the Huffman encoding of `s` takes. */
size_t hpack_huff_len(struct span s);
/* hpack_huff_encode - Huffman-encode `s` into `out` (hpack_huff_len(s) bytes); returns that
 * length. */
size_t hpack_huff_encode(uint8_t *out, struct span s);
/* hpack_huff_decode - decode `in` and append to `out`; returns 0, H2E_HPACK_HUFFMAN (EOS in
 * the string, padding over 7 bits or not all ones, §5.2), H2E_NOMEM or H2E_LIMIT_BUFFER. */
int hpack_huff_decode(struct span in, struct buf *out);

/* hpack_table_get - entry `index` (1-based across static then dynamic, §2.3.3) of `t`;
 * returns false when out of range. Spans are valid until `t` changes. */
bool hpack_table_get(const struct hpack_table *t, uint32_t index, struct span *name,
                     struct span *value);

#endif
