/* SPDX-License-Identifier: MIT */
/*
 * HPACK unit tests: integer and Huffman primitives, every error the decoder can return (with
 * its `why`), truncation at every byte against a guard page, the dynamic table (eviction,
 * growth, compaction), the encoder's policy and size updates, and failing allocations.
 * The shared corpora are in test_hpack_corpus.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/h2.h"
#include "codec/hpack.h"
#include "codec/hpack_int.h"
#include "codec/hpack_static.h"
#include "base/limits.h"
#include "tap.h"

/* Decode hex `hex` with `d` into `l`; returns the result code, `info` filled on error. */
static int decode_hex(struct hpack_decoder *d, const char *hex, struct hpack_list *l,
                      struct h2e_info *info)
{
    size_t len;
    uint8_t *p = tap_unhex(hex, &len);
    int rv;

    if (!p)
        return 1;
    rv = hpack_decode_block(d, tap_guard(p, len), len, l, info);
    free(p);
    return rv;
}

/* One fresh decoder (limit 4096) on `hex`: the error code, with `why` checked to name an
 * RFC section or limit and `info.code` to agree. */
static int decode_error(const char *hex, const char **why)
{
    struct hpack_decoder d;
    struct hpack_list l;
    struct h2e_info info = H2E_INFO_INIT;
    int rv;

    hpack_decoder_init(&d, &tap_mem, 4096);
    hpack_list_init(&l, &tap_mem);
    rv = decode_hex(&d, hex, &l, &info);
    if (rv < 0) {
        CHECK(info.why != NULL);
        CHECK_INT(info.code, rv);
        CHECK_INT(h2e_wire(rv), H2_COMPRESSION_ERROR);
    }
    *why = info.why ? info.why : "";
    hpack_list_release(&l);
    hpack_decoder_release(&d);
    return rv;
}

static bool field_is(const struct hpack_field *f, const char *name, const char *value)
{
    return span_eq_str(f->name, name) && span_eq_str(f->value, value);
}

static struct hpack_field fld(const char *name, const char *value, uint8_t flags)
{
    struct hpack_field f;
    memset(&f, 0, sizeof(f));
    f.name = span_str(name);
    f.value = span_str(value);
    f.flags = flags;
    return f;
}

/* Encode `n` fields with `e` and compare with hex `want`. */
static void encode_is(struct hpack_encoder *e, const struct hpack_field *f, size_t n,
                      const char *want, int line)
{
    struct buf out;
    size_t len;
    uint8_t *w = tap_unhex(want, &len);

    buf_init(&out, &tap_mem, 4096);
    if (hpack_encode_block(e, f, n, &out, NULL) != 0 || !w || out.len != len ||
        memcmp(out.p, w, len) != 0) {
        size_t i;
        char hex[512] = "";
        for (i = 0; i < out.len && i < 200; i++)
            snprintf(hex + 2 * i, 3, "%02x", out.p[i]);
        tap_fail(__FILE__, line, "encoded %s, expected %s", hex, want);
    }
    buf_release(&out);
    free(w);
}

/* ---- integers ---------------------------------------------------------------------------- */

TEST(test_hpack_int_roundtrip_every_prefix)
{
    static const uint32_t values[] = {0,     1,     30,      31,        32,        126,
                                      127,   128,   254,     255,       256,       1337,
                                      16383, 16384, 2097151, 268435455, 268435456, UINT32_MAX};
    uint8_t buf[8];
    int prefix;
    size_t i;

    for (prefix = 1; prefix <= 8; prefix++) {
        for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
            uint32_t back = 0;
            size_t n = hpack_encode_int(buf, sizeof(buf), 0, prefix, values[i]);
            const uint8_t *g = tap_guard(buf, n), *p = g;
            CHECK(n >= 1 && n <= 6);
            CHECK_INT(hpack_decode_int(&p, g + n, prefix, &back), 0);
            CHECK_INT(back, values[i]);
            CHECK(p == g + n);
        }
    }
}

TEST(test_hpack_int_first_bits_and_cap)
{
    uint8_t buf[8];
    /* The bits above the prefix come from `first`; the prefix bits are the value's. */
    CHECK_INT(hpack_encode_int(buf, 8, 0xe0, 5, 10), 1);
    CHECK_INT(buf[0], 0xea);
    CHECK_INT(hpack_encode_int(buf, 8, 0x40, 6, 63), 2);
    CHECK_MEM(buf, 2, "\x7f\x00", 2);
    CHECK_INT(hpack_encode_int(buf, 2, 0, 5, 1337), 0); /* needs 3 octets */
    CHECK_INT(hpack_encode_int(buf, 0, 0, 5, 1), 0);
    CHECK_INT(hpack_encode_int(buf, 3, 0, 5, 1337), 3);
    CHECK_MEM(buf, 3, "\x1f\x9a\x0a", 3);
}

