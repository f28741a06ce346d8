/* SPDX-License-Identifier: MIT */
/*
 * SOCKS4/4a and SOCKS5 messages (RFC 1928, RFC 1929). Writers build whole messages in the
 * caller's buf; parsers check the fixed fields a client relies on and leave the meaning of
 * reply codes to the caller. IP literals are recognised with the proxy codec's parser, so
 * that "socks5h://" sends an address as an address and only names as names.
 */
#include "socks.h"

#include <string.h>

#include "proxy.h"

/* RFC 1928 §4/§5 address types; SOCKS4 version and command (CONNECT). */
#define ATYP_IPV4 1
#define ATYP_NAME 3
#define ATYP_IPV6 4
#define SOCKS5_VERSION 5
#define SOCKS5_CMD_CONNECT 1
#define SOCKS4_VERSION 4
#define SOCKS4_CMD_CONNECT 1
#define RFC1929_VERSION 1

int socks_target_host(struct socks_target *t, const char *host, uint16_t port,
                      struct h2e_info *info)
{
    size_t n = strlen(host);
    int k = proxy_parse_ip(host, n, t->addr);

    t->port = port;
    t->name = NULL;
    t->name_len = 0;
    if (k == 4 || k == 16) {
        t->type = k == 4 ? SOCKS_ADDR_IPV4 : SOCKS_ADDR_IPV6;
        return 0;
    }
    /* RFC 1928 §5: a name is one length octet and at most 255 bytes */
    if (n == 0 || n > 255)
        return h2e_set(info, H2E_USAGE, 0, "a SOCKS host name is 1-255 bytes");
    t->type = SOCKS_ADDR_NAME;
    t->name = host;
    t->name_len = n;
    return 0;
}

static int bad(struct h2e_info *info, const char *why)
{
    return h2e_set(info, H2E_PROXY_HANDSHAKE, 0, why);
}

int socks_greeting(struct buf *out, bool userpass)
{
    const uint8_t g[4] = {SOCKS5_VERSION, userpass ? 2 : 1, SOCKS_METHOD_NONE,
                          SOCKS_METHOD_USERPASS};

    return buf_append(out, g, userpass ? 4 : 3);
}

int socks_parse_method(const uint8_t *p, size_t len, uint8_t *method, struct h2e_info *info)
{
    if (len < 2)
        return H2E_INCOMPLETE;
    if (p[0] != SOCKS5_VERSION)
        return bad(info, "the proxy's method selection is not SOCKS version 5");
    *method = p[1];
    return 2;
}

int socks_auth_request(struct buf *out, struct span user, struct span password,
                       struct h2e_info *info)
{
    size_t start = out->len;
    uint8_t b[2];
    int rv;

    /* RFC 1929 §2: ULEN is 1-255, PLEN 1-255 (an empty password is sent as PLEN 0, as
     * curl and OpenSSH do) */
    if (user.len == 0 || user.len > 255 || password.len > 255)
        return h2e_set(info, H2E_USAGE, 0, "SOCKS5 user name and password are 1-255 bytes");
    b[0] = RFC1929_VERSION;
    b[1] = (uint8_t)user.len;
    rv = buf_append(out, b, 2);
    if (!rv)
        rv = buf_append(out, user.p, user.len);
    b[0] = (uint8_t)password.len;
    if (!rv)
        rv = buf_append(out, b, 1);
    if (!rv)
        rv = buf_append(out, password.p, password.len);
    if (rv)
        out->len = start;
    return rv;
}

int socks_parse_auth(const uint8_t *p, size_t len, uint8_t *status, struct h2e_info *info)
{
    if (len < 2)
        return H2E_INCOMPLETE;
    if (p[0] != RFC1929_VERSION)
        return bad(info, "the proxy's authentication reply is not version 1 (RFC 1929)");
    *status = p[1];
    return 2;
}

/* The address of `t` in SOCKS5 form (type octet, address, port) into `b`; its length. */
static size_t addr5(const struct socks_target *t, uint8_t *b)
{
    size_t n = 1;

    if (t->type == SOCKS_ADDR_IPV4) {
        b[0] = ATYP_IPV4;
        memcpy(b + 1, t->addr, 4);
        n += 4;
    } else if (t->type == SOCKS_ADDR_IPV6) {
        b[0] = ATYP_IPV6;
        memcpy(b + 1, t->addr, 16);
        n += 16;
    } else {
        b[0] = ATYP_NAME;
        b[1] = (uint8_t)t->name_len;
        memcpy(b + 2, t->name, t->name_len);
        n += 1 + t->name_len;
    }
    b[n++] = (uint8_t)(t->port >> 8);
    b[n++] = (uint8_t)t->port;
    return n;
}

