/* SPDX-License-Identifier: MIT */
/*
 * Every protocol and resource cap of h2get, each with its reason. The defaults are the ones
 * promised in ../shared/PROMISES.md ("Resource limits"); exceeding one is an error with its
 * own H2E_* code, never a silent truncation.
 */
#ifndef H2GET_LIMITS_H
#define H2GET_LIMITS_H

/* Decoded header list (response headers or trailers): advertised as
 * SETTINGS_MAX_HEADER_LIST_SIZE so a well-behaved server never reaches it. */
#define LIMIT_HEADER_LIST_SIZE (256u * 1024u)
/* Fields per header list: bounds per-field bookkeeping against many tiny fields. */
#define LIMIT_HEADER_COUNT 1000u
/* One decoded field (name + value): keeps any single allocation small. */
#define LIMIT_FIELD_SIZE (64u * 1024u)

/* HPACK decoder table we advertise (SETTINGS_HEADER_TABLE_SIZE); RFC 7541 default. */
#define LIMIT_HPACK_TABLE_SIZE 4096u
/* Largest encoder table we will use whatever the peer allows: bounds our memory. */
#define LIMIT_HPACK_ENCODER_TABLE_SIZE 65536u

/* CONTINUATION per header block: stops the CONTINUATION flood (CVE-2024-27316 family). */
#define LIMIT_CONTINUATION_FRAMES 32u
#define LIMIT_HEADER_BLOCK_SIZE (256u * 1024u)

/* 1xx responses before the final one; each also counts against the header budget. */
#define LIMIT_INFORMATIONAL 32u

/* Automatic replies (PING ACK, SETTINGS ACK) queued but not yet written: a peer that
 * floods PINGs while not reading gets GOAWAY(ENHANCE_YOUR_CALM) instead of our memory. */
#define LIMIT_QUEUED_REPLIES 1000u

/* --check: a SETTINGS ACK later than this after our SETTINGS is reported (RFC 9113 §6.5.3
 * leaves the timeout to the endpoint; 5 s is generous on any path). */
#define LIMIT_SETTINGS_ACK_MS 5000u

/* SETTINGS entries in one frame: more is abuse, not configuration. */
#define LIMIT_SETTINGS_ENTRIES 32u

/* "Glitches" (empty DATA without END_STREAM, empty CONTINUATION, frames on idle streams,
 * unknown frames): token bucket as nghttp2 uses, burst then a sustained rate per second. */
#define LIMIT_GLITCH_BURST 10000u
#define LIMIT_GLITCH_RATE 330u

/* Content codings applied to one response. */
#define LIMIT_CONTENT_CODINGS 5u

/* Receive windows: large enough that a loopback download is never window-bound, small
 * enough that buffered memory stays bounded (credit is returned as output is written). */
#define LIMIT_STREAM_WINDOW (1u << 20)
#define LIMIT_CONNECTION_WINDOW (16u << 20)

/* Our SETTINGS_MAX_FRAME_SIZE: the RFC 9113 §4.2 default, which every peer must accept. */
#define LIMIT_MAX_FRAME_SIZE 16384u

/* New connections per request for REFUSED_STREAM / GOAWAY-unprocessed retries. */
#define LIMIT_RETRY_CONNECTIONS 5u

/* Concurrent streams we open per connection unless told otherwise. */
#define LIMIT_CONCURRENT_STREAMS 100u

/* Addresses kept per resolved name (and per --resolve entry): Happy Eyeballs (RFC 8305 §4)
 * holds one socket per address in flight, so this also bounds the file descriptors used. */
#define LIMIT_RESOLVE_ADDRS 16u

/* ALPN protocol names offered (--alpn): RFC 7301 §3.1 allows a 2^16-1 byte list; a client
 * needs two. */
#define LIMIT_ALPN_PROTOCOLS 8u

/* One WebSocket message, reassembled from its fragments before it is written out: a
 * console client needs whole messages, and a peer must not make us buffer without bound.
 * A larger message or frame is answered with Close 1009 (RFC 6455 §7.4.1). */
#define LIMIT_WS_MESSAGE (16u << 20)

/* Graceful close (RFC 9113 §6.8, §9.1): after our GOAWAY and a PING, a connection is read
 * on (PINGs answered, SETTINGS acknowledged) until the server closes or acknowledges that
 * PING (all it wrote before is then read: one round trip), or, when no PING could be
 * queued, sends nothing for LIMIT_CLOSE_IDLE_MS; never longer than LIMIT_CLOSE_LINGER_MS,
 * the most a run's end is delayed. */
#define LIMIT_CLOSE_IDLE_MS 10u
#define LIMIT_CLOSE_LINGER_MS 50u

/* An upload waiting for flow-control credit: the loop polls without sleeping for at most
 * this long, and only when the last credit came within it (client/spin.h). A sleep and a
 * wake-up in poll() cost tens of microseconds (more in a virtual machine), once per window;
 * on loopback nghttpd's credit for 64 KiB comes back within about as long. Beyond this, a
 * server is slower than a sleep is dear, and is not spun for. */
#define LIMIT_CREDIT_SPIN_US 200u

/* SIGINT, SIGTERM, SIGHUP (client/intr.h): a second signal this long or longer after the
 * first ends h2get at once; an earlier one is the same event delivered twice (timeout(1)
 * signals its child and then its process group) and must not cut the clean-up short. */
#define LIMIT_INTR_REPEAT_MS 300u

/* --sse: one server-sent event (its pending line, data, type and id); a stream is endless,
 * so each event is bounded instead of the body. 1 MiB is far above real event sizes. */
#define LIMIT_SSE_EVENT (1024u * 1024u)

#endif
