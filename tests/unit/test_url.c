/* SPDX-License-Identifier: MIT */
/* URL parsing, authority and request-target building, reference resolution (RFC 3986). */
#include <stdio.h>
#include <stdlib.h>

#include "base/buf.h"
#include "base/err.h"
#include "codec/url.h"
#include "tap.h"

#define SPAN_IS(s, str) CHECK_MEM((s).p, (s).len, (str), strlen(str))

static const struct {
    const char *in;
    const char *scheme;
    const char *user, *password; /* NULL: absent */
    const char *host, *zone;
    enum url_host_kind kind;
    unsigned port;
    bool port_explicit;
    const char *path, *query; /* query NULL: absent */
    const char *authority, *target;
} good[] = {
    {"http://example.com", "http", NULL, NULL, "example.com", "", URL_HOST_NAME, 80, false, "",
     NULL, "example.com", "/"},
    {"https://Example.COM:8443/a/b?x=1#frag", "https", NULL, NULL, "example.com", "", URL_HOST_NAME,
     8443, true, "/a/b", "x=1", "example.com:8443", "/a/b?x=1"},
    {"HTTPS://example.com:443/", "https", NULL, NULL, "example.com", "", URL_HOST_NAME, 443, true,
     "/", NULL, "example.com", "/"},
    {"example.com/x", "http", NULL, NULL, "example.com", "", URL_HOST_NAME, 80, false, "/x", NULL,
     "example.com", "/x"},
    {"example.com:8080/x", "http", NULL, NULL, "example.com", "", URL_HOST_NAME, 8080, true, "/x",
     NULL, "example.com:8080", "/x"},
    {"localhost", "http", NULL, NULL, "localhost", "", URL_HOST_NAME, 80, false, "", NULL,
     "localhost", "/"},
    {"http://user:pa%20ss@host/", "http", "user", "pa%20ss", "host", "", URL_HOST_NAME, 80, false,
     "/", NULL, "host", "/"},
    {"http://user@host", "http", "user", NULL, "host", "", URL_HOST_NAME, 80, false, "", NULL,
     "host", "/"},
    {"http://a@b:c@host", "http", "a@b", "c", "host", "", URL_HOST_NAME, 80, false, "", NULL,
     "host", "/"},
    {"http://:pw@host", "http", "", "pw", "host", "", URL_HOST_NAME, 80, false, "", NULL, "host",
     "/"},
    {"http://127.0.0.1:8080", "http", NULL, NULL, "127.0.0.1", "", URL_HOST_IPV4, 8080, true, "",
     NULL, "127.0.0.1:8080", "/"},
    {"http://[::1]/", "http", NULL, NULL, "::1", "", URL_HOST_IPV6, 80, false, "/", NULL, "[::1]",
     "/"},
    {"https://[FE80::1%25eth0]:8443/", "https", NULL, NULL, "fe80::1", "eth0", URL_HOST_IPV6, 8443,
     true, "/", NULL, "[fe80::1]:8443", "/"},
    {"http://[fe80::a%25en%30]", "http", NULL, NULL, "fe80::a", "en0", URL_HOST_IPV6, 80, false, "",
     NULL, "[fe80::a]", "/"},
    {"http://[::ffff:192.0.2.1]:81", "http", NULL, NULL, "::ffff:192.0.2.1", "", URL_HOST_IPV6, 81,
     true, "", NULL, "[::ffff:192.0.2.1]:81", "/"},
    {"http://[1:2:3:4:5:6:7:8]", "http", NULL, NULL, "1:2:3:4:5:6:7:8", "", URL_HOST_IPV6, 80,
     false, "", NULL, "[1:2:3:4:5:6:7:8]", "/"},
    {"http://[1:2:3:4:5:6:7::]", "http", NULL, NULL, "1:2:3:4:5:6:7::", "", URL_HOST_IPV6, 80,
     false, "", NULL, "[1:2:3:4:5:6:7::]", "/"},
    {"http://[::]", "http", NULL, NULL, "::", "", URL_HOST_IPV6, 80, false, "", NULL, "[::]", "/"},
    {"http://h/a b?c d", "http", NULL, NULL, "h", "", URL_HOST_NAME, 80, false, "/a b", "c d", "h",
     "/a%20b?c%20d"},
    {"http://h/\xc3\xa9\x01\x7f", "http", NULL, NULL, "h", "", URL_HOST_NAME, 80, false,
     "/\xc3\xa9\x01\x7f", NULL, "h", "/%C3%A9%01%7F"},
    {"http://h?", "http", NULL, NULL, "h", "", URL_HOST_NAME, 80, false, "", "", "h", "/?"},
    {"http://h/p?q#f?g", "http", NULL, NULL, "h", "", URL_HOST_NAME, 80, false, "/p", "q", "h",
     "/p?q"},
    {"http://h#f", "http", NULL, NULL, "h", "", URL_HOST_NAME, 80, false, "", NULL, "h", "/"},
    {"http://ex%41mple.com/", "http", NULL, NULL, "example.com", "", URL_HOST_NAME, 80, false, "/",
     NULL, "example.com", "/"},
    {"http://h:/", "http", NULL, NULL, "h", "", URL_HOST_NAME, 80, false, "/", NULL, "h", "/"},
    {"http://h:0080/", "http", NULL, NULL, "h", "", URL_HOST_NAME, 80, true, "/", NULL, "h", "/"},
    {"http://h:65535/%zz/%41", "http", NULL, NULL, "h", "", URL_HOST_NAME, 65535, true, "/%zz/%41",
     NULL, "h:65535", "/%zz/%41"},
    {"http://h.example./", "http", NULL, NULL, "h.example.", "", URL_HOST_NAME, 80, false, "/",
     NULL, "h.example.", "/"},
    {"http://a_b-1.example/x/../y", "http", NULL, NULL, "a_b-1.example", "", URL_HOST_NAME, 80,
     false, "/x/../y", NULL, "a_b-1.example", "/x/../y"},
    {"http://1.2.3.x/", "http", NULL, NULL, "1.2.3.x", "", URL_HOST_NAME, 80, false, "/", NULL,
     "1.2.3.x", "/"},
};

