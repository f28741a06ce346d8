/* SPDX-License-Identifier: MIT */
/*
 * content-range (RFC 9110 §14.4) and content-disposition file names (RFC 6266, RFC 8187):
 * what -C, -r and -J read from a server, hostile names included.
 */
#include <stdio.h>

#include "base/buf.h"
#include "base/err.h"
#include "codec/hdrval.h"
#include "tap.h"

static const struct {
    const char *v;
    int rv;
    int64_t first, last, complete;
} ranges[] = {
    {"bytes 0-499/1234", 0, 0, 499, 1234},
    {"bytes 500-1233/1234", 0, 500, 1233, 1234},
    {"bytes 5-9/*", 0, 5, 9, -1},
    {"bytes */1234", 0, -1, -1, 1234},
    {"bytes 0-0/1 ", 0, 0, 0, 1},
    {"bytes 9-5/10", H2E_RANGE, 0, 0, 0},
    {"bytes 0-10/10", H2E_RANGE, 0, 0, 0},
    {"bytes */*", H2E_RANGE, 0, 0, 0},
    {"items 0-1/2", H2E_RANGE, 0, 0, 0},
    {"bytes 0-1", H2E_RANGE, 0, 0, 0},
    {"bytes -1-2/3", H2E_RANGE, 0, 0, 0},
    {"bytes 0-1/2x", H2E_RANGE, 0, 0, 0},
    {"bytes 99999999999999999999-1/2", H2E_RANGE, 0, 0, 0},
    {"", H2E_RANGE, 0, 0, 0},
};

TEST(test_hdrval_content_range)
{
    size_t i;

    for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
        struct hdrval_range r;
        struct h2e_info info = H2E_INFO_INIT;
        int rv = hdrval_content_range(span_str(ranges[i].v), &r, &info);
        CHECK_INT(rv, ranges[i].rv);
        if (rv == 0) {
            CHECK_INT(r.first, ranges[i].first);
            CHECK_INT(r.last, ranges[i].last);
            CHECK_INT(r.complete, ranges[i].complete);
        } else {
            CHECK(info.why != NULL);
        }
        if (tap_failed()) {
            printf("#   range %zu: '%s'\n", i, ranges[i].v);
            return;
        }
    }
}

static const struct {
    const char *v;
    const char *name; /* "" for none */
} names[] = {
    {"attachment; filename=a.txt", "a.txt"},
    {"attachment; filename=\"with space.txt\"", "with space.txt"},
    {"attachment; filename=\"q\\\"uote.txt\"", "q\"uote.txt"},
    {"attachment;filename = b.bin ; size=3", "b.bin"},
    {"attachment; filename=\"../../etc/passwd\"", "passwd"},
    {"attachment; filename=\"C:\\\\win\\\\x.exe\"", "x.exe"},
    {"attachment; filename=/abs/path/", ""},
    {"attachment; filename=\"..\"", ""},
    {"attachment; filename=.", ""},
    {"attachment; filename=\"\"", ""},
    {"attachment; filename=\"a\x01b\"", ""},
    {"attachment; filename=\"unterminated", ""},
    {"attachment; filename*=UTF-8''caf%C3%A9.txt", "caf\xc3\xa9.txt"},
    {"attachment; filename=\"plain\"; filename*=utf-8'en'x%2Fy.txt", "y.txt"},
    {"attachment; filename*=iso-8859-1''x.txt; filename=fallback", "fallback"},
    {"attachment; filename*=UTF-8''bad%zz", ""},
    {"attachment; filename*=UTF-8''nul%00byte", ""},
    {"inline", ""},
    {"attachment; xfilename=a", ""},
    {"attachment; name=\"; filename=trick\"", ""},
};

TEST(test_hdrval_filename)
{
    size_t i;
    char out[HDRVAL_NAME_MAX + 1];

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        size_t n = hdrval_filename(span_str(names[i].v), out, sizeof(out));
        CHECK_STR(out, names[i].name);
        CHECK_INT(n, strlen(names[i].name));
        if (tap_failed()) {
            printf("#   name %zu: '%s'\n", i, names[i].v);
            return;
        }
    }
}

TEST(test_hdrval_filename_too_long)
{
    char v[400], out[HDRVAL_NAME_MAX + 1];

    memcpy(v, "attachment; filename=", 21);
    memset(v + 21, 'a', 300);
    v[321] = '\0';
    CHECK_INT(hdrval_filename(span_str(v), out, sizeof(out)), 0);
    v[21 + 255] = '\0';
    CHECK_INT(hdrval_filename(span_str(v), out, sizeof(out)), 255);
}
