#!/usr/bin/env python3
"""Compare Go 1.23's wire-level listing of a v2 trace with stacktab's, event by event.

usage: ci/go-d2-compare.py TRACE STACKTAB_BIN
       ci/go-d2-compare.py --listing GO_D2.txt --json STACKTAB.json
       ci/go-d2-compare.py --self-test TRACE

The first form runs `go tool trace -d=2 TRACE` (Go 1.23, found by ci/gover.sh) and
`STACKTAB_BIN dump --json TRACE`; the second compares saved outputs. Go's raw reader
lists every wire-level event in file order, batch headers and section markers
included, so the two lists must agree one to one: same count, and for each event the
type name, the argument values in order (names are ignored: Go 1.22's table mislabels
the CPUSample arguments), the generation of its batch, a String's bytes, a Stack's ID
and frames (pc, function and file string IDs, line), an experimental batch's data.
stacktab also names each frame's function and file; those names must be the strings
of that generation's table with those IDs (strings may come after the stack).

--self-test checks this script's own parsers without stacktab: it converts Go's
listing of TRACE into the JSON stacktab writes, compares (must agree), then plants
one change at a time (an argument, a string byte, a frame, a dropped event, ...) and
checks that each is reported.

Exit: 0 identical (self-test passed), 1 different (or a reader failed), 2 usage
error, 77 Go 1.23 not installed.
"""
import itertools
import json
import os
import subprocess
import sys
import tempfile

MAX_REPORTED = 20
HERE = os.path.dirname(os.path.abspath(__file__))


class ParseError(Exception):
    pass


# ---------------------------------------------------------------- strings

_SIMPLE_ESCAPES = {'a': 7, 'b': 8, 'f': 12, 'n': 10, 'r': 13, 't': 9, 'v': 11,
                   '\\': 0x5c, '"': 0x22, "'": 0x27}


def unquote_go(q):
    """Bytes of a Go strconv.Quote literal (the text between and including the quotes)."""
    if len(q) < 2 or q[0] != '"' or q[-1] != '"':
        raise ParseError('not a quoted string: %.60s' % q)
    out = bytearray()
    s = q[1:-1]
    i = 0
    while i < len(s):
        c = s[i]
        if c != '\\':
            out += c.encode('utf-8')
            i += 1
            continue
        if i + 1 >= len(s):
            raise ParseError('dangling backslash in %.60s' % q)
        e = s[i + 1]
        if e in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[e])
            i += 2
        elif e in 'xuU':
            n = {'x': 2, 'u': 4, 'U': 8}[e]
            digits = s[i + 2:i + 2 + n]
            if len(digits) != n or any(d not in '0123456789abcdefABCDEF' for d in digits):
                raise ParseError('bad \\%s escape in %.60s' % (e, q))
            v = int(digits, 16)
            if e == 'x':
                out.append(v)
            else:
                out += chr(v).encode('utf-8', 'surrogatepass')
            i += 2 + n
        elif e in '01234567':
            digits = s[i + 1:i + 4]
            if len(digits) != 3 or any(d not in '01234567' for d in digits) or int(digits, 8) > 255:
                raise ParseError('bad octal escape in %.60s' % q)
            out.append(int(digits, 8))
            i += 4
        else:
            raise ParseError('unknown escape \\%s in %.60s' % (e, q))
    return bytes(out)


def bytes_as_stacktab_text(b):
    """The text stacktab's JSON holds for bytes b: valid UTF-8 as itself, every other
    byte as the one character U+00XX."""
    out = []
    i = 0
    while i < len(b):
        try:
            out.append(b[i:].decode('utf-8'))
            break
        except UnicodeDecodeError as err:
            out.append(b[i:i + err.start].decode('utf-8'))
            out.extend(chr(x) for x in b[i + err.start:i + err.end])
            i += err.end
    return ''.join(out)


