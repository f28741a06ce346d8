/* SPDX-License-Identifier: MIT */
/*
 * h2echo: a streaming HTTP/2 echo and download server for `make bench` (issue 11's duplex
 * figure), built on libnghttp2 and GnuTLS. It is a benchmark peer only: libnghttp2 is never
 * linked into h2get.
 *
 *   POST or PUT /echo   200 at once, then each received DATA chunk is sent back as response
 *                       DATA as soon as the client's window allows; END_STREAM after the
 *                       request's. Flow-control credit for a chunk is given back (the
 *                       WINDOW_UPDATE) only once its echo has been written to the socket, so
 *                       a client that does not read its response stops its own upload and
 *                       memory stays bounded by the window (RFC 9113 §5.2).
 *   GET /bytes/N        N zero bytes made in memory (the one-way baseline from this server).
 *   anything else       404, no body.
 *
 * One thread, one poll() loop, any number of connections; TLS 1.3 with ALPN h2 (--tls CERT
 * KEY) or h2c with prior knowledge (the default). Listens on 127.0.0.1:PORT (0 picks one)
 * and prints the port on stdout (and into --port-file) once it listens.
 * Usage: h2echo [--tls CERT KEY] [--port N] [--port-file FILE] [--window BYTES]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer_listen.h"

#define ECHO_MAX_CONNS 256
#define ECHO_RECV_BUF (64 * 1024)
#define ECHO_TLS_CHUNK 16384          /* one TLS record's plaintext */
#define ECHO_OUT_HIGH (256 * 1024)    /* stop serialising frames above this much queued */
#define ECHO_DEFAULT_WINDOW (1 << 20) /* stream and connection receive window */

struct echo_stream {
    int32_t id;
    int is_echo;   /* POST/PUT /echo: send back what comes */
    int rx_done;   /* the request's END_STREAM came */
    uint64_t left; /* GET /bytes/N: bytes still to send */
    uint8_t *q;    /* echo queue: received, not yet framed */
    size_t qrd, qwr, qcap;
    size_t unconsumed; /* framed and queued for the socket, credit not yet given back */
    char method[16];
    char path[128];
    struct echo_stream *next;
};

struct echo_conn {
    int fd;
    gnutls_session_t tls; /* NULL for h2c */
    int handshaken;
    nghttp2_session *h2;
    uint8_t *out; /* serialised frames not yet written */
    size_t olen, ooff, ocap;
    size_t again; /* length of a gnutls_record_send that returned E_AGAIN, to repeat */
    struct echo_stream *streams;
    int dead;
};

static gnutls_certificate_credentials_t echo_cred;
static gnutls_priority_t echo_prio;
static int32_t echo_window = ECHO_DEFAULT_WINDOW;

static void die(const char *what)
{
    fprintf(stderr, "h2echo: %s\n", what);
    exit(1);
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p)
        die("out of memory");
    return p;
}

/* --- output buffer --------------------------------------------------------------------- */

static uint8_t *out_room(struct echo_conn *c, size_t n)
{
    if (c->ooff > 0 && c->ooff == c->olen)
        c->ooff = c->olen = 0;
    if (c->olen + n > c->ocap) {
        if (c->ooff > 0) {
            memmove(c->out, c->out + c->ooff, c->olen - c->ooff);
            c->olen -= c->ooff;
            c->ooff = 0;
        }
        if (c->olen + n > c->ocap) {
            c->ocap = c->olen + n > 2 * c->ocap ? c->olen + n : 2 * c->ocap;
            c->out = xrealloc(c->out, c->ocap);
        }
    }
    return c->out + c->olen;
}

static void out_add(struct echo_conn *c, const uint8_t *p, size_t n)
{
    memcpy(out_room(c, n), p, n);
    c->olen += n;
}

/* --- nghttp2 callbacks ----------------------------------------------------------------- */

