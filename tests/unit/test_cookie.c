/* SPDX-License-Identifier: MIT */
/*
 * Cookies (RFC 6265): Set-Cookie parsing (§5.2), Netscape cookie-file lines both ways, and
 * the domain and path rules (§5.1.3, §5.1.4, §5.3), a bare top-level domain refused.
 */
#include <stdio.h>

#include "base/buf.h"
#include "base/err.h"
#include "codec/cookie.h"
#include "tap.h"

#define NOW INT64_C(1700000000)
#define LINE1 ".example.com\tTRUE\t/\tTRUE\t1800000000\tsid\tx=y\n"
#define LINE2 "#HttpOnly_host\tFALSE\t/p\tFALSE\t0\tn\t\n"

static bool span_is(struct span s, const char *want)
{
    return s.len == strlen(want) && (!s.len || memcmp(s.p, want, s.len) == 0);
}

TEST(test_cookie_parse_set)
{
    struct cookie c;
    struct h2e_info info = H2E_INFO_INIT;

    CHECK_INT(cookie_parse_set(span_str(" sid = a b ; Path=/app; Domain=.Example.com; Secure; "
                                        "HttpOnly; SameSite=Lax"),
                               NOW, &c, &info),
              0);
    CHECK(span_is(c.name, "sid"));
    CHECK(span_is(c.value, "a b"));
    CHECK(span_is(c.path, "/app"));
    CHECK(span_is(c.domain, "Example.com"));
    CHECK(c.subdomains && c.secure && c.httponly);
    CHECK_INT(c.expires, 0);
    /* Max-Age wins over Expires, in either order */
    CHECK_INT(cookie_parse_set(span_str("a=1; Max-Age=60; Expires=Wed, 09 Jun 2021 10:18:14 GMT"),
                               NOW, &c, &info),
              0);
    CHECK_INT(c.expires, NOW + 60);
    CHECK_INT(cookie_parse_set(span_str("a=1; Expires=Wed, 09 Jun 2021 10:18:14 GMT; Max-Age=60"),
                               NOW, &c, &info),
              0);
    CHECK_INT(c.expires, NOW + 60);
    CHECK_INT(
        cookie_parse_set(span_str("a=1; Expires=Wed, 09 Jun 2021 10:18:14 GMT"), NOW, &c, &info),
        0);
    CHECK_INT(c.expires, 1623233894);
    CHECK_INT(cookie_parse_set(span_str("a=1; Max-Age=0"), NOW, &c, &info), 0);
    CHECK_INT(c.expires, 1);
    CHECK_INT(cookie_parse_set(span_str("a=1; Max-Age=-5"), NOW, &c, &info), 0);
    CHECK_INT(c.expires, 1);
    CHECK_INT(cookie_parse_set(span_str("a=1; Max-Age=9x; Expires=junk"), NOW, &c, &info), 0);
    CHECK_INT(c.expires, 0);
    CHECK_INT(cookie_parse_set(span_str("a=1; Max-Age=99999999999999999999999"), NOW, &c, &info),
              0);
    CHECK(c.expires > NOW);
    CHECK_INT(cookie_parse_set(span_str("a=; Path=relative"), NOW, &c, &info), 0);
    CHECK_INT(c.value.len, 0);
    CHECK_INT(c.path.len, 0);
    CHECK_INT(cookie_parse_set(span_str("noequals"), NOW, &c, &info), H2E_BAD_COOKIE);
    CHECK_INT(cookie_parse_set(span_str("=v"), NOW, &c, &info), H2E_BAD_COOKIE);
    CHECK_INT(cookie_parse_set(span_of("a=\x01", 3), NOW, &c, &info), H2E_BAD_COOKIE);
    CHECK_INT(cookie_parse_set(span_str("a=b\tc"), NOW, &c, &info), H2E_BAD_COOKIE);
    CHECK_INT(cookie_parse_set(span_str(""), NOW, &c, &info), H2E_BAD_COOKIE);
}

