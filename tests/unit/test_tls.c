/* SPDX-License-Identifier: MIT */
/*
 * tls: our client against an in-process GnuTLS server over loopback TCP, both non-blocking
 * and stepped in turn by one thread. A CA, a second "unknown" CA and server certificates
 * (good, expired, DNS-SAN-only) are generated in memory once per run; the CA files live
 * in mkstemp files removed at exit. Covers the priority policy on the wire, ALPN results,
 * SNI, verification (chain, name, IP SAN, expiry, -k), versions, EOF kinds, resets, large
 * records, renegotiation, inadequate suites and key logging.
 */
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "net/io.h"
#include "net/tls.h"
#include "tap.h"

/* --- certificates ------------------------------------------------------------------- */

struct cert_spec {
    const char *cn;
    bool ca;
    long from; /* seconds relative to now */
    long to;
    const char *dns[3];
    const char *ip4; /* raw 4 bytes as a string literal, or NULL */
    bool ip6_loopback;
    const char *dn; /* a whole subject DN ("CN=a,O=b") instead of `cn` alone, or NULL */
};

struct pki {
    gnutls_x509_privkey_t ca_key, other_key, leaf_key;
    gnutls_x509_crt_t ca, other, good, expired, dns_ip, foreign;
    char ca_file[64], other_file[64], junk_file[64];
};

static struct pki *pki;

static gnutls_x509_privkey_t new_key(void)
{
    gnutls_x509_privkey_t k;

    gnutls_x509_privkey_init(&k);
    if (gnutls_x509_privkey_generate(k, GNUTLS_PK_ECDSA,
                                     GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0)
        tap_fail(__FILE__, __LINE__, "key generation failed");
    return k;
}

static void add_sans(gnutls_x509_crt_t crt, const struct cert_spec *s)
{
    static const unsigned char lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    size_t i;

    for (i = 0; i < 3 && s->dns[i]; i++)
        gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, s->dns[i],
                                             (unsigned)strlen(s->dns[i]), GNUTLS_FSAN_APPEND);
    if (s->ip4)
        gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, s->ip4, 4,
                                             GNUTLS_FSAN_APPEND);
    if (s->ip6_loopback)
        gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, lo6, 16,
                                             GNUTLS_FSAN_APPEND);
}

static gnutls_x509_crt_t make_cert(const struct cert_spec *s, gnutls_x509_privkey_t key,
                                   gnutls_x509_crt_t issuer, gnutls_x509_privkey_t ikey)
{
    static unsigned serial = 1;
    gnutls_x509_crt_t crt;
    unsigned char ser[4] = {0, 0, 0, (unsigned char)serial++};
    time_t now = time(NULL);

    gnutls_x509_crt_init(&crt);
    gnutls_x509_crt_set_version(crt, 3);
    gnutls_x509_crt_set_serial(crt, ser, sizeof(ser));
    gnutls_x509_crt_set_activation_time(crt, now + s->from);
    gnutls_x509_crt_set_expiration_time(crt, now + s->to);
    if (s->dn)
        gnutls_x509_crt_set_dn(crt, s->dn, NULL);
    else
        gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, s->cn,
                                      (unsigned)strlen(s->cn));
    gnutls_x509_crt_set_key(crt, key);
    gnutls_x509_crt_set_basic_constraints(crt, s->ca, -1);
    if (s->ca) {
        gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN);
    } else {
        gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
        gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0);
        add_sans(crt, s);
    }
    if (gnutls_x509_crt_sign2(crt, issuer ? issuer : crt, ikey, GNUTLS_DIG_SHA256, 0) < 0)
        tap_fail(__FILE__, __LINE__, "signing %s failed", s->cn);
    return crt;
}

static void write_tmp(char *path, const void *p, size_t n)
{
    int fd;

    snprintf(path, 64, "/tmp/h2get-test-XXXXXX");
    fd = mkstemp(path);
    if (fd < 0 || write(fd, p, n) != (ssize_t)n)
        tap_fail(__FILE__, __LINE__, "cannot write %s", path);
    if (fd >= 0)
        close(fd);
}

static void write_pem(char *path, gnutls_x509_crt_t crt)
{
    gnutls_datum_t d;

    gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &d);
    write_tmp(path, d.data, d.size);
    gnutls_free(d.data);
}

static void make_pki(void)
{
    static const struct cert_spec ca = {"h2get test CA", true, -3600, 86400, {NULL}, NULL, 0};
    static const struct cert_spec other = {"other CA", true, -3600, 86400, {NULL}, NULL, 0};
    static const struct cert_spec good = {
        "localhost",    false, -3600, 86400, {"localhost", "test.example", NULL},
        "\x7f\0\0\x01", true};
    static const struct cert_spec expired = {"localhost",         false,          -172800, -86400,
                                             {"localhost", NULL}, "\x7f\0\0\x01", true};
    static const struct cert_spec dns_ip = {"127.0.0.1",         false, -3600, 86400,
                                            {"127.0.0.1", NULL}, NULL,  false};

    if (pki)
        return;
    pki = calloc(1, sizeof(*pki));
    pki->ca_key = new_key();
    pki->other_key = new_key();
    pki->leaf_key = new_key();
    pki->ca = make_cert(&ca, pki->ca_key, NULL, pki->ca_key);
    pki->other = make_cert(&other, pki->other_key, NULL, pki->other_key);
    pki->good = make_cert(&good, pki->leaf_key, pki->ca, pki->ca_key);
    pki->expired = make_cert(&expired, pki->leaf_key, pki->ca, pki->ca_key);
    pki->dns_ip = make_cert(&dns_ip, pki->leaf_key, pki->ca, pki->ca_key);
    pki->foreign = make_cert(&good, pki->leaf_key, pki->other, pki->other_key);
    write_pem(pki->ca_file, pki->ca);
    write_pem(pki->other_file, pki->other);
    write_tmp(pki->junk_file, "-----BEGIN CERTIFICATE-----\nnot base64 !!\n", 42);
}

__attribute__((destructor)) static void free_pki(void)
{
    if (!pki)
        return;
    unlink(pki->ca_file);
    unlink(pki->other_file);
    unlink(pki->junk_file);
    gnutls_x509_crt_deinit(pki->ca);
    gnutls_x509_crt_deinit(pki->other);
    gnutls_x509_crt_deinit(pki->good);
    gnutls_x509_crt_deinit(pki->expired);
    gnutls_x509_crt_deinit(pki->dns_ip);
    gnutls_x509_crt_deinit(pki->foreign);
    gnutls_x509_privkey_deinit(pki->ca_key);
    gnutls_x509_privkey_deinit(pki->other_key);
    gnutls_x509_privkey_deinit(pki->leaf_key);
    free(pki);
    pki = NULL;
}

