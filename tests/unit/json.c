/* SPDX-License-Identifier: MIT */
/* Recursive-descent JSON reader for the test corpora. */
#include "json.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"

struct parser {
    const char *p, *end;
    int depth;
};

static bool parse_value(struct parser *ps, struct json *out);

static void skip_ws(struct parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int hex4(const char *s)
{
    int v = 0, i;
    for (i = 0; i < 4; i++) {
        int c = s[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v << 4 | d;
    }
    return v;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static bool parse_escape(struct parser *ps, char *o, size_t *n)
{
    char c = *ps->p++;
    int cp;
    const char *map = "\"\"\\\\//b\bf\fn\nr\rt\t";
    const char *m;

    if (c != 'u') {
        for (m = map; *m; m += 2)
            if (*m == c) {
                o[(*n)++] = m[1];
                return true;
            }
        return false;
    }
    if (ps->end - ps->p < 4 || (cp = hex4(ps->p)) < 0)
        return false;
    ps->p += 4;
    if (cp >= 0xd800 && cp < 0xdc00 && ps->end - ps->p >= 6 && ps->p[0] == '\\' &&
        ps->p[1] == 'u') {
        int lo = hex4(ps->p + 2);
        if (lo >= 0xdc00 && lo < 0xe000) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            ps->p += 6;
        }
    }
    *n += put_utf8(o + *n, (unsigned)cp);
    return true;
}

static bool parse_string(struct parser *ps, char **out, size_t *outlen)
{
    const char *start = ++ps->p;
    char *o;
    size_t n = 0;

    while (ps->p < ps->end && *ps->p != '"')
        ps->p += (*ps->p == '\\') ? 2 : 1;
    if (ps->p >= ps->end)
        return false;
    o = malloc((size_t)(ps->p - start) + 1);
    if (!o)
        return false;
    ps->p = start;
    while (*ps->p != '"') {
        if (*ps->p == '\\') {
            ps->p++;
            if (!parse_escape(ps, o, &n)) {
                free(o);
                return false;
            }
        } else {
            o[n++] = *ps->p++;
        }
    }
    ps->p++;
    o[n] = 0;
    *out = o;
    *outlen = n;
    return true;
}

static bool push(struct json *j, struct json *item)
{
    struct json *items = realloc(j->items, (j->n + 1) * sizeof(*items));
    if (!items)
        return false;
    j->items = items;
    j->items[j->n++] = *item;
    return true;
}

static bool parse_container(struct parser *ps, struct json *out, char close)
{
    bool obj = close == '}';
    out->type = obj ? JSON_OBJ : JSON_ARR;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return true;
    }
    for (;;) {
        struct json item;
        memset(&item, 0, sizeof(item));
        skip_ws(ps);
        if (obj) {
            if (ps->p >= ps->end || *ps->p != '"' || !parse_string(ps, &item.key, &item.keylen))
                return false;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p++ != ':') {
                free(item.key);
                return false;
            }
        }
        if (!parse_value(ps, &item) || !push(out, &item)) {
            free(item.key);
            return false;
        }
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            return true;
        }
        return false;
    }
}

static bool parse_word(struct parser *ps, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0)
        return false;
    ps->p += n;
    return true;
}

static bool parse_value(struct parser *ps, struct json *out)
{
    char *endp;
    bool ok = false;

    skip_ws(ps);
    if (ps->p >= ps->end || ++ps->depth > 64)
        return false;
    switch (*ps->p) {
    case '{':
        ok = parse_container(ps, out, '}');
        break;
    case '[':
        ok = parse_container(ps, out, ']');
        break;
    case '"':
        out->type = JSON_STR;
        ok = parse_string(ps, &out->str, &out->len);
        break;
    case 't':
        out->type = JSON_BOOL;
        out->b = true;
        ok = parse_word(ps, "true");
        break;
    case 'f':
        out->type = JSON_BOOL;
        ok = parse_word(ps, "false");
        break;
    case 'n':
        out->type = JSON_NULL;
        ok = parse_word(ps, "null");
        break;
    default:
        out->type = JSON_NUM;
        out->num = strtod(ps->p, &endp);
        ok = endp != ps->p && endp <= ps->end;
        ps->p = endp;
    }
    ps->depth--;
    return ok;
}

static void release(struct json *j)
{
    size_t i;
    for (i = 0; i < j->n; i++)
        release(&j->items[i]);
    free(j->items);
    free(j->str);
    free(j->key);
}

void json_free(struct json *j)
{
    if (!j)
        return;
    release(j);
    free(j);
}

struct json *json_parse(const char *text, size_t len)
{
    struct parser ps = {text, text + len, 0};
    struct json *j = calloc(1, sizeof(*j));
    if (!j)
        return NULL;
    if (!parse_value(&ps, j)) {
        json_free(j);
        return NULL;
    }
    skip_ws(&ps);
    if (ps.p != ps.end) {
        json_free(j);
        return NULL;
    }
    return j;
}

struct json *json_parse_file(const char *path)
{
    size_t len;
    uint8_t *text = tap_read_file(path, &len);
    struct json *j;
    if (!text)
        return NULL;
    j = json_parse((const char *)text, len);
    free(text);
    return j;
}

const struct json *json_get(const struct json *j, const char *key)
{
    size_t i;
    if (!j || j->type != JSON_OBJ)
        return NULL;
    for (i = 0; i < j->n; i++)
        if (strcmp(j->items[i].key, key) == 0)
            return &j->items[i];
    return NULL;
}

double json_num(const struct json *j, const char *key, double dflt)
{
    const struct json *v = json_get(j, key);
    return v && v->type == JSON_NUM ? v->num : dflt;
}
