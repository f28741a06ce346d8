# SPDX-License-Identifier: MIT
"""h1reset: an HTTP/1.1 server whose kept-alive connections die when reused (82-h1-many.bats).

On every connection it answers the first request (200, keep-alive, the path and a newline
as body) and resets the connection (SO_LINGER 0, a TCP RST) when a second request arrives,
without a byte of response: what a client sees when a server drops an idle keep-alive
connection just as the client reuses it. Logs one line per request and per reset.
Usage: h1reset.py PORTFILE LOG LIFETIME
"""

import socket
import struct
import sys
import threading
import time


def serve(conn, n, log):
    buf = b""
    served = 0
    try:
        while True:
            while b"\r\n\r\n" not in buf:
                data = conn.recv(4096)
                if not data:
                    return
                buf += data
            head, buf = buf.split(b"\r\n\r\n", 1)
            path = head.split(b"\r\n")[0].split(b" ")[1]
            if served:
                log("c%d reset request=%s" % (n, path.decode("latin-1")))
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            served += 1
            log("c%d answer request=%s" % (n, path.decode("latin-1")))
            body = path + b"\n"
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: keep-alive\r\n"
                         b"\r\n%s" % (len(body), body))
    finally:
        conn.close()


def main():
    portfile, logpath, lifetime = sys.argv[1], sys.argv[2], float(sys.argv[3])
    lock = threading.Lock()

    def log(text):
        with lock, open(logpath, "a") as f:
            f.write(text + "\n")

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.settimeout(0.2)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    import os
    os.rename(portfile + ".tmp", portfile)
    end = time.monotonic() + lifetime
    n = 0
    while time.monotonic() < end:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        n += 1
        threading.Thread(target=serve, args=(conn, n, log), daemon=True).start()


if __name__ == "__main__":
    main()