static ssize_t on_send(nghttp2_session *s, const uint8_t *data, size_t len, int flags, void *user)
{
    struct echo_conn *c = user;
    (void)s;
    (void)flags;
    if (c->olen - c->ooff >= ECHO_OUT_HIGH)
        return NGHTTP2_ERR_WOULDBLOCK;
    out_add(c, data, len);
    return (ssize_t)len;
}

/* A DATA frame of `len` bytes (NGHTTP2_DATA_FLAG_NO_COPY): its header, then the bytes
 * straight from the echo queue or the zero block into the output buffer. */
static int on_send_data(nghttp2_session *s, nghttp2_frame *frame, const uint8_t *hd, size_t len,
                        nghttp2_data_source *src, void *user)
{
    struct echo_conn *c = user;
    struct echo_stream *st = src->ptr;
    uint8_t *p;
    (void)s;
    if (frame->data.padlen > 0)
        return NGHTTP2_ERR_CALLBACK_FAILURE; /* we never ask for padding */
    if (c->olen - c->ooff >= ECHO_OUT_HIGH)
        return NGHTTP2_ERR_WOULDBLOCK;
    out_add(c, hd, 9);
    p = out_room(c, len);
    if (st->is_echo) {
        memcpy(p, st->q + st->qrd, len);
        st->qrd += len;
        st->unconsumed += len;
    } else {
        memset(p, 0, len);
    }
    c->olen += len;
    return 0;
}

static ssize_t on_read(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
                       nghttp2_data_source *src, void *user)
{
    struct echo_stream *st = src->ptr;
    size_t n;
    (void)s;
    (void)id;
    (void)buf;
    (void)user;
    if (st->is_echo) {
        n = st->qwr - st->qrd;
        if (n == 0 && !st->rx_done)
            return NGHTTP2_ERR_DEFERRED;
        n = n < len ? n : len;
        if (st->rx_done && n == st->qwr - st->qrd)
            *flags |= NGHTTP2_DATA_FLAG_EOF;
    } else {
        n = st->left < len ? (size_t)st->left : len;
        st->left -= n;
        if (st->left == 0)
            *flags |= NGHTTP2_DATA_FLAG_EOF;
    }
    if (n > 0)
        *flags |= NGHTTP2_DATA_FLAG_NO_COPY;
    return (ssize_t)n;
}

static int on_begin_headers(nghttp2_session *s, const nghttp2_frame *frame, void *user)
{
    struct echo_conn *c = user;
    struct echo_stream *st;
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0;
    st = calloc(1, sizeof(*st));
    if (!st)
        return NGHTTP2_ERR_CALLBACK_FAILURE;
    st->id = frame->hd.stream_id;
    st->next = c->streams;
    c->streams = st;
    nghttp2_session_set_stream_user_data(s, st->id, st);
    return 0;
}

static void copy_field(char *dst, size_t cap, const uint8_t *v, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, v, n);
    dst[n] = 0;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *frame, const uint8_t *name,
                     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
                     void *user)
{
    struct echo_stream *st = nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);
    (void)flags;
    (void)user;
    if (!st || frame->hd.type != NGHTTP2_HEADERS)
        return 0;
    if (namelen == 7 && memcmp(name, ":method", 7) == 0)
        copy_field(st->method, sizeof(st->method), value, valuelen);
    else if (namelen == 5 && memcmp(name, ":path", 5) == 0)
        copy_field(st->path, sizeof(st->path), value, valuelen);
    return 0;
}

