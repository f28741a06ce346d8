/* SPDX-License-Identifier: MIT */
/* The error table: every row maps to a name, message, wire code, scope and exit code. */
#include "base/err.h"
#include "base/h2.h"
#include "tap.h"

TEST(test_err_table_complete)
{
    int i;
    for (i = 0; i < H2E_COUNT; i++) {
        int code = -1 - i;
        CHECK(h2e_str(code) != NULL && *h2e_str(code));
        CHECK(h2e_name(code) != NULL && *h2e_name(code));
        CHECK(h2e_wire(code) <= H2_HTTP_1_1_REQUIRED);
        CHECK(h2e_exit(code) >= 0 && h2e_exit(code) < 256);
    }
    CHECK_INT(h2e_exit(H2E_OK), 0);
    CHECK_STR(h2e_str(1), "unknown error");
}

TEST(test_err_scope_and_wire)
{
    CHECK_INT(h2e_wire(H2E_PROTOCOL), H2_PROTOCOL_ERROR);
    CHECK_INT(h2e_scope(H2E_PROTOCOL), H2E_SCOPE_CONN);
    CHECK(h2e_is_fatal(H2E_PROTOCOL));
    CHECK_INT(h2e_scope(H2E_STREAM_PROTOCOL), H2E_SCOPE_STREAM);
    CHECK(!h2e_is_fatal(H2E_STREAM_PROTOCOL));
    CHECK_INT(h2e_exit(H2E_STREAM_PROTOCOL), 92);
    CHECK_INT(h2e_exit(H2E_PROTOCOL), 16);
    CHECK_INT(h2e_exit(H2E_TIMEOUT), 28);
    CHECK_INT(h2e_wire(H2E_HPACK_HUFFMAN), H2_COMPRESSION_ERROR);
    CHECK_STR(h2e_name(H2E_FRAME_SIZE), "FRAME_SIZE");
}

TEST(test_err_set_fills_info)
{
    struct h2e_info info = H2E_INFO_INIT;
    CHECK_INT(h2e_set(&info, H2E_PROTOCOL, 3, "why"), H2E_PROTOCOL);
    CHECK_INT(info.code, H2E_PROTOCOL);
    CHECK_INT(info.stream_id, 3);
    CHECK_STR(info.why, "why");
    CHECK_INT(h2e_set(NULL, H2E_NOMEM, 0, "x"), H2E_NOMEM);
}

TEST(test_err_wire_names)
{
    CHECK_STR(h2_wire_error_name(H2_NO_ERROR), "NO_ERROR");
    CHECK_STR(h2_wire_error_name(H2_HTTP_1_1_REQUIRED), "HTTP_1_1_REQUIRED");
    CHECK(h2_wire_error_name(0xe) == NULL);
    CHECK_STR(h2_setting_name(H2_SETTINGS_MAX_HEADER_LIST_SIZE), "MAX_HEADER_LIST_SIZE");
    CHECK(h2_setting_name(0) == NULL);
    CHECK(h2_setting_name(7) == NULL);
}
