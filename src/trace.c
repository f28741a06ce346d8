/* SPDX-License-Identifier: MIT */
/* The debugging views: placeholder implementation until the renderers land (issue 5). */
#include "trace.h"

#include <stdlib.h>

#include "xalloc.h"

struct trace {
    const struct config *cfg;
};

struct trace *trace_new(const struct config *cfg, int *err)
{
    struct trace *t = xcalloc(1, sizeof(*t));
    t->cfg = cfg;
    *err = 0;
    return t;
}

int trace_finish(struct trace *t)
{
    free(t);
    return 0;
}

void trace_h2_config(struct trace *t, struct h2c_config *hc, unsigned conn_id)
{
    (void)t;
    (void)hc;
    (void)conn_id;
}

void trace_h2_conn(struct trace *t, unsigned conn_id, struct h2c_conn *c)
{
    (void)t;
    (void)conn_id;
    (void)c;
}

void trace_h2_event(struct trace *t, unsigned conn_id, const struct h2c_event *ev)
{
    (void)t;
    (void)conn_id;
    (void)ev;
}

void trace_conn(struct trace *t, unsigned conn_id, enum trace_conn_event ev, const char *detail)
{
    (void)t;
    (void)conn_id;
    (void)ev;
    (void)detail;
}

void trace_tls(struct trace *t, unsigned conn_id, const struct tls_facts *f)
{
    (void)t;
    (void)conn_id;
    (void)f;
}

void trace_stream(struct trace *t, unsigned conn_id, uint32_t sid, size_t urlnum,
                  enum trace_stream_event ev, const char *detail)
{
    (void)t;
    (void)conn_id;
    (void)sid;
    (void)urlnum;
    (void)ev;
    (void)detail;
}
