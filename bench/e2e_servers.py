# SPDX-License-Identifier: MIT
"""Benchmark sections that start servers of their own (bench/e2e.py runs them): `proxy`
(issue 13: nghttpx --http2-proxy in front of Squid, and CONNECT tunnels of Squid, of
Apache httpd's mod_proxy_connect and of bench/connrelay.c, with each process's CPU),
`compressed` (issue 14: a gzip_static file from the nginx of bench/run.sh), `duplex` and
`websocket` (issue 11: the streaming echo server bench/h2echo.c, nghttpd --echo-upload,
Apache httpd with H2WebSockets in front of the scripted WebSocket echo backend). Each
section writes its configs at run time, starts its servers on free loopback ports, stops
them when it ends, and says why and skips (never fails) when a server is missing. The
timing helpers (Tool, measure, table, ratio...) are those of bench/e2e.py, passed in as
`b`, so that both share one bench_rusage setup."""

import hashlib
import os
import random
import shutil
import socket
import subprocess
import tempfile
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
E2E = os.path.join(HERE, "..", "tests", "e2e")
PY = "/usr/bin/python3"


# A TERM or HUP (make bench stopped) ends the run through the `finally` that stops servers.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))


def find_bin(name):
    path = shutil.which(name)
    if path:
        return path
    for d in ("/usr/sbin", "/sbin", "/usr/local/sbin"):
        if os.access(os.path.join(d, name), os.X_OK):
            return os.path.join(d, name)
    return None


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


class Servers:
    """The processes one section started; stop() ends each (TERM, 5 s, KILL)."""

    def __init__(self, name):
        # Squid and Apache drop root for their own users, who must reach this directory.
        self.dir = tempfile.mkdtemp(prefix="h2get-bench-%s." % name)
        os.chmod(self.dir, 0o777)
        self.procs = []

    def spawn(self, argv, log):
        with open(os.path.join(self.dir, log), "ab") as out:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=subprocess.STDOUT)
        self.procs.append(p)
        return p

    def listen(self, make_argv, log, wait=10):
        """Start make_argv(port) on a free port until it accepts (3 tries); the port or None."""
        for _ in range(3):
            port = free_port()
            p = self.spawn(make_argv(port), log)
            for _ in range(int(wait * 10)):
                if p.poll() is not None:
                    break
                if port_open(port):
                    return port
                time.sleep(0.1)
            self.end(p)
        return None

    def peer(self, argv, log):
        """A scripted peer that writes its port into a file (tests/e2e/peers); its port."""
        pf = os.path.join(self.dir, log + ".port")
        p = self.spawn(argv + ["--port-file", pf], log)
        for _ in range(100):
            if os.path.exists(pf) and os.path.getsize(pf):
                with open(pf) as f:
                    return int(f.read().split()[0])
            if p.poll() is not None:
                break
            time.sleep(0.1)
        return None

    def tail(self, log, n=3):
        try:
            with open(os.path.join(self.dir, log), errors="replace") as f:
                return " | ".join(f.read().strip().splitlines()[-n:])
        except OSError:
            return "(no log)"

    def end(self, p):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def stop(self):
        """TERM to all at once, then wait: Apache's workers end only when their proxied
        connections to the backend do, and a parent KILLed before its workers ended leaves
        them running."""
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        deadline = time.monotonic() + 20
        for p in self.procs:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def skip(why):
    print("  SKIPPED: %s" % why)
    return True


def certs(a):
    d = os.path.dirname(a.ca)
    return os.path.join(d, "server.pem"), os.path.join(d, "server.key")


# --- proxy (issue 13) -------------------------------------------------------------------

SQUID_CONF = """http_port 127.0.0.1:{port}
pid_filename {dir}/squid.pid
access_log none
cache_log {dir}/cache.log
cache_store_log none
cache deny all
cache_mem 8 MB
coredump_dir {dir}
netdb_filename none
pinger_enable off
shutdown_lifetime 0 seconds
http_access allow all
"""


def start_squid(srv, squid):
    def argv(port):
        with open(os.path.join(srv.dir, "squid.conf"), "w") as f:
            f.write(SQUID_CONF.format(port=port, dir=srv.dir))
        return [squid, "-N", "-f", os.path.join(srv.dir, "squid.conf")]
    return srv.listen(argv, "squid.out", wait=20)


