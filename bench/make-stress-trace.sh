#!/bin/sh
# Build bench/go-stress with Debian's Go 1.19 and write a large real trace
# for the benchmarks. The output is never committed.
#
# usage: bench/make-stress-trace.sh OUT [MB]   (MB: at least this many MiB, default 60)
# Extra go-stress flags may follow MB, e.g. -stacks 20000 -procs 2.
# Exit 77 when Go 1.19 is not installed.
set -eu
if [ $# -lt 1 ]; then
  echo "usage: $0 OUT [MB] [go-stress flags...]" >&2
  exit 2
fi
out=$1; shift
mb=${1:-60}; [ $# -gt 0 ] && shift
here=$(cd "$(dirname "$0")" && pwd)
go=${GO:-/usr/lib/go-1.19/bin/go}
if ! "$go" version 2>/dev/null | grep -q '^go version go1\.19'; then
  echo "$0: Go 1.19 not found at $go (set GO=...)" >&2
  exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/make-stress.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
export GOCACHE="$tmp/cache" GOPATH="$tmp/gopath" GOFLAGS=-mod=mod GO111MODULE=on
[ -n "${HOME:-}" ] || export HOME="$tmp"
(cd "$here/go-stress" && "$go" build -o "$tmp/go-stress" .)
"$tmp/go-stress" -o "$out" -mb "$mb" "$@"
