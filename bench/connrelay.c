/* SPDX-License-Identifier: MIT */
/*
 * connrelay: the cheapest HTTP CONNECT proxy we can write, for `make bench` (issue 13's
 * tunnel figure). Squid and Apache httpd copy every byte through user space; this peer
 * moves them socket -> pipe -> socket with splice(2), so what a download through it costs
 * over the direct one is mostly what h2get itself adds, plus the kernel's one extra
 * loopback hop. A benchmark peer only: no authentication, no access control, Linux only.
 *
 * Each accepted connection gets a thread: it reads `CONNECT host:port HTTP/1.1` and the
 * header lines up to the empty line, connects to host:port, answers `HTTP/1.1 200
 * Connection established`, then relays client -> server itself while a second thread
 * relays server -> client, each with blocking splice(2) through its own pipe of
 * RELAY_PIPE bytes (--pipe), or recv/send through a buffer that large (--copy). An EOF in one
 * direction becomes a half-close (shutdown SHUT_WR) of the other socket, so half-closed tunnels
 * work; an error ends both directions. Any other request gets a 405 (not CONNECT), 400 (malformed)
 * or 502 (cannot connect) and a close. Listens on 127.0.0.1:PORT (0 picks one) and prints the port
 * on stdout (and into
 * --port-file) once it listens. Both sockets of a tunnel get TCP_NODELAY and reno
 * congestion control (--cc NAME; --cc "" keeps the system's; see `opt` for why).
 * Usage: connrelay [--port N] [--port-file FILE] [--cc NAME] [--pipe BYTES] [--copy]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer_listen.h"

#define RELAY_PIPE (1 << 20) /* F_SETPIPE_SZ: the default pipe-max-size */
#define RELAY_HEAD_MAX 8192  /* the CONNECT request's head */

/*
 * The command line. `cc`: the congestion control of both sockets of a tunnel. Loopback
 * never congests, and the pacing timers of bbr (a common system default) cost this relay
 * about 0.2 s of CPU per GiB sent on a 2-core VM (0.48 s with bbr, 0.27 s with reno, which
 * is always built in), which would be counted as the proxy's floor; --cc "" keeps the
 * system's. `pipe`: bytes per pipe and per splice. `copy`: recv/send through a buffer of
 * that size instead of splice, to see what splice saves: on Linux 6.18 in this VM, nothing
 * measurable (0.33 s of CPU per GiB either way, 7 interleaved runs, medians); a proxy's
 * cost there is per TCP segment and wakeup, not per byte copied.
 */
static struct {
    const char *cc;
    size_t pipe;
    bool copy;
} opt = {"reno", RELAY_PIPE, false};

struct tunnel {
    int client;
    int server;
};

struct direction {
    int in;
    int out;
};

