/* SPDX-License-Identifier: MIT */
/*
 * Content codings (RFC 9110 §8.4.1), sans-I/O: the content-encoding list parsed into the
 * codings applied, and a streaming decoder that undoes them in reverse order (gzip and
 * deflate through zlib, br through libbrotli (RFC 7932), zstd through libzstd (RFC 8878,
 * RFC 9659)). Bytes go in as they arrive and decoded bytes come out in bounded chunks, so
 * memory stays flat whatever the expansion: a caller that stops pulling stops decoding.
 * Allocates only through the `struct mem` it is given. Never reads the clock, files or
 * sockets; limits on the decoded size are the caller's (it sees every chunk).
 */
#ifndef H2GET_CODING_H
#define H2GET_CODING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/mem.h"

/* What --compressed asks for: every coding the decoder knows. */
#define CODING_ACCEPT "gzip, deflate, br, zstd"
/* Decoded bytes per chunk that coding_next returns (each layer has a buffer this big). */
#define CODING_CHUNK (64u * 1024u)

enum coding_type {
    CODING_GZIP,    /* RFC 9110 §8.4.1.3; "x-gzip" too */
    CODING_DEFLATE, /* RFC 9110 §8.4.1.2: zlib format; raw deflate accepted as curl does */
    CODING_BR,      /* RFC 7932 */
    CODING_ZSTD,    /* RFC 8878; window at most 8 MiB (RFC 9659 §3) */
};

struct coding_layer;

/* A decoder for one response body. Fields are private to coding.c. */
struct coding {
    const struct mem *mem;
    struct coding_layer *layer[LIMIT_CONTENT_CODINGS]; /* in decoding order */
    size_t n;
    struct span in; /* the caller's bytes not yet taken by the first layer */
};

/*
 * coding_parse - append to `types` (room for LIMIT_CONTENT_CODINGS, `*n` used so far) the
 * codings named in one content-encoding field value `v` (borrowed for the call), in the
 * order they were applied; names are case-insensitive, "identity" and empty list elements
 * are skipped. Returns 0; H2E_BAD_CODING with `why` for a coding it cannot decode (the
 * caller may then pass the body through instead) or for more than LIMIT_CONTENT_CODINGS.
 */
int coding_parse(struct span v, enum coding_type *types, size_t *n, struct h2e_info *info);

/*
 * coding_init - a decoder for a body with the `n` codings `applied` (in the order applied,
 * as coding_parse gives them; n <= LIMIT_CONTENT_CODINGS). Returns 0, or H2E_NOMEM (then
 * nothing is left to release) or H2E_BAD_CODING when n is too large.
 */
int coding_init(struct coding *c, const struct mem *mem, const enum coding_type *applied, size_t n,
                struct h2e_info *info);

/* coding_release - free the decoder; safe on a zeroed struct and after a failed init. */
void coding_release(struct coding *c);

/*
 * coding_feed - more body bytes; `p` is borrowed until coding_next has returned 0 (all of
 * it taken). Call only after coding_next returned 0.
 */
void coding_feed(struct coding *c, const uint8_t *p, size_t n);

/*
 * coding_next - the next decoded bytes: 1 with `*out` (at most CODING_CHUNK bytes, valid
 * until the next call) non-empty; 0 when everything fed so far is decoded and nothing is
 * pending; or H2E_BAD_CODING with `why` (corrupt data, data after the end of a coding's
 * stream, a zstd window over 8 MiB) or H2E_NOMEM. After an error the decoder only
 * releases.
 */
int coding_next(struct coding *c, struct span *out, struct h2e_info *info);

/*
 * coding_finish - the body ended (after coding_next returned 0): 0 when every layer's
 * stream ended where it should, H2E_BAD_CODING ("truncated") otherwise. An empty body is
 * complete: a server may send no bytes at all (a 204, a HEAD) whatever it announces.
 */
int coding_finish(struct coding *c, struct h2e_info *info);

/* coding_name - "gzip", "deflate", "br" or "zstd". */
const char *coding_name(enum coding_type t);

/* coding_versions - "zlib/1.2.13 brotli/1.0.9 zstd/1.5.4" (the libraries linked), static. */
const char *coding_versions(void);

#endif
