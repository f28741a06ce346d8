/* SPDX-License-Identifier: MIT */
/*
 * The run's cookie jar (cookies.c): -b strings and Netscape files read at the start (-j
 * drops their session cookies), Set-Cookie of every response stored by RFC 6265's rules
 * (codec/cookie.h), the cookie field of every request built from it, so that cookies
 * follow redirects and are shared by all URLs of a run, and -c written at the end,
 * atomically. Off (NULL) unless -b or -c is given, as in curl.
 */
#ifndef H2GET_COOKIES_H
#define H2GET_COOKIES_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

struct client;
struct xfer;
struct msg_field;

/* Bounds: cookies in the jar, and per host (RFC 6265 §6.1 asks for at least 3000, 50). */
#define COOKIES_MAX 3000
#define COOKIES_PER_HOST 150

/* cookies_init - the jar of the run, loaded from the -b files. Returns 0, or the H2E_* of
 * a failure it has said: 26 for a file that cannot be read, 131 for one that is not a
 * cookie file (binary junk, broken lines), with the file and line. */
int cookies_init(struct client *cl);
/* cookies_store - the Set-Cookie fields of a response to `x` (any status, redirects too). */
void cookies_store(struct client *cl, const struct xfer *x, const struct msg_field *f, size_t n);
/* cookies_field - the cookie field value for the request of `x` into `out` (empty when
 * none): the -b strings (not after a redirect to another origin) and the matching jar
 * cookies, longest path first. */
void cookies_field(struct client *cl, const struct xfer *x, struct buf *out);
/* cookies_finish - write -c (when given and `write_jar`) and free the jar. Returns 0, or
 * H2E_WRITE after saying why. */
int cookies_finish(struct client *cl, bool write_jar);

#endif
