#!/usr/bin/python3
"""tcc: the trace-case compiler of the conformance suite.

Reads the case sources (conformance/src/*.tcase, a byte-level notation described in
conformance/README.md, "Case notation"), and writes for every case:
  cases/NAME.trace   the trace bytes
  cases/NAME.jsonl   the expected decoded form (accept cases only): one JSON object per
                     event, computed here from what the case text states (values, strings,
                     frames), never from the output of a decoder
and conformance/manifest.json listing every case.

The compiler is deliberately independent of stacktab: it has its own varint writer, its own
event table (names and argument counts from the format spec, section 2.4) and resolves strings
itself. So an expected output that agrees with stacktab's is evidence, not an echo.

usage: tcc.py [--check] [CONFORMANCE_DIR]
  --check   compile in memory and fail (exit 1) if a committed file differs or is missing
"""
import hashlib
import json
import os
import re
import sys

# Event table (Go 1.19 parser's EventDescriptions as given by the spec, section 2.4):
# name -> (type number, varints expected with the timestamp delta, first Go version, has stack)
EVENTS = {
    "Batch": (1, 2, 1005, False), "Frequency": (2, 1, 1005, False), "Stack": (3, None, 1005, False),
    "Gomaxprocs": (4, 3, 1005, True), "ProcStart": (5, 2, 1005, False),
    "ProcStop": (6, 1, 1005, False), "GCStart": (7, 3, 1005, True), "GCDone": (8, 1, 1005, False),
    "GCSTWStart": (9, 2, 1005, False), "GCSTWDone": (10, 1, 1005, False),
    "GCSweepStart": (11, 2, 1005, True), "GCSweepDone": (12, 3, 1005, False),
    "GoCreate": (13, 4, 1005, True), "GoStart": (14, 3, 1005, False), "GoEnd": (15, 1, 1005, False),
    "GoStop": (16, 2, 1005, True), "GoSched": (17, 2, 1005, True), "GoPreempt": (18, 2, 1005, True),
    "GoSleep": (19, 2, 1005, True), "GoBlock": (20, 2, 1005, True), "GoUnblock": (21, 4, 1005, True),
    "GoBlockSend": (22, 2, 1005, True), "GoBlockRecv": (23, 2, 1005, True),
    "GoBlockSelect": (24, 2, 1005, True), "GoBlockSync": (25, 2, 1005, True),
    "GoBlockCond": (26, 2, 1005, True), "GoBlockNet": (27, 2, 1005, True),
    "GoSysCall": (28, 2, 1005, True), "GoSysExit": (29, 4, 1005, False),
    "GoSysBlock": (30, 1, 1005, False), "GoWaiting": (31, 2, 1005, False),
    "GoInSyscall": (32, 2, 1005, False), "HeapAlloc": (33, 2, 1005, False),
    "HeapGoal": (34, 2, 1005, False), "TimerGoroutine": (35, 1, 1005, False),
    "FutileWakeup": (36, 1, 1005, False), "String": (37, None, 1007, False),
    "GoStartLocal": (38, 2, 1007, False), "GoUnblockLocal": (39, 3, 1007, True),
    "GoSysExitLocal": (40, 3, 1007, False), "GoStartLabel": (41, 4, 1008, False),
    "GoBlockGC": (42, 2, 1008, True), "GCMarkAssistStart": (43, 2, 1009, True),
    "GCMarkAssistDone": (44, 1, 1009, False), "UserTaskCreate": (45, 5, 1011, True),
    "UserTaskEnd": (46, 3, 1011, True), "UserRegion": (47, 5, 1011, True),
    "UserLog": (48, 4, 1011, True), "CPUSample": (49, 5, 1019, True),
}
# Go 1.21 renames 9 and 10 (spec section 8).
NAMES_1_21 = {"GCSTWStart": "STWStart", "GCSTWDone": "STWDone"}
MASK64 = (1 << 64) - 1

