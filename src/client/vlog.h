/* SPDX-License-Identifier: MIT */
/*
 * The -v log on stderr (vlog.c), curl's layout: "* " facts, "> " request, "< " response.
 * Server-controlled text is escaped.
 */
#ifndef H2GET_VLOG_H
#define H2GET_VLOG_H

#include <stdbool.h>

#include "base/buf.h"
#include "net/tls.h"

struct client;

bool vlog_on(const struct client *cl);
void vlog(const struct client *cl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vlog_field(const struct client *cl, char dir, struct span name, struct span value);
/* vlog_tls - the TLS facts of a connection to `peer`: "server", or "proxy" (the lines
 * then say so). */
void vlog_tls(const struct client *cl, const struct tls_facts *f, const char *peer);

#endif
