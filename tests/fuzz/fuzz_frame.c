/* SPDX-License-Identifier: MIT */
/* Frame codec fuzz target, a round-trip oracle: frames are decoded in turn (max frame size
 * from the first 4 bytes, or 16384 after a client preface); each known frame must re-encode,
 * decode to the same header and encode to the same bytes again. Errors need a reason. */
#include <stdlib.h>
#include <string.h>

#include "codec/frame.h"
#include "base/h2.h"
#include "base/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int encode(const struct h2f_frame *f, uint8_t *out)
{
    struct h2f_setting s[LIMIT_SETTINGS_ENTRIES];
    size_t i, n = f->hdr.type == H2F_TYPE_SETTINGS ? f->u.settings.count : 0;
    for (i = 0; i < n; i++)
        s[i] = h2f_setting_at(f, i);
    return h2f_encode(f, s, n, out, H2_FRAME_HEADER_LEN + H2_MAX_MAX_FRAME_SIZE);
}

static void roundtrip(const struct h2f_frame *f, uint32_t max)
{
    static uint8_t a[H2_FRAME_HEADER_LEN + H2_MAX_MAX_FRAME_SIZE], b[sizeof(a)];
    struct h2f_frame g;
    int n = encode(f, a);
    if (n != (int)(H2_FRAME_HEADER_LEN + f->hdr.length) ||
        h2f_decode(a, (size_t)n, max, &g, NULL) != n || g.hdr.length != f->hdr.length ||
        g.hdr.type != f->hdr.type || g.hdr.flags != f->hdr.flags ||
        g.hdr.stream_id != f->hdr.stream_id || g.padded != f->padded ||
        g.padding.len != f->padding.len || encode(&g, b) != n || memcmp(a, b, (size_t)n) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t max = 0;
    size_t pos = 4;
    struct h2f_frame f;
    struct h2e_info info = H2E_INFO_INIT;
    int rc;

    if (size >= H2_PREFACE_LEN && memcmp(data, H2_PREFACE, H2_PREFACE_LEN) == 0)
        pos = H2_PREFACE_LEN; /* a recorded client stream: the default limit */
    else if (size >= 4)
        max = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
    max = H2_MIN_MAX_FRAME_SIZE + max % (H2_MAX_MAX_FRAME_SIZE - H2_MIN_MAX_FRAME_SIZE + 1);
    for (; pos < size; pos += (size_t)rc) {
        rc = h2f_decode(data + pos, size - pos, max, &f, &info);
        if (rc < 0 && (info.code != rc || !info.why))
            abort();
        if (rc < 0)
            return 0;
        if (f.hdr.type < H2F_TYPE_COUNT)
            roundtrip(&f, max);
    }
    return 0;
}
