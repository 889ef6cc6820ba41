#!/usr/bin/env python3
"""Write a tiny hand-built Go 1.19 trace with a futile wakeup.

usage: make_futile_trace.py OUT

No Go 1.19 runtime writes FutileWakeup events any more, so no real trace
exercises the futile-wakeup removal of Go's reader; this one does, so that
check_against_go.py's rule for it is tested against Go itself. One P, G 0
creates G 1; G 1 blocks; G 0 wakes it; G 1 reports the wakeup futile and
blocks again (Go drops these four events); G 0 wakes it; G 1 ends.
"""
import sys


def uvarint(v):
    out = bytearray()
    while True:
        low, v = v & 0x7F, v >> 7
        out.append(low | (0x80 if v else 0))
        if not v:
            return bytes(out)


def ev(typ, *args):
    """An event whose first byte carries the argument count (timestamp
    delta included) minus 1, length-prefixed when that is 3 or more."""
    body = b"".join(uvarint(a) for a in args)
    n = min(len(args) - 1, 3)
    if n == 3:
        return bytes([typ | 0xC0]) + uvarint(len(body)) + body
    return bytes([typ | n << 6]) + body


BATCH, FREQUENCY, PROC_START, PROC_STOP = 1, 2, 5, 6
GO_CREATE, GO_END, GO_BLOCK, GO_BLOCK_SYNC = 13, 15, 20, 25
FUTILE, GO_START_LOCAL, GO_UNBLOCK_LOCAL = 36, 38, 39

trace = b"go 1.19 trace\0\0\0"
trace += bytes([BATCH | 1 << 6]) + uvarint(0) + uvarint(100)  # p 0, ticks 100
trace += bytes([FREQUENCY]) + uvarint(10**9)
trace += ev(PROC_START, 1, 1)
trace += ev(GO_CREATE, 1, 1, 0, 0)          # ts, g 1, start stack 0, stack 0
trace += ev(GO_START_LOCAL, 1, 1)
trace += ev(GO_BLOCK, 1, 0)
trace += ev(GO_UNBLOCK_LOCAL, 1, 1, 0)      # dropped
trace += ev(GO_START_LOCAL, 1, 1)           # dropped
trace += ev(FUTILE, 1)                      # dropped
trace += ev(GO_BLOCK_SYNC, 1, 0)            # dropped
trace += ev(GO_UNBLOCK_LOCAL, 1, 1, 0)
trace += ev(GO_START_LOCAL, 1, 1)
trace += ev(GO_END, 1)
trace += ev(PROC_STOP, 1)
with open(sys.argv[1], "wb") as f:
    f.write(trace)
