/* SPDX-License-Identifier: MIT */
/*
 * The stdin/stdout pipes (src/client/pipe.c) over real pipe(2)s: reading never waits,
 * takes what is there (37 bytes are 37 bytes), stops when the buffer is full and says
 * EOF; writing keeps what a full pipe did not take, asks for POLLOUT, writes the rest
 * later, and leaves the descriptor's flags as they were.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "client/pipe.h"
#include "tap.h"

TEST(test_pipe_in_reads_what_is_there_and_never_waits)
{
    struct pipe_in in;
    struct pollfd pfd;
    int fds[2];
    char junk[37];

    CHECK_INT(pipe(fds), 0);
    pipe_in_init(&in, fds[0], 64);
    CHECK_INT((int)pipe_in_fill(&in), 0); /* nothing yet: returns at once */
    CHECK(!in.eof);
    CHECK_INT((int)pipe_in_pollfd(&in, true, &pfd), 1);
    CHECK_INT(pfd.fd, fds[0]);
    CHECK_INT((int)pipe_in_pollfd(&in, false, &pfd), 0); /* the caller cannot send */
    memset(junk, 'a', sizeof(junk));
    CHECK_INT((int)write(fds[1], junk, sizeof(junk)), 37);
    CHECK_INT((int)pipe_in_fill(&in), 37);
    CHECK_INT((int)pipe_in_data(&in).len, 37);
    pipe_in_consume(&in, 30);
    CHECK_INT((int)pipe_in_data(&in).len, 7);
    CHECK_INT((int)write(fds[1], junk, sizeof(junk)), 37);
    CHECK_INT((int)write(fds[1], junk, sizeof(junk)), 37);
    CHECK_INT((int)pipe_in_fill(&in), 27);              /* up to the end of the buffer */
    CHECK_INT((int)pipe_in_pollfd(&in, true, &pfd), 1); /* room at the front */
    pipe_in_consume(&in, 7);
    CHECK_INT((int)pipe_in_fill(&in), 37); /* the rest moved to the front first */
    CHECK_INT((int)pipe_in_data(&in).len, 64);
    CHECK_INT((int)pipe_in_pollfd(&in, true, &pfd), 0); /* full: no POLLIN interest */
    CHECK_INT((int)pipe_in_fill(&in), 0);
    pipe_in_consume(&in, 64);
    CHECK_INT((int)pipe_in_fill(&in), 10);
    close(fds[1]);
    CHECK(!pipe_in_done(&in));
    pipe_in_consume(&in, 10);
    CHECK_INT((int)pipe_in_fill(&in), 0);
    CHECK(in.eof);
    CHECK_INT(in.err, 0);
    CHECK(pipe_in_done(&in));
    CHECK_INT((int)in.total, 111);
    CHECK_INT((int)pipe_in_pollfd(&in, true, &pfd), 0);
    CHECK_INT(fcntl(fds[0], F_GETFL) & O_NONBLOCK, 0); /* stdin's flags untouched */
    pipe_in_release(&in);
    close(fds[0]);
}

static size_t drain_fd(int fd, char *dst, size_t max)
{
    size_t got = 0;
    ssize_t r;
    int fl = fcntl(fd, F_GETFL);

    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    while (got < max && (r = read(fd, dst + got, max - got)) > 0)
        got += (size_t)r;
    fcntl(fd, F_SETFL, fl);
    return got;
}

