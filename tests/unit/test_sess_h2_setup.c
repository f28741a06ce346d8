/* SPDX-License-Identifier: MIT */
/*
 * The HTTP/2 session's setup from the command line (src/client/sess_h2_setup.c): the exact
 * h2c_config each option gives (every field compared, so that an option cannot change one
 * it should not), --settings with `empty` and ENABLE_PUSH, the connection-window floor of
 * RFC 9113 §6.9.2, the small windows and paced credit of --limit-rate, the frame observer
 * taken from the trace, and the --ping PINGs on the wire with their opaque data.
 */
#include <stdlib.h>
#include <string.h>

#include "base/h2.h"
#include "client/sess_h2_setup.h"
#include "sys/xalloc.h"
#include "cliargs.h"
#include "tap.h"

/* Parse "h2get" followed by the NULL-terminated arguments (a URL is added) into `cfg`. */
#define parse(cfg, ...) cli_args(cfg, "http://localhost/", __VA_ARGS__)

static struct h2f_setting set[LIMIT_SETTINGS_ENTRIES];

/* The configuration sess_h2_config makes of `cfg` over the defaults. */
static struct h2c_config build(const struct config *cfg)
{
    struct h2c_config hc;

    h2c_config_init(&hc, &xalloc_mem);
    memset(set, 0xee, sizeof(set));
    sess_h2_config(cfg, &hc, set);
    return hc;
}

/* What h2c_config_init gives, with the extra SETTINGS in `set` (none). */
static struct h2c_config defaults(void)
{
    struct h2c_config hc;

    h2c_config_init(&hc, &xalloc_mem);
    hc.extra_settings = set;
    return hc;
}

/* Every field of `got` against `want` (the extra SETTINGS' pointer and count; callers
 * check their content in `set`). */
static void check_config(const struct h2c_config *got, const struct h2c_config *want, int line)
{
    bool failed = tap_failed();

    CHECK(got->mem == want->mem);
    CHECK_INT(got->stream_window, want->stream_window);
    CHECK_INT(got->conn_window, want->conn_window);
    CHECK_INT(got->header_table_size, want->header_table_size);
    CHECK_INT(got->max_header_list_size, want->max_header_list_size);
    CHECK_INT(got->max_frame_size, want->max_frame_size);
    CHECK_INT(got->encoder_table_cap, want->encoder_table_cap);
    CHECK_INT(got->huffman, want->huffman);
    CHECK_INT(got->indexing, want->indexing);
    CHECK(got->on_frame == NULL && got->on_bad_frame == NULL && got->on_frame_ud == NULL);
    CHECK(got->extra_settings == want->extra_settings);
    CHECK_INT(got->nextra_settings, want->nextra_settings);
    CHECK_INT(got->empty_settings, want->empty_settings);
    CHECK_INT(got->padding, want->padding);
    CHECK_INT(got->split_blocks, want->split_blocks);
    CHECK_INT(got->max_concurrent, want->max_concurrent);
    CHECK_INT(got->paced_credit, want->paced_credit);
    CHECK_MEM(got->priority.p, got->priority.len, want->priority.p, want->priority.len);
    if (!failed && tap_failed())
        tap_fail(__FILE__, line, "the configuration above");
}

#define CHECK_CONFIG(got, want) check_config(&(got), &(want), __LINE__)

TEST(test_sess_h2_setup_defaults_untouched)
{
    struct config c;
    struct h2c_config hc, want = defaults();

    CHECK_INT(parse(&c, NULL), CLI_RUN);
    hc = build(&c);
    CHECK_CONFIG(hc, want);
    cli_release(&c);
}

