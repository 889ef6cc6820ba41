#!/usr/bin/env python3
"""Writes the fuzz seed corpora corpus/<harness>/ from the project's own inputs.

Sources (never ../shared/corpus/real):
  - conformance/cases/*.trace up to --max-case bytes, as they are;
  - corpus/own/*.trace (Go 1.19 traces made by corpus/go/tracegen): small slices cut at event
    boundaries, using `stacktab dump --json` for the offsets (event bytes are copied verbatim);
  - corpus/own/go1.22-own-small.trace, go1.23-own-small.trace (v2, corpus/go/tracegen2): whole,
    and rearranged by batch (found by their size fields here): event batches without their
    tables, strings before stacks, the generation repeated as generation 2;
  - hand-made v2 traces (every batch kind of 1.22/1.23/1.25, experimental batches, and a few
    broken ones: generation order, batch size and overrun, records of the wrong kind);
  - hand-made varints for the varint harness, and stack tables for roundtrip/differential
    (the layout documented in fuzz/fuzz_table.h), including the stack tables of corpus/own.
Deterministic: the same sources give the same files. ci/make-seeds.sh runs it and then keeps
only the seeds that add coverage (libFuzzer -merge), when the fuzz build exists.
"""
import argparse
import glob
import json
import os
import struct
import subprocess
import sys

HEADER = 16
# Events whose last argument is a stack ID (spec 2.4); GoCreate's "stack" argument too.
STACK_EVENTS = {
    "Gomaxprocs", "GCStart", "GCSweepStart", "GoCreate", "GoStop", "GoSched", "GoPreempt",
    "GoSleep", "GoBlock", "GoUnblock", "GoBlockSend", "GoBlockRecv", "GoBlockSelect",
    "GoBlockSync", "GoBlockCond", "GoBlockNet", "GoSysCall", "GoUnblockLocal", "GoBlockGC",
    "GCMarkAssistStart", "UserTaskCreate", "UserTaskEnd", "UserRegion", "UserLog", "CPUSample"}
SPECIAL = {"Batch", "Frequency", "String", "Stack"}


def events(stacktab, path):
    """(event dict with 'size', ...) for every event of a valid trace, in file order."""
    out = subprocess.run([stacktab, "dump", "--json", "--mode=go", path], capture_output=True,
                         text=True, check=False).stdout
    evs = [json.loads(line) for line in out.splitlines() if line.strip()]
    size = os.path.getsize(path)
    for i, e in enumerate(evs):
        e["size"] = (evs[i + 1]["off"] if i + 1 < len(evs) else size) - e["off"]
    return evs


def cut(data, evs):
    return b"".join(data[e["off"]:e["off"] + e["size"]] for e in evs)


def own_slices(stacktab, path):
    """Small traces made of whole events of one of our own Go 1.19 traces."""
    data = open(path, "rb").read()
    evs = events(stacktab, path)
    if not evs:
        return {}
    hdr = data[:HEADER]
    first_batch = next(e for e in evs if e["type"] == "Batch")
    freqs = [e for e in evs if e["type"] == "Frequency"]
    first_stack = next((i for i, e in enumerate(evs) if e["type"] == "Stack"), len(evs))
    dump_batch = next((e for e in reversed(evs[:first_stack]) if e["type"] == "Batch"), None)
    strings = {e["id"]: e for e in evs if e["type"] == "String"}
    by_content = {e["str"]: e["id"] for e in strings.values()}
    stacks = {e["id"]: e for e in evs if e["type"] == "Stack"}
    out = {}

    # 1. One event of each ordinary type, with the stacks and strings they need.
    seen, picked, want_stacks = set(), [], []
    for e in evs:
        t = e["type"]
        if t in SPECIAL or t in seen or e["size"] > 256:
            continue
        seen.add(t)
        picked.append(e)
        if t in STACK_EVENTS and e.get("args"):
            want_stacks.append(e["args"][-1])
        if t == "GoCreate" and len(e.get("args", [])) >= 3:
            want_stacks.append(e["args"][2])
    stk = [stacks[i] for i in dict.fromkeys(want_stacks) if i in stacks]
    sids = []
    for s in stk:
        for f in s["frames"]:
            for name in (f["fn"], f["file"]):
                if name in by_content:
                    sids.append(by_content[name])
    strs = [strings[i] for i in dict.fromkeys(sids)]
    body = [first_batch] + picked + freqs[:1]
    if dump_batch is not None:
        body.append(dump_batch)
    out["types"] = hdr + cut(data, body + strs + stk)

    # 2. The start of the dump region: strings and stacks as the runtime wrote them.
    if dump_batch is not None:
        region, n = [], 0
        for e in evs[evs.index(dump_batch):]:
            if n + e["size"] > 3000:
                break
            region.append(e)
            n += e["size"]
        out["dump"] = hdr + cut(data, [first_batch] + freqs[:1] + region)

    # 3. The first events of the trace, as written, then the Frequency.
    head, n = [], 0
    for e in evs:
        if e["type"] in ("Frequency", "Stack"):
            continue
        if n + e["size"] > 1500:
            break
        head.append(e)
        n += e["size"]
    out["head"] = hdr + cut(data, head + freqs[:1])
    return out


