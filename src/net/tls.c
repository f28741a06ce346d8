/* SPDX-License-Identifier: MIT */
/*
 * GnuTLS client sessions: on the run's context (tls_ctx.c), per connection a
 * non-blocking handshake, record I/O through our push/pull hooks (so errno survives for the
 * message), close_notify tracking and NSS key logging. Policy from ../shared/PROMISES.md
 * "TLS defaults" and RFC 9113 §9.2; SNI per RFC 6066 §3; ALPN per RFC 7301 §3.2. Never
 * renegotiates and never enables post-handshake authentication (RFC 9113 §9.2.1, §9.2.3).
 */
#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sys/xalloc.h"

/* --- transport hooks ------------------------------------------------------------------ */

/* A result of the lower transport as recv()/send() would give it. */
static ssize_t lower_result(struct tls_conn *c, int r)
{
    if (r >= 0)
        return r;
    c->last_errno = r == H2E_INCOMPLETE ? EAGAIN : EPIPE;
    gnutls_transport_set_errno(c->session, c->last_errno);
    return -1;
}

static ssize_t recv_some(struct tls_conn *c, void *buf, size_t n)
{
    ssize_t r;

    if (c->has_lower)
        return lower_result(c, io_read(&c->lower, buf, n));
    do
        r = recv(c->fd, buf, n, 0);
    while (r < 0 && errno == EINTR);
    if (r < 0) {
        c->last_errno = errno;
        gnutls_transport_set_errno(c->session, errno);
    }
    return r;
}

/* GnuTLS's reads, served from the read-ahead buffer, refilled with one recv() of up to
 * TLS_READAHEAD bytes; a request at least that large goes to the socket directly. */
static ssize_t pull(gnutls_transport_ptr_t p, void *buf, size_t n)
{
    struct tls_conn *c = p;

    if (c->ra_off == c->ra_len) {
        ssize_t r;
        if (n >= sizeof(c->ra))
            return recv_some(c, buf, n);
        r = recv_some(c, c->ra, sizeof(c->ra));
        if (r <= 0)
            return r;
        c->ra_off = 0;
        c->ra_len = (size_t)r;
    }
    if (n > c->ra_len - c->ra_off)
        n = c->ra_len - c->ra_off;
    memcpy(buf, c->ra + c->ra_off, n);
    c->ra_off += n;
    return (ssize_t)n;
}

static ssize_t push(gnutls_transport_ptr_t p, const void *buf, size_t n)
{
    struct tls_conn *c = p;
    ssize_t r;

    if (c->has_lower)
        return lower_result(c, io_write(&c->lower, buf, n));
    do
        r = send(c->fd, buf, n, MSG_NOSIGNAL);
    while (r < 0 && errno == EINTR);
    if (r < 0) {
        c->last_errno = errno;
        gnutls_transport_set_errno(c->session, errno);
    }
    return r;
}

/* GnuTLS asks this only with a timeout of 0 in non-blocking use ("is data waiting?"). */
static int pull_timeout(gnutls_transport_ptr_t p, unsigned int ms)
{
    struct tls_conn *c = p;
    struct pollfd pfd = {c->fd, POLLIN, 0};
    int r;

    if (c->ra_off < c->ra_len || (c->has_lower && io_pending(&c->lower)))
        return 1;
    if (c->has_lower && ms == 0)
        return 0;
    r = poll(&pfd, 1, ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : (int)ms);

    if (r < 0)
        gnutls_transport_set_errno(c->session, errno);
    return r;
}

static void hex(FILE *f, const unsigned char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        fprintf(f, "%02x", p[i]);
}

