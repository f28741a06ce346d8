/* SPDX-License-Identifier: MIT */
/*
 * The option table: the single source of --help, the man page's OPTIONS section and the
 * bash/zsh/fish completions (scripts/gendocs.sh reads it through --dump-options). Rows are
 * sorted by long name for bsearch; a test checks the order. Each row names a setter that
 * receives the argument already parsed by kind. Spellings and meanings: ../shared/CLI.md.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli_int.h"
#include "codec/proxy.h"
#include "codec/url.h"

#define FIELD(f) offsetof(struct config, f)

static int set_flag(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    (void)v;
    *(bool *)((char *)cfg + o->off) = true;
    return 0;
}

static int set_str(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    *(const char **)((char *)cfg + o->off) = v->str;
    return 0;
}

static int set_u64(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    *(uint64_t *)((char *)cfg + o->off) = v->u64;
    return 0;
}

static int set_connect_timeout(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    (void)o;
    /* As in curl, 0 means the default rather than "wait for ever". */
    cfg->net.connect_timeout_ms = v->u64 ? v->u64 : CLI_CONNECT_TIMEOUT_MS;
    return 0;
}

static int set_stall_timeout(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    (void)o;
    cfg->net.stall_timeout_ms = v->u64;
    cfg->net.stall_timeout_given = true;
    return 0;
}

static int set_max_redirs(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    if (v->num < -1 || v->num > INT32_MAX)
        return cli_fail(cfg, H2E_USAGE, "invalid number '%s' for '--%s'", v->str, o->name);
    cfg->req.max_redirs = (long)v->num;
    return 0;
}

static int set_ratio(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    if (v->num < 0)
        return cli_fail(cfg, H2E_USAGE, "invalid number '%s' for '--%s'", v->str, o->name);
    cfg->out.max_ratio = (uint64_t)v->num;
    return 0;
}

/* -q/--disable: cli_config_default looks at argv[1]; anywhere else it does nothing. */
static int set_nothing(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    (void)cfg;
    (void)o;
    (void)v;
    return 0;
}

static int set_verbose(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    (void)o;
    (void)v;
    if (cfg->out.verbose < 16)
        cfg->out.verbose++;
    return 0;
}

static int set_head(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    (void)o;
    (void)v;
    cfg->req.head = true;
    cfg->out.include = true;
    return 0;
}

static int set_upload(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    (void)o;
    cfg->req.upload_file = v->str;
    return 0;
}

static int set_http(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    (void)v;
    cfg->proto.http = (enum cli_http)o->val;
    return 0;
}

static int set_family(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    (void)v;
    cfg->net.family = o->letter == '4' ? AF_INET : AF_INET6;
    return 0;
}

static int set_tls_min(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    (void)v;
    cfg->tls.min = (enum cli_tls_min)o->val;
    return 0;
}

static int set_tls_max(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    if (!strcmp(v->str, "1.2"))
        cfg->tls.max = CLI_TLS_1_2;
    else if (!strcmp(v->str, "1.3"))
        cfg->tls.max = CLI_TLS_1_3;
    else
        return cli_fail(cfg, H2E_USAGE, "'--%s' takes 1.2 or 1.3, not '%s'", o->name, v->str);
    return 0;
}

/* net's why says what is wrong with the rule; the option is named here. */
static int bad_rule(struct config *cfg, const struct cli_opt *o, const struct cli_val *v,
                    const struct h2e_info *info)
{
    return cli_fail(cfg, H2E_USAGE, "invalid value '%s' for '--%s': %s", v->str, o->name,
                    info->why ? info->why : "bad syntax");
}

static int set_resolve(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct net_resolve_rule rule;

    if (net_parse_resolve(v->str, &rule, &info) < 0)
        return bad_rule(cfg, o, v, &info);
    *(struct net_resolve_rule *)cli_grow((void **)&cfg->net.resolve, &cfg->net.nresolve,
                                         sizeof(rule)) = rule;
    return 0;
}

