/* SPDX-License-Identifier: MIT */
/*
 * curl's config-file line syntax: name, separator, value. Stricter than curl in one way:
 * curl warns about text after a value and goes on; here it is an error, so that a line
 * never means something other than it says (an unquoted value with a blank in it).
 */
#include "cfgline.h"

#include <string.h>

static bool blank(uint8_t c)
{
    return c == ' ' || c == '\t';
}

int cfgline_next(struct span *text, struct span *line)
{
    const uint8_t *lf;
    size_t n;

    if (!text->len)
        return 0;
    lf = memchr(text->p, '\n', text->len);
    n = lf ? (size_t)(lf - text->p) : text->len;
    *line = span_of(text->p, n);
    text->p += lf ? n + 1 : n;
    text->len -= lf ? n + 1 : n;
    if (line->len && line->p[line->len - 1] == '\r')
        line->len--;
    return 1;
}

static size_t skip_blanks(struct span l, size_t i)
{
    while (i < l.len && blank(l.p[i]))
        i++;
    return i;
}

/* After a value: blanks, then nothing or a '#' comment. */
static int rest_ok(struct span l, size_t i, struct h2e_info *info)
{
    i = skip_blanks(l, i);
    if (i < l.len && l.p[i] != '#')
        return h2e_set(info, H2E_USAGE, 0, "text after the value (quote a value with blanks)");
    return 0;
}

static uint8_t unescape(uint8_t c)
{
    switch (c) {
    case 't':
        return '\t';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 'v':
        return '\v';
    default:
        return c; /* \\ \" and, as in curl, any other \c */
    }
}

/* "..." starting at l.p[i] == '"'; the value into `v`; returns the end or an error. */
static int quoted(struct span l, size_t *i, struct buf *v, struct h2e_info *info)
{
    size_t k = *i + 1, run;
    uint8_t c;
    int rv;

    for (;;) { /* a run of plain bytes in one append, then an escape or the end */
        for (run = k; k < l.len && l.p[k] != '"' && l.p[k] != '\\'; k++)
            ;
        if ((rv = buf_append(v, l.p + run, k - run)) != 0)
            return h2e_set(info, rv, 0, "config value too long");
        if (k >= l.len || l.p[k] == '"' || ++k == l.len)
            break;
        c = unescape(l.p[k++]);
        if ((rv = buf_append(v, &c, 1)) != 0)
            return h2e_set(info, rv, 0, "config value too long");
    }
    if (k >= l.len)
        return h2e_set(info, H2E_USAGE, 0, "unterminated quoted value");
    *i = k + 1;
    return 0;
}

static int value(struct span l, size_t i, struct cfgline *out, struct buf *v, struct h2e_info *info)
{
    size_t start = i;
    int rv;

    if (i >= l.len || (l.p[i] == '#' && !out->has_value))
        return 0; /* no value (a flag), or only a comment after the name */
    out->has_value = true;
    if (l.p[i] == '"') {
        if ((rv = quoted(l, &i, v, info)) != 0)
            return rv;
    } else {
        while (i < l.len && !blank(l.p[i]))
            i++;
        if ((rv = buf_append(v, l.p + start, i - start)) != 0)
            return h2e_set(info, rv, 0, "config value too long");
    }
    return rest_ok(l, i, info);
}

int cfgline_parse(struct span l, struct cfgline *out, struct buf *v, struct h2e_info *info)
{
    size_t i = skip_blanks(l, 0), start;
    int rv;

    memset(out, 0, sizeof(*out));
    buf_reset(v);
    if (memchr(l.p, '\0', l.len))
        return h2e_set(info, H2E_USAGE, 0, "a NUL byte in the line");
    if (i == l.len || l.p[i] == '#')
        return 0;
    if (l.len - i >= 2 && l.p[i] == '-' && l.p[i + 1] == '-')
        i += 2;
    else if (l.p[i] == '-' && ++i)
        out->is_short = true;
    start = i;
    while (i < l.len && !blank(l.p[i]) && l.p[i] != '=' && l.p[i] != ':')
        i++;
    out->name = span_of(l.p + start, i - start);
    if (!out->name.len)
        return h2e_set(info, H2E_USAGE, 0, "no option name");
    i = skip_blanks(l, i);
    if (i < l.len && (l.p[i] == '=' || l.p[i] == ':')) {
        /* "name =" with nothing after gives the empty value, as curl */
        out->has_value = true;
        i = skip_blanks(l, i + 1);
    }
    if ((rv = value(l, i, out, v, info)) != 0)
        return rv;
    if ((rv = buf_append(v, "", 1)) != 0)
        return h2e_set(info, rv, 0, "config value too long");
    return 1;
}