# ---- v2 (Go 1.22+) ----

def is_v2(data):
    """A "go 1.22 trace" or later header."""
    if not data.startswith(b"go 1.") or len(data) < HEADER:
        return False
    minor = data[5:8].split(b" ")[0]
    return minor.isdigit() and int(minor) >= 22


def uvarint(b, p):
    x = s = 0
    while True:
        c = b[p]
        p += 1
        x |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return x, p


def leb(x, width=None):
    out = []
    while True:
        out.append(x & 0x7F)
        x >>= 7
        if not x and (width is None or len(out) >= width):
            break
    for i in range(len(out) - 1):
        out[i] |= 0x80
    return bytes(out)


def v2_batches(data):
    """(bytes, gen, offset of the gen varint, first payload byte or None) of every batch."""
    out, p = [], HEADER
    while p < len(data):
        start = p
        p += 2 if data[p] == 0x31 else 1
        gen_at = p - start
        gen, p = uvarint(data, p)
        _, p = uvarint(data, p)
        _, p = uvarint(data, p)
        size, p = uvarint(data, p)
        kind = data[p] if size else None
        p += size
        out.append((data[start:p], gen, gen_at, kind))
    return out


def own_v2_slices(path):
    """Our own v2 traces, whole and rearranged batch by batch (every batch copied verbatim)."""
    data = open(path, "rb").read()
    hdr = data[:HEADER]
    bs = v2_batches(data)
    tables = (0x04, 0x02, 0x06)
    out = {"whole": data}
    out["no-tables"] = hdr + b"".join(b for b, _, _, k in bs if k not in tables)
    strings = [b for b, _, _, k in bs if k == 0x04]
    out["strings-first"] = hdr + b"".join(
        strings + [b for b, _, _, k in bs if k != 0x04])
    gen1 = [x for x in bs if x[1] == bs[0][1]]
    if bs[0][1] < 127:
        again = [b[:at] + bytes([g + 1]) + b[at + 1:] for b, g, at, _ in gen1]
        out["two-gens"] = hdr + b"".join(b for b, _, _, _ in gen1) + b"".join(again)
    return out


def v2_batch(gen, m, payload, exp=None):
    head = (b"\x31" + bytes([exp])) if exp is not None else b"\x01"
    return head + leb(gen) + leb(m) + leb(1) + leb(len(payload), 10) + payload