# v2 (Go 1.22+) timed events, from the format spec's event table (go-trace-v2.md, section 4.3):
# name -> (type byte, varints including dt). Written here independently of ref/lib/events2.c.
EVENTS2 = {
    "ProcsChange": (9, 3), "ProcStart": (10, 3), "ProcStop": (11, 1), "ProcSteal": (12, 4),
    "ProcStatus": (13, 3), "GoCreate": (14, 4), "GoCreateSyscall": (15, 2), "GoStart": (16, 3),
    "GoDestroy": (17, 1), "GoDestroySyscall": (18, 1), "GoStop": (19, 3), "GoBlock": (20, 3),
    "GoUnblock": (21, 4), "GoSyscallBegin": (22, 3), "GoSyscallEnd": (23, 1),
    "GoSyscallEndBlocked": (24, 1), "GoStatus": (25, 4), "STWBegin": (26, 3), "STWEnd": (27, 1),
    "GCActive": (28, 2), "GCBegin": (29, 3), "GCEnd": (30, 2), "GCSweepActive": (31, 2),
    "GCSweepBegin": (32, 2), "GCSweepEnd": (33, 3), "GCMarkAssistActive": (34, 2),
    "GCMarkAssistBegin": (35, 2), "GCMarkAssistEnd": (36, 1), "HeapAlloc": (37, 2),
    "HeapGoal": (38, 2), "GoLabel": (39, 2), "UserTaskBegin": (40, 5), "UserTaskEnd": (41, 3),
    "UserRegionBegin": (42, 4), "UserRegionEnd": (43, 4), "UserLog": (44, 5),
    "GoSwitch": (45, 3), "GoSwitchDestroy": (46, 3), "GoCreateBlocked": (47, 4),
    "GoStatusStack": (48, 5),
    # experiment 1 (AllocFree), Go 1.23
    "Span": (128, 4), "SpanAlloc": (129, 4), "SpanFree": (130, 2), "HeapObject": (131, 3),
    "HeapObjectAlloc": (132, 3), "HeapObjectFree": (133, 2), "GoroutineStack": (134, 3),
    "GoroutineStackAlloc": (135, 3), "GoroutineStackFree": (136, 2),
}
V2_VERSIONS = ("1.22", "1.23", "1.25")
# One-byte v2 records without arguments: directive -> (byte, name).
MARKERS2 = {"strings": (0x04, "Strings"), "stacks": (0x02, "Stacks"),
            "cpusamples": (0x06, "CPUSamples"), "sync": (0x32, "Sync")}


class CaseError(Exception):
    pass


def uvarint(v, width=None):
    """Unsigned LEB128 of v; with width, padded to exactly that many bytes (0x80 groups)."""
    if v < 0 or v > MASK64:
        raise CaseError("varint value %d out of range" % v)
    out = []
    while True:
        b = v & 0x7F
        v >>= 7
        if v == 0:
            out.append(b)
            break
        out.append(b | 0x80)
    if width is not None:
        if width < len(out) or width > 10:
            raise CaseError("value needs %d bytes, cannot be written in %d" % (len(out), width))
        while len(out) < width:
            out[-1] |= 0x80
            out.append(0)
    return bytes(out)


def json_str(b):
    """The string a JSON reader gets from the canonical form of byte string b: valid UTF-8
    sequences are characters, every other byte is the character U+00XX."""
    out = []
    i = 0
    while i < len(b):
        for n in (1, 2, 3, 4):
            try:
                out.append(b[i:i + n].decode("utf-8"))
                i += n
                break
            except UnicodeDecodeError:
                continue
        else:
            out.append(chr(b[i]))
            i += 1
    return "".join(out)


TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")|([^\s"#]+)|(#.*))')


def tokenize(line):
    toks = []
    pos = 0
    while pos < len(line):
        m = TOKEN.match(line, pos)
        if not m or m.end() == pos:
            if line[pos:].strip() == "":
                break
            raise CaseError("cannot read %r" % line[pos:])
        pos = m.end()
        if m.group(3):
            break
        if m.group(1):
            toks.append(("str", unquote(m.group(1))))
        elif m.group(2):
            toks.append(("word", m.group(2)))
    return toks


def unquote(s):
    """A quoted string: JSON-like escapes plus \\xNN for any byte. Returns bytes."""
    out = bytearray()
    s = s[1:-1]
    i = 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        e = s[i + 1]
        if e == "x":
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
        elif e in 'ntr0"\\':
            out += {"n": b"\n", "t": b"\t", "r": b"\r", "0": b"\0", '"': b'"', "\\": b"\\"}[e]
            i += 2
        else:
            raise CaseError("unknown escape \\%s" % e)
    return bytes(out)


