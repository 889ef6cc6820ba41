#!/bin/sh
# Write fresh v2 traces with Go 1.22 and Go 1.23 (corpus/go/make-traces-v2.sh)
# and check each with stacktab (strict and --mode=go), with Go 1.23's own
# reader (`go tool trace -d=1` must accept it) and with ci/go-d2-compare.py.
# The committed traces are one run of the runtimes; this catches what another
# run (other timings, Go 1.22's random stack-dump order) brings.
#
# usage: corpus/check-v2-fresh.sh OUTDIR STACKTAB_BIN
# Exit 0 when every check passes, 1 when one fails, 77 (skip) when Go 1.22,
# Go 1.23 or python3 is missing.
set -u
if [ $# -ne 2 ]; then
  echo "usage: $0 OUTDIR STACKTAB_BIN" >&2
  exit 2
fi
outdir=$1 stacktab=$2
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v python3 >/dev/null 2>&1; then
  echo "SKIP: python3 is not installed" >&2
  exit 77
fi
rm -f "$outdir"/go1.2[23]-own-*.trace
sh "$here/go/make-traces-v2.sh" "$outdir"
rc=$?
if [ $rc -ne 0 ]; then
  [ $rc -eq 77 ] && echo "SKIP: Go 1.22 or Go 1.23 is not installed" >&2
  exit $rc
fi

. "$here/../ci/gover.sh"
go=$(st_find_go 1.23) || { echo "SKIP: Go 1.23 is not installed" >&2; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-v2-fresh.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
st_go_private_env "$tmp" off

failed=0
fail() { echo "FAIL: $*" >&2; failed=1; }
for v in 1.22 1.23; do
  for kind in small varied; do
    t=$outdir/go$v-own-$kind.trace
    [ -s "$t" ] || { fail "$t was not written"; continue; }
    "$stacktab" check "$t" || fail "stacktab check $t"
    "$stacktab" check --mode=go "$t" || fail "stacktab check --mode=go $t"
    "$go" tool trace -d=1 "$t" >/dev/null || fail "go tool trace -d=1 $t (Go 1.23)"
    python3 "$here/../ci/go-d2-compare.py" "$t" "$stacktab" || fail "ci/go-d2-compare.py $t"
  done
done
exit $failed
