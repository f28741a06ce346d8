/* SPDX-License-Identifier: MIT */
/* The error table of err.def as lookup functions; the only place errors are mapped. */
#include "err.h"

#include <stddef.h>

#include "h2.h"

struct row {
    const char *name;
    uint32_t wire;
    enum h2e_scope scope;
    int exit;
    const char *msg;
};

static const struct row rows[H2E_COUNT] = {
#define H2E_ROW(n, w, s, e, m) [H2E_IDX_##n] = {#n, H2_##w, H2E_SCOPE_##s, e, m},
#include "err.def"
#undef H2E_ROW
};

static const struct row *row_of(int code)
{
    if (code >= 0 || -1 - code >= H2E_COUNT)
        return NULL;
    return &rows[-1 - code];
}

const char *h2e_str(int code)
{
    const struct row *r = row_of(code);
    if (code == H2E_OK)
        return "ok";
    return r ? r->msg : "unknown error";
}

const char *h2e_name(int code)
{
    const struct row *r = row_of(code);
    if (code == H2E_OK)
        return "OK";
    return r ? r->name : "UNKNOWN";
}

uint32_t h2e_wire(int code)
{
    const struct row *r = row_of(code);
    return r ? r->wire : H2_INTERNAL_ERROR;
}

enum h2e_scope h2e_scope(int code)
{
    const struct row *r = row_of(code);
    return r ? r->scope : H2E_SCOPE_LOCAL;
}

int h2e_exit(int code)
{
    const struct row *r = row_of(code);
    if (code == H2E_OK)
        return 0;
    return r ? r->exit : 1;
}

bool h2e_is_fatal(int code)
{
    return h2e_scope(code) == H2E_SCOPE_CONN;
}

int h2e_set(struct h2e_info *info, int code, uint32_t stream_id, const char *why)
{
    if (info) {
        info->code = code;
        info->stream_id = stream_id;
        info->why = why;
    }
    return code;
}
