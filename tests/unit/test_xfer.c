/* SPDX-License-Identifier: MIT */
/*
 * One transfer (src/client/xfer.c) without a network: what it reports for each way an
 * attempt ends (done, failed, retry, redirect, requeue), its files (renamed into place
 * when complete, removed or kept as .part on failure), -f, -i, --max-filesize, the
 * redirect rules (method, credentials, --max-redirs) and the exact error lines.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/limits.h"
#include "cfix.h"
#include "tap.h"

#define CHECK_REPORTED(x, o)                                                                       \
    do {                                                                                           \
        CHECK_INT((x)->phase, XFER_REPORTED);                                                      \
        CHECK_INT((x)->outcome, (o));                                                              \
    } while (0)

TEST(test_xfer_bad_url_fails_at_once)
{
    struct cfix f;
    struct xfer *x;

    cfix_init(&f, "https://exa mple.org/", NULL);
    CHECK_INT(f.init_err, 0);
    x = cfix_make(&f, 0);
    CHECK_REPORTED(x, XFER_FINISHED);
    CHECK_INT(x->result, H2E_BAD_URL);
    CHECK_STR(cfix_diag(&f), "h2get: (3) malformed URL: 'https://exa mple.org/': invalid "
                             "character in host\n");
    CHECK(cfix_settle(&f));
    CHECK_INT(x->phase, XFER_DONE);
    CHECK_INT(f.cl.ndone, 1);
    CHECK_INT(f.cl.first_error, H2E_BAD_URL);
    cfix_release(&f);
}

TEST(test_xfer_file_renamed_into_place_when_complete)
{
    struct cfix f;
    struct xfer *x;

    cfix_init(&f, "-o", "out.txt", "https://example.org/a", NULL);
    x = cfix_make(&f, 0);
    CHECK_INT(x->phase, XFER_NEW);
    CHECK_INT(cfix_headers(x, 200, "content-length", "10", NULL), 0);
    CHECK_INT(xfer_on_data(x, (const uint8_t *)"hello ", 6), 0);
    CHECK_INT(xfer_on_data(x, (const uint8_t *)"file", 4), 0);
    CHECK(cfix_file(&f, "out.txt") == NULL); /* not before it is complete */
    CHECK_INT(x->resp.expect_len, 10);
    xfer_complete(x);
    CHECK_REPORTED(x, XFER_FINISHED);
    CHECK_INT(x->result, 0);
    CHECK_STR(cfix_file(&f, "out.txt"), "hello file");
    CHECK_STR(cfix_diag(&f), "");
    cfix_settle(&f);
    CHECK_INT(f.cl.fin, 1);
    CHECK_INT(f.cl.first_error, 0);
    cfix_release(&f);
}

TEST(test_xfer_failure_removes_the_file_or_keeps_part)
{
    struct cfix f;
    struct xfer *x;

    cfix_init(&f, "-o", "out.txt", "https://example.org/a", NULL);
    x = cfix_make(&f, 0);
    cfix_headers(x, 200, NULL);
    xfer_on_data(x, (const uint8_t *)"partial", 7);
    xfer_fail(x, H2E_PARTIAL, "connection closed after %d body bytes", 7);
    CHECK_REPORTED(x, XFER_FINISHED);
    CHECK_STR(cfix_diag(&f),
              "h2get: (18) transfer closed with data outstanding: connection closed after 7 "
              "body bytes\n");
    CHECK(cfix_file(&f, "out.txt") == NULL);
    /* a second failure of the same attempt is not said again */
    xfer_fail(x, H2E_TIMEOUT, "late");
    CHECK_INT(x->result, H2E_PARTIAL);
    cfix_release(&f);

    cfix_init(&f, "--keep-partial", "-o", "out.txt", "https://example.org/a", NULL);
    x = cfix_make(&f, 0);
    cfix_headers(x, 200, NULL);
    xfer_on_data(x, (const uint8_t *)"partial", 7);
    xfer_fail(x, H2E_PARTIAL, "cut");
    CHECK(cfix_file(&f, "out.txt") == NULL);
    CHECK_STR(cfix_file(&f, "out.txt.part"), "partial");
    cfix_release(&f);
}

