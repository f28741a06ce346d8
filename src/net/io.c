/* SPDX-License-Identifier: MIT */
/*
 * The transport vtable: plain TCP over recv/send, TLS over tls_conn. Errors keep the errno
 * or GnuTLS text in `detail`. No buffering of its own: every byte goes straight to the
 * socket or to GnuTLS. No HTTP; never blocks (sockets are non-blocking).
 */
#include "io.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "sys/xalloc.h"
#include "tls.h"

_Static_assert(IO_DETAIL_MAX >= TLS_DETAIL_MAX, "a TLS error's detail fits an io's");

static int io_fail(struct io *io, int code, const char *what, int err)
{
    snprintf(io->detail, sizeof(io->detail), "%s: %s", what, strerror(err));
    return h2e_set(&io->info, code, 0, what);
}

/* --- plain TCP ------------------------------------------------------------------------ */

static int tcp_read(struct io *io, void *p, size_t n)
{
    ssize_t r;

    do
        r = recv(io->fd, p, n > INT32_MAX ? INT32_MAX : n, 0);
    while (r < 0 && errno == EINTR);
    if (r >= 0) {
        io->rwait = 0;
        io->eof = r == 0;
        return (int)r;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        io->rwait = POLLIN;
        return H2E_INCOMPLETE;
    }
    return io_fail(io, H2E_RECV, "receive failed", errno);
}

static int tcp_write(struct io *io, const void *p, size_t n)
{
    ssize_t r;

    do
        r = send(io->fd, p, n > INT32_MAX ? INT32_MAX : n, MSG_NOSIGNAL);
    while (r < 0 && errno == EINTR);
    if (r >= 0) {
        io->wwait = 0;
        return (int)r;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        io->wwait = POLLOUT;
        return H2E_INCOMPLETE;
    }
    return io_fail(io, H2E_SEND, "send failed", errno);
}

static void tcp_close(struct io *io)
{
    if (io->fd >= 0)
        close(io->fd);
    io->fd = -1;
}

static int peer_str(int fd, char *buf, size_t cap)
{
    struct net_addr a;

    if (net_addr_from_fd(fd, &a) != 0)
        return snprintf(buf, cap, "(not connected)");
    net_addr_str(&a, buf, cap);
    return (int)strlen(buf);
}

static int tcp_describe(const struct io *io, char *buf, size_t cap)
{
    char peer[NET_ADDR_STRLEN];

    peer_str(io->fd, peer, sizeof(peer));
    snprintf(buf, cap, "tcp %s", peer);
    return (int)strlen(buf);
}

static int tcp_shutdown(struct io *io)
{
    if (shutdown(io->fd, SHUT_WR) == 0)
        return 0;
    snprintf(io->detail, sizeof(io->detail), "shutdown: %s", strerror(errno));
    return H2E_SEND;
}

static void set_lowat(struct io *io, int n)
{
    if (io->fd < 0 || n == (io->lowat ? io->lowat : 1))
        return;
    if (setsockopt(io->fd, SOL_SOCKET, SO_RCVLOWAT, &n, sizeof(n)) == 0)
        io->lowat = n;
}

static const struct io_ops tcp_ops = {tcp_read, tcp_write,    tcp_close, tcp_describe, NULL,
                                      NULL,     tcp_shutdown, NULL,      set_lowat};

/* --- TLS ------------------------------------------------------------------------------ */

static int tls_error(struct io *io, int r)
{
    io->info = io->tls->info;
    snprintf(io->detail, sizeof(io->detail), "%s", io->tls->detail);
    return r;
}

static int tls_read(struct io *io, void *p, size_t n)
{
    int r = tls_conn_read(io->tls, p, n);

    if (r == 0) {
        io->eof = true;
        io->unclean = io->tls->unclean;
    }
    return r < 0 && r != H2E_INCOMPLETE ? tls_error(io, r) : r;
}

static int tls_read_packet(struct io *io, const uint8_t **p)
{
    int r = tls_conn_read_packet(io->tls, p);

    if (r == 0) {
        io->eof = true;
        io->unclean = io->tls->unclean;
    }
    return r < 0 && r != H2E_INCOMPLETE ? tls_error(io, r) : r;
}

static int tls_write(struct io *io, const void *p, size_t n)
{
    int r = tls_conn_write(io->tls, p, n);

    return r < 0 && r != H2E_INCOMPLETE ? tls_error(io, r) : r;
}

static void tls_close(struct io *io)
{
    struct tls_conn *c = io->tls;

    if (!c)
        return;
    if (c->session && c->handshake_done && !c->failed)
        (void)tls_conn_bye(c); /* one try: close_notify if the socket takes it now */
    tls_conn_release(c);
    io->tls = NULL;
    io->fd = -1;
}