TEST(test_hpack_int_errors)
{
    static const struct {
        const char *hex;
        int prefix, code;
        uint32_t value;
    } cases[] = {
        {"", 5, H2E_HPACK_TRUNCATED, 0},
        {"1f", 5, H2E_HPACK_TRUNCATED, 0},
        {"1f9a", 5, H2E_HPACK_TRUNCATED, 0},
        {"1fe0ffffff0f", 5, 0, UINT32_MAX},        /* 31 + 0xffffffe0 */
        {"1fe1ffffff0f", 5, H2E_HPACK_INTEGER, 0}, /* 2^32 */
        {"ff80feffff0f", 8, 0, UINT32_MAX},
        {"ff81feffff0f", 8, H2E_HPACK_INTEGER, 0},
        {"ffffffffff7f", 8, H2E_HPACK_INTEGER, 0},
        {"1f8080808000", 5, 0, 31},                  /* 5 continuation octets are allowed */
        {"1f808080808000", 5, H2E_HPACK_INTEGER, 0}, /* a 6th is not */
        {"1f8080808080", 5, H2E_HPACK_INTEGER, 0},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len;
        uint8_t *h = tap_unhex(cases[i].hex, &len);
        const uint8_t *g = tap_guard(h, len), *p = g;
        uint32_t v = 7;
        int rv = hpack_decode_int(&p, g + len, cases[i].prefix, &v);
        if (rv != cases[i].code)
            tap_fail(__FILE__, __LINE__, "%s: got %s", cases[i].hex, h2e_name(rv));
        if (rv == 0) {
            CHECK_INT(v, cases[i].value);
            CHECK(p == g + len);
        } else {
            CHECK(p == g); /* not advanced on failure */
        }
        free(h);
    }
}

/* ---- Huffman ----------------------------------------------------------------------------- */

TEST(test_hpack_huff_roundtrip)
{
    const long live = tap_mem_live();
    static const char *const strs[] = {"",
                                       "a",
                                       "www.example.com",
                                       "no-cache",
                                       "custom-key",
                                       "Mon, 21 Oct 2013 20:13:21 GMT",
                                       "\xff\x00\x80\x7f\xfe"};
    uint8_t enc[256];
    struct buf b;
    size_t i, n;

    buf_init(&b, &tap_mem, 1024);
    for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        struct span s = span_of(strs[i], i == 6 ? 5 : strlen(strs[i]));
        n = hpack_huff_len(s);
        CHECK_INT(hpack_huff_encode(enc, s), n);
        buf_reset(&b);
        CHECK_INT(hpack_huff_decode(span_of(tap_guard(enc, n), n), &b), 0);
        CHECK_MEM(b.p, b.len, s.p, s.len);
    }
    /* RFC 7541 C.4.1: "www.example.com". */
    n = hpack_huff_encode(enc, span_str("www.example.com"));
    CHECK_MEM(enc, n, "\xf1\xe3\xc2\xe5\xf2\x3a\x6b\xa0\xab\x90\xf4\xff", 12);
    buf_release(&b);
    CHECK_INT(tap_mem_live(), live);
}

TEST(test_hpack_huff_errors)
{
    static const struct {
        const char *hex, *why;
    } cases[] = {
        {"ffffffff", "EOS"},       /* the 30-bit EOS code then two one-bits */
        {"fffffffc", "EOS"},       /* EOS exactly, padded with zeros */
        {"1fff", "longer than 7"}, /* 'a' then 11 one-bits */
        {"ff", "longer than 7"},   /* 8 one-bits alone */
        {"18", "not all ones"},    /* 'a' then 000 */
        {"00", "not all ones"},    /* '0' then 000 */
        {"fe", "not all ones"},    /* an incomplete code ending in 0 */
    };
    struct buf b;
    size_t i;

    buf_init(&b, &tap_mem, 1024);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len;
        uint8_t *h = tap_unhex(cases[i].hex, &len);
        const char *why = NULL;
        buf_reset(&b);
        CHECK_INT(hpack_huff_decode(span_of(tap_guard(h, len), len), &b), H2E_HPACK_HUFFMAN);
        CHECK_INT(hpack_huff_decode_why(span_of(h, len), &b, &why), H2E_HPACK_HUFFMAN);
        if (!why || !strstr(why, cases[i].why) || !strstr(why, "§5.2"))
            tap_fail(__FILE__, __LINE__, "%s: why '%s'", cases[i].hex, why ? why : "(null)");
        CHECK_INT(b.len, 0);
        free(h);
    }
    /* 7 one-bits of padding are fine: 'a' (00011) + 111. */
    buf_reset(&b);
    CHECK_INT(hpack_huff_decode(span_of("\x1f", 1), &b), 0);
    CHECK_MEM(b.p, b.len, "a", 1);
    buf_release(&b);
}

