#!/usr/bin/env python3
"""Compare Go 1.19's parsed events with stacktab's decoded events.

usage: check_against_go.py GO_RAW STACKTAB_JSON TRACE_NAME

GO_RAW is the output of `ci/go-trace-events.sh --raw TRACE` (the lines of
`go tool trace -d`); STACKTAB_JSON is the output of `stacktab dump --json
TRACE`. Go's reader is an independent implementation of the format, so
agreement on every event is evidence that stacktab frames events right.

What is checked, exactly:
  1. Every event Go prints exists in stacktab's dump at the same byte offset,
     once, with the same name (Go prints GoStartLocal, GoUnblockLocal and
     GoSysExitLocal under the names GoStart, GoUnblock and GoSysExit).
  2. The rest of Go's line agrees with what Go derives from the raw event,
     recomputed here from stacktab's values: the arguments (the wire
     arguments after the timestamp delta, without the trailing stack ID,
     missing ones printed as 0, a CPU sample's first one printed as 0), the
     string arguments (names looked up in stacktab's string table, the STW
     kind, a log's message), the goroutine g= and the processor p=.
  3. Every stacktab event that Go does not print is one that Go's reader
     never turns into an event (Batch, Frequency, Stack, String,
     TimerGoroutine) or one that Go's futile-wakeup removal drops; that
     removal is recomputed here and must match exactly.
  4. The timestamp Go prints: nanoseconds since the earliest event,
     (ticks - min ticks) * (1e9 / frequency) in float64, truncated; a
     GoSysExit (not a GoSysExitLocal, whose real exit time sits in another
     argument slot that Go does not read) counts at its real exit time.
Stack IDs and frames are not compared: `go tool trace -d` does not print them.
Exit status 0 when everything agrees, 1 otherwise (with the differences).
"""
import json
import re
import sys

# Go 1.19 event table facts (spec §2.4): the names Go prints for each
# event's arguments, after the timestamp, and whether a stack ID follows.
ARGS = {
    "Gomaxprocs": ["procs"], "ProcStart": ["thread"], "ProcStop": [],
    "GCStart": ["seq"], "GCDone": [], "GCSTWStart": ["kindid"], "GCSTWDone": [],
    "GCSweepStart": [], "GCSweepDone": ["swept", "reclaimed"],
    "GoCreate": ["g", "stack"], "GoStart": ["g", "seq"], "GoEnd": [],
    "GoStop": [], "GoSched": [], "GoPreempt": [], "GoSleep": [], "GoBlock": [],
    "GoUnblock": ["g", "seq"], "GoBlockSend": [], "GoBlockRecv": [],
    "GoBlockSelect": [], "GoBlockSync": [], "GoBlockCond": [], "GoBlockNet": [],
    "GoSysCall": [], "GoSysExit": ["g", "seq", "ts"], "GoSysBlock": [],
    "GoWaiting": ["g"], "GoInSyscall": ["g"], "HeapAlloc": ["mem"],
    "HeapGoal": ["mem"], "FutileWakeup": [], "GoStartLocal": ["g"],
    "GoUnblockLocal": ["g"], "GoSysExitLocal": ["g", "ts"],
    "GoStartLabel": ["g", "seq", "labelid"], "GoBlockGC": [],
    "GCMarkAssistStart": [], "GCMarkAssistDone": [],
    "UserTaskCreate": ["taskid", "pid", "typeid"], "UserTaskEnd": ["taskid"],
    "UserRegion": ["taskid", "mode", "typeid"], "UserLog": ["id", "keyid"],
    "CPUSample": ["ts", "p", "g"],
}
STACK = {
    "Gomaxprocs", "GCStart", "GCSweepStart", "GoCreate", "GoStop", "GoSched",
    "GoPreempt", "GoSleep", "GoBlock", "GoUnblock", "GoBlockSend", "GoBlockRecv",
    "GoBlockSelect", "GoBlockSync", "GoBlockCond", "GoBlockNet", "GoSysCall",
    "GoUnblockLocal", "GoBlockGC", "GCMarkAssistStart", "UserTaskCreate",
    "UserTaskEnd", "UserRegion", "UserLog", "CPUSample",
}
# Tables and stream bookkeeping: read by Go's reader, never printed.
NOT_EVENTS = {"Batch", "Frequency", "Stack", "String", "TimerGoroutine"}
RENAMED = {"GoStartLocal": "GoStart", "GoUnblockLocal": "GoUnblock",
           "GoSysExitLocal": "GoSysExit"}
