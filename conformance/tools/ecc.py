#!/usr/bin/python3
"""ecc: the encoder-case compiler. Independent models of the runtime's writers compute the exact
bytes an encoder must write for each encoder case: v1 (headers 1.11-1.21), the legacy and direct
dumps of ../shared/spec/go-trace-v1.md sections 3, 4 and 5; v2 (headers 1.22, 1.23), the writer
of ../shared/spec/go-trace-v2.md sections 5, 6.4, 7 and 8 (class V2Model).

Sources: conformance/enc/e_*.txt, each a `stacktab encode` description (ref/ENCODE_FORMAT.md)
with meta lines in comments, which encoders ignore:
  #! why TEXT                what the case is about
  #! rule TOPIC...           encoder topics it exercises (RULES.md, "Encoder requirements")
  #! expect bytes | error    bytes: the trace below; error: the description cannot be encoded
  #! hex OFFSET HEX...       hand-computed bytes the output must hold at OFFSET
  #! batches OFFSET...       hand-computed offsets of every EvBatch in the output
The v1 model supports the part of the format the cases use: settings header, algorithm, buf-size,
frequency, end-ticks, order id, sym; statements seed, next-string-id, stack, batch, and the
events HeapAlloc and Gomaxprocs. The v2 model: settings header (1.22, 1.23), buf-size,
frequency, end-ticks, order id|buckets|trie, preregister, sym; statements stack, string, batch,
cpusample, generation and the events of V2_EVENTS (no event-batch flush). Its reading of what
ENCODE_FORMAT.md ("v2 traces") leaves to stacktab, checked against stacktab's output:
  - one trace buffer per role (events, strings, stacks, CPU samples; the frequency batch a fresh
    one), each with its own lastTime (spec 8.1 step 1): a batch's time is later than the
    previous batch's of the same buffer;
  - the clock outside a generation's end is the time of the last `batch` or event statement as
    stated (so a strings batch opened by an event's string argument gets the previous event's
    time); at a generation's end it is one past the latest time written (event batch times,
    event times after the +1 rule, CPU sample times, earlier generations' end batches; not the
    times of strings batches opened meanwhile), counting up per batch opened;
  - `+N` counts from the previous event's stated time, not the time it was written at;
  - buckets/trie orders use stacktab's fixed hash (st_stacktab.h: FNV-1a 64 over the PCs, 8
    little-endian bytes each), the runtime's bucket walk / 4-ary trie with that hash.
It shares no code with stacktab.

Writes cases/NAME.in (the description), cases/NAME.trace (expected bytes) and
tools/encoder_entries.json (merged into manifest.json by tcc.py).
usage: ecc.py [--check] [CONFORMANCE_DIR]
"""
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tcc import tokenize, uvarint  # noqa: E402  (the notation's tokenizer and varint writer)

EVENTS = {"HeapAlloc": (33, 1, False), "Gomaxprocs": (4, 2, True)}  # type, args w/o ts, stack last