def num(tok):
    """A number token: decimal, 0x hex, or 2^N[-K]; with an optional :wN width suffix."""
    width = None
    m = re.fullmatch(r"(.+?):w(\d+)", tok)
    if m:
        tok, width = m.group(1), int(m.group(2))
    m = re.fullmatch(r"2\^(\d+)(?:([-+])(\d+))?", tok)
    if m:
        v = 1 << int(m.group(1))
        if m.group(2):
            v = v - int(m.group(3)) if m.group(2) == "-" else v + int(m.group(3))
    else:
        try:
            v = int(tok, 0)
        except ValueError:
            raise CaseError("not a number: %r" % tok)
    return v, width


def split_opts(toks):
    """Separates key=value words from positional tokens."""
    pos, opts = [], {}
    for kind, t in toks:
        if kind == "word" and re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*=.*", t):
            k, v = t.split("=", 1)
            opts[k] = v
        else:
            pos.append((kind, t))
    return pos, opts


class Case:
    def __init__(self, name, src):
        self.name, self.src = name, src
        self.out = bytearray()
        self.events = []        # expected events: (start, end, dict)
        self.strings = {}       # id -> bytes, defined so far
        self.version = None
        self.expect = None      # ("accept",) / ("reject", rule, off) / ("either", rule, off)
        self.rules = []
        self.warnings = []
        self.options = []
        self.why = []
        self.labels = {}
        self.batch_start = None
        self.exact = True       # False once raw bytes or a cut make the decoded form unknown
        self.gen = 0            # v2: the generation of the open batch
        self.format = 1         # 2: a v2 (Go 1.22+) case: batches with sizes, generations
        self.batch2 = None      # the open v2 batch: dict(start, size_pos, width, forced, ev, exp)
        self.gen_strings = {}   # v2: generation -> {id: bytes} (names resolve per generation)
        self.stacks2 = []       # v2: (generation, Stack event, [(fn_id, file_id)...])

    def emit(self, data, ev=None):
        start = len(self.out)
        self.out += data
        if ev is not None:
            ev = dict(off=start, **ev)
            self.events.append((start, len(self.out), ev))

    def offset(self, tok):
        if tok in self.labels:
            return self.labels[tok]
        if tok.startswith("@"):
            if tok[1:] not in self.labels:
                raise CaseError("unknown label %s" % tok)
            return self.labels[tok[1:]]
        return num(tok)[0]


def ev_name(name, version):
    return NAMES_1_21.get(name, name) if version and version >= 1021 else name


