/* SPDX-License-Identifier: MIT */
/*
 * The streaming options of the command line (issue 11): --duplex with -T and with
 * --data-binary @- (stdin then streamed as a POST body instead of read at parse time),
 * --data-binary @- joined where it was given otherwise, --trailer (lower-cased, pseudo-
 * headers and RFC 9110 §6.5.1 fields refused) and the usage errors of each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "cli/cli.h"
#include "cliargs.h"
#include "tap.h"

#define parse(cfg, ...) cli_args(cfg, NULL, __VA_ARGS__)

#define CHECK_USAGE(msg, ...)                                                                      \
    do {                                                                                           \
        struct config c_;                                                                          \
        CHECK_INT(parse(&c_, __VA_ARGS__, NULL), H2E_USAGE);                                       \
        CHECK_STR(c_.error, msg);                                                                  \
        cli_release(&c_);                                                                          \
    } while (0)

/* Standard input from a file holding `s`. */
static bool stdin_from(const char *s)
{
    char path[] = "/tmp/h2get-test-duplex-XXXXXX";
    int fd = mkstemp(path);
    bool ok = fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s);

    if (fd >= 0)
        close(fd);
    ok = ok && freopen(path, "rb", stdin) != NULL;
    unlink(path);
    return ok;
}

TEST(test_cli_duplex_upload_and_streamed_post)
{
    struct config c;

    CHECK_INT(parse(&c, "--duplex", "-T", "-", "u", NULL), CLI_RUN);
    CHECK(c.req.duplex);
    CHECK_INT(c.req.body, CLI_BODY_UPLOAD);
    CHECK_STR(cli_method(&c), "PUT");
    cli_release(&c);
    /* stdin is not read at parse time: it is the streamed body, of a POST */
    CHECK(stdin_from("not read"));
    CHECK_INT(parse(&c, "--data-binary", "@-", "--duplex", "u", NULL), CLI_RUN);
    CHECK_INT(c.req.body, CLI_BODY_UPLOAD);
    CHECK_STR(c.req.upload_file, "-");
    CHECK_INT(c.req.data_len, 0);
    CHECK_STR(cli_method(&c), "POST");
    CHECK_STR(cli_content_type(&c), "application/x-www-form-urlencoded");
    cli_release(&c);
}

TEST(test_cli_data_binary_stdin_joins_where_given)
{
    struct config c;

    CHECK(stdin_from("X\nY"));
    CHECK_INT(parse(&c, "-d", "a", "--data-binary", "@-", "-d", "b", "u", NULL), CLI_RUN);
    CHECK_MEM(c.req.data, c.req.data_len, "a&X\nY&b", 7);
    CHECK_INT(c.req.body, CLI_BODY_FORM);
    CHECK_STR(cli_method(&c), "POST");
    cli_release(&c);
    CHECK(stdin_from("only"));
    CHECK_INT(parse(&c, "--data-binary", "@-", "u", NULL), CLI_RUN);
    CHECK_MEM(c.req.data, c.req.data_len, "only", 4);
    cli_release(&c);
}

TEST(test_cli_duplex_usage_errors)
{
    CHECK_USAGE("'--duplex' needs '--upload-file FILE', '-T -' or '--data-binary @-'", "--duplex",
                "u");
    CHECK_USAGE("'--duplex' needs '--upload-file FILE', '-T -' or '--data-binary @-'", "--duplex",
                "-d", "x", "u");
    CHECK_USAGE("'--duplex' takes one URL", "--duplex", "-T", "-", "u", "v");
    CHECK_USAGE("'--duplex' takes one URL", "--duplex", "-T", "-", "--repeat", "2", "u");
    CHECK_USAGE("'--duplex' streams '--data-binary @-' alone: no other data", "--duplex", "-d", "x",
                "--data-binary", "@-", "u");
}

TEST(test_cli_trailers)
{
    struct config c;

    CHECK_INT(
        parse(&c, "--trailer", "X-Check: 42", "--trailer", "grpc-status:0", "-T", "f", "u", NULL),
        CLI_RUN);
    CHECK_INT(c.req.ntrailers, 2);
    CHECK_MEM(c.req.trailers[0].name.p, c.req.trailers[0].name.len, "x-check", 7);
    CHECK_MEM(c.req.trailers[0].value.p, c.req.trailers[0].value.len, "42", 2);
    CHECK_MEM(c.req.trailers[1].name.p, c.req.trailers[1].name.len, "grpc-status", 11);
    CHECK_MEM(c.req.trailers[1].value.p, c.req.trailers[1].value.len, "0", 1);
    cli_release(&c);
    CHECK_USAGE("refusing trailer ':path: /': no pseudo-headers in trailers (RFC 9113 §8.1)",
                "--trailer", ":path: /", "-T", "f", "u");
    CHECK_USAGE("refusing trailer 'Host': a field not allowed in trailers (RFC 9110 §6.5.1)",
                "--trailer", "Host: x", "-T", "f", "u");
    CHECK_USAGE("refusing trailer 'x:': no value", "--trailer", "x:", "-T", "f", "u");
    CHECK_USAGE("refusing header 'connection': 'connection' is connection-specific "
                "(RFC 9113 §8.2.2); --raw-headers sends it anyway",
                "--trailer", "connection: close", "-T", "f", "u");
    CHECK_USAGE("'--trailer' needs a request body", "--trailer", "x: 1", "u");
}
