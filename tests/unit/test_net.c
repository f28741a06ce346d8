/* SPDX-License-Identifier: MIT */
/*
 * net: literal and name resolution, --resolve/--connect-to parsing and matching, and the
 * Happy Eyeballs connector against loopback listeners on ports chosen at run time. An
 * address that "never answers" is a listener with backlog 0 whose queue is already full:
 * the kernel drops further SYNs, so the attempt stays in progress (RFC 8305 §5 tests).
 * The lookup thread is tried on "localhost" (the hosts file, never the network); its slow
 * and failing answers are end to end (tests/e2e/26-resolve.bats, a DNS peer).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/net.h"
#include "net/resolve.h"
#include "tap.h"

static uint64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static struct net_addr lit(const char *ip, uint16_t port)
{
    struct net_addrs a;

    if (net_resolve(ip, port, 0, &a, NULL) != 0 || a.n != 1)
        tap_fail(__FILE__, __LINE__, "cannot parse literal %s", ip);
    return a.addr[0];
}

static const char *str(const struct net_addr *a)
{
    static char buf[4][NET_ADDR_STRLEN];
    static int k;

    k = (k + 1) % 4;
    return net_addr_str(a, buf[k], sizeof(buf[k]));
}

/* A socket bound to loopback of `family` on a run-time port; listening unless backlog < 0.
 * Returns -1 when the host lacks that family. */
static int bound(int family, int backlog, struct net_addr *addr)
{
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    *addr = lit(family == AF_INET6 ? "::1" : "127.0.0.1", 0);
    if (bind(fd, (struct sockaddr *)&addr->sa, addr->len) != 0 ||
        (backlog >= 0 && listen(fd, backlog) != 0)) {
        close(fd);
        return -1;
    }
    addr->len = sizeof(addr->sa);
    getsockname(fd, (struct sockaddr *)&addr->sa, &addr->len);
    return fd;
}

/* A listener that never completes another handshake: backlog 0, queue filled by `*filler`. */
static int blackhole(int family, struct net_addr *addr, int *filler)
{
    int l = bound(family, 0, addr);

    *filler = -1;
    if (l < 0)
        return -1;
    *filler = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (*filler < 0 || connect(*filler, (struct sockaddr *)&addr->sa, addr->len) != 0) {
        close(l);
        return -1;
    }
    return l;
}

static bool fd_closed(int fd)
{
    return fcntl(fd, F_GETFD) == -1 && errno == EBADF;
}

/* Poll and step until the connector finishes; the clock is real unless `fake` is set. */
static int drive(struct net_connector *c, int r, const uint64_t *fake)
{
    int rounds;

    for (rounds = 0; r == H2E_INCOMPLETE && rounds < 1000; rounds++) {
        struct pollfd pfd[LIMIT_RESOLVE_ADDRS];
        uint64_t now = fake ? *fake : mono_ms();
        int t = net_connector_next_timeout(c, now);
        size_t n = net_connector_pollfds(c, pfd, LIMIT_RESOLVE_ADDRS);
        poll(pfd, n, t < 0 || t > 100 ? 100 : t);
        r = net_connector_step(c, pfd, n, fake ? *fake : mono_ms());
    }
    return r;
}

static struct net_addrs list2(const struct net_addr *a, const struct net_addr *b)
{
    struct net_addrs l;

    memset(&l, 0, sizeof(l));
    l.addr[l.n++] = *a;
    if (b)
        l.addr[l.n++] = *b;
    return l;
}

TEST(test_net_resolve_ipv4_literal)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct net_addrs a;
    char ip[NET_ADDR_STRLEN];

    CHECK_INT(net_resolve("127.0.0.1", 443, 0, &a, &info), 0);
    CHECK_INT(a.n, 1);
    CHECK(!a.overridden);
    CHECK_STR(str(&a.addr[0]), "127.0.0.1:443");
    CHECK_STR(net_addr_ip(&a.addr[0], ip, sizeof(ip)), "127.0.0.1");
    CHECK_INT(net_addr_port(&a.addr[0]), 443);
    CHECK_INT(net_addr_family(&a.addr[0]), AF_INET);
    CHECK_INT(net_resolve("127.0.0.1", 443, AF_INET, &a, &info), 0);
}

