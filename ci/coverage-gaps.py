#!/usr/bin/env python3
"""Lists, per source file, the lines whose branches the tests never took, from an lcov
tracefile (ci/coverage.sh writes build-coverage/coverage.info). "17x3" means three untaken
branches on line 17.

usage: ci/coverage-gaps.py [TRACEFILE] [SUBSTRING]   (SUBSTRING filters file names)
"""
import collections
import sys

path = sys.argv[1] if len(sys.argv) > 1 else "build-coverage/coverage.info"
only = sys.argv[2] if len(sys.argv) > 2 else ""
missed = collections.defaultdict(collections.Counter)
lines_missed = collections.defaultdict(list)
src = None
with open(path) as f:
    for line in f:
        line = line.strip()
        if line.startswith("SF:"):
            src = line[3:].split("/ref/", 1)[-1]
        elif line.startswith("BRDA:"):
            ln, _block, _branch, taken = line[5:].split(",")
            if taken in ("-", "0"):
                missed[src][int(ln)] += 1
        elif line.startswith("DA:"):
            ln, hits = line[3:].split(",")[:2]
            if hits == "0":
                lines_missed[src].append(int(ln))
for name in sorted(set(missed) | set(lines_missed)):
    if only not in name:
        continue
    br = missed[name]
    print(f"{name}: {sum(br.values())} branches untaken, {len(lines_missed[name])} lines unrun")
    if br:
        print("  branches: " + " ".join(f"{k}x{n}" if n > 1 else str(k) for k, n in sorted(br.items())))
    if lines_missed[name]:
        print("  lines:    " + " ".join(map(str, lines_missed[name])))
