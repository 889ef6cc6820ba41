#!/bin/sh
# Decoder adapter for Go 1.19's own reader (`go tool trace -d`, through ci/go-trace-events.sh).
# Capability: accept/reject only (Go prints neither stack tables nor rule IDs). Run it with
#   conformance/run --decoder conformance/adapters/go119-decode.sh --caps accept-reject \
#       --xfail conformance/xfail/go119.txt
# Trace bytes on stdin; case options are ignored (Go has no buffer-size or table limits).
# Exit 0 accepted, 1 rejected (`reject - -`, Go's message on stderr), 77 when Go 1.19 is absent.
here=$(dirname "$0")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/go119-adapter.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
cat >"$tmp/in.trace" || exit 2
GO_TRACE_TIMEOUT=${GO_TRACE_TIMEOUT:-60} "$here/../../ci/go-trace-events.sh" "$tmp/in.trace" >/dev/null 2>"$tmp/err"
rc=$?
case $rc in
  0) exit 0 ;;
  1) echo "reject - -"; cat "$tmp/err" >&2; exit 1 ;;
  *) cat "$tmp/err" >&2; exit "$rc" ;;
esac
