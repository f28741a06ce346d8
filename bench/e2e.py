#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""End-to-end benchmarks behind `make bench` (started by bench/run.sh, which provides the
servers, certificates and docroot). Every tool of a comparison runs in the same loop,
interleaved (the order rotates each round) after one untimed checked run; each run is
measured with wait4(): wall time, CPU time (user+sys) and peak RSS of the tool's own
process. Medians are printed with the h2get/peer ratios and the targets of issues 3, 4, 5 and
12; bench/e2e_servers.py adds the sections that start servers of their own (issues 11, 13,
14).
Never fails on timing; exits 1 only when a tool is broken (its checked run fails)."""

import argparse
import filecmp
import hashlib
import os
import re
import shlex
import shutil
import stat
import statistics
import subprocess
import sys
import threading
import time

TIMEOUT = 300
RUSAGE = None  # the bench_rusage program (bench/rusage.c), set by main()
RESULT = None  # the file it writes its one line into


class Tool:
    """One command of a comparison, and how its untimed first run is checked."""

    def __init__(self, name, argv, expect_bytes=None, expect_text=None, expect_sha=None,
                 stdin=None):
        self.name = name
        self.argv = argv
        self.stdin = stdin  # a file read as its standard input, or None (/dev/null)
        self.expect_bytes = expect_bytes  # exact stdout size, or None
        self.expect_sha = expect_sha  # SHA-256 (hex) of stdout, or None
        self.expect_text = expect_text  # text its stdout must contain, or None
        self.runs = []
        self.failures = []


class Result:
    def __init__(self, wall, cpu, rss_kib, code, out_bytes=0, out_head=b"", err=b"",
                 err_bytes=0):
        self.wall, self.cpu, self.rss_kib, self.code = wall, cpu, rss_kib, code
        self.out_bytes, self.out_head, self.err = out_bytes, out_head, err
        self.err_bytes = err_bytes


def _drain(pipe, acc, keep):
    """Count and hash the bytes of a pipe, keeping the first `keep` of them."""
    while True:
        chunk = pipe.read(1 << 20)
        if not chunk:
            break
        acc["sha"].update(chunk)
        if len(acc["head"]) < keep:
            acc["head"] += chunk[: keep - len(acc["head"])]
        acc["n"] += len(chunk)


def run(argv, capture=False, timeout=TIMEOUT, stdin=None):
    """Run argv once under bench_rusage, its stdin the file `stdin` or /dev/null; stdout and
    stderr go to /dev/null unless `capture` (then stdout is counted and its first 64 KiB
    kept, and stderr kept)."""
    out = subprocess.PIPE if capture else subprocess.DEVNULL
    acc = {"n": 0, "head": b"", "sha": hashlib.sha256()}
    err = {"n": 0, "head": b"", "sha": hashlib.sha256()}
    inp = open(stdin, "rb") if stdin else subprocess.DEVNULL
    p = subprocess.Popen([RUSAGE, RESULT, str(timeout)] + argv, stdin=inp, stdout=out,
                         stderr=out)
    if stdin:
        inp.close()
    readers = []
    if capture:
        readers = [threading.Thread(target=_drain, args=(p.stdout, acc, 65536)),
                   threading.Thread(target=_drain, args=(p.stderr, err, 65536))]
        for r in readers:
            r.start()
    for r in readers:
        r.join()
    if p.wait() != 0:
        sys.exit("bench_rusage failed (exit %d) running %s" % (p.returncode, argv))
    with open(RESULT) as f:
        code, wall, user, system, rss = f.read().split()
    r = Result(float(wall), float(user) + float(system), int(rss), int(code), acc["n"],
               acc["head"], err["head"], err["n"])
    r.sha = acc["sha"].hexdigest()
    return r


def check(tool, tmp):
    """The untimed first run: exit 0, and the expected output. Returns an error or None."""
    r = run(tool.argv, capture=True, stdin=tool.stdin)
    tool.checked = r
    why = None
    if r.code != 0:
        why = "exit status %d" % r.code
    elif tool.expect_bytes is not None and r.out_bytes != tool.expect_bytes:
        why = "%d bytes on stdout, expected %d" % (r.out_bytes, tool.expect_bytes)
    elif tool.expect_sha is not None and r.sha != tool.expect_sha:
        why = "stdout has the right size but not the right bytes (SHA-256 differs)"
    elif tool.expect_text is not None and tool.expect_text not in r.out_head.decode("latin-1"):
        why = "stdout lacks %r" % tool.expect_text
    if why:
        err = r.err.decode("utf-8", "replace").strip().splitlines()[-5:]
        return "%s: %s; command: %s%s" % (tool.name, why, show(tool.argv, tmp),
                                          "".join("\n    stderr: " + e for e in err))
    return None


def measure(tools, rounds, tmp):
    """Check each tool once, then `rounds` interleaved timed runs. A tool whose check failed
    is still timed (its figures are marked) unless it could not even run. Returns False if
    any check failed."""
    ok = True
    live = []
    for t in tools:
        t.broken = check(t, tmp)
        if t.broken:
            print("  BROKEN " + t.broken)
            ok = False
        if not t.broken or t.checked.code == 0:
            live.append(t)
    for i in range(rounds):
        for j in range(len(live)):
            t = live[(i + j) % len(live)]
            r = run(t.argv, stdin=t.stdin)
            if r.code == 0:
                t.runs.append(r)
            else:
                t.failures.append(r.code)
    return ok


def med(tool, attr):
    if not tool.runs:
        return None
    return statistics.median(getattr(r, attr) for r in tool.runs)


def show(argv, tmp, files=None):
    """A command line for the report, with the temp dirs as $TMP and $FILES (left unquoted,
    so that it can be pasted with those set) and long argument lists cut."""
    words = [a.replace(tmp, "$TMP") for a in argv]
    if files:
        words = [w.replace(files, "$FILES") for w in words]
    cut = len(words) > 24
    if cut:
        words = words[:10]
    line = " ".join(w if re.fullmatch(r"[\w@%+=:,./$-]+", w) else shlex.quote(w)
                    for w in words)
    return line + (" ... (%d more arguments)" % (len(argv) - 10) if cut else "")


def table(tools, rounds):
    w = max([22] + [len(t.name) for t in tools])
    print("  %-*s %9s %9s %10s   runs" % (w, "", "wall s", "CPU s", "peak RSS"))
    for t in tools:
        if not t.runs:
            print("  %-*s %9s %9s %10s   0/%d" % (w, t.name, "-", "-", "-", rounds))
            continue
        extra = "" if not t.failures else "  (failed: exit %s)" % t.failures
        if getattr(t, "broken", None):
            extra += "  (its output was WRONG: see BROKEN)"
        print("  %-*s %9.3f %9.3f %6.1f MiB   %d/%d%s" % (
            w, t.name, med(t, "wall"), med(t, "cpu"), med(t, "rss_kib") / 1024, len(t.runs),
            rounds, extra))


def ratio(a, b, what, attr, target):
    """Print the ratio of medians a/b for `attr` against the target (at most `target`)."""
    x, y = med(a, attr), med(b, attr)
    if x is None or y is None or y == 0:
        print("  %-34s n/a" % ("%s/%s %s" % (a.name, b.name, what)))
        return
    verdict = "" if target is None else (
        "  target <= %.2fx: %s" % (target, "ok" if x / y <= target else "MISSED"))
    print("  %-34s %6.2fx%s" % ("%s/%s %s" % (a.name, b.name, what), x / y, verdict))


def commands(tools, tmp, files=None):
    for t in tools:
        print("  $ " + show(t.argv, tmp, files))


def null_device(tmp):
    """A path that discards writes and that no tool can replace: a character device node
    (1, 3) in the temp dir when we may make one (a tool that renames a temporary file onto
    its output path then replaces only this node), else /dev/null."""
    path = os.path.join(tmp, "null")
    try:
        os.mknod(path, 0o666 | 0o020000, os.makedev(1, 3))
        return path
    except OSError:
        return "/dev/null"


def null_intact(a):
    """Whether the device node is still one (a tool that renamed a temporary file onto its
    output path would have replaced it with a regular file), and /dev/null still one."""
    if not stat.S_ISCHR(os.stat("/dev/null").st_mode):
        print("  BROKEN: /dev/null is no longer a character device (some process replaced it);"
              " the figures above are not valid")
        return False
    if a.null == "/dev/null" or stat.S_ISCHR(os.lstat(a.null).st_mode):
        return True
    print("  BROKEN: %s is no longer a character device: a tool replaced it with a %d-byte "
          "file" % (a.null, os.lstat(a.null).st_size))
    os.unlink(a.null)
    a.null = null_device(a.tmp)
    return False


def section_download(a):
    url = "https://127.0.0.1:%d/big" % a.nginx
    size = a.big_mib << 20
    sha = sha_of_zeros(size)
    h2get = [a.h2get, "--cacert", a.ca, url]
    tools = [Tool("h2get", h2get, expect_bytes=size, expect_sha=sha),
             Tool("curl", ["curl", "--http2", "-s", "--cacert", a.ca, url],
                  expect_bytes=size, expect_sha=sha),
             Tool("h2get --frames", h2get[:1] + ["--frames=" + a.null] + h2get[1:],
                  expect_bytes=size, expect_sha=sha),
             Tool("h2load", ["h2load", "-c", "1", "-n", "1", url],
                  expect_text="1 succeeded, 0 failed")]
    print("\n== 2. Issues 3 and 12: one %d MiB download over TLS h2 from nginx; issue 5: "
          "tracing cost" % a.big_mib)
    print("  (%d runs each, interleaved, medians; bodies to stdout, which is /dev/null;\n"
          "   h2load discards the body and does not verify the certificate)" % a.runs)
    commands(tools, a.tmp)
    ok = measure(tools, a.runs, a.tmp)
    table(tools, a.runs)
    ratio(tools[0], tools[1], "wall", "wall", 0.9)
    ratio(tools[0], tools[1], "CPU", "cpu", 0.9)
    ratio(tools[0], tools[1], "peak RSS", "rss_kib", 0.8)
    print("  issue 12's targets:")
    ratio(tools[0], tools[1], "CPU", "cpu", 0.8)
    ratio(tools[0], tools[3], "wall", "wall", 1.0)
    ratio(tools[0], tools[3], "CPU", "cpu", None)
    ratio(tools[2], tools[0], "wall", "wall", None)
    ratio(tools[2], tools[0], "CPU", "cpu", None)
    trace_probe(a, tools[2])
    return ok


def section_upload(a):
    """Issue 12: a big upload (the sparse docroot file, read as zeros) to nghttpd, which
    reads every byte of a request body and answers its own 404 page."""
    src = os.path.join(a.tmp, "www", "big")
    url = "https://127.0.0.1:%d/upload-sink" % a.nghttpd
    tools = [Tool("h2get", [a.h2get, "--cacert", a.ca, "-T", src, "-o", a.null, url]),
             Tool("curl", ["curl", "--http2", "-s", "--cacert", a.ca, "-T", src, "-o", a.null,
                           url])]
    print("\n== 6. Issue 12: one %d MiB upload over TLS h2 to nghttpd (-T FILE)" % a.big_mib)
    print("  (%d runs each, interleaved, medians)" % a.runs)
    commands(tools, a.tmp)
    ok = measure(tools, a.runs, a.tmp)
    table(tools, a.runs)
    ratio(tools[0], tools[1], "wall", "wall", 1.0)
    ratio(tools[0], tools[1], "CPU", "cpu", None)
    return ok


def trace_probe(a, tool):
    """Show that the traced runs did trace: the same option into a regular file, for a
    small fetch, must write lines."""
    path = os.path.join(a.tmp, "frames.txt")
    url = "https://127.0.0.1:%d/small.html" % a.nginx
    r = run([a.h2get, "--frames=" + path, "--cacert", a.ca, url], capture=True)
    lines = 0
    if os.path.exists(path):
        with open(path, "rb") as f:
            lines = f.read().count(b"\n")
    print("  (probe: --frames=FILE on a small fetch: exit %d, %d trace lines in FILE, %d bytes "
          "on stderr;\n   the timed --frames runs wrote %d bytes to stderr)"
          % (r.code, lines, r.err_bytes, getattr(tool, "checked", r).err_bytes))
    if lines == 0 and r.err_bytes == 0:
        print("  NOTE: --frames produced no trace at all, so the --frames figures above do not "
              "measure tracing yet")


def section_small(a):
    url = "https://localhost:%d/small.html" % a.nginx
    resolve = "localhost:%d:127.0.0.1" % a.nginx
    # h2get as a user runs it: the system store (here, the same anchors as a hashed
    # directory and a bundle), read anchor by anchor; `env` only sets the two variables.
    lazy = ["env", "SSL_CERT_DIR=" + a.hashed, "SSL_CERT_FILE=" + a.bundle]
    tools = [Tool("h2get", lazy + [a.h2get, "--resolve", resolve, url],
                  expect_text="small page"),
             Tool("curl", ["curl", "--http2", "-s", "--resolve", resolve, "--cacert", a.bundle,
                           url], expect_text="small page"),
             Tool("h2get --cacert", [a.h2get, "--resolve", resolve, "--cacert", a.bundle, url],
                  expect_text="small page")]
    rounds = a.runs * 4
    print("\n== 3. Issue 3: one small fetch, certificate verified against the system trust "
          "store plus the test CA")
    print("  (%d runs each, interleaved, medians; the bundle holds %d certificates)"
          % (rounds, count_certs(a.bundle)))
    commands(tools, a.tmp)
    ok = measure(tools, rounds, a.tmp)
    table(tools, rounds)
    ratio(tools[0], tools[1], "wall", "wall", 0.45)
    ratio(tools[0], tools[1], "CPU", "cpu", None)
    ratio(tools[0], tools[2], "wall (lazy store / whole store)", "wall", None)
    return ok


def count_certs(path):
    with open(path) as f:
        return f.read().count("BEGIN CERTIFICATE")


def sha_of_files(a, paths):
    """SHA-256 of the docroot files at URL `paths`, concatenated in order."""
    h = hashlib.sha256()
    for p in paths:
        with open(os.path.join(a.tmp, "www", p.lstrip("/")), "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def sha_of_zeros(size):
    h, block = hashlib.sha256(), bytes(1 << 20)
    for _ in range(size >> 20):
        h.update(block)
    return h.hexdigest()


def url_files(a, server, port, name, count):
    """The URL list (one per line), curl's -K config and the paths of set `name`."""
    with open(os.path.join(a.tmp, "paths-%s.txt" % name)) as f:
        paths = f.read().split()[:count]
    base = "https://127.0.0.1:%d" % port
    stem = os.path.join(a.tmp, "%s-%s-%d" % (server, name, count))
    with open(stem + ".urls", "w") as f:
        f.writelines(base + p + "\n" for p in paths)
    with open(stem + ".curl", "w") as f:
        f.writelines('url = "%s%s"\noutput = "%s"\n' % (base, p, a.null) for p in paths)
    with open(stem + ".urls.curl", "w") as f:
        f.writelines('url = "%s%s"\n' % (base, p) for p in paths)
    return stem, [base + p for p in paths], sha_of_files(a, paths)


