#!/bin/sh
# Build bench/go-stress with Debian's Go 1.19 (or the Go of $STRESS_GO, e.g. 1.23, for a v2
# trace) and write a large real trace for the benchmarks. The output is never committed.
#
# usage: bench/make-stress-trace.sh OUT [MB]   (MB: at least this many MiB, default 60)
# Extra go-stress flags may follow MB, e.g. -stacks 20000 -procs 2.
# Exit 77 when that Go is not installed.
set -eu
if [ $# -lt 1 ]; then
  echo "usage: $0 OUT [MB] [go-stress flags...]" >&2
  exit 2
fi
out=$1; shift
mb=${1:-60}; [ $# -gt 0 ] && shift
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../ci/go119.sh"
ver=${STRESS_GO:-1.19}
if [ "$ver" = 1.19 ]; then go=$(st_find_go119) || go=""; else go=$(st_find_go "$ver") || go=""; fi
if [ -z "$go" ]; then
  echo "$0: Go $ver not found (set GO=/path/to/go$ver/bin/go)" >&2
  exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/make-stress.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
st_go_private_env "$tmp" on
(cd "$here/go-stress" && "$go" build -o "$tmp/go-stress" .)
"$tmp/go-stress" -o "$out" -mb "$mb" "$@"
