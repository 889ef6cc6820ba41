#!/usr/bin/python3
"""Checks that every rule of the decoder (ref/lib/rules.c) has, for every trace format it applies
to (v1: Go 1.11-1.21, v2: Go 1.22+; the manifest's `format` of each case), at least one case that
breaks it (a reject or either case expecting that rule, or an expected warning of it) and at
least one boundary case that must pass (an accept case listing it), and that the suite names no
rule the decoder does not have.

usage: coverage.py RULES.C MANIFEST.JSON
"""
import json
import re
import sys

# Rules that exist for one format only; every other rule applies to both (LIMIT-* through the
# decoder options of the case).
V2_ONLY = {"BATCH-EXPECTED", "BATCH-SIZE", "BATCH-OVERRUN", "BATCH-RECORD", "BATCH-TRAILING",
           "GEN-ZERO", "GEN-ORDER", "GEN-NO-EVENTS", "FREQ-REPEATED", "STRING-UNDEFINED",
           "CPU-STACK-UNDEFINED"}
V1_ONLY = {"EVENT-NARGS", "EVENT-LENGTH", "BATCH-MISSING", "STRING-EMPTY", "STACK-NFRAMES",
           "STACK-FORM", "LEN-OVER-2048"}


def formats(rule):
    return (2,) if rule in V2_ONLY else (1,) if rule in V1_ONLY else (1, 2)


def main(rules_c, manifest):
    with open(rules_c) as f:
        ids = [i for i in re.findall(r'\[ST_RULE_[A-Z0-9_]+\]\s*=\s*\{"([A-Z0-9-]+)"', f.read()) if i != "NONE"]
    with open(manifest) as f:
        cases = [c for c in json.load(f)["cases"] if c["kind"] == "decoder"]
    broken = {(i, f): 0 for i in ids for f in formats(i)}
    boundary = dict(broken)
    unknown = set()
    known = set(ids)
    for c in cases:
        fmt = c.get("format", 1)
        for r in c["rules"] + ([c["rule"]] if "rule" in c else []) + [w[0] for w in c.get("warnings", [])]:
            if r not in known:
                unknown.add((c["name"], r))
        if c["expect"] in ("reject", "either") and (c["rule"], fmt) in broken:
            broken[(c["rule"], fmt)] += 1
        for w in c.get("warnings", []):
            if (w[0], fmt) in broken:
                broken[(w[0], fmt)] += 1
        if c["expect"] == "accept":
            for r in c["rules"]:
                if (r, fmt) in boundary:
                    boundary[(r, fmt)] += 1
    bad = 0
    print("%-24s %6s %9s %8s" % ("rule", "format", "violating", "boundary"))
    for i in ids:
        for f in formats(i):
            k = (i, f)
            mark = "" if broken[k] and boundary[k] else "   <-- missing"
            bad += bool(mark)
            print("%-24s %6s %9d %8d%s" % (i, "v%d" % f, broken[k], boundary[k], mark))
    for name, r in sorted(unknown):
        print("case %s names rule %s, which the decoder does not have" % (name, r))
    bad += len(unknown)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
