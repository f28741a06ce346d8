#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A DNS server for tests that answers slowly on purpose (RFC 1035 over UDP).

    dnspeer.py --addr 127.53.X.Y --log FILE [--record NAME TYPE ADDR DELAY_MS]...

Listens on ADDR port 53 (a loopback address the test picked; the test's own resolv.conf,
bind-mounted in a private mount namespace, points there). Each query is answered after
the DELAY_MS of its record, on a timer of its own, so a slow AAAA never holds up an A.
A name with records but none of the asked type gets NOERROR with no answer (NODATA); an
unknown name NXDOMAIN. TYPE is A or AAAA; ADDR '-' means a record that is never answered
(the query is logged and dropped). The log gets one line per event, flushed at once:
"ready", "query NAME TYPE", "answer NAME TYPE N", "nxdomain NAME TYPE", "drop NAME TYPE".
The server stops after --lifetime seconds (60).
"""
import argparse
import socket
import struct
import sys
import threading
import time

QTYPES = {1: "A", 28: "AAAA"}


def parse_question(msg):
    """(id, flags, qname, qtype, end of question) of a query, or None."""
    if len(msg) < 12:
        return None
    qid, flags, qd = struct.unpack(">HHH", msg[:6])
    if qd != 1:
        return None
    i, labels = 12, []
    while i < len(msg) and msg[i] != 0:
        n = msg[i]
        if n > 63 or i + 1 + n > len(msg):
            return None
        labels.append(msg[i + 1:i + 1 + n].decode("ascii", "replace").lower())
        i += 1 + n
    if i + 5 > len(msg):
        return None
    qtype, _qclass = struct.unpack(">HH", msg[i + 1:i + 5])
    return qid, flags, ".".join(labels), qtype, i + 5


def reply(msg, qend, rcode, rdatas, qtype):
    qid, flags = struct.unpack(">HH", msg[:4])
    rflags = 0x8000 | (flags & 0x0100) | 0x0080 | rcode  # QR, RD copied, RA
    head = struct.pack(">HHHHHH", qid, rflags, 1, len(rdatas), 0, 0)
    out = head + msg[12:qend]
    for rd in rdatas:
        out += struct.pack(">HHHIH", 0xC00C, qtype, 1, 60, len(rd)) + rd
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", required=True)
    ap.add_argument("--port", type=int, default=53)
    ap.add_argument("--log", required=True)
    ap.add_argument("--lifetime", type=float, default=60)
    ap.add_argument("--record", nargs=4, action="append", default=[],
                    metavar=("NAME", "TYPE", "ADDR", "DELAY_MS"))
    a = ap.parse_args()

    records = {}
    for name, rtype, addr, delay in a.record:
        records.setdefault(name.lower(), {}).setdefault(rtype.upper(), []).append(
            (addr, int(delay)))
    log = open(a.log, "a", buffering=1)
    lock = threading.Lock()

    def note(line):
        with lock:
            log.write(line + "\n")

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((a.addr, a.port))
    sock.settimeout(0.2)
    note("ready")
    end = time.monotonic() + a.lifetime

    def answer(msg, peer, qend, name, tname, rcode, rdatas, qtype):
        with lock:
            sock.sendto(reply(msg, qend, rcode, rdatas, qtype), peer)
        note("%s %s %s %d" % ("answer" if rcode == 0 else "nxdomain", name, tname,
                                len(rdatas)))

    while time.monotonic() < end:
        try:
            msg, peer = sock.recvfrom(4096)
        except socket.timeout:
            continue
        q = parse_question(msg)
        if not q:
            continue
        _qid, _flags, name, qtype, qend = q
        tname = QTYPES.get(qtype, str(qtype))
        note("query %s %s" % (name, tname))
        if name not in records:
            threading.Timer(0, answer, (msg, peer, qend, name, tname, 3, [], qtype)).start()
            continue
        recs = records[name].get(tname, [])
        if any(addr == "-" for addr, _ in recs):
            note("drop %s %s" % (name, tname))
            continue
        fam = socket.AF_INET if tname == "A" else socket.AF_INET6
        rdatas = [socket.inet_pton(fam, addr) for addr, _ in recs]
        delay = max([d for _, d in recs], default=0) / 1000.0
        t = threading.Timer(delay, answer, (msg, peer, qend, name, tname, 0, rdatas, qtype))
        t.daemon = True
        t.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