int socks_connect5(struct buf *out, const struct socks_target *t)
{
    uint8_t b[3 + 2 + 255 + 2] = {SOCKS5_VERSION, SOCKS5_CMD_CONNECT, 0};

    return buf_append(out, b, 3 + addr5(t, b + 3));
}

int socks_parse_reply5(const uint8_t *p, size_t len, struct socks_reply5 *r, struct h2e_info *info)
{
    size_t need;

    if (len < 5)
        return H2E_INCOMPLETE;
    if (p[0] != SOCKS5_VERSION)
        return bad(info, "the proxy's reply is not SOCKS version 5");
    if (p[2] != 0)
        return bad(info, "reserved byte of the proxy's reply is not zero (RFC 1928 §6)");
    switch (p[3]) {
    case ATYP_IPV4:
        need = 4 + 4 + 2;
        r->bnd_type = SOCKS_ADDR_IPV4;
        break;
    case ATYP_IPV6:
        need = 4 + 16 + 2;
        r->bnd_type = SOCKS_ADDR_IPV6;
        break;
    case ATYP_NAME:
        need = 4 + 1 + (size_t)p[4] + 2;
        r->bnd_type = SOCKS_ADDR_NAME;
        break;
    default:
        return bad(info, "unknown address type in the proxy's reply");
    }
    if (len < need)
        return H2E_INCOMPLETE;
    r->rep = p[1];
    return (int)need;
}

const char *socks_reply5_name(uint8_t rep)
{
    /* RFC 1928 §6 */
    static const char *const names[] = {
        "succeeded",
        "general SOCKS server failure",
        "connection not allowed by ruleset",
        "network unreachable",
        "host unreachable",
        "connection refused",
        "TTL expired",
        "command not supported",
        "address type not supported",
    };
    return rep < sizeof(names) / sizeof(names[0]) ? names[rep] : "unassigned reply code";
}

int socks_connect4(struct buf *out, const struct socks_target *t, struct span userid,
                   struct h2e_info *info)
{
    uint8_t b[8] = {
        SOCKS4_VERSION, SOCKS4_CMD_CONNECT, (uint8_t)(t->port >> 8), (uint8_t)t->port, 0, 0, 0, 1};
    size_t start = out->len;
    int rv;

    if (t->type == SOCKS_ADDR_IPV6)
        return h2e_set(info, H2E_USAGE, 0, "SOCKS4 cannot reach an IPv6 address");
    if (memchr(userid.p, 0, userid.len))
        return h2e_set(info, H2E_USAGE, 0, "a SOCKS4 user id cannot hold a NUL byte");
    if (t->type == SOCKS_ADDR_IPV4)
        memcpy(b + 4, t->addr, 4); /* else SOCKS4a: 0.0.0.1, the name follows the user id */
    rv = buf_append(out, b, 8);
    if (!rv)
        rv = buf_append(out, userid.p, userid.len);
    if (!rv)
        rv = buf_append(out, "", 1);
    if (!rv && t->type == SOCKS_ADDR_NAME)
        rv = buf_append(out, t->name, t->name_len);
    if (!rv && t->type == SOCKS_ADDR_NAME)
        rv = buf_append(out, "", 1);
    if (rv)
        out->len = start;
    return rv;
}

int socks_parse_reply4(const uint8_t *p, size_t len, uint8_t *cd, struct h2e_info *info)
{
    if (len < 8)
        return H2E_INCOMPLETE;
    if (p[0] != 0)
        return bad(info, "the proxy's SOCKS4 reply version is not 0");
    *cd = p[1];
    return 8;
}

const char *socks_reply4_name(uint8_t cd)
{
    switch (cd) {
    case 90:
        return "request granted";
    case 91:
        return "request rejected or failed";
    case 92:
        return "rejected: the proxy cannot reach our identd";
    case 93:
        return "rejected: identd reports a different user id";
    default:
        return "unassigned reply code";
    }
}
