#!/usr/bin/env bash
# Compiler matrix: gcc and clang, Release and Debug, each with the project's
# -Wall -Wextra -Wpedantic -Werror (every preset sets ST_WERROR=ON; it is forced here too
# so a stale cache cannot turn it off). Each build runs only the unit tests; the
# whole suite runs once, in the sanitizer and coverage builds.
#
# usage: ci/build-matrix.sh [PRESET...]   (default: all four)
set -euo pipefail
cd "$(dirname "$0")/.."

presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(gcc-release gcc-debug clang-release clang-debug)
jobs=${CI_JOBS:-$(nproc)}
failed=()
start=$SECONDS

for p in "${presets[@]}"; do
  echo "=== build-matrix: $p"
  if cmake --preset "$p" -DST_WERROR=ON >/dev/null \
     && cmake --build --preset "$p" -j"$jobs" \
     && ctest --test-dir "build-${p}" -L unit -j"$jobs" --output-on-failure; then
    echo "--- $p: ok"
  else
    echo "--- $p: FAILED"
    failed+=("$p")
  fi
done

t=$((SECONDS - start))
if [ ${#failed[@]} -eq 0 ]; then
  echo "build-matrix: PASS (${presets[*]}; ${t}s)"
else
  echo "build-matrix: FAIL (${failed[*]}; ${t}s)"
  exit 1
fi