/* NSS key-log line: LABEL <client random> <secret>, then GnuTLS's own (SSLKEYLOGFILE). */
static int keylog(gnutls_session_t s, const char *label, const gnutls_datum_t *secret)
{
    struct tls_conn *c = gnutls_session_get_ptr(s);
    gnutls_datum_t crand, srand;

    if (c->chained_keylog)
        c->chained_keylog(s, label, secret);
    gnutls_session_get_random(s, &crand, &srand);
    fprintf(c->ctx->keylog, "%s ", label);
    hex(c->ctx->keylog, crand.data, crand.size);
    fputc(' ', c->ctx->keylog);
    hex(c->ctx->keylog, secret->data, secret->size);
    fputc('\n', c->ctx->keylog);
    fflush(c->ctx->keylog);
    return 0;
}

/* --- session setup -------------------------------------------------------------------- */

static bool is_ip_literal(const char *h)
{
    unsigned char buf[sizeof(struct in6_addr)];
    char tmp[TLS_HOST_MAX];
    size_t len = strcspn(h, "%");

    if (len >= sizeof(tmp))
        return false;
    memcpy(tmp, h, len);
    tmp[len] = '\0';
    return inet_pton(AF_INET, tmp, buf) == 1 || inet_pton(AF_INET6, tmp, buf) == 1;
}

/* `host` without brackets, zone id or final dot into c->host; -1 if it does not fit. */
static int set_host(struct tls_conn *c, const char *host)
{
    size_t len = strlen(host);

    if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
        host++;
        len -= 2;
    }
    if (len > 0 && host[len - 1] == '.')
        len--;
    if (len == 0 || len >= sizeof(c->host))
        return -1;
    memcpy(c->host, host, len);
    c->host[len] = '\0';
    if (is_ip_literal(c->host))
        c->host[strcspn(c->host, "%")] = '\0';
    return 0;
}

static int start_fail(struct tls_conn *c, int code, const char *why)
{
    snprintf(c->detail, sizeof(c->detail), "%s", why);
    tls_conn_release(c);
    c->failed = true;
    return h2e_set(&c->info, code, 0, why);
}

static void set_hooks(struct tls_conn *c)
{
    gnutls_session_set_ptr(c->session, c);
    gnutls_transport_set_ptr(c->session, c);
    gnutls_transport_set_push_function(c->session, push);
    gnutls_transport_set_pull_function(c->session, pull);
    gnutls_transport_set_pull_timeout_function(c->session, pull_timeout);
    /* The caller's --connect-timeout covers the handshake; GnuTLS's own would cut it. */
    gnutls_handshake_set_timeout(c->session, 0);
    if (c->ctx->keylog) {
        c->chained_keylog = gnutls_session_get_keylog_function(c->session);
        gnutls_session_set_keylog_function(c->session, keylog);
    }
}

/* Verify the server's chain and name: with the lazy system store, first against the
 * anchors that may have issued it, then, only if that fails, against the whole store. */
static unsigned verify_peer(struct tls_conn *c)
{
    struct trust_store *t = &c->ctx->trust;
    const gnutls_datum_t *chain;
    unsigned n = 0, status = 0;

    if (t->lazy && !t->full && (chain = gnutls_certificate_get_peers(c->session, &n)) && n)
        trust_add_issuers(t, c->ctx->cred, chain, n);
    if (gnutls_certificate_verify_peers3(c->session, c->host, &status) < 0)
        status = GNUTLS_CERT_INVALID;
    if (status && t->lazy && !t->full && trust_load_full(t, c->ctx->cred) == 0 &&
        gnutls_certificate_verify_peers3(c->session, c->host, &status) < 0)
        status = GNUTLS_CERT_INVALID;
    c->facts.trust_lazy = t->lazy;
    c->facts.trust_anchors = t->anchors;
    c->facts.trust_full = t->full;
    c->facts.verify_status = status;
    c->verify_done = true;
    return status;
}

/* GnuTLS calls this once the server's Certificate message is in; non-zero ends the
 * handshake with that error (and a bad_certificate alert). */
static int verify_in_handshake(gnutls_session_t session)
{
    struct tls_conn *c = gnutls_session_get_ptr(session);

    return verify_peer(c) ? GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR : 0;
}