static void check_good(size_t i)
{
    struct url u;
    struct h2e_info info = H2E_INFO_INIT;
    struct buf b;
    int rv = url_parse(good[i].in, &u, &info);

    CHECK_INT(rv, 0);
    if (rv)
        return;
    CHECK_STR(u.scheme, good[i].scheme);
    CHECK_INT(u.tls, strcmp(good[i].scheme, "https") == 0);
    CHECK_INT(u.has_userinfo, good[i].user != NULL);
    if (good[i].user)
        SPAN_IS(u.user, good[i].user);
    CHECK_INT(u.has_password, good[i].password != NULL);
    if (good[i].password)
        SPAN_IS(u.password, good[i].password);
    CHECK_STR(u.host, good[i].host);
    CHECK_STR(u.zone, good[i].zone);
    CHECK_INT(u.host_kind, good[i].kind);
    CHECK_INT(u.host_is_ip, good[i].kind != URL_HOST_NAME);
    CHECK_INT(u.port, good[i].port);
    CHECK_INT(u.port_explicit, good[i].port_explicit);
    SPAN_IS(u.path, good[i].path);
    CHECK_INT(u.has_query, good[i].query != NULL);
    if (good[i].query)
        SPAN_IS(u.query, good[i].query);
    buf_init(&b, &tap_mem, 4096);
    CHECK_INT(url_authority(&u, &b), 0);
    CHECK_MEM(b.p, b.len, good[i].authority, strlen(good[i].authority));
    buf_reset(&b);
    CHECK_INT(url_request_target(&u, &b), 0);
    CHECK_MEM(b.p, b.len, good[i].target, strlen(good[i].target));
    buf_release(&b);
    if (tap_failed())
        printf("#   input: %s\n", good[i].in);
}