TEST(test_sess_h2_setup_windows)
{
    struct config c;
    struct h2c_config hc, want;

    CHECK_INT(parse(&c, "--window-size", "1000", "--connection-window-size", "1M", NULL), CLI_RUN);
    hc = build(&c);
    want = defaults();
    want.stream_window = 1000;
    want.conn_window = 1048576;
    CHECK_CONFIG(hc, want);
    cli_release(&c);

    /* --window-bits 0 is a window of 0, not "unset" */
    CHECK_INT(parse(&c, "--window-bits", "0", "--connection-window-bits", "20", NULL), CLI_RUN);
    hc = build(&c);
    want = defaults();
    want.stream_window = 0;
    want.conn_window = 1048575;
    CHECK_CONFIG(hc, want);
    cli_release(&c);

    /* RFC 9113 §6.9.2: the connection window starts at 65535 and only grows; the command
     * line refuses less, and the builder holds the floor on its own too */
    CHECK_INT(parse(&c, NULL), CLI_RUN);
    c.h2.conn_window = 1000;
    hc = build(&c);
    want = defaults();
    want.conn_window = H2_DEFAULT_WINDOW;
    CHECK_CONFIG(hc, want);
    cli_release(&c);
}

TEST(test_sess_h2_setup_options_override_the_callers_choice)
{
    struct config c;
    struct h2c_config hc, want;

    /* the ordered-output window the session chose stays unless an option says otherwise */
    CHECK_INT(parse(&c, NULL), CLI_RUN);
    h2c_config_init(&hc, &xalloc_mem);
    hc.stream_window = 65536;
    sess_h2_config(&c, &hc, set);
    want = defaults();
    want.stream_window = 65536;
    CHECK_CONFIG(hc, want);
    cli_release(&c);

    CHECK_INT(parse(&c, "--window-size", "7", NULL), CLI_RUN);
    h2c_config_init(&hc, &xalloc_mem);
    hc.stream_window = 65536;
    sess_h2_config(&c, &hc, set);
    CHECK_INT(hc.stream_window, 7);
    cli_release(&c);
}

/* --limit-rate's windows (sess_h2_pace, then sess_h2_config as sess_h2_start does them). */
static struct h2c_config paced(const struct config *cfg)
{
    struct h2c_config hc;

    h2c_config_init(&hc, &xalloc_mem);
    memset(set, 0xee, sizeof(set));
    sess_h2_pace(cfg, &hc);
    sess_h2_config(cfg, &hc, set);
    return hc;
}

TEST(test_sess_h2_setup_limit_rate)
{
    struct config c;
    struct h2c_config hc, want;

    CHECK_INT(parse(&c, NULL), CLI_RUN); /* no rate: nothing changes */
    hc = paced(&c);
    want = defaults();
    CHECK_CONFIG(hc, want);
    cli_release(&c);

    /* 100 ms of 1 MiB/s: both windows; credit waits for the session's grants */
    CHECK_INT(parse(&c, "--limit-rate", "1M", NULL), CLI_RUN);
    hc = paced(&c);
    want = defaults();
    want.stream_window = 104857;
    want.conn_window = 104857;
    want.paced_credit = true;
    CHECK_CONFIG(hc, want);
    cli_release(&c);

    /* slow: one frame per stream, and the connection's floor of 65535 (RFC 9113 §6.9.2) */
    CHECK_INT(parse(&c, "--limit-rate", "10k", NULL), CLI_RUN);
    hc = paced(&c);
    want.stream_window = H2_MIN_MAX_FRAME_SIZE;
    want.conn_window = H2_DEFAULT_WINDOW;
    CHECK_CONFIG(hc, want);
    cli_release(&c);

    /* fast: never wider than without a rate; the window options still win */
    CHECK_INT(parse(&c, "--limit-rate", "10G", "--window-size", "5000", NULL), CLI_RUN);
    hc = paced(&c);
    want = defaults();
    want.stream_window = 5000;
    want.paced_credit = true;
    CHECK_CONFIG(hc, want);
    cli_release(&c);
}

