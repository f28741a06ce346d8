/* SPDX-License-Identifier: MIT */
/*
 * Standard input and output as non-blocking byte pipes with bounded buffers (pipe.h).
 * Reading never changes the descriptor's flags: a zero-timeout poll() decides whether one
 * read() may go. Writing makes a pipe or socket non-blocking for as long as it is used,
 * since poll()'s POLLOUT does not promise room for a whole write on a blocking pipe.
 */
#include "pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "sys/xalloc.h"

void pipe_in_init(struct pipe_in *in, int fd, size_t cap)
{
    struct stat st;

    memset(in, 0, sizeof(*in));
    in->fd = fd;
    in->regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    in->cap = cap ? cap : PIPE_CAP;
    in->p = xmalloc(in->cap);
}

void pipe_in_release(struct pipe_in *in)
{
    free(in->p);
    in->p = NULL;
    in->cap = in->off = in->len = 0;
}

void pipe_in_reset(struct pipe_in *in)
{
    in->off = in->len = 0;
    in->eof = false;
    in->err = 0;
}

static bool readable_now(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int r;

    do
        r = poll(&pfd, 1, 0);
    while (r < 0 && errno == EINTR);
    /* POLLHUP without POLLIN: the writer closed; read() then says EOF without waiting */
    return r > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL));
}

size_t pipe_in_fill(struct pipe_in *in)
{
    ssize_t r;

    if (in->eof)
        return 0;
    if (in->off == in->len)
        in->off = in->len = 0;
    else if (in->off && (in->len == in->cap || in->regular)) { /* the rest to the front */
        memmove(in->p, in->p + in->off, in->len - in->off);
        in->len -= in->off;
        in->off = 0;
    }
    if (in->len == in->cap || (!in->regular && !readable_now(in->fd)))
        return 0;
    do
        r = read(in->fd, in->p + in->len, in->cap - in->len);
    while (r < 0 && errno == EINTR);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0; /* another reader of the same pipe was faster */
    if (r <= 0) {
        in->eof = true;
        in->err = r < 0 ? errno : 0;
        return 0;
    }
    in->len += (size_t)r;
    in->total += (uint64_t)r;
    return (size_t)r;
}

struct span pipe_in_data(const struct pipe_in *in)
{
    return span_of(in->p + in->off, in->len - in->off);
}

void pipe_in_consume(struct pipe_in *in, size_t n)
{
    in->off += n <= in->len - in->off ? n : in->len - in->off;
}

bool pipe_in_done(const struct pipe_in *in)
{
    return in->eof && in->off == in->len;
}

size_t pipe_in_pollfd(const struct pipe_in *in, bool want, struct pollfd *pfd)
{
    if (!want || in->eof || in->len - in->off == in->cap)
        return 0;
    pfd->fd = in->fd;
    pfd->events = POLLIN;
    pfd->revents = 0;
    return 1;
}

void pipe_out_init(struct pipe_out *o, int fd, size_t cap)
{
    struct stat st;
    int fl;

    memset(o, 0, sizeof(*o));
    o->fd = fd;
    o->cap = cap ? cap : PIPE_CAP;
    o->p = xmalloc(o->cap);
    o->saved_flags = -1;
    /* a regular file or a terminal does not block for long: left as it is */
    if (fstat(fd, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
        return;
    fl = fcntl(fd, F_GETFL);
    if (fl >= 0 && !(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0)
        o->saved_flags = fl;
}

void pipe_out_release(struct pipe_out *o)
{
    if (o->saved_flags >= 0)
        fcntl(o->fd, F_SETFL, o->saved_flags);
    o->saved_flags = -1;
    free(o->p);
    o->p = NULL;
    o->cap = o->off = o->len = 0;
}

size_t pipe_out_room(const struct pipe_out *o)
{
    return o->err ? 0 : o->cap - (o->len - o->off);
}

size_t pipe_out_pending(const struct pipe_out *o)
{
    return o->len - o->off;
}

/* Write `n` bytes of `p` as far as `fd` takes them now: the count, or -1 with `err` set. */
static ssize_t write_now(struct pipe_out *o, const uint8_t *p, size_t n)
{
    size_t done = 0;

    while (!o->err && done < n) {
        ssize_t w = write(o->fd, p + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (w <= 0)
            o->err = w < 0 ? errno : EIO;
        else
            done += (size_t)w;
    }
    o->written += done;
    return o->err ? -1 : (ssize_t)done;
}

int64_t pipe_out_flush(struct pipe_out *o)
{
    ssize_t n = o->err ? -1 : write_now(o, o->p + o->off, o->len - o->off);

    if (n < 0)
        return H2E_WRITE;
    o->off += (size_t)n;
    if (o->off == o->len)
        o->off = o->len = 0;
    return (int64_t)n;
}

int64_t pipe_out_write(struct pipe_out *o, const uint8_t *p, size_t n)
{
    size_t room = pipe_out_room(o), put = 0;
    ssize_t w;

    if (o->err)
        return H2E_WRITE;
    if (n > room)
        n = room;
    if (o->off == o->len && n) { /* nothing waits: straight from `p`, no copy */
        if ((w = write_now(o, p, n)) < 0)
            return H2E_WRITE;
        put = (size_t)w;
    }
    if (o->len + (n - put) > o->cap) { /* the room is split: move what waits to the front */
        memmove(o->p, o->p + o->off, o->len - o->off);
        o->len -= o->off;
        o->off = 0;
    }
    if (n > put) {
        memcpy(o->p + o->len, p + put, n - put);
        o->len += n - put;
    }
    return pipe_out_flush(o) < 0 ? H2E_WRITE : (int64_t)n;
}

int pipe_out_drain(struct pipe_out *o)
{
    while (pipe_out_pending(o)) {
        struct pollfd pfd = {.fd = o->fd, .events = POLLOUT};
        if (pipe_out_flush(o) < 0)
            return H2E_WRITE;
        if (pipe_out_pending(o) && poll(&pfd, 1, -1) < 0 && errno != EINTR)
            return H2E_WRITE;
    }
    return o->err ? H2E_WRITE : 0;
}

size_t pipe_out_pollfd(const struct pipe_out *o, struct pollfd *pfd)
{
    if (!pipe_out_pending(o) || o->err)
        return 0;
    pfd->fd = o->fd;
    pfd->events = POLLOUT;
    pfd->revents = 0;
    return 1;
}
