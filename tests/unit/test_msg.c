/* SPDX-License-Identifier: MIT */
/*
 * HTTP message rules: the request-field lint (CLI.md item 8) and the HTTP/2 response and
 * trailer validator (RFC 9113 §8.1-§8.3), every rule with its code, why and rule id.
 */
#include <stdio.h>

#include "base/buf.h"
#include "base/err.h"
#include "codec/msg.h"
#include "tap.h"

/* A string literal with its exact length, NULs included. */
#define S(lit) lit, sizeof(lit) - 1

#define WHY_CRLF "CR, LF or NUL in a field value (RFC 9113 §8.2.1)"
#define WHY_WS "leading or trailing whitespace in a field value (RFC 9113 §8.2.1)"

static const struct {
    const char *name;
    const char *value;
    size_t vlen;
    int rv;
    const char *why;
} lints[] = {
    {"accept", S("*/*"), 0, NULL},
    {"X-Custom", S("1"), MSG_LINT_UPPERCASE, NULL},
    {"user-agent", S(""), 0, NULL},
    {":authority", S("example.com"), MSG_LINT_PSEUDO, NULL},
    {":method", S("PATCH"), MSG_LINT_PSEUDO, NULL},
    {":scheme", S("https"), MSG_LINT_PSEUDO, NULL},
    {":protocol", S("websocket"), MSG_LINT_PSEUDO, NULL},
    {":Path", S("/x"), MSG_LINT_PSEUDO | MSG_LINT_UPPERCASE, NULL},
    {":status", S("200"), H2E_USAGE, "unknown or response pseudo-header (RFC 9113 §8.3.1)"},
    {":foo", S("x"), H2E_USAGE, "unknown or response pseudo-header (RFC 9113 §8.3.1)"},
    {":", S("x"), H2E_USAGE, "unknown or response pseudo-header (RFC 9113 §8.3.1)"},
    {"", S("x"), H2E_USAGE, "empty header name"},
    {"x y", S("1"), H2E_USAGE, "invalid character in header name (RFC 9110 §5.1)"},
    {"x:y", S("1"), H2E_USAGE, "invalid character in header name (RFC 9110 §5.1)"},
    {"x\xc3\xa9", S("1"), H2E_USAGE, "invalid character in header name (RFC 9110 §5.1)"},
    {"connection", S("close"), H2E_USAGE, "'connection' is connection-specific (RFC 9113 §8.2.2)"},
    {"Keep-Alive", S("5"), H2E_USAGE, "'keep-alive' is connection-specific (RFC 9113 §8.2.2)"},
    {"proxy-connection", S("x"), H2E_USAGE,
     "'proxy-connection' is connection-specific (RFC 9113 §8.2.2)"},
    {"Transfer-Encoding", S("chunked"), H2E_USAGE,
     "'transfer-encoding' is connection-specific (RFC 9113 §8.2.2)"},
    {"upgrade", S("h2c"), H2E_USAGE, "'upgrade' is connection-specific (RFC 9113 §8.2.2)"},
    {"te", S("trailers"), 0, NULL},
    {"TE", S("Trailers"), MSG_LINT_UPPERCASE, NULL},
    {"te", S("gzip"), H2E_USAGE, "'te' other than 'trailers' (RFC 9113 §8.2.2)"},
    {"te", S("trailers, gzip"), H2E_USAGE, "'te' other than 'trailers' (RFC 9113 §8.2.2)"},
    {"x", S("a\r\nb: c"), H2E_USAGE, WHY_CRLF},
    {"x", S("a\nb"), H2E_USAGE, WHY_CRLF},
    {"x", S("a\0b"), H2E_USAGE, WHY_CRLF},
    {":path", S("/\r\n"), H2E_USAGE, WHY_CRLF},
    {"x", S(" a"), H2E_USAGE, WHY_WS},
    {"x", S("a\t"), H2E_USAGE, WHY_WS},
    {"x", S("a b\x01\x7f\xff"), 0, NULL},
};

TEST(test_msg_lint_request_header)
{
    size_t i;
    for (i = 0; i < sizeof(lints) / sizeof(lints[0]); i++) {
        struct h2e_info info = H2E_INFO_INIT;
        int rv = msg_lint_request_header(span_str(lints[i].name),
                                         span_of(lints[i].value, lints[i].vlen), &info);
        CHECK_INT(rv, lints[i].rv);
        if (lints[i].why) {
            CHECK_INT(info.code, H2E_USAGE);
            CHECK_STR(info.why, lints[i].why);
        } else {
            CHECK(info.why == NULL);
        }
        if (tap_failed()) {
            printf("#   lint %zu: %s\n", i, lints[i].name);
            return;
        }
    }
}