/* --- an in-process server --------------------------------------------------------------- */

struct srv {
    gnutls_certificate_credentials_t cred;
    gnutls_session_t s;
    gnutls_datum_t alpn[2];
    int fd;
    bool done;
    int rc;
};

/* A connected loopback TCP pair, both ends non-blocking. */
static void tcp_pair(int *cli, int *srvfd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(l, (struct sockaddr *)&a, sizeof(a));
    listen(l, 4);
    getsockname(l, (struct sockaddr *)&a, &len);
    *cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(*cli, (struct sockaddr *)&a, sizeof(a)) != 0)
        tap_fail(__FILE__, __LINE__, "loopback connect: %s", strerror(errno));
    *srvfd = accept(l, NULL, NULL);
    close(l);
    fcntl(*cli, F_SETFL, O_NONBLOCK);
    fcntl(*srvfd, F_SETFL, O_NONBLOCK);
}

/* Server on `fd` with `cert`, GnuTLS priority `prio` (NULL: NORMAL), ALPN `a1`/`a2`. */
static void srv_start(struct srv *sv, int fd, gnutls_x509_crt_t cert, const char *prio,
                      const char *a1, const char *a2)
{
    unsigned n = 0;

    memset(sv, 0, sizeof(*sv));
    sv->fd = fd;
    gnutls_certificate_allocate_credentials(&sv->cred);
    gnutls_certificate_set_x509_key(sv->cred, &cert, 1, pki->leaf_key);
    gnutls_init(&sv->s, GNUTLS_SERVER | GNUTLS_NONBLOCK);
    if (gnutls_priority_set_direct(sv->s, prio ? prio : "NORMAL", NULL) < 0)
        tap_fail(__FILE__, __LINE__, "server priority '%s' rejected", prio);
    gnutls_credentials_set(sv->s, GNUTLS_CRD_CERTIFICATE, sv->cred);
    gnutls_transport_set_int(sv->s, fd);
    if (a1) {
        sv->alpn[n].data = (unsigned char *)a1;
        sv->alpn[n++].size = (unsigned)strlen(a1);
    }
    if (a2) {
        sv->alpn[n].data = (unsigned char *)a2;
        sv->alpn[n++].size = (unsigned)strlen(a2);
    }
    if (n)
        gnutls_alpn_set_protocols(sv->s, sv->alpn, n, GNUTLS_ALPN_SERVER_PRECEDENCE);
}

static void srv_free(struct srv *sv)
{
    gnutls_deinit(sv->s);
    gnutls_certificate_free_credentials(sv->cred);
    if (sv->fd >= 0)
        close(sv->fd);
}

static void wait2(int a, short ea, int b, short eb)
{
    struct pollfd p[2] = {{a, ea, 0}, {b, eb, 0}};

    poll(p, 2, 20);
}

static void srv_step(struct srv *sv)
{
    int r;

    if (sv->done)
        return;
    r = gnutls_handshake(sv->s);
    if (r == 0 || gnutls_error_is_fatal(r)) {
        sv->done = true;
        sv->rc = r;
    }
    if (r < 0 && gnutls_error_is_fatal(r))
        gnutls_alert_send_appropriate(sv->s, r); /* as a real server would */
}

/* Step client and server until the client's handshake ends (and the server's, if it can). */
static int handshake(struct tls_conn *c, struct srv *sv)
{
    int r = H2E_INCOMPLETE, i;

    for (i = 0; i < 500 && (r == H2E_INCOMPLETE || !sv->done); i++) {
        if (r == H2E_INCOMPLETE)
            r = tls_conn_handshake(c);
        srv_step(sv);
        if (r != H2E_INCOMPLETE && r != 0)
            break; /* the client gave up; the server may wait forever */
        wait2(c->fd, r == H2E_INCOMPLETE ? tls_conn_events(c) : 0, sv->fd, POLLIN);
    }
    return r;
}

/* Server-side send of all of `p`, polling as needed. */
static void srv_send(struct srv *sv, const void *p, size_t n)
{
    size_t off = 0;
    int i;

    for (i = 0; off < n && i < 1000; i++) {
        ssize_t r = gnutls_record_send(sv->s, (const char *)p + off, n - off);
        if (r > 0)
            off += (size_t)r;
        else if (r == GNUTLS_E_AGAIN)
            wait2(sv->fd, POLLOUT, -1, 0);
        else
            break;
    }
    if (off != n)
        tap_fail(__FILE__, __LINE__, "server sent %zu of %zu", off, n);
}

/* Server-side receive of `n` bytes; returns the count received. */
static int srv_recv(struct srv *sv, uint8_t *buf, size_t n)
{
    size_t got = 0;
    int i;

    for (i = 0; got < n && i < 200; i++) {
        ssize_t r = gnutls_record_recv(sv->s, buf + got, n - got);
        if (r > 0)
            got += (size_t)r;
        else if (r == GNUTLS_E_AGAIN)
            wait2(sv->fd, POLLIN, -1, 0);
        else
            break;
    }
    return (int)got;
}

/* Read at least `want` bytes (or to EOF/error) through the client; returns bytes or rc. */
static int cli_read(struct tls_conn *c, uint8_t *buf, size_t cap, size_t want)
{
    size_t got = 0;
    int i;

    for (i = 0; got < want && i < 500; i++) {
        int r = tls_conn_read(c, buf + got, cap - got);
        if (r > 0)
            got += (size_t)r;
        else if (r == H2E_INCOMPLETE)
            wait2(c->fd, tls_conn_events(c), -1, 0);
        else
            return got ? (int)got : r;
    }
    return (int)got;
}

struct pair {
    struct tls_ctx ctx;
    struct tls_conn c;
    struct srv sv;
    int ctx_rc;
};

/* One setup: client options `o`, server certificate/priority/ALPN, handshake to `host`. */
static int connect_pair(struct pair *p, const struct tls_opts *o, gnutls_x509_crt_t cert,
                        const char *prio, const char *host, const char *alpn)
{
    int cfd, sfd;

    make_pki();
    memset(p, 0, sizeof(*p));
    p->ctx_rc = tls_ctx_init(&p->ctx, o, NULL);
    if (p->ctx_rc != 0)
        tap_fail(__FILE__, __LINE__, "tls_ctx_init: %s", p->ctx.detail);
    tcp_pair(&cfd, &sfd);
    srv_start(&p->sv, sfd, cert, prio, alpn, alpn && !strcmp(alpn, "h2") ? "http/1.1" : NULL);
    if (tls_conn_start(&p->c, &p->ctx, cfd, host) != 0)
        tap_fail(__FILE__, __LINE__, "tls_conn_start failed");
    return handshake(&p->c, &p->sv);
}