static int start(struct tls_conn *c, struct tls_ctx *ctx, int fd, const struct io *lower,
                 const char *host)
{
    memset(c, 0, sizeof(*c));
    c->fd = fd;
    if (lower) {
        c->lower = *lower;
        c->has_lower = true;
    }
    c->ctx = ctx;
    c->info.frame_type = -1;
    c->facts.insecure = ctx->insecure;
    if (set_host(c, host) != 0)
        return start_fail(c, H2E_TLS_HANDSHAKE, "TLS server name empty or too long");
    /* No GNUTLS_POST_HANDSHAKE_AUTH: RFC 9113 §9.2.3 forbids it for HTTP/2. */
    if (gnutls_init(&c->session, GNUTLS_CLIENT | GNUTLS_NONBLOCK | GNUTLS_NO_SIGNAL) < 0) {
        c->session = NULL;
        return start_fail(c, H2E_NOMEM, "cannot allocate a TLS session");
    }
    if (gnutls_priority_set(c->session, ctx->prio) < 0 ||
        gnutls_credentials_set(c->session, GNUTLS_CRD_CERTIFICATE, ctx->cred) < 0)
        return start_fail(c, H2E_NOMEM, "cannot set up the TLS session");
    /* RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in HostName". */
    if (!is_ip_literal(c->host)) {
        if (gnutls_server_name_set(c->session, GNUTLS_NAME_DNS, c->host, strlen(c->host)) < 0)
            return start_fail(c, H2E_NOMEM, "cannot set the TLS server name");
        c->facts.sni_sent = true;
    }
    /* RFC 9110 §4.3.4: check the chain and that the certificate names the host (or IP). */
    gnutls_session_set_ptr(c->session, c);
    if (!ctx->insecure)
        gnutls_session_set_verify_function(c->session, verify_in_handshake);
    if (ctx->nalpn && gnutls_alpn_set_protocols(c->session, ctx->alpn, ctx->nalpn, 0) < 0)
        return start_fail(c, H2E_NOMEM, "cannot set the ALPN list");
    set_hooks(c);
    return 0;
}

int tls_conn_start(struct tls_conn *c, struct tls_ctx *ctx, int fd, const char *host)
{
    return start(c, ctx, fd, NULL, host);
}

int tls_conn_start_io(struct tls_conn *c, struct tls_ctx *ctx, const struct io *lower,
                      const char *host)
{
    return start(c, ctx, lower->fd, lower, host);
}

/* The record handed out by tls_conn_read_packet, given back to GnuTLS. */
static void drop_packet(struct tls_conn *c)
{
    if (c->packet)
        gnutls_packet_deinit(c->packet);
    c->packet = NULL;
}

void tls_conn_release(struct tls_conn *c)
{
    drop_packet(c);
    free(c->facts.subject);
    free(c->facts.issuer);
    c->facts.subject = c->facts.issuer = NULL;
    if (c->session)
        gnutls_deinit(c->session);
    c->session = NULL;
    if (c->has_lower) {
        io_close(&c->lower);
        c->has_lower = false;
    } else if (c->fd >= 0) {
        close(c->fd);
    }
    c->fd = -1;
}

/* --- handshake ------------------------------------------------------------------------ */

static const struct {
    unsigned bit;
    const char *text;
} verify_words[] = {
    {GNUTLS_CERT_SIGNER_NOT_FOUND, "certificate signer not found"},
    {GNUTLS_CERT_SIGNER_NOT_CA, "certificate signer is not a CA"},
    {GNUTLS_CERT_EXPIRED, "certificate expired"},
    {GNUTLS_CERT_NOT_ACTIVATED, "certificate not yet valid"},
    {GNUTLS_CERT_UNEXPECTED_OWNER, "hostname mismatch"},
    {GNUTLS_CERT_REVOKED, "certificate revoked"},
    {GNUTLS_CERT_INSECURE_ALGORITHM, "insecure signature algorithm"},
    {GNUTLS_CERT_SIGNATURE_FAILURE, "bad certificate signature"},
    {GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE, "signer constraints violated"},
    {GNUTLS_CERT_PURPOSE_MISMATCH, "certificate not for TLS servers"},
    {GNUTLS_CERT_UNKNOWN_CRIT_EXTENSIONS, "unknown critical extension"},
    {GNUTLS_CERT_MISSING_OCSP_STATUS, "OCSP status missing"},
    {GNUTLS_CERT_INVALID_OCSP_STATUS, "OCSP status invalid"},
};