TEST(test_msg_lowercase_name)
{
    char n[] = "X-Custom-ÀZ09";
    msg_lowercase_name(n, strlen(n));
    CHECK_STR(n, "x-custom-Àz09");
    msg_lowercase_name(n, 0);
}

struct field {
    const char *name, *value;
};

#define OK_AT -1  /* no failure expected */
#define END_AT 99 /* failure expected from msg_resp_end */

static const struct {
    bool trailers, end_stream;
    struct field f[5]; /* up to the first NULL name */
    int fail_at;       /* index of the failing field, OK_AT or END_AT */
    const char *rule, *why;
    int status;
    int has_cl;
    uint64_t cl;
} blocks[] = {
    {false,
     false,
     {{":status", "200"}, {"content-type", "text/html"}, {"content-length", "10"}},
     OK_AT,
     NULL,
     NULL,
     200,
     1,
     10},
    {false, true, {{":status", "204"}}, OK_AT, NULL, NULL, 204, 0, 0},
    {false, false, {{":status", "103"}, {"link", "</a>"}}, OK_AT, NULL, NULL, 103, 0, 0},
    {false,
     false,
     {{":status", "599"}, {"content-length", "0"}, {"content-length", "0"}},
     OK_AT,
     NULL,
     NULL,
     599,
     1,
     0},
    {false,
     false,
     {{":status", "200"}, {"content-length", "18446744073709551615"}},
     OK_AT,
     NULL,
     NULL,
     200,
     1,
     UINT64_MAX},
    {false,
     false,
     {{":status", "200"}, {"x", "a b\x01\xff"}, {"x", ""}},
     OK_AT,
     NULL,
     NULL,
     200,
     0,
     0},
    {true, true, {{"grpc-status", "0"}, {"grpc-message", "a b"}}, OK_AT, NULL, NULL, 0, 0, 0},
    {true, true, {{NULL, NULL}}, OK_AT, NULL, NULL, 0, 0, 0},
    {false,
     false,
     {{":status", "200"}, {"content-length", "5"}, {"content-length", "6"}},
     2,
     "content-length-conflict",
     "conflicting content-length values (RFC 9110 §8.6)"},
    {false,
     false,
     {{":status", "200"}, {":status", "200"}},
     1,
     "status-duplicate",
     "duplicate :status (RFC 9113 §8.3)"},
    {false,
     false,
     {{"x", "1"}, {":status", "200"}},
     1,
     "pseudo-order",
     "pseudo-header after a regular field (RFC 9113 §8.3)"},
    {false,
     false,
     {{":path", "/"}},
     0,
     "pseudo-unknown",
     "unknown or request pseudo-header in a response (RFC 9113 §8.3)"},
    {false,
     false,
     {{":status", "200"}, {":Status", "200"}},
     1,
     "pseudo-unknown",
     "unknown or request pseudo-header in a response (RFC 9113 §8.3)"},
    {false, false, {{":status", "20"}}, 0, "status-invalid", "malformed :status (RFC 9113 §8.3.2)"},
    {false,
     false,
     {{":status", "2x0"}},
     0,
     "status-invalid",
     "malformed :status (RFC 9113 §8.3.2)"},
    {false,
     false,
     {{":status", " 200"}},
     0,
     "status-invalid",
     "malformed :status (RFC 9113 §8.3.2)"},
    {false,
     false,
     {{":status", "2000"}},
     0,
     "status-invalid",
     "malformed :status (RFC 9113 §8.3.2)"},
    {false,
     false,
     {{":status", "099"}},
     0,
     "status-range",
     ":status out of range 100-599 (RFC 9110 §15)"},
    {false,
     false,
     {{":status", "600"}},
     0,
     "status-range",
     ":status out of range 100-599 (RFC 9110 §15)"},
    {false,
     false,
     {{":status", "101"}},
     0,
     "status-101",
     ":status 101 is not allowed in HTTP/2 (RFC 9113 §8.6)"},
    {false, false, {{"x", "1"}}, END_AT, "status-missing", "missing :status (RFC 9113 §8.3.2)"},
    {false, false, {{NULL, NULL}}, END_AT, "status-missing", "missing :status (RFC 9113 §8.3.2)"},
    {true,
     true,
     {{":status", "200"}},
     0,
     "trailer-pseudo",
     "pseudo-header in trailers (RFC 9113 §8.1)"},
    {true,
     true,
     {{"grpc-status", "0"}, {"Content-Length", "5"}},
     1,
     "name-uppercase",
     "uppercase field name (RFC 9113 §8.2.1)"},
    {true,
     true,
     {{"grpc-status", "0"}, {"content-length", "5"}},
     1,
     "trailer-forbidden",
     "a field not allowed in trailers (RFC 9110 §6.5.1)"},
    {true,
     false,
     {{"x", "1"}},
     END_AT,
     "trailers-end-stream",
     "trailers without END_STREAM (RFC 9113 §8.1)"},
    {false,
     true,
     {{":status", "100"}},
     END_AT,
     "informational-end-stream",
     "END_STREAM on an informational response (RFC 9113 §8.1)"},
    {false,
     false,
     {{":status", "200"}, {"Content-Type", "x"}},
     1,
     "name-uppercase",
     "uppercase field name (RFC 9113 §8.2.1)"},
    {false,
     false,
     {{":status", "200"}, {"x(y)", "1"}},
     1,
     "name-invalid",
     "invalid character in field name (RFC 9113 §8.2.1)"},
    {false,
     false,
     {{":status", "200"}, {"x y", "1"}},
     1,
     "name-invalid",
     "invalid character in field name (RFC 9113 §8.2.1)"},
    {false,
     false,
     {{":status", "200"}, {"", "1"}},
     1,
     "name-empty",
     "empty field name (RFC 9113 §8.2.1)"},
    {false, false, {{":status", "200"}, {"x", "a\nb"}}, 1, "value-invalid", WHY_CRLF},
    {false, false, {{":status", "200"}, {"x", "a\rb"}}, 1, "value-invalid", WHY_CRLF},
    {false, false, {{":status", "200"}, {"x", " a"}}, 1, "value-whitespace", WHY_WS},
    {false, false, {{":status", "200"}, {"x", "a\t"}}, 1, "value-whitespace", WHY_WS},
    {true, true, {{"x", "a "}}, 0, "value-whitespace", WHY_WS},
    {false,
     false,
     {{":status", "200"}, {"connection", "close"}},
     1,
     "connection-specific",
     "'connection' is connection-specific (RFC 9113 §8.2.2)"},
    {false,
     false,
     {{":status", "200"}, {"keep-alive", "1"}},
     1,
     "connection-specific",
     "'keep-alive' is connection-specific (RFC 9113 §8.2.2)"},
    {false,
     false,
     {{":status", "200"}, {"proxy-connection", "1"}},
     1,
     "connection-specific",
     "'proxy-connection' is connection-specific (RFC 9113 §8.2.2)"},
    {false,
     false,
     {{":status", "200"}, {"transfer-encoding", "chunked"}},
     1,
     "connection-specific",
     "'transfer-encoding' is connection-specific (RFC 9113 §8.2.2)"},
    {true,
     true,
     {{"upgrade", "h2c"}},
     0,
     "connection-specific",
     "'upgrade' is connection-specific (RFC 9113 §8.2.2)"},
    {false,
     false,
     {{":status", "200"}, {"te", "trailers"}},
     1,
     "te-in-response",
     "'te' in a response (RFC 9113 §8.2.2)"},
    {false,
     false,
     {{":status", "200"}, {"content-length", "abc"}},
     1,
     "content-length-invalid",
     "invalid content-length (RFC 9110 §8.6)"},
    {false,
     false,
     {{":status", "200"}, {"content-length", ""}},
     1,
     "content-length-invalid",
     "invalid content-length (RFC 9110 §8.6)"},
    {false,
     false,
     {{":status", "200"}, {"content-length", "5, 5"}},
     1,
     "content-length-invalid",
     "invalid content-length (RFC 9110 §8.6)"},
    {false,
     false,
     {{":status", "200"}, {"content-length", "18446744073709551616"}},
     1,
     "content-length-invalid",
     "invalid content-length (RFC 9110 §8.6)"},
};

