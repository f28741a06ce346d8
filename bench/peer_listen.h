/* SPDX-License-Identifier: MIT */
/*
 * The listening socket of a bench peer (h2echo.c, connrelay.c): 127.0.0.1 only, on `port`
 * or a free one (0), the port then printed on stdout and written to `port_file` when one
 * is given, for bench/run.sh and bench/e2e_servers.py to read. Exits with a message (the
 * peer's `name` first) when any step fails.
 */
#ifndef H2GET_BENCH_PEER_LISTEN_H
#define H2GET_BENCH_PEER_LISTEN_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static void peer_listen_die(const char *name, const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", name, what, strerror(errno));
    exit(1);
}

static int peer_listen(const char *name, int port, const char *port_file)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((unsigned short)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(a);
    int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    FILE *f;

    if (fd < 0)
        peer_listen_die(name, "socket");
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 128) != 0)
        peer_listen_die(name, "cannot listen on 127.0.0.1");
    if (getsockname(fd, (struct sockaddr *)&a, &alen) != 0)
        peer_listen_die(name, "getsockname");
    printf("%d\n", ntohs(a.sin_port));
    fflush(stdout);
    if (port_file) {
        f = fopen(port_file, "w");
        if (!f || fprintf(f, "%d\n", ntohs(a.sin_port)) < 0 || fclose(f) != 0)
            peer_listen_die(name, "cannot write the port file");
    }
    return fd;
}

#endif
