/* SPDX-License-Identifier: MIT */
/*
 * Test tool: encode hpack-test-case raw-data stories with h2get's HPACK encoder, one encoder
 * (table 4096) per story, and print one line per case: "<story file> <seqno> <hex wire>".
 * tests/corpus/hpack-roundtrip.sh feeds the lines to an independent decoder (python-hpack).
 * Usage: tool_hpack_encode [--huffman=auto|never|always] [--indexing=auto|never|none|all]
 *        STORY.json...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/hpack.h"
#include "../unit/json.h"

static int usage(void)
{
    fprintf(stderr, "usage: tool_hpack_encode [--huffman=auto|never|always] "
                    "[--indexing=auto|never|none|all] STORY.json...\n");
    return 2;
}

/* The position of `s` in `names`, or -1. */
static int pick(const char *s, const char *const *names, int n)
{
    int i;
    for (i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

static int encode_case(struct hpack_encoder *e, const struct json *h, struct buf *out)
{
    struct hpack_field *f = calloc(h->n + 1, sizeof(*f));
    size_t i;
    int rv;

    if (!f)
        return H2E_NOMEM;
    for (i = 0; i < h->n; i++) {
        const struct json *m = &h->items[i];
        if (m->type != JSON_OBJ || m->n != 1 || m->items[0].type != JSON_STR) {
            free(f);
            return H2E_USAGE;
        }
        f[i].name = span_of(m->items[0].key, m->items[0].keylen);
        f[i].value = span_of(m->items[0].str, m->items[0].len);
    }
    buf_reset(out);
    rv = hpack_encode_block(e, f, h->n, out, NULL);
    free(f);
    return rv;
}

static int encode_story(const char *path, int huffman, int indexing)
{
    struct json *j = json_parse_file(path);
    const struct json *cases = json_get(j, "cases");
    struct hpack_encoder e;
    struct buf out;
    size_t i, k;
    int rv = 0;

    if (!cases || cases->type != JSON_ARR) {
        fprintf(stderr, "tool_hpack_encode: cannot read '%s'\n", path);
        json_free(j);
        return 1;
    }
    hpack_encoder_init(&e, &mem_libc, 4096);
    e.huffman = (enum hpack_huffman_mode)huffman;
    e.indexing = (enum hpack_index_mode)indexing;
    buf_init(&out, &mem_libc, 1 << 24);
    for (i = 0; rv == 0 && i < cases->n; i++) {
        const struct json *h = json_get(&cases->items[i], "headers");
        rv = h && h->type == JSON_ARR ? encode_case(&e, h, &out) : H2E_USAGE;
        if (rv) {
            fprintf(stderr, "tool_hpack_encode: '%s' case %zu: %s\n", path, i, h2e_str(rv));
            break;
        }
        printf("%s %zu ", path, i);
        for (k = 0; k < out.len; k++)
            printf("%02x", out.p[k]);
        putchar('\n');
    }
    buf_release(&out);
    hpack_encoder_release(&e);
    json_free(j);
    return rv ? 1 : 0;
}

int main(int argc, char **argv)
{
    static const char *const huffman[] = {"auto", "never", "always"};
    static const char *const indexing[] = {"auto", "never", "none", "all"};
    int h = HPACK_HUFFMAN_AUTO, x = HPACK_INDEX_AUTO, i, failed = 0, files = 0;

    for (i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--huffman=", 10) == 0) {
            if ((h = pick(argv[i] + 10, huffman, 3)) < 0)
                return usage();
        } else if (strncmp(argv[i], "--indexing=", 11) == 0) {
            if ((x = pick(argv[i] + 11, indexing, 4)) < 0)
                return usage();
        } else if (argv[i][0] == '-') {
            return usage();
        } else {
            failed |= encode_story(argv[i], h, x);
            files++;
        }
    }
    if (files == 0)
        return usage();
    return failed || fflush(stdout) != 0 ? 1 : 0;
}