def start_apache_connect(srv, apache):
    """Apache httpd as a forward proxy that only tunnels (tests/e2e/servers/apache-connect
    .conf.in: mod_proxy_connect); its port or None. Its own subdirectory: the websocket
    section's Apache uses the same names."""
    d = os.path.join(srv.dir, "connect")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(E2E, "servers", "apache-connect.conf.in")) as f:
        tmpl = f.read()

    def argv(port):
        conf = os.path.join(d, "httpd.conf")
        with open(conf, "w") as f:
            f.write(tmpl.replace("@DIR@", d).replace("@PORT@", str(port)))
        return [apache, "-f", conf, "-DFOREGROUND"]
    return srv.listen(argv, "httpd-connect.out")


def start_nghttpx(srv, nghttpx, backend, cert, key):
    log = os.path.join(srv.dir, "nghttpx-access.log")

    def argv(port):
        return [nghttpx, "--conf=/dev/null", "--http2-proxy", "--single-process", "--no-ocsp",
                "-n", "1", "-f", "127.0.0.1,%d" % port, "-b", "127.0.0.1,%d" % backend,
                "--accesslog-file=" + log, "--errorlog-file=" + srv.dir + "/nghttpx-error.log",
                "--accesslog-format=$remote_port $alpn $method $path $status", key, cert]
    return srv.listen(argv, "nghttpx.out"), log


def proxy_conns(b, a, tool, log):
    """One more run of `tool`; how many connections (client ports) nghttpx logged for it."""
    def lines():
        n, m = -1, 0
        for _ in range(20):
            with open(log) as f:
                m = f.read().splitlines()
            if len(m) == n:
                break
            n = len(m)
            time.sleep(0.1)
        return m
    before = len(lines())
    b.run(tool.argv)
    new = lines()[before:]
    return len({ln.split()[0] for ln in new if ln.strip()}), len(new)


def section_proxy(b, a):
    print("\n== 7. Issue 13: proxies (%d runs each, interleaved, medians)" % a.runs)
    squid, nghttpx = find_bin("squid"), find_bin("nghttpx")
    if not squid or not nghttpx:
        return skip("needs squid and nghttpx (make deps: squid, nghttp2-proxy)")
    srv = Servers("proxy")
    try:
        sq = start_squid(srv, squid)
        if not sq:
            return skip("squid did not start: %s" % srv.tail("squid.out"))
        tunnels = [("Squid", sq, srv.procs[-1].pid)]
        cert, key = certs(a)
        nx, log = start_nghttpx(srv, nghttpx, sq, cert, key)
        if not nx:
            return skip("nghttpx did not start: %s" % srv.tail("nghttpx.out"))
        print("  (Squid on 127.0.0.1:%d; nghttpx --http2-proxy, TLS, on 127.0.0.1:%d in front "
              "of it)" % (sq, nx))
        apache = find_bin("apache2")
        if apache:
            ap = start_apache_connect(srv, apache)
            if ap:
                tunnels.append(("Apache", ap, srv.procs[-1].pid))
            else:
                print("  NOTE: apache2 did not start (%s): no Apache tunnel below"
                      % srv.tail(os.path.join("connect", "error.log")))
        cr = start_connrelay(srv, a)
        if cr:
            tunnels.append(("connrelay", cr, srv.procs[-1].pid))
        return proxy_many(b, a, nx, log) & proxy_tunnel(b, a, tunnels)
    finally:
        srv.stop()


def start_connrelay(srv, a):
    """bench/connrelay.c, the splice(2) CONNECT proxy; its port or None (said why)."""
    if not a.connrelay or not os.access(a.connrelay, os.X_OK):
        print("  NOTE: bench/connrelay.c is not built (make connrelay): no connrelay tunnel "
              "below")
        return None
    port = srv.peer([a.connrelay], "connrelay.out")
    if not port:
        print("  NOTE: connrelay did not start (%s): no connrelay tunnel below"
              % srv.tail("connrelay.out"))
    return port


