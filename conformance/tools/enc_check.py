#!/usr/bin/python3
"""enc_check: decode the expected output of every v2 encoder case (all whole traces) with a reader.

  enc_check.py stacktab [CONFORMANCE_DIR]   `stacktab check -w` (strict mode, warnings count):
                                            $STACKTAB, else build/stacktab of the checkout
  enc_check.py go [CONFORMANCE_DIR]         Go 1.23's `go tool trace -d=1` (adapters/go123-decode.sh)
                                            and, for `go 1.22 trace` outputs, Go 1.22's too
Exit 0 when every output is accepted, 1 otherwise, 77 when no Go toolchain is installed (go).
"""
import json
import os
import subprocess
import sys


def main(argv):
    if not argv or argv[0] not in ("stacktab", "go"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    root = argv[1] if len(argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "manifest.json"), encoding="utf-8") as f:
        cases = [c for c in json.load(f)["cases"]
                 if c["kind"] == "encoder" and c.get("format") == 2 and c["expect"] == "bytes"]
    st = os.environ.get("STACKTAB") or os.path.join(root, "..", "build", "stacktab")
    bad = ran = 0
    for c in cases:
        path = os.path.join(root, c["file"])
        with open(path, "rb") as f:
            data = f.read()
        if argv[0] == "stacktab":
            readers = [("stacktab check -w", [st, "check", "-w", path], None)]
        else:
            readers = [("go1.23", [os.path.join(root, "adapters", "go123-decode.sh")], data)]
            if data[:16].rstrip(b"\0") == b"go 1.22 trace":
                readers.append(("go1.22", [os.path.join(root, "adapters", "go122-decode.sh")], data))
        for name, cmd, stdin in readers:
            p = subprocess.run(cmd, input=stdin, capture_output=True, timeout=300)
            if p.returncode == 77:
                print("%s: %s not installed: skipped" % (c["name"], name))
                continue
            ran += 1
            ok = p.returncode == 0
            bad += not ok
            print("%s %s: %s" % ("ok  " if ok else "FAIL", c["name"], name))
            if not ok:
                sys.stdout.write((p.stdout + p.stderr).decode("utf-8", "replace"))
    print("%d outputs, %d reader runs, %d rejected" % (len(cases), ran, bad))
    if bad:
        return 1
    return 77 if ran == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