TEST(test_net_resolve_ipv6_literal)
{
    struct net_addrs a;
    char ip[NET_ADDR_STRLEN];

    CHECK_INT(net_resolve("::1", 8443, 0, &a, NULL), 0);
    CHECK_INT(a.n, 1);
    CHECK_STR(str(&a.addr[0]), "[::1]:8443");
    CHECK_STR(net_addr_ip(&a.addr[0], ip, sizeof(ip)), "::1");
    CHECK_INT(net_addr_family(&a.addr[0]), AF_INET6);
    CHECK_INT(net_resolve("[2001:db8::1]", 80, AF_INET6, &a, NULL), 0);
    CHECK_STR(str(&a.addr[0]), "[2001:db8::1]:80");
}

TEST(test_net_resolve_family_mismatch)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct net_addrs a;

    CHECK_INT(net_resolve("127.0.0.1", 80, AF_INET6, &a, &info), H2E_RESOLVE);
    CHECK_INT(info.code, H2E_RESOLVE);
    CHECK(info.why != NULL);
    CHECK_STR(a.detail, "'127.0.0.1' is not an IPv6 address");
    CHECK_INT(a.n, 0);
    CHECK_INT(h2e_exit(H2E_RESOLVE), 6);
    CHECK_INT(net_resolve("::1", 80, AF_INET, &a, &info), H2E_RESOLVE);
    CHECK_STR(a.detail, "'::1' is not an IPv4 address");
}

TEST(test_net_resolve_localhost)
{
    struct net_addrs a;
    size_t i;
    bool v4 = false;

    CHECK_INT(net_resolve("localhost", 80, 0, &a, NULL), 0);
    CHECK(a.n >= 1);
    for (i = 0; i < a.n; i++) {
        const char *s = str(&a.addr[i]);
        CHECK(strncmp(s, "127.", 4) == 0 || strcmp(s, "[::1]:80") == 0);
        v4 |= strcmp(s, "127.0.0.1:80") == 0;
    }
    CHECK_INT(net_resolve("localhost", 80, AF_INET, &a, NULL), 0);
    for (i = 0; i < a.n; i++)
        CHECK_INT(net_addr_family(&a.addr[i]), AF_INET);
    CHECK(v4 || a.n >= 1);
}

TEST(test_net_resolve_errors)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct net_addrs a;

    /* glibc refuses a name with a space before any query is sent */
    CHECK_INT(net_resolve("a b.invalid", 80, 0, &a, &info), H2E_RESOLVE);
    CHECK(info.why != NULL);
    CHECK(strncmp(a.detail, "could not resolve 'a b.invalid': ", 33) == 0);
    info.why = NULL;
    CHECK_INT(net_resolve("", 80, 0, &a, &info), H2E_RESOLVE);
    CHECK(info.why != NULL);
    CHECK_STR(a.detail, "bad host name ''");
}

/* The longest host a URL can name is quoted whole (it used to be cut near 230 bytes); a
 * longer one is refused saying so. */
TEST(test_net_resolve_long_host_named_whole)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct net_addrs a;
    char host[301], want[340];

    memset(host, 'h', 255);
    host[1] = ' '; /* refused by glibc before any query */
    host[255] = 0;
    CHECK_INT(net_resolve(host, 80, 0, &a, &info), H2E_RESOLVE);
    snprintf(want, sizeof(want), "could not resolve '%s': ", host);
    CHECK(strncmp(a.detail, want, strlen(want)) == 0);
    CHECK(strlen(a.detail) > strlen(want) + 5);
    memset(host, 'h', 300);
    host[300] = 0;
    CHECK_INT(net_resolve(host, 80, 0, &a, &info), H2E_RESOLVE);
    CHECK_STR(a.detail, "host name of 300 bytes is too long");
}

