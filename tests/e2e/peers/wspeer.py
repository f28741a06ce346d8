# SPDX-License-Identifier: MIT
"""wspeer: a scripted WebSocket server (RFC 6455), over HTTP/1.1 Upgrade or HTTP/2 (RFC 8441).

Transports: --h1 (a plain socket, the Upgrade handshake), --h2 (python3-h2: SETTINGS with
ENABLE_CONNECT_PROTOCOL=1 unless --no-connect-protocol, extended CONNECT answered 200, the
stream's DATA bridged to the same WebSocket code through a socket pair). --tls CERT KEY
wraps either in TLS (ALPN h2 or http/1.1).

Scenarios (after the handshake): echo, fragments, close4000, masked, badutf8, oversized,
noclose, reset, silent, flood (the bytes of --flood FILE as binary messages of 64 KiB,
3 MiB, 1000 and 200,000 bytes in turn, then what the client sends is only logged);
handshake failures: 426, badkey. Over HTTP/2 the stream's DATA keep to the client's
flow-control windows. Writes the frames it sends exactly, so
tests know what h2get received. Logs one line per event:
  c1 open / c1 request LINE / c1 h2 connect protocol=websocket path=/x
  c1 msg text 5 'hello' / c1 pong 'p1' / c1 close 1000 '' / c1 unmasked / c1 end
Usage: wspeer.py SCENARIO --port-file F --log L [--h2] [--tls CERT KEY] [--lifetime S]
"""

import argparse
import base64
import hashlib
import os
import socket
import ssl
import struct
import sys
import threading
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
LOCK = threading.Lock()
ARGS = None


def log(text):
    with LOCK, open(ARGS.log, "a") as f:
        f.write(text + "\n")


def recv_exact(sock, n):
    b = b""
    while len(b) < n:
        d = sock.recv(n - len(b))
        if not d:
            raise EOFError
        b += d
    return b


def frame(op, payload=b"", fin=True, rsv=0, mask=None, length=None):
    n = len(payload) if length is None else length
    h = bytes([(0x80 if fin else 0) | rsv | op])
    m = 0x80 if mask else 0
    if n < 126:
        h += bytes([m | n])
    elif n < 65536:
        h += bytes([m | 126]) + struct.pack("!H", n)
    else:
        h += bytes([m | 127]) + struct.pack("!Q", n)
    if mask:
        h += mask
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return h + payload


def read_frame(sock, n, tag):
    b0, b1 = recv_exact(sock, 2)
    ln = b1 & 0x7F
    if ln == 126:
        ln = struct.unpack("!H", recv_exact(sock, 2))[0]
    elif ln == 127:
        ln = struct.unpack("!Q", recv_exact(sock, 8))[0]
    key = recv_exact(sock, 4) if b1 & 0x80 else None
    if not key:
        log("%s unmasked" % tag)
    data = recv_exact(sock, ln)
    if key:
        data = bytes(b ^ key[i % 4] for i, b in enumerate(data))
    return bool(b0 & 0x80), b0 & 0x0F, data


def close_payload(data):
    if len(data) >= 2:
        return struct.unpack("!H", data[:2])[0], data[2:]
    return 1005, b""


def send_scripted(sock, scenario, tag):
    """What the server sends of its own right after the handshake."""
    if scenario == "fragments":
        sock.sendall(frame(1, b"Hel", fin=False) + frame(9, b"p1") + frame(0, b"lo") +
                     frame(2, b"\x00\x01", fin=False) + frame(0, b"\x02\n", fin=True))
    elif scenario == "masked":
        sock.sendall(frame(1, b"x", mask=b"\x01\x02\x03\x04"))
    elif scenario == "badutf8":
        sock.sendall(frame(1, b"ok\xed", fin=False) + frame(0, b"\xa0\x80"))
    elif scenario == "oversized":
        sock.sendall(frame(2, b"", length=1 << 40))
    elif scenario == "rsv":
        sock.sendall(frame(1, b"x", rsv=0x40))
    elif scenario == "flood":
        flood(sock, tag)