class Model:
    def __init__(self):
        self.header, self.alg, self.buf, self.freq = "1.19", "legacy", 64488, 15625000
        self.end_ticks = None
        self.syms = {}
        self.strings = {}          # bytes -> id
        self.next_id = None
        self.max_seed = 0
        self.stacks = {}           # tuple(pcs) -> id
        self.labels = {}
        self.out = bytearray()
        self.batch_pos = None      # offset of the open batch
        self.batch_pid = None
        self.last_ts = 0
        self.batch_offsets = []
        self.latest_ticks = 0
        self.prev_batch_ticks = None

    # -- buffers --
    def room(self):
        return self.buf - (len(self.out) - self.batch_pos)

    def open_batch(self, pid, ticks):
        if self.prev_batch_ticks is not None and ticks == self.prev_batch_ticks:
            ticks += 1
        self.prev_batch_ticks = ticks
        self.batch_pos = len(self.out)
        self.batch_pid = pid
        self.batch_offsets.append(len(self.out))
        self.out += bytes([0x41]) + uvarint(pid) + uvarint(ticks)
        self.last_ts = ticks
        self.latest_ticks = max(self.latest_ticks, ticks)
        return ticks

    def string_id(self, s, dump):
        """traceString: 0 for "", the known ID, or a new ID written as EvString (room 21+len)."""
        if not s:
            return 0
        if s in self.strings:
            return self.strings[s]
        if self.next_id is None:
            self.next_id = self.max_seed + 1
        sid = self.next_id
        self.next_id += 1
        self.strings[s] = sid
        if self.room() < 1 + 2 * 10 + len(s):
            if not dump:
                raise SystemExit("model: a string flush outside the dump is not modelled")
            self.dump_ticks = self.open_batch(0, self.dump_ticks + 1)
        self.out += bytes([0x25]) + uvarint(sid) + uvarint(len(s)) + s
        return sid

    def frames(self, pcs):
        fr = []
        for pc in pcs:
            fr += self.syms.get(pc, [])
        return fr or [(0, b"", b"", 0)]

    def dump(self):
        for pcs, sid in sorted(self.stacks.items(), key=lambda kv: kv[1]):
            if sid == 0:
                continue
            fr = self.frames(pcs)
            payload = uvarint(sid) + uvarint(len(fr))
            for pc, fn, file, line in fr:
                f = self.string_id(fn[-1024:], True)
                l = self.string_id(file[-1024:], True)
                payload += uvarint(pc) + uvarint(f) + uvarint(l) + uvarint(line)
            if self.alg == "legacy":
                need = 1 + 10 + len(payload)
                rec = bytes([0xC3]) + uvarint(len(payload)) + payload
            else:
                need = 1 + 10 + (2 + 4 * len(fr)) * 10
                rec = bytes([0xC3]) + uvarint(len(payload), 10) + payload
            if self.room() < need:
                self.dump_ticks = self.open_batch(0, self.dump_ticks + 1)
                if self.room() < need:
                    raise EncodeError("stack %d cannot fit an empty batch" % sid)
            self.out += rec

    def finish(self):
        end = self.end_ticks if self.end_ticks is not None else self.latest_ticks + 1
        freq = bytes([0x02]) + uvarint(self.freq)
        if self.alg == "legacy":
            self.out += freq
            self.dump_ticks = self.open_batch(0, end)
        else:
            self.dump_ticks = self.open_batch(0, end)
            self.out += freq
        self.dump()
        h = ("go %s trace" % self.header).encode()
        return h + b"\0" * (16 - len(h)) + bytes(self.out)


class EncodeError(Exception):
    pass


def num(t):
    return int(t, 0)


V2_HEADERS = ("1.22", "1.23")
M_NONE = (1 << 64) - 1
# v2 timed events the model knows (spec §4.3): type, argument kinds after dt
# (n number, s string put, e string emitted, k stack).
V2_EVENTS = {"ProcStatus": (13, "nn"), "GoStart": (16, "nn"), "GoStop": (19, "sk"), "GoBlock": (20, "sk"),
             "GoStatus": (25, "nnn"), "HeapAlloc": (37, "n"), "UserTaskBegin": (40, "nnsk"),
             "UserLog": (44, "nsek")}
# traceRegisterLabelsAndReasons (spec §5.3); the 20th only from Go 1.23.
V2_PREREG = ["Not worker", "GC (dedicated)", "GC (fractional)", "GC (idle)", "unspecified", "forever",
             "network", "select", "sync.(*Cond).Wait", "sync", "chan send", "chan receive",
             "GC mark assist wait for work", "GC background sweeper wait", "system goroutine wait",
             "preempted", "wait for debug call", "wait until GC ends", "sleep", "GC weak to strong wait",
             "unspecified", "runtime.Gosched", "preempted"]


def fnv1a_pcs(pcs):
    """stacktab's fixed stack hash (st_stacktab.h): FNV-1a 64 over the PCs, 8 LE bytes each."""
    h = 14695981039346656037
    for pc in pcs:
        for k in range(8):
            h ^= (pc >> (8 * k)) & 0xFF
            h = (h * 1099511628211) & ((1 << 64) - 1)
    return h