static void die(const char *what)
{
    fprintf(stderr, "connrelay: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void tune(int fd)
{
    int one = 1;

    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (*opt.cc && setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, opt.cc, (socklen_t)strlen(opt.cc)))
        fprintf(stderr, "connrelay: --cc %s: %s (the system's is kept)\n", opt.cc, strerror(errno));
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Moves `n` bytes held in pipe `rd` to `out`; -1 on an error. */
static int drain(int rd, int out, ssize_t n)
{
    while (n > 0) {
        ssize_t m = splice(rd, NULL, out, NULL, (size_t)n, SPLICE_F_MOVE);
        if (m < 0 && errno == EINTR)
            continue;
        if (m <= 0)
            return -1;
        n -= m;
    }
    return 0;
}

/* One direction through a pipe until EOF (0) or an error (-1). Blocking splice: the pages
 * the kernel received are handed on, never copied to user space. */
static int relay_splice(const struct direction *d)
{
    int p[2], rv = -1;
    ssize_t n;

    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    (void)fcntl(p[1], F_SETPIPE_SZ, (int)opt.pipe); /* a smaller pipe still works, slower */
    for (;;) {
        n = splice(d->in, NULL, p[1], NULL, opt.pipe, SPLICE_F_MOVE);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || drain(p[0], d->out, n) != 0)
            break;
        if (n == 0) {
            rv = 0;
            break;
        }
    }
    close(p[0]);
    close(p[1]);
    return rv;
}

/* The same through a user-space buffer (--copy). */
static int relay_copy(const struct direction *d)
{
    char *b = malloc(opt.pipe);
    ssize_t n = -1;

    while (b) {
        n = recv(d->in, b, opt.pipe, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || write_all(d->out, b, (size_t)n) != 0)
            break;
    }
    free(b);
    return n == 0 ? 0 : -1;
}

/* One direction: an EOF half-closes `out`; an error shuts both sockets down both ways, so
 * that the other direction's thread wakes from its splice and ends too. */
static void *relay(void *arg)
{
    const struct direction *d = arg;

    if ((opt.copy ? relay_copy(d) : relay_splice(d)) == 0) {
        (void)shutdown(d->out, SHUT_WR);
    } else {
        (void)shutdown(d->out, SHUT_RDWR);
        (void)shutdown(d->in, SHUT_RDWR);
    }
    return NULL;
}

/* The CONNECT head into `head` (NUL-terminated); its length, the bytes after it in
 * `*extra`, or -1 when the client closed or sent more than RELAY_HEAD_MAX. */
static int read_head(int fd, char *head, size_t cap, size_t *extra)
{
    size_t len = 0;
    char *end;

    for (;;) {
        ssize_t r = recv(fd, head + len, cap - 1 - len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        len += (size_t)r;
        head[len] = '\0';
        end = strstr(head, "\r\n\r\n");
        if (end) {
            *extra = len - (size_t)(end + 4 - head);
            return (int)(end + 4 - head);
        }
        if (len == cap - 1)
            return -1;
    }
}

/* `CONNECT host:port HTTP/1.x`: host (brackets taken off an IPv6 literal) and port into
 * `host`/`port`, 0; 405 for another method, 400 when malformed. */
static int parse_target(char *line, char **host, char **port)
{
    char *sp, *colon;

    if (strncmp(line, "CONNECT ", 8) != 0)
        return 405;
    *host = line + 8;
    sp = strchr(*host, ' ');
    if (!sp || strncmp(sp, " HTTP/1.", 8) != 0)
        return 400;
    *sp = '\0';
    colon = strrchr(*host, ':');
    if (!colon || colon == *host || !colon[1])
        return 400;
    *colon = '\0';
    *port = colon + 1;
    if (**host == '[' && colon[-1] == ']') {
        colon[-1] = '\0';
        (*host)++;
    }
    return 0;
}

static int dial(const char *host, const char *port)
{
    struct addrinfo hints, *res, *ai;
    int fd = -1;

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return -1;
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd >= 0)
        tune(fd);
    return fd;
}

static void refuse(int fd, int status)
{
    char msg[128];
    const char *why = status == 405   ? "Method Not Allowed"
                      : status == 400 ? "Bad Request"
                                      : "Bad Gateway";
    int n = snprintf(msg, sizeof(msg), "HTTP/1.1 %d %s\r\nContent-Length: 0\r\n\r\n", status, why);

    (void)write_all(fd, msg, (size_t)n);
}

/* The handshake: the server socket, or -1 after answering the client with an error. */
static int open_tunnel(int client)
{
    static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
    char head[RELAY_HEAD_MAX], *host, *port;
    size_t extra = 0;
    int len = read_head(client, head, sizeof(head), &extra);
    int status, server;

    if (len < 0)
        return -1;
    head[strcspn(head, "\r\n")] = '\0';
    status = parse_target(head, &host, &port);
    server = status ? -1 : dial(host, port);
    if (server < 0) {
        refuse(client, status ? status : 502);
        return -1;
    }
    /* bytes sent after the head already belong to the tunnel */
    if (write_all(client, ok, sizeof(ok) - 1) != 0 ||
        (extra && write_all(server, head + len, extra) != 0)) {
        close(server);
        return -1;
    }
    return server;
}

static void *serve(void *arg)
{
    struct tunnel *t = arg;
    struct direction up, down;
    pthread_t th;

    t->server = open_tunnel(t->client);
    if (t->server >= 0) {
        up = (struct direction){t->client, t->server};
        down = (struct direction){t->server, t->client};
        if (pthread_create(&th, NULL, relay, &down) == 0) {
            relay(&up);
            pthread_join(th, NULL);
        }
        close(t->server);
    }
    close(t->client);
    free(t);
    return NULL;
}

static void accept_loop(int lfd)
{
    pthread_attr_t attr;

    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (;;) {
        pthread_t th;
        struct tunnel *t;
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE)
                continue;
            die("accept");
        }
        tune(fd);
        t = malloc(sizeof(*t));
        if (!t) {
            close(fd);
            continue;
        }
        t->client = fd;
        if (pthread_create(&th, &attr, serve, t) != 0) {
            free(t);
            close(fd);
        }
    }
}

static int usage(void)
{
    fprintf(stderr, "usage: connrelay [--port N] [--port-file FILE] [--cc NAME] "
                    "[--pipe BYTES (4096..2^31-1)] [--copy]\n");
    return 2;
}

static int parse_args(int argc, char **argv, int *port, const char **port_file)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            *port = (int)strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--port-file") == 0 && i + 1 < argc) {
            *port_file = argv[++i];
        } else if (strcmp(argv[i], "--cc") == 0 && i + 1 < argc) {
            opt.cc = argv[++i];
        } else if (strcmp(argv[i], "--pipe") == 0 && i + 1 < argc) {
            opt.pipe = strtoul(argv[++i], NULL, 10);
            if (opt.pipe < 4096 || opt.pipe > INT_MAX)
                return usage();
        } else if (strcmp(argv[i], "--copy") == 0) {
            opt.copy = true;
        } else {
            return usage();
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *port_file = NULL;
    int port = 0, lfd;

    if (parse_args(argc, argv, &port, &port_file) != 0)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    lfd = peer_listen("connrelay", port, port_file);
    accept_loop(lfd);
    return 0;
}
