/* SPDX-License-Identifier: MIT */
/*
 * Proxy handshakes (net/tunnel.c) against a scripted proxy on the other end of a socket
 * pair: the exact bytes h2get sends, the proxy's answers fed in pieces, each refusal's
 * code and message, EOF mid-handshake, and bytes after the reply kept for the tunnel.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/tunnel.h"
#include "tap.h"

struct rig {
    int peer;
    struct io io;
    struct tunnel t;
};

static void rig_open(struct rig *g, const struct tunnel_req *r)
{
    int sv[2];

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        tap_fail(__FILE__, __LINE__, "socketpair: %s", strerror(errno));
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    io_tcp_init(&g->io, sv[0]);
    g->peer = sv[1];
    CHECK_INT(tunnel_start(&g->t, r), 0);
}

static void rig_close(struct rig *g)
{
    tunnel_release(&g->t);
    io_close(&g->io);
    if (g->peer >= 0)
        close(g->peer);
}

/* Step until the handshake waits for the proxy; what it sent must be `want`. */
static int expect_sent(struct rig *g, const void *want, size_t n)
{
    char got[1024];
    int rv = tunnel_step(&g->t, &g->io);
    ssize_t k = recv(g->peer, got, sizeof(got), MSG_DONTWAIT);

    CHECK_MEM(got, k < 0 ? 0 : (size_t)k, want, n);
    return rv;
}

/* The proxy says `p` one byte at a time; the result once it is all said. */
static int answer(struct rig *g, const void *p, size_t n)
{
    size_t i;
    int rv = H2E_INCOMPLETE;

    for (i = 0; i < n; i++) {
        CHECK_INT(send(g->peer, (const char *)p + i, 1, 0), 1);
        rv = tunnel_step(&g->t, &g->io);
        if (i + 1 < n && rv != H2E_INCOMPLETE)
            break;
    }
    return rv;
}

#define LIT(s) s, sizeof(s) - 1
#define SP(s)                                                                                      \
    {                                                                                              \
        (const uint8_t *)(s), sizeof(s) - 1                                                        \
    }

TEST(test_tunnel_http_open_keeps_early_bytes)
{
    const char head[] = "CONNECT h.test:443 HTTP/1.1\r\nHost: h.test:443\r\n\r\n";
    struct tunnel_req r = {PROXY_HTTP, "h.test", 443, false, {0}, {0}, SP(head)};
    struct rig g;
    char buf[64];

    rig_open(&g, &r);
    CHECK_INT(expect_sent(&g, LIT(head)), H2E_INCOMPLETE);
    CHECK_INT(tunnel_events(&g.t, &g.io) & POLLIN, POLLIN);
    CHECK_INT(answer(&g, LIT("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nX: y\r\n\r\n")), 0);
    CHECK_INT(g.t.status, 200);
    CHECK_INT(send(g.peer, "SSH-2.0", 7, 0), 7);
    CHECK_INT(tunnel_step(&g.t, &g.io), 0);
    rig_close(&g);

    rig_open(&g, &r);
    expect_sent(&g, LIT(head));
    CHECK_INT(send(g.peer, LIT("HTTP/1.1 200 Connection established\r\n\r\nSSH-2.0-x\r\n"), 0),
              sizeof("HTTP/1.1 200 Connection established\r\n\r\nSSH-2.0-x\r\n") - 1);
    CHECK_INT(tunnel_step(&g.t, &g.io), 0);
    CHECK_INT(io_pending(&g.io), 11);
    CHECK_INT(io_read(&g.io, buf, sizeof(buf)), 11);
    CHECK_MEM(buf, 11, "SSH-2.0-x\r\n", 11);
    rig_close(&g);
}

