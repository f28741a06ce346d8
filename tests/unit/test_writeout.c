/* SPDX-License-Identifier: MIT */
/*
 * -w/--write-out rendering (client/writeout): every variable as text and in %{json}, the
 * escapes, unknown variables, %{onerror}, %{stdout}/%{stderr}, header{} and trailer{}
 * lookups, header_json with repeated names, and values longer than any old buffer.
 * The transfer is built by hand in fixture_init, the one place that knows the client's
 * structs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cconn.h"
#include "client/run.h"
#include "client/xfer.h"
#include "client/writeout.h"
#include "sys/diag.h"
#include "sys/xalloc.h"
#include "tap.h"

struct fixture {
    struct config cfg;
    struct client cl;
    struct cli_url cu;
    struct cconn cc;
    struct xfer x;
    char *out, *err, *warn; /* what the last render() gave */
};

/*
 * A transfer that went to https://example.test/a (redirected to /b), number 4 of a run
 * with --repeat 2 (so URL 2), on connection 3 (HTTP/2 over TLS 1.3), stream 5, status 200,
 * 1234 bytes down and 56 up, each time a whole number of milliseconds after its start.
 */
static void fixture_init(struct fixture *t)
{
    memset(t, 0, sizeof(*t));
    cli_init(&t->cfg);
    t->cfg.multi.repeat = 2;
    t->cl.cfg = &t->cfg;
    t->cu.url = "https://example.test/a";
    t->cc.id = 3;
    t->cc.state = CC_H2;
    t->cc.tls = true;
    snprintf(t->cc.facts.alpn, sizeof(t->cc.facts.alpn), "h2");
    t->cc.facts.tls_version = "TLS1.3";
    snprintf(t->cc.facts.remote_ip, sizeof(t->cc.facts.remote_ip), "192.0.2.7");
    t->cc.facts.remote_port = 8443;
    t->x.cl = &t->cl;
    t->x.cu = &t->cu;
    t->x.req.url_str = "https://example.test/b";
    t->x.index = 4;
    t->x.last_conn = &t->cc;
    t->x.resp.state = XFER_RESP_HEADERS;
    t->x.resp.status = 200;
    t->x.stream_id = 5;
    t->x.num_connects = 1;
    t->x.resp.body_bytes = 1234;
    t->x.resp.decoded_bytes = 4321;
    t->x.up.sent = 56;
    t->x.t.start = 1000000;
    t->cc.facts.t_resolved = t->x.t.start + 1000;
    t->cc.facts.t_connected = t->x.t.start + 2000;
    t->cc.facts.t_tls = t->x.t.start + 3500;
    t->x.t.sent = t->x.t.start + 4000;
    t->x.t.headers = t->x.t.start + 5000;
    t->x.t.firstdata = t->x.t.start + 6000;
    t->x.t.done = t->x.t.start + 1234567;
    buf_init(&t->x.resp.fields, &xalloc_mem, SIZE_MAX);
    buf_init(&t->x.resp.trailers, &xalloc_mem, SIZE_MAX);
}

static void fixture_release(struct fixture *t)
{
    buf_release(&t->x.resp.fields);
    buf_release(&t->x.resp.trailers);
    free(t->out);
    free(t->err);
    free(t->warn);
}

/* A field in xfer.c's "name\0value\0" store. */
static void add_field(struct buf *st, const char *name, const char *value)
{
    buf_append(st, name, strlen(name) + 1);
    buf_append(st, value, strlen(value) + 1);
}

static char *text_of(const struct buf *b)
{
    char *s = xmalloc(b->len + 1);

    if (b->len)
        memcpy(s, b->p, b->len);
    s[b->len] = 0;
    return s;
}

/* Render `fmt` from part `start`: t->out, t->err and the warnings in t->warn. Returns
 * wo_render_from's result. */
