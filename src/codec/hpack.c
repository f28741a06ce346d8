/* SPDX-License-Identifier: MIT */
/*
 * HPACK header blocks (RFC 7541): integers (§5.1), string literals (§5.2), the decoder of
 * whole blocks (§3.2, §6) with the RFC 9113 §6.5.2 list size and h2get's count and field
 * limits, and the encoder (§6, never-indexed fields per §7.1.3, size updates per §4.2).
 * Tables live in hpack_table.c and the Huffman code in hpack_huff.c. Knows nothing of frames
 * or requests; no I/O; allocates only through the `struct mem` it was given.
 */
#include <string.h>

#include "hpack.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"
#include "hpack_int.h"
#include "hpack_static.h"

/* RFC 9113 §6.5.2: the initial SETTINGS_HEADER_TABLE_SIZE, which both ends start from. */
#define DEFAULT_TABLE_SIZE 4096u
/* Static indices of the names RFC 7541 §7.1.3 says to protect (Appendix A). */
#define STATIC_AUTHORIZATION 23u
#define STATIC_COOKIE 32u
#define STATIC_PROXY_AUTHORIZATION 49u
/* §7.1.3: cookie values shorter than this are guessable and never indexed. */
#define SHORT_COOKIE 20u
/*
 * Static indices of names whose values usually differ from one message to the next: a path,
 * an age, a length, a date, a validator, a redirect target, a cookie being set. Indexing
 * such a field on first sight mostly evicts entries that would have repeated, so in
 * HPACK_INDEX_AUTO it is indexed only when sent again while still remembered.
 */
#define VARYING_NAMES                                                                              \
    (1ull << 4 | 1ull << 21 | 1ull << 28 | 1ull << 33 | 1ull << 34 | 1ull << 36 | 1ull << 40 |     \
     1ull << 41 | 1ull << 44 | 1ull << 46 | 1ull << 55)
/* An N-bit-prefix integer of up to 2^32-1 takes at most this many octets. */
#define INT_MAX_OCTETS 6u

size_t hpack_encode_int(uint8_t *out, size_t cap, uint8_t first, int prefix_bits, uint32_t value)
{
    uint32_t max = (1u << prefix_bits) - 1;
    size_t n = 0;

    if (cap == 0)
        return 0;
    if (value < max) {
        out[0] = (uint8_t)((first & ~max) | value);
        return 1;
    }
    out[n++] = (uint8_t)(first | max);
    value -= max;
    for (; value >= 0x80; value >>= 7) {
        if (n == cap)
            return 0;
        out[n++] = (uint8_t)(value | 0x80);
    }
    if (n == cap)
        return 0;
    out[n++] = (uint8_t)value;
    return n;
}

int hpack_decode_int(const uint8_t **pp, const uint8_t *end, int prefix_bits, uint32_t *value)
{
    const uint8_t *p = *pp;
    uint32_t max = (1u << prefix_bits) - 1;
    uint64_t v;
    unsigned shift;

    if (p >= end)
        return H2E_HPACK_TRUNCATED;
    v = *p++ & max;
    if (v == max) {
        for (shift = 0;; shift += 7) {
            /* 5 continuation octets hold 35 bits, more than 2^32-1 needs: a 6th is
             * over our implementation limit (§5.1). */
            if (shift == 35)
                return H2E_HPACK_INTEGER;
            if (p == end)
                return H2E_HPACK_TRUNCATED;
            v += (uint64_t)(*p & 0x7f) << shift;
            if (!(*p++ & 0x80))
                break;
        }
        if (v > UINT32_MAX)
            return H2E_HPACK_INTEGER;
    }
    *value = (uint32_t)v;
    *pp = p;
    return 0;
}

void hpack_list_init(struct hpack_list *l, const struct mem *mem)
{
    memset(l, 0, sizeof(*l));
    /* The decoder's own limits bound what is stored; the buffer itself is not capped. */
    buf_init(&l->bytes, mem, SIZE_MAX);
}

void hpack_list_reset(struct hpack_list *l)
{
    l->count = 0;
    l->list_size = 0;
    buf_reset(&l->bytes);
    memset(&l->stats, 0, sizeof(l->stats));
}

void hpack_list_release(struct hpack_list *l)
{
    mem_free(l->bytes.mem, l->fields);
    buf_release(&l->bytes);
    l->fields = NULL;
    l->count = l->cap = 0;
    l->list_size = 0;
}

