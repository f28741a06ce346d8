/* SPDX-License-Identifier: MIT */
/*
 * The command line: one sorted option table (cli_opts.c, curl's model) searched with bsearch
 * and dispatched by argument kind; argv -> struct config; --help, --version and the hidden
 * --dump-options (read by scripts/gendocs.sh and tests/lint/check-docs.sh) from the same
 * table. Reads the files named by -d @FILE, --data-binary @FILE, --json @FILE and -H @FILE
 * at parse time (-T files are opened later, by the client), and config files (cli_config.c:
 * the default one before argv, -K files where they stand). Never prints errors itself
 * (main does, through diag) and never connects or exits. Spellings: ../shared/CLI.md.
 */
#ifndef H2GET_CLI_H
#define H2GET_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/err.h"
#include "net/net.h"

#ifndef H2GET_VERSION
#define H2GET_VERSION "0.0.0-dev"
#endif

/* Defaults (../shared/PROMISES.md "Timeouts and liveness", CLI.md §6). */
#define CLI_CONNECT_TIMEOUT_MS 30000u
#define CLI_STALL_TIMEOUT_MS 120000u
#define CLI_MAX_REDIRS 50
#define CLI_PARALLEL_MAX 100
/* --max-decompressed-ratio: decoded bytes per received byte allowed once the decoded body
 * passes CLI_RATIO_GRACE (a small body of zeros may legitimately expand a lot). Deflate
 * tops out near 1032:1, so a gzip bomb trips it as soon as brotli or zstd ones do. */
#define CLI_MAX_DECOMPRESSED_RATIO 1000u
#define CLI_RATIO_GRACE (1024u * 1024u)
/* Config files (-K): how deep "config = FILE" may nest, and the largest file read. */
#define CLI_CONFIG_DEPTH 8u
#define CLI_CONFIG_MAX_BYTES (16u << 20)

/* Positive results of cli_parse: print something and exit 0 instead of running. */
enum cli_result {
    CLI_RUN = 0,
    CLI_HELP = 1,
    CLI_VERSION = 2,
    CLI_DUMP_OPTIONS = 3,
};

/* How an option's argument is read (curl's ARG_* kinds). */
enum cli_kind {
    CLI_ARG_NONE,           /* a flag */
    CLI_ARG_STRING,         /* any text */
    CLI_ARG_NUMBER,         /* decimal integer; each option checks its range */
    CLI_ARG_SECONDS,        /* decimal seconds, fractions allowed ("2.5"), stored in ms */
    CLI_ARG_SIZE,           /* bytes with an optional K, M or G suffix (powers of 1024) */
    CLI_ARG_OPTIONAL,       /* text given only as --name=VALUE; --name alone passes NULL, and
                             * "--name WORD" is refused when WORD looks meant for it (no "://") */
    CLI_ARG_OPTIONAL_COUNT, /* a count as --name=N or --name N (a next word of digits only
                             * is taken); --name alone passes NULL */
};

/* --help groups, in this order. */
enum cli_category {
    CLI_CAT_OUTPUT,
    CLI_CAT_REQUEST,
    CLI_CAT_BEHAVIOUR,
    CLI_CAT_CONNECTION,
    CLI_CAT_TLS,
    CLI_CAT_HTTP,
    CLI_CAT_H2,
    CLI_CAT_MULTI,
    CLI_CAT_DEBUG,
    CLI_CAT_INFO,
    CLI_CAT_HIDDEN, /* not in --help, the man page or completions */
    CLI_CAT_COUNT,
};

/* --color */
enum cli_color {
    CLI_COLOR_AUTO,
    CLI_COLOR_ALWAYS,
    CLI_COLOR_NEVER,
};

/* The debugging views (CLI.md §7); -vv and -vvv switch some on at run time. */
struct cli_trace {
    bool frames;             /* --frames[=FILE] */
    const char *frames_file; /* NULL: stderr */
    bool hpack;              /* --hpack */
    bool windows;            /* --windows */
    bool hexdump;            /* --hexdump */
    const char *trace_json;  /* --trace-json FILE ("-" for stdout), or NULL */
    bool stats;              /* --stats */
    bool waterfall;          /* --waterfall */
    enum cli_color color;    /* --color */
    bool color_given;        /* --color given: NO_COLOR does not apply */
    bool check;              /* --check */
    bool strict;             /* --strict (implies --check) */
};

/* One --settings entry (id, value). */
struct cli_setting {
    uint16_t id;
    uint32_t value;
};

