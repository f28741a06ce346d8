/* SPDX-License-Identifier: MIT */
/*
 * The debugging views' front (CLI.md §7): opens the trace outputs, installs the frame
 * observer on each HTTP/2 connection, decodes our own header blocks with a shadow of the
 * peer's HPACK decoder (RFC 7541 §2.2) so that sent fields show as received ones do, owes a
 * --windows line until a frame has been processed, and applies the test aids of CLI.md §3
 * to the connection's configuration. When every view is off, each hook returns at once and
 * no observer is installed, so tracing costs nothing. Renderers are in trace_text.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys/clock.h"
#include "sys/diag.h"
#include "base/h2.h"
#include "trace_int.h"
#include "sys/xalloc.h"

static double mono_ms(void)
{
    return (double)clock_us() / 1000.0;
}

double trace_now(const struct trace *t)
{
    return mono_ms() - t->t0;
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
        t->conns[conn] = cr;
    }
    return t->conns[conn];
}

static bool want_color(const struct cli_trace *o, FILE *f)
{
    const char *nc = getenv("NO_COLOR");

    if (o->color == CLI_COLOR_ALWAYS)
        return true;
    if (o->color == CLI_COLOR_NEVER || (!o->color_given && nc && *nc))
        return false;
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

static void pick_views(struct trace *t, const struct config *cfg)
{
    const struct cli_trace *o = &cfg->trace;
    int v = cfg->out.verbose;

    t->frames = o->frames || v >= 2;
    t->hpack = o->hpack || v >= 3;
    t->windows = o->windows || v >= 3;
    t->hexdump = o->hexdump;
    t->check = o->check || o->strict;
    t->strict = o->strict;
    t->stats = o->stats || o->waterfall;
    t->frame_obs = t->frames || t->hpack || t->windows || t->hexdump || o->trace_json || t->check;
    t->any = t->frame_obs || t->stats || cfg->h2.ping;
}

struct trace *trace_new(const struct config *cfg, int *err)
{
    struct trace *t = xcalloc(1, sizeof(*t));
    bool text = false;

    *err = 0;
    t->cfg = cfg;
    t->t0 = mono_ms();
    t->max_frame_size = LIMIT_MAX_FRAME_SIZE;
    pick_views(t, cfg);
    /* --hpack and --windows print into the frame trace's stream; -vvv turns on all three */
    text = t->frames || t->hpack || t->windows || t->hexdump;
    if (text)
        t->text = open_out(cfg->trace.frames_file, stderr, &t->text_owned, err);
    if (cfg->trace.trace_json && !*err)
        t->json = open_out(cfg->trace.trace_json, stdout, &t->json_owned, err);
    if (t->text)
        t->color = want_color(&cfg->trace, t->text);
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

int trace_finish(struct trace *t)
{
    int rv = t->strict && t->violations ? H2E_STRICT : 0;
    size_t i;

    if (t->hpack && t->text)
        print_hpack_totals(t);
    if (t->cfg->trace.stats)
        trace_stats_print(t, stderr);
    if (t->cfg->trace.waterfall)
        trace_waterfall_print(t, stderr, 60);
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
    free(t);
    return rv;
}

/* --settings: ours that the connection keeps track of follow the value sent (§6.5.2). */
static void apply_setting(struct trace *t, struct h2c_config *hc, const struct cli_setting *s)
{
    switch (s->id) {
    case H2_SETTINGS_HEADER_TABLE_SIZE:
        hc->header_table_size = s->value;
        break;
    case H2_SETTINGS_ENABLE_PUSH:
        t->push_allowed = s->value != 0;
        break;
    case H2_SETTINGS_INITIAL_WINDOW_SIZE:
        hc->stream_window = s->value;
        break;
    case H2_SETTINGS_MAX_FRAME_SIZE:
        hc->max_frame_size = s->value;
        break;
    case H2_SETTINGS_MAX_HEADER_LIST_SIZE:
        hc->max_header_list_size = s->value;
        break;
    default:
        break;
    }
}

static void apply_settings(struct trace *t, struct h2c_config *hc, const struct cli_h2 *h)
{
    size_t i;

    t->nsettings = 0;
    for (i = 0; i < h->nsettings && i < LIMIT_SETTINGS_ENTRIES; i++) {
        apply_setting(t, hc, &h->settings[i]);
        t->settings[t->nsettings++] = (struct h2f_setting){h->settings[i].id, h->settings[i].value};
    }
    hc->extra_settings = t->settings;
    hc->nextra_settings = t->nsettings;
    if (h->settings_empty) {
        /* nothing announced: the peer assumes the defaults of §6.5.2 */
        hc->empty_settings = true;
        hc->stream_window = H2_DEFAULT_WINDOW;
        hc->header_table_size = H2_DEFAULT_HEADER_TABLE_SIZE;
        hc->max_frame_size = H2_MIN_MAX_FRAME_SIZE;
    }
}

void trace_h2_config(struct trace *t, struct h2c_config *hc, unsigned conn_id)
{
    const struct cli_h2 *h = &t->cfg->h2;

    if (h->stream_window || h->stream_window_zero)
        hc->stream_window = h->stream_window;
    /* RFC 9113 §6.9.2: the connection window starts at 65535 and only grows */
    if (h->conn_window)
        hc->conn_window = h->conn_window > H2_DEFAULT_WINDOW ? h->conn_window : H2_DEFAULT_WINDOW;
    if (h->header_table_size_set)
        hc->header_table_size = h->header_table_size;
    if (h->encoder_table_size_set)
        hc->encoder_table_cap = h->encoder_table_size;
    hc->max_concurrent = h->max_concurrent_streams;
    hc->padding = (uint8_t)(h->padding > 255 ? 255 : h->padding);
    hc->split_blocks = h->continuation;
    if (h->no_huffman)
        hc->huffman = HPACK_HUFFMAN_NEVER;
    if (h->hpack_indexing >= 0)
        hc->indexing = (enum hpack_index_mode)h->hpack_indexing;
    if (h->extpri)
        hc->priority = span_str(h->extpri);
    apply_settings(t, hc, h);
    t->max_frame_size = hc->max_frame_size;
    trace_h2_observe(t, hc, conn_id);
}