TEST(test_hpack_huff_limit_and_nomem)
{
    uint8_t enc[64];
    size_t n = hpack_huff_encode(enc, span_str("0123456789"));
    struct buf b;

    buf_init(&b, &tap_mem, 4); /* too small for the worst case 8 * n / 5 */
    CHECK_INT(hpack_huff_decode(span_of(enc, n), &b), H2E_LIMIT_BUFFER);
    buf_release(&b);
    buf_init(&b, &tap_mem, 1024);
    tap_mem_fail_after = 0;
    CHECK_INT(hpack_huff_decode(span_of(enc, n), &b), H2E_NOMEM);
    tap_mem_fail_after = -1;
    buf_release(&b);
}

/* ---- decoder ----------------------------------------------------------------------------- */

TEST(test_hpack_decode_reprs_and_stats)
{
    const long live = tap_mem_live();
    struct hpack_decoder d;
    struct hpack_list l;
    struct h2e_info info = H2E_INFO_INIT;

    hpack_decoder_init(&d, &tap_mem, 4096);
    hpack_list_init(&l, &tap_mem);
    /* indexed 2; incremental, static name 1, Huffman value; without, new raw name;
     * never, dynamic name 62; indexed 62 (the entry just added). */
    CHECK_INT(decode_hex(&d, "82 418cf1e3c2e5f23a6ba0ab90f4ff 0001610162 1f2f0178 be", &l, &info),
              0);
    CHECK_INT(l.count, 5);
    CHECK(field_is(&l.fields[0], ":method", "GET"));
    CHECK_INT(l.fields[0].repr, HPACK_REPR_INDEXED);
    CHECK_INT(l.fields[0].index, 2);
    CHECK(field_is(&l.fields[1], ":authority", "www.example.com"));
    CHECK_INT(l.fields[1].repr, HPACK_REPR_INCREMENTAL);
    CHECK_INT(l.fields[1].flags, HPACK_FIELD_VALUE_HUFFMAN);
    CHECK_INT(l.fields[1].index, 1);
    CHECK(field_is(&l.fields[2], "a", "b"));
    CHECK_INT(l.fields[2].repr, HPACK_REPR_WITHOUT);
    CHECK_INT(l.fields[2].index, 0);
    CHECK(field_is(&l.fields[3], ":authority", "x"));
    CHECK_INT(l.fields[3].repr, HPACK_REPR_NEVER);
    CHECK_INT(l.fields[3].index, 62);
    CHECK(field_is(&l.fields[4], ":authority", "www.example.com"));
    CHECK_INT(l.fields[4].index, 62);
    CHECK_INT(l.stats.inserts, 1);
    CHECK_INT(l.stats.table_size, 57);
    CHECK_INT(l.stats.table_entries, 1);
    CHECK_INT(l.stats.decoded_bytes, 7 + 3 + 10 + 15 + 2 + 10 + 1 + 10 + 15);
    CHECK_INT(l.list_size, l.stats.decoded_bytes + 5 * 32);
    hpack_list_release(&l);
    hpack_decoder_release(&d);
    CHECK_INT(tap_mem_live(), live);
}

TEST(test_hpack_decode_empty_block)
{
    const long live = tap_mem_live();
    struct hpack_decoder d;
    struct hpack_list l;

    hpack_decoder_init(&d, &tap_mem, 4096);
    hpack_list_init(&l, &tap_mem);
    CHECK_INT(hpack_decode_block(&d, NULL, 0, &l, NULL), 0);
    CHECK_INT(l.count, 0);
    CHECK_INT(decode_hex(&d, "", &l, NULL), 0);
    hpack_list_release(&l);
    hpack_decoder_release(&d);
    CHECK_INT(tap_mem_live(), live);
}

TEST(test_hpack_decode_errors_have_why)
{
    const long live = tap_mem_live();
    static const struct {
        const char *hex, *why;
        int code;
    } cases[] = {
        {"80", "§6.1", H2E_HPACK_INDEX},
        {"be", "§2.3.3", H2E_HPACK_INDEX},
        {"7e0161", "§2.3.3", H2E_HPACK_INDEX},
        {"0f2f0161", "§2.3.3", H2E_HPACK_INDEX},
        {"ff", "§5.1", H2E_HPACK_TRUNCATED},
        {"ff8080808080808080808001", "§5.1", H2E_HPACK_INTEGER},
        {"82ff808080808001", "§5.1", H2E_HPACK_INTEGER},
        {"4005", "§5.2", H2E_HPACK_TRUNCATED},
        {"40", "§5.2", H2E_HPACK_TRUNCATED},
        {"4001", "§5.2", H2E_HPACK_TRUNCATED},
        {"400161", "§5.2", H2E_HPACK_TRUNCATED},
        {"4001610162", "", 0},
        {"0184ffffffff", "EOS", H2E_HPACK_HUFFMAN},
        {"01821fff", "longer than 7", H2E_HPACK_HUFFMAN},
        {"018118", "not all ones", H2E_HPACK_HUFFMAN},
        {"0084ffffffff", "EOS", H2E_HPACK_HUFFMAN}, /* in a name */
        {"3fe21f", "§6.3", H2E_HPACK_SIZE_UPDATE},
        {"8220", "§4.2", H2E_HPACK_SIZE_UPDATE},
        {"203fe11f", "", 0},
        {"3f", "§5.1", H2E_HPACK_TRUNCATED},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *why;
        int rv = decode_error(cases[i].hex, &why);
        if (rv != cases[i].code || !strstr(why, cases[i].why))
            tap_fail(__FILE__, __LINE__, "%s: got %s, why '%s'", cases[i].hex, h2e_name(rv), why);
    }
    CHECK_INT(tap_mem_live(), live);
}