TEST(test_tunnel_http_refused)
{
    const char head[] = "CONNECT h:443 HTTP/1.1\r\n\r\n";
    struct tunnel_req r = {PROXY_HTTP, "h", 443, false, {0}, {0}, SP(head)};
    struct rig g;

    rig_open(&g, &r);
    expect_sent(&g, LIT(head));
    CHECK_INT(answer(&g, LIT("HTTP/1.1 407 Proxy Authentication Required\r\n"
                             "Proxy-Authenticate: Basic realm=\"x\"\r\n\r\n")),
              H2E_PROXY_TUNNEL);
    CHECK_INT(g.t.status, 407);
    CHECK_STR(g.t.detail,
              "CONNECT to 'h:443' answered 407 Proxy Authentication Required (the proxy "
              "wants credentials: -U USER:PASSWORD)");
    CHECK_INT(tunnel_step(&g.t, &g.io), H2E_PROXY_TUNNEL); /* again, the same */
    rig_close(&g);

    r.has_user = true;
    rig_open(&g, &r);
    expect_sent(&g, LIT(head));
    CHECK_INT(answer(&g, LIT("HTTP/1.1 407 No\r\n\r\n")), H2E_PROXY_TUNNEL);
    CHECK_STR(g.t.detail, "CONNECT to 'h:443' answered 407 No (the proxy refused the credentials)");
    rig_close(&g);

    rig_open(&g, &r);
    expect_sent(&g, LIT(head));
    CHECK_INT(answer(&g, LIT("HTTP/1.1 502 Bad\xe9Gateway\r\n\r\n")), H2E_PROXY_TUNNEL);
    CHECK_STR(g.t.detail, "CONNECT to 'h:443' answered 502 Bad\\xe9Gateway");
    rig_close(&g);

    rig_open(&g, &r);
    expect_sent(&g, LIT(head));
    CHECK_INT(answer(&g, LIT("SSH-2.0-OpenSSH\r\n")), H2E_PROXY_TUNNEL);
    CHECK(strstr(g.t.detail, "not HTTP/1.1") != NULL);
    rig_close(&g);
}

TEST(test_tunnel_closed_mid_handshake)
{
    const char head[] = "CONNECT h:443 HTTP/1.1\r\n\r\n";
    struct tunnel_req r = {PROXY_HTTP, "h", 443, false, {0}, {0}, SP(head)};
    struct rig g;

    rig_open(&g, &r);
    expect_sent(&g, LIT(head));
    send(g.peer, "HTTP/1.1 2", 10, 0);
    close(g.peer);
    g.peer = -1;
    CHECK_INT(tunnel_step(&g.t, &g.io), H2E_PROXY_TUNNEL);
    CHECK_STR(g.t.detail, "the HTTP proxy closed the connection in the middle of the handshake "
                          "(10 bytes of its reply received)");
    rig_close(&g);

    r.kind = PROXY_SOCKS5H;
    rig_open(&g, &r);
    expect_sent(&g, "\x05\x01\x00", 3);
    close(g.peer);
    g.peer = -1;
    CHECK_INT(tunnel_step(&g.t, &g.io), H2E_PROXY_HANDSHAKE);
    CHECK(strstr(g.t.detail, "SOCKS5 proxy closed the connection") != NULL);
    rig_close(&g);
}

TEST(test_tunnel_socks5)
{
    struct tunnel_req r = {PROXY_SOCKS5H, "h.test", 443, false, {0}, {0}, {0}};
    struct rig g;
    char buf[8];

    rig_open(&g, &r);
    CHECK_INT(expect_sent(&g, "\x05\x01\x00", 3), H2E_INCOMPLETE);
    CHECK_INT(answer(&g, "\x05\x00", 2), H2E_INCOMPLETE);
    CHECK_INT(expect_sent(&g, "\x05\x01\x00\x03\x06h.test\x01\xbb", 13), H2E_INCOMPLETE);
    CHECK_INT(answer(&g, "\x05\x00\x00\x01\x7f\x00\x00\x01\x00\x50", 10), 0);
    CHECK_INT(send(g.peer, "xy", 2, 0), 2);
    CHECK_INT(io_read(&g.io, buf, sizeof(buf)), 2);
    CHECK_MEM(buf, 2, "xy", 2);
    rig_close(&g);

    r.kind = PROXY_SOCKS5; /* local resolution: the target is an address */
    r.host = "10.0.0.7";
    rig_open(&g, &r);
    expect_sent(&g, "\x05\x01\x00", 3);
    answer(&g, "\x05\x00", 2);
    expect_sent(&g, "\x05\x01\x00\x01\x0a\x00\x00\x07\x01\xbb", 10);
    CHECK_INT(answer(&g, "\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00", 10), H2E_PROXY_HANDSHAKE);
    CHECK_INT(g.t.reply, 5);
    CHECK_STR(g.t.detail,
              "the SOCKS5 proxy could not connect to '10.0.0.7:443': connection refused (reply 5)");
    rig_close(&g);
}

