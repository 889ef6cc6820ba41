#!/usr/bin/env bash
# clang AddressSanitizer + UndefinedBehaviorSanitizer build (preset asan) running
# the whole ctest suite: unit, conformance, gocheck, fuzz replay, encode tests.
# Any sanitizer report aborts the process (-fno-sanitize-recover=all, halt_on_error)
# and so fails its test.
#
# usage: ci/sanitize.sh [extra ctest args, e.g. -L unit]
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=${CI_JOBS:-$(nproc)}
start=$SECONDS
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

rc=0
cmake --preset asan -DST_WERROR=ON >/dev/null || rc=1
[ $rc -ne 0 ] || cmake --build --preset asan -j"$jobs" || rc=1
[ $rc -ne 0 ] || ctest --test-dir build-asan -j"$jobs" --output-on-failure "$@" || rc=1

t=$((SECONDS - start))
if [ $rc -eq 0 ]; then
  echo "sanitize: PASS (clang ASan+UBSan, whole ctest suite; ${t}s)"
else
  echo "sanitize: FAIL (see the output above; ${t}s)"
  exit 1
fi
