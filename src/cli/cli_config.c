/* SPDX-License-Identifier: MIT */
/*
 * Config files (-K/--config FILE, curl's syntax, CLI.md §8): each line is one option,
 * split and unescaped by codec/cfgline and applied exactly as on the command line, so a
 * file means what the same options typed out mean. The default file ($H2GET_CONFIG, else
 * the first of $XDG_CONFIG_HOME/h2get/h2getrc and ~/.h2getrc that exists) is read before
 * the command line, which therefore overrides it; -q/--disable as the first argument
 * skips it. A file may name another with "config = FILE" (or -K), up to
 * CLI_CONFIG_DEPTH deep; one that includes itself is refused. Errors go into
 * cfg->error as "FILE:LINE: reason"; nothing is printed here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_int.h"
#include "codec/cfgline.h"
#include "sys/xalloc.h"

/* A config file being read, and the ones that included it. */
struct frame {
    const char *path;
    dev_t dev;
    ino_t ino;
    unsigned depth;
    const struct frame *up;
};

static int read_config(struct config *cfg, const char *path, const struct frame *up);

/* The whole file `f` into `*out` (malloc'ed) and `*len`; errno on failure. */
static int slurp(FILE *f, char **out, size_t *len)
{
    size_t cap = 0, n = 0;
    char *p = NULL;

    for (;;) {
        if (n == cap) {
            if (cap >= CLI_CONFIG_MAX_BYTES) {
                free(p);
                return EFBIG;
            }
            p = xrealloc(p, cap = cap ? cap * 2 : 4096);
        }
        n += fread(p + n, 1, cap - n, f);
        if (n < cap)
            break;
    }
    if (ferror(f)) {
        free(p);
        return errno ? errno : EIO;
    }
    *out = p;
    *len = n;
    return 0;
}

/* The error of line `no` of `path`, in front of what the setter said (cfg->error). */
static int at_line(struct config *cfg, int rv, const char *path, size_t no)
{
    char *why = cfg->error;

    cfg->error = NULL;
    cli_fail(cfg, rv, "%s:%zu: %s", path, no, why ? why : h2e_str(rv));
    free(why);
    return rv;
}

/* The option a line names: "-o" by its letter, "output" and "--output" by name. */
static const struct cli_opt *lookup(struct config *cfg, const struct cfgline *l)
{
    const struct cli_opt *o;

    if (l->is_short && l->name.len != 1) {
        cli_fail(cfg, H2E_USAGE, "write one short option per line ('-%.*s')", (int)l->name.len,
                 (const char *)l->name.p);
        return NULL;
    }
    o = l->is_short ? cli_find_letter((char)l->name.p[0])
                    : cli_find((const char *)l->name.p, l->name.len);
    if (!o)
        cli_fail(cfg, H2E_USAGE, "unknown option '%s%.*s'", l->is_short ? "-" : "--",
                 (int)l->name.len, (const char *)l->name.p);
    return o;
}

/* One option line: its value is kept (setters borrow it) and applied as on argv. */
static int option(struct config *cfg, const struct cfgline *l, const struct buf *v,
                  const struct frame *fr)
{
    const struct cli_opt *o = lookup(cfg, l);
    char *value;

    if (!o)
        return H2E_USAGE;
    if (o->kind == CLI_ARG_NONE && l->has_value)
        return cli_fail(cfg, H2E_USAGE, "option '--%s' takes no value", o->name);
    if (o->kind != CLI_ARG_NONE && o->kind != CLI_ARG_OPTIONAL &&
        o->kind != CLI_ARG_OPTIONAL_COUNT && !l->has_value)
        return cli_fail(cfg, H2E_USAGE, "option '--%s' requires a value", o->name);
    if (!l->has_value)
        return cli_apply(cfg, o, NULL);
    value = xstrdup((const char *)v->p);
    *(char **)cli_grow((void **)&cfg->cfg_values, &cfg->ncfg_values, sizeof(char *)) = value;
    if (o->set == cli_set_config)
        return read_config(cfg, value, fr);
    return cli_apply(cfg, o, value);
}