def directive(c, word, toks, lineno):
    pos, opts = split_opts(toks)
    words = [t for _, t in pos]

    def vals(items):
        return [num(t) for t in items]

    if word == "header":
        if pos and pos[0][0] == "str":
            h = pos[0][1]
        else:
            h = ("go %s trace" % words[0]).encode()
            m = re.fullmatch(r"1\.(\d+)", words[0])
            if m and c.version is None:
                c.version = 1000 + int(m.group(1))
            if words[0] in V2_VERSIONS:
                c.format = 2
        if len(h) > 16:
            raise CaseError("header longer than 16 bytes")
        close_batch2(c)
        c.emit(h + b"\0" * (16 - len(h)))
        c.batch_start = None
    elif word == "format":
        c.format = int(words[0])
        if c.format not in (1, 2):
            raise CaseError("format 1 or format 2")
    elif c.format == 2 and word in V2_DIRECTIVES:
        directive2(c, word, pos, opts, words)
    elif word == "batch":
        (p, pw), (t, tw) = vals(words[:2])
        c.batch_start = len(c.out)
        c.emit(bytes([0x41]) + uvarint(p, pw) + uvarint(t, tw), dict(type="Batch", args=[p, t]))
    elif word == "freq":
        (f, fw), = vals(words[:1])
        c.emit(bytes([0x02]) + uvarint(f, fw), dict(type="Frequency", args=[f]))
    elif word == "string":
        sid, sw = num(words[0])
        if "len" in opts and len(pos) < 2:
            s = (opts.get("fill", "a").encode() * int(opts["len"]))[:int(opts["len"])]
        else:
            s = pos[1][1]
        declared = num(opts["L"])[0] if "L" in opts else len(s)
        lw = int(opts["lenw"]) if "lenw" in opts else None
        data = bytes([0x25]) + uvarint(sid, sw) + uvarint(declared, lw) + s
        ok = declared == len(s) and sid != 0 and sid not in c.strings and len(s) > 0
        c.emit(data, dict(type="String", id=sid, str=json_str(s)) if declared == len(s) else None)
        if declared != len(s):
            c.exact = False
        if ok:
            c.strings[sid] = s
    elif word == "stack":
        sid, sw = num(words[0])
        frames = []
        cur = None
        for kind, t in pos[1:]:
            if t.startswith("["):
                cur = []
                t = t[1:]
            end = t.endswith("]")
            if end:
                t = t[:-1]
            if t:
                cur.append(num(t))
            if end:
                if len(cur) != 4:
                    raise CaseError("a frame is [pc fn file line]")
                frames.append(cur)
                cur = None
        frames = frames * int(opts.get("repeat", "1"))
        n, nw = num(opts["n"]) if "n" in opts else (len(frames), None)
        payload = uvarint(sid, sw) + uvarint(n, nw)
        for f in frames:
            payload += b"".join(uvarint(v, w) for v, w in f)
        payload += bytes.fromhex(opts.get("extra", ""))
        if "field" in opts:  # inline form: no length
            data = bytes([0x03 | int(opts["field"]) << 6]) + payload
        else:
            L = num(opts["L"])[0] if "L" in opts else len(payload)
            lw = int(opts["lenw"]) if "lenw" in opts else None
            data = bytes([0xC3]) + uvarint(L, lw) + payload
            if L != len(payload):
                c.exact = False
        ev = dict(type="Stack", id=sid, frames=[
            dict(pc=f[0][0], fn=json_str(c.strings.get(f[1][0], b"")),
                 file=json_str(c.strings.get(f[2][0], b"")), line=f[3][0]) for f in frames])
        c.emit(data, ev)
    elif word in ("event", "userlog"):
        name = "UserLog" if word == "userlog" else words[0]
        if name not in EVENTS:
            raise CaseError("unknown event name %s" % name)
        typ = EVENTS[name][0]
        args = pos[(0 if word == "userlog" else 1):]
        msg = None
        if word == "userlog":
            if "msglen" in opts:
                msg = (opts.get("fill", "m").encode() * int(opts["msglen"]))[:int(opts["msglen"])]
            else:
                msg = args[-1][1]
                args = args[:-1]
        av = [num(t) for _, t in args]
        field = int(opts["field"]) if "field" in opts else min(len(av) - 1, 3) if av else 0
        if "type" in opts:
            typ = int(opts["type"], 0)
        body = b"".join(uvarint(v, w) for v, w in av)
        if field == 3:
            L = num(opts["L"])[0] if "L" in opts else len(body)
            if L != len(body):
                c.exact = False
            data = bytes([typ | 0xC0]) + uvarint(L, int(opts["lenw"]) if "lenw" in opts else None) + body
        else:
            data = bytes([typ | field << 6]) + body
        ev = dict(type=ev_name(name, c.version), args=[v for v, _ in av])
        if msg is not None:
            mlen = num(opts["msgL"])[0] if "msgL" in opts else len(msg)
            data += uvarint(mlen) + msg
            ev["str"] = json_str(msg)
        c.emit(data, ev)
    elif word in ("bytes", "raw"):
        if not (c.batch2 and c.batch2["exp"]):
            c.exact = False
        c.emit(bytes.fromhex("".join(words)))
    elif word == "cut":
        close_batch2(c)
        k = num(words[0])[0]
        c.exact = False
        del c.out[len(c.out) - k:]
    elif word == "label":
        c.labels[words[0]] = len(c.out)
    elif word == "fill-batch":
        # One EvString (ID given) sized so that the current batch is exactly N bytes long.
        target, sid = num(words[0])[0], num(opts["id"])[0]
        if c.batch_start is None:
            raise CaseError("fill-batch outside a batch")
        room = target - (len(c.out) - c.batch_start)
        fixed = 1 + len(uvarint(sid))
        for ln in range(max(room - fixed - 10, 1), room):
            if fixed + len(uvarint(ln)) + ln == room:
                break
        else:
            raise CaseError("fill-batch: no string length fills %d bytes" % room)
        s = (opts.get("fill", "f").encode() * ln)[:ln]
        c.emit(bytes([0x25]) + uvarint(sid) + uvarint(ln) + s, dict(type="String", id=sid, str=json_str(s)))
        c.strings[sid] = s
    elif word == "assert-offset":
        want = num(words[0])[0]
        if len(c.out) != want:
            raise CaseError("assert-offset: at %d, the case text says %d" % (len(c.out), want))
    elif word == "assert-bytes":
        # The hex the case text states for the bytes written so far since the given label.
        lab = words[0]
        want = bytes.fromhex("".join(words[1:]))
        got = bytes(c.out[c.offset(lab):])
        if got != want:
            raise CaseError("assert-bytes %s: compiled %s, the case text says %s" % (lab, got.hex(" "), want.hex(" ")))
    else:
        raise CaseError("unknown directive %r" % word)


