# SPDX-License-Identifier: MIT
"""h2checks: h2peer scenarios that each break one rule h2get's --check reports (70-trace.bats).

One scenario per rule of the man page's "Checks" list: malformed responses and trailers
(RFC 9113 §8.1-§8.3, RFC 9110 §6.4.1, §8.6, §15), DATA beyond the window the client
advertised (§6.9.1), frames on idle and closed streams (§5.1), SETTINGS never acknowledged
(§6.5.3), frames over the client's MAX_FRAME_SIZE (§4.2) and a frame of the wrong size
(§6.7). Field blocks are written with h2conn.lit, so they reach the client byte for byte.
"""

from hyperframe import frame as hf

from h2conn import BODY_OK, lit

# The SETTINGS ACK the settings_ack_late scenario never sends is overdue after 5 s in h2get
# (TRACE_SETTINGS_ACK_MS); the body comes a little later than that.
ACK_LATE_S = 5.5


class RawFrame:
    """A frame as exact bytes, for what hyperframe will not build (a 7-octet PING). It has
    the attributes h2conn.describe reads."""

    def __init__(self, ftype, stream_id, payload, flag_byte=0):
        self.type = ftype
        self.stream_id = stream_id
        self.flags = set()
        self.payload = payload
        self.flag_byte = flag_byte

    def serialize(self):
        return (len(self.payload).to_bytes(3, "big") + bytes([self.type, self.flag_byte]) +
                self.stream_id.to_bytes(4, "big") + self.payload)


def malformed(block, end_stream=False):
    """A response header block that breaks one rule; the client resets the stream."""
    def run(c, s):
        c.send(*c.header_frames(s.sid, block, end_stream=end_stream))
        c.pump(lambda: s.reset, 3)
    return run


def trailers(block, end_stream=True):
    """A good response head and some DATA, then a trailer block that breaks one rule."""
    def run(c, s):
        c.send(*c.header_frames(s.sid, lit(":status", "200")))
        c.send(hf.DataFrame(s.sid, data=BODY_OK))
        c.send(*c.header_frames(s.sid, block, end_stream=end_stream))
        c.pump(lambda: s.reset, 3)
    return run


def sc_content_unexpected(c, s):
    # RFC 9110 §6.4.1: a 204 has no content.
    c.send(*c.headers(s.sid, [(":status", "204")]))
    c.send(hf.DataFrame(s.sid, data=b"x", flags=["END_STREAM"]))
    c.pump(lambda: s.reset, 3)


def sc_data_beyond_window(c, s):
    """§6.9.1: one DATA frame of 2000 octets, whatever the client's windows (run the client
    with --window-size 1000)."""
    c.send(*c.headers(s.sid, [(":status", "200")]))
    c.send(hf.DataFrame(s.sid, data=b"w" * 2000, flags=["END_STREAM"]))
    c.linger(2)


def sc_data_after_end(c, s):
    """§5.1: the whole response, then one more DATA on the same stream, in one write."""
    frames = c.headers(s.sid, [(":status", "200"), ("content-length", str(len(BODY_OK)))])
    frames.append(hf.DataFrame(s.sid, data=BODY_OK, flags=["END_STREAM"]))
    frames.append(hf.DataFrame(s.sid, data=b"late"))
    c.send(*frames)
    c.linger(2)


def sc_headers_after_end(c, s):
    """§5.1: the whole response, then a second HEADERS on the same stream, in one write."""
    frames = c.headers(s.sid, [(":status", "200"), ("content-length", str(len(BODY_OK)))])
    frames.append(hf.DataFrame(s.sid, data=BODY_OK, flags=["END_STREAM"]))
    frames += c.header_frames(s.sid, lit("x-late", "1"), end_stream=True)
    c.send(*frames)
    c.linger(2)


def sc_idle_stream(c, s):
    """§5.1: WINDOW_UPDATE on stream 3, which the client has not opened, then the answer."""
    c.send(hf.WindowUpdateFrame(3, window_increment=100))
    c.respond(s, BODY_OK)
    c.linger(2)


def sc_settings_ack_missing(c, s):
    """§6.5.3: a normal answer, but the client's SETTINGS are never acknowledged."""
    c.respond(s, BODY_OK)
    c.linger(2)