static void pair_free(struct pair *p)
{
    tls_conn_release(&p->c);
    srv_free(&p->sv);
    tls_ctx_release(&p->ctx);
}

static struct tls_opts opts_ca(void)
{
    struct tls_opts o;

    make_pki();
    memset(&o, 0, sizeof(o));
    o.cacert = pki->ca_file;
    return o;
}

/* --- policy ----------------------------------------------------------------------------- */

static bool allowed_suite(unsigned id)
{
    static const unsigned ok[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02c,
                                  0xc02f, 0xc030, 0xcca8, 0xcca9};
    size_t i;

    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if (ok[i] == id)
            return true;
    return false;
}

/* The cipher suites of the ClientHello our client puts on the wire. */
static size_t wire_suites(const struct tls_opts *o, unsigned *out, size_t max)
{
    struct tls_ctx ctx;
    struct tls_conn c;
    uint8_t buf[4096];
    size_t got = 0, n = 0, off, cs_len, i;
    int cfd, sfd, k;

    CHECK_INT(tls_ctx_init(&ctx, o, NULL), 0);
    tcp_pair(&cfd, &sfd);
    CHECK_INT(tls_conn_start(&c, &ctx, cfd, "localhost"), 0);
    CHECK_INT(tls_conn_handshake(&c), H2E_INCOMPLETE);
    for (k = 0; k < 100 && (got < 5 || got < 5u + (buf[3] << 8 | buf[4])); k++) {
        ssize_t r = recv(sfd, buf + got, sizeof(buf) - got, 0);
        if (r > 0)
            got += (size_t)r;
        else
            wait2(sfd, POLLIN, -1, 0);
    }
    /* record(5) handshake(4) version(2) random(32) session_id(1+n) suites(2+n) */
    CHECK(got > 46 && buf[0] == 0x16 && buf[5] == 0x01);
    off = 5 + 4 + 2 + 32;
    off += 1 + buf[off];
    cs_len = (size_t)(buf[off] << 8 | buf[off + 1]);
    off += 2;
    for (i = 0; i + 1 < cs_len && off + i + 1 < got && n < max; i += 2)
        out[n++] = (unsigned)(buf[off + i] << 8 | buf[off + i + 1]);
    tls_conn_release(&c);
    close(sfd);
    tls_ctx_release(&ctx);
    return n;
}

TEST(test_tls_priority_offers_only_h2_suites)
{
    struct tls_opts o = opts_ca();
    unsigned suites[128];
    size_t n, i;
    bool has13 = false, has12 = false;

    n = wire_suites(&o, suites, 128);
    CHECK(n >= 4);
    for (i = 0; i < n; i++) {
        if (suites[i] == 0x00ff) /* TLS_EMPTY_RENEGOTIATION_INFO_SCSV: not a suite */
            continue;
        if (!allowed_suite(suites[i]))
            tap_fail(__FILE__, __LINE__, "ClientHello offers suite 0x%04x", suites[i]);
        has13 |= suites[i] == 0x1301;
        has12 |= suites[i] == 0xc02b;
    }
    CHECK(has13 && has12);
    o.min_version = TLS_VERSION_1_3;
    n = wire_suites(&o, suites, 128);
    CHECK(n >= 2);
    for (i = 0; i < n; i++)
        if (suites[i] != 0x00ff && (suites[i] >> 8) != 0x13)
            tap_fail(__FILE__, __LINE__, "TLS 1.3-only offers 0x%04x", suites[i]);
}

TEST(test_tls_priority_string_and_versions)
{
    struct tls_opts o = opts_ca();
    struct tls_ctx ctx;
    const unsigned *list;
    int n;

    CHECK_INT(tls_ctx_init(&ctx, &o, NULL), 0);
    CHECK_STR(ctx.priority, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:"
                            "+AES-256-GCM:+CHACHA20-POLY1305:-KX-ALL:+ECDHE-RSA:+ECDHE-ECDSA");
    n = gnutls_priority_protocol_list(ctx.prio, &list);
    CHECK_INT(n, 2);
    CHECK(n == 2 && list[0] == GNUTLS_TLS1_3 && list[1] == GNUTLS_TLS1_2);
    CHECK_INT(ctx.nalpn, 2);
    CHECK_MEM(ctx.alpn[0].data, ctx.alpn[0].size, "h2", 2);
    CHECK_MEM(ctx.alpn[1].data, ctx.alpn[1].size, "http/1.1", 8);
    tls_ctx_release(&ctx);
    o.max_version = TLS_VERSION_1_2;
    CHECK_INT(tls_ctx_init(&ctx, &o, NULL), 0);
    CHECK(strstr(ctx.priority, "TLS1.3") == NULL);
    tls_ctx_release(&ctx);
}

TEST(test_tls_h2_suite_rule)
{
    CHECK(tls_h2_suite_ok(GNUTLS_TLS1_2, GNUTLS_KX_ECDHE_RSA, GNUTLS_CIPHER_AES_128_GCM, 0));
    CHECK(
        tls_h2_suite_ok(GNUTLS_TLS1_2, GNUTLS_KX_ECDHE_ECDSA, GNUTLS_CIPHER_CHACHA20_POLY1305, 0));
    CHECK(!tls_h2_suite_ok(GNUTLS_TLS1_2, GNUTLS_KX_RSA, GNUTLS_CIPHER_AES_128_GCM, 0));
    CHECK(!tls_h2_suite_ok(GNUTLS_TLS1_2, GNUTLS_KX_ECDHE_RSA, GNUTLS_CIPHER_AES_128_CBC, 0));
    CHECK(!tls_h2_suite_ok(GNUTLS_TLS1_2, GNUTLS_KX_ECDHE_RSA, GNUTLS_CIPHER_NULL, 0));
    CHECK(!tls_h2_suite_ok(GNUTLS_TLS1_2, GNUTLS_KX_PSK, GNUTLS_CIPHER_AES_128_GCM, 0));
    CHECK(!tls_h2_suite_ok(GNUTLS_TLS1_2, GNUTLS_KX_DHE_RSA, GNUTLS_CIPHER_AES_128_GCM, 1024));
    CHECK(tls_h2_suite_ok(GNUTLS_TLS1_2, GNUTLS_KX_DHE_RSA, GNUTLS_CIPHER_AES_128_GCM, 2048));
    CHECK(tls_h2_suite_ok(GNUTLS_TLS1_3, GNUTLS_KX_UNKNOWN, GNUTLS_CIPHER_AES_128_GCM, 0));
    CHECK(!tls_h2_suite_ok(GNUTLS_TLS1_1, GNUTLS_KX_ECDHE_RSA, GNUTLS_CIPHER_AES_128_CBC, 0));
}

