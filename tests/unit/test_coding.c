/* SPDX-License-Identifier: MIT */
/* Content codings: content-encoding lists, each decoder whole and split at every offset,
 * stacked codings, the faults (truncation, trailing garbage, a huge zstd window), bounded
 * chunks, and allocation failures. Inputs are made here with zlib and libzstd; brotli
 * inputs are fixed bytes made with brotli(1), since only the decoder is linked. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "codec/coding.h"
#include "tap.h"

/* "hello, brotli! hello, brotli! hello, brotli!\n" and 200000 zero bytes, by brotli -c. */
static const char BR_HELLO[] = "a16001c0ef489dfadc856b05103139154297696c6f398822fc940017e974ef8702";
static const char BR_ZEROS[] = "5f3f0d837f02201e0b04f2090600";
static const char HELLO[] = "hello, brotli! hello, brotli! hello, brotli!\n";

struct result {
    int rv; /* the first error of coding_next / coding_finish, else 0 */
    uint8_t *out;
    size_t len;
    size_t max_chunk;
    const char *why; /* the error's reason */
};

/* Decode `in` fed in pieces of `step` bytes (0: whole) with codings `t` (as applied). */
static struct result decode(const enum coding_type *t, size_t nt, const uint8_t *in, size_t len,
                            size_t step)
{
    struct result r = {0, NULL, 0, 0, NULL};
    struct h2e_info info = H2E_INFO_INIT;
    struct coding c;
    struct span o;
    size_t at = 0;

    if ((r.rv = coding_init(&c, &mem_libc, t, nt, &info)) != 0)
        return r;
    do {
        size_t n = step && len - at > step ? step : len - at;
        int rv;
        coding_feed(&c, in + at, n);
        at += n;
        while ((rv = coding_next(&c, &o, &info)) == 1) {
            r.out = realloc(r.out, r.len + o.len + 1);
            memcpy(r.out + r.len, o.p, o.len);
            r.len += o.len;
            if (o.len > r.max_chunk)
                r.max_chunk = o.len;
        }
        if (rv < 0) {
            r.rv = rv;
            CHECK(info.why != NULL);
            break;
        }
    } while (at < len);
    if (!r.rv && (r.rv = coding_finish(&c, &info)) != 0)
        CHECK(info.why != NULL);
    r.why = info.why;
    coding_release(&c);
    return r;
}