static int set_connect_to(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct net_connect_to rule;

    if (net_parse_connect_to(v->str, &rule, &info) < 0)
        return bad_rule(cfg, o, v, &info);
    *(struct net_connect_to *)cli_grow((void **)&cfg->net.connect_to, &cfg->net.nconnect_to,
                                       sizeof(rule)) = rule;
    return 0;
}

static int set_noproxy(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct span bad = {NULL, 0};

    if (proxy_noproxy_check(v->str, &bad, &info) < 0)
        return cli_fail(cfg, H2E_USAGE, "bad entry '%.*s' in '--%s': %s", (int)bad.len,
                        (const char *)bad.p, o->name, info.why ? info.why : "bad syntax");
    cfg->proxy.noproxy = v->str;
    return 0;
}

/* --tunnel-to HOST:PORT: a host as in a URL (IPv6 in brackets) and an explicit port. */
static int set_tunnel_to(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    struct h2e_info info = H2E_INFO_INIT;
    char s[URL_HOST_MAX + 32];
    struct url u;

    if (strlen(v->str) > URL_HOST_MAX + 8 || strpbrk(v->str, "/?#@ ") ||
        snprintf(s, sizeof(s), "https://%s/", v->str) < 0 || url_parse(s, &u, &info) != 0)
        return cli_fail(cfg, H2E_USAGE, "bad '--%s %s': not HOST:PORT%s%s", o->name, v->str,
                        info.why ? ": " : "", info.why ? info.why : "");
    if (!u.port_explicit || u.port == 0)
        return cli_fail(cfg, H2E_USAGE, "bad '--%s %s': HOST:PORT needs a port (1-65535)", o->name,
                        v->str);
    cfg->proxy.tunnel_to = v->str;
    return 0;
}

static int set_help(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    (void)cfg;
    (void)v;
    return o->val; /* CLI_HELP, CLI_VERSION or CLI_DUMP_OPTIONS */
}

#define O_OUT CLI_CAT_OUTPUT
#define O_REQ CLI_CAT_REQUEST
#define O_DEBUG CLI_CAT_DEBUG
#define O_H2 CLI_CAT_H2
#define O_MULTI CLI_CAT_MULTI
#define O_BEH CLI_CAT_BEHAVIOUR
#define O_NET CLI_CAT_CONNECTION
#define O_TLS CLI_CAT_TLS
#define O_HTTP CLI_CAT_HTTP
#define O_INFO CLI_CAT_INFO
#define FLAG(name, l, cat, help, f)                                                                \
    {                                                                                              \
        name, l, CLI_ARG_NONE, cat, false, NULL, help, set_flag, FIELD(f)                          \
    }
#define STR(name, l, cat, arg, help, f)                                                            \
    {                                                                                              \
        name, l, CLI_ARG_STRING, cat, false, arg, help, set_str, FIELD(f)                          \
    }
#define SECS(name, l, help, set, f)                                                                \
    {                                                                                              \
        name, l, CLI_ARG_SECONDS, O_NET, false, "SECONDS", help, set, FIELD(f)                     \
    }