static int respond(nghttp2_session *s, struct echo_stream *st)
{
    char len[24];
    nghttp2_nv nv[2] = {{(uint8_t *)":status", (uint8_t *)"200", 7, 3, 0},
                        {(uint8_t *)"content-length", (uint8_t *)len, 14, 0, 0}};
    nghttp2_data_provider dp = {.source.ptr = st, .read_callback = on_read};
    int post = strcmp(st->method, "POST") == 0 || strcmp(st->method, "PUT") == 0;
    char *end;

    if (post && strcmp(st->path, "/echo") == 0) {
        st->is_echo = 1;
        return nghttp2_submit_response(s, st->id, nv, 1, &dp);
    }
    if (strcmp(st->method, "GET") == 0 && strncmp(st->path, "/bytes/", 7) == 0) {
        st->left = strtoull(st->path + 7, &end, 10);
        if (end != st->path + 7 && *end == 0) {
            nv[1].valuelen =
                (size_t)snprintf(len, sizeof(len), "%llu", (unsigned long long)st->left);
            return nghttp2_submit_response(s, st->id, nv, 2, st->left ? &dp : NULL);
        }
    }
    nv[0].value = (uint8_t *)"404";
    return nghttp2_submit_response(s, st->id, nv, 1, NULL);
}

static int on_frame_recv(nghttp2_session *s, const nghttp2_frame *frame, void *user)
{
    struct echo_stream *st = nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);
    (void)user;
    if (!st)
        return 0;
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST &&
        respond(s, st) != 0)
        return NGHTTP2_ERR_CALLBACK_FAILURE;
    if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
        st->rx_done = 1;
        if (st->is_echo)
            nghttp2_session_resume_data(s, st->id);
    }
    return 0;
}

static int on_data_chunk(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *data,
                         size_t len, void *user)
{
    struct echo_stream *st = nghttp2_session_get_stream_user_data(s, id);
    (void)flags;
    (void)user;
    if (!st || !st->is_echo) {
        nghttp2_session_consume(s, id, len); /* not echoed: credit back at once */
        return 0;
    }
    if (st->qrd == st->qwr)
        st->qrd = st->qwr = 0;
    if (st->qwr + len > st->qcap) {
        if (st->qrd > 0) {
            memmove(st->q, st->q + st->qrd, st->qwr - st->qrd);
            st->qwr -= st->qrd;
            st->qrd = 0;
        }
        if (st->qwr + len > st->qcap) {
            st->qcap = st->qwr + len > 2 * st->qcap ? st->qwr + len : 2 * st->qcap;
            st->q = xrealloc(st->q, st->qcap);
        }
    }
    memcpy(st->q + st->qwr, data, len);
    st->qwr += len;
    nghttp2_session_resume_data(s, id);
    return 0;
}

static int on_stream_close(nghttp2_session *s, int32_t id, uint32_t code, void *user)
{
    struct echo_conn *c = user;
    struct echo_stream **pp, *st;
    (void)code;
    for (pp = &c->streams; *pp; pp = &(*pp)->next) {
        if ((*pp)->id != id)
            continue;
        st = *pp;
        *pp = st->next;
        /* what was received and never echoed goes back to the connection's window */
        if (st->unconsumed + st->qwr - st->qrd > 0)
            nghttp2_session_consume_connection(s, st->unconsumed + st->qwr - st->qrd);
        nghttp2_session_set_stream_user_data(s, id, NULL);
        free(st->q);
        free(st);
        break;
    }
    return 0;
}

/* The echoed bytes of every stream have been written to the socket: give their credit back
 * (nghttp2 then sends WINDOW_UPDATE once half a window is consumed). */
static void give_credit(struct echo_conn *c)
{
    struct echo_stream *st;
    for (st = c->streams; st; st = st->next) {
        if (st->unconsumed > 0) {
            nghttp2_session_consume(c->h2, st->id, st->unconsumed);
            st->unconsumed = 0;
        }
    }
}

