/* SPDX-License-Identifier: MIT */
/*
 * TLS client sessions over GnuTLS for h2get: credentials and trust (system store,
 * --cacert, --capath, -k), the version and cipher-suite policy of ../shared/PROMISES.md
 * (TLS 1.2/1.3 only; for 1.2 only ECDHE with AEAD, nothing from RFC 9113 Appendix A), SNI
 * for DNS names only (RFC 6066 §3), ALPN (RFC 7301), certificate and host/IP checks,
 * non-blocking handshake, record I/O and close_notify through our own push/pull hooks, and
 * NSS key logging. Knows nothing of HTTP beyond the ALPN names and RFC 9113 §9.2.
 */
#ifndef H2GET_TLS_H
#define H2GET_TLS_H

#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "base/err.h"
#include "base/limits.h"
#include "io.h"
#include "trust.h"

/* Room for the longest message: a path the system accepts (a CA file, the key log;
 * shorter than PATH_MAX, longer ones are refused before they are quoted) with words and
 * GnuTLS's or errno's text; or a host name (TLS_HOST_MAX) and the verify text. */
#define TLS_DETAIL_MAX (PATH_MAX + 256)
/* Room for every verification problem of tls_verify_text at once (a test checks it). */
#define TLS_VERIFY_MAX 512
#define TLS_HOST_MAX 256
#define TLS_PRIORITY_MAX 512

/*
 * The built-in priority string when `--tls-priority` is not given; VERS-TLS1.3/1.2 are
 * added according to the version range. RFC 9113 §9.2.2: TLS 1.2 suites with ephemeral
 * key exchange and AEAD only. Checked by test_tls_priority_offers_only_h2_suites.
 */
#define TLS_PRIORITY_BASE                                                                          \
    "NORMAL:-VERS-ALL%s%s:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:"               \
    "-KX-ALL:+ECDHE-RSA:+ECDHE-ECDSA"

enum tls_version {
    TLS_VERSION_DEFAULT = 0, /* minimum 1.2, maximum 1.3 */
    TLS_VERSION_1_2,
    TLS_VERSION_1_3,
};

/* What the command line says about TLS; every pointer is borrowed for tls_ctx_init. */
struct tls_opts {
    const char *cacert;           /* --cacert FILE: replaces the system trust store */
    const char *capath;           /* --capath DIR: replaces it too (both may be given) */
    bool insecure;                /* -k: no verification; the caller prints the warning */
    enum tls_version min_version; /* --tlsv1.2 (default) / --tlsv1.3 */
    enum tls_version max_version; /* --tls-max; default 1.3 */
    const char *alpn;             /* comma list; NULL = "h2,http/1.1", "" = no ALPN */
    const char *priority;         /* --tls-priority: used verbatim instead of the above */
    const char *keylog;           /* --keylog FILE (NSS key-log format), or NULL */
    const char *cert_dir;         /* hashed anchors (SSL_CERT_DIR), NULL: /etc/ssl/certs */
    const char *cert_file;        /* the whole store (SSL_CERT_FILE), NULL: GnuTLS's own */
};

/*
 * Shared by every connection of a run. `priority` is the string in use (for -v);
 * `detail` says why tls_ctx_init failed. SSLKEYLOGFILE needs nothing from us: GnuTLS
 * installs its own key-log function on every session (gnutls_init) and writes to that file
 * itself; with --keylog we chain to it, so both files get the secrets.
 */
struct tls_ctx {
    gnutls_certificate_credentials_t cred;
    gnutls_priority_t prio;
    gnutls_datum_t alpn[LIMIT_ALPN_PROTOCOLS];
    unsigned nalpn;
    char alpn_names[LIMIT_ALPN_PROTOCOLS * 256];
    bool insecure;
    struct trust_store trust; /* the system store, anchor by anchor (unless --cacert...) */
    FILE *keylog;
    char priority[TLS_PRIORITY_MAX];
    char detail[TLS_DETAIL_MAX];
};

enum tls_alpn {
    TLS_ALPN_NONE = 0, /* server selected nothing: HTTP/1.1 (said in -v) */
    TLS_ALPN_H2,
    TLS_ALPN_HTTP11,
};