class Buf:
    """One trace buffer (spec §7, §8.1): the writer keeps one per role (events, strings,
    stacks, CPU samples); lastTime is per buffer, so a batch's time is later than the previous
    batch's of the same buffer."""

    def __init__(self, model, m):
        self.model, self.m = model, m
        self.data = None           # the open batch, header included
        self.last_time = None

    def open(self):
        t = self.model.clock()
        if self.last_time is not None and t <= self.last_time:
            t = self.last_time + 1
        self.last_time = t
        g = self.model.gen
        self.data = bytearray(b"\x01" + uvarint(g) + uvarint(self.m) + uvarint(t) + b"\0" * 10)
        self.size_at = len(self.data) - 10
        return t

    def close(self):
        if self.data is None:
            return
        size = len(self.data) - (self.size_at + 10)
        self.data[self.size_at:self.size_at + 10] = uvarint(size, 10)
        self.model.emit_batch(bytes(self.data))
        self.data = None

    def ensure(self, n):
        """True when a batch was opened (no batch, or fewer than n bytes left)."""
        if self.data is not None and self.model.buf - len(self.data) >= n:
            return False
        self.close()
        self.open()
        if self.model.buf - len(self.data) < n:
            raise EncodeError("a record of %d bytes cannot fit an empty %d-byte batch" % (n, self.model.buf))
        return True