def v2_hand():
    """Small v2 traces built here: each batch kind, each version, and some broken ones."""
    h = {v: ("go 1.%d trace" % v).encode().ljust(HEADER, b"\0") for v in (22, 23, 25)}
    freq = {22: b"\x08\x64", 23: b"\x08\x64", 25: b"\x32\x08\x64\x33\x01\x02\x03\x04"}
    stacks = b"\x02\x03\x01\x02\x10\x01\x02\x07\x20\x03\x00\x08"
    events = b"\x0d\x01\x00\x01\x13\x01\x04\x01\x11\x01\x2c\x01\x00\x01\x02\x00"
    cpu = b"\x06\x07\x05\x01\x00\x01\x01"
    strings = b"\x04\x05\x01\x04main\x05\x02\x07main.go\x05\x03\x03foo\x05\x04\x00"
    out = {}
    for v in (22, 23, 25):
        gens = b""
        for g in (1, 2):
            gens += (v2_batch(g, 0, freq[v]) + v2_batch(g, 0, stacks) + v2_batch(g, 1, events) +
                     v2_batch(g, 0, cpu) + v2_batch(g, 0, strings))
        out["v2-kinds-1.%d" % v] = h[v] + gens
    base = h[23] + v2_batch(1, 0, freq[23]) + v2_batch(1, 1, b"\x11\x01")
    out["v2-exp-batch"] = base + v2_batch(1, 0, b"\x80\x01\x02\x03\x04", exp=1)
    out["v2-exp-in-1.22"] = h[22] + base[HEADER:] + v2_batch(1, 0, b"\xaa", exp=1)
    out["v2-goswitch-1.22"] = h[22] + v2_batch(1, 0, freq[22]) + v2_batch(1, 1, b"\x2d\x01\x02\x03")
    out["v2-empty-batch"] = base + v2_batch(1, 2, b"")
    out["v2-empty-string-name"] = (h[23] + v2_batch(1, 0, freq[23]) +
                                   v2_batch(1, 0, b"\x04\x05\x01\x00") +
                                   v2_batch(1, 0, b"\x02\x03\x01\x01\x10\x01\x00\x07") +
                                   v2_batch(1, 1, b"\x11\x01"))
    out["v2-gen-order"] = base + v2_batch(3, 0, freq[23])
    out["v2-batch-size-65537"] = base + b"\x01\x01\x01\x01" + leb(65537, 10)
    out["v2-overrun"] = base + b"\x01\x01\x01\x01" + leb(1, 10) + b"\x11\x01"
    out["v2-freq-trailing"] = h[23] + v2_batch(1, 0, b"\x08\x64\x00\x00") + v2_batch(1, 1, b"\x11\x01")
    out["v2-wrong-record"] = base + v2_batch(1, 0, b"\x04\x03\x01\x00")
    out["v2-cpu-stack-undefined"] = base + v2_batch(1, 0, b"\x06\x07\x01\x01\x01\x01\x09")
    out["v2-stack-strings-undefined"] = base + v2_batch(1, 0, stacks)
    return {k + ".trace": v for k, v in out.items()}


# ---- stack tables in the fuzz_table.h layout ----

def u8(v): return struct.pack("<B", v & 0xff)
def u16(v): return struct.pack("<H", v & 0xffff)
def u64(v): return struct.pack("<Q", v & (2**64 - 1))


def table(settings, slack, names, syms, stacks):
    """names: [bytes]; syms: [(pc, [(fn_idx, file_idx, line)])]; stacks: [[sym_idx or ('raw', pc)]]"""
    b = u8(settings) + u16(slack) + u8(len(names))
    for n in names:
        if len(n) >= 255:
            assert 1000 <= len(n) <= 1254
            b += u8(255) + u8(len(n) - 1000) + n
        else:
            b += u8(len(n)) + n
    b += u8(len(syms))
    for pc, frames in syms:
        b += u64(pc) + u8(len(frames))
        for fn, file, line in frames:
            b += u8(fn) + u8(file) + u8(3) + u64(line)
    b += u8(len(stacks))
    for st in stacks:
        b += u8(len(st))
        for p in st:
            if isinstance(p, tuple):
                b += u8(0x80) + u64(p[1])
            else:
                b += u8(p)
    return b