/*
 * What the handshake settled, for -v, -w and the trace. The strings are static (GnuTLS's
 * names) or held here; `subject` and `issuer` are RFC 4514 DNs, whole, with every byte
 * outside 0x20-0x7e shown as \xNN (server-controlled text). `verified` is true when chain and
 * host name passed; `verify` is "ok" or the problems ("certificate expired, hostname
 * mismatch"), also filled with -k, where they are ignored.
 */
struct tls_facts {
    enum tls_alpn alpn;
    const char *version;
    const char *suite;
    const char *group;
    bool sni_sent;
    bool insecure;
    bool verified;
    unsigned verify_status;
    char verify[TLS_VERIFY_MAX];
    char *subject; /* whole, escaped; owned by the tls_conn (freed by tls_conn_release) */
    char *issuer;  /* likewise; both "" when the server sent no certificate */
    time_t not_before;
    time_t not_after;
    bool h2_suite_ok;
    unsigned trust_anchors; /* read by issuer hash for the run so far (lazy system store) */
    bool trust_full;        /* the whole system store had to be loaded */
    bool trust_lazy;        /* the system store was opened anchor by anchor */
};

/* Encrypted bytes read from the socket ahead of GnuTLS: it asks for a record header, then
 * the record, one recv() each; a server that writes a small record per frame would cost
 * two system calls per frame. */
#define TLS_READAHEAD (64u * 1024u)

/*
 * One connection. Public fields are for reading: `facts` after the handshake, `eof` and
 * `unclean` (EOF without close_notify) after tls_conn_read returned 0, `info` and `detail`
 * after an error. GnuTLS keeps pointers into the struct: never move or copy it between
 * tls_conn_start and tls_conn_release.
 */
struct tls_conn {
    gnutls_session_t session;
    struct tls_ctx *ctx;
    int fd;
    char host[TLS_HOST_MAX];
    bool handshake_done;
    bool verify_done; /* facts.verify_status holds the chain's result */
    bool failed;
    bool eof;
    bool unclean;
    size_t wpending;
    short rwait;
    short wwait;
    int last_errno;
    gnutls_packet_t packet; /* the record tls_conn_read_packet handed out, until the next read */
    gnutls_keylog_func chained_keylog;
    struct tls_facts facts;
    struct h2e_info info;
    char detail[TLS_DETAIL_MAX];
    bool has_lower;        /* records go through `lower` instead of the socket (a tunnel) */
    struct io lower;       /* owned: closed by tls_conn_release */
    size_t ra_off, ra_len; /* unread bytes of `ra` are ra[ra_off .. ra_len) */
    unsigned char ra[TLS_READAHEAD];
};

/*
 * tls_ctx_init - credentials, trust anchors, priority and ALPN list from `o`. Returns 0;
 * H2E_CACERT (exit 77) when --cacert/--capath cannot be read or holds no certificate, or
 * the system store cannot be loaded (unless `insecure`); H2E_USAGE for a bad priority
 * string, version range or ALPN list; H2E_WRITE when the --keylog file cannot be opened;
 * H2E_NOMEM. On failure `ctx->detail` names the file or the problem and nothing is held.
 */
int tls_ctx_init(struct tls_ctx *ctx, const struct tls_opts *o, struct h2e_info *info);
/* tls_ctx_release - free what tls_ctx_init took; no connection may still use `ctx`. */
void tls_ctx_release(struct tls_ctx *ctx);

/*
 * tls_conn_start - a client session on connected, non-blocking socket `fd` (takes
 * ownership: closed by tls_conn_release, or at once on failure) for `host` (a DNS name or
 * an IP literal, brackets allowed). SNI is sent for names only (RFC 6066 §3); the
 * certificate is checked against `host` (IP literals against IP SANs) unless the context
 * is insecure. `ctx` is borrowed for the life of `c`. Returns 0, H2E_NOMEM or
 * H2E_TLS_HANDSHAKE (bad host name).
 */
int tls_conn_start(struct tls_conn *c, struct tls_ctx *ctx, int fd, const char *host);

