/* SPDX-License-Identifier: MIT */
/*
 * Credentials from a .netrc file (creds.c): --netrc and --netrc-optional read ~/.netrc
 * (nothing when it does not exist), --netrc-file FILE reads FILE (which must exist); the
 * file is read once, then looked up for the host of every request, redirects included,
 * so each host gets its own entry only. -u comes first.
 */
#ifndef H2GET_CREDS_H
#define H2GET_CREDS_H

struct client;

/* Largest .netrc file read. */
#define CREDS_FILE_MAX (1u << 20)

/* creds_init - read the .netrc file of the run. Returns 0, or H2E_READ / H2E_NETRC after
 * saying why (the file and what is wrong). */
int creds_init(struct client *cl);
/* creds_netrc - "login:password" for `host` (caller frees), or NULL. */
char *creds_netrc(struct client *cl, const char *host);
/* creds_free - forget the file. */
void creds_free(struct client *cl);

#endif