static int tls_describe(const struct io *io, char *buf, size_t cap)
{
    const struct tls_facts *f = &io->tls->facts;
    char peer[IO_DETAIL_MAX];

    if (io->tls->has_lower) /* inside a tunnel: say which */
        io_describe(&io->tls->lower, peer, sizeof(peer));
    else
        peer_str(io->fd, peer, sizeof(peer));
    snprintf(buf, cap, "tls %s %s %s", f->version ? f->version : "?", tls_alpn_name(f->alpn), peer);
    return (int)strlen(buf);
}

static short tls_events(const struct io *io)
{
    return tls_conn_events(io->tls);
}

static size_t tls_pending(const struct io *io)
{
    return tls_conn_pending(io->tls);
}

static int tls_shutdown(struct io *io)
{
    int r = tls_conn_bye(io->tls);

    return r < 0 && r != H2E_INCOMPLETE ? tls_error(io, r) : r;
}

/* TLS inside a tunnel: records arrive on the transport below. */
static void tls_set_rcvlowat(struct io *io, int n)
{
    if (io->tls->has_lower)
        io_set_rcvlowat(&io->tls->lower, n);
    else
        set_lowat(io, n);
}

static const struct io_ops tls_ops = {tls_read,     tls_write,       tls_close,
                                      tls_describe, tls_events,      tls_pending,
                                      tls_shutdown, tls_read_packet, tls_set_rcvlowat};

/* --- the interface -------------------------------------------------------------------- */

static void init(struct io *io, const struct io_ops *ops, int fd)
{
    memset(io, 0, sizeof(*io));
    io->ops = ops;
    io->fd = fd;
    io->info.frame_type = -1;
}

void io_tcp_init(struct io *io, int fd)
{
    init(io, &tcp_ops, fd);
}

void io_init_ops(struct io *io, const struct io_ops *ops, int fd, void *impl)
{
    init(io, ops, fd);
    io->impl = impl;
}

void io_unread(struct io *io, const void *p, size_t n)
{
    size_t left = io->unread_len - io->unread_off;
    unsigned char *u;

    if (n == 0)
        return;
    u = xmalloc(n + left);
    memcpy(u, p, n);
    if (left)
        memcpy(u + n, io->unread + io->unread_off, left);
    free(io->unread);
    io->unread = u;
    io->unread_off = 0;
    io->unread_len = n + left;
}

/* Serve bytes given back with io_unread. */
static int read_unread(struct io *io, void *p, size_t n)
{
    size_t left = io->unread_len - io->unread_off;

    if (n > left)
        n = left;
    memcpy(p, io->unread + io->unread_off, n);
    io->unread_off += n;
    if (io->unread_off == io->unread_len) {
        free(io->unread);
        io->unread = NULL;
        io->unread_off = io->unread_len = 0;
    }
    return (int)(n > INT32_MAX ? INT32_MAX : n);
}

void io_tls_init(struct io *io, struct tls_conn *c)
{
    init(io, &tls_ops, c->fd);
    io->tls = c;
}

int io_read(struct io *io, void *p, size_t n)
{
    if (n == 0)
        return H2E_INCOMPLETE; /* a zero-length read would look like EOF */
    if (io->unread)
        return read_unread(io, p, n);
    return io->ops->read(io, p, n);
}

int io_read_packet(struct io *io, const uint8_t **p)
{
    return io->ops->read_packet(io, p);
}

bool io_has_packets(const struct io *io)
{
    return io->ops->read_packet && !io->unread;
}

int io_write(struct io *io, const void *p, size_t n)
{
    return io->ops->write(io, p, n);
}

int io_shutdown(struct io *io)
{
    return io->ops->shutdown ? io->ops->shutdown(io) : 0;
}

void io_set_rcvlowat(struct io *io, int n)
{
    if (io->ops->set_rcvlowat)
        io->ops->set_rcvlowat(io, n < 1 ? 1 : n);
}

void io_close(struct io *io)
{
    io->ops->close(io);
    free(io->unread);
    io->unread = NULL;
    io->unread_off = io->unread_len = 0;
}

int io_describe(const struct io *io, char *buf, size_t cap)
{
    if (cap == 0)
        return 0;
    return io->ops->describe(io, buf, cap);
}

short io_poll_events(const struct io *io)
{
    if (io->ops->events)
        return io->ops->events(io);
    return (short)(io->rwait | io->wwait);
}

size_t io_pending(const struct io *io)
{
    size_t own = io->ops->pending ? io->ops->pending(io) : 0;

    return own + (io->unread_len - io->unread_off);
}

size_t io_write_unit(const struct io *io)
{
    return io->tls ? tls_conn_record_size(io->tls) : 0;
}