class V2Model:
    """The v2 writer of spec §8 as `stacktab encode` drives it (ENCODE_FORMAT.md, v2 traces)."""

    def __init__(self):
        self.header, self.buf, self.freq, self.end_ticks = "1.23", 65504, 15625000, None
        self.order, self.prereg = "id", False
        self.syms = {}
        self.gen = 1
        self.out = bytearray()
        self.batch_offsets = []
        self.now = 0               # the clock outside a generation's end: the last statement's time
        self.footer = None         # the clock at a generation's end: counts up per batch
        self.max_ticks = 0
        self.ev = Buf(self, 0)
        self.sb = Buf(self, M_NONE)
        self.kb = Buf(self, M_NONE)
        self.cb = Buf(self, M_NONE)
        self.last_ts = self.stated_ts = 0
        self.labels = {}           # label -> PCs
        self.new_tables()

    def new_tables(self):
        self.strings = {}          # content -> id (put)
        self.seq = 0
        self.stacks = {}           # PCs -> id, first-put order
        self.cpu = []

    def clock(self):
        if self.footer is None:
            return self.now
        t = self.footer
        self.footer += 1
        return t

    def emit_batch(self, data):
        self.batch_offsets.append(16 + len(self.out))
        self.out += data

    # -- string section (§5.4, §8.2) --
    def write_string(self, sid, s):
        s = s[:1024]
        if self.sb.ensure(22 + len(s)):
            self.sb.data += b"\x04"
        self.sb.data += b"\x05" + uvarint(sid) + uvarint(len(s)) + s

    def put(self, s):
        if not s:
            return 0
        if s not in self.strings:
            self.seq += 1
            self.strings[s] = self.seq
            self.write_string(self.seq, s)
        return self.strings[s]

    def emit(self, s):
        self.seq += 1
        self.write_string(self.seq, s)
        return self.seq

    def stack_put(self, pcs):
        if not pcs:
            return 0
        return self.stacks.setdefault(pcs, len(self.stacks) + 1)

    def start_generation(self):
        if self.prereg:
            for i, s in enumerate(V2_PREREG):
                if i == 19 and self.header == "1.22":
                    continue
                self.put(s.encode())

    # -- stack section (§6.4, §8.3) --
    def dump_order(self):
        ents = sorted(self.stacks.items(), key=lambda kv: kv[1])
        if self.order == "id":
            return ents
        if self.order == "buckets":   # Go 1.22: buckets 0..8191, newest first in each
            return sorted(ents, key=lambda kv: (fnv1a_pcs(kv[0]) % 8192, -kv[1]))
        # Go 1.23: 4-ary trie, inserted in ID order by two hash bits per level, pre-order walk
        kids = {}
        for pcs, sid in ents[1:]:
            node, h = ents[0][1], fnv1a_pcs(pcs)
            while True:
                slot = (node, h >> 62)
                h = (h << 2) & ((1 << 64) - 1)
                if slot not in kids:
                    kids[slot] = sid
                    break
                node = kids[slot]
        by_id = {sid: pcs for pcs, sid in ents}
        order, todo = [], [ents[0][1]] if ents else []
        while todo:
            n = todo.pop()
            order.append((by_id[n], n))
            todo += [kids[(n, c)] for c in (3, 2, 1, 0) if (n, c) in kids]
        return order

    def dump(self):
        for pcs, sid in self.dump_order():
            frames = []
            for pc in pcs:
                for fpc, fn, fl, line in self.syms.get(pc, []):
                    frames.append((fpc, self.put(fn[-1024:]), self.put(fl[-1024:]), line))
            if not frames:
                frames = [(0, 0, 0, 0)]
            if len(frames) > 128:
                raise EncodeError("stack %d has %d frames, more than 128" % (sid, len(frames)))
            if self.kb.ensure(22 + 40 * len(frames)):
                self.kb.data += b"\x02"
            rec = b"\x03" + uvarint(sid) + uvarint(len(frames))
            for f in frames:
                rec += b"".join(uvarint(x) for x in f)
            self.kb.data += rec

    def end_generation(self):
        end = self.end_ticks if self.end_ticks is not None and self.end_ticks > self.max_ticks else self.max_ticks + 1
        self.footer = end
        freq = Buf(self, M_NONE)     # traceFrequency: a buffer of its own, flushed at once
        freq.open()
        freq.data += b"\x08" + uvarint(self.freq)
        freq.close()
        self.ev.close()
        for rec in self.cpu:
            if self.cb.ensure(52):
                self.cb.data += b"\x06"
            self.cb.data += b"\x07" + b"".join(uvarint(x) for x in rec)
        self.cb.close()
        self.dump()
        self.kb.close()
        self.sb.close()
        self.max_ticks = max(self.max_ticks, self.footer - 1)
        self.footer = None
        self.new_tables()

    def arg(self, kind, tok):
        typ, val = tok
        if kind == "n":
            return num(val)
        if kind == "k":
            return self.stack_put(self.labels[val]) if typ == "word" and val in self.labels else num(val)
        if typ != "str":
            return num(val)
        return self.put(val) if kind == "s" else self.emit(val)

    def event(self, name, toks):
        typ, kinds = V2_EVENTS[name]
        if self.ev.data is None:
            raise SystemExit("model: an event outside a batch")
        ts_tok = toks[0][1]
        args = [self.arg(k, t) for k, t in zip(kinds, toks[1:])]
        if len(args) != len(kinds) or len(toks) != len(kinds) + 1:
            raise SystemExit("model: %s takes %d arguments" % (name, len(kinds)))
        # `+N` counts from the previous event's time as stated (the batch's time after `batch`),
        # not from the time it was written at (ENCODE_FORMAT.md: "+N after the previous event")
        ts = self.stated_ts + num(ts_tok[1:]) if ts_tok.startswith("+") else num(ts_tok)
        self.now = self.stated_ts = ts
        if self.buf - len(self.ev.data) < 1 + 10 * (len(args) + 1):
            raise SystemExit("model: an event flush is not modelled")
        if ts <= self.last_ts:
            ts = self.last_ts + 1
        dt = ts - self.last_ts
        self.last_ts = ts
        self.max_ticks = max(self.max_ticks, ts)
        self.ev.data += bytes([typ]) + uvarint(dt) + b"".join(uvarint(a) for a in args)

    def statement(self, toks, w):
        k = w[0]
        if k == "stack":
            pcs = tuple(num(x) for x in w[2:])
            self.labels[w[1]] = pcs
            self.stack_put(pcs)
        elif k == "string":
            self.put(toks[1][1])
        elif k == "batch":
            self.now = num(w[2])
            self.ev.close()
            self.ev.m = num(w[1])
            self.last_ts = self.stated_ts = self.ev.open()
            self.max_ticks = max(self.max_ticks, self.last_ts)
        elif k == "cpusample":
            vals = [num(x) for x in w[1:5]] + [self.arg("k", toks[5])]
            self.cpu.append(vals)
            self.max_ticks = max(self.max_ticks, vals[0])
        elif k == "generation":
            self.end_generation()
            self.gen += 1
            self.start_generation()
        elif k in V2_EVENTS:
            self.event(k, toks[1:])
        else:
            raise SystemExit("model: v2 statement %r is not modelled" % k)

    def finish(self):
        self.end_generation()
        h = ("go %s trace" % self.header).encode()
        return h + b"\0" * (16 - len(h)) + bytes(self.out)