static void session_start(struct echo_conn *c)
{
    nghttp2_session_callbacks *cb;
    nghttp2_option *opt;
    nghttp2_settings_entry iv[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
                                   {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, (uint32_t)echo_window}};

    if (nghttp2_session_callbacks_new(&cb) != 0 || nghttp2_option_new(&opt) != 0)
        die("out of memory");
    nghttp2_session_callbacks_set_send_callback(cb, on_send);
    nghttp2_session_callbacks_set_send_data_callback(cb, on_send_data);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data_chunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
    nghttp2_option_set_no_auto_window_update(opt, 1);
    if (nghttp2_session_server_new2(&c->h2, cb, c, opt) != 0)
        die("nghttp2_session_server_new2 failed");
    nghttp2_session_callbacks_del(cb);
    nghttp2_option_del(opt);
    nghttp2_submit_settings(c->h2, NGHTTP2_FLAG_NONE, iv, 2);
    nghttp2_session_set_local_window_size(c->h2, NGHTTP2_FLAG_NONE, 0, echo_window);
}

/* --- transport ------------------------------------------------------------------------- */

/* Bytes read into buf, 0 at end of stream, -EAGAIN, or -1 on an error. */
static ssize_t tr_recv(struct echo_conn *c, uint8_t *buf, size_t cap)
{
    ssize_t n;
    if (!c->tls) {
        n = read(c->fd, buf, cap);
        return n < 0 ? (errno == EAGAIN || errno == EINTR ? -EAGAIN : -1) : n;
    }
    n = gnutls_record_recv(c->tls, buf, cap);
    if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
        return -EAGAIN;
    if (n == GNUTLS_E_PREMATURE_TERMINATION)
        return 0;
    return n < 0 ? -1 : n;
}

static ssize_t tr_send(struct echo_conn *c, const uint8_t *buf, size_t len)
{
    ssize_t n;
    if (!c->tls) {
        n = write(c->fd, buf, len);
        return n < 0 ? (errno == EAGAIN || errno == EINTR ? -EAGAIN : -1) : n;
    }
    if (c->again)
        len = c->again; /* GnuTLS wants the same call again */
    else if (len > ECHO_TLS_CHUNK)
        len = ECHO_TLS_CHUNK;
    n = gnutls_record_send(c->tls, buf, len);
    if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) {
        c->again = len;
        return -EAGAIN;
    }
    c->again = 0;
    return n < 0 ? -1 : n;
}

/* Write what is queued, serialise more frames while the socket takes them. */
static void conn_flush(struct echo_conn *c)
{
    ssize_t n;
    for (;;) {
        while (c->ooff < c->olen) {
            n = tr_send(c, c->out + c->ooff, c->olen - c->ooff);
            if (n == -EAGAIN)
                return;
            if (n < 0) {
                c->dead = 1;
                return;
            }
            c->ooff += (size_t)n;
        }
        c->ooff = c->olen = 0;
        give_credit(c);
        if (nghttp2_session_send(c->h2) != 0) {
            c->dead = 1;
            return;
        }
        if (c->olen == 0)
            break;
    }
    if (!nghttp2_session_want_read(c->h2) && !nghttp2_session_want_write(c->h2))
        c->dead = 1;
}

static void conn_read(struct echo_conn *c)
{
    static uint8_t buf[ECHO_RECV_BUF];
    ssize_t n;
    for (;;) {
        n = tr_recv(c, buf, sizeof(buf));
        if (n == -EAGAIN)
            return;
        if (n <= 0 || nghttp2_session_mem_recv(c->h2, buf, (size_t)n) != n) {
            c->dead = 1;
            return;
        }
    }
}

static void conn_handshake(struct echo_conn *c)
{
    int r = gnutls_handshake(c->tls);
    if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
        return;
    if (r < 0) {
        c->dead = 1;
        return;
    }
    c->handshaken = 1;
    session_start(c);
}

static void conn_event(struct echo_conn *c, short revents)
{
    if (revents & (POLLERR | POLLNVAL))
        c->dead = 1;
    if (!c->dead && !c->handshaken)
        conn_handshake(c);
    if (!c->dead && c->handshaken)
        conn_read(c); /* also what GnuTLS holds from the handshake's last read */
    if (!c->dead && c->handshaken)
        conn_flush(c);
}