V2_DIRECTIVES = {"batch", "exp-batch", "end", "strings", "stacks", "cpusamples", "sync", "string",
                 "stack", "cpusample", "freq", "clock", "event", "fill-payload", "fill-batch"}


def close_batch2(c):
    """Ends the open v2 batch: its size field gets the payload length (or the forced value)."""
    b = c.batch2
    if b is None:
        return
    c.batch2 = None
    if b["exp"]:
        b["ev"]["data"] = json_str(bytes(c.out[b["data_from"]:]))
    payload = len(c.out) - (b["size_pos"] + b["width"])
    size = payload if b["forced"] is None else b["forced"]
    if size != payload:
        c.exact = False
    field = uvarint(size, b["width"])   # raises if the value needs more bytes
    c.out[b["size_pos"]:b["size_pos"] + b["width"]] = field
    b["ev"]["args"][-1] = size


def open_batch2(c, words, opts, exp):
    close_batch2(c)
    start = len(c.out)
    args = []
    if exp:
        e, _ = num(words[0])
        head = bytes([0x31, e])
        args.append(e)
        words = words[1:]
    else:
        head = b"\x01"
    (g, gw), (m, mw), (t, tw) = [num(w) for w in words[:3]]
    head += uvarint(g, gw) + uvarint(m, mw) + uvarint(t, tw)
    args += [g, m, t, 0]
    forced, forced_w = num(opts["size"]) if "size" in opts else (None, None)
    width = int(opts["sizew"]) if "sizew" in opts else forced_w or 10
    c.gen = g
    c.gen_strings.setdefault(g, {})
    c.emit(head + b"\0" * width, dict(gen=g, type="ExperimentalBatch" if exp else "EventBatch", args=args))
    c.batch2 = dict(start=start, size_pos=start + len(head), width=width, forced=forced,
                    ev=c.events[-1][2], exp=exp, data_from=len(c.out))
    c.batch_start = start