/* HTTP/2 controls and test aids (CLI.md §3); 0 / false means h2get's default. */
struct cli_h2 {
    struct cli_setting *settings; /* --settings, in order; owned */
    size_t nsettings;
    bool settings_empty;        /* --settings empty: an empty first SETTINGS */
    uint32_t stream_window;     /* --window-bits / --window-size */
    bool stream_window_zero;    /* ... explicitly 0 */
    uint32_t conn_window;       /* --connection-window-bits / -size */
    bool header_table_size_set; /* --header-table-size */
    uint32_t header_table_size;
    bool encoder_table_size_set; /* --encoder-header-table-size */
    uint32_t encoder_table_size;
    uint32_t max_concurrent_streams; /* --max-concurrent-streams: our own cap */
    unsigned ping;                   /* --ping[=N]: PINGs to send */
    unsigned padding;                /* --padding N */
    bool continuation;               /* --continuation */
    bool no_huffman;                 /* --no-huffman */
    int hpack_indexing;              /* --hpack-indexing: enum hpack_index_mode */
    const char *alpn;                /* --alpn LIST, or NULL */
    const char *extpri;              /* --extpri PRI (RFC 9218), or NULL */
};

/* Many URLs (CLI.md §1, §4). */
struct cli_multi {
    bool remote_name_all;       /* --remote-name-all */
    bool no_clobber;            /* --no-clobber */
    bool skip_existing;         /* --skip-existing */
    bool sequential;            /* --sequential */
    bool fail_early;            /* --fail-early */
    bool progress_bar;          /* -# */
    bool parallel_flag;         /* -Z: accepted, concurrency is the default */
    long parallel_max;          /* --parallel-max, default 100 */
    long parallel_max_host;     /* --parallel-max-host, default 100 */
    bool parallel_max_host_set; /* given: HTTP/1.1 origins may use that many connections */
    long repeat;                /* --repeat, default 1 */
    double rate;                /* --rate: requests per second, 0 for none */
    const char *write_out;      /* -w, or NULL */
};

/* One URL to fetch, with its own output (-o/-O apply to URLs in order, as in curl). */
struct cli_url {
    const char *url;  /* borrowed from argv; NULL only while parsing */
    char *output;     /* path to write the body to, --output-dir applied; NULL for stdout.
                       * Owned by the config. */
    bool remote_name; /* -O: `output` was named after the URL's last path segment */
    bool has_output;  /* a -o or -O was given for this URL (even "-o -") */
};

/*
 * One -H header. `name` and `value` point into `line` (owned), name without the colon
 * (lower-cased unless --raw-headers), value without the leading blanks. `remove` is curl's "Name:"
 * form (nothing after the colon): drop h2get's own header of that name instead of sending one;
 * "Name;" sends an empty value.
 */
struct cli_header {
    struct span name;
    struct span value;
    bool remove;
    char *line;
};

struct cli_output {
    int verbose;             /* number of -v */
    bool silent;             /* -s */
    bool show_error;         /* -S: errors even with -s */
    bool include;            /* -i / --show-headers; also set by -I */
    bool no_buffer;          /* -N */
    bool no_progress_meter;  /* --no-progress-meter */
    bool fail;               /* -f: exit 22 on status >= 400, write nothing */
    bool fail_with_body;     /* --fail-with-body: exit 22, write the body */
    bool create_dirs;        /* --create-dirs */
    bool keep_partial;       /* --keep-partial: keep FILE.part on failure */
    const char *output_dir;  /* --output-dir, or NULL */
    const char *dump_header; /* -D FILE ("-" for stdout), or NULL */
    uint64_t max_filesize;   /* --max-filesize in bytes, 0 for no limit (exit 63) */
    uint64_t max_ratio;      /* --max-decompressed-ratio, 0 for no limit (exit 61) */
    bool out_null;           /* --out-null: URLs without -o/-O write nothing, open nothing */
};

/* What the request body is. */
enum cli_body {
    CLI_BODY_NONE,
    CLI_BODY_FORM,   /* -d / --data-binary / --data-raw: application/x-www-form-urlencoded */
    CLI_BODY_JSON,   /* --json given (with or without -d pieces, as in curl) */
    CLI_BODY_UPLOAD, /* -T FILE: streamed from the file by the client */
};