TEST(test_net_interleave_ipv6_first)
{
    struct net_addrs a;

    memset(&a, 0, sizeof(a));
    a.addr[a.n++] = lit("10.0.0.1", 1);
    a.addr[a.n++] = lit("10.0.0.2", 1);
    a.addr[a.n++] = lit("10.0.0.3", 1);
    a.addr[a.n++] = lit("2001:db8::1", 1);
    a.addr[a.n++] = lit("2001:db8::2", 1);
    net_addrs_interleave(&a);
    CHECK_INT(a.n, 5);
    CHECK_STR(str(&a.addr[0]), "[2001:db8::1]:1");
    CHECK_STR(str(&a.addr[1]), "10.0.0.1:1");
    CHECK_STR(str(&a.addr[2]), "[2001:db8::2]:1");
    CHECK_STR(str(&a.addr[3]), "10.0.0.2:1");
    CHECK_STR(str(&a.addr[4]), "10.0.0.3:1");
}

TEST(test_net_parse_resolve_ok)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct net_resolve_rule r;

    CHECK_INT(net_parse_resolve("example.com:443:127.0.0.1,[::1]", &r, &info), 0);
    CHECK_STR(r.host, "example.com");
    CHECK_INT(r.port, 443);
    CHECK_INT(r.naddr, 2);
    CHECK_STR(str(&r.addr[0]), "127.0.0.1:443");
    CHECK_STR(str(&r.addr[1]), "[::1]:443");
    CHECK_INT(net_parse_resolve("+example.org:80:::1", &r, &info), 0);
    CHECK_STR(r.host, "example.org");
    CHECK_INT(r.naddr, 1);
    CHECK_STR(str(&r.addr[0]), "[::1]:80");
    CHECK_INT(net_parse_resolve("*:8443:10.1.2.3", &r, &info), 0);
    CHECK_STR(r.host, "*");
    CHECK_INT(net_parse_resolve("[::1]:443:127.0.0.1", &r, &info), 0);
    CHECK_STR(r.host, "::1");
}

TEST(test_net_parse_resolve_errors)
{
    static const char *bad[] = {
        "",
        "example.com",
        "example.com:443",
        "example.com:443:",
        ":443:127.0.0.1",
        "example.com:0:127.0.0.1",
        "example.com:65536:127.0.0.1",
        "example.com:44a:127.0.0.1",
        "example.com::127.0.0.1",
        "example.com:443:1.2.3",
        "example.com:443:localhost",
        "example.com:443:127.0.0.1,",
        "example.com:443:127.0.0.1,,127.0.0.2",
        "-example.com:443",
        "[::1:443:127.0.0.1",
        "exa mple.com:443:127.0.0.1",
        "example.com:443:1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17",
    };
    char many[512] = "example.com:443:";
    struct net_resolve_rule r;
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct h2e_info info = H2E_INFO_INIT;
        int rc = net_parse_resolve(bad[i], &r, &info);
        if (rc != H2E_USAGE || info.why == NULL)
            tap_fail(__FILE__, __LINE__, "'%s' gave %d", bad[i], rc);
    }
    for (i = 0; i < LIMIT_RESOLVE_ADDRS + 1; i++)
        snprintf(many + strlen(many), sizeof(many) - strlen(many), "%s10.0.0.%zu", i ? "," : "",
                 i + 1);
    CHECK_INT(net_parse_resolve(many, &r, NULL), H2E_USAGE);
    *strrchr(many, ',') = '\0'; /* drop the 17th: exactly the limit */
    CHECK_INT(net_parse_resolve(many, &r, NULL), 0);
    CHECK_INT(r.naddr, LIMIT_RESOLVE_ADDRS);
    CHECK_INT(h2e_exit(H2E_USAGE), 2);
}