def own_table(stacktab, path, settings):
    """The first stacks of one of our traces, as a table (within the layout's limits)."""
    evs = events(stacktab, path)
    names, syms, stacks = [], [], []
    for e in evs:
        if e["type"] != "Stack" or len(stacks) >= 64:
            continue
        st = []
        for f in e["frames"][:16]:
            idx = []
            for s in (f["fn"], f["file"]):
                s = s.encode()[-200:]
                if s not in names and len(names) < 16:
                    names.append(s)
                idx.append(names.index(s) if s in names else 0)
            key = (f["pc"], idx[0], idx[1], f["line"])
            if key not in syms:
                if len(syms) >= 32:
                    continue
                syms.append(key)
            st.append(syms.index(key))
        stacks.append(st)
    return table(settings, 0, names, [(pc, [(a, b, line)]) for pc, a, b, line in syms], stacks)


def tables(stacktab, owns):
    t = {}
    names = [b"main.main", b"/src/main.go", b"runtime.goexit", b"/go/src/runtime/asm_amd64.s"]
    one = [(0x4a1b2c, [(0, 1, 42)])]
    t["one-frame-legacy"] = table(0x00, 0, names, one, [[0]])
    t["one-frame-direct"] = table(0x04, 0, names, one, [[0]])
    syms = [(0x401000 + 16 * i, [(i % 4, (i + 1) % 4, i * 7 + 1)]) for i in range(32)]
    many = [[(i + k) % 32 for k in range(1 + i % 16)] for i in range(64)]
    t["many-legacy-tight"] = table(0x00, 0, names, syms, many)
    t["many-direct-tight"] = table(0x04, 0, names, syms, many)
    t["many-direct-buckets"] = table(0x0c, 37, names, syms, many)
    t["many-go121-default-cap"] = table(0x16, 0, names, syms, many)
    inl = [(0x500000, [(0, 1, 10), (2, 3, 20), (1, 0, 30)]), (0x500010, [])]
    t["inlined-and-dropped"] = table(0x05, 3, names, inl,
                                     [[0, 1], [1], [("raw", 0x999)], [], [0, 0, 1, 0]])
    longn = [b"x" * 1100, b"f" * 300 if False else b"file.go", b"", b"y" * 1024]
    t["long-names"] = table(0x04, 1, longn, [(1, [(0, 1, 1)]), (2, [(3, 2, 2)]),
                                             (3, [(2, 2, 0)])], [[0], [1], [2], [0, 1, 2]])
    t["huge-values"] = table(0x06, 0, names, [(2**64 - 1, [(0, 1, 2**64 - 1)]),
                                              (2**63, [(1, 0, 2**63)])], [[0, 1], [1]])
    for i, p in enumerate(owns):
        base = os.path.splitext(os.path.basename(p))[0]
        t["own-%s-legacy" % base] = own_table(stacktab, p, 0x00)
        t["own-%s-direct" % base] = own_table(stacktab, p, 0x04)
    return t


# ---- v2 writer runs in the fuzz_roundtrip_v2.c layout ----

def v2_table(settings, slack, names, syms, gens):
    """names: [bytes]; syms: [(pc, [(fn_idx, file_idx, line)])] (pc/line: ints, written raw);
    gens: [(stacks, gap)], stacks: [(pcs, extra, extra_bytes)] with pcs [sym_idx or ('raw', pc)]
    and extra_bytes the name/emit selector bytes the extra byte asks for."""
    b = u8(settings) + u16(slack) + u8(len(names))
    for n in names:
        if len(n) >= 255:
            assert 1000 <= len(n) <= 1254
            b += u8(255) + u8(len(n) - 1000) + n
        else:
            b += u8(len(n)) + n
    b += u8(len(syms))
    for pc, frames in syms:
        b += u8(0x80) + u64(pc) + u8(len(frames))
        for fn, file, line in frames:
            b += u8(fn) + u8(file) + u8(0x80) + u64(line)
    for stacks, gap in gens:
        b += u8(len(stacks))
        for pcs, extra, ebytes in stacks:
            b += u8(len(pcs))
            for p in pcs:
                b += u8(0x80) + u64(p[1]) if isinstance(p, tuple) else u8(p)
            b += u8(extra) + bytes(ebytes)
        b += u8(gap)
    return b


