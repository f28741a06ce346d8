/* SPDX-License-Identifier: MIT */
/*
 * User-facing messages: errors with the exit code and the error table's category,
 * warnings, usage errors with the try line, and escaping of server-controlled bytes.
 * Writes one line per message with a single fprintf of a preformatted line, so that lines
 * from different places never mix.
 */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "xalloc.h"

static bool silent, show_error;
static FILE *stream;

void diag_setup(bool silent_, bool show_error_)
{
    silent = silent_;
    show_error = show_error_;
}

void diag_set_stream(FILE *f)
{
    stream = f;
}

static FILE *sink(void)
{
    return stream ? stream : stderr;
}

/* "h2get: <head><formatted>\n<tail>" as one write, however long the message. */
static void emit(const char *head, const char *tail, const char *fmt, va_list ap)
{
    char *msg = fmt ? xvasprintf(fmt, ap) : NULL;

    fprintf(sink(), "h2get: %s%s\n%s", head, msg ? msg : "", tail);
    fflush(sink());
    free(msg);
}

void diag_error(int code, const char *fmt, ...)
{
    char head[128];
    va_list ap;

    if (silent && !show_error)
        return;
    snprintf(head, sizeof(head), "(%d) %s%s", h2e_exit(code), h2e_str(code), fmt ? ": " : "");
    va_start(ap, fmt);
    emit(head, "", fmt, ap);
    va_end(ap);
}

void diag_warn(const char *fmt, ...)
{
    va_list ap;

    if (silent)
        return;
    va_start(ap, fmt);
    emit("warning: ", "", fmt, ap);
    va_end(ap);
}

void diag_usage(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    emit("(2) usage error: ", "try 'h2get --help'\n", fmt, ap);
    va_end(ap);
}

static size_t width(uint8_t c)
{
    return (c >= 0x20 && c <= 0x7e) ? 1 : 4;
}

const char *diag_escape(char *out, size_t cap, struct span s)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, o = 0, n = s.len < DIAG_ESCAPE_MAX ? s.len : DIAG_ESCAPE_MAX, total = 0;
    bool cut;

    if (cap == 0)
        return "";
    for (i = 0; i < n; i++)
        total += width(s.p[i]);
    /* when everything fits, show everything; else keep room for "..." and the NUL */
    cut = n < s.len || total + 1 > cap;
    for (i = 0; i < n && o + width(s.p[i]) + (cut ? 3 : 0) + 1 <= cap; i++) {
        uint8_t c = s.p[i];
        if (width(c) == 1) {
            out[o++] = (char)c;
            continue;
        }
        out[o++] = '\\';
        out[o++] = 'x';
        out[o++] = hex[c >> 4];
        out[o++] = hex[c & 15];
    }
    if (cut && o + 4 <= cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = 0;
    return out;
}

int diag_escape_buf(struct buf *out, struct span s)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;
    int rv = buf_reserve(out, s.len + 1);

    for (i = 0; i < s.len && rv == 0; i++) {
        uint8_t c = s.p[i];
        char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
        rv = width(c) == 1 ? buf_append(out, &c, 1) : buf_append(out, esc, 4);
    }
    if (rv == 0)
        rv = buf_append(out, "", 1);
    if (rv == 0)
        out->len--;
    return rv;
}