# ---------------------------------------------------------------- parsers
# Both yield one normalised event per wire event:
#   (type, gen, args, extra, offset)
# args: tuple of ints (a Stack: (id, nframes); a String: (id,); an ExperimentalBatch:
# (exp, gen, m, time, size)); extra: the text of a String / experimental batch, the
# frames of a Stack as ((pc, func, file, line), ...), else None; offset: stacktab's
# byte offset (None for Go). Stack frame names are checked separately (names_out).


def parse_go_listing(lines):
    """Events of `go tool trace -d=2` output (an iterable of text lines)."""
    cur = None  # [type, gen, args, extra]
    gen = None
    lineno = 0

    def finish(ev):
        typ, g, args, extra = ev
        if typ == 'String':
            extra = bytes_as_stacktab_text(extra if extra is not None else b'')
        elif typ == 'ExperimentalBatch':
            data = extra if extra is not None else b''
            args = args + (len(data),)  # Go prints the size as the data's length
            extra = bytes_as_stacktab_text(data)
        elif typ == 'Stack':
            if len(args) != 2 or args[1] != len(extra):
                raise ParseError('Stack id=%s: nframes %s but %d frame lines'
                                 % (args[0] if args else '?', args[1:], len(extra)))
            extra = tuple(extra)
        return (typ, g, args, extra, None)

    for raw in lines:
        lineno += 1
        line = raw.rstrip('\n')
        if not line:
            continue
        if line.startswith('\t'):
            body = line[1:]
            if cur is None:
                raise ParseError('line %d: continuation before any event' % lineno)
            if body.startswith('data='):
                cur[3] = unquote_go(body[5:])
            elif body.startswith('pc='):
                vals = _values(body, lineno)
                if len(vals) != 4 or cur[0] != 'Stack':
                    raise ParseError('line %d: bad frame line %r' % (lineno, line))
                cur[3].append(tuple(vals))
            else:
                raise ParseError('line %d: unexpected continuation %r' % (lineno, line))
            continue
        if cur is not None:
            yield finish(cur)
        fields = line.split(' ')
        typ = fields[0]
        args = tuple(_values(' '.join(fields[1:]), lineno)) if len(fields) > 1 else ()
        if typ == 'EventBatch':
            gen = args[0]
        elif typ == 'ExperimentalBatch':
            gen = args[1]
        cur = [typ, gen, args, [] if typ == 'Stack' else None]
    if cur is not None:
        yield finish(cur)


def _values(text, lineno):
    vals = []
    for f in text.split(' '):
        name, sep, v = f.partition('=')
        if not sep or not v.isdigit():
            raise ParseError('line %d: bad argument %r' % (lineno, f))
        vals.append(int(v))
    return vals


def parse_stacktab_json(lines, names_out=None):
    """Events of `stacktab dump --json` output. When names_out is a list, each frame's
    (gen, event index, 'fn'|'file', string ID, name) is appended to it."""
    for idx, raw in enumerate(lines):
        if not raw.strip():
            continue
        try:
            o = json.loads(raw)
        except ValueError as err:
            raise ParseError('stacktab line %d: not JSON: %s' % (idx + 1, err))
        typ, gen, off = o.get('type'), o.get('gen'), o.get('off')
        if typ == 'String':
            yield (typ, gen, (o.get('id'),), o.get('str'), off)
        elif typ == 'Stack':
            frames = tuple((f.get('pc'), f.get('fn_id'), f.get('file_id'), f.get('line'))
                           for f in o.get('frames', []))
            if names_out is not None:
                for f in o.get('frames', []):
                    for key, idkey in (('fn', 'fn_id'), ('file', 'file_id')):
                        if key in f:
                            names_out.append((gen, o.get('id'), key, f.get(idkey), f[key], off))
            yield (typ, gen, (o.get('id'), len(frames)), frames, off)
        elif typ == 'ExperimentalBatch':
            yield (typ, gen, tuple(o.get('args', [])), o.get('data', ''), off)
        else:
            yield (typ, gen, tuple(o.get('args', [])), None, off)


# ---------------------------------------------------------------- comparison

