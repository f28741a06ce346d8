# SPDX-License-Identifier: MIT
"""proxypeer: a scripted proxy on 127.0.0.1 for the proxy tests (90-93-*.bats).

It speaks HTTP/1.1 CONNECT and absolute-form forwarding, SOCKS5 (RFC 1928, RFC 1929) and
SOCKS4/4a on one port (the first byte tells which), and answers as SCENARIO says:

  ok                  tunnel (or forward) for real, resolving names with --hosts first
  status:CODE         answer CONNECT with CODE (407 carries Proxy-Authenticate: Basic)
  close-early         read the request, then close without a byte
  close-mid           send half a status line (or half a SOCKS reply), then close
  silent              read the request (HTTP CONNECT or SOCKS), then answer nothing
  garbage             answer CONNECT with something that is not HTTP
  socks5-reply:N      answer the SOCKS5 CONNECT with reply code N
  socks5-no-method    refuse every offered method (0xff)
  socks5-auth-fail    ask for username/password, then refuse it (status 1)
  socks4-reply:N      answer the SOCKS4 CONNECT with reply code N
  banner:TEXT         open the tunnel and send TEXT at once in the same write as the reply
                      (bytes after the reply belong to the tunnel)

--user U:P makes the proxy require credentials (HTTP: Basic; SOCKS5: method 2). Every
connection and what it asked for is logged: "cN open", "cN connect HOST:PORT",
"cN header NAME: VALUE", "cN socks5 methods 00 02", "cN socks5 auth USER PASS",
"cN forward GET URL", "cN relayed UP DOWN", "cN end".
Usage: proxypeer.py SCENARIO --port-file F --log F --lifetime S [--user U:P] [--hosts H=A,...]
"""

import argparse
import base64
import os
import select
import socket
import struct
import sys
import threading
import time

ARGS = None
LOCK = threading.Lock()


def log(text):
    with LOCK, open(ARGS.log, "a") as f:
        f.write(text + "\n")


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError()
        data += chunk
    return data


def resolve(host):
    for pair in (ARGS.hosts or "").split(","):
        if "=" in pair and pair.split("=", 1)[0] == host:
            return pair.split("=", 1)[1]
    return host


def relay(n, a, b, first=b""):
    """Copy both ways until both sides ended; log the byte counts."""
    up = down = 0
    if first:
        a.sendall(first)
    socks = [a, b]
    ended = set()
    while len(ended) < 2:
        r, _, _ = select.select([s for s in socks if s not in ended], [], [], 30)
        if not r:
            break
        for s in r:
            data = s.recv(65536)
            other = b if s is a else a
            if not data:
                ended.add(s)
                try:
                    other.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                continue
            other.sendall(data)
            if s is a:
                up += len(data)
            else:
                down += len(data)
    log("c%d relayed %d %d" % (n, up, down))


def upstream(host, port):
    return socket.create_connection((resolve(host), port), timeout=10)


def read_head(conn):
    buf = b""
    while b"\r\n\r\n" not in buf:
        data = conn.recv(4096)
        if not data:
            raise EOFError()
        buf += data
    head, rest = buf.split(b"\r\n\r\n", 1)
    return head.decode("latin-1").split("\r\n"), rest


def authorized(n, headers):
    if not ARGS.user:
        return True
    want = "Basic " + base64.b64encode(ARGS.user.encode()).decode()
    return headers.get("proxy-authorization") == want


def http(n, conn):
    lines, rest = read_head(conn)
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, value = line.split(":", 1)
        headers[name.strip().lower()] = value.strip()
        log("c%d header %s: %s" % (n, name.strip().lower(), value.strip()))
    scenario = ARGS.scenario
    if method != "CONNECT":
        log("c%d forward %s %s" % (n, method, target))
        return forward(n, conn, method, target, lines, rest)
    log("c%d connect %s" % (n, target))
    if scenario == "close-early":
        return
    if scenario == "silent":
        return hold(conn)
    if scenario == "close-mid":
        conn.sendall(b"HTTP/1.1 20")
        return
    if scenario == "garbage":
        conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
        return
    if scenario.startswith("status:") or not authorized(n, headers):
        code = int(scenario.split(":")[1]) if scenario.startswith("status:") else 407
        reason = {407: "Proxy Authentication Required", 403: "Forbidden",
                  502: "Bad Gateway"}.get(code, "Nope")
        extra = b"Proxy-Authenticate: Basic realm=\"proxypeer\"\r\n" if code == 407 else b""
        conn.sendall(b"HTTP/1.1 %d %s\r\n%sContent-Length: 7\r\n\r\ndenied\n"
                     % (code, reason.encode(), extra))
        return
    host, port = target.rsplit(":", 1)
    up = upstream(host.strip("[]"), int(port))
    banner = scenario.split(":", 1)[1].encode() if scenario.startswith("banner:") else b""
    conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n" + banner + rest)
    relay(n, conn, up)


