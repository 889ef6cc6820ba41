#!/bin/sh
# Compare Go 1.19's own reading of a trace (`go tool trace -d`) with
# `stacktab dump --json`, event by event (see check_against_go.py for the
# exact rules).
#
# usage: corpus/check-against-go.sh TRACE STACKTAB_BIN
# Exit 0 when they agree, 1 when they differ or either reader fails, 77 (skip)
# when the trace, Go 1.19 or python3 is missing.
set -u
if [ $# -ne 2 ]; then
  echo "usage: $0 TRACE STACKTAB_BIN" >&2
  exit 2
fi
trace=$1 stacktab=$2
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -r "$trace" ]; then
  echo "SKIP: trace $trace is absent" >&2
  exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "SKIP: python3 is not installed" >&2
  exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-against-go.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

sh "$here/../ci/go-trace-events.sh" --raw "$trace" >"$tmp/go.txt" 2>"$tmp/go.err"
rc=$?
if [ $rc -eq 77 ]; then
  cat "$tmp/go.err" >&2
  echo "SKIP: Go 1.19 is not installed" >&2
  exit 77
fi
if [ $rc -ne 0 ]; then
  echo "FAIL: Go 1.19 could not parse $trace:" >&2
  cat "$tmp/go.err" >&2
  exit 1
fi
if ! "$stacktab" dump --json "$trace" >"$tmp/st.json" 2>"$tmp/st.err"; then
  echo "FAIL: stacktab dump --json $trace failed:" >&2
  cat "$tmp/st.err" >&2
  exit 1
fi
python3 "$here/check_against_go.py" "$tmp/go.txt" "$tmp/st.json" "$(basename "$trace")"