def many_tools(a, server, port, name, count, size):
    stem, urls, sha = url_files(a, server, port, name, count)
    return [Tool("h2get", [a.h2get, "--cacert", a.ca, "--url", "@" + stem + ".urls"],
                 expect_bytes=count * size, expect_sha=sha),
            Tool("curl", ["curl", "--http2", "--parallel", "--parallel-max", "100", "-s",
                          "--cacert", a.ca, "-K", stem + ".curl"]),
            Tool("nghttp", ["nghttp", "-n"] + urls),
            Tool("h2load", ["h2load", "-c", "1", "-m", "100", "-n", str(count), "-i",
                            stem + ".urls"],
                 expect_text="%d succeeded" % count),
            Tool("h2get -O", [a.h2get, "--cacert", a.ca, "--remote-name-all", "--output-dir",
                              os.path.join(a.files, "h2get"), "--url", "@" + stem + ".urls"]),
            Tool("curl -O", ["curl", "--http2", "--parallel", "--parallel-max", "100", "-s",
                             "--cacert", a.ca, "--remote-name-all", "--output-dir",
                             os.path.join(a.files, "curl"), "-K", stem + ".urls.curl"]),
            # issue 12's form: the same work for both, each body to the null device by its
            # own -o (the same -K file) and the same TLS 1.3 suite (h2get's choice)
            Tool("h2get -K", [a.h2get, "--cacert", a.ca, "-K", stem + ".curl"]),
            Tool("curl -K AES128", ["curl", "--http2", "--parallel", "--parallel-max", "100",
                                    "-s", "--tls13-ciphers", "TLS_AES_128_GCM_SHA256",
                                    "--cacert", a.ca, "-K", stem + ".curl"])]


