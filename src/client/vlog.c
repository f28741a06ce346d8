/* SPDX-License-Identifier: MIT */
/*
 * The -v log on stderr, curl's layout: "* " for what h2get did or learned (resolve,
 * connect, TLS facts, ALPN, retries), "> " for request fields, "< " for response fields.
 * Server-controlled text is escaped (PROMISES.md: never raw on a terminal).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vlog.h"

#include "run.h"
#include "sys/diag.h"
#include "sys/xalloc.h"

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

/* A field whole, escaped: -v shows what went out and came in (no 200-byte cut). */
void vlog_field(const struct client *cl, char dir, struct span name, struct span value)
{
    struct buf n, v;

    if (!vlog_on(cl))
        return;
    buf_init(&n, &xalloc_mem, SIZE_MAX);
    buf_init(&v, &xalloc_mem, SIZE_MAX);
    diag_escape_buf(&n, name); /* no cap, and xalloc exits when out of memory */
    diag_escape_buf(&v, value);
    fprintf(stderr, "%c %s: %s\n", dir, (const char *)n.p, (const char *)v.p);
    buf_release(&n);
    buf_release(&v);
}

void vlog_tls(const struct client *cl, const struct tls_facts *f, const char *peer)
{
    bool proxy = strcmp(peer, "proxy") == 0;

    if (!vlog_on(cl))
        return;
    vlog(cl, "%sTLS: %s, %s%s%s", proxy ? "proxy " : "", f->version ? f->version : "?",
         f->suite ? f->suite : "?", f->group ? ", " : "", f->group ? f->group : "");
    vlog(cl, "%sALPN: %s accepted %s", proxy ? "proxy " : "", peer, tls_alpn_name(f->alpn));
    vlog(cl, "%s certificate:", peer);
    vlog(cl, "  subject: %s", f->subject);
    vlog(cl, "  issuer: %s", f->issuer);
    vlog(cl, "  verify: %s%s", f->verify,
         f->insecure ? (proxy ? " (ignored: --proxy-insecure)" : " (ignored: -k)") : "");
    if (f->trust_lazy && f->trust_full)
        vlog(cl, "  trust: the whole system store (no anchor by issuer name verified it)");
    else if (f->trust_lazy)
        vlog(cl, "  trust: %u system anchor%s, read by issuer name", f->trust_anchors,
             f->trust_anchors == 1 ? "" : "s");
}