static int render_from(struct fixture *t, const char *fmt, enum wo_stream start)
{
    struct buf part[2];
    size_t wlen;
    FILE *w;
    int rv;

    free(t->out);
    free(t->err);
    free(t->warn);
    t->warn = NULL;
    w = open_memstream(&t->warn, &wlen);
    diag_set_stream(w);
    buf_init(&part[WO_OUT], &xalloc_mem, SIZE_MAX);
    buf_init(&part[WO_ERR], &xalloc_mem, SIZE_MAX);
    rv = start == WO_OUT ? wo_render(&t->x, fmt, part) : wo_render_from(&t->x, fmt, part, start);
    t->out = text_of(&part[WO_OUT]);
    t->err = text_of(&part[WO_ERR]);
    buf_release(&part[WO_OUT]);
    buf_release(&part[WO_ERR]);
    fclose(w);
    diag_set_stream(NULL);
    return rv;
}

static int render(struct fixture *t, const char *fmt)
{
    return render_from(t, fmt, WO_OUT);
}

TEST(test_writeout_every_variable)
{
    struct fixture t;

    fixture_init(&t);
    CHECK_INT(render(&t, "%{alpn}|%{conn_id}|%{errormsg}|%{exitcode}|%{goaway_error}|"
                         "%{http_code}|%{http_version}|%{num_connects}|%{remote_ip}|"
                         "%{remote_port}|%{retried_after_goaway}|%{rst_error}|"
                         "%{size_download}|%{size_upload}|%{stream_id}"),
              0);
    CHECK_STR(t.out, "h2|3||0||200|2|1|192.0.2.7|8443|0||1234|56|5");
    CHECK_INT(render(&t, "%{time_namelookup} %{time_connect} %{time_appconnect} "
                         "%{time_pretransfer} %{time_starttransfer} %{time_firstdata} "
                         "%{time_total}|%{tls_version}|%{url}|%{url_effective}|%{urlnum}"),
              0);
    CHECK_STR(t.out, "0.001000 0.002000 0.003500 0.004000 0.005000 0.006000 1.234567|TLS1.3|"
                     "https://example.test/a|https://example.test/b|2");
    CHECK_STR(t.err, "");
    CHECK_STR(t.warn, "");
    fixture_release(&t);
}

TEST(test_writeout_failed_transfer_values)
{
    struct fixture t;

    fixture_init(&t);
    t.x.result = H2E_PEER_RST_STREAM;
    t.x.detail = "stream 5 reset by the server";
    t.x.resp.got_rst = true;
    t.x.resp.rst_wire = 0x2;
    t.cc.goaway.got = true;
    t.cc.goaway.wire = 0xabc; /* not an RFC 9113 code: shown in hex */
    t.x.req.retries = 2;
    CHECK_INT(render(&t, "%{exitcode} %{errormsg}|%{rst_error}|%{goaway_error}|"
                         "%{retried_after_goaway}"),
              0);
    CHECK_STR(t.out, "92 stream 5 reset by the server|INTERNAL_ERROR|0xabc|2");
    fixture_release(&t);
}

/* Before any response, and without a connection: zeros and empty strings, "000". */
TEST(test_writeout_nothing_yet)
{
    struct fixture t;

    fixture_init(&t);
    t.x.last_conn = NULL;
    t.x.resp.state = XFER_RESP_NONE;
    t.x.resp.status = 0;
    t.x.t.done = 0;
    t.x.t.sent = t.x.t.start - 1; /* earlier than the start: counts 0 */
    CHECK_INT(render(&t, "%{http_code} %{http_version} [%{alpn}] %{conn_id} [%{remote_ip}] "
                         "%{remote_port} [%{tls_version}] %{time_connect} %{time_pretransfer} "
                         "%{time_total}"),
              0);
    CHECK_STR(t.out, "000 0 [] 0 [] 0 [] 0.000000 0.000000 0.000000");
    t.x.last_conn = &t.cc;
    t.x.resp.state = XFER_RESP_HEADERS;
    t.cc.state = CC_H1;
    t.cc.tls = false;
    CHECK_INT(render(&t, "%{http_version} %{time_appconnect}"), 0);
    CHECK_STR(t.out, "1.1 0.000000");
    fixture_release(&t);
}

