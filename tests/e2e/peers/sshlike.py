# SPDX-License-Identifier: MIT
"""sshlike: an interactive, ssh-like TCP peer on 127.0.0.1 for the --tunnel-to tests.

Each connection gets a banner line first ("SSH-2.0-h2get-e2e\\r\\n", as an ssh server's
first bytes come before the client says anything), then, line by line:

  ping TEXT     -> "pong TEXT\\n"
  bin N         -> the next N bytes are read and sent back, byte for byte
  sum N         -> the next N bytes are read; answers "sha256 HEX\\n"
  send N        -> N pseudo-random bytes (seeded by N), then "end\\n"
  quit          -> "bye\\n", then the connection is closed (the tunnel's end)
  count         -> the bytes up to the end of the input (the client's half-close) are
                   counted; answers "count N\\n" after it, then closes

Every connection and command is logged ("cN open", "cN ping TEXT", "cN end").
Usage: sshlike.py --port-file F --log F --lifetime S
"""

import argparse
import hashlib
import os
import random
import socket
import sys
import threading
import time

ARGS = None
LOCK = threading.Lock()


def log(text):
    with LOCK, open(ARGS.log, "a") as f:
        f.write(text + "\n")


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def fill(self):
        d = self.sock.recv(65536)
        if not d:
            raise EOFError()
        self.buf += d

    def line(self):
        while b"\n" not in self.buf:
            self.fill()
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("latin-1")

    def exact(self, n):
        while len(self.buf) < n:
            self.fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data


def serve(sock, n):
    log("c%d open" % n)
    c = Conn(sock)
    try:
        sock.sendall(b"SSH-2.0-h2get-e2e\r\n")
        while True:
            cmd, _, arg = c.line().partition(" ")
            log("c%d %s %s" % (n, cmd, arg))
            if cmd == "ping":
                sock.sendall(b"pong " + arg.encode("latin-1") + b"\n")
            elif cmd == "bin":
                sock.sendall(c.exact(int(arg)))
            elif cmd == "sum":
                sock.sendall(b"sha256 " + hashlib.sha256(c.exact(int(arg))).hexdigest().encode() + b"\n")
            elif cmd == "send":
                sock.sendall(random.Random(int(arg)).randbytes(int(arg)) + b"end\n")
            elif cmd == "quit":
                sock.sendall(b"bye\n")
                break
            elif cmd == "count":
                total = len(c.buf)
                while True:
                    d = sock.recv(65536)
                    if not d:
                        break
                    total += len(d)
                log("c%d eof after %d" % (n, total))
                sock.sendall(b"count %d\n" % total)
                break
    except (EOFError, OSError, ValueError) as e:
        log("c%d error %s" % (n, e))
    finally:
        log("c%d end" % n)
        sock.close()


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--lifetime", type=float, default=60)
    ARGS = p.parse_args()
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.settimeout(0.2)
    with open(ARGS.port_file + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(ARGS.port_file + ".tmp", ARGS.port_file)
    end = time.monotonic() + ARGS.lifetime
    n = 0
    while time.monotonic() < end:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        n += 1
        threading.Thread(target=serve, args=(conn, n), daemon=True).start()
    sys.exit(0)


if __name__ == "__main__":
    main()
