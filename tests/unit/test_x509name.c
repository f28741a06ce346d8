/* SPDX-License-Identifier: MIT */
/*
 * X.509 Name canonical form (src/codec/x509name.c) against OpenSSL: each vector is the
 * subject of a certificate made with `openssl req -subj ...` and the hash that
 * `openssl x509 -hash` printed for it (OpenSSL 3.0, Debian 12): UTF8String with runs of
 * spaces and a tab, PrintableString in mixed case, a multi-valued RDN (CN+OU), non-ASCII
 * UTF-8, and a T61String holding Latin-1. Then what OpenSSL's form implies: member order
 * inside an RDN does not matter, a BMPString equals the UTF8String of the same text, and
 * malformed DER is refused.
 */
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <string.h>

#include "codec/x509name.h"
#include "sys/xalloc.h"
#include "tap.h"

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = 0;
    unsigned v;

    while (h[0] && h[1] && n < cap && sscanf(h, "%2x", &v) == 1) {
        out[n++] = (uint8_t)v;
        h += 2;
    }
    return n;
}

/* The directory hash of the Name in hex `dn`, as "%08x"; "error" when refused. */
static const char *hash_of(const char *dn)
{
    static char s[16];
    uint8_t der[512], md[20];
    size_t n = unhex(dn, der, sizeof(der));
    struct buf b;

    buf_init(&b, &xalloc_mem, 1u << 16);
    if (x509name_canon(der, n, &b) != 0 ||
        gnutls_hash_fast(GNUTLS_DIG_SHA1, b.p ? (const void *)b.p : "", b.len, md) != 0)
        snprintf(s, sizeof(s), "error");
    else
        snprintf(s, sizeof(s), "%08x", (unsigned)x509name_hash(md));
    buf_release(&b);
    return s;
}

TEST(test_x509name_matches_openssl_hashes)
{
    /* /CN=  Hello   World  /O=ACME<TAB>Corp */
    CHECK_STR(hash_of("3030311a301806035504030c11202048656c6c6f202020576f726c64202031123010"
                      "060355040a0c0941434d4509436f7270"),
              "84ca5909");
    /* /CN=Mixed CASE  name/O=Org, PrintableString */
    CHECK_STR(hash_of("302931193017060355040313104d69786564204341534520206e616d65310c300a0603"
                      "55040a13034f7267"),
              "3a2173a4");
    /* /CN=Zed+OU=alpha/O=x */
    CHECK_STR(hash_of("3028311a300a06035504030c035a6564300c060355040b0c05616c706861310a3008"
                      "060355040a0c0178"),
              "dbbf672e");
    /* /CN=Grüße  STRASSE/O=Ünïcode: only ASCII letters are lowered */
    CHECK_STR(hash_of("302f3119301706035504030c104772c3bcc39f6520205354524153534531123010060355"
                      "040a0c09c39c6ec3af636f6465"),
              "97a8e148");
    /* /CN=\xc7a va as T61String (Latin-1), /O=T61 */
    CHECK_STR(hash_of("301e310e300c06035504031405c761207661310c300a060355040a1303543631"),
              "ab1d5a32");
}

TEST(test_x509name_rdn_members_sorted)
{
    /* OU before CN in the one RDN: the same canonical SET as CN+OU */
    CHECK_STR(hash_of("3028311a300c060355040b0c05616c706861300a06035504030c035a6564310a3008"
                      "060355040a0c0178"),
              "dbbf672e");
}

TEST(test_x509name_bmp_equals_utf8)
{
    char a[16];

    /* CN=Ab as BMPString (00 41 00 62) and as UTF8String */
    snprintf(a, sizeof(a), "%s", hash_of("300f310d300b06035504031e0400410062"));
    CHECK_STR(a, hash_of("300d310b300906035504030c024162"));
    CHECK(strcmp(a, "error") != 0);
    /* a lone surrogate in a BMPString is not text */
    CHECK_STR(hash_of("300f310d300b06035504031e04d8000062"), "error");
}

TEST(test_x509name_empty_and_malformed)
{
    uint8_t sha_empty[20];

    /* an empty Name hashes the empty string, as OpenSSL does */
    CHECK(gnutls_hash_fast(GNUTLS_DIG_SHA1, "", 0, sha_empty) == 0);
    {
        char want[16];
        snprintf(want, sizeof(want), "%08x", (unsigned)x509name_hash(sha_empty));
        CHECK_STR(hash_of("3000"), want);
    }
    CHECK_STR(hash_of(""), "error");                                 /* nothing */
    CHECK_STR(hash_of("3100"), "error");                             /* a SET, not a SEQUENCE */
    CHECK_STR(hash_of("3005310330"), "error");                       /* length past the end */
    CHECK_STR(hash_of("308000"), "error");                           /* indefinite length */
    CHECK_STR(hash_of("300d310b300906035504030c024162ff"), "error"); /* trailing byte */
    CHECK_STR(hash_of("300b3109300706035504030c01"), "error");       /* value cut short */
    CHECK_STR(hash_of("300d310b300904035504030c024162"), "error");   /* type not an OID */
    CHECK_STR(hash_of("300d310b300906035504030c02c328"), "error");   /* bad UTF-8 */
}
