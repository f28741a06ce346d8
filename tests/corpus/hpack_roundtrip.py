#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Decode h2get-encoded HPACK blocks with an independent decoder (Debian's python3-hpack).

Reads lines "<story file> <seqno> <hex wire>" (from tool_hpack_encode) on stdin, decodes the
blocks of each story in order with one hpack.Decoder per story, and compares every list
with the story's "headers" exactly. Prints "hpack round trip: N blocks, N fields ok" and
exits 1 on any mismatch or when the number of blocks is not --blocks (default 3384).
Run with /usr/bin/python3 (stdlib + hpack).
"""
import argparse
import json
import sys

import hpack


def expected_lists(path, cache):
    if path not in cache:
        with open(path, encoding="utf-8") as f:
            cases = json.load(f)["cases"]
        cache[path] = [[(k.encode(), v.encode()) for h in c["headers"] for k, v in h.items()]
                       for c in cases]
    return cache[path]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--blocks", type=int, default=3384)
    ap.add_argument("--label", default="")
    args = ap.parse_args()

    cache, decoders = {}, {}
    blocks = fields = 0
    for n, line in enumerate(sys.stdin, 1):
        parts = line.split()
        if len(parts) not in (2, 3):
            print("hpack round trip: line %d is malformed" % n, file=sys.stderr)
            return 1
        path, seq = parts[0], int(parts[1])
        wire = bytes.fromhex(parts[2]) if len(parts) == 3 else b""
        dec = decoders.get(path)
        if dec is None:
            dec = decoders[path] = hpack.Decoder(max_header_list_size=1 << 30)
        try:
            got = dec.decode(wire, raw=True)
        except hpack.HPACKError as e:
            print("hpack round trip: %s #%d: %s: %s" % (path, seq, type(e).__name__, e),
                  file=sys.stderr)
            return 1
        want = expected_lists(path, cache)[seq]
        if [(bytes(k), bytes(v)) for k, v in got] != want:
            print("hpack round trip: %s #%d: decoded list differs" % (path, seq),
                  file=sys.stderr)
            return 1
        blocks += 1
        fields += len(want)
    label = " (%s)" % args.label if args.label else ""
    if blocks != args.blocks:
        print("hpack round trip: %d blocks, expected %d%s" % (blocks, args.blocks, label),
              file=sys.stderr)
        return 1
    print("hpack round trip: %d blocks, %d fields ok%s" % (blocks, fields, label))
    return 0


if __name__ == "__main__":
    sys.exit(main())
