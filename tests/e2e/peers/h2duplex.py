# SPDX-License-Identifier: MIT
"""h2duplex: streaming scenarios of h2get's scripted test peer (issue 11, 35-duplex.bats).

They read the request body as it arrives and log when each DATA frame came ("note data
at=SECONDS len=N", seconds since the request's HEADERS), answer while the request is still
open (a greeting first, then one answer per line received), echo the body back as it comes
within the client's windows, reset the stream mid-way, exchange trailers, and relay the
stream to a TCP port as a tunnel (bridge).
"""

import select
import socket
import time

from hyperframe import frame as hf

from h2conn import CODE, esc

DOC = {
    "upload_times": "logs when each request DATA frame arrives; 200 at END_STREAM",
    "greeting": "response HEADERS and 'hello' at once, then 'echo: LINE' per line, 3 rounds",
    "echo": "echoes the request body as it arrives, within the client's windows",
    "rst_mid": "echoes 'ready', reads some input, then RST_STREAM(CANCEL)",
    "trailers_echo": "reads the request with its trailers, answers with response trailers",
    "early_end": "the whole response at once, without waiting for the request body",
    "trailers_forbidden": "DATA, then trailers with content-length (RFC 9110 §6.5.1)",
    "bridge": "a tunnel: /bridge/PORT relays the stream to and from 127.0.0.1:PORT",
    "window_stuck": "'ready', then never a WINDOW_UPDATE for the request body",
}


def pump_data(c, s, until, timeout, on_data=None):
    """Handle frames until until() or `timeout` seconds; on_data(frame) for our DATA."""
    deadline = time.monotonic() + timeout
    while not until() and not c.done:
        f = c.read_frame(min(deadline, time.monotonic() + 0.1))
        if f is None:
            if time.monotonic() >= deadline:
                return False
            continue
        c.handle(f)
        if on_data and isinstance(f, hf.DataFrame) and f.stream_id == s.sid:
            on_data(f)
    return until()


def sc_upload_times(c, s):
    t0 = time.monotonic()
    c.say("note headers at=0.000")

    def log(f):
        c.say("note data at=%.3f len=%d%s" % (time.monotonic() - t0, len(f.data),
                                             " END_STREAM" if "END_STREAM" in f.flags else ""))
    if pump_data(c, s, lambda: s.ended or s.reset, 30, log) and s.ended:
        c.respond(s, ("%d %s\n" % (s.nbytes, s.sha.hexdigest())).encode())


def data(sid, payload, end=False):
    return hf.DataFrame(sid, data=payload, flags=["END_STREAM"] if end else [])


def sc_greeting(c, s):
    """The server speaks first and the client answers only after reading it: a client that
    sends its whole body before reading the response deadlocks here."""
    c.send(*c.headers(s.sid, [(":status", "200"), ("content-type", "text/plain")]))
    c.send(data(s.sid, b"hello\n"))
    got = bytearray()
    for rnd in range(1, 4):
        if not pump_data(c, s, lambda: b"\n" in got or s.ended or s.reset, 20,
                         lambda f: got.extend(f.data)):
            c.say("note round %d: no line from the client" % rnd)
            return
        if b"\n" not in got:
            return
        line, _, rest = bytes(got).partition(b"\n")
        got[:] = rest
        c.say("note round %d line=%s" % (rnd, esc(line)))
        c.send(data(s.sid, b"echo: " + line + b"\n"))
    pump_data(c, s, lambda: s.ended or s.reset, 20)
    if s.ended:
        c.send(data(s.sid, b"bye\n", end=True))


def sc_echo(c, s):
    c.send(*c.headers(s.sid, [(":status", "200"), ("content-type", "application/octet-stream")]))
    pending = bytearray()
    state = {"sent": 0}

    def flush():
        while pending:
            room = min(c.max_frame(), s.send_window, c.send_conn, len(pending))
            if room <= 0:
                if not state.get("closed"):
                    state["closed"] = True
                    c.say("note send window closed after %d bytes" % state["sent"])
                return
            chunk = bytes(pending[:room])
            del pending[:room]
            s.send_window -= room
            c.send_conn -= room
            state["sent"] += room
            c.send(data(s.sid, chunk))

    deadline = time.monotonic() + 120
    while not c.done and not s.reset and time.monotonic() < deadline:
        if s.ended and not pending:
            c.send(data(s.sid, b"", end=True))
            c.say("note echoed %d bytes" % state["sent"])
            return
        f = c.read_frame(time.monotonic() + 0.1)
        if f is not None:
            c.handle(f)
            if isinstance(f, hf.DataFrame) and f.stream_id == s.sid:
                pending.extend(f.data)
        flush()


