#!/bin/sh
# ctest encode.go-trace-v2: v2 traces written by `stacktab encode` for headers 1.22 and 1.23,
# at the runtime's capacity (65504) and a small one (1100: many batches), must be
#   - valid for stacktab check (strict),
#   - accepted by Go 1.23's `go tool trace -d=1` (and Go 1.22's for header 1.22),
#   - listed by Go 1.23's `go tool trace -d=2` exactly as `stacktab dump --json` lists them
#     (ci/go-d2-compare.py), and
#   - every timed event stacktab dump lists is one `stacktab encode --list` says was written,
#     at the same offset, and no other.
# Skips (77) when Go 1.23 is not installed.
# usage: encode_go_trace_v2.sh STACKTAB SCENARIO.txt
set -u
stacktab=$1
scenario=$2
here=$(cd "$(dirname "$0")" && pwd)
ST_CI_DIR="$here/../../ci"
. "$ST_CI_DIR/gover.sh"
if ! go123=$(st_find_go 1.23); then
  echo "SKIP: Go 1.23 not found (set GO123=/path/to/go)"
  exit 77
fi
go122=$(st_find_go 1.22) || go122=""
tmp=$(mktemp -d "${TMPDIR:-/tmp}/encode-go-v2.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
st_go_private_env "$tmp" off

fail=0
for header in 1.22 1.23; do
  for buf in 65504 1100; do
    name="$header-$buf"
    t="$tmp/$name.trace"
    if ! "$stacktab" encode --header=$header --buf-size=$buf --list="$tmp/$name.written" \
        -o "$t" "$scenario"; then
      echo "FAIL $name: stacktab encode failed"; fail=1; continue
    fi
    if ! "$stacktab" check "$t"; then echo "FAIL $name: stacktab check rejects it"; fail=1; continue; fi
    for go in "$go123" $([ "$header" = 1.22 ] && echo "$go122"); do
      if ! "$go" tool trace -d=1 "$t" >"$tmp/$name.d1" 2>"$tmp/$name.err"; then
        echo "FAIL $name: $("$go" version) rejects it:"; head -5 "$tmp/$name.err"; fail=1
      fi
    done
    if ! GO123="$go123" python3 "$here/../../ci/go-d2-compare.py" "$t" "$stacktab"; then
      echo "FAIL $name: Go 1.23's -d=2 listing differs from stacktab dump"; fail=1; continue
    fi
    # The timed events of the dump (not batch headers, markers, table records) as "OFF NAME".
    "$stacktab" dump --json "$t" | python3 -c '
import json, sys
skip = {"EventBatch", "ExperimentalBatch", "Strings", "Stacks", "CPUSamples", "Sync",
        "String", "Stack", "CPUSample", "Frequency", "ClockSnapshot"}
for line in sys.stdin:
    e = json.loads(line)
    if e["type"] not in skip:
        print(e["off"], e["type"])' >"$tmp/$name.listed"
    n=$(wc -l <"$tmp/$name.written")
    if [ "$n" -eq 0 ] || ! diff "$tmp/$name.written" "$tmp/$name.listed" >"$tmp/$name.diff"; then
      echo "FAIL $name: the events in the file differ from those written (< written, > read):"
      cat "$tmp/$name.diff"; fail=1; continue
    fi
    echo "ok $name: $(wc -c <"$t") bytes, $n events written, read back by Go and stacktab"
  done
done
exit $fail