# Fake processors Go assigns (spec §10).
TIMER_P, NETPOLL_P, SYSCALL_P, GC_P = 1000001, 1000002, 1000003, 1000004
# After these the goroutine no longer runs on the P (Go's reader forgets it).
STOPS_G = {"GoEnd", "GoStop", "GoSched", "GoPreempt", "GoSleep", "GoBlock",
           "GoBlockSend", "GoBlockRecv", "GoBlockSelect", "GoBlockSync",
           "GoBlockCond", "GoBlockNet", "GoSysBlock", "GoBlockGC"}
BLOCKING = {"GoSleep", "GoBlock", "GoBlockSend", "GoBlockRecv", "GoBlockSelect",
            "GoBlockSync", "GoBlockCond", "GoBlockNet", "GoBlockGC"}
# Blocking events that end a wakeup sequence in the futile-wakeup removal.
FUTILE_ENDS = {"GoBlock", "GoBlockSend", "GoBlockRecv", "GoBlockSelect",
               "GoBlockSync", "GoBlockCond"}
M64 = (1 << 64) - 1


def signed(v):
    """A uint64 read as Go's int (two's complement, 64 bits)."""
    v &= M64
    return v - (1 << 64) if v >> 63 else v


LINE = re.compile(r"^(-?\d+) (\w+) p=(-?\d+) g=(\d+) off=(\d+)(.*)$", re.S)


def read_go(path):
    """Go's printed events as dicts, in printed order. A log message with a
    newline spans several lines; they are joined back onto their event."""
    events = []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        text = f.read()
    if text.endswith("\n"):
        text = text[:-1]
    for line in text.split("\n") if text else []:
        m = LINE.match(line)
        if m is None:
            if not events:
                raise SystemExit("unexpected line in Go's output: %r" % line[:200])
            events[-1]["tail"] += "\n" + line
            continue
        events.append({"ts": int(m.group(1)), "name": m.group(2),
                       "p": int(m.group(3)), "g": int(m.group(4)),
                       "off": int(m.group(5)), "tail": m.group(6)})
    return events


def read_stacktab(path):
    events = []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if line:
                try:
                    events.append(json.loads(line))
                except ValueError as e:
                    raise SystemExit("stacktab dump line %d is not JSON: %s" % (n, e))
    return events