TEST(test_xfer_fail_status_writes_nothing)
{
    struct cfix f;
    struct xfer *x;

    cfix_init(&f, "-f", "-o", "out.txt", "https://example.org/missing", NULL);
    x = cfix_make(&f, 0);
    CHECK_INT(cfix_headers(x, 404, NULL), H2E_HTTP_ERROR);
    CHECK_REPORTED(x, XFER_FINISHED);
    CHECK_INT(xfer_on_data(x, (const uint8_t *)"x", 1), H2E_WRITE);
    CHECK_STR(cfix_diag(&f),
              "h2get: (22) HTTP error status: the requested URL returned error: 404\n");
    CHECK(cfix_file(&f, "out.txt") == NULL);
    cfix_release(&f);
}

TEST(test_xfer_include_and_trailers_go_with_the_body)
{
    struct cfix f;
    struct xfer *x;
    struct msg_field t = {{(const uint8_t *)"grpc-status", 11}, {(const uint8_t *)"0", 1}};

    cfix_init(&f, "-i", "https://example.org/", NULL);
    x = cfix_make(&f, 0);
    cfix_headers(x, 200, ":status", "200", "server", "t", NULL);
    xfer_on_data(x, (const uint8_t *)"body\n", 5);
    CHECK_INT(xfer_on_trailers(x, &t, 1), 0);
    xfer_complete(x);
    cfix_settle(&f);
    CHECK_STR(cfix_stdout(&f), "HTTP/2 200\r\nserver: t\r\n\r\nbody\ngrpc-status: 0\r\n\r\n");
    cfix_release(&f);
}

/* Heads past the old 512 KiB buffers reach -i and -w whole: they had caps of their own,
 * and what did not fit was dropped without a word. */
TEST(test_xfer_big_head_whole_in_include_and_write_out)
{
    size_t n = 600 * 1024;
    char *v = malloc(n + 1), *want = malloc(2 * n + 64);
    const char *out;
    struct cfix f;
    struct xfer *x;

    memset(v, 'v', n);
    v[n] = 0;
    cfix_init(&f, "-i", "-w", "|%{header{x-big}}", "https://example.org/", NULL);
    x = cfix_make(&f, 0);
    cfix_headers(x, 200, "x-big", v, NULL);
    xfer_complete(x);
    cfix_settle(&f);
    out = cfix_stdout(&f);
    snprintf(want, 2 * n + 64, "HTTP/2 200\r\nx-big: %s\r\n\r\n|%s", v, v);
    CHECK(out && strlen(out) == 2 * n + strlen("HTTP/2 200\r\nx-big: \r\n\r\n|"));
    CHECK(out && !strcmp(out, want));
    free(v);
    free(want);
    cfix_release(&f);
}

TEST(test_xfer_max_filesize)
{
    struct cfix f;
    struct xfer *x;

    cfix_init(&f, "--max-filesize", "4", "-o", "o", "https://example.org/", NULL);
    x = cfix_make(&f, 0);
    cfix_headers(x, 200, NULL);
    CHECK_INT(xfer_on_data(x, (const uint8_t *)"1234", 4), 0);
    CHECK_INT(xfer_on_data(x, (const uint8_t *)"5", 1), H2E_FILESIZE);
    CHECK_STR(cfix_diag(&f),
              "h2get: (63) maximum file size exceeded: the body exceeds --max-filesize 4\n");
    CHECK(cfix_file(&f, "o") == NULL);
    cfix_release(&f);
}

