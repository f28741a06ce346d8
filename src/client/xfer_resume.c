/* SPDX-License-Identifier: MIT */
/*
 * Ranges, resume and names from the response: -r asks for byte ranges; -C resumes a
 * download, appending to the output file only once the server has answered 206 with the
 * very byte asked for (a server that ignores the range, 200, leaves the file untouched:
 * exit 33, as curl); a 416 says the file is already complete or larger than the
 * resource; -J names the -O file after content-disposition, never over an existing file
 * without --clobber.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec/hdrval.h"
#include "run.h"
#include "sys/diag.h"
#include "sys/xalloc.h"
#include "vlog.h"
#include "xfer.h"

void xfer_resume_init(struct xfer *x)
{
    const struct cli_resume *r = &x->cl->cfg->resume;
    const char *path = x->cu->output;
    struct stat st;

    x->req.resume_from = r->continue_at;
    if (!r->continue_auto)
        return;
    x->req.resume_from = 0;
    if (path && strcmp(path, "-") && stat(path, &st) == 0 && S_ISREG(st.st_mode))
        x->req.resume_from = (int64_t)st.st_size;
}

const char *xfer_range_value(const struct xfer *x, char *buf, size_t cap)
{
    const char *range = x->cl->cfg->resume.range;

    if (range)
        snprintf(buf, cap, "bytes=%s", range);
    else if (x->req.resume_from > 0)
        snprintf(buf, cap, "bytes=%lld-", (long long)x->req.resume_from);
    else
        return NULL;
    return buf;
}

static const struct span *field(const struct msg_field *f, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (span_ieq_str(f[i].name, name))
            return &f[i].value;
    return NULL;
}

static const char *target(const struct xfer *x)
{
    return x->cu->output ? x->cu->output : "stdout";
}

/* 206: the body must start at the byte asked for. */
static int partial(struct xfer *x, const struct msg_field *f, size_t n)
{
    const struct span *v = field(f, n, "content-range");
    struct hdrval_range r;
    struct h2e_info info = H2E_INFO_INIT;

    if (!v) {
        xfer_fail(x, H2E_RANGE, "a 206 response without content-range: cannot resume");
        return H2E_RANGE;
    }
    if (hdrval_content_range(*v, &r, &info) != 0) {
        xfer_fail(x, H2E_RANGE, "%s", info.why);
        return H2E_RANGE;
    }
    if (r.first != x->req.resume_from) {
        xfer_fail(x, H2E_RANGE, "the server sent bytes from %lld, not from %lld: cannot resume",
                  (long long)r.first, (long long)x->req.resume_from);
        return H2E_RANGE;
    }
    vlog(x->cl, "resuming '%s' at byte %lld", target(x), (long long)x->req.resume_from);
    x->out.append = x->cu->output && strcmp(x->cu->output, "-") != 0;
    return 0;
}

/* 416 to -C: the file is complete (its size is the resource's), or larger than it. */
static int not_satisfiable(struct xfer *x, const struct msg_field *f, size_t n)
{
    const struct span *v = field(f, n, "content-range");
    struct hdrval_range r;
    long long at = (long long)x->req.resume_from;

    if (!v || hdrval_content_range(*v, &r, NULL) != 0 || r.complete < 0) {
        xfer_fail(x, H2E_RANGE, "the server cannot resume at byte %lld (416)", at);
        return H2E_RANGE;
    }
    if (r.complete == x->req.resume_from) {
        vlog(x->cl, "'%s' is already complete (%lld bytes)", target(x), at);
        x->resp.discard = true;
        return 0;
    }
    xfer_fail(x, H2E_RANGE,
              "'%s' has %lld bytes, more than the %lld bytes of the resource: cannot resume; "
              "the file is unchanged",
              target(x), at, (long long)r.complete);
    return H2E_RANGE;
}

static int resume(struct xfer *x, int status, const struct msg_field *f, size_t n)
{
    if (status == 206)
        return partial(x, f, n);
    if (status == 416)
        return not_satisfiable(x, f, n);
    if (status >= 200 && status < 300) {
        xfer_fail(x, H2E_RANGE,
                  "the server ignored the range and sent the whole resource (%d): cannot resume "
                  "at byte %lld; '%s' is unchanged",
                  status, (long long)x->req.resume_from, target(x));
        return H2E_RANGE;
    }
    if (x->cu->output && strcmp(x->cu->output, "-")) { /* an error page is not the rest */
        diag_warn("not writing the %d response into '%s', which is being resumed", status,
                  x->cu->output);
        x->resp.discard = true;
    }
    return 0;
}

/* -J: the -O file is named after content-disposition, in --output-dir. */
static int header_name(struct xfer *x, const struct msg_field *f, size_t n)
{
    const struct config *cfg = x->cl->cfg;
    const struct span *v = field(f, n, "content-disposition");
    char name[HDRVAL_NAME_MAX + 1];
    char *path;

    if (!v || !hdrval_filename(*v, name, sizeof(name)))
        return 0;
    path = out_join(cfg->out.output_dir, name);
    if (!cfg->resume.clobber && access(path, F_OK) == 0) {
        xfer_fail(x, H2E_WRITE,
                  "refusing to overwrite '%s' (named by content-disposition; "
                  "--clobber allows it)",
                  path);
        free(path);
        return H2E_WRITE;
    }
    vlog(x->cl, "saving as '%s' (content-disposition)", path);
    free(x->out.path);
    x->out.path = path;
    return 0;
}

int xfer_resume_check(struct xfer *x, int status, const struct msg_field *f, size_t n)
{
    const struct config *cfg = x->cl->cfg;

    if (x->req.resume_from > 0)
        return resume(x, status, f, n);
    if (cfg->resume.range && status >= 200 && status < 300 && status != 206)
        diag_warn("the server ignored the range: the whole resource follows (%d)", status);
    if (cfg->resume.remote_header_name && x->cu->remote_name && status >= 200 && status < 300)
        return header_name(x, f, n);
    return 0;
}
