/* SPDX-License-Identifier: MIT */
/*
 * SOCKS messages, sans-I/O: SOCKS5 (RFC 1928) greeting, method selection, CONNECT request
 * and reply, username/password authentication (RFC 1929), and SOCKS4 / SOCKS4a CONNECT
 * request and reply (the de-facto protocol documents of NEC and OpenSSH). Writers append
 * to a buf; parsers take the bytes received so far and return how many make the message,
 * H2E_INCOMPLETE when more are needed, or H2E_PROXY_HANDSHAKE for a malformed reply.
 * Never reads sockets; what a reply code means for the run is the caller's to say.
 */
#ifndef H2GET_SOCKS_H
#define H2GET_SOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* RFC 1928 §3 method numbers. */
#define SOCKS_METHOD_NONE 0x00
#define SOCKS_METHOD_USERPASS 0x02
#define SOCKS_METHOD_REFUSED 0xff
/* RFC 1928 §6: reply field "succeeded"; SOCKS4: "request granted". */
#define SOCKS5_OK 0x00
#define SOCKS4_OK 90

enum socks_addr_type {
    SOCKS_ADDR_IPV4, /* 4 bytes of `addr` */
    SOCKS_ADDR_NAME, /* `name` (1-255 bytes), resolved by the proxy */
    SOCKS_ADDR_IPV6, /* 16 bytes of `addr` */
};

/* Where the proxy is asked to connect. `name` is borrowed. */
struct socks_target {
    enum socks_addr_type type;
    uint8_t addr[16];
    const char *name;
    size_t name_len;
    uint16_t port;
};

/*
 * socks_target_host - a target for `host` on `port`: an IPv4 or IPv6 literal (IPv6 without
 * brackets) becomes an address, anything else a name for the proxy to resolve. `t`
 * borrows `host`. Returns 0, or H2E_USAGE for an empty name or one over 255 bytes.
 */
int socks_target_host(struct socks_target *t, const char *host, uint16_t port,
                      struct h2e_info *info);

/*
 * socks_greeting - append the SOCKS5 greeting (RFC 1928 §3): "no authentication", and
 * "username/password" as well when `userpass`. Returns 0 or H2E_LIMIT_BUFFER/H2E_NOMEM.
 */
int socks_greeting(struct buf *out, bool userpass);

/*
 * socks_parse_method - the method selection message: 2 bytes consumed and `*method` set
 * (SOCKS_METHOD_REFUSED included: the caller says what it means), H2E_INCOMPLETE, or
 * H2E_PROXY_HANDSHAKE when the version is not 5.
 */
int socks_parse_method(const uint8_t *p, size_t len, uint8_t *method, struct h2e_info *info);

/*
 * socks_auth_request - append the RFC 1929 §2 username/password request. Returns 0,
 * H2E_USAGE when `user` is empty or either is longer than 255 bytes, or
 * H2E_LIMIT_BUFFER/H2E_NOMEM; `out` is unchanged on error.
 */
int socks_auth_request(struct buf *out, struct span user, struct span password,
                       struct h2e_info *info);

/*
 * socks_parse_auth - the RFC 1929 §2 reply: 2 bytes consumed and `*status` set (0 is
 * success), H2E_INCOMPLETE, or H2E_PROXY_HANDSHAKE when its version is not 1.
 */
int socks_parse_auth(const uint8_t *p, size_t len, uint8_t *status, struct h2e_info *info);

/* socks_connect5 - append the SOCKS5 CONNECT request (RFC 1928 §4) for `t`. Returns 0 or
 * H2E_LIMIT_BUFFER/H2E_NOMEM. */
int socks_connect5(struct buf *out, const struct socks_target *t);

/* A SOCKS5 reply (RFC 1928 §6). */
struct socks_reply5 {
    uint8_t rep;
    enum socks_addr_type bnd_type;
};

/*
 * socks_parse_reply5 - the reply to CONNECT: its length (10, 22, or 7 + a name's length)
 * consumed and `r` set, H2E_INCOMPLETE, or H2E_PROXY_HANDSHAKE for a version other than 5,
 * a non-zero reserved byte or an unknown address type.
 */
int socks_parse_reply5(const uint8_t *p, size_t len, struct socks_reply5 *r, struct h2e_info *info);

/* socks_reply5_name - RFC 1928 §6 text of reply code `rep` ("connection refused"...), or
 * "unassigned reply code". */
const char *socks_reply5_name(uint8_t rep);

/*
 * socks_connect4 - append a SOCKS4 CONNECT request for `t` with user id `userid`: an IPv4
 * target as SOCKS4, a name as SOCKS4a (address 0.0.0.1, the name after the user id).
 * Returns 0, H2E_USAGE for an IPv6 target or a user id with a NUL byte, or
 * H2E_LIMIT_BUFFER/H2E_NOMEM.
 */
int socks_connect4(struct buf *out, const struct socks_target *t, struct span userid,
                   struct h2e_info *info);

/*
 * socks_parse_reply4 - the 8-byte SOCKS4 reply: 8 consumed and `*cd` set (90 is granted),
 * H2E_INCOMPLETE, or H2E_PROXY_HANDSHAKE when its version byte is not 0.
 */
int socks_parse_reply4(const uint8_t *p, size_t len, uint8_t *cd, struct h2e_info *info);

/* socks_reply4_name - the text of SOCKS4 reply code `cd` ("request rejected or failed"...). */
const char *socks_reply4_name(uint8_t cd);

#endif
