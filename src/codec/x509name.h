/* SPDX-License-Identifier: MIT */
/*
 * The canonical form of an X.509 Name (RFC 5280 §4.1.2.4) that OpenSSL hashes for its
 * hashed certificate directories: /etc/ssl/certs/HASH.N is named by the first four bytes
 * (little-endian) of the SHA-1 of this form of the certificate's subject, so that a
 * verifier can open the few anchors that may have issued a chain instead of parsing the
 * whole store. The form: each RelativeDistinguishedName as a DER SET (members sorted,
 * X.690 §11.6) without the outer SEQUENCE; each string value of the common string types
 * converted to UTF-8, stripped of leading and trailing white space, inner runs of white
 * space made one space, ASCII letters lowered, and re-tagged UTF8String; other values as
 * they are. Sans-I/O: bytes in, bytes out; the hash itself is the caller's (SHA-1).
 */
#ifndef H2GET_X509NAME_H
#define H2GET_X509NAME_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/*
 * x509name_canon - append to `out` the canonical form of the DER-encoded Name `der`
 * (`len` bytes: the whole SEQUENCE, as gnutls_x509_crt_get_raw_issuer_dn gives it).
 * Returns 0, or -1 when `der` is not a well-formed Name, a string is not valid in its
 * type, or `out` cannot grow (then `out` holds a partial result to discard).
 */
int x509name_canon(const uint8_t *der, size_t len, struct buf *out);

/* x509name_hash - the directory hash of a canonical form from its SHA-1 digest. */
uint32_t x509name_hash(const uint8_t sha1[20]);

#endif