struct cli_request {
    const char *method;         /* -X, or NULL: see cli_method() */
    bool head;                  /* -I */
    struct cli_header *headers; /* -H in command-line order; owned */
    size_t nheaders;
    bool raw_headers; /* --raw-headers: no lint, no lower-casing */
    enum cli_body body;
    uint8_t *data; /* the joined -d/--json pieces (owned), `data_len` bytes */
    size_t data_len;
    const char *upload_file;     /* -T FILE, "-" for stdin */
    bool duplex;                 /* --duplex: stream the body while the response streams */
    size_t stdin_at;             /* --data-binary @-: where stdin joins `data` (+1; 0: none) */
    bool stream_post;            /* --duplex --data-binary @-: stdin streamed as a POST body */
    struct cli_header *trailers; /* --trailer in command-line order; owned */
    size_t ntrailers;
    const char *user_agent; /* -A; default "h2get/VERSION"; "" sends none */
    const char *referer;    /* -e, or NULL */
    const char *user;       /* -u "user:password" (no colon: main asks for it), or NULL */
    bool location;          /* -L */
    bool compressed;        /* --compressed: ask for and decode content codings */
    long max_redirs;        /* --max-redirs, -1 for no limit */
    bool ws_binary;         /* --ws-binary: stdin chunks are binary WebSocket messages */
    bool sse;               /* --sse: print the text/event-stream as events (client/xfer_sse) */
    bool sse_json;          /* --sse-json: one JSON object per event (implies sse) */
};

struct cli_net {
    int family;                       /* 0, AF_INET (-4) or AF_INET6 (-6) */
    uint64_t connect_timeout_ms;      /* --connect-timeout, never 0 */
    uint64_t max_time_ms;             /* -m, 0 for no limit */
    uint64_t stall_timeout_ms;        /* --stall-timeout, 0 disables */
    bool stall_timeout_given;         /* ... given (command line or config file): --sse keeps it */
    uint64_t limit_rate;              /* --limit-rate: bytes per second each way, 0 for none */
    struct net_resolve_rule *resolve; /* --resolve rules in order; owned */
    size_t nresolve;
    struct net_connect_to *connect_to; /* --connect-to rules in order; owned */
    size_t nconnect_to;
};

/* Lowest TLS version accepted. */
enum cli_tls_min {
    CLI_TLS_DEFAULT, /* 1.2 (the only versions h2get offers are 1.2 and 1.3) */
    CLI_TLS_1_2,
    CLI_TLS_1_3,
};

struct cli_tls {
    const char *cacert;   /* --cacert FILE, or NULL for the system store */
    const char *capath;   /* --capath DIR, or NULL */
    const char *keylog;   /* --keylog FILE, or NULL (SSLKEYLOGFILE still applies) */
    bool insecure;        /* -k */
    enum cli_tls_min min; /* --tlsv1.2 / --tlsv1.3 */
    enum cli_tls_min max; /* --tls-max; CLI_TLS_DEFAULT is 1.3 */
};

enum cli_http {
    CLI_HTTP_2,       /* default: ALPN h2,http/1.1 on https (http: see client.c) */
    CLI_HTTP_1_1,     /* --http1.1 */
    CLI_HTTP_2_PRIOR, /* --http2-prior-knowledge: h2c without upgrade; on https h2 only */
};

struct cli_proto {
    enum cli_http http;       /* last of --http1.1 / --http2 / --http2-prior-knowledge */
    bool http2_only;          /* --http2-only: exit 121 unless h2 is negotiated */
    bool allow_unclean_close; /* --allow-unclean-close */
    bool no_goaway_retry;     /* --no-goaway-retry: never replay unprocessed requests */
};

/* --retry and its companions (CLI.md §6), as in curl. */
struct cli_retry {
    long count;           /* --retry N: retries per URL, 0 for none */
    uint64_t delay_ms;    /* --retry-delay; 0: curl's backoff, 1 s doubled each time */
    uint64_t max_time_ms; /* --retry-max-time: no retry once this long after the start */
    bool all_errors;      /* --retry-all-errors: any failure, any method */
    bool connrefused;     /* --retry-connrefused: a refused connection is transient too */
};

/* Ranges, resume and names from the response (CLI.md §9). */
struct cli_resume {
    const char *range;       /* -r RANGE, or NULL */
    int64_t continue_at;     /* -C N; -1 for none */
    bool continue_auto;      /* -C -: from the size of the output file */
    bool remote_header_name; /* -J: name the -O file after content-disposition */
    bool clobber;            /* --clobber: -J may overwrite an existing file */
};