TEST(test_net_parse_connect_to_ok)
{
    struct net_connect_to r;

    CHECK_INT(net_parse_connect_to("example.com:443:backend.test:8443", &r, NULL), 0);
    CHECK_STR(r.from_host, "example.com");
    CHECK_INT(r.from_port, 443);
    CHECK_STR(r.to_host, "backend.test");
    CHECK_INT(r.to_port, 8443);
    CHECK_INT(net_parse_connect_to("::other.test:", &r, NULL), 0);
    CHECK_STR(r.from_host, "");
    CHECK_INT(r.from_port, 0);
    CHECK_STR(r.to_host, "other.test");
    CHECK_INT(r.to_port, 0);
    CHECK_INT(net_parse_connect_to("[::1]:443:[2001:db8::1]:80", &r, NULL), 0);
    CHECK_STR(r.from_host, "::1");
    CHECK_STR(r.to_host, "2001:db8::1");
    CHECK_INT(r.to_port, 80);
}

TEST(test_net_parse_connect_to_errors)
{
    static const char *bad[] = {
        "",        "a:1:b",      "a:1:b:2:c",    "a:x:b:2",   "a:1:b:70000",
        "a:0:b:1", "[::1:1:b:2", "[::1]x:1:b:2", "a b:1:c:2", "a:1:b:2:",
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct h2e_info info = H2E_INFO_INIT;
        struct net_connect_to r;
        int rc = net_parse_connect_to(bad[i], &r, &info);
        if (rc != H2E_USAGE || info.why == NULL)
            tap_fail(__FILE__, __LINE__, "'%s' gave %d", bad[i], rc);
    }
}

TEST(test_net_route_connect_to)
{
    struct net_connect_to rules[2];
    struct net_overrides ov = {NULL, 0, rules, 2};
    const char *host;
    uint16_t port;

    CHECK_INT(net_parse_connect_to("example.com:443:backend.test:8443", &rules[0], NULL), 0);
    CHECK_INT(net_parse_connect_to(":80::8080", &rules[1], NULL), 0);
    host = "EXAMPLE.com";
    port = 443;
    CHECK(net_route(&ov, &host, &port));
    CHECK_STR(host, "backend.test");
    CHECK_INT(port, 8443);
    host = "other.test";
    port = 80;
    CHECK(net_route(&ov, &host, &port));
    CHECK_STR(host, "other.test");
    CHECK_INT(port, 8080);
    port = 443;
    CHECK(!net_route(&ov, &host, &port));
    CHECK_STR(host, "other.test");
    CHECK_INT(port, 443);
    CHECK(!net_route(NULL, &host, &port));
}

TEST(test_net_resolve_with_override)
{
    struct net_resolve_rule rules[2];
    struct net_overrides ov = {rules, 2, NULL, 0};
    struct h2e_info info = H2E_INFO_INIT;
    struct net_addrs a;

    CHECK_INT(net_parse_resolve("backend.test:8443:127.0.0.2,[::2]", &rules[0], NULL), 0);
    CHECK_INT(net_parse_resolve("v4only.test:80:127.0.0.3", &rules[1], NULL), 0);
    CHECK_INT(net_resolve_with(&ov, "Backend.Test", 8443, 0, &a, &info), 0);
    CHECK(a.overridden);
    CHECK_INT(a.n, 2);
    CHECK_STR(str(&a.addr[0]), "[::2]:8443");
    CHECK_STR(str(&a.addr[1]), "127.0.0.2:8443");
    CHECK_INT(net_resolve_with(&ov, "backend.test", 8443, AF_INET, &a, &info), 0);
    CHECK_INT(a.n, 1);
    CHECK_STR(str(&a.addr[0]), "127.0.0.2:8443");
    CHECK_INT(net_resolve_with(&ov, "v4only.test", 80, AF_INET6, &a, &info), H2E_RESOLVE);
    CHECK(info.why != NULL);
    /* the port must match too: this one goes to the resolver, which parses the literal */
    CHECK_INT(net_resolve_with(&ov, "127.0.0.9", 8443, 0, &a, &info), 0);
    CHECK(!a.overridden);
    CHECK_STR(str(&a.addr[0]), "127.0.0.9:8443");
}

