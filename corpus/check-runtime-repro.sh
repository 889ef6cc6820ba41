#!/bin/sh
# ctest gocheck.runtime-repro: write fresh traces with the real Go 1.19, 1.21,
# 1.22 and 1.23 runtimes (corpus/go/make-runtime-traces.sh) into OUTDIR, then for
# each one:
#   - `stacktab check` and `stacktab check --mode=go` exit 0;
#   - v1 (go 1.19/1.21 trace): test_encode_repro FILE reproduces the dump region
#     byte for byte at 64488 bytes (legacy or direct, told by the EvStack length
#     width);
#   - v2 (go 1.22/1.23 trace): test_encode_repro_v2 FILE reproduces each
#     generation's strings and stacks batches byte for byte at 65504 bytes;
#   - `stacktab verify-dump` finds the tables to be the reference writer's, at the
#     capacity the file's flush points imply and at the runtime's (64488 / 65504);
#   - a dumpgen trace (goVER-dump-*) must have a dump spanning >= 3 batches (v1:
#     EvBatch in the dump region; v2: Stacks batches), else the check is moot.
# Prints one line per trace: Go version, bytes, dump batches, stacks.
#
# usage: corpus/check-runtime-repro.sh OUTDIR STACKTAB TEST_ENCODE_REPRO TEST_ENCODE_REPRO_V2
# Exit 0 when every check passes, 1 when one fails, 77 (skip) when no Go
# toolchain of the four is installed (missing ones are named and skipped).
set -u
if [ $# -ne 4 ]; then
  echo "usage: $0 OUTDIR STACKTAB TEST_ENCODE_REPRO TEST_ENCODE_REPRO_V2" >&2
  exit 2
fi
outdir=$1 stacktab=$2 repro=$3 repro2=$4
here=$(cd "$(dirname "$0")" && pwd)
rm -f "$outdir"/go1.*-*.trace "$outdir/list"
mkdir -p "$outdir" || exit 2
sh "$here/go/make-runtime-traces.sh" "$outdir" >"$outdir/list"
rc=$?
if [ $rc -ne 0 ]; then
  [ $rc -eq 77 ] && echo "SKIP: no Go toolchain (1.19, 1.21, 1.22, 1.23) is installed"
  exit $rc
fi

failed=0 n=0
fail() { echo "FAIL: $*"; failed=1; }
while read -r ver t; do
  n=$((n + 1))
  name=$(basename "$t" .trace)
  [ -s "$t" ] || { fail "$t was not written"; continue; }
  bytes=$(wc -c <"$t" | tr -d ' ')
  "$stacktab" check "$t" || fail "stacktab check $t"
  "$stacktab" check --mode=go "$t" || fail "stacktab check --mode=go $t"
  stacks=$("$stacktab" stats "$t" | sed -n 's/^stacks  *\([0-9][0-9]*\).*/\1/p')
  case $ver in 1.19 | 1.21) cap=64488 ;; *) cap=65504 ;; esac
  vd=$("$stacktab" verify-dump "$t") || { echo "$vd"; fail "stacktab verify-dump $t"; }
  "$stacktab" verify-dump -q --cap=$cap "$t" || fail "stacktab verify-dump --cap=$cap $t"
  echo "  $vd"
  case $ver in
    1.19 | 1.21)
      out=$("$repro" "$t" 2>&1) || { echo "$out"; fail "test_encode_repro $t"; }
      # "NAME: legacy|direct, S stacks, K strings seeded, B batches, N bytes"
      line=$(echo "$out" | grep ' strings seeded, ')
      algo=$(echo "$line" | sed -n 's/^[^:]*: \([a-z]*\),.*/\1/p')
      batches=$(echo "$line" | sed -n 's/.* \([0-9][0-9]*\) batches,.*/\1/p')
      region=$(echo "$line" | sed -n 's/.* \([0-9][0-9]*\) bytes$/\1/p')
      what="v1 $algo dump: ${batches:-?} batches, ${region:-?} bytes"
      ;;
    *)
      out=$("$repro2" "$t" 2>&1) || { echo "$out"; fail "test_encode_repro_v2 $t"; }
      # "FILE: G generations, S strings in A batches, K stacks in B batches: reproduced"
      line=$(echo "$out" | grep ': reproduced$')
      gens=$(echo "$line" | sed -n 's/.*: \([0-9][0-9]*\) generations,.*/\1/p')
      sbat=$(echo "$line" | sed -n 's/.* strings in \([0-9][0-9]*\) batches.*/\1/p')
      batches=$(echo "$line" | sed -n 's/.* stacks in \([0-9][0-9]*\) batches.*/\1/p')
      what="v2 ${gens:-?} generations: ${batches:-?} stacks batches, ${sbat:-?} strings batches"
      ;;
  esac
  case $name in
    *-dump-*)
      [ "${batches:-0}" -ge 3 ] || fail "$t: the dump spans ${batches:-0} batches, expected >= 3"
      ;;
  esac
  echo "go$ver $name: $bytes bytes, $what, ${stacks:-?} stacks"
done <"$outdir/list"
[ "$n" -gt 0 ] || fail "no traces were written"
[ $failed -eq 0 ] && echo "runtime-repro: $n traces checked (both modes) and reproduced byte for byte"
exit $failed
