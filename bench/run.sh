#!/bin/sh
# The benchmark table: stacktab's decoder next to Go 1.19's reader, next to memcpy, and the
# encoder's legacy and direct dumps side by side. See bench/README.md.
#
# usage: bench/run.sh [--quick]
#   Builds Release (cmake --preset default), generates (b) a real trace with the Go 1.19 stress
#   program in bench/go-stress (60 MB; --quick: 8 MB) and (c) a synthetic stream that is nearly
#   all stack table (1000 MB; --quick: 64 MB), and prints one table over those and (a) the
#   largest trace in ../shared/corpus/real (when present).
#   --quick also skips Go's reader on (b) (about a minute and several GB there).
# Needs /usr/bin/time (Debian package `time`); Go 1.19 at /usr/lib/go-1.19/bin/go (or GO=...)
# for column "go" and for (b) (skipped with a note when absent). Work files go to
# $BENCH_DIR (default /tmp/stacktab-bench), never into the repository.
set -eu
quick=0
[ "${1:-}" = --quick ] && quick=1
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=${BENCH_DIR:-/tmp/stacktab-bench}
mkdir -p "$work"
go=${GO:-/usr/lib/go-1.19/bin/go}
if [ $quick = 1 ]; then stress_mb=8; synth_mb=64; enc_secs=0.3; else stress_mb=60; synth_mb=1000; enc_secs=1; fi
[ -x /usr/bin/time ] || { echo "bench/run.sh: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }
have_go=0
"$go" version 2>/dev/null | grep -q '^go version go1\.19' && have_go=1
# Time Go's trace tool itself, not the `go` command that would start it.
[ $have_go = 1 ] && gotrace=$("$go" tool -n trace)

echo "building Release (cmake --preset default)..." >&2
cmake --preset default >/dev/null
cmake --build --preset default -j2 --target stacktab st_bench_decode st_bench_encode >/dev/null
st=build/stacktab

# Inputs: label and path.
inputs=""
real=$(ls -S "$root"/../shared/corpus/real/*.trace 2>/dev/null | head -n 1 || true)
[ -n "$real" ] && inputs="a:$real"
if [ $have_go = 1 ]; then
  echo "generating the Go 1.19 stress trace (${stress_mb} MB)..." >&2
  sh bench/make-stress-trace.sh "$work/stress.trace" "$stress_mb" >&2
  inputs="$inputs b:$work/stress.trace"
fi
if [ ! -f "$work/synth-$synth_mb.trace" ]; then
  echo "generating the synthetic stack-table stream (${synth_mb} MB)..." >&2
  build/st_bench_decode --gen "$work/synth-$synth_mb.trace.tmp" "$synth_mb" &&
    mv "$work/synth-$synth_mb.trace.tmp" "$work/synth-$synth_mb.trace"
fi
inputs="$inputs c:$work/synth-$synth_mb.trace"

# Wall seconds (nanosecond clock) and peak RSS in KiB of one command; output discarded.
# Sets T and RSS.
timed() {
  t0=$(date +%s%N)
  /usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>"$work/err" || {
    echo "bench/run.sh: failed: $*" >&2; cat "$work/err" >&2; exit 1; }
  t1=$(date +%s%N)
  T=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  RSS=$(tail -n 1 "$work/rss")
}

nproc_=$(nproc)
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
echo "machine: $nproc_ cores, $cpu, $mem RAM, $(uname -sr), $(cc --version | head -n 1)"
[ $have_go = 1 ] || echo "note: Go 1.19 not found at $go: no Go column and no stress trace (b)"
[ $quick = 1 ] && echo "note: --quick: small (b) and (c), Go's reader skipped on (b)"
echo
echo "| input | MB | events | check s | check MB/s | check events/s | check peak RSS | go trace -d s | go peak RSS | go/check time | decoder MB/s in memory | memcpy MB/s | decoder/memcpy |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for item in $inputs; do
  label=${item%%:*}
  f=${item#*:}
  reps=5
  [ "$label" = c ] && reps=3
  # In-memory decoder, memcpy and read of the same bytes (best of reps), and the event count.
  line=$(build/st_bench_decode -r "$reps" "$f" | tail -n 1)
  set -- $line
  bytes=$2 events=$3 dec=$4 cpy=$6 ratio=$8
  # stacktab check: best wall time of 3 runs (peak RSS of that run).
  best=""
  for _ in 1 2 3; do
    timed "$st" check -q "$f"
    if [ -z "$best" ] || awk -v a="$T" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$T; brss=$RSS; fi
  done
  gos="-" gorss="-" ratio_go="-"
  if [ $have_go = 1 ] && [ "$label" != c ] && ! { [ $quick = 1 ] && [ "$label" = b ]; }; then
    timed "$gotrace" -http=127.0.0.1:0 -d "$f"
    gos=$T gorss="$(awk -v k="$RSS" 'BEGIN { printf "%.0f MiB", k / 1024 }')"
    ratio_go=$(awk -v a="$T" -v b="$best" 'BEGIN { printf "%.0fx", a / b }')
  fi
  awk -v l="$label" -v f="$(basename "$f")" -v n="$bytes" -v e="$events" -v t="$best" -v r="$brss" \
      -v gs="$gos" -v gr="$gorss" -v gq="$ratio_go" -v d="$dec" -v c="$cpy" -v q="$ratio" 'BEGIN {
    printf "| (%s) %s | %.1f | %d | %.3f | %.0f | %.0f | %.1f MiB | %s | %s | %s | %.0f | %.0f | %.4f (1/%.0f) |\n",
      l, f, n / 1e6, e, t, n / 1e6 / t, e / t, r / 1024, gs, gr, gq, d, c, q, 1 / q }'
done
echo
echo "MB = 1e6 bytes; peak RSS = /usr/bin/time %M (MiB); 'check' = build/stacktab check -q FILE"
echo "(whole process, best of 3); 'in memory' = st_bench_decode, 64 KiB pushes from a mapped file,"
echo "best of N, next to memcpy of the same bytes in 64 KiB chunks in the same run."
[ $have_go = 1 ] && echo "go = $gotrace -http=127.0.0.1:0 -d FILE (Go 1.19's trace tool, parses the whole trace; one run)"
echo
echo "encoder (build/st_bench_encode 20000 $enc_secs):"
build/st_bench_encode 20000 "$enc_secs"