TEST(test_tls_verify_text)
{
    char buf[TLS_DETAIL_MAX];

    CHECK_STR(tls_verify_text(0, buf, sizeof(buf)), "ok");
    CHECK_STR(tls_verify_text(GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND, buf, sizeof(buf)),
              "certificate signer not found");
    CHECK_STR(
        tls_verify_text(GNUTLS_CERT_INVALID | GNUTLS_CERT_EXPIRED | GNUTLS_CERT_UNEXPECTED_OWNER,
                        buf, sizeof(buf)),
        "certificate expired, hostname mismatch");
    CHECK_STR(tls_verify_text(GNUTLS_CERT_INVALID, buf, sizeof(buf)), "certificate not trusted");
    CHECK_STR(tls_verify_text(GNUTLS_CERT_EXPIRED, buf, 8), "certifi");
}

/* --- options ---------------------------------------------------------------------------- */

TEST(test_tls_cacert_unreadable)
{
    struct tls_opts o = opts_ca();
    struct h2e_info info = H2E_INFO_INIT;
    struct tls_ctx ctx;
    char want[160];

    o.cacert = "/nonexistent/ca.pem";
    CHECK_INT(tls_ctx_init(&ctx, &o, &info), H2E_CACERT);
    CHECK_INT(h2e_exit(info.code), 77);
    CHECK(info.why != NULL);
    CHECK_STR(ctx.detail, "cannot read CA file '/nonexistent/ca.pem': No such file or directory");
    o.cacert = "/tmp";
    CHECK_INT(tls_ctx_init(&ctx, &o, &info), H2E_CACERT);
    CHECK_STR(ctx.detail, "cannot read CA file '/tmp': Is a directory");
    o.cacert = pki->junk_file;
    CHECK_INT(tls_ctx_init(&ctx, &o, &info), H2E_CACERT);
    snprintf(want, sizeof(want), "no valid CA certificate in '%s'", pki->junk_file);
    CHECK(strncmp(ctx.detail, want, strlen(want)) == 0);
    o.cacert = NULL;
    o.capath = "/nonexistent-dir";
    CHECK_INT(tls_ctx_init(&ctx, &o, &info), H2E_CACERT);
    CHECK(strncmp(ctx.detail, "no CA certificate loaded from '/nonexistent-dir'", 48) == 0);
}

TEST(test_tls_bad_options)
{
    struct tls_opts o = opts_ca();
    struct h2e_info info = H2E_INFO_INIT;
    struct tls_ctx ctx;

    o.priority = "NORMAL:+NO-SUCH-THING";
    CHECK_INT(tls_ctx_init(&ctx, &o, &info), H2E_USAGE);
    CHECK(strstr(ctx.detail, "NO-SUCH-THING") != NULL);
    o.priority = NULL;
    o.min_version = TLS_VERSION_1_3;
    o.max_version = TLS_VERSION_1_2;
    CHECK_INT(tls_ctx_init(&ctx, &o, &info), H2E_USAGE);
    o.min_version = o.max_version = TLS_VERSION_DEFAULT;
    o.alpn = "h2,,http/1.1";
    CHECK_INT(tls_ctx_init(&ctx, &o, &info), H2E_USAGE);
    o.alpn = "h2,";
    CHECK_INT(tls_ctx_init(&ctx, &o, &info), H2E_USAGE);
    o.alpn = "";
    CHECK_INT(tls_ctx_init(&ctx, &o, &info), 0);
    CHECK_INT(ctx.nalpn, 0);
    tls_ctx_release(&ctx);
    o.alpn = NULL;
    o.keylog = "/nonexistent/keys.log";
    CHECK_INT(tls_ctx_init(&ctx, &o, &info), H2E_WRITE);
    CHECK_STR(ctx.detail,
              "cannot open key log file '/nonexistent/keys.log': No such file or directory");
}

/* --- handshakes --------------------------------------------------------------------------- */

TEST(test_tls_handshake_ok_h2)
{
    struct tls_opts o = opts_ca();
    struct pair p;
    char sni[64];
    size_t len = sizeof(sni);
    unsigned type;

    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "localhost", "h2"), 0);
    CHECK(p.sv.done && p.sv.rc == 0);
    CHECK_INT(p.c.facts.alpn, TLS_ALPN_H2);
    CHECK_STR(p.c.facts.version, "TLS1.3");
    CHECK(p.c.facts.suite && strncmp(p.c.facts.suite, "TLS_", 4) == 0);
    CHECK(p.c.facts.verified);
    CHECK_STR(p.c.facts.verify, "ok");
    CHECK_STR(p.c.facts.subject, "CN=localhost");
    CHECK_STR(p.c.facts.issuer, "CN=h2get test CA");
    CHECK(p.c.facts.not_after > time(NULL));
    CHECK(p.c.facts.h2_suite_ok);
    CHECK(p.c.facts.sni_sent);
    CHECK_INT(gnutls_server_name_get(p.sv.s, sni, &len, &type, 0), 0);
    CHECK_STR(sni, "localhost");
    CHECK_INT(tls_conn_handshake(&p.c), 0); /* done stays done */
    pair_free(&p);
}

TEST(test_tls_alpn_results)
{
    struct tls_opts o = opts_ca();
    struct pair p;

    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "localhost", "http/1.1"), 0);
    CHECK_INT(p.c.facts.alpn, TLS_ALPN_HTTP11);
    CHECK_STR(tls_alpn_name(p.c.facts.alpn), "http/1.1");
    pair_free(&p);
    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "localhost", NULL), 0);
    CHECK_INT(p.c.facts.alpn, TLS_ALPN_NONE);
    CHECK_STR(tls_alpn_name(p.c.facts.alpn), "none");
    pair_free(&p);
    o.alpn = "http/1.1"; /* the server prefers h2 but we do not offer it */
    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "localhost", "h2"), 0);
    CHECK_INT(p.c.facts.alpn, TLS_ALPN_HTTP11);
    pair_free(&p);
}

TEST(test_tls_alpn_other_protocol_fails)
{
    struct tls_opts o = opts_ca();
    struct pair p;

    o.alpn = "h2,spdy/3";
    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "localhost", "spdy/3"), H2E_TLS_HANDSHAKE);
    CHECK_INT(h2e_exit(p.c.info.code), 35);
    CHECK(p.c.info.why != NULL);
    CHECK_STR(p.c.detail, "server selected ALPN protocol 'spdy/3'");
    CHECK_INT(tls_conn_handshake(&p.c), H2E_TLS_HANDSHAKE);
    pair_free(&p);
}