TEST(test_cookie_lines)
{
    struct cookie c;
    struct h2e_info info = H2E_INFO_INIT;
    struct buf b;

    CHECK_INT(
        cookie_parse_line(span_str(".example.com\tTRUE\t/\tTRUE\t1800000000\tsid\tx=y"), &c, &info),
        0);
    CHECK(span_is(c.domain, "example.com") && c.subdomains && c.secure && !c.httponly);
    CHECK(span_is(c.name, "sid") && span_is(c.value, "x=y") && span_is(c.path, "/"));
    CHECK_INT(c.expires, 1800000000);
    buf_init(&b, &mem_libc, 1 << 16);
    CHECK_INT(cookie_format_line(&c, &b), 0);
    CHECK_MEM(b.p, b.len, LINE1, sizeof(LINE1) - 1);
    CHECK_INT(cookie_parse_line(span_str("#HttpOnly_host\tFALSE\t/p\tFALSE\t0\tn\t\r"), &c, &info),
              0);
    CHECK(c.httponly && !c.subdomains && span_is(c.value, "") && span_is(c.path, "/p"));
    buf_reset(&b);
    CHECK_INT(cookie_format_line(&c, &b), 0);
    CHECK_MEM(b.p, b.len, LINE2, sizeof(LINE2) - 1);
    CHECK_INT(cookie_parse_line(span_str("# a comment"), &c, &info), 1);
    CHECK_INT(cookie_parse_line(span_str("   "), &c, &info), 1);
    CHECK_INT(cookie_parse_line(span_str(""), &c, &info), 1);
    CHECK_INT(cookie_parse_line(span_of("h\tTRUE\t/\tFALSE\t0\tn\tv\0", 22), &c, &info),
              H2E_BAD_COOKIE_FILE);
    CHECK_STR(info.why, "binary junk: a control byte in a line");
    CHECK_INT(cookie_parse_line(span_str("h\tTRUE\t/\tFALSE\t0\tn"), &c, &info), 0); /* "" */
    CHECK_INT(cookie_parse_line(span_str("h\tTRUE\t/\tFALSE\t0"), &c, &info), H2E_BAD_COOKIE_FILE);
    CHECK_INT(cookie_parse_line(span_str("h\tyes\t/\tFALSE\t0\tn\tv"), &c, &info),
              H2E_BAD_COOKIE_FILE);
    CHECK_INT(cookie_parse_line(span_str("h\tTRUE\t/\tFALSE\t-1\tn\tv"), &c, &info),
              H2E_BAD_COOKIE_FILE);
    CHECK_INT(cookie_parse_line(span_str("h\tTRUE\tp\tFALSE\t0\tn\tv"), &c, &info),
              H2E_BAD_COOKIE_FILE);
    CHECK_INT(cookie_parse_line(span_str("h\tTRUE\t/\tFALSE\t0\tn\tv\textra"), &c, &info),
              H2E_BAD_COOKIE_FILE);
    /* found by fuzz_cookie: written back, these would read as other lines */
    CHECK_INT(cookie_parse_line(span_str(".#HttpOnly_h\tFALSE\t/p\tFALSE\t0\tn\t"), &c, &info),
              H2E_BAD_COOKIE_FILE);
    CHECK_STR(info.why, "a bad domain");
    CHECK_INT(cookie_parse_line(span_str(".\tTRUE\t/\tFALSE\t0\tn\tv"), &c, &info),
              H2E_BAD_COOKIE_FILE);
    CHECK_INT(cookie_parse_line(span_str("#HttpOnly_..t\tFALSE\t/\tFALSE\t0\tn"), &c, &info),
              H2E_BAD_COOKIE_FILE);
    buf_release(&b);
}

TEST(test_cookie_domains)
{
    CHECK(cookie_domain_ok(span_str("example.com"), span_str("www.example.com")));
    CHECK(cookie_domain_ok(span_str("example.com"), span_str("EXAMPLE.com")));
    CHECK(!cookie_domain_ok(span_str("com"), span_str("www.example.com"))); /* bare TLD */
    CHECK(!cookie_domain_ok(span_str("example.com."), span_str("www.example.com.")));
    CHECK(cookie_domain_ok(span_str("localhost"), span_str("localhost"))); /* the host itself */
    CHECK(!cookie_domain_ok(span_str("other.com"), span_str("example.com")));
    CHECK(!cookie_domain_ok(span_str("ample.com"), span_str("example.com")));
    CHECK(!cookie_domain_ok(span_str("0.0.1"), span_str("127.0.0.1")));
    CHECK(cookie_domain_ok(span_str("127.0.0.1"), span_str("127.0.0.1")));
    CHECK(cookie_domain_match(span_str("a.b.example.com"), span_str("example.com"), true));
    CHECK(!cookie_domain_match(span_str("a.example.com"), span_str("example.com"), false));
    CHECK(!cookie_domain_match(span_str("badexample.com"), span_str("example.com"), true));
    CHECK(cookie_is_ip(span_str("10.0.0.1")) && cookie_is_ip(span_str("::1")));
    CHECK(!cookie_is_ip(span_str("a1.example")));
}

TEST(test_cookie_paths)
{
    CHECK(cookie_path_match(span_str("/docs/web"), span_str("/docs")));
    CHECK(cookie_path_match(span_str("/docs"), span_str("/docs")));
    CHECK(cookie_path_match(span_str("/docs/"), span_str("/docs/")));
    CHECK(!cookie_path_match(span_str("/docsx"), span_str("/docs")));
    CHECK(!cookie_path_match(span_str("/"), span_str("/docs")));
    CHECK(cookie_path_match(span_str("/anything"), span_str("/")));
    CHECK(!cookie_path_match(span_str("/"), span_str(""))); /* the fuzzer's find */
    CHECK(span_is(cookie_default_path(span_str("/a/b/c")), "/a/b"));
    CHECK(span_is(cookie_default_path(span_str("/a")), "/"));
    CHECK(span_is(cookie_default_path(span_str("")), "/"));
    CHECK(span_is(cookie_default_path(span_str("x")), "/"));
}