TEST(test_url_parse_good)
{
    size_t i;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        check_good(i);
    CHECK_INT(tap_mem_live(), 0);
}

static const struct {
    const char *in;
    int code;
    const char *why;
} bad[] = {
    {"ftp://x/", H2E_UNSUPPORTED_SCHEME, "scheme is not http or https"},
    {"HTTPX://x/", H2E_UNSUPPORTED_SCHEME, "scheme is not http or https"},
    {"localhost:/x", H2E_UNSUPPORTED_SCHEME, "scheme is not http or https"},
    {"http:/x", H2E_BAD_URL, "expected '//' after the scheme (RFC 3986 §3.2)"},
    {"https:/\\x", H2E_BAD_URL, "expected '//' after the scheme (RFC 3986 §3.2)"},
    {"http:///x", H2E_BAD_URL, "empty host"},
    {"", H2E_BAD_URL, "empty host"},
    {"http://", H2E_BAD_URL, "empty host"},
    {"http://user@/", H2E_BAD_URL, "empty host"},
    {"http://:80/", H2E_BAD_URL, "empty host"},
    {"http://h:99999/", H2E_BAD_URL, "port out of range (1-65535)"},
    {"http://h:65536/", H2E_BAD_URL, "port out of range (1-65535)"},
    {"http://h:0/", H2E_BAD_URL, "port out of range (1-65535)"},
    {"http://h:99999999999999999999999/", H2E_BAD_URL, "port out of range (1-65535)"},
    {"http://h:8a/", H2E_BAD_URL, "bad port number (RFC 3986 §3.2.3)"},
    {"http://h:-1/", H2E_BAD_URL, "bad port number (RFC 3986 §3.2.3)"},
    {"http://h:1:2/", H2E_BAD_URL, "bad port number (RFC 3986 §3.2.3)"},
    {"http://[::1/", H2E_BAD_URL, "bad IPv6 literal (RFC 3986 §3.2.2)"},
    {"http://[::1]x/", H2E_BAD_URL, "bad IPv6 literal (RFC 3986 §3.2.2)"},
    {"http://[:::1]/", H2E_BAD_URL, "bad IPv6 literal (RFC 3986 §3.2.2)"},
    {"http://[:1]/", H2E_BAD_URL, "bad IPv6 literal (RFC 3986 §3.2.2)"},
    {"http://[1:]/", H2E_BAD_URL, "bad IPv6 literal (RFC 3986 §3.2.2)"},
    {"http://[1::2::3]/", H2E_BAD_URL, "bad IPv6 literal (RFC 3986 §3.2.2)"},
    {"http://[1:2:3:4:5:6:7:8:9]/", H2E_BAD_URL, "bad IPv6 literal (RFC 3986 §3.2.2)"},
    {"http://[1:2:3:4:5:6:7]/", H2E_BAD_URL, "bad IPv6 literal (RFC 3986 §3.2.2)"},
    {"http://[1::2:3:4:5:6:7:8]/", H2E_BAD_URL, "bad IPv6 literal (RFC 3986 §3.2.2)"},
    {"http://[12345::]/", H2E_BAD_URL, "bad IPv6 literal (RFC 3986 §3.2.2)"},
    {"http://[::g]/", H2E_BAD_URL, "bad IPv6 literal (RFC 3986 §3.2.2)"},
    {"http://[]/", H2E_BAD_URL, "bad IPv6 literal (RFC 3986 §3.2.2)"},
    {"http://[v1.x]/", H2E_BAD_URL, "bad IPv6 literal (RFC 3986 §3.2.2)"},
    {"http://[::1.2.3]/", H2E_BAD_URL, "bad IPv6 literal (RFC 3986 §3.2.2)"},
    {"http://[1:2:3:4:5:6:7:1.2.3.4]/", H2E_BAD_URL, "bad IPv6 literal (RFC 3986 §3.2.2)"},
    {"http://[::1%eth0]/", H2E_BAD_URL, "bad IPv6 zone id (RFC 6874)"},
    {"http://[::1%25]/", H2E_BAD_URL, "bad IPv6 zone id (RFC 6874)"},
    {"http://[::1%2]/", H2E_BAD_URL, "bad IPv6 zone id (RFC 6874)"},
    {"http://[::1%25e/0]/", H2E_BAD_URL, "bad IPv6 literal (RFC 3986 §3.2.2)"},
    {"http://[::1%25e%2F]/", H2E_BAD_URL, "bad IPv6 zone id (RFC 6874)"},
    {"http://[::1%25e%zz]/", H2E_BAD_URL, "bad IPv6 zone id (RFC 6874)"},
    {"http://[::1%25e:x]/", H2E_BAD_URL, "bad IPv6 zone id (RFC 6874)"},
    {"http://exa mple.com/", H2E_BAD_URL, "invalid character in host"},
    {"http://ex\tample/", H2E_BAD_URL, "invalid character in host"},
    {"http://ex\x01/", H2E_BAD_URL, "invalid character in host"},
    {"http://h\xc3\xa9.com/", H2E_BAD_URL, "invalid character in host"},
    {"http://h!/", H2E_BAD_URL, "invalid character in host"},
    {"http://h%20x/", H2E_BAD_URL, "invalid character in host"},
    {"http://h%zz/", H2E_BAD_URL, "bad percent-encoding in host"},
    {"http://h%4/", H2E_BAD_URL, "bad percent-encoding in host"},
    {"http://256.1.1.1/", H2E_BAD_URL, "bad IPv4 address"},
    {"http://1.2.3/", H2E_BAD_URL, "bad IPv4 address"},
    {"http://1.2.3.4.5/", H2E_BAD_URL, "bad IPv4 address"},
    {"http://01.2.3.4/", H2E_BAD_URL, "bad IPv4 address"},
    {"http://1.2.3.1234/", H2E_BAD_URL, "bad IPv4 address"},
    {"http://1..3.4/", H2E_BAD_URL, "bad IPv4 address"},
    {"http://foo.123/", H2E_BAD_URL, "bad IPv4 address"},
    {"http://1.2.3.4./", H2E_BAD_URL, "bad IPv4 address"},
    {"http://us er@h/", H2E_BAD_URL, "invalid character in user info"},
    {"http://u\x7f@h/", H2E_BAD_URL, "invalid character in user info"},
};