def describe(ev):
    typ, gen, args, extra, off = ev
    s = '%s gen=%s args=%s' % (typ, gen, list(args))
    if typ == 'Stack':
        s += ' frames=%s' % (list(map(list, extra))[:4],)
        if len(extra) > 4:
            s = s[:-1] + ', ...]'
    elif extra is not None:
        s += ' data=%s' % json.dumps(extra)[:80]
    return s


def first_difference(g, t):
    """A short description of how Go's event g and stacktab's event t differ, or None."""
    if g[0] != t[0]:
        return 'type: go %s, stacktab %s' % (g[0], t[0])
    if g[1] != t[1]:
        return 'generation: go %s, stacktab %s' % (g[1], t[1])
    if g[2] != t[2]:
        if len(g[2]) != len(t[2]):
            return 'argument count: go %d %s, stacktab %d %s' % (len(g[2]), list(g[2]), len(t[2]), list(t[2]))
        i = next(i for i in range(len(g[2])) if g[2][i] != t[2][i])
        return 'argument %d: go %s, stacktab %s' % (i, g[2][i], t[2][i])
    if g[3] != t[3]:
        if g[0] == 'Stack':
            i = next((i for i in range(min(len(g[3]), len(t[3]))) if g[3][i] != t[3][i]), None)
            if i is None:
                return 'frame count: go %d, stacktab %d' % (len(g[3]), len(t[3]))
            return 'frame %s: go %s, stacktab %s' % (i, list(g[3][i]), list(t[3][i]))
        gs, ts = g[3] or '', t[3] or ''
        i = next((i for i in range(min(len(gs), len(ts))) if gs[i] != ts[i]), min(len(gs), len(ts)))
        return 'data differs at character %d (go %d chars, stacktab %d): go %s, stacktab %s' % (
            i, len(gs), len(ts), json.dumps(gs[i:i + 12]), json.dumps(ts[i:i + 12]))
    return None


def compare(go_events, st_events, names=None, out=sys.stdout, label=''):
    """Prints the first mismatches; returns their number (0: identical)."""
    mismatches = 0
    count = 0
    go_strings = {}  # (gen, id) -> text, for the frame names check
    go_n = st_n = 0

    def report(msg):
        nonlocal mismatches
        mismatches += 1
        if mismatches <= MAX_REPORTED:
            print('%sMISMATCH %s' % (label, msg), file=out)

    for g, t in itertools.zip_longest(go_events, st_events):
        if g is not None:
            go_n += 1
            if g[0] == 'String':
                go_strings[(g[1], g[2][0])] = g[3]
        if t is not None:
            st_n += 1
        if g is None or t is None:
            continue
        d = first_difference(g, t)
        if d:
            report('event %d (stacktab off %s): %s\n    go:       %s\n    stacktab: %s'
                   % (count, t[4], d, describe(g), describe(t)))
        count += 1
    if go_n != st_n:
        report('event count: go %d, stacktab %d' % (go_n, st_n))
    for gen, sid, key, ref, name, off in names or []:
        want = '' if ref == 0 else go_strings.get((gen, ref))
        if want != name:
            report('Stack id=%s (stacktab off %s, gen %s): frame %s string %s is %s in stacktab, %s in go'
                   % (sid, off, gen, key, ref, json.dumps(name)[:60],
                      'undefined' if want is None else json.dumps(want)[:60]))
    if mismatches > MAX_REPORTED:
        print('%s... and %d more mismatches' % (label, mismatches - MAX_REPORTED), file=out)
    print('%s%d go events, %d stacktab events, %d mismatches' % (label, go_n, st_n, mismatches), file=out)
    return mismatches


def compare_files(listing, jsonfile, label=''):
    names = []
    with open(listing, encoding='utf-8') as gf, open(jsonfile, encoding='utf-8') as tf:
        n = compare(parse_go_listing(gf), parse_stacktab_json(tf, names), names, label=label)
    return 0 if n == 0 else 1


# ---------------------------------------------------------------- running the readers

