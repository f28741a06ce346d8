/* SPDX-License-Identifier: MIT */
/*
 * User-facing messages: the exact error, warning and usage lines, -s/-S, and the escaping
 * of server-controlled bytes (every byte outside 0x20-0x7e as \xNN, at most 200 bytes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/diag.h"
#include "base/err.h"
#include "tap.h"

static char *text;
static size_t text_len;
static FILE *capture;

static void start(bool silent, bool show_error)
{
    text = NULL;
    capture = open_memstream(&text, &text_len);
    diag_set_stream(capture);
    diag_setup(silent, show_error);
}

/* What was printed since start(); the caller frees it. */
static char *stop(void)
{
    fclose(capture);
    diag_set_stream(NULL);
    diag_setup(false, false);
    return text;
}

TEST(test_diag_error_line)
{
    char *s;

    start(false, false);
    diag_error(H2E_RESOLVE, "cannot resolve '%s'", "example.invalid");
    diag_error(H2E_PROTOCOL, "GOAWAY sent, last stream %u", 3u);
    diag_error(H2E_TIMEOUT, NULL);
    s = stop();
    CHECK_STR(s, "h2get: (6) could not resolve host: cannot resolve 'example.invalid'\n"
                 "h2get: (16) protocol error: GOAWAY sent, last stream 3\n"
                 "h2get: (28) timeout\n");
    free(s);
}

TEST(test_diag_warn_and_usage)
{
    char *s;

    start(false, false);
    diag_warn("'%s' is not verified", "h");
    diag_usage("unknown option '%s'", "--foo");
    s = stop();
    CHECK_STR(s, "h2get: warning: 'h' is not verified\n"
                 "h2get: (2) usage error: unknown option '--foo'\n"
                 "try 'h2get --help'\n");
    free(s);
}

TEST(test_diag_silent_and_show_error)
{
    char *s;

    /* -s: no errors, no warnings; usage errors still shown */
    start(true, false);
    diag_error(H2E_CONNECT, "x");
    diag_warn("w");
    diag_usage("u");
    s = stop();
    CHECK_STR(s, "h2get: (2) usage error: u\ntry 'h2get --help'\n");
    free(s);

    /* -sS: errors again, warnings still not */
    start(true, true);
    diag_error(H2E_CONNECT, "x");
    diag_warn("w");
    s = stop();
    CHECK_STR(s, "h2get: (7) could not connect: x\n");
    free(s);
}

TEST(test_diag_escape)
{
    char out[DIAG_ESCAPE_CAP];
    static const uint8_t raw[] = {'a', 0, 0x1f, ' ', '~', 0x7f, 0x80, 0xff, '\\', '\n'};

    CHECK_STR(diag_escape(out, sizeof(out), span_of(raw, sizeof(raw))),
              "a\\x00\\x1f ~\\x7f\\x80\\xff\\\\x0a");
    CHECK_STR(diag_escape(out, sizeof(out), span_of("", 0)), "");
    CHECK_STR(diag_escape(out, sizeof(out), span_str("plain text")), "plain text");
}

TEST(test_diag_escape_limits)
{
    char out[DIAG_ESCAPE_CAP], want[DIAG_ESCAPE_CAP];
    uint8_t in[300];
    char small[10];

    /* 200 bytes shown, then "..." */
    memset(in, 'x', sizeof(in));
    memset(want, 'x', 200);
    memcpy(want + 200, "...", 4);
    CHECK_STR(diag_escape(out, sizeof(out), span_of(in, 201)), want);
    want[200] = 0;
    CHECK_STR(diag_escape(out, sizeof(out), span_of(in, 200)), want);
    /* all escaped: 200 * 4 bytes then "..." fits DIAG_ESCAPE_CAP exactly */
    memset(in, 0xee, sizeof(in));
    diag_escape(out, sizeof(out), span_of(in, sizeof(in)));
    CHECK_INT(strlen(out), 803);
    CHECK(strncmp(out, "\\xee\\xee", 8) == 0);
    CHECK_STR(out + 800, "...");

    /* a small buffer: whole escapes only, room kept for "..." */
    CHECK_STR(diag_escape(small, sizeof(small), span_of(in, 3)), "\\xee...");
    CHECK_STR(diag_escape(small, sizeof(small), span_str("abcdefghijkl")), "abcdef...");
    CHECK_STR(diag_escape(small, sizeof(small), span_str("abcdefghi")), "abcdefghi");
    CHECK_STR(diag_escape(small, 1, span_str("abc")), "");
    CHECK_STR(diag_escape(NULL, 0, span_str("abc")), "");
}

/* A message is printed whole, however long (it used to stop at 2047 bytes). */
TEST(test_diag_long_message_whole)
{
    size_t n = 10000;
    char *arg = malloc(n + 1), *s;

    memset(arg, 'p', n);
    arg[n] = 0;
    start(false, false);
    diag_error(H2E_WRITE, "cannot create '%s': %s", arg, "File name too long");
    diag_warn("'%s'", arg);
    s = stop();
    CHECK_INT(strlen(s), strlen("h2get: (23) write error: cannot create '': File name too long\n") +
                             strlen("h2get: warning: ''\n") + 2 * n);
    CHECK(strncmp(s + strlen("h2get: (23) write error: cannot create '") + n,
                  "': File name too long\nh2get: warning: 'p", 38) == 0);
    free(s);
    free(arg);
}

/* diag_escape_buf: everything, escaped, NUL-terminated, nothing left out. */
TEST(test_diag_escape_buf_whole)
{
    struct buf b;
    size_t n = 1000, i;
    uint8_t *in = malloc(n);

    for (i = 0; i < n; i++)
        in[i] = i % 2 ? 'a' : 0x1b;
    buf_init(&b, &tap_mem, SIZE_MAX);
    CHECK_INT(diag_escape_buf(&b, span_of(in, n)), 0);
    CHECK_INT(b.len, n / 2 * 5);
    CHECK_MEM(b.p, 10, "\\x1ba\\x1ba", 10);
    CHECK_MEM(b.p + b.len - 5, 6, "\\x1ba", 6); /* and the NUL after */
    buf_reset(&b);
    CHECK_INT(diag_escape_buf(&b, span_str("")), 0);
    CHECK_INT(b.len, 0);
    CHECK(b.p && b.p[0] == 0);
    buf_release(&b);
    buf_init(&b, &tap_mem, 10);
    CHECK_INT(diag_escape_buf(&b, span_of(in, 4)), H2E_LIMIT_BUFFER); /* 10 + NUL > 10 */
    buf_release(&b);
    free(in);
}