def run_v2_model(text):
    m = V2Model()
    stmts = []
    for line in text.splitlines():
        toks = tokenize(line)
        if not toks:
            continue
        w = [t if isinstance(t, str) else t.decode("latin-1") for _, t in toks]
        k = w[0]
        if k == "header":
            m.header = w[1]
        elif k == "buf-size":
            m.buf = num(w[1])
        elif k == "frequency":
            m.freq = num(w[1])
        elif k == "end-ticks":
            m.end_ticks = num(w[1])
        elif k == "order":
            m.order = w[1]
        elif k == "preregister":
            m.prereg = w[1] == "on"
        elif k == "sym":
            pc = num(w[1])
            fpc = num(w[5][3:]) if len(w) > 5 and w[5].startswith("pc=") else pc
            name = [t[1] if t[0] == "str" else t[1].encode() for t in toks[2:4]]
            m.syms.setdefault(pc, []).append((fpc, name[0], name[1], num(w[4])))
        else:
            stmts.append((toks, w))
    m.start_generation()
    for toks, w in stmts:
        m.statement(toks, w)
    return m.finish(), m.batch_offsets


def run_model(text):
    for line in text.splitlines():
        toks = tokenize(line)
        if toks and toks[0][1] == "header" and toks[1][1] in V2_HEADERS:
            return run_v2_model(text)
    m = Model()
    stmts = []
    for line in text.splitlines():
        toks = tokenize(line)
        if not toks:
            continue
        w = [t for _, t in toks]
        k = w[0]
        if k == "header":
            m.header = w[1]
        elif k == "algorithm":
            m.alg = w[1]
        elif k == "buf-size":
            m.buf = num(w[1])
        elif k == "frequency":
            m.freq = num(w[1])
        elif k == "end-ticks":
            m.end_ticks = num(w[1])
        elif k == "order":
            if w[1] != "id":
                raise SystemExit("model: only `order id`")
        elif k == "sym":
            pc = num(w[1])
            fpc = num(w[5][3:]) if len(w) > 5 and w[5].startswith("pc=") else pc
            m.syms.setdefault(pc, []).append((fpc, toks[2][1] if toks[2][0] == "str" else w[2].encode(),
                                              toks[3][1] if toks[3][0] == "str" else w[3].encode(), num(w[4])))
        else:
            stmts.append((toks, w))
    for toks, w in stmts:
        k = w[0]
        if k == "seed":
            s = toks[2][1] if toks[2][0] == "str" else w[2].encode()
            m.strings[s] = num(w[1])
            m.max_seed = max(m.max_seed, num(w[1]))
        elif k == "next-string-id":
            m.next_id = num(w[1])
        elif k == "stack":
            pcs = tuple(num(x) for x in w[2:])
            if not pcs:
                m.labels[w[1]] = 0
            else:
                m.labels[w[1]] = m.stacks.setdefault(pcs, len(m.stacks) + 1)
        elif k == "batch":
            m.open_batch(num(w[1]), num(w[2]))
        elif k in EVENTS:
            typ, nargs, _ = EVENTS[k]
            ts = m.last_ts + num(w[1][1:]) if w[1].startswith("+") else num(w[1])
            args = [m.labels[a] if a in m.labels else num(a) for a in w[2:]]
            if len(args) != nargs:
                raise SystemExit("model: %s takes %d arguments" % (k, nargs))
            if m.room() < 52:
                raise SystemExit("model: an event flush is not modelled")
            delta = max(ts - m.last_ts, 0)
            m.last_ts = max(ts, m.last_ts)
            m.latest_ticks = max(m.latest_ticks, ts)
            body = uvarint(delta) + b"".join(uvarint(a) for a in args)
            if nargs >= 3:
                m.out += bytes([typ | 0xC0, len(body)]) + body
            else:
                m.out += bytes([typ | nargs << 6]) + body
        else:
            raise SystemExit("model: statement %r is not modelled" % k)
    data = m.finish()
    return data, [o + 16 for o in m.batch_offsets]


