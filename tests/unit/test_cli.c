/* SPDX-License-Identifier: MIT */
/*
 * The command line: the option table's order and texts, each argument kind, combined short
 * options, "=" forms, units, -o/-O over several URLs, bodies and headers, and every usage
 * error with its code and exact message. Calls cli_parse directly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cliargs.h"
#include "tap.h"

/* Parse "h2get" followed by the NULL-terminated arguments into `cfg` (cli_init'ed). */
#define parse(cfg, ...) cli_args(cfg, NULL, __VA_ARGS__)

/* A temporary file holding `n` bytes of `s`; the name is in a static buffer. */
static const char *temp_file(const char *s, size_t n)
{
    static char path[64];
    int fd;

    snprintf(path, sizeof(path), "/tmp/h2get-test-cli-XXXXXX");
    fd = mkstemp(path);
    if (fd < 0 || write(fd, s, n) != (ssize_t)n)
        return NULL;
    close(fd);
    return path;
}

#define CHECK_PREFIX(s, prefix) CHECK(strncmp((s), (prefix), strlen(prefix)) == 0)

/* The usage error of one command line, as main would print it (without "h2get: "). */
#define CHECK_USAGE(msg, ...)                                                                      \
    do {                                                                                           \
        struct config c_;                                                                          \
        CHECK_INT(parse(&c_, __VA_ARGS__, NULL), H2E_USAGE);                                       \
        CHECK_STR(c_.error, msg);                                                                  \
        cli_release(&c_);                                                                          \
    } while (0)

TEST(test_cli_table_sorted_and_unique)
{
    size_t i, j;

    CHECK(cli_nopts > 40);
    for (i = 0; i < cli_nopts; i++) {
        const struct cli_opt *o = &cli_opts[i];
        if (i > 0 && strcmp(cli_opts[i - 1].name, o->name) >= 0)
            tap_fail(__FILE__, __LINE__, "'%s' is out of order", o->name);
        for (j = i + 1; o->letter && j < cli_nopts; j++)
            if (cli_opts[j].letter == o->letter)
                tap_fail(__FILE__, __LINE__, "-%c used twice", o->letter);
        /* an argument name exactly when there is an argument */
        CHECK((o->kind == CLI_ARG_NONE) == (o->arg == NULL));
        CHECK(o->help && o->help[0] >= 'A' && o->help[0] <= 'Z');
        CHECK(o->help[strlen(o->help) - 1] != '.');
        /* --help's column 34 plus the text stays within 100 columns */
        if (strlen(o->help) > 66)
            tap_fail(__FILE__, __LINE__, "help of '--%s' is too long", o->name);
        CHECK(cli_find(o->name, strlen(o->name)) == o);
        CHECK(!o->letter || cli_find_letter(o->letter) == o);
    }
}

TEST(test_cli_find)
{
    CHECK_STR(cli_find("output", 6)->name, "output");
    CHECK_STR(cli_find("output-dir", 10)->name, "output-dir");
    CHECK(cli_find("outpu", 5) == NULL);
    CHECK(cli_find("output-", 7) == NULL);
    CHECK(cli_find("zzz", 3) == NULL);
    CHECK(cli_find("http2=x", 5) != NULL);
    CHECK_INT(cli_find_letter('o')->letter, 'o');
    CHECK(cli_find_letter('W') == NULL);
    CHECK(cli_find_letter(0) == NULL);
}

TEST(test_cli_defaults)
{
    struct config c;

    CHECK_INT(parse(&c, "https://example.com/", NULL), CLI_RUN);
    CHECK_INT(c.nurls, 1);
    CHECK_STR(c.urls[0].url, "https://example.com/");
    CHECK(c.urls[0].output == NULL);
    CHECK_INT(c.net.connect_timeout_ms, 30000);
    CHECK_INT(c.net.stall_timeout_ms, 120000);
    CHECK_INT(c.net.max_time_ms, 0);
    CHECK_INT(c.net.family, 0);
    CHECK_INT(c.req.max_redirs, 50);
    CHECK_STR(c.req.user_agent, "h2get/" H2GET_VERSION);
    CHECK_STR(cli_method(&c), "GET");
    CHECK(cli_content_type(&c) == NULL);
    CHECK_INT(c.proto.http, CLI_HTTP_2);
    CHECK_INT(c.tls.min, CLI_TLS_DEFAULT);
    CHECK(!c.out.silent && !c.out.include && !c.tls.insecure && !c.req.location);
    cli_release(&c);
    cli_release(&c); /* released twice is harmless */
}

TEST(test_cli_combined_short_options)
{
    struct config c;

    CHECK_INT(parse(&c, "-sSfL", "-vvv", "-ki", "u", NULL), CLI_RUN);
    CHECK(c.out.silent && c.out.show_error && c.out.fail && c.req.location);
    CHECK(c.tls.insecure && c.out.include);
    CHECK_INT(c.out.verbose, 3);
    cli_release(&c);

    CHECK_INT(parse(&c, "-v", "u", "--verbose", "-v", NULL), CLI_RUN);
    CHECK_INT(c.out.verbose, 3);
    cli_release(&c);

    /* an option with an argument takes the rest of the group, or the next word */
    CHECK_INT(parse(&c, "-sofile", "u", NULL), CLI_RUN);
    CHECK(c.out.silent);
    CHECK_STR(c.urls[0].output, "file");
    cli_release(&c);
    CHECK_INT(parse(&c, "-so", "file", "u", NULL), CLI_RUN);
    CHECK_STR(c.urls[0].output, "file");
    CHECK_STR(c.urls[0].url, "u");
    cli_release(&c);
}