def derive(st_events, problems):
    """Recompute, from stacktab's events in file order, what Go's reader
    derives before ordering: the string table, each event's goroutine and
    processor, its absolute timestamp and its argument array."""
    strings = {}
    timer_gs = set()
    freq = 0
    for ev in st_events:
        if ev["type"] == "String":
            strings.setdefault(ev["id"], ev["str"])
        elif ev["type"] == "TimerGoroutine":
            timer_gs.add(ev["args"][0])
        elif ev["type"] == "Frequency":
            freq = signed(ev["args"][0])  # the last one wins

    last_p, last_g, last_ts = 0, 0, 0
    g_of_p = {}
    out = []
    for ev in st_events:
        typ = ev["type"]
        if typ in ("String", "Stack", "Frequency", "TimerGoroutine"):
            continue
        args = ev["args"]
        if typ == "Batch":
            g_of_p[last_p] = last_g
            last_p = signed(args[0])
            last_g = g_of_p.get(last_p, 0)
            last_ts = signed(args[1])
            continue
        if typ not in ARGS:
            problems.append("off=%d: stacktab type %s is not a Go 1.19 event" % (ev["off"], typ))
            continue
        want = 1 + len(ARGS[typ]) + (typ in STACK)
        if len(args) != want:
            problems.append("off=%d: %s has %d args in stacktab's dump, Go expects %d"
                            % (ev["off"], typ, len(args), want))
            continue
        ts = signed(last_ts + args[0])
        last_ts = ts
        vals = args[1:len(args) - (typ in STACK)]
        vals = vals + [0] * (3 - len(vals))
        p, g = last_p, last_g
        if typ in ("GoStart", "GoStartLocal", "GoStartLabel"):
            last_g = g = vals[0]
        elif typ in ("GCSTWStart", "GCStart", "GCDone", "GCSTWDone"):
            g = 0
        elif typ in STOPS_G:
            last_g = 0
        elif typ in ("GoSysExit", "GoWaiting", "GoInSyscall"):  # not the Local one
            g = vals[0]
        elif typ == "CPUSample":
            ts, p, g = signed(vals[0]), signed(vals[1]), vals[2]
            vals[0] = 0
        out.append({"off": ev["off"], "type": typ, "name": RENAMED.get(typ, typ),
                    "ts": ts, "p": p, "g": g, "args": vals, "str": ev.get("str")})
    # Go's timestamps: its final order is sorted by time, so the first
    # event's time is the minimum; a GoSysExit with a real exit time is
    # moved to it before that sort.
    for e in out:
        if e["type"] == "GoSysExit" and e["args"][2] != 0:
            e["ts"] = signed(e["args"][2])
    if out and freq > 0:
        min_ts = min(e["ts"] for e in out)
        scale = 1e9 / float(freq)
        for e in out:
            e["ns"] = int(float(e["ts"] - min_ts) * scale)
    return out, strings, timer_gs


def futile_removed(events):
    """Offsets of the events Go's futile-wakeup removal drops. Per goroutine,
    an unblock starts a wakeup sequence; its starts, preemptions and
    FutileWakeup events join it; a FutileWakeup marks the goroutine; the next
    block (of the kinds in FUTILE_ENDS) of a marked goroutine drops itself
    and the whole sequence, and a block always clears the goroutine's state.
    Go runs this over the merged order, which is timestamp order; events are
    taken here by (timestamp, offset), exact unless two events of one
    goroutine on different Ps share a tick (never seen in real traces)."""
    removed = set()
    state = {}
    for ev in sorted(events, key=lambda e: (e["ts"], e["off"])):
        name = ev["name"]
        if name == "GoUnblock":
            st = state.setdefault(ev["args"][0], {"futile": False, "seq": []})
            st["seq"] = [ev]
        elif name in ("GoStart", "GoPreempt", "FutileWakeup"):
            # (GoStartLabel is not among them: its name stays GoStartLabel.)
            st = state.setdefault(ev["g"], {"futile": False, "seq": []})
            st["seq"].append(ev)
            if name == "FutileWakeup":
                st["futile"] = True
        elif name in FUTILE_ENDS:
            st = state.pop(ev["g"], None)
            if st is not None and st["futile"]:
                removed.add(ev["off"])
                removed.update(e["off"] for e in st["seq"])
    return removed


def expected_tail(ev, strings):
    name = ev["name"]
    a = ev["args"]
    tail = "".join(" %s=%d" % (n, a[i]) for i, n in enumerate(ARGS[name]))
    if name == "GoStartLabel":
        tail += " label=" + strings.get(a[2], "")
    elif name == "GCSTWStart":
        kinds = {0: "mark termination", 1: "sweep termination"}
        tail += " kind=" + kinds.get(a[0], "?")
    elif name in ("UserTaskCreate", "UserRegion"):
        tail += " name=" + strings.get(a[2], "")
    elif name == "UserLog":
        tail += " category=" + strings.get(a[1], "") + " message=" + (ev["str"] or "")
    return tail


