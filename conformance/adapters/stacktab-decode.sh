#!/bin/sh
# Decoder adapter for stacktab (protocol: conformance/README.md). Trace bytes on stdin; the
# case's options (--buf-size=N, --max-strings=N, ...) as arguments, passed to `stacktab dump`.
# Prints `stacktab dump --json` output and `warning RULE OFF` lines and exits 0, or prints
# `reject RULE OFF` for the first error and exits 1.
# STACKTAB_MODE: strict (default) or go.
# Which stacktab: $STACKTAB; else build/stacktab of the checkout this adapter is in; else,
# installed under PREFIX/share/stacktab/conformance/adapters/, PREFIX/bin/stacktab; else the
# stacktab on PATH.
here=$(dirname "$0")
if [ -n "${STACKTAB:-}" ]; then st=$STACKTAB
elif [ -x "$here/../../build/stacktab" ]; then st=$here/../../build/stacktab
elif [ -x "$here/../../../../bin/stacktab" ]; then st=$here/../../../../bin/stacktab
else st=stacktab
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/st-adapter.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
"$st" dump --json --mode="${STACKTAB_MODE:-strict}" "$@" - >"$tmp/out" 2>"$tmp/err"
rc=$?
# Diagnostics look like "-:OFFSET: RULE-ID: [warning: ]message".
case $rc in
  0)
    cat "$tmp/out"
    sed -n 's/^-:\([0-9]*\): \([A-Z0-9-]*\): warning: .*/warning \2 \1/p' "$tmp/err"
    exit 0 ;;
  1)
    line=$(grep -v '^-:[0-9]*: [A-Z0-9-]*: warning: ' "$tmp/err" | sed -n 's/^-:\([0-9]*\): \([A-Z0-9-]*\): .*/reject \2 \1/p' | head -n 1)
    if [ -z "$line" ]; then cat "$tmp/err" >&2; exit 2; fi
    echo "$line"
    exit 1 ;;
  *)
    cat "$tmp/err" >&2
    exit 2 ;;
esac
