/* SPDX-License-Identifier: MIT */
/*
 * The router (src/client/route.c) without a network: which connection a transfer goes
 * to (one per origin for HTTP/2, up to --parallel-max-host for HTTP/1.1, a newer one for
 * a fresh retry), how reported outcomes are settled (finished, routed again after a
 * retry or a redirect to another origin), --fail-early, and the start limits.
 */
#include <string.h>

#include "cfix.h"
#include "client/cconn.h"
#include "client/route.h"
#include "tap.h"

static struct xfer *routed(struct cfix *f, size_t i)
{
    struct xfer *x = cfix_make(f, i);
    route_xfer(&f->cl, x, false);
    return x;
}

TEST(test_route_one_connection_per_origin)
{
    struct cfix f;
    struct xfer *a, *b, *c, *d;

    cfix_init(&f, "https://a.example/1", "https://a.example/2", "https://b.example/",
              "http://a.example/", NULL);
    a = routed(&f, 0);
    b = routed(&f, 1);
    c = routed(&f, 2);
    d = routed(&f, 3);
    CHECK(a->conn && a->conn == b->conn);
    CHECK(c->conn && c->conn != a->conn);
    CHECK(d->conn && d->conn != a->conn);
    CHECK_INT(a->conn->kind, CC_KIND_ALPN);
    CHECK_INT(d->conn->kind, CC_KIND_H1); /* http:// without prior knowledge */
    CHECK_INT(f.cl.nconns, 3);
    CHECK_INT(a->phase, XFER_QUEUED);
    CHECK_INT(a->conn->npending, 2);
    CHECK_INT(a->num_connects, 1);
    CHECK_INT(b->num_connects, 0);
    CHECK(route_first_waiting(&f.cl) == a);
    CHECK(cconn_peek(a->conn) == a);
    cfix_release(&f);
}

TEST(test_route_h1_spreads_over_parallel_max_host)
{
    struct cfix f;
    struct xfer *x[3];
    size_t i;

    cfix_init(&f, "--parallel-max-host", "2", "--http1.1", "https://a.example/1",
              "https://a.example/2", "https://a.example/3", NULL);
    for (i = 0; i < 3; i++)
        x[i] = routed(&f, i);
    CHECK(x[0]->conn != x[1]->conn);
    CHECK(x[2]->conn == x[0]->conn || x[2]->conn == x[1]->conn);
    CHECK_INT(f.cl.nconns, 2);
    cfix_release(&f);
}

TEST(test_route_settles_retry_on_a_newer_connection)
{
    struct cfix f;
    struct xfer *x;
    struct cconn *first;

    cfix_init(&f, "https://a.example/", NULL);
    x = routed(&f, 0);
    first = x->conn;
    cconn_activate(first, x);
    CHECK_INT(x->phase, XFER_SENT);
    CHECK_INT(f.cl.in_flight, 1);
    x->conn_id = first->id;
    CHECK(xfer_retry(x, "GOAWAY", true));
    CHECK(x->conn == first); /* still there until the router settles it */
    CHECK(cfix_settle(&f));
    CHECK_INT(f.cl.in_flight, 0);
    CHECK_INT(first->nact, 0);
    CHECK_INT(x->phase, XFER_QUEUED);
    CHECK(x->conn && x->conn != first && x->conn->id > first->id);
    CHECK_INT(x->num_connects, 2);
    cfix_release(&f);
}

TEST(test_route_redirect_to_another_origin)
{
    struct cfix f;
    struct xfer *x;
    struct cconn *first;

    cfix_init(&f, "-L", "https://a.example/", NULL);
    x = routed(&f, 0);
    first = x->conn;
    cconn_activate(first, x);
    cfix_headers(x, 301, "location", "https://b.example/x", NULL);
    xfer_complete(x);
    cfix_settle(&f);
    CHECK_INT(x->phase, XFER_QUEUED);
    CHECK(x->conn != first);
    CHECK_STR(x->conn->host, "b.example");
    CHECK_INT(x->resp.status, 0); /* the response was forgotten */
    cfix_release(&f);
}

TEST(test_route_fail_early_cancels_the_rest)
{
    struct cfix f;
    struct xfer *x[3];
    size_t i;

    cfix_init(&f, "--fail-early", "-o", "0", "https://a.example/0", "-o", "1",
              "https://a.example/1", "-o", "2", "https://a.example/2", NULL);
    for (i = 0; i < 3; i++)
        x[i] = routed(&f, i);
    cconn_activate(x[1]->conn, x[1]);
    cfix_headers(x[1], 200, NULL);
    xfer_on_data(x[1], (const uint8_t *)"partial", 7);
    xfer_fail(x[2], H2E_PEER_RST_STREAM, "server sent RST_STREAM(INTERNAL_ERROR) on stream 5");
    cfix_settle(&f);
    CHECK(f.cl.stopping);
    for (i = 0; i < 3; i++)
        CHECK_INT(x[i]->phase, XFER_DONE);
    CHECK_INT(x[0]->outcome, XFER_CANCELLED);
    CHECK_INT(x[0]->result, H2E_PEER_RST_STREAM);
    CHECK_STR(x[1]->detail, "cancelled by --fail-early");
    CHECK(cfix_file(&f, "1") == NULL); /* its partial file is gone */
    CHECK_INT(f.cl.in_flight, 0);
    CHECK_INT(f.cl.ndone, 3);
    CHECK_INT(f.cl.fin, 3);
    CHECK_INT(f.cl.first_error, H2E_PEER_RST_STREAM); /* the failure, not the cancels */
    cfix_release(&f);
}

TEST(test_route_start_limits)
{
    struct cfix f;
    struct xfer *a, *b;

    cfix_init(&f, "--sequential", "https://a.example/0", "https://a.example/1", NULL);
    a = routed(&f, 0);
    b = routed(&f, 1);
    CHECK(route_may_start(&f.cl, a->conn));
    cconn_activate(a->conn, a);
    /* one in flight: the next waits, though it is queued on the same connection */
    CHECK(!route_could_start(&f.cl, b->conn));
    CHECK(route_first_waiting(&f.cl) == NULL); /* the first in line is sent */
    cfix_release(&f);

    cfix_init(&f, "--rate", "1/s", "https://a.example/0", "https://a.example/1", NULL);
    a = routed(&f, 0);
    b = routed(&f, 1);
    CHECK(route_may_start(&f.cl, a->conn)); /* takes the one token */
    CHECK(!route_may_start(&f.cl, b->conn));
    CHECK(route_rate_wait(&f.cl) <= 1001 && route_rate_wait(&f.cl) > 900);
    f.cl.now += 1000;
    CHECK(route_could_start(&f.cl, b->conn));
    cfix_release(&f);
}
