/* SPDX-License-Identifier: MIT */
/*
 * The debugging views the command line asks for, as the trace's own view flags (struct
 * trace_opts): -vv and -vvv folded in, NO_COLOR applied. The trace never reads struct
 * config itself.
 */
#ifndef H2GET_CLIENT_TRACE_H
#define H2GET_CLIENT_TRACE_H

#include "cli/cli.h"
#include "trace/trace.h"

/* client_trace_opts - fill `o` from `cfg`; `o`'s strings borrow `cfg`'s. Reads NO_COLOR. */
void client_trace_opts(const struct config *cfg, struct trace_opts *o);

/* client_trace_new - trace_new with the views of `cfg` (which must outlive the trace). */
struct trace *client_trace_new(const struct config *cfg, int *err);

#endif