TEST(test_tunnel_socks5_auth)
{
    struct tunnel_req r = {PROXY_SOCKS5H, "h", 80, true, SP("al"), SP("pw"), {0}};
    struct rig g;

    rig_open(&g, &r);
    CHECK_INT(expect_sent(&g, "\x05\x02\x00\x02", 4), H2E_INCOMPLETE);
    answer(&g, "\x05\x02", 2);
    CHECK_INT(expect_sent(&g,
                          "\x01\x02"
                          "al\x02pw",
                          7),
              H2E_INCOMPLETE);
    CHECK_INT(answer(&g, "\x01\x00", 2), H2E_INCOMPLETE);
    expect_sent(&g, "\x05\x01\x00\x03\x01h\x00\x50", 8);
    CHECK_INT(answer(&g, "\x05\x00\x00\x03\x01h\x00\x50", 8), 0);
    rig_close(&g);

    rig_open(&g, &r);
    expect_sent(&g, "\x05\x02\x00\x02", 4);
    answer(&g, "\x05\x02", 2);
    expect_sent(&g,
                "\x01\x02"
                "al\x02pw",
                7);
    CHECK_INT(answer(&g, "\x01\x01", 2), H2E_PROXY_HANDSHAKE);
    CHECK_STR(g.t.detail,
              "the SOCKS5 proxy refused the user name and password (RFC 1929 status 1)");
    CHECK(strstr(g.t.detail, "pw") == NULL);
    rig_close(&g);

    rig_open(&g, &r);
    expect_sent(&g, "\x05\x02\x00\x02", 4);
    CHECK_INT(answer(&g, "\x05\xff", 2), H2E_PROXY_HANDSHAKE);
    CHECK(strstr(g.t.detail, "accepted none of the methods") != NULL);
    rig_close(&g);

    r.has_user = false;
    rig_open(&g, &r);
    expect_sent(&g, "\x05\x01\x00", 3);
    CHECK_INT(answer(&g, "\x05\x02", 2), H2E_PROXY_HANDSHAKE);
    CHECK(strstr(g.t.detail, "requires a user name and password") != NULL);
    rig_close(&g);

    rig_open(&g, &r);
    expect_sent(&g, "\x05\x01\x00", 3);
    CHECK_INT(answer(&g, "\x04\x00", 2), H2E_PROXY_HANDSHAKE);
    CHECK(strstr(g.t.detail, "bad reply from the SOCKS5 proxy") != NULL);
    rig_close(&g);
}

TEST(test_tunnel_socks4)
{
    struct tunnel_req r = {PROXY_SOCKS4A, "h.test", 443, false, {0}, {0}, {0}};
    struct rig g;

    rig_open(&g, &r);
    CHECK_INT(expect_sent(&g, "\x04\x01\x01\xbb\x00\x00\x00\x01\x00h.test\x00", 16),
              H2E_INCOMPLETE);
    CHECK_INT(answer(&g, "\x00\x5a\x00\x00\x00\x00\x00\x00", 8), 0);
    rig_close(&g);

    r.kind = PROXY_SOCKS4;
    r.host = "127.0.0.1";
    rig_open(&g, &r);
    expect_sent(&g, "\x04\x01\x01\xbb\x7f\x00\x00\x01\x00", 9);
    CHECK_INT(answer(&g, "\x00\x5b\x00\x00\x00\x00\x00\x00", 8), H2E_PROXY_HANDSHAKE);
    CHECK_STR(g.t.detail,
              "the SOCKS4 proxy refused '127.0.0.1:443': request rejected or failed (reply 91)");
    rig_close(&g);
}

TEST(test_tunnel_start_refuses)
{
    struct tunnel_req r = {PROXY_SOCKS4, "::1", 443, false, {0}, {0}, {0}};
    struct tunnel t;

    CHECK_INT(tunnel_start(&t, &r), H2E_USAGE);
    CHECK(strstr(t.detail, "IPv6") != NULL);
    tunnel_release(&t);
}
