/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the command-line files: cli.c (argv walking, checks after parsing,
 * help), cli_opts.c (the option table and its setters) and cli_data.c (request bodies,
 * -H headers, @FILE reading, output names). Not for other modules.
 */
#ifndef H2GET_CLI_INT_H
#define H2GET_CLI_INT_H

#include "cli.h"

/*
 * cli_fail - format the error message into `cfg->error` and return `code`, so that error
 * paths read `return cli_fail(cfg, H2E_USAGE, "unknown option '%s'", arg);`.
 */
int cli_fail(struct config *cfg, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * cli_grow - append one zeroed element of `size` bytes to the array `*p` of `*n` elements
 * (which may move) and return it; `*n` counts it. Exits through xalloc when out of memory.
 * The array's room grows by doubling: it must only ever be grown by cli_grow.
 */
void *cli_grow(void **p, size_t *n, size_t size);

/* cli_apply - parse `arg` (borrowed; it must outlive the config) by the kind of `o` and
 * call its setter, as for the same option on the command line. */
int cli_apply(struct config *cfg, const struct cli_opt *o, const char *arg);

/* cli_config.c: -K/--config FILE (also "config = FILE" inside one, nested). */
int cli_set_config(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
/* cli_config_default - read the default config file, unless argv[1] is -q/--disable.
 * Returns 0 (also when there is none), H2E_USAGE or H2E_READ with cfg->error set, or a
 * positive CLI_* when the file asks for --help or --version. */
int cli_config_default(struct config *cfg, int argc, const char *const argv[]);
void cli_release_config(struct config *cfg);

/* Setters of cli_data.c, used by the table. */
int cli_set_data(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
int cli_set_header(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
int cli_set_url(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
int cli_set_output(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);

/*
 * cli_finish_data - after parsing: lint the -H headers (unless --raw-headers) and name
 * the output files (-O, --output-dir). Returns 0, H2E_USAGE, or the url_parse error of a
 * -O URL that cannot be named.
 */
int cli_finish_data(struct config *cfg);

/* Setters of cli_more.c (HTTP/2 controls, traces, many URLs). */
int cli_set_frames(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
int cli_set_ping(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
int cli_set_color(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
int cli_set_settings(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
int cli_set_window(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
int cli_set_table_size(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
int cli_set_count(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
int cli_set_indexing(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
int cli_set_extpri(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
int cli_set_rate(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
int cli_set_url_file(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
int cli_set_strict(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
void cli_release_more(struct config *cfg);

/* Setters of cli_parity.c (retry, ranges and resume, cookies: curl's everyday options). */
int cli_set_retry(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
int cli_set_continue_at(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
int cli_set_range(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
int cli_set_proto(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
int cli_set_cookie(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
int cli_set_limit_rate(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
/* cli_cond.c: -z. cli_check_time_cond - the file's mtime, once the outputs are known;
 * H2E_USAGE when the value is neither a date nor a file (nor this run's output). */
int cli_set_time_cond(struct config *cfg, const struct cli_opt *o, const struct cli_val *v);
int cli_check_time_cond(struct config *cfg);
/* cli_check_parity - what those options need of the whole command line: 0 or H2E_USAGE. */
int cli_check_parity(struct config *cfg);

/* cli_release_data - free the headers, the body and the output names. */
void cli_release_data(struct config *cfg);

#endif
