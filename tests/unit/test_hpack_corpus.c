/* SPDX-License-Identifier: MIT */
/*
 * HPACK against the shared corpora in ../shared/testdata, as each folder's SOURCE.md says:
 *  - rfc7541: the generated static and Huffman tables checked entry by entry (the decoder
 *    state machine rebuilt here from the JSON), C.1 integers, Appendix C decoded and encoded
 *    byte for byte with table contents and evictions, and the decoder edge cases;
 *  - hpack-test-case: every story of every encoder folder (14,526 blocks), and the raw-data
 *    lists through our encoder and decoder;
 *  - twitter-hpack: every vector decodes to its headers and table; encoder round trip.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/h2.h"
#include "codec/hpack.h"
#include "codec/hpack_huff.h"
#include "codec/hpack_int.h"
#include "codec/hpack_static.h"
#include "json.h"
#include "tap.h"

#define STORIES "hpack-test-case"
#define STORY_BLOCKS 14526u /* hpack-test-case/SOURCE.md: encoded blocks in this copy */
#define RAW_BLOCKS 3384u

/* ---- helpers ------------------------------------------------------------------------ */

static struct json *load(const char *rel)
{
    const char *path = tap_testdata(rel);
    struct json *j;

    if (!path) {
        tap_skip("../shared/testdata is absent: %s not checked", rel);
        return NULL;
    }
    j = json_parse_file(path);
    if (!j)
        tap_fail(__FILE__, __LINE__, "cannot read or parse '%s'", path);
    return j;
}

static const struct json *arr(const struct json *o, const char *key)
{
    const struct json *j = json_get(o, key);
    return j && j->type == JSON_ARR ? j : NULL;
}

static const char *str(const struct json *o, const char *key)
{
    const struct json *j = json_get(o, key);
    return j && j->type == JSON_STR ? j->str : "";
}

static bool is_true(const struct json *o, const char *key)
{
    const struct json *j = json_get(o, key);
    return j && j->type == JSON_BOOL && j->b;
}

/* Member of the one-member header object `h`, or NULL when malformed. */
static const struct json *member(const struct json *h)
{
    return h->type == JSON_OBJ && h->n == 1 && h->items[0].type == JSON_STR ? &h->items[0] : NULL;
}

/* The header list `h` as fields pointing into the JSON; caller frees. */
static struct hpack_field *fields_of(const struct json *h, uint8_t flags)
{
    struct hpack_field *f = calloc(h->n + 1, sizeof(*f));
    size_t i;

    for (i = 0; f && i < h->n; i++) {
        const struct json *m = member(&h->items[i]);
        if (!m)
            continue;
        f[i].name = span_of(m->key, m->keylen);
        f[i].value = span_of(m->str, m->len);
        f[i].flags = flags;
    }
    return f;
}

static bool same_list(const struct hpack_list *l, const struct json *h, const char *where,
                      size_t seq)
{
    size_t i;

    if (!h || l->count != h->n) {
        tap_fail(__FILE__, __LINE__, "%s #%zu: %zu fields, expected %zu", where, seq, l->count,
                 h ? h->n : 0);
        return false;
    }
    for (i = 0; i < h->n; i++) {
        const struct json *m = member(&h->items[i]);
        const struct hpack_field *f = &l->fields[i];
        if (!m || !span_eq(f->name, span_of(m->key, m->keylen)) ||
            !span_eq(f->value, span_of(m->str, m->len))) {
            tap_fail(__FILE__, __LINE__, "%s #%zu: field %zu is '%.*s: %.*s'", where, seq, i,
                     (int)f->name.len, (const char *)f->name.p, (int)f->value.len,
                     (const char *)f->value.p);
            return false;
        }
    }
    return true;
}

/* The dynamic part of `t` equals `dt` (newest first) entry by entry. */
static bool same_table(const struct hpack_table *t, const struct json *dt, const char *where,
                       size_t seq)
{
    struct span n, v;
    size_t i;

    if (!dt || t->count != dt->n) {
        tap_fail(__FILE__, __LINE__, "%s #%zu: %zu table entries, expected %zu", where, seq,
                 t->count, dt ? dt->n : 0);
        return false;
    }
    for (i = 0; i < dt->n; i++) {
        const struct json *m = member(&dt->items[i]);
        if (!m || !hpack_table_get(t, (uint32_t)(62 + i), &n, &v) ||
            !span_eq(n, span_of(m->key, m->keylen)) || !span_eq(v, span_of(m->str, m->len))) {
            tap_fail(__FILE__, __LINE__, "%s #%zu: table entry %zu differs", where, seq, 62 + i);
            return false;
        }
    }
    return true;
}

