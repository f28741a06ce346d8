# SPDX-License-Identifier: MIT
"""h1chunked: an HTTP/1.1 server for one request with a chunked body (35-duplex.bats): logs
the request as it came, byte for byte (escaped, one line per CRLF-ended line), until the
chunked body's end (the zero chunk, its trailer section and the empty line), then answers
200 "ok". Usage: h1chunked.py PORTFILE LOG LIFETIME
"""

import os
import socket
import sys
import time


def done(buf):
    i = buf.find(b"\r\n0\r\n")
    if i < 0:
        return False
    rest = buf[i + 5:]
    return rest.startswith(b"\r\n") or b"\r\n\r\n" in rest


def main():
    portfile, logpath, lifetime = sys.argv[1], sys.argv[2], float(sys.argv[3])
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(lifetime)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)
    conn, _ = srv.accept()
    conn.settimeout(lifetime)
    buf = b""
    end = time.monotonic() + lifetime
    # head, then chunks; the body ends with "0\r\n", trailer lines and an empty line
    while not done(buf) and time.monotonic() < end:
        data = conn.recv(65536)
        if not data:
            break
        buf += data
    with open(logpath, "w") as f:
        for line in buf.split(b"\r\n"):
            f.write(line.decode("latin-1").encode("unicode_escape").decode() + "\n")
    conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\n")
    conn.close()


if __name__ == "__main__":
    main()