void hpack_decoder_init(struct hpack_decoder *d, const struct mem *mem, uint32_t limit)
{
    hpack_table_init(&d->table, mem, limit, false);
    d->limit = limit;
    d->max_list_size = LIMIT_HEADER_LIST_SIZE;
    d->max_fields = LIMIT_HEADER_COUNT;
    d->max_field_size = LIMIT_FIELD_SIZE;
    d->need_update = false;
}

void hpack_decoder_release(struct hpack_decoder *d)
{
    hpack_table_release(&d->table);
}

void hpack_decoder_set_limit(struct hpack_decoder *d, uint32_t limit)
{
    d->limit = limit;
    /* §4.2: the table must shrink, so the peer's next block must start with an update. */
    if (limit < d->table.max_size)
        d->need_update = true;
}

/*
 * One block being decoded. Strings that are copied or Huffman-decoded go into the list's
 * `bytes` in field order (name, then value); such spans keep p == NULL until the block is
 * done, because the buffer may move while it grows (see place_strings()).
 */
struct dec {
    struct hpack_decoder *d;
    struct hpack_list *l;
    const uint8_t *p, *end;
    struct h2e_info *info;
};

static int fail(struct dec *c, int code, const char *why)
{
    return h2e_set(c->info, code, 0, why);
}

static int fail_buf(struct dec *c, int code)
{
    return fail(c, code,
                code == H2E_NOMEM ? "out of memory for decoded header fields"
                                  : "decoded header fields over the buffer limit");
}

static inline int read_int(struct dec *c, int prefix, uint32_t *v)
{
    uint32_t max = (1u << prefix) - 1;
    int rv;

    if (c->p < c->end && (*c->p & max) != max) {
        *v = *c->p++ & max;
        return 0;
    }
    rv = hpack_decode_int(&c->p, c->end, prefix, v);
    if (rv == H2E_HPACK_TRUNCATED)
        return fail(c, rv, "RFC 7541 §5.1: header block ends inside an integer");
    if (rv)
        return fail(c, rv, "RFC 7541 §5.1: integer above 2^32-1 or over 5 continuation octets");
    return 0;
}

/* Would a field of `have` + `add` octets, and the list with it, stay within the limits?
 * Checked before anything is copied, so memory and time stay bounded. */
static int budget(struct dec *c, size_t have, size_t add)
{
    const struct hpack_decoder *d = c->d;

    if (have > d->max_field_size || add > d->max_field_size - have)
        return fail(c, H2E_LIMIT_FIELD_SIZE, "header field name and value over the field limit");
    if (have + add + HPACK_ENTRY_OVERHEAD > d->max_list_size - c->l->list_size)
        return fail(c, H2E_LIMIT_HEADER_LIST, "RFC 9113 §6.5.2: header list size over the limit");
    return 0;
}

static int add_field(struct dec *c, struct hpack_field **f)
{
    struct hpack_list *l = c->l;

    if (l->count >= c->d->max_fields)
        return fail(c, H2E_LIMIT_HEADER_COUNT, "header list has more fields than the limit");
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct hpack_field *p = mem_resize(l->bytes.mem, l->fields, cap * sizeof(*p));
        if (!p)
            return fail_buf(c, H2E_NOMEM);
        l->fields = p;
        l->cap = cap;
    }
    *f = &l->fields[l->count++];
    return 0;
}

static int store(struct dec *c, struct span s)
{
    int rv = buf_append(&c->l->bytes, s.p, s.len);
    return rv ? fail_buf(c, rv) : 0;
}

/* A string literal (§5.2) into the list's bytes; `have` octets of the field came before. */
static int dec_string(struct dec *c, size_t have, size_t *len, bool *huffman)
{
    struct buf *b = &c->l->bytes;
    size_t before = b->len;
    const char *why;
    uint32_t n;
    int rv;

    *huffman = false;
    if (c->p == c->end)
        return fail(c, H2E_HPACK_TRUNCATED, "RFC 7541 §5.2: header block ends before a string");
    *huffman = (*c->p & 0x80) != 0;
    if ((rv = read_int(c, 7, &n)) != 0)
        return rv;
    if (n > (size_t)(c->end - c->p))
        return fail(c, H2E_HPACK_TRUNCATED, "RFC 7541 §5.2: string longer than the block");
    if (!*huffman) {
        if ((rv = budget(c, have, n)) != 0 || (rv = store(c, span_of(c->p, n))) != 0)
            return rv;
    } else {
        /* At least one symbol per 30 bits (the longest code) once the padding is gone. */
        if ((rv = budget(c, have, n ? ((size_t)n * 8 + 22) / 30 : 0)) != 0)
            return rv;
        rv = hpack_huff_decode_why(span_of(c->p, n), b, &why);
        if (rv == H2E_HPACK_HUFFMAN)
            return fail(c, rv, why);
        if (rv)
            return fail_buf(c, rv);
        if ((rv = budget(c, have, b->len - before)) != 0)
            return rv;
    }
    c->p += n;
    *len = b->len - before;
    return 0;
}

