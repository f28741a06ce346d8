/* SPDX-License-Identifier: MIT */
/*
 * The frame codec against third-party corpora in ../shared/testdata:
 *  - http2-frame-test-case (http2jp): each normal case decodes to the given fields and
 *    encodes back to the given wire bytes; each error case fails with one of the listed
 *    wire codes. Quirks (weight + 1, raw-text byte strings, null fields) per its SOURCE.md.
 *  - nghttp2-fuzz-corpus: client byte streams decoded frame after frame, for robustness.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/frame.h"
#include "base/h2.h"
#include "json.h"
#include "tap.h"

#define CORPUS "http2-frame-test-case"

struct tally {
    size_t normal, errors;
};

static bool is_null(const struct json *j)
{
    return !j || j->type == JSON_NULL;
}

static const char *str_of(const struct json *o, const char *key, size_t *len)
{
    const struct json *j = json_get(o, key);
    if (!j || j->type != JSON_STR) {
        *len = 0;
        return NULL;
    }
    *len = j->len;
    return j->str;
}

static struct span span_at(const struct json *o, const char *key)
{
    size_t len;
    const char *s = str_of(o, key, &len);
    return span_of(s, len);
}

static uint32_t num_at(const struct json *o, const char *key)
{
    return (uint32_t)json_num(o, key, -1);
}

/* Compare a decoded span with a JSON raw-text byte string, octet by octet. */
#define CHECK_SPAN_JSON(sp, o, key)                                                                \
    do {                                                                                           \
        struct span want_ = span_at((o), (key));                                                   \
        CHECK(json_get((o), (key)) && json_get((o), (key))->type == JSON_STR);                     \
        CHECK_MEM((sp).p, (sp).len, want_.p, want_.len);                                           \
    } while (0)

static void check_padding(const struct json *pl, const struct h2f_frame *g)
{
    if (is_null(json_get(pl, "padding_length"))) {
        CHECK(!g->padded);
        return;
    }
    CHECK(g->padded);
    CHECK_INT(g->padding.len, num_at(pl, "padding_length"));
    CHECK_SPAN_JSON(g->padding, pl, "padding");
}

/* The corpus's `weight` is the effective weight, the wire octet + 1 (SOURCE.md). */
static void check_priority(const struct json *pl, const struct h2f_priority *prio)
{
    const struct json *ex = json_get(pl, "exclusive");
    CHECK(ex && ex->type == JSON_BOOL);
    CHECK_INT(prio->exclusive, ex && ex->b);
    CHECK_INT(prio->dependency, num_at(pl, "stream_dependency"));
    CHECK_INT(prio->weight + 1, num_at(pl, "weight"));
}

static void check_settings(const struct json *pl, const struct h2f_frame *g)
{
    const struct json *list = json_get(pl, "settings");
    size_t i;

    CHECK(list && list->type == JSON_ARR);
    if (!list || list->type != JSON_ARR)
        return;
    CHECK_INT(g->u.settings.count, list->n);
    for (i = 0; i < list->n && i < g->u.settings.count; i++) {
        struct h2f_setting s = h2f_setting_at(g, i);
        CHECK(list->items[i].type == JSON_ARR && list->items[i].n == 2);
        if (list->items[i].n != 2)
            continue;
        CHECK_INT(s.id, list->items[i].items[0].num);
        CHECK_INT(s.value, list->items[i].items[1].num);
    }
}