TEST(test_url_parse_errors)
{
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct url u;
        struct h2e_info info = H2E_INFO_INIT;
        int rv = url_parse(bad[i].in, &u, &info);
        CHECK_INT(rv, bad[i].code);
        CHECK_INT(info.code, bad[i].code);
        CHECK_STR(info.why, bad[i].why);
        if (tap_failed()) {
            printf("#   input: %s\n", bad[i].in);
            return;
        }
    }
}

TEST(test_url_parse_length_limits)
{
    char s[600];
    struct url u;
    struct h2e_info info = H2E_INFO_INIT;

    memcpy(s, "http://", 7);
    memset(s + 7, 'a', URL_HOST_MAX);
    memcpy(s + 7 + URL_HOST_MAX, "/x", 3);
    CHECK_INT(url_parse(s, &u, &info), 0);
    CHECK_INT(strlen(u.host), URL_HOST_MAX);
    memset(s + 7, 'a', URL_HOST_MAX + 1);
    memcpy(s + 8 + URL_HOST_MAX, "/x", 3);
    CHECK_INT(url_parse(s, &u, &info), H2E_BAD_URL);
    CHECK_STR(info.why, "host name too long (RFC 1035 §2.3.4)");

    snprintf(s, sizeof(s), "http://[::1%%25%.*s]/", URL_ZONE_MAX,
             "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij");
    CHECK_INT(url_parse(s, &u, &info), 0);
    CHECK_INT(strlen(u.zone), URL_ZONE_MAX);
    snprintf(s, sizeof(s), "http://[::1%%25%.*s]/", URL_ZONE_MAX + 1,
             "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij");
    CHECK_INT(url_parse(s, &u, &info), H2E_BAD_URL);
    CHECK_STR(info.why, "bad IPv6 zone id (RFC 6874)");
}