/* Sorted names of the entries of folder `dir` that start with `prefix`; caller frees. */
static int list_dir(const char *dir, const char *prefix, struct dirent ***names)
{
    int n = scandir(dir, names, NULL, alphasort), i, k = 0;

    for (i = 0; i < n; i++) {
        if (strncmp((*names)[i]->d_name, prefix, strlen(prefix)) == 0 &&
            (*names)[i]->d_name[0] != '.')
            (*names)[k++] = (*names)[i];
        else
            free((*names)[i]);
    }
    return n < 0 ? -1 : k;
}

static void free_dir(struct dirent **names, int n)
{
    int i;
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* ---- tables (Appendix A and B) ----------------------------------------------------------- */

TEST(test_hpack_corpus_static_table)
{
    struct json *j = load("rfc7541/static_table.json");
    const struct json *es = arr(j, "entries");
    struct hpack_decoder d;
    struct span n, v;
    size_t i, k, used = 0;

    if (!j)
        return;
    CHECK(es && es->n == HPACK_STATIC_COUNT);
    hpack_decoder_init(&d, &tap_mem, 4096);
    for (i = 0; es && i < es->n; i++) {
        const struct json *e = &es->items[i];
        struct span name = span_str(str(e, "name")), value = span_str(str(e, "value"));
        const struct hpack_static_slot *slot;
        CHECK_INT(json_num(e, "index", 0), i + 1);
        CHECK_MEM(hpack_static[i + 1].name, hpack_static[i + 1].name_len, name.p, name.len);
        CHECK_MEM(hpack_static[i + 1].value, hpack_static[i + 1].value_len, value.p, value.len);
        CHECK(hpack_table_get(&d.table, (uint32_t)(i + 1), &n, &v));
        CHECK(span_eq(n, name) && span_eq(v, value));
        /* The name hash slot names the lowest index and the run of entries with the name. */
        slot = &hpack_static_hash[hpack_hash(HPACK_STATIC_SEED, name.p, name.len) >> 24];
        for (k = i; k > 0 && span_eq_str(name, str(&es->items[k - 1], "name")); k--)
            ;
        CHECK_INT(slot->first, k + 1);
        if (k == i) {
            used++;
            for (k = i; k < es->n && span_eq_str(name, str(&es->items[k], "name")); k++)
                ;
            CHECK_INT(slot->count, k - i);
        }
    }
    for (i = 0, k = 0; i < 256; i++)
        k += hpack_static_hash[i].first != 0;
    CHECK_INT(k, used);
    CHECK(!hpack_table_get(&d.table, 0, &n, &v));
    CHECK(!hpack_table_get(&d.table, 62, &n, &v));
    hpack_decoder_release(&d);
    json_free(j);
}

struct code {
    uint32_t code;
    int len;
};

/* Internal node `(depth, path)` as one sortable key. */
static uint64_t node_key(int depth, uint32_t path)
{
    return (uint64_t)depth << 32 | path;
}

static int cmp_key(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int leaf_of(const struct code *codes, int depth, uint32_t path)
{
    int s;
    for (s = 0; s < 257; s++)
        if (codes[s].len == depth && codes[s].code == path)
            return s;
    return -1;
}

/* The expected step from state `key` on `nibble`, walked bit by bit over the code. */
static struct hpack_huff_step walk(const struct code *codes, const uint64_t *nodes, size_t n,
                                   uint64_t key, unsigned nibble)
{
    struct hpack_huff_step st = {0, 0, 0, 0};
    int depth = (int)(key >> 32), k, leaf;
    uint32_t path = (uint32_t)key;
    const uint64_t *at;

    for (k = 3; k >= 0; k--) {
        depth++;
        path = path << 1 | ((nibble >> k) & 1);
        if ((leaf = leaf_of(codes, depth, path)) < 0)
            continue;
        if (leaf == 256) {
            st.flags = HPACK_HUFF_FAIL;
            return st;
        }
        st.sym = (uint8_t)leaf;
        st.flags = HPACK_HUFF_EMIT;
        depth = 0;
        path = 0;
    }
    key = node_key(depth, path);
    at = bsearch(&key, nodes, n, sizeof(*nodes), cmp_key);
    st.next = at ? (uint8_t)(at - nodes) : 0xff;
    if (path == (1u << depth) - 1)
        st.flags |= HPACK_HUFF_ONES | (depth < 8 ? HPACK_HUFF_ACCEPT : 0);
    return st;
}

/* Rebuild the 4-bit decoder from the JSON codes and compare hpack_huff_dec with it. */
static void check_decoder_table(const struct code *codes)
{
    static uint64_t nodes[257 * 30];
    size_t n = 0, m = 0, s;
    unsigned nib;
    int sym, d;

    for (sym = 0; sym < 257; sym++)
        for (d = 0; d < codes[sym].len; d++)
            nodes[n++] = node_key(d, codes[sym].code >> (codes[sym].len - d));
    qsort(nodes, n, sizeof(nodes[0]), cmp_key);
    for (s = 0; s < n; s++)
        if (m == 0 || nodes[m - 1] != nodes[s])
            nodes[m++] = nodes[s];
    CHECK_INT(m, 256);
    for (s = 0; s < m && s < 256; s++) {
        for (nib = 0; nib < 16; nib++) {
            struct hpack_huff_step want = walk(codes, nodes, m, nodes[s], nib);
            const struct hpack_huff_step *got = &hpack_huff_dec[s][nib];
            if (got->next != want.next || got->sym != want.sym || got->flags != want.flags ||
                got->unused != 0)
                tap_fail(__FILE__, __LINE__, "hpack_huff_dec[%zu][%u] differs", s, nib);
        }
    }
}

/* Symbol `sym` alone encodes to its code padded with ones and decodes back. */
static void check_symbol(const struct json *c, int sym)
{
    const char *bits = str(c, "bits");
    uint8_t want[8] = {0}, got[8];
    uint8_t in = (uint8_t)sym;
    size_t nbits = strlen(bits), i, len = (nbits + 7) / 8;
    struct buf b;

    for (i = 0; i < len * 8; i++)
        if (i >= nbits || bits[i] == '1')
            want[i / 8] |= (uint8_t)(0x80 >> (i % 8));
    CHECK_INT(hpack_huff_len(span_of(&in, 1)), len);
    CHECK_INT(hpack_huff_encode(got, span_of(&in, 1)), len);
    CHECK_MEM(got, len, want, len);
    buf_init(&b, &tap_mem, 64);
    CHECK_INT(hpack_huff_decode(span_of(want, len), &b), 0);
    CHECK_MEM(b.p, b.len, &in, 1);
    buf_release(&b);
}

TEST(test_hpack_corpus_huffman_table)
{
    struct json *j = load("rfc7541/huffman_table.json");
    const struct json *cs = arr(j, "codes");
    static struct code codes[257];
    uint8_t all[256], enc[1024];
    struct buf b;
    size_t i, n;

    if (!j)
        return;
    CHECK(cs && cs->n == 257);
    for (i = 0; cs && i < cs->n && i < 257; i++) {
        const struct json *c = &cs->items[i];
        codes[i].code = (uint32_t)strtoul(str(c, "bits"), NULL, 2);
        codes[i].len = (int)json_num(c, "len", 0);
        CHECK_INT(json_num(c, "sym", -1), i);
        CHECK_INT(hpack_huff_enc[i].code, codes[i].code);
        CHECK_INT(hpack_huff_enc[i].len, codes[i].len);
        if (i < 256)
            check_symbol(c, (int)i);
    }
    check_decoder_table(codes);
    for (i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    n = hpack_huff_len(span_of(all, 256));
    CHECK(n <= sizeof(enc));
    CHECK_INT(hpack_huff_encode(enc, span_of(all, 256)), n);
    buf_init(&b, &tap_mem, 4096);
    CHECK_INT(hpack_huff_decode(span_of(enc, n), &b), 0);
    CHECK_MEM(b.p, b.len, all, 256);
    buf_release(&b);
    json_free(j);
}

TEST(test_hpack_corpus_integers)
{
    struct json *j = load("rfc7541/integer_examples.json");
    const struct json *ex = arr(j, "examples");
    size_t i;

    if (!j)
        return;
    CHECK(ex && ex->n == 3);
    for (i = 0; ex && i < ex->n; i++) {
        const struct json *e = &ex->items[i];
        uint32_t value = (uint32_t)json_num(e, "value", 0), back = 0;
        int prefix = (int)json_num(e, "prefix_bits", 0);
        size_t wlen, n;
        uint8_t *want = tap_unhex(str(e, "octets_hex"), &wlen), out[8];
        const uint8_t *p = want;
        CHECK(want != NULL);
        n = hpack_encode_int(out, sizeof(out), 0, prefix, value);
        CHECK_MEM(out, n, want, wlen);
        CHECK_INT(hpack_decode_int(&p, want + wlen, prefix, &back), 0);
        CHECK_INT(back, value);
        CHECK(p == want + wlen);
        free(want);
    }
    json_free(j);
}

/* ---- Appendix C ----------------------------------------------------------------------- */

static const char *const appendix_c[] = {"C.2.1", "C.2.2", "C.2.3", "C.2.4",
                                         "C.3",   "C.4",   "C.5",   "C.6"};

static struct json *load_c(const char *name)
{
    char rel[64];
    snprintf(rel, sizeof(rel), "rfc7541/appendix_c/%s.json", name);
    return load(rel);
}

static int repr_of(const char *type)
{
    static const char *const names[] = {"indexed", "literal_with_incremental_indexing",
                                        "literal_without_indexing", "literal_never_indexed"};
    int i;
    for (i = 0; i < 4; i++)
        if (strcmp(type, names[i]) == 0)
            return i;
    return -1;
}

/* Each representation's type, index and Huffman bits, as the RFC's "Decoding process". */
static void check_reprs(const struct hpack_list *l, const struct json *reps, const char *where)
{
    size_t i, k = 0;

    for (i = 0; reps && i < reps->n; i++) {
        const struct json *r = &reps->items[i];
        int repr = repr_of(str(r, "type"));
        const struct hpack_field *f;
        if (repr < 0)
            continue; /* a size update: not a field */
        if (k >= l->count) {
            tap_fail(__FILE__, __LINE__, "%s: fewer fields than representations", where);
            return;
        }
        f = &l->fields[k++];
        CHECK_INT(f->repr, repr);
        if (repr == HPACK_REPR_INDEXED) {
            CHECK_INT(f->index, json_num(r, "index", -1));
            continue;
        }
        CHECK_INT(f->index, json_num(r, "name_index", -1));
        if (f->index == 0)
            CHECK_INT(!!(f->flags & HPACK_FIELD_NAME_HUFFMAN), is_true(r, "name_huffman"));
        CHECK_INT(!!(f->flags & HPACK_FIELD_VALUE_HUFFMAN), is_true(r, "value_huffman"));
    }
    CHECK_INT(k, l->count);
}

static void decode_c(const char *name)
{
    struct json *j = load_c(name);
    const struct json *cases = arr(j, "cases");
    struct hpack_decoder d;
    struct hpack_list l;
    size_t i;

    if (!j || !cases)
        return;
    hpack_decoder_init(&d, &tap_mem, (uint32_t)json_num(&cases->items[0], "header_table_size", 0));
    hpack_list_init(&l, &tap_mem);
    for (i = 0; i < cases->n; i++) {
        const struct json *c = &cases->items[i];
        struct h2e_info info = H2E_INFO_INIT;
        size_t len;
        uint8_t *wire = tap_unhex(str(c, "wire"), &len);
        const struct json *ev = arr(c, "evicted");
        CHECK_INT(hpack_decode_block(&d, wire, len, &l, &info), 0);
        same_list(&l, arr(c, "headers"), name, i);
        same_table(&d.table, arr(c, "dynamic_table"), name, i);
        CHECK_INT(d.table.size, json_num(c, "dynamic_table_size", -1));
        CHECK_INT(l.stats.evictions, ev ? ev->n : 0);
        CHECK_INT(l.stats.wire_bytes, len);
        CHECK_INT(l.stats.table_size, d.table.size);
        check_reprs(&l, arr(c, "representations"), name);
        free(wire);
    }
    hpack_list_release(&l);
    hpack_decoder_release(&d);
    json_free(j);
}

TEST(test_hpack_corpus_appendix_c_decode)
{
    long live = tap_mem_live();
    size_t i;

    if (!tap_testdata("rfc7541/appendix_c")) {
        tap_skip("../shared/testdata is absent: RFC 7541 Appendix C not checked");
        return;
    }
    for (i = 0; i < sizeof(appendix_c) / sizeof(appendix_c[0]); i++)
        decode_c(appendix_c[i]);
    CHECK_INT(tap_mem_live(), live);
}

/* The RFC's encoder policy (HPACK_INDEX_ALL): Huffman never in C.2/C.3/C.5, always in
 * C.4/C.6; C.2.2 without indexing, C.2.3 never indexed. */
static void encode_c(const char *name)
{
    struct json *j = load_c(name);
    const struct json *cases = arr(j, "cases");
    uint8_t flags = strcmp(name, "C.2.2") == 0   ? HPACK_FIELD_NO_INDEX
                    : strcmp(name, "C.2.3") == 0 ? HPACK_FIELD_SENSITIVE
                                                 : 0;
    struct hpack_encoder e;
    size_t i;

    if (!j || !cases)
        return;
    hpack_encoder_init(&e, &tap_mem, (uint32_t)json_num(&cases->items[0], "header_table_size", 0));
    e.huffman = strcmp(name, "C.4") == 0 || strcmp(name, "C.6") == 0 ? HPACK_HUFFMAN_ALWAYS
                                                                     : HPACK_HUFFMAN_NEVER;
    e.indexing = HPACK_INDEX_ALL;
    for (i = 0; i < cases->n; i++) {
        const struct json *c = &cases->items[i], *h = arr(c, "headers");
        struct hpack_field *f = fields_of(h, flags);
        struct hpack_stats st;
        struct buf out;
        size_t len;
        uint8_t *wire = tap_unhex(str(c, "wire"), &len);
        buf_init(&out, &tap_mem, 4096);
        CHECK_INT(hpack_encode_block(&e, f, h->n, &out, &st), 0);
        if (out.len != len || memcmp(out.p, wire, len) != 0)
            tap_fail(__FILE__, __LINE__, "%s #%zu: encoding differs from the RFC", name, i);
        same_table(&e.table, arr(c, "dynamic_table"), name, i);
        CHECK_INT(e.table.size, json_num(c, "dynamic_table_size", -1));
        CHECK_INT(st.wire_bytes, len);
        CHECK_INT(st.table_size, e.table.size);
        buf_release(&out);
        free(wire);
        free(f);
    }
    hpack_encoder_release(&e);
    json_free(j);
}

TEST(test_hpack_corpus_appendix_c_encode)
{
    long live = tap_mem_live();
    size_t i;

    if (!tap_testdata("rfc7541/appendix_c")) {
        tap_skip("../shared/testdata is absent: RFC 7541 Appendix C not checked");
        return;
    }
    for (i = 0; i < sizeof(appendix_c) / sizeof(appendix_c[0]); i++)
        encode_c(appendix_c[i]);
    CHECK_INT(tap_mem_live(), live);
}

/* ---- decoder edge cases ------------------------------------------------------------------- */

/* The error each authored story must end with (stories not listed: any HPACK error). */
static int edge_code(const char *id)
{
    static const struct {
        const char *id;
        int code;
    } codes[] = {
        {"index-zero", H2E_HPACK_INDEX},
        {"index-beyond-tables", H2E_HPACK_INDEX},
        {"name-index-beyond-tables", H2E_HPACK_INDEX},
        {"index-beyond-after-insert", H2E_HPACK_INDEX},
        {"huffman-eos", H2E_HPACK_HUFFMAN},
        {"huffman-padding-too-long", H2E_HPACK_HUFFMAN},
        {"huffman-padding-not-eos-prefix", H2E_HPACK_HUFFMAN},
        {"size-update-above-limit", H2E_HPACK_SIZE_UPDATE},
        {"size-update-after-field", H2E_HPACK_SIZE_UPDATE},
        {"size-zero-table", H2E_HPACK_INDEX},
        {"entry-larger-than-table", H2E_HPACK_INDEX},
        {"truncated-integer", H2E_HPACK_TRUNCATED},
        {"integer-overflow", H2E_HPACK_INTEGER},
        {"string-length-beyond-block", H2E_HPACK_TRUNCATED},
        {"new-name-truncated", H2E_HPACK_TRUNCATED},
    };
    size_t i;
    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (strcmp(codes[i].id, id) == 0)
            return codes[i].code;
    return 0;
}

/* One authored story with a fresh decoder; returns the number of error cases seen. */
static int run_edge_story(const struct json *s)
{
    const struct json *cases = arr(s, "cases");
    const char *id = str(s, "id");
    struct hpack_decoder d;
    struct hpack_list l;
    size_t i;
    int errors = 0;

    hpack_decoder_init(&d, &tap_mem, (uint32_t)json_num(s, "header_table_size", 4096));
    hpack_list_init(&l, &tap_mem);
    for (i = 0; cases && i < cases->n; i++) {
        const struct json *c = &cases->items[i];
        struct h2e_info info = H2E_INFO_INIT;
        size_t len;
        uint8_t *wire = tap_unhex(str(c, "wire"), &len);
        int rv = hpack_decode_block(&d, wire, len, &l, &info);
        free(wire);
        if (strcmp(str(c, "expect"), "error") == 0) {
            if (rv >= 0 || h2e_wire(rv) != H2_COMPRESSION_ERROR || !info.why ||
                (edge_code(id) && rv != edge_code(id)))
                tap_fail(__FILE__, __LINE__, "%s #%zu: got %s", id, i, h2e_name(rv));
            CHECK_INT(info.code, rv);
            errors++;
            break;
        }
        if (rv)
            tap_fail(__FILE__, __LINE__, "%s #%zu: %s (%s)", id, i, h2e_name(rv), info.why);
        same_list(&l, arr(c, "headers"), id, i);
        if (json_get(c, "dynamic_table_size"))
            CHECK_INT(d.table.size, json_num(c, "dynamic_table_size", -1));
    }
    hpack_list_release(&l);
    hpack_decoder_release(&d);
    return errors;
}

TEST(test_hpack_corpus_edge_cases)
{
    struct json *j = load("rfc7541/decoder_edge_cases.json");
    const struct json *stories = arr(j, "stories");
    long live = tap_mem_live();
    size_t i;
    int errors = 0;

    if (!j)
        return;
    CHECK(stories && stories->n == 20);
    for (i = 0; stories && i < stories->n; i++)
        errors += run_edge_story(&stories->items[i]);
    CHECK_INT(errors, 15); /* SOURCE.md says 14; the file has 15 stories ending in an error */
    CHECK_INT(tap_mem_live(), live);
    json_free(j);
}

/* ---- hpack-test-case ------------------------------------------------------------------- */

struct tally {
    size_t stories, blocks, fields;
};

/* Decode one story with one decoder, as hpack-test-case/SOURCE.md says. */
static void decode_story(const char *path, const char *where, struct tally *t)
{
    struct json *j = json_parse_file(path);
    const struct json *cases = arr(j, "cases");
    struct hpack_decoder d;
    struct hpack_list l;
    size_t i;

    if (!cases) {
        tap_fail(__FILE__, __LINE__, "cannot read '%s'", path);
        json_free(j);
        return;
    }
    hpack_decoder_init(&d, &tap_mem, 4096);
    hpack_list_init(&l, &tap_mem);
    for (i = 0; i < cases->n; i++) {
        const struct json *c = &cases->items[i], *hts = json_get(c, "header_table_size");
        struct h2e_info info = H2E_INFO_INIT;
        size_t len;
        uint8_t *wire = tap_unhex(str(c, "wire"), &len);
        int rv;
        if (hts && hts->type == JSON_NUM) /* null (swift-nio) means unchanged */
            hpack_decoder_set_limit(&d, (uint32_t)hts->num);
        rv = hpack_decode_block(&d, wire, len, &l, &info);
        free(wire);
        if (rv) {
            tap_fail(__FILE__, __LINE__, "%s #%zu: %s (%s)", where, i, h2e_name(rv), info.why);
            break;
        }
        if (!same_list(&l, arr(c, "headers"), where, i))
            break;
        t->blocks++;
        t->fields += l.count;
    }
    t->stories++;
    hpack_list_release(&l);
    hpack_decoder_release(&d);
    json_free(j);
}

typedef void (*story_fn)(const char *path, const char *where, struct tally *t);

/* Run `fn` over every story_*.json of folder `sub` (of hpack-test-case). */
static void each_story(const char *root, const char *sub, story_fn fn, struct tally *t)
{
    char dir[4096], path[4096 + 256], where[600];
    struct dirent **names;
    int n, i;

    snprintf(dir, sizeof(dir), "%s/%s", root, sub);
    n = list_dir(dir, "story_", &names);
    for (i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
        snprintf(where, sizeof(where), "%s/%s", sub, names[i]->d_name);
        fn(path, where, t);
    }
    if (n >= 0)
        free_dir(names, n);
}

TEST(test_hpack_corpus_stories)
{
    const char *p = tap_testdata(STORIES);
    struct tally t = {0, 0, 0};
    struct dirent **names;
    long live = tap_mem_live();
    char root[4096];
    int n, i;

    if (!p) {
        tap_skip("../shared/testdata is absent: hpack-test-case not decoded");
        return;
    }
    snprintf(root, sizeof(root), "%s", p);
    n = list_dir(root, "", &names);
    CHECK(n > 0);
    for (i = 0; i < n; i++) {
        if (names[i]->d_type != DT_DIR || strcmp(names[i]->d_name, "raw-data") == 0)
            continue;
        each_story(root, names[i]->d_name, decode_story, &t);
    }
    if (n >= 0)
        free_dir(names, n);
    CHECK_INT(t.blocks, STORY_BLOCKS);
    CHECK_INT(t.stories, 302);
    CHECK_INT(tap_mem_live(), live);
}

/* Encoder settings for the raw-data round trips. */
static const struct {
    enum hpack_huffman_mode huffman;
    enum hpack_index_mode indexing;
} modes[] = {
    {HPACK_HUFFMAN_AUTO, HPACK_INDEX_AUTO},
    {HPACK_HUFFMAN_NEVER, HPACK_INDEX_NONE},
    {HPACK_HUFFMAN_ALWAYS, HPACK_INDEX_NEVER},
    {HPACK_HUFFMAN_AUTO, HPACK_INDEX_ALL},
};
static size_t mode;

/* One encoder and one decoder per story; each list must come back identical. */
static void roundtrip_story(const char *path, const char *where, struct tally *t)
{
    struct json *j = json_parse_file(path);
    const struct json *cases = arr(j, "cases");
    struct hpack_encoder e;
    struct hpack_decoder d;
    struct hpack_list l;
    struct buf out;
    size_t i;

    hpack_encoder_init(&e, &tap_mem, 4096);
    e.huffman = modes[mode].huffman;
    e.indexing = modes[mode].indexing;
    hpack_decoder_init(&d, &tap_mem, 4096);
    hpack_list_init(&l, &tap_mem);
    buf_init(&out, &tap_mem, 1 << 20);
    for (i = 0; cases && i < cases->n; i++) {
        const struct json *h = arr(&cases->items[i], "headers");
        struct hpack_field *f = fields_of(h, 0);
        struct h2e_info info = H2E_INFO_INIT;
        int rv;
        buf_reset(&out);
        CHECK_INT(hpack_encode_block(&e, f, h->n, &out, NULL), 0);
        rv = hpack_decode_block(&d, out.p, out.len, &l, &info);
        free(f);
        if (rv || !same_list(&l, h, where, i)) {
            tap_fail(__FILE__, __LINE__, "%s #%zu: %s", where, i, h2e_name(rv));
            break;
        }
        CHECK(d.table.size == e.table.size && d.table.count == e.table.count);
        t->blocks++;
        t->fields += l.count;
    }
    CHECK(cases != NULL);
    t->stories++;
    buf_release(&out);
    hpack_list_release(&l);
    hpack_decoder_release(&d);
    hpack_encoder_release(&e);
    json_free(j);
}

TEST(test_hpack_corpus_raw_roundtrip)
{
    const char *p = tap_testdata(STORIES);
    long live = tap_mem_live();
    char root[4096];

    if (!p) {
        tap_skip("../shared/testdata is absent: raw-data round trip not run");
        return;
    }
    snprintf(root, sizeof(root), "%s", p);
    for (mode = 0; mode < sizeof(modes) / sizeof(modes[0]); mode++) {
        struct tally t = {0, 0, 0};
        each_story(root, "raw-data", roundtrip_story, &t);
        CHECK_INT(t.stories, 32);
        CHECK_INT(t.blocks, RAW_BLOCKS);
    }
    CHECK_INT(tap_mem_live(), live);
}

/* ---- twitter-hpack --------------------------------------------------------------------- */

/* The "encoded" strings of a block, joined. */
static uint8_t *block_wire(const struct json *b, size_t *len)
{
    const struct json *enc = arr(b, "encoded");
    char *hex = calloc(1, 1);
    size_t i, n = 0;
    uint8_t *wire;

    for (i = 0; hex && enc && i < enc->n; i++) {
        char *more = realloc(hex, n + enc->items[i].len + 1);
        if (!more)
            break;
        hex = more;
        memcpy(hex + n, enc->items[i].str, enc->items[i].len + 1);
        n += enc->items[i].len;
    }
    wire = hex ? tap_unhex(hex, len) : NULL;
    free(hex);
    return wire;
}

static void twitter_decode(const struct json *j, const char *name)
{
    const struct json *blocks = arr(j, "header_blocks");
    struct hpack_decoder d;
    struct hpack_list l;
    size_t i;

    hpack_decoder_init(&d, &tap_mem, (uint32_t)json_num(j, "max_header_table_size", 4096));
    hpack_list_init(&l, &tap_mem);
    for (i = 0; blocks && i < blocks->n; i++) {
        const struct json *b = &blocks->items[i];
        struct h2e_info info = H2E_INFO_INIT;
        size_t len;
        uint8_t *wire = block_wire(b, &len);
        if (json_get(b, "max_header_table_size"))
            hpack_decoder_set_limit(&d, (uint32_t)json_num(b, "max_header_table_size", 0));
        CHECK(wire != NULL);
        CHECK_INT(hpack_decode_block(&d, wire, len, &l, &info), 0);
        same_list(&l, arr(b, "headers"), name, i);
        same_table(&d.table, arr(b, "dynamic_table"), name, i);
        CHECK_INT(d.table.size, json_num(b, "table_size", -1));
        free(wire);
    }
    hpack_list_release(&l);
    hpack_decoder_release(&d);
}

static void twitter_roundtrip(const struct json *j, const char *name)
{
    const struct json *blocks = arr(j, "header_blocks");
    uint32_t max = (uint32_t)json_num(j, "max_header_table_size", 4096);
    uint8_t flags = is_true(j, "sensitive_headers") ? HPACK_FIELD_SENSITIVE
                    : json_get(j, "use_indexing") && !is_true(j, "use_indexing")
                        ? HPACK_FIELD_NO_INDEX
                        : 0;
    struct hpack_encoder e;
    struct hpack_decoder d;
    struct hpack_list l;
    struct buf out;
    size_t i;

    hpack_encoder_init(&e, &tap_mem, max);
    e.huffman = is_true(j, "force_huffman_on")    ? HPACK_HUFFMAN_ALWAYS
                : is_true(j, "force_huffman_off") ? HPACK_HUFFMAN_NEVER
                                                  : HPACK_HUFFMAN_AUTO;
    hpack_decoder_init(&d, &tap_mem, max);
    hpack_list_init(&l, &tap_mem);
    buf_init(&out, &tap_mem, 65536);
    for (i = 0; blocks && i < blocks->n; i++) {
        const struct json *b = &blocks->items[i], *h = arr(b, "headers");
        struct hpack_field *f = fields_of(h, flags);
        struct h2e_info info = H2E_INFO_INIT;
        if (json_get(b, "max_header_table_size")) {
            uint32_t v = (uint32_t)json_num(b, "max_header_table_size", 0);
            hpack_encoder_set_peer_limit(&e, v);
            hpack_decoder_set_limit(&d, v);
        }
        buf_reset(&out);
        CHECK_INT(hpack_encode_block(&e, f, h->n, &out, NULL), 0);
        CHECK_INT(hpack_decode_block(&d, out.p, out.len, &l, &info), 0);
        same_list(&l, h, name, i);
        CHECK(d.table.size == e.table.size && d.table.count == e.table.count);
        free(f);
    }
    buf_release(&out);
    hpack_list_release(&l);
    hpack_decoder_release(&d);
    hpack_encoder_release(&e);
}

TEST(test_hpack_corpus_twitter)
{
    const char *p = tap_testdata("twitter-hpack");
    long live = tap_mem_live();
    struct dirent **names;
    char dir[4096], path[4096 + 256];
    int n, i, files = 0;

    if (!p) {
        tap_skip("../shared/testdata is absent: twitter-hpack not checked");
        return;
    }
    snprintf(dir, sizeof(dir), "%s", p);
    n = list_dir(dir, "test", &names);
    for (i = 0; i < n; i++) {
        struct json *j;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
        j = json_parse_file(path);
        CHECK(j != NULL);
        if (!j)
            continue;
        twitter_decode(j, names[i]->d_name);
        twitter_roundtrip(j, names[i]->d_name);
        json_free(j);
        files++;
    }
    if (n >= 0)
        free_dir(names, n);
    CHECK_INT(files, 13);
    CHECK_INT(tap_mem_live(), live);
}