def proxy_many(b, a, nx, log):
    count = 1000
    stem, _, sha = b.url_files(a, "nginx", a.nginx, "k", count)
    px = "https://127.0.0.1:%d" % nx
    # The ratio compares the same work: each body to the null device by its own -o (the same
    # -K file) and the same TLS 1.3 suite on both hops (h2get's choice); the stdout row is
    # the one whose bytes are counted and checked.
    aes = "TLS_AES_128_GCM_SHA256"
    tools = [b.Tool("h2get -x https", [a.h2get, "--cacert", a.ca, "--proxy-cacert", a.ca, "-x",
                                       px, "--url", "@" + stem + ".urls"],
                    expect_bytes=count * 1024, expect_sha=sha),
             b.Tool("h2get -x https -K", [a.h2get, "--cacert", a.ca, "--proxy-cacert", a.ca,
                                          "-x", px, "-K", stem + ".curl"]),
             b.Tool("curl -x https -K AES128",
                    ["curl", "--http2", "--parallel", "--parallel-max", "100", "-s",
                     "--tls13-ciphers", aes, "--proxy-tls13-ciphers", aes, "--cacert", a.ca,
                     "--proxy-cacert", a.ca, "-x", px, "-K", stem + ".curl"])]
    print("\n-- 1,000 x 1 KiB from nginx through the HTTP/2 proxy (one run of h2get, all URLs; "
          "curl --parallel)")
    b.commands(tools, a.tmp)
    ok = b.measure(tools, a.runs, a.tmp)
    b.table(tools, a.runs)
    b.ratio(tools[1], tools[2], "wall", "wall", 0.5)
    b.ratio(tools[1], tools[2], "CPU", "cpu", None)
    curl_stall(tools[2], b.med(tools[1], "wall"))
    for t in (tools[0], tools[2]):
        conns, reqs = proxy_conns(b, a, t, log)
        print("  %s: %d proxy connection(s), %d request(s) in the proxy's log%s"
              % (t.name, conns, reqs, "  target: 1 ok" if t is tools[0] and conns == 1 else
                 "  target: 1 MISSED" if t is tools[0] else ""))
    return ok


def curl_stall(curl, h2get_wall):
    """curl 7.88 with an HTTPS proxy and h2 inside the tunnel sometimes stops with a few
    transfers left until the proxy's idle timeout (60 s), then ends with exit 0: say so,
    with the ratio against its fastest run, so that a stall is not read as its speed."""
    walls = sorted(r.wall for r in curl.runs + [getattr(curl, "checked", None)] if r)
    slow = [w for w in walls if w > 20]
    if not slow or not h2get_wall:
        return
    print("  NOTE: %d of %d curl runs (the untimed check included) took over 20 s (%s s): "
          "curl stalls now and then\n  through an HTTPS proxy with h2 inside the tunnel; its "
          "fastest run: %.3f s, h2get/that: %.2fx"
          % (len(slow), len(walls), ", ".join("%.1f" % w for w in slow), walls[0],
             h2get_wall / walls[0]))