TEST(test_pipe_out_keeps_what_a_full_pipe_did_not_take)
{
    static char big[3 * 4096], back[3 * 4096];
    struct pipe_out o;
    struct pollfd pfd;
    int fds[2];
    int64_t took;
    size_t got;

    CHECK_INT(pipe(fds), 0);
    CHECK(fcntl(fds[1], F_SETPIPE_SZ, 4096) >= 4096);
    pipe_out_init(&o, fds[1], sizeof(big));
    CHECK(fcntl(fds[1], F_GETFL) & O_NONBLOCK);
    memset(big, 'x', sizeof(big));
    big[0] = 'A';
    big[sizeof(big) - 1] = 'Z';
    CHECK_INT((int)pipe_out_pollfd(&o, &pfd), 0); /* nothing pending */
    took = pipe_out_write(&o, (const uint8_t *)big, sizeof(big));
    CHECK_INT((int)took, (int)sizeof(big)); /* accepted whole, written in part */
    CHECK(pipe_out_pending(&o) > 0 && pipe_out_pending(&o) < sizeof(big));
    CHECK_INT((int)pipe_out_room(&o), (int)(sizeof(big) - pipe_out_pending(&o)));
    CHECK_INT((int)pipe_out_pollfd(&o, &pfd), 1);
    CHECK_INT(pfd.fd, fds[1]);
    CHECK_INT(pfd.events, POLLOUT);
    got = drain_fd(fds[0], back, sizeof(back));
    while (pipe_out_pending(&o)) {
        CHECK(pipe_out_flush(&o) >= 0);
        got += drain_fd(fds[0], back + got, sizeof(back) - got);
    }
    CHECK_INT((int)got, (int)sizeof(big));
    CHECK_MEM(back, got, big, sizeof(big));
    CHECK_INT((int)o.written, (int)sizeof(big));
    pipe_out_release(&o);
    CHECK_INT(fcntl(fds[1], F_GETFL) & O_NONBLOCK, 0); /* flags restored */
    close(fds[0]);
    CHECK_INT((int)pipe_out_drain(&(struct pipe_out){.fd = fds[1], .saved_flags = -1}), 0);
    close(fds[1]);
}

/* Straight from the caller's bytes only when nothing waits: a second write while the first
 * is still pending goes behind it. */
TEST(test_pipe_out_second_write_goes_behind_what_waits)
{
    static char first[2 * 4096], second[100], back[sizeof(first) + sizeof(second)];
    struct pipe_out o;
    int fds[2];
    size_t got;

    CHECK_INT(pipe(fds), 0);
    CHECK(fcntl(fds[1], F_SETPIPE_SZ, 4096) >= 4096);
    pipe_out_init(&o, fds[1], sizeof(back));
    memset(first, 'a', sizeof(first));
    memset(second, 'b', sizeof(second));
    CHECK_INT((int)pipe_out_write(&o, (const uint8_t *)first, sizeof(first)), (int)sizeof(first));
    CHECK(pipe_out_pending(&o) > 0);
    got = drain_fd(fds[0], back, sizeof(back)); /* room in the pipe again */
    CHECK_INT((int)pipe_out_write(&o, (const uint8_t *)second, sizeof(second)),
              (int)sizeof(second));
    while (pipe_out_pending(&o)) {
        CHECK(pipe_out_flush(&o) >= 0);
        got += drain_fd(fds[0], back + got, sizeof(back) - got);
    }
    got += drain_fd(fds[0], back + got, sizeof(back) - got);
    CHECK_INT((int)got, (int)sizeof(back));
    CHECK_MEM(back, sizeof(first), first, sizeof(first));
    CHECK_MEM(back + sizeof(first), sizeof(second), second, sizeof(second));
    pipe_out_release(&o);
    close(fds[0]);
    close(fds[1]);
}

TEST(test_pipe_out_write_error_is_kept)
{
    struct pipe_out o;
    int fds[2];
    void (*was)(int) = signal(SIGPIPE, SIG_IGN); /* as h2get's main does */

    CHECK_INT(pipe(fds), 0);
    close(fds[0]);
    pipe_out_init(&o, fds[1], 16);
    CHECK_INT((int)pipe_out_write(&o, (const uint8_t *)"abc", 3), H2E_WRITE);
    CHECK_INT(o.err, EPIPE);
    CHECK_INT((int)pipe_out_room(&o), 0);
    CHECK_INT((int)pipe_out_drain(&o), H2E_WRITE);
    pipe_out_release(&o);
    close(fds[1]);
    signal(SIGPIPE, was);
}
