/* SPDX-License-Identifier: MIT */
/*
 * The output module: the -i / -D form of a response head (status line, fields without
 * pseudo-headers, CRLF endings, the empty line; trailers without a status line), its
 * errors, and the -D file that is truncated once per run and appended to after.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out/out.h"
#include "sys/xalloc.h"
#include "tap.h"

#define F(n, v)                                                                                    \
    {                                                                                              \
        {(const uint8_t *)(n), sizeof(n) - 1},                                                     \
        {                                                                                          \
            (const uint8_t *)(v), sizeof(v) - 1                                                    \
        }                                                                                          \
    }

static char *text_of(const struct buf *b)
{
    char *s = xmalloc(b->len + 1);

    if (b->len)
        memcpy(s, b->p, b->len);
    s[b->len] = 0;
    return s;
}

TEST(test_out_header_block_h2)
{
    static const struct msg_field f[] = {
        F(":status", "200"),    F("content-type", "text/plain"), F("x-empty", ""),
        F("set-cookie", "a=1"), F("set-cookie", "b=2"),
    };
    struct buf b;
    char *s;

    buf_init(&b, &xalloc_mem, SIZE_MAX);
    CHECK_INT(out_header_block(&b, 200, "HTTP/2", f, sizeof(f) / sizeof(f[0])), 0);
    s = text_of(&b);
    CHECK_STR(s, "HTTP/2 200\r\ncontent-type: text/plain\r\nx-empty: \r\nset-cookie: a=1\r\n"
                 "set-cookie: b=2\r\n\r\n");
    free(s);
    buf_release(&b);
}

TEST(test_out_header_block_h1_and_appends)
{
    static const struct msg_field f[] = {F("Server", "x"), F("Content-Length", "0")};
    struct buf b;
    char *s;

    buf_init(&b, &xalloc_mem, SIZE_MAX);
    buf_append(&b, "before|", 7);
    CHECK_INT(out_header_block(&b, 404, "HTTP/1.1", f, 2), 0);
    CHECK_INT(out_header_block(&b, 100, "HTTP/1.1", NULL, 0), 0);
    s = text_of(&b);
    CHECK_STR(s, "before|HTTP/1.1 404\r\nServer: x\r\nContent-Length: 0\r\n\r\n"
                 "HTTP/1.1 100\r\n\r\n");
    free(s);
    buf_release(&b);
}

/* Trailers: no status line (status 0, no protocol), pseudo-headers still left out. */
TEST(test_out_header_block_trailers)
{
    static const struct msg_field f[] = {F(":path", "/"), F("grpc-status", "0")};
    struct buf b;
    char *s;

    buf_init(&b, &xalloc_mem, SIZE_MAX);
    CHECK_INT(out_header_block(&b, 0, NULL, f, 2), 0);
    s = text_of(&b);
    CHECK_STR(s, "grpc-status: 0\r\n\r\n");
    free(s);
    buf_reset(&b);
    CHECK_INT(out_header_block(&b, 0, NULL, NULL, 0), 0);
    CHECK_MEM(b.p, b.len, "\r\n", 2);
    buf_release(&b);
}

/* A field longer than any line buffer is kept whole; a full buffer is an error. */
TEST(test_out_header_block_long_and_full)
{
    size_t n = 100000, i;
    char *v = xmalloc(n);
    struct msg_field f[1];
    struct buf b;

    memset(v, 'v', n);
    f[0].name = span_str("x-long");
    f[0].value = span_of(v, n);
    buf_init(&b, &xalloc_mem, SIZE_MAX);
    CHECK_INT(out_header_block(&b, 200, "HTTP/2", f, 1), 0);
    CHECK_INT(b.len, strlen("HTTP/2 200\r\nx-long: \r\n\r\n") + n);
    buf_release(&b);
    for (i = 0; i < 40; i++) { /* every cap short of the whole block fails */
        buf_init(&b, &xalloc_mem, i);
        CHECK_INT(out_header_block(&b, 200, "HTTP/2", f, 1), H2E_LIMIT_BUFFER);
        buf_release(&b);
    }
    free(v);
}

static char *slurp(const char *path)
{
    size_t n;
    char *s = (char *)tap_read_file(path, &n), *t;

    if (!s)
        return NULL;
    t = xmalloc(n + 1);
    memcpy(t, s, n);
    t[n] = 0;
    free(s);
    return t;
}

