/* SPDX-License-Identifier: MIT */
/*
 * A small JSON reader for the test corpora only (never linked into h2get). Strings are
 * decoded to UTF-8 bytes and may contain NUL; objects keep member order.
 */
#ifndef H2GET_JSON_H
#define H2GET_JSON_H

#include <stdbool.h>
#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

struct json {
    enum json_type type;
    bool b;
    double num;
    char *str; /* JSON_STR: NUL-terminated, `len` bytes */
    size_t len;
    struct json *items; /* JSON_ARR / JSON_OBJ: `n` members */
    size_t n;
    char *key; /* set on members of an object */
    size_t keylen;
};

/* json_parse - parse `len` bytes; caller owns the result (json_free); NULL on bad input. */
struct json *json_parse(const char *text, size_t len);
/* json_parse_file - read and parse a file; NULL on error. */
struct json *json_parse_file(const char *path);
void json_free(struct json *j);
/* json_get - member `key` of object `j`, or NULL (also when `j` is NULL or not an object). */
const struct json *json_get(const struct json *j, const char *key);
/* json_num - member `key` as a number, or `dflt` when absent or not a number. */
double json_num(const struct json *j, const char *key, double dflt);

#endif