char *tls_verify_text(unsigned status, char *buf, size_t cap)
{
    size_t i, off = 0;

    if (cap == 0)
        return buf;
    buf[0] = '\0';
    for (i = 0; i < sizeof(verify_words) / sizeof(verify_words[0]); i++) {
        int n;
        if (!(status & verify_words[i].bit) || off >= cap)
            continue;
        n = snprintf(buf + off, cap - off, "%s%s", off ? ", " : "", verify_words[i].text);
        off += n > 0 ? (size_t)n : 0;
    }
    if (buf[0] == '\0')
        snprintf(buf, cap, "%s", status ? "certificate not trusted" : "ok");
    return buf;
}

const char *tls_alpn_name(enum tls_alpn a)
{
    return a == TLS_ALPN_H2 ? "h2" : a == TLS_ALPN_HTTP11 ? "http/1.1" : "none";
}

bool tls_h2_suite_ok(gnutls_protocol_t ver, gnutls_kx_algorithm_t kx,
                     gnutls_cipher_algorithm_t cipher, unsigned dh_bits)
{
    if (ver != GNUTLS_TLS1_2)
        return ver > GNUTLS_TLS1_2 && ver <= GNUTLS_TLS_VERSION_MAX;
    /* RFC 9113 §9.2.2 / Appendix A: block and stream ciphers are prohibited ... */
    if (gnutls_cipher_get_tag_size(cipher) == 0)
        return false;
    /* ... and so is key exchange without an ephemeral key; DHE needs >= 2048 bits. */
    switch (kx) {
    case GNUTLS_KX_ECDHE_RSA:
    case GNUTLS_KX_ECDHE_ECDSA:
    case GNUTLS_KX_ECDHE_PSK:
        return true;
    case GNUTLS_KX_DHE_RSA:
    case GNUTLS_KX_DHE_DSS:
    case GNUTLS_KX_DHE_PSK:
        return dh_bits >= 2048;
    default:
        return false;
    }
}

/* `in` with bytes outside 0x20-0x7e as \xNN into `out`, which holds 4 * `n` + 1 bytes. */
static char *escape(const unsigned char *in, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, k = 0;

    for (i = 0; i < n; i++) {
        if (in[i] >= 0x20 && in[i] <= 0x7e) {
            out[k++] = (char)in[i];
            continue;
        }
        out[k++] = '\\';
        out[k++] = 'x';
        out[k++] = hex[in[i] >> 4];
        out[k++] = hex[in[i] & 15];
    }
    out[k] = '\0';
    return out;
}

/* A DN, escaped whole into a string of its own; "" when GnuTLS cannot give it. */
static char *dn_text(int r, gnutls_datum_t *d)
{
    char *s;

    if (r != 0)
        return xstrdup("");
    s = escape(d->data, d->size, xmalloc(4 * (size_t)d->size + 1));
    gnutls_free(d->data);
    return s;
}

static void peer_names(struct tls_conn *c)
{
    unsigned n = 0;
    const gnutls_datum_t *certs = gnutls_certificate_get_peers(c->session, &n);
    gnutls_x509_crt_t crt;
    gnutls_datum_t d;

    free(c->facts.subject);
    free(c->facts.issuer);
    c->facts.subject = c->facts.issuer = NULL;
    if (certs && n > 0 && gnutls_x509_crt_init(&crt) == 0) {
        if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) == 0) {
            c->facts.subject = dn_text(gnutls_x509_crt_get_dn3(crt, &d, 0), &d);
            c->facts.issuer = dn_text(gnutls_x509_crt_get_issuer_dn3(crt, &d, 0), &d);
            c->facts.not_before = gnutls_x509_crt_get_activation_time(crt);
            c->facts.not_after = gnutls_x509_crt_get_expiration_time(crt);
        }
        gnutls_x509_crt_deinit(crt);
    }
    if (!c->facts.subject)
        c->facts.subject = xstrdup("");
    if (!c->facts.issuer)
        c->facts.issuer = xstrdup("");
}

