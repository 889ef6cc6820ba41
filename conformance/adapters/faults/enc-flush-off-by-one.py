#!/usr/bin/python3
"""PLANTED FAULT (for conformance.faults): an encoder whose flush check is off by one byte
(it flushes when the room equals the record's bound: `room <= need` instead of `room < need`).
Built on stacktab encode: that check equals the right check on a buffer one byte smaller."""
import os
import re
import subprocess
import sys

text = sys.stdin.buffer.read()
m = re.search(rb"^\s*buf-size\s+(\d+)", text, re.M)
size = int(m.group(1)) if m else 64488
st = os.environ.get("STACKTAB") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../build/stacktab")
p = subprocess.run([st, "encode", "--buf-size=%d" % (size - 1), "-"], input=text, capture_output=True)
sys.stdout.buffer.write(p.stdout)
sys.stderr.buffer.write(p.stderr)
sys.exit(p.returncode)