def flood(sock, tag):
    with open(ARGS.flood, "rb") as f:
        data = f.read()
    sizes, off, i = [65536, 3 << 20, 1000, 200000], 0, 0
    while off < len(data):
        part = data[off:off + sizes[i % len(sizes)]]
        sock.sendall(frame(2, part))
        off += len(part)
        i += 1
    log("%s flood sent %d bytes in %d messages" % (tag, off, i))


def ws_session(sock, scenario, tag):
    send_scripted(sock, scenario, tag)
    msg, op0 = b"", 0
    while True:
        fin, op, data = read_frame(sock, 0, tag)
        if op == 9:
            sock.sendall(frame(10, data))
            continue
        if op == 10:
            log("%s pong %r" % (tag, data.decode("latin-1")))
            continue
        if op == 8:
            code, reason = close_payload(data)
            log("%s close %d %r" % (tag, code, reason.decode("utf-8", "replace")))
            if scenario == "silent":
                time.sleep(10)  # never answers: the client's wait must be bounded
            else:
                sock.sendall(frame(8, data[:2]))
            return
        msg += data
        op0 = op or op0
        if not fin:
            continue
        kind = "text" if op0 == 1 else "binary"
        log("%s msg %s %d %r" % (tag, kind, len(msg), msg.decode("latin-1")[:40]))
        if scenario == "flood":
            pass
        elif scenario == "close4000":
            sock.sendall(frame(8, struct.pack("!H", 4000) + b"bye now"))
        elif scenario == "noclose":
            return
        elif scenario == "reset":  # abort: RST instead of FIN (SO_LINGER 0)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            log("%s reset" % tag)
            sock.close()
            return
        else:
            sock.sendall(frame(op0, msg))
        msg, op0 = b"", 0


def accept_key(key):
    return base64.b64encode(hashlib.sha1(key + GUID).digest())


def pick(path):
    """A path /s/NAME runs scenario NAME on that WebSocket, whatever the command line says."""
    return path[3:] if path.startswith("/s/") else ARGS.scenario


def h1_handshake(conn, scenario, tag):
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = conn.recv(4096)
        if not d:
            raise EOFError
        buf += d
    head = buf.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    log("%s request %s" % (tag, head[0].decode("latin-1")))
    fields = {}
    for line in head[1:]:
        k, _, v = line.partition(b":")
        fields[k.strip().lower()] = v.strip()
        log("%s field %s: %s" % (tag, k.strip().lower().decode(), v.strip().decode("latin-1")))
    scenario = pick(head[0].split(b" ")[1].decode("latin-1"))
    if scenario == "426":
        conn.sendall(b"HTTP/1.1 426 Upgrade Required\r\nContent-Length: 0\r\n\r\n")
        return False
    acc = accept_key(fields.get(b"sec-websocket-key", b""))
    if scenario == "badkey":
        acc = base64.b64encode(b"0123456789abcdefghij")
    conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + acc + b"\r\n\r\n")
    return scenario


def serve_h1(conn, n):
    tag = "c%d" % n
    log("%s open" % tag)
    try:
        scenario = h1_handshake(conn, ARGS.scenario, tag)
        if scenario:
            ws_session(conn, scenario, tag)
    except (EOFError, OSError) as e:
        log("%s eof %s" % (tag, type(e).__name__))
    finally:
        time.sleep(0.2)
        conn.close()
        log("%s end" % tag)


