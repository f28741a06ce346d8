/* SPDX-License-Identifier: MIT */
/*
 * The TLS context of a run (tls.h, struct tls_ctx): credentials and trust anchors
 * (--cacert, --capath, or the system store opened anchor by anchor: trust.h), the priority
 * string for the version range (PROMISES.md "TLS defaults"), the ALPN list (RFC 7301) and
 * the --keylog file. Sessions on it are tls.c's.
 */
#include "tls.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every failure leaves a `detail` to print: the specific one, or else `why`. */
static int fail_ctx(struct tls_ctx *ctx, struct h2e_info *info, int code, const char *why)
{
    if (!ctx->detail[0])
        snprintf(ctx->detail, sizeof(ctx->detail), "%s", why);
    tls_ctx_release(ctx);
    return h2e_set(info, code, 0, why);
}

/* Read one byte to turn "unreadable" into an errno text before GnuTLS hides it. */
static int readable(const char *path, char *detail, size_t cap)
{
    FILE *f = fopen(path, "rb");
    int err;

    if (f && (fgetc(f) != EOF || !ferror(f))) {
        fclose(f);
        return 0;
    }
    err = errno;
    if (f)
        fclose(f);
    snprintf(detail, cap, "cannot read CA file '%s': %s", path, strerror(err));
    return -1;
}

/* A path the system cannot take, too long to be quoted in `detail`: said without it. */
static bool too_long(struct tls_ctx *ctx, const char *what, const char *path)
{
    if (strlen(path) < PATH_MAX)
        return false;
    snprintf(ctx->detail, sizeof(ctx->detail), "%s path of %zu bytes is too long (PATH_MAX is %d)",
             what, strlen(path), PATH_MAX);
    return true;
}

static int load_cafile(struct tls_ctx *ctx, const char *path, struct h2e_info *info)
{
    int r;

    if (too_long(ctx, "CA file", path))
        return fail_ctx(ctx, info, H2E_CACERT, "CA file path too long");
    if (readable(path, ctx->detail, sizeof(ctx->detail)) != 0)
        return fail_ctx(ctx, info, H2E_CACERT, "CA file unreadable");
    r = gnutls_certificate_set_x509_trust_file(ctx->cred, path, GNUTLS_X509_FMT_PEM);
    if (r <= 0)
        r = gnutls_certificate_set_x509_trust_file(ctx->cred, path, GNUTLS_X509_FMT_DER);
    if (r <= 0) {
        snprintf(ctx->detail, sizeof(ctx->detail), "no valid CA certificate in '%s'%s%s", path,
                 r < 0 ? ": " : "", r < 0 ? gnutls_strerror(r) : "");
        return fail_ctx(ctx, info, H2E_CACERT, "CA file holds no valid certificate");
    }
    return 0;
}

static int load_trust(struct tls_ctx *ctx, const struct tls_opts *o, struct h2e_info *info)
{
    int r;

    if (o->cacert && (r = load_cafile(ctx, o->cacert, info)) != 0)
        return r;
    if (o->capath && too_long(ctx, "CA directory", o->capath))
        return fail_ctx(ctx, info, H2E_CACERT, "CA directory path too long");
    if (o->capath) {
        r = gnutls_certificate_set_x509_trust_dir(ctx->cred, o->capath, GNUTLS_X509_FMT_PEM);
        if (r <= 0) {
            snprintf(ctx->detail, sizeof(ctx->detail), "no CA certificate loaded from '%s'%s%s",
                     o->capath, r < 0 ? ": " : "", r < 0 ? gnutls_strerror(r) : "");
            return fail_ctx(ctx, info, H2E_CACERT, "CA directory unreadable or empty");
        }
    }
    if (o->cacert || o->capath)
        return 0;
    /* The system store: anchors read as chains name them (trust.h). */
    if (o->cert_file && *o->cert_file &&
        readable(o->cert_file, ctx->detail, sizeof(ctx->detail)) != 0 && !o->insecure)
        return fail_ctx(ctx, info, H2E_CACERT, "SSL_CERT_FILE unreadable");
    trust_init(&ctx->trust, o->cert_dir, o->cert_file);
    return 0;
}

