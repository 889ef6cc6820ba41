#!/bin/sh
# Build corpus/go/tracegen2 with Debian's Go 1.22 and Go 1.23 and write the
# project's own v2 traces (two per version) into OUTDIR. Needs no network.
#
# usage: corpus/go/make-traces-v2.sh [OUTDIR]   (default: corpus/own)
#
# With the default OUTDIR this refreshes the committed traces (the bytes change
# on every run; then update corpus/own/README.md). ctest's gocheck.v2-own-fresh
# passes a folder in the build tree instead, to test freshly written traces.
# Exit 77 (skip) when Go 1.22 or Go 1.23 is not installed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
outdir=${1:-$here/../own}
. "$here/../../ci/gover.sh"
for v in 1.22 1.23; do
  if ! st_find_go "$v" >/dev/null; then
    echo "$0: Go $v not found (set GO$(echo "$v" | tr -d .)=/path/to/go$v/bin/go)" >&2
    exit 77
  fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/make-traces-v2.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
st_go_private_env "$tmp" on
mkdir -p "$outdir"

for v in 1.22 1.23; do
  go=$(st_find_go "$v")
  # -trimpath: file names in the stack tables do not carry where the checkout is.
  (cd "$here/tracegen2" && "$go" build -trimpath -o "$tmp/tracegen2-$v" .)
  # small: one short round, 16 call paths, no profiler: one generation, < 20 KB.
  GODEBUG="" "$tmp/tracegen2-$v" -o "$outdir/go$v-own-small.trace" -scale 0 -cpuprofile=false
  # varied: rounds for 1 s with a new generation every 250 ms (4 or 5
  # generations instead of 1), 800 call paths per round (about 1700 stacks
  # per generation, several Stacks batches each), CPU profiler on.
  GODEBUG=traceadvanceperiod=250000000 \
    "$tmp/tracegen2-$v" -o "$outdir/go$v-own-varied.trace" -scale 8 -duration 1s
  "$go" version
done
ls -l "$outdir"/go1.2[23]-own-*.trace
