/* SPDX-License-Identifier: MIT */
/*
 * The -v log on stderr, curl's layout: "* " for what h2get did or learned (resolve,
 * connect, TLS facts, ALPN, retries), "> " for request fields, "< " for response fields.
 * Server-controlled text is escaped (PROMISES.md: never raw on a terminal).
 */
#include <stdarg.h>
#include <stdio.h>

#include "vlog.h"

#include "run.h"
#include "sys/diag.h"

bool vlog_on(const struct client *cl)
{
    return cl->cfg->out.verbose > 0;
}

void vlog(const struct client *cl, const char *fmt, ...)
{
    va_list ap;

    if (!vlog_on(cl))
        return;
    fputs("* ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void vlog_field(const struct client *cl, char dir, struct span name, struct span value)
{
    char n[DIAG_ESCAPE_CAP], v[DIAG_ESCAPE_CAP];

    if (!vlog_on(cl))
        return;
    fprintf(stderr, "%c %s: %s\n", dir, diag_escape(n, sizeof(n), name),
            diag_escape(v, sizeof(v), value));
}

void vlog_tls(const struct client *cl, const struct tls_facts *f)
{
    if (!vlog_on(cl))
        return;
    vlog(cl, "TLS: %s, %s%s%s", f->version ? f->version : "?", f->suite ? f->suite : "?",
         f->group ? ", " : "", f->group ? f->group : "");
    vlog(cl, "ALPN: server accepted %s", tls_alpn_name(f->alpn));
    vlog(cl, "server certificate:");
    vlog(cl, "  subject: %s", f->subject);
    vlog(cl, "  issuer: %s", f->issuer);
    vlog(cl, "  verify: %s%s", f->verify, f->insecure ? " (ignored: -k)" : "");
}
