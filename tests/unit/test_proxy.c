/* SPDX-License-Identifier: MIT */
/* Proxy URLs (curl's schemes and default ports) and no_proxy lists (curl's matching). */
#include <stdio.h>
#include <stdlib.h>

#include "base/buf.h"
#include "base/err.h"
#include "codec/proxy.h"
#include "tap.h"

#define SPAN_IS(s, str) CHECK_MEM((s).p, (s).len, (str), strlen(str))

static const struct {
    const char *in;
    enum proxy_kind kind;
    const char *host;
    unsigned port;
    const char *user, *password; /* NULL: no userinfo */
} good_urls[] = {
    {"proxy.example", PROXY_HTTP, "proxy.example", 1080, NULL, NULL},
    {"proxy.example:3128", PROXY_HTTP, "proxy.example", 3128, NULL, NULL},
    {"http://Proxy.Example:8080/", PROXY_HTTP, "proxy.example", 8080, NULL, NULL},
    {"HTTPS://proxy.example", PROXY_HTTPS, "proxy.example", 443, NULL, NULL},
    {"https://proxy.example:8443", PROXY_HTTPS, "proxy.example", 8443, NULL, NULL},
    {"socks://127.0.0.1", PROXY_SOCKS4, "127.0.0.1", 1080, NULL, NULL},
    {"socks4://127.0.0.1:9", PROXY_SOCKS4, "127.0.0.1", 9, NULL, NULL},
    {"socks4a://h", PROXY_SOCKS4A, "h", 1080, NULL, NULL},
    {"socks5://[::1]:1081", PROXY_SOCKS5, "::1", 1081, NULL, NULL},
    {"SOCKS5H://u:p@h", PROXY_SOCKS5H, "h", 1080, "u", "p"},
    {"http://us%40er:p%3Ass@h:1", PROXY_HTTP, "h", 1, "us@er", "p:ss"},
    {"http://user@h", PROXY_HTTP, "h", 1080, "user", ""},
    {"http://:@h", PROXY_HTTP, "h", 1080, "", ""},
};

TEST(test_proxy_parse_url_good)
{
    struct buf work;
    size_t i;

    buf_init(&work, &mem_libc, 1 << 16);
    for (i = 0; i < sizeof(good_urls) / sizeof(good_urls[0]); i++) {
        struct proxy_url u;
        struct h2e_info info = H2E_INFO_INIT;
        int rv = proxy_parse_url(good_urls[i].in, &u, &work, &info);
        CHECK_INT(rv, 0);
        if (rv) {
            printf("# %s: %s\n", good_urls[i].in, info.why);
            continue;
        }
        CHECK_INT(u.kind, good_urls[i].kind);
        CHECK_STR(u.host, good_urls[i].host);
        CHECK_INT(u.port, good_urls[i].port);
        CHECK_INT(u.has_user, good_urls[i].user != NULL);
        if (good_urls[i].user) {
            SPAN_IS(u.user, good_urls[i].user);
            SPAN_IS(u.password, good_urls[i].password);
        }
    }
    buf_release(&work);
}

static const struct {
    const char *in;
    int code;
} bad_urls[] = {
    {"ftp://proxy", H2E_PROXY_SCHEME},
    {"socks6://proxy", H2E_PROXY_SCHEME},
    {"htt p://proxy", H2E_PROXY_URL},
    {"http://", H2E_PROXY_URL},
    {"http://[::1", H2E_PROXY_URL},
    {"http://proxy:99999", H2E_PROXY_URL},
    {"http://proxy:x", H2E_PROXY_URL},
    {"http://proxy/path", H2E_PROXY_URL},
    {"http://proxy/?q", H2E_PROXY_URL},
    {"http://pro xy", H2E_PROXY_URL},
    {"http://u%zz:p@proxy", H2E_PROXY_URL},
    {"http://u:p%4@proxy", H2E_PROXY_URL},
    {"http://[fe80::1%25eth0]", H2E_PROXY_URL},
};