/*
 * tls_conn_start_io - as tls_conn_start, but TLS records go through the transport `lower`
 * (moved in: the connection owns it from then on, whatever the result, and closes it in
 * tls_conn_release): TLS to an origin inside a proxy tunnel, itself TCP, TLS or an
 * HTTP/2 stream. Poll `lower->fd` (may be -1) for tls_conn_events; tls_conn_pending
 * counts what `lower` holds.
 */
int tls_conn_start_io(struct tls_conn *c, struct tls_ctx *ctx, const struct io *lower,
                      const char *host);

/*
 * tls_conn_handshake - advance the handshake. Returns 0 when done (read `c->facts`);
 * H2E_INCOMPLETE (poll for tls_conn_events); H2E_CERT_VERIFY (exit 60; `detail` has the
 * verification status, e.g. "certificate signer not found"); H2E_TLS_HANDSHAKE (exit 35;
 * `detail` has the GnuTLS error or alert, or the unexpected ALPN protocol);
 * H2E_INADEQUATE_SECURITY when h2 was selected over a TLS 1.2 suite that RFC 9113 §9.2.2
 * forbids (the session is usable to send GOAWAY).
 */
int tls_conn_handshake(struct tls_conn *c);

/*
 * tls_conn_read - up to `n` (> 0) decrypted bytes into `p`. Returns the count; 0 at EOF
 * (`unclean` tells whether close_notify was missing, GNUTLS_E_PREMATURE_TERMINATION);
 * H2E_INCOMPLETE; H2E_RECV (exit 56: TCP reset, bad record, fatal alert); H2E_PROTOCOL
 * when the server asks to renegotiate (RFC 9113 §9.2.1). Check tls_conn_pending before
 * waiting in poll: GnuTLS may hold decrypted bytes already.
 */
int tls_conn_read(struct tls_conn *c, void *p, size_t n);

/*
 * tls_conn_read_packet - the next decrypted record, in place (gnutls_record_recv_packet):
 * `*p` points at its bytes, valid until the next read on `c` or tls_conn_release; saves
 * the copy tls_conn_read makes. Returns the count (> 0) and the rest as tls_conn_read.
 */
int tls_conn_read_packet(struct tls_conn *c, const uint8_t **p);

/*
 * tls_conn_write - encrypt and send up to `n` bytes of `p` (at most one record). Returns
 * the count taken; H2E_INCOMPLETE; H2E_SEND (exit 55). After H2E_INCOMPLETE the record is
 * already built inside GnuTLS: the next call completes it whatever `p` says and returns
 * the count of the earlier call, so keep those bytes at the front of the caller's buffer.
 */
int tls_conn_write(struct tls_conn *c, const void *p, size_t n);

/* tls_conn_record_size - the most plaintext one record of ours carries (2^14 bytes unless
 * the peer asked for less, RFC 8449); 0 before the handshake. */
size_t tls_conn_record_size(const struct tls_conn *c);

/* tls_conn_pending - bytes readable without waiting in poll: decrypted ones inside GnuTLS
 * and encrypted ones read ahead from the socket. */
size_t tls_conn_pending(const struct tls_conn *c);

/* tls_conn_events - POLLIN/POLLOUT the last incomplete operation waits for (0 if none). */
short tls_conn_events(const struct tls_conn *c);

/* tls_conn_bye - send close_notify: 0 done, H2E_INCOMPLETE, H2E_SEND. */
int tls_conn_bye(struct tls_conn *c);

/* tls_conn_release - free the session and close the socket. */
void tls_conn_release(struct tls_conn *c);

/*
 * tls_h2_suite_ok - false when a TLS 1.2 connection used a suite RFC 9113 §9.2.2 and
 * Appendix A forbid: no ephemeral key exchange, or no AEAD cipher, or DHE under 2048 bits.
 * TLS 1.3 suites are all fine.
 */
bool tls_h2_suite_ok(gnutls_protocol_t ver, gnutls_kx_algorithm_t kx,
                     gnutls_cipher_algorithm_t cipher, unsigned dh_bits);

/* tls_verify_text - GnuTLS verification `status` bits as short words into `buf`. */
char *tls_verify_text(unsigned status, char *buf, size_t cap);

/* tls_alpn_name - "h2", "http/1.1" or "none". */
const char *tls_alpn_name(enum tls_alpn a);

#endif
