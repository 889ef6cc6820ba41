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
. "$here/../../ci/go119.sh"
if ! go=$(st_find_go119); then
  echo "$0: Go 1.19 not found (set GO=/path/to/go1.19/bin/go)" >&2
  exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/make-traces.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
st_go_private_env "$tmp" on

(cd "$here/tracegen" && "$go" build -o "$tmp/tracegen" .)
mkdir -p "$outdir"
# small: one round on 2 Ps, no CPU profiler.
"$tmp/tracegen" -o "$outdir/go1.19-own-small.trace" -scale 1 -procs 2 -cpuprofile=false
# varied: three rounds on 4 Ps with the CPU profiler (CPUSample events).
"$tmp/tracegen" -o "$outdir/go1.19-own-varied.trace" -scale 3 -procs 4
"$go" version
ls -l "$outdir"/go1.19-own-*.trace
