/* SPDX-License-Identifier: MIT */
/*
 * Protocol-wide HTTP/2 names shared by several modules: the client connection preface,
 * the wire error codes of RFC 9113 §7 and the SETTINGS identifiers of §6.5.2.
 * Values are exactly as they appear on the wire; nothing here allocates or prints.
 */
#ifndef H2GET_H2_H
#define H2GET_H2_H

#include <stdint.h>

/* RFC 9113 §3.4: the client connection preface, 24 octets. */
#define H2_PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define H2_PREFACE_LEN 24

/* RFC 9113 §4.1: the fixed frame header. */
#define H2_FRAME_HEADER_LEN 9

/* RFC 9113 §7: error codes as they go on the wire. Never negated. */
enum h2_wire_error {
    H2_NO_ERROR = 0x0,
    H2_PROTOCOL_ERROR = 0x1,
    H2_INTERNAL_ERROR = 0x2,
    H2_FLOW_CONTROL_ERROR = 0x3,
    H2_SETTINGS_TIMEOUT = 0x4,
    H2_STREAM_CLOSED = 0x5,
    H2_FRAME_SIZE_ERROR = 0x6,
    H2_REFUSED_STREAM = 0x7,
    H2_CANCEL = 0x8,
    H2_COMPRESSION_ERROR = 0x9,
    H2_CONNECT_ERROR = 0xa,
    H2_ENHANCE_YOUR_CALM = 0xb,
    H2_INADEQUATE_SECURITY = 0xc,
    H2_HTTP_1_1_REQUIRED = 0xd,
};

/* RFC 9113 §6.5.2: SETTINGS parameters. */
enum h2_setting {
    H2_SETTINGS_HEADER_TABLE_SIZE = 0x1,
    H2_SETTINGS_ENABLE_PUSH = 0x2,
    H2_SETTINGS_MAX_CONCURRENT_STREAMS = 0x3,
    H2_SETTINGS_INITIAL_WINDOW_SIZE = 0x4,
    H2_SETTINGS_MAX_FRAME_SIZE = 0x5,
    H2_SETTINGS_MAX_HEADER_LIST_SIZE = 0x6,
    H2_SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x8, /* RFC 8441 §3 */
};

/* RFC 9113 §6.5.2 and §6.9.1: protocol bounds and defaults. */
#define H2_DEFAULT_WINDOW 65535u
#define H2_MAX_WINDOW 0x7fffffffu
#define H2_MIN_MAX_FRAME_SIZE 16384u
#define H2_MAX_MAX_FRAME_SIZE 16777215u
#define H2_DEFAULT_HEADER_TABLE_SIZE 4096u

/*
 * h2_wire_error_name - the RFC name of wire error `code` ("PROTOCOL_ERROR"), or NULL for a
 * code RFC 9113 does not define. Returns a static string.
 */
const char *h2_wire_error_name(uint32_t code);

/*
 * h2_setting_name - the RFC name of SETTINGS identifier `id` without the "SETTINGS_" prefix
 * ("MAX_FRAME_SIZE"), or NULL for an identifier neither RFC 9113 nor RFC 8441 defines.
 * Static string.
 */
const char *h2_setting_name(uint16_t id);

#endif