def proxy_tunnel(b, a, tunnels):
    """The big download through CONNECT tunnels (name, port, pid): Squid, Apache httpd
    (mod_proxy_connect) and bench/connrelay.c (splice), h2get's and curl's, each against its
    own direct download. The target (wall and CPU at most 1.1x direct) is h2get's. Squid
    copies in one thread with small reads; Apache copies through 64 KiB buffers; connrelay
    hands the pages on with splice(2), so its row is the floor: what h2get adds, plus the
    kernel's second loopback hop."""
    url = "https://127.0.0.1:%d/big" % a.nginx
    size = a.big_mib << 20
    sha = b.sha_of_zeros(size)

    def tool(name, argv):
        return b.Tool(name, argv, expect_bytes=size, expect_sha=sha)
    h2get = [a.h2get, "--cacert", a.ca]
    curl = ["curl", "--http2", "-s", "--cacert", a.ca]
    direct = [tool("h2get direct", h2get + [url]), tool("curl direct", curl + [url])]
    rows = []  # (h2get's tool, curl's or None, proxy name, proxy pid)
    for name, port, pid in tunnels:
        px = ["-x", "http://127.0.0.1:%d" % port]
        label = name + (" (splice)" if name == "connrelay" else "")
        rows.append((tool("h2get -x " + label, h2get + px + [url]),
                     None if name == "Squid" else tool("curl -x " + name, curl + px + [url]),
                     name, pid))
    tools = [t for r in rows for t in r[:2] if t] + direct
    print("\n-- one %d MiB download from nginx through a CONNECT tunnel (%s), against the same "
          "download direct" % (a.big_mib, ", ".join(n for _, _, n, _ in rows)))
    if any(n == "connrelay" for _, _, n, _ in rows):
        print("  (connrelay: bench/connrelay.c, the cheapest proxy: splice(2) through 1 MiB "
              "pipes, a thread per\n   direction, TCP_NODELAY, reno congestion control; its "
              "rows show what h2get adds, plus the\n   kernel's second loopback hop)")
    b.commands(tools, a.tmp)
    ok = b.measure(tools, a.runs, a.tmp)
    b.table(tools, a.runs)
    for h, c, _, _ in rows:
        b.ratio(h, direct[0], "wall", "wall", 1.1)
        b.ratio(h, direct[0], "CPU", "cpu", 1.1)
        if c:
            b.ratio(c, direct[1], "wall", "wall", None)
            b.ratio(c, direct[1], "CPU", "cpu", None)
            b.ratio(h, c, "wall", "wall", None)
    tunnel_cpu(b, a, [(direct[0], None, None)] + [(h, n, pid) for h, _, n, pid in rows] +
               [(direct[1], None, None)] + [(c, n, pid) for _, c, n, pid in rows if c])
    return ok


def tree_cpu(pid):
    """CPU seconds (user+sys) of process `pid` and its live descendants, from /proc."""
    total = peer_cpu(pid)
    try:
        for task in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, task)) as f:
                total += sum(tree_cpu(int(c)) for c in f.read().split())
    except OSError:
        pass  # it ended meanwhile
    return total


def tunnel_cpu(b, a, runs):
    """Where the CPU goes: one more run of each tool (tool, proxy name, proxy pid), with the
    CPU nginx (master and worker) and the proxy used meanwhile. With N cores, the sum over N
    bounds the wall time from below, and so does each single-threaded process's CPU (the
    client's, nginx's one worker's); the larger bound is printed as `floor`, against the median
    wall of the same client's timed direct runs (its direct tool comes first). `servers`
    is the same bound without the client: nginx's and the proxy's CPU over N, against that
    wall. When it is above 1.1x, no client could meet the tunnel target on this machine."""
    try:
        with open(os.path.join(a.tmp, "nginx", "nginx.pid")) as f:
            nginx = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        print("  (no nginx.pid: no per-process CPU)")
        return
    cores = os.cpu_count() or 1
    print("  one more run of each, CPU s of each process; floor: the wall no schedule can\n"
          "  beat, the larger of the client's CPU, nginx's (one worker) and the sum / %d cores,\n"
          "  over the median wall of that client's direct runs above; servers: (nginx + proxy)\n"
          "  / %d cores over the same wall, what the servers alone need:" % (cores, cores))
    direct = None
    for t, name, pid in runs:
        n0, p0 = tree_cpu(nginx), tree_cpu(pid) if pid else 0.0
        r = b.run(t.argv)
        n1, p1 = tree_cpu(nginx) - n0, (tree_cpu(pid) - p0) if pid else 0.0
        floor = max(r.cpu, n1, (r.cpu + n1 + p1) / cores)  # the proxy may have threads
        if not name:
            direct = b.med(t, "wall") or r.wall  # one run's wall swings by half here
        servers = "" if not name else "  servers %6.3f (%.2fx)" % (
            (n1 + p1) / cores, (n1 + p1) / cores / direct)
        print("  %-28s wall %6.3f  client %6.3f  nginx %6.3f  %-10s %6.3f  sum %6.3f  "
              "floor %6.3f (%.2fx)%s" % (t.name + ":", r.wall, r.cpu, n1, name or "-", p1,
                                         r.cpu + n1 + p1, floor, floor / direct, servers))


# --- compressed (issue 14) --------------------------------------------------------------

WORDS = ("the of and to in is that for it as was with be by on not he this are or his from at "
         "which but have an they you were her she there been one all we their has would when "
         "if so no will more out up into do any your what some can only other new time could "
         "these two may then first about after also made many must before such through "
         "header frame stream window settings push data ping goaway priority continuation "
         "proxy tunnel request response status length encoding gzip deflate brotli").split()


