#!/usr/bin/python3
"""Shows that the runner catches broken implementations: runs the suite on each planted-fault
adapter (adapters/faults/) and requires the run to fail, with the cases that exercise the fault
among the failures.

usage: fault_test.py CONFORMANCE_DIR   (STACKTAB in the environment: the stacktab binary)
"""
import json
import os
import subprocess
import sys
import tempfile

DEC = ["--caps", "output,rules,offsets,warnings", "--either", "reject", "--xfail", "xfail/stacktab.txt"]
FAULTS = [
    # adapter, runner options, cases that must fail
    ("adapters/faults/dec-accept-overflow.sh", ["--decoder"], DEC,
     ["n_varint_pc_10th_02", "n_varint_line_10th_7f", "n_varint_stkid_10th_02", "n_varint_arg_10th_02"]),
    ("adapters/faults/dec-ignore-string-order.sh", ["--decoder"], DEC,
     ["i_stack_string_after", "i_stack_string_file_after", "i_stack_string_never"]),
    ("adapters/faults/enc-flush-off-by-one.py", ["--encoder"], [],
     ["e_legacy_fit_0_spare", "e_direct_fit_0_spare", "e_direct_worst_case_fit", "e_legacy_worst_case_fit",
      "e_legacy_string_fits_record_flushes"]),
    ("adapters/faults/enc-minimal-stack-len.py", ["--encoder"], [],
     ["e_direct_basic", "e_direct_fit_0_spare", "e_direct_flush_1_short", "e_direct_1_21"]),
]


def main(root):
    os.chdir(root)
    bad = 0
    for adapter, kind, opts, must in FAULTS:
        with tempfile.NamedTemporaryFile(suffix=".json") as rep:
            cmd = [sys.executable, "run"] + kind + [adapter] + opts + ["--quiet", "--report", rep.name]
            p = subprocess.run(cmd, capture_output=True, text=True)
            with open(rep.name) as f:
                report = json.load(f)
        status = {c["name"]: c["status"] for c in report["cases"]}
        missed = [n for n in must if status.get(n) != "fail"]
        others = sorted(n for n, s in status.items() if s == "fail" and n not in must)
        ok = p.returncode == 1 and not missed
        bad += not ok
        print("%s %s: runner exit %d, %d failing cases%s%s" % (
            "caught" if ok else "NOT CAUGHT", adapter, p.returncode, report["totals"]["fail"],
            "; not flagged: %s" % ", ".join(missed) if missed else "",
            "; also: %s" % ", ".join(others[:8]) if others else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