TEST(test_xfer_redirect_reports_then_follows)
{
    struct cfix f;
    struct xfer *x;

    cfix_init(&f, "-L", "-u", "me:pw", "-d", "a=1", "https://example.org/dir/a", NULL);
    x = cfix_make(&f, 0);
    CHECK_STR(x->req.method, "POST");
    cfix_headers(x, 302, "location", "../b?q", NULL);
    CHECK_INT(x->resp.state, XFER_RESP_REDIRECTING);
    CHECK_INT(xfer_on_data(x, (const uint8_t *)"moved", 5), 0);
    CHECK_INT(x->resp.body_bytes, 0); /* a redirect's body is not the body */
    xfer_complete(x);
    CHECK_REPORTED(x, XFER_REDIRECT);
    CHECK_INT(xfer_follow(x), 0);
    CHECK_STR(x->req.url_str, "https://example.org/b?q");
    CHECK_STR(x->req.method, "GET"); /* 302 after POST: GET, no body (curl) */
    CHECK(!x->req.has_body);
    CHECK(!x->req.drop_auth); /* same origin */
    CHECK_INT(x->req.redirects, 1);
    /* to another origin: no credentials from now on */
    x->resp.status = 307;
    free(x->resp.location);
    x->resp.location = strdup("https://other.example/c");
    CHECK_INT(xfer_follow(x), 0);
    CHECK(x->req.drop_auth);
    cfix_release(&f);
}

TEST(test_xfer_redirect_limit)
{
    struct cfix f;
    struct xfer *x;

    cfix_init(&f, "-L", "--max-redirs", "0", "https://example.org/", NULL);
    x = cfix_make(&f, 0);
    cfix_headers(x, 301, "location", "/next", NULL);
    xfer_complete(x);
    CHECK_REPORTED(x, XFER_REDIRECT);
    cfix_settle(&f); /* the router follows: over the limit */
    CHECK_INT(x->phase, XFER_DONE);
    CHECK_INT(x->result, H2E_TOO_MANY_REDIRECTS);
    CHECK_STR(cfix_diag(&f), "h2get: (47) too many redirects: maximum (0) redirects followed\n");
    cfix_release(&f);
}

TEST(test_xfer_retry_budget_and_rewind)
{
    struct cfix f;
    struct xfer *x;
    int p[2];

    cfix_init(&f, "https://example.org/", NULL);
    x = cfix_make(&f, 0);
    x->phase = XFER_SENT; /* as if sent */
    CHECK(xfer_retry(x, "REFUSED_STREAM", false));
    CHECK_REPORTED(x, XFER_RETRY);
    CHECK(!x->req.retry_fresh);
    CHECK_INT(x->req.retries, 1);
    CHECK(!xfer_retry(x, "again", true)); /* reported already: not twice */
    x->phase = XFER_SENT;
    x->req.attempts = LIMIT_RETRY_CONNECTIONS; /* sent first, then on 4 new connections */
    CHECK(xfer_retry(x, "GOAWAY", true));      /* the 5th new connection */
    x->phase = XFER_SENT;
    x->req.attempts = LIMIT_RETRY_CONNECTIONS + 1;
    CHECK(!xfer_retry(x, "GOAWAY", true)); /* budget spent: the caller fails it */
    cfix_release(&f);

    cfix_init(&f, "--no-goaway-retry", "https://example.org/", NULL);
    x = cfix_make(&f, 0);
    x->phase = XFER_SENT;
    CHECK(!xfer_retry(x, "GOAWAY", true));
    cfix_release(&f);

    /* a body from a pipe, partly sent, cannot go again: 65 */
    CHECK_INT(pipe(p), 0);
    CHECK_INT(write(p[1], "abc", 3), 3);
    cfix_init(&f, "-T", "-", "https://example.org/", NULL);
    x = cfix_make(&f, 0);
    close(x->up.fd);
    x->up.fd = p[0];
    x->up.start = -1;
    x->up.sent = 3;
    x->phase = XFER_SENT;
    CHECK(xfer_retry(x, "GOAWAY", true));
    CHECK_REPORTED(x, XFER_FINISHED);
    CHECK_INT(x->result, H2E_REWIND);
    CHECK_STR(cfix_diag(&f), "h2get: (65) cannot send the request body again: cannot send the "
                             "request again after GOAWAY: the request body came from a pipe "
                             "and was already sent\n");
    x->up.fd = -1;
    cfix_release(&f);
    close(p[1]);
}

