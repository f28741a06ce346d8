/* SPDX-License-Identifier: MIT */
/*
 * .netrc files (curl's and ftp's format), sans-I/O: whitespace-separated tokens
 * "machine NAME", "default", "login USER", "password PASS" ("account" and "macdef NAME"
 * with its lines up to an empty one are skipped); a token may be "quoted" with \", \\,
 * \n, \r and \t escapes, as curl reads them. Never allocates.
 */
#ifndef H2GET_NETRC_H
#define H2GET_NETRC_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

/* Longest login or password read (each, unescaped). */
#define NETRC_TOKEN_MAX 1024

/*
 * netrc_lookup - in the text `f`, the login and password for `host` (case-insensitive):
 * the first "machine" entry naming it, else the "default" entry. `login` and `password`
 * (each NETRC_TOKEN_MAX + 1 bytes) get them NUL-terminated ("" when the entry lacks
 * one). Returns 1 when an entry was found, 0 when none, or H2E_NETRC with `info` (an
 * unterminated quote, a token too long, a NUL byte, a keyword without its value).
 */
int netrc_lookup(struct span f, struct span host, char *login, char *password,
                 struct h2e_info *info);

#endif
