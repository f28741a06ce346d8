/* SPDX-License-Identifier: MIT */
/*
 * The state of one run (struct client), shared by the client's modules: every URL in
 * command-line order, the connections, the transfers that reported an outcome and wait
 * for the router, the ordered-output cursor and the run's limits. Defined once here;
 * each module has its own header for its functions.
 */
#ifndef H2GET_RUN_H
#define H2GET_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/pace.h"
#include "cli/cli.h"
#include "net/tls.h"
#include "out/out.h"
#include "trace/trace.h"

struct xfer;
struct cconn;
struct vias;
struct jar;
struct pipe_in;
struct pipe_out;
struct tunto;

/* Initial stream window when bodies go to stdout in order: what a stream that is not first
 * in line can send before it is, so what is held stays small (64 KiB x streams). */
#define CLIENT_HELD_WINDOW (64u * 1024u)

struct client {
    const struct config *cfg;
    /* every URL of the run, in command-line order (each --repeat counted); a transfer is
     * made when it enters the dispatch window and freed once written out (reaped) */
    struct xfer **xs;
    size_t nxfers;  /* URLs in the run */
    size_t started; /* xs[0 .. started-1] were made */
    size_t reaped;  /* xs[0 .. reaped-1] were freed */
    size_t fin;     /* xs[0 .. fin-1] are done and written out (order.c) */
    size_t ndone;   /* URLs done, in any order */
    /* transfers that reported an outcome, for the router (route.c) to settle */
    struct xfer **reported;
    size_t nreported, capreported;
    struct xfer **settling; /* ... the list being settled (route.c) */
    size_t capsettling;
    struct xfer **spare; /* reaped transfers kept for reuse (client.c) */
    size_t nspare;
    bool settled;        /* the router settled something since the loop last waited */
    int first_error;     /* the result of the first failed URL in command-line order */
    size_t nretried;     /* URLs that were retried */
    size_t nretry_conns; /* connections opened for those retries (route_xfer) */
    size_t nwaiting;     /* transfers waiting for their --retry delay (retry.c) */
    uint64_t wait_next;  /* ... clock_ms() when the first of them is due */
    bool stopping;       /* --fail-early after a failure */
    int cancel_code;     /* ... the code that cancels URLs not yet done */
    struct cconn *conns;
    unsigned nconns;
    size_t nconns_open;      /* origin connections open or opening (route_may_connect) */
    size_t nconns_unstarted; /* connections made for transfers, not yet started (dispatch) */
    struct tls_ctx tls[2];   /* ALPN h2,http/1.1 and http/1.1 alone */
    bool tls_ready[2];
    bool warned_insecure;
    int tls_error;
    struct trace *trace;
    size_t in_flight;   /* requests sent and not finished, all connections */
    double rate_tokens; /* --rate token bucket */
    uint64_t rate_last;
    /* --limit-rate: the run's buckets of body bytes received (HTTP/2 connection credit
     * granted, HTTP/1.1 bytes read) and sent, shared by every connection */
    struct pace pace_in, pace_out;
    uint64_t pace_turn;  /* ... numbers the connections' turns at them (ratelim.c) */
    bool ordered;        /* several URLs and one at least to stdout: order.c holds bodies */
    struct out_sink out; /* standard output, shared by every URL */
    uint64_t bytes_done; /* body bytes of the finished ones (progress meter) */
    const char *wo_fmt;  /* the -w format, read from the file of -w @FILE */
    char *wo_file;
    bool progress; /* the meter is drawn (progress.c) */
    uint64_t progress_start, progress_last;
    uint64_t deadline; /* --max-time, 0 for none */
    bool dump_opened;  /* -D file truncated once, appended after */
    uint64_t now;      /* ms of clock_ms() at the start of this loop turn */
    struct jar *jar;   /* the cookie jar (cookies.c), NULL without -b and -c */
    char *netrc;       /* the .netrc file's bytes (creds.c), or NULL */
    size_t netrc_len;
    const char *netrc_path; /* ... its name */
    char *netrc_home;       /* ~/.netrc, made from $HOME */
    struct vias *vias;      /* the run's proxies (via.c), made when a URL first needs one */
    bool wake; /* a connection moved bytes another waits for (a tunnel): poll without waiting */
    /* stdin and stdout as pipes (pipe.h), polled by the loop: the input a transfer waits
     * for this turn (reset each turn), and the output being written through a pipe */
    struct pipe_in *wait_in;
    struct pipe_out *stdout_pipe;
    struct tunto *tunto; /* --tunnel-to: the pipe between stdin/stdout and the tunnel */
};

/* client_init - the run of `cfg` before its first URL is made: -w format, trace views,
 * stdout, the progress meter. Returns 0 or the H2E_* of a failure it has said. */
int client_init(struct client *cl, const struct config *cfg);
/* client_finish - end the run: say goodbye on open connections, flush stdout, free
 * everything. Returns `result`, or the write error of the final flush, or H2E_STRICT. */
int client_finish(struct client *cl, int result);

#endif