TEST(test_proxy_parse_url_bad)
{
    struct buf work;
    size_t i;

    buf_init(&work, &mem_libc, 1 << 16);
    for (i = 0; i < sizeof(bad_urls) / sizeof(bad_urls[0]); i++) {
        struct proxy_url u;
        struct h2e_info info = H2E_INFO_INIT;
        int rv = proxy_parse_url(bad_urls[i].in, &u, &work, &info);
        if (rv != bad_urls[i].code)
            printf("# %s\n", bad_urls[i].in);
        CHECK_INT(rv, bad_urls[i].code);
        CHECK(info.why != NULL);
    }
    buf_release(&work);
}

/* A URL whose credentials do not fit the work buffer is an error, not a shorter one. */
TEST(test_proxy_parse_url_work_bound)
{
    struct buf work;
    struct proxy_url u;
    struct h2e_info info = H2E_INFO_INIT;

    buf_init(&work, &mem_libc, 32);
    CHECK_INT(
        proxy_parse_url("http://a-long-user:and-a-longer-password@proxy.example", &u, &work, &info),
        H2E_LIMIT_BUFFER);
    CHECK(info.why != NULL);
    buf_release(&work);
}

TEST(test_proxy_kind_name)
{
    CHECK_STR(proxy_kind_name(PROXY_HTTP), "http");
    CHECK_STR(proxy_kind_name(PROXY_SOCKS5H), "socks5h");
    CHECK(proxy_is_socks(PROXY_SOCKS4));
    CHECK(!proxy_is_socks(PROXY_HTTPS));
}

TEST(test_proxy_parse_ip)
{
    uint8_t a[16];
    static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};

    CHECK_INT(proxy_parse_ip("192.0.2.1", 9, a), 4);
    CHECK(a[0] == 192 && a[1] == 0 && a[2] == 2 && a[3] == 1);
    CHECK_INT(proxy_parse_ip("2001:db8::1", 11, a), 16);
    CHECK_MEM(a, 16, v6, 16);
    CHECK_INT(proxy_parse_ip("::ffff:192.0.2.1", 16, a), 16);
    CHECK_MEM(a, 16, mapped, 16);
    CHECK_INT(proxy_parse_ip("1:2:3:4:5:6:7:8", 15, a), 16);
    CHECK_INT(proxy_parse_ip("::", 2, a), 16);
    CHECK_INT(proxy_parse_ip("1::", 3, a), 16);
    CHECK_INT(proxy_parse_ip("256.0.0.1", 9, a), 0);
    CHECK_INT(proxy_parse_ip("01.2.3.4", 8, a), 0);
    CHECK_INT(proxy_parse_ip("1.2.3", 5, a), 0);
    CHECK_INT(proxy_parse_ip("1.2.3.4.5", 9, a), 0);
    CHECK_INT(proxy_parse_ip("1::2::3", 7, a), 0);
    CHECK_INT(proxy_parse_ip("1:2:3:4:5:6:7:8:9", 17, a), 0);
    CHECK_INT(proxy_parse_ip("12345::", 7, a), 0);
    CHECK_INT(proxy_parse_ip(":1::", 4, a), 0);
    CHECK_INT(proxy_parse_ip("1:", 2, a), 0);
    CHECK_INT(proxy_parse_ip("example.com", 11, a), 0);
    CHECK_INT(proxy_parse_ip("", 0, a), 0);
}