TEST(test_cli_long_option_forms)
{
    struct config c;

    CHECK_INT(parse(&c, "--output=a", "u1", "--output", "b", "u2", "--url", "u3", "--url=u4",
                    "--user-agent=", NULL),
              CLI_RUN);
    CHECK_INT(c.nurls, 4);
    CHECK_STR(c.urls[0].output, "a");
    CHECK_STR(c.urls[1].output, "b");
    CHECK_STR(c.urls[2].url, "u3");
    CHECK_STR(c.urls[3].url, "u4");
    CHECK_STR(c.req.user_agent, "");
    cli_release(&c);

    /* a value may start with '-' or contain '=' */
    CHECK_INT(parse(&c, "--max-redirs", "-1", "-H", "x-a: b=c", "--data=a=b", "u", NULL), CLI_RUN);
    CHECK_INT(c.req.max_redirs, -1);
    CHECK_MEM(c.req.headers[0].value.p, c.req.headers[0].value.len, "b=c", 3);
    CHECK_MEM(c.req.data, c.req.data_len, "a=b", 3);
    cli_release(&c);

    /* "--" ends the options */
    CHECK_INT(parse(&c, "--", "-v", "--help", NULL), CLI_RUN);
    CHECK_INT(c.nurls, 2);
    CHECK_STR(c.urls[0].url, "-v");
    CHECK_STR(c.urls[1].url, "--help");
    CHECK_INT(c.out.verbose, 0);
    cli_release(&c);
}

TEST(test_cli_numbers)
{
    struct config c;

    CHECK_INT(parse(&c, "--max-redirs", "7", "u", NULL), CLI_RUN);
    CHECK_INT(c.req.max_redirs, 7);
    cli_release(&c);
    CHECK_INT(parse(&c, "--max-redirs=0", "u", NULL), CLI_RUN);
    CHECK_INT(c.req.max_redirs, 0);
    cli_release(&c);
    CHECK_USAGE("invalid number 'x' for '--max-redirs'", "--max-redirs", "x", "u");
    CHECK_USAGE("invalid number '' for '--max-redirs'", "--max-redirs=", "u");
    CHECK_USAGE("invalid number '5x' for '--max-redirs'", "--max-redirs", "5x", "u");
    CHECK_USAGE("invalid number '-2' for '--max-redirs'", "--max-redirs", "-2", "u");
    CHECK_USAGE("invalid number '1e3' for '--max-redirs'", "--max-redirs", "1e3", "u");
    CHECK_USAGE("invalid number '9999999999' for '--max-redirs'", "--max-redirs", "9999999999",
                "u");
    CHECK_USAGE("invalid number '99999999999999999999' for '--max-redirs'", "--max-redirs",
                "99999999999999999999", "u");
}

TEST(test_cli_seconds)
{
    static const struct {
        const char *arg;
        uint64_t ms;
    } ok[] = {{"0", 0},
              {"2", 2000},
              {"2.5", 2500},
              {".5", 500},
              {"5.", 5000},
              {"0.001", 1},
              {"0.0001", 1},
              {"1.0009", 1000},
              {"0.000", 0},
              {"86400", 86400000},
              {"4294967295", 4294967295000ull}};
    static const char *const bad[] = {"",      ".",  "-1",         "1s", "1,5",
                                      "1.2.3", " 1", "4294967296", "abc"};
    struct config c;
    char msg[128];
    size_t i;

    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        CHECK_INT(parse(&c, "-m", ok[i].arg, "u", NULL), CLI_RUN);
        if (c.net.max_time_ms != ok[i].ms)
            tap_fail(__FILE__, __LINE__, "-m %s gave %llu ms", ok[i].arg,
                     (unsigned long long)c.net.max_time_ms);
        cli_release(&c);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(msg, sizeof(msg), "invalid duration '%s' for '--max-time'", bad[i]);
        CHECK_USAGE(msg, "--max-time", bad[i], "u");
    }
    CHECK_INT(parse(&c, "--connect-timeout", "0", "--stall-timeout=0", "u", NULL), CLI_RUN);
    CHECK_INT(c.net.connect_timeout_ms, 30000); /* 0 means the default, as in curl */
    CHECK_INT(c.net.stall_timeout_ms, 0);       /* 0 disables (PROMISES.md) */
    cli_release(&c);
    CHECK_INT(parse(&c, "--connect-timeout=1.25", "--stall-timeout", "3", "u", NULL), CLI_RUN);
    CHECK_INT(c.net.connect_timeout_ms, 1250);
    CHECK_INT(c.net.stall_timeout_ms, 3000);
    cli_release(&c);
    CHECK_USAGE("invalid duration 'x' for '--stall-timeout'", "--stall-timeout", "x", "u");
    /* --sse: an event stream is quiet by design; only a given stall timeout holds */
    CHECK_INT(parse(&c, "--sse", "u", NULL), CLI_RUN);
    CHECK_INT(c.net.stall_timeout_ms, 0);
    cli_release(&c);
    CHECK_INT(parse(&c, "--sse-json", "--stall-timeout-default", "2", "u", NULL), CLI_RUN);
    CHECK_INT(c.net.stall_timeout_ms, 0);
    cli_release(&c);
    CHECK_INT(parse(&c, "--stall-timeout", "2", "--sse", "u", NULL), CLI_RUN);
    CHECK_INT(c.net.stall_timeout_ms, 2000);
    cli_release(&c);
    CHECK_INT(parse(&c, "--stall-timeout-default", "2", "u", NULL), CLI_RUN);
    CHECK_INT(c.net.stall_timeout_ms, 2000);
    cli_release(&c);
}

