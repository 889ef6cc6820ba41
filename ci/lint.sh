#!/usr/bin/env bash
# Static analysis of ref/lib and ref/cli with zero findings allowed:
#  - clang-tidy with the checks in the top-level .clang-tidy (each disabled check
#    is justified there; findings are errors);
#  - cppcheck --enable=warning,style,performance,portability; the few false
#    positives are suppressed inline (cppcheck-suppress) with a comment saying why.
# Both read build/compile_commands.json (the default preset is configured if needed).
#
# usage: ci/lint.sh
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=${CI_JOBS:-$(nproc)}
start=$SECONDS
[ -f build/compile_commands.json ] || cmake --preset default >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Only the library and the CLI (tests, fuzz harnesses and benchmarks are not
# held to this bar).
python3 - build/compile_commands.json "$tmp/compile_commands.json" <<'PY'
import json, sys
cmds = json.load(open(sys.argv[1]))
keep = [c for c in cmds if "/ref/lib/" in c["file"] or "/ref/cli/" in c["file"]]
# ref/lib is compiled twice (libstacktab.a and libstacktab.so): lint each file once.
seen = set()
keep = [c for c in keep if not (c["file"] in seen or seen.add(c["file"]))]
json.dump(keep, open(sys.argv[2], "w"))
print(f"lint: {len(keep)} files of ref/lib and ref/cli")
PY
mapfile -t srcs < <(python3 -c 'import json,sys; print("\n".join(c["file"] for c in json.load(open(sys.argv[1]))))' "$tmp/compile_commands.json")

fail=()
echo "=== clang-tidy"
tidy=$(command -v clang-tidy || command -v clang-tidy-14)
if ! printf '%s\n' "${srcs[@]}" | xargs -n 4 -P "$jobs" "$tidy" -p "$tmp" --quiet 2>"$tmp/tidy.err"; then
  grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^Error while processing' \
    "$tmp/tidy.err" || true
  fail+=(clang-tidy)
fi

echo "=== cppcheck"
if ! cppcheck --project="$tmp/compile_commands.json" --enable=warning,style,performance,portability \
     --error-exitcode=1 --inline-suppr --quiet -j"$jobs" \
     --template='{file}:{line}:{column}: {severity}: {message} [{id}]'; then
  fail+=(cppcheck)
fi

t=$((SECONDS - start))
if [ ${#fail[@]} -eq 0 ]; then
  echo "lint: PASS (clang-tidy + cppcheck, zero findings over ${#srcs[@]} files; ${t}s)"
else
  echo "lint: FAIL (${fail[*]}; ${t}s)"
  exit 1
fi
