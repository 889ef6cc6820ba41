#!/bin/sh
# Continuous fuzzing for CI: builds the libFuzzer targets (cmake --preset fuzz), runs each for a
# bounded time from its seed corpus (corpus/<harness>/) with its dictionary, then a short
# AFL++ run of each (afl-fuzz -V). Prints executions per second and covered edges per target.
# A crash (or leak, timeout) becomes a minimised reproducer in fuzz/regressions/<harness>/,
# which the ordinary ctest replay (label fuzz-replay) then runs: a failing regression test
# until the bug is fixed. The script exits 1 when anything was found.
#
# usage: ci/fuzz.sh [OPTIONS]
#   --seconds=N          libFuzzer time per target (default 20)
#   --afl-seconds=N      AFL++ time per target (default 10; 0 skips AFL++)
#   --targets=a,b        harnesses to run (default: decode,split,varint,roundtrip,differential,
#                        roundtrip_v2)
#   --merge              merge new coverage into the committed corpus/<harness>/ (libFuzzer -merge)
#   --add-regression=HARNESS:FILE
#                        only: minimise FILE (a crashing input) into
#                        fuzz/regressions/HARNESS/crash-<sha1>, the one command that turns a
#                        crash into a regression test; then commit that file
# Environment: FUZZ_WORK (default build-fuzz/fuzz-work) holds the working corpora and logs.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=20
afl_seconds=10
targets="decode split varint roundtrip differential roundtrip_v2"
merge=0
add_regression=
for a in "$@"; do
  case $a in
    --seconds=*) seconds=${a#*=} ;;
    --afl-seconds=*) afl_seconds=${a#*=} ;;
    --targets=*) targets=$(echo "${a#*=}" | tr ',' ' ') ;;
    --merge) merge=1 ;;
    --add-regression=*) add_regression=${a#*=} ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "fuzz.sh: unknown option $a (see --help)" >&2; exit 2 ;;
  esac
done
work=${FUZZ_WORK:-$root/build-fuzz/fuzz-work}

build_libfuzzer() {
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j2 >/dev/null
}

# Minimises a crashing input of harness $1 (file $2) into fuzz/regressions/$1/crash-<sha1>.
add_regression() {
  h=$1 f=$2
  bin=build-fuzz/fuzz/fuzz_$h
  dir=fuzz/regressions/$h
  mkdir -p "$dir" "$work"
  min=$work/min-$h-$(basename "$f")
  cp "$f" "$min"
  # libFuzzer shrinks while the input still crashes; keep the original if it cannot.
  "$bin" -minimize_crash=1 -runs=20000 -exact_artifact_path="$min.min" "$f" \
    >"$work/minimize-$h.log" 2>&1 || true
  [ -s "$min.min" ] && mv "$min.min" "$min"
  sum=$(sha1sum "$min" | cut -d' ' -f1)
  cp "$min" "$dir/crash-$sum"
  echo "regression: $dir/crash-$sum ($(wc -c <"$min") bytes) from $f"
  echo "  replay it: build/fuzz/fuzz_replay_$h $dir/crash-$sum   (ctest -L fuzz-replay runs it)"
  echo "  keep it:   git add $dir/crash-$sum"
}

if [ -n "$add_regression" ]; then
  build_libfuzzer
  add_regression "${add_regression%%:*}" "${add_regression#*:}"
  exit 0
fi

build_libfuzzer
found=0
summary=$work/summary.txt
mkdir -p "$work"
printf '%-14s %-9s %6s %10s %8s %6s %7s  %s\n' target engine secs execs exec/s edges features \
  result >"$summary"

for h in $targets; do
  bin=build-fuzz/fuzz/fuzz_$h
  [ -x "$bin" ] || { echo "fuzz.sh: no $bin" >&2; exit 2; }
  wd=$work/$h
  rm -rf "$wd"
  mkdir -p "$wd/corpus" "$wd/artifacts"
  cp corpus/$h/* "$wd/corpus/" 2>/dev/null || true
  dict=
  [ -f fuzz/$h.dict ] && dict=-dict=fuzz/$h.dict
  echo "== libFuzzer $h: $seconds s"
  # shellcheck disable=SC2086
  "$bin" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$wd/artifacts/" $dict "$wd/corpus" corpus/$h \
    >"$wd/libfuzzer.log" 2>&1 || true
  execs=$(grep -a '^stat::number_of_executed_units:' "$wd/libfuzzer.log" | tr -dc '0-9')
  rate=$(grep -a '^stat::average_exec_per_sec:' "$wd/libfuzzer.log" | tr -dc '0-9')
  last=$(grep -a -E '^#[0-9]+[[:space:]]+(INITED|NEW|REDUCE|pulse|DONE|RELOAD)[[:space:]]+cov: ' \
    "$wd/libfuzzer.log" | tail -1)
  edges=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
  result=ok
  for a in "$wd"/artifacts/*; do
    [ -e "$a" ] || continue
    result=FOUND
    found=1
    grep -A3 -E 'property broken|ERROR: ' "$wd/libfuzzer.log" | head -8 >&2 || true
    add_regression "$h" "$a"
  done
  printf '%-14s %-9s %6s %10s %8s %6s %7s  %s\n' "$h" libfuzzer "$seconds" "${execs:-?}" \
    "${rate:-?}" "${edges:-?}" "${ft:-?}" "$result" >>"$summary"
  if [ $merge = 1 ] && [ $result = ok ]; then
    "$bin" -merge=1 -max_len=65536 corpus/$h "$wd/corpus" >"$wd/merge.log" 2>&1
    echo "merged into corpus/$h: $(ls corpus/$h | wc -l) files"
  fi
done

if [ "$afl_seconds" -gt 0 ]; then
  if command -v afl-fuzz >/dev/null 2>&1 && command -v afl-clang-fast >/dev/null 2>&1; then
    aflout=$work/afl-build
    env CC=afl-clang-fast CXX=afl-clang-fast++ CFLAGS="-O2 -g" CXXFLAGS="-O2 -g" \
      LIB_FUZZING_ENGINE=/usr/lib/afl/libAFLDriver.a OUT="$aflout" WORK="$work/afl-objs" \
      AFL_QUIET=1 fuzz/oss-fuzz/build.sh >/dev/null
    for h in $targets; do
      wd=$work/$h/afl
      rm -rf "$wd"
      dict=
      [ -f fuzz/$h.dict ] && dict="-x fuzz/$h.dict"
      echo "== AFL++ $h: $afl_seconds s"
      # shellcheck disable=SC2086
      AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
        AFL_SKIP_CRASHES=1 timeout $((afl_seconds + 120)) \
        afl-fuzz -V "$afl_seconds" -i corpus/$h -o "$wd" $dict -- "$aflout/fuzz_$h" \
        >"$work/$h/afl.log" 2>&1 || true
      st=$wd/default/fuzzer_stats
      execs=$(sed -n 's/^execs_done *: *//p' "$st" 2>/dev/null)
      rate=$(sed -n 's/^execs_per_sec *: *//p' "$st" 2>/dev/null)
      edges=$(sed -n 's/^edges_found *: *//p' "$st" 2>/dev/null)
      result=ok
      [ -f "$st" ] || { result=NOT-RUN; found=1; tail -5 "$work/$h/afl.log" >&2; }
      for a in "$wd"/default/crashes/id:* "$wd"/default/hangs/id:*; do
        [ -e "$a" ] || continue
        result=FOUND
        found=1
        add_regression "$h" "$a"
      done
      printf '%-14s %-9s %6s %10s %8s %6s %7s  %s\n' "$h" afl++ "$afl_seconds" "${execs:-?}" \
        "${rate:-?}" "${edges:-?}" - "$result" >>"$summary"
    done
  else
    echo "fuzz.sh: afl-fuzz/afl-clang-fast not installed: AFL++ runs skipped" >&2
  fi
fi

echo
cat "$summary"
if [ $found = 1 ]; then
  echo "fuzz.sh: findings saved under fuzz/regressions/ (ctest -L fuzz-replay fails on them)" >&2
  exit 1
fi