/* Conditional requests and credentials on redirects (CLI.md §9), as in curl. */
/* -z: which header the time goes in (curl's CURL_TIMECOND_*). */
enum cli_time_kind {
    CLI_TIME_NONE,          /* no -z, or -z FILE -o FILE before FILE exists */
    CLI_TIME_MODIFIED,      /* -z TIME, -z +TIME: if-modified-since */
    CLI_TIME_UNMODIFIED,    /* -z -TIME: if-unmodified-since */
    CLI_TIME_LAST_MODIFIED, /* -z =TIME: last-modified, as curl sends it */
};

struct cli_cond {
    const char *time_cond;        /* -z as given, or NULL */
    const char *time_value;       /* -z without its +, - or = (points into time_cond) */
    enum cli_time_kind time_kind; /* CLI_TIME_NONE when there is no condition to send */
    bool time_file;               /* time_value is not a date: a file's name */
    int64_t time_at;              /* the time: the date, or the file's mtime */
    const char *etag_save;        /* --etag-save FILE, or NULL */
    const char *etag_compare;     /* --etag-compare FILE, or NULL */
    bool location_trusted;        /* --location-trusted: credentials follow every redirect */
    bool netrc;                   /* --netrc: credentials from ~/.netrc */
    bool netrc_optional;          /* --netrc-optional: the same, -u first (as --netrc here) */
    const char *netrc_file;       /* --netrc-file FILE instead of ~/.netrc */
    unsigned proto;               /* --proto: CLI_PROTO_* bits a URL may use (default all) */
    unsigned proto_redir;         /* --proto-redir: bits a redirect may lead to (http, https) */
};

/* The protocols --proto and --proto-redir speak of, as bits. */
enum {
    CLI_PROTO_HTTP = 1u << 0,
    CLI_PROTO_HTTPS = 1u << 1,
    CLI_PROTO_WS = 1u << 2,
    CLI_PROTO_WSS = 1u << 3,
    CLI_PROTO_ALL = (1u << 4) - 1,
    CLI_PROTO_REDIR_DEFAULT = CLI_PROTO_HTTP | CLI_PROTO_HTTPS, /* curl's, minus FTP(S) */
};

/*
 * cli_proto_list - apply curl's --proto LIST to `*mask`, left to right: comma-separated
 * protocol names or "all" (any case), each with "+" (add, also with no prefix), "-"
 * (remove) or "=" (only this one from here). Returns 0, or -1 with `*bad` pointing at the
 * first unknown or empty item (`*mask` then undefined).
 */
int cli_proto_list(const char *list, unsigned *mask, const char **bad);

/* cli_proto_bit - the CLI_PROTO_* bit of a URL scheme (any case), 0 for another one. */
unsigned cli_proto_bit(const char *scheme);

/* Cookies (CLI.md §9). */
struct cli_cookies {
    const char **in; /* -b STRING-or-FILE, in order; the array is owned */
    size_t nin;
    const char *jar;   /* -c FILE, or NULL */
    bool junk_session; /* -j: drop session cookies read from files */
};

/* Proxies (CLI.md §5, §9): -x and the rest; the environment is read by the client. */
struct cli_proxy {
    const char *url;            /* -x URL; "" means no proxy, whatever the environment says */
    const char *user;           /* -U USER:PASSWORD (no colon: main asks), or NULL */
    bool tunnel;                /* -p: CONNECT even for http:// URLs */
    struct cli_header *headers; /* --proxy-header, in order; owned */
    size_t nheaders;
    const char *noproxy;   /* --noproxy LIST (checked); "" overrides no_proxy too; or NULL */
    bool insecure;         /* --proxy-insecure */
    const char *cacert;    /* --proxy-cacert FILE, or NULL for the system store */
    const char *tunnel_to; /* --tunnel-to HOST:PORT (checked), or NULL */
    bool half_close;       /* --tunnel-half-close */
};

/*
 * The parsed command line. Strings typed `const char *` borrow the argv given to
 * cli_parse, which must outlive the config; everything else is owned and freed by
 * cli_release.
 */