TEST(test_net_connect_ipv4)
{
    struct net_connector c;
    struct net_addr la;
    struct net_addrs l;
    int lfd = bound(AF_INET, 8, &la), fd, one = 0;
    socklen_t len = sizeof(one);

    CHECK(lfd >= 0);
    l = list2(&la, NULL);
    fd = drive(&c, net_connector_start(&c, &l, mono_ms(), 0), NULL);
    CHECK(fd >= 0);
    CHECK_INT(c.winner, 0);
    CHECK(net_connector_peer(&c) != NULL);
    CHECK_STR(str(net_connector_peer(&c)), str(&la));
    CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
    CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    CHECK_INT(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, &len), 0);
    CHECK_INT(one, 1);
    CHECK_INT(net_connector_step(&c, NULL, 0, mono_ms()), fd); /* finished: same answer */
    net_connector_release(&c);
    CHECK(!fd_closed(fd));
    close(fd);
    close(lfd);
}

TEST(test_net_connect_ipv6)
{
    struct net_connector c;
    struct net_addr la;
    struct net_addrs l;
    int lfd = bound(AF_INET6, 8, &la), fd;

    if (lfd < 0) {
        tap_skip("no IPv6 loopback on this host");
        return;
    }
    l = list2(&la, NULL);
    fd = drive(&c, net_connector_start(&c, &l, mono_ms(), 0), NULL);
    CHECK(fd >= 0);
    CHECK_STR(str(net_connector_peer(&c)), str(&la));
    CHECK(strncmp(str(&la), "[::1]:", 6) == 0);
    net_connector_release(&c);
    close(fd);
    close(lfd);
}

TEST(test_net_connect_refused)
{
    struct net_connector c;
    struct net_addr a;
    struct net_addrs l;
    char want[128];
    int b = bound(AF_INET, -1, &a); /* bound, never listening: the port refuses */

    CHECK(b >= 0);
    l = list2(&a, NULL);
    CHECK_INT(drive(&c, net_connector_start(&c, &l, 1000, 0), NULL), H2E_CONNECT);
    CHECK_INT(c.info.code, H2E_CONNECT);
    CHECK(c.info.why != NULL);
    snprintf(want, sizeof(want), "failed to connect to %s: %s", str(&a), strerror(ECONNREFUSED));
    CHECK_STR(c.detail, want);
    CHECK_INT(h2e_exit(H2E_CONNECT), 7);
    CHECK_INT(c.inflight, 0);
    net_connector_release(&c);
    close(b);
}

TEST(test_net_connect_all_fail_names_last)
{
    struct net_connector c;
    struct net_addr a1, a2;
    struct net_addrs l;
    char want[160];
    int b1 = bound(AF_INET, -1, &a1), b2 = bound(AF_INET, -1, &a2);

    l = list2(&a1, &a2);
    CHECK_INT(drive(&c, net_connector_start(&c, &l, 0, 0), NULL), H2E_CONNECT);
    snprintf(want, sizeof(want), "failed to connect to %s: %s (2 addresses tried)", str(&a2),
             strerror(ECONNREFUSED));
    CHECK_STR(c.detail, want);
    net_connector_release(&c);
    close(b1);
    close(b2);
}

TEST(test_net_connect_no_address)
{
    struct net_connector c;
    struct net_addrs l;

    memset(&l, 0, sizeof(l));
    CHECK_INT(net_connector_start(&c, &l, 0, 0), H2E_CONNECT);
    CHECK(c.info.why != NULL);
    CHECK_INT(net_connector_next_timeout(&c, 0), -1);
}

