#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""h2peer: a scripted HTTP/2 server that misbehaves on purpose, for h2get's e2e tests.

It does the connection preface and the SETTINGS exchange properly (RFC 9113 §3.4, §6.5),
decodes the request, then acts out ONE scenario with raw frames (h2conn.py, hyperframe), so
it can send what a conforming library would refuse to. Every frame received or sent is
logged one per line ("c1 recv GOAWAY stream=0 ... code=NO_ERROR"), so tests can assert on
what the client did. TLS (ALPN h2, http/1.1) or h2c; a minimal HTTP/1.1 answer for clients
that fall back. Not a general server: one scenario per run, bounded lifetime.
Usage: h2peer.py --help; the scenarios: h2peer.py --list.
"""

import argparse
import os
import select
import socket
import ssl
import sys
import threading
import time

from hyperframe import frame as hf

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from h2conn import (BODY_H1, BODY_OK, CODE, DEFAULT_WINDOW, MAX_WINDOW, PING_OPAQUE, PREFACE,
                    S_INITIAL_WINDOW_SIZE, S_MAX_CONCURRENT_STREAMS, S_MAX_FRAME_SIZE, Closed,
                    Conn, Log, esc, lit)
import h2many  # noqa: E402  (the many-URL scenarios, 80-many.bats)
import h2checks  # noqa: E402  (one rule of --check broken each, 70-trace.bats)
import h2duplex  # noqa: E402  (streamed uploads, --duplex, trailers: 35-duplex.bats)

LATE_PING = b"late!!!!"  # ping_after_close's PINGs: after the response,
GOAWAY_PING = b"goaway!!"  # and after the client's GOAWAY


# --- scenarios: each gets the connection and the first request's stream ---------------


def sc_ok(c, s):
    if c.wait_end(s):
        c.respond(s, BODY_OK, extra=[("x-h2peer", "ok")])


def sc_rst_stream(c, s):
    c.send(*c.headers(s.sid, [(":status", "200"), ("content-type", "text/plain")]))
    c.send(hf.RstStreamFrame(s.sid, error_code=CODE["INTERNAL_ERROR"]))


def sc_goaway(c, s):
    c.send(hf.GoAwayFrame(0, last_stream_id=0, error_code=CODE["PROTOCOL_ERROR"],
                          additional_data=b"bye\x01"))
    c.linger(2)
    c.close_gracefully("after GOAWAY")


def sc_goaway_after_headers(c, s):
    c.send(*c.headers(s.sid, [(":status", "200"), ("content-length", "10")]))
    c.send(hf.GoAwayFrame(0, last_stream_id=s.sid, error_code=CODE["INTERNAL_ERROR"],
                          additional_data=b"shutting down"))
    c.linger(2)
    c.close_gracefully("after GOAWAY")


def sc_goaway_graceful(c, s):
    """§6.8: streams up to last_stream_id still complete after a NO_ERROR GOAWAY."""
    c.wait_end(s)
    c.send(*c.headers(s.sid, [(":status", "200"), ("content-length", str(len(BODY_OK)))]))
    c.send(hf.GoAwayFrame(0, last_stream_id=s.sid, error_code=CODE["NO_ERROR"]))
    c.send(*c.data_frames(s, BODY_OK))


def sc_goaway_then_ping(c, s):
    """GOAWAY(NO_ERROR, last 1) with the response headers, then SETTINGS that change the
    window, a PING, and only then the body: the connection still works until it closes."""
    c.wait_end(s)
    c.send(*c.headers(s.sid, [(":status", "200"), ("content-length", str(len(BODY_OK)))]))
    c.send(hf.GoAwayFrame(0, last_stream_id=s.sid, error_code=CODE["NO_ERROR"]))
    c.send_settings({S_INITIAL_WINDOW_SIZE: 1000})
    c.send(hf.PingFrame(0, opaque_data=LATE_PING))
    c.send(*c.data_frames(s, BODY_OK))
    c.linger(2)


def malformed(fields_block):
    """A response whose HEADERS break §8.1-§8.3; the client must reset the stream."""
    def run(c, s):
        c.send(*c.header_frames(s.sid, fields_block))
        c.pump(lambda: s.reset, 3)
    return run


def sc_cl_mismatch(c, s):
    c.send(*c.headers(s.sid, [(":status", "200"), ("content-length", "10")]))
    c.send(hf.DataFrame(s.sid, data=b"hello", flags=["END_STREAM"]))


def sc_cl_exceeded(c, s):
    c.send(*c.headers(s.sid, [(":status", "200"), ("content-length", "5")]))
    c.send(hf.DataFrame(s.sid, data=b"0123456789"))
    c.pump(lambda: s.reset, 3)


def sc_trailers(c, s):
    c.wait_end(s)
    c.send(*c.headers(s.sid, [(":status", "200"), ("content-type", "text/plain")]))
    c.send(*c.data_frames(s, BODY_OK, end=False))
    c.send(*c.headers(s.sid, [("grpc-status", "0"), ("grpc-message", "done")],
                      end_stream=True))


def sc_informational(c, s):
    c.wait_end(s)
    c.send(*c.headers(s.sid, [(":status", "103"), ("link", "</style.css>; rel=preload")]))
    c.respond(s, BODY_OK)


def sc_too_many_1xx(c, s):
    early = [f for _ in range(33) for f in c.headers(s.sid, [(":status", "103")])]
    c.send(*early)
    c.respond(s, BODY_OK)
    c.pump(lambda: s.reset, 3)


def big_block(count, size):
    """`count` fields x-big-NN of `size` letters each, as literals (no compression)."""
    return b"".join(lit("x-big-%02d" % i, chr(ord("a") + i % 26) * size) for i in range(count))


def sc_big_headers(c, s):
    # 25 x 4 KiB: ~100 KiB over HEADERS + 6 CONTINUATION, under every documented limit.
    c.wait_end(s)
    block = lit(":status", "200") + lit("content-length", str(len(BODY_OK)))
    block += big_block(25, 4096)
    c.send(*c.header_frames(s.sid, block))
    c.send(*c.data_frames(s, BODY_OK))


def sc_huge_headers(c, s):
    # 80 x 4 KiB: 320 KiB, over the 256 KiB header list the client advertised.
    block = lit(":status", "200") + big_block(80, 4096)
    c.send(*c.header_frames(s.sid, block))
    c.linger(3)


def sc_continuation_flood(c, s):
    # 1 HEADERS + 40 CONTINUATION frames: over the 32-frame limit, tiny in bytes.
    frames = [hf.HeadersFrame(s.sid, data=lit(":status", "200"))]
    frames += [hf.ContinuationFrame(s.sid, data=lit("x-f", str(i))) for i in range(39)]
    frames.append(hf.ContinuationFrame(s.sid, data=lit("x-f", "last"), flags=["END_HEADERS"]))
    c.send(*frames)
    c.linger(3)


def sc_window_overflow(c, s):
    # §6.9.1: 65535 + (2^31 - 1) overflows the client's connection send window.
    c.send(hf.WindowUpdateFrame(0, window_increment=MAX_WINDOW))
    c.linger(3)


def sc_stall(c, s):
    c.send(*c.headers(s.sid, [(":status", "200"), ("content-length", "100")]))


def sc_close_mid_body(c, s):
    c.send(*c.headers(s.sid, [(":status", "200"), ("content-length", "1000")]))
    c.send(hf.DataFrame(s.sid, data=b"x" * 500))
    time.sleep(0.2)
    c.close_gracefully("closed mid-body")


def sc_sse(c, s):
    """An event stream (37-sse.bats): one event, wait for the --gate file, one more."""
    c.send(*c.headers(s.sid, [(":status", "200"), ("content-type", "text/event-stream")]))
    c.send(hf.DataFrame(s.sid, data=b"id: 1\ndata: one\n\n"))
    gate = c.args.gate
    c.pump(lambda: gate is None or os.path.exists(gate), 20)
    c.send(hf.DataFrame(s.sid, data=b"data: two\r"))
    c.send(hf.DataFrame(s.sid, data=b"\n\r\n", flags=["END_STREAM"]))


def sc_slow_body(c, s):
    """Half the body, then wait for the --gate file to appear, then the rest."""
    c.send(*c.headers(s.sid, [(":status", "200"), ("content-length", "1000")]))
    c.send(hf.DataFrame(s.sid, data=b"x" * 500))
    c.say("gate waiting")
    gate = c.args.gate
    c.pump(lambda: gate is None or os.path.exists(gate), 20)
    c.say("gate open")
    c.send(hf.DataFrame(s.sid, data=b"y" * 500, flags=["END_STREAM"]))


def sc_push_promise(c, s):
    auth = s.field(b":authority").decode("latin-1") or "localhost"
    block = c.enc.encode([(":method", "GET"), (":scheme", "https"), (":authority", auth),
                          (":path", "/pushed")])
    promise = hf.PushPromiseFrame(s.sid, promised_stream_id=2)
    c.send(*c.header_frames(s.sid, block, first=promise))
    c.linger(3)
    if not c.done:
        c.respond(s, BODY_OK)


def sc_ping_after_end(c, s):
    if not c.wait_end(s):
        return
    frames = c.headers(s.sid, [(":status", "200"), ("content-length", str(len(BODY_OK)))])
    frames += c.data_frames(s, BODY_OK)
    frames.append(hf.PingFrame(0, opaque_data=PING_OPAQUE))
    c.send(*frames)  # one write: the client reads END_STREAM and PING together


def sc_ping_after_close(c, s):
    """The response, then at once, each in a write of its own, SETTINGS and a PING: a
    client that closes as soon as the stream ends never reads them (issue 12). RFC 9113
    §6.8, §9.1: it should answer both before it closes."""
    if not c.wait_end(s):
        return
    c.send(*c.headers(s.sid, [(":status", "200"), ("content-length", str(len(BODY_OK)))]),
           *c.data_frames(s, BODY_OK))
    c.send_settings({S_MAX_CONCURRENT_STREAMS: 50})
    c.send(hf.PingFrame(0, opaque_data=LATE_PING))
    # and one more once the client's GOAWAY is read, before its next frame (a PING, if it
    # closes as §6.8 suggests): a client that closes with its GOAWAY never answers it
    if c.pump(lambda: c.goaway is not None, 5):
        c.send(hf.PingFrame(0, opaque_data=GOAWAY_PING))
    c.linger(2)


def sc_http_1_1_required(c, s):
    c.send(hf.RstStreamFrame(s.sid, error_code=CODE["HTTP_1_1_REQUIRED"]))


def sc_upload_sha256(c, s):
    c.wait_end(s, 60)
    digest = s.sha.hexdigest()
    c.respond(s, (digest + "\n").encode(), extra=[("x-received-sha256", digest),
                                                  ("x-received-bytes", str(s.nbytes))])


def sc_credit_drip(c, s):
    """Credit for each DATA frame comes back in WINDOW_UPDATEs of 100 bytes, each its own
    write: a sender without silly-window avoidance answers with 100-byte DATA frames."""
    c.credit_piece = 100
    sc_upload_sha256(c, s)


def sc_credit_slow(c, s):
    """Credit for each DATA frame comes back 5 ms after it: a server too slow to be polled
    for without sleeping (client/spin.h)."""
    c.credit_delay = 0.005
    sc_upload_sha256(c, s)


def sc_window_change(c, s):
    """RFC 9113 §6.9.2 during an upload: lower INITIAL_WINDOW_SIZE while the client's stream
    window is exhausted, which makes it negative; the client must then wait for
    WINDOW_UPDATEs that make it positive, and must deliver every byte in the end."""
    c.auto_stream_window = False
    if not c.pump(lambda: s.recv_window == 0 or s.ended, 10):
        c.say("note stream window not exhausted after 10s")
    if not s.ended:
        c.say("note window exhausted after %d bytes; lowering INITIAL_WINDOW_SIZE" % s.nbytes)
        c.send_settings({S_INITIAL_WINDOW_SIZE: 16384})
        c.pump(lambda: not c.pending, 5)
        c.say("note stream window now %d" % s.recv_window)
        s.recv_window += 32768
        c.send(hf.WindowUpdateFrame(s.sid, window_increment=32768))
        c.say("note stream window now %d: client must not send" % s.recv_window)
        c.linger(0.5)
        s.recv_window += 32768
        c.send(hf.WindowUpdateFrame(s.sid, window_increment=32768))
        c.say("note stream window now %d: client may send" % s.recv_window)
        c.pump(lambda: s.recv_window == 0 or s.ended, 3)
        c.say("note raising INITIAL_WINDOW_SIZE")
        c.send_settings({S_INITIAL_WINDOW_SIZE: 1 << 20})
        c.auto_stream_window = True
    sc_upload_sha256(c, s)


class Scenario:
    def __init__(self, fn, doc, settings=None, conn_window=0, multi=False, ack_settings=True):
        self.fn = fn
        self.doc = doc
        self.ack_settings = ack_settings  # False: never acknowledge the client's SETTINGS
        self.settings = settings or {S_MAX_CONCURRENT_STREAMS: 100,
                                     S_INITIAL_WINDOW_SIZE: DEFAULT_WINDOW,
                                     S_MAX_FRAME_SIZE: 16384}
        self.conn_window = conn_window
        self.multi = multi


CODED_TEXT = b"a coded body, one byte per DATA frame\n" * 20


def sc_coded_bytewise(c, s):
    """content-encoding: gzip; two gzip members (RFC 1952 §2.2), one byte per DATA frame."""
    import gzip
    body = gzip.compress(CODED_TEXT) + gzip.compress(CODED_TEXT)
    c.wait_end(s)
    c.send(*c.headers(s.sid, [(":status", "200"), ("content-encoding", "gzip")]))
    for i in range(len(body)):
        c.send(hf.DataFrame(s.sid, data=body[i:i + 1]))
    c.send(hf.DataFrame(s.sid, data=b"", flags=["END_STREAM"]))


SCENARIOS = {
    "ok": Scenario(sc_ok, "200 and a short body, for every request", multi=True),
    "rst_stream": Scenario(sc_rst_stream, "response HEADERS, then RST_STREAM(INTERNAL_ERROR)"),
    "sse": Scenario(sc_sse, "an event stream: one event, wait for --gate, one more, the end"),
    "goaway": Scenario(sc_goaway, "GOAWAY(PROTOCOL_ERROR, last_stream_id=0, 'bye\\x01')"),
    "goaway_after_headers": Scenario(sc_goaway_after_headers,
                                     "HEADERS, then GOAWAY(INTERNAL_ERROR, last=1)"),
    "goaway_then_ping": Scenario(sc_goaway_then_ping, "HEADERS, GOAWAY(NO_ERROR, last=1), "
                                 "SETTINGS, PING, DATA"),
    "goaway_graceful": Scenario(sc_goaway_graceful, "HEADERS, GOAWAY(NO_ERROR, last=1), DATA"),
    "bad_status": Scenario(malformed(lit(":status", "2000")), ":status: 2000"),
    "missing_status": Scenario(malformed(lit("content-type", "text/plain")), "no :status"),
    "uppercase_header": Scenario(malformed(lit(":status", "200") + lit("X-Upper", "yes")),
                                 "a field name with uppercase letters"),
    "cl_mismatch": Scenario(sc_cl_mismatch, "content-length: 10, 5 bytes, END_STREAM"),
    "cl_exceeded": Scenario(sc_cl_exceeded, "content-length: 5, 10 bytes of DATA"),
    "trailers": Scenario(sc_trailers, "DATA, then trailers with grpc-status: 0"),
    "informational": Scenario(sc_informational, "103 Early Hints, then 200"),
    "too_many_1xx": Scenario(sc_too_many_1xx, "33 x 103, then 200"),
    "big_headers": Scenario(sc_big_headers, "100 KiB of fields over HEADERS + CONTINUATION"),
    "huge_headers": Scenario(sc_huge_headers, "320 KiB of fields: over the 256 KiB limit"),
    "continuation_flood": Scenario(sc_continuation_flood, "40 CONTINUATION frames"),
    "window_overflow": Scenario(sc_window_overflow, "WINDOW_UPDATE overflowing 2^31-1"),
    "window_change": Scenario(sc_window_change, "INITIAL_WINDOW_SIZE lowered and raised "
                              "mid-upload; echoes the body's sha256", conn_window=64 << 20),
    "credit_slow": Scenario(sc_credit_slow, "upload_sha256, with each frame's credit sent "
                            "5 ms after it"),
    "credit_drip": Scenario(sc_credit_drip, "upload_sha256, with the credit returned in "
                            "100-byte WINDOW_UPDATEs"),
    "upload_sha256": Scenario(sc_upload_sha256, "echoes the request body's sha256 "
                              "(x-received-sha256), 64 KiB windows", multi=True),
    "stall": Scenario(sc_stall, "response HEADERS, then nothing"),
    "close_mid_body": Scenario(sc_close_mid_body, "content-length 1000, 500 bytes, close"),
    "slow_body": Scenario(sc_slow_body, "500 bytes, wait for --gate FILE, 500 more"),
    "push_promise": Scenario(sc_push_promise, "PUSH_PROMISE although ENABLE_PUSH=0"),
    "ping_after_end": Scenario(sc_ping_after_end, "response, then PING in the same write"),
    "ping_after_close": Scenario(sc_ping_after_close, "response, then SETTINGS and PING "
                                 "in writes of their own"),
    "http_1_1_required": Scenario(sc_http_1_1_required, "RST_STREAM(HTTP_1_1_REQUIRED); "
                                  "HTTP/1.1 on the next connection"),
    "empty_reply": Scenario(None, "accept (and TLS handshake), then close"),
    "coded_bytewise": Scenario(sc_coded_bytewise, "gzip, two members, one byte per DATA frame"),
    "many": Scenario(h2many.sc_many, h2many.DOC["many"]),
    "many_mcs1": Scenario(h2many.sc_many_mcs1, h2many.DOC["many_mcs1"],
                          settings={S_MAX_CONCURRENT_STREAMS: 1,
                                    S_INITIAL_WINDOW_SIZE: DEFAULT_WINDOW,
                                    S_MAX_FRAME_SIZE: 16384}),
    "many_goaway": Scenario(h2many.sc_many_goaway, h2many.DOC["many_goaway"]),
    "many_refuse": Scenario(h2many.sc_many_refuse, h2many.DOC["many_refuse"]),
    "many_refuse_close": Scenario(h2many.sc_many_refuse_close, h2many.DOC["many_refuse_close"]),
    "many_refuse_all": Scenario(h2many.sc_many_refuse_all, h2many.DOC["many_refuse_all"]),
}
SCENARIOS.update({name: Scenario(fn, doc, ack_settings=name not in h2checks.NO_SETTINGS_ACK)
                  for name, (fn, doc) in h2checks.CHECKS.items()})
SCENARIOS.update({name: Scenario(getattr(h2duplex, "sc_" + name), doc)
                  for name, doc in h2duplex.DOC.items()})


# --- connections ----------------------------------------------------------------------

def serve_h2(c):
    if not c.settings_sent:
        c.send_settings(c.scen.settings)
    if c.scen.conn_window:
        c.open_conn_window(c.scen.conn_window)
    # RFC 9113 §3.4: the client's preface ends with its SETTINGS; act only after those.
    if not c.pump(lambda: c.got_settings, c.args.idle):
        c.close("no SETTINGS from the client")
        return
    handled = set()
    while not c.done:
        for s in list(c.streams.values()):
            if s.headers_done and s.sid not in handled:
                handled.add(s.sid)
                if len(handled) == 1 or c.scen.multi:
                    c.scen.fn(c, s)
                if c.done:
                    return
        f = c.read_frame(time.monotonic() + c.args.idle)
        if f is None:
            c.close("idle")
            return
        c.handle(f)


def serve_h1(c):
    deadline = time.monotonic() + c.args.idle
    while b"\r\n\r\n" not in c.rbuf and len(c.rbuf) < 65536:
        if not c.fill(deadline):
            c.close("h1 request head incomplete")
            return
    head, _, rest = bytes(c.rbuf).partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    c.say("h1 request %s" % esc(lines[0]))
    fields = {}
    for line in lines[1:]:
        c.say("h1 field %s" % esc(line))
        name, _, value = line.partition(b":")
        fields[name.strip().lower()] = value.strip()
    c.rbuf = bytearray(rest)
    length = int(fields.get(b"content-length", b"0") or b"0")
    if length and c.read_exact(length, deadline) is None:
        c.close("h1 request body incomplete")
        return
    if fields.get(b"upgrade", b"").lower() == b"h2c" and not c.args.no_upgrade:
        upgrade(c, lines[0], fields, length)
        return
    resp = (b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: %d\r\n"
            b"connection: close\r\n\r\n" % len(BODY_H1)) + BODY_H1
    c.say("h1 response 200 len=%d" % len(BODY_H1))
    c.sock.sendall(resp)
    c.close_gracefully("h1 done")


def upgrade(c, request_line, fields, length):
    """RFC 7540 §3.2 (deprecated by RFC 9113 §3.1, still offered by clients): 101, our
    SETTINGS, then the client's preface; the upgraded request is stream 1, already ended
    on the client's side, and the scenario answers it like any other."""
    c.say("h1 upgrade h2c http2-settings=%s" % esc(fields.get(b"http2-settings", b"-")))
    c.sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\n"
                   b"upgrade: h2c\r\n\r\n")
    c.send_settings(c.scen.settings)
    method, _, rest = request_line.partition(b" ")
    path = rest.rpartition(b" ")[0]
    s = c.new_stream(1)
    s.fields = [(b":method", method), (b":scheme", b"http"), (b":path", path),
                (b":authority", fields.get(b"host", b""))]
    s.headers_done = True
    s.nbytes = length
    c.say("request stream=1 method=%s path=%s scheme=http authority=%s" % (
        esc(method), esc(path), esc(fields.get(b"host", b""))))
    c.end_stream(s)
    start(c)


