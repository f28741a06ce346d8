/* SPDX-License-Identifier: MIT */
/*
 * Content decoding as a chain of layers, one per coding, the last applied first. Each
 * layer owns a CODING_CHUNK output buffer that the next layer reads from; coding_next pulls
 * from the end of the chain, and a layer asks the one before it for more only when its own
 * input is used up, so no layer's buffer is overwritten while still being read. The three
 * libraries only compute: they allocate through our `struct mem` and touch nothing else.
 */
#include "coding.h"

#include <limits.h>
#include <string.h>

#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_createDCtx_advanced: our allocator */
#include <brotli/decode.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "crc32.h"

/* RFC 9659 §3: zstd content codings use windows of at most 8 MiB (2^23). */
#define ZSTD_WINDOW_LOG_MAX 23

struct coding_layer {
    enum coding_type type;
    const struct mem *mem;
    union {
        z_stream z;
        BrotliDecoderState *br;
        ZSTD_DCtx *zs;
    } u;
    bool got;     /* some input arrived */
    bool ended;   /* its stream (the last gzip member, zstd frame) ended where it stopped */
    bool pending; /* the last step filled the buffer: more may come without input */
    bool raw;     /* deflate: retried as raw deflate (RFC 1951 without the zlib wrapper) */
    bool failed;
    struct span in; /* input not taken yet */
    /* gzip: zlib checks each member's header (with its CRC-16, FHCRC), then we check the
     * CRC-32 and ISIZE of its data (gz_track, gz_trailer_ok): */
    gz_header head;  /* zlib's view of the member's header: `done` once it is read */
    bool own_check;  /* zlib's check of the data is off (inflateValidate), ours is on */
    uint32_t crc;    /* the member's data so far */
    uint32_t isize;  /* ... and its length, mod 2^32 */
    uint8_t tail[8]; /* the last 8 bytes zlib took: the trailer once the member ends */
    uint8_t buf[CODING_CHUNK];
};

static const char *const names[] = {
    [CODING_GZIP] = "gzip",
    [CODING_DEFLATE] = "deflate",
    [CODING_BR] = "br",
    [CODING_ZSTD] = "zstd",
};

const char *coding_name(enum coding_type t)
{
    return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

/* --- content-encoding -------------------------------------------------------------- */

static bool token_is(struct span t, const char *name)
{
    size_t i, n = strlen(name);

    if (t.len != n)
        return false;
    for (i = 0; i < n; i++) {
        uint8_t ch = t.p[i];
        if ((ch >= 'A' && ch <= 'Z' ? ch + 32 : ch) != (uint8_t)name[i])
            return false;
    }
    return true;
}

/* One list element (OWS trimmed) into `types`; "identity" adds nothing. */
static int add_token(struct span t, enum coding_type *types, size_t *n, struct h2e_info *info)
{
    enum coding_type ty;

    if (t.len == 0 || token_is(t, "identity"))
        return 0; /* RFC 9110 §5.6.1: empty list elements are ignored */
    if (token_is(t, "gzip") || token_is(t, "x-gzip"))
        ty = CODING_GZIP;
    else if (token_is(t, "deflate"))
        ty = CODING_DEFLATE;
    else if (token_is(t, "br"))
        ty = CODING_BR;
    else if (token_is(t, "zstd"))
        ty = CODING_ZSTD;
    else
        return h2e_set(info, H2E_BAD_CODING, 0, "unrecognized content coding");
    if (*n >= LIMIT_CONTENT_CODINGS)
        return h2e_set(info, H2E_BAD_CODING, 0, "more than 5 content codings");
    types[(*n)++] = ty;
    return 0;
}

int coding_parse(struct span v, enum coding_type *types, size_t *n, struct h2e_info *info)
{
    size_t i = 0;

    while (i <= v.len) {
        size_t start = i, end;
        int rv;
        while (i < v.len && v.p[i] != ',')
            i++;
        end = i++;
        while (start < end && (v.p[start] == ' ' || v.p[start] == '\t'))
            start++;
        while (end > start && (v.p[end - 1] == ' ' || v.p[end - 1] == '\t'))
            end--;
        rv = add_token((struct span){v.p + start, end - start}, types, n, info);
        if (rv)
            return rv;
    }
    return 0;
}

/* --- allocation through struct mem ------------------------------------------------ */

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    if (size && items > SIZE_MAX / size)
        return NULL;
    return mem_alloc(opaque, (size_t)items * size);
}

static void z_free(voidpf opaque, voidpf p)
{
    mem_free(opaque, p);
}

static void *lib_alloc(void *opaque, size_t n)
{
    return mem_alloc(opaque, n);
}

static void lib_free(void *opaque, void *p)
{
    mem_free(opaque, p);
}

/* A gzip member begins (after inflateInit2 or inflateReset): zlib checks its header and
 * reports it read in `head.done`; its data's check stays zlib's until then. */
