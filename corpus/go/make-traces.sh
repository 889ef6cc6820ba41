#!/bin/sh
# Build corpus/go/tracegen with Debian's Go 1.19 and write the project's own
# real traces into corpus/own/. Run from anywhere; needs no network.
#
# usage: corpus/go/make-traces.sh [OUTDIR]   (default: corpus/own)
#
# The traces are committed; rerun this only to refresh them (the bytes
# change on every run), then update corpus/own/README.md.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
outdir=${1:-$here/../own}
go=${GO:-/usr/lib/go-1.19/bin/go}
if ! "$go" version 2>/dev/null | grep -q '^go version go1\.19'; then
  echo "$0: Go 1.19 not found at $go (set GO=...)" >&2
  exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/make-traces.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
export GOCACHE="$tmp/cache" GOPATH="$tmp/gopath" GOFLAGS=-mod=mod GO111MODULE=on
[ -n "${HOME:-}" ] || export HOME="$tmp"

(cd "$here/tracegen" && "$go" build -o "$tmp/tracegen" .)
mkdir -p "$outdir"
# small: one round on 2 Ps, no CPU profiler.
"$tmp/tracegen" -o "$outdir/go1.19-own-small.trace" -scale 1 -procs 2 -cpuprofile=false
# varied: three rounds on 4 Ps with the CPU profiler (CPUSample events).
"$tmp/tracegen" -o "$outdir/go1.19-own-varied.trace" -scale 3 -procs 4
"$go" version
ls -l "$outdir"/go1.19-own-*.trace
