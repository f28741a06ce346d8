/* SPDX-License-Identifier: MIT */
/*
 * HPACK micro-benchmark: h2get's codec against libnghttp2's (nghttp2_hd_*), over the
 * hpack-test-case corpus. Decode: every encoder folder's wire blocks, one decoder per story;
 * encode: the raw-data lists, one encoder per story (table 4096). Prints ns per header field
 * for each codec, their ratio, and the total bytes each encoder produced. libnghttp2 is
 * linked into this program only (bench/hpack.sh builds it), never into h2get.
 * Usage: bench_hpack HPACK-TEST-CASE-DIR [ROUNDS]
 */
#include <dirent.h>
#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec/hpack.h"
#include "../tests/unit/json.h"
#include "../tests/unit/tap.h"

struct block {
    uint8_t *wire;
    size_t len;
    long table_size; /* header_table_size before this block, or -1 */
    struct hpack_field *fields;
    nghttp2_nv *nv;
    size_t nfields;
};

struct story {
    struct block *blocks;
    size_t n;
};

struct corpus {
    struct story *stories;
    size_t n, blocks, fields;
};

static volatile size_t sink; /* keeps the decoded output alive */

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "bench_hpack: out of memory\n");
        exit(1);
    }
    return p;
}

static void load_block(struct block *b, const struct json *c)
{
    const struct json *w = json_get(c, "wire"), *h = json_get(c, "headers");
    const struct json *t = json_get(c, "header_table_size");
    size_t i;

    b->table_size = t && t->type == JSON_NUM ? (long)t->num : -1;
    if (w && w->type == JSON_STR)
        b->wire = tap_unhex(w->str, &b->len);
    b->nfields = h ? h->n : 0;
    b->fields = xcalloc(b->nfields, sizeof(*b->fields));
    b->nv = xcalloc(b->nfields, sizeof(*b->nv));
    for (i = 0; i < b->nfields; i++) {
        struct json *m = &h->items[i].items[0];
        b->fields[i].name = span_of(m->key, m->keylen);
        b->fields[i].value = span_of(m->str, m->len);
        b->nv[i].name = (uint8_t *)m->key;
        b->nv[i].namelen = m->keylen;
        b->nv[i].value = (uint8_t *)m->str;
        b->nv[i].valuelen = m->len;
    }
}