TEST(test_tls_ip_literal_no_sni_ip_san)
{
    struct tls_opts o = opts_ca();
    struct pair p;
    char sni[64];
    size_t len = sizeof(sni);
    unsigned type;

    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "127.0.0.1", "h2"), 0);
    CHECK(!p.c.facts.sni_sent);
    CHECK_INT(gnutls_server_name_get(p.sv.s, sni, &len, &type, 0),
              GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);
    CHECK(p.c.facts.verified);
    pair_free(&p);
    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "[::1]", "h2"), 0);
    CHECK(!p.c.facts.sni_sent);
    CHECK(p.c.facts.verified);
    pair_free(&p);
}

TEST(test_tls_ip_literal_mismatch)
{
    struct tls_opts o = opts_ca();
    struct pair p;

    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "127.0.0.2", "h2"), H2E_CERT_VERIFY);
    CHECK_STR(p.c.detail, "certificate for '127.0.0.2' not accepted: hostname mismatch");
    pair_free(&p);
    /* an IP literal is matched against IP SANs only, never a DNS SAN spelling it out */
    CHECK_INT(connect_pair(&p, &o, pki->dns_ip, NULL, "127.0.0.1", "h2"), H2E_CERT_VERIFY);
    CHECK_STR(p.c.detail, "certificate for '127.0.0.1' not accepted: hostname mismatch");
    pair_free(&p);
}

TEST(test_tls_unknown_ca)
{
    struct tls_opts o = opts_ca();
    struct pair p;

    CHECK_INT(connect_pair(&p, &o, pki->foreign, NULL, "localhost", "h2"), H2E_CERT_VERIFY);
    CHECK_INT(h2e_exit(p.c.info.code), 60);
    CHECK(p.c.info.why != NULL);
    CHECK_STR(p.c.detail, "certificate for 'localhost' not accepted: certificate signer not found");
    pair_free(&p);
    o.cacert = pki->other_file; /* the right chain, the wrong trust anchor */
    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "localhost", "h2"), H2E_CERT_VERIFY);
    CHECK(strstr(p.c.detail, "certificate signer not found") != NULL);
    pair_free(&p);
}

TEST(test_tls_hostname_mismatch)
{
    struct tls_opts o = opts_ca();
    struct pair p;

    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "other.example", "h2"), H2E_CERT_VERIFY);
    CHECK_STR(p.c.detail, "certificate for 'other.example' not accepted: hostname mismatch");
    pair_free(&p);
    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "test.example.", "h2"), 0);
    pair_free(&p);
}

TEST(test_tls_expired)
{
    struct tls_opts o = opts_ca();
    struct pair p;

    CHECK_INT(connect_pair(&p, &o, pki->expired, NULL, "localhost", "h2"), H2E_CERT_VERIFY);
    CHECK_STR(p.c.detail, "certificate for 'localhost' not accepted: certificate expired");
    pair_free(&p);
}

TEST(test_tls_insecure_accepts_everything)
{
    struct tls_opts o = opts_ca();
    struct pair p;

    o.insecure = true;
    CHECK_INT(connect_pair(&p, &o, pki->foreign, NULL, "localhost", "h2"), 0);
    CHECK(!p.c.facts.verified && p.c.facts.insecure);
    CHECK_STR(p.c.facts.verify, "certificate signer not found");
    CHECK_STR(p.c.facts.issuer, "CN=other CA");
    pair_free(&p);
    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "other.example", "h2"), 0);
    CHECK_STR(p.c.facts.verify, "hostname mismatch");
    pair_free(&p);
    CHECK_INT(connect_pair(&p, &o, pki->expired, NULL, "localhost", "h2"), 0);
    CHECK_STR(p.c.facts.verify, "certificate expired");
    CHECK_INT(p.c.facts.alpn, TLS_ALPN_H2);
    pair_free(&p);
}

TEST(test_tls_versions)
{
    static const char *tls12 = "NORMAL:-VERS-ALL:+VERS-TLS1.2";
    struct tls_opts o = opts_ca();
    struct pair p;

    CHECK_INT(connect_pair(&p, &o, pki->good, tls12, "localhost", "h2"), 0);
    CHECK_STR(p.c.facts.version, "TLS1.2");
    CHECK(p.c.facts.suite && strstr(p.c.facts.suite, "ECDHE") && strstr(p.c.facts.suite, "GCM"));
    CHECK(p.c.facts.h2_suite_ok);
    pair_free(&p);
    o.min_version = TLS_VERSION_1_3;
    CHECK_INT(connect_pair(&p, &o, pki->good, tls12, "localhost", "h2"), H2E_TLS_HANDSHAKE);
    CHECK_INT(h2e_exit(p.c.info.code), 35);
    CHECK_STR(p.c.detail, "TLS handshake failed: server sent alert 'Handshake failed'");
    pair_free(&p);
}

TEST(test_tls_server_closes_during_handshake)
{
    struct tls_opts o = opts_ca();
    struct tls_ctx ctx;
    struct tls_conn c;
    int cfd, sfd, r = H2E_INCOMPLETE, i;

    CHECK_INT(tls_ctx_init(&ctx, &o, NULL), 0);
    tcp_pair(&cfd, &sfd);
    CHECK_INT(tls_conn_start(&c, &ctx, cfd, "localhost"), 0);
    shutdown(sfd, SHUT_WR);
    for (i = 0; i < 100 && r == H2E_INCOMPLETE; i++) {
        r = tls_conn_handshake(&c);
        if (r == H2E_INCOMPLETE)
            wait2(cfd, tls_conn_events(&c), -1, 0);
    }
    CHECK_INT(r, H2E_TLS_HANDSHAKE);
    CHECK(c.info.why != NULL);
    CHECK_STR(c.detail, "TLS handshake failed: The TLS connection was non-properly terminated.");
    tls_conn_release(&c);
    close(sfd);
    tls_ctx_release(&ctx);
}

static int rcvlowat(int fd)
{
    int n = -1;
    socklen_t len = sizeof(n);

    CHECK_INT(getsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &n, &len), 0);
    return n;
}

static int no_read(struct io *io, void *p, size_t n)
{
    (void)io, (void)p, (void)n;
    return H2E_INCOMPLETE;
}

/* io_set_rcvlowat sets the mark on the socket the records arrive on: TLS's own, or the
 * transport's below TLS inside a tunnel; a transport that names no socket is left alone. */
