#!/usr/bin/python3
"""Checks that every rule of the decoder (ref/lib/rules.c) has at least one case that breaks it
(a reject or either case expecting that rule, or an expected warning of it) and at least one
boundary case that must pass (an accept case listing it), and that the suite names no rule the
decoder does not have.

usage: coverage.py RULES.C MANIFEST.JSON
"""
import json
import re
import sys


def main(rules_c, manifest):
    with open(rules_c) as f:
        ids = [i for i in re.findall(r'\[ST_RULE_[A-Z0-9_]+\]\s*=\s*\{"([A-Z0-9-]+)"', f.read()) if i != "NONE"]
    with open(manifest) as f:
        cases = [c for c in json.load(f)["cases"] if c["kind"] == "decoder"]
    broken = {i: 0 for i in ids}
    boundary = {i: 0 for i in ids}
    unknown = set()
    for c in cases:
        for r in c["rules"] + ([c["rule"]] if "rule" in c else []) + [w[0] for w in c.get("warnings", [])]:
            if r not in broken:
                unknown.add((c["name"], r))
        if c["expect"] in ("reject", "either") and c["rule"] in broken:
            broken[c["rule"]] += 1
        for w in c.get("warnings", []):
            if w[0] in broken:
                broken[w[0]] += 1
        if c["expect"] == "accept":
            for r in c["rules"]:
                if r in boundary:
                    boundary[r] += 1
    bad = 0
    print("%-24s %8s %8s" % ("rule", "violating", "boundary"))
    for i in ids:
        mark = "" if broken[i] and boundary[i] else "   <-- missing"
        bad += bool(mark)
        print("%-24s %8d %8d%s" % (i, broken[i], boundary[i], mark))
    for name, r in sorted(unknown):
        print("case %s names rule %s, which the decoder does not have" % (name, r))
    bad += len(unknown)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