TEST(test_url_decode_userinfo)
{
    struct url u;
    struct buf b;
    struct h2e_info info = H2E_INFO_INIT;

    CHECK_INT(url_parse("http://us%65r:p%40ss%3a@h/", &u, NULL), 0);
    buf_init(&b, &tap_mem, 64);
    CHECK_INT(url_decode_userinfo(u.user, &b, &info), 0);
    CHECK_MEM(b.p, b.len, "user", 4);
    buf_reset(&b);
    CHECK_INT(url_decode_userinfo(u.password, &b, &info), 0);
    CHECK_MEM(b.p, b.len, "p@ss:", 5);
    CHECK_INT(url_decode_userinfo(span_str("%4"), &b, &info), H2E_BAD_URL);
    CHECK_STR(info.why, "bad percent-encoding in user info");
    CHECK_INT(url_decode_userinfo(span_str("a%G0"), &b, &info), H2E_BAD_URL);
    CHECK_INT(b.len, 5); /* unchanged by the failures */
    buf_release(&b);

    buf_init(&b, &tap_mem, 3);
    CHECK_INT(url_decode_userinfo(span_str("abcd"), &b, &info), H2E_LIMIT_BUFFER);
    CHECK_STR(info.why, "user info does not fit");
    CHECK_INT(b.len, 0);
    buf_release(&b);
    buf_init(&b, &tap_mem, 64);
    tap_mem_fail_after = 0;
    CHECK_INT(url_decode_userinfo(span_str("abcd"), &b, &info), H2E_NOMEM);
    tap_mem_fail_after = -1;
    buf_release(&b);
    CHECK_INT(tap_mem_live(), 0);
}

TEST(test_url_builders_keep_buffer_on_failure)
{
    struct url u;
    struct buf b;
    size_t max;

    CHECK_INT(url_parse("http://[::1]:8080/a%20b c?q", &u, NULL), 0);
    /* Every cap short of the full result fails and leaves the prefix "xy" in place:
     * the authority is "[::1]:8080" (10 bytes), the target "/a%20b%20c?q" (12 bytes). */
    for (max = 2; max < 2 + 12; max++) {
        buf_init(&b, &tap_mem, max);
        CHECK_INT(buf_append(&b, "xy", 2), 0);
        CHECK_INT(url_authority(&u, &b), max < 2 + 10 ? H2E_LIMIT_BUFFER : 0);
        CHECK_INT(b.len, max < 2 + 10 ? 2 : 12);
        b.len = 2;
        CHECK_INT(url_request_target(&u, &b), H2E_LIMIT_BUFFER);
        CHECK_INT(b.len, 2);
        buf_release(&b);
    }
    buf_init(&b, &tap_mem, 64);
    tap_mem_fail_after = 0;
    CHECK_INT(url_authority(&u, &b), H2E_NOMEM);
    CHECK_INT(url_request_target(&u, &b), H2E_NOMEM);
    tap_mem_fail_after = -1;
    CHECK_INT(url_request_target(&u, &b), 0);
    CHECK_MEM(b.p, b.len, "/a%20b%20c?q", 12);
    buf_release(&b);
    CHECK_INT(tap_mem_live(), 0);
}