/* A block cut at every byte must decode a prefix of the fields or fail as truncated; the
 * input ends at an unmapped page, so reading past it crashes. */
TEST(test_hpack_decode_truncated_at_every_byte)
{
    const long live = tap_mem_live();
    static const char *const blocks[] = {
        "828684418cf1e3c2e5f23a6ba0ab90f4ff",
        ("4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120"
         "474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d"),
        "3fe11f 100870617373776f726406736563726574 4001610162 0f2f0161",
    };
    size_t b, k;

    for (b = 0; b < sizeof(blocks) / sizeof(blocks[0]); b++) {
        size_t len;
        uint8_t *p = tap_unhex(blocks[b], &len);
        for (k = 0; k < len; k++) {
            struct hpack_decoder d;
            struct hpack_list l;
            struct h2e_info info = H2E_INFO_INIT;
            int rv;
            hpack_decoder_init(&d, &tap_mem, 4096);
            hpack_list_init(&l, &tap_mem);
            rv = hpack_decode_block(&d, tap_guard(p, k), k, &l, &info);
            if (rv != 0 && rv != H2E_HPACK_TRUNCATED)
                tap_fail(__FILE__, __LINE__, "block %zu cut at %zu: %s", b, k, h2e_name(rv));
            if (rv)
                CHECK(info.why != NULL);
            hpack_list_release(&l);
            hpack_decoder_release(&d);
        }
        free(p);
    }
    CHECK_INT(tap_mem_live(), live);
}

TEST(test_hpack_decode_limits)
{
    const long live = tap_mem_live();
    struct hpack_decoder d;
    struct hpack_list l;
    struct h2e_info info = H2E_INFO_INIT;

    hpack_decoder_init(&d, &tap_mem, 4096);
    hpack_list_init(&l, &tap_mem);
    d.max_fields = 2;
    CHECK_INT(decode_hex(&d, "8282", &l, &info), 0);
    CHECK_INT(decode_hex(&d, "828282", &l, &info), H2E_LIMIT_HEADER_COUNT);
    CHECK(info.why && strstr(info.why, "more fields"));
    d.max_fields = 100;

    /* list size: :method GET is 7 + 3 + 32 = 42 per field. */
    d.max_list_size = 84;
    CHECK_INT(decode_hex(&d, "8282", &l, &info), 0);
    CHECK_INT(l.list_size, 84);
    CHECK_INT(decode_hex(&d, "828282", &l, &info), H2E_LIMIT_HEADER_LIST);
    CHECK(info.why && strstr(info.why, "§6.5.2"));
    CHECK_INT(decode_hex(&d, "82000b6162636465666768696a6b00", &l, &info), H2E_LIMIT_HEADER_LIST);
    d.max_list_size = LIMIT_HEADER_LIST_SIZE;

    /* field size: name + value. */
    d.max_field_size = 6;
    CHECK_INT(decode_hex(&d, "0003616263036465 66", &l, &info), 0);
    CHECK_INT(decode_hex(&d, "000361626304646566 67", &l, &info), H2E_LIMIT_FIELD_SIZE);
    CHECK(info.why && strstr(info.why, "field limit"));
    CHECK_INT(decode_hex(&d, "0007616263646566 6700", &l, &info), H2E_LIMIT_FIELD_SIZE);
    /* Huffman: the encoded length already shows 20 octets cannot fit... */
    CHECK_INT(decode_hex(&d, "000161940000000000000000000000000000000000000000", &l, &info),
              H2E_LIMIT_FIELD_SIZE);
    /* ...and an exact check after decoding "0123456789" (8 octets of Huffman). */
    CHECK_INT(decode_hex(&d, "000161880044cb4db8ebcfff", &l, &info), H2E_LIMIT_FIELD_SIZE);
    /* a dynamic entry is checked before it is copied */
    d.max_field_size = 100;
    CHECK_INT(decode_hex(&d, "4003616263056465666768", &l, &info), 0);
    d.max_field_size = 5;
    CHECK_INT(decode_hex(&d, "be", &l, &info), H2E_LIMIT_FIELD_SIZE);
    CHECK_INT(decode_hex(&d, "7e03787878", &l, &info), H2E_LIMIT_FIELD_SIZE);
    hpack_list_release(&l);
    hpack_decoder_release(&d);
    CHECK_INT(tap_mem_live(), live);
}