static short conn_events(struct echo_conn *c)
{
    if (!c->handshaken)
        return gnutls_record_get_direction(c->tls) ? POLLOUT : POLLIN;
    return (short)(POLLIN | (c->ooff < c->olen ? POLLOUT : 0));
}

static struct echo_conn *conn_new(int fd)
{
    struct echo_conn *c = calloc(1, sizeof(*c));
    int one = 1;
    if (!c)
        die("out of memory");
    c->fd = fd;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (!echo_cred) {
        c->handshaken = 1;
        session_start(c);
        return c;
    }
    gnutls_datum_t h2 = {(unsigned char *)"h2", 2};
    if (gnutls_init(&c->tls, GNUTLS_SERVER | GNUTLS_NONBLOCK) < 0 ||
        gnutls_priority_set(c->tls, echo_prio) < 0 ||
        gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, echo_cred) < 0 ||
        gnutls_alpn_set_protocols(c->tls, &h2, 1, GNUTLS_ALPN_SERVER_PRECEDENCE) < 0)
        die("gnutls session setup failed");
    gnutls_transport_set_int(c->tls, fd);
    return c;
}

static void conn_free(struct echo_conn *c)
{
    struct echo_stream *st;
    while ((st = c->streams)) {
        c->streams = st->next;
        free(st->q);
        free(st);
    }
    if (c->h2)
        nghttp2_session_del(c->h2);
    if (c->tls)
        gnutls_deinit(c->tls);
    close(c->fd);
    free(c->out);
    free(c);
}

/* --- main loop ------------------------------------------------------------------------- */

static void serve(int lfd)
{
    static struct echo_conn *conns[ECHO_MAX_CONNS];
    static struct pollfd pfd[ECHO_MAX_CONNS + 1];
    int n = 0, i, fd;
    for (;;) {
        pfd[0] = (struct pollfd){.fd = lfd, .events = n < ECHO_MAX_CONNS ? POLLIN : 0};
        for (i = 0; i < n; i++)
            pfd[i + 1] = (struct pollfd){.fd = conns[i]->fd, .events = conn_events(conns[i])};
        if (poll(pfd, (nfds_t)n + 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            die("poll failed");
        }
        for (i = 0; i < n; i++)
            if (pfd[i + 1].revents)
                conn_event(conns[i], pfd[i + 1].revents);
        for (i = n - 1; i >= 0; i--) {
            if (conns[i]->dead) {
                conn_free(conns[i]);
                conns[i] = conns[--n];
            }
        }
        if ((pfd[0].revents & POLLIN) && (fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
            conns[n] = conn_new(fd);
            conn_event(conns[n++], POLLOUT);
        }
    }
}

static void tls_setup(const char *cert, const char *key)
{
    if (gnutls_certificate_allocate_credentials(&echo_cred) < 0 ||
        gnutls_certificate_set_x509_key_file(echo_cred, cert, key, GNUTLS_X509_FMT_PEM) < 0)
        die("cannot load the certificate and key");
    if (gnutls_priority_init(&echo_prio, "NORMAL", NULL) < 0)
        die("gnutls_priority_init failed");
}

int main(int argc, char **argv)
{
    const char *port_file = NULL;
    int i, port = 0, lfd;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--tls") == 0 && i + 2 < argc) {
            tls_setup(argv[i + 1], argv[i + 2]);
            i += 2;
        } else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            port = (int)strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--port-file") == 0 && i + 1 < argc) {
            port_file = argv[++i];
        } else if (strcmp(argv[i], "--window") == 0 && i + 1 < argc) {
            echo_window = (int32_t)strtol(argv[++i], NULL, 10);
            if (echo_window < 65535)
                die("--window: at least 65535");
        } else {
            fprintf(stderr, "usage: h2echo [--tls CERT KEY] [--port N] [--port-file FILE] "
                            "[--window BYTES]\n");
            return 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    lfd = peer_listen("h2echo", port, port_file);
    fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK);
    serve(lfd);
    return 0;
}