def directive2(c, word, pos, opts, words):
    """The v2 directives (README.md, "v2 cases")."""
    def ev2(d):
        return dict(gen=c.gen, **d)

    def varints(items):
        av = [num(t) for t in items]
        return b"".join(uvarint(v, w) for v, w in av), [v for v, _ in av]

    if word in ("batch", "exp-batch"):
        open_batch2(c, words, opts, word == "exp-batch")
    elif word == "end":
        close_batch2(c)
    elif word in MARKERS2:
        byte, name = MARKERS2[word]
        c.emit(bytes([byte]), ev2(dict(type=name, args=[])))
    elif word == "freq":
        body, vals = varints(words[:1])
        c.emit(b"\x08" + body, ev2(dict(type="Frequency", args=vals)))
    elif word == "clock":
        body, vals = varints(words)
        if len(vals) != 4:
            c.exact = False
        c.emit(b"\x33" + body, ev2(dict(type="ClockSnapshot", args=vals)))
    elif word == "cpusample":
        body, vals = varints(words)
        if len(vals) != 5:
            c.exact = False
        c.emit(b"\x07" + body, ev2(dict(type="CPUSample", args=vals)))
    elif word == "event":
        name = words[0]
        if name not in EVENTS2:
            raise CaseError("unknown v2 event name %s" % name)
        typ, nargs = EVENTS2[name]
        if "type" in opts:
            typ = int(opts["type"], 0)
        body, vals = varints(words[1:])
        if len(vals) != nargs:
            c.exact = False
        c.emit(bytes([typ]) + body, ev2(dict(type=name, args=vals)))
    elif word == "string":
        sid, sw = num(words[0])
        if "len" in opts and len(pos) < 2:
            s = (opts.get("fill", "a").encode() * int(opts["len"]))[:int(opts["len"])]
        else:
            s = pos[1][1]
        declared = num(opts["L"])[0] if "L" in opts else len(s)
        lw = int(opts["lenw"]) if "lenw" in opts else None
        c.emit(b"\x05" + uvarint(sid, sw) + uvarint(declared, lw) + s,
               ev2(dict(type="String", id=sid, str=json_str(s))))
        if declared != len(s):
            c.exact = False
        tab = c.gen_strings.setdefault(c.gen, {})
        if sid != 0 and sid not in tab and len(s) <= 1024 and declared == len(s):
            tab[sid] = s
    elif word == "stack":
        sid, sw = num(words[0])
        frames, cur = [], None
        for kind, t in pos[1:]:
            if t.startswith("["):
                cur = []
                t = t[1:]
            end = t.endswith("]")
            if end:
                t = t[:-1]
            if t:
                cur.append(num(t))
            if end:
                if len(cur) != 4:
                    raise CaseError("a frame is [pc fn file line]")
                frames.append(cur)
                cur = None
        frames = frames * int(opts.get("repeat", "1"))
        n, nw = num(opts["n"]) if "n" in opts else (len(frames), None)
        if n != len(frames):
            c.exact = False
        data = b"\x03" + uvarint(sid, sw) + uvarint(n, nw)
        for f in frames:
            data += b"".join(uvarint(v, w) for v, w in f)
        ev = ev2(dict(type="Stack", id=sid, frames=[
            dict(pc=f[0][0], fn_id=f[1][0], fn="", file_id=f[2][0], file="", line=f[3][0]) for f in frames]))
        c.emit(data, ev)
        c.stacks2.append((c.gen, ev))
    elif word in ("fill-payload", "fill-batch"):
        # String records (IDs from id=, up to 1024 bytes each) until the open batch's payload
        # (fill-payload) or the whole batch with its header (fill-batch) is exactly N bytes.
        b = c.batch2
        if b is None:
            raise CaseError("%s outside a v2 batch" % word)
        target = num(words[0])[0]
        base = b["size_pos"] + b["width"] if word == "fill-payload" else b["start"]
        room = target - (len(c.out) - base)
        sid = num(opts["id"])[0]
        fill = opts.get("fill", "f").encode()
        while room > 0:
            oh = 1 + len(uvarint(sid))
            if room >= oh + 2 + 1024 + oh + 2 + 1:
                ln = 1024
            else:
                for ln in range(min(1024, room), -1, -1):
                    if oh + len(uvarint(ln)) + ln == room:
                        break
                else:
                    raise CaseError("%s: cannot fill %d bytes" % (word, room))
            s = (fill * ln)[:ln]
            c.emit(b"\x05" + uvarint(sid) + uvarint(ln) + s, ev2(dict(type="String", id=sid, str=json_str(s))))
            c.gen_strings.setdefault(c.gen, {})[sid] = s
            room -= oh + len(uvarint(ln)) + ln
            sid += 1
        if room < 0:
            raise CaseError("%s: the batch is already longer than %d" % (word, target))
    else:
        raise CaseError("unknown v2 directive %r" % word)


def resolve2(c):
    """v2 frames name strings of their generation, defined before or after the stack."""
    for gen, ev in c.stacks2:
        tab = c.gen_strings.get(gen, {})
        for f in ev["frames"]:
            f["fn"] = json_str(tab.get(f["fn_id"], b""))
            f["file"] = json_str(tab.get(f["file_id"], b""))


def parse_expect(c, words):
    kind = words[0]
    if kind == "accept":
        c.expect = ("accept",)
    elif kind in ("reject", "either"):
        if len(words) != 3:
            raise CaseError("expect %s RULE OFFSET" % kind)
        c.expect = (kind, words[1], words[2])
    else:
        raise CaseError("expect accept | reject RULE OFF | either RULE OFF")


def compile_file(path):
    cases = []
    c = None
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            where = "%s:%d" % (os.path.basename(path), lineno)
            try:
                toks = tokenize(line)
                if not toks:
                    continue
                word = toks[0][1]
                rest = toks[1:]
                words = [t for _, t in rest]
                if word == "case":
                    c = Case(words[0], where)
                    cases.append(c)
                    continue
                if c is None:
                    raise CaseError("directive before the first case")
                if word == "expect":
                    parse_expect(c, words)
                elif word == "rule":
                    c.rules += words
                elif word == "warn":
                    c.warnings.append(words)
                elif word == "option":
                    c.options += words
                elif word == "why":
                    c.why.append(line.split("why", 1)[1].strip())
                else:
                    directive(c, word, rest, lineno)
            except (CaseError, IndexError, ValueError, KeyError) as e:
                raise SystemExit("%s: %s" % (where, e))
    return cases