TEST(test_writeout_json_object)
{
    struct fixture t;

    fixture_init(&t);
    t.x.result = H2E_HTTP_ERROR;
    t.x.detail = "say \"no\"\\\n\x01\xc3\xa9";
    CHECK_INT(render(&t, "%{json}\n"), 0);
    CHECK_STR(t.out,
              "{\"alpn\":\"h2\",\"conn_id\":3,\"errormsg\":\"say \\\"no\\\"\\\\\\u000a\\u0001"
              "\\u00c3\\u00a9\",\"exitcode\":22,\"goaway_error\":\"\",\"http_code\":200,"
              "\"http_connect\":0,\"http_version\":\"2\",\"num_connects\":1,\"num_retries\":0,"
              "\"proxy_alpn\":\"\",\"proxy_connect_code\":0,\"remote_ip\":\"192.0.2.7\","
              "\"remote_port\":8443,\"retried_after_goaway\":0,\"rst_error\":\"\","
              "\"size_decoded\":4321,\"size_download\":1234,\"size_upload\":56,\"stream_id\":5,"
              "\"time_appconnect\":0.003500,\"time_connect\":0.002000,"
              "\"time_firstdata\":0.006000,\"time_namelookup\":0.001000,"
              "\"time_pretransfer\":0.004000,\"time_starttransfer\":0.005000,"
              "\"time_total\":1.234567,\"tls_version\":\"TLS1.3\","
              "\"url\":\"https://example.test/a\",\"url_effective\":\"https://example.test/b\","
              "\"urlnum\":2}\n");
    t.x.resp.status = 0; /* a number in JSON, not "000" */
    CHECK_INT(render(&t, "%{json}"), 0);
    CHECK(strstr(t.out, ",\"http_code\":0,") != NULL);
    fixture_release(&t);
}

TEST(test_writeout_escapes_and_text)
{
    struct fixture t;

    fixture_init(&t);
    CHECK_INT(render(&t, "a\\nb\\rc\\td\\\\e%%f\\x\\"), 0);
    CHECK_STR(t.out, "a\nb\rc\td\\e%f\\x\\");
    CHECK_INT(render(&t, "100%% %{ %{http_code %"), 0); /* no closing brace: plain text */
    CHECK_STR(t.out, "100% %{ %{http_code %");
    CHECK_INT(render(&t, ""), 0);
    CHECK_STR(t.out, "");
    CHECK_STR(t.warn, "");
    fixture_release(&t);
}

TEST(test_writeout_unknown_variable_warns)
{
    struct fixture t;
    char name[400];

    fixture_init(&t);
    CHECK_INT(render(&t, "[%{nope}][%{header}][%{json{x}}][%{header{a}b}]"), 0);
    CHECK_STR(t.out, "[][][}][b}]");
    CHECK_STR(t.warn, "h2get: warning: unknown --write-out variable 'nope'\n"
                      "h2get: warning: unknown --write-out variable 'header'\n"
                      "h2get: warning: unknown --write-out variable 'json{x'\n"
                      "h2get: warning: unknown --write-out variable 'header{a'\n");
    /* a long name is named whole */
    memset(name, 'v', sizeof(name));
    memcpy(name, "%{", 2);
    memcpy(name + sizeof(name) - 2, "}", 2);
    CHECK_INT(render(&t, name), 0);
    CHECK_INT(strlen(t.warn), strlen("h2get: warning: unknown --write-out variable ''\n") + 396);
    fixture_release(&t);
}

TEST(test_writeout_onerror)
{
    struct fixture t;

    fixture_init(&t);
    CHECK_INT(render(&t, "%{urlnum}%{stderr}e%{onerror} failed %{exitcode}\n"), 0);
    CHECK_STR(t.out, "2");
    CHECK_STR(t.err, "e");
    t.x.result = H2E_TIMEOUT;
    CHECK_INT(render(&t, "%{urlnum}%{stderr}e%{onerror} failed %{exitcode}\n"), 0);
    CHECK_STR(t.out, "2");
    CHECK_STR(t.err, "e failed 28\n");
    fixture_release(&t);
}

TEST(test_writeout_stdout_stderr_switching)
{
    struct fixture t;

    fixture_init(&t);
    CHECK_INT(render(&t, "a%{stderr}b%{http_code}%{stdout}c%{stdout}d%{stderr}e\\n"), 0);
    CHECK_STR(t.out, "acd");
    CHECK_STR(t.err, "b200e\n");
    CHECK_INT(render(&t, "%{stderr}%{json}"), 0);
    CHECK_STR(t.out, "");
    CHECK(t.err[0] == '{' && t.err[strlen(t.err) - 1] == '}');
    /* --tunnel-to: stderr until %{stdout} says otherwise */
    CHECK_INT(render_from(&t, "a%{http_code}%{stdout}b%{stderr}c", WO_ERR), 0);
    CHECK_STR(t.out, "b");
    CHECK_STR(t.err, "a200c");
    fixture_release(&t);
}

