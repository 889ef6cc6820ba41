#!/usr/bin/env bash
# valgrind memcheck of the stacktab CLI (`check` and `dump --json`) over the real
# traces (../shared/corpus/real and real-v2, skipped when absent), the project's own traces
# (corpus/own) and every conformance case trace (valid and invalid).
#
# stacktab exits 0 (valid) or 1 (invalid input; expected for the n_ cases), so
# those are accepted; valgrind's own error exit code (99) or any other status
# (2 = usage/I-O error, a crash) is a failure.
#
# usage: ci/valgrind.sh [BUILD_DIR]   (default: build-debug, built with the debug preset)
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=${CI_JOBS:-$(nproc)}
start=$SECONDS
bdir=${1:-}
if [ -z "$bdir" ]; then
  # Debug (-O0 -g) gives exact line numbers in reports; no sanitizer, which
  # would conflict with valgrind.
  cmake --preset debug >/dev/null
  cmake --build --preset debug -j"$jobs" --target stacktab >/dev/null
  bdir=build-debug
fi
bin="$bdir/stacktab"
[ -x "$bin" ] || { echo "valgrind: FAIL (no $bin)"; exit 1; }

files=()
if compgen -G "../shared/corpus/real/*.trace" >/dev/null; then
  files+=(../shared/corpus/real/*.trace)
else
  echo "valgrind: ../shared/corpus/real absent, real traces skipped"
fi
if compgen -G "../shared/corpus/real-v2/*.trace" >/dev/null; then
  files+=(../shared/corpus/real-v2/*.trace)
else
  echo "valgrind: ../shared/corpus/real-v2 absent, real v2 traces skipped"
fi
files+=(corpus/own/*.trace conformance/cases/*.trace)

logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT
vg=(valgrind --tool=memcheck --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite,indirect,possible --track-origins=yes --quiet)

# Each xargs worker gets VG (the valgrind command line); valgrind's report goes to a
# log printed only on failure; stdout is discarded (dump output is large).
export VG="${vg[*]}"

fail=0
# check takes many files: a few valgrind runs of ~40 files each, 2 in parallel.
printf '%s\0' "${files[@]}" | xargs -0 -n 40 -P "$jobs" bash -c '
  vg=($VG); log=$(mktemp -p '"$logdir"')
  rc=0; "${vg[@]}" --log-file="$log" '"$bin"' check "$@" >/dev/null 2>&1 || rc=$?
  if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then echo "valgrind error (exit $rc): check $*"; cat "$log"; exit 1; fi
' _ || fail=1

# dump takes one file: one valgrind run per file, in parallel.
printf '%s\0' "${files[@]}" | xargs -0 -n 1 -P "$jobs" bash -c '
  vg=($VG); log=$(mktemp -p '"$logdir"')
  rc=0; "${vg[@]}" --log-file="$log" '"$bin"' dump --json "$1" >/dev/null 2>&1 || rc=$?
  if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then echo "valgrind error (exit $rc): dump --json $1"; cat "$log"; exit 1; fi
' _ || fail=1

t=$((SECONDS - start))
if [ $fail -eq 0 ]; then
  echo "valgrind: PASS (check + dump --json over ${#files[@]} traces, memcheck clean; ${t}s)"
else
  echo "valgrind: FAIL (${t}s)"
  exit 1
fi