/* RFC 8305 §5 with a fake clock: attempt 2 starts at +250 ms, not before, and wins. */
TEST(test_net_happy_eyeballs_delay_then_second_wins)
{
    struct net_connector c;
    struct net_addr ba, ga;
    struct net_addrs l;
    struct pollfd pfd[4];
    int filler, bh = blackhole(AF_INET6, &ba, &filler), good, fd, first;
    uint64_t t = 1000;

    if (bh < 0)
        bh = blackhole(AF_INET, &ba, &filler); /* no IPv6: same test within IPv4 */
    good = bound(AF_INET, 8, &ga);
    CHECK(bh >= 0 && good >= 0);
    l = list2(&ba, &ga);
    CHECK_INT(net_connector_start(&c, &l, t, 0), H2E_INCOMPLETE);
    CHECK_INT(net_connector_pollfds(&c, pfd, 4), 1);
    first = pfd[0].fd;
    CHECK_INT(net_connector_next_timeout(&c, t), NET_ATTEMPT_DELAY_MS);
    CHECK_INT(poll(pfd, 1, 50), 0); /* the blackhole does not answer */
    t += 249;
    CHECK_INT(net_connector_step(&c, pfd, 1, t), H2E_INCOMPLETE);
    CHECK_INT(c.next, 1);
    CHECK_INT(net_connector_next_timeout(&c, t), 1);
    t += 1;
    fd = net_connector_step(&c, NULL, 0, t);
    CHECK_INT(c.next, 2);
    fd = drive(&c, fd, &t);
    CHECK(fd >= 0);
    CHECK_INT(c.winner, 1);
    CHECK_STR(str(net_connector_peer(&c)), str(&ga));
    CHECK(fd_closed(first)); /* the loser was closed */
    CHECK_INT(c.inflight, 0);
    net_connector_release(&c);
    close(fd);
    close(good);
    close(filler);
    close(bh);
}

/* The same with the real clock: the second family wins after about 250 ms. */
TEST(test_net_happy_eyeballs_real_clock)
{
    struct net_connector c;
    struct net_addr ba, ga;
    struct net_addrs l;
    int filler, bh = blackhole(AF_INET6, &ba, &filler), good, fd;
    uint64_t t0 = mono_ms(), dt;

    if (bh < 0)
        bh = blackhole(AF_INET, &ba, &filler);
    good = bound(AF_INET, 8, &ga);
    CHECK(bh >= 0 && good >= 0);
    l = list2(&ba, &ga);
    fd = drive(&c, net_connector_start(&c, &l, t0, t0 + 5000), NULL);
    dt = mono_ms() - t0;
    CHECK(fd >= 0);
    CHECK_INT(c.winner, 1);
    if (dt < NET_ATTEMPT_DELAY_MS || dt > 2000)
        tap_fail(__FILE__, __LINE__, "second attempt won after %llu ms", (unsigned long long)dt);
    net_connector_release(&c);
    close(fd);
    close(good);
    close(filler);
    close(bh);
}

/* RFC 8305 §5: a failed attempt starts the next one at once, without waiting 250 ms. */
TEST(test_net_happy_eyeballs_failure_starts_next)
{
    struct net_connector c;
    struct net_addr ra, ga;
    struct net_addrs l;
    int r = bound(AF_INET, -1, &ra), good = bound(AF_INET, 8, &ga), fd;
    uint64_t t = 5000; /* the fake clock never moves */

    l = list2(&ra, &ga);
    fd = drive(&c, net_connector_start(&c, &l, t, 0), &t);
    CHECK(fd >= 0);
    CHECK_INT(c.winner, 1);
    CHECK_INT(c.last_errno, ECONNREFUSED);
    net_connector_release(&c);
    close(fd);
    close(good);
    close(r);
}

/* The same when the failure is reported by poll (simulated: POLLERR on an attempt still in
 * progress), which is how remote refusals usually arrive. */
