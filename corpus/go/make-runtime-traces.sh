#!/bin/sh
# Build trace-writing programs with Debian's Go 1.19, 1.21 (v1 traces) and Go
# 1.22, 1.23 (v2 traces) and write fresh traces into OUTDIR, for ctest
# gocheck.runtime-repro (corpus/check-runtime-repro.sh): stacktab's writer must
# reproduce each v1 dump region and each v2 strings/stacks section byte for byte.
# Needs no network.
#
# usage: corpus/go/make-runtime-traces.sh OUTDIR
#
# Per version VER present (file names goVER-MODE.trace):
#   dump-deep, dump-paths, dump-names   corpus/go/dumpgen (every version): large
#       stack tables — ~600 stacks 100..150 frames deep (cut at 128 PCs), 4096
#       distinct short call paths, 3000 paths through 96 functions with ~1 KB names;
#       each dump spans 6 to 9 batches;
#   tracegen        (1.19, 1.21) corpus/go/tracegen -scale 1 -procs 2: the mixed workload;
#   tracegen2       (1.22, 1.23) corpus/go/tracegen2 -scale 8 -duration 1s with a new
#       generation every 250 ms: 4 or 5 generations.
# A version whose toolchain is absent is skipped with a message; exit 77 (skip)
# only when all four are absent. Prints the written files, one per line, on
# stdout as "VER FILE" (messages go to stderr).
set -eu
if [ $# -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
outdir=$1
. "$here/../../ci/gover.sh"

found="" skipped=""
for v in 1.19 1.21 1.22 1.23; do
  if st_find_go "$v" >/dev/null; then found="$found $v"; else skipped="$skipped $v"; fi
done
if [ -z "$found" ]; then
  echo "$0: none of Go 1.19, 1.21, 1.22, 1.23 is installed (set GO119=/path/to/go etc.)" >&2
  exit 77
fi
[ -z "$skipped" ] || echo "$0: Go$skipped not installed: skipped (made traces with Go$found)" >&2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/make-runtime-traces.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
st_go_private_env "$tmp" on
mkdir -p "$outdir"

for v in $found; do
  go=$(st_find_go "$v")
  echo "$0: $("$go" version)" >&2
  # -trimpath: file names in the stack tables do not carry where the checkout is.
  (cd "$here/dumpgen" && "$go" build -trimpath -o "$tmp/dumpgen-$v" .)
  for mode in deep paths names; do
    "$tmp/dumpgen-$v" -o "$outdir/go$v-dump-$mode.trace" -mode "$mode"
    echo "$v $outdir/go$v-dump-$mode.trace"
  done
  case $v in
    1.19 | 1.21)
      (cd "$here/tracegen" && "$go" build -trimpath -o "$tmp/tracegen-$v" .)
      "$tmp/tracegen-$v" -o "$outdir/go$v-tracegen.trace" -scale 1 -procs 2 -cpuprofile=false
      echo "$v $outdir/go$v-tracegen.trace"
      ;;
    *)
      (cd "$here/tracegen2" && "$go" build -trimpath -o "$tmp/tracegen2-$v" .)
      GODEBUG=traceadvanceperiod=250000000 \
        "$tmp/tracegen2-$v" -o "$outdir/go$v-tracegen2.trace" -scale 8 -duration 1s
      echo "$v $outdir/go$v-tracegen2.trace"
      ;;
  esac
done