TEST(test_cli_sizes)
{
    static const struct {
        const char *arg;
        uint64_t n;
    } ok[] = {{"0", 0},
              {"100", 100},
              {"10K", 10240},
              {"10k", 10240},
              {"2M", 2u << 20},
              {"2m", 2u << 20},
              {"3G", 3ull << 30},
              {"18446744073709551615", UINT64_MAX},
              {"17179869183G", 17179869183ull << 30}};
    static const char *const bad[] = {
        "", "K", "10KB", "10T", "-1", "1.5M", "17179869184G", "18446744073709551616", "1 K"};
    struct config c;
    char msg[128];
    size_t i;

    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        CHECK_INT(parse(&c, "--max-filesize", ok[i].arg, "u", NULL), CLI_RUN);
        if (c.out.max_filesize != ok[i].n)
            tap_fail(__FILE__, __LINE__, "--max-filesize %s gave %llu", ok[i].arg,
                     (unsigned long long)c.out.max_filesize);
        cli_release(&c);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(msg, sizeof(msg), "invalid size '%s' for '--max-filesize'", bad[i]);
        CHECK_USAGE(msg, "--max-filesize", bad[i], "u");
    }
}

TEST(test_cli_output_order)
{
    struct config c;

    /* -o applies to URLs in order, wherever it stands (curl) */
    CHECK_INT(parse(&c, "-o", "a", "http://h/1", "http://h/2", "-o", "b", "http://h/3", NULL),
              CLI_RUN);
    CHECK_INT(c.nurls, 3);
    CHECK_STR(c.urls[0].output, "a");
    CHECK_STR(c.urls[1].output, "b");
    CHECK(c.urls[2].output == NULL);
    CHECK(!c.urls[2].has_output);
    cli_release(&c);

    CHECK_INT(parse(&c, "http://h/x/one.txt", "-O", "http://h/2", "-o", "-", "-o", "c",
                    "http://h/3", NULL),
              CLI_RUN);
    CHECK_STR(c.urls[0].output, "one.txt");
    CHECK(c.urls[0].remote_name);
    CHECK(c.urls[1].output == NULL); /* "-o -" is stdout */
    CHECK(c.urls[1].has_output);
    CHECK_STR(c.urls[2].output, "c");
    cli_release(&c);

    /* --output-dir applies to relative names only, whatever its trailing slash */
    CHECK_INT(parse(&c, "--output-dir", "d/", "-o", "a", "-o", "/abs", "-O", "-o", "-",
                    "http://h/1", "http://h/2", "http://h/3/f", "http://h/4", NULL),
              CLI_RUN);
    CHECK_STR(c.urls[0].output, "d/a");
    CHECK_STR(c.urls[1].output, "/abs");
    CHECK_STR(c.urls[2].output, "d/f");
    CHECK(c.urls[3].output == NULL);
    cli_release(&c);
    CHECK_INT(parse(&c, "--output-dir=d", "-o", "a", "u", NULL), CLI_RUN);
    CHECK_STR(c.urls[0].output, "d/a");
    cli_release(&c);

    CHECK_USAGE("more output options than URLs", "-o", "a", "-o", "b", "u");
    CHECK_USAGE("more output options than URLs", "-O", "u", "-O");
}

TEST(test_cli_remote_name)
{
    static const struct {
        const char *url, *name;
    } cases[] = {
        {"http://h/dir/file.tar.gz?x=1#frag", "file.tar.gz"},
        {"https://h", "index.html"},
        {"https://h/", "index.html"},
        {"https://h/dir/", "index.html"},
        {"https://h/a/..", "index.html"},
        {"https://h/a/.", "index.html"},
        {"https://h/%2e%2e", "%2e%2e"},
        {"h:8080/x/y", "y"},
    };
    struct config c;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK_INT(parse(&c, "-O", cases[i].url, NULL), CLI_RUN);
        CHECK_STR(c.urls[0].output, cases[i].name);
        cli_release(&c);
    }
    CHECK_INT(parse(&c, "-O", "ftp://h/x", NULL), H2E_UNSUPPORTED_SCHEME);
    CHECK_PREFIX(c.error, "cannot name the output file of 'ftp://h/x': ");
    cli_release(&c);
    CHECK_INT(parse(&c, "-O", "http://h:99999/x", NULL), H2E_BAD_URL);
    cli_release(&c);
}

