#!/usr/bin/env python3
"""Mutation check of the fuzz harnesses and tests: plants known bugs, one at a time, in a COPY
of the source tree (never the working tree) and shows that they are caught within a time
bound. For every mutant: build the libFuzzer targets of the copy, run every harness once over
its seed corpus, run the ctest tests the mutant lists (v2 writer mutants: the v2 unit tests,
the verifier's, the fuzz replays), then, only when nothing caught it yet, fuzz the harnesses
meant to catch it until one fails or the bound passes. Prints a table: mutant, caught by
(every harness seed run and listed test that failed), seconds. Exit status 1 if any mutant
survives or cannot be planted (the code it edits changed: update the mutant here).

usage: ci/mutants.sh [--seconds=N] [--only=NAME,...] [--keep] [--fuzz-all]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HARNESSES = ["varint", "decode", "split", "roundtrip", "differential", "roundtrip_v2"]

# ctest tests the v2 writer mutants run (names as in ctest; "unit.X" is built from target X,
# "fuzz.replay.H" from fuzz_replay_H).
V2_TESTS = ["unit.test_encode_roundtrip_v2", "unit.test_encode_repro_v2", "unit.test_verify",
            "fuzz.replay.roundtrip_v2", "fuzz.replay.roundtrip"]

class FUNC(str):
    """Marks a mutant that replaces a whole C function (from its definition to its closing
    brace at column 0) instead of an exact text."""


# name, file, exact text (or FUNC(name)), replacement, harnesses to fuzz (after the seed replay),
# what it plants[, ctest tests to run after the seed replay]
MUTANTS = [
    ("flush-check-1-byte-small", "ref/lib/tbuf.c",
     "if (!b->open || b->cap - b->pos < need) return st_tbuf_flush(b, pid);",
     "if (!b->open || b->cap - b->pos + 1 < need) return st_tbuf_flush(b, pid);",
     ["roundtrip", "differential"],
     "every room check (events, strings, stacks) accepts one byte less room than needed"),
    ("stack-legacy-need-1-byte-small", "ref/lib/tbuf.c",
     "return sat_add(1 + ST_BYTES_PER_NUMBER, payload_len);",
     "return sat_add(ST_BYTES_PER_NUMBER, payload_len);",
     ["roundtrip"], "Go 1.19 EvStack room check 10 + len instead of 1 + 10 + len"),
    ("stack-direct-bound-1-byte-small", "ref/lib/tbuf.c",
     "return sat_add(1 + ST_BYTES_PER_NUMBER, st_stack_payload_bound(nframes));",
     "return sat_add(ST_BYTES_PER_NUMBER, st_stack_payload_bound(nframes));",
     ["roundtrip"], "Go 1.20+ EvStack room check 30 + 40n instead of 31 + 40n"),
    ("string-bound-1-byte-small", "ref/lib/tbuf.c",
     "size_t st_string_bound(size_t len) { return sat_add(1 + 2 * ST_BYTES_PER_NUMBER, len); }",
     "size_t st_string_bound(size_t len) { return sat_add(2 * ST_BYTES_PER_NUMBER, len); }",
     ["roundtrip"], "EvString room check 20 + len instead of 21 + len"),
    ("backpatched-length-1-short", "ref/lib/dump.c",
     "if (d->cfg.algo == ST_ALGO_DIRECT) st_varint_put_width(p + 1, len - body, ST_VARINT_MAX);",
     "if (d->cfg.algo == ST_ALGO_DIRECT) st_varint_put_width(p + 1, len - body - 1, ST_VARINT_MAX);",
     ["roundtrip", "differential"], "direct dump back-patches L - 1"),
    ("string-after-its-stack", "ref/lib/dump.c", FUNC("st_dump_record"),
     """st_enc_status st_dump_record(st_dumper *d, uint64_t id, const st_enc_frame *frames, size_t n) {
  /* MUTANT (legacy): the last frame's file name, when new, gets its ID at once but its
   * EvString is written only after the record that uses it. */
  if (over_limit(d, n)) {
    d->failed_id = id;
    return ST_ENC_E_LIMIT;
  }
  int deferred = 0;
  if (n > 0 && d->cfg.algo == ST_ALGO_LEGACY) {
    const char *fs = frames[n - 1].file;
    size_t fl = frames[n - 1].file_len;
    uint64_t have;
    if (fl > ST_NAME_MAX) {
      fs += fl - ST_NAME_MAX;
      fl = ST_NAME_MAX;
    }
    deferred = fl > 0 && !st_strtab_find(d->strings, fs, fl, &have);
  }
  st_enc_status s;
  if (deferred) {
    s = intern_frames(d, frames, d->ids, 0, n - 1);
    if (!s)
      s = st_strtab_intern_name(d->strings, d->buf, d->cfg.pid, frames[n - 1].fn,
                                frames[n - 1].fn_len, &d->ids[2 * (n - 1)]);
    d->ids[2 * (n - 1) + 1] = d->strings->next_id;
  } else {
    s = intern_frames(d, frames, d->ids, 0, n);
  }
  if (s) {
    d->failed_id = id;
    return s;
  }
  s = write_record(d, id, frames, n);
  if (!s && deferred) {
    uint64_t late;
    s = st_strtab_intern_name(d->strings, d->buf, d->cfg.pid, frames[n - 1].file,
                              frames[n - 1].file_len, &late);
  }
  return s;
}
""",
     ["roundtrip"],
     "Go 1.19 record primitive: a stack's last new file name is written after the stack",
     ["unit.test_encode_repro", "unit.test_verify"]),
    ("varint-10th-byte-unchecked", "ref/lib/varint.c",
     "return b > 1 ? ST_VARINT_OVERFLOW : ST_VARINT_OK;",
     "return ST_VARINT_OK;",
     ["varint", "decode"], "the 10th varint byte may hold bits past 64"),
    ("direct-length-minimal", "ref/lib/dump.c",
     "  st_varint_put_width(p + 1, len - body, ST_VARINT_MAX);",
     """  { /* MUTANT: a minimal length instead of the 10-byte padded one */
    size_t plen = len - body, w = st_varint_put(p + 1, plen);
    memmove(p + 1 + w, p + body, plen);
    len = 1 + w + plen;
  }""",
     ["differential", "roundtrip"], "the direct dump writes EvStack lengths minimal"),
    # ---- v2 writer (Go 1.22+, spec §8) ----
    ("v2-batch-size-not-backpatched", "ref/lib/tbuf.c",
     "  if (b->v2) st_varint_put_width(b->mem + b->size_pos, b->pos - (b->size_pos + 10), 10);",
     "  /* MUTANT: the reserved 10-byte size is never back-patched */",
     ["roundtrip_v2"], "v2 batches keep their reserved size field (zeros)", V2_TESTS),
    ("v2-string-ensure-1-byte-short", "ref/lib/strtab.c",
     "st_enc_status st = st_tbuf_make_room(b, m, st_v2_string_bound(len));",
     "st_enc_status st = st_tbuf_make_room(b, m, st_v2_string_bound(len) - 1);",
     ["roundtrip_v2"], "v2 string section: ensure(21 + len) instead of 22 + len", V2_TESTS),
    ("v2-stack-ensure-1-byte-short", "ref/lib/dump.c",
     "size_t need = st_v2_stack_bound(n);",
     "size_t need = st_v2_stack_bound(n) - 1;",
     ["roundtrip_v2"], "v2 stack section: ensure(21 + 40n) instead of 22 + 40n", V2_TESTS),
    ("v2-strings-marker-first-batch-only", "ref/lib/strtab.c",
     "if (b->pos == b->head_len) st_tbuf_byte(b, ST_EV2_STRINGS);",
     "if (b->pos == b->head_len && b->batches == 0) st_tbuf_byte(b, ST_EV2_STRINGS);",
     ["roundtrip_v2"], "v2: `04` only in the first strings batch, missing after later flushes",
     V2_TESTS),
    ("v2-stacks-marker-first-batch-only", "ref/lib/dump.c",
     "if (d->buf->pos == d->buf->head_len) st_tbuf_byte(d->buf, ST_EV2_STACKS);",
     "if (d->buf->pos == d->buf->head_len && d->buf->batches == 0) "
     "st_tbuf_byte(d->buf, ST_EV2_STACKS);",
     ["roundtrip_v2"], "v2: `02` only in the first stacks batch, missing after later flushes",
     V2_TESTS),
    ("name-cut-keeps-first-bytes", "ref/lib/strtab.c",
     "    s += len - ST_NAME_MAX;\n",
     "",
     ["roundtrip_v2", "roundtrip"],
     "function/file names longer than 1024 keep their FIRST 1024 bytes (st_strtab_intern_name)",
     V2_TESTS),
    ("v2-string-cut-keeps-last-bytes", "ref/lib/strtab.c",
     "  if (len > ST_V2_MAX_STRING_LEN) len = ST_V2_MAX_STRING_LEN; /* keeps the first bytes */",
     "  if (len > ST_V2_MAX_STRING_LEN) { /* MUTANT: keeps the last bytes */\n"
     "    s += len - ST_V2_MAX_STRING_LEN;\n"
     "    len = ST_V2_MAX_STRING_LEN;\n"
     "  }",
     ["roundtrip_v2"], "v2 strings longer than 1024 keep their LAST 1024 bytes (write_v2)",
     V2_TESTS),
    # The decoder's record fast paths (issue 14): each must send to the general path what it
    # cannot take without firing a rule.
    ("fast-stack-dup-unchecked", "ref/lib/decode_int.h",
     "if (id == 0 || id > STI_DENSE_MAX || w >= d->stack_words || (d->stack_bits[w] & m)) return 0;",
     "if (id == 0 || id > STI_DENSE_MAX || w >= d->stack_words) return 0;",
     ["split"], "the stack fast paths take a stack ID already defined (no STACK-DUP-ID)",
     ["unit.test_decode_stacks", "fuzz.replay.split"]),
    ("fast-name-bound-inclusive", "ref/lib/decode_int.h",
     "if ((x & bytes[k]) < d->str_known_below_enc) return 0;",
     "if ((x & bytes[k]) <= d->str_known_below_enc) return 0;",
     ["split"], "a frame naming the first string not known yet passes the fast name check",
     ["unit.test_decode_stacks", "fuzz.replay.split"]),
    ("fast-v2-stack-past-batch", "ref/lib/decode_v2.c",
     "if (!e || e > stop || !sti_stack_define_fast(d, id)) break;",
     "if (!e || e > stop + 8 || !sti_stack_define_fast(d, id)) break;",
     ["split"], "v2 Stack fast path takes a record that runs past its batch (no BATCH-OVERRUN)",
     ["unit.test_decode_stacks", "fuzz.replay.split"]),
]


def test_target(test):
    """The build target of a ctest test name."""
    if test.startswith("unit."):
        return test[len("unit."):]
    if test.startswith("fuzz.replay."):
        return "fuzz_replay_" + test[len("fuzz.replay."):]
    raise ValueError(test)


def plant(src, text, repl):
    """The mutated source, or None when the text to replace is not there exactly once."""
    if isinstance(text, FUNC):
        # a static or a public function returning st_enc_status, defined at column 0
        head = "static st_enc_status %s(" % text
        if src.find(head) < 0:
            head = "\nst_enc_status %s(" % text
        i = src.find(head)
        if i < 0 or src.find(head, i + 1) >= 0:
            return None
        if head.startswith("\n"):
            i += 1
        j = src.find("\n}\n", i)
        return None if j < 0 else src[:i] + repl.rstrip("\n") + src[j + 2:]
    if src.count(text) != 1:
        return None
    return src.replace(text, repl)


def run(cmd, cwd, timeout=None, log=None):
    with open(log or os.devnull, "w") as out:
        try:
            return subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                  timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            return None


def copy_tree(dst):
    """The sources a fuzz build needs, copied (build folders and .git left out)."""
    def ignore(d, names):
        return [n for n in names if n.startswith("build") or n == ".git"]
    for item in ["CMakeLists.txt", "CMakePresets.json", "cmake", "ref", "fuzz", "corpus", "conformance",
                 "ci"]:
        s = os.path.join(ROOT, item)
        if os.path.isdir(s):
            shutil.copytree(s, os.path.join(dst, item), ignore=ignore)
        elif os.path.exists(s):
            shutil.copy2(s, os.path.join(dst, item))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=120, help="fuzzing bound per mutant")
    ap.add_argument("--only", default="", help="comma-separated mutant names")
    ap.add_argument("--keep", action="store_true", help="keep the copy (its path is printed)")
    ap.add_argument("--fuzz-all", action="store_true",
                    help="fuzz every harness listed for a mutant that its seeds did not catch, "
                         "even when something else caught it (each up to --seconds)")
    a = ap.parse_args()
    only = set(filter(None, a.only.split(",")))
    tmp = tempfile.mkdtemp(prefix="stacktab-mutants-")
    copy = os.path.join(tmp, "src")
    os.makedirs(copy)
    copy_tree(copy)
    build = os.path.join(tmp, "build")
    selected = [m for m in MUTANTS if not only or m[0] in only]
    tests = sorted({t for m in selected if len(m) > 6 for t in m[6]})
    cfg = ["cmake", "-S", copy, "-B", build, "-DCMAKE_C_COMPILER=clang",
           "-DCMAKE_BUILD_TYPE=RelWithDebInfo", "-DST_FUZZ=ON",
           "-DST_BUILD_TESTS=%s" % ("ON" if tests else "OFF"),
           "-DST_WERROR=ON", "-DST_INSTALL=OFF"]
    targets = ["fuzz_" + h for h in HARNESSES] + [test_target(t) for t in tests]
    if run(cfg, tmp, log=os.path.join(tmp, "configure.log")) != 0:
        print("mutants: configure failed, see", os.path.join(tmp, "configure.log"))
        return 1
    bins = os.path.join(build, "fuzz")

    def build_all(tag):
        log = os.path.join(tmp, "build-%s.log" % tag)
        return run(["cmake", "--build", build, "-j2", "--target"] + targets, tmp, log=log) == 0

    if not build_all("pristine"):
        print("mutants: the unmutated tree does not build")
        return 1
    # The harnesses and tests must pass on the unmutated code, or a "catch" would mean nothing.
    for h in HARNESSES:
        if run([os.path.join(bins, "fuzz_" + h), "-runs=0", os.path.join(copy, "corpus", h)],
               tmp) != 0:
            print("mutants: fuzz_%s fails on its seeds without any mutant: fix that first" % h)
            return 1

    def ctest(names, log):
        """The listed tests that fail."""
        failed = []
        for t in names:
            rc = run(["ctest", "--test-dir", build, "-R", "^%s$" % t.replace(".", "\\."),
                      "--timeout", "300", "--output-on-failure"], tmp,
                     log="%s-%s.log" % (log, t))
            if rc != 0:
                failed.append(t)
        return failed

    bad_tests = ctest(tests, os.path.join(tmp, "pristine"))
    if bad_tests:
        print("mutants: %s fail without any mutant: fix that first" % ", ".join(bad_tests))
        return 1

    rows, bad = [], 0
    for mutant in selected:
        name, rel, text, repl, fuzz_with, what = mutant[:6]
        mtests = mutant[6] if len(mutant) > 6 else []
        path = os.path.join(copy, rel)
        orig = open(path).read()
        mutated = plant(orig, text, repl)
        if mutated is None:
            rows.append((name, "NOT PLANTED (code changed)", "-"))
            bad = 1
            continue
        with open(path, "w") as f:
            f.write(mutated)
        caught, secs = None, None
        try:
            if not build_all(name):
                rows.append((name, "NOT BUILT (see build-%s.log)" % name, "-"))
                bad = 1
                continue
            t0 = time.time()
            by = []
            for h in HARNESSES:  # 1. the seed corpora, once each
                rc = run([os.path.join(bins, "fuzz_" + h), "-runs=0",
                          os.path.join(copy, "corpus", h)], tmp,
                         log=os.path.join(tmp, "%s-seeds-%s.log" % (name, h)))
                if rc != 0:
                    by.append("%s (seeds)" % h)
                    if not mtests:
                        break  # the v1 mutants: the first catch is enough
            by += ctest(mtests, os.path.join(tmp, name))  # 2. the listed ctest tests
            if by:
                caught, secs = ", ".join(by), time.time() - t0
            for h in fuzz_with:  # 3. fuzzing, within what is left of the bound
                if caught and not a.fuzz_all:
                    break
                if "%s (seeds)" % h in by:
                    continue
                t1 = time.time()
                left = a.seconds - (t1 - t0) if not a.fuzz_all else a.seconds
                if left < 1:
                    break
                dict_ = os.path.join(copy, "fuzz", h + ".dict")
                work = os.path.join(tmp, "%s-%s" % (name, h))
                os.makedirs(work, exist_ok=True)
                cmd = [os.path.join(bins, "fuzz_" + h), "-max_total_time=%d" % int(left),
                       "-max_len=65536", "-artifact_prefix=%s/" % work, work,
                       os.path.join(copy, "corpus", h)]
                if os.path.exists(dict_):
                    cmd.insert(1, "-dict=" + dict_)
                rc = run(cmd, tmp, timeout=left + 60, log=os.path.join(work, "fuzz.log"))
                if rc not in (0, None):
                    if not caught:
                        caught, secs = "%s (fuzzing)" % h, time.time() - t0
                    else:  # --fuzz-all: how long the harness alone needed
                        caught += ", %s (fuzzing: %.1f s)" % (h, time.time() - t1)
                elif caught:
                    caught += ", %s (fuzzing: not in %d s)" % (h, a.seconds)
        finally:
            with open(path, "w") as f:
                f.write(orig)
        if caught:
            rows.append((name, caught, "%.1f" % secs))
        else:
            rows.append((name, "SURVIVED %d s" % a.seconds, "-"))
            bad = 1
    build_all("restored")

    w = max(len(r[0]) for r in rows) if rows else 6
    print("%-*s  %8s  %s" % (w, "mutant", "seconds", "caught by"))
    for r in rows:
        print("%-*s  %8s  %s" % (w, r[0], r[2], r[1]))
    if a.keep:
        print("copy kept in", tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return bad


if __name__ == "__main__":
    sys.exit(main())
