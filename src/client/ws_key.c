/* SPDX-License-Identifier: MIT */
/*
 * The random and hashed parts of WebSocket (RFC 6455 §4.1, §4.2.2, §5.3): the nonce for
 * Sec-WebSocket-Key, the expected Sec-WebSocket-Accept (SHA-1 then base64, through
 * GnuTLS), and the per-frame masking keys from GnuTLS's nonce generator.
 */
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>

#include "codec/ws.h"
#include "sys/xalloc.h"
#include "ws_int.h"

/* base64 of `p`/`n` into `out` (room for `cap` with the NUL); false on failure. */
static bool b64(const void *p, size_t n, char *out, size_t cap)
{
    gnutls_datum_t in = {(unsigned char *)(uintptr_t)p, (unsigned)n}, res = {NULL, 0};
    bool ok;

    if (gnutls_base64_encode2(&in, &res) < 0)
        return false;
    ok = res.size < cap;
    if (ok) {
        memcpy(out, res.data, res.size);
        out[res.size] = 0;
    }
    gnutls_free(res.data);
    return ok;
}

int ws_key_new(char key[WS_KEY_SIZE])
{
    uint8_t nonce[16];

    /* §4.1: "a randomly selected 16-byte value" */
    if (gnutls_rnd(GNUTLS_RND_NONCE, nonce, sizeof(nonce)) < 0)
        return H2E_NOMEM;
    return b64(nonce, sizeof(nonce), key, WS_KEY_SIZE) ? 0 : H2E_NOMEM;
}

bool ws_key_accept_ok(const char *key, struct span accept)
{
    char in[61], want[40];
    uint8_t sha[20];

    if (ws_accept_input(key, in) != 0)
        return false;
    if (gnutls_hash_fast(GNUTLS_DIG_SHA1, in, 60, sha) < 0)
        return false;
    if (!b64(sha, sizeof(sha), want, sizeof(want)))
        return false;
    /* §4.1 client step 4: the value must equal it exactly (base64 is case-sensitive) */
    return span_eq_str(accept, want);
}

void ws_key_mask(void *ctx, uint8_t key[4])
{
    (void)ctx;
    /* §5.3: unpredictable per frame; on failure a fixed key still frames correctly */
    if (gnutls_rnd(GNUTLS_RND_NONCE, key, 4) < 0)
        memset(key, 0x5a, 4);
}