TEST(test_xfer_requeue_gives_up_after_the_limit)
{
    struct cfix f;
    struct xfer *x;
    unsigned i;

    cfix_init(&f, "https://example.org/", NULL);
    x = cfix_make(&f, 0);
    for (i = 1; i < LIMIT_RETRY_CONNECTIONS; i++) {
        x->phase = XFER_QUEUED;
        xfer_requeue(x, true);
        CHECK_REPORTED(x, XFER_REQUEUE);
    }
    x->phase = XFER_QUEUED;
    xfer_requeue(x, false); /* a connection we held back does not count */
    CHECK_REPORTED(x, XFER_REQUEUE);
    x->phase = XFER_QUEUED;
    xfer_requeue(x, true);
    CHECK_REPORTED(x, XFER_FINISHED);
    CHECK_INT(x->result, H2E_RECV);
    CHECK_STR(cfix_diag(&f),
              "h2get: (56) receive failure: 5 connections closed before the request could be "
              "sent\n");
    cfix_release(&f);
}

/* Bytes of the -T file `path`: byte i is i % 251, so that a shifted or repeated piece
 * shows. */
static void write_pattern(const char *path, size_t n)
{
    FILE *fp = fopen(path, "wb");
    size_t i;

    for (i = 0; fp && i < n; i++)
        fputc((int)(i % 251), fp);
    if (!fp || fclose(fp) != 0)
        abort();
}

static bool is_pattern(const uint8_t *p, size_t n, size_t from)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i] != (from + i) % 251)
            return false;
    return true;
}

/* A regular -T file is topped up before its buffered rest is too small for a full frame
 * (16 KiB), and read ahead while the sender waits for credit: no frame of a few bytes at
 * the end of each 64 KiB buffer, no read between credit and sending. */
TEST(test_xfer_upload_file_topped_up_and_read_ahead)
{
    struct cfix f;
    struct xfer *x;
    const uint8_t *p;
    size_t n;
    bool last;

    cfix_init(&f, "-T", "up.bin", "https://example.org/", NULL);
    write_pattern("up.bin", 190000);
    x = cfix_make(&f, 0);
    CHECK_INT(xfer_body_next(x, &p, &n, &last), 0);
    CHECK_INT((int)n, 65536); /* one buffer */
    CHECK(!last && is_pattern(p, n, 0));
    xfer_body_advance(x, 65536 - 100, false);
    CHECK_INT(xfer_body_next(x, &p, &n, &last), 0);
    CHECK_INT((int)n, 65536); /* the 100 left, topped up: not a 100-byte frame */
    CHECK(!last && is_pattern(p, n, 65436));
    xfer_body_advance(x, 1000, false);
    xfer_body_prefetch(x); /* waiting for credit: the room is filled now */
    CHECK_INT((int)pipe_in_data(&x->up.in).len, 65536);
    CHECK_INT(xfer_body_next(x, &p, &n, &last), 0);
    CHECK_INT((int)n, 65536);
    CHECK(!last && is_pattern(p, n, 66436));
    xfer_body_advance(x, n, false);
    CHECK_INT(xfer_body_next(x, &p, &n, &last), 0);
    CHECK_INT((int)n, 190000 - 131972); /* the rest of the file */
    CHECK(last && is_pattern(p, n, 131972));
    xfer_body_advance(x, n, true);
    xfer_body_prefetch(x); /* done: nothing to read */
    CHECK(x->up.done);
    cfix_release(&f);
}