static int set_priority(struct tls_ctx *ctx, const struct tls_opts *o, struct h2e_info *info)
{
    enum tls_version lo = o->min_version ? o->min_version : TLS_VERSION_1_2;
    enum tls_version hi = o->max_version ? o->max_version : TLS_VERSION_1_3;
    const char *err_pos = NULL;
    int r;

    if (o->priority) {
        if (strlen(o->priority) >= sizeof(ctx->priority))
            return fail_ctx(ctx, info, H2E_USAGE, "--tls-priority string too long");
        snprintf(ctx->priority, sizeof(ctx->priority), "%s", o->priority);
    } else {
        if (lo > hi) {
            snprintf(ctx->detail, sizeof(ctx->detail), "minimum TLS version above maximum");
            return fail_ctx(ctx, info, H2E_USAGE, "TLS minimum version above maximum");
        }
        snprintf(ctx->priority, sizeof(ctx->priority), TLS_PRIORITY_BASE,
                 hi >= TLS_VERSION_1_3 ? ":+VERS-TLS1.3" : "",
                 lo <= TLS_VERSION_1_2 ? ":+VERS-TLS1.2" : "");
    }
    r = gnutls_priority_init(&ctx->prio, ctx->priority, &err_pos);
    if (r < 0) {
        ctx->prio = NULL;
        snprintf(ctx->detail, sizeof(ctx->detail), "bad TLS priority string at '%s': %s",
                 err_pos ? err_pos : "", gnutls_strerror(r));
        return fail_ctx(ctx, info, H2E_USAGE, "GnuTLS rejected the priority string");
    }
    return 0;
}

/* The comma list `list` into ctx->alpn; RFC 7301 §3.1: names of 1-255 bytes. */
static int set_alpn(struct tls_ctx *ctx, const char *list, struct h2e_info *info)
{
    size_t off = 0;

    if (!list)
        list = "h2,http/1.1";
    while (*list) {
        size_t len = strcspn(list, ",");
        if (len == 0 || len > 255 || ctx->nalpn == LIMIT_ALPN_PROTOCOLS) {
            snprintf(ctx->detail, sizeof(ctx->detail), "bad ALPN list entry");
            return fail_ctx(ctx, info, H2E_USAGE, "ALPN names are 1-255 bytes (RFC 7301 §3.1)");
        }
        memcpy(ctx->alpn_names + off, list, len);
        ctx->alpn[ctx->nalpn].data = (unsigned char *)ctx->alpn_names + off;
        ctx->alpn[ctx->nalpn++].size = (unsigned)len;
        off += len;
        list += len;
        if (*list == ',' && *++list == '\0')
            return fail_ctx(ctx, info, H2E_USAGE, "ALPN list ends with ','");
    }
    return 0;
}

static int open_keylog(struct tls_ctx *ctx, const char *path, struct h2e_info *info)
{
    int fd;

    if (!path)
        return 0;
    if (too_long(ctx, "key log file", path))
        return fail_ctx(ctx, info, H2E_WRITE, "--keylog path too long");
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0)
        ctx->keylog = fdopen(fd, "a");
    if (!ctx->keylog) {
        snprintf(ctx->detail, sizeof(ctx->detail), "cannot open key log file '%s': %s", path,
                 strerror(errno));
        if (fd >= 0)
            close(fd);
        return fail_ctx(ctx, info, H2E_WRITE, "--keylog file cannot be opened");
    }
    return 0;
}

int tls_ctx_init(struct tls_ctx *ctx, const struct tls_opts *o, struct h2e_info *info)
{
    int r;

    memset(ctx, 0, sizeof(*ctx));
    ctx->insecure = o->insecure;
    if (gnutls_certificate_allocate_credentials(&ctx->cred) < 0) {
        ctx->cred = NULL;
        return fail_ctx(ctx, info, H2E_NOMEM, "cannot allocate TLS credentials");
    }
    if ((r = load_trust(ctx, o, info)) != 0)
        return r;
    if ((r = set_priority(ctx, o, info)) != 0)
        return r;
    if ((r = set_alpn(ctx, o->alpn, info)) != 0)
        return r;
    return open_keylog(ctx, o->keylog, info);
}

void tls_ctx_release(struct tls_ctx *ctx)
{
    trust_release(&ctx->trust);
    if (ctx->cred)
        gnutls_certificate_free_credentials(ctx->cred);
    if (ctx->prio)
        gnutls_priority_deinit(ctx->prio);
    if (ctx->keylog)
        fclose(ctx->keylog);
    ctx->cred = NULL;
    ctx->prio = NULL;
    ctx->keylog = NULL;
    ctx->nalpn = 0;
}