TEST(test_hpack_decode_size_update_rules)
{
    const long live = tap_mem_live();
    struct hpack_decoder d;
    struct hpack_list l;
    struct h2e_info info = H2E_INFO_INIT;

    hpack_decoder_init(&d, &tap_mem, 4096);
    hpack_list_init(&l, &tap_mem);
    CHECK_INT(decode_hex(&d, "4001610162", &l, &info), 0);
    /* A lower limit must be followed by an update at the start of the next block. */
    hpack_decoder_set_limit(&d, 100);
    CHECK_INT(decode_hex(&d, "82", &l, &info), H2E_HPACK_SIZE_UPDATE);
    CHECK(info.why && strstr(info.why, "§4.2"));
    hpack_decoder_release(&d);

    hpack_decoder_init(&d, &tap_mem, 4096);
    CHECK_INT(decode_hex(&d, "4001610162", &l, &info), 0);
    hpack_decoder_set_limit(&d, 100);
    CHECK_INT(decode_hex(&d, "3f46 82", &l, &info), H2E_HPACK_SIZE_UPDATE); /* 100 + 1 */
    CHECK_INT(decode_hex(&d, "3f45 20 3f21", &l, &info), 0);                /* 100, 0, 64 */
    CHECK_INT(l.stats.size_updates, 3);
    CHECK_INT(l.stats.last_size_update, 64);
    CHECK_INT(l.stats.evictions, 1);
    CHECK_INT(l.count, 0);
    CHECK_INT(d.table.count, 0);
    /* raising the limit needs no update; the table stays until told */
    hpack_decoder_set_limit(&d, 8192);
    CHECK_INT(decode_hex(&d, "82", &l, &info), 0);
    CHECK_INT(d.table.max_size, 64);
    CHECK_INT(decode_hex(&d, "3fe13f", &l, &info), 0);
    CHECK_INT(d.table.max_size, 8192);
    hpack_list_release(&l);
    hpack_decoder_release(&d);
    CHECK_INT(tap_mem_live(), live);
}

/* Strings must stay right when the list's buffer grows while a block is decoded. */
TEST(test_hpack_decode_many_fields_and_reuse)
{
    const long live = tap_mem_live();
    struct hpack_decoder d;
    struct hpack_list l;
    struct h2e_info info = H2E_INFO_INIT;
    char hex[8192] = "";
    size_t i, n = 0;

    for (i = 0; i < 300; i++)
        n += (size_t)snprintf(hex + n, sizeof(hex) - n, "00026b3%d03763%d3%d", (int)(i % 10),
                              (int)(i % 100 / 10), (int)(i % 10));
    hpack_decoder_init(&d, &tap_mem, 4096);
    hpack_list_init(&l, &tap_mem);
    for (n = 0; n < 3; n++) {
        CHECK_INT(decode_hex(&d, hex, &l, &info), 0);
        CHECK_INT(l.count, 300);
        for (i = 0; i < l.count; i++) {
            char name[4], value[4];
            snprintf(name, sizeof(name), "k%d", (int)(i % 10));
            snprintf(value, sizeof(value), "v%02zu", i % 100);
            if (!field_is(&l.fields[i], name, value)) {
                tap_fail(__FILE__, __LINE__, "field %zu differs", i);
                break;
            }
        }
    }
    hpack_list_release(&l);
    hpack_decoder_release(&d);
    CHECK_INT(tap_mem_live(), live);
}

/* ---- dynamic table --------------------------------------------------------------------- */

static void insert_n(struct hpack_table *t, size_t from, size_t n, size_t vlen)
{
    char name[32], value[256];
    size_t i;
    unsigned ev = 0;

    memset(value, 'v', sizeof(value));
    for (i = from; i < from + n; i++) {
        snprintf(name, sizeof(name), "n%zu", i);
        CHECK_INT(hpack_table_insert(t, span_str(name), span_of(value, vlen), NULL, &ev), 0);
    }
}

