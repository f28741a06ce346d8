/* SPDX-License-Identifier: MIT */
/*
 * Connections to proxies and the tunnels they carry (pconn.c). An origin connection that
 * goes through a proxy asks for a tunnel (pconn_open) and waits for it (CC_TUNNEL); a
 * proxy connection (a cconn with `is_proxy`) connects like any other (resolve, connect,
 * TLS to an https:// proxy), then carries either one tunnel after an HTTP/1.1 CONNECT or a
 * SOCKS handshake (net/tunnel.c), or, when the proxy speaks HTTP/2, many tunnels as CONNECT
 * streams (RFC 9113 §8.5) on the one connection. Either way the origin connection gets an
 * io (TCP-like: read, write, close) and runs TLS and its session over it; closing that io
 * ends the tunnel.
 */
#ifndef H2GET_PCONN_H
#define H2GET_PCONN_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "proto/conn.h"

struct cconn;
struct pconn_tun;

/* pconn_open - a tunnel for origin connection `cc` (cc->via set) to `host`:`port`, on a
 * proxy connection of the run that can carry one more, else on a new one. */
struct pconn_tun *pconn_open(struct cconn *cc, const char *host, uint16_t port);
/* pconn_wait - the CC_TUNNEL step of `cc`: once its tunnel is open, TLS or the session
 * runs over it (cconn_over); when it failed, every transfer of `cc` fails naming the hop. */
void pconn_wait(struct cconn *cc);
/* pconn_release - `cc` no longer wants its tunnel (it closed before the tunnel opened). */
void pconn_release(struct pconn_tun *t);

/* pconn_ready - proxy connection `px` is connected (TLS done for https://): `h2` when the
 * proxy selected h2 (CONNECT streams), else the handshake of its one tunnel starts. */
void pconn_ready(struct cconn *px, bool h2);
/* pconn_step - advance proxy connection `px` in CC_PROXY_HS (its handshake). */
void pconn_step(struct cconn *px);
/* pconn_pollfds - poll entries of `cc` in CC_PROXY_HS, CC_PIPE or CC_TUNNEL. */
size_t pconn_pollfds(struct cconn *cc, struct pollfd *pfd, size_t max, int *timeout);
/* pconn_fail_tunnels - proxy connection `px` failed with `code`: its tunnels fail too. */
void pconn_fail_tunnels(struct cconn *px, int code, const char *detail);
/* pconn_closed - proxy connection `px` closed: its tunnels lose their carrier. */
void pconn_closed(struct cconn *px);
/* pconn_goodbye - the run ends: tunnels on HTTP/2 proxy `px` send what they have and end. */
void pconn_goodbye(struct cconn *px);

/* The HTTP/2 session of a proxy connection (sess_h2.c): open CONNECT streams for waiting
 * tunnels, send what the tunnels' users wrote (returns bytes queued), take an event of a
 * tunnel's stream (false when the event is not a tunnel's), and whether to step again at
 * once. */
void pconn_h2_submit(struct cconn *px);
size_t pconn_h2_pump(struct cconn *px);
bool pconn_h2_event(struct cconn *px, const struct h2c_event *ev);
bool pconn_h2_busy(const struct cconn *px);

#endif