def run_go_d2(trace, out_path):
    """Writes Go 1.23's -d=2 listing of trace to out_path; returns (rc, stderr text).
    rc 77: Go 1.23 absent."""
    script = ('. "$1/gover.sh"; go=$(st_find_go 1.23) || { echo "Go 1.23 not found '
              '(set GO123=/path/to/go1.23/bin/go)" >&2; exit 77; }; '
              'st_go_private_env "$2" off; exec "$go" tool trace -d=2 "$3"')
    with tempfile.TemporaryDirectory(prefix='go-d2-compare.') as tmp, open(out_path, 'wb') as out:
        timeout = int(os.environ.get('GO_TRACE_TIMEOUT', '900'))
        try:
            p = subprocess.run(['sh', '-c', script, 'sh', HERE, tmp, trace], stdout=out,
                               stderr=subprocess.PIPE, timeout=timeout)
        except subprocess.TimeoutExpired:
            return 1, 'go tool trace -d=2 timed out after %ds' % timeout
    return p.returncode, p.stderr.decode('utf-8', 'replace')


def main_compare(trace, stacktab):
    with tempfile.TemporaryDirectory(prefix='go-d2-compare.') as tmp:
        listing, js = os.path.join(tmp, 'go.txt'), os.path.join(tmp, 'st.json')
        rc, err = run_go_d2(trace, listing)
        if rc == 77:
            print('SKIP: ' + err.strip(), file=sys.stderr)
            return 77
        failed = False
        if rc != 0:
            # Still compare what Go listed before it stopped: the first events show where.
            print('FAIL: go tool trace -d=2 %s exited %d: %s' % (trace, rc, err.strip()), file=sys.stderr)
            failed = True
        with open(js, 'wb') as out:
            try:
                p = subprocess.run([stacktab, 'dump', '--json', trace], stdout=out, stderr=subprocess.PIPE)
            except OSError as err:
                print('%s: cannot run %s: %s' % (sys.argv[0], stacktab, err), file=sys.stderr)
                return 2
        if p.returncode != 0:
            print('FAIL: stacktab dump --json %s exited %d: %s'
                  % (trace, p.returncode, p.stderr.decode('utf-8', 'replace').strip()), file=sys.stderr)
            failed = True
        try:
            rc = compare_files(listing, js, label=os.path.basename(trace) + ': ')
        except ParseError as err:
            print('FAIL: %s' % err, file=sys.stderr)
            return 1
        return 1 if failed or rc else 0


# ---------------------------------------------------------------- self-test

def go_listing_to_json(events):
    """stacktab's JSON lines for Go's events, offsets recomputed from minimal varints
    (10-byte batch sizes), as the runtime writes them."""
    def uv(v):
        n = 1
        while v >= 0x80:
            v >>= 7
            n += 1
        return n
    off = 16
    lines = []
    for typ, gen, args, extra, _ in events:
        o = {'off': off, 'gen': gen, 'type': typ}
        if typ == 'String':
            data = extra.encode('utf-8')  # the size only has to be plausible
            o.update(id=args[0], str=extra)
            size = 1 + uv(args[0]) + uv(len(data)) + len(data)
        elif typ == 'Stack':
            o.update(id=args[0], frames=[{'pc': pc, 'fn_id': fn, 'fn': '', 'file_id': fl,
                                          'file': '', 'line': ln} for pc, fn, fl, ln in extra])
            size = 1 + uv(args[0]) + uv(args[1]) + sum(uv(x) for f in extra for x in f)
        elif typ == 'ExperimentalBatch':
            o.update(args=list(args), data=extra)
            size = 2 + sum(uv(x) for x in args[1:4]) + 10 + args[4]
        else:
            o['args'] = list(args)
            size = 1 + sum(uv(x) for x in args) + (10 - uv(args[3]) if typ == 'EventBatch' else 0)
        lines.append(o)
        off += size
    # Frame names: filled from the same generation's strings, wherever they are.
    strings = {(o['gen'], o['id']): o['str'] for o in lines if o['type'] == 'String'}
    for o in lines:
        for f in o.get('frames', []):
            f['fn'] = strings.get((o['gen'], f['fn_id']), '') if f['fn_id'] else ''
            f['file'] = strings.get((o['gen'], f['file_id']), '') if f['file_id'] else ''
    return [json.dumps(o) for o in lines]