TEST(test_cli_usage_errors)
{
    CHECK_USAGE("unknown option '--foo'", "--foo", "u");
    CHECK_USAGE("unknown option '--foo'", "--foo=bar", "u");
    CHECK_USAGE("unknown option '--outpu'", "--outpu", "x", "u");
    CHECK_USAGE("unknown option '-W'", "-W", "u");
    CHECK_USAGE("unknown option '-W'", "-sW", "u");
    CHECK_USAGE("option '--output' requires an argument", "u", "--output");
    CHECK_USAGE("option '-o' requires an argument", "u", "-o");
    CHECK_USAGE("option '-H' requires an argument", "u", "-sH");
    CHECK_USAGE("option '--silent' takes no value", "--silent=yes", "u");
    CHECK_USAGE("no URL specified", "-s");
    CHECK_USAGE("no URL specified", "-o", "x");
    CHECK_USAGE("'--fail' cannot be used with '--fail-with-body'", "-f", "--fail-with-body", "u");
    CHECK_USAGE("'--head' cannot be used with '--data'", "-I", "-d", "x", "u");
    CHECK_USAGE("'--head' cannot be used with '--json'", "-I", "--json", "{}", "u");
    CHECK_USAGE("'--head' cannot be used with '--upload-file'", "-I", "-T", "f", "u");
    CHECK_USAGE("'--data' cannot be used with '--upload-file'", "--data-raw", "x", "-T", "f", "u");
    CHECK_USAGE("'--http2-only' cannot be used with '--http1.1'", "--http2-only", "--http1.1", "u");
    CHECK_USAGE("invalid header 'x-nocolon': no ':'", "-H", "x-nocolon", "u");
    CHECK_USAGE("invalid header ':': no ':'", "-H", ":", "u");
}

TEST(test_cli_info_results)
{
    struct config c;

    CHECK_INT(parse(&c, "--help", NULL), CLI_HELP);
    cli_release(&c);
    CHECK_INT(parse(&c, "-h", "--foo", NULL), CLI_HELP); /* stops at --help */
    cli_release(&c);
    CHECK_INT(parse(&c, "-sV", NULL), CLI_VERSION);
    cli_release(&c);
    CHECK_INT(parse(&c, "--version", "u", NULL), CLI_VERSION);
    cli_release(&c);
    CHECK_INT(parse(&c, "--dump-options", NULL), CLI_DUMP_OPTIONS);
    cli_release(&c);
    CHECK_INT(parse(&c, "--foo", "--help", NULL), H2E_USAGE);
    cli_release(&c);
}

/* Every visible option appears in --help, no line is wider than 100 columns. */
TEST(test_cli_help_text)
{
    char *text = NULL, *line, *save = NULL;
    size_t len = 0, i;
    FILE *f = open_memstream(&text, &len);

    cli_help(f);
    fclose(f);
    for (i = 0; i < cli_nopts; i++) {
        char want[64];
        snprintf(want, sizeof(want), "--%s%s", cli_opts[i].name,
                 cli_opts[i].kind == CLI_ARG_OPTIONAL ? "[="
                 : cli_opts[i].arg                    ? " "
                                                      : "  ");
        if ((strstr(text, want) != NULL) != (cli_opts[i].cat != CLI_CAT_HIDDEN))
            tap_fail(__FILE__, __LINE__, "'--%s' in --help: wrong", cli_opts[i].name);
    }
    CHECK(strstr(text, "\n -o, --output FILE                Write the body") != NULL);
    CHECK(strstr(text, "\n     --connect-to HOST1:PORT1:HOST2:PORT2\n") != NULL);
    CHECK_PREFIX(text, "Usage: h2get [options...] <URL>...\n");
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (strlen(line) > 100)
            tap_fail(__FILE__, __LINE__, "help line too long: %s", line);
    free(text);
}

TEST(test_cli_version_and_dump)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    cli_version(f);
    fclose(f);
    CHECK_PREFIX(text, "h2get " H2GET_VERSION " (GnuTLS ");
    CHECK(strstr(text, "\nFeatures: ") != NULL);
    CHECK(strstr(text, ") zlib/") != NULL && strstr(text, " brotli/1.") &&
          strstr(text, " zstd/1."));
    CHECK(strstr(text, " libz ") && strstr(text, " brotli ") && strstr(text, " zstd\n"));
    free(text);

    text = NULL;
    f = open_memstream(&text, &len);
    cli_dump_options(f);
    fclose(f);
    CHECK(strstr(text, "--output\t-o\tFILE\tOutput\trepeat\tWrite the body of the next URL to "
                       "FILE ('-' for stdout)\t\n") != NULL);
    CHECK(strstr(text, "--dump-options\t\t\thidden\t\t") != NULL);
    CHECK(strstr(text, "--http1.1\t\t\tHTTP versions\t\tUse HTTP/1.1 only\t\n") != NULL);
    CHECK(strstr(text, " (to stderr or FILE)\t=\n") != NULL);
    CHECK(strstr(text, "--ping\t\tN\tHTTP/2 controls\t\tSend N PINGs") != NULL);
    CHECK(strstr(text, "round-trip times\tword\n") != NULL);
    free(text);
}