static void fill_facts(struct tls_conn *c)
{
    gnutls_session_t s = c->session;
    gnutls_protocol_t ver = gnutls_protocol_get_version(s);
    gnutls_kx_algorithm_t kx = gnutls_kx_get(s);
    unsigned status = 0;

    c->facts.version = gnutls_protocol_get_name(ver);
#if GNUTLS_VERSION_NUMBER >= 0x030703
    c->facts.suite = gnutls_ciphersuite_get(s);
#else
    c->facts.suite = gnutls_cipher_suite_get_name(kx, gnutls_cipher_get(s), gnutls_mac_get(s));
#endif
    c->facts.group = gnutls_group_get_name(gnutls_group_get(s));
    c->facts.h2_suite_ok =
        tls_h2_suite_ok(ver, kx, gnutls_cipher_get(s), (unsigned)gnutls_dh_get_prime_bits(s));
    peer_names(c);
    /* With -k nothing was checked during the handshake: check now, only to report it. */
    status = c->verify_done ? c->facts.verify_status : verify_peer(c);
    c->facts.verified = status == 0;
    tls_verify_text(status, c->facts.verify, sizeof(c->facts.verify));
}

static int conn_fail(struct tls_conn *c, int code, const char *why)
{
    if (!c->detail[0])
        snprintf(c->detail, sizeof(c->detail), "%s", why);
    c->failed = true;
    return h2e_set(&c->info, code, 0, why);
}

/* RFC 7301 §3.2: the server picks one of the names we offered, or none at all. */
static int check_alpn(struct tls_conn *c)
{
    gnutls_datum_t sel;
    char name[255 * 4 + 1]; /* RFC 7301 §3.1: a name is 1-255 bytes */
    bool offered = false;
    unsigned i;

    c->facts.alpn = TLS_ALPN_NONE;
    if (gnutls_alpn_get_selected_protocol(c->session, &sel) < 0 || sel.size == 0)
        return 0;
    for (i = 0; i < c->ctx->nalpn; i++)
        if (c->ctx->alpn[i].size == sel.size && !memcmp(c->ctx->alpn[i].data, sel.data, sel.size))
            offered = true;
    if (offered && sel.size == 2 && !memcmp(sel.data, "h2", 2))
        c->facts.alpn = TLS_ALPN_H2;
    else if (offered && sel.size == 8 && !memcmp(sel.data, "http/1.1", 8))
        c->facts.alpn = TLS_ALPN_HTTP11;
    if (c->facts.alpn != TLS_ALPN_NONE)
        return 0;
    /* PROMISES: anything but h2, http/1.1 or nothing is a handshake failure (exit 35). */
    escape(sel.data, sel.size > 255 ? 255 : sel.size, name);
    snprintf(c->detail, sizeof(c->detail), "server selected ALPN protocol '%s'%s", name,
             offered ? "" : ", which was not offered");
    return conn_fail(c, H2E_TLS_HANDSHAKE, "server selected an unusable ALPN protocol");
}

static int handshake_done(struct tls_conn *c)
{
    int r;

    fill_facts(c);
    if ((r = check_alpn(c)) != 0)
        return r;
    c->handshake_done = true;
    c->rwait = 0;
    if (c->facts.alpn == TLS_ALPN_H2 && !c->facts.h2_suite_ok) {
        snprintf(c->detail, sizeof(c->detail), "h2 negotiated over %s with %s", c->facts.version,
                 c->facts.suite ? c->facts.suite : "an unknown suite");
        return h2e_set(&c->info, H2E_INADEQUATE_SECURITY, 0,
                       "TLS 1.2 cipher suite prohibited for HTTP/2 (RFC 9113 §9.2.2)");
    }
    return 0;
}

