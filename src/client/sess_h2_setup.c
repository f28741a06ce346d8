/* SPDX-License-Identifier: MIT */
/*
 * An HTTP/2 session's setup from the command line: our SETTINGS and the test aids of
 * CLI.md §3 as connection configuration (RFC 9113 §6.5.2, §6.9.2), the trace's frame
 * observer installed on it, and the --ping PINGs (§6.7). See sess_h2_setup.h.
 */
#include "sess_h2_setup.h"

#include "base/h2.h"

/* --settings: ours that the connection keeps track of follow the value sent (§6.5.2). */
static void apply_setting(struct h2c_config *hc, const struct cli_setting *s)
{
    switch (s->id) {
    case H2_SETTINGS_HEADER_TABLE_SIZE:
        hc->header_table_size = s->value;
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
    default: /* ENABLE_PUSH and the rest: only announced */
        break;
    }
}

static void apply_settings(struct h2c_config *hc, struct h2f_setting *set, const struct cli_h2 *h)
{
    size_t i;

    /* cli_set_settings refuses more than LIMIT_SETTINGS_ENTRIES */
    for (i = 0; i < h->nsettings && i < LIMIT_SETTINGS_ENTRIES; i++) {
        apply_setting(hc, &h->settings[i]);
        set[i] = (struct h2f_setting){h->settings[i].id, h->settings[i].value};
    }
    hc->extra_settings = set;
    hc->nextra_settings = i;
    if (h->settings_empty) {
        /* nothing announced: the peer assumes the defaults of §6.5.2 */
        hc->empty_settings = true;
        hc->stream_window = H2_DEFAULT_WINDOW;
        hc->header_table_size = H2_DEFAULT_HEADER_TABLE_SIZE;
        hc->max_frame_size = H2_MIN_MAX_FRAME_SIZE;
    }
}

void sess_h2_config(const struct config *cfg, struct h2c_config *hc, struct h2f_setting *set)
{
    const struct cli_h2 *h = &cfg->h2;

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
    hc->padding = (uint8_t)h->padding; /* 0 to 255: cli_set_count */
    hc->split_blocks = h->continuation;
    if (h->no_huffman)
        hc->huffman = HPACK_HUFFMAN_NEVER;
    if (h->hpack_indexing >= 0)
        hc->indexing = (enum hpack_index_mode)h->hpack_indexing;
    if (h->extpri)
        hc->priority = span_str(h->extpri);
    apply_settings(hc, set, h);
}

void sess_h2_pace(const struct config *cfg, struct h2c_config *hc)
{
    uint64_t rate = cfg->net.limit_rate, tenth = rate / 10;

    if (!rate)
        return;
    hc->paced_credit = true;
    /* §6.9.2: SETTINGS cannot lower the connection's 65,535; only the stream windows */
    if (tenth < hc->conn_window)
        hc->conn_window = tenth > H2_DEFAULT_WINDOW ? (uint32_t)tenth : H2_DEFAULT_WINDOW;
    if (tenth < hc->stream_window)
        hc->stream_window = tenth > H2_MIN_MAX_FRAME_SIZE ? (uint32_t)tenth : H2_MIN_MAX_FRAME_SIZE;
}

void sess_h2_observe(struct h2c_config *hc, struct trace *t, unsigned conn_id)
{
    struct trace_h2_hooks hk = trace_h2_hooks(t, conn_id);

    hc->on_frame = hk.on_frame;
    hc->on_bad_frame = hk.on_bad_frame;
    hc->on_frame_ud = hk.ud;
}

void sess_h2_ping_opaque(unsigned n, uint8_t opaque[8])
{
    opaque[0] = 'h';
    opaque[1] = '2';
    opaque[2] = 'g';
    opaque[3] = 'e';
    opaque[4] = 't';
    opaque[5] = (uint8_t)(n >> 16);
    opaque[6] = (uint8_t)(n >> 8);
    opaque[7] = (uint8_t)n;
}

int sess_h2_pings(struct h2c_conn *c, unsigned n, struct trace *t, unsigned conn_id)
{
    unsigned i;
    int rv;

    for (i = 0; i < n; i++) {
        uint8_t opaque[8];
        sess_h2_ping_opaque(i, opaque);
        if ((rv = h2c_ping(c, opaque)) != 0)
            return rv;
        trace_h2_ping(t, conn_id, i, opaque);
    }
    return 0;
}