QUOTE_VECTORS = [
    # (what Go's strconv.Quote prints, the bytes), incl. tracegen2's odd-bytes message
    (r'""', b''),
    (r'"nul\x00 bel\a bs\b ff\f nl\n cr\r tab\t vt\v bsl\\ quote\" del\x7f é \u2028 😀 '
     r'\U000e0001 bad\xff\xfe end\xc3"',
     b'nul\x00 bel\x07 bs\x08 ff\x0c nl\n cr\r tab\t vt\x0b bsl\\ quote" del\x7f \xc3\xa9 '
     b'\xe2\x80\xa8 \xf0\x9f\x98\x80 \xf3\xa0\x80\x81 bad\xff\xfe end\xc3'),
    (r'"\u00e9\xc3\xa9"', b'\xc3\xa9\xc3\xa9'),
]


def self_test(trace):
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)

    for q, b in QUOTE_VECTORS:
        check(unquote_go(q) == b, 'unquote %s' % q[:40])
    check(bytes_as_stacktab_text(b'a\xc3\xa9\xff\xc3') == 'a\u00e9\u00ff\u00c3', 'invalid UTF-8 mapping')
    check(bytes_as_stacktab_text(b'\xe2\x82x\xed\xa0\x80') == '\u00e2\u0082x\u00ed\u00a0\u0080',
          'truncated sequence and surrogate mapping')
    for bad in (r'"\q"', r'"\x4"', '"abc', r'"\"'):
        try:
            unquote_go(bad)
            failures.append('accepted bad literal %s' % bad)
        except ParseError:
            pass

    with tempfile.TemporaryDirectory(prefix='go-d2-selftest.') as tmp:
        listing = os.path.join(tmp, 'go.txt')
        rc, err = run_go_d2(trace, listing)
        if rc == 77:
            print('SKIP: ' + err.strip(), file=sys.stderr)
            return 77
        if rc != 0:
            print('FAIL: go tool trace -d=2 %s: %s' % (trace, err.strip()), file=sys.stderr)
            return 1
        with open(listing, encoding='utf-8') as f:
            text = f.read().splitlines()
        events = list(parse_go_listing(text))
        heads = sum(1 for line in text if line and not line.startswith('\t'))
        check(len(events) == heads, 'parsed %d events from %d event lines' % (len(events), heads))
        base = go_listing_to_json(events)
        quiet = open(os.devnull, 'w')

        def run(js):
            names = []
            return compare(iter(events), parse_stacktab_json(js, names), names, out=quiet)

        check(run(base) == 0, 'unchanged conversion reported different')

        def mutate(what, pick, change):
            idx = next((i for i, line in enumerate(base) if pick(json.loads(line))), None)
            if idx is None:
                print('self-test: no event for "%s" in this trace; not tried' % what)
                return
            js = list(base)
            o = json.loads(js[idx])
            change(o)
            js[idx] = json.dumps(o)
            buf = []

            class Sink:
                def write(self, s):
                    buf.append(s)
            n = compare(iter(events), parse_stacktab_json(js, []), None, out=Sink())
            first = ''.join(buf).split('\n')[0]
            ok = n >= 1 and ('event %d ' % idx in first)
            check(ok, 'planted change "%s" at event %d not reported first: %s' % (what, idx, first))
            print('self-test: %-34s event %6d -> %s' % (what, idx, 'reported' if ok else 'MISSED'))

        mid = len(base) // 2
        def timed(o):
            return o['type'] not in ('EventBatch', 'ExperimentalBatch', 'String', 'Stack') and len(o['args']) >= 2
        mutate('last argument + 1', lambda o: o['off'] >= json.loads(base[mid])['off'] and timed(o),
               lambda o: o['args'].__setitem__(-1, o['args'][-1] + 1))
        mutate('batch size', lambda o: o['type'] == 'EventBatch', lambda o: o['args'].__setitem__(3, o['args'][3] + 1))
        mutate('type name', lambda o: o['type'] == 'GoStart', lambda o: o.__setitem__('type', 'GoStop'))
        mutate('generation', lambda o: o['type'] == 'Frequency', lambda o: o.__setitem__('gen', o['gen'] + 1))
        mutate('CPUSample stack', lambda o: o['type'] == 'CPUSample', lambda o: o['args'].__setitem__(4, o['args'][4] + 1))
        mutate('invalid byte in a string', lambda o: o['type'] == 'String' and any(0x80 <= ord(c) <= 0xff for c in o['str']),
               lambda o: o.__setitem__('str', ''.join(chr(ord(c) ^ 1) if 0x80 <= ord(c) <= 0xff else c for c in o['str'])))
        mutate('last byte of a long string', lambda o: o['type'] == 'String' and len(o['str']) >= 1024,
               lambda o: o.__setitem__('str', o['str'][:-1] + chr(ord(o['str'][-1]) ^ 1)))
        mutate('empty string made non-empty', lambda o: o['type'] == 'String' and o['str'] == '',
               lambda o: o.__setitem__('str', ' '))
        mutate('stack id', lambda o: o['type'] == 'Stack', lambda o: o.__setitem__('id', o['id'] + 1000000))
        mutate('line of a deep stack\'s last frame', lambda o: o['type'] == 'Stack' and len(o['frames']) > 100,
               lambda o: o['frames'][-1].__setitem__('line', o['frames'][-1]['line'] + 1))
        mutate('frame pc', lambda o: o['type'] == 'Stack', lambda o: o['frames'][0].__setitem__('pc', o['frames'][0]['pc'] ^ 1))
        mutate('frame dropped', lambda o: o['type'] == 'Stack' and len(o['frames']) > 1, lambda o: o['frames'].pop())

        # Whole-list changes: a dropped event, and a frame name that is not its string.
        n = compare(iter(events), parse_stacktab_json(base[:mid] + base[mid + 1:], []), None, out=quiet)
        check(n >= 1, 'dropped event not reported')
        js = list(base)
        k = next((i for i, line in enumerate(js) if '"fn_id": ' in line), None)
        if k is not None:
            o = json.loads(js[k])
            o['frames'][0]['fn'] += 'x'
            js[k] = json.dumps(o)
            names = []
            n = compare(iter(events), parse_stacktab_json(js, names), names, out=quiet)
            check(n == 1, 'wrong frame name: %d mismatches, want 1' % n)
        n = compare(iter(events), parse_stacktab_json(base + [base[-1]], []), None, out=quiet)
        check(n == 1, 'extra event: %d mismatches, want 1' % n)
        print('self-test: %d events, %d strings, %d stacks in %s'
              % (len(events), sum(e[0] == 'String' for e in events),
                 sum(e[0] == 'Stack' for e in events), os.path.basename(trace)))
    for f in failures:
        print('self-test FAIL: %s' % f)
    return 1 if failures else 0


def main(argv):
    if len(argv) == 2 and argv[0] == '--self-test':
        return self_test(argv[1])
    if len(argv) == 4 and argv[0] == '--listing' and argv[2] == '--json':
        try:
            return compare_files(argv[1], argv[3])
        except (OSError, ParseError) as err:
            print('FAIL: %s' % err, file=sys.stderr)
            return 1
    if len(argv) == 2 and not argv[0].startswith('-'):
        if not os.path.isfile(argv[0]):
            print('%s: cannot read %s' % (sys.argv[0], argv[0]), file=sys.stderr)
            return 2
        return main_compare(argv[0], argv[1])
    print(__doc__.split('\n\n')[1], file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