/* Every line of `text` (from `fr->path`). */
static int run_lines(struct config *cfg, struct span text, const struct frame *fr)
{
    struct h2e_info info = H2E_INFO_INIT;
    struct cfgline l;
    struct span line;
    struct buf v;
    size_t no = 0;
    int rv = 0;

    buf_init(&v, &xalloc_mem, CLI_CONFIG_MAX_BYTES);
    while (rv == 0 && cfgline_next(&text, &line)) {
        no++;
        rv = cfgline_parse(line, &l, &v, &info);
        if (rv < 0) {
            rv = cli_fail(cfg, rv, "%s:%zu: %s", fr->path, no, info.why);
            break;
        }
        if (rv == 0)
            continue; /* blank or comment */
        /* negative: an error; positive: CLI_HELP or CLI_VERSION asked for in the file */
        rv = option(cfg, &l, &v, fr);
        if (rv < 0 && !cfg->nested_error)
            rv = at_line(cfg, rv, fr->path, no);
    }
    buf_release(&v);
    return rv;
}

/* Refuse a file already being read (it would include itself for ever) or one too deep. */
static int check_nesting(struct config *cfg, const struct frame *fr)
{
    const struct frame *p;

    if (fr->depth > CLI_CONFIG_DEPTH)
        return cli_fail(cfg, H2E_USAGE, "config files nested more than %u deep at '%s'",
                        CLI_CONFIG_DEPTH, fr->path);
    for (p = fr->up; p; p = p->up) {
        if (p->dev != fr->dev || p->ino != fr->ino)
            continue;
        if (p == fr->up)
            return cli_fail(cfg, H2E_USAGE, "config file '%s' includes itself", p->path);
        return cli_fail(cfg, H2E_USAGE, "config file '%s' includes itself through '%s'", p->path,
                        fr->up->path);
    }
    return 0;
}

static int read_config(struct config *cfg, const char *path, const struct frame *up)
{
    struct frame fr = {path, 0, 0, up ? up->depth + 1 : 1, up};
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    struct stat st = {0};
    char *text = NULL;
    size_t len = 0;
    int err, rv;

    if (!f)
        return cli_fail(cfg, H2E_READ, "cannot read config file '%s': %s", path, strerror(errno));
    if (fstat(fileno(f), &st) == 0) {
        fr.dev = st.st_dev;
        fr.ino = st.st_ino;
    }
    err = S_ISDIR(st.st_mode) ? EISDIR : 0;
    if ((rv = check_nesting(cfg, &fr)) == 0 && !err)
        err = slurp(f, &text, &len);
    if (f != stdin)
        fclose(f);
    if (rv == 0 && err)
        rv = cli_fail(cfg, H2E_READ, "cannot read config file '%s': %s", path, strerror(err));
    if (rv == 0 && (rv = run_lines(cfg, span_of(text, len), &fr)) < 0)
        cfg->nested_error = true; /* its FILE:LINE is the one to show, not an includer's */
    free(text);
    return rv;
}

int cli_set_config(struct config *cfg, const struct cli_opt *o, const struct cli_val *v)
{
    (void)o;
    return read_config(cfg, v->str, NULL);
}

/* $H2GET_CONFIG, else the first default file that exists; NULL for none (caller frees). */
static char *default_path(void)
{
    const char *env = getenv("H2GET_CONFIG"), *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    char *p;

    if (env && *env)
        return access(env, F_OK) == 0 ? xstrdup(env) : NULL;
    if (xdg && *xdg) {
        p = xasprintf("%s/h2get/h2getrc", xdg);
        if (access(p, F_OK) == 0)
            return p;
        free(p);
    }
    if (home && *home) {
        p = xasprintf("%s/.h2getrc", home);
        if (access(p, F_OK) == 0)
            return p;
        free(p);
    }
    return NULL;
}

/* --help, --version and --dump-options (gendocs) work whatever the default file holds. */
static bool asks_info(int argc, const char *const argv[])
{
    static const char *const info[] = {"-h", "--help", "-V", "--version", "--dump-options"};
    int i;
    size_t k;

    for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
        for (k = 0; k < sizeof(info) / sizeof(info[0]); k++)
            if (!strcmp(argv[i], info[k]))
                return true;
    return false;
}

int cli_config_default(struct config *cfg, int argc, const char *const argv[])
{
    char *path;
    int rv;

    /* curl: -q/--disable must be the first argument to skip the default file */
    if (argc > 1 && (!strcmp(argv[1], "-q") || !strcmp(argv[1], "--disable")))
        return 0;
    if (!(path = default_path()))
        return 0;
    rv = read_config(cfg, path, NULL);
    free(path);
    if (rv < 0 && asks_info(argc, argv)) {
        free(cfg->error);
        cfg->error = NULL;
        cfg->nested_error = false;
        rv = 0;
    }
    return rv;
}

void cli_release_config(struct config *cfg)
{
    size_t i;

    for (i = 0; i < cfg->ncfg_values; i++)
        free(cfg->cfg_values[i]);
    free(cfg->cfg_values);
}