TEST(test_net_happy_eyeballs_async_failure_starts_next)
{
    struct net_connector c;
    struct net_addr ba, ga;
    struct net_addrs l;
    struct pollfd pfd[4];
    int filler, bh = blackhole(AF_INET, &ba, &filler), good = bound(AF_INET, 8, &ga), fd;
    uint64_t t = 100;

    CHECK(bh >= 0 && good >= 0);
    l = list2(&ba, &ga);
    CHECK_INT(net_connector_start(&c, &l, t, 0), H2E_INCOMPLETE);
    CHECK_INT(net_connector_pollfds(&c, pfd, 4), 1);
    pfd[0].revents = POLLERR | POLLHUP;
    t += 10;
    fd = net_connector_step(&c, pfd, 1, t);
    CHECK_INT(c.next, 2); /* started at +10 ms, not +250 ms */
    CHECK_INT(c.last_errno, ECONNABORTED);
    CHECK_INT(c.fd[0], -1); /* closed (its number may already be reused by attempt 2) */
    fd = drive(&c, fd, &t);
    CHECK(fd >= 0);
    CHECK_INT(c.winner, 1);
    net_connector_release(&c);
    close(fd);
    close(good);
    close(filler);
    close(bh);
}

TEST(test_net_connect_deadline)
{
    struct net_connector c;
    struct net_addr ba;
    struct net_addrs l;
    struct pollfd pfd[2];
    int filler, bh = blackhole(AF_INET, &ba, &filler), first;

    CHECK(bh >= 0);
    l = list2(&ba, NULL);
    CHECK_INT(net_connector_start(&c, &l, 100, 600), H2E_INCOMPLETE);
    CHECK_INT(net_connector_pollfds(&c, pfd, 2), 1);
    first = pfd[0].fd;
    CHECK_INT(net_connector_next_timeout(&c, 100), 500);
    CHECK_INT(net_connector_step(&c, NULL, 0, 599), H2E_INCOMPLETE);
    CHECK_INT(net_connector_step(&c, NULL, 0, 600), H2E_TIMEOUT);
    CHECK_INT(c.info.code, H2E_TIMEOUT);
    CHECK(c.info.why != NULL);
    CHECK(strstr(c.detail, "timed out after 500 ms") != NULL);
    CHECK_INT(h2e_exit(H2E_TIMEOUT), 28);
    CHECK(fd_closed(first));
    CHECK_INT(net_connector_step(&c, NULL, 0, 700), H2E_TIMEOUT);
    net_connector_release(&c);
    close(filler);
    close(bh);
}

TEST(test_net_connect_deadline_real_clock)
{
    struct net_connector c;
    struct net_addr ba;
    struct net_addrs l;
    int filler, bh = blackhole(AF_INET, &ba, &filler);
    uint64_t t0 = mono_ms(), dt;

    CHECK(bh >= 0);
    l = list2(&ba, NULL);
    CHECK_INT(drive(&c, net_connector_start(&c, &l, t0, t0 + 300), NULL), H2E_TIMEOUT);
    dt = mono_ms() - t0;
    CHECK(dt >= 300 && dt < 2000);
    net_connector_release(&c);
    close(filler);
    close(bh);
}

TEST(test_net_connector_release_closes_attempts)
{
    struct net_connector c;
    struct net_addr ba;
    struct net_addrs l;
    struct pollfd pfd[2];
    int filler, bh = blackhole(AF_INET, &ba, &filler);

    CHECK(bh >= 0);
    l = list2(&ba, NULL);
    CHECK_INT(net_connector_start(&c, &l, 0, 0), H2E_INCOMPLETE);
    CHECK_INT(net_connector_pollfds(&c, pfd, 2), 1);
    CHECK_INT(net_connector_next_timeout(&c, 0), -1); /* nothing more to start, no deadline */
    net_connector_release(&c);
    CHECK(fd_closed(pfd[0].fd));
    net_connector_release(&c); /* twice is fine */
    net_connector_init(&c);
    net_connector_release(&c);
    close(filler);
    close(bh);
}

TEST(test_net_resolve_known_leaves_names_to_the_lookup)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct net_addrs a;

    CHECK_INT(net_resolve_known(NULL, "127.0.0.1", 80, 0, &a, &info), 0);
    CHECK_STR(str(&a.addr[0]), "127.0.0.1:80");
    CHECK_INT(net_resolve_known(NULL, "example.invalid", 80, 0, &a, &info), H2E_INCOMPLETE);
    CHECK_INT(net_resolve_known(NULL, "", 80, 0, &a, &info), H2E_RESOLVE);
}