WORKLOADS = (
    # set, count, size, title, targets: (wall vs curl, CPU vs curl, wall vs nghttp)
    ("k", 10000, 1024, "10,000 x 1 KiB", (0.25, None, 0.7)),
    ("m", 100, 1 << 20, "100 x 1 MiB", (0.9, 0.9, None)),
)


def section_many(a):
    ok = True
    print("\n== 4. Issue 4: many URLs over one connection (%d runs each, interleaved, "
          "medians)" % a.runs)
    print("  (h2get writes every body to stdout in order, stdout is /dev/null; curl writes "
          "each to %s;\n   nghttp -n and h2load discard them; nghttp and h2load do not verify "
          "the certificate;\n   h2get -O and curl -O save each body as a file in $FILES=%s;\n"
          "   h2get -K and curl -K AES128 do the same work: one -o %s per URL, one cipher)"
          % (show([a.null], a.tmp), a.files.replace(a.tmp, "$TMP"), show([a.null], a.tmp)))
    for name, count, size, title, targets in WORKLOADS:
        for server, port in (("nginx", a.nginx), ("nghttpd", a.nghttpd)):
            tools = many_tools(a, server, port, name, count, size)
            print("\n-- %s from %s" % (title, server))
            commands(tools, a.tmp, a.files)
            for d in ("h2get", "curl"):
                os.makedirs(os.path.join(a.files, d), exist_ok=True)
            ok = measure(tools, a.runs, a.tmp) and ok
            table(tools, a.runs)
            ratio(tools[0], tools[1], "wall", "wall", targets[0])
            ratio(tools[0], tools[1], "CPU", "cpu", targets[1])
            ratio(tools[0], tools[1], "peak RSS", "rss_kib", 0.8)
            ratio(tools[0], tools[2], "wall", "wall", targets[2])
            ratio(tools[0], tools[3], "wall", "wall", None)
            ratio(tools[4], tools[5], "wall", "wall", targets[0])
            ratio(tools[4], tools[5], "CPU", "cpu", targets[1])
            ratio(tools[4], tools[5], "peak RSS", "rss_kib", 0.8)
            # issue 12's targets, on the rows that do the same work as curl's
            ratio(tools[6], tools[7], "wall", "wall", 0.9 if name == "m" else None)
            ratio(tools[6], tools[7], "CPU", "cpu", None)
            if name == "k":
                ratio(tools[6], tools[3], "wall", "wall", 1.0)
                ratio(tools[6], tools[3], "CPU", "cpu", 1.2)
            ok = check_files(a, tools[4], name, count) and ok
    return ok


