# SPDX-License-Identifier: MIT
"""h2conn: the server side of one HTTP/2 connection for h2get's scripted test peer.

A buffered frame reader (hyperframe), a header-block assembler (hpack), automatic SETTINGS
and PING acknowledgement (RFC 9113 §6.5, §6.7), flow-control bookkeeping in both directions
(§6.9) that reports a client sending beyond our windows, and a one-line-per-frame log in the
same format for both directions. It implements no policy of its own: h2peer.py's scenarios
decide what to send, including frames a conforming server would never send.
"""

import collections
import hashlib
import select
import socket
import ssl
import sys
import threading
import time

import hpack
from hyperframe import frame as hf
from hyperframe import exceptions as hfx

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
ERRORS = ["NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR",
          "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL",
          "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY",
          "HTTP_1_1_REQUIRED"]
CODE = {name: i for i, name in enumerate(ERRORS)}
SETTING_NAMES = {1: "HEADER_TABLE_SIZE", 2: "ENABLE_PUSH", 3: "MAX_CONCURRENT_STREAMS",
                 4: "INITIAL_WINDOW_SIZE", 5: "MAX_FRAME_SIZE", 6: "MAX_HEADER_LIST_SIZE",
                 8: "ENABLE_CONNECT_PROTOCOL", 9: "NO_RFC7540_PRIORITIES"}
TYPE_NAMES = {0: "DATA", 1: "HEADERS", 2: "PRIORITY", 3: "RST_STREAM", 4: "SETTINGS",
              5: "PUSH_PROMISE", 6: "PING", 7: "GOAWAY", 8: "WINDOW_UPDATE", 9: "CONTINUATION"}
S_MAX_CONCURRENT_STREAMS = 3
S_INITIAL_WINDOW_SIZE = 4
S_MAX_FRAME_SIZE = 5
DEFAULT_WINDOW = 65535
MAX_WINDOW = 2**31 - 1

BODY_OK = b"hello from h2peer\n"
BODY_H1 = b"hello over HTTP/1.1\n"
PING_OPAQUE = b"h2peer!!"


class Closed(Exception):
    """The client closed the connection (or it broke)."""