def sc_rst_mid(c, s):
    c.send(*c.headers(s.sid, [(":status", "200"), ("content-type", "text/plain")]))
    c.send(data(s.sid, b"ready\n"))
    pump_data(c, s, lambda: s.nbytes >= 10 or s.ended or s.reset, 20)
    c.say("note reset after %d bytes" % s.nbytes)
    c.send(hf.RstStreamFrame(s.sid, error_code=CODE["CANCEL"]))
    c.linger(1)


def sc_early_end(c, s):
    pump_data(c, s, lambda: s.nbytes >= 5 or s.ended or s.reset, 20)
    c.send(*c.headers(s.sid, [(":status", "200"), ("content-type", "text/plain")]))
    c.send(data(s.sid, b"done early\n", end=True))
    c.linger(1)


def sc_trailers_echo(c, s):
    pump_data(c, s, lambda: s.ended or s.reset, 20)
    if not s.ended:
        return
    body = ("%d\n" % s.nbytes).encode()
    c.send(*c.headers(s.sid, [(":status", "200"), ("content-type", "text/plain")]))
    c.send(data(s.sid, body))
    c.send(*c.headers(s.sid, [("grpc-status", "0"), ("x-sum", s.sha.hexdigest()[:16])],
                      end_stream=True))


def sc_trailers_forbidden(c, s):
    c.wait_end(s)
    c.send(*c.headers(s.sid, [(":status", "200"), ("content-type", "text/plain")]))
    c.send(data(s.sid, b"body\n"))
    c.send(*c.headers(s.sid, [("content-length", "5")], end_stream=True))
    c.linger(1)


def sc_bridge(c, s):
    """A tunnel over one POST stream: /bridge/PORT connects to 127.0.0.1:PORT and relays
    bytes both ways (request DATA to the socket, socket bytes as response DATA within the
    client's windows); END_STREAM from the client half-closes the socket, its EOF ends the
    response."""
    try:
        port = int(s.field(b":path").rsplit(b"/", 1)[-1])
        back = socket.create_connection(("127.0.0.1", port), timeout=5)
    except (ValueError, OSError) as e:
        c.say("note bridge failed: %s" % e)
        c.send(*c.headers(s.sid, [(":status", "502")], end_stream=True))
        return
    c.send(*c.headers(s.sid, [(":status", "200")]))
    c.say("note bridge to port %d" % port)
    pending, sent, up = bytearray(), 0, [0]
    back_open, deadline = True, time.monotonic() + 60

    def to_back(f):
        if f.data:
            back.sendall(f.data)
            up[0] += len(f.data)
        if "END_STREAM" in f.flags:
            back.shutdown(socket.SHUT_WR)

    while not c.done and not s.reset and time.monotonic() < deadline:
        while pending and min(s.send_window, c.send_conn) > 0:
            n = min(c.max_frame(), s.send_window, c.send_conn, len(pending))
            chunk = bytes(pending[:n])
            del pending[:n]
            s.send_window -= n
            c.send_conn -= n
            sent += n
            c.send(data(s.sid, chunk))
        if not back_open and not pending:
            c.send(data(s.sid, b"", end=True))
            c.say("note bridge closed: %d bytes up, %d down" % (up[0], sent))
            break
        ready = select.select([c.sock] + ([back] if back_open else []), [], [], 0.1)[0]
        if back in ready:
            got = back.recv(65536)
            if got:
                pending.extend(got)
            else:
                back_open = False
        if c.sock in ready or buffered(c):
            f = c.read_frame(time.monotonic() + 0.05)
            while f is not None:
                c.handle(f)
                if isinstance(f, hf.DataFrame) and f.stream_id == s.sid:
                    to_back(f)
                f = c.read_frame(time.monotonic()) if buffered(c) else None
    back.close()


def buffered(c):
    """A whole frame waits in the reader's buffer (or TLS has bytes select cannot see)."""
    if hasattr(c.sock, "pending") and c.sock.pending():
        return True
    return len(c.rbuf) >= 9 and len(c.rbuf) >= 9 + int.from_bytes(c.rbuf[:3], "big")


def sc_window_stuck(c, s):
    c.auto_stream_window = c.auto_conn_window = False
    c.send(*c.headers(s.sid, [(":status", "200"), ("content-type", "text/plain")]))
    c.send(data(s.sid, b"ready\n"))
    pump_data(c, s, lambda: s.recv_window <= 0 or s.ended or s.reset, 20)
    c.say("note window held at %d bytes" % s.nbytes)
    c.linger(5)