def check(go_events, st_events, label):
    problems = []
    derived, strings, timer_gs = derive(st_events, problems)
    by_off = {}
    for ev in st_events:
        if ev["off"] in by_off:
            problems.append("off=%d: two stacktab events at one offset" % ev["off"])
        by_off[ev["off"]] = ev
    dby_off = {e["off"]: e for e in derived}

    # 1 and 2: every printed event, in Go's printed order (postProcessTrace
    # walks that order, which decides the NetpollP attribution).
    seen = set()
    last_ev_of = {}  # goroutine -> name of its last state-setting event
    for gev in go_events:
        off = gev["off"]
        where = "off=%d (%s)" % (off, gev["name"])
        if off in seen:
            problems.append(where + ": Go prints this offset twice")
            continue
        seen.add(off)
        st = by_off.get(off)
        if st is None:
            problems.append(where + ": no stacktab event at this offset")
            continue
        d = dby_off.get(off)
        if d is None or d["name"] != gev["name"]:
            problems.append(where + ": stacktab has %s here" % st["type"])
            continue
        want_tail = expected_tail(d, strings)
        if gev["tail"] != want_tail:
            problems.append(where + ": Go prints%s, stacktab gives%s"
                            % (gev["tail"][:300], want_tail[:300]))
        if gev["ts"] != d.get("ns"):
            problems.append(where + ": Go says time %d ns, stacktab's stream gives %s"
                            % (gev["ts"], d.get("ns")))
        if gev["g"] != d["g"]:
            problems.append(where + ": Go says g=%d, stacktab's stream gives g=%d"
                            % (gev["g"], d["g"]))
        name, p = d["name"], d["p"]
        if name == "GoUnblock" and d["g"] in timer_gs:
            p = TIMER_P
        if name == "GoSysExit":
            p = SYSCALL_P
        if name == "GCStart":
            p = GC_P
        g = gev["g"]
        if name == "GoUnblock":
            target = d["args"][0]
            if last_ev_of.get(target) == "GoBlockNet" and p != TIMER_P:
                p = NETPOLL_P
            last_ev_of[target] = name
        elif name in ("GoStart", "GoStartLabel"):
            last_ev_of.pop(g, None)
        elif name == "GoCreate":
            last_ev_of[d["args"][0]] = name
        elif name in BLOCKING or name in ("GoWaiting", "GoInSyscall", "GoSched",
                                          "GoPreempt", "GoSysCall", "GoSysExit"):
            last_ev_of[g] = name
        if gev["p"] != p:
            problems.append(where + ": Go says p=%d, stacktab's stream gives p=%d"
                            % (gev["p"], p))

    # 3: what Go leaves out.
    dropped = futile_removed(derived)
    for ev in st_events:
        off = ev["off"]
        if off in seen:
            continue
        if ev["type"] in NOT_EVENTS or off in dropped:
            continue
        problems.append("off=%d: stacktab's %s is missing from Go's output"
                        % (off, ev["type"]))
    for off in sorted(dropped & seen):
        problems.append("off=%d: Go prints an event its futile-wakeup removal "
                        "should have dropped" % off)

    n_tables = sum(1 for e in st_events if e["type"] in NOT_EVENTS)
    print("%s: Go parsed %d events; stacktab decoded %d (%d of them Batch/"
          "Frequency/Stack/String/TimerGoroutine, %d dropped as futile wakeups)"
          % (label, len(go_events), len(st_events), n_tables, len(dropped)))
    return problems


def main():
    if len(sys.argv) != 4:
        sys.stderr.write("usage: check_against_go.py GO_RAW STACKTAB_JSON NAME\n")
        return 2
    go_events = read_go(sys.argv[1])
    st_events = read_stacktab(sys.argv[2])
    problems = check(go_events, st_events, sys.argv[3])
    for p in problems[:50]:
        print("MISMATCH " + p)
    if len(problems) > 50:
        print("... and %d more" % (len(problems) - 50))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