/* Entry `idx` of either table into `name` and, unless NULL, `value`. Dynamic entries are
 * copied (p == NULL until the block is done), since the table changes as we go. */
static int get_entry(struct dec *c, uint32_t idx, struct span *name, struct span *value)
{
    struct span v;
    int rv;

    if (idx <= HPACK_STATIC_LAST && idx > 0) {
        const struct hpack_static_entry *s = &hpack_static[idx];
        *name = span_of(s->name, s->name_len);
        if (value)
            *value = span_of(s->value, s->value_len);
        return 0;
    }
    if (idx == 0)
        return fail(c, H2E_HPACK_INDEX, "RFC 7541 §6.1: index 0");
    if (!hpack_table_get(&c->d->table, idx, name, &v))
        return fail(c, H2E_HPACK_INDEX,
                    "RFC 7541 §2.3.3: index beyond the static and dynamic tables");
    if (!value)
        v.len = 0;
    if ((rv = budget(c, 0, name->len + v.len)) != 0 || (rv = store(c, *name)) != 0 ||
        (rv = store(c, v)) != 0)
        return rv;
    name->p = NULL;
    if (value)
        *value = span_of(NULL, v.len);
    return 0;
}

static void account(struct dec *c, const struct hpack_field *f)
{
    c->l->list_size += f->name.len + f->value.len + HPACK_ENTRY_OVERHEAD;
    c->l->stats.decoded_bytes += f->name.len + f->value.len;
}

/* §6.1 Indexed Header Field. */
static int dec_indexed(struct dec *c)
{
    struct hpack_field *f;
    struct span name, value;
    uint32_t idx;
    int rv;

    if ((rv = add_field(c, &f)) != 0 || (rv = read_int(c, 7, &idx)) != 0)
        return rv;
    if ((rv = get_entry(c, idx, &name, &value)) != 0)
        return rv;
    if (idx <= HPACK_STATIC_LAST && (rv = budget(c, 0, name.len + value.len)) != 0)
        return rv;
    f->name = name;
    f->value = value;
    f->repr = HPACK_REPR_INDEXED;
    f->flags = 0;
    f->index = idx;
    account(c, f);
    return 0;
}

/* The stored bytes at `off`; "" when nothing has been stored yet. */
static const uint8_t *stored_at(const struct dec *c, size_t off)
{
    return c->l->bytes.p ? c->l->bytes.p + off : (const uint8_t *)"";
}

/* §6.2.1: add the field just decoded, whose stored bytes start at `mark`, to the table. */
static int insert(struct dec *c, const struct hpack_field *f, size_t mark)
{
    struct span name = f->name, value;
    int rv;

    if (!name.p) {
        name.p = stored_at(c, mark);
        mark += name.len;
    }
    value = span_of(stored_at(c, mark), f->value.len);
    rv = hpack_table_insert(&c->d->table, name, value, NULL, &c->l->stats.evictions);
    if (rv < 0)
        return fail_buf(c, rv);
    c->l->stats.inserts += rv == 0;
    return 0;
}

/* §6.2 Literal Header Field, with a `prefix`-bit name index, represented as `repr`. */
static int dec_literal(struct dec *c, int prefix, uint8_t repr)
{
    size_t mark = c->l->bytes.len;
    struct hpack_field *f;
    uint32_t idx;
    bool huff = false;
    int rv;

    if ((rv = add_field(c, &f)) != 0 || (rv = read_int(c, prefix, &idx)) != 0)
        return rv;
    f->repr = repr;
    f->flags = 0;
    f->index = idx;
    if (idx) {
        rv = get_entry(c, idx, &f->name, NULL);
    } else {
        f->name.p = NULL;
        rv = dec_string(c, 0, &f->name.len, &huff);
        f->flags |= huff ? HPACK_FIELD_NAME_HUFFMAN : 0;
    }
    if (rv || (rv = dec_string(c, f->name.len, &f->value.len, &huff)) != 0)
        return rv;
    f->value.p = NULL;
    f->flags |= huff ? HPACK_FIELD_VALUE_HUFFMAN : 0;
    account(c, f);
    return repr == HPACK_REPR_INCREMENTAL ? insert(c, f, mark) : 0;
}

