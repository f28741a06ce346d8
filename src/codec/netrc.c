/* SPDX-License-Identifier: MIT */
/*
 * .netrc lookup (format in netrc.h), token by token in one pass.
 */
#include "netrc.h"

#include <stdbool.h>
#include <string.h>

struct netrc_lexer {
    struct span f;
    size_t at;
    char tok[NETRC_TOKEN_MAX + 1];
    size_t len;
};

static bool is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int put(struct netrc_lexer *lx, uint8_t c, struct h2e_info *info)
{
    if (lx->len >= NETRC_TOKEN_MAX)
        return h2e_set(info, H2E_NETRC, 0, "a token longer than 1024 bytes");
    if (!c)
        return h2e_set(info, H2E_NETRC, 0, "a NUL byte");
    lx->tok[lx->len++] = (char)c;
    return 0;
}

static uint8_t unescape(uint8_t c)
{
    return c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
}

/* The next token into lx->tok; returns 1, 0 at the end, or H2E_NETRC. */
static int next(struct netrc_lexer *lx, struct h2e_info *info)
{
    const uint8_t *p = lx->f.p;
    size_t n = lx->f.len;
    int rv;

    lx->len = 0;
    while (lx->at < n && is_space(p[lx->at]))
        lx->at++;
    if (lx->at >= n)
        return 0;
    if (p[lx->at] == '"') {
        for (lx->at++; lx->at < n && p[lx->at] != '"'; lx->at++) {
            uint8_t c = p[lx->at];
            if (c == '\\' && lx->at + 1 < n)
                c = unescape(p[++lx->at]);
            if ((rv = put(lx, c, info)) != 0)
                return rv;
        }
        if (lx->at++ >= n)
            return h2e_set(info, H2E_NETRC, 0, "an unterminated quote");
    } else {
        for (; lx->at < n && !is_space(p[lx->at]); lx->at++)
            if ((rv = put(lx, p[lx->at], info)) != 0)
                return rv;
    }
    lx->tok[lx->len] = '\0';
    return 1;
}

static bool is(const struct netrc_lexer *lx, const char *word)
{
    return lx->len == strlen(word) && memcmp(lx->tok, word, lx->len) == 0;
}

/* macdef NAME: its lines go up to an empty line. */
static void skip_macro(struct netrc_lexer *lx)
{
    const uint8_t *p = lx->f.p;

    while (lx->at < lx->f.len && p[lx->at] != '\n')
        lx->at++; /* the rest of the macdef line */
    while (lx->at + 1 < lx->f.len && !(p[lx->at] == '\n' && p[lx->at + 1] == '\n'))
        lx->at++;
    lx->at = lx->at + 1 < lx->f.len ? lx->at + 2 : lx->f.len;
}

/* The value after a keyword, copied into `out` when the entry is the one wanted. */
static int value(struct netrc_lexer *lx, char *out, bool want, struct h2e_info *info)
{
    int rv = next(lx, info);

    if (rv == 0)
        return h2e_set(info, H2E_NETRC, 0, "a keyword without its value");
    if (rv > 0 && want)
        memcpy(out, lx->tok, lx->len + 1);
    return rv < 0 ? rv : 0;
}

static bool host_is(const struct netrc_lexer *lx, struct span host)
{
    size_t i;

    if (lx->len != host.len)
        return false;
    for (i = 0; i < host.len; i++)
        if ((lx->tok[i] | 0x20) != (host.p[i] | 0x20))
            return false;
    return true;
}

int netrc_lookup(struct span f, struct span host, char *login, char *password,
                 struct h2e_info *info)
{
    struct netrc_lexer lx = {f, 0, {0}, 0};
    int rv, state = 0; /* 0: not in the entry wanted, 1: in it, 2: in "default" */
    bool found = false, found_default = false;

    login[0] = password[0] = '\0';
    while ((rv = next(&lx, info)) > 0) {
        if (is(&lx, "machine")) {
            if (found)
                return 1; /* the wanted entry has ended */
            if ((rv = value(&lx, login, false, info)) != 0)
                return rv;
            state = host_is(&lx, host) ? 1 : 0;
            if (state == 1) {
                found = true;
                login[0] = password[0] = '\0'; /* a default seen before does not count */
            }
        } else if (is(&lx, "default")) {
            if (found)
                return 1;
            state = found_default ? 0 : 2;
            found_default = true;
        } else if (is(&lx, "login") || is(&lx, "password") || is(&lx, "account")) {
            char *out = lx.tok[0] == 'l' ? login : lx.tok[0] == 'p' ? password : NULL;
            if ((rv = value(&lx, out, out && state, info)) != 0)
                return rv;
        } else if (is(&lx, "macdef")) {
            skip_macro(&lx);
        }
    }
    return rv < 0 ? rv : (found || found_default);
}