def compile_case(path):
    name = os.path.basename(path)[:-4]
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8")
    meta = dict(why=[], rule=[], expect="bytes", hex=[], batches=None)
    for line in text.splitlines():
        if line.startswith("#!"):
            k, _, v = line[2:].strip().partition(" ")
            if k == "why":
                meta["why"].append(v)
            elif k == "rule":
                meta["rule"] += v.split()
            elif k == "expect":
                meta["expect"] = v.strip()
            elif k == "hex":
                off, _, hx = v.partition(" ")
                meta["hex"].append((int(off), bytes.fromhex(hx.replace(" ", ""))))
            elif k == "batches":
                meta["batches"] = [int(x) for x in v.split()]
    try:
        data, batches = run_model(text)
        if meta["expect"] == "error":
            raise SystemExit("%s: the model encodes it, the case says error" % path)
    except EncodeError as e:
        if meta["expect"] != "error":
            raise SystemExit("%s: %s" % (path, e))
        data, batches = b"", None
    for off, hx in meta["hex"]:
        if data[off:off + len(hx)] != hx:
            raise SystemExit("%s: model wrote %s at %d, the case text says %s" % (
                path, data[off:off + len(hx)].hex(" "), off, hx.hex(" ")))
    if meta["batches"] is not None and meta["batches"] != batches:
        raise SystemExit("%s: model's batches at %s, the case text says %s" % (path, batches, meta["batches"]))
    if meta["expect"] == "bytes" and meta["batches"] is None:
        raise SystemExit("%s: state the batch offsets (#! batches) by hand" % path)
    entry = dict(name=name, kind="encoder", input="cases/%s.in" % name, expect=meta["expect"],
                 rules=meta["rule"], source="enc/%s.txt" % name, description=" ".join(meta["why"]),
                 size=len(data), sha256=hashlib.sha256(data).hexdigest())
    if any(l.split()[:2] in (["header", "1.22"], ["header", "1.23"]) for l in text.splitlines()):
        entry["format"] = 2
    if meta["expect"] == "bytes":
        entry["file"] = "cases/%s.trace" % name
        entry["batches"] = batches
    return entry, raw, data


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    root = args[0] if args else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    entries, files = [], {}
    for fn in sorted(os.listdir(os.path.join(root, "enc"))):
        if not (fn.startswith("e_") and fn.endswith(".txt")):
            continue
        e, raw, data = compile_case(os.path.join(root, "enc", fn))
        entries.append(e)
        files[e["input"]] = raw
        if "file" in e:
            files[e["file"]] = data
    files["tools/encoder_entries.json"] = (json.dumps(entries, indent=1) + "\n").encode()
    bad = 0
    for rel, data in files.items():
        p = os.path.join(root, rel)
        old = open(p, "rb").read() if os.path.exists(p) else None
        if old != data:
            if check:
                print("stale: %s" % rel)
                bad += 1
            else:
                with open(p, "wb") as f:
                    f.write(data)
    print("%d encoder cases" % len(entries))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