TEST(test_sess_h2_setup_hpack_and_framing_aids)
{
    struct config c;
    struct h2c_config hc, want;

    CHECK_INT(parse(&c, "--header-table-size", "0", "--encoder-header-table-size", "100",
                    "--max-concurrent-streams", "7", "--padding", "255", "--continuation",
                    "--no-huffman", "--hpack-indexing", "never", "--extpri", "u=2,i", NULL),
              CLI_RUN);
    hc = build(&c);
    want = defaults();
    want.header_table_size = 0;
    want.encoder_table_cap = 100;
    want.max_concurrent = 7;
    want.padding = 255;
    want.split_blocks = true;
    want.huffman = HPACK_HUFFMAN_NEVER;
    want.indexing = HPACK_INDEX_NEVER;
    want.priority = span_str("u=2,i");
    CHECK_CONFIG(hc, want);
    cli_release(&c);

    CHECK_INT(parse(&c, "--hpack-indexing", "all", "--padding", "0", NULL), CLI_RUN);
    hc = build(&c);
    want = defaults();
    want.indexing = HPACK_INDEX_ALL;
    CHECK_CONFIG(hc, want);
    cli_release(&c);
}

/* Ours that the connection tracks follow the value sent; ENABLE_PUSH and unknown ids are
 * only announced (the trace reads ENABLE_PUSH from the extra SETTINGS). */
TEST(test_sess_h2_setup_settings)
{
    static const struct h2f_setting sent[] = {
        {H2_SETTINGS_HEADER_TABLE_SIZE, 100},   {H2_SETTINGS_INITIAL_WINDOW_SIZE, 5},
        {H2_SETTINGS_MAX_FRAME_SIZE, 20000},    {H2_SETTINGS_MAX_HEADER_LIST_SIZE, 999},
        {H2_SETTINGS_ENABLE_PUSH, 1},           {0x99, 7},
        {H2_SETTINGS_MAX_CONCURRENT_STREAMS, 3}};
    struct config c;
    struct h2c_config hc, want;
    size_t i;

    /* --settings comes after --window-size whatever the order on the command line */
    CHECK_INT(parse(&c, "--settings",
                    "HEADER_TABLE_SIZE=100,INITIAL_WINDOW_SIZE=5,MAX_FRAME_SIZE=20000",
                    "--window-size", "1000", "--settings",
                    "SETTINGS_MAX_HEADER_LIST_SIZE=999,enable_push=1,0x99=7,"
                    "MAX_CONCURRENT_STREAMS=3",
                    NULL),
              CLI_RUN);
    hc = build(&c);
    want = defaults();
    want.header_table_size = 100;
    want.stream_window = 5;
    want.max_frame_size = 20000;
    want.max_header_list_size = 999;
    want.nextra_settings = 7;
    CHECK_CONFIG(hc, want);
    for (i = 0; i < 7; i++) {
        CHECK_INT(set[i].id, sent[i].id);
        CHECK_INT(set[i].value, sent[i].value);
    }
    cli_release(&c);

    CHECK_INT(parse(&c, "--settings", "ENABLE_PUSH=0", NULL), CLI_RUN);
    hc = build(&c);
    want = defaults();
    want.nextra_settings = 1;
    CHECK_CONFIG(hc, want);
    CHECK_INT(set[0].id, H2_SETTINGS_ENABLE_PUSH);
    CHECK_INT(set[0].value, 0);
    cli_release(&c);
}

/* `--settings empty`: nothing announced, so the values the connection tracks are the
 * peer's assumptions (RFC 9113 §6.5.2), whatever other options asked for. */
TEST(test_sess_h2_setup_settings_empty)
{
    struct config c;
    struct h2c_config hc, want;

    CHECK_INT(parse(&c, "--settings", "empty", "--window-size", "1000", "--header-table-size", "0",
                    "--settings", "MAX_FRAME_SIZE=20000", NULL),
              CLI_RUN);
    hc = build(&c);
    want = defaults();
    want.empty_settings = true;
    want.stream_window = H2_DEFAULT_WINDOW;
    want.header_table_size = H2_DEFAULT_HEADER_TABLE_SIZE;
    want.max_frame_size = H2_MIN_MAX_FRAME_SIZE;
    want.nextra_settings = 1;
    CHECK_CONFIG(hc, want);
    CHECK_INT(set[0].id, H2_SETTINGS_MAX_FRAME_SIZE);
    CHECK_INT(set[0].value, 20000);
    cli_release(&c);
}