TEST(test_writeout_header_and_trailer_lookup)
{
    struct fixture t;

    fixture_init(&t);
    add_field(&t.x.resp.fields, "content-type", "text/plain");
    add_field(&t.x.resp.fields, "Set-Cookie", "a=1");
    add_field(&t.x.resp.fields, "set-cookie", "b=2");
    add_field(&t.x.resp.trailers, "grpc-status", "0");
    CHECK_INT(render(&t, "[%{header{Content-Type}}][%{header{SET-COOKIE}}][%{header{x}}]"
                         "[%{header{}}][%{trailer{GRPC-Status}}][%{trailer{content-type}}]"),
              0);
    CHECK_STR(t.out, "[text/plain][a=1][][][0][]");
    CHECK_STR(t.warn, "");
    fixture_release(&t);
}

TEST(test_writeout_header_json)
{
    struct fixture t;

    fixture_init(&t);
    CHECK_INT(render(&t, "%{header_json}|%{trailer_json}"), 0);
    CHECK_STR(t.out, "{}|{}");
    add_field(&t.x.resp.fields, "Set-Cookie", "a=1");
    add_field(&t.x.resp.fields, "server", "x\"y");
    add_field(&t.x.resp.fields, "set-cookie", "b=2");
    add_field(&t.x.resp.fields, "SET-COOKIE", "c=3");
    add_field(&t.x.resp.fields, "vary", "");
    add_field(&t.x.resp.trailers, "t", "1");
    add_field(&t.x.resp.trailers, "t", "2");
    CHECK_INT(render(&t, "%{header_json}|%{trailer_json}"), 0);
    CHECK_STR(t.out, "{\"Set-Cookie\":[\"a=1\",\"b=2\",\"c=3\"],\"server\":[\"x\\\"y\"],"
                     "\"vary\":[\"\"]}|{\"t\":[\"1\",\"2\"]}");
    fixture_release(&t);
}

/* Values of any length are written whole (the old renderer cut at 256 bytes). */
TEST(test_writeout_long_values_whole)
{
    struct fixture t;
    size_t n = 5000;
    char *big = xmalloc(n + 1), *fmt = xmalloc(n + 16), *want;

    fixture_init(&t);
    memset(big, 'u', n);
    big[n] = 0;
    t.x.req.url_str = big;
    add_field(&t.x.resp.fields, "x-big", big);
    CHECK_INT(render(&t, "%{url_effective}"), 0);
    CHECK_STR(t.out, big);
    CHECK_INT(render(&t, "%{header{x-big}}"), 0);
    CHECK_STR(t.out, big);
    t.x.result = H2E_WRITE;
    t.x.detail = big;
    CHECK_INT(render(&t, "%{errormsg}"), 0);
    CHECK_STR(t.out, big);
    CHECK_INT(render(&t, "%{json}"), 0);
    CHECK(strstr(t.out, big) != NULL);
    /* plain text of the format too */
    snprintf(fmt, n + 16, "%s%%{http_code}", big);
    CHECK_INT(render(&t, fmt), 0);
    want = xmalloc(n + 4);
    snprintf(want, n + 4, "%s200", big);
    CHECK_STR(t.out, want);
    free(want);
    free(fmt);
    free(big);
    fixture_release(&t);
}

/* A part that reaches its cap is an error, not a cut. */
TEST(test_writeout_part_cap_is_an_error)
{
    struct fixture t;
    struct buf part[2];

    fixture_init(&t);
    buf_init(&part[WO_OUT], &xalloc_mem, 4);
    buf_init(&part[WO_ERR], &xalloc_mem, 4);
    CHECK_INT(wo_render(&t.x, "%{url}", part), H2E_LIMIT_BUFFER);
    buf_release(&part[WO_OUT]);
    buf_release(&part[WO_ERR]);
    fixture_release(&t);
}