TEST(test_tls_rcvlowat_reaches_the_socket_below)
{
    static const struct io_ops bare = {no_read};
    struct tls_opts o = opts_ca();
    struct tls_ctx ctx;
    struct tls_conn direct, inner;
    struct io io, lower, tun, other;
    int cfd, sfd, tfd, tsfd, ofd, osfd;

    CHECK_INT(tls_ctx_init(&ctx, &o, NULL), 0);
    tcp_pair(&cfd, &sfd);
    CHECK_INT(tls_conn_start(&direct, &ctx, cfd, "localhost"), 0);
    io_tls_init(&io, &direct);
    io_set_rcvlowat(&io, 262144);
    CHECK_INT(rcvlowat(cfd), 262144);
    io_set_rcvlowat(&io, 0); /* back to the kernel's default */
    CHECK_INT(rcvlowat(cfd), 1);

    tcp_pair(&tfd, &tsfd);
    io_tcp_init(&lower, tfd);
    CHECK_INT(tls_conn_start_io(&inner, &ctx, &lower, "localhost"), 0);
    io_tls_init(&tun, &inner);
    io_set_rcvlowat(&tun, 65536);
    CHECK_INT(rcvlowat(tfd), 65536);
    io_set_rcvlowat(&tun, 1);
    CHECK_INT(rcvlowat(tfd), 1);

    tcp_pair(&ofd, &osfd);
    io_init_ops(&other, &bare, ofd, NULL);
    io_set_rcvlowat(&other, 65536);
    CHECK_INT(rcvlowat(ofd), 1);

    io_close(&io);
    io_close(&tun);
    close(ofd);
    close(sfd);
    close(tsfd);
    close(osfd);
    tls_ctx_release(&ctx);
}

TEST(test_tls_inadequate_suite_with_h2)
{
    static const char *cbc =
        "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-CBC:-KX-ALL:+ECDHE-ECDSA";
    struct tls_opts o = opts_ca();
    struct pair p;

    o.priority = cbc; /* --tls-priority lets a user walk into it */
    CHECK_INT(connect_pair(&p, &o, pki->good, cbc, "localhost", "h2"), H2E_INADEQUATE_SECURITY);
    CHECK(p.c.handshake_done); /* usable to send GOAWAY(INADEQUATE_SECURITY) */
    CHECK(!p.c.facts.h2_suite_ok);
    CHECK_INT(h2e_wire(H2E_INADEQUATE_SECURITY), 0xc);
    CHECK(strstr(p.c.detail, "CBC") != NULL);
    pair_free(&p);
    CHECK_INT(connect_pair(&p, &o, pki->good, cbc, "localhost", "http/1.1"), 0);
    CHECK(!p.c.facts.h2_suite_ok);
    pair_free(&p);
}

/* --- records ---------------------------------------------------------------------------- */

TEST(test_tls_data_both_ways_and_clean_eof)
{
    struct tls_opts o = opts_ca();
    struct pair p;
    uint8_t buf[64];

    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "localhost", "h2"), 0);
    CHECK_INT(tls_conn_write(&p.c, "ping", 4), 4);
    CHECK_INT(srv_recv(&p.sv, buf, 4), 4);
    CHECK_MEM(buf, 4, "ping", 4);
    srv_send(&p.sv, "pong", 4);
    CHECK_INT(cli_read(&p.c, buf, sizeof(buf), 4), 4);
    CHECK_MEM(buf, 4, "pong", 4);
    CHECK_INT(gnutls_bye(p.sv.s, GNUTLS_SHUT_WR), 0);
    CHECK_INT(cli_read(&p.c, buf, sizeof(buf), 1), 0);
    CHECK(p.c.eof && !p.c.unclean);
    CHECK_INT(tls_conn_read(&p.c, buf, sizeof(buf)), 0);
    pair_free(&p);
}

TEST(test_tls_premature_eof)
{
    struct tls_opts o = opts_ca();
    struct pair p;
    uint8_t buf[64];

    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "localhost", "h2"), 0);
    srv_send(&p.sv, "partial", 7);
    close(p.sv.fd); /* no close_notify */
    p.sv.fd = -1;
    CHECK_INT(cli_read(&p.c, buf, sizeof(buf), 7), 7);
    CHECK_INT(cli_read(&p.c, buf, sizeof(buf), 1), 0);
    CHECK(p.c.eof && p.c.unclean);
    pair_free(&p);
}

TEST(test_tls_tcp_reset)
{
    struct tls_opts o = opts_ca();
    struct pair p;
    struct linger lg = {1, 0};
    uint8_t buf[64];
    int r;

    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "localhost", "h2"), 0);
    CHECK_INT(tls_conn_write(&p.c, "unread", 6), 6);
    usleep(20000);
    setsockopt(p.sv.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(p.sv.fd); /* RST */
    p.sv.fd = -1;
    r = cli_read(&p.c, buf, sizeof(buf), 1);
    CHECK_INT(r, H2E_RECV);
    CHECK_INT(h2e_exit(r), 56);
    CHECK(p.c.info.why != NULL);
    CHECK_STR(p.c.detail, "TLS receive failed: Connection reset by peer");
    pair_free(&p);
}

TEST(test_tls_record_larger_than_read)
{
    struct tls_opts o = opts_ca();
    struct pair p;
    static uint8_t big[16384], got[16384];
    size_t i, off = 0;
    int r;

    for (i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 7 + 3);
    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "localhost", "h2"), 0);
    srv_send(&p.sv, big, sizeof(big)); /* one full-size record */
    r = cli_read(&p.c, got, 1000, 1);
    CHECK_INT(r, 1000);
    off = r > 0 ? (size_t)r : 0;
    CHECK_INT(tls_conn_pending(&p.c), sizeof(big) - 1000);
    while (off < sizeof(big) && tls_conn_pending(&p.c) > 0) {
        size_t want = sizeof(big) - off < 1000 ? sizeof(big) - off : 1000;
        r = tls_conn_read(&p.c, got + off, want); /* no poll: the bytes are inside GnuTLS */
        if (r <= 0)
            break;
        off += (size_t)r;
    }
    CHECK_INT(off, sizeof(big));
    CHECK_MEM(got, off, big, sizeof(big));
    CHECK_INT(tls_conn_pending(&p.c), 0);
    pair_free(&p);
}