def serve_h2(conn, n):
    import h2.config
    import h2.connection
    import h2.events
    import h2.settings

    tag = "c%d" % n
    log("%s open" % tag)
    h2c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
    h2c.initiate_connection()
    if not ARGS.no_connect_protocol:
        h2c.update_settings({h2.settings.SettingCodes.ENABLE_CONNECT_PROTOCOL: 1})
    wlock = threading.Lock()
    window = threading.Condition(wlock)  # notified when the client grants window

    def flush():
        with wlock:
            out = h2c.data_to_send()
            if out:
                conn.sendall(out)

    flush()
    pairs = {}

    def send_within_window(sid, d):
        while d:
            with window:
                while True:
                    w = min(h2c.local_flow_control_window(sid), h2c.max_outbound_frame_size)
                    if w > 0:
                        break
                    window.wait(1)
                h2c.send_data(sid, d[:w])
            d = d[w:]
            flush()

    def pump(sid, mine):
        try:
            while True:
                d = mine.recv(65536)
                if not d:
                    break
                send_within_window(sid, d)
        except Exception:  # the stream or the connection is gone
            pass
        try:
            with wlock:
                h2c.end_stream(sid)
            flush()
        except Exception:
            pass

    def stream(sid, theirs, scenario):
        st = "%s s%d" % (tag, sid)
        try:
            ws_session(theirs, scenario, st)
        except (EOFError, OSError) as e:
            log("%s eof %s" % (st, type(e).__name__))
        time.sleep(0.2)
        theirs.close()

    try:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            with wlock:
                events = h2c.receive_data(data)
            for ev in events:
                if isinstance(ev, h2.events.RequestReceived):
                    h = dict((k.decode() if isinstance(k, bytes) else k,
                              v.decode() if isinstance(v, bytes) else v) for k, v in ev.headers)
                    log("%s h2 %s protocol=%s path=%s version=%s" % (
                        tag, h.get(":method"), h.get(":protocol"), h.get(":path"),
                        h.get("sec-websocket-version")))
                    scenario = pick(h.get(":path", ""))
                    status = b"426" if scenario == "426" else b"200"
                    with wlock:
                        h2c.send_headers(ev.stream_id, [(b":status", status)],
                                         end_stream=status != b"200")
                    flush()
                    if ARGS.withdraw:
                        with wlock:
                            h2c.update_settings(
                                {h2.settings.SettingCodes.ENABLE_CONNECT_PROTOCOL: 0})
                        flush()
                    if status == b"200":
                        mine, theirs = socket.socketpair()
                        pairs[ev.stream_id] = mine
                        threading.Thread(target=pump, args=(ev.stream_id, mine),
                                         daemon=True).start()
                        threading.Thread(target=stream, args=(ev.stream_id, theirs, scenario),
                                         daemon=True).start()
                elif isinstance(ev, h2.events.DataReceived):
                    with wlock:
                        h2c.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                    if ev.stream_id in pairs:
                        try:
                            pairs[ev.stream_id].sendall(ev.data)
                        except OSError:  # that WebSocket is over on our side already
                            pass
                elif isinstance(ev, (h2.events.WindowUpdated, h2.events.RemoteSettingsChanged)):
                    with window:
                        window.notify_all()
                elif isinstance(ev, h2.events.StreamEnded):
                    log("%s s%d end_stream" % (tag, ev.stream_id))
                    if ev.stream_id in pairs:
                        try:
                            pairs[ev.stream_id].shutdown(socket.SHUT_WR)
                        except OSError:
                            pass
                elif isinstance(ev, h2.events.ConnectionTerminated):
                    log("%s goaway" % tag)
            flush()
    except Exception as e:  # the test reads the log, the client's exit code says the rest
        log("%s error %s %s" % (tag, type(e).__name__, e))
    finally:
        time.sleep(0.2)
        conn.close()
        log("%s end" % tag)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("scenario")
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--h2", action="store_true")
    p.add_argument("--no-connect-protocol", action="store_true")
    p.add_argument("--withdraw", action="store_true",
                   help="send SETTINGS_ENABLE_CONNECT_PROTOCOL=0 after the first CONNECT")
    p.add_argument("--tls", nargs=2)
    p.add_argument("--flood", help="the bytes the flood scenario sends")
    p.add_argument("--lifetime", type=float, default=60)
    ARGS = p.parse_args()
    ctx = None
    if ARGS.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*ARGS.tls)
        ctx.set_alpn_protocols(["h2", "http/1.1"] if ARGS.h2 else ["http/1.1"])
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
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
        conn.settimeout(None)
        if ctx:
            try:
                conn = ctx.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError) as e:
                log("c%d tls error %s" % (n, e))
                continue
        h2mode = ARGS.h2 and (not ctx or conn.selected_alpn_protocol() == "h2")
        target = serve_h2 if h2mode else serve_h1
        threading.Thread(target=target, args=(conn, n), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