TEST(test_cli_data)
{
    struct config c;
    const char *path;
    char arg[80];

    CHECK_INT(parse(&c, "-d", "a=1", "--data", "b=2", "--data-raw", "@c", "u", NULL), CLI_RUN);
    CHECK_MEM(c.req.data, c.req.data_len, "a=1&b=2&@c", 10);
    CHECK_INT(c.req.body, CLI_BODY_FORM);
    CHECK_STR(cli_method(&c), "POST");
    CHECK_STR(cli_content_type(&c), "application/x-www-form-urlencoded");
    cli_release(&c);

    /* an empty -d still makes a POST with an empty body */
    CHECK_INT(parse(&c, "-d", "", "u", NULL), CLI_RUN);
    CHECK_INT(c.req.data_len, 0);
    CHECK_STR(cli_method(&c), "POST");
    cli_release(&c);

    path = temp_file("x=1\r\ny=2\n", 9);
    CHECK(path != NULL);
    snprintf(arg, sizeof(arg), "@%s", path);
    CHECK_INT(parse(&c, "-d", arg, "--data-binary", arg, "u", NULL), CLI_RUN);
    CHECK_MEM(c.req.data, c.req.data_len, "x=1y=2&x=1\r\ny=2\n", 16);
    cli_release(&c);
    unlink(path);

    /* --json: pieces are concatenated; JSON content type; POST */
    path = temp_file("{\"a\":\n1}", 8);
    snprintf(arg, sizeof(arg), "@%s", path);
    CHECK_INT(parse(&c, "--json", "[", "--json", arg, "--json", "]", "u", NULL), CLI_RUN);
    CHECK_MEM(c.req.data, c.req.data_len, "[{\"a\":\n1}]", 10);
    CHECK_INT(c.req.body, CLI_BODY_JSON);
    CHECK_STR(cli_content_type(&c), "application/json");
    CHECK_STR(cli_method(&c), "POST");
    cli_release(&c);
    unlink(path);

    /* @- reads standard input */
    path = temp_file("from\nstdin", 10);
    CHECK(path && freopen(path, "rb", stdin) != NULL);
    CHECK_INT(parse(&c, "-d", "@-", "u", NULL), CLI_RUN);
    CHECK_MEM(c.req.data, c.req.data_len, "fromstdin", 9);
    cli_release(&c);
    unlink(path);

    CHECK_INT(parse(&c, "-d", "@/nonexistent/h2get", "u", NULL), H2E_READ);
    CHECK_STR(c.error, "cannot read '/nonexistent/h2get': No such file or directory");
    cli_release(&c);
    CHECK_INT(parse(&c, "--json", "@/", "u", NULL), H2E_READ);
    CHECK_STR(c.error, "cannot read '/': Is a directory");
    cli_release(&c);
}

TEST(test_cli_methods)
{
    struct config c;

    CHECK_INT(parse(&c, "-I", "u", NULL), CLI_RUN);
    CHECK_STR(cli_method(&c), "HEAD");
    CHECK(c.req.head && c.out.include);
    cli_release(&c);
    CHECK_INT(parse(&c, "-T", "file", "u", NULL), CLI_RUN);
    CHECK_STR(cli_method(&c), "PUT");
    CHECK_INT(c.req.body, CLI_BODY_UPLOAD);
    CHECK_STR(c.req.upload_file, "file");
    CHECK(cli_content_type(&c) == NULL);
    cli_release(&c);
    CHECK_INT(parse(&c, "-X", "DELETE", "-d", "x", "u", NULL), CLI_RUN);
    CHECK_STR(cli_method(&c), "DELETE");
    cli_release(&c);
}

TEST(test_cli_headers)
{
    struct config c;
    const char *path;
    char arg[80];

    CHECK_INT(parse(&c, "-H", "X-Test: \t v a", "-H", "X-Empty;", "-H", "Accept:", "-H",
                    ":authority: other", "u", NULL),
              CLI_RUN);
    CHECK_INT(c.req.nheaders, 4);
    CHECK_MEM(c.req.headers[0].name.p, c.req.headers[0].name.len, "x-test", 6);
    CHECK_MEM(c.req.headers[0].value.p, c.req.headers[0].value.len, "v a", 3);
    CHECK(!c.req.headers[0].remove);
    CHECK_MEM(c.req.headers[1].name.p, c.req.headers[1].name.len, "x-empty", 7);
    CHECK_INT(c.req.headers[1].value.len, 0);
    CHECK(!c.req.headers[1].remove);
    CHECK_MEM(c.req.headers[2].name.p, c.req.headers[2].name.len, "accept", 6);
    CHECK(c.req.headers[2].remove);
    CHECK_MEM(c.req.headers[3].name.p, c.req.headers[3].name.len, ":authority", 10);
    CHECK_MEM(c.req.headers[3].value.p, c.req.headers[3].value.len, "other", 5);
    cli_release(&c);

    /* @FILE: one header per line, CRLF or LF, blank lines skipped */
    path = temp_file("A: 1\r\n\r\nb: 2\nC: 3", 17);
    snprintf(arg, sizeof(arg), "@%s", path);
    CHECK_INT(parse(&c, "-H", arg, "u", NULL), CLI_RUN);
    CHECK_INT(c.req.nheaders, 3);
    CHECK_MEM(c.req.headers[0].line, strlen(c.req.headers[0].line), "a: 1", 4);
    CHECK_MEM(c.req.headers[1].value.p, c.req.headers[1].value.len, "2", 1);
    CHECK_MEM(c.req.headers[2].line, strlen(c.req.headers[2].line), "c: 3", 4);
    cli_release(&c);
    unlink(path);
    CHECK_INT(parse(&c, "-H", "@/nonexistent/h", "u", NULL), H2E_READ);
    CHECK_STR(c.error, "cannot read '/nonexistent/h': No such file or directory");
    cli_release(&c);
}

