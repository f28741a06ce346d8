/* SPDX-License-Identifier: MIT */
/*
 * .netrc lookup: machine before default, whatever their order; quoted tokens with
 * escapes; macdef skipped; what is broken named.
 */
#include <stdio.h>

#include "base/buf.h"
#include "base/err.h"
#include "codec/netrc.h"
#include "tap.h"

static int look(const char *file, const char *host, char *login, char *password)
{
    return netrc_lookup(span_str(file), span_str(host), login, password, NULL);
}

TEST(test_netrc_lookup)
{
    char l[NETRC_TOKEN_MAX + 1], p[NETRC_TOKEN_MAX + 1];
    const char *f = "machine a.example login la password pa\n"
                    "default login dl password dp\n"
                    "machine B.example\n\tlogin \"l b\"\n\tpassword \"q\\\"uote\\\\\"\n";

    CHECK_INT(look(f, "a.example", l, p), 1);
    CHECK_STR(l, "la");
    CHECK_STR(p, "pa");
    CHECK_INT(look(f, "b.EXAMPLE", l, p), 1); /* after default, and case-insensitive */
    CHECK_STR(l, "l b");
    CHECK_STR(p, "q\"uote\\");
    CHECK_INT(look(f, "c.example", l, p), 1);
    CHECK_STR(l, "dl");
    CHECK_STR(p, "dp");
    CHECK_INT(look("machine x login y password z", "other", l, p), 0);
    CHECK_STR(l, "");
    CHECK_INT(look("machine x login only", "x", l, p), 1);
    CHECK_STR(l, "only");
    CHECK_STR(p, "");
    CHECK_INT(look("macdef init\ncd /\nmachine x login no\n\nmachine x login yes", "x", l, p), 1);
    CHECK_STR(l, "yes");
    CHECK_INT(look("machine x account acc login l password p", "x", l, p), 1);
    CHECK_STR(l, "l");
    CHECK_INT(look("", "x", l, p), 0);
}

TEST(test_netrc_errors)
{
    char l[NETRC_TOKEN_MAX + 1], p[NETRC_TOKEN_MAX + 1], big[1100];
    struct h2e_info info = H2E_INFO_INIT;

    CHECK_INT(netrc_lookup(span_str("machine x login \"open"), span_str("x"), l, p, &info),
              H2E_NETRC);
    CHECK_STR(info.why, "an unterminated quote");
    CHECK_INT(netrc_lookup(span_str("machine x login"), span_str("x"), l, p, &info), H2E_NETRC);
    CHECK_STR(info.why, "a keyword without its value");
    CHECK_INT(netrc_lookup(span_of("machine x\0", 10), span_str("x"), l, p, &info), H2E_NETRC);
    CHECK_STR(info.why, "a NUL byte");
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CHECK_INT(netrc_lookup(span_str(big), span_str("x"), l, p, &info), H2E_NETRC);
    CHECK_STR(info.why, "a token longer than 1024 bytes");
}