static void check_payload(const struct json *pl, const struct h2f_frame *g)
{
    check_padding(pl, g);
    switch (g->hdr.type) {
    case H2F_TYPE_DATA:
        CHECK_SPAN_JSON(g->u.data.data, pl, "data");
        break;
    case H2F_TYPE_HEADERS:
        CHECK_INT(g->u.headers.has_priority, !is_null(json_get(pl, "weight")));
        if (g->u.headers.has_priority)
            check_priority(pl, &g->u.headers.prio);
        CHECK_SPAN_JSON(g->u.headers.block, pl, "header_block_fragment");
        break;
    case H2F_TYPE_PRIORITY:
        check_priority(pl, &g->u.priority);
        break;
    case H2F_TYPE_RST_STREAM:
        CHECK_INT(g->u.rst_stream.error_code, num_at(pl, "error_code"));
        break;
    case H2F_TYPE_SETTINGS:
        check_settings(pl, g);
        break;
    case H2F_TYPE_PUSH_PROMISE:
        CHECK_INT(g->u.push_promise.promised_id, num_at(pl, "promised_stream_id"));
        CHECK_SPAN_JSON(g->u.push_promise.block, pl, "header_block_fragment");
        break;
    case H2F_TYPE_PING:
        CHECK_SPAN_JSON(span_of(g->u.ping.opaque, 8), pl, "opaque_data");
        break;
    case H2F_TYPE_GOAWAY:
        CHECK_INT(g->u.goaway.last_stream_id, num_at(pl, "last_stream_id"));
        CHECK_INT(g->u.goaway.error_code, num_at(pl, "error_code"));
        CHECK_SPAN_JSON(g->u.goaway.debug, pl, "additional_debug_data");
        break;
    case H2F_TYPE_WINDOW_UPDATE:
        CHECK_INT(g->u.window_update.increment, num_at(pl, "window_size_increment"));
        break;
    case H2F_TYPE_CONTINUATION:
        CHECK_SPAN_JSON(g->u.continuation.block, pl, "header_block_fragment");
        break;
    default:
        CHECK(!"unexpected frame type in the corpus");
    }
}

static struct h2f_priority prio_from(const struct json *pl)
{
    const struct json *ex = json_get(pl, "exclusive");
    struct h2f_priority p = {ex && ex->b, num_at(pl, "stream_dependency"),
                             (uint8_t)(num_at(pl, "weight") - 1)};
    return p;
}

/* Build a frame from the corpus's fields alone, independently of the decoder. */
static size_t frame_from(const struct json *fr, struct h2f_frame *f, struct h2f_setting *s,
                         size_t max)
{
    const struct json *pl = json_get(fr, "frame_payload"), *list = json_get(pl, "settings");
    size_t i, n = 0;

    memset(f, 0, sizeof(*f));
    f->hdr.type = (uint8_t)num_at(fr, "type");
    f->hdr.flags = (uint8_t)num_at(fr, "flags");
    f->hdr.stream_id = num_at(fr, "stream_identifier");
    f->padding = span_at(pl, "padding");
    switch (f->hdr.type) {
    case H2F_TYPE_DATA:
        f->u.data.data = span_at(pl, "data");
        break;
    case H2F_TYPE_HEADERS:
        f->u.headers.has_priority = !is_null(json_get(pl, "weight"));
        if (f->u.headers.has_priority)
            f->u.headers.prio = prio_from(pl);
        f->u.headers.block = span_at(pl, "header_block_fragment");
        break;
    case H2F_TYPE_PRIORITY:
        f->u.priority = prio_from(pl);
        break;
    case H2F_TYPE_RST_STREAM:
        f->u.rst_stream.error_code = num_at(pl, "error_code");
        break;
    case H2F_TYPE_PUSH_PROMISE:
        f->u.push_promise.promised_id = num_at(pl, "promised_stream_id");
        f->u.push_promise.block = span_at(pl, "header_block_fragment");
        break;
    case H2F_TYPE_PING:
        if (span_at(pl, "opaque_data").len == 8)
            memcpy(f->u.ping.opaque, span_at(pl, "opaque_data").p, 8);
        break;
    case H2F_TYPE_GOAWAY:
        f->u.goaway.last_stream_id = num_at(pl, "last_stream_id");
        f->u.goaway.error_code = num_at(pl, "error_code");
        f->u.goaway.debug = span_at(pl, "additional_debug_data");
        break;
    case H2F_TYPE_WINDOW_UPDATE:
        f->u.window_update.increment = num_at(pl, "window_size_increment");
        break;
    case H2F_TYPE_CONTINUATION:
        f->u.continuation.block = span_at(pl, "header_block_fragment");
        break;
    }
    for (i = 0; list && list->type == JSON_ARR && i < list->n && n < max; i++)
        if (list->items[i].n == 2)
            s[n++] = (struct h2f_setting){(uint16_t)list->items[i].items[0].num,
                                          (uint32_t)list->items[i].items[1].num};
    return n;
}