/* The lint refuses what RFC 9113 §8.2 forbids, naming the field; --raw-headers sends it. */
TEST(test_cli_header_lint)
{
    struct config c;

    CHECK_INT(parse(&c, "-H", "Connection: close", "u", NULL), H2E_USAGE);
    CHECK_PREFIX(c.error, "refusing header 'connection': ");
    CHECK(strstr(c.error, "; --raw-headers sends it anyway") != NULL);
    cli_release(&c);
    CHECK_INT(parse(&c, "-H", "X-Trail: b ", "u", NULL), H2E_USAGE);
    CHECK_PREFIX(c.error, "refusing header 'x-trail': ");
    cli_release(&c);
    CHECK_INT(parse(&c, "-H", "x-a: b\r", "u", NULL), H2E_USAGE);
    CHECK_PREFIX(c.error, "refusing header 'x-a': ");
    cli_release(&c);
    /* removing a header sends nothing, so there is nothing to lint */
    CHECK_INT(parse(&c, "-H", "Connection:", "u", NULL), CLI_RUN);
    cli_release(&c);
    /* --raw-headers, even after -H: sent as given, case kept */
    CHECK_INT(parse(&c, "-H", "Connection: close", "--raw-headers", "u", NULL), CLI_RUN);
    CHECK_MEM(c.req.headers[0].name.p, c.req.headers[0].name.len, "Connection", 10);
    cli_release(&c);
}

TEST(test_cli_settings)
{
    struct config c;

    CHECK_INT(parse(&c, "-4", "-6", "--tlsv1.3", "--http1.1", "--cacert", "ca.pem", "--capath",
                    "/etc/ssl", "--keylog=k", "-A", "ua", "-e", "http://r/", "-u", "me:pw", "-D",
                    "-", "-N", "--create-dirs", "--keep-partial", "--allow-unclean-close", "u",
                    NULL),
              CLI_RUN);
    CHECK_INT(c.net.family, AF_INET6);
    CHECK_INT(c.tls.min, CLI_TLS_1_3);
    CHECK_INT(c.proto.http, CLI_HTTP_1_1);
    CHECK_STR(c.tls.cacert, "ca.pem");
    CHECK_STR(c.tls.capath, "/etc/ssl");
    CHECK_STR(c.tls.keylog, "k");
    CHECK_STR(c.req.user_agent, "ua");
    CHECK_STR(c.req.referer, "http://r/");
    CHECK_STR(c.req.user, "me:pw");
    CHECK_STR(c.out.dump_header, "-");
    CHECK(c.out.no_buffer && c.out.create_dirs && c.out.keep_partial);
    CHECK(c.proto.allow_unclean_close);
    cli_release(&c);

    CHECK_INT(parse(&c, "-6", "-4", "--tlsv1.2", "--http2-prior-knowledge", "--http2-only",
                    "--show-headers", "--fail-with-body", "u", NULL),
              CLI_RUN);
    CHECK_INT(c.net.family, AF_INET);
    CHECK_INT(c.tls.min, CLI_TLS_1_2);
    CHECK_INT(c.proto.http, CLI_HTTP_2_PRIOR);
    CHECK(c.proto.http2_only && c.out.include && c.out.fail_with_body);
    cli_release(&c);
    CHECK_INT(parse(&c, "--http1.1", "--http2", "u", NULL), CLI_RUN);
    CHECK_INT(c.proto.http, CLI_HTTP_2);
    cli_release(&c);
}

TEST(test_cli_resolve_and_connect_to)
{
    struct config c;
    struct net_overrides ov;

    CHECK_INT(parse(&c, "--resolve", "example.com:443:127.0.0.1", "--resolve",
                    "a:80:[::1],127.0.0.2", "--connect-to", "a:443:b:8443", "u", NULL),
              CLI_RUN);
    CHECK_INT(c.net.nresolve, 2);
    CHECK_STR(c.net.resolve[0].host, "example.com");
    CHECK_INT(c.net.resolve[0].port, 443);
    CHECK_INT(c.net.resolve[1].naddr, 2);
    CHECK_INT(c.net.nconnect_to, 1);
    CHECK_STR(c.net.connect_to[0].to_host, "b");
    CHECK_INT(c.net.connect_to[0].to_port, 8443);
    ov = cli_net_overrides(&c);
    CHECK(ov.resolve == c.net.resolve && ov.nresolve == 2 && ov.nconnect_to == 1);
    cli_release(&c);
    /* net's reason follows, without its own "--resolve: " prefix */
    CHECK_INT(parse(&c, "--resolve", "a:b", "u", NULL), H2E_USAGE);
    CHECK_PREFIX(c.error, "invalid value 'a:b' for '--resolve': ");
    CHECK(strstr(c.error, ": --resolve") == NULL);
    CHECK_STR(c.error,
              "invalid value 'a:b' for '--resolve': PORT must be a number from 1 to 65535");
    cli_release(&c);
    CHECK_INT(parse(&c, "--connect-to", "a:b", "u", NULL), H2E_USAGE);
    CHECK_PREFIX(c.error, "invalid value 'a:b' for '--connect-to': ");
    CHECK_STR(c.error, "invalid value 'a:b' for '--connect-to': expected HOST1:PORT1:HOST2:PORT2");
    cli_release(&c);
}

