/* SPDX-License-Identifier: MIT */
/*
 * Ordered standard output (src/client/order.c) without a network: bodies of later URLs
 * are held (in memory, then spilled to a file) and written whole in command-line order,
 * each followed by its -w text; the first in line writes through; which streams are held
 * to the small window, and the windows the first and the next in line are given; a held
 * body that cannot be written fails that URL once.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfix.h"
#include "client/cconn.h"
#include "client/order.h"
#include "proto/conn.h"
#include "tap.h"

static void body(struct xfer *x, const char *s)
{
    if (x->resp.state == XFER_RESP_NONE)
        cfix_headers(x, 200, NULL);
    CHECK_INT(xfer_on_data(x, (const uint8_t *)s, strlen(s)), 0);
}

TEST(test_order_bodies_in_command_line_order)
{
    struct cfix f;
    struct xfer *x[3];
    size_t i;

    cfix_init(&f, "-w", "[%{urlnum}]", "https://a.example/0", "https://a.example/1",
              "https://a.example/2", NULL);
    CHECK(f.cl.ordered);
    for (i = 0; i < 3; i++)
        x[i] = cfix_make(&f, i);
    body(x[2], "two ");
    body(x[1], "one ");
    body(x[0], "zero "); /* first in line: written through at once */
    CHECK_STR(cfix_stdout(&f), "zero ");
    xfer_complete(x[2]);
    xfer_complete(x[1]);
    cfix_settle(&f);
    CHECK_INT(f.cl.fin, 0); /* the first is not done: nothing moves */
    CHECK_STR(cfix_stdout(&f), "zero ");
    body(x[0], "more ");
    xfer_complete(x[0]);
    cfix_settle(&f);
    CHECK_INT(f.cl.fin, 3);
    CHECK_STR(cfix_stdout(&f), "zero more [0]one [1]two [2]");
    cfix_release(&f);
}

TEST(test_order_spills_a_large_held_body_and_keeps_it_whole)
{
    struct cfix f;
    struct xfer *a, *b;
    char *big = malloc(300 * 1024 + 1);
    const char *out;
    size_t i;

    for (i = 0; i < 300 * 1024; i++)
        big[i] = (char)('a' + i % 26);
    big[300 * 1024] = 0;
    cfix_init(&f, "https://a.example/0", "https://a.example/1", NULL);
    a = cfix_make(&f, 0);
    b = cfix_make(&f, 1);
    body(b, big);
    CHECK(b->out.spill != NULL); /* past the in-memory bound */
    xfer_complete(b);
    body(a, "A");
    xfer_complete(a);
    cfix_settle(&f);
    out = cfix_stdout(&f);
    CHECK(out && out[0] == 'A' && strlen(out) == 300 * 1024 + 1 && !strcmp(out + 1, big));
    free(big);
    cfix_release(&f);
}

TEST(test_order_holds_only_later_stdout_streams)
{
    struct cfix f;
    struct xfer *a, *b, *c;

    /* -o applies to the URLs in order, as in curl: "-" keeps stdout */
    cfix_init(&f, "-o", "-", "-o", "-", "-o", "c", "https://a.example/0", "https://a.example/1",
              "https://a.example/2", NULL);
    a = cfix_make(&f, 0);
    b = cfix_make(&f, 1);
    c = cfix_make(&f, 2);
    CHECK(!order_holds(a)); /* first in line */
    CHECK(order_holds(b));
    CHECK(!order_holds(c)); /* to a file */
    b->out.released = true; /* let run to its end (it spills) */
    CHECK(!order_holds(b));
    cfix_release(&f);
}

static int64_t stream_window(struct cconn *cc, const struct xfer *x)
{
    struct h2c_windows w;

    h2c_windows(cc->h2, x->stream_id, &w);
    return w.stream_recv;
}

/* The first in line gets the full window; the next in line, once its head has come, as
 * much as it may hold in memory (256 KiB), so that the server has its body to send while
 * the first one's tail is written; the others keep the small window (64 KiB), and so does
 * a next in line whose body fits it. */