/* -D: the first write of a run truncates what was there, the next ones append. */
TEST(test_out_dump_headers_file)
{
    char dir[] = "/tmp/h2get-test-out-XXXXXX", path[64];
    bool started = false;
    FILE *f;
    char *s;

    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/dump", dir);
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("old contents\n", f);
        fclose(f);
    }
    CHECK_INT(out_dump_headers(path, &started, span_str("HTTP/2 200\r\n\r\n")), 0);
    CHECK(started);
    CHECK_INT(out_dump_headers(path, &started, span_str("t: 1\r\n\r\n")), 0);
    s = slurp(path);
    CHECK_STR(s, "HTTP/2 200\r\n\r\nt: 1\r\n\r\n");
    free(s);
    unlink(path);
    rmdir(dir);
}

/* A file that cannot be opened: H2E_WRITE with errno, and the next call tries afresh. */
TEST(test_out_dump_headers_cannot_open)
{
    bool started = false;

    errno = 0;
    CHECK_INT(out_dump_headers("/nonexistent-dir-h2get/dump", &started, span_str("x")), H2E_WRITE);
    CHECK_INT(errno, ENOENT);
    CHECK(!started);
}

/* A path the system accepts is named whole in the message (it used to stop at 511 bytes);
 * a longer one is refused up front, saying why. */
TEST(test_out_open_file_long_paths)
{
    struct out_sink o;
    size_t n = 4000, i;
    char *path = xmalloc(PATH_MAX + 2), *want = xmalloc(PATH_MAX + 128);

    memcpy(path, "/nonexistent-h2get", 18);
    for (i = 18; i < n; i += 2)
        memcpy(path + i, "/d", 2);
    path[n] = 0;
    CHECK_INT(out_open_file(&o, path, false, false), H2E_WRITE);
    snprintf(want, PATH_MAX + 128, "cannot create '%s': No such file or directory", path);
    CHECK_STR(o.detail, want);
    out_abort(&o, false);
    memset(path, 'p', PATH_MAX);
    path[PATH_MAX] = 0;
    CHECK_INT(out_open_file(&o, path, false, false), H2E_WRITE);
    snprintf(want, PATH_MAX + 128,
             "cannot create a file whose path is %d bytes long (PATH_MAX is %d)", PATH_MAX,
             PATH_MAX);
    CHECK_STR(o.detail, want);
    free(path);
    free(want);
}

/* -o /dev/null: the sink knows the null device and makes no write() for what it takes
 * (a 1 GiB download wrote 65,536 times to it); a regular file or /dev/zero is written. */
TEST(test_out_null_device_counts_without_writing)
{
    struct out_sink o;
    static const char body[OUT_DIRECT * 2] = {0};
    char path[] = "/tmp/h2get-test-out-XXXXXX";
    int fd = mkstemp(path);

    CHECK_INT(out_open_file(&o, "/dev/null", false, false), 0);
    CHECK(o.null);
    CHECK(o.special);
    CHECK_INT(out_write(&o, body, sizeof(body)), 0);
    CHECK_INT(out_write(&o, "x", 1), 0);
    CHECK_INT((int)o.written, (int)sizeof(body) + 1);
    CHECK_INT((int)o.len, 0); /* nothing buffered either */
    CHECK_INT(out_commit(&o), 0);
    /* a second sink on the same path shares the kept descriptor and knows it too */
    CHECK_INT(out_open_file(&o, "/dev/null", false, false), 0);
    CHECK(o.null && o.shared);
    CHECK_INT(out_commit(&o), 0);
    CHECK_INT(out_open_file(&o, "/dev/zero", false, false), 0);
    CHECK(!o.null);
    out_abort(&o, false);
    CHECK(fd >= 0);
    close(fd);
    CHECK_INT(out_open_file(&o, path, false, false), 0);
    CHECK(!o.null);
    CHECK_INT(out_write(&o, "abc", 3), 0);
    CHECK_INT(out_commit(&o), 0);
    {
        FILE *f = fopen(path, "rb");
        char got[8] = {0};
        CHECK(f != NULL);
        CHECK_INT((int)fread(got, 1, sizeof(got), f), 3);
        CHECK_STR(got, "abc");
        fclose(f);
    }
    unlink(path);
}