def v2_tables():
    t = {}
    bnd = [0, 127, 128, 16383, 16384, 2**21 - 1, 2**21, 2**35, 2**63 - 1, 2**64 - 1]
    names = [b"main.main", b"/src/main.go", b"runtime.goexit", b"/go/src/runtime/asm_amd64.s",
             b"a" * 1023, b"b" * 1024, b"c" * 1000 + b"C" * 25, b"d" * 25 + b"D" * 1000,
             b"", b"x"]
    syms = [(bnd[i % 10] ^ (i << 32) if i >= 10 else bnd[i],
             [((i + k) % 10, (i + 2 * k + 1) % 10, bnd[(i + k) % 10]) for k in range(i % 4)])
            for i in range(32)]
    one = [(0x4a1b2c, [(0, 1, 42)])]
    for v, vn in ((0, "122"), (1, "123"), (2, "125")):
        for o, on in ((0, "id"), (1, "buckets"), (2, "trie")):
            gens = []
            for g in range(3):
                st = []
                for i in range(12):
                    pcs = [(i * 7 + k + g) % 32 for k in range(1 + (i * 5) % 20)]
                    if i == 3:
                        pcs.append(("raw", 0xdead0000 + g))
                    extra = (i % 4) | (4 if i % 3 == 0 else 0) | (8 if i % 5 == 0 else 0) | (i << 4)
                    eb = [(i + k) % 10 | (0x80 if (i + k) % 7 == 0 else 0) for k in range(i % 4)]
                    if extra & 4:
                        eb.append(i % 10)
                    st.append((pcs, extra & 0xff, eb))
                st.append((pcs, 0, []))  # a repeat: same ID
                st.append(([], 0, []))   # the empty stack: ID 0
                gens.append((st, g))
            t["v2-%s-%s-tight" % (vn, on)] = v2_table(v | (o << 2) | (2 << 6), 0, names, syms, gens)
            t["v2-%s-%s-prereg" % (vn, on)] = v2_table(v | (o << 2) | 32 | (1 << 6), 5, names,
                                                       syms, gens[:2])
        t["v2-%s-one-default-cap" % vn] = v2_table(v | 16, 0xffff, names[:2], one, [([([0], 1, [1])], 0)])
        # 128 frames: 64 PCs of 2 frames each, and one of 128 one-frame PCs
        deep = [(0x600000 + 16 * i, [(i % 4, (i + 1) % 4, i)] * (1 + i % 2)) for i in range(32)]
        t["v2-%s-128-frames" % vn] = v2_table(v, 0, names[:4], deep,
                                              [([([1, 3] * 32, 0, []), ([0, 2] * 64, 0, []),
                                                 ([1] * 65, 0, [])], 0)])
        t["v2-%s-long-logs" % vn] = v2_table(v | (1 << 6), 1, names, one,
                                             [([([0], 3 | 4, [4, 5, 6, 7])] * 3, 0)] * 2)
    t["v2-unresolved-only"] = v2_table(0x01, 0, [], [], [([([("raw", 1), ("raw", 2)], 0, [])], 0)])
    # The two open st_verify_buffer findings (fuzz/README.md): the dump's file name equal to
    # the last string put before the dump, and to a log message emitted before it.
    fl = [b"f", b"file.go"]
    t["v2-verify-known-put-last"] = v2_table(0, 0, fl, [(0x1000, [(0, 1, 128)])],
                                             [([([0], 4, [1])], 0)])
    t["v2-verify-known-emit"] = v2_table(0, 0, fl, [(0x1000, [(0, 1, 128)])],
                                         [([([0], 1, [1])], 0)])
    return t