struct config {
    struct cli_output out;
    struct cli_request req;
    struct cli_net net;
    struct cli_tls tls;
    struct cli_proto proto;
    struct cli_trace trace;
    struct cli_h2 h2;
    struct cli_multi multi;
    struct cli_proxy proxy;
    struct cli_retry retry;
    struct cli_resume resume;
    struct cli_cookies cookies;
    struct cli_cond cond;
    struct cli_url *urls;
    size_t nurls;
    size_t url_fill; /* urls[0 .. url_fill-1] have their URL */
    size_t out_fill; /* urls[0 .. out_fill-1] have their -o/-O */
    char **lines;    /* URLs read from --url @FILE / --input-file; owned */
    size_t nlines;
    char **cfg_values; /* option values read from config files (-K); owned */
    size_t ncfg_values;
    bool nested_error; /* the failure was inside a config file: cfg->error names FILE:LINE */
    char *error;       /* why cli_parse failed (no "h2get: " prefix), whole; owned, else NULL */
};

/* One row of the option table; `set` gets the argument already parsed by `kind`. */
struct cli_val {
    const char *str; /* the argument as given (NULL for CLI_ARG_NONE) */
    long long num;   /* CLI_ARG_NUMBER */
    uint64_t u64;    /* CLI_ARG_SECONDS (ms) and CLI_ARG_SIZE (bytes) */
};

struct cli_opt {
    const char *name; /* long name without "--"; the table is sorted by it (strcmp) */
    char letter;      /* short option letter, or 0 */
    enum cli_kind kind;
    enum cli_category cat;
    bool repeat;      /* meaningful more than once (completions allow repeats) */
    const char *arg;  /* argument name for --help and the man page ("FILE"), or NULL */
    const char *help; /* one line, capitalised, no final period */
    int (*set)(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
    size_t off; /* field used by the generic setters */
    int val;    /* what a setter shared by several rows does for this one (set_http: the
                 * enum cli_http; set_tls_min: the version; set_help: the CLI_* result) */
};

extern const struct cli_opt cli_opts[];
extern const size_t cli_nopts;

/* cli_init - the defaults, owning nothing; cli_release is then a no-op. */
void cli_init(struct config *cfg);

/*
 * cli_parse - parse `argv[1..argc-1]` into `cfg` (cli_init'ed). Options and URLs mix freely;
 * "--" ends the options. Returns CLI_RUN (0) when there is something to fetch; CLI_HELP,
 * CLI_VERSION or CLI_DUMP_OPTIONS when that was asked for (print it with cli_help,
 * cli_version or cli_dump_options and exit 0); or a negative H2E_* with `cfg->error` set:
 * H2E_USAGE (unknown option, missing or bad argument, conflicting options, no URL, a -H
 * refused by the header lint, a bad config-file line as "FILE:LINE: reason", a config file
 * that includes itself), H2E_READ (an @FILE or config file could not be read), or
 * H2E_BAD_URL /
 * H2E_UNSUPPORTED_SCHEME (a -O URL that cannot be named). Running out of memory exits 27
 * through xalloc. After any result, cli_release frees what was parsed. `cfg` borrows `argv`.
 */
int cli_parse(struct config *cfg, int argc, const char *const argv[]);

/* cli_release - free what `cfg` owns; cli_init it again before reuse. */
void cli_release(struct config *cfg);

/* cli_help - the usage text, grouped by category, from the option table. */
void cli_help(FILE *f);
/* cli_version - "h2get VERSION (GnuTLS X)" and the features line. */
void cli_version(FILE *f);
/*
 * cli_dump_options - the table for scripts, one option per line, tab-separated:
 * "--name", "-x" or "", argument name or "", category name, "repeat" or "", help text,
 * then how an optional argument is written: "=" (only as --name=ARG), "word" (also as the
 * next word) or "" (the argument is not optional).
 */
void cli_dump_options(FILE *f);

/* cli_find - the option named `name` (without "--", `len` bytes), or NULL. */
const struct cli_opt *cli_find(const char *name, size_t len);
/* cli_find_letter - the option with short letter `c`, or NULL. */
const struct cli_opt *cli_find_letter(char c);
/* cli_category_name - "Output", "Request", ... */
const char *cli_category_name(enum cli_category c);

/*
 * cli_method - the request method: -X if given, else HEAD with -I, PUT with -T, POST with
 * a body, GET otherwise. Static or borrowed from argv.
 */
const char *cli_method(const struct config *cfg);

/*
 * cli_content_type - the content-type h2get sends with the body unless a -H gives one:
 * "application/json" for --json, "application/x-www-form-urlencoded" for -d and friends,
 * NULL otherwise. With --json the client also sends "accept: application/json".
 */
const char *cli_content_type(const struct config *cfg);

/* cli_net_overrides - the --resolve/--connect-to rules of `cfg` for net_route/net_resolve. */
struct net_overrides cli_net_overrides(const struct config *cfg);

#endif