/* §6.3 Dynamic Table Size Update. */
static int dec_size_update(struct dec *c)
{
    struct hpack_stats *st = &c->l->stats;
    uint32_t v;
    int rv = read_int(c, 5, &v);

    if (rv)
        return rv;
    if (v > c->d->limit)
        return fail(c, H2E_HPACK_SIZE_UPDATE,
                    "RFC 7541 §6.3: table size update above SETTINGS_HEADER_TABLE_SIZE");
    hpack_table_set_max(&c->d->table, v, &st->evictions);
    c->d->need_update = false;
    st->size_updates++;
    st->last_size_update = v;
    return 0;
}

/* Point the stored strings (p == NULL) at their bytes, now that the buffer is final. */
static void place_strings(struct hpack_list *l)
{
    const uint8_t *p = l->bytes.p ? l->bytes.p : (const uint8_t *)"";
    size_t i;

    for (i = 0; i < l->count; i++) {
        struct hpack_field *f = &l->fields[i];
        if (!f->name.p) {
            f->name.p = p;
            p += f->name.len;
        }
        if (!f->value.p) {
            f->value.p = p;
            p += f->value.len;
        }
    }
}

static int dec_fields(struct dec *c)
{
    int rv = 0;

    while (c->p < c->end && rv == 0) {
        uint8_t b = *c->p;
        if (b & 0x80)
            rv = dec_indexed(c);
        else if (b & 0x40)
            rv = dec_literal(c, 6, HPACK_REPR_INCREMENTAL);
        else if (b & 0x20)
            rv = fail(c, H2E_HPACK_SIZE_UPDATE,
                      "RFC 7541 §4.2: table size update after the first field of the block");
        else
            rv = dec_literal(c, 4, (b & 0x10) ? HPACK_REPR_NEVER : HPACK_REPR_WITHOUT);
    }
    return rv;
}

int hpack_decode_block(struct hpack_decoder *d, const uint8_t *p, size_t len,
                       struct hpack_list *out, struct h2e_info *info)
{
    struct dec c = {d, out, p, p, info};
    int rv;

    if (len)
        c.end = p + len;
    hpack_list_reset(out);
    out->stats.wire_bytes = len;
    /* §4.2: size updates come first in a block; several may. */
    while (c.p < c.end && (*c.p & 0xe0) == 0x20) {
        if ((rv = dec_size_update(&c)) != 0)
            return rv;
    }
    if (d->need_update)
        return fail(&c, H2E_HPACK_SIZE_UPDATE,
                    "RFC 7541 §4.2: no table size update after SETTINGS_HEADER_TABLE_SIZE fell");
    if ((rv = dec_fields(&c)) != 0) {
        out->count = 0; /* nothing half-decoded is left to look at */
        return rv;
    }
    place_strings(out);
    out->stats.table_size = d->table.size;
    out->stats.table_entries = (uint32_t)d->table.count;
    return 0;
}

void hpack_encoder_init(struct hpack_encoder *e, const struct mem *mem, uint32_t cap)
{
    uint32_t size = cap < DEFAULT_TABLE_SIZE ? cap : DEFAULT_TABLE_SIZE;

    /* Using less than the peer's table needs no size update: the peer keeps a superset of
     * our entries at the same indices, and we never index a field larger than our table. */
    hpack_table_init(&e->table, mem, size, true);
    e->cap = cap;
    e->pending_min = e->pending_size = size;
    e->peer_size = DEFAULT_TABLE_SIZE;
    e->pending_update = false;
    e->huffman = HPACK_HUFFMAN_AUTO;
    e->indexing = HPACK_INDEX_AUTO;
    memset(e->recent, 0, sizeof(e->recent));
}

void hpack_encoder_release(struct hpack_encoder *e)
{
    hpack_table_release(&e->table);
}

void hpack_encoder_set_peer_limit(struct hpack_encoder *e, uint32_t size)
{
    uint32_t target = size < e->cap ? size : e->cap;

    if (!e->pending_update) {
        if (target == e->peer_size && target == e->table.max_size)
            return;
        e->pending_update = true;
        e->pending_min = target;
    } else if (target < e->pending_min) {
        e->pending_min = target;
    }
    e->pending_size = target;
}

