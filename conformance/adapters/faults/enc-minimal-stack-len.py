#!/usr/bin/python3
"""PLANTED FAULT (for conformance.faults): an encoder that writes EvStack lengths as minimal
varints where the direct (Go 1.20+) dump pads them to 10 bytes. Built on stacktab encode: it
re-frames the output and rewrites every EvStack length in its minimal width."""
import os
import subprocess
import sys


def varint(b, i):
    v = s = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return v, i


def minimal(v):
    out = bytearray()
    while True:
        out.append((v & 0x7F) | (0x80 if v >= 0x80 else 0))
        v >>= 7
        if not v:
            return bytes(out)


st = os.environ.get("STACKTAB") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../build/stacktab")
p = subprocess.run([st, "encode", "-"], input=sys.stdin.buffer.read(), capture_output=True)
sys.stderr.buffer.write(p.stderr)
if p.returncode != 0:
    sys.exit(p.returncode)
b, out, i = p.stdout, bytearray(p.stdout[:16]), 16
while i < len(b):
    start, typ, field = i, b[i] & 0x3F, b[i] >> 6
    i += 1
    if typ == 37:  # EvString: id, len, bytes
        _, i = varint(b, i)
        n, i = varint(b, i)
        i += n
    elif field == 3:  # length-prefixed (EvStack included)
        n, j = varint(b, i)
        if typ == 3:
            out += b[start:start + 1] + minimal(n) + b[j:j + n]
            i = j + n
            continue
        i = j + n
    else:
        for _ in range(field + 1):
            _, i = varint(b, i)
    out += b[start:i]
sys.stdout.buffer.write(out)