static void run_block(size_t i)
{
    struct msg_resp v;
    struct h2e_info info = H2E_INFO_INIT;
    size_t j;
    int rv = 0;

    msg_resp_init(&v, 7, blocks[i].trailers);
    for (j = 0; j < 5 && blocks[i].f[j].name; j++) {
        rv = msg_resp_field(&v, span_str(blocks[i].f[j].name), span_str(blocks[i].f[j].value),
                            &info);
        if (rv)
            break;
    }
    if (!rv) {
        rv = msg_resp_end(&v, blocks[i].end_stream, &info);
        j = END_AT;
    }
    if (blocks[i].fail_at == OK_AT) {
        CHECK_INT(rv, 0);
        CHECK(v.rule == NULL);
        CHECK_INT(v.status, blocks[i].status);
        CHECK_INT(v.has_content_length, blocks[i].has_cl);
        CHECK(v.content_length == blocks[i].cl);
        return;
    }
    CHECK_INT(rv, H2E_STREAM_PROTOCOL);
    CHECK_INT(j, blocks[i].fail_at);
    CHECK_INT(info.code, H2E_STREAM_PROTOCOL);
    CHECK_INT(info.stream_id, 7);
    CHECK_STR(info.why, blocks[i].why);
    CHECK_STR(v.rule, blocks[i].rule);
}