static size_t put_update(struct hpack_encoder *e, uint8_t *o, uint32_t size, struct hpack_stats *st)
{
    hpack_table_set_max(&e->table, size, &st->evictions);
    st->size_updates++;
    st->last_size_update = size;
    return hpack_encode_int(o, INT_MAX_OCTETS, 0x20, 5, size);
}

/* §4.2: the smallest size since the last block, then the final one, start the block. */
static int put_size_updates(struct hpack_encoder *e, struct buf *out, struct hpack_stats *st)
{
    uint8_t *o;
    int rv;

    if (!e->pending_update)
        return 0;
    if ((rv = buf_reserve(out, 2 * INT_MAX_OCTETS)) != 0)
        return rv;
    o = out->p + out->len;
    if (e->pending_min < e->pending_size)
        o += put_update(e, o, e->pending_min, st);
    o += put_update(e, o, e->pending_size, st);
    out->len = (size_t)(o - out->p);
    e->peer_size = e->pending_size;
    e->pending_update = false;
    return 0;
}

/* Was the field with hash `hash` sent recently? Remembers it for next time if not. */
static bool seen_recently(struct hpack_encoder *e, uint32_t hash)
{
    uint32_t *slot = &e->recent[hash >> 24 & (HPACK_RECENT_SLOTS - 1)];

    if (*slot == (hash | 1))
        return true;
    *slot = hash | 1;
    return false;
}

/* §7.1.3: fields marked sensitive, credentials, and cookies short enough to guess. */
enum secret {
    NOT_SECRET,
    SHORT_COOKIE_SECRET, /* never indexed */
    CREDENTIAL,          /* never indexed, and its value never Huffman-coded */
};

/* A credential's value goes out as its own octets, so that a hex dump of the frame can
 * mask them (the trace's --hexdump); Huffman would only save a few octets of it. */
static enum secret sensitive(const struct hpack_field *f, uint32_t static_name)
{
    if ((f->flags & HPACK_FIELD_SENSITIVE) || static_name == STATIC_AUTHORIZATION ||
        static_name == STATIC_PROXY_AUTHORIZATION)
        return CREDENTIAL;
    if (static_name == STATIC_COOKIE && f->value.len < SHORT_COOKIE)
        return SHORT_COOKIE_SECRET;
    return NOT_SECRET;
}

/* The literal representation of `f` (§6.2), whose literal would use name index `name_idx`. */
static uint8_t choose_repr(struct hpack_encoder *e, const struct hpack_field *f, enum secret secret,
                           uint32_t name_idx, uint32_t field_hash)
{
    if (secret || e->indexing == HPACK_INDEX_NEVER)
        return HPACK_REPR_NEVER;
    if ((f->flags & HPACK_FIELD_NO_INDEX) || e->indexing == HPACK_INDEX_NONE)
        return HPACK_REPR_WITHOUT;
    /* Not worth indexing what cannot fit: it would only empty the table (§4.4). */
    if (f->name.len + f->value.len + HPACK_ENTRY_OVERHEAD > e->table.max_size)
        return HPACK_REPR_WITHOUT;
    if (e->indexing == HPACK_INDEX_AUTO && name_idx < 64 && (VARYING_NAMES >> name_idx & 1) &&
        !seen_recently(e, field_hash))
        return HPACK_REPR_WITHOUT;
    return HPACK_REPR_INCREMENTAL;
}

/* How a string goes out: Huffman or not, and its encoded length. */
struct str_plan {
    bool huffman;
    size_t len;
};

static struct str_plan plan_string(const struct hpack_encoder *e, struct span s)
{
    struct str_plan p = {false, s.len};

    if (e->huffman != HPACK_HUFFMAN_NEVER) {
        size_t h = hpack_huff_len(s);
        if (e->huffman == HPACK_HUFFMAN_ALWAYS || h < s.len) {
            p.huffman = true;
            p.len = h;
        }
    }
    return p;
}

static uint8_t *put_string(uint8_t *o, struct span s, struct str_plan p)
{
    o += hpack_encode_int(o, INT_MAX_OCTETS, p.huffman ? 0x80 : 0, 7, (uint32_t)p.len);
    if (p.huffman)
        return o + hpack_huff_encode(o, s);
    if (s.len)
        memcpy(o, s.p, s.len);
    return o + s.len;
}