def check_files(a, tool, name, count):
    """The files h2get -O saved (in its last run) are those of the docroot."""
    out = os.path.join(a.files, "h2get")
    bad = [n for n in sorted(os.listdir(os.path.join(a.tmp, "www", name)))[:count]
           if not os.path.exists(os.path.join(out, n))
           or not filecmp.cmp(os.path.join(out, n), os.path.join(a.tmp, "www", name, n),
                              shallow=False)]
    extra = len(os.listdir(out)) - count
    if bad or extra:
        print("  BROKEN %s: %d of %d saved files missing or wrong (first: %s), %d extra files"
              % (tool.name, len(bad), count, bad[:3], extra))
        tool.broken = True
    for d in ("h2get", "curl"):
        shutil.rmtree(os.path.join(a.files, d))
    return not bad and not extra


def section_rss(a):
    print("\n== 5. Issue 4: h2get peak RSS against the number of URLs (1 KiB files from nginx, "
          "%d runs each, medians)" % a.runs)
    tools = []
    for count in (1000, 10000):
        stem, _, sha = url_files(a, "nginx", a.nginx, "k", count)
        t = Tool("h2get, %d URLs" % count, [a.h2get, "--cacert", a.ca, "--url",
                                             "@" + stem + ".urls"], expect_bytes=count * 1024,
                 expect_sha=sha)
        t.list_bytes = os.path.getsize(stem + ".urls")
        tools.append(t)
    commands(tools, a.tmp)
    ok = measure(tools, a.runs, a.tmp)
    table(tools, a.runs)
    if tools[0].runs and tools[1].runs:
        grow = (med(tools[1], "rss_kib") - med(tools[0], "rss_kib")) / 1024
        lists = (tools[1].list_bytes - tools[0].list_bytes) / (1 << 20)
        print("  growth from 1,000 to 10,000 URLs: %+.1f MiB (the URL lists differ by %.1f MiB)"
              % (grow, lists))
    return ok


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--h2get", required=True)
    p.add_argument("--tmp", required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--bundle", required=True)
    p.add_argument("--hashed", required=True)
    p.add_argument("--h2echo", default="", help="the duplex peer (bench/h2echo.c), if built")
    p.add_argument("--connrelay", default="", help="the tunnel peer (bench/connrelay.c)")
    p.add_argument("--nginx", type=int, required=True)
    p.add_argument("--nghttpd", type=int, required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--big-mib", type=int, default=1024)
    p.add_argument("--only", default="download,small,many,rss,upload,proxy,compressed,duplex,"
                   "websocket")
    p.add_argument("--rusage", required=True, help="the bench_rusage program")
    p.add_argument("--files", required=True, help="where -O saves files (tmpfs if possible)")
    a = p.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    global RUSAGE, RESULT
    RUSAGE, RESULT = a.rusage, os.path.join(a.tmp, "rusage.out")
    a.null = null_device(a.tmp)
    sections = (("download", section_download), ("small", section_small),
                ("many", section_many), ("rss", section_rss), ("upload", section_upload))
    # The sections that start servers of their own; they use this module's helpers.
    import e2e_servers
    me = sys.modules[__name__]
    sections += tuple((name, lambda a, fn=fn: fn(me, a)) for name, fn in e2e_servers.SECTIONS)
    ok = True
    t0 = time.monotonic()
    for name, fn in sections:
        if name in a.only.split(","):
            sys.stdout.flush()
            ok = fn(a) and ok
            ok = null_intact(a) and ok
    print("\nend-to-end benchmarks took %.0f s%s" % (
        time.monotonic() - t0, "" if ok else "; some tool was BROKEN (see above)"))
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
