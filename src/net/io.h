/* SPDX-License-Identifier: MIT */
/*
 * One byte-stream interface over a plain TCP socket or a TLS connection: a four-function
 * vtable (read, write, close, describe) plus what the event loop asks before poll (events
 * wanted, bytes already buffered). The HTTP layers read and write through it and never
 * learn which transport they have. Non-blocking throughout; no HTTP, no clock, no printing.
 */
#ifndef H2GET_IO_H
#define H2GET_IO_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* A TLS error's detail is copied whole (TLS_DETAIL_MAX, PATH_MAX + 256, in tls.h). */
#define IO_DETAIL_MAX (PATH_MAX + 256)

struct io;
struct tls_conn;

/* `events` and `pending` may be NULL: the transport then waits for what `rwait` and
 * `wwait` say and never holds bytes of its own. */
struct io_ops {
    int (*read)(struct io *io, void *p, size_t n);
    int (*write)(struct io *io, const void *p, size_t n);
    void (*close)(struct io *io);
    int (*describe)(const struct io *io, char *buf, size_t cap);
    short (*events)(const struct io *io);
    size_t (*pending)(const struct io *io);
    int (*shutdown)(struct io *io); /* NULL: the transport cannot half-close */
    /* NULL: no reads in place (io_read_packet) */
    int (*read_packet)(struct io *io, const uint8_t **p);
    /* NULL: no socket of its own below it (io_set_rcvlowat is a no-op) */
    void (*set_rcvlowat)(struct io *io, int n);
};

/*
 * A transport. Readable fields: `eof` once read returned 0, `unclean` when that EOF came
 * without TLS close_notify (never for plain TCP), `info` and `detail` after an error.
 * `impl` belongs to transports defined elsewhere (io_init_ops), such as a tunnel over a
 * stream of another connection. An io may be moved (copied) to another place before use.
 */
struct io {
    const struct io_ops *ops;
    int fd;
    struct tls_conn *tls;
    void *impl;
    short rwait;
    short wwait;
    bool eof;
    bool unclean;
    struct h2e_info info;
    char detail[IO_DETAIL_MAX];
    unsigned char *unread; /* io_unread: served before the transport's own bytes */
    size_t unread_off, unread_len;
    int lowat; /* io_set_rcvlowat: the socket's SO_RCVLOWAT (0: never set, the default 1) */
};

/* io_tcp_init - `io` over connected non-blocking socket `fd` (takes ownership of it). */
void io_tcp_init(struct io *io, int fd);

/*
 * io_tls_init - `io` over `c`, whose handshake is done. Takes ownership of the connection's
 * contents (io_close releases it and closes its socket); `c` itself must stay in place.
 */
void io_tls_init(struct io *io, struct tls_conn *c);

/*
 * io_init_ops - `io` over a transport of the caller's: `ops` (static), `fd` to poll (-1 when
 * readiness comes from elsewhere: see io_pending), `impl` for the ops to use.
 */
void io_init_ops(struct io *io, const struct io_ops *ops, int fd, void *impl);

/*
 * io_unread - the next reads of `io` return the `n` bytes of `p` (copied) before anything
 * else: bytes read past the end of a proxy's reply belong to the tunnel behind it.
 */
void io_unread(struct io *io, const void *p, size_t n);

/*
 * io_read - up to `n` (> 0) bytes into `p`. Returns the count, 0 at EOF (see `unclean`),
 * H2E_INCOMPLETE (poll, see io_poll_events), H2E_RECV (exit 56: reset, TLS record error),
 * or, over TLS, H2E_PROTOCOL for a renegotiation request (RFC 9113 §9.2.1).
 */
int io_read(struct io *io, void *p, size_t n);

/*
 * io_read_packet - as io_read, but in place: `*p` points at the bytes the transport holds
 * (over TLS, a decrypted record), valid until the next read or close of `io`. Only when
 * io_has_packets says so.
 */
int io_read_packet(struct io *io, const uint8_t **p);

/* io_has_packets - io_read_packet may be used now (TLS, nothing given back with io_unread). */
bool io_has_packets(const struct io *io);

/*
 * io_write - send up to `n` bytes of `p`. Returns the count taken (possibly fewer than
 * `n`), H2E_INCOMPLETE or H2E_SEND (exit 55). After H2E_INCOMPLETE, call again with the
 * same bytes at the front of `p` (TLS has already framed them; see tls_conn_write).
 */
int io_write(struct io *io, const void *p, size_t n);

/*
 * io_shutdown - a half-close: nothing more will be written, reading goes on. TCP sends its
 * FIN, TLS its close_notify, a tunnel does what its transport does (an HTTP/2 CONNECT
 * stream sends END_STREAM once what was written has gone, RFC 9113 §8.5). Returns 0,
 * H2E_INCOMPLETE (call again after poll) or H2E_SEND; 0 and nothing done for a transport
 * that has no half-close.
 */
int io_shutdown(struct io *io);

/*
 * io_set_rcvlowat - poll reports `io` readable once `n` (>= 1) bytes wait in its socket's
 * receive queue rather than at the first (SO_RCVLOWAT): fewer wake-ups while a body
 * streams in. Reads are unchanged (a non-blocking recv returns what there is), and so is
 * a peer's close (readable at once). Set on the socket the bytes arrive on: the io's own
 * (TCP, TLS over TCP), or through TLS inside a tunnel the transport's below it, down to a
 * proxy connection's socket that carries that one tunnel; a no-op where a socket is
 * shared (a stream of an HTTP/2 proxy connection), and when `n` is what is set already.
 */
void io_set_rcvlowat(struct io *io, int n);

/* io_close - best-effort close_notify over TLS (never waits), free, close the socket. */
void io_close(struct io *io);

/*
 * io_describe - one line for -v ("tcp 127.0.0.1:80", "tls TLS1.3 h2 [::1]:443") into
 * `buf` (`cap` bytes, NUL-terminated). Returns the length written.
 */
int io_describe(const struct io *io, char *buf, size_t cap);

/*
 * io_poll_events - POLLIN/POLLOUT the transport itself waits for to finish what it last
 * reported as incomplete (a TLS write in flight needs POLLOUT, a TLS read may too). The
 * loop adds POLLIN when it wants input and POLLOUT when it has output.
 */
short io_poll_events(const struct io *io);

/* io_pending - bytes readable now without waiting in poll (decrypted inside GnuTLS, given
 * back with io_unread, or held by the transport, such as a tunnel's received bytes). */
size_t io_pending(const struct io *io);

/*
 * io_write_unit - the most one write of `io` puts in one piece on the wire: the plaintext
 * of one TLS record for TLS (RFC 8446 §5.1: 2^14 bytes, or less if negotiated), 0 for a
 * transport without such a unit (TCP takes any length at once). A caller that writes as
 * soon as it has a whole unit, and keeps a smaller tail for later, sends full records.
 */
size_t io_write_unit(const struct io *io);

#endif