static int gz_member(struct coding_layer *l)
{
    memset(&l->head, 0, sizeof(l->head)); /* no extra, name or comment kept */
    l->own_check = false;
    l->crc = 0;
    l->isize = 0;
    if (inflateValidate(&l->u.z, 1) != Z_OK || inflateGetHeader(&l->u.z, &l->head) != Z_OK)
        return H2E_BAD_CODING;
    return 0;
}

static int layer_start(struct coding_layer *l)
{
    void *m = (void *)l->mem;

    switch (l->type) {
    case CODING_GZIP:
    case CODING_DEFLATE:
        l->u.z.zalloc = z_alloc;
        l->u.z.zfree = z_free;
        l->u.z.opaque = m;
        /* 16 + MAX_WBITS: the gzip wrapper (RFC 1952); MAX_WBITS: zlib (RFC 1950) */
        if (inflateInit2(&l->u.z, l->type == CODING_GZIP ? 16 + MAX_WBITS : MAX_WBITS) != Z_OK)
            return H2E_NOMEM;
        return l->type == CODING_GZIP ? gz_member(l) : 0;
    case CODING_BR:
        l->u.br = BrotliDecoderCreateInstance(lib_alloc, lib_free, m);
        return l->u.br ? 0 : H2E_NOMEM;
    case CODING_ZSTD: {
        ZSTD_customMem cm = {lib_alloc, lib_free, m};
        l->u.zs = ZSTD_createDCtx_advanced(cm);
        if (!l->u.zs)
            return H2E_NOMEM;
        return ZSTD_isError(
                   ZSTD_DCtx_setParameter(l->u.zs, ZSTD_d_windowLogMax, ZSTD_WINDOW_LOG_MAX))
                   ? H2E_NOMEM
                   : 0;
    }
    }
    return H2E_BAD_CODING;
}

static void layer_free(struct coding_layer *l)
{
    if (!l)
        return;
    if (l->type == CODING_GZIP || l->type == CODING_DEFLATE) {
        if (l->u.z.zfree)
            inflateEnd(&l->u.z);
    } else if (l->type == CODING_BR && l->u.br) {
        BrotliDecoderDestroyInstance(l->u.br);
    } else if (l->type == CODING_ZSTD && l->u.zs) {
        ZSTD_freeDCtx(l->u.zs);
    }
    mem_free(l->mem, l);
}

int coding_init(struct coding *c, const struct mem *mem, const enum coding_type *applied, size_t n,
                struct h2e_info *info)
{
    size_t i;

    memset(c, 0, sizeof(*c));
    c->mem = mem;
    if (n > LIMIT_CONTENT_CODINGS)
        return h2e_set(info, H2E_BAD_CODING, 0, "more than 5 content codings");
    for (i = 0; i < n; i++) {
        struct coding_layer *l = mem_alloc(mem, sizeof(*l));
        if (!l) {
            coding_release(c);
            return h2e_set(info, H2E_NOMEM, 0, "no memory for a content decoder");
        }
        memset(l, 0, offsetof(struct coding_layer, buf));
        l->mem = mem;
        l->type = applied[n - 1 - i]; /* the last applied is undone first */
        c->layer[c->n++] = l;
        if (layer_start(l) != 0) {
            coding_release(c);
            return h2e_set(info, H2E_NOMEM, 0, "no memory for a content decoder");
        }
    }
    return 0;
}

void coding_release(struct coding *c)
{
    size_t i;

    for (i = 0; i < c->n; i++)
        layer_free(c->layer[i]);
    c->n = 0;
}

/* --- one step of one layer ----------------------------------------------------------- */

static int bad(struct coding_layer *l, struct h2e_info *info, const char *why)
{
    l->failed = true;
    return h2e_set(info, H2E_BAD_CODING, 0, why);
}

/* curl's rule: a "deflate" body that is not zlib-wrapped is tried as raw deflate, once,
 * when the very first bytes fail (servers that send RFC 1951 data as "deflate" exist). */
static bool retry_raw(struct coding_layer *l, struct span start)
{
    z_stream *z = &l->u.z;

    if (l->type != CODING_DEFLATE || l->raw || z->total_out || z->total_in > start.len)
        return false;
    if (inflateReset2(z, -MAX_WBITS) != Z_OK)
        return false;
    l->raw = true;
    l->in = start;
    return true;
}

static const char *z_why(const struct coding_layer *l)
{
    return l->type == CODING_GZIP ? "corrupt gzip data" : "corrupt deflate data";
}

/* zlib took `in[0..n)` and made `buf[0..made)` of a gzip member: its CRC-32 goes on
 * (crc32_update folds it several times faster than zlib's loop), and the last 8 bytes
 * taken are kept, so that they hold the trailer when the member ends. Once the header is
 * read, zlib's own check of the data is turned off: ours replaces it. */