/* Text for a fatal GnuTLS error `r`, with the alert or the errno behind it. */
static void error_detail(struct tls_conn *c, const char *what, int r)
{
    if (r == GNUTLS_E_FATAL_ALERT_RECEIVED || r == GNUTLS_E_WARNING_ALERT_RECEIVED)
        snprintf(c->detail, sizeof(c->detail), "%s: server sent alert '%s'", what,
                 gnutls_alert_get_name(gnutls_alert_get(c->session)));
    else if ((r == GNUTLS_E_PULL_ERROR || r == GNUTLS_E_PUSH_ERROR) && c->has_lower &&
             c->lower.detail[0])
        snprintf(c->detail, sizeof(c->detail), "%s: %.200s", what, c->lower.detail);
    else if ((r == GNUTLS_E_PULL_ERROR || r == GNUTLS_E_PUSH_ERROR) && c->last_errno)
        snprintf(c->detail, sizeof(c->detail), "%s: %s", what, strerror(c->last_errno));
    else
        snprintf(c->detail, sizeof(c->detail), "%s: %s", what, gnutls_strerror(r));
}

static int handshake_failed(struct tls_conn *c, int r)
{
    if (r == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR || r == GNUTLS_E_CERTIFICATE_ERROR) {
        unsigned status = c->verify_done ? c->facts.verify_status : GNUTLS_CERT_INVALID;
        c->facts.verify_status = status;
        tls_verify_text(status, c->facts.verify, sizeof(c->facts.verify));
        snprintf(c->detail, sizeof(c->detail), "certificate for '%s' not accepted: %s", c->host,
                 c->facts.verify);
        return conn_fail(c, H2E_CERT_VERIFY, "server certificate not verified (RFC 9110 §4.3.4)");
    }
    error_detail(c, "TLS handshake failed", r);
    return conn_fail(c, H2E_TLS_HANDSHAKE, "TLS handshake failed");
}

static short direction(const struct tls_conn *c)
{
    return gnutls_record_get_direction(c->session) ? POLLOUT : POLLIN;
}

int tls_conn_handshake(struct tls_conn *c)
{
    int i, r;

    if (c->failed)
        return c->info.code;
    if (c->handshake_done)
        return 0;
    for (i = 0; i < 16; i++) {
        r = gnutls_handshake(c->session);
        if (r == GNUTLS_E_SUCCESS)
            return handshake_done(c);
        if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
            c->rwait = direction(c);
            return H2E_INCOMPLETE;
        }
        if (gnutls_error_is_fatal(r))
            return handshake_failed(c, r);
        /* a warning alert: the handshake goes on */
    }
    c->rwait = POLLIN;
    return H2E_INCOMPLETE;
}

/* --- records -------------------------------------------------------------------------- */

/* What a record read that did not return bytes means: 0 at EOF, H2E_INCOMPLETE, an error,
 * or 1 when it should be tried again (an interruption, a warning alert). */
static int read_status(struct tls_conn *c, ssize_t r)
{
    if (r == 0 || r == GNUTLS_E_PREMATURE_TERMINATION) {
        c->eof = true;
        c->unclean = r != 0; /* EOF without close_notify: maybe truncated */
        c->rwait = 0;
        return 0;
    }
    if (r == GNUTLS_E_AGAIN) {
        c->rwait = direction(c);
        return H2E_INCOMPLETE;
    }
    if (r == GNUTLS_E_REHANDSHAKE) {
        snprintf(c->detail, sizeof(c->detail), "server asked for TLS renegotiation");
        /* RFC 9113 §9.2.1: renegotiation may be treated as PROTOCOL_ERROR. */
        return conn_fail(c, H2E_PROTOCOL, "TLS renegotiation refused (RFC 9113 §9.2.1)");
    }
    if (r == GNUTLS_E_INTERRUPTED || !gnutls_error_is_fatal((int)r))
        return 1;
    error_detail(c, "TLS receive failed", (int)r);
    return conn_fail(c, H2E_RECV, "TLS receive failed");
}