/* RFC 3986 §5.4.1 and §5.4.2, fragments dropped; "g:h" is a scheme we do not support. */
static const struct {
    const char *ref, *want;
} rfc_examples[] = {
    {"g", "http://a/b/c/g"},
    {"./g", "http://a/b/c/g"},
    {"g/", "http://a/b/c/g/"},
    {"/g", "http://a/g"},
    {"//g", "http://g"},
    {"?y", "http://a/b/c/d;p?y"},
    {"g?y", "http://a/b/c/g?y"},
    {"#s", "http://a/b/c/d;p?q"},
    {"g#s", "http://a/b/c/g"},
    {"g?y#s", "http://a/b/c/g?y"},
    {";x", "http://a/b/c/;x"},
    {"g;x", "http://a/b/c/g;x"},
    {"g;x?y#s", "http://a/b/c/g;x?y"},
    {"", "http://a/b/c/d;p?q"},
    {".", "http://a/b/c/"},
    {"./", "http://a/b/c/"},
    {"..", "http://a/b/"},
    {"../", "http://a/b/"},
    {"../g", "http://a/b/g"},
    {"../..", "http://a/"},
    {"../../", "http://a/"},
    {"../../g", "http://a/g"},
    {"../../../g", "http://a/g"},
    {"../../../../g", "http://a/g"},
    {"/./g", "http://a/g"},
    {"/../g", "http://a/g"},
    {"g.", "http://a/b/c/g."},
    {".g", "http://a/b/c/.g"},
    {"g..", "http://a/b/c/g.."},
    {"..g", "http://a/b/c/..g"},
    {"./../g", "http://a/b/g"},
    {"./g/.", "http://a/b/c/g/"},
    {"g/./h", "http://a/b/c/g/h"},
    {"g/../h", "http://a/b/c/h"},
    {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
    {"g;x=1/../y", "http://a/b/c/y"},
    {"g?y/./x", "http://a/b/c/g?y/./x"},
    {"g?y/../x", "http://a/b/c/g?y/../x"},
    {"g#s/./x", "http://a/b/c/g"},
    {"g#s/../x", "http://a/b/c/g"},
    {"http:g", "http://a/b/c/g"}, /* non-strict (§5.2.2) */
    /* Beyond the RFC's list. */
    {"HTTPS://Other.example:8443/x/./y/../z?k#f", "https://Other.example:8443/x/z?k"},
    {"//g/../x", "http://g/x"},
    {"//u@g:81", "http://u@g:81"},
    {"a b/\xc3\xa9", "http://a/b/c/a b/\xc3\xa9"},
    {"/a/b/..", "http://a/a/"},
    {"/a/b/.", "http://a/a/b/"},
    {"/..", "http://a/"},
    {"/.", "http://a/"},
    {"/", "http://a/"},
    {"?", "http://a/b/c/d;p?"},
};

static void check_resolve(const char *base_s, const char *ref, const char *want)
{
    struct url base;
    struct buf b;
    struct h2e_info info = H2E_INFO_INIT;

    CHECK_INT(url_parse(base_s, &base, NULL), 0);
    buf_init(&b, &tap_mem, 4096);
    CHECK_INT(url_resolve(&base, ref, &b, &info), 0);
    CHECK_MEM(b.p, b.len, want, strlen(want));
    CHECK(b.p && b.p[b.len] == '\0');
    buf_release(&b);
    if (tap_failed())
        printf("#   base %s ref '%s' want %s\n", base_s, ref, want);
}

TEST(test_url_resolve_rfc3986_examples)
{
    size_t i;
    for (i = 0; i < sizeof(rfc_examples) / sizeof(rfc_examples[0]) && !tap_failed(); i++)
        check_resolve("http://a/b/c/d;p?q", rfc_examples[i].ref, rfc_examples[i].want);
    CHECK_INT(tap_mem_live(), 0);
}

TEST(test_url_resolve_base_forms)
{
    check_resolve("http://h", "g", "http://h/g");
    check_resolve("http://h", "", "http://h");
    check_resolve("http://h?q", "", "http://h?q");
    check_resolve("http://h/x?q#f", "#g", "http://h/x?q");
    check_resolve("https://u:p@[FE80::1%25en0]:8080/a/b", "c",
                  "https://u:p@[fe80::1%25en0]:8080/a/c");
    check_resolve("https://h:443/a", "/b", "https://h:443/b");
    check_resolve("https://h/a", "http://x/", "http://x/");
    check_resolve("example.com/dir/x", "y", "http://example.com/dir/y");
}

TEST(test_url_resolve_errors)
{
    struct url base;
    struct buf b;
    struct h2e_info info = H2E_INFO_INIT;
    size_t max;

    CHECK_INT(url_parse("http://a/b", &base, NULL), 0);
    buf_init(&b, &tap_mem, 4096);
    CHECK_INT(url_resolve(&base, "g:h", &b, &info), H2E_UNSUPPORTED_SCHEME);
    CHECK_STR(info.why, "redirect to a scheme other than http(s)");
    CHECK_INT(url_resolve(&base, "mailto:x@y", &b, &info), H2E_UNSUPPORTED_SCHEME);
    CHECK_INT(url_resolve(&base, "https:x", &b, &info), H2E_BAD_URL);
    CHECK_STR(info.why, "redirect URL has no authority (RFC 3986 §3.2)");
    CHECK_INT(b.len, 0);
    buf_release(&b);
    /* A cap anywhere short of the result fails and leaves the buffer as it was. */
    for (max = 0; max < 15; max++) { /* 14 bytes and the NUL */
        buf_init(&b, &tap_mem, max);
        CHECK_INT(url_resolve(&base, "../x/y?z", &b, &info), H2E_LIMIT_BUFFER);
        CHECK_STR(info.why, "resolved URL does not fit");
        CHECK_INT(b.len, 0);
        buf_release(&b);
    }
    buf_init(&b, &tap_mem, 15);
    CHECK_INT(url_resolve(&base, "../x/y?z", &b, &info), 0);
    CHECK_MEM(b.p, b.len, "http://a/x/y?z", 14);
    buf_release(&b);
    CHECK_INT(tap_mem_live(), 0);
}

TEST(test_url_resolve_result_parses)
{
    struct url base, u;
    struct buf b;

    CHECK_INT(url_parse("https://example.com:8443/a/b?x", &base, NULL), 0);
    buf_init(&b, &tap_mem, 4096);
    CHECK_INT(url_resolve(&base, "../c d?e", &b, NULL), 0);
    CHECK_INT(url_parse((const char *)b.p, &u, NULL), 0);
    CHECK(url_origin_equal(&base, &u));
    buf_reset(&b);
    CHECK_INT(url_request_target(&u, &b), 0);
    CHECK_MEM(b.p, b.len, "/c%20d?e", 8);
    buf_release(&b);
}

TEST(test_url_origin_equal)
{
    static const struct {
        const char *a, *b;
        bool eq;
    } pairs[] = {
        {"http://Example.com/x", "http://example.com:80/y?z", true},
        {"http://example.com", "https://example.com", false},
        {"https://example.com", "https://example.com:443", true},
        {"https://example.com", "https://example.com:8443", false},
        {"http://a.example", "http://b.example", false},
        {"http://[::1]", "http://[0::1]", false},
        {"http://[fe80::1%25a]", "http://[fe80::1%25b]", false},
        {"http://u:p@h", "http://h", true},
    };
    size_t i;
    for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        struct url a, b;
        CHECK_INT(url_parse(pairs[i].a, &a, NULL), 0);
        CHECK_INT(url_parse(pairs[i].b, &b, NULL), 0);
        CHECK_INT(url_origin_equal(&a, &b), pairs[i].eq);
        CHECK_INT(url_origin_equal(&b, &a), pairs[i].eq);
    }
}

TEST(test_url_parse_guarded)
{
    size_t i;
    /* Strings placed against an unmapped page: reading past the NUL faults. */
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        struct url u;
        const char *s = (const char *)tap_guard(good[i].in, strlen(good[i].in) + 1);
        CHECK_INT(url_parse(s, &u, NULL), 0);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct url u;
        const char *s = (const char *)tap_guard(bad[i].in, strlen(bad[i].in) + 1);
        CHECK_INT(url_parse(s, &u, NULL), bad[i].code);
    }
}