/* Writes larger than the socket takes: H2E_INCOMPLETE, then resumed with the same bytes. */
TEST(test_tls_write_backpressure)
{
    struct tls_opts o = opts_ca();
    struct pair p;
    static uint8_t data[1 << 20], recvd[1 << 20];
    size_t sent = 0, got = 0, i;
    int blocked = 0, rounds, small = 16384;

    for (i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i ^ (i >> 8));
    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "localhost", "h2"), 0);
    setsockopt(p.c.fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    setsockopt(p.sv.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    for (rounds = 0; rounds < 20000 && got < sizeof(data); rounds++) {
        bool moved = false;
        if (sent < sizeof(data)) {
            int r = tls_conn_write(&p.c, data + sent, sizeof(data) - sent);
            if (r > 0) {
                sent += (size_t)r;
                moved = true;
            } else if (r == H2E_INCOMPLETE) {
                blocked++;
                CHECK(tls_conn_events(&p.c) & POLLOUT);
            } else {
                break;
            }
        }
        if (blocked > 0 || sent == sizeof(data)) { /* drain only once the writer hit EAGAIN */
            ssize_t r = gnutls_record_recv(p.sv.s, recvd + got, sizeof(recvd) - got);
            if (r > 0) {
                got += (size_t)r;
                moved = true;
            }
        }
        if (!moved)
            wait2(p.c.fd, sent < sizeof(data) ? POLLOUT : 0, p.sv.fd, POLLIN);
    }
    CHECK(blocked > 0);
    CHECK_INT(sent, sizeof(data));
    CHECK_INT(got, sizeof(data));
    CHECK_MEM(recvd, got, data, sizeof(data));
    pair_free(&p);
}

TEST(test_tls_renegotiation_refused)
{
    struct tls_opts o = opts_ca();
    struct pair p;
    uint8_t buf[64];
    int r;

    CHECK_INT(connect_pair(&p, &o, pki->good, "NORMAL:-VERS-ALL:+VERS-TLS1.2", "localhost", "h2"),
              0);
    CHECK_INT(gnutls_rehandshake(p.sv.s), 0); /* HelloRequest */
    r = cli_read(&p.c, buf, sizeof(buf), 1);
    CHECK_INT(r, H2E_PROTOCOL);
    CHECK(p.c.info.why != NULL);
    CHECK_STR(p.c.detail, "server asked for TLS renegotiation");
    pair_free(&p);
}

TEST(test_tls_bye)
{
    struct tls_opts o = opts_ca();
    struct pair p;
    uint8_t buf[16];
    int r = H2E_INCOMPLETE, i;
    ssize_t s = GNUTLS_E_AGAIN;

    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "localhost", "h2"), 0);
    for (i = 0; i < 100 && r == H2E_INCOMPLETE; i++)
        r = tls_conn_bye(&p.c);
    CHECK_INT(r, 0);
    for (i = 0; i < 100 && (s == GNUTLS_E_AGAIN || s > 0); i++) {
        s = gnutls_record_recv(p.sv.s, buf, sizeof(buf));
        if (s == GNUTLS_E_AGAIN)
            wait2(p.sv.fd, POLLIN, -1, 0);
    }
    CHECK_INT(s, 0); /* the server saw close_notify */
    pair_free(&p);
}

/* --- key logging --------------------------------------------------------------------------- */

/* True when `path` has a line "LABEL <64 hex> <hex of 2*secret bytes>". */
static bool has_keylog_line(const char *path, const char *label, size_t secret_len)
{
    size_t n, llen = strlen(label);
    uint8_t *text = tap_read_file(path, &n);
    const char *line;
    bool found = false;

    if (!text)
        return false;
    text = realloc(text, n + 1);
    text[n] = '\0';
    for (line = (char *)text; line && *line && !found; line = strchr(line, '\n')) {
        if (*line == '\n')
            line++;
        found = strncmp(line, label, llen) == 0 && line[llen] == ' ' &&
                strspn(line + llen + 1, "0123456789abcdef") == 64 && line[llen + 65] == ' ' &&
                strspn(line + llen + 66, "0123456789abcdef") == secret_len * 2;
    }
    free(text);
    return found;
}

TEST(test_tls_keylog_file)
{
    struct tls_opts o = opts_ca();
    struct pair p;
    char path[64];

    write_tmp(path, "", 0);
    o.keylog = path;
    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "localhost", "h2"), 0);
    pair_free(&p);
    CHECK(has_keylog_line(path, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", 32));
    CHECK(has_keylog_line(path, "SERVER_TRAFFIC_SECRET_0", 32));
    CHECK(has_keylog_line(path, "CLIENT_TRAFFIC_SECRET_0", 32));
    CHECK_INT(connect_pair(&p, &o, pki->good, "NORMAL:-VERS-ALL:+VERS-TLS1.2", "localhost", "h2"),
              0);
    pair_free(&p);
    CHECK(has_keylog_line(path, "CLIENT_RANDOM", 48));
    unlink(path);
}

/*
 * SSLKEYLOGFILE is read by GnuTLS once per process, so the check runs in a fresh process:
 * this test re-executes the runner for itself with the variable set, and with --keylog
 * too, to show that our key log chains to GnuTLS's instead of replacing it.
 */
TEST(test_tls_sslkeylogfile_env)
{
    char env_file[64], opt_file[64], self[4096];
    struct tls_opts o;
    struct pair p;
    ssize_t n;
    pid_t pid;
    int status = -1;

    if (getenv("H2GET_TEST_KEYLOG_CHILD")) {
        o = opts_ca();
        o.keylog = getenv("H2GET_TEST_KEYLOG_CHILD");
        CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "localhost", "h2"), 0);
        pair_free(&p);
        return;
    }
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        tap_skip("cannot find the test binary to re-run it");
        return;
    }
    self[n] = '\0';
    write_tmp(env_file, "", 0);
    write_tmp(opt_file, "", 0);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        setenv("SSLKEYLOGFILE", env_file, 1);
        setenv("H2GET_TEST_KEYLOG_CHILD", opt_file, 1);
        execl(self, self, "test_tls_sslkeylogfile_env", (char *)NULL);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(has_keylog_line(env_file, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", 32));
    CHECK(has_keylog_line(opt_file, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", 32));
    unlink(env_file);
    unlink(opt_file);
}

/* --- io over TLS ------------------------------------------------------------------------- */

TEST(test_tls_io_vtable)
{
    struct tls_opts o = opts_ca();
    struct pair p;
    struct io io;
    uint8_t buf[64];
    char desc[128];
    int r = H2E_INCOMPLETE, i;

    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "localhost", "h2"), 0);
    io_tls_init(&io, &p.c);
    CHECK_INT(io_describe(&io, desc, sizeof(desc)), strlen(desc));
    CHECK(strncmp(desc, "tls TLS1.3 h2 127.0.0.1:", 24) == 0);
    CHECK_INT((int)io_write_unit(&io), 16384); /* RFC 8446 §5.1: one record's plaintext */
    CHECK_INT(io_write(&io, "hello", 5), 5);
    CHECK_INT(io_poll_events(&io), 0);
    srv_send(&p.sv, "world!", 6);
    CHECK_INT(srv_recv(&p.sv, buf, 5), 5);
    CHECK_MEM(buf, 5, "hello", 5);
    for (i = 0; i < 100 && r == H2E_INCOMPLETE; i++) {
        r = io_read(&io, buf, 3);
        if (r == H2E_INCOMPLETE) {
            CHECK(io_poll_events(&io) & POLLIN);
            wait2(io.fd, POLLIN, -1, 0);
        }
    }
    CHECK_INT(r, 3);
    CHECK_INT(io_pending(&io), 3);
    CHECK_INT(io_read(&io, buf + 3, sizeof(buf) - 3), 3);
    CHECK_MEM(buf, 6, "world!", 6);
    CHECK_INT(io_read(&io, buf, 0), H2E_INCOMPLETE);
    close(p.sv.fd); /* FIN without close_notify (nothing unread, so no RST) */
    p.sv.fd = -1;
    for (i = 0, r = H2E_INCOMPLETE; i < 100 && r == H2E_INCOMPLETE; i++) {
        r = io_read(&io, buf, sizeof(buf));
        if (r == H2E_INCOMPLETE)
            wait2(io.fd, POLLIN, -1, 0);
    }
    CHECK_INT(r, 0);
    CHECK(io.eof && io.unclean);
    io_close(&io);
    CHECK_INT(p.c.fd, -1);
    CHECK(p.c.session == NULL);
    pair_free(&p); /* safe after io_close */
}

TEST(test_tls_io_error_detail)
{
    struct tls_opts o = opts_ca();
    struct pair p;
    struct linger lg = {1, 0};
    struct io io;
    uint8_t buf[64];
    int r = H2E_INCOMPLETE, i;

    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, "localhost", "h2"), 0);
    io_tls_init(&io, &p.c);
    CHECK_INT(io_write(&io, "x", 1), 1);
    usleep(20000);
    setsockopt(p.sv.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(p.sv.fd);
    p.sv.fd = -1;
    for (i = 0; i < 100 && r == H2E_INCOMPLETE; i++) {
        r = io_read(&io, buf, sizeof(buf));
        if (r == H2E_INCOMPLETE)
            wait2(io.fd, POLLIN, -1, 0);
    }
    CHECK_INT(r, H2E_RECV);
    CHECK_INT(io.info.code, H2E_RECV);
    CHECK(io.info.why != NULL);
    CHECK_STR(io.detail, "TLS receive failed: Connection reset by peer");
    io_close(&io);
    pair_free(&p);
}