TEST(test_msg_resp_blocks)
{
    size_t i;
    for (i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
        run_block(i);
        if (tap_failed()) {
            printf("#   block %zu\n", i);
            return;
        }
    }
}

TEST(test_msg_resp_informational)
{
    struct msg_resp v;
    msg_resp_init(&v, 1, false);
    CHECK_INT(msg_resp_field(&v, span_str(":status"), span_str("100"), NULL), 0);
    CHECK_INT(msg_resp_end(&v, false, NULL), 0);
    CHECK(msg_resp_informational(&v));
    msg_resp_init(&v, 1, false);
    CHECK_INT(msg_resp_field(&v, span_str(":status"), span_str("200"), NULL), 0);
    CHECK(!msg_resp_informational(&v));
}

static const struct {
    const char *status, *cl; /* cl NULL: no content-length */
    bool head;
    uint64_t total;
    bool end;
    const char *rule;
} lengths[] = {
    {"200", "10", false, 5, false, NULL},
    {"200", "10", false, 10, true, NULL},
    {"200", "10", false, 10, false, NULL},
    {"200", "10", false, 11, false, "content-length-mismatch"},
    {"200", "10", false, 5, true, "content-length-mismatch"},
    {"200", "0", false, 0, true, NULL},
    {"200", "0", false, 1, false, "content-length-mismatch"},
    {"200", NULL, false, 12345, true, NULL},
    {"200", "10", true, 0, true, NULL},
    {"200", "10", true, 3, false, "content-unexpected"},
    {"204", NULL, false, 1, false, "content-unexpected"},
    {"304", "100", false, 0, true, NULL},
    {"304", "100", false, 100, true, "content-unexpected"},
    {"103", NULL, false, 1, false, "content-unexpected"},
};

TEST(test_msg_check_body_length)
{
    size_t i;
    for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        struct msg_resp v;
        struct h2e_info info = H2E_INFO_INIT;
        int rv;

        msg_resp_init(&v, 3, false);
        CHECK_INT(msg_resp_field(&v, span_str(":status"), span_str(lengths[i].status), NULL), 0);
        if (lengths[i].cl)
            CHECK_INT(msg_resp_field(&v, span_str("content-length"), span_str(lengths[i].cl), NULL),
                      0);
        rv = msg_check_body_length(&v, lengths[i].head, lengths[i].total, lengths[i].end, &info);
        if (!lengths[i].rule) {
            CHECK_INT(rv, 0);
            CHECK(info.why == NULL);
        } else {
            CHECK_INT(rv, H2E_STREAM_PROTOCOL);
            CHECK_INT(info.stream_id, 3);
            CHECK_STR(v.rule, lengths[i].rule);
            CHECK_STR(info.why, strcmp(lengths[i].rule, "content-unexpected") == 0
                                    ? "DATA in a response that has no content (RFC 9110 §6.4.1)"
                                    : "content-length does not match the DATA received "
                                      "(RFC 9113 §8.1.1)");
        }
        if (tap_failed()) {
            printf("#   length case %zu\n", i);
            return;
        }
    }
}