/* Add the stories of `dir` (kept parsed: the fields point into the JSON). */
static void load_folder(struct corpus *c, const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort), i;
    size_t k;

    for (i = 0; i < n; i++) {
        char path[8192];
        struct json *j;
        const struct json *cases;
        struct story *s;
        if (strncmp(names[i]->d_name, "story_", 6) != 0) {
            free(names[i]);
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
        free(names[i]);
        j = json_parse_file(path);
        cases = json_get(j, "cases");
        if (!cases)
            continue;
        c->stories = realloc(c->stories, (c->n + 1) * sizeof(*c->stories));
        if (!c->stories)
            exit(1);
        s = &c->stories[c->n++];
        s->n = cases->n;
        s->blocks = xcalloc(cases->n, sizeof(*s->blocks));
        for (k = 0; k < cases->n; k++) {
            load_block(&s->blocks[k], &cases->items[k]);
            c->fields += s->blocks[k].nfields;
        }
        c->blocks += cases->n;
    }
    if (n >= 0)
        free(names);
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static size_t h2get_decode(const struct corpus *c)
{
    struct hpack_list l;
    size_t i, k, bytes = 0;

    hpack_list_init(&l, &mem_libc);
    for (i = 0; i < c->n; i++) {
        struct hpack_decoder d;
        hpack_decoder_init(&d, &mem_libc, 4096);
        for (k = 0; k < c->stories[i].n; k++) {
            const struct block *b = &c->stories[i].blocks[k];
            if (b->table_size >= 0)
                hpack_decoder_set_limit(&d, (uint32_t)b->table_size);
            if (hpack_decode_block(&d, b->wire, b->len, &l, NULL) != 0) {
                fprintf(stderr, "bench_hpack: h2get failed to decode\n");
                exit(1);
            }
            bytes += l.count ? l.fields[l.count - 1].value.len : 0;
        }
        hpack_decoder_release(&d);
    }
    hpack_list_release(&l);
    return bytes;
}

static size_t nghttp2_decode(const struct corpus *c)
{
    size_t i, k, bytes = 0;

    for (i = 0; i < c->n; i++) {
        nghttp2_hd_inflater *inf;
        if (nghttp2_hd_inflate_new(&inf) != 0)
            exit(1);
        for (k = 0; k < c->stories[i].n; k++) {
            const struct block *b = &c->stories[i].blocks[k];
            const uint8_t *p = b->wire;
            size_t left = b->len;
            if (b->table_size >= 0)
                nghttp2_hd_inflate_change_table_size(inf, (size_t)b->table_size);
            for (;;) {
                nghttp2_nv nv;
                int flags = 0;
                ssize_t rv = nghttp2_hd_inflate_hd2(inf, &nv, &flags, p, left, 1);
                if (rv < 0) {
                    fprintf(stderr, "bench_hpack: nghttp2 failed to decode\n");
                    exit(1);
                }
                p += rv;
                left -= (size_t)rv;
                if (flags & NGHTTP2_HD_INFLATE_EMIT)
                    bytes += nv.valuelen;
                if (flags & NGHTTP2_HD_INFLATE_FINAL)
                    break;
            }
            nghttp2_hd_inflate_end_headers(inf);
        }
        nghttp2_hd_inflate_del(inf);
    }
    return bytes;
}

static size_t h2get_encode(const struct corpus *c)
{
    struct buf out;
    size_t i, k, bytes = 0;

    buf_init(&out, &mem_libc, 1 << 24);
    for (i = 0; i < c->n; i++) {
        struct hpack_encoder e;
        hpack_encoder_init(&e, &mem_libc, 4096);
        for (k = 0; k < c->stories[i].n; k++) {
            const struct block *b = &c->stories[i].blocks[k];
            buf_reset(&out);
            if (hpack_encode_block(&e, b->fields, b->nfields, &out, NULL) != 0)
                exit(1);
            bytes += out.len;
        }
        hpack_encoder_release(&e);
    }
    buf_release(&out);
    return bytes;
}

static size_t nghttp2_encode(const struct corpus *c)
{
    static uint8_t out[1 << 20];
    size_t i, k, bytes = 0;

    for (i = 0; i < c->n; i++) {
        nghttp2_hd_deflater *def;
        if (nghttp2_hd_deflate_new(&def, 4096) != 0)
            exit(1);
        for (k = 0; k < c->stories[i].n; k++) {
            const struct block *b = &c->stories[i].blocks[k];
            ssize_t n = nghttp2_hd_deflate_hd(def, out, sizeof(out), b->nv, b->nfields);
            if (n < 0)
                exit(1);
            bytes += (size_t)n;
        }
        nghttp2_hd_deflate_del(def);
    }
    return bytes;
}

typedef size_t (*codec_fn)(const struct corpus *);

static double run_once(codec_fn fn, const struct corpus *c, size_t *result)
{
    double t0 = now_ns();
    *result = fn(c);
    sink += *result;
    return now_ns() - t0;
}

/* Best of `rounds` timings of each codec in ns per field, the two taking turns so that load
 * from elsewhere on the machine hits both alike; `out` gets each codec's result. */
static void race(codec_fn ours, codec_fn theirs, const struct corpus *c, int rounds, double best[2],
                 size_t out[2])
{
    int r;

    for (r = 0; r < rounds; r++) {
        double a = run_once(ours, c, &out[0]), b = run_once(theirs, c, &out[1]);
        best[0] = r == 0 || a < best[0] ? a : best[0];
        best[1] = r == 0 || b < best[1] ? b : best[1];
    }
    best[0] /= (double)c->fields;
    best[1] /= (double)c->fields;
}

static void report(const char *what, double ours, double theirs)
{
    printf("%-7s h2get %7.1f ns/field   nghttp2 %7.1f ns/field   h2get/nghttp2 %.2f\n", what, ours,
           theirs, ours / theirs);
}

int main(int argc, char **argv)
{
    struct corpus dec = {0}, enc = {0};
    struct dirent **names;
    int rounds = argc > 2 ? atoi(argv[2]) : 10, n, i;
    size_t out[2];
    double best[2];

    if (argc < 2) {
        fprintf(stderr, "usage: bench_hpack HPACK-TEST-CASE-DIR [ROUNDS]\n");
        return 2;
    }
    n = scandir(argv[1], &names, NULL, alphasort);
    for (i = 0; i < n; i++) {
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s/%s", argv[1], names[i]->d_name);
        if (names[i]->d_name[0] != '.' && names[i]->d_type == DT_DIR)
            load_folder(strcmp(names[i]->d_name, "raw-data") ? &dec : &enc, dir);
        free(names[i]);
    }
    if (n >= 0)
        free(names);
    if (dec.fields == 0 || enc.fields == 0) {
        fprintf(stderr, "bench_hpack: no stories under '%s'\n", argv[1]);
        return 1;
    }
    printf("hpack: decode %zu blocks / %zu fields, encode %zu blocks / %zu fields, best of %d\n",
           dec.blocks, dec.fields, enc.blocks, enc.fields, rounds);
    race(h2get_decode, nghttp2_decode, &dec, rounds, best, out);
    report("decode", best[0], best[1]);
    race(h2get_encode, nghttp2_encode, &enc, rounds, best, out);
    report("encode", best[0], best[1]);
    printf("encoded bytes: h2get %zu   nghttp2 %zu   h2get/nghttp2 %.4f\n", out[0], out[1],
           (double)out[0] / (double)out[1]);
    return 0;
}
