/* SPDX-License-Identifier: MIT */
/*
 * The debugging views' front (CLI.md §7): picks the views, opens the trace outputs, keeps
 * one record per connection, prints the end-of-run totals and tables, and closes. The
 * hooks that observe each connection are in trace_obs.c, the renderers in trace_text.c and
 * trace_json.c. When every view is off, each hook returns at once and no frame observer is
 * handed out, so tracing costs nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys/clock.h"
#include "sys/diag.h"
#include "trace_int.h"
#include "sys/xalloc.h"

double trace_now(const struct trace *t)
{
    return (double)t->clock() / 1000.0 - t->t0;
}

struct trace_crec *trace_crec(struct trace *t, unsigned conn)
{
    if (conn >= t->nconns) {
        size_t n = conn + 8;
        t->conns = xrealloc(t->conns, n * sizeof(*t->conns));
        memset(t->conns + t->nconns, 0, (n - t->nconns) * sizeof(*t->conns));
        t->nconns = n;
    }
    if (!t->conns[conn]) {
        struct trace_crec *cr = xcalloc(1, sizeof(*cr));
        cr->t = t;
        cr->id = conn;
        cr->start = trace_now(t);
        cr->max_frame_size = LIMIT_MAX_FRAME_SIZE; /* until trace_h2_conn says */
        t->conns[conn] = cr;
    }
    return t->conns[conn];
}

void trace_secret(struct trace *t, struct span s)
{
    uint8_t *copy;
    size_t i;

    if (!s.len || !t->hexdump)
        return;
    for (i = 0; i < t->nsecrets; i++)
        if (span_eq(t->secrets[i], s))
            return;
    copy = xmalloc(s.len);
    memcpy(copy, s.p, s.len);
    t->secrets = xrealloc(t->secrets, (t->nsecrets + 1) * sizeof(*t->secrets));
    t->secrets[t->nsecrets++] = span_of(copy, s.len);
}

/* Flag each occurrence of `s` in `p` in `*mask` (allocated at the first). */
static void mask_one(struct span s, const uint8_t *p, size_t len, uint8_t **mask)
{
    size_t off;

    for (off = 0; off + s.len <= len; off++) {
        if (p[off] != s.p[0] || memcmp(p + off, s.p, s.len) != 0)
            continue;
        if (!*mask)
            *mask = xcalloc(len, 1);
        memset(*mask + off, 1, s.len);
    }
}

uint8_t *trace_secret_mask(const struct trace *t, const uint8_t *p, size_t len)
{
    uint8_t *mask = NULL;
    size_t i;

    for (i = 0; i < t->nsecrets; i++)
        mask_one(t->secrets[i], p, len, &mask);
    return mask;
}

static bool want_color(enum trace_color c, FILE *f)
{
    if (c != TRACE_COLOR_AUTO)
        return c == TRACE_COLOR_ALWAYS;
    return isatty(fileno(f)) != 0;
}

static FILE *open_out(const char *path, FILE *dflt, bool *owned, int *err)
{
    FILE *f;

    *owned = false;
    if (!path || strcmp(path, "-") == 0)
        return dflt;
    f = fopen(path, "w");
    if (!f) {
        diag_error(H2E_WRITE, "cannot open '%s': %s", path, strerror(errno));
        *err = H2E_WRITE;
        return NULL;
    }
    *owned = true;
    return f;
}

static void pick_views(struct trace *t)
{
    const struct trace_opts *o = &t->o;

    t->frames = o->frames;
    t->hpack = o->hpack;
    t->windows = o->windows;
    t->hexdump = o->hexdump;
    t->check = o->check || o->strict;
    t->strict = o->strict;
    t->stats = o->stats || o->waterfall;
    t->frame_obs = t->frames || t->hpack || t->windows || t->hexdump || o->json_file || t->check;
    t->any = t->frame_obs || t->stats || o->pings;
}

struct trace *trace_new(const struct trace_opts *o, int *err)
{
    struct trace *t = xcalloc(1, sizeof(*t));
    bool text = false;

    *err = 0;
    t->o = *o;
    t->report = stderr;
    t->clock = clock_us;
    t->t0 = (double)t->clock() / 1000.0;
    pick_views(t);
    /* --hpack and --windows print into the frame trace's stream; -vvv turns on all three */
    text = t->frames || t->hpack || t->windows || t->hexdump;
    if (text)
        t->text = open_out(o->frames_file, stderr, &t->text_owned, err);
    if (o->json_file && !*err)
        t->json = open_out(o->json_file, stdout, &t->json_owned, err);
    if (t->text)
        t->color = want_color(o->color, t->text);
    return t;
}

static void crec_release(struct trace_crec *cr)
{
    if (cr->shadow_ready) {
        hpack_decoder_release(&cr->shadow);
        hpack_list_release(&cr->sent_list);
        buf_release(&cr->sent_block);
        cr->shadow_ready = false;
    }
    free(cr->pings);
}

static void print_hpack_totals(struct trace *t)
{
    const struct trace_hpack_total *tot[2] = {&t->hp_sent, &t->hp_recv};
    static const char *const dir[2] = {"sent", "received"};
    int i;

    for (i = 0; i < 2; i++)
        fprintf(t->text, "hpack total %s: blocks=%u wire=%llu decoded=%llu ratio=%.1f%%\n", dir[i],
                tot[i]->blocks, (unsigned long long)tot[i]->wire,
                (unsigned long long)tot[i]->decoded,
                tot[i]->decoded ? 100.0 * (double)tot[i]->wire / (double)tot[i]->decoded : 0.0);
}

static void forget_secrets(struct trace *t)
{
    size_t i;

    for (i = 0; i < t->nsecrets; i++) {
        memset((void *)t->secrets[i].p, 0, t->secrets[i].len);
        free((void *)t->secrets[i].p);
    }
    free(t->secrets);
}

int trace_finish(struct trace *t)
{
    int rv = t->strict && t->violations ? H2E_STRICT : 0;
    size_t i;

    if (t->hpack && t->text)
        print_hpack_totals(t);
    if (t->o.stats)
        trace_stats_print(t, t->report);
    if (t->o.waterfall)
        trace_waterfall_print(t, t->report, 60);
    if (t->text && t->text_owned)
        fclose(t->text);
    else if (t->text)
        fflush(t->text);
    if (t->json && t->json_owned)
        fclose(t->json);
    else if (t->json)
        fflush(t->json);
    for (i = 0; i < t->nconns; i++) {
        if (t->conns[i])
            crec_release(t->conns[i]);
        free(t->conns[i]);
    }
    free(t->conns);
    free(t->streams);
    forget_secrets(t);
    free(t);
    return rv;
}
