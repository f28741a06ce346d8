/* SPDX-License-Identifier: MIT */
/*
 * The system trust store, opened anchor by anchor. Parsing the whole store costs more than
 * the rest of a one-URL fetch, and a chain needs one or two of its ~150 anchors: for each
 * certificate the server sent, the anchors whose subject is that certificate's issuer are
 * read from the hashed directory (OpenSSL's HASH.N names, codec/x509name.h), and only
 * when verification still fails is the whole store loaded and the chain verified again,
 * so the result is the one the whole store gives in every case.
 */
#ifndef H2GET_NET_TRUST_H
#define H2GET_NET_TRUST_H

#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Debian's hashed directory, used unless SSL_CERT_DIR names another. */
#define TRUST_DEFAULT_DIR "/etc/ssl/certs"
/* Issuer hashes remembered per run (a chain names a few; many origins a few more). */
#define TRUST_MAX_HASHES 64u
/* Anchors tried per hash: HASH.0 .. HASH.7 (collisions and renewed roots). */
#define TRUST_MAX_PER_HASH 8u

struct trust_store {
    bool lazy;  /* anchors by hash; false: the caller loaded its trust itself */
    bool full;  /* the whole store is loaded */
    char *dir;  /* hashed directory (owned) */
    char *file; /* bundle of the full store (owned), NULL: GnuTLS's system trust */
    uint32_t seen[TRUST_MAX_HASHES];
    size_t nseen;
    unsigned anchors; /* read from `dir` so far */
};

/*
 * trust_init - lazy trust from `dir` (NULL: TRUST_DEFAULT_DIR) with `file` (NULL: GnuTLS's
 * system trust) as the full store. Nothing is read yet.
 */
void trust_init(struct trust_store *t, const char *dir, const char *file);

/*
 * trust_add_issuers - add to `cred` the anchors of `dir` that may have issued a
 * certificate of `chain` (`n` DER certificates, as the server sent them). Returns how many
 * anchors were added by this call.
 */
unsigned trust_add_issuers(struct trust_store *t, gnutls_certificate_credentials_t cred,
                           const gnutls_datum_t *chain, unsigned n);

/* trust_load_full - add the whole store to `cred` once; GnuTLS's result (< 0 on error). */
int trust_load_full(struct trust_store *t, gnutls_certificate_credentials_t cred);

/* trust_release - free what trust_init took. */
void trust_release(struct trust_store *t);

#endif
