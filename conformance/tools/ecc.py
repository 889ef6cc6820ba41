#!/usr/bin/python3
"""ecc: the encoder-case compiler. An independent model of the runtime's dump (spec sections
3, 4 and 5) computes the exact bytes an encoder must write for each encoder case.

Sources: conformance/enc/e_*.txt, each a `stacktab encode` description (ref/ENCODE_FORMAT.md)
with meta lines in comments, which encoders ignore:
  #! why TEXT                what the case is about
  #! rule TOPIC...           encoder topics it exercises (RULES.md, "Encoder requirements")
  #! expect bytes | error    bytes: the trace below; error: the description cannot be encoded
  #! hex OFFSET HEX...       hand-computed bytes the output must hold at OFFSET
  #! batches OFFSET...       hand-computed offsets of every EvBatch in the output
The model supports the part of the format the cases use: settings header, algorithm, buf-size,
frequency, end-ticks, order id, sym; statements seed, next-string-id, stack, batch, and the
events HeapAlloc and Gomaxprocs. It shares no code with stacktab.

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


def run_model(text):
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
