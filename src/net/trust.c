/* SPDX-License-Identifier: MIT */
/*
 * Trust anchors on demand (trust.h): hash each issuer name as OpenSSL does, open
 * DIR/HASH.0, HASH.1, ... and add what parses. A name already looked up is not again.
 */
#include "trust.h"

#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec/x509name.h"
#include "sys/xalloc.h"

void trust_init(struct trust_store *t, const char *dir, const char *file)
{
    memset(t, 0, sizeof(*t));
    t->lazy = true;
    t->dir = xstrdup(dir && *dir ? dir : TRUST_DEFAULT_DIR);
    t->file = file && *file ? xstrdup(file) : NULL;
}

void trust_release(struct trust_store *t)
{
    free(t->dir);
    free(t->file);
    t->dir = t->file = NULL;
}

/* The directory hash of the issuer of DER certificate `der`; 0 or -1. */
static int issuer_hash(const gnutls_datum_t *der, uint32_t *hash)
{
    gnutls_x509_crt_t crt;
    gnutls_datum_t dn = {NULL, 0};
    uint8_t md[20];
    struct buf canon;
    int rv = -1;

    if (gnutls_x509_crt_init(&crt) < 0)
        return -1;
    buf_init(&canon, &xalloc_mem, 1u << 20);
    if (gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) == 0 &&
        gnutls_x509_crt_get_raw_issuer_dn(crt, &dn) == 0 &&
        x509name_canon(dn.data, dn.size, &canon) == 0 &&
        gnutls_hash_fast(GNUTLS_DIG_SHA1, canon.p ? (const void *)canon.p : "", canon.len, md) ==
            0) {
        *hash = x509name_hash(md);
        rv = 0;
    }
    buf_release(&canon);
    gnutls_free(dn.data);
    gnutls_x509_crt_deinit(crt);
    return rv;
}

static bool seen(struct trust_store *t, uint32_t hash)
{
    size_t i;

    for (i = 0; i < t->nseen; i++)
        if (t->seen[i] == hash)
            return true;
    if (t->nseen < TRUST_MAX_HASHES)
        t->seen[t->nseen++] = hash;
    return false;
}

/* Add DIR/HASH.0, .1, ... up to the first that is missing; how many were added. */
static unsigned add_hash(struct trust_store *t, gnutls_certificate_credentials_t cred,
                         uint32_t hash)
{
    char path[PATH_MAX];
    unsigned i, added = 0;

    for (i = 0; i < TRUST_MAX_PER_HASH; i++) {
        int n = snprintf(path, sizeof(path), "%s/%08x.%u", t->dir, (unsigned)hash, i);
        if (n < 0 || (size_t)n >= sizeof(path) || access(path, R_OK) != 0)
            break;
        if (gnutls_certificate_set_x509_trust_file(cred, path, GNUTLS_X509_FMT_PEM) > 0)
            added++;
    }
    return added;
}

unsigned trust_add_issuers(struct trust_store *t, gnutls_certificate_credentials_t cred,
                           const gnutls_datum_t *chain, unsigned n)
{
    unsigned i, added = 0;
    uint32_t hash;

    if (!t->lazy || t->full)
        return 0;
    for (i = 0; i < n; i++)
        if (issuer_hash(&chain[i], &hash) == 0 && !seen(t, hash))
            added += add_hash(t, cred, hash);
    t->anchors += added;
    return added;
}

int trust_load_full(struct trust_store *t, gnutls_certificate_credentials_t cred)
{
    int r;

    if (t->full)
        return 0;
    t->full = true;
    r = t->file ? gnutls_certificate_set_x509_trust_file(cred, t->file, GNUTLS_X509_FMT_PEM)
                : gnutls_certificate_set_x509_system_trust(cred);
    return r < 0 ? r : 0;
}