/* --- nothing cut --------------------------------------------------------------------- */

/* Every verification problem at once fits facts.verify (TLS_VERIFY_MAX). */
TEST(test_tls_verify_text_all_fit)
{
    char big[4096], fixed[TLS_VERIFY_MAX];

    tls_verify_text(~0u, big, sizeof(big));
    CHECK(strlen(big) + 1 < sizeof(fixed));
    CHECK_STR(tls_verify_text(~0u, fixed, sizeof(fixed)), big);
    CHECK(strstr(big, "OCSP status invalid") != NULL);
}

/* A long subject DN (server-controlled) is kept whole, escaped; it used to stop at 255. */
TEST(test_tls_long_subject_whole)
{
    struct tls_opts o = opts_ca();
    struct cert_spec spec = {"localhost",         false, -3600, 86400,
                             {"localhost", NULL}, NULL,  false, NULL};
    char dn[640], want[601];
    gnutls_x509_crt_t crt;
    struct pair p;

    memset(want, 'o', 600);
    want[600] = 0;
    snprintf(dn, sizeof(dn), "CN=localhost,O=%s", want);
    spec.dn = dn;
    crt = make_cert(&spec, pki->leaf_key, pki->ca, pki->ca_key);
    CHECK_INT(connect_pair(&p, &o, crt, NULL, "localhost", "h2"), 0);
    CHECK_STR(p.c.facts.subject, dn);
    CHECK_STR(p.c.facts.issuer, "CN=h2get test CA");
    pair_free(&p);
    CHECK(p.c.facts.subject == NULL);
    gnutls_x509_crt_deinit(crt);
}

/* The host name is named whole when its certificate is refused (it was cut at 64). */
TEST(test_tls_long_host_in_verify_message)
{
    struct tls_opts o = opts_ca();
    char host[200], want[300];
    struct pair p;
    size_t i;

    for (i = 0; i + 2 < sizeof(host); i += 2)
        memcpy(host + i, "a.", 2);
    memcpy(host + i - 2, "ex", 2);
    host[i] = 0;
    CHECK_INT(connect_pair(&p, &o, pki->good, NULL, host, "h2"), H2E_CERT_VERIFY);
    snprintf(want, sizeof(want), "certificate for '%s' not accepted: hostname mismatch", host);
    CHECK_STR(p.c.detail, want);
    pair_free(&p);
}

/* A CA file path the system accepts is named whole; a longer one is refused saying so. */
TEST(test_tls_long_paths)
{
    struct tls_opts o = opts_ca();
    struct h2e_info info = H2E_INFO_INIT;
    struct tls_ctx ctx;
    char *path = malloc(PATH_MAX + 1), *want = malloc(PATH_MAX + 128);
    size_t i;

    memcpy(path, "/nonexistent-h2get", 18);
    for (i = 18; i < 3000; i += 2)
        memcpy(path + i, "/d", 2);
    path[i] = 0;
    o.cacert = path;
    CHECK_INT(tls_ctx_init(&ctx, &o, &info), H2E_CACERT);
    snprintf(want, PATH_MAX + 128, "cannot read CA file '%s': No such file or directory", path);
    CHECK_STR(ctx.detail, want);
    memset(path, 'p', PATH_MAX);
    path[PATH_MAX] = 0;
    CHECK_INT(tls_ctx_init(&ctx, &o, &info), H2E_CACERT);
    snprintf(want, PATH_MAX + 128, "CA file path of %d bytes is too long (PATH_MAX is %d)",
             PATH_MAX, PATH_MAX);
    CHECK_STR(ctx.detail, want);
    o.cacert = pki->ca_file;
    o.keylog = path;
    CHECK_INT(tls_ctx_init(&ctx, &o, &info), H2E_WRITE);
    snprintf(want, PATH_MAX + 128, "key log file path of %d bytes is too long (PATH_MAX is %d)",
             PATH_MAX, PATH_MAX);
    CHECK_STR(ctx.detail, want);
    free(path);
    free(want);
}
