# SPDX-License-Identifier: MIT
"""ssepeer: an HTTP/1.1 server answering each request with a scripted event stream
(37-sse.bats).

The script is a JSON list; request N (counted over all connections, from 1) gets entry N,
the last entry repeating. An entry is an object:
  "status": 200, "type": "text/event-stream"   the head (a content-type of "" sends none)
  "parts": [PART...]     the body, each PART sent as one chunk of chunked coding:
      "text"              bytes (latin-1), sent at once and flushed
      {"gate": PATH}      wait (15 s at most) until PATH exists, then go on
      {"sleep": SECONDS}  wait that long
  "end": "clean"         send the last chunk (the stream ends well), or "drop": close the
                          connection without it (the stream breaks), or "hang": keep it
                          open until the client goes
Logs "req N t=SECONDS METHOD TARGET" for every request (t: time.monotonic()), then
"hdr N name: value" for each of its fields.
Usage: ssepeer.py SCRIPT PORTFILE LOG LIFETIME
"""

import json
import os
import socket
import sys
import threading
import time

lock = threading.Lock()
count = [0]


def log(path, text):
    with lock, open(path, "a") as f:
        f.write(text + "\n")


def read_head(conn):
    buf = b""
    while b"\r\n\r\n" not in buf:
        data = conn.recv(65536)
        if not data:
            return None
        buf += data
    return buf.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")


def send_part(conn, part):
    if isinstance(part, str):
        data = part.encode("latin-1")
        conn.sendall(b"%x\r\n" % len(data) + data + b"\r\n")
    elif "gate" in part:
        deadline = time.monotonic() + 15
        while not os.path.exists(part["gate"]) and time.monotonic() < deadline:
            time.sleep(0.02)
    elif "sleep" in part:
        time.sleep(part["sleep"])


def answer(conn, entry):
    head = "HTTP/1.1 %d X\r\n" % entry.get("status", 200)
    ctype = entry.get("type", "text/event-stream")
    if ctype:
        head += "content-type: %s\r\n" % ctype
    head += "transfer-encoding: chunked\r\nconnection: close\r\n\r\n"
    conn.sendall(head.encode("latin-1"))
    for part in entry.get("parts", []):
        send_part(conn, part)
    end = entry.get("end", "clean")
    if end == "clean":
        conn.sendall(b"0\r\n\r\n")
    elif end == "hang":
        while conn.recv(65536):
            pass


def serve(conn, script, logpath):
    try:
        lines = read_head(conn)
        if lines is None:
            return
        with lock:
            count[0] += 1
            n = count[0]
        log(logpath, "req %d t=%.3f %s" % (n, time.monotonic(), lines[0]))
        for line in lines[1:]:
            name, _, value = line.partition(":")
            log(logpath, "hdr %d %s: %s" % (n, name.strip().lower(), value.strip()))
        answer(conn, script[min(n, len(script)) - 1])
    except OSError:
        pass
    finally:
        conn.close()


def main():
    script = json.load(open(sys.argv[1]))
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    srv.settimeout(1)
    end = time.monotonic() + float(sys.argv[4])
    while time.monotonic() < end:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(conn, script, sys.argv[3]), daemon=True).start()


main()
