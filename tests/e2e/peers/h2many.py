# SPDX-License-Identifier: MIT
"""h2many: the many-URL scenarios of h2get's scripted test peer (issue 4, 80-many.bats).

One event loop serves every stream of a connection at once, with timers, so responses can
overlap and finish out of order; the request path says what to do with each stream (see
route()). The scenarios add connection-level behaviour: a MAX_CONCURRENT_STREAMS of 1 that
is enforced (RFC 9113 §5.1.2), a graceful GOAWAY after N requests (§6.8), REFUSED_STREAM
for the first request (§8.7). Every request logs the number of streams open at that moment
("note open=N") so a test can read the client's concurrency from the log.
"""

import heapq
import itertools
import time

from hyperframe import frame as hf

from h2conn import CODE, esc

SEQ = itertools.count()


class Many:
    """Per-connection state of the loop: timers, streams open, requests seen."""

    def __init__(self, c):
        self.c = c
        self.timers = []  # heap of (due, seq, fn)
        self.open = set()  # stream ids with a request and no END_STREAM/RST from us yet
        self.seen = set()
        self.max_open = 0
        self.last_ok = None  # after our GOAWAY: the highest stream id we still answer

    def later(self, ms, fn):
        heapq.heappush(self.timers, (time.monotonic() + ms / 1000.0, next(SEQ), fn))

    def finish(self, sid):
        self.open.discard(sid)

    def run_timers(self):
        while self.timers and self.timers[0][0] <= time.monotonic() and not self.c.done:
            _, _, fn = heapq.heappop(self.timers)
            fn()


def body_of(c, s):
    """The body for a request: its path and a newline, --body-reps times."""
    reps = getattr(c.args, "body_reps", 1) or 1
    return (s.field(b":path") + b"\n") * reps


def answer(m, s, status="200", body=None):
    c = m.c
    if s.reset or c.done:
        m.finish(s.sid)
        return
    body = body_of(c, s) if body is None else body
    c.respond(s, body, status=status, extra=[("x-path", esc(s.field(b":path")))])
    m.finish(s.sid)


def send_body(m, s, body):
    if s.reset or m.c.done:
        m.finish(s.sid)
        return
    m.c.send(*m.c.data_frames(s, body))
    m.finish(s.sid)


def send_rst(m, s, code):
    if not s.reset and not m.c.done:
        m.c.send(hf.RstStreamFrame(s.sid, error_code=CODE[code]))
    m.finish(s.sid)


def head_only(m, s, length):
    m.c.send(*m.c.headers(s.sid, [(":status", "200"), ("content-type", "text/plain"),
                                   ("content-length", str(length))]))


def route(m, s):
    """What a path asks for (MS: milliseconds; the rest of the path is free):
    /delay/MS/...     the whole response after MS
    /slowbody/MS/...  HEADERS at once, the body after MS
    /rst/MS/...       HEADERS at once, RST_STREAM(INTERNAL_ERROR) after MS
    /status/CODE/...  that status, the usual body
    /hold/...         HEADERS and half the body, then nothing (until the client resets)
    anything else     200 and the body at once."""
    parts = s.field(b":path").decode("latin-1").split("/")
    kind = parts[1] if len(parts) > 1 else ""
    arg = parts[2] if len(parts) > 2 else ""
    if kind == "delay" and arg.isdigit():
        m.later(int(arg), lambda: answer(m, s))
    elif kind == "slowbody" and arg.isdigit():
        body = body_of(m.c, s)
        head_only(m, s, len(body))
        m.later(int(arg), lambda: send_body(m, s, body))
    elif kind == "rst" and arg.isdigit():
        head_only(m, s, 1000)
        m.later(int(arg), lambda: send_rst(m, s, "INTERNAL_ERROR"))
    elif kind == "status" and arg.isdigit():
        answer(m, s, status=arg)
    elif kind == "hold":
        body = body_of(m.c, s)
        head_only(m, s, 2 * len(body))
        m.c.send(*m.c.data_frames(s, body, end=False))
        m.c.say("note holding stream=%d" % s.sid)
    else:
        answer(m, s)


def on_request(m, s, policy):
    c = m.c
    m.open.add(s.sid)
    m.max_open = max(m.max_open, len(m.open))
    c.say("note open=%d stream=%d request=%d" % (len(m.open), s.sid, len(m.seen)))
    if m.last_ok is not None and s.sid > m.last_ok:
        c.say("note ignored stream=%d (above our GOAWAY's last_stream_id)" % s.sid)
        m.finish(s.sid)
        return
    if policy(m, s) is not False:
        route(m, s)