static void run_normal(const struct json *j, const uint8_t *w, size_t n)
{
    const struct json *fr = json_get(j, "frame");
    struct h2f_frame g, built;
    struct h2f_setting s[16];
    struct h2e_info info = H2E_INFO_INIT;
    uint8_t out[256];
    size_t i, ns;
    int rc = h2f_decode(tap_guard(w, n), n, H2_MIN_MAX_FRAME_SIZE, &g, &info);

    CHECK_INT(rc, n); /* exactly one frame, all bytes consumed */
    if (rc != (int)n)
        return;
    CHECK_INT(g.hdr.length, num_at(fr, "length"));
    CHECK_INT(g.hdr.type, num_at(fr, "type"));
    CHECK_INT(g.hdr.flags, num_at(fr, "flags"));
    CHECK_INT(g.hdr.stream_id, num_at(fr, "stream_identifier"));
    check_payload(json_get(fr, "frame_payload"), &g);
    /* the decoded frame, with the same flags and padding, encodes to the same bytes */
    ns = g.hdr.type == H2F_TYPE_SETTINGS ? g.u.settings.count : 0;
    for (i = 0; i < ns && i < 16; i++)
        s[i] = h2f_setting_at(&g, i);
    rc = h2f_encode(&g, s, ns, out, sizeof(out));
    CHECK_MEM(out, (size_t)(rc > 0 ? rc : 0), w, n);
    /* and so does a frame built from the corpus's fields alone */
    ns = frame_from(fr, &built, s, 16);
    rc = h2f_encode(&built, s, ns, out, sizeof(out));
    CHECK_MEM(out, (size_t)(rc > 0 ? rc : 0), w, n);
}

static void run_error(const struct json *j, const uint8_t *w, size_t n)
{
    const struct json *codes = json_get(j, "error");
    struct h2f_frame g;
    struct h2e_info info = H2E_INFO_INIT;
    int rc = h2f_decode(tap_guard(w, n), n, H2_MIN_MAX_FRAME_SIZE, &g, &info);
    bool listed = false;
    size_t i;

    CHECK(is_null(json_get(j, "frame")));
    CHECK(rc < 0 && rc != H2E_INCOMPLETE);
    CHECK_INT(info.code, rc);
    CHECK(info.why != NULL);
    CHECK_INT(info.frame_type, n >= 4 ? w[3] : -1);
    for (i = 0; i < codes->n; i++)
        listed |= codes->items[i].type == JSON_NUM && codes->items[i].num == h2e_wire(rc);
    CHECK(listed);
}

static void run_case(const char *path, struct tally *t)
{
    struct json *j = json_parse_file(path);
    const struct json *codes = json_get(j, "error");
    size_t len = 0, n = 0;
    const char *hex = str_of(j, "wire", &len);
    uint8_t *w = hex ? tap_unhex(hex, &n) : NULL;

    CHECK(j != NULL && w != NULL);
    if (j && w && codes && codes->type == JSON_ARR) {
        run_error(j, w, n);
        t->errors++;
    } else if (j && w && is_null(codes)) {
        run_normal(j, w, n);
        t->normal++;
    }
    if (tap_failed())
        printf("#   case %s\n", path);
    free(w);
    json_free(j);
}

static void run_dir(const char *dir, struct tally *t)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096 + 512]; /* a directory path plus one name */

    CHECK(d != NULL);
    while (d && (e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 5, ".json") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        run_case(path, t);
    }
    if (d)
        closedir(d);
}