/* -K: values outlive the file's buffer, the command line after it wins, errors name the
 * line; the default file comes from $H2GET_CONFIG unless -q comes first. */
TEST(test_cli_config_file)
{
    static const char rc[] = "# c\n\nuser-agent = \"a \\\"b\\\"\"\n-e http://r/\nurl = u1\n";
    char path[64], err[160];
    struct config c;

    snprintf(path, sizeof(path), "%s", temp_file(rc, sizeof(rc) - 1));
    CHECK_INT(parse(&c, "-K", path, "-e", "http://cli/", "u2", NULL), 0);
    CHECK_STR(c.req.user_agent, "a \"b\"");
    CHECK_STR(c.req.referer, "http://cli/");
    CHECK_INT(c.nurls, 2);
    CHECK_STR(c.urls[0].url, "u1");
    cli_release(&c);
    setenv("H2GET_CONFIG", path, 1);
    CHECK_INT(parse(&c, "u2", NULL), 0);
    CHECK_STR(c.req.user_agent, "a \"b\"");
    cli_release(&c);
    CHECK_INT(parse(&c, "-q", "u2", NULL), 0);
    CHECK_PREFIX(c.req.user_agent, "h2get/");
    CHECK_INT(c.nurls, 1);
    cli_release(&c);
    unlink(path);
    /* --help or --version in a file is honoured as on the command line */
    snprintf(path, sizeof(path), "%s", temp_file("silent\nhelp\n", 12));
    setenv("H2GET_CONFIG", path, 1);
    CHECK_INT(parse(&c, "u", NULL), CLI_HELP);
    cli_release(&c);
    unlink(path);
    snprintf(path, sizeof(path), "%s", temp_file("-V\n", 3));
    setenv("H2GET_CONFIG", path, 1);
    CHECK_INT(parse(&c, "u", NULL), CLI_VERSION);
    cli_release(&c);
    unlink(path);
    setenv("H2GET_CONFIG", "/nonexistent/h2get-unit-tests", 1);
    snprintf(path, sizeof(path), "%s", temp_file("silent\n\"x\"\n", 11));
    CHECK_INT(parse(&c, "-K", path, "u", NULL), H2E_USAGE);
    snprintf(err, sizeof(err), "%s:2: unknown option '--\"x\"'", path);
    CHECK_STR(c.error, err);
    cli_release(&c);
    unlink(path);
}

TEST(test_cli_tunnel_to)
{
    struct config c;

    CHECK_INT(parse(&c, "--tunnel-to", "host.example:22", NULL), 0);
    CHECK_STR(c.proxy.tunnel_to, "host.example:22");
    CHECK_INT((int)c.nurls, 0);
    cli_release(&c);
    CHECK_INT(parse(&c, "--tunnel-to", "[::1]:2222", "https://proxy.example/", NULL), 0);
    CHECK_INT((int)c.nurls, 1);
    cli_release(&c);
    CHECK_USAGE("bad '--tunnel-to host': HOST:PORT needs a port (1-65535)", "--tunnel-to", "host");
    CHECK_USAGE("bad '--tunnel-to h:0': not HOST:PORT: port out of range (1-65535)", "--tunnel-to",
                "h:0");
    CHECK_USAGE("bad '--tunnel-to u@h:22': not HOST:PORT", "--tunnel-to", "u@h:22");
    CHECK_USAGE("bad '--tunnel-to h:22/x': not HOST:PORT", "--tunnel-to", "h:22/x");
    CHECK_USAGE("'--tunnel-to' takes one URL at most (the proxy's) and no output file",
                "--tunnel-to", "h:22", "a", "b");
    CHECK_USAGE("'--tunnel-to' takes one URL at most (the proxy's) and no output file",
                "--tunnel-to", "h:22", "-o", "f", "a");
    CHECK_USAGE("'--tunnel-to' goes through -x or through the URL's server, not both",
                "--tunnel-to", "h:22", "-x", "http://p:1", "https://q/");
    CHECK_USAGE("'--tunnel-to' sends stdin as it is: no request body", "--tunnel-to", "h:22", "-d",
                "x");
}

/*
 * Optional arguments as the man page writes them: "--ping N" takes a next word of digits;
 * "--frames FILE" cannot be told from a URL without scheme, so it is refused with the
 * spelling that works, and a next word that is a URL or an option is left alone.
 */
