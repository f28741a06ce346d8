/* SPDX-License-Identifier: MIT */
/* Server-sent events (WHATWG HTML §9.2): each stream is fed whole, byte by byte and cut
 * in two at every byte, and must give the same events every time. */
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "codec/sse.h"
#include "tap.h"

/* Events rendered as "[type|id?|data]" with '#' before id when the event had an id field. */
static void render(struct buf *out, const struct sse_event *ev)
{
    buf_append(out, "[", 1);
    buf_append(out, ev->type.p, ev->type.len);
    buf_append(out, ev->has_id ? "|#" : "|", ev->has_id ? 2 : 1);
    buf_append(out, ev->id.p, ev->id.len);
    buf_append(out, "|", 1);
    buf_append(out, ev->data.p, ev->data.len);
    buf_append(out, "]", 1);
}

/* Feed `in` in pieces (each cut of `cuts`, ascending); render every event; return the
 * first error or 0. */
static int run(struct sse *s, const char *in, size_t n, const size_t *cuts, size_t ncuts,
               struct buf *out)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct sse_event ev;
    size_t from = 0, c, used;
    int rv;

    for (c = 0; c <= ncuts; c++) {
        size_t to = c < ncuts ? cuts[c] : n;
        const uint8_t *p = (const uint8_t *)in + from;
        size_t left = to - from;

        while (left) {
            rv = sse_feed(s, p, left, &used, &ev, &info);
            if (rv < 0)
                return rv;
            if (used > left)
                return -1000;
            if (rv == 1)
                render(out, &ev);
            p += used;
            left -= used;
        }
        from = to;
    }
    return 0;
}

/* `in` gives `want` (and `last_id`) however it is cut. */
static void check_stream(const char *in, size_t n, const char *want, const char *last_id)
{
    struct buf out;
    size_t k, cuts[4096];
    struct sse s;

    buf_init(&out, &mem_libc, 1 << 20);
    for (k = 0; k <= n; k++) {
        sse_init(&s, &mem_libc, 4096);
        buf_reset(&out);
        CHECK_INT(run(&s, in, n, &k, 1, &out), 0);
        CHECK_MEM(out.p, out.len, want, strlen(want));
        CHECK_MEM(sse_last_id(&s).p, sse_last_id(&s).len, last_id, strlen(last_id));
        sse_release(&s);
    }
    for (k = 0; k < n && k < 4096; k++)
        cuts[k] = k + 1;
    sse_init(&s, &mem_libc, 4096);
    buf_reset(&out);
    CHECK_INT(run(&s, in, n, cuts, n ? n - 1 : 0, &out), 0);
    CHECK_MEM(out.p, out.len, want, strlen(want));
    sse_release(&s);
    buf_release(&out);
}

#define STREAM(in, want, id) check_stream(in, sizeof(in) - 1, want, id)

TEST(test_sse_basic)
{
    STREAM("data: hello\n\n", "[||hello]", "");
    STREAM("event: tick\ndata: 1\n\ndata: 2\n\n", "[tick||1][||2]", "");
    /* several data lines joined with LF; one space after the colon dropped, not two */
    STREAM("data: a\ndata:  b\ndata\ndata:c\n\n", "[||a\n b\n\nc]", "");
    /* comments, unknown fields and a line with no colon */
    STREAM(": hi\nfoo: bar\ndata: x\n:\n\n", "[||x]", "");
}

TEST(test_sse_line_ends)
{
    STREAM("data: a\r\ndata: b\r\n\r\n", "[||a\nb]", "");
    STREAM("data: a\rdata: b\r\r", "[||a\nb]", "");
    STREAM("data: a\r\n\rdata: b\n\r\n", "[||a][||b]", "");
    /* a CR then an LF is one line end, a CR then a CR is two */
    STREAM("data: a\r\r\ndata: b\r\n\r\n", "[||a][||b]", "");
}

TEST(test_sse_bom)
{
    STREAM("\xef\xbb\xbf"
           "data: x\n\n",
           "[||x]", "");
    /* only one, only at the start */
    STREAM("\xef\xbb\xbf\xef\xbb\xbf"
           "data: x\n\ndata: y\n\n",
           "[||y]", "");
    STREAM("data: x\n\n\xef\xbb\xbf"
           "data: y\n\n",
           "[||x]", "");
}