def varints():
    v = {}
    def leb(x, width=None):
        out = []
        while True:
            b = x & 0x7f
            x >>= 7
            out.append(b)
            if not x and (width is None or len(out) >= width):
                break
        for i in range(len(out) - 1):
            out[i] |= 0x80
        return bytes(out)
    v["minimal-boundaries"] = b"".join(leb(x) for x in
                                       [0, 1, 127, 128, 16383, 16384, 2**63 - 1, 2**63, 2**64 - 1])
    v["padded-len9"] = bytes([0x89] + [0x80] * 8 + [0x00])
    v["padded-len300"] = bytes([0xac, 0x82] + [0x80] * 7 + [0x00])
    v["padded-widths"] = b"".join(leb(5, w) for w in range(1, 11))
    v["max-u64"] = bytes([0xff] * 9 + [0x01])
    v["overflow-10th-02"] = bytes([0xff] * 9 + [0x02])
    v["overflow-10th-7f"] = bytes([0x80] * 9 + [0x7f])
    v["overlong-11"] = bytes([0x80] * 10 + [0x00])
    v["short"] = bytes([0x80] * 5)
    # records: selector byte + 8 bytes (see fuzz_varint.c)
    recs = b""
    for sel, x in [(0, 2**64 - 1), (1, 63), (2, 8), (3 | (7 << 2), 2**64 - 1), (2, 9), (1, 0)]:
        recs += u8(sel) + u64(x)
    v["records"] = recs
    return v


def split_wrap(trace, index):
    """A split-harness input: flags (mode, 3 cuts, byte-at-a-time for small ones), cuts, trace."""
    n = len(trace)
    flags = (3 << 1) | (index & 1) | ((1 << 5) if n <= 2048 else 0) | ((index & 2) << 5)
    cuts = [min(17, n), n // 2, max(n - 1, 0)]
    return u8(flags) + b"".join(u16(c) for c in cuts) + trace


def write_dir(d, files):
    os.makedirs(d, exist_ok=True)
    for f in glob.glob(os.path.join(d, "*")):
        os.remove(f)
    for name, data in sorted(files.items()):
        with open(os.path.join(d, name), "wb") as fh:
            fh.write(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--stacktab", required=True, help="the stacktab CLI (for dump --json)")
    ap.add_argument("--out", help="folder to write <harness>/ into (default ROOT/corpus)")
    ap.add_argument("--max-case", type=int, default=4096, help="largest conformance case used")
    a = ap.parse_args()
    out = a.out or os.path.join(a.root, "corpus")
    cases = sorted(glob.glob(os.path.join(a.root, "conformance", "cases", "*.trace")))
    all_owns = sorted(glob.glob(os.path.join(a.root, "corpus", "own", "*.trace")))
    owns = [p for p in all_owns if not is_v2(open(p, "rb").read(HEADER))]
    owns_v2 = [p for p in all_owns if is_v2(open(p, "rb").read(HEADER)) and "-own-small" in p]

    decode = {}
    for c in cases:
        if os.path.getsize(c) <= a.max_case:
            decode["conf-" + os.path.basename(c)] = open(c, "rb").read()
    for p in owns:
        base = os.path.splitext(os.path.basename(p))[0]
        for k, data in own_slices(a.stacktab, p).items():
            decode["own-%s-%s.trace" % (base, k)] = data
    for p in owns_v2:
        base = os.path.splitext(os.path.basename(p))[0]
        for k, data in own_v2_slices(p).items():
            decode["own-%s-%s.trace" % (base, k)] = data
    decode.update(v2_hand())
    split = {("split-" + k): split_wrap(v, i) for i, (k, v) in enumerate(sorted(decode.items()))}
    tabs = tables(a.stacktab, owns)
    write_dir(os.path.join(out, "decode"), decode)
    write_dir(os.path.join(out, "split"), split)
    write_dir(os.path.join(out, "varint"), varints())
    write_dir(os.path.join(out, "roundtrip"), tabs)
    write_dir(os.path.join(out, "differential"), tabs)
    write_dir(os.path.join(out, "roundtrip_v2"), v2_tables())
    for h, n in (("decode", decode), ("split", split), ("varint", varints()),
                 ("roundtrip", tabs), ("differential", tabs), ("roundtrip_v2", v2_tables())):
        print("%s: %d seeds" % (h, len(n)))


if __name__ == "__main__":
    sys.exit(main())