TEST(test_hpack_table_growth_and_compaction)
{
    const long live = tap_mem_live();
    struct hpack_table t;
    struct span n, v;
    unsigned ev = 0;
    size_t i;

    hpack_table_init(&t, &tap_mem, 65536, false);
    insert_n(&t, 0, 1000, 20); /* ring and bytes grow many times */
    CHECK_INT(t.count, 1000);
    for (i = 0; i < 1000; i += 37) {
        char name[32];
        snprintf(name, sizeof(name), "n%zu", 999 - i);
        CHECK(hpack_table_get(&t, (uint32_t)(62 + i), &n, &v));
        CHECK(span_eq_str(n, name) && v.len == 20);
    }
    hpack_table_set_max(&t, 4096, &ev);
    CHECK(t.size <= 4096);
    CHECK_INT(ev, 1000 - t.count);
    /* Keep inserting so the byte buffer wraps and compacts many times. */
    insert_n(&t, 1000, 5000, 100);
    CHECK(t.size <= 4096);
    CHECK(hpack_table_get(&t, 62, &n, &v));
    CHECK(span_eq_str(n, "n5999") && v.len == 100 && v.p[99] == 'v');
    CHECK(hpack_table_get(&t, (uint32_t)(61 + t.count), &n, &v));
    CHECK(!hpack_table_get(&t, (uint32_t)(62 + t.count), &n, &v));
    /* §4.4: an entry larger than the table empties it and is not added. */
    {
        static char big[5000];
        CHECK_INT(hpack_table_insert(&t, span_str("big"), span_of(big, sizeof(big)), NULL, &ev), 1);
        CHECK_INT(t.count, 0);
        CHECK_INT(t.size, 0);
    }
    /* An empty name and value still take 32 octets (§4.1). */
    CHECK_INT(hpack_table_insert(&t, span_of(NULL, 0), span_of(NULL, 0), NULL, &ev), 0);
    CHECK_INT(t.size, 32);
    hpack_table_release(&t);
    CHECK_INT(tap_mem_live(), live);
}

TEST(test_hpack_table_find)
{
    const long live = tap_mem_live();
    struct hpack_table t;
    struct hpack_hashes h;
    uint32_t name_idx;
    unsigned ev = 0;

    hpack_table_init(&t, &tap_mem, 200, true);
#define HASHES(n, v)                                                                               \
    (h.name = hpack_hash(HPACK_STATIC_SEED, (const uint8_t *)(n), strlen(n)),                      \
     h.field = hpack_field_hash(h.name, span_str(v)), &h)
    CHECK_INT(hpack_table_find(&t, span_str("x"), span_str("1"), HASHES("x", "1"), &name_idx), 0);
    CHECK_INT(name_idx, 0);
    CHECK_INT(hpack_table_insert(&t, span_str("x"), span_str("1"), HASHES("x", "1"), &ev), 0);
    CHECK_INT(hpack_table_insert(&t, span_str("y"), span_str("2"), HASHES("y", "2"), &ev), 0);
    CHECK_INT(hpack_table_insert(&t, span_str("x"), span_str("3"), HASHES("x", "3"), &ev), 0);
    CHECK_INT(hpack_table_find(&t, span_str("x"), span_str("1"), HASHES("x", "1"), &name_idx), 64);
    CHECK_INT(hpack_table_find(&t, span_str("x"), span_str("9"), HASHES("x", "9"), &name_idx), 0);
    CHECK_INT(name_idx, 62); /* the newest entry with the name */
    CHECK_INT(hpack_table_find(&t, span_str("y"), span_str("2"), HASHES("y", "2"), &name_idx), 63);
    /* 200 octets hold 5 entries of 34: the oldest go, and so do their index links. */
    CHECK_INT(hpack_table_insert(&t, span_str("z"), span_str("4"), HASHES("z", "4"), &ev), 0);
    CHECK_INT(hpack_table_insert(&t, span_str("z"), span_str("5"), HASHES("z", "5"), &ev), 0);
    CHECK_INT(hpack_table_insert(&t, span_str("z"), span_str("6"), HASHES("z", "6"), &ev), 0);
    CHECK_INT(ev, 1);
    CHECK_INT(hpack_table_find(&t, span_str("x"), span_str("1"), HASHES("x", "1"), &name_idx), 0);
    CHECK_INT(name_idx, 65);
    hpack_table_release(&t);
    CHECK_INT(tap_mem_live(), live);
#undef HASHES
}

/* ---- encoder ----------------------------------------------------------------------------- */

TEST(test_hpack_encode_policy)
{
    const long live = tap_mem_live();
    struct hpack_encoder e;
    struct hpack_field f[3];

    hpack_encoder_init(&e, &tap_mem, 4096);
    e.huffman = HPACK_HUFFMAN_NEVER;
    /* static exact; static name, incremental; then the dynamic entry */
    f[0] = fld(":method", "GET", 0);
    f[1] = fld("user-agent", "t", 0);
    encode_is(&e, f, 2, "82 7a0174", __LINE__);
    encode_is(&e, f + 1, 1, "be", __LINE__);
    /* a new name, then its dynamic name with another value (index 62 in 6 bits) */
    f[0] = fld("x-a", "1", 0);
    f[1] = fld("x-a", "2", 0);
    encode_is(&e, f, 2, "4003782d610131 7e0132", __LINE__);
    /* §7.1.3: credentials and short cookies never indexed; long cookies are */
    f[0] = fld("authorization", "s", 0);
    f[1] = fld("cookie", "short", 0);
    f[2] = fld("cookie", "a-cookie-of-20-chars", 0);
    encode_is(&e, f, 3, "1f080173 1f110573686f7274 6014612d636f6f6b69652d6f662d32302d6368617273",
              __LINE__);
    /* per-field flags */
    f[0] = fld("x-b", "1", HPACK_FIELD_SENSITIVE);
    f[1] = fld(":path", "/p", HPACK_FIELD_NO_INDEX);
    encode_is(&e, f, 2, "1003782d620131 04022f70", __LINE__);
    CHECK_INT(e.table.count, 4);
    hpack_encoder_release(&e);
    CHECK_INT(tap_mem_live(), live);
}