static int put_indexed(struct buf *out, uint32_t idx)
{
    int rv = buf_reserve(out, INT_MAX_OCTETS);
    if (rv)
        return rv;
    out->len += hpack_encode_int(out->p + out->len, INT_MAX_OCTETS, 0x80, 7, idx);
    return 0;
}

/* §6.2: a literal represented as `repr`, with name index `name_idx` (0: a new name). */
static int put_literal(const struct hpack_encoder *e, struct buf *out, uint8_t repr,
                       uint32_t name_idx, const struct hpack_field *f, enum secret secret)
{
    struct str_plan name = {false, 0}, value = plan_string(e, f->value);
    uint8_t first = repr == HPACK_REPR_INCREMENTAL ? 0x40 : repr == HPACK_REPR_NEVER ? 0x10 : 0;
    uint8_t *o;
    int rv;

    if (f->name.len > UINT32_MAX || f->value.len > UINT32_MAX)
        return H2E_LIMIT_BUFFER; /* not representable (§5.1 integers are 32-bit here) */
    if (!name_idx)
        name = plan_string(e, f->name);
    if (secret == CREDENTIAL)
        value = (struct str_plan){false, f->value.len};
    rv = buf_reserve(out, 3 * INT_MAX_OCTETS + name.len + value.len);
    if (rv)
        return rv;
    o = out->p + out->len;
    o += hpack_encode_int(o, INT_MAX_OCTETS, first, repr == HPACK_REPR_INCREMENTAL ? 6 : 4,
                          name_idx);
    if (!name_idx)
        o = put_string(o, f->name, name);
    o = put_string(o, f->value, value);
    out->len = (size_t)(o - out->p);
    return 0;
}

/*
 * The index that holds `f` exactly (0: none), with `h` filled; otherwise `*name_idx` is the
 * name index a literal would use (lowest static, else newest dynamic, else 0). A sensitive
 * field is never sent indexed: it always goes out as a never-indexed literal (§6.2.3).
 */
static uint32_t lookup(const struct hpack_encoder *e, const struct hpack_field *f,
                       struct hpack_hashes *h, enum secret *secret, uint32_t *name_idx)
{
    uint32_t idx, static_name, dyn_name = 0;

    h->name = hpack_hash(HPACK_STATIC_SEED, f->name.p, f->name.len);
    h->field = 0; /* needed only where the dynamic table is used */
    idx = hpack_static_find(f->name, f->value, h->name, &static_name);
    *secret = sensitive(f, static_name);
    if (idx && !*secret)
        return idx;
    if (e->indexing == HPACK_INDEX_AUTO || e->indexing == HPACK_INDEX_ALL) {
        h->field = hpack_field_hash(h->name, f->value);
        idx = hpack_table_find(&e->table, f->name, f->value, h, &dyn_name);
        if (idx && !*secret)
            return idx;
    }
    *name_idx = static_name ? static_name : dyn_name;
    return 0;
}

static int enc_field(struct hpack_encoder *e, const struct hpack_field *f, struct buf *out,
                     struct hpack_stats *st)
{
    struct hpack_hashes h;
    uint32_t idx, name_idx = 0;
    uint8_t repr;
    enum secret secret;
    int rv;

    st->decoded_bytes += f->name.len + f->value.len;
    idx = lookup(e, f, &h, &secret, &name_idx);
    if (idx)
        return put_indexed(out, idx);
    repr = choose_repr(e, f, secret, name_idx, h.field);
    rv = put_literal(e, out, repr, name_idx, f, secret);
    if (rv || repr != HPACK_REPR_INCREMENTAL)
        return rv;
    rv = hpack_table_insert(&e->table, f->name, f->value, &h, &st->evictions);
    if (rv < 0)
        return rv;
    st->inserts += rv == 0;
    return 0;
}

int hpack_encode_block(struct hpack_encoder *e, const struct hpack_field *fields, size_t n,
                       struct buf *out, struct hpack_stats *stats)
{
    struct hpack_stats st;
    size_t start = out->len, i;
    int rv;

    memset(&st, 0, sizeof(st));
    rv = put_size_updates(e, out, &st);
    for (i = 0; rv == 0 && i < n; i++)
        rv = enc_field(e, &fields[i], out, &st);
    if (rv)
        return rv;
    st.wire_bytes = out->len - start;
    st.table_size = e->table.size;
    st.table_entries = (uint32_t)e->table.count;
    if (stats)
        *stats = st;
    return 0;
}