/* A lookup on its thread: the pipe wakes poll(), the answer comes with its family. */
TEST(test_net_lookup_localhost_v4)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct net_lookup *lk = net_lookup_start("localhost", 8080, AF_INET, 0);
    struct net_answer ans[2];
    struct net_addrs a;
    size_t nans = 0;
    bool more = true;
    int rv = H2E_INCOMPLETE, rounds;

    CHECK(lk != NULL);
    CHECK_INT(net_lookup_next_timeout(lk, 0), -1);
    for (rounds = 0; rv == H2E_INCOMPLETE && rounds < 50; rounds++) {
        struct pollfd p = {.fd = net_lookup_fd(lk), .events = POLLIN};
        poll(&p, 1, 100);
        rv = net_lookup_step(lk, 7, &a, &more, ans, &nans, &info);
    }
    CHECK_INT(rv, 0);
    CHECK(!more);
    CHECK(net_lookup_done(lk));
    CHECK_INT(a.n, 1);
    CHECK_STR(str(&a.addr[0]), "127.0.0.1:8080");
    CHECK_INT(nans, 1);
    CHECK_INT(ans[0].family, AF_INET);
    CHECK_INT(ans[0].naddr, 1);
    CHECK_INT(ans[0].ms, 7);
    CHECK(ans[0].error == NULL);
    net_lookup_release(lk);
    net_lookup_release(NULL);
}

/* Released before its answer: the thread finishes alone and frees (ASan checks). */
TEST(test_net_lookup_release_early)
{
    struct net_lookup *lk = net_lookup_start("localhost", 80, 0, 0);

    CHECK(lk != NULL);
    net_lookup_release(lk);
}

/* Step a waiting connector until no attempt is in flight (it then waits for more). */
static int until_idle(struct net_connector *c, int r)
{
    int rounds;

    for (rounds = 0; r == H2E_INCOMPLETE && c->inflight > 0 && rounds < 50; rounds++) {
        struct pollfd pfd[LIMIT_RESOLVE_ADDRS];
        size_t n = net_connector_pollfds(c, pfd, LIMIT_RESOLVE_ADDRS);
        poll(pfd, n, 100);
        r = net_connector_step(c, pfd, n, mono_ms());
    }
    return r;
}

/* RFC 8305 §3: a partial answer's attempts all fail; the connector waits for more instead
 * of failing, tries what comes at once, and fails only when nothing more can come. */
TEST(test_net_connector_awaits_more_addresses)
{
    struct net_connector c;
    struct net_addr refused, good;
    struct net_addrs l, more;
    int r = bound(AF_INET, -1, &refused), g = bound(AF_INET, 8, &good), fd;

    CHECK(r >= 0 && g >= 0);
    l = list2(&refused, NULL);
    CHECK_INT(until_idle(&c, net_connector_start_partial(&c, &l, mono_ms(), 0)), H2E_INCOMPLETE);
    CHECK_INT(c.inflight, 0);
    CHECK_INT(net_connector_next_timeout(&c, mono_ms()), -1);
    more = list2(&refused, &good); /* the duplicate is skipped */
    fd = drive(&c, net_connector_more(&c, &more, false, mono_ms()), NULL);
    CHECK(fd >= 0);
    CHECK_INT(c.addrs.n, 2);
    CHECK_STR(str(net_connector_peer(&c)), str(&good));
    close(fd);
    net_connector_release(&c);

    CHECK_INT(until_idle(&c, net_connector_start_partial(&c, &l, mono_ms(), 0)), H2E_INCOMPLETE);
    CHECK_INT(net_connector_more(&c, NULL, false, mono_ms()), H2E_CONNECT);
    net_connector_release(&c);
    close(r);
    close(g);
}