def esc(data):
    """Bytes as printable ASCII; everything else (and the backslash) as \\xNN."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    return "".join(chr(c) if 0x20 <= c < 0x7F and c != 0x5C else "\\x%02x" % c for c in data)


def hpack_int(value, prefix_bits, first=0):
    """RFC 7541 §5.1 integer with an N-bit prefix; `first` holds the bits above the prefix."""
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = [first | limit]
    value -= limit
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def lit(name, value):
    """A literal field without indexing, new name, no Huffman (RFC 7541 §6.2.2): bytes are
    sent exactly as given, uppercase names and all, which hpack.Encoder would not promise."""
    n = name.encode() if isinstance(name, str) else name
    v = value.encode() if isinstance(value, str) else value
    return b"\x00" + hpack_int(len(n), 7) + n + hpack_int(len(v), 7) + v


def describe(f):
    """One log line for a hyperframe frame, the same format in both directions."""
    name = TYPE_NAMES.get(f.type, "UNKNOWN")
    flags = "|".join(sorted(f.flags)) or "-"
    out = "%s stream=%d flags=%s" % (name, f.stream_id, flags)
    if isinstance(f, hf.DataFrame):
        out += " len=%d" % f.flow_controlled_length
    elif isinstance(f, hf.PushPromiseFrame):
        out += " promised=%d len=%d" % (f.promised_stream_id, len(f.data))
    elif isinstance(f, (hf.HeadersFrame, hf.ContinuationFrame)):
        out += " len=%d" % len(f.data)
    elif isinstance(f, hf.SettingsFrame):
        for k, v in f.settings.items():
            out += " %s=%d" % (SETTING_NAMES.get(k, "0x%x" % k), v)
    elif isinstance(f, hf.WindowUpdateFrame):
        out += " increment=%d" % f.window_increment
    elif isinstance(f, hf.RstStreamFrame):
        out += " code=%s" % code_name(f.error_code)
    elif isinstance(f, hf.GoAwayFrame):
        out += ' last_stream_id=%d code=%s debug="%s"' % (
            f.last_stream_id, code_name(f.error_code), esc(f.additional_data))
    elif isinstance(f, hf.PingFrame):
        out += " opaque=%s" % bytes(f.opaque_data).hex()
    elif isinstance(f, hf.ExtensionFrame):
        out = "UNKNOWN type=0x%02x stream=%d flags=0x%02x len=%d" % (
            f.type, f.stream_id, f.flag_byte, len(f.body))
    return out


def code_name(code):
    return ERRORS[code] if 0 <= code < len(ERRORS) else "0x%x" % code


class Log:
    """Line-buffered, thread-safe log file; every line is flushed at once so a test can
    read it while the peer runs."""

    def __init__(self, path, echo):
        self.f = open(path, "a", encoding="utf-8") if path else None
        self.echo = echo
        self.lock = threading.Lock()

    def line(self, text):
        with self.lock:
            if self.f:
                self.f.write(text + "\n")
                self.f.flush()
            if self.echo or not self.f:
                sys.stderr.write(text + "\n")
                sys.stderr.flush()


class Stream:
    def __init__(self, sid, recv_window, send_window):
        self.sid = sid
        self.fields = []
        self.headers_done = False
        self.ended = False
        self.reset = False
        self.sha = hashlib.sha256()
        self.nbytes = 0
        self.recv_window = recv_window  # what the client may still send on this stream
        self.send_window = send_window  # what we may still send

    def field(self, name):
        for n, v in self.fields:
            if n == name:
                return v
        return b""


class Conn:
    """One accepted connection: buffered frame reader, frame log, automatic SETTINGS/PING
    acknowledgement, flow-control bookkeeping in both directions."""

    def __init__(self, sock, num, log, scen, args):
        self.sock = sock
        self.n = num
        self.log = log
        self.scen = scen
        self.args = args
        self.rbuf = bytearray()
        self.dec = hpack.Decoder(max_header_list_size=1 << 20)
        self.enc = hpack.Encoder()
        self.streams = {}
        self.block = None  # (stream id, END_STREAM seen, bytearray) while CONTINUATION due
        self.client_settings = {}
        self.got_settings = False
        self.pending = collections.deque()  # our SETTINGS not yet acknowledged
        self.settings_sent = False
        self.our_init = DEFAULT_WINDOW
        self.recv_conn = DEFAULT_WINDOW
        self.send_conn = DEFAULT_WINDOW
        self.auto_conn_window = True
        self.auto_stream_window = True
        self.credit_piece = 0  # > 0: credit goes back in WINDOW_UPDATEs of this many bytes
        self.credit_delay = 0.0  # > 0: seconds slept before each DATA frame's credit goes
        self.goaway = None
        self.done = False
        self.broken = False  # a write failed: the client is gone

    def say(self, text):
        self.log.line("c%d %s" % (self.n, text))

    # --- output -----------------------------------------------------------------------
    def send(self, *frames):
        data = b"".join(f.serialize() for f in frames)
        for f in frames:
            self.say("send " + describe(f))
        if self.broken:
            raise Closed("send after a failed send")
        try:
            self.sock.sendall(data)
        except (OSError, ssl.SSLError) as e:
            self.broken = True
            self.salvage()
            raise Closed("send failed: %s" % e) from e

    def salvage(self):
        """After a failed write, still log what the client sent before it went away (its
        GOAWAY, typically), as far as the socket gives it up."""
        try:
            self.pump(lambda: False, 1)
        except (Closed, OSError, ssl.SSLError):
            pass

    def send_settings(self, settings):
        f = hf.SettingsFrame(0, settings=dict(settings))
        entry = dict(settings)
        new = entry.get(S_INITIAL_WINDOW_SIZE)
        if new is not None and new >= self.our_init:
            # Raising: count it now, so a client that uses it early is not blamed.
            self.apply_init(new)
            del entry[S_INITIAL_WINDOW_SIZE]
        self.pending.append(entry)
        self.settings_sent = True
        self.send(f)

    def apply_init(self, new):
        """RFC 9113 §6.9.2: a new INITIAL_WINDOW_SIZE shifts every open stream's window."""
        delta = new - self.our_init
        self.our_init = new
        for s in self.streams.values():
            s.recv_window += delta

    def max_frame(self):
        return self.client_settings.get(S_MAX_FRAME_SIZE, 16384)

    def header_frames(self, sid, block, end_stream=False, first=None):
        """HEADERS (or `first`) plus CONTINUATION frames within the client's MAX_FRAME_SIZE."""
        size = self.max_frame()
        chunks = [block[i:i + size] for i in range(0, len(block), size)] or [b""]
        frames = []
        for i, chunk in enumerate(chunks):
            flags = ["END_HEADERS"] if i == len(chunks) - 1 else []
            if i == 0:
                f = first if first is not None else hf.HeadersFrame(sid)
                f.data = chunk
                for name in flags + (["END_STREAM"] if end_stream else []):
                    f.flags.add(name)
            else:
                f = hf.ContinuationFrame(sid, data=chunk, flags=flags)
            frames.append(f)
        return frames

    def headers(self, sid, fields, end_stream=False):
        return self.header_frames(sid, self.enc.encode(fields), end_stream)

    def data_frames(self, s, body, end=True):
        """DATA frames for `body`, waiting for the client's windows when they run out."""
        frames = []
        pos = 0
        while True:
            room = min(self.max_frame(), s.send_window, self.send_conn, len(body) - pos)
            if room <= 0 and pos < len(body):
                self.send(*frames)
                frames = []
                if not self.pump(lambda: min(s.send_window, self.send_conn) > 0, 10):
                    self.say("note send window stays closed; giving up")
                    return []
                continue
            chunk = body[pos:pos + room]
            pos += len(chunk)
            s.send_window -= len(chunk)
            self.send_conn -= len(chunk)
            last = pos >= len(body)
            frames.append(hf.DataFrame(s.sid, data=chunk, flags=["END_STREAM"] if last and end
                                       else []))
            if last:
                return frames

    def respond(self, s, body, status="200", extra=()):
        fields = [(":status", status), ("content-type", "text/plain"),
                  ("content-length", str(len(body)))] + list(extra)
        self.send(*self.headers(s.sid, fields, end_stream=not body))
        if body:
            self.send(*self.data_frames(s, body))

    def close(self, why):
        if not self.done:
            self.say("end " + why)
        self.done = True
        try:
            self.sock.close()
        except OSError:
            pass

    def close_gracefully(self, why, drain=3):
        """End the connection with a TCP FIN (no TLS close_notify), then read and discard
        what the client still sends until it closes: the client sees a clean EOF, never
        a reset caused by its unread bytes."""
        if self.done:
            return
        self.say("end " + why)
        self.done = True
        try:
            self.sock.shutdown(socket.SHUT_WR)  # an SSLSocket drops TLS here: raw TCP below
            end = time.monotonic() + drain
            while time.monotonic() < end:
                if not select.select([self.sock], [], [], end - time.monotonic())[0]:
                    break
                if not self.sock.recv(65536):
                    break
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass

    # --- input ------------------------------------------------------------------------
    def fill(self, deadline):
        """Read more bytes; False on timeout, Closed on EOF."""
        pending = self.sock.pending() if isinstance(self.sock, ssl.SSLSocket) else 0
        if not pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return False
        try:
            data = self.sock.recv(65536)
        except (ssl.SSLWantReadError, BlockingIOError):
            return True
        except (OSError, ssl.SSLError) as e:
            raise Closed("recv failed: %s" % e) from e
        if not data:
            raise Closed("eof")
        self.rbuf += data
        return True

    def read_exact(self, n, deadline):
        while len(self.rbuf) < n:
            if not self.fill(deadline):
                return None
        out = bytes(self.rbuf[:n])
        del self.rbuf[:n]
        return out

    def read_frame(self, deadline):
        while len(self.rbuf) < 9:
            if not self.fill(deadline):
                return None
        length = int.from_bytes(self.rbuf[:3], "big")
        if length > 1 << 20:
            self.violation("frame of %d bytes announced" % length, "RFC 9113 §4.2")
        raw = self.read_exact(9 + length, deadline)
        if raw is None:
            return None
        try:
            f, _ = hf.Frame.parse_frame_header(memoryview(raw[:9]))
            f.parse_body(memoryview(raw[9:]))
        except (hfx.InvalidFrameError, hfx.InvalidDataError, hfx.InvalidPaddingError,
                ValueError) as e:
            self.violation("invalid frame %s: %s" % (raw[:9].hex(), e), "RFC 9113 §4-§6")
            return None
        return f

    def pump(self, cond, timeout):
        """Handle frames until cond() holds (True) or `timeout` seconds pass (False)."""
        deadline = time.monotonic() + timeout
        while not cond():
            if self.done:
                return False
            # Wake up every 100 ms: cond() may depend on more than the client (a file).
            f = self.read_frame(min(deadline, time.monotonic() + 0.1))
            if f is None:
                if time.monotonic() >= deadline:
                    return False
                continue
            self.handle(f)
        return True

    def violation(self, what, where):
        self.say("violation %s (%s)" % (what, where))

    def handle(self, f):
        self.say("recv " + describe(f))
        if self.block is not None and not isinstance(f, hf.ContinuationFrame):
            self.violation("%s while a header block is open" % describe(f).split()[0],
                           "RFC 9113 §6.10")
        if not self.got_settings and not isinstance(f, hf.SettingsFrame):
            self.violation("first frame is not SETTINGS", "RFC 9113 §3.4")
        handler = HANDLERS.get(type(f))
        if handler:
            handler(self, f)

    def on_settings(self, f):
        if "ACK" in f.flags:
            if not self.pending:
                self.violation("SETTINGS ACK for nothing", "RFC 9113 §6.5")
                return
            entry = self.pending.popleft()
            if S_INITIAL_WINDOW_SIZE in entry:
                self.apply_init(entry[S_INITIAL_WINDOW_SIZE])
            return
        self.got_settings = True
        for k, v in f.settings.items():
            if k == S_INITIAL_WINDOW_SIZE:
                old = self.client_settings.get(k, DEFAULT_WINDOW)
                for s in self.streams.values():
                    s.send_window += v - old
            self.client_settings[k] = v
        if getattr(self.scen, "ack_settings", True):  # False: a peer that never ACKs (§6.5.3)
            self.send(hf.SettingsFrame(0, flags=["ACK"]))

    def on_ping(self, f):
        if "ACK" not in f.flags:
            self.send(hf.PingFrame(0, opaque_data=bytes(f.opaque_data), flags=["ACK"]))

    def on_window_update(self, f):
        if f.stream_id == 0:
            self.send_conn += f.window_increment
        elif f.stream_id in self.streams:
            self.streams[f.stream_id].send_window += f.window_increment

    def on_rst(self, f):
        if f.stream_id in self.streams:
            self.streams[f.stream_id].reset = True

    def on_goaway(self, f):
        self.goaway = f

    def on_push_promise(self, f):
        self.violation("client sent PUSH_PROMISE", "RFC 9113 §8.4")

    def on_headers(self, f):
        if self.block is not None:
            return
        self.block = (f.stream_id, "END_STREAM" in f.flags, bytearray(f.data))
        if "END_HEADERS" in f.flags:
            self.end_block()

    def on_continuation(self, f):
        if self.block is None or self.block[0] != f.stream_id:
            self.violation("unexpected CONTINUATION", "RFC 9113 §6.10")
            return
        self.block[2].extend(f.data)
        if "END_HEADERS" in f.flags:
            self.end_block()

    def end_block(self):
        sid, end, data = self.block
        self.block = None
        try:
            fields = self.dec.decode(bytes(data), raw=True)
        except hpack.HPACKError as e:
            self.violation("undecodable header block: %s" % e, "RFC 9113 §4.3")
            return
        s = self.streams.get(sid) or self.new_stream(sid)
        for name, value in fields:
            self.say("recv field stream=%d %s: %s" % (sid, esc(name), esc(value)))
        if s.headers_done:
            self.say("recv trailers stream=%d" % sid)
        else:
            s.fields = fields
            s.headers_done = True
            self.say("request stream=%d method=%s path=%s scheme=%s authority=%s" % (
                sid, esc(s.field(b":method")), esc(s.field(b":path")),
                esc(s.field(b":scheme")), esc(s.field(b":authority"))))
        if end:
            self.end_stream(s)

    def new_stream(self, sid):
        s = Stream(sid, self.our_init, self.client_settings.get(S_INITIAL_WINDOW_SIZE,
                                                                DEFAULT_WINDOW))
        self.streams[sid] = s
        return s

    def end_stream(self, s):
        s.ended = True
        self.say("request-end stream=%d bytes=%d sha256=%s" % (s.sid, s.nbytes,
                                                               s.sha.hexdigest()))

    def on_data(self, f):
        s = self.streams.get(f.stream_id)
        n = f.flow_controlled_length
        if s is None or s.ended:
            self.violation("DATA on stream %d, which is not open" % f.stream_id, "RFC 9113 §6.1")
            return
        # RFC 9113 §6.9.1: a sender must not send more than the receiver's windows allow.
        if n > s.recv_window or n > self.recv_conn:
            self.violation("DATA of %d bytes beyond the flow-control window (stream %d, "
                           "connection %d)" % (n, s.recv_window, self.recv_conn),
                           "RFC 9113 §6.9.1")
            self.send(hf.GoAwayFrame(0, last_stream_id=max(self.streams),
                                     error_code=CODE["FLOW_CONTROL_ERROR"],
                                     additional_data=b"client exceeded the window"))
            self.close("flow-control violation")
            return
        s.recv_window -= n
        self.recv_conn -= n
        s.sha.update(f.data)
        s.nbytes += len(f.data)
        left = n
        if self.credit_delay and n:
            time.sleep(self.credit_delay)
        while left:  # the credit back, in one piece or (credit_piece) in many small ones
            k = min(left, self.credit_piece or left)
            left -= k
            updates = []
            if self.auto_conn_window:
                self.recv_conn += k
                updates.append(hf.WindowUpdateFrame(0, window_increment=k))
            if self.auto_stream_window and "END_STREAM" not in f.flags:
                s.recv_window += k
                updates.append(hf.WindowUpdateFrame(s.sid, window_increment=k))
            if updates:
                self.send(*updates)
        if "END_STREAM" in f.flags:
            self.end_stream(s)

    def open_conn_window(self, increment):
        self.recv_conn += increment
        self.send(hf.WindowUpdateFrame(0, window_increment=increment))

    def wait_end(self, s, timeout=20):
        if not self.pump(lambda: s.ended or s.reset, timeout):
            self.say("note request on stream %d did not end in %ds" % (s.sid, timeout))
        return s.ended

    def linger(self, timeout):
        """Keep reading (and logging) what the client sends for up to `timeout` seconds."""
        self.pump(lambda: False, timeout)


HANDLERS = {
    hf.SettingsFrame: Conn.on_settings,
    hf.PingFrame: Conn.on_ping,
    hf.WindowUpdateFrame: Conn.on_window_update,
    hf.RstStreamFrame: Conn.on_rst,
    hf.GoAwayFrame: Conn.on_goaway,
    hf.PushPromiseFrame: Conn.on_push_promise,
    hf.HeadersFrame: Conn.on_headers,
    hf.ContinuationFrame: Conn.on_continuation,
    hf.DataFrame: Conn.on_data,
}