TEST(test_hpack_encode_varying_fields)
{
    const long live = tap_mem_live();
    struct hpack_encoder e;
    struct hpack_field f = fld(":path", "/a", 0);

    hpack_encoder_init(&e, &tap_mem, 4096);
    e.huffman = HPACK_HUFFMAN_NEVER;
    encode_is(&e, &f, 1, "04022f61", __LINE__); /* first sight: without indexing */
    encode_is(&e, &f, 1, "44022f61", __LINE__); /* seen again: indexed */
    encode_is(&e, &f, 1, "be", __LINE__);
    hpack_encoder_release(&e);
    hpack_encoder_init(&e, &tap_mem, 4096);
    e.huffman = HPACK_HUFFMAN_NEVER;
    e.indexing = HPACK_INDEX_ALL;
    encode_is(&e, &f, 1, "44022f61", __LINE__);
    hpack_encoder_release(&e);
    CHECK_INT(tap_mem_live(), live);
}

TEST(test_hpack_encode_modes)
{
    const long live = tap_mem_live();
    struct hpack_encoder e;
    struct hpack_field f[2];

    f[0] = fld(":authority", "www.example.com", 0);
    f[1] = fld(":method", "GET", 0);
    hpack_encoder_init(&e, &tap_mem, 4096);
    encode_is(&e, f, 2, "418cf1e3c2e5f23a6ba0ab90f4ff 82", __LINE__); /* AUTO: shorter */
    e.huffman = HPACK_HUFFMAN_ALWAYS;
    f[0] = fld("x", "1", 0); /* Huffman is no shorter here */
    encode_is(&e, f, 1, "4081f3810f", __LINE__);
    e.huffman = HPACK_HUFFMAN_AUTO;
    f[0] = fld("y", "1", 0);
    encode_is(&e, f, 1, "400179 0131", __LINE__);
    /* credentials' values go out as their own octets even where Huffman is asked for, so
     * that a hex dump can mask them (short cookies are not credentials: Huffman) */
    e.huffman = HPACK_HUFFMAN_ALWAYS;
    f[0] = fld("proxy-authorization", "Basic eA==", 0);
    f[1] = fld("x", "ab", HPACK_FIELD_SENSITIVE); /* "x" is dynamic entry 63 */
    encode_is(&e, f, 2, "1f22 0a4261736963206541 3d3d 1f30 026162", __LINE__);
    f[0] = fld("cookie", "short", 0); /* guessable, never indexed, but not a credential */
    encode_is(&e, f, 1, "1f11 8444e7b13f", __LINE__);
    hpack_encoder_release(&e);

    hpack_encoder_init(&e, &tap_mem, 4096);
    e.huffman = HPACK_HUFFMAN_NEVER;
    e.indexing = HPACK_INDEX_NONE;
    f[0] = fld("user-agent", "t", 0);
    f[1] = fld(":method", "GET", 0);
    encode_is(&e, f, 2, "0f2b0174 82", __LINE__);
    encode_is(&e, f, 2, "0f2b0174 82", __LINE__);
    CHECK_INT(e.table.count, 0);
    e.indexing = HPACK_INDEX_NEVER;
    encode_is(&e, f, 2, "1f2b0174 82", __LINE__);
    CHECK_INT(e.table.count, 0);
    hpack_encoder_release(&e);
    CHECK_INT(tap_mem_live(), live);
}

TEST(test_hpack_encode_field_larger_than_table)
{
    struct hpack_encoder e;
    struct hpack_field f = fld("x-big", "0123456789012345678901234567890123456789", 0);

    hpack_encoder_init(&e, &tap_mem, 64); /* 5 + 40 + 32 > 64 */
    e.huffman = HPACK_HUFFMAN_NEVER;
    encode_is(&e, &f, 1,
              "0005782d626967283031323334353637383930313233343536373839303132333435363738393031"
              "3233343536373839",
              __LINE__);
    CHECK_INT(e.table.count, 0);
    hpack_encoder_release(&e);
}

