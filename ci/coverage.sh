#!/usr/bin/env bash
# Line and branch coverage of ref/lib and ref/cli (gcc --coverage, preset
# coverage) from the ordinary ctest suite alone: unit, conformance, gocheck,
# fuzz replay, encode tests; whatever is registered. Writes an HTML report to
# build-coverage/coverage-html and fails below the thresholds in
# ci/coverage-thresholds.
#
# usage: ci/coverage.sh [extra ctest args]
# ST_COVERAGE_DIR=dir puts the build elsewhere (default build-coverage), so that two people
# can measure at once; ci/coverage-gaps.py DIR/coverage.info then lists the lines to test.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=${CI_JOBS:-$(nproc)}
start=$SECONDS
bdir=${ST_COVERAGE_DIR:-build-coverage}
# lcov 1.16 (Debian 12) counts branches only when asked.
rc_br=(--rc lcov_branch_coverage=1)

# shellcheck disable=SC1091
. <(grep -E '^(lines|branches)=[0-9.]+$' ci/coverage-thresholds)
: "${lines:?ci/coverage-thresholds: no lines=}" "${branches:?ci/coverage-thresholds: no branches=}"

cmake --preset coverage -B "$bdir" >/dev/null
cmake --build "$bdir" -j"$jobs"
# Counters from an earlier run would inflate the numbers.
lcov --quiet --zerocounters --directory "$bdir"

test_rc=0
ctest --test-dir "$bdir" -j"$jobs" --output-on-failure "$@" || test_rc=$?

lcov --quiet "${rc_br[@]}" --capture --directory "$bdir" --base-directory . \
     --output-file "$bdir/coverage.all.info" 2>"$bdir/lcov.log" || { cat "$bdir/lcov.log"; exit 1; }
lcov --quiet "${rc_br[@]}" --extract "$bdir/coverage.all.info" \
     "$PWD/ref/lib/*" "$PWD/ref/cli/*" --output-file "$bdir/coverage.info"
rm -rf "$bdir/coverage-html"
genhtml --quiet "${rc_br[@]}" --branch-coverage --legend --title "stacktab ref/ coverage" \
        --output-directory "$bdir/coverage-html" "$bdir/coverage.info" >/dev/null

summary=$(lcov "${rc_br[@]}" --summary "$bdir/coverage.info" 2>&1)
# lcov prints e.g. "  lines......: 87.7% (1734 of 1977 lines)".
pct() { awk -v k="$1" '$1 ~ "^" k "\\.*:$" { sub("%", "", $2); print $2 }' <<<"$summary"; }
lp=$(pct lines); bp=$(pct branches)
echo "$summary" | grep -E '^ +(lines|functions|branches)'

# Per-file table of what is not yet covered, worst first, for whoever raises the gate.
lcov --quiet "${rc_br[@]}" --list "$bdir/coverage.info" | sed -n '1,60p' || true

below() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }
t=$((SECONDS - start))
why=()
[ "$test_rc" -eq 0 ] || why+=("ctest failed")
below "${lp:-0}" "$lines" && why+=("lines ${lp}% < ${lines}%")
below "${bp:-0}" "$branches" && why+=("branches ${bp}% < ${branches}%")
if [ ${#why[@]} -eq 0 ]; then
  echo "coverage: PASS (lines ${lp}% >= ${lines}%, branches ${bp}% >= ${branches}%; report $bdir/coverage-html/index.html; ${t}s)"
else
  echo "coverage: FAIL (${why[*]}; lines ${lp}%, branches ${bp}%; report $bdir/coverage-html/index.html; ${t}s)"
  exit 1
fi
