/* SPDX-License-Identifier: MIT */
/*
 * The progress meter: one status line on stderr, redrawn at most four times a second, when
 * stderr is a terminal and bodies go to files (so it never mixes with a body on the
 * screen). Bytes, rate, URLs active and done, and an ETA when every active size is known;
 * -# draws a bar instead. -s and --no-progress-meter turn it off; it is never drawn on a
 * non-terminal.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"

#include "run.h"
#include "xfer.h"

#define TICK_MS 250

static bool wanted(const struct client *cl)
{
    const struct config *cfg = cl->cfg;
    size_t i;

    if (cfg->out.silent || cfg->out.no_progress_meter || cfg->out.verbose || !isatty(STDERR_FILENO))
        return false;
    for (i = 0; i < cfg->nurls; i++)
        if (cfg->urls[i].output)
            return true;
    return false;
}

void progress_init(struct client *cl)
{
    cl->progress = wanted(cl);
    cl->progress_start = cl->now;
}

static void human(uint64_t n, char *out, size_t cap)
{
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)n;
    size_t u = 0;

    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    snprintf(out, cap, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

void progress_tick(struct client *cl, bool final)
{
    uint64_t bytes = 0, expect = 0, got = 0, ms;
    size_t i, done = 0, active = 0;
    bool sizes = true;
    char b[32], r[32], line[256]; /* the longest line (20-digit counts, ETA) fits */

    if (!cl->progress || (!final && cl->now - cl->progress_last < TICK_MS))
        return;
    cl->progress_last = cl->now;
    bytes = cl->bytes_done;
    done = cl->ndone;
    for (i = cl->reaped; i < cl->started; i++) {
        const struct xfer *x = cl->xs[i];
        if (x->phase != XFER_SENT)
            continue;
        bytes += x->resp.body_bytes;
        active++;
        sizes = sizes && x->resp.expect_len > 0;
        expect += x->resp.expect_len;
        got += x->resp.body_bytes;
    }
    ms = cl->now > cl->progress_start ? cl->now - cl->progress_start : 1;
    human(bytes, b, sizeof(b));
    human(bytes * 1000 / ms, r, sizeof(r));
    if (cl->cfg->multi.progress_bar && cl->nxfers) {
        unsigned w = 40, k = (unsigned)(done * w / cl->nxfers);
        char bar[48];
        memset(bar, '#', k);
        memset(bar + k, ' ', w - k);
        bar[w] = 0;
        snprintf(line, sizeof(line), "%s %5.1f%%", bar, 100.0 * (double)done / (double)cl->nxfers);
    } else {
        int n = snprintf(line, sizeof(line), "%zu/%zu done, %zu active, %s, %s/s", done, cl->nxfers,
                         active, b, r);
        if (sizes && active && expect > got && bytes && n > 0 && (size_t)n < sizeof(line)) {
            uint64_t eta = (expect - got) * ms / bytes / 1000;
            snprintf(line + n, sizeof(line) - (size_t)n, ", ETA %" PRIu64 ":%02" PRIu64, eta / 60,
                     eta % 60);
        }
    }
    fprintf(stderr, "\r%-79s%s", line, final ? "\n" : "");
    fflush(stderr);
}