def finish(c):
    """Checks a compiled case and returns its manifest entry and expected output."""
    if c.expect is None:
        raise SystemExit("%s: case %s has no expect line" % (c.src, c.name))
    try:
        close_batch2(c)
    except CaseError as e:
        raise SystemExit("%s: case %s: %s" % (c.src, c.name, e))
    resolve2(c)
    prefix = {"accept": "y_", "reject": "n_", "either": "i_"}[c.expect[0]]
    if not c.name.startswith(prefix):
        raise SystemExit("%s: case %s expects %s, so its name starts with %s" % (c.src, c.name, c.expect[0], prefix))
    entry = dict(name=c.name, kind="decoder", file="cases/%s.trace" % c.name, source="src/" + c.src,
                 expect=c.expect[0], rules=c.rules or ([c.expect[1]] if len(c.expect) > 1 else []),
                 format=c.format)
    out = None
    if c.expect[0] != "accept":
        entry["rule"] = c.expect[1]
        entry["offset"] = c.offset(c.expect[2])
    else:
        if not c.exact:
            raise SystemExit("%s: accept case %s uses raw bytes, a cut or a wrong length: its decoded form is unknown" % (c.src, c.name))
        out = "".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for _, _, e in c.events)
        entry["output"] = "cases/%s.jsonl" % c.name
    if not entry["rules"]:
        raise SystemExit("%s: case %s names no rule" % (c.src, c.name))
    entry["warnings"] = [[w[0], c.offset(w[1])] for w in c.warnings]
    entry["options"] = c.options
    entry["description"] = " ".join(c.why)
    entry["size"] = len(c.out)
    entry["sha256"] = hashlib.sha256(bytes(c.out)).hexdigest()
    return entry, out


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    root = args[0] if args else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    srcdir = os.path.join(root, "src")
    files = {}
    entries = []
    seen = set()
    for fn in sorted(os.listdir(srcdir)):
        if not fn.endswith(".tcase"):
            continue
        for c in compile_file(os.path.join(srcdir, fn)):
            if c.name in seen:
                raise SystemExit("%s: duplicate case name %s" % (c.src, c.name))
            seen.add(c.name)
            entry, out = finish(c)
            entries.append(entry)
            files[entry["file"]] = bytes(c.out)
            if out is not None:
                files[entry["output"]] = out.encode("utf-8")
    # Encoder cases are compiled by their own tool (tools/ecc.py) and merged here if present.
    enc_manifest = os.path.join(root, "tools", "encoder_entries.json")
    enc = []
    if os.path.exists(enc_manifest):
        with open(enc_manifest) as f:
            enc = json.load(f)
        for e in enc:
            e.setdefault("format", 1)
    manifest = dict(format="stacktab-conformance-1",
                    doc="conformance/README.md",
                    rules_doc="conformance/RULES.md",
                    cases=entries + enc)
    files["manifest.json"] = (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    bad = 0
    for rel, data in sorted(files.items()):
        p = os.path.join(root, rel)
        if check:
            try:
                with open(p, "rb") as f:
                    if f.read() != data:
                        print("stale: %s" % rel)
                        bad += 1
            except FileNotFoundError:
                print("missing: %s" % rel)
                bad += 1
        else:
            os.makedirs(os.path.dirname(p) or ".", exist_ok=True)
            try:
                with open(p, "rb") as f:
                    if f.read() == data:
                        continue
            except FileNotFoundError:
                pass
            with open(p, "wb") as f:
                f.write(data)
    if not check:
        # Remove generated files of cases that no longer exist.
        keep = {os.path.basename(r) for r in files}
        for fn in os.listdir(os.path.join(root, "cases")):
            if fn.endswith((".trace", ".jsonl")) and fn not in keep and not fn.startswith("e_"):
                os.remove(os.path.join(root, "cases", fn))
    print("%d decoder cases%s" % (len(entries), ", %d stale files" % bad if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