TEST(test_cli_optional_arguments)
{
    struct config c;

    CHECK_INT(parse(&c, "--ping", "7", "https://h/", NULL), 0);
    CHECK_INT(c.h2.ping, 7);
    CHECK_INT((int)c.nurls, 1);
    cli_release(&c);
    CHECK_INT(parse(&c, "https://h/", "--ping", NULL), 0);
    CHECK_INT(c.h2.ping, 1);
    cli_release(&c);
    CHECK_INT(parse(&c, "--ping", "https://h/", NULL), 0);
    CHECK_INT(c.h2.ping, 1);
    CHECK_STR(c.urls[0].url, "https://h/");
    cli_release(&c);
    CHECK_INT(parse(&c, "--ping", "0", "https://h/", NULL), H2E_USAGE);
    CHECK_STR(c.error, "'--ping' takes a count from 1 to 1000, not '0'");
    cli_release(&c);
    CHECK_INT(parse(&c, "--frames", "https://h/", NULL), 0);
    CHECK(c.trace.frames && c.trace.frames_file == NULL);
    cli_release(&c);
    CHECK_INT(parse(&c, "--frames", "-s", "https://h/", NULL), 0);
    CHECK(c.trace.frames && c.out.silent);
    cli_release(&c);
    CHECK_INT(parse(&c, "--frames=tr", "https://h/", NULL), 0);
    CHECK_STR(c.trace.frames_file, "tr");
    cli_release(&c);
    CHECK_INT(parse(&c, "--frames", "tr.txt", "https://h/", NULL), H2E_USAGE);
    CHECK_STR(c.error, "'--frames' takes FILE only as '--frames=FILE': write "
                       "'--frames=tr.txt', or the URL 'tr.txt' with its scheme");
    cli_release(&c);
}

/* stdin can be read once: "-T -" with several URLs (or --repeat) is refused at parse time. */
TEST(test_cli_upload_stdin_once)
{
    struct config c;

    CHECK_INT(parse(&c, "-T", "-", "https://h/a", NULL), 0);
    cli_release(&c);
    CHECK_INT(parse(&c, "-T", "-", "https://h/a", "https://h/b", NULL), H2E_USAGE);
    CHECK_STR(c.error, "'--upload-file -' reads stdin once, so it takes one URL, not 2");
    cli_release(&c);
    CHECK_INT(parse(&c, "-T-", "--repeat", "3", "https://h/a", NULL), H2E_USAGE);
    CHECK_STR(c.error, "'--upload-file -' reads stdin once, so it takes one URL, not 3");
    cli_release(&c);
    CHECK_INT(parse(&c, "-T", "file", "https://h/a", "https://h/b", NULL), 0);
    cli_release(&c);
}

/* curl's --proto syntax: left to right, "+" (or nothing) adds, "-" removes, "=" sets. */
TEST(test_cli_proto_list)
{
    struct config c;
    const char *bad = NULL;
    unsigned m;

    m = 0;
    CHECK_INT(cli_proto_list("=https", &m, &bad), 0);
    CHECK_INT(m, CLI_PROTO_HTTPS);
    m = CLI_PROTO_ALL;
    CHECK_INT(cli_proto_list("-all,+HTTPS,wss", &m, &bad), 0);
    CHECK_INT(m, CLI_PROTO_HTTPS | CLI_PROTO_WSS);
    m = CLI_PROTO_HTTPS;
    CHECK_INT(cli_proto_list("+http", &m, &bad), 0);
    CHECK_INT(m, CLI_PROTO_HTTP | CLI_PROTO_HTTPS);
    m = CLI_PROTO_ALL;
    CHECK_INT(cli_proto_list("-ws,-wss", &m, &bad), 0);
    CHECK_INT(m, CLI_PROTO_HTTP | CLI_PROTO_HTTPS);
    m = CLI_PROTO_ALL;
    CHECK_INT(cli_proto_list("http,=ws,+all,-http", &m, &bad), 0);
    CHECK_INT(m, CLI_PROTO_ALL & ~CLI_PROTO_HTTP);
    CHECK_INT(cli_proto_list("http,ftp", &m, &bad), -1);
    CHECK_STR(bad, "ftp");
    CHECK_INT(cli_proto_list("http,,https", &m, &bad), -1);
    CHECK_STR(bad, ",https");
    CHECK_INT(cli_proto_list("", &m, &bad), -1);
    CHECK_INT(cli_proto_list("+", &m, &bad), -1);
    CHECK_INT(cli_proto_list("=htt", &m, &bad), -1);
    CHECK_INT(cli_proto_list("https ", &m, &bad), -1);
    CHECK_INT(cli_proto_bit("HTTP"), CLI_PROTO_HTTP);
    CHECK_INT(cli_proto_bit("wss"), CLI_PROTO_WSS);
    CHECK_INT(cli_proto_bit("all"), 0);
    CHECK_INT(cli_proto_bit("ftp"), 0);

    CHECK_INT(parse(&c, "https://h/", NULL), 0);
    CHECK_INT(c.cond.proto, CLI_PROTO_ALL);
    CHECK_INT(c.cond.proto_redir, CLI_PROTO_HTTP | CLI_PROTO_HTTPS);
    cli_release(&c);
    CHECK_INT(parse(&c, "--proto", "-http", "--proto-redir", "=https", "https://h/", NULL), 0);
    CHECK_INT(c.cond.proto, CLI_PROTO_ALL & ~CLI_PROTO_HTTP);
    CHECK_INT(c.cond.proto_redir, CLI_PROTO_HTTPS);
    cli_release(&c);
    CHECK_USAGE("'--proto': unknown protocol 'ftp' (http, https, ws, wss or all)", "--proto",
                "=https,ftp,http", "u");
    CHECK_USAGE("'--proto-redir': unknown protocol '' (http, https, ws, wss or all)",
                "--proto-redir", "https,", "u");
}
