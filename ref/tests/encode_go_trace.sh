#!/bin/sh
# ctest encode.go-trace: traces written by `stacktab encode` for headers 1.11 and 1.19, with
# both dump algorithms and two buffer sizes, must be accepted by Go 1.19's `go tool trace -d`,
# and the events it prints (byte offset and name) must be exactly the events that were written
# (stacktab encode --list). Skips (77) when Go 1.19 is not installed.
# usage: encode_go_trace.sh STACKTAB SCENARIO.txt
set -u
stacktab=$1
scenario=$2
. "$(dirname "$0")/../../ci/go119.sh"
if ! go=$(st_find_go119); then
  echo "SKIP: Go 1.19 not found (set GO=/path/to/go1.19/bin/go)"
  exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/encode-go.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
st_go_private_env "$tmp" off

fail=0
for header in 1.11 1.19; do
  for algo in legacy direct; do
    for buf in 64488 200; do
      name="$header-$algo-$buf"
      t="$tmp/$name.trace"
      if ! "$stacktab" encode --header=$header --algorithm=$algo --buf-size=$buf \
          --list="$tmp/$name.written" -o "$t" "$scenario"; then
        echo "FAIL $name: stacktab encode failed"; fail=1; continue
      fi
      # cmd/trace opens a loopback listener before parsing; -d prints the events and exits.
      if ! timeout 300 "$go" tool trace -http=127.0.0.1:0 -d "$t" >"$tmp/$name.go" 2>"$tmp/$name.err"; then
        echo "FAIL $name: go tool trace rejected it:"; grep -v 'Parsing trace' "$tmp/$name.err"; fail=1; continue
      fi
      # Go prints "TS NAME p=P g=G off=OFF ...": keep "OFF NAME", in offset order.
      awk '$5 ~ /^off=[0-9]+$/ { print substr($5, 5), $2 }' "$tmp/$name.go" | sort -n >"$tmp/$name.parsed"
      sort -n "$tmp/$name.written" >"$tmp/$name.want"
      n=$(wc -l <"$tmp/$name.want")
      if [ "$n" -eq 0 ] || ! diff "$tmp/$name.want" "$tmp/$name.parsed" >"$tmp/$name.diff"; then
        echo "FAIL $name: Go's event list differs from what was written (< written, > Go):"
        cat "$tmp/$name.diff"; fail=1; continue
      fi
      echo "ok $name: $(wc -c <"$t") bytes, Go parsed the $n events written"
    done
  done
done
exit $fail