def serve_all(c, policy, until=None):
    """Serve every request of this connection until the client closes it (or until() holds,
    or --idle seconds pass without a frame). policy(m, s) runs first for each request and
    returns False when it has dealt with the stream itself."""
    m = Many(c)
    idle_end = time.monotonic() + c.args.idle
    while not c.done:
        for s in list(c.streams.values()):  # dict order: the order the requests came in
            if s.headers_done and s.sid not in m.seen:
                m.seen.add(s.sid)
                if s.reset:
                    c.say("note stream=%d reset before we saw it" % s.sid)
                    continue
                on_request(m, s, policy)
        for s in list(c.streams.values()):
            if s.reset and s.sid in m.open:
                c.say("note stream=%d reset by the client" % s.sid)
                m.finish(s.sid)
        m.run_timers()
        if until is not None and until(m):
            return m
        due = m.timers[0][0] if m.timers else idle_end
        f = c.read_frame(min(due, idle_end))
        if f is not None:
            idle_end = time.monotonic() + c.args.idle
            c.handle(f)
        elif time.monotonic() >= idle_end:
            c.say("note max-open=%d requests=%d" % (m.max_open, len(m.seen)))
            c.close("idle")
            return m
    return m


def plain(m, s):
    return True


def sc_many(c, s):
    serve_all(c, plain)


def sc_many_mcs1(c, s):
    """We announced MAX_CONCURRENT_STREAMS=1: a second open stream is refused (§5.1.2), and
    is a violation once the client has acknowledged our SETTINGS."""
    def policy(m, st):
        if len(m.open) <= 1:
            return True
        if c.pending:
            c.say("note stream=%d beyond the limit before our SETTINGS were acknowledged"
                  % st.sid)
        else:
            c.violation("stream %d makes %d open, over MAX_CONCURRENT_STREAMS=1"
                        % (st.sid, len(m.open)), "RFC 9113 §5.1.2")
        send_rst(m, st, "REFUSED_STREAM")
        return False
    serve_all(c, policy)


def sc_many_goaway(c, s):
    """Connection 1 only: after --goaway-after N requests, GOAWAY(NO_ERROR) with the Nth
    request's stream as last_stream_id; those up to it are answered, later ones ignored
    (§6.8), and the connection is closed once they are done. Later connections serve all."""
    if c.n != 1:
        serve_all(c, plain)
        return
    limit = c.args.goaway_after

    def policy(m, st):
        if m.last_ok is None and len(m.seen) >= limit:
            m.last_ok = st.sid
            c.send(hf.GoAwayFrame(0, last_stream_id=st.sid, error_code=CODE["NO_ERROR"],
                                  additional_data=b"enough"))
        return True

    serve_all(c, policy, until=lambda m: m.last_ok is not None and not m.open)
    c.linger(0.3)
    c.close_gracefully("after GOAWAY")


def sc_many_refuse(c, s):
    """Connection 1's first request is refused with REFUSED_STREAM (§8.7: not processed, safe
    to retry); everything else is answered."""
    def policy(m, st):
        if c.n == 1 and len(m.seen) == 1:
            send_rst(m, st, "REFUSED_STREAM")
            return False
        return True
    serve_all(c, policy)


def sc_many_refuse_close(c, s):
    """Connection 1 refuses its first stream (REFUSED_STREAM) and closes at once, without
    GOAWAY, as a server shedding load may; later connections serve all."""
    if c.n != 1:
        serve_all(c, plain)
        return
    c.send(hf.RstStreamFrame(s.sid, error_code=CODE["REFUSED_STREAM"]))
    c.close_gracefully("refused, no GOAWAY")


def sc_many_refuse_all(c, s):
    """Every connection refuses every stream (REFUSED_STREAM)."""
    def policy(m, st):
        send_rst(m, st, "REFUSED_STREAM")
        return False
    serve_all(c, policy)


def add_args(ap):
    ap.add_argument("--goaway-after", type=int, default=5,
                    help="many_goaway: GOAWAY after this many requests")
    ap.add_argument("--body-reps", type=int, default=1,
                    help="many*: the body is the path and a newline, this many times")


DOC = {
    "many": "every stream at once; the path says what to do (h2many.route)",
    "many_mcs1": "many, with MAX_CONCURRENT_STREAMS=1 enforced",
    "many_goaway": "many; connection 1 sends GOAWAY(NO_ERROR) after --goaway-after requests",
    "many_refuse": "many; connection 1 refuses its first stream (REFUSED_STREAM)",
    "many_refuse_close": "connection 1 refuses its first stream, then closes without GOAWAY",
    "many_refuse_all": "many; every stream of every connection is refused",
}
