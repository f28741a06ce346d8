/* SPDX-License-Identifier: MIT */
/*
 * .netrc credentials (rules in creds.h); the codec (codec/netrc.c) reads the format.
 */
#include "creds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/netrc.h"
#include "run.h"
#include "sys/diag.h"
#include "sys/xalloc.h"
#include "vlog.h"

/* The file's bytes into cl->netrc; a missing default file is no error. */
static int load(struct client *cl, const char *path, bool must_exist)
{
    FILE *f = fopen(path, "rb");
    size_t n;

    if (!f && !must_exist && errno == ENOENT)
        return 0;
    if (!f) {
        diag_error(H2E_READ, "cannot read '%s': %s", path, strerror(errno));
        return H2E_READ;
    }
    cl->netrc = xmalloc(CREDS_FILE_MAX + 1);
    n = fread(cl->netrc, 1, CREDS_FILE_MAX + 1, f);
    if (ferror(f) || n > CREDS_FILE_MAX) {
        diag_error(H2E_READ, "cannot read '%s': %s", path,
                   ferror(f) ? strerror(errno) : "larger than 1 MiB");
        fclose(f);
        return H2E_READ;
    }
    fclose(f);
    cl->netrc_len = n;
    cl->netrc_path = path;
    return 0;
}

int creds_init(struct client *cl)
{
    const struct cli_cond *c = &cl->cfg->cond;
    const char *home = getenv("HOME");
    char login[NETRC_TOKEN_MAX + 1], password[NETRC_TOKEN_MAX + 1];
    struct h2e_info info = H2E_INFO_INIT;
    int rv;

    if (c->netrc_file)
        rv = load(cl, c->netrc_file, true);
    else if ((c->netrc || c->netrc_optional) && home && *home) {
        cl->netrc_home = out_join(home, ".netrc");
        rv = load(cl, cl->netrc_home, false);
    } else
        return 0;
    /* a broken file is said once, before any request */
    if (rv == 0 && cl->netrc &&
        netrc_lookup(span_of(cl->netrc, cl->netrc_len), span_str(""), login, password, &info) < 0) {
        diag_error(H2E_NETRC, "'%s': %s", cl->netrc_path, info.why);
        rv = H2E_NETRC;
    }
    return rv;
}

char *creds_netrc(struct client *cl, const char *host)
{
    char login[NETRC_TOKEN_MAX + 1], password[NETRC_TOKEN_MAX + 1];

    if (!cl->netrc ||
        netrc_lookup(span_of(cl->netrc, cl->netrc_len), span_str(host), login, password, NULL) !=
            1 ||
        !login[0])
        return NULL;
    vlog(cl, "using the credentials of '%s' for %s (%s)", login, host, cl->netrc_path);
    return xasprintf("%s:%s", login, password);
}

void creds_free(struct client *cl)
{
    free(cl->netrc);
    free(cl->netrc_home);
    cl->netrc = cl->netrc_home = NULL;
}
