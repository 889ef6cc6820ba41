#!/bin/sh
# Tests fuzz/oss-fuzz/build.sh as OSS-Fuzz / ClusterFuzzLite run it: the service's variables
# for a libFuzzer + ASan build (and, with --afl, the AFL++ one), then the service's basic
# checks: every target, seed corpus zip and dictionary exists, and every target runs its seed
# corpus once without a finding.
#
# usage: ci/oss-fuzz-build.sh [--afl] [OUT]     (OUT default: a temporary folder)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
engine=libfuzzer
if [ "${1:-}" = "--afl" ]; then engine=afl; shift; fi
out=${1:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -n "$out" ] || out=$tmp/out

if [ $engine = libfuzzer ]; then
  # The flags OSS-Fuzz's base-builder sets for SANITIZER=address, FUZZING_ENGINE=libfuzzer.
  flags="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
  env CC=clang CXX=clang++ CFLAGS="$flags" CXXFLAGS="$flags" LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
    OUT="$out" SRC="$root/.." WORK="$tmp/work" "$root/fuzz/oss-fuzz/build.sh"
else
  env CC=afl-clang-fast CXX=afl-clang-fast++ CFLAGS="-O2 -g" CXXFLAGS="-O2 -g" \
    LIB_FUZZING_ENGINE=/usr/lib/afl/libAFLDriver.a OUT="$out" WORK="$tmp/work" \
    "$root/fuzz/oss-fuzz/build.sh"
fi

status=0
for h in decode split varint roundtrip differential roundtrip_v2; do
  [ -f "$root/fuzz/fuzz_$h.c" ] || continue
  t=$out/fuzz_$h
  for f in "$t" "${t}_seed_corpus.zip" "$t.options"; do
    [ -e "$f" ] || { echo "oss-fuzz-build: missing $f" >&2; status=1; }
  done
  [ ! -f "$root/fuzz/$h.dict" ] || [ -e "$t.dict" ] || { echo "missing $t.dict" >&2; status=1; }
  mkdir -p "$tmp/seeds-$h"
  unzip -q -o "${t}_seed_corpus.zip" -d "$tmp/seeds-$h"
  if [ $engine = libfuzzer ]; then
    if "$t" -runs=0 "$tmp/seeds-$h" >"$tmp/run-$h.log" 2>&1; then
      echo "oss-fuzz-build: fuzz_$h ok ($(ls "$tmp/seeds-$h" | wc -l) seeds)"
    else
      tail -20 "$tmp/run-$h.log" >&2
      echo "oss-fuzz-build: fuzz_$h FAILED on its seeds" >&2
      status=1
    fi
  else
    # The AFL++ driver runs the files given on its command line, like a replay.
    if "$t" "$tmp/seeds-$h"/* >"$tmp/run-$h.log" 2>&1; then
      echo "oss-fuzz-build: fuzz_$h (afl) ok"
    else
      tail -20 "$tmp/run-$h.log" >&2
      echo "oss-fuzz-build: fuzz_$h (afl) FAILED on its seeds" >&2
      status=1
    fi
  fi
done
exit $status