TEST(test_order_boosts_the_first_fully_and_the_next_to_what_it_may_hold)
{
    static const struct hpack_field get[] = {
        {{(const uint8_t *)":method", 7}, {(const uint8_t *)"GET", 3}, 0, 0, 0},
        {{(const uint8_t *)":scheme", 7}, {(const uint8_t *)"https", 5}, 0, 0, 0},
        {{(const uint8_t *)":authority", 10}, {(const uint8_t *)"a.example", 9}, 0, 0, 0},
        {{(const uint8_t *)":path", 5}, {(const uint8_t *)"/", 1}, 0, 0, 0},
    };
    struct h2c_request r = {get, 4, true, NULL};
    struct h2c_config hc;
    struct cconn cc;
    struct cfix f;
    struct xfer *x[5];
    char held[1024];
    size_t i;

    cfix_init(&f, "https://a.example/0", "https://a.example/1", "https://a.example/2",
              "https://a.example/3", "https://a.example/4", NULL);
    memset(&cc, 0, sizeof(cc));
    h2c_config_init(&hc, &mem_libc);
    hc.stream_window = 64 * 1024; /* CLIENT_HELD_WINDOW, as sess_h2_start sets it */
    cc.h2 = h2c_new(&hc);
    CHECK(cc.h2 != NULL);
    for (i = 0; i < 5; i++) {
        x[i] = cfix_make(&f, i);
        x[i]->conn = &cc;
        x[i]->phase = XFER_SENT;
        x[i]->stream_id = (uint32_t)h2c_submit(cc.h2, &r);
        CHECK(x[i]->stream_id == 2 * i + 1);
    }
    order_boost(x[0]);
    CHECK_INT(stream_window(&cc, x[0]), 1 << 20);
    CHECK_INT(stream_window(&cc, x[1]), 64 * 1024); /* no head yet: its length is unknown */
    memset(held, 'h', sizeof(held));
    cfix_headers(x[1], 200, NULL);
    CHECK_INT(xfer_on_data(x[1], (const uint8_t *)held, sizeof(held)), 0); /* held */
    order_boost(x[0]); /* the next DATA frame of the first in line */
    CHECK_INT(stream_window(&cc, x[0]), 1 << 20);
    CHECK_INT(stream_window(&cc, x[1]), 256 * 1024 - 1024); /* 256 KiB with what it holds */
    CHECK_INT(stream_window(&cc, x[2]), 64 * 1024);
    x[0]->phase = XFER_DONE; /* the first is done: the next is first */
    f.cl.fin = 1;
    cfix_headers(x[2], 200, "content-length", "65536", NULL); /* fits the small window */
    order_boost(x[1]);
    CHECK_INT(stream_window(&cc, x[1]), 1 << 20);
    CHECK_INT(stream_window(&cc, x[2]), 64 * 1024);
    x[1]->phase = XFER_DONE;
    f.cl.fin = 2;
    cfix_headers(x[3], 200, "content-length", "65537", NULL);
    order_boost(x[2]);
    CHECK_INT(stream_window(&cc, x[3]), 256 * 1024);
    CHECK_INT(stream_window(&cc, x[4]), 64 * 1024);
    cfix_headers(x[4], 200, NULL);
    order_boost(x[3]); /* released to run to its end (sess_h2.c), not first in line */
    CHECK_INT(stream_window(&cc, x[3]), 1 << 20);
    CHECK_INT(stream_window(&cc, x[4]), 64 * 1024); /* not the next in line of the first */
    for (i = 0; i < 5; i++)
        x[i]->conn = NULL;
    h2c_free(cc.h2);
    cfix_release(&f);
}

TEST(test_order_held_body_that_cannot_be_written)
{
    struct cfix f;
    struct xfer *a, *b;
    int full = open("/dev/full", O_WRONLY);
    char held[40 * 1024 + 1]; /* more than the stdout buffer: written at once */

    memset(held, 'h', sizeof(held) - 1);
    held[sizeof(held) - 1] = 0;
    if (full < 0) {
        tap_skip("/dev/full is not available");
        return;
    }
    cfix_init(&f, "https://a.example/0", "https://a.example/1", NULL);
    close(f.cl.out.fd);
    f.cl.out.fd = full;
    a = cfix_make(&f, 0);
    b = cfix_make(&f, 1);
    body(b, held);
    xfer_complete(b);
    cfix_headers(a, 200, NULL);
    xfer_complete(a); /* nothing to write: a is fine */
    cfix_settle(&f);
    CHECK_INT(f.cl.fin, 2);
    CHECK_INT(a->result, 0);
    CHECK_INT(b->result, H2E_WRITE); /* its held body met the full device */
    CHECK_INT(f.cl.first_error, H2E_WRITE);
    CHECK_STR(cfix_diag(&f), "h2get: (23) write error: cannot write to 'stdout': No space left "
                             "on device\n");
    f.cl.out.len = 0;
    cfix_release(&f);
}

/* A spilled body that cannot be read back fails its URL, saying so, instead of reaching
 * stdout shorter than it came (the spill file is swapped for one that cannot be read). */
TEST(test_order_spill_that_cannot_be_read_back)
{
    struct cfix f;
    struct xfer *a, *b;
    char *big = malloc(300 * 1024 + 1);
    FILE *wo = fopen("/dev/null", "w");

    memset(big, 'b', 300 * 1024);
    big[300 * 1024] = 0;
    cfix_init(&f, "https://a.example/0", "https://a.example/1", NULL);
    a = cfix_make(&f, 0);
    b = cfix_make(&f, 1);
    body(b, big);
    CHECK(b->out.spill != NULL && wo != NULL);
    if (b->out.spill && wo) {
        fclose(b->out.spill);
        b->out.spill = wo; /* write-only: fread fails with EBADF */
    }
    xfer_complete(b);
    body(a, "A");
    xfer_complete(a);
    cfix_settle(&f);
    CHECK_INT(f.cl.fin, 2);
    CHECK_INT(a->result, 0);
    CHECK_INT(b->result, H2E_WRITE);
    CHECK_STR(cfix_diag(&f), "h2get: (23) write error: cannot read back the body held for "
                             "ordered output: Bad file descriptor\n");
    free(big);
    cfix_release(&f);
}