TEST(test_frame_corpus_http2_frame_test_case)
{
    static const char *const dirs[] = {
        "continuation", "data",         "error",      "goaway",   "headers",       "ping",
        "priority",     "push_promise", "rst_stream", "settings", "window_update",
    };
    struct tally t = {0, 0};
    char dir[4096];
    size_t i;

    if (!tap_testdata(CORPUS)) {
        tap_skip("../shared/testdata is absent: " CORPUS " not run");
        return;
    }
    for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(dir, sizeof(dir), "%s/%s", tap_testdata(CORPUS), dirs[i]);
        run_dir(dir, &t);
    }
    CHECK_INT(t.normal, 10);
    CHECK_INT(t.errors, 17);
    CHECK_INT(t.normal + t.errors, 27);
}

struct fuzz_tally {
    size_t files, bad_preface, to_end, errors, truncated, frames;
};

/* Decode one client byte stream frame after frame, stopping at the first error. */
static void run_stream(const uint8_t *data, size_t n, struct fuzz_tally *t)
{
    const uint8_t *p;
    size_t pos = H2_PREFACE_LEN;

    if (n < H2_PREFACE_LEN || memcmp(data, H2_PREFACE, H2_PREFACE_LEN) != 0) {
        t->bad_preface++;
        return;
    }
    p = tap_guard(data, n); /* the stream ends at an unmapped page */
    while (pos < n) {
        struct h2f_frame f;
        struct h2e_info info = H2E_INFO_INIT;
        int rc = h2f_decode(p + pos, n - pos, H2_MIN_MAX_FRAME_SIZE, &f, &info);
        CHECK_INT(info.code, rc < 0 ? rc : 0);
        if (rc == H2E_INCOMPLETE) {
            t->truncated++;
            return;
        }
        if (rc < 0) {
            CHECK(info.why != NULL);
            CHECK(h2e_scope(rc) != H2E_SCOPE_LOCAL);
            t->errors++;
            return;
        }
        CHECK(rc >= H2_FRAME_HEADER_LEN && (size_t)rc <= n - pos);
        pos += (size_t)rc;
        t->frames++;
    }
    t->to_end++;
}

static void run_fuzz_dir(const char *dir, struct fuzz_tally *t)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096 + 512]; /* a directory path plus one name */

    CHECK(d != NULL);
    while (d && (e = readdir(d)) != NULL) {
        uint8_t *data;
        size_t n = 0;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        data = tap_read_file(path, &n);
        CHECK(data != NULL);
        if (!data)
            continue;
        t->files++;
        run_stream(data, n, t);
        free(data);
    }
    if (d)
        closedir(d);
}

TEST(test_frame_corpus_nghttp2_fuzz)
{
    struct fuzz_tally t = {0, 0, 0, 0, 0, 0};
    char dir[4096];

    if (!tap_testdata("nghttp2-fuzz-corpus")) {
        tap_skip("../shared/testdata is absent: nghttp2-fuzz-corpus not run");
        return;
    }
    snprintf(dir, sizeof(dir), "%s", tap_testdata("nghttp2-fuzz-corpus/h2spec"));
    run_fuzz_dir(dir, &t);
    snprintf(dir, sizeof(dir), "%s", tap_testdata("nghttp2-fuzz-corpus/nghttp"));
    run_fuzz_dir(dir, &t);
    printf("# nghttp2-fuzz-corpus: %zu files, %zu frames, %zu to the end, %zu errors, "
           "%zu truncated, %zu bad preface\n",
           t.files, t.frames, t.to_end, t.errors, t.truncated, t.bad_preface);
    CHECK_INT(t.files, 136);
    CHECK_INT(t.bad_preface, 1);
    CHECK(t.to_end >= 100);
    CHECK_INT(t.to_end + t.errors + t.truncated + t.bad_preface, t.files);
}