def make_gz(a):
    """$TMP/www/gz/big.gz: BENCH_BIG_MIB of text lines of random words (gzip -1 makes about
    3:1 of them, far under the default --max-decompressed-ratio), made once per run; returns
    (SHA-256 of the decoded bytes, compressed size)."""
    d = os.path.join(a.tmp, "www", "gz")
    path = os.path.join(d, "big.gz")
    if os.path.exists(path + ".sha"):
        with open(path + ".sha") as f:
            return f.read().split()[0], os.path.getsize(path)
    os.makedirs(d, exist_ok=True)
    rnd = random.Random(14)
    lines, n = [], 0
    while n < 1 << 20:  # one MiB of lines, repeated: gzip's 32 KiB window cannot see that
        ln = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(4, 16))) + "\n"
        lines.append(ln)
        n += len(ln)
    block = "".join(lines).encode()[: 1 << 20]
    h = hashlib.sha256()
    with open(path, "wb") as out:
        gz = subprocess.Popen(["gzip", "-1", "-c"], stdin=subprocess.PIPE, stdout=out)
        for _ in range(a.big_mib):
            gz.stdin.write(block)
            h.update(block)
        gz.stdin.close()
        if gz.wait() != 0:
            raise OSError("gzip failed")
    with open(path + ".sha", "w") as f:
        f.write(h.hexdigest() + "\n")
    return h.hexdigest(), os.path.getsize(path)


def section_compressed(b, a):
    print("\n== 8. Issue 14: one %d MiB (decoded) gzip download with --compressed (nginx "
          "gzip_static; %d runs each, interleaved, medians)" % (a.big_mib, a.runs))
    if not find_bin("gzip"):
        return skip("gzip is missing")
    try:
        sha, gz = make_gz(a)
    except OSError as e:
        return skip("cannot make the gzip file: %s" % e)
    url = "https://127.0.0.1:%d/gz/big" % a.nginx
    size = a.big_mib << 20
    print("  (gzip -1 of text lines of random words: %.1f MiB on the wire, %.1f:1; decoded "
          "bodies to stdout, which is /dev/null)" % (gz / (1 << 20), size / gz))
    tools = [b.Tool("h2get --compressed", [a.h2get, "--compressed", "--cacert", a.ca, url],
                    expect_bytes=size, expect_sha=sha),
             b.Tool("curl --compressed", ["curl", "--http2", "-s", "--compressed", "--cacert",
                                          a.ca, url], expect_bytes=size, expect_sha=sha)]
    b.commands(tools, a.tmp)
    ok = b.measure(tools, a.runs, a.tmp)
    b.table(tools, a.runs)
    b.ratio(tools[0], tools[1], "wall", "wall", None)
    b.ratio(tools[0], tools[1], "CPU", "cpu", 0.9)
    b.ratio(tools[0], tools[1], "peak RSS", "rss_kib", 0.8)
    return ok


# --- duplex and websocket (issue 11) ----------------------------------------------------

def gbit(b, tool, size):
    w = b.med(tool, "wall")
    return size * 8 / w / 1e9 if w else 0.0


def section_duplex(b, a):
    print("\n== 9. Issue 11: duplex echo over TLS h2 on loopback against h2get's own one-way "
          "download from the same server (%d runs each, interleaved, medians)" % a.runs)
    srv = Servers("duplex")
    try:
        ok = duplex_h2echo(b, a, srv)
        return duplex_nghttpd(b, a, srv) and ok
    finally:
        srv.stop()