/* `p` deflated with zlib's window `bits` (16 + 15: gzip, with header `h` if not NULL). */
static uint8_t *zlib_encode_with(const uint8_t *p, size_t n, int bits, gz_header *h,
                                 size_t *out_len)
{
    z_stream z;
    size_t cap = compressBound((uLong)n) + 128;
    uint8_t *out = malloc(cap);

    memset(&z, 0, sizeof(z));
    deflateInit2(&z, 9, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY);
    if (h)
        CHECK_INT(deflateSetHeader(&z, h), Z_OK);
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    CHECK_INT(deflate(&z, Z_FINISH), Z_STREAM_END);
    *out_len = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

static uint8_t *zlib_encode(const uint8_t *p, size_t n, int bits, size_t *out_len)
{
    return zlib_encode_with(p, n, bits, NULL, out_len);
}

static uint8_t *zstd_encode(const uint8_t *p, size_t n, size_t *out_len)
{
    size_t cap = ZSTD_compressBound(n);
    uint8_t *out = malloc(cap);

    *out_len = ZSTD_compress(out, cap, p, n, 3);
    CHECK(!ZSTD_isError(*out_len));
    return out;
}

/* Some text that compresses, `n` bytes. */
static uint8_t *sample(size_t n)
{
    uint8_t *p = malloc(n);
    size_t i;

    for (i = 0; i < n; i++)
        p[i] = (uint8_t)("abcdefgh\n"[i % 9] + (i / 997) % 3);
    return p;
}

static void check_decodes(const enum coding_type *t, size_t nt, const uint8_t *in, size_t len,
                          const uint8_t *want, size_t want_len, size_t step)
{
    struct result r = decode(t, nt, in, len, step);

    CHECK_INT(r.rv, 0);
    CHECK_MEM(r.out, r.len, want, want_len);
    CHECK(r.max_chunk <= CODING_CHUNK);
    free(r.out);
}

static int decode_rv(const enum coding_type *t, size_t nt, const uint8_t *in, size_t len)
{
    struct result r = decode(t, nt, in, len, 0);

    free(r.out);
    return r.rv;
}

TEST(test_coding_parse_lists)
{
    enum coding_type t[LIMIT_CONTENT_CODINGS];
    struct h2e_info info = H2E_INFO_INIT;
    size_t n = 0;
    const char *v = " x-gzip ,identity,, ZSTD\t";

    CHECK_INT(coding_parse((struct span){(const uint8_t *)v, strlen(v)}, t, &n, &info), 0);
    CHECK_INT(n, 2);
    CHECK_INT(t[0], CODING_GZIP);
    CHECK_INT(t[1], CODING_ZSTD);
    v = "deflate,Br";
    CHECK_INT(coding_parse((struct span){(const uint8_t *)v, strlen(v)}, t, &n, &info), 0);
    CHECK_INT(n, 4);
    CHECK_INT(t[2], CODING_DEFLATE);
    CHECK_INT(t[3], CODING_BR);
    v = "gzip, gzip";
    CHECK_INT(coding_parse((struct span){(const uint8_t *)v, strlen(v)}, t, &n, &info),
              H2E_BAD_CODING);
    CHECK_STR(info.why, "more than 5 content codings");
    n = 0;
    v = "gzip, compress";
    CHECK_INT(coding_parse((struct span){(const uint8_t *)v, strlen(v)}, t, &n, &info),
              H2E_BAD_CODING);
    CHECK_STR(info.why, "unrecognized content coding");
    n = 0;
    CHECK_INT(coding_parse((struct span){(const uint8_t *)"", 0}, t, &n, &info), 0);
    CHECK_INT(n, 0);
    CHECK_STR(coding_name(CODING_BR), "br");
    CHECK(strstr(coding_versions(), "zlib/") && strstr(coding_versions(), " zstd/"));
}

TEST(test_coding_gzip_deflate_roundtrip)
{
    size_t n = 300000, len, i;
    uint8_t *data = sample(n), *gz = zlib_encode(data, n, 16 + 15, &len);
    enum coding_type g = CODING_GZIP, d = CODING_DEFLATE;
    uint8_t *z, *raw;
    size_t zlen, rawlen;

    check_decodes(&g, 1, gz, len, data, n, 0);
    check_decodes(&g, 1, gz, len, data, n, 7);
    z = zlib_encode(data, n, 15, &zlen);
    check_decodes(&d, 1, z, zlen, data, n, 0);
    raw = zlib_encode(data, n, -15, &rawlen); /* raw deflate sent as "deflate" (curl) */
    check_decodes(&d, 1, raw, rawlen, data, n, 0);
    free(gz);
    free(z);
    free(raw);
    /* every split of a small input */
    gz = zlib_encode((const uint8_t *)HELLO, strlen(HELLO), 16 + 15, &len);
    for (i = 1; i <= len; i++)
        check_decodes(&g, 1, gz, len, (const uint8_t *)HELLO, strlen(HELLO), i);
    free(gz);
    free(data);
}

TEST(test_coding_gzip_members_and_faults)
{
    enum coding_type g = CODING_GZIP, d = CODING_DEFLATE;
    size_t len, zlen;
    uint8_t *gz = zlib_encode((const uint8_t *)HELLO, strlen(HELLO), 16 + 15, &len);
    uint8_t *two = malloc(2 * len + 4), want[2 * sizeof(HELLO)];
    uint8_t *z = zlib_encode((const uint8_t *)HELLO, strlen(HELLO), 15, &zlen);

    /* RFC 1952 §2.2: members one after another decode as one body */
    memcpy(two, gz, len);
    memcpy(two + len, gz, len);
    memcpy(want, HELLO, strlen(HELLO));
    memcpy(want + strlen(HELLO), HELLO, strlen(HELLO));
    check_decodes(&g, 1, two, 2 * len, want, 2 * strlen(HELLO), 3);
    /* truncated: every proper prefix fails, at the latest in coding_finish */
    for (size_t i = 1; i < len; i++)
        CHECK_INT(decode_rv(&g, 1, gz, i), H2E_BAD_CODING);
    memcpy(two + len, "junk", 4);
    CHECK_INT(decode_rv(&g, 1, two, len + 4), H2E_BAD_CODING);
    {
        struct h2e_info info = H2E_INFO_INIT;
        struct coding c;
        struct span o;
        CHECK_INT(coding_init(&c, &mem_libc, &g, 1, &info), 0);
        coding_feed(&c, two, len + 4);
        CHECK_INT(coding_next(&c, &o, &info), 1);
        CHECK_INT(coding_next(&c, &o, &info), H2E_BAD_CODING);
        CHECK_STR(info.why, "data after the end of the gzip stream");
        coding_release(&c);
    }
    gz[len - 1] ^= 1; /* ISIZE wrong */
    CHECK_INT(decode_rv(&g, 1, gz, len), H2E_BAD_CODING);
    CHECK_INT(decode_rv(&g, 1, (const uint8_t *)"not gzip at all", 15), H2E_BAD_CODING);
    memcpy(two, z, zlen);
    memcpy(two + zlen, "x", 1);
    CHECK_INT(decode_rv(&d, 1, two, zlen + 1), H2E_BAD_CODING);
    CHECK_INT(decode_rv(&d, 1, z, zlen - 1), H2E_BAD_CODING);
    free(gz);
    free(z);
    free(two);
}

/* A gzip member with every optional header field: FEXTRA, FNAME, FCOMMENT and FHCRC
 * (RFC 1952 §2.3.1); `*hcrc_at`: where its header CRC-16 is. */
static uint8_t *gzip_full_header(const uint8_t *p, size_t n, size_t *out_len, size_t *hcrc_at)
{
    static uint8_t extra[] = {'h', 'g', 2, 0, 'o', 'k'};
    gz_header h;
    uint8_t *out;

    memset(&h, 0, sizeof(h));
    h.extra = extra;
    h.extra_len = sizeof(extra);
    h.name = (Bytef *)"body.txt";
    h.comment = (Bytef *)"made by test_coding";
    h.hcrc = 1;
    out = zlib_encode_with(p, n, 16 + 15, &h, out_len);
    *hcrc_at = 10 + 2 + sizeof(extra) + strlen("body.txt") + 1 + strlen("made by test_coding") + 1;
    CHECK_INT(out[3], 0x02 | 0x04 | 0x08 | 0x10); /* FHCRC FEXTRA FNAME FCOMMENT */
    return out;
}

static void check_fails(const enum coding_type *t, const uint8_t *in, size_t len, size_t step,
                        const char *why)
{
    struct result r = decode(t, 1, in, len, step);

    CHECK_INT(r.rv, H2E_BAD_CODING);
    CHECK_STR(r.why, why);
    free(r.out);
}

/* Once a member's header is read, its CRC-32 and ISIZE are checked by coding.c (zlib's
 * check is turned off for speed): a flipped bit in any of the 8 trailer bytes fails, fed
 * whole (zlib may still be checking) and in pieces (ours is), in the first member and in a
 * second one; the header's own CRC-16 stays zlib's to check, in every member. */
TEST(test_coding_gzip_trailer_and_header_checks)
{
    enum coding_type g = CODING_GZIP;
    size_t n = 300000, len, at, i, steps[] = {0, 1000, 1};
    uint8_t *data = sample(n), *gz = gzip_full_header(data, n, &len, &at);
    uint8_t *two = malloc(2 * len), *want = malloc(2 * n);

    for (i = 0; i < 3; i++)
        check_decodes(&g, 1, gz, len, data, n, steps[i]);
    memcpy(two, gz, len);
    memcpy(two + len, gz, len);
    memcpy(want, data, n);
    memcpy(want + n, data, n);
    check_decodes(&g, 1, two, 2 * len, want, 2 * n, 777);
    for (i = 0; i < 8; i++) {
        size_t s;
        for (s = 0; s < 2; s++) {
            gz[len - 8 + i] ^= 0x10;
            check_fails(&g, gz, len, steps[s], "corrupt gzip data");
            gz[len - 8 + i] ^= 0x10;
        }
        two[2 * len - 8 + i] ^= 0x01; /* the second member's trailer */
        check_fails(&g, two, 2 * len, 4096, "corrupt gzip data");
        two[2 * len - 8 + i] ^= 0x01;
    }
    gz[at] ^= 1;
    check_fails(&g, gz, len, 1000, "corrupt gzip data");
    gz[at] ^= 1;
    two[len + at + 1] ^= 1;
    check_fails(&g, two, 2 * len, 1000, "corrupt gzip data");
    free(data);
    free(gz);
    free(two);
    free(want);
}

TEST(test_coding_brotli)
{
    enum coding_type b = CODING_BR;
    size_t len, zlen, i;
    uint8_t *br = tap_unhex(BR_HELLO, &len), *zeros = tap_unhex(BR_ZEROS, &zlen);
    uint8_t *junk = malloc(len + 1), *nothing = calloc(200000, 1);
    struct result r;

    for (i = 0; i <= len; i++)
        check_decodes(&b, 1, br, len, (const uint8_t *)HELLO, strlen(HELLO), i);
    /* 14 bytes become 200000, in chunks of at most CODING_CHUNK */
    r = decode(&b, 1, zeros, zlen, 0);
    CHECK_INT(r.rv, 0);
    CHECK_MEM(r.out, r.len, nothing, 200000);
    CHECK_INT(r.max_chunk, CODING_CHUNK);
    free(r.out);
    memcpy(junk, br, len);
    junk[len] = 'x';
    CHECK_INT(decode_rv(&b, 1, junk, len + 1), H2E_BAD_CODING);
    for (i = 1; i < len; i++)
        CHECK_INT(decode_rv(&b, 1, br, i), H2E_BAD_CODING);
    CHECK_INT(decode_rv(&b, 1, (const uint8_t *)"\xff\xff\xff\xff", 4), H2E_BAD_CODING);
    free(br);
    free(zeros);
    free(junk);
    free(nothing);
}

TEST(test_coding_zstd)
{
    enum coding_type t = CODING_ZSTD;
    size_t n = 200000, len, i;
    uint8_t *data = sample(n), *zs = zstd_encode(data, n, &len), *two = malloc(2 * len);
    uint8_t *want = malloc(2 * n);
    /* RFC 8878 §3.1.1: single-segment frame whose content size (the window) is 1 TiB */
    static const uint8_t tera[] = {0x28, 0xb5, 0x2f, 0xfd, 0xe0, 0,   0,   0,   0,   0,  1,
                                   0,    0,    0x29, 0,    0,    'h', 'e', 'l', 'l', 'o'};
    struct h2e_info info = H2E_INFO_INIT;
    struct coding c;
    struct span o;

    check_decodes(&t, 1, zs, len, data, n, 0);
    check_decodes(&t, 1, zs, len, data, n, 1000);
    memcpy(two, zs, len);
    memcpy(two + len, zs, len);
    memcpy(want, data, n);
    memcpy(want + n, data, n);
    check_decodes(&t, 1, two, 2 * len, want, 2 * n, 333);
    for (i = 1; i < len; i += 97)
        CHECK_INT(decode_rv(&t, 1, zs, i), H2E_BAD_CODING);
    CHECK_INT(coding_init(&c, &mem_libc, &t, 1, &info), 0);
    coding_feed(&c, tera, sizeof(tera));
    CHECK_INT(coding_next(&c, &o, &info), H2E_BAD_CODING);
    CHECK_STR(info.why, "zstd window larger than 8 MiB (RFC 9659 section 3)");
    CHECK_INT(coding_next(&c, &o, &info), H2E_BAD_CODING); /* stays failed */
    CHECK_INT(coding_finish(&c, &info), H2E_BAD_CODING);
    coding_release(&c);
    memcpy(two + len, "garbage!", 8);
    CHECK_INT(decode_rv(&t, 1, two, len + 8), H2E_BAD_CODING);
    free(data);
    free(zs);
    free(two);
    free(want);
}

/* A body that decodes to whole chunks: the flush after the last full chunk must not make
 * the end of the stream look truncated. */
TEST(test_coding_whole_chunks)
{
    enum coding_type z = CODING_ZSTD, g = CODING_GZIP;
    size_t n = 2 * CODING_CHUNK, len;
    uint8_t *data = calloc(n, 1), *zs = zstd_encode(data, n, &len), *gz;

    check_decodes(&z, 1, zs, len, data, n, 0);
    check_decodes(&z, 1, zs, len, data, n, 3);
    gz = zlib_encode(data, n, 16 + 15, &len);
    check_decodes(&g, 1, gz, len, data, n, 0);
    check_decodes(&g, 1, gz, len, data, n, 1);
    free(data);
    free(zs);
    free(gz);
}

TEST(test_coding_stacked_and_empty)
{
    /* "content-encoding: gzip, zstd, br": undone as br, then zstd, then gzip */
    enum coding_type t[] = {CODING_GZIP, CODING_ZSTD};
    size_t n = 100000, glen, zlen;
    uint8_t *data = sample(n), *gz = zlib_encode(data, n, 16 + 15, &glen);
    uint8_t *zs = zstd_encode(gz, glen, &zlen);
    struct result r;

    check_decodes(t, 2, zs, zlen, data, n, 0);
    check_decodes(t, 2, zs, zlen, data, n, 5);
    CHECK_INT(decode_rv(t, 2, zs, zlen / 2), H2E_BAD_CODING);
    /* the wrong order fails */
    t[0] = CODING_ZSTD;
    t[1] = CODING_GZIP;
    CHECK_INT(decode_rv(t, 2, zs, zlen), H2E_BAD_CODING);
    /* an empty body is complete (a server may send none) */
    r = decode(t, 2, NULL, 0, 0);
    CHECK_INT(r.rv, 0);
    CHECK_INT(r.len, 0);
    free(data);
    free(gz);
    free(zs);
}

TEST(test_coding_nomem)
{
    enum coding_type t[] = {CODING_GZIP, CODING_BR, CODING_ZSTD};
    struct h2e_info info = H2E_INFO_INIT;
    struct coding c;
    long k;
    int rv = -1;

    for (k = 0; k < 64 && rv != 0; k++) {
        tap_mem_fail_after = k;
        rv = coding_init(&c, &tap_mem, t, 3, &info);
        if (rv) {
            CHECK_INT(rv, H2E_NOMEM);
            CHECK_INT(tap_mem_live(), 0);
        }
    }
    tap_mem_fail_after = -1;
    CHECK_INT(rv, 0);
    coding_release(&c);
    CHECK_INT(tap_mem_live(), 0);
    CHECK_INT(coding_init(&c, &mem_libc, t, LIMIT_CONTENT_CODINGS + 1, &info), H2E_BAD_CODING);
}