TEST(test_hpack_encode_size_updates)
{
    const long live = tap_mem_live();
    struct hpack_encoder e;
    struct hpack_stats st;
    struct hpack_field f = fld(":method", "GET", 0);
    struct buf out;

    hpack_encoder_init(&e, &tap_mem, 8192);
    encode_is(&e, &f, 1, "82", __LINE__);
    hpack_encoder_set_peer_limit(&e, 4096); /* unchanged: nothing to say */
    encode_is(&e, &f, 1, "82", __LINE__);
    hpack_encoder_set_peer_limit(&e, 100);
    hpack_encoder_set_peer_limit(&e, 16384); /* lowered then raised: minimum, then final */
    encode_is(&e, &f, 1, "3f45 3fe13f 82", __LINE__);
    CHECK_INT(e.table.max_size, 8192);
    hpack_encoder_set_peer_limit(&e, 0);
    buf_init(&out, &tap_mem, 64);
    CHECK_INT(hpack_encode_block(&e, &f, 1, &out, &st), 0);
    CHECK_MEM(out.p, out.len, "\x20\x82", 2);
    CHECK_INT(st.size_updates, 1);
    CHECK_INT(st.last_size_update, 0);
    CHECK_INT(st.wire_bytes, 2);
    buf_release(&out);
    hpack_encoder_release(&e);

    /* An encoder below 4096 needs no update until the peer's limit arrives. */
    hpack_encoder_init(&e, &tap_mem, 256);
    encode_is(&e, &f, 1, "82", __LINE__);
    hpack_encoder_set_peer_limit(&e, 4096);
    encode_is(&e, &f, 1, "3fe101 82", __LINE__);
    hpack_encoder_set_peer_limit(&e, 4096);
    encode_is(&e, &f, 1, "82", __LINE__);
    hpack_encoder_release(&e);
    CHECK_INT(tap_mem_live(), live);
}

TEST(test_hpack_encode_buffer_limit)
{
    const long live = tap_mem_live();
    struct hpack_encoder e;
    struct hpack_field f = fld("x-long", "0123456789abcdef", 0);
    struct buf out;

    hpack_encoder_init(&e, &tap_mem, 4096);
    buf_init(&out, &tap_mem, 8);
    CHECK_INT(hpack_encode_block(&e, &f, 1, &out, NULL), H2E_LIMIT_BUFFER);
    buf_release(&out);
    hpack_encoder_release(&e);
    CHECK_INT(tap_mem_live(), live);
}

/* ---- failing allocations ------------------------------------------------------------------- */

/* Decode, then encode and decode, with the n-th allocation failing, for every n: each run
 * ends in success or H2E_NOMEM, and releasing frees everything. */
TEST(test_hpack_nomem_everywhere)
{
    const long live = tap_mem_live();
    static const char *const hex =
        "828684418cf1e3c2e5f23a6ba0ab90f4ff 4003782d6101314003782d620132 be bf";
    struct hpack_field f[3];
    long n;
    int ok = 0, nomem = 0;

    f[0] = fld("x-a", "1", 0);
    f[1] = fld("x-b", "2", 0);
    f[2] = fld(":authority", "example", 0);
    for (n = 0; n < 40; n++) {
        struct hpack_decoder d;
        struct hpack_encoder e;
        struct hpack_list l;
        struct h2e_info info = H2E_INFO_INIT;
        struct buf out;
        int rv;
        hpack_decoder_init(&d, &tap_mem, 4096);
        hpack_encoder_init(&e, &tap_mem, 4096);
        hpack_list_init(&l, &tap_mem);
        buf_init(&out, &tap_mem, 4096);
        tap_mem_fail_after = n;
        rv = decode_hex(&d, hex, &l, &info);
        if (rv == 0)
            rv = hpack_encode_block(&e, f, 3, &out, NULL);
        if (rv == 0)
            rv = hpack_decode_block(&d, out.p, out.len, &l, &info);
        tap_mem_fail_after = -1;
        if (rv == H2E_NOMEM) {
            nomem++;
        } else {
            CHECK_INT(rv, 0);
            ok++;
        }
        buf_release(&out);
        hpack_list_release(&l);
        hpack_encoder_release(&e);
        hpack_decoder_release(&d);
        CHECK_INT(tap_mem_live(), live);
    }
    CHECK(nomem >= 5);
    CHECK(ok >= 1);
}

TEST(test_hpack_nomem_decoder_why)
{
    const long live = tap_mem_live();
    struct hpack_decoder d;
    struct hpack_list l;
    struct h2e_info info = H2E_INFO_INIT;

    hpack_decoder_init(&d, &tap_mem, 4096);
    hpack_list_init(&l, &tap_mem);
    tap_mem_fail_after = 0;
    CHECK_INT(decode_hex(&d, "82", &l, &info), H2E_NOMEM);
    tap_mem_fail_after = -1;
    CHECK(info.why && strstr(info.why, "memory"));
    CHECK_INT(h2e_scope(H2E_NOMEM), H2E_SCOPE_LOCAL);
    hpack_list_release(&l);
    hpack_decoder_release(&d);
    CHECK_INT(tap_mem_live(), live);
}