def peer_cpu(pid):
    """CPU seconds (user+sys) process `pid` used so far, from /proc."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def duplex_input(a, size):
    """The echo's input: `size` zero bytes as a sparse file in $FILES (tmpfs when there is
    one). Reading a hole of an ext4 file costs more than the whole TLS receive path (page
    cache pages made and zeroed each time: 1.3 GB/s against tmpfs's 8 GB/s here), which
    would be measured as h2get's."""
    src = os.path.join(a.files, "duplex-%d" % size)
    with open(src, "wb") as f:
        f.truncate(size)
    return src


def duplex_h2echo(b, a, srv):
    """Issue 11's criterion: bench/h2echo.c streams each DATA chunk back as it comes (and
    credits the window only once the echo is written), and serves GET /bytes/N from
    memory, so both figures come from one server."""
    size = a.big_mib << 20
    print("\n-- %d MiB echoed as it arrives by bench/h2echo.c (libnghttp2 + GnuTLS, TLS 1.3), "
          "against %d MiB\n   downloaded from it (GET /bytes/N, made in memory)"
          % (a.big_mib, a.big_mib))
    if not a.h2echo or not os.access(a.h2echo, os.X_OK):
        return skip("bench/h2echo.c is not built (needs libnghttp2-dev: make deps h2echo)")
    cert, key = certs(a)
    port = srv.peer([a.h2echo, "--tls", cert, key], "h2echo.out")
    if not port:
        return skip("h2echo did not start: %s" % srv.tail("h2echo.out"))
    pid = srv.procs[-1].pid
    sha = b.sha_of_zeros(size)
    src = duplex_input(a, size)
    base = "https://127.0.0.1:%d" % port
    tools = [b.Tool("h2get --duplex", [a.h2get, "--cacert", a.ca, "--duplex", "-T", src,
                                       base + "/echo"], expect_bytes=size, expect_sha=sha),
             b.Tool("h2get download", [a.h2get, "--cacert", a.ca, base + "/bytes/%d" % size],
                    expect_bytes=size, expect_sha=sha),
             b.Tool("nghttp -d (echo)", ["nghttp", "-n", "-d", src, base + "/echo"])]
    print("  (input: a sparse file of zeros in $FILES, tmpfs when there is one; output to "
          "stdout, /dev/null\n   when timed, counted and SHA-256-checked in the untimed first "
          "run; nghttp: libnghttp2's\n   client, which also sends and receives at once, for "
          "reference)")
    b.commands(tools, a.tmp, a.files)
    ok = b.measure(tools, a.runs, a.tmp)
    b.table(tools, a.runs)
    echo, down = gbit(b, tools[0], size), gbit(b, tools[1], size)
    print("  %-34s %6.2f Gbit/s each way  target >= 3.5: %s"
          % ("h2get --duplex echo", echo, "ok" if echo >= 3.5 else "MISSED"))
    print("  %-34s %6.2f Gbit/s" % ("h2get download", down))
    print("  %-34s %6.2f Gbit/s each way" % ("nghttp -d echo", gbit(b, tools[2], size)))
    r = echo / down if down else 0.0
    print("  %-34s %6.2fx  target >= 0.50x: %s"
          % ("echo/download throughput", r, "ok" if r >= 0.5 else "MISSED"))
    print("  (the verdicts count one direction; both together the echo moves %.2f Gbit/s, "
          "%.2fx the download)" % (2 * echo, 2 * r))
    # Who bounds the echo: the peer's CPU time over one more run of each tool. On two
    # cores, a CPU-bound echo runs at most at the pace of the busier of the two processes.
    for t in tools[:2]:
        before = peer_cpu(pid)
        r1 = b.run(t.argv)
        print("  one more %-16s wall %6.3f s, its CPU %6.3f s, h2echo's CPU %6.3f s"
              % (t.name + ":", r1.wall, r1.cpu, peer_cpu(pid) - before))
    return ok


def duplex_nghttpd(b, a, srv):
    nghttpd = find_bin("nghttpd")
    if not nghttpd:
        return skip("nghttpd is missing (make deps: nghttp2-server)")
    cert, key = certs(a)
    www = os.path.join(a.tmp, "www")
    port = srv.listen(lambda p: [nghttpd, "-a", "127.0.0.1", "-d", www, "--echo-upload",
                                 str(p), key, cert], "nghttpd.out")
    if not port:
        return skip("nghttpd --echo-upload did not start: %s" % srv.tail("nghttpd.out"))
    size = a.big_mib << 20
    sha = b.sha_of_zeros(size)
    src = duplex_input(a, size)
    base = "https://127.0.0.1:%d" % port
    tools = [b.Tool("h2get --duplex", [a.h2get, "--cacert", a.ca, "--duplex", "-T", src,
                                       base + "/echo"], expect_bytes=size, expect_sha=sha),
             b.Tool("h2get download", [a.h2get, "--cacert", a.ca, base + "/big"],
                    expect_bytes=size, expect_sha=sha)]
    print("\n-- for reference: %d MiB echoed by nghttpd --echo-upload, against the same %d MiB "
          "downloaded from it" % (a.big_mib, a.big_mib))
    print("  NOTE: nghttpd stores the whole upload before it echoes it, so this is an upload "
          "then a download\n  on one stream (store and forward), not both ways at once: "
          "--duplex at volume against a\n  second server, no target")
    b.commands(tools, a.tmp, a.files)
    ok = b.measure(tools, a.runs, a.tmp)
    b.table(tools, a.runs)
    print("  echo %.2f Gbit/s, download %.2f Gbit/s" % (gbit(b, tools[0], size),
                                                         gbit(b, tools[1], size)))
    return ok


def start_apache(srv, apache, backend, cert, key):
    conf = os.path.join(srv.dir, "httpd.conf")
    with open(os.path.join(E2E, "servers", "apache-ws.conf.in")) as f:
        tmpl = f.read()

    def argv(port):
        text = tmpl.replace("@DIR@", srv.dir).replace("@PORT@", str(port))
        text = text.replace("@BACKEND@", str(backend)).replace("@CERT@", cert)
        with open(conf, "w") as f:
            f.write(text.replace("@KEY@", key))
        return [apache, "-f", conf, "-DFOREGROUND"]
    return srv.listen(argv, "apache.out")


def ws_input(a, count):
    path = os.path.join(a.tmp, "ws-%d.txt" % count)
    with open(path, "w") as f:
        f.writelines("websocket message %06d\n" % i for i in range(count))
    with open(path, "rb") as f:
        data = f.read()
    return path, len(data), hashlib.sha256(data).hexdigest()


def section_websocket(b, a):
    count = 100000
    print("\n== 10. Issue 11: WebSocket echo of %d small messages through Apache httpd "
          "(%d runs each, interleaved, medians)" % (count, a.runs))
    apache = find_bin("apache2")
    if not apache:
        return skip("apache2 is missing (make deps)")
    srv = Servers("ws")
    try:
        cert, key = certs(a)
        backend = srv.peer([PY, "-B", os.path.join(E2E, "peers", "wspeer.py"), "echo", "--log",
                            os.path.join(srv.dir, "backend.log"), "--lifetime", "3600"],
                           "backend.out")
        if not backend:
            return skip("the echo backend did not start: %s" % srv.tail("backend.out"))
        port = start_apache(srv, apache, backend, cert, key)
        if not port:
            return skip("apache2 did not start: %s" % srv.tail("error.log"))
        return ws_measure(b, a, port, count)
    finally:
        srv.stop()


def ws_measure(b, a, port, count):
    src, size, sha = ws_input(a, count)
    base = "wss://127.0.0.1:%d/ws/" % port
    tools = [b.Tool("h2get wss, h2", [a.h2get, "--cacert", a.ca, base + "h2"], stdin=src,
                    expect_bytes=size, expect_sha=sha),
             b.Tool("h2get wss, h1", [a.h2get, "--http1.1", "--cacert", a.ca, base + "h1"],
                    stdin=src, expect_bytes=size, expect_sha=sha)]
    print("  (each stdin line a text message of 24 bytes; Apache's mod_http2 takes RFC 8441 "
          "extended CONNECT,\n   --http1.1 the Upgrade; both reach the same echo backend, "
          "tests/e2e/peers/wspeer.py)")
    print("  NOTE: the backend is Python and logs every message: it, not h2get, likely bounds "
          "both figures")
    b.commands(tools, a.tmp)
    print("  (stdin: %s)" % b.show([src], a.tmp))
    ok = b.measure(tools, a.runs, a.tmp)
    b.table(tools, a.runs)
    for t in tools:
        w = b.med(t, "wall")
        print("  %-16s %9.0f messages/s" % (t.name, count / w if w else 0))
    b.ratio(tools[0], tools[1], "wall", "wall", None)
    return ok


SECTIONS = (("proxy", section_proxy), ("compressed", section_compressed),
            ("duplex", section_duplex), ("websocket", section_websocket))