def start(c):
    """Tell HTTP/2 (the preface) from HTTP/1.1 by the first bytes, then serve."""
    deadline = time.monotonic() + c.args.idle
    while len(c.rbuf) < len(PREFACE) and PREFACE.startswith(bytes(c.rbuf)):
        if not c.fill(deadline):
            c.close("no preface")
            return
    if bytes(c.rbuf[:len(PREFACE)]) == PREFACE:
        del c.rbuf[:len(PREFACE)]
        c.say("recv PREFACE")
        serve_h2(c)
    else:
        serve_h1(c)


def handshake(sock, ctx, c):
    sock.settimeout(c.args.idle)
    tls = ctx.wrap_socket(sock, server_side=True)
    c.sock = tls
    c.say("tls version=%s cipher=%s alpn=%s sni=%s" % (
        tls.version(), tls.cipher()[0], tls.selected_alpn_protocol() or "-",
        getattr(tls, "h2peer_sni", None) or "-"))


def serve(sock, addr, num, log, scen, args, ctx):
    sock.settimeout(args.idle)  # bounds every blocking call, TLS records included
    c = Conn(sock, num, log, scen, args)
    c.say("open from %s tls=%d scenario=%s" % (addr[0], ctx is not None, args.scenario))
    try:
        if ctx is not None:
            handshake(sock, ctx, c)
        if scen.fn is None:
            c.close_gracefully("empty reply")
            return
        start(c)
        if not c.done:
            c.close("scenario done")
    except Closed as e:
        c.close(str(e))
    except (ssl.SSLError, OSError) as e:
        c.close("error: %s" % e)
    except Exception as e:  # a bug in the peer: say so in the log the test reads
        c.close("peer crashed: %r" % e)
        raise