def sc_settings_ack_late(c, s):
    """§6.5.3: no SETTINGS ACK; the body only after ACK_LATE_S seconds."""
    c.send(*c.headers(s.sid, [(":status", "200"), ("content-length", str(len(BODY_OK)))]))
    c.linger(ACK_LATE_S)
    if not c.done:
        c.send(hf.DataFrame(s.sid, data=BODY_OK, flags=["END_STREAM"]))
        c.linger(2)


def sc_oversize_frame(c, s):
    """§4.2: one DATA frame of 16385 octets, one over the default MAX_FRAME_SIZE."""
    c.send(*c.headers(s.sid, [(":status", "200")]))
    c.send(hf.DataFrame(s.sid, data=b"o" * 16385, flags=["END_STREAM"]))
    c.linger(2)


def sc_bad_frame_size(c, s):
    """§6.7: a PING of 7 octets, where 8 are required."""
    c.send(RawFrame(0x6, 0, b"1234567"))
    c.linger(2)


# name: (function, doc). h2peer.py registers them all as scenarios.
CHECKS = {
    "trailer_pseudo": (trailers(lit(":status", "200")), "DATA, then trailers with :status"),
    "trailers_no_end": (trailers(lit("x-t", "1"), end_stream=False),
                        "DATA, then trailers without END_STREAM"),
    "connection_header": (malformed(lit(":status", "200") + lit("connection", "close")),
                          "connection: close in the response"),
    "status_duplicate": (malformed(lit(":status", "200") + lit(":status", "200")),
                         ":status twice"),
    "status_range": (malformed(lit(":status", "099")), ":status: 099"),
    "status_101": (malformed(lit(":status", "101")), ":status: 101"),
    "pseudo_order": (malformed(lit("x-a", "1") + lit(":status", "200")),
                     ":status after a regular field"),
    "pseudo_unknown": (malformed(lit(":status", "200") + lit(":path", "/")),
                       ":path in a response"),
    "cl_invalid": (malformed(lit(":status", "200") + lit("content-length", "1x")),
                   "content-length: 1x"),
    "cl_conflict": (malformed(lit(":status", "200") + lit("content-length", "1") +
                              lit("content-length", "2")), "content-length: 1 and 2"),
    "name_invalid": (malformed(lit(":status", "200") + lit("x@y", "1")), "field name x@y"),
    "name_empty": (malformed(lit(":status", "200") + lit("", "1")), "empty field name"),
    "value_invalid": (malformed(lit(":status", "200") + lit("x-v", "a\rb")), "CR in a value"),
    "value_whitespace": (malformed(lit(":status", "200") + lit("x-v", " a")),
                         "leading space in a value"),
    "te_response": (malformed(lit(":status", "200") + lit("te", "trailers")),
                    "te: trailers in the response"),
    "informational_end": (malformed(lit(":status", "103"), end_stream=True),
                          "103 with END_STREAM"),
    "content_unexpected": (sc_content_unexpected, "204 with a DATA frame"),
    "data_beyond_window": (sc_data_beyond_window, "one DATA of 2000 octets, whatever the "
                           "window (client: --window-size 1000)"),
    "data_after_end": (sc_data_after_end, "response, then DATA after END_STREAM"),
    "headers_after_end": (sc_headers_after_end, "response, then HEADERS after END_STREAM"),
    "idle_stream": (sc_idle_stream, "WINDOW_UPDATE on idle stream 3, then 200"),
    "settings_ack_missing": (sc_settings_ack_missing, "200, never a SETTINGS ACK"),
    "settings_ack_late": (sc_settings_ack_late, "HEADERS, no SETTINGS ACK, DATA after %.1f s"
                          % ACK_LATE_S),
    "oversize_frame": (sc_oversize_frame, "DATA of 16385 octets (MAX_FRAME_SIZE 16384)"),
    "bad_frame_size": (sc_bad_frame_size, "PING of 7 octets"),
}

# Scenarios whose peer never acknowledges the client's SETTINGS.
NO_SETTINGS_ACK = ("settings_ack_missing", "settings_ack_late")
