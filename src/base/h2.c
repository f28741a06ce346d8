/* SPDX-License-Identifier: MIT */
/* Names of the wire error codes (RFC 9113 §7) and SETTINGS identifiers (§6.5.2). */
#include "h2.h"

#include <stddef.h>

const char *h2_wire_error_name(uint32_t code)
{
    static const char *const names[] = {
        "NO_ERROR",
        "PROTOCOL_ERROR",
        "INTERNAL_ERROR",
        "FLOW_CONTROL_ERROR",
        "SETTINGS_TIMEOUT",
        "STREAM_CLOSED",
        "FRAME_SIZE_ERROR",
        "REFUSED_STREAM",
        "CANCEL",
        "COMPRESSION_ERROR",
        "CONNECT_ERROR",
        "ENHANCE_YOUR_CALM",
        "INADEQUATE_SECURITY",
        "HTTP_1_1_REQUIRED",
    };
    return code < sizeof(names) / sizeof(names[0]) ? names[code] : NULL;
}

const char *h2_setting_name(uint16_t id)
{
    static const char *const names[] = {
        NULL,
        "HEADER_TABLE_SIZE",
        "ENABLE_PUSH",
        "MAX_CONCURRENT_STREAMS",
        "INITIAL_WINDOW_SIZE",
        "MAX_FRAME_SIZE",
        "MAX_HEADER_LIST_SIZE",
        NULL,
        "ENABLE_CONNECT_PROTOCOL",
    };
    return id < sizeof(names) / sizeof(names[0]) ? names[id] : NULL;
}
