#!/bin/sh
# Decoder adapter for Go 1.23's own trace reader (`go tool trace -d=1`: internal/trace parses the
# whole trace, orders it and prints every event; v1 traces go through its oldtrace converter).
# Capability: accept/reject only. Run it with
#   conformance/run --decoder conformance/adapters/go123-decode.sh --caps accept-reject \
#       --xfail conformance/xfail/go123.txt
# Trace bytes on stdin; case options are ignored (Go has no buffer-size or table limits).
# Exit 0 accepted; 1 rejected (`reject - -`, Go's message on stderr; also when Go printed
# events and then an error); 3 when Go crashed (a panic: a Go bug, never a verdict); 77 when the
# toolchain is absent. GO_TRACE_VERSION (default 1.23) picks the toolchain (go122-decode.sh).
ver=${GO_TRACE_VERSION:-1.23}
here=$(dirname "$0")
. "$here/../../ci/gover.sh"
if ! go=$(st_find_go "$ver"); then
  echo "go$ver not found (/usr/lib/go-$ver/bin/go, or set GO$(echo "$ver" | tr -d .))" >&2
  exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/go${ver}-adapter.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
cat >"$tmp/in.trace" || exit 2
HOME=$tmp
export HOME
st_go_private_env "$tmp" off
timeout "${GO_TRACE_TIMEOUT:-60}" "$go" tool trace -http=127.0.0.1:0 -d=1 "$tmp/in.trace" \
  >/dev/null 2>"$tmp/err"
rc=$?
if grep -q '^panic: \|^fatal error: \|^goroutine [0-9]* \[' "$tmp/err"; then
  echo "go$ver crashed (exit $rc):" >&2; head -n 5 "$tmp/err" >&2; exit 3
fi
case $rc in
  0) exit 0 ;;
  1) echo "reject - -"; grep -v ' Parsing trace\.\.\.$' "$tmp/err" | tail -n 3 >&2; exit 1 ;;
  124) echo "go$ver timed out" >&2; exit 2 ;;
  *) cat "$tmp/err" >&2; exit 2 ;;
esac