def tls_context(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(args.cert, args.key)
    alpn = [p for p in args.alpn.split(",") if p]
    if alpn:
        ctx.set_alpn_protocols(alpn)

    def on_sni(sslsock, name, _ctx):
        sslsock.h2peer_sni = name
    ctx.sni_callback = on_sni
    return ctx


def listen(host):
    """Listening sockets on 127.0.0.1 and ::1 (when present) sharing one free port."""
    if host == "both":
        wanted = ["127.0.0.1"] + (["::1"] if has_ipv6() else [])
    else:
        wanted = [host]
    last = None
    for _ in range(50):
        socks, port = [], 0
        try:
            for addr in wanted:
                fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
                s = socket.socket(fam, socket.SOCK_STREAM)
                socks.append(s)
                if fam == socket.AF_INET6:
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                s.bind((addr, port))
                s.listen(16)
                port = s.getsockname()[1]
            return socks, port
        except OSError as e:  # the port was free on one family only: try another
            for s in socks:
                s.close()
            last = e
    raise last


def has_ipv6():
    try:
        s = socket.socket(socket.AF_INET6)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


def write_port(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write("%d\n" % port)
    os.rename(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario", nargs="?", help="what to act out (--list)")
    ap.add_argument("--list", action="store_true", help="list the scenarios")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve TLS (else h2c)")
    ap.add_argument("--alpn", default="h2,http/1.1", help="ALPN protocols we accept, in order")
    ap.add_argument("--host", default="both", choices=["both", "127.0.0.1", "::1"])
    ap.add_argument("--port-file", help="write the listening port here when ready")
    ap.add_argument("--log", help="frame log (default: stderr)")
    ap.add_argument("--verbose", action="store_true", help="also echo the log to stderr")
    ap.add_argument("--lifetime", type=float, default=30, help="exit after this many seconds")
    ap.add_argument("--idle", type=float, default=10, help="per-connection idle timeout")
    ap.add_argument("--max-conns", type=int, default=8, help="connections to accept")
    ap.add_argument("--gate", help="slow_body waits for this file to exist")
    ap.add_argument("--no-upgrade", action="store_true",
                    help="answer an HTTP/1.1 Upgrade: h2c request without upgrading")
    h2many.add_args(ap)
    args = ap.parse_args()
    if args.list:
        for name, sc in SCENARIOS.items():
            print("%-22s %s" % (name, sc.doc))
        return 0
    if args.scenario not in SCENARIOS:
        ap.error("unknown scenario %r (see --list)" % args.scenario)
    args.cert, args.key = args.tls if args.tls else (None, None)
    ctx = tls_context(args) if args.tls else None
    log = Log(args.log, args.verbose)
    socks, port = listen(args.host)
    log.line("listening port=%d tls=%d scenario=%s" % (port, ctx is not None, args.scenario))
    if args.port_file:
        write_port(args.port_file, port)
    print(port, flush=True)
    run(socks, log, SCENARIOS[args.scenario], args, ctx)
    return 0


def run(socks, log, scen, args, ctx):
    end = time.monotonic() + args.lifetime
    threads = []
    while len(threads) < args.max_conns and time.monotonic() < end:
        ready = select.select(socks, [], [], min(0.5, max(0, end - time.monotonic())))[0]
        for ls in ready:
            sock, addr = ls.accept()
            t = threading.Thread(target=serve, daemon=True,
                                 args=(sock, addr, len(threads) + 1, log, scen, args, ctx))
            threads.append(t)
            t.start()
    for t in threads:
        t.join(max(0, end - time.monotonic()))
    log.line("exit")


if __name__ == "__main__":
    sys.exit(main())
