/* SPDX-License-Identifier: MIT */
/*
 * A client run for unit tests of the client modules (xfer, order, route, writeout): a
 * parsed command line, a struct client set up as client_run does, standard output going
 * to a temporary file and diag messages captured, so tests assert exact bytes.
 */
#ifndef H2GET_TEST_CFIX_H
#define H2GET_TEST_CFIX_H

#include <stdio.h>

#include "client/run.h"
#include "client/xfer.h"

struct cfix {
    struct config cfg;
    struct client cl;
    char dir[64]; /* a fresh temporary directory, removed with its files */
    char stdout_path[96];
    FILE *diag;
    char *diag_text;
    size_t diag_len;
    int init_err;
};

/* cfix_init - parse "h2get" and the NULL-terminated arguments; -o names are relative to
 * `f->dir` (the test runs with that as current directory until cfix_release). */
void cfix_init(struct cfix *f, ...);
/* cfix_make - make URL number `i` as the loop's dispatch does (not routed). */
struct xfer *cfix_make(struct cfix *f, size_t i);
/* cfix_stdout - what was written to standard output so far (flushed); static buffer. */
const char *cfix_stdout(struct cfix *f);
/* cfix_diag - the messages said so far ("h2get: ..." lines). */
const char *cfix_diag(struct cfix *f);
/* cfix_file - the contents of FILE under `f->dir`, or NULL when it does not exist. */
const char *cfix_file(struct cfix *f, const char *name);
/* cfix_headers - feed a final response head of `status` with fields "name", "value", ...
 * (NULL-terminated) to `x`; returns what xfer_on_headers returned. */
int cfix_headers(struct xfer *x, int status, ...);
/* cfix_settle - let the router settle what was reported; returns route_settle's value. */
int cfix_settle(struct cfix *f);
void cfix_release(struct cfix *f);

#endif
