/* SPDX-License-Identifier: MIT */
/*
 * HPACK tables (RFC 7541 §2.3, §4, Appendix A): the static table and its name lookup, and
 * the dynamic table with size accounting and eviction. Entry records sit in a power-of-two
 * ring indexed by insertion number; their bytes in one buffer, oldest first, compacted when
 * the end is reached, so an insertion costs no allocation once the table has grown. The
 * encoder's table also keeps a hash index of its entries. No I/O; allocates through `mem`.
 */
#include <string.h>

#include "hpack.h"
#include "base/buf.h"
#include "base/err.h"
#include "hpack_int.h"
#include "hpack_static.h"

/* Hash index of the encoder's table: 2^BUCKET_BITS buckets by field, then as many by name. */
#define BUCKET_BITS 8u
#define BUCKETS (1u << BUCKET_BITS)

static inline size_t ring_mask(const struct hpack_table *t)
{
    return t->ring_cap - 1;
}

static inline struct hpack_entry *entry_at(const struct hpack_table *t, size_t seq)
{
    return &t->ring[seq & ring_mask(t)];
}

static inline uint32_t bucket_of(uint32_t hash)
{
    return hash >> (32u - BUCKET_BITS);
}

void hpack_table_init(struct hpack_table *t, const struct mem *mem, uint32_t max_size, bool hashed)
{
    memset(t, 0, sizeof(*t));
    t->mem = mem;
    t->max_size = max_size;
    t->hashed = hashed; /* the index itself is allocated at the first insertion */
}

static bool has_index(const struct hpack_table *t)
{
    return t->buckets != NULL;
}

void hpack_table_release(struct hpack_table *t)
{
    mem_free(t->mem, t->ring);
    mem_free(t->mem, t->bytes);
    mem_free(t->mem, t->buckets);
    t->ring = NULL;
    t->bytes = NULL;
    t->buckets = NULL;
    t->ring_cap = t->count = 0;
    t->bytes_cap = 0;
    t->size = 0;
}

/* Drop the oldest entry (§4.4). Index links that named it go stale and are skipped by seq. */
static void evict_oldest(struct hpack_table *t)
{
    size_t seq = t->head - t->count;
    struct hpack_entry *e = entry_at(t, seq);

    t->size -= e->name_len + e->value_len + HPACK_ENTRY_OVERHEAD;
    t->count--;
    if (has_index(t)) {
        uint32_t *b = t->buckets;
        if (b[bucket_of(e->hash)] == (uint32_t)seq + 1)
            b[bucket_of(e->hash)] = 0;
        if (b[BUCKETS + bucket_of(e->name_hash)] == (uint32_t)seq + 1)
            b[BUCKETS + bucket_of(e->name_hash)] = 0;
    }
    if (t->count == 0)
        t->bytes_base = t->bytes_end; /* empty: the next entry starts at bytes[0] */
}

void hpack_table_set_max(struct hpack_table *t, uint32_t max_size, unsigned *evictions)
{
    t->max_size = max_size;
    while (t->size > t->max_size) {
        evict_oldest(t);
        (*evictions)++;
    }
}

/* Room for one more entry record: the ring doubles, records keep their seq positions. */
static int grow_ring(struct hpack_table *t)
{
    size_t cap = t->ring_cap ? t->ring_cap * 2 : 16, seq;
    struct hpack_entry *ring = mem_alloc(t->mem, cap * sizeof(*ring));

    if (!ring)
        return H2E_NOMEM;
    for (seq = t->head - t->count; seq != t->head; seq++)
        ring[seq & (cap - 1)] = *entry_at(t, seq);
    mem_free(t->mem, t->ring);
    t->ring = ring;
    t->ring_cap = cap;
    return 0;
}

/*
 * Room for `n` more bytes after the newest entry. The live bytes (at most max_size) move to
 * the front when the end is reached; the buffer is kept at twice what is live, so each byte
 * is moved at most about once on average.
 */
static int make_room(struct hpack_table *t, size_t n)
{
    uint32_t start = t->count ? entry_at(t, t->head - t->count)->off : t->bytes_end;
    size_t used = (uint32_t)(t->bytes_end - t->bytes_base);
    size_t live = (uint32_t)(t->bytes_end - start);

    if (t->bytes && used + n <= t->bytes_cap)
        return 0;
    if (!t->bytes || live + n > t->bytes_cap / 2) {
        size_t cap = 2 * (live + n);
        uint8_t *p;
        if (cap < 256)
            cap = 256;
        if (cap > UINT32_MAX) /* offsets are 32-bit; the live bytes always fit */
            cap = UINT32_MAX;
        p = mem_resize(t->mem, t->bytes, cap);
        if (!p)
            return H2E_NOMEM;
        t->bytes = p;
        t->bytes_cap = cap;
        if (used + n <= cap)
            return 0;
    }
    memmove(t->bytes, t->bytes + (uint32_t)(start - t->bytes_base), live);
    t->bytes_base = start;
    return 0;
}

static int alloc_index(struct hpack_table *t)
{
    if (has_index(t))
        return 0;
    t->buckets = mem_alloc(t->mem, 2 * BUCKETS * sizeof(uint32_t));
    if (!t->buckets)
        return H2E_NOMEM;
    memset(t->buckets, 0, 2 * BUCKETS * sizeof(uint32_t));
    return 0;
}

