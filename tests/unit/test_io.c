/* SPDX-License-Identifier: MIT */
/*
 * io over plain TCP on loopback pairs made at run time: bytes both ways, "would block" in
 * each direction with the poll events it asks for, EOF, reset on read and on write, and
 * describe. The TLS side of the vtable is tested in test_tls.c with its server harness.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/io.h"
#include "tap.h"

/* A connected loopback pair, both ends non-blocking; `port` gets the server's port. */
static void pair(int *cli, int *srv, unsigned *port)
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
    *port = ntohs(a.sin_port);
    *cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(*cli, (struct sockaddr *)&a, sizeof(a)) != 0)
        tap_fail(__FILE__, __LINE__, "loopback connect: %s", strerror(errno));
    *srv = accept(l, NULL, NULL);
    close(l);
    fcntl(*cli, F_SETFL, O_NONBLOCK);
}

/* io_read until it is not H2E_INCOMPLETE, polling in between. */
static int read_wait(struct io *io, void *p, size_t n)
{
    int r = H2E_INCOMPLETE, i;

    for (i = 0; i < 100 && r == H2E_INCOMPLETE; i++) {
        struct pollfd pfd = {io->fd, POLLIN, 0};
        r = io_read(io, p, n);
        if (r == H2E_INCOMPLETE)
            poll(&pfd, 1, 20);
    }
    return r;
}

TEST(test_io_tcp_read_write)
{
    struct io io;
    char buf[16], want[64], desc[64];
    unsigned port;
    int c, s;

    pair(&c, &s, &port);
    io_tcp_init(&io, c);
    CHECK_INT((int)io_write_unit(&io), 0); /* TCP: no unit */
    CHECK_INT(io_write(&io, "abc", 3), 3);
    CHECK_INT(recv(s, buf, sizeof(buf), 0), 3);
    CHECK_MEM(buf, 3, "abc", 3);
    CHECK_INT(io_read(&io, buf, sizeof(buf)), H2E_INCOMPLETE);
    CHECK_INT(io_poll_events(&io), POLLIN);
    CHECK_INT(io_read(&io, buf, 0), H2E_INCOMPLETE); /* never mistaken for EOF */
    CHECK_INT(send(s, "xyz", 3, 0), 3);
    CHECK_INT(read_wait(&io, buf, sizeof(buf)), 3);
    CHECK_MEM(buf, 3, "xyz", 3);
    CHECK_INT(io_poll_events(&io), 0);
    CHECK_INT(io_pending(&io), 0);
    snprintf(want, sizeof(want), "tcp 127.0.0.1:%u", port);
    CHECK_INT(io_describe(&io, desc, sizeof(desc)), strlen(want));
    CHECK_STR(desc, want);
    CHECK_INT(io_describe(&io, desc, 5), 4);
    CHECK_STR(desc, "tcp ");
    io_close(&io);
    CHECK_INT(io.fd, -1);
    CHECK(fcntl(c, F_GETFD) == -1 && errno == EBADF);
    close(s);
}

TEST(test_io_tcp_shutdown)
{
    struct io io;
    char buf[16];
    unsigned port;
    int c, s;

    pair(&c, &s, &port);
    io_tcp_init(&io, c);
    CHECK_INT(io_write(&io, "req", 3), 3);
    CHECK_INT(io_shutdown(&io), 0); /* a half-close: the peer reads to its end... */
    CHECK_INT(recv(s, buf, sizeof(buf), MSG_WAITALL), 3);
    CHECK_INT(recv(s, buf, sizeof(buf), 0), 0);
    CHECK_INT(send(s, "answer", 6, 0), 6); /* ...and its answer still comes back */
    CHECK_INT(read_wait(&io, buf, sizeof(buf)), 6);
    CHECK_MEM(buf, 6, "answer", 6);
    CHECK_INT(io_write(&io, "x", 1), H2E_SEND);
    io_close(&io);
    close(s);
}

TEST(test_io_tcp_eof)
{
    struct io io;
    char buf[16];
    unsigned port;
    int c, s;

    pair(&c, &s, &port);
    io_tcp_init(&io, c);
    CHECK_INT(send(s, "last", 4, 0), 4);
    close(s);
    CHECK_INT(read_wait(&io, buf, sizeof(buf)), 4);
    CHECK_INT(read_wait(&io, buf, sizeof(buf)), 0);
    CHECK(io.eof);
    CHECK(!io.unclean); /* only TLS can be unclean */
    io_close(&io);
}

TEST(test_io_tcp_reset_on_read)
{
    struct linger lg = {1, 0};
    struct io io;
    char buf[16];
    unsigned port;
    int c, s;

    pair(&c, &s, &port);
    io_tcp_init(&io, c);
    setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(s);
    CHECK_INT(read_wait(&io, buf, sizeof(buf)), H2E_RECV);
    CHECK_INT(io.info.code, H2E_RECV);
    CHECK(io.info.why != NULL);
    CHECK_STR(io.detail, "receive failed: Connection reset by peer");
    io_close(&io);
}

TEST(test_io_tcp_write_blocks_then_resumes)
{
    static char chunk[65536], sink[65536];
    int small = 4096, blocked = 0, i, r = 0, c, s;
    struct io io;
    unsigned port;

    pair(&c, &s, &port);
    setsockopt(c, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    io_tcp_init(&io, c);
    for (i = 0; i < 10000 && !blocked; i++) {
        r = io_write(&io, chunk, sizeof(chunk));
        blocked = r == H2E_INCOMPLETE;
    }
    CHECK(blocked);
    CHECK_INT(io_poll_events(&io), POLLOUT);
    fcntl(s, F_SETFL, O_NONBLOCK);
    for (i = 0, r = H2E_INCOMPLETE; i < 1000 && r == H2E_INCOMPLETE; i++) {
        struct pollfd pfd = {c, POLLOUT, 0};
        while (recv(s, sink, sizeof(sink), 0) > 0)
            ;
        poll(&pfd, 1, 10);
        r = io_write(&io, chunk, sizeof(chunk));
    }
    CHECK(r > 0);
    CHECK_INT(io_poll_events(&io), 0);
    io_close(&io);
    close(s);
}

TEST(test_io_tcp_send_after_reset)
{
    struct linger lg = {1, 0};
    static char chunk[4096];
    struct io io;
    char buf[4];
    unsigned port;
    int c, s, r = 0, i;

    pair(&c, &s, &port);
    io_tcp_init(&io, c);
    setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(s);
    (void)read_wait(&io, buf, sizeof(buf)); /* see the reset first */
    for (i = 0; i < 100 && r >= 0; i++)
        r = io_write(&io, chunk, sizeof(chunk));
    CHECK_INT(r, H2E_SEND);
    CHECK_INT(h2e_exit(r), 55);
    CHECK(io.info.why != NULL);
    CHECK(strncmp(io.detail, "send failed: ", 13) == 0);
    io_close(&io);
}