def hold(conn):
    """Keep the connection open without a word until the client closes it."""
    while conn.recv(4096):
        pass


def forward(n, conn, method, target, lines, rest):
    """Absolute-form: one request to the origin, its response back, then close."""
    hostport, path = target.split("://", 1)[1].split("/", 1)
    host, _, port = hostport.partition(":")
    up = upstream(host, int(port or 80))
    kept = [l for l in lines[1:] if not l.lower().startswith(("proxy-", "connection:"))]
    up.sendall(("%s /%s HTTP/1.1\r\n" % (method, path)).encode() +
               "\r\n".join(kept + ["Connection: close"]).encode() + b"\r\n\r\n" + rest)
    data = b""
    while True:
        chunk = up.recv(65536)
        if not chunk:
            break
        data += chunk
    conn.sendall(data)


def socks5(n, conn):
    nmethods = recv_exact(conn, 1)[0]
    methods = recv_exact(conn, nmethods)
    log("c%d socks5 methods %s" % (n, " ".join("%02x" % m for m in methods)))
    scenario = ARGS.scenario
    if scenario == "close-mid":
        conn.sendall(b"\x05")
        return
    if scenario == "socks5-no-method":
        conn.sendall(b"\x05\xff")
        return
    if ARGS.user or scenario == "socks5-auth-fail":
        if 2 not in methods:
            conn.sendall(b"\x05\xff")
            return
        conn.sendall(b"\x05\x02")
        ver, ulen = recv_exact(conn, 2)
        user = recv_exact(conn, ulen)
        plen = recv_exact(conn, 1)[0]
        pw = recv_exact(conn, plen)
        log("c%d socks5 auth %s %s" % (n, user.decode("latin-1"), pw.decode("latin-1")))
        ok = scenario != "socks5-auth-fail" and (user + b":" + pw).decode() == ARGS.user
        conn.sendall(b"\x01\x00" if ok else b"\x01\x01")
        if not ok:
            return
    else:
        conn.sendall(b"\x05\x00")
    ver, cmd, _, atyp = recv_exact(conn, 4)
    if atyp == 1:
        host = socket.inet_ntop(socket.AF_INET, recv_exact(conn, 4))
    elif atyp == 4:
        host = socket.inet_ntop(socket.AF_INET6, recv_exact(conn, 16))
    else:
        host = recv_exact(conn, recv_exact(conn, 1)[0]).decode("latin-1")
    port = struct.unpack("!H", recv_exact(conn, 2))[0]
    log("c%d connect %s:%d atyp=%d" % (n, host, port, atyp))
    if scenario == "silent":
        return hold(conn)
    if scenario.startswith("socks5-reply:"):
        conn.sendall(bytes([5, int(scenario.split(":")[1]), 0, 1, 0, 0, 0, 0, 0, 0]))
        return
    up = upstream(host, port)
    banner = scenario.split(":", 1)[1].encode() if scenario.startswith("banner:") else b""
    conn.sendall(b"\x05\x00\x00\x01\x7f\x00\x00\x01\x00\x00" + banner)
    relay(n, conn, up)


def socks4(n, conn):
    cmd = recv_exact(conn, 1)[0]
    port = struct.unpack("!H", recv_exact(conn, 2))[0]
    ip = recv_exact(conn, 4)
    userid = b""
    while True:
        c = recv_exact(conn, 1)
        if c == b"\0":
            break
        userid += c
    host = socket.inet_ntoa(ip)
    if ip[:3] == b"\0\0\0" and ip[3]:
        host = b""
        while True:
            c = recv_exact(conn, 1)
            if c == b"\0":
                break
            host += c
        host = host.decode("latin-1")
        log("c%d socks4a user=%s" % (n, userid.decode("latin-1")))
    log("c%d connect %s:%d" % (n, host, port))
    scenario = ARGS.scenario
    if scenario == "close-mid":
        conn.sendall(b"\x00")
        return
    if scenario.startswith("socks4-reply:"):
        conn.sendall(bytes([0, int(scenario.split(":")[1]), 0, 0, 0, 0, 0, 0]))
        return
    up = upstream(host, port)
    conn.sendall(b"\x00\x5a\x00\x00\x00\x00\x00\x00")
    relay(n, conn, up)


def serve(conn, n):
    log("c%d open" % n)
    try:
        first = conn.recv(1, socket.MSG_PEEK)
        if first == b"\x05":
            conn.recv(1)
            socks5(n, conn)
        elif first == b"\x04":
            conn.recv(1)
            socks4(n, conn)
        elif first:
            http(n, conn)
    except (EOFError, OSError, ValueError) as e:
        log("c%d error %s" % (n, e))
    finally:
        log("c%d end" % n)
        conn.close()


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("scenario")
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--lifetime", type=float, default=60)
    p.add_argument("--user")
    p.add_argument("--hosts")
    ARGS = p.parse_args()
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
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