TEST(test_sess_h2_setup_observer_from_the_trace)
{
    struct trace_opts o;
    struct trace *t;
    struct h2c_config hc;
    int err;

    memset(&o, 0, sizeof(o));
    t = trace_new(&o, &err);
    CHECK_INT(err, 0);
    h2c_config_init(&hc, &xalloc_mem);
    sess_h2_observe(&hc, t, 0);
    CHECK(hc.on_frame == NULL && hc.on_bad_frame == NULL && hc.on_frame_ud == NULL);
    trace_finish(t);

    o.check = true; /* a view that needs frames, without output */
    t = trace_new(&o, &err);
    CHECK_INT(err, 0);
    sess_h2_observe(&hc, t, 3);
    CHECK(hc.on_frame != NULL && hc.on_bad_frame != NULL && hc.on_frame_ud != NULL);
    trace_finish(t);
}

/* --ping N: N PINGs queued after our SETTINGS, "h2get" and the number in three bytes. */
TEST(test_sess_h2_setup_pings_on_the_wire)
{
    static const uint8_t want[] = {
        0, 0, 8, H2F_TYPE_PING, 0, 0, 0, 0, 0, 'h', '2', 'g', 'e', 't', 0, 0, 0,
        0, 0, 8, H2F_TYPE_PING, 0, 0, 0, 0, 0, 'h', '2', 'g', 'e', 't', 0, 0, 1,
        0, 0, 8, H2F_TYPE_PING, 0, 0, 0, 0, 0, 'h', '2', 'g', 'e', 't', 0, 0, 2,
    };
    struct trace_opts o;
    struct h2c_config hc;
    struct h2c_conn *c;
    struct trace *t;
    uint8_t op[8];
    int err;

    memset(&o, 0, sizeof(o));
    t = trace_new(&o, &err);
    h2c_config_init(&hc, &xalloc_mem);
    c = h2c_new(&hc);
    CHECK(c != NULL);
    h2c_output_done(c, h2c_output(c).len); /* the preface, SETTINGS, WINDOW_UPDATE */
    CHECK_INT(sess_h2_pings(c, 3, t, 0), 0);
    CHECK_MEM(h2c_output(c).p, h2c_output(c).len, want, sizeof(want));
    h2c_free(c);
    trace_finish(t);

    sess_h2_ping_opaque(999, op);
    CHECK_MEM(op, 8, "h2get\x00\x03\xe7", 8);
    sess_h2_ping_opaque(0xabcdef, op);
    CHECK_MEM(op, 8, "h2get\xab\xcd\xef", 8);
}

/* Every count --ping accepts is sent and reported; beyond is a usage error. */
TEST(test_sess_h2_setup_ping_count)
{
    struct config c;

    CHECK_INT(parse(&c, "--ping", NULL), CLI_RUN);
    CHECK_INT(c.h2.ping, 1);
    cli_release(&c);
    CHECK_INT(parse(&c, "--ping=1000", NULL), CLI_RUN);
    CHECK_INT(c.h2.ping, 1000);
    cli_release(&c);
    CHECK_INT(parse(&c, "--ping=1001", NULL), H2E_USAGE);
    CHECK_STR(c.error, "'--ping' takes a count from 1 to 1000, not '1001'");
    cli_release(&c);
    CHECK_INT(parse(&c, "--ping=0", NULL), H2E_USAGE);
    CHECK_STR(c.error, "'--ping' takes a count from 1 to 1000, not '0'");
    cli_release(&c);
}
