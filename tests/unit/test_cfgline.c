/* SPDX-License-Identifier: MIT */
/* Config-file lines in curl's syntax: names with and without dashes, the separators,
 * bare and quoted values with escapes, comments, and every error with its reason. */
#include <string.h>

#include "codec/cfgline.h"
#include "tap.h"

struct parsed {
    int rv;
    char name[64];
    bool is_short, has_value;
    char value[256];
    const char *why;
};

static struct parsed parse(const char *s, size_t n)
{
    struct parsed p;
    struct h2e_info info = H2E_INFO_INIT;
    struct cfgline l;
    struct buf v;

    memset(&p, 0, sizeof(p));
    buf_init(&v, &mem_libc, 1024);
    p.rv = cfgline_parse(span_of(tap_guard(s, n), n), &l, &v, &info);
    if (p.rv == 1) {
        memcpy(p.name, l.name.p, l.name.len < 63 ? l.name.len : 63);
        p.is_short = l.is_short;
        p.has_value = l.has_value;
        if (l.has_value)
            memcpy(p.value, v.p, v.len < 255 ? v.len : 255);
    }
    p.why = info.why;
    buf_release(&v);
    return p;
}

#define P(s) parse(s, strlen(s))

TEST(test_cfgline_forms)
{
    struct parsed p = P("--output file.txt");
    CHECK_INT(p.rv, 1);
    CHECK_STR(p.name, "output");
    CHECK(p.has_value && !p.is_short);
    CHECK_STR(p.value, "file.txt");
    p = P("  output = \"a \\\"b\\\" \\\\ \\t\\n\\r\\v\\x\"  # comment");
    CHECK_INT(p.rv, 1);
    CHECK_STR(p.name, "output");
    CHECK_STR(p.value, "a \"b\" \\ \t\n\r\vx");
    p = P("url: http://example.test/a?b=c");
    CHECK_STR(p.name, "url");
    CHECK_STR(p.value, "http://example.test/a?b=c");
    p = P("-o\tout");
    CHECK(p.is_short);
    CHECK_STR(p.name, "o");
    CHECK_STR(p.value, "out");
    p = P("silent");
    CHECK_INT(p.rv, 1);
    CHECK(!p.has_value);
    p = P("silent   # be quiet");
    CHECK(!p.has_value);
    p = P("output =");
    CHECK(p.has_value);
    CHECK_STR(p.value, "");
    p = P("output = \"\"");
    CHECK(p.has_value);
    CHECK_STR(p.value, "");
    p = P("output=#x");
    CHECK_STR(p.value, "#x"); /* after '=' a '#' is part of the value, as curl */
    CHECK_INT(P("").rv, 0);
    CHECK_INT(P("   \t").rv, 0);
    CHECK_INT(P("  # --output x").rv, 0);
}

TEST(test_cfgline_errors)
{
    struct parsed p = P("user-agent = \"abc");
    CHECK_INT(p.rv, H2E_USAGE);
    CHECK_STR(p.why, "unterminated quoted value");
    p = P("user-agent = \"abc\\");
    CHECK_STR(p.why, "unterminated quoted value");
    p = P("user-agent abc def");
    CHECK_INT(p.rv, H2E_USAGE);
    CHECK_STR(p.why, "text after the value (quote a value with blanks)");
    p = P("user-agent \"abc\"def");
    CHECK_STR(p.why, "text after the value (quote a value with blanks)");
    p = P("= value");
    CHECK_STR(p.why, "no option name");
    p = P("--");
    CHECK_STR(p.why, "no option name");
    p = P("-");
    CHECK_STR(p.why, "no option name");
    p = parse("output a\0b", 10);
    CHECK_STR(p.why, "a NUL byte in the line");
}

TEST(test_cfgline_value_limit)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct cfgline l;
    struct buf v;
    const char *s = "output = \"0123456789\"";

    buf_init(&v, &mem_libc, 8);
    CHECK_INT(cfgline_parse(span_of(s, strlen(s)), &l, &v, &info), H2E_LIMIT_BUFFER);
    CHECK(info.why != NULL);
    buf_release(&v);
}

TEST(test_cfgline_next_lines)
{
    const char *s = "a\r\nb\n\nc";
    struct span t = span_of(s, strlen(s)), line;
    const char *want[] = {"a", "b", "", "c"};
    size_t i;

    for (i = 0; i < 4; i++) {
        CHECK_INT(cfgline_next(&t, &line), 1);
        CHECK_MEM(line.p, line.len, want[i], strlen(want[i]));
    }
    CHECK_INT(cfgline_next(&t, &line), 0);
}
