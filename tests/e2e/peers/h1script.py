# SPDX-License-Identifier: MIT
"""h1script: an HTTP/1.1 server that answers requests from a script (--retry, -C, -r, -J and
cookie tests: 95-parity*.bats).

The script is a JSON list; request N (counted over all connections, from 1) gets entry N,
the last entry repeating. An entry is an object:
  {"status": 503, "headers": [["retry-after", "1"]], "body": "text"}  an answer; a
      content-length is added unless "headers" has one or "close_delimited" is true
  "body_file": PATH       the body is that file's bytes (instead of "body")
  "close": true           close the connection without answering
  "sleep": SECONDS        wait that long before answering (or closing)
  "truncate": N           send only N bytes of the body, then close
"{PORT}" in a field value is the peer's own port (a redirect to "localhost:{PORT}").
Logs "req N t=SECONDS METHOD TARGET" for every request (t: time.monotonic()), then
"hdr N name: value" for each of its fields, and "body N LENGTH" for a request body.
Usage: h1script.py SCRIPT PORTFILE LOG LIFETIME
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


def read_request(conn, buf):
    while b"\r\n\r\n" not in buf:
        data = conn.recv(65536)
        if not data:
            return None, None, buf, None
        buf += data
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    fields = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields.append((name.strip().lower(), value.strip()))
    length = int(dict(fields).get("content-length", "0"))
    while len(buf) < length:
        data = conn.recv(65536)
        if not data:
            break
        buf += data
    body, buf = buf[:length], buf[length:]
    return lines[0], fields, buf, body


def answer(conn, entry):
    if entry.get("sleep"):
        time.sleep(entry["sleep"])
    if entry.get("close"):
        return False
    body = entry.get("body", "").encode("latin-1")
    if "body_file" in entry:
        with open(entry["body_file"], "rb") as f:
            body = f.read()
    headers = entry.get("headers", [])
    names = [h[0].lower() for h in headers]
    out = "HTTP/1.1 %d %s\r\n" % (entry.get("status", 200), entry.get("reason", "Scripted"))
    if "content-length" not in names and not entry.get("close_delimited"):
        headers = headers + [["content-length", str(len(body))]]
    for name, value in headers:
        out += "%s: %s\r\n" % (name, value.replace("{PORT}", str(conn.getsockname()[1])))
    data = out.encode("latin-1") + b"\r\n" + body
    if "truncate" in entry:
        data = data[:len(data) - len(body) + entry["truncate"]]
        conn.sendall(data)
        return False
    conn.sendall(data)
    return not entry.get("close_delimited")


def serve(conn, script, logpath):
    buf = b""
    try:
        while True:
            got = read_request(conn, buf)
            if got[0] is None:
                return
            line, fields, buf, body = got
            with lock:
                count[0] += 1
                n = count[0]
            log(logpath, "req %d t=%.3f %s" % (n, time.monotonic(), " ".join(line.split(" ")[:2])))
            for name, value in fields:
                log(logpath, "hdr %d %s: %s" % (n, name, value))
            if body:
                log(logpath, "body %d %d" % (n, len(body)))
            if not answer(conn, script[min(n, len(script)) - 1]):
                return
    except OSError:
        pass
    finally:
        conn.close()


def main():
    script_path, portfile, logpath, lifetime = sys.argv[1:5]
    with open(script_path) as f:
        script = json.load(f)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.settimeout(0.2)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)
    end = time.monotonic() + float(lifetime)
    while time.monotonic() < end:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(conn, script, logpath), daemon=True).start()


if __name__ == "__main__":
    main()
