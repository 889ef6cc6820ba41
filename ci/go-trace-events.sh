#!/bin/sh
# Print the events Go 1.19's own trace reader parses from a trace file, one
# line per event, in Go's printed order: "OFFSET NAME" (decimal byte offset
# of the event in the file, Go's event name).
#
# usage: ci/go-trace-events.sh [--raw] FILE
#   --raw   print Go's lines unchanged ("TS NAME p=P g=G off=OFF args...")
#
# Runs `go tool trace -d`, which parses the whole trace with internal/trace
# (ordering, removal of futile wakeups, consistency checks) and prints it.
# Exit status: 0 when Go parsed the file; 1 when Go rejected it (Go's error
# message on stderr); 2 for usage errors; 77 when Go 1.19 is not installed.
#
# Environment: GO (path of a Go 1.19 `go`, default /usr/lib/go-1.19/bin/go,
# then `go` on PATH if it is 1.19), GO_TRACE_TIMEOUT (seconds, default 900).
set -u

raw=0
if [ "${1:-}" = "--raw" ]; then raw=1; shift; fi
if [ $# -ne 1 ]; then
  echo "usage: $0 [--raw] FILE" >&2
  exit 2
fi
file=$1
if [ ! -r "$file" ]; then
  echo "$0: cannot read $file" >&2
  exit 2
fi

. "$(dirname "$0")/go119.sh"
if ! go=$(st_find_go119); then
  echo "$0: Go 1.19 not found (set GO=/path/to/go1.19/bin/go)" >&2
  exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/go-trace-events.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
# `go` may want a cache and home even for `go tool`.
st_go_private_env "$tmp" off

# cmd/trace opens its HTTP listener before parsing (it does not serve with
# -d: it prints and exits); bind it to loopback on a free port. The timeout
# guards against a hang all the same.
timeout "${GO_TRACE_TIMEOUT:-900}" "$go" tool trace -http=127.0.0.1:0 -d "$file" \
  >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ]; then
  if [ $rc -eq 124 ]; then
    echo "$0: go tool trace timed out after ${GO_TRACE_TIMEOUT:-900}s" >&2
  fi
  # Drop cmd/trace's "Parsing trace..." log line; keep Go's error message.
  grep -v ' Parsing trace\.\.\.$' "$tmp/err" >&2
  exit 1
fi

if [ $raw -eq 1 ]; then
  cat "$tmp/out"
else
  # An event line is "TS NAME p=P g=G off=OFF ..."; a UserLog message with
  # a newline continues on lines of its own, which this pattern skips.
  LC_ALL=C awk '$1 ~ /^-?[0-9]+$/ && $3 ~ /^p=-?[0-9]+$/ && $4 ~ /^g=[0-9]+$/ && $5 ~ /^off=[0-9]+$/ {
    print substr($5, 5), $2
  }' "$tmp/out"
fi