static void link_entry(struct hpack_table *t, struct hpack_entry *e, size_t seq,
                       const struct hpack_hashes *h)
{
    uint32_t *b = t->buckets;

    e->hash = h->field;
    e->name_hash = h->name;
    e->next = b[bucket_of(h->field)];
    e->name_next = b[BUCKETS + bucket_of(h->name)];
    b[bucket_of(h->field)] = (uint32_t)seq + 1;
    b[BUCKETS + bucket_of(h->name)] = (uint32_t)seq + 1;
}

int hpack_table_insert(struct hpack_table *t, struct span name, struct span value,
                       const struct hpack_hashes *h, unsigned *evictions)
{
    size_t len = name.len + value.len;
    struct hpack_entry *e;
    uint8_t *p;

    /* §4.4: an entry larger than the table empties it and is not added. */
    if (len > t->max_size || len + HPACK_ENTRY_OVERHEAD > t->max_size) {
        while (t->count) {
            evict_oldest(t);
            (*evictions)++;
        }
        return 1;
    }
    while (t->size + len + HPACK_ENTRY_OVERHEAD > t->max_size) {
        evict_oldest(t);
        (*evictions)++;
    }
    if ((t->count == t->ring_cap && grow_ring(t)) || make_room(t, len) ||
        (t->hashed && alloc_index(t)))
        return H2E_NOMEM;
    p = t->bytes + (uint32_t)(t->bytes_end - t->bytes_base);
    if (name.len)
        memcpy(p, name.p, name.len);
    if (value.len)
        memcpy(p + name.len, value.p, value.len);
    e = entry_at(t, t->head);
    e->off = t->bytes_end;
    e->name_len = (uint32_t)name.len;
    e->value_len = (uint32_t)value.len;
    if (t->hashed)
        link_entry(t, e, t->head, h);
    t->bytes_end += (uint32_t)len;
    t->head++;
    t->count++;
    t->size += (uint32_t)(len + HPACK_ENTRY_OVERHEAD);
    return 0;
}

static inline struct span entry_name(const struct hpack_table *t, const struct hpack_entry *e)
{
    return span_of(t->bytes + (uint32_t)(e->off - t->bytes_base), e->name_len);
}

static inline struct span entry_value(const struct hpack_table *t, const struct hpack_entry *e)
{
    return span_of(t->bytes + (uint32_t)(e->off - t->bytes_base) + e->name_len, e->value_len);
}

bool hpack_table_get(const struct hpack_table *t, uint32_t index, struct span *name,
                     struct span *value)
{
    const struct hpack_entry *e;

    if (index == 0)
        return false;
    if (index <= HPACK_STATIC_LAST) {
        const struct hpack_static_entry *s = &hpack_static[index];
        *name = span_of(s->name, s->name_len);
        *value = span_of(s->value, s->value_len);
        return true;
    }
    index -= HPACK_STATIC_LAST + 1;
    if (index >= t->count)
        return false;
    e = entry_at(t, t->head - 1 - index);
    *name = entry_name(t, e);
    *value = entry_value(t, e);
    return true;
}

static inline bool same(struct span a, struct span b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* Index (62 up) of insertion `link - 1`, or 0 when the link is empty or names an evicted
 * entry: chains run newest to oldest, so the first stale link ends the walk. */
static inline uint32_t live_index(const struct hpack_table *t, uint32_t link)
{
    uint32_t age = (uint32_t)t->head - (link - 1);
    if (link == 0 || age == 0 || age > t->count)
        return 0;
    return HPACK_STATIC_LAST + age;
}

uint32_t hpack_table_find(const struct hpack_table *t, struct span name, struct span value,
                          const struct hpack_hashes *h, uint32_t *name_index)
{
    uint32_t link, idx;

    *name_index = 0;
    if (!has_index(t) || t->count == 0)
        return 0;
    for (link = t->buckets[bucket_of(h->field)]; (idx = live_index(t, link)) != 0;) {
        const struct hpack_entry *e = entry_at(t, link - 1);
        if (e->hash == h->field && same(entry_name(t, e), name) && same(entry_value(t, e), value))
            return idx;
        link = e->next;
    }
    for (link = t->buckets[BUCKETS + bucket_of(h->name)]; (idx = live_index(t, link)) != 0;) {
        const struct hpack_entry *e = entry_at(t, link - 1);
        if (e->name_hash == h->name && same(entry_name(t, e), name)) {
            *name_index = idx;
            break;
        }
        link = e->name_next;
    }
    return 0;
}

uint32_t hpack_static_find(struct span name, struct span value, uint32_t name_hash,
                           uint32_t *name_index)
{
    const struct hpack_static_slot *slot = &hpack_static_hash[name_hash >> 24];
    const struct hpack_static_entry *s = &hpack_static[slot->first];
    uint32_t i;

    *name_index = 0;
    if (slot->first == 0 || !same(span_of(s->name, s->name_len), name))
        return 0;
    *name_index = slot->first;
    for (i = 0; i < slot->count; i++, s++) {
        if (same(span_of(s->value, s->value_len), value))
            return slot->first + i;
    }
    return 0;
}