int tls_conn_read(struct tls_conn *c, void *p, size_t n)
{
    int i, st;

    drop_packet(c);
    if (c->failed)
        return c->info.code;
    if (c->eof)
        return 0;
    if (n > INT32_MAX)
        n = INT32_MAX;
    for (i = 0; i < 16; i++) {
        ssize_t r = gnutls_record_recv(c->session, p, n);
        if (r > 0) {
            c->rwait = 0;
            return (int)r;
        }
        if ((st = read_status(c, r)) != 1)
            return st;
    }
    c->rwait = POLLIN;
    return H2E_INCOMPLETE;
}

int tls_conn_read_packet(struct tls_conn *c, const uint8_t **p)
{
    int i, st;

    drop_packet(c);
    if (c->failed)
        return c->info.code;
    if (c->eof)
        return 0;
    for (i = 0; i < 16; i++) {
        ssize_t r = gnutls_record_recv_packet(c->session, &c->packet);
        if (r > 0 && c->packet) {
            gnutls_datum_t d;
            gnutls_packet_get(c->packet, &d, NULL);
            c->rwait = 0;
            *p = d.data;
            return (int)d.size; /* a record: at most 2^14 octets plus what GnuTLS allows */
        }
        drop_packet(c);
        if (r > 0) /* a record with nothing in it */
            continue;
        if ((st = read_status(c, r)) != 1)
            return st;
    }
    c->rwait = POLLIN;
    return H2E_INCOMPLETE;
}

int tls_conn_write(struct tls_conn *c, const void *p, size_t n)
{
    ssize_t r;

    if (c->failed)
        return c->info.code;
    if (n == 0 && !c->wpending)
        return 0;
    do {
        /* GnuTLS: a send interrupted by EAGAIN is resumed with NULL/0 (or the same data). */
        if (c->wpending)
            r = gnutls_record_send(c->session, NULL, 0);
        else
            r = gnutls_record_send(c->session, p, n > INT32_MAX ? INT32_MAX : n);
    } while (r == GNUTLS_E_INTERRUPTED);
    if (r >= 0) {
        c->wpending = 0;
        c->wwait = 0;
        return (int)r;
    }
    if (r == GNUTLS_E_AGAIN) {
        if (!c->wpending)
            c->wpending = n;
        c->wwait = direction(c);
        return H2E_INCOMPLETE;
    }
    error_detail(c, "TLS send failed", (int)r);
    return conn_fail(c, H2E_SEND, "TLS send failed");
}

size_t tls_conn_record_size(const struct tls_conn *c)
{
    return c->session && !c->failed ? gnutls_record_get_max_size(c->session) : 0;
}

size_t tls_conn_pending(const struct tls_conn *c)
{
    size_t below = c->has_lower ? io_pending(&c->lower) : 0;

    if (!c->session || c->failed)
        return 0;
    return gnutls_record_check_pending(c->session) + (c->ra_len - c->ra_off) + below;
}

short tls_conn_events(const struct tls_conn *c)
{
    short ev = (short)(c->rwait | (c->wpending ? (c->wwait ? c->wwait : POLLOUT) : 0));

    /* inside a tunnel, the socket waits for what the transport below needs */
    return c->has_lower ? (short)(ev | io_poll_events(&c->lower)) : ev;
}

int tls_conn_bye(struct tls_conn *c)
{
    int r;

    if (c->failed)
        return c->info.code;
    do
        r = gnutls_bye(c->session, GNUTLS_SHUT_WR);
    while (r == GNUTLS_E_INTERRUPTED);
    if (r == 0) {
        c->rwait = 0;
        return 0;
    }
    if (r == GNUTLS_E_AGAIN) {
        c->rwait = direction(c);
        return H2E_INCOMPLETE;
    }
    error_detail(c, "TLS close_notify failed", r);
    return conn_fail(c, H2E_SEND, "sending TLS close_notify failed");
}
