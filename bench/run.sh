#!/bin/sh
# The benchmark table: stacktab's decoder on real traces and on stack-table streams of several
# shapes, next to Go 1.19's and Go 1.23's readers and to memcpy/read of the same bytes, and
# the encoder's dumps side by side. See bench/README.md.
#
# usage: bench/run.sh [--quick]
#   Builds Release (cmake --preset default) and prints one table over:
#     (a)  the largest real v1 trace in ../shared/corpus/real, (a2) the largest real v2 trace in
#          ../shared/corpus/real-v2 (when present);
#     (b)  a Go 1.19 runtime trace written on the spot by bench/go-stress (60 MB; --quick: 8 MB),
#     (b2) the same program under Go 1.23 (a v2 trace; not in --quick);
#     (c)  synthetic stack-table streams (st_bench_decode --gen): deep, medium, shallow, strings,
#          v2 (500 MB each; --quick: 32 MB).
#   --quick also skips the Go readers on (b) (a minute and several GB there).
# Needs /usr/bin/time (Debian package `time`). Go 1.19 (/usr/lib/go-1.19/bin/go, or GO=...) for
# (b) and the "go1.19" column; Go 1.23 (/usr/lib/go-1.23/bin/go, or GO123=...) for (b2) and the
# "go1.23" column; each is skipped with a note when absent. Work files go to $BENCH_DIR
# (default /tmp/stacktab-bench), never into the repository.
set -eu
quick=0
[ "${1:-}" = --quick ] && quick=1
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=${BENCH_DIR:-/tmp/stacktab-bench}
mkdir -p "$work"
. "$root/ci/gover.sh"
go119=$(st_find_go 1.19 "${GO:-}" || true)
go123=$(st_find_go 1.23 "${GO123:-}" || true)
if [ $quick = 1 ]; then stress_mb=8; synth_mb=32; enc_secs=0.3; else stress_mb=60; synth_mb=500; enc_secs=1; fi
[ -x /usr/bin/time ] || { echo "bench/run.sh: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }
# Time Go's trace tools themselves, not the `go` command that would start them.
gotrace119="" gotrace123=""
[ -n "$go119" ] && gotrace119=$("$go119" tool -n trace)
[ -n "$go123" ] && gotrace123=$("$go123" tool -n trace)

echo "building Release (cmake --preset default)..." >&2
cmake --preset default >/dev/null
cmake --build --preset default -j2 --target stacktab st_bench_decode st_bench_encode >/dev/null
st=build/stacktab

# Inputs: label:path, and which of them are synthetic (no Go reader there).
inputs=""
real=$(ls -S "$root"/../shared/corpus/real/*.trace 2>/dev/null | head -n 1 || true)
[ -n "$real" ] && inputs="a:$real"
real2=$(ls -S "$root"/../shared/corpus/real-v2/*.trace 2>/dev/null | head -n 1 || true)
[ -n "$real2" ] && inputs="$inputs a2:$real2"
if [ -n "$go119" ]; then
  if [ ! -f "$work/stress-$stress_mb.trace" ]; then
    echo "generating the Go 1.19 stress trace (${stress_mb} MB)..." >&2
    GO=$go119 sh bench/make-stress-trace.sh "$work/stress-$stress_mb.trace" "$stress_mb" >&2
  fi
  inputs="$inputs b:$work/stress-$stress_mb.trace"
fi
if [ -n "$go123" ] && [ $quick = 0 ]; then
  if [ ! -f "$work/stress123-$stress_mb.trace" ]; then
    echo "generating the Go 1.23 stress trace (${stress_mb} MB)..." >&2
    GO123=$go123 STRESS_GO=1.23 sh bench/make-stress-trace.sh "$work/stress123-$stress_mb.trace" "$stress_mb" >&2
  fi
  inputs="$inputs b2:$work/stress123-$stress_mb.trace"
fi
for shape in deep medium shallow strings v2; do
  f="$work/synth-$shape-$synth_mb.trace"
  if [ ! -f "$f" ]; then
    echo "generating the synthetic $shape stream (${synth_mb} MB)..." >&2
    build/st_bench_decode --gen "$f.tmp" "$synth_mb" "$shape" 2>/dev/null && mv "$f.tmp" "$f"
  fi
  inputs="$inputs c-$shape:$f"
done

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

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
echo "machine: $(nproc) cores, $cpu, $mem RAM, $(uname -sr), $(cc --version | head -n 1)"
[ -n "$go119" ] || echo "note: Go 1.19 not found: no go1.19 column and no stress trace (b)"
[ -n "$go123" ] || echo "note: Go 1.23 not found: no go1.23 column and no stress trace (b2)"
[ $quick = 1 ] && echo "note: --quick: small (b) and (c), no (b2), Go's readers skipped on (b)"
echo
echo "| input | MB | events | check s | check MB/s | check/read | check peak RSS | go1.19 -d s | go1.19/check | go1.23 -pprof s | go1.23/check | in memory, no callback MB/s | in memory, callback MB/s | memcpy MB/s | no callback/memcpy |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for item in $inputs; do
  label=${item%%:*}
  f=${item#*:}
  reps=5
  case $label in c-*) reps=3 ;; esac
  # In-memory decoder, memcpy and read of the same bytes (best of reps), and the event count.
  line=$(build/st_bench_decode -r "$reps" "$f" | tail -n 1)
  set -- $line
  bytes=$2 events=$3 dec=$4 cpy=$6 rd=$7 chk=${10} ratio=${11}
  # stacktab check: best wall time of 5 runs (peak RSS of that run): the machine is noisy.
  best=""
  for _ in 1 2 3 4 5; do
    timed "$st" check -q "$f"
    if [ -z "$best" ] || awk -v a="$T" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$T; brss=$RSS; fi
  done
  g19="-" r19="-" g23="-" r23="-"
  case $label in
    c-*) go_ok=0 ;;
    b|b2) go_ok=$((1 - quick)) ;;
    *) go_ok=1 ;;
  esac
  v2=0
  case $label in a2|b2) v2=1 ;; esac
  if [ $go_ok = 1 ] && [ -n "$gotrace119" ] && [ $v2 = 0 ]; then
    timed "$gotrace119" -http=127.0.0.1:0 -d "$f"
    g19=$T
    r19=$(awk -v a="$T" -v b="$best" 'BEGIN { printf "%.0fx", a / b }')
  fi
  if [ $go_ok = 1 ] && [ -n "$gotrace123" ]; then
    timed "$gotrace123" -pprof=net "$f"
    g23=$T
    r23=$(awk -v a="$T" -v b="$best" 'BEGIN { printf "%.0fx", a / b }')
  fi
  awk -v l="$label" -v f="$(basename "$f")" -v n="$bytes" -v e="$events" -v t="$best" -v r="$brss" \
      -v g19="$g19" -v r19="$r19" -v g23="$g23" -v r23="$r23" -v d="$dec" -v c="$cpy" -v rd="$rd" \
      -v q="$ratio" -v k="$chk" 'BEGIN {
    cm = n / 1e6 / t
    printf "| (%s) %s | %.1f | %d | %.3f | %.0f | 1/%.1f | %.1f MiB | %s | %s | %s | %s | %.0f | %.0f | %.0f | 1/%.1f |\n",
      l, f, n / 1e6, e, t, cm, rd / cm, r / 1024, g19, r19, g23, r23, k, d, c, 1 / q }'
done
echo
echo "MB = 1e6 bytes; 'check' = build/stacktab check -q FILE, whole process (the file mapped 4 MiB at"
echo "a time, pushed 64 KiB at a time), best of 5, peak RSS from /usr/bin/time (mapped pages count);"
echo "check/read = its MB/s over pread() of the same file"
echo "in 64 KiB chunks (page cache warm); 'in memory' = st_bench_decode: strict decoder fed 64 KiB"
echo "pushes from a mapped file, without an event callback (what check does) and with one that"
echo "counts events (names resolved, strings kept), best of N, next to memcpy of the same bytes in"
echo "64 KiB chunks in the same run."
[ -n "$gotrace119" ] && echo "go1.19 = $gotrace119 -http=127.0.0.1:0 -d FILE (parses the whole trace; one run; v1 only)"
[ -n "$gotrace123" ] && echo "go1.23 = $gotrace123 -pprof=net FILE (parses the whole trace, v1 through its converter; one run)"
echo
echo "encoder (build/st_bench_encode 20000 $enc_secs):"
build/st_bench_encode 20000 "$enc_secs"