static const struct {
    const char *list, *host;
    unsigned port;
    bool match;
} matches[] = {
    {"*", "anything.example", 443, true},
    {"example.com", "example.com", 443, true},
    {"example.com", "www.example.com", 443, true},
    {"example.com", "nonexample.com", 443, false},
    {"example.com", "example.com.org", 443, false},
    {".example.com", "example.com", 443, true},
    {".example.com", "a.b.example.com", 443, true},
    {"*.example.com", "a.example.com", 443, true},
    {"Example.COM.", "www.example.com.", 443, true},
    {"a.com,b.com", "x.b.com", 80, true},
    {"a.com b.com", "b.com", 80, true},
    {" a.com , ,b.com ", "a.com", 80, true},
    {"example.com:8443", "example.com", 8443, true},
    {"example.com:8443", "example.com", 443, false},
    {"127.0.0.1", "127.0.0.1", 80, true},
    {"127.0.0.1", "127.0.0.2", 80, false},
    {"127.0.0.0/8", "127.1.2.3", 80, true},
    {"10.0.0.0/8", "11.0.0.1", 80, false},
    {"192.168.0.0/16", "192.168.255.1", 80, true},
    {"192.168.1.0/23", "192.168.0.9", 80, true},
    {"192.168.1.0/23", "192.168.2.9", 80, false},
    {"0.0.0.0/0", "8.8.8.8", 80, true},
    {"127.0.0.1:8080", "127.0.0.1", 8080, true},
    {"127.0.0.1:8080", "127.0.0.1", 80, false},
    {"::1", "::1", 443, true},
    {"[::1]", "::1", 443, true},
    {"[::1]:8443", "::1", 8443, true},
    {"[::1]:8443", "::1", 443, false},
    {"2001:db8::/32", "2001:db8:1::5", 443, true},
    {"2001:db8::/32", "2001:db9::5", 443, false},
    {"fe80::/10", "febf::1", 443, true},
    {"127.0.0.1", "localhost", 443, false},
    {"localhost", "127.0.0.1", 443, false},
    {"example.com", "", 443, false},
    {"", "example.com", 443, false},
    {"bad..entry/x, example.com", "example.com", 443, true},
};

TEST(test_proxy_noproxy_match)
{
    size_t i;

    for (i = 0; i < sizeof(matches) / sizeof(matches[0]); i++) {
        bool m = proxy_noproxy_match(matches[i].list, matches[i].host, (uint16_t)matches[i].port);
        if (m != matches[i].match)
            printf("# '%s' vs %s:%u\n", matches[i].list, matches[i].host, matches[i].port);
        CHECK_INT(m, matches[i].match);
    }
}

static const struct {
    const char *list;
    const char *bad; /* the entry named, NULL when the list is fine */
} checks[] = {
    {"", NULL},
    {"*", NULL},
    {"example.com, .b.org,*.c.net 10.0.0.0/8,::1,[::1]:443,fe80::/10,h:8080", NULL},
    {"10.0.0.0/33", "10.0.0.0/33"},
    {"ok.com,10.0.0.0/x", "10.0.0.0/x"},
    {"::1/129", "::1/129"},
    {"a*b.com", "a*b.com"},
    {"exa$mple.com", "exa$mple.com"},
    {"host:0", "host:0"},
    {"host:65536", "host:65536"},
    {"host:", "host:"},
    {"[::1", "[::1"},
    {"[::1]x", "[::1]x"},
    {"1:2:3", "1:2:3"},
    {"300.1.1.1", "300.1.1.1"},
    {"example.com/24", "example.com/24"},
    {"...", "..."},
    {"*.", "*."},
};

TEST(test_proxy_noproxy_check)
{
    size_t i;
    char longer[PROXY_ENTRY_MAX + 2];

    for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
        struct span bad = {NULL, 0};
        struct h2e_info info = H2E_INFO_INIT;
        int rv = proxy_noproxy_check(checks[i].list, &bad, &info);
        if (!checks[i].bad) {
            CHECK_INT(rv, 0);
            continue;
        }
        CHECK_INT(rv, H2E_USAGE);
        CHECK(info.why != NULL);
        CHECK_MEM(bad.p, bad.len, checks[i].bad, strlen(checks[i].bad));
        /* a refused entry never matches, whatever it looks like */
        CHECK(!proxy_noproxy_match(checks[i].list, "example.com", 80));
    }
    memset(longer, 'a', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = 0;
    CHECK_INT(proxy_noproxy_check(longer, NULL, NULL), H2E_USAGE);
}

/* Every prefix of a list is checked without reading past its end. */
TEST(test_proxy_noproxy_guarded)
{
    const char *list = "a.example,10.0.0.0/8,[::1]:443,*.b";
    size_t n = strlen(list), i;

    for (i = 0; i <= n; i++) {
        char *s = malloc(i + 1);
        const char *g;
        memcpy(s, list, i);
        s[i] = 0;
        g = (const char *)tap_guard(s, i + 1);
        (void)proxy_noproxy_check(g, NULL, NULL);
        (void)proxy_noproxy_match(g, "x.b", 443);
        free(s);
    }
}