static void gz_track(struct coding_layer *l, const uint8_t *in, size_t n, size_t made)
{
    l->crc = crc32_update(l->crc, l->buf, made);
    l->isize += (uint32_t)made;
    if (n >= sizeof(l->tail)) {
        memcpy(l->tail, in + n - sizeof(l->tail), sizeof(l->tail));
    } else if (n) {
        memmove(l->tail, l->tail + n, sizeof(l->tail) - n);
        memcpy(l->tail + sizeof(l->tail) - n, in, n);
    }
    if (!l->own_check && l->head.done == 1 && inflateValidate(&l->u.z, 0) == Z_OK)
        l->own_check = true;
}

/* The member ended (Z_STREAM_END): zlib read its trailer from a byte boundary and took
 * nothing after it, so the trailer is the last 8 bytes taken: CRC32, then ISIZE, both
 * little-endian (RFC 1952 §2.3.1). */
static bool gz_trailer_ok(const struct coding_layer *l)
{
    const uint8_t *t = l->tail;
    uint32_t crc = t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
    uint32_t isize = t[4] | (uint32_t)t[5] << 8 | (uint32_t)t[6] << 16 | (uint32_t)t[7] << 24;

    return !l->own_check || (crc == l->crc && isize == l->isize);
}

static int step_zlib(struct coding_layer *l, size_t *made, struct h2e_info *info)
{
    z_stream *z = &l->u.z;
    struct span start = l->in;
    uInt avail = l->in.len > UINT_MAX ? UINT_MAX : (uInt)l->in.len;
    int r;

    if (l->ended && !l->in.len)
        return 0;
    if (l->ended) {
        /* RFC 1952 §2.2: a gzip file is a series of members; deflate has one stream */
        if (l->type != CODING_GZIP)
            return bad(l, info, "data after the end of the deflate stream");
        /* another member starts with the magic 1f 8b (RFC 1952 §2.3.1); anything else is
         * trailing garbage, not a corrupt member */
        if (l->in.p[0] != 0x1f || (l->in.len > 1 && l->in.p[1] != 0x8b))
            return bad(l, info, "data after the end of the gzip stream");
        if (inflateReset(z) != Z_OK || gz_member(l) != 0)
            return bad(l, info, z_why(l));
        l->ended = false;
    }
    z->next_in = (Bytef *)(uintptr_t)l->in.p;
    z->avail_in = avail;
    z->next_out = l->buf;
    z->avail_out = CODING_CHUNK;
    r = inflate(z, Z_NO_FLUSH);
    l->in.p += avail - z->avail_in;
    l->in.len -= avail - z->avail_in;
    *made = CODING_CHUNK - z->avail_out;
    if (r == Z_DATA_ERROR && retry_raw(l, start))
        return 0;
    if (l->type == CODING_GZIP && (r == Z_OK || r == Z_STREAM_END)) {
        gz_track(l, start.p, avail - z->avail_in, *made);
        if (r == Z_STREAM_END && !gz_trailer_ok(l))
            return bad(l, info, z_why(l));
    }
    if (r == Z_STREAM_END)
        l->ended = true;
    else if (r != Z_OK && r != Z_BUF_ERROR)
        return bad(l, info, r == Z_MEM_ERROR ? "no memory for a content decoder" : z_why(l));
    l->pending = r == Z_OK && z->avail_out == 0;
    return 0;
}

static int step_br(struct coding_layer *l, size_t *made, struct h2e_info *info)
{
    size_t avail_in = l->in.len, avail_out = CODING_CHUNK;
    const uint8_t *next_in = l->in.p;
    uint8_t *next_out = l->buf;
    BrotliDecoderResult r;

    if (l->ended)
        return bad(l, info, "data after the end of the brotli stream");
    r = BrotliDecoderDecompressStream(l->u.br, &avail_in, &next_in, &avail_out, &next_out, NULL);
    l->in.p = next_in;
    l->in.len = avail_in;
    *made = CODING_CHUNK - avail_out;
    l->pending = r == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
    if (r == BROTLI_DECODER_RESULT_ERROR)
        return bad(l, info, "corrupt brotli data");
    if (r == BROTLI_DECODER_RESULT_SUCCESS) {
        l->ended = true;
        if (avail_in) /* RFC 7932 §9.1: the stream ends with its last meta-block */
            return bad(l, info, "data after the end of the brotli stream");
    }
    return 0;
}