/* Sorted by name (strcmp); test_cli_table_sorted checks it. */
const struct cli_opt cli_opts[] = {
    FLAG("allow-unclean-close", 0, O_HTTP,
         "Accept an HTTP/1.1 body ended by a close without TLS close_notify",
         proto.allow_unclean_close),
    STR("alpn", 0, O_HTTP, "LIST", "Offer exactly the ALPN protocols of comma-separated LIST",
        h2.alpn),
    STR("cacert", 0, O_TLS, "FILE", "Trust the CA certificates in FILE instead of the system's",
        tls.cacert),
    STR("capath", 0, O_TLS, "DIR", "Trust the CA certificates in directory DIR", tls.capath),
    FLAG("check", 0, O_DEBUG, "Report the server's protocol violations seen on the wire",
         trace.check),
    FLAG("clobber", 0, O_OUT, "Let --remote-header-name overwrite an existing file",
         resume.clobber),
    {"color", 0, CLI_ARG_STRING, O_DEBUG, false, "WHEN",
     "Colour traces and headers: auto, always or never", cli_set_color, 0},
    FLAG("compressed", 0, O_REQ, "Ask for gzip, deflate, br or zstd and decode the body",
         req.compressed),
    {"config", 'K', CLI_ARG_STRING, O_INFO, true, "FILE",
     "Read options from FILE, one per line in curl's syntax ('-': stdin)", cli_set_config, 0},
    SECS("connect-timeout", 0, "Limit name resolution, TCP and TLS setup (default 30)",
         set_connect_timeout, net.connect_timeout_ms),
    {"connect-to", 0, CLI_ARG_STRING, O_NET, true, "HOST1:PORT1:HOST2:PORT2",
     "Connect to HOST2:PORT2 instead of HOST1:PORT1", set_connect_to, 0},
    {"connection-window-bits", 0, CLI_ARG_NUMBER, O_H2, false, "N",
     "Connection receive window of 2^N-1 bytes", cli_set_window, 0},
    {"connection-window-size", 0, CLI_ARG_SIZE, O_H2, false, "SIZE",
     "Connection receive window in bytes (K, M, G units)", cli_set_window, 0},
    FLAG("continuation", 0, O_H2, "Split every header block into CONTINUATION frames",
         h2.continuation),
    {"continue-at", 'C', CLI_ARG_STRING, O_REQ, false, "OFFSET",
     "Resume at byte OFFSET, or '-' for the size of the output file", cli_set_continue_at, 0},
    {"cookie", 'b', CLI_ARG_STRING, O_REQ, true, "DATA|FILE",
     "Send cookies 'a=b; c=d', or load them from a Netscape-format FILE", cli_set_cookie, 0},
    STR("cookie-jar", 'c', O_REQ, "FILE", "Write every cookie to FILE (Netscape format) at the end",
        cookies.jar),
    FLAG("create-dirs", 0, O_OUT, "Create missing directories for output files", out.create_dirs),
    {"data", 'd', CLI_ARG_STRING, O_REQ, true, "DATA",
     "POST DATA; @FILE reads a file minus CR/LF; joined by &", cli_set_data, 0},
    {"data-binary", 0, CLI_ARG_STRING, O_REQ, true, "DATA",
     "POST DATA; @FILE reads a file byte for byte", cli_set_data, 0},
    {"data-raw", 0, CLI_ARG_STRING, O_REQ, true, "DATA", "POST DATA as it is, a leading @ included",
     cli_set_data, 0},
    {"disable", 'q', CLI_ARG_NONE, O_INFO, false, NULL,
     "As the first argument: do not read the default config file", set_nothing, 0},
    STR("dump-header", 'D', O_OUT, "FILE", "Write the response headers to FILE ('-' for stdout)",
        out.dump_header),
    {"dump-options", 0, CLI_ARG_NONE, CLI_CAT_HIDDEN, false, NULL,
     "Print the option table for scripts", set_help, 0, CLI_DUMP_OPTIONS},
    FLAG("duplex", 0, O_REQ, "Stream the body (-T, --data-binary @-) while the response streams",
         req.duplex),
    {"encoder-header-table-size", 0, CLI_ARG_SIZE, O_H2, false, "SIZE",
     "Use at most SIZE bytes of HPACK table when encoding", cli_set_table_size, 0},
    STR("etag-compare", 0, O_REQ, "FILE", "Send if-none-match with the ETag saved in FILE",
        cond.etag_compare),
    STR("etag-save", 0, O_REQ, "FILE", "Save the response's ETag in FILE", cond.etag_save),
    {"extpri", 0, CLI_ARG_STRING, O_H2, false, "PRI",
     "Send the RFC 9218 priority PRI, such as u=3,i", cli_set_extpri, 0},
    FLAG("fail", 'f', O_BEH, "Exit 22 without writing the body when the status is 400 or more",
         out.fail),
    FLAG("fail-early", 0, O_MULTI, "Stop everything at the first failed URL", multi.fail_early),
    FLAG("fail-with-body", 0, O_BEH, "Exit 22 when the status is 400 or more, body written",
         out.fail_with_body),
    {"frames", 0, CLI_ARG_OPTIONAL, O_DEBUG, false, "FILE",
     "Trace every frame sent and received (to stderr or FILE)", cli_set_frames, 0},
    {"head", 'I', CLI_ARG_NONE, O_REQ, false, NULL, "Send a HEAD request and show the headers",
     set_head, 0},
    {"header", 'H', CLI_ARG_STRING, O_REQ, true, "HEADER",
     "Add 'Name: value' to the request; @FILE reads one header per line", cli_set_header, 0},
    {"header-table-size", 0, CLI_ARG_SIZE, O_H2, false, "SIZE",
     "Announce an HPACK decoder table of SIZE bytes", cli_set_table_size, 0},
    {"help", 'h', CLI_ARG_NONE, O_INFO, false, NULL, "Show this help and exit", set_help, 0,
     CLI_HELP},
    FLAG("hexdump", 0, O_DEBUG, "Hex and ASCII of each frame in the trace", trace.hexdump),
    FLAG("hpack", 0, O_DEBUG, "Show how each header field was encoded, and table changes",
         trace.hpack),
    {"hpack-indexing", 0, CLI_ARG_STRING, O_H2, false, "MODE",
     "HPACK indexing: auto, never, none or all", cli_set_indexing, 0},
    {"http1.1", 0, CLI_ARG_NONE, O_HTTP, false, NULL, "Use HTTP/1.1 only", set_http, 0,
     CLI_HTTP_1_1},
    {"http2", 0, CLI_ARG_NONE, O_HTTP, false, NULL,
     "Use HTTP/2 over https, else HTTP/1.1 (the default)", set_http, 0, CLI_HTTP_2},
    FLAG("http2-only", 0, O_HTTP, "Fail with exit 121 unless HTTP/2 is negotiated",
         proto.http2_only),
    {"http2-prior-knowledge", 0, CLI_ARG_NONE, O_HTTP, false, NULL,
     "Speak HTTP/2 at once, without Upgrade (h2c) or fallback", set_http, 0, CLI_HTTP_2_PRIOR},
    FLAG("include", 'i', O_OUT, "Write the response headers before the body", out.include),
    {"input-file", 0, CLI_ARG_STRING, O_MULTI, true, "FILE",
     "Fetch the URLs listed in FILE, one per line", cli_set_url_file, 0},
    FLAG("insecure", 'k', O_TLS, "Do not verify the server certificate", tls.insecure),
    {"ipv4", '4', CLI_ARG_NONE, O_NET, false, NULL, "Connect over IPv4 only", set_family, 0},
    {"ipv6", '6', CLI_ARG_NONE, O_NET, false, NULL, "Connect over IPv6 only", set_family, 0},
    {"json", 0, CLI_ARG_STRING, O_REQ, true, "DATA",
     "POST DATA (or @FILE) as JSON, with JSON content-type and accept", cli_set_data, 0},
    FLAG("junk-session-cookies", 'j', O_REQ, "Ignore the session cookies of -b files",
         cookies.junk_session),
    FLAG("keep-partial", 0, O_OUT, "Keep an incomplete download as FILE.part", out.keep_partial),
    STR("keylog", 0, O_TLS, "FILE", "Append the TLS secrets to FILE (NSS key log format)",
        tls.keylog),
    {"limit-rate", 0, CLI_ARG_SIZE, O_NET, false, "SPEED",
     "At most SPEED bytes/s each way, for the whole run (K, M, G units)", cli_set_limit_rate, 0},
    FLAG("location", 'L', O_BEH, "Follow redirects", req.location),
    FLAG("location-trusted", 0, O_BEH, "Send credentials to the hosts redirects lead to (unsafe)",
         cond.location_trusted),
    {"max-concurrent-streams", 0, CLI_ARG_NUMBER, O_H2, false, "N",
     "Open at most N streams at once per connection", cli_set_count, 0},
    {"max-decompressed-ratio", 0, CLI_ARG_NUMBER, O_BEH, false, "N",
     "Exit 61 when decoding expands over N times (0: off, default 1000)", set_ratio, 0},
    {"max-filesize", 0, CLI_ARG_SIZE, O_BEH, false, "SIZE",
     "Fail with exit 63 when the body exceeds SIZE bytes (K, M, G units)", set_u64,
     FIELD(out.max_filesize)},
    {"max-redirs", 0, CLI_ARG_NUMBER, O_BEH, false, "NUM",
     "Follow at most NUM redirects, -1 for no limit (default 50)", set_max_redirs, 0},
    SECS("max-time", 'm', "Limit the whole run to SECONDS", set_u64, net.max_time_ms),
    FLAG("netrc", 0, O_REQ, "Take credentials for each host from ~/.netrc", cond.netrc),
    STR("netrc-file", 0, O_REQ, "FILE", "Take credentials from FILE, in .netrc format",
        cond.netrc_file),
    FLAG("netrc-optional", 0, O_REQ, "Like --netrc; -u comes first", cond.netrc_optional),
    FLAG("no-buffer", 'N', O_OUT, "Flush the body output after every chunk", out.no_buffer),
    FLAG("no-clobber", 0, O_OUT, "Never overwrite a file; save as FILE.1, FILE.2 and so on",
         multi.no_clobber),
    FLAG("no-goaway-retry", 0, O_HTTP, "Never replay requests the server did not process",
         proto.no_goaway_retry),
    FLAG("no-huffman", 0, O_H2, "Send header strings without Huffman coding", h2.no_huffman),
    FLAG("no-progress-meter", 0, O_OUT, "Draw no progress meter", out.no_progress_meter),
    {"noproxy", 0, CLI_ARG_STRING, O_NET, false, "LIST",
     "Reach the hosts in comma-separated LIST without a proxy ('*': all)", set_noproxy, 0},
    FLAG("out-null", 0, O_OUT, "Discard the output of URLs without -o or -O, opening nothing",
         out.out_null),
    {"output", 'o', CLI_ARG_STRING, O_OUT, true, "FILE",
     "Write the body of the next URL to FILE ('-' for stdout)", cli_set_output, 0},
    STR("output-dir", 0, O_OUT, "DIR", "Save output files in DIR", out.output_dir),
    {"padding", 0, CLI_ARG_NUMBER, O_H2, false, "N", "Pad HEADERS and DATA frames with N bytes",
     cli_set_count, 0},
    FLAG("parallel", 'Z', O_MULTI, "Accepted for curl; concurrency is the default",
         multi.parallel_flag),
    {"parallel-max", 0, CLI_ARG_NUMBER, O_MULTI, false, "N",
     "Run at most N streams at once in all (default 100)", cli_set_count, 0},
    {"parallel-max-host", 0, CLI_ARG_NUMBER, O_MULTI, false, "N",
     "Run at most N streams at once per origin (default 100)", cli_set_count, 0},
    {"ping", 0, CLI_ARG_OPTIONAL_COUNT, O_H2, false, "N",
     "Send N PINGs (default 1) and report round-trip times", cli_set_ping, 0},
    FLAG("progress-bar", '#', O_OUT, "Draw the progress as a bar", multi.progress_bar),
    {"proto", 0, CLI_ARG_STRING, O_BEH, false, "LIST",
     "Allow only the protocols of LIST, such as =https or -all,+wss", cli_set_proto, 0},
    {"proto-redir", 0, CLI_ARG_STRING, O_BEH, false, "LIST",
     "Protocols redirects may lead to (default http,https)", cli_set_proto, 0, 1},
    STR("proxy", 'x', O_NET, "URL", "Use the proxy at URL: http, https, socks4(a), socks5(h)",
        proxy.url),
    STR("proxy-cacert", 0, O_TLS, "FILE", "Trust the CA certificates in FILE for an https:// proxy",
        proxy.cacert),
    {"proxy-header", 0, CLI_ARG_STRING, O_NET, true, "HEADER",
     "Add 'Name: value' to requests to the proxy; @FILE: one per line", cli_set_header, 0, 1},
    FLAG("proxy-insecure", 0, O_TLS, "Do not verify the certificate of an https:// proxy",
         proxy.insecure),
    STR("proxy-user", 'U', O_NET, "USER[:PASSWORD]",
        "Proxy credentials (Basic or SOCKS5); without :PASSWORD, ask for it", proxy.user),
    FLAG("proxytunnel", 'p', O_NET, "Tunnel http:// URLs through an HTTP proxy too (CONNECT)",
         proxy.tunnel),
    {"range", 'r', CLI_ARG_STRING, O_REQ, false, "RANGE",
     "Fetch only the bytes in RANGE, such as 0-499, 500- or -500", cli_set_range, 0},
    {"rate", 0, CLI_ARG_STRING, O_MULTI, false, "N/UNIT",
     "Start at most N requests per s, m, h or d", cli_set_rate, 0},
    FLAG("raw-headers", 0, O_REQ, "Send -H headers unchecked and with their case kept",
         req.raw_headers),
    STR("referer", 'e', O_REQ, "URL", "Send URL as the referer header", req.referer),
    FLAG("remote-header-name", 'J', O_OUT, "Name the -O file after the content-disposition field",
         resume.remote_header_name),
    {"remote-name", 'O', CLI_ARG_NONE, O_OUT, true, NULL,
     "Save the next URL's body under its last path segment", cli_set_output, 0},
    FLAG("remote-name-all", 0, O_OUT, "Save every URL's body under its last path segment",
         multi.remote_name_all),
    {"repeat", 0, CLI_ARG_NUMBER, O_MULTI, false, "N", "Fetch each URL N times", cli_set_count, 0},
    STR("request", 'X', O_REQ, "METHOD", "Use METHOD instead of GET, HEAD, POST or PUT",
        req.method),
    {"resolve", 0, CLI_ARG_STRING, O_NET, true, "HOST:PORT:ADDR",
     "Use ADDR (a comma-separated list) for HOST:PORT", set_resolve, 0},
    {"retry", 0, CLI_ARG_NUMBER, O_BEH, false, "N",
     "Retry N times after a transient failure (timeout, 408, 429, 5xx)", cli_set_retry, 0},
    FLAG("retry-all-errors", 0, O_BEH, "Retry after any failure, any method (with --retry)",
         retry.all_errors),
    FLAG("retry-connrefused", 0, O_BEH, "Count a refused connection as transient (with --retry)",
         retry.connrefused),
    {"retry-delay", 0, CLI_ARG_SECONDS, O_BEH, false, "SECONDS",
     "Wait SECONDS between retries (default: 1 s, doubled each time)", set_u64,
     FIELD(retry.delay_ms)},
    {"retry-max-time", 0, CLI_ARG_SECONDS, O_BEH, false, "SECONDS",
     "Retry only within SECONDS of the first attempt", set_u64, FIELD(retry.max_time_ms)},
    FLAG("sequential", 0, O_MULTI, "One request at a time", multi.sequential),
    {"settings", 0, CLI_ARG_STRING, O_H2, true, "NAME=V,...",
     "Add SETTINGS entries (names or 0xNN ids), or 'empty'", cli_set_settings, 0},
    FLAG("show-error", 'S', O_BEH, "Show errors even with --silent", out.show_error),
    FLAG("show-headers", 0, O_OUT, "Alias of --include", out.include),
    FLAG("silent", 's', O_BEH, "Print no warnings and no errors", out.silent),
    FLAG("skip-existing", 0, O_OUT, "Skip URLs whose output file exists", multi.skip_existing),
    FLAG("sse", 0, O_REQ, "Read a text/event-stream: print events as they arrive, reconnect",
         req.sse),
    FLAG("sse-json", 0, O_REQ, "Like --sse, one JSON object per event and line", req.sse_json),
    {"stall-timeout", 0, CLI_ARG_SECONDS, O_NET, false, "SECONDS",
     "Fail when nothing arrives for SECONDS, 0 disables (default 120)", set_stall_timeout, 0},
    /* Test aid, hidden: the default that applies when --stall-timeout is not given, so that
     * a test can show in seconds that --sse does not use it (37-sse.bats). */
    {"stall-timeout-default", 0, CLI_ARG_SECONDS, CLI_CAT_HIDDEN, false, "SECONDS",
     "Test aid: the stall timeout used when --stall-timeout is not given", set_u64,
     FIELD(net.stall_timeout_ms)},
    FLAG("stats", 0, O_DEBUG, "Print a table per stream and connection at the end", trace.stats),
    {"strict", 0, CLI_ARG_NONE, O_DEBUG, false, NULL, "Make --check violations fatal (exit 122)",
     cli_set_strict, 0},
    {"time-cond", 'z', CLI_ARG_STRING, O_REQ, false, "TIME",
     "Only if modified since TIME (a date or a file); -TIME: if not", cli_set_time_cond, 0},
    {"tls-max", 0, CLI_ARG_STRING, O_TLS, false, "VERSION", "Use TLS VERSION (1.2 or 1.3) at most",
     set_tls_max, 0},
    {"tlsv1.2", 0, CLI_ARG_NONE, O_TLS, false, NULL, "Use TLS 1.2 or later (the default)",
     set_tls_min, 0, CLI_TLS_1_2},
    {"tlsv1.3", 0, CLI_ARG_NONE, O_TLS, false, NULL, "Use TLS 1.3 or later", set_tls_min, 0,
     CLI_TLS_1_3},
    STR("trace-json", 0, O_DEBUG, "FILE", "Write every event as JSON Lines to FILE ('-': stdout)",
        trace.trace_json),
    {"trailer", 0, CLI_ARG_STRING, O_REQ, true, "HEADER",
     "Send 'Name: value' as a trailer after the request body", cli_set_header, 0, 2},
    FLAG("tunnel-half-close", 0, O_NET, "The end of stdin half-closes the --tunnel-to tunnel",
         proxy.half_close),
    {"tunnel-to", 0, CLI_ARG_STRING, O_NET, false, "HOST:PORT",
     "Pipe stdin/stdout through a tunnel to HOST:PORT (-x)", set_tunnel_to, 0},
    {"upload-file", 'T', CLI_ARG_STRING, O_REQ, false, "FILE",
     "PUT the contents of FILE ('-': stdin, with one URL only)", set_upload, 0},
    {"url", 0, CLI_ARG_STRING, O_REQ, true, "URL", "Fetch URL; @FILE reads one URL per line",
     cli_set_url_file, 0},
    STR("user", 'u', O_REQ, "USER[:PASSWORD]",
        "Send basic authentication; without :PASSWORD, ask for it", req.user),
    STR("user-agent", 'A', O_REQ, "NAME", "Send NAME as user-agent (default h2get/VERSION)",
        req.user_agent),
    {"verbose", 'v', CLI_ARG_NONE, O_BEH, true, NULL, "Describe the connection and the request",
     set_verbose, 0},
    {"version", 'V', CLI_ARG_NONE, O_INFO, false, NULL, "Show the version and exit", set_help, 0,
     CLI_VERSION},
    FLAG("waterfall", 0, O_DEBUG, "Draw the stream timings as a text chart", trace.waterfall),
    {"window-bits", 0, CLI_ARG_NUMBER, O_H2, false, "N", "Stream receive window of 2^N-1 bytes",
     cli_set_window, 0},
    {"window-size", 0, CLI_ARG_SIZE, O_H2, false, "SIZE",
     "Stream receive window in bytes (K, M, G units)", cli_set_window, 0},
    FLAG("windows", 0, O_DEBUG, "Show flow-control windows after each change", trace.windows),
    STR("write-out", 'w', O_OUT, "FORMAT", "Print FORMAT after each URL (%{variable})",
        multi.write_out),
    FLAG("ws-binary", 0, O_REQ, "WebSocket: send stdin chunks as binary messages, not lines",
         req.ws_binary),
};

const size_t cli_nopts = sizeof(cli_opts) / sizeof(cli_opts[0]);