TEST(test_sse_id)
{
    STREAM("id: 1\ndata: a\n\ndata: b\n\n", "[|#1|a][|1|b]", "1");
    /* an id with a NUL is ignored; an empty id clears it */
    STREAM("id: 7\ndata: a\n\nid: 8\0x\ndata: b\n\nid\ndata: c\n\n", "[|#7|a][|7|b][|#|c]", "");
    /* the last event ID is set by a block without data too, and not by an unended one */
    STREAM("id: 5\n\nid: 6\ndata: z", "", "5");
}

TEST(test_sse_empty_and_eof)
{
    STREAM("\n\n\n", "", "");
    STREAM("event: x\n\ndata: y\n\n", "[||y]", ""); /* no data: the type is forgotten too */
    STREAM("data: never dispatched", "", "");
    STREAM("data: never\n", "", "");
    STREAM("data\n\n", "[||]", ""); /* one empty data line is an event with empty data */
}

static uint64_t retry_of(const char *in)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct sse_event ev;
    struct sse s;
    size_t used, off = 0, n = strlen(in);
    uint64_t r;

    sse_init(&s, &mem_libc, 4096);
    while (off < n && sse_feed(&s, (const uint8_t *)in + off, n - off, &used, &ev, &info) >= 0)
        off += used;
    r = s.retry_set ? s.retry_ms : 999999;
    sse_release(&s);
    return r;
}

TEST(test_sse_retry)
{
    CHECK_INT(retry_of("retry: 1500\n"), 1500);
    CHECK_INT(retry_of("retry: 15x\n"), 999999);
    CHECK_INT(retry_of("retry: -1\n"), 999999);
    CHECK_INT(retry_of("retry:\n"), 999999);
    CHECK_INT(retry_of("retry: 10\nretry: 2 0\n"), 10);
    CHECK(retry_of("retry: 99999999999999999999999\n") == UINT64_MAX);
}

TEST(test_sse_limit)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct sse_event ev;
    struct sse s;
    size_t used;
    char big[64];

    memset(big, 'a', sizeof(big));
    sse_init(&s, &mem_libc, 32);
    CHECK_INT(sse_feed(&s, (const uint8_t *)big, sizeof(big), &used, &ev, &info), H2E_SSE_TOO_BIG);
    CHECK(info.why != NULL);
    sse_release(&s);
    /* data lines that each fit but add up past the cap */
    sse_init(&s, &mem_libc, 32);
    {
        const char *in = "data: 0123456789\ndata: 0123456789\ndata: 01234\n";
        CHECK_INT(sse_feed(&s, (const uint8_t *)in, strlen(in), &used, &ev, &info),
                  H2E_SSE_TOO_BIG);
    }
    sse_release(&s);
    /* the cap is per event: many events of 20 bytes pass */
    sse_init(&s, &mem_libc, 32);
    for (int i = 0; i < 100; i++) {
        CHECK_INT(sse_feed(&s, (const uint8_t *)"data: 0123456789\n\n", 18, &used, &ev, &info), 1);
        CHECK_INT(used, 18);
    }
    sse_release(&s);
}

TEST(test_sse_restart)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct sse_event ev;
    struct sse s;
    size_t used;

    sse_init(&s, &mem_libc, 4096);
    CHECK_INT(sse_feed(&s, (const uint8_t *)"id: 3\nretry: 50\ndata: a\n\nid: 4\ndata: b\r", 39,
                       &used, &ev, &info),
              1);
    CHECK_INT(sse_feed(&s, (const uint8_t *)"id: 4\ndata: b\r", 14, &used, &ev, &info), 0);
    sse_restart(&s); /* the stream broke: the half event and the pending CR are dropped */
    CHECK_MEM(sse_last_id(&s).p, sse_last_id(&s).len, "3", 1);
    CHECK_INT(s.retry_ms, 50);
    CHECK_INT(sse_feed(&s, (const uint8_t *)"\ndata: c\n\n", 10, &used, &ev, &info), 1);
    CHECK_MEM(ev.data.p, ev.data.len, "c", 1);
    CHECK_MEM(ev.id.p, ev.id.len, "3", 1);
    sse_release(&s);
}