static int step_zstd(struct coding_layer *l, size_t *made, struct h2e_info *info)
{
    ZSTD_inBuffer ib = {l->in.p, l->in.len, 0};
    ZSTD_outBuffer ob = {l->buf, CODING_CHUNK, 0};
    size_t r = ZSTD_decompressStream(l->u.zs, &ob, &ib);

    l->in.p += ib.pos;
    l->in.len -= ib.pos;
    *made = ob.pos;
    if (ZSTD_isError(r)) {
        if (ZSTD_getErrorCode(r) == ZSTD_error_frameParameter_windowTooLarge)
            return bad(l, info, "zstd window larger than 8 MiB (RFC 9659 section 3)");
        return bad(l, info,
                   ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation
                       ? "no memory for a content decoder"
                       : "corrupt zstd data");
    }
    /* 0: a frame ended here; RFC 8878 §3.1: frames may follow one another. A call that
     * moved nothing (flushing after a full buffer) says nothing about where we are. */
    if (ib.pos || ob.pos)
        l->ended = r == 0;
    l->pending = ob.pos == ob.size;
    return 0;
}

static int step(struct coding_layer *l, size_t *made, struct h2e_info *info)
{
    size_t before = l->in.len;
    bool raw = l->raw;
    int rv;

    *made = 0;
    if (l->in.len)
        l->got = true;
    if (l->type == CODING_BR)
        rv = step_br(l, made, info);
    else if (l->type == CODING_ZSTD)
        rv = step_zstd(l, made, info);
    else
        rv = step_zlib(l, made, info);
    if (rv == 0 && *made == 0 && l->in.len && l->in.len == before && raw == l->raw)
        return bad(l, info, "the content decoder made no progress");
    if (*made == 0 && l->in.len == before)
        l->pending = false;
    return rv;
}

/* --- the chain ----------------------------------------------------------------------- */

void coding_feed(struct coding *c, const uint8_t *p, size_t n)
{
    if (c->n)
        c->layer[0]->in = (struct span){p, n};
}

/* Run layer `k` until it makes output, asking layer k-1 for input when its own runs out. */
static int pull(struct coding *c, size_t k, struct span *out, struct h2e_info *info)
{
    struct coding_layer *l = c->layer[k];
    struct span mid;
    int rv;

    if (l->failed)
        return h2e_set(info, H2E_BAD_CODING, 0, "the content decoder failed before");
    for (;;) {
        while (l->in.len || l->pending) {
            size_t made;
            rv = step(l, &made, info);
            if (rv)
                return rv;
            if (made) {
                *out = (struct span){l->buf, made};
                return 1;
            }
        }
        if (k == 0)
            return 0;
        rv = pull(c, k - 1, &mid, info);
        if (rv <= 0)
            return rv;
        l->in = mid;
    }
}

int coding_next(struct coding *c, struct span *out, struct h2e_info *info)
{
    out->p = NULL;
    out->len = 0;
    if (!c->n)
        return 0;
    return pull(c, c->n - 1, out, info);
}

int coding_finish(struct coding *c, struct h2e_info *info)
{
    size_t i;

    for (i = 0; i < c->n; i++) {
        const struct coding_layer *l = c->layer[i];
        if (l->failed)
            return h2e_set(info, H2E_BAD_CODING, 0, "the content decoder failed before");
        if (l->got && !l->ended) {
            static const char *const why[] = {
                [CODING_GZIP] = "truncated gzip data",
                [CODING_DEFLATE] = "truncated deflate data",
                [CODING_BR] = "truncated brotli data",
                [CODING_ZSTD] = "truncated zstd data",
            };
            return h2e_set(info, H2E_BAD_CODING, 0, why[l->type]);
        }
    }
    return 0;
}

/* --- versions ------------------------------------------------------------------------ */

static size_t put(char *d, size_t at, size_t cap, const char *s)
{
    size_t n = strlen(s);

    if (at + n >= cap)
        n = at < cap ? cap - at - 1 : 0;
    memcpy(d + at, s, n);
    d[at + n] = '\0';
    return at + n;
}

static size_t put_num(char *d, size_t at, size_t cap, unsigned v)
{
    char tmp[12];
    size_t i = sizeof(tmp) - 1;

    tmp[i] = '\0';
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v && i);
    return put(d, at, cap, tmp + i);
}

const char *coding_versions(void)
{
    static char s[96];
    uint32_t b = BrotliDecoderVersion(); /* 0xMMMmmmPPP, as BROTLI_VERSION */
    size_t at = 0;

    at = put(s, at, sizeof(s), "zlib/");
    at = put(s, at, sizeof(s), zlibVersion());
    at = put(s, at, sizeof(s), " brotli/");
    at = put_num(s, at, sizeof(s), b >> 24);
    at = put(s, at, sizeof(s), ".");
    at = put_num(s, at, sizeof(s), (b >> 12) & 0xfff);
    at = put(s, at, sizeof(s), ".");
    at = put_num(s, at, sizeof(s), b & 0xfff);
    at = put(s, at, sizeof(s), " zstd/");
    put(s, at, sizeof(s), ZSTD_versionString());
    return s;
}
